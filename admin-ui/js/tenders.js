// tenders.js — what the tender pages share (SPEC §6, Appendix B): a tender's status, method and
// eligibility in words, deadlines typed as China time and sent as RFC 3339 UTC, the receipts of
// the signed-in applicant's bids, the opening record, and the parts a tender page is built of
// (its sections, the forms that file one text).

import { h } from './dom.js';
import { t, has, label } from './i18n.js';
import {
	badge, fmtYuan, fmtDateTime, mono, dataTable, yesNo, field, busy, showProblem, localProblem, flash,
} from './ui.js';

// ---------------------------------------------------------------- words

const STATUS_KIND = {
	draft: 'muted', 'active.enquiries': 'info', 'active.tendering': 'ok', 'active.opening': 'warn',
	'active.evaluation': 'info', 'active.awarded': 'ok', 'active.contracting': 'info', complete: 'muted',
	cancelled: 'muted', unsuccessful: 'danger',
};

export function tenderStatusBadge(status) {
	return h('span', { class: 'tender-status', dataset: { status } }, badge(label('tender_status', status), STATUS_KIND[status] || ''));
}

export function serviceCategoryText(code) {
	return label('service_category', code);
}

// Minimum days from publication to the bid deadline by method (rules open_tender_min_days,
// consultation_min_days); said in the form, decided by the daemon at publication.
export function deadlineRuleKey(method) {
	if (method === 'open' || method === 'invited') return 'tender.hint.deadline_20';
	if (method === 'competitive_consultation') return 'tender.hint.deadline_10';
	return 'tender.hint.deadline_any';
}

// The eligibility of a tender as sentences.
export function eligibilityLines(e) {
	const el = e || {};
	const lines = [];
	lines.push(el.min_grade ? t('tender.elig.grade', { grade: el.min_grade }) : t('tender.elig.grade_any'));
	const years = Number(el.min_years_registered || 0);
	lines.push(years > 0 ? t('tender.elig.years', { n: years }) : t('tender.elig.years_any'));
	const forms = Array.isArray(el.legal_forms) ? el.legal_forms : [];
	lines.push(forms.length ? t('tender.elig.forms', { list: forms.map((f) => label('legal_form', f)).join(t('common.list_sep')) }) : t('tender.elig.forms_any'));
	const cats = Array.isArray(el.categories) ? el.categories : [];
	lines.push(cats.length ? t('tender.elig.categories', { list: cats.map((c) => label('category', c)).join(t('common.list_sep')) }) : t('tender.elig.categories_any'));
	lines.push(t('tender.elig.never_listed'));
	return lines;
}

// Why a bid is invalid at the opening, in words (the refusal codes of a bid, and the seal's).
export function invalidReasonText(code) {
	return has(`bid_reason.${code}`) ? t(`bid_reason.${code}`) : String(code);
}

// ---------------------------------------------------------------- China time in the form

// The deadlines are typed as China time (what the notice shows, UTC+8 all year) whatever the
// browser's zone, and go out as RFC 3339 UTC in whole seconds.
const CN_OFFSET_MS = 8 * 3600 * 1000;

// "2026-04-25T09:00:00Z" -> "2026-04-25T17:00" (for <input type="datetime-local">).
export function toChinaInput(iso) {
	const ms = Date.parse(iso || '');
	if (!Number.isFinite(ms)) return '';
	return new Date(ms + CN_OFFSET_MS).toISOString().slice(0, 16);
}

// "2026-04-25T17:00" -> "2026-04-25T09:00:00Z"; null when it is not a date and time.
export function fromChinaInput(v) {
	const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(v || '').trim());
	if (!m) return null;
	const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] || 0)) - CN_OFFSET_MS;
	if (!Number.isFinite(ms)) return null;
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------- the bidder's receipts

// The daemon has no list of one's own bids: the bids this browser made are remembered here
// (tender -> organization -> bid id), per user, so that the bidder finds them again. Nothing
// sealed is kept, only ids; the receipt itself comes from the daemon (GET …/bids/{id}).
function storeKey(user) {
	return `sanzhi.bids.${user && user.id != null ? user.id : 'anon'}`;
}

function readStore(user) {
	try {
		const v = JSON.parse(localStorage.getItem(storeKey(user)) || '{}');
		return v && typeof v === 'object' ? v : {};
	} catch {
		return {};
	}
}

export function knownBids(user, tenderId) {
	const all = readStore(user);
	const m = all[String(tenderId)];
	return m && typeof m === 'object' ? m : {};
}

export function rememberBid(user, tenderId, uscc, bidId) {
	const all = readStore(user);
	const k = String(tenderId);
	all[k] = { ...(all[k] || {}), [uscc]: bidId };
	try {
		localStorage.setItem(storeKey(user), JSON.stringify(all));
	} catch {
		/* storage disabled: the receipt can still be downloaded */
	}
}

export function forgetBid(user, tenderId, uscc) {
	const all = readStore(user);
	const k = String(tenderId);
	if (all[k]) delete all[k][uscc];
	try {
		localStorage.setItem(storeKey(user), JSON.stringify(all));
	} catch { /* as above */ }
}

// A receipt as a file the bidder keeps: JSON, with what identifies the bid and its digest.
export function receiptFile(tender, receipt, orgName) {
	const doc = {
		receipt: 'sanzhi bid receipt',
		tender_id: receipt.tender_id ?? tender.id,
		tender_title: tender.title,
		bid_id: receipt.id,
		org_uscc: receipt.org_uscc,
		org_name: orgName || undefined,
		status: receipt.status,
		submitted_at: receipt.submitted_at,
		withdrawn_at: receipt.withdrawn_at || undefined,
		sha256: receipt.sha256,
		version: receipt.version,
	};
	return new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: 'application/json' });
}

// ---------------------------------------------------------------- the opening record

export function openingTable(opening) {
	const tbl = dataTable([
		{ key: 'opening.col.bidder', cell: (b) => h('span', {}, b.org_name ? h('a', { href: `#/org/${encodeURIComponent(b.org_uscc)}` }, b.org_name) : '', ' ', mono(b.org_uscc)) },
		{ key: 'opening.col.price', cell: (b) => (b.price_fen == null ? t('opening.no_price') : fmtYuan(b.price_fen)), class: 'num' },
		{
			key: 'opening.col.valid',
			cell: (b) => (b.valid ? badge(t('opening.valid'), 'ok')
				: h('span', {}, badge(t('opening.invalid'), 'danger'), ' ',
					(Array.isArray(b.invalid_reasons) ? b.invalid_reasons : []).map(invalidReasonText).join(t('common.list_sep')))),
		},
		{ key: 'opening.col.abnormally_low', cell: (b) => (b.abnormally_low ? badge(t('opening.abnormally_low'), 'warn') : yesNo(false)) },
		{ key: 'opening.col.sha256', cell: (b) => mono(`${String(b.sha256 || '').slice(0, 16)}…`, b.sha256) },
	], { caption: t('opening.title') });
	tbl.table.dataset.testid = 'opening-record';
	const bids = Array.isArray(opening.bids) ? opening.bids : [];
	tbl.add(bids);
	const valid = opening.valid_bids ?? bids.filter((b) => b.valid).length;
	return h('div', {},
		h('p', {}, t('opening.opened_at', { at: fmtDateTime(opening.opened_at) }), ' ', t('opening.count', { n: bids.length, valid })),
		opening.outcome && has(`opening.outcome.${opening.outcome}`)
			? h('p', { 'data-testid': 'opening-outcome' }, t(`opening.outcome.${opening.outcome}`, { min: opening.min_valid_bids ?? '' })) : null,
		tbl.el,
		opening.abnormally_low_percent ? h('p', { class: 'hint' }, t('opening.abnormal_rule', { p: opening.abnormally_low_percent })) : null,
		opening.record_sha256 ? h('p', { class: 'hint wrap' }, t('opening.record_sha256'), mono(opening.record_sha256)) : null);
}

// ---------------------------------------------------------------- the parts of a tender page

export function section(titleKey, testid, ...body) {
	const id = `sec-${titleKey.replace(/\W/g, '-')}`;
	return h('section', { class: 'card', 'aria-labelledby': id, 'data-testid': testid }, h('h2', { id }, t(titleKey)), body);
}

// A form that files one required text (a challenge, a justification): its title, its hint, the
// fields that come before the text, and send(text, form), which posts it; a refusal is shown in
// the form, a success flashed (doneKey) before onDone.
export function textForm({ className, titleKey, hint, fields = [], textLabel, maxlength, submitKey, send, doneKey, onDone }) {
	const errSlot = h('div');
	const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t(submitKey));
	const form = h('form', { class: className, novalidate: true, 'aria-label': t(titleKey) },
		h('h3', {}, t(titleKey)), h('p', { class: 'hint' }, hint), errSlot, fields,
		field({ name: 'text', label: textLabel, type: 'textarea', rows: 4, required: true, attrs: { maxlength } }),
		h('div', { class: 'actions' }, btn));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(btn, async () => {
			const text = form.elements.namedItem('text').value.trim();
			if (!text) {
				showProblem(errSlot, localProblem([{ field: 'text', message: t('error.required') }]), form);
				return;
			}
			try {
				await send(text, form);
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'error.submit_failed' });
				return;
			}
			flash(t(doneKey));
			onDone();
		});
	});
	return form;
}
