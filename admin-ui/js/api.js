// api.js — the only way the UI talks to the daemon: the public API under /api/v1, with the
// bearer token. Success bodies are {"data": …} (lists add "next_cursor"); failures are RFC 9457
// problem+json and become ApiError with the problem attached.

import { getToken } from './session.js';
import { t, getLang } from './i18n.js';

export const BASE = '/api/v1';

export class ApiError extends Error {
	constructor(status, problem, retryAfter) {
		super(problem.detail || problem.title || `HTTP ${status}`);
		this.name = 'ApiError';
		this.status = status;
		this.problem = problem;
		this.retryAfter = retryAfter || null;
	}
}

let unauthorizedHandler = null;
// Called when a request made with a token answers 401 (expired or revoked session).
export function onUnauthorized(fn) {
	unauthorizedHandler = fn;
}

// Query string from an object, skipping empty values.
export function qs(params) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {})) {
		if (v != null && v !== '') p.set(k, String(v));
	}
	const s = p.toString();
	return s ? `?${s}` : '';
}

// The daemon's clock: every answer carries an HTTP Date (RFC 9110 §6.6.1) from the daemon's one
// clock (the test clock in tests). The UI takes "today" from it, not from the reader's machine,
// whose clock and calendar may be off. The last answer's Date, moved on by the time elapsed since
// it arrived; the browser's clock until an answer has been seen.
let serverClock = null; // {at: ms since the epoch by the daemon, seen: performance.now() then}

function noteDate(res) {
	const v = res.headers.get('Date');
	const at = v ? Date.parse(v) : NaN;
	if (Number.isFinite(at)) serverClock = { at, seen: performance.now() };
}

export function serverNow() {
	if (!serverClock) return new Date();
	return new Date(serverClock.at + Math.max(0, performance.now() - serverClock.seen));
}

async function send(method, path, { body, contentType, ifMatch, headers = {}, auth = true } = {}) {
	const hdrs = { Accept: 'application/json, application/problem+json', 'Accept-Language': getLang() === 'en' ? 'en' : 'zh-CN', ...headers };
	const token = auth ? getToken() : null;
	if (token) hdrs.Authorization = `Bearer ${token}`;
	if (ifMatch != null) hdrs['If-Match'] = `"${ifMatch}"`;
	let payload;
	if (body instanceof Blob) {
		payload = body;
		hdrs['Content-Type'] = contentType || body.type || 'application/octet-stream';
	} else if (body !== undefined) {
		payload = JSON.stringify(body);
		hdrs['Content-Type'] = 'application/json';
	}
	let res;
	try {
		res = await fetch(BASE + path, { method, headers: hdrs, body: payload, cache: 'no-store', credentials: 'omit' });
	} catch {
		throw new ApiError(0, { code: 'network', title: t('error.network'), detail: t('error.network_detail') });
	}
	noteDate(res);
	if (!res.ok) {
		let problem = null;
		const ct = res.headers.get('Content-Type') || '';
		if (ct.includes('json')) {
			try {
				problem = await res.json();
			} catch {
				problem = null;
			}
		}
		if (!problem || typeof problem !== 'object') {
			problem = { status: res.status };
		}
		if (res.status === 401 && token && unauthorizedHandler) unauthorizedHandler();
		throw new ApiError(res.status, problem, res.headers.get('Retry-After'));
	}
	return res;
}

// JSON request. Resolves to {status, data, next_cursor, etag, raw}.
export async function api(method, path, opts = {}) {
	const res = await send(method, path, opts);
	let json = null;
	if (res.status !== 204 && (res.headers.get('Content-Type') || '').includes('json')) {
		try {
			json = await res.json();
		} catch {
			json = null;
		}
	}
	return {
		status: res.status,
		data: json && typeof json === 'object' && 'data' in json ? json.data : json,
		next_cursor: (json && json.next_cursor) || null,
		etag: res.headers.get('ETag'),
		raw: json, // the whole body, for lists that say more than data (unread_count)
	};
}

// Binary download with the Authorization header; resolves to a Blob.
export async function apiBlob(path) {
	const res = await send('GET', path);
	return res.blob();
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body: body === undefined ? {} : body });
export const put = (path, body, opts = {}) => api('PUT', path, { ...opts, body });
export const patch = (path, body, opts = {}) => api('PATCH', path, { ...opts, body });

// A fresh Idempotency-Key (crypto.randomUUID needs a secure context: localhost or HTTPS).
function newIdempotencyKey() {
	if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));
	return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// Keys for the POSTs that create (SPEC §2), one per request body: a retry of the same request
// (after a lost answer, or a second click) reuses it, so the daemon does it once; a different
// body is a different request. Take one per dialog or form: key(body) -> the key to send.
export function idempotencyKeys() {
	let last = null;
	return (body) => {
		const s = JSON.stringify(body);
		if (!last || last.body !== s) last = { body: s, key: newIdempotencyKey() };
		return last.key;
	};
}
