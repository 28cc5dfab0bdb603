// unread.js — the header's notification bell: how many notifications the signed-in user has not
// read (GET /me/notifications?unread=true answers unread_count).

import { get } from './api.js';
import { t } from './i18n.js';

let bells = [];

function paint(n) {
	bells = bells.filter((b) => b.isConnected);
	for (const b of bells) {
		const c = b.querySelector('.bell-count');
		c.textContent = n ? String(n) : '';
		c.hidden = !n;
		b.setAttribute('aria-label', n ? t('notes.bell_n', { n }) : t('notes.bell'));
		b.dataset.unread = String(n);
	}
}

export async function fetchUnread() {
	const r = await get('/me/notifications?unread=true&limit=1');
	return (r.raw && r.raw.unread_count) || 0;
}

// A bell was just put in the page (or a page knows the count): show it.
export function refreshUnread(n) {
	if (Number.isFinite(n)) {
		paint(n);
		return;
	}
	fetchUnread().then(paint, () => {});
}

export function registerBell(el) {
	bells.push(el);
}
