// Tender notices (SPEC §6, Appendix B): the public list (GET /tenders: status, method, q; newest
// first, a keyset page at a time) and a purchaser's own tenders, drafts included (mine=true).

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, qs } from '../api.js';
import { field, enumOptions, pageHeader, dataTable, pager, showProblem, fmtDateTime, fmtYuan } from '../ui.js';
import { TENDER_METHODS, PUBLIC_TENDER_STATUSES, TENDER_STATUSES } from '../enums.js';
import { tenderStatusBadge } from '../tenders.js';

const PAGE = 20;

function tenderTable(caption) {
	const table = dataTable([
		{ key: 'tender.f.title', cell: (x) => h('a', { href: `#/tenders/${encodeURIComponent(x.id)}` }, x.title) },
		{ key: 'tender.f.status', cell: (x) => tenderStatusBadge(x.status) },
		{ key: 'tender.f.method', cell: (x) => label('tender_method', x.method) },
		{ key: 'tender.f.department', cell: (x) => x.department },
		{ key: 'tender.f.budget', cell: (x) => fmtYuan(x.budget_fen), class: 'num' },
		{ key: 'tender.f.bid_deadline', cell: (x) => fmtDateTime(x.bid_deadline), class: 'nowrap' },
	], { caption });
	table.table.dataset.testid = 'tender-list';
	return table;
}

function listPage(view, ctx, { mine }) {
	const keys = ['q', 'status', 'method'];
	const values = Object.fromEntries(keys.map((k) => [k, ctx.query.get(k) || '']));
	const base = mine ? '#/purchase/tenders' : '#/tenders';
	const errSlot = h('div', { class: 'error-slot' });
	const statuses = mine ? TENDER_STATUSES : PUBLIC_TENDER_STATUSES;
	const form = h('form', { class: 'filters', role: 'search', novalidate: true },
		errSlot,
		h('div', { class: 'filters-main' },
			field({ name: 'q', label: 'tender.filter.q', value: values.q, attrs: { type: 'search', maxlength: 50, placeholder: t('tender.filter.q_placeholder') } }),
			h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search'))),
		h('div', { class: 'filters-inline' },
			field({ name: 'status', label: 'tender.f.status', type: 'select', value: values.status, options: enumOptions('tender_status', statuses, { blank: 'common.all' }) }),
			field({ name: 'method', label: 'tender.f.method', type: 'select', value: values.method, options: enumOptions('tender_method', TENDER_METHODS, { blank: 'common.all' }) }),
			h('a', { class: 'btn btn-link', href: base }, t('common.reset'))));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const p = {};
		for (const k of keys) p[k] = form.elements.namedItem(k).value.trim();
		ctx.navigate(`${base}${qs(p)}`);
	});
	const table = tenderTable(t(mine ? 'tenders.mine.title' : 'tenders.title'));
	const empty = h('p', { class: 'empty', hidden: true }, t(mine ? 'tenders.mine.empty' : 'tenders.empty'));
	const list = pager(
		(cursor) => get(`/tenders${qs({ ...values, mine: mine ? 'true' : '', limit: PAGE, cursor })}`),
		(items, first) => {
			if (first) table.tbody.replaceChildren();
			table.add(items);
		},
		{
			onEmpty: () => { empty.hidden = false; },
			onError: (e) => showProblem(errSlot, e, form, { title: 'error.search_failed' }),
		});
	const header = mine
		? pageHeader('tenders.mine.title', 'tenders.mine.intro',
			h('div', { class: 'actions' }, h('a', { class: 'btn btn-primary', href: '#/purchase/tenders/new' }, `+ ${t('tenders.new')}`)))
		: pageHeader('tenders.title', 'tenders.intro');
	view.append(header, form,
		h('section', { class: 'results', 'aria-label': t(mine ? 'tenders.mine.title' : 'tenders.title') }, table.el, empty, list.el));
	list.reload();
}

export function tendersPage(view, ctx) {
	return listPage(view, ctx, { mine: false });
}

export function myTendersPage(view, ctx) {
	return listPage(view, ctx, { mine: true });
}
