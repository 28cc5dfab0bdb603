// The organizations the signed-in applicant acts for (GET /me/orgs), each linked to its profile,
// where changes, deregistration and annual reports are filed.

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, qs } from '../api.js';
import { pageHeader, dataTable, pager, statusBadge, fmtDate, mono, regionText } from '../ui.js';

export function myOrgsPage(view) {
	const table = dataTable([
		{ key: 'field.name', cell: (o) => h('a', { href: `#/org/${encodeURIComponent(o.uscc)}` }, o.name) },
		{ key: 'field.uscc', cell: (o) => mono(o.uscc) },
		{ key: 'field.legal_form', cell: (o) => label('legal_form', o.legal_form) },
		{ key: 'field.region_display', cell: (o) => regionText(o.region_name, o.region_code) },
		{ key: 'field.legal_representative_name', cell: (o) => o.legal_representative_name },
		{ key: 'field.registered_at', cell: (o) => fmtDate(o.registered_at) },
		{ key: 'field.status', cell: (o) => [statusBadge(o.status, 'org_status'), o.grade ? [' ', o.grade] : null] },
	], { caption: t('myorgs.title') });
	const empty = h('p', { class: 'empty', hidden: true }, t('myorgs.empty'));
	const list = pager((cursor) => get(`/me/orgs${qs({ cursor })}`), (items, first) => {
		if (first) table.tbody.replaceChildren();
		table.add(items);
	}, { onEmpty: () => { empty.hidden = false; } });
	table.el.dataset.testid = 'my-orgs';
	view.append(pageHeader('myorgs.title', 'myorgs.intro'), table.el, empty, list.el);
	list.reload();
}
