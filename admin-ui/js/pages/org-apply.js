// Change and deregistration applications, filed by the applicant that acts for the organization
// (SPEC §4, Appendix A): {"kind": "change", "org_uscc", "changes": {…}} or {"kind": "deregister",
// "org_uscc", "reason"}. Saved as a draft (POST, then PATCH with If-Match), then submitted; the
// daemon's refusals are shown next to the fields they name ("changes.domicile", "reason").

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post, patch, ApiError } from '../api.js';
import {
	field, pageHeader, showProblem, localProblem, busy, flash, loading, mono, fmtYuan, openDialog, dl, statusBadge,
} from '../ui.js';
import { readYuan, fenToYuan } from '../money.js';
import { CHANGE_FIELDS } from '../enums.js';

const TEXT_FIELDS = [
	{ name: 'name', attrs: { maxlength: 50, autocomplete: 'off' }, hint: 'hint.name' },
	{ name: 'domicile', attrs: { autocomplete: 'off' } },
	{ name: 'business_scope', type: 'textarea' },
	{ name: 'activity_area' },
];

function versionOf(r) {
	if (r.data && r.data.version != null) return r.data.version;
	return r.etag ? r.etag.replace(/^W\//, '').replace(/"/g, '') : null;
}

function orgCard(org) {
	return h('section', { class: 'card' }, h('h2', {}, t('app.section.org')), dl([
		['field.org_name', h('a', { href: `#/org/${encodeURIComponent(org.uscc)}` }, org.name)],
		['field.uscc', mono(org.uscc)],
		['field.legal_form', label('legal_form', org.legal_form)],
		['field.org_status', statusBadge(org.status, 'org_status')],
	]));
}

// The common frame: load the organization (and the draft when editing), build the form, save or
// save-and-submit. form(org, app) -> {el, read() -> {body, errors}}.
async function applyPage(view, ctx, kind, build) {
	let app = ctx.app || null;
	let version = ctx.version ?? null;
	const uscc = app ? app.org_uscc : ctx.params.uscc;
	const titleKey = `${kind === 'change' ? 'change' : 'dereg'}.${app ? 'edit_title' : 'title'}`;
	view.append(h('p', { class: 'crumbs' }, h('a', { href: app ? `#/applications/${encodeURIComponent(app.id)}` : `#/org/${encodeURIComponent(uscc)}` },
		`← ${app ? t('app.heading') : t('org.title')}`)),
	pageHeader(titleKey, kind === 'change' ? 'change.intro' : 'dereg.intro'));
	const slot = h('div', {}, loading());
	view.append(slot);
	let org;
	try {
		org = (await get(`/orgs/${encodeURIComponent(uscc)}`)).data;
	} catch (e) {
		showProblem(slot, e, null, { title: 'error.load_failed' });
		return;
	}
	slot.remove();

	const errSlot = h('div', { class: 'error-slot' });
	const { el, read } = build(org, app);
	const saveBtn = h('button', { type: 'button', class: 'btn' }, t('apply.save'));
	const submitBtn = h('button', { type: 'submit', class: ['btn', kind === 'deregister' ? 'btn-danger' : 'btn-primary'] }, t('apply.submit'));
	const form = h('form', { class: 'stack', novalidate: true, 'aria-label': t(titleKey) },
		errSlot, el, h('div', { class: 'actions form-actions' }, submitBtn, saveBtn,
			h('a', { class: 'btn btn-link', href: app ? `#/applications/${encodeURIComponent(app.id)}` : `#/org/${encodeURIComponent(uscc)}` }, t('common.cancel'))));
	view.append(orgCard(org), form);

	// Creates the draft, or updates the one made by an earlier attempt.
	async function save(body) {
		const r = app
			? await patch(`/applications/${encodeURIComponent(app.id)}`, body, { ifMatch: version })
			: await post('/applications', { kind, org_uscc: uscc, ...body });
		app = r.data;
		version = versionOf(r);
	}

	async function run(submit) {
		const { body, errors } = read(app);
		if (errors.length) {
			showProblem(errSlot, localProblem(errors), form, { title: submit ? 'error.submit_failed' : 'error.save_failed' });
			return;
		}
		try {
			await save(body);
		} catch (e) {
			showProblem(errSlot, e, form, { title: 'error.save_failed' });
			return;
		}
		if (submit) {
			try {
				const r = await post(`/applications/${encodeURIComponent(app.id)}/submit`, {}, { ifMatch: version });
				app = r.data;
				version = versionOf(r);
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'error.submit_failed' });
				errSlot.querySelector('.problem').append(h('p', { class: 'muted' }, t('apply.draft_kept'), ' ',
					h('a', { href: `#/applications/${encodeURIComponent(app.id)}` }, t('app.heading'))));
				if (e instanceof ApiError && e.status === 412) await reloadVersion();
				return;
			}
		}
		flash(t(submit ? 'apply.submitted' : 'apply.saved'));
		ctx.navigate(`#/applications/${encodeURIComponent(app.id)}`);
	}

	async function reloadVersion() {
		try {
			const r = await get(`/applications/${encodeURIComponent(app.id)}`);
			app = r.data;
			version = versionOf(r);
		} catch { /* the next attempt will say */ }
	}

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		if (kind === 'deregister') {
			const ok = await openDialog({
				title: t('apply.submit'), danger: true, confirmLabel: t('apply.submit'),
				body: [h('p', {}, t('action.submit.confirm.deregister'))], onConfirm: () => true,
			});
			if (!ok) return;
		}
		await busy(submitBtn, () => run(true));
	});
	saveBtn.addEventListener('click', () => busy(saveBtn, () => run(false)));
}

// ---------------------------------------------------------------- change

function changeForm(org, app) {
	const draft = (app && app.changes) || {};
	const value = (f) => (f in draft ? draft[f] : org[f]);
	const rep = draft.legal_representative || {};
	const fields = TEXT_FIELDS.map((d) => {
		const known = d.name in org;
		return field({
			name: `changes.${d.name}`, label: `field.${d.name}`, type: d.type, rows: 3, value: value(d.name) ?? '', attrs: d.attrs,
			hint: known ? null : 'change.not_public',
		});
	});
	const funds = field({
		name: 'changes.funds_fen', label: 'field.funds_fen', hint: 'change.funds_hint',
		value: draft.funds_fen != null ? fenToYuan(draft.funds_fen) : org.funds_fen != null ? fenToYuan(org.funds_fen) : '',
		attrs: { inputmode: 'decimal', autocomplete: 'off' },
	});
	const repName = field({ name: 'changes.legal_representative.name', label: 'field.legal_representative.name', value: rep.name ?? org.legal_representative_name ?? '', attrs: { autocomplete: 'off' } });
	const repId = field({ name: 'changes.legal_representative.id_number', label: 'field.legal_representative.id_number', hint: 'change.rep_hint', value: rep.id_number ?? '', attrs: { autocomplete: 'off', spellcheck: 'false', maxlength: 18 } });
	// What each field holds now, under its label, so the applicant sees what they change.
	for (const [el, f] of [...fields.map((x, i) => [x, TEXT_FIELDS[i].name]), [funds, 'funds_fen'], [repName, 'legal_representative_name']]) {
		const now = org[f];
		if (now != null && now !== '') {
			el.querySelector('.field-label').after(h('p', { class: 'hint current' }, t('change.current', { value: f === 'funds_fen' ? fmtYuan(now) : now })));
		}
	}
	const el = h('fieldset', { class: 'card', dataset: { field: 'changes' } }, h('legend', {}, t('app.section.changes')),
		...fields, funds,
		h('fieldset', { class: 'subfields', dataset: { field: 'changes.legal_representative' } }, h('legend', {}, t('field.legal_representative')),
			h('div', { class: 'grid-2' }, repName, repId)));

	function read(current) {
		const form = el.closest('form');
		const v = (n) => form.elements.namedItem(n).value.trim();
		const changes = {};
		const errors = [];
		for (const d of TEXT_FIELDS) {
			const x = v(`changes.${d.name}`);
			if (x !== '' && x !== (org[d.name] ?? '')) changes[d.name] = x;
		}
		const fy = readYuan(v('changes.funds_fen'));
		if (fy.error) errors.push({ field: 'changes.funds_fen', message: t(fy.error) });
		else if (fy.fen !== null && fy.fen !== org.funds_fen) changes.funds_fen = fy.fen;
		const rn = v('changes.legal_representative.name');
		const ri = v('changes.legal_representative.id_number');
		if ((rn !== '' && rn !== (org.legal_representative_name ?? '')) || ri !== '') {
			changes.legal_representative = { name: rn, id_number: ri };
			if (!ri) errors.push({ field: 'changes.legal_representative.id_number', message: t('error.required') });
		}
		if (!errors.length && !Object.keys(changes).length) errors.push({ field: 'changes', message: t('verr.no_changes') });
		// A PATCH merges: items the draft had and no longer changes are removed with null.
		const before = (current && current.changes) || {};
		const body = { changes: { ...changes } };
		for (const f of CHANGE_FIELDS) if (f in before && !(f in changes)) body.changes[f] = null;
		return { body, errors };
	}
	return { el, read };
}

export function changePage(view, ctx) {
	return applyPage(view, ctx, 'change', changeForm);
}

// ---------------------------------------------------------------- deregistration

function deregisterForm(org, app) {
	const el = h('fieldset', { class: 'card' }, h('legend', {}, t('app.section.deregister')),
		field({ name: 'reason', label: 'field.dereg_reason', type: 'textarea', rows: 5, required: true, value: (app && app.reason) || '', attrs: { maxlength: 2000 } }));
	function read() {
		const reason = el.querySelector('textarea').value.trim();
		const errors = reason ? [] : [{ field: 'reason', message: t('verr.required.reason') }];
		return { body: { reason }, errors };
	}
	return { el, read };
}

export function deregisterPage(view, ctx) {
	return applyPage(view, ctx, 'deregister', deregisterForm);
}

// Editing a change or deregistration draft: the form page for its kind, over the application.
export function editOrgApplication(view, ctx, app, version) {
	const c = { ...ctx, app, version };
	return app.kind === 'change' ? changePage(view, c) : deregisterPage(view, c);
}
