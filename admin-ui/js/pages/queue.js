// Registrar queue (SPEC §4): opens on all work pending a decision — submitted (to accept or to ask
// for supplements), supplement requested (waiting for the applicant) and accepted (to decide) —
// sorted by what falls due first, overdue highlighted (colour and a text badge, not colour alone),
// with a count on each tab. GET /applications?status= takes a comma-separated list, so the pending
// work is one list, read in full (a county's queue is short) so that it can be counted and sorted
// across statuses; the finished statuses page through the daemon's list as they are.

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, qs } from '../api.js';
import { pageHeader, dataTable, pager, statusBadge, fmtDateTime, fmtDate, overdueBadge, showProblem, loading, regionText } from '../ui.js';
import { PENDING_STATUSES } from '../enums.js';

const PENDING_TABS = ['pending', ...PENDING_STATUSES, 'overdue'];
const DONE_TABS = ['approved', 'rejected', 'withdrawn', 'all'];
const PAGE = 200;
const MAX_PAGES = 10;

// What falls due for the registrar: the decision of an accepted application; for a submitted one
// the end of the supplement window (after it, it counts as accepted). Waiting on the applicant: last.
function dueOf(a) {
	if (a.status === 'accepted') return a.decision_due || '9999-12-31';
	if (a.status === 'submitted') return a.supplement_window_ends || '9999-12-31';
	return '9999-12-31~';
}

function byDue(x, y) {
	if (x.overdue !== y.overdue) return x.overdue ? -1 : 1;
	const dx = dueOf(x);
	const dy = dueOf(y);
	if (dx !== dy) return dx < dy ? -1 : 1;
	return Number(x.id) - Number(y.id);
}

async function loadPending() {
	const all = [];
	let cursor = null;
	for (let i = 0; i < MAX_PAGES; i++) {
		const r = await get(`/applications${qs({ status: PENDING_STATUSES.join(','), limit: PAGE, cursor })}`);
		all.push(...(r.data || []));
		cursor = r.next_cursor;
		if (!cursor) return { items: all, truncated: false };
	}
	return { items: all, truncated: true };
}

function inTab(tab, a) {
	if (tab === 'pending') return true;
	if (tab === 'overdue') return a.overdue;
	return a.status === tab;
}

function dueCell(a) {
	if (a.status === 'accepted' && a.decision_due) return [fmtDate(a.decision_due), a.overdue ? [' ', overdueBadge()] : null];
	if (a.status === 'submitted' && a.supplement_window_ends) {
		return h('span', { class: 'muted small' }, t('queue.window_ends', { date: fmtDate(a.supplement_window_ends) }));
	}
	if (a.status === 'supplement_requested') return h('span', { class: 'muted small' }, t('queue.waiting_applicant'));
	return a.decision_due ? [fmtDate(a.decision_due), a.overdue ? [' ', overdueBadge()] : null] : (a.overdue ? overdueBadge() : '');
}

export function queuePage(view, ctx) {
	const q = ctx.query.get('status');
	const tab = [...PENDING_TABS, ...DONE_TABS].includes(q) ? q : 'pending';
	const counts = {};
	const tabLink = (s) => {
		const n = h('span', { class: 'tab-count', hidden: !PENDING_TABS.includes(s) }, '');
		counts[s] = n;
		return h('li', {}, h('a', {
			href: `#/queue${s === 'pending' ? '' : qs({ status: s })}`, 'aria-current': tab === s ? 'page' : null,
			class: s === 'overdue' ? 'tab-overdue' : null, dataset: { tab: s },
		}, t(`queue.tab.${s}`), ' ', n));
	};
	const tabs = h('nav', { class: 'tabs', 'aria-label': t('queue.filter') },
		h('ul', {}, PENDING_TABS.map(tabLink), h('li', { class: 'tabs-sep', 'aria-hidden': 'true' }), DONE_TABS.map(tabLink)));
	const counter = h('p', { class: 'overdue-count', role: 'status', hidden: true });
	const table = dataTable([
		{ key: 'field.name', cell: (a) => h('a', { href: `#/applications/${encodeURIComponent(a.id)}` }, a.name || t('app.untitled')) },
		{ key: 'field.kind', cell: (a) => label('kind', a.kind) },
		{ key: 'field.legal_form', cell: (a) => label('legal_form', a.legal_form) },
		{ key: 'field.category', cell: (a) => label('category', a.category) },
		{ key: 'field.region_display', cell: (a) => regionText(a.region_name, a.region_code) },
		{ key: 'field.status', cell: (a) => statusBadge(a.status) },
		{ key: 'field.submitted_at', cell: (a) => fmtDateTime(a.submitted_at) },
		{ key: 'queue.due', cell: dueCell },
	], { caption: t('queue.title'), rowClass: (a) => (a.overdue ? 'row-overdue' : null) });
	const status = h('div', { class: 'pager' });
	view.append(pageHeader('queue.title', 'queue.intro'), tabs, counter, table.el, status);

	if (DONE_TABS.includes(tab)) {
		const list = pager((cursor) => get(`/applications${qs({ status: tab === 'all' ? '' : tab, cursor })}`), (items, first) => {
			if (first) table.tbody.replaceChildren();
			table.add(items);
		});
		status.replaceWith(list.el);
		list.reload();
	}
	status.replaceChildren(loading());
	loadPending().then(({ items, truncated }) => {
		for (const s of PENDING_TABS) {
			const n = items.filter((a) => inTab(s, a)).length;
			counts[s].textContent = String(n);
			counts[s].hidden = false;
			counts[s].classList.toggle('tab-count-alert', s === 'overdue' && n > 0);
			counts[s].setAttribute('aria-label', t('queue.count', { n }));
		}
		const overdue = items.filter((a) => a.overdue).length;
		counter.hidden = overdue === 0;
		counter.textContent = t('queue.count_overdue', { n: overdue });
		if (!PENDING_TABS.includes(tab)) return;
		const rows = items.filter((a) => inTab(tab, a)).sort(byDue);
		table.tbody.replaceChildren();
		table.add(rows);
		status.replaceChildren(h('p', { class: 'pager-status', role: 'status' },
			rows.length ? (truncated ? t('queue.truncated', { n: items.length }) : t('common.no_more')) : t(tab === 'pending' ? 'queue.empty' : 'common.empty')));
	}).catch((e) => {
		status.replaceChildren();
		if (PENDING_TABS.includes(tab)) showProblem(status, e, null, { title: 'error.load_failed' });
	});
}
