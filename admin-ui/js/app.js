// app.js — the shell: top bar, role-based navigation, hash routing and route guards.
// New modules add a line to NAV and ROUTES; nothing else here needs to change.

import { h, append } from './dom.js';
import { t, getLang, setLang, label } from './i18n.js';
import { get, post, onUnauthorized } from './api.js';
import { getToken, getUser, setUser, clearSession, setNext } from './session.js';
import { flash, takeFlash } from './ui.js';
import { loginPage, signupPage } from './pages/login.js';
import { registerPage } from './pages/register.js';
import { orgPage } from './pages/org.js';
import { usccPage } from './pages/uscc.js';
import { myApplicationsPage } from './pages/my-applications.js';
import { applicationFormPage } from './pages/application-form.js';
import { applicationPage } from './pages/application.js';
import { applicationCheckPage, applicationSubmittedPage } from './pages/application-check.js';
import { applyStartPage } from './pages/apply-start.js';
import { getBureau } from './journey.js';
import { queuePage } from './pages/queue.js';
import { usersPage } from './pages/users.js';
import { auditPage } from './pages/audit.js';
import { changePage, deregisterPage } from './pages/org-apply.js';
import { myOrgsPage } from './pages/my-orgs.js';
import { verifyPage } from './pages/verify.js';
import { creditListPage } from './pages/credit-lists.js';
import { tendersPage, myTendersPage } from './pages/tenders.js';
import { tenderFormPage } from './pages/tender-form.js';
import { tenderPage } from './pages/tender.js';
import { evaluatePage } from './pages/evaluate.js';
import { forgotPage, resetPage, notificationsPage } from './pages/account.js';
import { registerBell, refreshUnread } from './unread.js';

// Navigation. roles: null = everyone (also signed out); otherwise the roles that see the entry.
const NAV = [
// active: path prefixes (besides href) under which the entry is the current one.
	{ href: '#/my/applications', key: 'nav.my_applications', roles: ['applicant'], active: ['/applications'] },
	{ href: '#/my/orgs', key: 'nav.my_orgs', roles: ['applicant'] },
	{ href: '#/queue', key: 'nav.queue', roles: ['registrar'], active: ['/applications'] },
	{ href: '#/purchase/tenders', key: 'nav.my_tenders', roles: ['purchaser'] },
	{ href: '#/evaluate', key: 'nav.evaluate', roles: ['evaluator'] },
	{ href: '#/admin/users', key: 'nav.users', roles: ['admin'] },
	{ href: '#/admin/audit', key: 'nav.audit', roles: ['admin'] },
	{ href: '#/tenders', key: 'nav.tenders', roles: null },
	{ href: '#/register', key: 'nav.register', roles: null, active: ['/org'] },
	{ href: '#/uscc', key: 'nav.uscc', roles: null },
	{ href: '#/verify', key: 'nav.verify', roles: null },
	{ href: '#/credit-lists/abnormal', key: 'nav.abnormal', roles: null },
	{ href: '#/credit-lists/serious', key: 'nav.serious', roles: null },
];

// Routes: path pattern (":name" captures a segment), roles (null = public), page(view, ctx).
const ROUTES = [
	{ path: '/login', roles: null, page: loginPage, title: 'login.title' },
	{ path: '/signup', roles: null, page: signupPage, title: 'signup.title' },
	{ path: '/forgot', roles: null, page: forgotPage, title: 'forgot.title' },
	{ path: '/reset', roles: null, page: resetPage, title: 'reset.title' },
	{ path: '/me/notifications', roles: ['applicant', 'registrar', 'admin', 'purchaser', 'evaluator'], page: notificationsPage, title: 'notes.title' },
	{ path: '/register', roles: null, page: registerPage, title: 'nav.register' },
	{ path: '/org/:uscc', roles: null, page: orgPage, title: 'org.title' },
	{ path: '/org/:uscc/change', roles: ['applicant'], page: changePage, title: 'change.title' },
	{ path: '/org/:uscc/deregister', roles: ['applicant'], page: deregisterPage, title: 'dereg.title' },
	{ path: '/uscc', roles: null, page: usccPage, title: 'uscc.title' },
	{ path: '/uscc/:code', roles: null, page: usccPage, title: 'uscc.title' },
	{ path: '/my/applications', roles: ['applicant'], page: myApplicationsPage, title: 'apps.title' },
	{ path: '/my/orgs', roles: ['applicant'], page: myOrgsPage, title: 'myorgs.title' },
	{ path: '/verify', roles: null, page: verifyPage, title: 'verify.title' },
	{ path: '/credit-lists/:list', roles: null, page: creditListPage, title: 'credit_lists.title' },
	{ path: '/apply/start', roles: null, page: applyStartPage, title: 'journey.start.title' },
	{ path: '/applications/new', roles: ['applicant'], page: applicationFormPage, title: 'app.form.new_title' },
	{ path: '/applications/:id/check', roles: ['applicant'], page: applicationCheckPage, title: 'journey.check.title' },
	{ path: '/applications/:id/submitted', roles: ['applicant'], page: applicationSubmittedPage, title: 'journey.done.title' },
	{ path: '/applications/:id/edit', roles: ['applicant'], page: applicationFormPage, title: 'app.form.edit_title' },
	// Admins do not see applications (the daemon refuses them), so neither route nor link leads there.
	{ path: '/applications/:id', roles: ['applicant', 'registrar'], page: applicationPage, title: 'app.heading' },
	{ path: '/queue', roles: ['registrar'], page: queuePage, title: 'queue.title' },
	{ path: '/admin/users', roles: ['admin'], page: usersPage, title: 'users.title' },
	{ path: '/admin/audit', roles: ['admin'], page: auditPage, title: 'audit.title' },
	{ path: '/tenders', roles: null, page: tendersPage, title: 'tenders.title' },
	{ path: '/tenders/:id', roles: null, page: tenderPage, title: 'tender.title' },
	{ path: '/purchase/tenders', roles: ['purchaser'], page: myTendersPage, title: 'tenders.mine.title' },
	{ path: '/evaluate', roles: ['evaluator'], page: evaluatePage, title: 'evaluate.title' },
	{ path: '/purchase/tenders/new', roles: ['purchaser'], page: tenderFormPage, title: 'tender.form.new_title' },
	{ path: '/purchase/tenders/:id/edit', roles: ['purchaser'], page: tenderFormPage, title: 'tender.form.edit_title' },
];

const HOME = { applicant: '#/my/applications', registrar: '#/queue', admin: '#/admin/users', purchaser: '#/purchase/tenders', evaluator: '#/evaluate' };

export function homeFor(user) {
	return (user && HOME[user.role]) || '#/register';
}

export function navigate(hash) {
	if (location.hash === hash) render();
	else location.hash = hash;
}

function match(path) {
	for (const r of ROUTES) {
		const names = [];
		const re = new RegExp(`^${r.path.replace(/:(\w+)/g, (_, n) => {
			names.push(n);
			return '([^/]+)';
		})}$`);
		const m = re.exec(path);
		if (m) {
			const params = {};
			names.forEach((n, i) => {
				params[n] = decodeURIComponent(m[i + 1]);
			});
			return { route: r, params };
		}
	}
	return null;
}

function parseHash() {
	const raw = location.hash.replace(/^#/, '') || '/';
	const q = raw.indexOf('?');
	return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

// ---------------------------------------------------------------- shell

const root = document.getElementById('app');
let navOpen = false;

async function signOut() {
	try {
		await post('/auth/logout');
	} catch {
		/* the token may already be gone; sign out locally all the same */
	}
	clearSession();
	flash(t('app.signed_out'));
	navigate('#/login');
}

function topBar(user, current) {
	const menuBtn = h('button', {
		type: 'button', class: 'btn btn-ghost menu-toggle', 'aria-expanded': String(navOpen), 'aria-controls': 'main-nav',
		onclick: () => {
			navOpen = !navOpen;
			menuBtn.setAttribute('aria-expanded', String(navOpen));
			document.getElementById('main-nav').classList.toggle('open', navOpen);
		},
	}, t('app.menu'));
	const langBtn = h('button', {
		type: 'button', class: 'btn btn-ghost', lang: getLang() === 'zh' ? 'en' : 'zh-CN',
		'aria-label': t('app.lang_toggle_label'), 'data-testid': 'lang-toggle',
		onclick: () => {
			setLang(getLang() === 'zh' ? 'en' : 'zh');
			render();
		},
	}, t('app.lang_toggle'));
	const right = h('div', { class: 'topbar-right' });
	if (user) {
		// The bell (a word: no emoji font is to be relied on) stays in the header on a phone too (the account's other items move to the menu).
		const bell = h('a', { class: 'btn btn-ghost bell', href: '#/me/notifications', 'data-testid': 'bell', 'aria-label': t('notes.bell'), 'aria-current': current === '/me/notifications' ? 'page' : null },
			h('span', { class: 'bell-text', 'aria-hidden': 'true' }, t('notes.bell_short')),
			h('span', { class: 'bell-count', hidden: true, 'aria-hidden': 'true' }));
		registerBell(bell);
		refreshUnread();
		right.append(bell,
			h('span', { class: 'user-chip account-item', 'data-testid': 'current-user' },
				h('span', { class: 'sr-only' }, `${t('app.signed_in_as')}: `),
				h('span', { class: 'user-name' }, user.display_name || user.username),
				h('span', { class: 'user-role' }, label('role', user.role))),
			langBtn,
			h('button', { type: 'button', class: 'btn btn-ghost account-item', onclick: signOut }, t('app.sign_out')));
	} else {
		append(right, [langBtn, accountLinks(current, 'btn btn-ghost account-item')]);
	}
	return h('header', { class: 'topbar' },
		h('a', { class: 'brand', href: homeFor(user) },
			h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '社'),
			h('span', { class: 'brand-text' },
				h('span', { class: 'brand-title' }, t('app.title')),
				h('span', { class: 'brand-sub' }, t('app.subtitle')))),
		menuBtn, right);
}

function accountLinks(current, cls) {
	return [
		current !== '/login' ? h('a', { class: cls, href: '#/login' }, t('app.sign_in')) : null,
		current !== '/signup' ? h('a', { class: cls, href: '#/signup' }, t('app.sign_up')) : null];
}

// On a phone the header is one line (brand, language, menu): who is signed in and the account's
// actions move into the menu (CSS shows one place or the other).
function navAccount(user, path) {
	if (!user) return h('li', { class: 'nav-account' }, accountLinks(path, 'nav-account-link'));
	return h('li', { class: 'nav-account' },
		h('span', { class: 'nav-user' }, h('span', { class: 'sr-only' }, `${t('app.signed_in_as')}: `),
			user.display_name || user.username, ' · ', label('role', user.role)),
		h('button', { type: 'button', class: 'btn btn-small', onclick: signOut }, t('app.sign_out')));
}

function navBar(user, path) {
	const items = NAV.filter((n) => !n.roles || (user && n.roles.includes(user.role)));
	return h('nav', { id: 'main-nav', class: ['mainnav', navOpen && 'open'], 'aria-label': t('app.nav') },
		h('ul', {}, items.map((n) => {
			const active = [n.href.slice(1), ...(n.active || [])].some((p) => path === p || path.startsWith(`${p}/`));
			return h('li', {}, h('a', { href: n.href, 'aria-current': active ? 'page' : null }, t(n.key)));
		}), navAccount(user, path)));
}

function skipLink() {
	return h('a', {
		class: 'skip', href: '#main',
		onclick: (ev) => {
			// A plain #main would change the route; move focus instead.
			ev.preventDefault();
			document.getElementById('main').focus();
		},
	}, t('app.skip'));
}

function messagePage(view, titleKey, detailKey, user) {
	view.append(h('h1', { tabindex: '-1', class: 'page-title' }, t(titleKey)),
		h('p', {}, t(detailKey)),
		h('p', {}, h('a', { href: homeFor(user) }, t('app.home'))));
}

// The footer names the registration authority and how to reach it (configured: GET /bureau).
function footer() {
	const contact = h('p', { class: 'footer-contact', 'data-testid': 'footer-contact' });
	getBureau().then((b) => {
		if (!b) return;
		const parts = [b.name, b.phone && `${t('bureau.phone')} ${b.phone}`, b.address, b.hours].filter(Boolean);
		contact.textContent = parts.join(' · ');
	});
	return h('footer', { class: 'footer' }, h('p', {}, t('app.footer')), contact);
}

let renderSeq = 0;

export function render() {
	renderSeq += 1;
	const { path, query } = parseHash();
	const user = getUser();
	if (path === '/' || path === '') {
		location.replace(homeFor(user));
		return;
	}
	const m = match(path);
	if (m && m.route.roles && !user) {
		setNext(location.hash);
		location.replace('#/login');
		return;
	}
	const view = h('div', { class: 'view' });
	const main = h('main', { id: 'main', tabindex: '-1' }, takeFlash(), view);
	root.replaceChildren(skipLink(), topBar(user, path), navBar(user, path), main, footer());
	navOpen = false;
	let titleKey = 'app.not_found';
	if (!m) {
		messagePage(view, 'app.not_found', 'app.not_found_detail', user);
	} else if (m.route.roles && !m.route.roles.includes(user.role)) {
		titleKey = 'app.forbidden';
		messagePage(view, 'app.forbidden', 'app.forbidden_detail', user);
	} else {
		titleKey = m.route.title;
		const ctx = { params: m.params, query, user, navigate, homeFor, refresh: render };
		Promise.resolve()
			.then(() => m.route.page(view, ctx))
			.catch((e) => {
				console.error(e);
			});
	}
	document.title = `${t(titleKey)} · ${t('app.title')}`;
	// Focus the page: the first autofocus control, else the heading (read out by screen readers).
	const seqAtRender = renderSeq;
	requestAnimationFrame(() => {
		if (seqAtRender !== renderSeq) return;
		const target = view.querySelector('[autofocus]') || view.querySelector('h1');
		if (target) target.focus({ preventScroll: false });
	});
}

onUnauthorized(() => {
	clearSession();
	flash(t('app.session_expired'), 'warn');
	setNext(location.hash);
	navigate('#/login');
});

async function start() {
	if (getToken()) {
		try {
			const r = await get('/me');
			if (r.data) setUser(r.data);
		} catch {
			/* 401 is handled by onUnauthorized; a network error keeps the cached user */
		}
	}
	window.addEventListener('hashchange', render);
	render();
}

start();
