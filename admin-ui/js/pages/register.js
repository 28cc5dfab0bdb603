// Public register search (SPEC §4): GET /orgs?q=&legal_form=&category=&region=&status=&grade=

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, qs } from '../api.js';
import { field, enumOptions, pageHeader, dataTable, pager, mono, statusBadge, showProblem, regionText } from '../ui.js';
import { LEGAL_FORMS, CATEGORIES, GRADES, ORG_STATUSES } from '../enums.js';
import { regionField, regionCodeOf } from '../region-picker.js';

const FILTERS = ['q', 'legal_form', 'category', 'region', 'status', 'grade'];

export function registerPage(view, ctx) {
	const values = Object.fromEntries(FILTERS.map((k) => [k, ctx.query.get(k) || '']));
	const errSlot = h('div', { class: 'error-slot' });
	// Filters beyond the words fold away on a phone, unless one of them is in use.
	const activeCount = FILTERS.filter((k) => k !== 'q' && values[k]).length;
	const moreOpen = activeCount > 0 || window.matchMedia('(min-width: 721px)').matches;
	const form = h('form', { class: 'filters', role: 'search', novalidate: true },
		errSlot,
		h('div', { class: 'filters-main' },
			field({ name: 'q', value: values.q, attrs: { type: 'search', placeholder: t('register.q_placeholder') } }),
			h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search'))),
		h('details', { class: 'filters-details', open: moreOpen, 'data-testid': 'more-filters' },
			h('summary', {}, t('register.more_filters'), activeCount ? ` (${activeCount})` : ''),
			h('div', { class: 'filters-more' },
			field({ name: 'legal_form', type: 'select', value: values.legal_form, options: enumOptions('legal_form', LEGAL_FORMS, { blank: 'common.all' }) }),
			field({ name: 'category', type: 'select', value: values.category, options: enumOptions('category', CATEGORIES, { blank: 'common.all' }) }),
			regionField({ name: 'region', value: values.region }),
			field({ name: 'status', type: 'select', value: values.status, options: enumOptions('org_status', ORG_STATUSES, { blank: 'common.all' }) }),
			field({ name: 'grade', type: 'select', value: values.grade, options: [['', t('common.all')], ...GRADES.map((g) => [g, g])] }),
			h('a', { class: 'btn btn-link', href: '#/register' }, t('common.reset')))));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const p = {};
		for (const k of FILTERS) p[k] = form.elements.namedItem(k).value.trim();
		p.region = regionCodeOf(p.region);
		ctx.navigate(`#/register${qs(p)}`);
	});

	const table = dataTable([
		{ key: 'field.name', cell: (o) => h('a', { href: `#/org/${encodeURIComponent(o.uscc)}` }, o.name) },
		{ key: 'field.uscc', cell: (o) => mono(o.uscc) },
		{ key: 'field.legal_form', cell: (o) => label('legal_form', o.legal_form) },
		{ key: 'field.category', cell: (o) => label('category', o.category) },
		{ key: 'field.region_display', cell: (o) => regionText(o.region_name, o.region_code) },
		{ key: 'field.status', cell: (o) => statusBadge(o.status, 'org_status') },
		{ key: 'field.grade', cell: (o) => o.grade || '' },
	], { caption: t('register.results') });
	const empty = h('p', { class: 'empty', hidden: true }, t('register.no_results'));
	const list = pager(
		(cursor) => get(`/orgs${qs({ ...values, cursor })}`),
		(items, first) => {
			if (first) table.tbody.replaceChildren();
			table.add(items);
			empty.hidden = true;
		},
		{
			onEmpty: () => { empty.hidden = false; },
			// A refused query (e.g. 422 q_too_short) is shown at the top of the form, its field flagged.
			onError: (e) => showProblem(errSlot, e, form, { title: 'error.search_failed' }),
		});

	view.append(pageHeader('register.title', 'register.intro'), form,
		h('section', { class: 'results', 'aria-label': t('register.results') }, table.el, empty, list.el));
	list.reload();
}
