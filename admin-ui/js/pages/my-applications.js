// An applicant's own applications: GET /applications (the daemon returns only the caller's).

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, qs } from '../api.js';
import { pageHeader, dataTable, pager, statusBadge, fmtDateTime, fmtDate, overdueBadge, regionText } from '../ui.js';

export function myApplicationsPage(view) {
	const table = dataTable([
		{ key: 'field.name', cell: (a) => h('a', { href: `#/applications/${encodeURIComponent(a.id)}` }, a.name || t('app.untitled')) },
		{ key: 'field.kind', cell: (a) => label('kind', a.kind) },
		{ key: 'field.legal_form', cell: (a) => label('legal_form', a.legal_form) },
		{ key: 'field.region_display', cell: (a) => regionText(a.region_name, a.region_code) },
		{ key: 'field.status', cell: (a) => statusBadge(a.status) },
		{ key: 'field.submitted_at', cell: (a) => fmtDateTime(a.submitted_at) },
		{ key: 'field.decision_due', cell: (a) => (a.decision_due ? [fmtDate(a.decision_due), a.overdue ? [' ', overdueBadge()] : null] : '') },
		{ key: 'field.org_uscc', cell: (a) => (a.org_uscc ? h('a', { href: `#/org/${encodeURIComponent(a.org_uscc)}`, class: 'mono' }, a.org_uscc) : '') },
	], { caption: t('apps.title') });
	const empty = h('p', { class: 'empty', hidden: true }, t('apps.empty'));
	const list = pager((cursor) => get(`/applications${qs({ cursor })}`), (items, first) => {
		if (first) table.tbody.replaceChildren();
		table.add(items);
	}, { onEmpty: () => { empty.hidden = false; } });
	view.append(
		pageHeader('apps.title', null, h('div', { class: 'actions' }, h('a', { class: 'btn btn-primary', href: '#/apply/start' }, t('apps.new')))),
		table.el, empty, list.el);
	list.reload();
}
