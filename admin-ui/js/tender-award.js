// tender-award.js — after the evaluation (SPEC §6 "Award and after", Appendix B): the purchaser
// awards a ranked bid (a written reason unless rank 1); the award notice is public with the end of
// the challenge period (质疑); a bidder challenges the award, the purchaser answers (upheld: back
// to the evaluation); once the period is over and no challenge open, the contract (amount at most
// the awarded price, term at most a year, three with a reason) completes the tender; its purchaser
// then reviews the supplier's performance, which becomes a credit event of the supplier.

import { h } from './dom.js';
import { t } from './i18n.js';
import { get, post, idempotencyKeys } from './api.js';
import { readYuan, fenToYuan } from './money.js';
import {
	badge, fmtYuan, fmtDateTime, mono, dl, showProblem, localProblem, busy, flash, field, loading, openDialog,
} from './ui.js';
import { section, textForm } from './tenders.js';

const bidderOf = (b, names) => (names && names[b.bid_id]) || b.org_name || b.org_uscc;

// ---------------------------------------------------------------- the award (purchaser)

export function awardForm(x, evaluation, opening, ctx) {
	const enc = encodeURIComponent(x.id);
	const names = Object.fromEntries(((opening && opening.bids) || []).map((b) => [b.bid_id, b.org_name]));
	const ranked = ((evaluation && evaluation.bids) || []).filter((b) => b.valid && b.rank != null);
	const errSlot = h('div');
	const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('award.submit'));
	const options = ranked.map((b) => [String(b.bid_id), t('award.option', { rank: b.rank, name: bidderOf(b, names), total: b.total == null ? '—' : Number(b.total).toFixed(2), price: fmtYuan(b.price_fen) })]);
	const form = h('form', { class: 'award-form', novalidate: true, 'aria-label': t('award.form') },
		h('p', { class: 'hint' }, t('award.intro')), errSlot,
		field({ name: 'bid_id', label: 'award.bid', type: 'select', options, value: options.length ? options[0][0] : '' }),
		field({ name: 'reason', label: 'award.reason', type: 'textarea', rows: 3, hint: 'award.reason_hint', attrs: { maxlength: 2000 } }),
		h('div', { class: 'actions' }, btn));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(btn, async () => {
			const bidId = Number(form.elements.namedItem('bid_id').value);
			const reason = form.elements.namedItem('reason').value.trim();
			const chosen = ranked.find((b) => b.bid_id === bidId);
			if (chosen && chosen.rank !== 1 && !reason) {
				showProblem(errSlot, localProblem([{ field: 'reason', message: t('award.err.reason') }]), form);
				return;
			}
			try {
				await post(`/tenders/${enc}/award`, reason ? { bid_id: bidId, reason } : { bid_id: bidId }, { ifMatch: x.version });
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'award.refused' });
				return;
			}
			flash(t('award.done'));
			ctx.refresh();
		});
	});
	return section('award.form', 'award-form', form);
}

// ---------------------------------------------------------------- the award notice (public)

export function awardNotice(x) {
	const a = x.award;
	return section('award.notice', 'award-notice', dl([
		['award.f.supplier', h('span', {}, h('a', { href: `#/org/${encodeURIComponent(a.org_uscc)}` }, a.org_name || a.org_uscc), ' ', mono(a.org_uscc))],
		['award.f.price', fmtYuan(a.price_fen)],
		['award.f.rank', t('award.rank', { n: a.rank })],
		a.reason ? ['award.f.reason', h('span', { class: 'wrap-text' }, a.reason)] : null,
		['award.f.awarded_at', fmtDateTime(a.awarded_at)],
		x.challenge_until ? ['award.f.challenge_until', h('span', { 'data-testid': 'challenge-until' }, fmtDateTime(x.challenge_until))] : null,
		['award.f.challenges', t('award.challenges_count', { n: x.challenges_count ?? 0 })],
	]));
}

// ---------------------------------------------------------------- challenges

const CHALLENGE_KIND = { open: 'warn', upheld: 'danger', dismissed: 'ok' };

function challengeItem(x, c, canAnswer, names, ctx) {
	const enc = encodeURIComponent(x.id);
	const li = h('li', { class: 'qa challenge', dataset: { challengeId: c.id } },
		h('p', {}, badge(t(`challenge.status.${c.status}`), CHALLENGE_KIND[c.status] || ''), ' ',
			c.overdue ? [badge(t('challenge.overdue'), 'danger'), ' '] : null,
			h('span', { class: 'muted small' }, t('challenge.line', { name: names[c.bid_id] || `#${c.bid_id}`, at: fmtDateTime(c.filed_at), due: fmtDateTime(c.answer_due) }))),
		h('p', { class: 'wrap-text' }, c.text),
		c.answer != null ? h('p', { class: 'qa-a' }, h('strong', {}, t('challenge.answer_label')), ' ', h('span', { class: 'wrap-text' }, c.answer),
			' ', h('time', { class: 'muted small', datetime: c.answered_at }, fmtDateTime(c.answered_at))) : null);
	if (canAnswer && c.status === 'open') {
		const errSlot = h('div');
		const form = h('form', { class: 'challenge-answer', novalidate: true, 'aria-label': t('challenge.answer_form', { id: c.id }) }, errSlot,
			field({ name: 'answer', label: 'challenge.answer', type: 'textarea', rows: 3, required: true, attrs: { maxlength: 10000 } }));
		const send = (upheld) => async () => {
			const answer = form.elements.namedItem('answer').value.trim();
			if (!answer) {
				showProblem(errSlot, localProblem([{ field: 'answer', message: t('error.required') }]), form);
				return;
			}
			if (upheld) {
				const ok = await openDialog({
					title: t('challenge.uphold'), danger: true, confirmLabel: t('challenge.uphold'),
					body: [h('p', {}, t('challenge.uphold_confirm'))], onConfirm: async () => true,
				});
				if (!ok) return;
			}
			try {
				await post(`/tenders/${enc}/challenges/${encodeURIComponent(c.id)}/answer`, { answer, upheld });
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'error.submit_failed' });
				return;
			}
			flash(t(upheld ? 'challenge.upheld_done' : 'challenge.dismissed_done'));
			ctx.refresh();
		};
		const up = h('button', { type: 'button', class: 'btn btn-danger-outline' }, t('challenge.uphold'));
		const dis = h('button', { type: 'button', class: 'btn btn-primary' }, t('challenge.dismiss'));
		up.addEventListener('click', () => busy(up, send(true)));
		dis.addEventListener('click', () => busy(dis, send(false)));
		form.append(h('div', { class: 'actions' }, dis, up));
		li.append(form);
	}
	return li;
}

// The purchaser sees every challenge and answers; a bidder sees its own and files one while the
// period lasts, against the award, for one of its bids that lost.
export async function challengesSection(x, ctx, { owner, myBids }) {
	const enc = encodeURIComponent(x.id);
	const names = Object.fromEntries(((x.opening && x.opening.bids) || []).map((b) => [b.bid_id, b.org_name || b.org_uscc]));
	const box = h('div', {}, loading());
	const sec = section('challenge.title', 'challenges', h('p', { class: 'hint' }, t('challenge.intro')), box);
	let list = [];
	try {
		list = (await get(`/tenders/${enc}/challenges`)).data || [];
	} catch (e) {
		showProblem(box, e, null, { title: 'error.load_failed' });
		return sec;
	}
	const parts = [list.length
		? h('ol', { class: 'qa-list', 'data-testid': 'challenge-list' }, list.map((c) => challengeItem(x, c, owner, names, ctx)))
		: h('p', { class: 'muted' }, t('challenge.none'))];
	const losing = (myBids || []).filter((b) => !x.award || b.bid_id !== x.award.bid_id);
	if (!owner && x.status === 'active.awarded' && losing.length) {
		const keyFor = idempotencyKeys();
		const form = textForm({
			className: 'challenge-form card-inner', titleKey: 'challenge.file_title',
			hint: t('challenge.file_hint', { until: fmtDateTime(x.challenge_until) }),
			fields: field({ name: 'bid_id', label: 'challenge.bid', type: 'select', options: losing.map((b) => [String(b.bid_id), `${b.org_name || b.org_uscc}（${fmtYuan(b.price_fen)}）`]) }),
			textLabel: 'challenge.text', maxlength: 10000, submitKey: 'challenge.file',
			send: (text, f) => {
				const body = { bid_id: Number(f.elements.namedItem('bid_id').value), text };
				return post(`/tenders/${enc}/challenges`, body, { headers: { 'Idempotency-Key': keyFor(body) } });
			},
			doneKey: 'challenge.filed', onDone: () => ctx.refresh(),
		});
		parts.push(form);
	}
	box.replaceChildren(...parts);
	return sec;
}

// ---------------------------------------------------------------- the contract

export function contractForm(x, ctx) {
	const enc = encodeURIComponent(x.id);
	const errSlot = h('div');
	const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('contract.submit'));
	const price = x.award ? x.award.price_fen : null;
	const form = h('form', { class: 'contract-form', novalidate: true, 'aria-label': t('contract.form') },
		h('p', { class: 'hint' }, t('contract.intro')), errSlot,
		field({ name: 'amount_fen', label: 'contract.amount', value: price == null ? '' : fenToYuan(price, { group: true }), required: true, hint: 'contract.amount_hint', attrs: { inputmode: 'decimal', autocomplete: 'off' } }),
		field({ name: 'start', label: 'contract.start', type: 'date', required: true }),
		field({ name: 'end', label: 'contract.end', type: 'date', required: true, hint: 'contract.term_hint' }),
		field({ name: 'reason', label: 'contract.reason', type: 'textarea', rows: 2, hint: 'contract.reason_hint', attrs: { maxlength: 2000 } }),
		h('div', { class: 'actions' }, btn));
	const hint = form.querySelector('[data-field="amount_fen"] .hint');
	if (hint && price != null) hint.textContent = t('contract.amount_hint_n', { price: fmtYuan(price) });
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(btn, async () => {
			const errors = [];
			const amount = readYuan(form.elements.namedItem('amount_fen').value, { required: true });
			if (amount.error) errors.push({ field: 'amount_fen', message: t(amount.error) });
			const start = form.elements.namedItem('start').value;
			const end = form.elements.namedItem('end').value;
			if (!start) errors.push({ field: 'start', message: t('error.required') });
			if (!end) errors.push({ field: 'end', message: t('error.required') });
			if (errors.length) {
				showProblem(errSlot, localProblem(errors), form);
				return;
			}
			const reason = form.elements.namedItem('reason').value.trim();
			const body = { amount_fen: amount.fen, start, end };
			if (reason) body.reason = reason;
			try {
				await post(`/tenders/${enc}/contract`, body, { ifMatch: x.version });
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'contract.refused' });
				return;
			}
			flash(t('contract.done'));
			ctx.refresh();
		});
	});
	return section('contract.form', 'contract-form', form);
}

// The contract, public; its purchaser reviews the supplier's performance (0–100 overall and per
// dimension, a summary), which the supplier's credit record then shows.
// The dimensions' names on the wire are Chinese whatever the reader's language (the credit record shows them).
const DIMENSIONS = [['服务质量', 'quality'], ['履约及时性', 'timeliness'], ['服务对象满意度', 'satisfaction']];

export function contractSection(x, ctx, { owner }) {
	const k = x.contract;
	const parts = [dl([
		['contract.f.id', mono(String(k.id))],
		['award.f.supplier', h('span', {}, h('a', { href: `#/org/${encodeURIComponent(k.org_uscc)}` }, k.org_name || k.org_uscc), ' ', mono(k.org_uscc))],
		['contract.f.amount', fmtYuan(k.amount_fen)],
		['contract.f.term', t('contract.term', { start: k.start, end: k.end })],
		k.reason ? ['contract.f.reason', h('span', { class: 'wrap-text' }, k.reason)] : null,
		k.signed_at ? ['contract.f.signed_at', fmtDateTime(k.signed_at)] : null,
	])];
	if (owner) {
		const keyFor = idempotencyKeys();
		const errSlot = h('div');
		const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('performance.submit'));
		const num = (name, labelKey, extra = {}) => field({ name, label: labelKey, type: 'number', required: true, attrs: { min: 0, max: 100, step: 1, inputmode: 'numeric', class: 'score-input', ...extra } });
		const form = h('form', { class: 'performance-form card-inner', novalidate: true, 'aria-label': t('performance.title') },
			h('h3', {}, t('performance.title')), h('p', { class: 'hint' }, t('performance.intro')), errSlot,
			num('score', 'performance.score'),
			h('fieldset', { class: 'field', dataset: { field: 'dimensions' } }, h('legend', {}, t('performance.dimensions')),
				DIMENSIONS.map(([wire, d]) => {
					const f = num(`dim_${d}`, `performance.dim.${d}`);
					f.dataset.field = `dimensions.${wire}`;
					f.dataset.label = t(`performance.dim.${d}`);
					return f;
				})),
			field({ name: 'summary', label: 'performance.summary', type: 'textarea', rows: 3, required: true, attrs: { maxlength: 4000 } }),
			h('div', { class: 'actions' }, btn));
		const readInt = (name, fieldName, errors) => {
			const v = form.elements.namedItem(name).value.trim();
			if (!/^\d{1,3}$/.test(v) || Number(v) > 100) {
				errors.push({ field: fieldName, message: t('performance.err.score') });
				return null;
			}
			return Number(v);
		};
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			busy(btn, async () => {
				const errors = [];
				const score = readInt('score', 'score', errors);
				const dimensions = {};
				for (const [wire, d] of DIMENSIONS) {
					const v = readInt(`dim_${d}`, `dimensions.${wire}`, errors);
					if (v != null) dimensions[wire] = v;
				}
				const summary = form.elements.namedItem('summary').value.trim();
				if (!summary) errors.push({ field: 'summary', message: t('error.required') });
				if (errors.length) {
					showProblem(errSlot, localProblem(errors), form);
					return;
				}
				const body = { score, dimensions, summary };
				let r;
				try {
					r = await post(`/contracts/${encodeURIComponent(k.id)}/performance`, body, { headers: { 'Idempotency-Key': keyFor(body) } });
				} catch (e) {
					showProblem(errSlot, e, form, { title: 'error.submit_failed' });
					return;
				}
				form.reset();
				errSlot.replaceChildren(h('div', { class: 'flash flash-ok', role: 'status', 'data-testid': 'performance-done' },
					t('performance.done', { score: r.data.score }), ' ',
					h('a', { href: `#/org/${encodeURIComponent(k.org_uscc)}` }, t('performance.see_credit'))));
			});
		});
		parts.push(form);
	}
	return section('contract.title', 'contract', parts);
}
