// org-data.js — what the pages about change and deregistration need to know of an organization:
// the profile, the history event of an approved change, the applicant's own applications for it.

import { h } from './dom.js';
import { t } from './i18n.js';
import { get, qs } from './api.js';
import { fmtYuan, mono } from './ui.js';
import { CHANGE_FIELDS } from './enums.js';

function sameValue(field, applied, recorded) {
	if (field === 'legal_representative') return applied && applied.name === recorded;
	if (field === 'funds_fen') return Number(applied) === Number(recorded);
	return applied === recorded;
}

// The organization of a change or deregistration and, when `approvedChanges` is given, the latest
// change event of its history whose new values are those changes.
export async function orgForApplication(uscc, approvedChanges) {
	const enc = encodeURIComponent(uscc);
	const org = (await get(`/orgs/${enc}`)).data;
	let event = null;
	if (approvedChanges) {
		const events = (await get(`/orgs/${enc}/history${qs({ limit: 200 })}`).catch(() => ({ data: [] }))).data || [];
		for (const e of events) {
			const ch = Array.isArray(e.changes) ? e.changes : [];
			if (e.type === 'change' && ch.length && ch.every((c) => sameValue(c.field, approvedChanges[c.field], c.new))) event = e;
		}
	}
	return { org, event };
}

// How the profile holds each changeable item; undefined: the public profile does not carry it.
function registered(org, field) {
	if (!org) return undefined;
	if (field === 'legal_representative') return org.legal_representative_name;
	return org[field];
}

function show(field, v, showIds) {
	if (v == null) return null;
	if (field === 'funds_fen') return fmtYuan(v);
	if (field === 'legal_representative' && typeof v === 'object') {
		return [v.name || '', showIds && v.id_number ? [' ', mono(v.id_number)] : null];
	}
	return String(v);
}

// Rows {field, old, oldKnown, new, same} for the changes of an application, in display order:
// old values from the approved change's history event, else from the register as it is now.
export function changeRows(changes, org, event, { showIds = false } = {}) {
	const ch = changes || {};
	const keys = [...CHANGE_FIELDS.filter((f) => f in ch), ...Object.keys(ch).filter((f) => !CHANGE_FIELDS.includes(f))];
	return keys.map((f) => {
		let old;
		let oldKnown;
		if (event) {
			const c = (event.changes || []).find((x) => x.field === f);
			old = c ? c.old : undefined;
			oldKnown = Boolean(c);
		} else {
			old = registered(org, f);
			oldKnown = old !== undefined;
		}
		const same = !event && oldKnown && f !== 'legal_representative' && sameValue(f, ch[f], old);
		return { field: f, old: show(f, old, false), oldKnown, new: show(f, ch[f], showIds) ?? h('span', { class: 'muted' }, t('common.none')), same };
	});
}

// The signed-in applicant's applications for the organization: GET /applications lists only the
// caller's own, each with its org_uscc (the register does not say who owns an organization).
export async function ownApplicationsFor(uscc, { pages = 5 } = {}) {
	const mine = [];
	let cursor = null;
	for (let i = 0; i < pages; i++) {
		const r = await get(`/applications${qs({ limit: 200, cursor })}`);
		for (const a of r.data || []) if (a.org_uscc === uscc) mine.push(a);
		cursor = r.next_cursor;
		if (!cursor) break;
	}
	return mine;
}
