// Registrar queue (SPEC §4): GET /applications?status=…, sorted by the daemon by decision due
// date; overdue applications are highlighted (colour and a text badge, not colour alone).

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, qs } from '../api.js';
import { pageHeader, dataTable, pager, statusBadge, fmtDateTime, fmtDate, overdueBadge } from '../ui.js';

const TABS = ['submitted', 'supplement_requested', 'accepted', 'approved', 'rejected', 'withdrawn', ''];

export function queuePage(view, ctx) {
	const status = ctx.query.has('status') ? ctx.query.get('status') : 'submitted';
	const tabs = h('nav', { class: 'tabs', 'aria-label': t('queue.filter') }, h('ul', {}, TABS.map((s) => h('li', {},
		h('a', { href: `#/queue${qs({ status: s || 'all' })}`, 'aria-current': (status === s || (s === '' && status === 'all')) ? 'page' : null },
			s ? label('status', s) : t('common.all'))))));
	let overdue = 0;
	const counter = h('p', { class: 'overdue-count', role: 'status', hidden: true });
	const table = dataTable([
		{ key: 'field.name', cell: (a) => h('a', { href: `#/applications/${encodeURIComponent(a.id)}` }, a.name || t('app.untitled')) },
		{ key: 'field.kind', cell: (a) => label('kind', a.kind) },
		{ key: 'field.legal_form', cell: (a) => label('legal_form', a.legal_form) },
		{ key: 'field.category', cell: (a) => label('category', a.category) },
		{ key: 'field.region_code', cell: (a) => a.region_code },
		{ key: 'field.status', cell: (a) => statusBadge(a.status) },
		{ key: 'field.submitted_at', cell: (a) => fmtDateTime(a.submitted_at) },
		{ key: 'field.decision_due', cell: (a) => (a.decision_due ? [fmtDate(a.decision_due), a.overdue ? [' ', overdueBadge()] : null] : (a.overdue ? overdueBadge() : '')) },
	], { caption: t('queue.title'), rowClass: (a) => (a.overdue ? 'row-overdue' : null) });
	const list = pager((cursor) => get(`/applications${qs({ status: status === 'all' ? '' : status, cursor })}`), (items, first) => {
		if (first) {
			table.tbody.replaceChildren();
			overdue = 0;
		}
		table.add(items);
		overdue += items.filter((a) => a.overdue).length;
		counter.hidden = overdue === 0;
		counter.textContent = t('queue.count_overdue', { n: overdue });
	});
	view.append(pageHeader('queue.title', 'queue.intro'), tabs, counter, table.el, list.el);
	list.reload();
}
