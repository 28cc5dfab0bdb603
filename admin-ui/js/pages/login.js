// Sign-in and applicant sign-up (SPEC §3).

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { post } from '../api.js';
import { setSession, takeNext } from '../session.js';
import { field, pageHeader, showProblem, localProblem, busy, flash } from '../ui.js';

const PASSWORD_MIN = 10;

async function signIn(username, password) {
	const r = await post('/auth/login', { username, password }, { auth: false });
	setSession(r.data);
	return r.data.user;
}

function requiredErrors(form, names) {
	const errors = [];
	for (const n of names) {
		const el = form.elements.namedItem(n);
		if (el && !el.value.trim()) errors.push({ field: n, code: 'required', message: t('error.required') });
	}
	return errors;
}

export function loginPage(view, ctx) {
	if (ctx.user) {
		ctx.navigate(ctx.homeFor(ctx.user));
		return;
	}
	const errSlot = h('div', { class: 'error-slot' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.submit'));
	const form = h('form', { class: 'stack', novalidate: true, 'aria-label': t('login.title') },
		errSlot,
		field({ name: 'username', required: true, attrs: { autocomplete: 'username', autofocus: true, autocapitalize: 'none', spellcheck: 'false' } }),
		field({ name: 'password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } }),
		submit);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const errors = requiredErrors(form, ['username', 'password']);
		if (errors.length) {
			showProblem(errSlot, localProblem(errors), form);
			return;
		}
		await busy(submit, async () => {
			try {
				const user = await signIn(form.elements.username.value.trim(), form.elements.password.value);
				ctx.navigate(takeNext() || ctx.homeFor(user));
			} catch (e) {
				if (e.status === 403 && e.problem && e.problem.code === 'password_change_required') {
					changePassword(view, ctx, form.elements.username.value.trim(), form.elements.password.value);
					return;
				}
				form.elements.password.value = '';
				showProblem(errSlot, e, form, { title: 'error.login_failed' });
			}
		});
	});
	view.append(h('section', { class: 'card narrow' },
		pageHeader('login.title', 'login.intro'),
		form,
		h('p', { class: 'aside' }, h('a', { href: '#/forgot', 'data-testid': 'forgot-link' }, t('login.forgot'))),
		h('p', { class: 'aside' }, t('login.no_account'), ' ', h('a', { href: '#/signup' }, t('login.sign_up_link')))));
}

// An administrator set this account's password: the sign-in page asks for a new one
// (POST /auth/password-change, which signs in).
function changePassword(view, ctx, username, password) {
	const errSlot = h('div', { class: 'error-slot' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.change_submit'));
	const form = h('form', { class: 'stack', novalidate: true, 'aria-label': t('login.change_title') },
		errSlot,
		field({ name: 'new_password', type: 'password', required: true, hint: 'signup.password_hint', attrs: { autocomplete: 'new-password', autofocus: true, minlength: PASSWORD_MIN } }),
		field({ name: 'new_password_confirm', type: 'password', required: true, attrs: { autocomplete: 'new-password' } }),
		submit);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const v = (n) => form.elements.namedItem(n).value;
		const errors = requiredErrors(form, ['new_password', 'new_password_confirm']);
		if (v('new_password') && v('new_password').length < PASSWORD_MIN) {
			errors.push({ field: 'new_password', code: 'too_short', message: t('error.password_short', { n: PASSWORD_MIN }) });
		}
		if (v('new_password_confirm') && v('new_password') !== v('new_password_confirm')) {
			errors.push({ field: 'new_password_confirm', code: 'mismatch', message: t('error.password_mismatch') });
		}
		if (errors.length) {
			showProblem(errSlot, localProblem(errors), form);
			return;
		}
		await busy(submit, async () => {
			try {
				const r = await post('/auth/password-change', { username, password, new_password: v('new_password') }, { auth: false });
				setSession(r.data);
				ctx.navigate(takeNext() || ctx.homeFor(r.data.user));
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'error.login_failed' });
			}
		});
	});
	const card = h('section', { class: 'card narrow', 'data-testid': 'password-change' },
		pageHeader('login.change_title', 'login.change_intro'), form);
	view.replaceChildren(card);
	form.elements.new_password.focus();
}

export function signupPage(view, ctx) {
	if (ctx.user) {
		ctx.navigate(ctx.homeFor(ctx.user));
		return;
	}
	const errSlot = h('div', { class: 'error-slot' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('signup.submit'));
	const form = h('form', { class: 'stack', novalidate: true, 'aria-label': t('signup.title') },
		errSlot,
		field({ name: 'username', required: true, attrs: { autocomplete: 'username', autofocus: true, autocapitalize: 'none', spellcheck: 'false' } }),
		field({ name: 'display_name', required: true, attrs: { autocomplete: 'name' } }),
		field({ name: 'password', type: 'password', required: true, hint: 'signup.password_hint', attrs: { autocomplete: 'new-password', minlength: PASSWORD_MIN } }),
		field({ name: 'password_confirm', type: 'password', required: true, attrs: { autocomplete: 'new-password' } }),
		// The daemon needs one way to reach the applicant: said before the form is sent.
		h('fieldset', { class: 'contact-group', dataset: { field: 'contact' }, 'aria-describedby': 'signup-contact-hint' },
			h('legend', {}, t('signup.contact')),
			h('p', { class: 'hint', id: 'signup-contact-hint', 'data-testid': 'contact-hint' }, t('signup.contact_hint')),
			field({ name: 'phone', type: 'tel', attrs: { autocomplete: 'tel' } }),
			field({ name: 'email', type: 'email', attrs: { autocomplete: 'email' } })),
		submit);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const v = (n) => form.elements.namedItem(n).value;
		const errors = requiredErrors(form, ['username', 'display_name', 'password', 'password_confirm']);
		if (v('password') && v('password').length < PASSWORD_MIN) {
			errors.push({ field: 'password', code: 'too_short', message: t('error.password_short', { n: PASSWORD_MIN }) });
		}
		if (v('password_confirm') && v('password') !== v('password_confirm')) {
			errors.push({ field: 'password_confirm', code: 'mismatch', message: t('error.password_mismatch') });
		}
		if (!v('phone').trim() && !v('email').trim()) {
			errors.push({ field: 'phone', code: 'contact_required', message: t('verr.contact_required') });
		}
		if (errors.length) {
			showProblem(errSlot, localProblem(errors), form);
			return;
		}
		await busy(submit, async () => {
			try {
				const username = v('username').trim();
				await post('/accounts', {
					username, password: v('password'), display_name: v('display_name').trim(),
					phone: v('phone').trim(), email: v('email').trim(),
				}, { auth: false });
				const user = await signIn(username, v('password'));
				flash(t('signup.done'));
				ctx.navigate(takeNext() || ctx.homeFor(user));
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'error.signup_failed' });
			}
		});
	});
	view.append(h('section', { class: 'card narrow' },
		pageHeader('signup.title', 'signup.intro'),
		form,
		h('p', { class: 'aside' }, t('signup.have_account'), ' ', h('a', { href: '#/login' }, t('login.title')))));
}
