// Admin: users — list (filter by role), create, disable / enable (PATCH with If-Match).

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post, patch, qs } from '../api.js';
import { field, enumOptions, pageHeader, dataTable, pager, showProblem, localProblem, busy, badge, openDialog, notice, yesNo } from '../ui.js';
import { ROLES } from '../enums.js';

export function usersPage(view, ctx) {
	const role = ctx.query.get('role') || '';
	const status = h('div', { 'aria-live': 'polite' });

	// ---- create
	const errSlot = h('div', { class: 'error-slot' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('users.create'));
	const roleField = field({ name: 'role', type: 'select', required: true, value: 'registrar', options: enumOptions('role', ROLES) });
	const deptField = field({ name: 'department', hint: 'hint.department' });
	const expertField = field({ name: 'expert', type: 'checkbox', hint: 'hint.expert' });
	const syncRole = () => {
		const r = roleField.querySelector('select').value;
		deptField.hidden = r !== 'purchaser';
		expertField.hidden = r !== 'evaluator';
	};
	roleField.querySelector('select').addEventListener('change', syncRole);
	const form = h('form', { class: 'stack', novalidate: true },
		errSlot,
		h('div', { class: 'grid-2' },
			field({ name: 'username', required: true, attrs: { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' } }),
			field({ name: 'display_name', required: true, attrs: { autocomplete: 'off' } }),
			field({ name: 'password', type: 'password', required: true, hint: 'signup.password_hint', attrs: { autocomplete: 'new-password' } }),
			roleField, deptField, expertField),
		h('div', { class: 'actions' }, submit));
	syncRole();
	const createPanel = h('details', { class: 'card panel' }, h('summary', {}, `+ ${t('users.create')}`), form);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const v = (n) => form.elements.namedItem(n).value.trim();
		const errors = ['username', 'display_name', 'password'].filter((n) => !v(n)).map((n) => ({ field: n, message: t('error.required') }));
		if (errors.length) {
			showProblem(errSlot, localProblem(errors), form);
			return;
		}
		const r = v('role');
		const body = { username: v('username'), password: form.elements.password.value, role: r, display_name: v('display_name') };
		if (r === 'purchaser') body.department = v('department');
		if (r === 'evaluator') body.expert = form.elements.expert.checked;
		await busy(submit, async () => {
			try {
				await post('/users', body);
				showProblem(errSlot, null, form);
				form.reset();
				syncRole();
				createPanel.open = false;
				status.replaceChildren(notice(t('users.created', { name: body.username })));
				list.reload();
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'error.save_failed' });
			}
		});
	});

	// ---- list
	const filter = h('form', { class: 'filters-inline', role: 'search' },
		field({ name: 'role', label: 'users.filter_role', type: 'select', value: role, options: enumOptions('role', ROLES, { blank: 'common.all' }) }));
	filter.querySelector('select').addEventListener('change', (ev) => ctx.navigate(`#/admin/users${qs({ role: ev.target.value })}`));

	const columns = [
		{ key: 'field.username', cell: (u) => h('span', { class: 'mono' }, u.username) },
		{ key: 'field.display_name', cell: (u) => u.display_name },
		{ key: 'field.role', cell: (u) => label('role', u.role) },
		{ key: 'field.department', cell: (u) => u.department || '' },
		{ key: 'field.expert', cell: (u) => (u.role === 'evaluator' ? yesNo(u.expert) : '') },
		{ key: 'field.disabled', cell: (u) => (u.disabled ? badge(t('user_status.disabled'), 'muted') : badge(t('user_status.active'), 'ok')), class: 'col-status' },
		{ key: 'common.actions', cell: (u) => toggleButton(u) },
	];
	const table = dataTable(columns, { caption: t('users.title') });

	function toggleButton(u) {
		const name = u.display_name || u.username;
		const self = ctx.user && ctx.user.id === u.id;
		return h('button', {
			type: 'button', class: ['btn', 'btn-small', !u.disabled && 'btn-danger-outline'], disabled: self,
			'aria-label': `${u.disabled ? t('users.enable') : t('users.disable')} ${u.username}`,
			onclick: async (ev) => {
				const btn = ev.currentTarget;
				const updated = await openDialog({
					title: u.disabled ? t('users.enable') : t('users.disable'), danger: !u.disabled,
					confirmLabel: u.disabled ? t('users.enable') : t('users.disable'),
					body: [h('p', {}, t(u.disabled ? 'users.enable.confirm' : 'users.disable.confirm', { name }))],
					onConfirm: async () => (await patch(`/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled }, { ifMatch: u.version })).data,
				});
				if (!updated) return;
				status.replaceChildren(notice(t(updated.disabled ? 'users.disabled_done' : 'users.enabled_done', { name })));
				Object.assign(u, updated);
				// Re-render that one row in place.
				const one = dataTable(columns);
				one.add([u]);
				btn.closest('tr').replaceWith(one.tbody.firstChild);
			},
		}, u.disabled ? t('users.enable') : t('users.disable'));
	}

	const list = pager((cursor) => get(`/users${qs({ role, cursor })}`), (items, first) => {
		if (first) table.tbody.replaceChildren();
		table.add(items);
	});
	view.append(pageHeader('users.title', null), status, createPanel, filter, table.el, list.el);
	list.reload();
}
