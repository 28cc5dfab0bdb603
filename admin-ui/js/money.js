// money.js — yuan strings <-> integer fen, by string handling only (SPEC §2: never floating
// point for money). "30000.50" -> 3000050; 3000050 -> "30000.50".

// Parses a yuan amount typed by a person. Accepts digit grouping commas (ASCII or full-width),
// spaces, a leading ¥/￥, and at most two decimals. Returns the integer number of fen, or null
// when the text is not a valid non-negative amount (or too large to be exact).
export function parseYuanToFen(text) {
	if (typeof text !== 'string') return null;
	const s = text.trim().replace(/^[¥￥]\s*/, '').replace(/[,，\s]/g, '');
	const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(s);
	if (!m) return null;
	const digits = (m[1] + (m[2] || '').padEnd(2, '0')).replace(/^0+(?=\d)/, '');
	const fen = Number(digits);
	if (!Number.isSafeInteger(fen)) return null;
	return fen;
}

// Formats integer fen as yuan with two decimals: 3000050 -> "30000.50"; group = true gives
// "30,000.50". Returns '' for anything that is not a non-negative safe integer.
export function fenToYuan(fen, { group = false } = {}) {
	if (typeof fen === 'string' && /^\d+$/.test(fen)) fen = Number(fen);
	if (!Number.isSafeInteger(fen) || fen < 0) return '';
	const s = String(fen).padStart(3, '0');
	let whole = s.slice(0, -2);
	const frac = s.slice(-2);
	if (group) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
	return `${whole}.${frac}`;
}

// The most the daemon stores and prints exactly (JSON_FEN_MAX): ¥9,999,999,999,999.99.
export const MAX_FEN = 999999999999999;

// A money field typed in yuan: {fen} or {error: 'error.money' | 'error.money_max' | 'error.required'}.
export function readYuan(text, { required = false } = {}) {
	const s = String(text ?? '').trim();
	if (s === '') return required ? { error: 'error.required' } : { fen: null };
	const fen = parseYuanToFen(s);
	if (fen === null) {
		// Digits that only fail for being too large to be exact are "too large", not "malformed".
		return /^[¥￥]?\s*[\d,，\s]+(\.\d{0,2})?$/.test(s) ? { error: 'error.money_max' } : { error: 'error.money' };
	}
	if (fen > MAX_FEN) return { error: 'error.money_max' };
	return { fen };
}
