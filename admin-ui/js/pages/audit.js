// Admin: the audit log (hash-chained, SPEC §3) with filters and chain verification. Entries are
// shown in words: actions, object types and the keys and values of each summary are labelled in
// the reader's language, times are China time, lists and objects are written out, long values wrap.

import { h } from '../dom.js';
import { t, has, label, fieldLabel } from '../i18n.js';
import { get, qs } from '../api.js';
import {
	field, pageHeader, dataTable, pager, showProblem, busy, notice, mono, fmtDateTime, fmtYuan, fmtBytes, isTimestamp, yesNo, enumOptions,
} from '../ui.js';

const OBJECT_TYPES = ['application', 'org', 'user', 'ip', 'import'];
const ACTIONS = [
	'auth.login', 'auth.logout', 'account.signup', 'account.locked', 'user.create', 'user.update',
	'application.create', 'application.edit', 'application.document_add', 'application.document_delete', 'application.submit',
	'application.withdraw', 'application.request-supplement', 'application.accept', 'application.deem', 'application.approve',
	'application.reject', 'org.establish', 'org.change', 'org.deregister', 'org.import', 'certificate.issue', 'certificate.reissue',
	'annual_report.file', 'annual_report.conclude',
];
const HASHES = ['sha256', 'key_id'];

function keyLabel(k) {
	if (has(`audit_key.${k}`)) return t(`audit_key.${k}`);
	const f = fieldLabel(k);
	return f === k ? k : f;
}

// One value of a summary, by its key (and the entry's action, for "kind").
function valueView(k, v, action) {
	if (v == null) return '—';
	if (typeof v === 'boolean') return yesNo(v);
	if (['from', 'to', 'status'].includes(k)) return label('status', v);
	if (k === 'kind') return label(/document/.test(action) ? 'doc' : 'kind', v);
	if (k === 'role') return label('role', v);
	if (k === 'legal_form') return label('legal_form', v);
	if (k === 'category') return label('category', v);
	if (k === 'conclusion') return label('conclusion', v);
	if (k === 'rule') return label('audit_rule', v);
	if (k === 'window_days') return t('audit.days', { n: v });
	if (k === 'size' && typeof v === 'number') return fmtBytes(v);
	if (/_fen$/.test(k)) return fmtYuan(v);
	if (HASHES.includes(k) && typeof v === 'string') return mono(v.length > 16 ? `${v.slice(0, 12)}…` : v, v);
	if (isTimestamp(v)) return h('time', { datetime: v }, fmtDateTime(v, { seconds: true }));
	// Times the daemon records in its database form are UTC without a zone: "2026-03-11 14:09:41.662630".
	if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(v)) {
		const utc = `${v.replace(' ', 'T').replace(/(\.\d{3})\d*$/, '$1')}Z`;
		return h('time', { datetime: utc }, fmtDateTime(utc, { seconds: true }));
	}
	if (k === 'fields' && Array.isArray(v)) return v.map((f) => fieldLabel(f)).join(t('common.list_sep'));
	if (k === 'items' && Array.isArray(v)) {
		return h('ul', { class: 'summary-list' }, v.map((i) => h('li', {},
			i && typeof i === 'object' ? `${i.field && i.field !== 'other' ? `${fieldLabel(i.field)}${t('common.colon')}` : ''}${i.message ?? ''}` : String(i))));
	}
	if (k === 'changes' && Array.isArray(v)) {
		return h('ul', { class: 'summary-list' }, v.map((c) => h('li', {},
			`${fieldLabel(c.field)}${t('common.colon')}`, valueText(c.field, c.old), ' → ', valueText(c.field, c.new))));
	}
	if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? objectText(x) : String(x))).join(t('common.list_sep'));
	if (typeof v === 'object') return objectText(v);
	return String(v);
}

function valueText(k, v) {
	if (v == null) return '—';
	if (/_fen$/.test(k)) return fmtYuan(v);
	if (typeof v === 'object') return objectText(v);
	return String(v);
}

function objectText(o) {
	return Object.entries(o).map(([k, v]) => `${keyLabel(k)}${t('common.colon')}${typeof v === 'object' && v ? objectText(v) : valueText(k, v)}`).join('；');
}

function summaryView(s, action) {
	if (s == null) return '';
	if (typeof s !== 'object') return String(s);
	const entries = Object.entries(s);
	if (!entries.length) return '';
	return h('dl', { class: 'summary' }, entries.map(([k, v]) => h('div', { class: 'summary-item', dataset: { key: k } },
		h('dt', {}, keyLabel(k)), h('dd', {}, valueView(k, v, action)))));
}

function objectCell(e) {
	const type = e.object_type ? label('audit_object', e.object_type) : '';
	return [type, e.object_id != null && e.object_id !== '' ? h('span', { class: 'muted' }, ` ${e.object_type === 'org' ? '' : '#'}${e.object_id}`) : null];
}

export function auditPage(view, ctx) {
	const objectType = ctx.query.get('object_type') || '';
	const objectId = ctx.query.get('object_id') || '';
	const action = ctx.query.get('action') || '';

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
			showProblem(result, e, null, { title: 'error.action_failed' });
		}
	}));

	const filter = h('form', { class: 'filters-inline', role: 'search', novalidate: true },
		field({ name: 'object_type', type: 'select', value: objectType, options: enumOptions('audit_object', OBJECT_TYPES, { blank: 'audit.all_types' }) }),
		field({ name: 'object_id', value: objectId, attrs: { autocomplete: 'off' } }),
		field({ name: 'action', type: 'select', value: action, options: enumOptions('audit_action', ACTIONS, { blank: 'audit.all_actions' }) }),
		h('button', { type: 'submit', class: 'btn' }, t('audit.filter')),
		h('a', { class: 'btn btn-link', href: '#/admin/audit' }, t('common.reset')));
	filter.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const v = (n) => filter.elements.namedItem(n).value.trim();
		ctx.navigate(`#/admin/audit${qs({ object_type: v('object_type'), object_id: v('object_id'), action: v('action') })}`);
	});

	const table = dataTable([
		{ key: 'field.seq', cell: (e) => String(e.seq), class: 'num' },
		{ key: 'field.at', cell: (e) => h('time', { datetime: e.at }, fmtDateTime(e.at, { seconds: true })) },
		{ key: 'field.actor', cell: (e) => (e.actor ? [String(e.actor), e.role ? h('span', { class: 'muted' }, `（${label('role', e.role)}）`) : null] : t('role.system')) },
		{ key: 'field.action', cell: (e) => h('span', { dataset: { action: e.action } }, label('audit_action', e.action)) },
		{ key: 'field.object_type', cell: objectCell },
		{ key: 'field.summary', cell: (e) => summaryView(e.summary, e.action), class: 'col-summary' },
		{ key: 'field.hash', cell: (e) => (e.hash ? mono(`${e.hash.slice(0, 12)}…`, `${e.hash}\n← ${e.prev_hash || ''}`) : '') },
	], { caption: t('audit.title') });
	const list = pager((cursor) => get(`/audit${qs({ object_type: objectType, object_id: objectId, action, cursor })}`), (items, first) => {
		if (first) table.tbody.replaceChildren();
		table.add(items);
	});
	view.append(pageHeader('audit.title', 'audit.intro'),
		h('section', { class: 'card verify-card' }, h('div', { class: 'actions' }, verify), result),
		filter, h('div', { class: 'audit-table' }, table.el), list.el);
	list.reload();
}
