// tender-eval.js — the evaluation of a tender in the UI (SPEC §6 "Evaluation committee",
// Appendix B "Committee and scoring"): the purchaser appoints the committee and replaces recused
// members; each member declares a conflict of interest, then fills a score sheet (one decimal,
// 0..max per criterion, a comment per bid, totals live as they type) and submits it; the chair
// decides abnormally-low justifications; the result is shown once every sheet is in.

import { h } from './dom.js';
import { t } from './i18n.js';
import { get, put, post, ApiError } from './api.js';
import {
	badge, fmtYuan, fmtDateTime, mono, dataTable, showProblem, localProblem, busy, openDialog, flash, field, loading, yesNo, notice,
} from './ui.js';
import { section, textForm } from './tenders.js';

// ---------------------------------------------------------------- points in tenths

// A score as typed: "35.5" -> 355 tenths; '' -> null (not scored); NaN when it is not a number
// with at most one decimal. Whole tenths add up exactly, where 0.1 + 0.2 in floating point does not.
export function parseTenths(text) {
	const s = String(text ?? '').trim();
	if (s === '') return null;
	const m = /^(\d{1,3})(?:[.．](\d)?)?$/.exec(s);
	if (!m) return /^\d+[.．]\d{2,}$/.test(s) ? 'too_many_decimals' : NaN;
	return Number(m[1]) * 10 + Number(m[2] || 0);
}

export function fmtTenths(n) {
	return `${Math.trunc(n / 10)}.${n % 10}`;
}

// ---------------------------------------------------------------- the committee (purchaser)

const memberState = (m) => {
	if (m.recused) return badge(t(`committee.recused.${m.recusal_reason || 'declared_conflict'}`), 'danger');
	if (m.submitted) return badge(t('committee.submitted'), 'ok');
	if (m.declared) return badge(t('committee.declared'), 'info');
	return badge(t('committee.not_declared'), 'muted');
};

function committeeTable(c) {
	const tbl = dataTable([
		{ key: 'committee.col.member', cell: (m) => h('span', {}, m.display_name, ' ', mono(`#${m.user_id}`)) },
		{ key: 'committee.col.expert', cell: (m) => (m.expert ? t('committee.expert') : t('committee.representative')) },
		{ key: 'committee.col.chair', cell: (m) => (m.chair ? badge(t('committee.chair'), 'ok') : '') },
		{ key: 'committee.col.state', cell: memberState },
	], { caption: t('committee.title'), rowClass: (m) => (m.recused ? 'row-recused' : null) });
	tbl.table.dataset.testid = 'committee-members';
	tbl.add(c.members || []);
	return tbl.el;
}

// The editor: one row per member (the evaluator's user number), the chair chosen among them.
// Purchasers cannot list users (admins only), so members are named by the numbers the
// evaluators' administrator gives out; the table above shows who each number is once seated.
function committeeForm(x, c, onSaved) {
	const enc = encodeURIComponent(x.id);
	const errSlot = h('div');
	const rows = h('div', { class: 'member-rows', dataset: { field: 'members', label: t('committee.members') }, role: 'group', 'aria-label': t('committee.members') });
	const chairOf = () => {
		const r = rows.querySelector('input[type=radio]:checked');
		return r ? r.closest('.member-row').querySelector('input[type=text]').value.trim() : '';
	};
	const renumber = () => {
		[...rows.querySelectorAll(':scope > .member-row')].forEach((row, i) => {
			row.dataset.field = `members.${i}`;
			row.dataset.label = t('committee.member_n', { n: i + 1 });
			row.querySelector('label.member-label').textContent = t('committee.member_n', { n: i + 1 });
			row.querySelector('.member-remove').setAttribute('aria-label', t('committee.remove_n', { n: i + 1 }));
			row.querySelector('input[type=radio]').setAttribute('aria-label', t('committee.chair_n', { n: i + 1 }));
		});
	};
	const addRow = (value = '', chair = false) => {
		const id = `m-${Math.random().toString(36).slice(2)}`;
		const row = h('div', { class: 'member-row field' },
			h('label', { class: 'member-label', for: id }),
			h('div', { class: 'member-inputs' },
				h('input', { id, type: 'text', inputmode: 'numeric', value: String(value), autocomplete: 'off', class: 'member-id' }),
				h('label', { class: 'member-chair' }, h('input', { type: 'radio', name: 'chair', checked: chair }), t('committee.chair')),
				h('button', { type: 'button', class: 'btn btn-small member-remove', onclick: () => { row.remove(); renumber(); } }, t('common.remove'))));
		const last = rows.querySelectorAll(':scope > .member-row');
		if (last.length) last[last.length - 1].after(row);
		else rows.prepend(row);
		renumber();
		return row;
	};
	const seated = (c && c.members) || [];
	for (const m of seated) addRow(m.user_id, m.chair);
	if (!seated.length) for (let i = 0; i < 5; i++) addRow('', i === 0);
	const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t(seated.length ? 'committee.save_change' : 'committee.save'));
	const form = h('form', { class: 'committee-form', novalidate: true, 'aria-label': t('committee.form') },
		h('p', { class: 'hint' }, t('committee.rules')),
		h('p', { class: 'hint' }, t('committee.ids_hint')),
		errSlot, rows,
		h('div', { class: 'field', dataset: { field: 'chair', label: t('committee.chair') } }),
		h('div', { class: 'actions' },
			h('button', { type: 'button', class: 'btn', onclick: () => addRow().querySelector('input').focus() }, t('committee.add')), btn));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(btn, async () => {
			const inputs = [...rows.querySelectorAll('input.member-id')];
			const errors = [];
			const members = inputs.map((inp, i) => {
				const v = inp.value.trim();
				if (!/^\d{1,15}$/.test(v)) errors.push({ field: `members.${i}`, message: t('committee.err.id') });
				return Number(v);
			});
			const chairText = chairOf();
			if (!chairText) errors.push({ field: 'chair', message: t('committee.err.chair') });
			if (errors.length) {
				showProblem(errSlot, localProblem(errors), form);
				return;
			}
			let r;
			try {
				r = await put(`/tenders/${enc}/committee`, { members, chair: Number(chairText) });
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'committee.refused' });
				return;
			}
			flash(t('committee.saved'));
			onSaved(r.data);
		});
	});
	return form;
}

export async function committeeSection(x, ctx, canEdit) {
	const enc = encodeURIComponent(x.id);
	const box = h('div', {}, loading());
	const sec = section('committee.title', 'committee', box);
	let c = null;
	try {
		c = (await get(`/tenders/${enc}/committee`)).data;
	} catch (e) {
		if (e instanceof ApiError && e.status === 403) return null; // another purchaser's tender
		if (!(e instanceof ApiError && (e.status === 404 || e.status === 409))) {
			showProblem(box, e, null, { title: 'error.load_failed' });
			return sec;
		}
	}
	const parts = [];
	if (c && c.members && c.members.length) {
		parts.push(committeeTable(c));
		const recused = c.members.filter((m) => m.recused);
		if (recused.length && canEdit) parts.push(notice(t('committee.replace_recused', { names: recused.map((m) => m.display_name).join(t('common.list_sep')) }), 'warn'));
	} else {
		parts.push(h('p', { class: 'muted' }, t('committee.none')));
	}
	if (canEdit) parts.push(committeeForm(x, c, () => ctx.refresh()));
	box.replaceChildren(...parts);
	return sec;
}

// ---------------------------------------------------------------- the member's declaration

function declarationForm(x, onDone) {
	const enc = encodeURIComponent(x.id);
	const errSlot = h('div');
	const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('declaration.submit'));
	const yes = h('input', { type: 'radio', name: 'conflict', value: 'yes', id: 'decl-yes' });
	const no = h('input', { type: 'radio', name: 'conflict', value: 'no', id: 'decl-no' });
	const statement = field({ name: 'statement', label: 'declaration.statement', type: 'textarea', rows: 3, hint: 'declaration.statement_hint', attrs: { maxlength: 2000 } });
	const form = h('form', { class: 'declaration-form', novalidate: true, 'aria-label': t('declaration.title') },
		h('p', {}, t('declaration.intro')), errSlot,
		h('fieldset', { class: 'field', dataset: { field: 'conflict' } },
			h('legend', {}, t('declaration.question')),
			h('div', { class: 'radio-row' }, h('label', { for: 'decl-no' }, no, ' ', t('declaration.no')), h('label', { for: 'decl-yes' }, yes, ' ', t('declaration.yes')))),
		statement,
		h('div', { class: 'actions' }, btn));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(btn, async () => {
			const text = form.elements.namedItem('statement').value.trim();
			const errors = [];
			if (!yes.checked && !no.checked) errors.push({ field: 'conflict', message: t('declaration.err.choose') });
			if (yes.checked && !text) errors.push({ field: 'statement', message: t('declaration.err.statement') });
			if (errors.length) {
				showProblem(errSlot, localProblem(errors), form);
				return;
			}
			const body = text ? { conflict: yes.checked, statement: text } : { conflict: yes.checked };
			let r;
			try {
				r = await post(`/tenders/${enc}/declarations`, body);
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'error.submit_failed' });
				return;
			}
			flash(r.data.recused ? t(`declaration.done_recused.${r.data.reason || 'declared_conflict'}`) : t('declaration.done'), r.data.recused ? 'warn' : 'ok');
			onDone();
		});
	});
	return form;
}

// ---------------------------------------------------------------- the score sheet

// One card per bid (a phone shows them one under the other): a number per criterion, a comment,
// the bid's total live, its own save button; refusals at the inputs they are about.
function bidCard(x, bid, saved, locked, onTotals) {
	const enc = encodeURIComponent(x.id);
	const criteria = x.criteria || [];
	const errSlot = h('div');
	const totalEl = h('output', { class: 'sheet-total', 'data-testid': 'bid-total', 'aria-live': 'polite' });
	const status = h('span', { class: 'sheet-saved muted small' });
	const inputs = {};
	const maxTenths = (c) => Math.round(Number(c.max_points) * 10);
	const read = () => {
		let sum = 0;
		let filled = 0;
		let bad = false;
		for (const c of criteria) {
			const v = parseTenths(inputs[c.id].value);
			if (v === null) continue;
			if (typeof v !== 'number' || Number.isNaN(v) || v > maxTenths(c)) {
				bad = true;
				continue;
			}
			sum += v;
			filled += 1;
		}
		return { sum, filled, bad };
	};
	const refresh = () => {
		const r = read();
		totalEl.textContent = t('sheet.total', { total: fmtTenths(r.sum), max: criteria.reduce((s, c) => s + Number(c.max_points), 0) });
		totalEl.dataset.tenths = String(r.sum);
		card.dataset.complete = String(r.filled === criteria.length && !r.bad);
		onTotals();
	};
	const rows = criteria.map((c) => {
		const id = `s-${bid.bid_id}-${c.id}`;
		const v = saved && saved.scores && saved.scores[c.id] != null ? String(saved.scores[c.id]) : '';
		const inp = h('input', {
			id, type: 'text', inputmode: 'decimal', class: 'score-input', value: v, disabled: locked, autocomplete: 'off',
			'aria-describedby': `${id}-max`, oninput: () => { status.textContent = t('sheet.unsaved'); refresh(); },
		});
		inputs[c.id] = inp;
		return h('div', { class: 'field score-row', dataset: { field: `scores.${c.id}`, label: c.name } },
			h('label', { for: id }, c.name),
			h('div', { class: 'score-line' }, inp, h('span', { id: `${id}-max`, class: 'muted' }, t('sheet.of_max', { max: c.max_points }))));
	});
	const comment = field({ name: 'comment', label: 'sheet.comment', type: 'textarea', rows: 2, value: saved ? saved.comment : '', attrs: { maxlength: 2000, disabled: locked } });
	const btn = h('button', { type: 'submit', class: 'btn btn-primary', disabled: locked }, t('sheet.save'));
	const card = h('form', { class: 'bid-card score-card', novalidate: true, dataset: { bidId: bid.bid_id }, 'aria-label': t('sheet.card', { name: bid.org_name || bid.org_uscc }) },
		h('h3', {}, bid.org_name || bid.org_uscc),
		h('p', { class: 'muted small' }, t('sheet.bid_line', { price: bid.price_fen == null ? '—' : fmtYuan(bid.price_fen), id: bid.bid_id }),
			bid.abnormally_low ? [' ', badge(t('opening.abnormally_low'), 'warn')] : null),
		errSlot, rows, comment,
		h('div', { class: 'sheet-foot' }, totalEl, status),
		locked ? null : h('div', { class: 'actions' }, btn));
	if (saved) status.textContent = t('sheet.saved');
	card.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(btn, async () => {
			const errors = [];
			const scores = {};
			for (const c of criteria) {
				const v = parseTenths(inputs[c.id].value);
				if (v === null) continue; // a criterion left empty is scored later; submission says so
				if (v === 'too_many_decimals') errors.push({ field: `scores.${c.id}`, message: t('verr.too_many_decimals') });
				else if (Number.isNaN(v) || v > maxTenths(c)) errors.push({ field: `scores.${c.id}`, message: t('sheet.err.range', { max: c.max_points }) });
				else scores[c.id] = v / 10;
			}
			const text = card.elements.namedItem('comment').value.trim();
			if (!text) errors.push({ field: 'comment', message: t('sheet.err.comment') });
			if (errors.length) {
				showProblem(errSlot, localProblem(errors), card);
				return;
			}
			try {
				await put(`/tenders/${enc}/scores/${encodeURIComponent(bid.bid_id)}`, { scores, comment: text });
			} catch (e) {
				showProblem(errSlot, e, card, { title: 'sheet.refused' });
				return;
			}
			showProblem(errSlot, null, card);
			status.textContent = t('sheet.saved');
		});
	});
	refresh();
	return card;
}

// The bids a member scores: valid at the opening, less those whose justification was rejected.
async function scorableBids(x, opening, flagged) {
	const enc = encodeURIComponent(x.id);
	const out = [];
	for (const b of (opening && opening.bids) || []) {
		if (!b.valid) continue;
		if (b.abnormally_low) {
			try {
				const j = (await get(`/tenders/${enc}/bids/${encodeURIComponent(b.bid_id)}/justification`)).data;
				b.justification = j;
				flagged.push(b);
				if (j.accepted === false) continue;
			} catch (e) {
				if (!(e instanceof ApiError && e.status === 404)) throw e;
				flagged.push(b);
			}
		}
		out.push(b);
	}
	return out;
}

function justificationBox(x, bid, isChair, onDone) {
	const enc = encodeURIComponent(x.id);
	const j = bid.justification || {};
	const box = h('div', { class: 'justification', 'data-testid': 'justification', dataset: { bidId: bid.bid_id } },
		h('h3', {}, t('justification.of', { name: bid.org_name || bid.org_uscc })),
		j.text ? h('p', { class: 'wrap-text' }, j.text) : h('p', { class: 'muted' }, t('justification.not_filed')));
	if (j.accepted != null) {
		box.append(h('p', {}, badge(t(j.accepted ? 'justification.accepted' : 'justification.rejected'), j.accepted ? 'ok' : 'danger'), ' ', j.decision_reason || ''));
		return box;
	}
	if (!isChair || !j.text) return box;
	const errSlot = h('div');
	const form = h('form', { class: 'justification-decision', novalidate: true, 'aria-label': t('justification.decide') }, errSlot,
		field({ name: 'reason', label: 'justification.reason', type: 'textarea', rows: 2, required: true, attrs: { maxlength: 2000 } }));
	const decide = (accepted) => async () => {
		const reason = form.elements.namedItem('reason').value.trim();
		if (!reason) {
			showProblem(errSlot, localProblem([{ field: 'reason', message: t('verr.required.reason') }]), form);
			return;
		}
		try {
			await post(`/tenders/${enc}/bids/${encodeURIComponent(bid.bid_id)}/justification/decision`, { accepted, reason });
		} catch (e) {
			showProblem(errSlot, e, form, { title: 'error.submit_failed' });
			return;
		}
		flash(t(accepted ? 'justification.accepted' : 'justification.rejected'));
		onDone();
	};
	const acc = h('button', { type: 'button', class: 'btn btn-primary' }, t('justification.accept'));
	const rej = h('button', { type: 'button', class: 'btn btn-danger-outline' }, t('justification.reject'));
	acc.addEventListener('click', () => busy(acc, decide(true)));
	rej.addEventListener('click', () => busy(rej, decide(false)));
	form.append(h('div', { class: 'actions' }, acc, rej));
	box.append(form);
	return box;
}

export async function memberSection(x, ctx) {
	const enc = encodeURIComponent(x.id);
	const box = h('div', {}, loading());
	const sec = section('sheet.title', 'score-sheet', box);
	let c;
	let sheet;
	try {
		c = (await get(`/tenders/${enc}/committee`)).data;
		sheet = (await get(`/tenders/${enc}/scoresheet`)).data;
	} catch (e) {
		// Not on this committee: nothing to show.
		if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return null;
		showProblem(box, e, null, { title: 'error.load_failed' });
		return sec;
	}
	const me = ctx.user.id;
	const isChair = c.chair === me;
	const head = h('p', {}, t(isChair ? 'sheet.you_chair' : 'sheet.you_member'));
	if (x.status !== 'active.evaluation') {
		const before = ['active.enquiries', 'active.tendering', 'active.opening'].includes(x.status);
		box.replaceChildren(head, h('p', { class: 'muted' }, before ? t('sheet.wait_opening')
			: sheet.submitted_at ? t('sheet.submitted_at', { at: fmtDateTime(sheet.submitted_at) }) : t('sheet.closed')));
		return sec;
	}
	if (!sheet.declared) {
		box.replaceChildren(head, declarationForm(x, () => ctx.refresh()));
		return sec;
	}
	if (sheet.recused) {
		box.replaceChildren(head, notice(t('sheet.recused'), 'warn'));
		return sec;
	}
	let bids;
	const flagged = [];
	try {
		bids = await scorableBids(x, x.opening || (await get(`/tenders/${enc}/opening`)).data, flagged);
	} catch (e) {
		showProblem(box, e, null, { title: 'error.load_failed' });
		return sec;
	}
	const locked = Boolean(sheet.submitted_at);
	const savedOf = Object.fromEntries((sheet.bids || []).map((b) => [b.bid_id, b]));
	const summary = h('p', { class: 'sheet-summary', 'data-testid': 'sheet-summary', 'aria-live': 'polite' });
	const cards = [];
	const onTotals = () => {
		const done = cards.filter((k) => k.dataset.complete === 'true').length;
		summary.textContent = t('sheet.progress', { done, n: bids.length });
	};
	for (const b of bids) cards.push(bidCard(x, b, savedOf[b.bid_id], locked, onTotals));
	onTotals();
	const errSlot = h('div');
	const parts = [head];
	for (const b of flagged) parts.push(justificationBox(x, b, isChair, () => ctx.refresh()));
	if (locked) {
		parts.push(notice(t('sheet.submitted_at', { at: fmtDateTime(sheet.submitted_at) })));
	} else {
		parts.push(h('p', { class: 'hint' }, t('sheet.rules')));
	}
	parts.push(summary, h('div', { class: 'score-cards' }, cards), errSlot);
	if (!locked) {
		const submit = h('button', { type: 'button', class: 'btn btn-primary' }, t('sheet.submit'));
		submit.addEventListener('click', async () => {
			const unsaved = cards.filter((k) => k.querySelector('.sheet-saved').textContent === t('sheet.unsaved'));
			const done = await openDialog({
				title: t('sheet.submit'), confirmLabel: t('sheet.submit'),
				body: [h('p', {}, t('sheet.submit_confirm')), unsaved.length ? h('p', { class: 'warn-text' }, t('sheet.unsaved_warning', { n: unsaved.length })) : null],
				onConfirm: async () => {
					try {
						await post(`/tenders/${enc}/scoresheet/submit`, {});
					} catch (e) {
						if (e instanceof ApiError && e.status === 409) return e;
						throw e;
					}
					return true;
				},
			});
			if (done instanceof ApiError) {
				showSubmitRefusal(errSlot, done, cards, bids);
			} else if (done) {
				flash(t('sheet.submitted'));
				ctx.refresh();
			}
		});
		parts.push(h('div', { class: 'actions' }, submit));
	}
	box.replaceChildren(...parts);
	return sec;
}

// sheet_incomplete names what is missing: said above, and at each empty input.
function showSubmitRefusal(slot, err, cards, bids) {
	const p = err.problem || {};
	if (p.code !== 'sheet_incomplete' || !Array.isArray(p.missing)) {
		showProblem(slot, err, null, { title: 'sheet.submit_refused' });
		return;
	}
	const nameOf = (id) => {
		const b = bids.find((x) => x.bid_id === id);
		return b ? b.org_name || b.org_uscc : `#${id}`;
	};
	showProblem(slot, null);
	cards.forEach((k) => k.querySelectorAll('.field-error').forEach((e) => e.remove()));
	const box = h('div', { class: 'problem', role: 'alert', tabindex: '-1', dataset: { code: 'sheet_incomplete' } },
		h('p', { class: 'problem-title' }, t('sheet.submit_refused')),
		h('p', { class: 'problem-detail' }, t('problem.sheet_incomplete')),
		h('ul', { class: 'problem-fields' }, p.missing.map((m) => {
			const card = cards.find((k) => Number(k.dataset.bidId) === m.bid_id);
			const names = (m.criteria || []).map((cid) => {
				const row = card && card.querySelector(`[data-field="scores.${CSS.escape(cid)}"]`);
				if (row) {
					row.classList.add('has-error');
					row.append(h('p', { class: 'field-error' }, t('sheet.err.missing')));
				}
				return row ? row.dataset.label : cid;
			});
			return h('li', { dataset: { errorBid: m.bid_id } }, t('sheet.missing_line', { name: nameOf(m.bid_id), list: names.join(t('common.list_sep')) }));
		})));
	slot.replaceChildren(box);
	box.focus({ preventScroll: true });
	box.scrollIntoView({ block: 'nearest' });
}

// ---------------------------------------------------------------- the result

const fmtScore = (v) => (v == null ? '—' : Number(v).toFixed(2));

export async function evaluationSection(x, opening) {
	const enc = encodeURIComponent(x.id);
	const box = h('div', {}, loading());
	const sec = section('evaluation.title', 'evaluation', box);
	let r;
	try {
		r = (await get(`/tenders/${enc}/evaluation`)).data;
	} catch (e) {
		if (e instanceof ApiError && e.status === 409) {
			const p = e.problem || {};
			box.replaceChildren(h('p', { class: 'muted', 'data-testid': 'evaluation-pending' },
				p.reason === 'justification_pending' ? t('evaluation.pending_justification')
					: p.pending > 0 ? t('evaluation.pending_sheets', { n: p.pending }) : t('evaluation.pending')));
			return sec;
		}
		if (e instanceof ApiError && e.status === 403) return null;
		showProblem(box, e, null, { title: 'error.load_failed' });
		return sec;
	}
	const names = Object.fromEntries(((opening && opening.bids) || []).map((b) => [b.bid_id, b.org_name]));
	const tbl = dataTable([
		{ key: 'evaluation.col.rank', cell: (b) => (b.rank == null ? '—' : String(b.rank)), class: 'num' },
		{ key: 'evaluation.col.bidder', cell: (b) => h('span', {}, names[b.bid_id] || '', ' ', mono(b.org_uscc)) },
		{ key: 'evaluation.col.price', cell: (b) => (b.price_fen == null ? '—' : fmtYuan(b.price_fen)), class: 'num' },
		{ key: 'evaluation.col.criteria', cell: (b) => fmtScore(b.criteria_score), class: 'num' },
		{ key: 'evaluation.col.price_score', cell: (b) => fmtScore(b.price_score), class: 'num' },
		{ key: 'evaluation.col.total', cell: (b) => h('strong', {}, fmtScore(b.total)), class: 'num' },
		{ key: 'evaluation.col.valid', cell: (b) => (b.valid ? badge(t('opening.valid'), 'ok') : badge(t('opening.invalid'), 'danger')) },
	], { caption: t('evaluation.title') });
	tbl.table.dataset.testid = 'evaluation-table';
	tbl.add(r.bids || []);
	// Only nodes: the DOM's replaceChildren would write a null as the word "null".
	box.replaceChildren(...[
		h('p', {}, t('evaluation.completed', { at: r.completed_at ? fmtDateTime(r.completed_at) : '—', n: r.members })),
		h('p', { 'data-testid': 'evaluation-trimmed' }, t('evaluation.trimmed'), yesNo(r.trimmed), ' ', r.trimmed ? t('evaluation.trimmed_note') : ''),
		tbl.el,
		r.report_sha256 ? h('p', { class: 'hint wrap' }, t('evaluation.report_sha256'), mono(r.report_sha256)) : null].filter(Boolean));
	sec.evaluation = r;
	return sec;
}

// ---------------------------------------------------------------- the bidder's justification

export function justifyForm(x, bidId, onDone) {
	const enc = encodeURIComponent(x.id);
	return textForm({
		className: 'justify-form', titleKey: 'justification.file_title', hint: t('justification.file_hint'),
		textLabel: 'justification.text', maxlength: 5000, submitKey: 'justification.file',
		send: (text) => post(`/tenders/${enc}/bids/${encodeURIComponent(bidId)}/justification`, { text }),
		doneKey: 'justification.filed', onDone,
	});
}
