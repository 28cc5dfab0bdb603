// Forgotten password (ask for a reset mail, then set a new password with the mailed token) and
// the signed-in user's notifications (SPEC Appendix C).

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { get, post, ApiError } from '../api.js';
import { field, pageHeader, localProblem, busy, messageArea, fmtDateTime, badge, pager } from '../ui.js';
import { refreshUnread } from '../unread.js';

const PASSWORD_MIN = 10;

export function forgotPage(view) {
	const messages = messageArea();
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('forgot.submit'));
	const form = h('form', { class: 'stack', novalidate: true, 'aria-label': t('forgot.title') },
		field({ name: 'login', label: 'forgot.login', required: true, attrs: { autocomplete: 'username', autofocus: true, autocapitalize: 'none', spellcheck: 'false' } }),
		submit);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const login = form.elements.login.value.trim();
		if (!login) {
			messages.problem(localProblem([{ field: 'login', code: 'required', message: t('error.required') }]), form);
			return;
		}
		await busy(submit, async () => {
			try {
				await post('/auth/password-reset', { login }, { auth: false });
				messages.clear(form);
				messages.ok(t('forgot.sent'));
			} catch (e) {
				messages.problem(e, form, { title: 'forgot.failed' });
			}
		});
	});
	view.append(h('section', { class: 'card narrow' },
		pageHeader('forgot.title', 'forgot.intro'),
		messages.el, form,
		h('p', { class: 'aside' }, h('a', { href: '#/reset' }, t('forgot.have_token')), ' · ', h('a', { href: '#/login' }, t('reset.sign_in')))));
}

// The token's refusals, in words at the token field.
const TOKEN_CODES = { reset_token_used: 'reset.token_used', reset_token_expired: 'reset.token_expired', invalid_reset_token: 'reset.token_invalid' };

export function resetPage(view, ctx) {
	const messages = messageArea();
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('reset.submit'));
	const form = h('form', { class: 'stack', novalidate: true, 'aria-label': t('reset.title') },
		field({ name: 'token', label: 'reset.token', required: true, hint: 'reset.token_hint', value: ctx.query.get('token') || '', attrs: { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', autofocus: !ctx.query.get('token') } }),
		field({ name: 'password', label: 'reset.password', type: 'password', required: true, hint: 'signup.password_hint', attrs: { autocomplete: 'new-password', autofocus: Boolean(ctx.query.get('token')) } }),
		field({ name: 'password_confirm', type: 'password', required: true, attrs: { autocomplete: 'new-password' } }),
		submit);
	const card = h('section', { class: 'card narrow' }, pageHeader('reset.title', 'reset.intro'), messages.el, form,
		h('p', { class: 'aside' }, h('a', { href: '#/forgot' }, t('reset.ask_again'))));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const v = (n) => form.elements.namedItem(n).value;
		const errors = [];
		if (!v('token').trim()) errors.push({ field: 'token', code: 'required', message: t('error.required') });
		if (!v('password')) errors.push({ field: 'password', code: 'required', message: t('error.required') });
		else if (v('password').length < PASSWORD_MIN) errors.push({ field: 'password', code: 'too_short', message: t('error.password_short', { n: PASSWORD_MIN }) });
		if (v('password') !== v('password_confirm')) errors.push({ field: 'password_confirm', code: 'mismatch', message: t('error.password_mismatch') });
		if (errors.length) {
			messages.problem(localProblem(errors), form);
			return;
		}
		await busy(submit, async () => {
			try {
				await post('/auth/password-reset/confirm', { token: v('token').trim(), password: v('password') }, { auth: false });
				form.remove();
				messages.ok(t('reset.done'));
				card.append(h('p', {}, h('a', { class: 'btn btn-primary', href: '#/login', 'data-testid': 'reset-sign-in' }, t('reset.sign_in'))));
			} catch (e) {
				const key = e instanceof ApiError && TOKEN_CODES[e.problem.code];
				if (key) {
					const text = t(key);
					messages.problem(localProblem([{ field: 'token', code: e.problem.code, message: text }], text), form, { title: 'reset.failed' });
				} else {
					messages.problem(e, form, { title: 'reset.failed' });
				}
			}
		});
	});
	view.append(card);
}

export function notificationsPage(view) {
	const messages = messageArea();
	const list = h('ul', { class: 'notifications', 'data-testid': 'notifications' });
	const count = h('p', { class: 'muted', role: 'status', 'data-testid': 'unread-count' });
	const allBtn = h('button', { type: 'button', class: 'btn', hidden: true }, t('notes.read_all'));
	const setCount = (n) => {
		count.textContent = n ? t('notes.unread_n', { n }) : t('notes.none_unread');
		allBtn.hidden = !n;
		refreshUnread(n);
	};
	let unread = 0;
	const row = (n) => {
		const li = h('li', { class: ['note', !n.read && 'note-unread'], dataset: { id: String(n.id), read: String(Boolean(n.read)) } });
		const fill = () => {
			const btn = n.read ? null : h('button', { type: 'button', class: 'btn btn-small' }, t('notes.read_one'));
			li.className = ['note', !n.read && 'note-unread'].filter(Boolean).join(' ');
			li.dataset.read = String(Boolean(n.read));
			li.replaceChildren(
				h('div', { class: 'note-head' },
					n.read ? null : badge(t('notes.unread'), 'info'),
					h('strong', { class: 'note-subject' }, n.subject),
					h('time', { datetime: n.created_at, class: 'muted' }, fmtDateTime(n.created_at))),
				h('p', { class: 'note-body' }, n.body),
				btn);
			if (btn) {
				btn.addEventListener('click', () => busy(btn, async () => {
					try {
						await post(`/me/notifications/${n.id}/read`);
						n.read = true;
						unread = Math.max(0, unread - 1);
						setCount(unread);
						fill();
						messages.ok(t('notes.marked_one'));
					} catch (e) {
						messages.problem(e);
					}
				}));
			}
		};
		fill();
		return li;
	};
	// The first page carries unread_count (the bell's number too).
	const p = pager(async (cursor) => {
		const r = await get(`/me/notifications${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
		if (!cursor && r.raw && Number.isFinite(r.raw.unread_count)) {
			unread = r.raw.unread_count;
			setCount(unread);
		}
		return r;
	}, (rows, first) => {
		if (first) list.replaceChildren();
		for (const n of rows) list.append(row(n));
	}, { onEmpty: () => list.replaceChildren(h('li', { class: 'muted' }, t('notes.empty'))) });
	allBtn.addEventListener('click', () => busy(allBtn, async () => {
		try {
			await post('/me/notifications/read');
			// The list again (its first page sets the count), so the count never runs ahead of it.
			await p.reload();
			messages.ok(t('notes.marked_all'));
		} catch (e) {
			messages.problem(e);
		}
	}));
	view.append(pageHeader('notes.title', 'notes.intro'), messages.el,
		h('div', { class: 'toolbar' }, count, allBtn), list, p.el);
	return p.reload();
}
