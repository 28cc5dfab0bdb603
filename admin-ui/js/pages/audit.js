// Admin: the audit log (hash-chained, SPEC §3) with filters and chain verification.

import { h } from '../dom.js';
import { t, has, label } from '../i18n.js';
import { get, qs } from '../api.js';
import { field, pageHeader, dataTable, pager, showProblem, busy, notice, mono, fmtDateTime } from '../ui.js';

// A compact "key: value" rendering of the summary object; long values are cut (the full JSON
// is in the tooltip).
function summaryView(s) {
	if (s == null) return '';
	if (typeof s !== 'object') return String(s);
	const cut = (v) => {
		const text = typeof v === 'string' ? v : JSON.stringify(v);
		return text.length > 40 ? `${text.slice(0, 16)}…` : text;
	};
	return h('span', { class: 'summary', title: JSON.stringify(s, null, 1) },
		Object.entries(s).map(([k, v]) => h('span', { class: 'summary-item' }, h('span', { class: 'muted' }, `${k}: `), cut(v))));
}

export function auditPage(view, ctx) {
	const objectType = ctx.query.get('object_type') || '';
	const objectId = ctx.query.get('object_id') || '';

	const result = h('div', { 'aria-live': 'polite', 'data-testid': 'audit-verify-result' });
	const verify = h('button', { type: 'button', class: 'btn btn-primary' }, t('audit.verify'));
	verify.addEventListener('click', () => busy(verify, async () => {
		result.replaceChildren();
		try {
			const d = (await get('/audit/verify')).data || {};
			result.append(d.valid
				? notice(t('audit.valid', { n: d.entries ?? '?' }), 'ok')
				: notice(t('audit.invalid', { seq: d.first_bad_seq ?? '?', reason: d.reason || '' }), 'danger'));
		} catch (e) {
			showProblem(result, e);
		}
	}));

	const filter = h('form', { class: 'filters-inline', role: 'search', novalidate: true },
		field({ name: 'object_type', value: objectType, attrs: { placeholder: 'application', autocomplete: 'off' } }),
		field({ name: 'object_id', value: objectId, attrs: { autocomplete: 'off' } }),
		h('button', { type: 'submit', class: 'btn' }, t('audit.filter')),
		h('a', { class: 'btn btn-link', href: '#/admin/audit' }, t('common.reset')));
	filter.addEventListener('submit', (ev) => {
		ev.preventDefault();
		ctx.navigate(`#/admin/audit${qs({ object_type: filter.elements.object_type.value.trim(), object_id: filter.elements.object_id.value.trim() })}`);
	});

	const table = dataTable([
		{ key: 'field.seq', cell: (e) => String(e.seq), class: 'num' },
		{ key: 'field.at', cell: (e) => h('time', { datetime: e.at }, fmtDateTime(e.at)) },
		{ key: 'field.actor', cell: (e) => [String(e.actor ?? ''), e.role ? h('span', { class: 'muted' }, `（${label('role', e.role)}）`) : null] },
		{ key: 'field.action', cell: (e) => [label('audit_action', e.action), has(`audit_action.${e.action}`) ? h('div', {}, mono(e.action)) : null] },
		{ key: 'field.object_type', cell: (e) => [e.object_type || '', e.object_id != null ? h('span', { class: 'muted' }, ` #${e.object_id}`) : null] },
		{ key: 'field.summary', cell: (e) => summaryView(e.summary) },
		{ key: 'field.hash', cell: (e) => (e.hash ? mono(`${e.hash.slice(0, 12)}…`, `hash ${e.hash}\nprev ${e.prev_hash || ''}`) : '') },
	], { caption: t('audit.title') });
	const list = pager((cursor) => get(`/audit${qs({ object_type: objectType, object_id: objectId, cursor })}`), (items, first) => {
		if (first) table.tbody.replaceChildren();
		table.add(items);
	});
	view.append(pageHeader('audit.title', 'audit.intro'),
		h('section', { class: 'card verify-card' }, h('div', { class: 'actions' }, verify), result),
		filter, table.el, list.el);
	list.reload();
}
