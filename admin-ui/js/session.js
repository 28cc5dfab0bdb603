// session.js — the signed-in user and bearer token, kept in sessionStorage (per browser tab,
// gone when the tab closes). Nothing secret goes to localStorage.

const TOKEN = 'sanzhi.token';
const USER = 'sanzhi.user';
const EXPIRES = 'sanzhi.expires_at';
const NEXT = 'sanzhi.next';

function get(k) {
	try {
		return sessionStorage.getItem(k);
	} catch {
		return null;
	}
}

function set(k, v) {
	try {
		if (v == null) sessionStorage.removeItem(k);
		else sessionStorage.setItem(k, v);
	} catch {
		/* storage disabled: the session lasts for this page only */
	}
}

// expires_at is kept for information only: the browser's clock may differ from the daemon's,
// so an expired token is found out by the daemon's 401 (api.js), not by comparing clocks here.
export function getToken() {
	return get(TOKEN);
}

export function getUser() {
	if (!getToken()) return null;
	try {
		return JSON.parse(get(USER) || 'null');
	} catch {
		return null;
	}
}

export function setSession({ token, expires_at, user }) {
	set(TOKEN, token);
	set(EXPIRES, expires_at || null);
	set(USER, JSON.stringify(user));
}

export function setUser(user) {
	set(USER, JSON.stringify(user));
}

export function clearSession() {
	set(TOKEN, null);
	set(USER, null);
	set(EXPIRES, null);
}

// Where to go after signing in (the page that asked for it).
export function setNext(hash) {
	set(NEXT, hash);
}

export function takeNext() {
	const n = get(NEXT);
	set(NEXT, null);
	return n;
}
