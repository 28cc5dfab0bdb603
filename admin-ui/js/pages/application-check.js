// Check your answers (#/applications/:id/check) and the confirmation after submission
// (#/applications/:id/submitted) of an establishment application, for its applicant.
// The check page shows every answer with a 修改 (Change) link back to its section; a refused
// submission lists what is wrong, each line a link to its row here (documents included).

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post } from '../api.js';
import { pageHeader, loading, showProblem, busy, dl, mono, fmtYuan, fmtDate, fmtDateTime, regionText } from '../ui.js';
import { DOC_KINDS } from '../enums.js';
import { stepIndicator, getBureau, bureauContact, periodsText } from '../journey.js';

const SUBMITTABLE = ['draft', 'supplement_requested'];

function versionOf(r) {
	if (r.data && r.data.version != null) return r.data.version;
	return r.etag ? r.etag.replace(/^W\//, '').replace(/"/g, '') : null;
}

async function load(view, id) {
	const slot = h('div', {}, loading());
	view.append(slot);
	try {
		const r = await get(`/applications/${encodeURIComponent(id)}`);
		slot.remove();
		return { app: r.data, version: versionOf(r) };
	} catch (e) {
		showProblem(slot, e, null, { title: 'error.load_failed' });
		return null;
	}
}

export async function applicationCheckPage(view, ctx) {
	const id = ctx.params.id;
	const enc = encodeURIComponent(id);
	view.append(h('p', { class: 'crumbs' }, h('a', { href: `#/applications/${enc}` }, `← ${t('journey.back_to_application')}`)));
	const got = await load(view, id);
	if (!got) return;
	const { app, version } = got;
	if (app.kind !== 'establish' || !SUBMITTABLE.includes(app.status)) {
		ctx.navigate(`#/applications/${enc}`);
		return;
	}
	const edit = (section) => `#/applications/${enc}/edit?section=${section}`;
	const change = (href, what) => h('a', { href, class: 'change-link' }, t('journey.change'), h('span', { class: 'sr-only' }, ` ${what}`));
	const block = (titleKey, path, href, rows) => h('section', { class: 'card check-section', dataset: { field: path, section: path } },
		h('div', { class: 'check-head' }, h('h2', {}, t(titleKey)), change(href, t(titleKey))),
		dl(rows));
	const lr = app.legal_representative || {};
	const c = app.contact || {};
	const m = app.members || {};
	const sections = [
		block('app.section.basic', 'basic', edit('basic'), [
			['field.name', app.name, 'name'],
			['field.legal_form', label('legal_form', app.legal_form), 'legal_form'],
			['field.category', label('category', app.category), 'category'],
			['field.region_display', regionText(app.region_name, app.region_code), 'region_code'],
			['field.domicile', app.domicile, 'domicile'],
			['field.business_scope', app.business_scope, 'business_scope'],
			['field.activity_area', app.activity_area, 'activity_area'],
			['field.funds_fen', fmtYuan(app.funds_fen), 'funds_fen'],
		]),
		block('app.section.legal_rep', 'legal_representative', edit('legal_representative'), [
			['field.legal_representative.name', lr.name, 'legal_representative.name'],
			['field.legal_representative.id_number', lr.id_number ? mono(lr.id_number) : '', 'legal_representative.id_number'],
		]),
	];
	if (app.legal_form === 'social_group') {
		sections.push(block('app.section.members', 'members', edit('members'), [
			['field.members.individual', m.individual ?? '', 'members.individual'],
			['field.members.unit', m.unit ?? '', 'members.unit'],
		]));
	}
	if (app.legal_form === 'foundation') {
		sections.push(block('app.section.directors', 'directors', edit('directors'),
			(app.directors || []).map((d, i) => [t('app.form.director_n', { n: i + 1 }), d.name, `directors.${i}`])
				.concat(app.directors && app.directors.length ? [] : [['app.section.directors', '']])));
	}
	sections.push(block('app.section.contact', 'contact', edit('contact'), [
		['field.contact.name', c.name, 'contact.name'],
		['field.contact.phone', c.phone, 'contact.phone'],
		['field.contact.email', c.email, 'contact.email'],
	]));
	const docs = Array.isArray(app.documents) ? app.documents : [];
	sections.push(block('app.section.documents', 'documents', `#/applications/${enc}?section=documents`,
		DOC_KINDS.map((k) => {
			const mine = docs.filter((d) => d.kind === k);
			const newest = mine[mine.length - 1];
			return [`doc.${k}`, newest ? newest.name : h('span', { class: 'missing' }, t('app.doc_missing')), `documents.${k}`];
		})));

	const errSlot = h('div', { class: 'error-slot' });
	const submit = h('button', { type: 'button', class: 'btn btn-primary' }, t('journey.submit'));
	const body = h('div', { class: 'check-body' }, sections);
	submit.addEventListener('click', () => busy(submit, async () => {
		try {
			await post(`/applications/${enc}/submit`, {}, { ifMatch: version });
			ctx.navigate(`#/applications/${enc}/submitted`);
		} catch (e) {
			showProblem(errSlot, e, body, { title: 'error.submit_failed' });
		}
	}));
	view.append(
		stepIndicator('check'),
		pageHeader('journey.check.title', 'journey.check.intro'),
		errSlot, body,
		h('section', { class: 'card' }, h('h2', {}, t('journey.declaration.title')), h('p', {}, t('journey.declaration'))),
		h('div', { class: 'actions form-actions' }, submit, h('a', { class: 'btn', href: `#/applications/${enc}` }, t('journey.not_yet'))));
}

export async function applicationSubmittedPage(view, ctx) {
	const id = ctx.params.id;
	const enc = encodeURIComponent(id);
	const got = await load(view, id);
	if (!got) return;
	const { app } = got;
	const b = await getBureau();
	const p = periodsText(b);
	const charity = app.category === 'public_welfare';
	view.append(
		stepIndicator('done'),
		h('div', { class: 'panel-confirm', role: 'status', 'data-testid': 'confirmation' },
			h('h1', { tabindex: '-1', class: 'page-title' }, t('journey.done.title')),
			h('p', {}, t('journey.done.number')),
			h('p', { class: 'app-number', 'data-testid': 'app-number' }, String(app.id))),
		h('section', { class: 'card' }, dl([
			['field.name', app.name],
			['field.status', label('status', app.status)],
			['field.submitted_at', fmtDateTime(app.submitted_at)],
		])),
		h('section', { class: 'card', 'data-testid': 'next-steps' }, h('h2', {}, t('journey.done.next')),
			h('ol', { class: 'timeline-steps' },
				h('li', {}, app.supplement_window_ends
					? t('journey.done.supplement_until', { date: fmtDate(app.supplement_window_ends) }) : p.supplement),
				h('li', {}, charity ? p.charity : p.decision),
				h('li', {}, t('journey.done.follow'), ' ', h('a', { href: '#/my/applications' }, t('nav.my_applications'))))),
		h('section', { class: 'card' }, h('h2', {}, t('journey.start.contact')), bureauContact(b, { testid: 'confirmation-contact' }) || h('p', { class: 'muted' }, t('bureau.none'))),
		h('p', { class: 'actions' }, h('a', { class: 'btn', href: `#/applications/${enc}` }, t('journey.view_application'))));
}
