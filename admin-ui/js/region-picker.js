// region-picker.js — a region chosen by name (GET /regions?q=, SPEC Appendix C): type 海盐 or 嘉兴,
// or the province and city before it (嘉兴海盐, 浙江省嘉兴市), or the start of the code, and pick
// from the list; the field then reads "330424 浙江省嘉兴市海盐县" and the form sends the code.
// A name that matches one region only is taken as it is typed; anything else goes to the server
// as typed and comes back as an error at the field.

import { h, uid } from './dom.js';
import { t } from './i18n.js';
import { get, qs } from './api.js';
import { field } from './ui.js';

const LIMIT = 12;

// The code a picker's text stands for ("330424 浙江省嘉兴市海盐县" or "330424"); otherwise the text.
export function regionCodeOf(text) {
	const s = (text || '').trim();
	const m = /^(\d{1,6})(?:\s|$)/.exec(s);
	return m ? m[1] : s;
}

const optionText = (r) => `${r.code} ${r.full_name}`;

export function regionField({ name, value, required, hint, label: labelKey }) {
	const listId = uid('regions');
	const wrap = field({
		name, required, hint, label: labelKey, value: value || '',
		attrs: { list: listId, autocomplete: 'off', spellcheck: 'false', 'data-region-picker': '', placeholder: t('region.placeholder') },
	});
	const input = wrap.querySelector('input');
	const list = h('datalist', { id: listId });
	// What the field now stands for, said in words (and to screen readers as it changes).
	const shown = h('p', { class: 'hint region-shown', 'aria-live': 'polite', dataset: { testid: `${name}-shown` } });
	wrap.append(list, shown);

	let seq = 0;
	let timer = null;
	async function lookup(text) {
		const mine = ++seq;
		const q = text.trim();
		if (!q) {
			list.replaceChildren();
			shown.textContent = '';
			return [];
		}
		let found = [];
		try {
			found = /^\d{6}$/.test(q)
				? [(await get(`/regions/${q}`)).data]
				: (await get(`/regions${qs({ q: regionCodeOf(q) === q ? q : regionCodeOf(q), limit: LIMIT })}`)).data;
		} catch {
			found = [];
		}
		if (mine !== seq) return null; // a newer keystroke answered already
		list.replaceChildren(...found.map((r) => h('option', { value: optionText(r) })));
		const code = regionCodeOf(input.value);
		const exact = found.find((r) => r.code === code);
		shown.textContent = exact ? exact.full_name : found.length ? '' : t('region.none');
		return found;
	}

	input.addEventListener('input', () => {
		clearTimeout(timer);
		timer = setTimeout(() => { lookup(input.value); }, 150);
	});
	// Leaving the field: a name that stands for one region only (or names one exactly) becomes it.
	input.addEventListener('change', async () => {
		clearTimeout(timer);
		const text = input.value.trim();
		if (!text || /^\d/.test(text)) {
			await lookup(text);
			return;
		}
		const found = await lookup(text);
		if (!found) return;
		const pick = found.length === 1 ? found[0] : found.find((r) => r.name === text || r.full_name === text);
		if (pick) {
			input.value = optionText(pick);
			shown.textContent = pick.full_name;
		}
	});
	// A code already there (editing a draft, a filter in the address) is shown with its name.
	if (value && /^\d{6}$/.test(value)) {
		get(`/regions/${value}`).then((r) => {
			if (regionCodeOf(input.value) === value) {
				input.value = optionText(r.data);
				shown.textContent = r.data.full_name;
			}
		}).catch(() => {});
	}
	return wrap;
}
