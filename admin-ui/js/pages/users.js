// Admin: users — search (a part of the username, name or email) and filter by role, create,
// edit (name, contact, department, expert), reset a password (the user must choose a new one at
// the next sign-in) and disable / enable. Every change is a PATCH with If-Match.

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post, patch, qs } from '../api.js';
import { field, enumOptions, pageHeader, dataTable, pager, showProblem, localProblem, busy, badge, openDialog, notice, yesNo } from '../ui.js';
import { ROLES } from '../enums.js';

const PASSWORD_MIN = 10;

export function usersPage(view, ctx) {
	const role = ctx.query.get('role') || '';
	const q = ctx.query.get('q') || '';
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

	// ---- search
	const filter = h('form', { class: 'filters-inline', role: 'search', novalidate: true },
		field({ name: 'q', label: 'users.search', value: q, hint: 'users.search_hint', attrs: { type: 'search', maxlength: 64, autocomplete: 'off', spellcheck: 'false' } }),
		field({ name: 'role', label: 'users.filter_role', type: 'select', value: role, options: enumOptions('role', ROLES, { blank: 'common.all' }) }),
		h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')));
	const go = () => ctx.navigate(`#/admin/users${qs({ q: filter.elements.q.value.trim(), role: filter.elements.role.value })}`);
	filter.addEventListener('submit', (ev) => {
		ev.preventDefault();
		go();
	});
	filter.elements.role.addEventListener('change', go);

	const columns = [
		{ key: 'field.username', cell: (u) => h('span', { class: 'mono' }, u.username) },
		{ key: 'field.display_name', cell: (u) => u.display_name },
		{ key: 'field.role', cell: (u) => label('role', u.role) },
		{ key: 'field.department', cell: (u) => u.department || '' },
		{ key: 'field.expert', cell: (u) => (u.role === 'evaluator' ? yesNo(u.expert) : '') },
		{ key: 'field.disabled', cell: statusCell, class: 'col-status' },
		{ key: 'common.actions', cell: (u) => h('span', { class: 'row-actions' }, editButton(u), ' ', passwordButton(u), ' ', toggleButton(u)) },
	];
	const table = dataTable(columns, { caption: t('users.title') });

	function statusCell(u) {
		return [u.disabled ? badge(t('user_status.disabled'), 'muted') : badge(t('user_status.active'), 'ok'),
			u.must_change_password ? [' ', badge(t('user_status.must_change'), 'warn')] : null];
	}

	// Re-renders the row of the button that changed the user, in place, and says what was done.
	function updated(btn, u, data, message) {
		Object.assign(u, data);
		status.replaceChildren(notice(message));
		const one = dataTable(columns);
		one.add([u]);
		const tr = btn.closest('tr');
		if (tr) tr.replaceWith(one.tbody.firstChild);
	}

	function editButton(u) {
		const name = u.display_name || u.username;
		return h('button', {
			type: 'button', class: 'btn btn-small', 'aria-label': `${t('users.edit')} ${u.username}`,
			onclick: async (ev) => {
				const btn = ev.currentTarget;
				const fields = [
					field({ name: 'display_name', required: true, value: u.display_name, attrs: { autocomplete: 'off' } }),
					field({ name: 'phone', type: 'tel', value: u.phone || '', attrs: { autocomplete: 'off' } }),
					field({ name: 'email', type: 'email', value: u.email || '', attrs: { autocomplete: 'off' } }),
					u.role === 'purchaser' ? field({ name: 'department', required: true, value: u.department || '' }) : null,
					u.role === 'evaluator' ? field({ name: 'expert', type: 'checkbox', value: u.expert, hint: 'hint.expert' }) : null,
				];
				const data = await openDialog({
					title: t('users.edit_title', { name: u.username }), confirmLabel: t('common.save'),
					body: [h('p', { class: 'hint' }, t('users.edit_intro'))].concat(fields),
					onConfirm: async (form) => {
						const v = (n) => form.elements.namedItem(n).value.trim();
						const body = {};
						for (const n of ['display_name', 'phone', 'email', 'department']) {
							if (form.elements.namedItem(n) && v(n) !== (u[n] || '')) body[n] = v(n);
						}
						if (form.elements.namedItem('expert') && form.elements.expert.checked !== Boolean(u.expert)) body.expert = form.elements.expert.checked;
						const errors = ['display_name', 'department'].filter((n) => form.elements.namedItem(n) && !v(n))
							.map((n) => ({ field: n, message: t('error.required') }));
						if (errors.length) throw localProblem(errors);
						if (!Object.keys(body).length) throw localProblem([], t('users.no_changes'));
						return (await patch(`/users/${encodeURIComponent(u.id)}`, body, { ifMatch: u.version })).data;
					},
				});
				if (data) updated(btn, u, data, t('users.saved', { name: data.display_name || name }));
			},
		}, t('users.edit'));
	}

	// A password the administrator gives (by phone, in person): good for one sign-in only, at
	// which the user must choose their own (must_change_password). Every session of the user ends.
	// Not one's own: it would end the session it is done from.
	function passwordButton(u) {
		return h('button', {
			type: 'button', class: 'btn btn-small', disabled: ctx.user && ctx.user.id === u.id, 'aria-label': `${t('users.reset_password')} ${u.username}`,
			onclick: async (ev) => {
				const btn = ev.currentTarget;
				const data = await openDialog({
					title: t('users.reset_title', { name: u.username }), confirmLabel: t('users.reset_password'),
					body: [h('p', { class: 'hint' }, t('users.reset_intro')),
						field({ name: 'password', label: 'users.temp_password', type: 'password', required: true, hint: 'signup.password_hint', attrs: { autocomplete: 'new-password' } }),
						field({ name: 'password_confirm', type: 'password', required: true, attrs: { autocomplete: 'new-password' } })],
					onConfirm: async (form) => {
						const pw = form.elements.password.value;
						const errors = [];
						if (!pw) errors.push({ field: 'password', message: t('error.required') });
						else if (pw.length < PASSWORD_MIN) errors.push({ field: 'password', message: t('error.password_short', { n: PASSWORD_MIN }) });
						if (pw !== form.elements.password_confirm.value) errors.push({ field: 'password_confirm', message: t('error.password_mismatch') });
						if (errors.length) throw localProblem(errors);
						return (await patch(`/users/${encodeURIComponent(u.id)}`, { password: pw, must_change_password: true }, { ifMatch: u.version })).data;
					},
				});
				if (data) updated(btn, u, data, t('users.password_reset_done', { name: u.username }));
			},
		}, t('users.reset_password'));
	}

	function toggleButton(u) {
		const name = u.display_name || u.username;
		const self = ctx.user && ctx.user.id === u.id;
		return h('button', {
			type: 'button', class: ['btn', 'btn-small', !u.disabled && 'btn-danger-outline'], disabled: self,
			'aria-label': `${u.disabled ? t('users.enable') : t('users.disable')} ${u.username}`,
			onclick: async (ev) => {
				const btn = ev.currentTarget;
				const data = await openDialog({
					title: u.disabled ? t('users.enable') : t('users.disable'), danger: !u.disabled,
					confirmLabel: u.disabled ? t('users.enable') : t('users.disable'),
					body: [h('p', {}, t(u.disabled ? 'users.enable.confirm' : 'users.disable.confirm', { name }))],
					onConfirm: async () => (await patch(`/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled }, { ifMatch: u.version })).data,
				});
				if (data) updated(btn, u, data, t(data.disabled ? 'users.disabled_done' : 'users.enabled_done', { name }));
			},
		}, u.disabled ? t('users.enable') : t('users.disable'));
	}

	const empty = h('p', { class: 'empty', hidden: true }, t('users.none'));
	const list = pager((cursor) => get(`/users${qs({ q, role, cursor })}`), (items, first) => {
		if (first) table.tbody.replaceChildren();
		table.add(items);
		empty.hidden = true;
	}, { onEmpty: () => { table.tbody.replaceChildren(); empty.hidden = false; } });
	view.append(pageHeader('users.title', null), status, createPanel, filter, table.el, empty, list.el);
	list.reload();
}
