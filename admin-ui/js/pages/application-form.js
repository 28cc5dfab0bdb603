// Establishment application form (SPEC §4, Appendix A): create (POST /applications) or edit a
// draft / supplement-requested application (PATCH with If-Match). Funds are typed in yuan and
// sent as integer fen (money.js, string arithmetic only).

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { get, post, patch } from '../api.js';
import { field, enumOptions, pageHeader, showProblem, localProblem, busy, flash, loading } from '../ui.js';
import { readYuan, fenToYuan } from '../money.js';
import { LEGAL_FORMS, CATEGORIES } from '../enums.js';
import { editOrgApplication } from './org-apply.js';
import { regionField, regionCodeOf } from '../region-picker.js';
import { stepIndicator } from '../journey.js';

const EDITABLE = ['draft', 'supplement_requested'];

function fieldset(legendKey, ...children) {
	return h('fieldset', { class: 'card' }, h('legend', {}, t(legendKey)), children);
}

// Opens the form at a section (?section=contact, from the check page's 修改 links).
function goToSection(form, section) {
	const fs = section && form.querySelector(`[data-section="${CSS.escape(section)}"]`);
	if (!fs || fs.hidden) return;
	fs.scrollIntoView({ block: 'start' });
	const c = fs.querySelector('input, select, textarea');
	if (c) c.focus({ preventScroll: true });
}

// Errors for a whole group ("directors", "members") go at the end of its fieldset.
function fieldsetFor(path, legendKey, ...children) {
	const fs = fieldset(legendKey, ...children);
	fs.dataset.field = path;
	fs.dataset.section = path;
	return fs;
}

function sectioned(fs, section) {
	fs.dataset.section = section;
	return fs;
}

function directorRow(d = {}) {
	const row = h('div', { class: 'director-row' });
	row.append(
		h('span', { class: 'director-n' }),
		h('div', { class: 'director-fields' }),
		h('button', { type: 'button', class: 'btn btn-small btn-danger-outline remove' }, t('common.remove')));
	row.dataset.name = d.name || '';
	row.dataset.idNumber = d.id_number || '';
	return row;
}

// Renumbers director rows after an add/remove so names and data-field paths stay "directors.N.*".
function directorRows(list) {
	return [...list.querySelectorAll(':scope > .director-row')];
}

function renumber(list) {
	directorRows(list).forEach((row, i) => {
		const name = row.querySelector('input[data-part="name"]');
		const idn = row.querySelector('input[data-part="id_number"]');
		const vals = { name: name ? name.value : row.dataset.name, id_number: idn ? idn.value : row.dataset.idNumber };
		row.dataset.field = `directors.${i}`;
		row.querySelector('.director-n').textContent = t('app.form.director_n', { n: i + 1 });
		row.querySelector('.director-fields').replaceChildren(
			field({ name: `directors.${i}.name`, label: 'field.directors.name', value: vals.name, attrs: { 'data-part': 'name', autocomplete: 'off' } }),
			field({ name: `directors.${i}.id_number`, label: 'field.directors.id_number', value: vals.id_number, attrs: { 'data-part': 'id_number', autocomplete: 'off', spellcheck: 'false' } }));
		row.querySelector('.remove').setAttribute('aria-label', `${t('common.remove')} ${t('app.form.director_n', { n: i + 1 })}`);
	});
}

function readForm(form, directorsList) {
	const v = (n) => {
		const el = form.elements.namedItem(n);
		return el ? el.value.trim() : '';
	};
	const errors = [];
	const body = {
		legal_form: v('legal_form'),
		category: v('category'),
		name: v('name'),
		region_code: regionCodeOf(v('region_code')),
		domicile: v('domicile'),
		business_scope: v('business_scope'),
		activity_area: v('activity_area'),
		legal_representative: { name: v('legal_representative.name'), id_number: v('legal_representative.id_number') },
		contact: { name: v('contact.name'), phone: v('contact.phone'), email: v('contact.email') },
	};
	const funds = readYuan(v('funds_fen'));
	if (funds.error) errors.push({ field: 'funds_fen', code: 'invalid', message: t(funds.error) });
	else if (funds.fen !== null) body.funds_fen = funds.fen;
	if (body.legal_form === 'social_group') {
		body.members = {};
		for (const k of ['individual', 'unit']) {
			const s = v(`members.${k}`);
			if (s === '') body.members[k] = 0;
			else if (/^\d+$/.test(s) && Number.isSafeInteger(Number(s))) body.members[k] = Number(s);
			else errors.push({ field: `members.${k}`, code: 'invalid', message: t('error.integer') });
		}
	}
	if (body.legal_form === 'foundation') {
		body.directors = directorRows(directorsList).map((row) => ({
			name: row.querySelector('input[data-part="name"]').value.trim(),
			id_number: row.querySelector('input[data-part="id_number"]').value.trim(),
		})).filter((d) => d.name || d.id_number);
	}
	return { body, errors };
}

export async function applicationFormPage(view, ctx) {
	const id = ctx.params.id;
	const header = pageHeader(id ? 'app.form.edit_title' : 'app.form.new_title', 'app.form.intro');
	const steps = stepIndicator('fill');
	view.append(steps, header);
	let app = {};
	let version = null;
	if (id) {
		const slot = h('div', {}, loading());
		view.append(slot);
		try {
			const r = await get(`/applications/${encodeURIComponent(id)}`);
			app = r.data || {};
			version = app.version ?? (r.etag ? r.etag.replace(/^W\//, '').replace(/"/g, '') : null);
			slot.remove();
		} catch (e) {
			showProblem(slot, e, null, { title: 'error.load_failed' });
			return;
		}
		if (!EDITABLE.includes(app.status)) {
			ctx.navigate(`#/applications/${encodeURIComponent(id)}`);
			return;
		}
		if (app.kind && app.kind !== 'establish') {
			header.remove();
			steps.remove();
			await editOrgApplication(view, ctx, app, version);
			return;
		}
	}

	const errSlot = h('div', { class: 'error-slot' });
	const lr = app.legal_representative || {};
	const contact = app.contact || {};
	const members = app.members || {};
	const directorsList = h('div', { class: 'directors-list' });
	for (const d of app.directors || []) directorsList.append(directorRow(d));
	const noDirectors = h('p', { class: 'empty' }, t('app.form.no_directors'));
	const syncDirectors = () => {
		renumber(directorsList);
		noDirectors.hidden = directorRows(directorsList).length > 0;
	};
	directorsList.addEventListener('click', (ev) => {
		const btn = ev.target.closest('button.remove');
		if (!btn) return;
		const row = btn.closest('.director-row');
		const next = row.nextElementSibling || row.previousElementSibling;
		row.remove();
		syncDirectors();
		(next ? next.querySelector('input') : addDirector).focus();
	});
	const addDirector = h('button', {
		type: 'button', class: 'btn',
		onclick: () => {
			const row = directorRow();
			directorsList.append(row);
			syncDirectors();
			row.querySelector('input').focus();
		},
	}, `+ ${t('app.form.add_director')}`);

	const membersSet = fieldsetFor('members', 'app.section.members',
		h('p', { class: 'hint' }, t('hint.members')),
		h('div', { class: 'grid-2' },
			field({ name: 'members.individual', type: 'number', value: members.individual ?? '', attrs: { min: 0, step: 1, inputmode: 'numeric' } }),
			field({ name: 'members.unit', type: 'number', value: members.unit ?? '', attrs: { min: 0, step: 1, inputmode: 'numeric' } })));
	const directorsSet = fieldsetFor('directors', 'app.section.directors',
		h('p', { class: 'hint' }, t('hint.directors')), directorsList, noDirectors, addDirector);

	const legalForm = field({ name: 'legal_form', type: 'select', required: true, value: app.legal_form || '', options: enumOptions('legal_form', LEGAL_FORMS, { blank: 'app.form.choose' }) });
	const syncForm = () => {
		const lf = legalForm.querySelector('select').value;
		membersSet.hidden = lf !== 'social_group';
		directorsSet.hidden = lf !== 'foundation';
	};
	legalForm.querySelector('select').addEventListener('change', syncForm);

	const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('app.form.save'));
	const form = h('form', { class: 'app-form stack', novalidate: true, 'aria-label': t(id ? 'app.form.edit_title' : 'app.form.new_title') },
		errSlot,
		sectioned(fieldset('app.section.basic',
			h('div', { class: 'grid-2' },
				legalForm,
				field({ name: 'category', type: 'select', required: true, value: app.category || '', options: enumOptions('category', CATEGORIES, { blank: 'app.form.choose' }) })),
			field({ name: 'name', required: true, hint: 'hint.name', value: app.name, attrs: { autocomplete: 'off', maxlength: 100 } }),
			h('div', { class: 'grid-2' },
				regionField({ name: 'region_code', required: true, hint: 'hint.region_code', value: app.region_code }),
				field({ name: 'activity_area', required: true, value: app.activity_area })),
			field({ name: 'domicile', required: true, value: app.domicile, attrs: { autocomplete: 'street-address' } }),
			field({ name: 'business_scope', type: 'textarea', required: true, value: app.business_scope, rows: 3 }),
			field({ name: 'funds_fen', required: true, hint: 'hint.funds', value: app.funds_fen != null ? fenToYuan(app.funds_fen) : '', attrs: { inputmode: 'decimal', autocomplete: 'off', placeholder: '30000.00' } })), 'basic'),
		fieldsetFor('legal_representative', 'app.section.legal_rep',
			h('div', { class: 'grid-2' },
				field({ name: 'legal_representative.name', required: true, value: lr.name, attrs: { autocomplete: 'off' } }),
				field({ name: 'legal_representative.id_number', required: true, hint: 'hint.id_number', value: lr.id_number, attrs: { autocomplete: 'off', spellcheck: 'false', maxlength: 18 } }))),
		membersSet,
		directorsSet,
		fieldsetFor('contact', 'app.section.contact',
			h('div', { class: 'grid-3' },
				field({ name: 'contact.name', required: true, value: contact.name, attrs: { autocomplete: 'name' } }),
				field({ name: 'contact.phone', type: 'tel', required: true, value: contact.phone, attrs: { autocomplete: 'tel' } }),
				field({ name: 'contact.email', type: 'email', value: contact.email, attrs: { autocomplete: 'email' } }))),
		h('div', { class: 'actions form-actions' },
			submit,
			h('a', { class: 'btn', href: id ? `#/applications/${encodeURIComponent(id)}` : '#/my/applications' }, t('common.cancel'))));
	syncDirectors();
	syncForm();
	if (ctx.query.get('section')) requestAnimationFrame(() => requestAnimationFrame(() => goToSection(form, ctx.query.get('section'))));

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const { body, errors } = readForm(form, directorsList);
		if (errors.length) {
			showProblem(errSlot, localProblem(errors), form);
			return;
		}
		await busy(submit, async () => {
			try {
				const r = id
					? await patch(`/applications/${encodeURIComponent(id)}`, body, { ifMatch: version })
					: await post('/applications', { kind: 'establish', ...body });
				flash(t('app.form.saved'));
				ctx.navigate(`#/applications/${encodeURIComponent(r.data.id ?? id)}`);
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'error.save_failed' });
			}
		});
	});
	view.append(form);
}
