// The public credit lists (SPEC §5): 活动异常名录 (GET /credit-lists/abnormal) and 严重违法失信名单
// (GET /credit-lists/serious) — the organizations on each now, oldest listing first, a keyset page
// at a time; each name leads to the organization's page, where the whole record is.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { get, qs } from '../api.js';
import { pageHeader, dataTable, pager, mono } from '../ui.js';
import { CREDIT_LISTS } from '../enums.js';
import { reasonText, ruleText } from '../credit.js';

const PAGE = 20;

export function creditListPage(view, ctx) {
	const list = ctx.params.list;
	if (!CREDIT_LISTS.includes(list)) {
		view.append(pageHeader('credit_lists.title'), h('p', { class: 'empty' }, t('credit_lists.unknown')));
		return;
	}
	document.title = `${t(`credit_lists.${list}.title`)} · ${t('app.title')}`;
	const table = dataTable([
		{
			key: 'field.name',
			cell: (e) => h('a', { href: `#/org/${encodeURIComponent(e.org_uscc)}` }, e.org_name || e.org_uscc),
		},
		{ key: 'field.uscc', cell: (e) => mono(e.org_uscc) },
		{ key: 'credit.col.reason', cell: (e) => reasonText(e.reason) },
		{ key: 'credit.col.listed_on', cell: (e) => e.listed_on, class: 'nowrap' },
		{ key: 'credit.col.basis', cell: (e) => h('span', { class: 'small' }, ruleText(e.rule)) },
	], { caption: t(`credit_lists.${list}.title`) });
	table.table.dataset.testid = 'credit-list';
	const empty = h('p', { class: 'empty', hidden: true }, t(`credit_lists.${list}.empty`));
	const more = pager(
		(cursor) => get(`/credit-lists/${list}${qs({ limit: PAGE, cursor })}`),
		(items, first) => {
			if (first) table.tbody.replaceChildren();
			table.add(items);
		},
		{ onEmpty: () => { empty.hidden = false; } });
	view.append(pageHeader(`credit_lists.${list}.title`, `credit_lists.${list}.intro`),
		h('section', { class: 'results', 'aria-label': t(`credit_lists.${list}.title`) }, table.el, empty, more.el));
	more.reload();
}
