// A tender notice (SPEC §6, Appendix B), public: status in words, dates in China time, budget in
// yuan, criteria, eligibility in words, the number of bids only (never who or how much before the
// opening), questions and answers (the asker never shown), and after the opening its record.
// Its purchaser edits and publishes the draft, cancels with a reason, answers questions and opens
// the bids at the deadline; a signed-in applicant asks during enquiries and bids (tender-bid.js).

import { h, append } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post, idempotencyKeys, ApiError } from '../api.js';
import {
	dl, loading, showProblem, fmtDateTime, fmtYuan, busy, dataTable, messageArea, openDialog, field, flash, pager, notice,
} from '../ui.js';
import { setNext } from '../session.js';
import { INVITING_METHODS, BIDDING_STATUSES, OPENED_STATUSES } from '../enums.js';
import { tenderStatusBadge, serviceCategoryText, eligibilityLines, openingTable, section } from '../tenders.js';
import { bidSection } from '../tender-bid.js';
import { committeeSection, memberSection, evaluationSection, justifyForm } from '../tender-eval.js';
import { awardForm, awardNotice, challengesSection, contractForm, contractSection } from '../tender-award.js';
import { knownBids } from '../tenders.js';

function noticeRows(x) {
	return dl([
		['tender.f.department', x.department],
		['tender.f.service_category', serviceCategoryText(x.service_category)],
		['tender.f.budget', fmtYuan(x.budget_fen)],
		['tender.f.method', label('tender_method', x.method)],
		['tender.f.evaluation_method', label('eval_method', x.evaluation_method)],
		['tender.f.contract_months', t('tender.months', { n: x.contract_months })],
		INVITING_METHODS.includes(x.method) ? ['tender.f.invited_count', t('tender.invited_count', { n: x.invited_orgs_count ?? 0 })] : null,
		['tender.f.published_at', x.published_at ? fmtDateTime(x.published_at) : t('tender.not_published')],
		['tender.f.enquiry_end', fmtDateTime(x.enquiry_end)],
		['tender.f.bid_deadline', fmtDateTime(x.bid_deadline)],
		x.status !== 'draft' ? ['tender.f.bids_count', h('span', { 'data-testid': 'bids-count' }, t('tender.bids_count', { n: x.bids_count ?? 0 }))] : null,
		x.status === 'cancelled' ? ['tender.f.cancelled_at', fmtDateTime(x.cancelled_at)] : null,
		x.status === 'cancelled' ? ['tender.f.cancel_reason', h('span', { class: 'reason' }, x.cancel_reason || '')] : null,
	]);
}

function criteriaTable(x) {
	const rows = [...(x.criteria || []).map((c) => ({ name: c.name, points: c.max_points })), { name: t('tender.price_points_row'), points: x.price_points }];
	const tbl = dataTable([
		{ key: 'tender.criterion.name', cell: (c) => c.name },
		{ key: 'tender.criterion.points', cell: (c) => t('tender.points', { n: c.points }), class: 'num' },
	], { caption: t('tender.section.criteria') });
	tbl.add(rows);
	const sum = rows.reduce((s, r) => s + Number(r.points || 0), 0);
	return h('div', {}, tbl.el, h('p', { class: 'muted' }, t('tender.total_line', { n: sum }), ' ',
		x.evaluation_method === 'lowest_price' ? t('tender.lowest_price_note') : ''));
}

export async function tenderPage(view, ctx) {
	const id = ctx.params.id;
	const enc = encodeURIComponent(id);
	const slot = h('div', {}, loading());
	view.append(h('p', { class: 'crumbs' }, h('a', { href: ctx.user && ctx.user.role === 'purchaser' ? '#/purchase/tenders' : '#/tenders' },
		`← ${t(ctx.user && ctx.user.role === 'purchaser' ? 'tenders.mine.title' : 'tenders.title')}`)), slot);
	let x;
	try {
		x = (await get(`/tenders/${enc}`)).data;
	} catch (e) {
		showProblem(slot, e, null, { title: 'error.load_failed' });
		return;
	}
	slot.remove();
	document.title = `${x.title} · ${t('app.title')}`;
	const allowed = Array.isArray(x.allowed_actions) ? x.allowed_actions : [];
	const msg = messageArea();
	const role = ctx.user && ctx.user.role;

	// ------------------------------------------------------------ the purchaser's actions
	const actions = h('div', { class: 'actions app-actions', 'data-testid': 'tender-actions' });
	if (allowed.includes('edit')) actions.append(h('a', { class: 'btn', href: `#/purchase/tenders/${enc}/edit` }, t('tender.edit')));
	if (allowed.includes('publish')) {
		actions.append(h('button', {
			type: 'button', class: 'btn btn-primary',
			onclick: async () => {
				const done = await openDialog({
					title: t('tender.publish'), confirmLabel: t('tender.publish'),
					body: [h('p', {}, t('tender.publish_confirm'))],
					onConfirm: async () => {
						try {
							await post(`/tenders/${enc}/publish`, {}, { ifMatch: x.version });
						} catch (e) {
							// Field refusals (deadlines against the clock) are fixed in the form.
							if (e instanceof ApiError && e.status === 422) return e;
							throw e;
						}
						return true;
					},
				});
				if (done instanceof ApiError) {
					msg.problem(done, null, { title: 'tender.publish_failed' });
					msg.el.querySelector('.problem').append(h('p', {}, h('a', { href: `#/purchase/tenders/${enc}/edit` }, t('tender.fix_in_form'))));
				} else if (done) {
					flash(t('tender.published'));
					ctx.refresh();
				}
			},
		}, t('tender.publish')));
	}
	if (allowed.includes('open') || (x.status === 'active.opening' && allowed.includes('cancel'))) {
		actions.append(h('button', {
			type: 'button', class: 'btn btn-primary',
			onclick: async () => {
				const done = await openDialog({
					title: t('tender.open'), confirmLabel: t('tender.open'),
					body: [h('p', {}, t('tender.open_confirm', { n: x.bids_count ?? 0 }))],
					onConfirm: async () => {
						await post(`/tenders/${enc}/open`, {}, { ifMatch: x.version });
						return true;
					},
				});
				if (done) {
					flash(t('tender.opened'));
					ctx.refresh();
				}
			},
		}, t('tender.open')));
	}
	if (allowed.includes('cancel')) {
		actions.append(h('button', {
			type: 'button', class: 'btn btn-danger-outline',
			onclick: async () => {
				const done = await openDialog({
					title: t('tender.cancel'), danger: true, confirmLabel: t('tender.cancel'),
					body: [h('p', {}, t('tender.cancel_confirm')),
						field({ name: 'reason', label: 'tender.f.cancel_reason', type: 'textarea', rows: 4, required: true, hint: 'tender.hint.cancel_reason', attrs: { maxlength: 2000 } })],
					onConfirm: async (form) => {
						const reason = form.elements.namedItem('reason').value.trim();
						if (!reason) {
							const err = new Error(t('verr.required.reason'));
							err.problem = { local: true, errors: [{ field: 'reason', message: t('verr.required.reason') }] };
							throw err;
						}
						await post(`/tenders/${enc}/cancel`, { reason }, { ifMatch: x.version });
						return true;
					},
				});
				if (done) {
					flash(t('tender.cancelled'));
					ctx.refresh();
				}
			},
		}, t('tender.cancel')));
	}

	// ------------------------------------------------------------ the notice
	append(view, [
		h('div', { class: 'page-header' },
			h('div', { class: 'app-title' }, h('h1', { tabindex: '-1', class: 'page-title' }, x.title), tenderStatusBadge(x.status)),
			h('p', { class: 'app-badges' }, t('tender.number', { id: x.id }), ' · ', label('tender_method', x.method))),
		msg.el,
		actions.childElementCount ? actions : null,
		x.status === 'draft' ? notice(t('tender.draft_note'), 'warn') : null,
		section('tender.section.notice', 'tender-notice', noticeRows(x)),
		section('tender.f.description', 'tender-description', h('p', { class: 'wrap-text' }, x.description)),
		section('tender.section.criteria', 'tender-criteria', criteriaTable(x)),
		section('tender.section.eligibility', 'tender-eligibility', h('ul', { class: 'plain bullets' }, eligibilityLines(x.eligibility).map((l) => h('li', {}, l))))]);

	if (OPENED_STATUSES.includes(x.status) || x.status === 'cancelled') {
		const box = h('div', {}, loading());
		const sec = section('opening.title', 'tender-opening', box);
		view.append(sec);
		// The detail carries the record once opened; else it is asked for (a cancelled tender may have none).
		(x.opening ? Promise.resolve({ data: x.opening }) : get(`/tenders/${enc}/opening`)).then((r) => box.replaceChildren(openingTable(r.data)), (e) => {
			if (e instanceof ApiError && (e.status === 404 || e.status === 409) && x.status === 'cancelled') sec.remove();
			else showProblem(box, e, null, { title: 'error.load_failed' });
		});
	} else if (x.status === 'active.opening') {
		view.append(section('opening.title', 'tender-opening', h('p', { class: 'muted' }, t('opening.waiting'))));
	}

	// ------------------------------------------------------------ the evaluation
	// A purchaser's actions are listed for the owner only; once none is left (complete) the
	// department tells (the daemon refuses anyone else in any case).
	const isOwner = role === 'purchaser' && (allowed.length > 0 || (ctx.user.department != null && x.department === ctx.user.department));
	if (role === 'purchaser' && (allowed.includes('committee') || ['active.evaluation', 'active.awarded', 'active.contracting', 'complete'].includes(x.status))) {
		const sec = await committeeSection(x, ctx, allowed.includes('committee'));
		if (sec) view.append(sec);
	}
	if (role === 'evaluator' && x.status !== 'draft') {
		const sec = await memberSection(x, ctx);
		if (sec) view.append(sec);
	}
	let evaluation = null;
	if ((isOwner || role === 'evaluator') && ['active.evaluation', 'active.awarded', 'active.contracting', 'complete'].includes(x.status)) {
		const sec = await evaluationSection(x, x.opening);
		if (sec) view.append(sec);
		evaluation = sec && sec.evaluation;
	}
	// The applicant's bids in the opening record: those of the organizations it acts for.
	const myBids = role === 'applicant' && x.opening ? await bidsOfApplicant(x, ctx) : [];
	if (role === 'applicant' && x.status === 'active.evaluation') {
		for (const b of myBids.filter((o) => o.abnormally_low && o.valid)) view.append(await justificationOfBidder(x, b, ctx));
	}

	// ------------------------------------------------------------ award, challenges, contract
	if (role === 'purchaser' && allowed.includes('award') && evaluation) view.append(awardForm(x, evaluation, x.opening, ctx));
	if (x.award) view.append(awardNotice(x));
	if ((isOwner || myBids.length) && (x.award || x.challenges_count > 0)) {
		const sec = await challengesSection(x, ctx, { owner: isOwner, myBids });
		if (sec) view.append(sec);
	}
	if (role === 'purchaser' && allowed.includes('contract')) view.append(contractForm(x, ctx));
	if (x.contract) view.append(contractSection(x, ctx, { owner: isOwner }));

	if (role === 'applicant' && BIDDING_STATUSES.includes(x.status)) {
		view.append(await bidSection(x, ctx));
	}

	if (x.status !== 'draft') view.append(questionsSection(x, ctx, allowed));
}

async function bidsOfApplicant(x, ctx) {
	const mine = new Set(Object.values(knownBids(ctx.user, x.id)).map(Number));
	try {
		for (const o of (await get('/me/orgs?limit=200')).data || []) mine.add(o.uscc);
	} catch { /* the remembered receipts still count */ }
	return (x.opening.bids || []).filter((o) => mine.has(Number(o.bid_id)) || mine.has(o.org_uscc));
}

async function justificationOfBidder(x, b, ctx) {
	const enc = encodeURIComponent(x.id);
	const box = h('div', {}, loading());
	const sec = section('justification.title', 'bid-justification', h('p', {}, t('justification.owed', { name: b.org_name || b.org_uscc, price: fmtYuan(b.price_fen) })), box);
	try {
		const j = (await get(`/tenders/${enc}/bids/${encodeURIComponent(b.bid_id)}/justification`)).data;
		box.replaceChildren(h('p', { class: 'wrap-text' }, j.text || ''),
			h('p', { 'data-testid': 'justification-state' }, j.accepted == null ? t('justification.waiting')
				: `${t(j.accepted ? 'justification.accepted' : 'justification.rejected')} ${j.decision_reason || ''}`));
	} catch (e) {
		if (e instanceof ApiError && e.status === 404) box.replaceChildren(justifyForm(x, b.bid_id, () => ctx.refresh()));
		else showProblem(box, e, null, { title: 'error.load_failed' });
	}
	return sec;
}

// ---------------------------------------------------------------- questions and answers

function questionsSection(x, ctx, allowed) {
	const enc = encodeURIComponent(x.id);
	const msg = messageArea();
	const list = h('ol', { class: 'qa-list', 'data-testid': 'questions' });
	const empty = h('p', { class: 'empty', hidden: true }, t('qa.empty'));
	const canAnswer = allowed.includes('answer');
	let n = 0;
	const item = (q) => {
		n += 1;
		const li = h('li', { class: 'qa', dataset: { questionId: q.id } },
			h('p', { class: 'qa-q' }, h('strong', {}, t('qa.q_label', { n })), ' ', h('span', { class: 'wrap-text' }, q.question),
				' ', h('time', { class: 'muted small', datetime: q.asked_at }, fmtDateTime(q.asked_at))),
			q.answer != null
				? h('p', { class: 'qa-a' }, h('strong', {}, t('qa.a_label')), ' ', h('span', { class: 'wrap-text' }, q.answer),
					' ', h('time', { class: 'muted small', datetime: q.answered_at }, fmtDateTime(q.answered_at)))
				: h('p', { class: 'qa-a muted' }, t('qa.unanswered')));
		if (canAnswer && q.answer == null) li.append(answerForm(q, n));
		return li;
	};
	const answerForm = (q, num) => {
		const errSlot = h('div');
		const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, t('qa.answer'));
		const f = field({ name: 'answer', label: 'qa.answer_label', type: 'textarea', rows: 3, required: true, attrs: { maxlength: 5000 } });
		f.querySelector('label').textContent = t('qa.answer_label_n', { n: num });
		const form = h('form', { class: 'qa-answer', novalidate: true }, errSlot, f, h('div', { class: 'actions' }, btn));
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			busy(btn, async () => {
				const answer = form.elements.namedItem('answer').value.trim();
				if (!answer) {
					showProblem(errSlot, { problem: { local: true, errors: [{ field: 'answer', message: t('error.required') }] } }, form);
					return;
				}
				try {
					await post(`/tenders/${enc}/questions/${encodeURIComponent(q.id)}/answer`, { answer });
				} catch (e) {
					showProblem(errSlot, e, form, { title: 'error.submit_failed' });
					return;
				}
				flash(t('qa.answered'));
				ctx.refresh();
			});
		});
		return form;
	};
	const more = pager((cursor) => get(`/tenders/${enc}/questions${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`), (items, first) => {
		if (first) {
			list.replaceChildren();
			n = 0;
		}
		for (const q of items) list.append(item(q));
	}, { onEmpty: () => { empty.hidden = false; } });

	const parts = [h('p', { class: 'hint' }, t('qa.intro')), msg.el, list, empty, more.el];
	if (allowed.includes('questions')) {
		const keyFor = idempotencyKeys();
		const errSlot = h('div');
		const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('qa.ask'));
		const form = h('form', { class: 'qa-ask card-inner', novalidate: true, 'aria-label': t('qa.ask_title') },
			h('h3', {}, t('qa.ask_title')), errSlot,
			field({ name: 'question', label: 'qa.question_label', type: 'textarea', rows: 3, required: true, hint: 'qa.anonymous', attrs: { maxlength: 5000 } }),
			h('div', { class: 'actions' }, btn));
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			busy(btn, async () => {
				const question = form.elements.namedItem('question').value.trim();
				if (!question) {
					showProblem(errSlot, { problem: { local: true, errors: [{ field: 'question', message: t('error.required') }] } }, form);
					return;
				}
				const body = { question };
				try {
					await post(`/tenders/${enc}/questions`, body, { headers: { 'Idempotency-Key': keyFor(body) } });
				} catch (e) {
					showProblem(errSlot, e, form, { title: 'error.submit_failed' });
					return;
				}
				flash(t('qa.asked'));
				ctx.refresh();
			});
		});
		parts.push(form);
	} else if (!ctx.user && x.status === 'active.enquiries') {
		parts.push(h('p', { class: 'muted' }, h('a', { href: '#/login', onclick: () => setNext(location.hash) }, t('qa.sign_in_to_ask'))));
	}
	more.reload();
	return section('qa.title', 'tender-qa', parts);
}
