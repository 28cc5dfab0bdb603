// org-data.js — what pages know of organizations beyond their public profile: the ones the
// signed-in applicant acts for (GET /me/orgs), that applicant's live applications for one of
// them, and the rows of a change application (its change_diff).

import { h } from './dom.js';
import { t } from './i18n.js';
import { get, qs } from './api.js';
import { fmtYuan, mono } from './ui.js';
import { CHANGE_FIELDS, LIVE_STATUSES } from './enums.js';

// The organizations the signed-in applicant acts for (all pages of GET /me/orgs).
export async function myOrgs({ pages = 10 } = {}) {
	const all = [];
	let cursor = null;
	for (let i = 0; i < pages; i++) {
		const r = await get(`/me/orgs${qs({ limit: 200, cursor })}`);
		all.push(...(r.data || []));
		cursor = r.next_cursor;
		if (!cursor) break;
	}
	return all;
}

// Whether the signed-in applicant acts for the organization.
export async function ownsOrg(uscc) {
	return (await myOrgs()).some((o) => o.uscc === uscc);
}

// The signed-in applicant's live (draft or pending) change and deregistration applications for
// the organization. GET /applications lists only the caller's own; it has no org filter.
export async function liveApplicationsFor(uscc, { pages = 5 } = {}) {
	const mine = [];
	let cursor = null;
	for (let i = 0; i < pages; i++) {
		const r = await get(`/applications${qs({ status: LIVE_STATUSES.join(','), limit: 200, cursor })}`);
		for (const a of r.data || []) if (a.org_uscc === uscc && a.kind !== 'establish') mine.push(a);
		cursor = r.next_cursor;
		if (!cursor) break;
	}
	return mine;
}

// One value of a change as people read it. The legal representative comes as a name or {name}.
function show(field, v) {
	if (v == null || v === '') return null;
	if (field === 'funds_fen') return fmtYuan(v);
	if (field === 'legal_representative') return typeof v === 'object' ? v.name || null : String(v);
	return String(v);
}

// Rows {field, old, new, same} of a change application, in display order, from the daemon's
// change_diff (against the register while pending, as recorded once approved). An item the
// application names with the value already registered has no diff entry: while pending it is
// shown as "same as registered". `showIds`: add the new representative's ID number (for the
// applicant and the registrar; the diff itself never carries ID numbers).
export function changeRows(app, { showIds = false } = {}) {
	const diff = Array.isArray(app.change_diff) ? app.change_diff : [];
	const ch = app.changes || {};
	const byField = new Map(diff.map((d) => [d.field, d]));
	const named = [...diff.map((d) => d.field), ...Object.keys(ch).filter((f) => ch[f] != null)];
	const keys = [...CHANGE_FIELDS.filter((f) => named.includes(f)), ...new Set(named.filter((f) => !CHANGE_FIELDS.includes(f)))];
	const rows = [];
	for (const f of keys) {
		const d = byField.get(f);
		if (!d && app.status === 'approved') continue;
		const rep = f === 'legal_representative' && ch.legal_representative;
		const id = showIds && rep && rep.id_number ? [' ', mono(rep.id_number)] : null;
		const value = d ? d.new : ch[f];
		const shown = show(f, value);
		rows.push({
			field: f,
			old: d ? show(f, d.old) : shown,
			new: shown == null ? h('span', { class: 'muted' }, t('common.none')) : [shown, id],
			same: !d,
		});
	}
	return rows;
}
