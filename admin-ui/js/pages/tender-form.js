// A purchaser's tender form (SPEC §6, Appendix B): create a draft (POST /tenders), edit it
// (PATCH with If-Match), and publish it (POST /tenders/{id}/publish). The criteria editor adds
// and removes rows and shows the running total of criteria points and price points, which must
// make 100. Budget in yuan (sent as fen); deadlines typed in China time (sent as RFC 3339 UTC).
// Every refusal, those of publication against the daemon's clock included, is shown at its field.

import { h, uid } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post, patch, idempotencyKeys, ApiError } from '../api.js';
import { field, enumOptions, pageHeader, showProblem, localProblem, busy, flash, loading } from '../ui.js';
import { readYuan, fenToYuan } from '../money.js';
import {
	TENDER_METHODS, EVALUATION_METHODS, INVITING_METHODS, SERVICE_CATEGORIES, TENDER_GRADES, LEGAL_FORMS, CATEGORIES,
} from '../enums.js';
import { toChinaInput, fromChinaInput, deadlineRuleKey } from '../tenders.js';

// A field labelled by a key of its own; data-label names it in the problem's list too.
function tfield(opts) {
	const el = field(opts);
	el.dataset.label = opts.labelText || t(opts.label);
	if (opts.labelText) el.querySelector('label').textContent = opts.labelText;
	return el;
}

function fieldset(legendKey, path, ...children) {
	return h('fieldset', { class: 'card', dataset: path ? { field: path, label: t(legendKey) } : undefined }, h('legend', {}, t(legendKey)), children);
}

// A group of checkboxes for a list of choices; the fieldset carries the list's path.
function checkGroup(path, legendKey, group, values, chosen, hintKey) {
	const set = new Set(chosen || []);
	return h('fieldset', { class: 'subfields checks', dataset: { field: path, label: t(legendKey) } },
		h('legend', {}, t(legendKey)),
		hintKey ? h('p', { class: 'hint' }, t(hintKey)) : null,
		h('div', { class: 'check-row' }, values.map((v) => {
			const id = uid('chk');
			return h('span', { class: 'check' },
				h('input', { type: 'checkbox', id, name: path, value: v, checked: set.has(v) }),
				h('label', { for: id }, label(group, v)));
		})));
}

const intOrNull = (s) => (/^\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : null);

export async function tenderFormPage(view, ctx) {
	const id = ctx.params.id || null;
	const titleKey = id ? 'tender.form.edit_title' : 'tender.form.new_title';
	view.append(h('p', { class: 'crumbs' }, h('a', { href: id ? `#/tenders/${encodeURIComponent(id)}` : '#/purchase/tenders' },
		`← ${t(id ? 'tender.title' : 'tenders.mine.title')}`)), pageHeader(titleKey, 'tender.form.intro'));
	let tender = null;
	let version = null;
	if (id) {
		const slot = h('div', {}, loading());
		view.append(slot);
		try {
			const r = await get(`/tenders/${encodeURIComponent(id)}`);
			tender = r.data;
			version = tender.version;
			slot.remove();
		} catch (e) {
			showProblem(slot, e, null, { title: 'error.load_failed' });
			return;
		}
		if (tender.status !== 'draft') {
			ctx.navigate(`#/tenders/${encodeURIComponent(id)}`);
			return;
		}
	}
	const d = tender || {};
	const elig = d.eligibility || {};

	// ------------------------------------------------------------ basics
	const categories = [...SERVICE_CATEGORIES];
	if (d.service_category && !categories.includes(d.service_category)) categories.push(d.service_category);
	const basics = fieldset('tender.section.basic', null,
		tfield({ name: 'title', label: 'tender.f.title', required: true, value: d.title, attrs: { maxlength: 200, autocomplete: 'off' } }),
		tfield({ name: 'description', label: 'tender.f.description', type: 'textarea', rows: 5, required: true, value: d.description, attrs: { maxlength: 20000 } }),
		h('div', { class: 'grid-2' },
			tfield({ name: 'service_category', label: 'tender.f.service_category', type: 'select', required: true, value: d.service_category || '',
				options: [['', t('app.form.choose')], ...categories.map((c) => [c, label('service_category', c)])] }),
			tfield({ name: 'department', label: 'tender.f.department', required: true, hint: 'tender.hint.department',
				value: d.department || (ctx.user && ctx.user.department) || '', attrs: { maxlength: 128, autocomplete: 'off' } })),
		h('div', { class: 'grid-2' },
			tfield({ name: 'budget_fen', label: 'tender.f.budget', required: true, hint: 'tender.hint.budget',
				value: d.budget_fen != null ? fenToYuan(d.budget_fen) : '', attrs: { inputmode: 'decimal', autocomplete: 'off', placeholder: '1200000.00' } }),
			tfield({ name: 'contract_months', label: 'tender.f.contract_months', type: 'number', required: true, hint: 'tender.hint.contract_months',
				value: d.contract_months ?? 12, attrs: { min: 1, max: 120, step: 1, inputmode: 'numeric' } })));

	// ------------------------------------------------------------ method and invited organizations
	const invitedList = h('div', { class: 'rows-list' });
	const invitedHint = h('p', { class: 'hint' });
	const addInvited = h('button', { type: 'button', class: 'btn' }, `+ ${t('tender.invited.add')}`);
	const invitedSet = h('fieldset', { class: 'subfields', dataset: { field: 'invited_orgs', label: t('tender.f.invited_orgs') } },
		h('legend', {}, t('tender.f.invited_orgs')), invitedHint, invitedList, addInvited);
	const invitedRow = (code = '') => h('div', { class: 'item-row invited-row', dataset: { value: code } },
		h('div', { class: 'row-fields' }),
		h('button', { type: 'button', class: 'btn btn-small btn-danger-outline remove' }, t('common.remove')));
	const invitedRows = () => [...invitedList.querySelectorAll(':scope > .invited-row')];
	const renumberInvited = () => invitedRows().forEach((row, i) => {
		const input = row.querySelector('input');
		const value = input ? input.value : row.dataset.value;
		const name = t('tender.invited.n', { n: i + 1 });
		row.querySelector('.row-fields').replaceChildren(tfield({
			name: `invited_orgs.${i}`, labelText: name, label: 'tender.f.invited_orgs', value,
			attrs: { maxlength: 18, autocomplete: 'off', spellcheck: 'false', 'data-part': 'uscc' },
		}));
		row.querySelector('.remove').setAttribute('aria-label', `${t('common.remove')} ${name}`);
	});
	for (const code of d.invited_orgs || []) invitedList.append(invitedRow(code));
	addInvited.addEventListener('click', () => {
		const row = invitedRow();
		invitedList.append(row);
		renumberInvited();
		row.querySelector('input').focus();
	});
	invitedList.addEventListener('click', (ev) => {
		const btn = ev.target.closest('button.remove');
		if (!btn) return;
		const row = btn.closest('.invited-row');
		const next = row.nextElementSibling || row.previousElementSibling;
		row.remove();
		renumberInvited();
		(next ? next.querySelector('input') : addInvited).focus();
	});

	const methodField = tfield({ name: 'method', label: 'tender.f.method', type: 'select', required: true, value: d.method || 'open',
		options: enumOptions('tender_method', TENDER_METHODS) });
	const deadlineHint = h('p', { class: 'hint', id: uid('hint') });
	const syncMethod = () => {
		const m = methodField.querySelector('select').value;
		invitedSet.hidden = !INVITING_METHODS.includes(m);
		invitedHint.textContent = t(m === 'single_source' ? 'tender.hint.single_source' : 'tender.hint.invited');
		if (!invitedSet.hidden && invitedRows().length === 0) {
			invitedList.append(invitedRow());
			renumberInvited();
		}
		deadlineHint.textContent = t(deadlineRuleKey(m));
	};
	methodField.querySelector('select').addEventListener('change', syncMethod);
	const methodSet = fieldset('tender.section.method', null,
		h('div', { class: 'grid-2' }, methodField,
			tfield({ name: 'evaluation_method', label: 'tender.f.evaluation_method', type: 'select', required: true, value: d.evaluation_method || 'comprehensive',
				options: enumOptions('eval_method', EVALUATION_METHODS) })),
		invitedSet);

	// ------------------------------------------------------------ criteria and the running total
	const criteriaList = h('div', { class: 'rows-list criteria-list' });
	const criteriaRow = (c = {}) => h('div', { class: 'item-row criteria-row', dataset: { id: c.id || '', name: c.name || '', points: c.max_points ?? '' } },
		h('div', { class: 'row-fields' }),
		h('button', { type: 'button', class: 'btn btn-small btn-danger-outline remove' }, t('common.remove')));
	const criteriaRows = () => [...criteriaList.querySelectorAll(':scope > .criteria-row')];
	// Criterion ids are keys for the scores: kept for rows the draft had, c1, c2, … for new ones.
	const freshId = () => {
		const used = new Set(criteriaRows().map((r) => r.dataset.id).filter(Boolean));
		for (let n = 1; ; n++) if (!used.has(`c${n}`)) return `c${n}`;
	};
	const renumberCriteria = () => criteriaRows().forEach((row, i) => {
		const nameIn = row.querySelector('input[data-part="name"]');
		const ptsIn = row.querySelector('input[data-part="points"]');
		const vals = { name: nameIn ? nameIn.value : row.dataset.name, points: ptsIn ? ptsIn.value : row.dataset.points };
		if (!row.dataset.id) row.dataset.id = freshId();
		const n = t('tender.criterion.n', { n: i + 1 });
		row.dataset.field = `criteria.${i}`;
		row.dataset.label = n;
		row.querySelector('.row-fields').replaceChildren(
			tfield({ name: `criteria.${i}.name`, labelText: `${n} · ${t('tender.criterion.name')}`, label: 'tender.criterion.name', value: vals.name,
				attrs: { maxlength: 100, autocomplete: 'off', 'data-part': 'name' } }),
			tfield({ name: `criteria.${i}.max_points`, labelText: `${n} · ${t('tender.criterion.points')}`, label: 'tender.criterion.points', type: 'number', value: vals.points,
				attrs: { min: 1, max: 100, step: 1, inputmode: 'numeric', 'data-part': 'points' } }));
		row.querySelector('.remove').setAttribute('aria-label', `${t('common.remove')} ${n}`);
	});
	const initial = Array.isArray(d.criteria) && d.criteria.length ? d.criteria : [{}];
	for (const c of initial) criteriaList.append(criteriaRow(c));
	const addCriterion = h('button', { type: 'button', class: 'btn' }, `+ ${t('tender.criterion.add')}`);
	const total = h('p', { class: 'points-total', role: 'status', 'aria-live': 'polite', 'data-testid': 'points-total' });
	const priceField = tfield({ name: 'price_points', label: 'tender.f.price_points', type: 'number', required: true, hint: 'tender.hint.price_points',
		value: d.price_points ?? 30, attrs: { min: 10, max: 30, step: 1, inputmode: 'numeric' } });
	const syncTotal = () => {
		const pts = criteriaRows().map((r) => intOrNull(r.querySelector('input[data-part="points"]').value.trim()) || 0);
		const crit = pts.reduce((s, x) => s + x, 0);
		const price = intOrNull(priceField.querySelector('input').value.trim()) || 0;
		const sum = crit + price;
		total.replaceChildren(t('tender.total', { criteria: crit, price, total: sum }), ' ',
			sum === 100 ? h('strong', { class: 'total-ok' }, t('tender.total_ok')) : h('strong', { class: 'total-bad' }, t('tender.total_bad', { diff: sum > 100 ? `+${sum - 100}` : sum - 100 })));
		total.classList.toggle('bad', sum !== 100);
	};
	addCriterion.addEventListener('click', () => {
		const row = criteriaRow();
		criteriaList.append(row);
		renumberCriteria();
		syncTotal();
		row.querySelector('input').focus();
	});
	criteriaList.addEventListener('click', (ev) => {
		const btn = ev.target.closest('button.remove');
		if (!btn) return;
		const row = btn.closest('.criteria-row');
		const next = row.nextElementSibling || row.previousElementSibling;
		row.remove();
		renumberCriteria();
		syncTotal();
		(next ? next.querySelector('input') : addCriterion).focus();
	});
	const criteriaSet = fieldset('tender.section.criteria', null,
		h('p', { class: 'hint' }, t('tender.hint.criteria')),
		criteriaList, addCriterion,
		// The total's own refusal (criteria: points_not_100) goes here, by the price points and the sum.
		h('div', { class: 'points-box', dataset: { field: 'criteria', label: t('tender.section.criteria') } }, priceField, total));

	// ------------------------------------------------------------ eligibility
	const eligSet = fieldset('tender.section.eligibility', 'eligibility',
		h('p', { class: 'hint' }, t('tender.hint.eligibility')),
		h('div', { class: 'grid-2' },
			tfield({ name: 'eligibility.min_grade', label: 'tender.f.min_grade', type: 'select', value: elig.min_grade || '',
				options: [['', t('tender.grade_any')], ...TENDER_GRADES.map((g) => [g, t('tender.grade_at_least', { grade: g })])] }),
			tfield({ name: 'eligibility.min_years_registered', label: 'tender.f.min_years', type: 'number', hint: 'tender.hint.min_years',
				value: elig.min_years_registered ?? 0, attrs: { min: 0, max: 50, step: 1, inputmode: 'numeric' } })),
		checkGroup('eligibility.legal_forms', 'tender.f.legal_forms', 'legal_form', LEGAL_FORMS, elig.legal_forms, 'tender.hint.any_if_none'),
		checkGroup('eligibility.categories', 'tender.f.categories', 'category', CATEGORIES, elig.categories, 'tender.hint.any_if_none'));

	// ------------------------------------------------------------ dates
	const datesSet = fieldset('tender.section.dates', null,
		h('p', { class: 'hint' }, t('tender.hint.china_time')),
		h('div', { class: 'grid-2' },
			tfield({ name: 'enquiry_end', label: 'tender.f.enquiry_end', type: 'datetime-local', required: true, hint: 'tender.hint.enquiry_end',
				value: toChinaInput(d.enquiry_end), attrs: { step: 60 } }),
			tfield({ name: 'bid_deadline', label: 'tender.f.bid_deadline', type: 'datetime-local', required: true,
				value: toChinaInput(d.bid_deadline), attrs: { step: 60 } })));
	// The deadline's hint follows the method chosen.
	const deadlineWrap = datesSet.querySelector('[data-field="bid_deadline"]');
	const deadlineInput = deadlineWrap.querySelector('input');
	deadlineWrap.append(deadlineHint);
	deadlineInput.setAttribute('aria-describedby', deadlineHint.id);

	// ------------------------------------------------------------ the form
	const errSlot = h('div', { class: 'error-slot' });
	const saveBtn = h('button', { type: 'button', class: 'btn' }, t('tender.save_draft'));
	const publishBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('tender.save_publish'));
	const form = h('form', { class: 'tender-form stack', novalidate: true, 'aria-label': t(titleKey) },
		errSlot, basics, methodSet, criteriaSet, eligSet, datesSet,
		h('div', { class: 'actions form-actions' }, publishBtn, saveBtn,
			h('a', { class: 'btn btn-link', href: tender ? `#/tenders/${encodeURIComponent(tender.id)}` : '#/purchase/tenders' }, t('common.cancel'))));
	form.addEventListener('input', (ev) => {
		if (ev.target.matches('input[data-part="points"], input[name="price_points"]')) syncTotal();
	});
	renumberCriteria();
	renumberInvited();
	syncMethod();
	syncTotal();
	view.append(form);

	function read() {
		const v = (n) => {
			const el = form.elements.namedItem(n);
			return el && 'value' in el ? el.value.trim() : '';
		};
		const errors = [];
		const body = {
			title: v('title'),
			description: v('description'),
			service_category: v('service_category'),
			department: v('department'),
			method: v('method'),
			evaluation_method: v('evaluation_method'),
		};
		// Only what cannot be sent stops here; what is missing the daemon says, all at once.
		const budget = readYuan(v('budget_fen'));
		if (budget.error) errors.push({ field: 'budget_fen', message: t(budget.error) });
		else if (budget.fen !== null) body.budget_fen = budget.fen;
		const ints = [['contract_months', 'contract_months'], ['price_points', 'price_points']];
		for (const [name, key] of ints) {
			const s = v(name);
			if (s === '') continue; // the daemon says "required"
			const n = intOrNull(s);
			if (n === null) errors.push({ field: name, message: t('error.integer') });
			else body[key] = n;
		}
		body.criteria = criteriaRows().map((row, i) => {
			const name = row.querySelector('input[data-part="name"]').value.trim();
			const ps = row.querySelector('input[data-part="points"]').value.trim();
			const c = { id: row.dataset.id, name };
			const n = intOrNull(ps);
			if (ps !== '' && n === null) errors.push({ field: `criteria.${i}.max_points`, message: t('error.integer') });
			if (n !== null) c.max_points = n;
			return c;
		});
		const years = v('eligibility.min_years_registered');
		const checked = (n) => [...form.querySelectorAll(`input[type="checkbox"][name="${n}"]:checked`)].map((x) => x.value);
		body.eligibility = {
			min_grade: v('eligibility.min_grade') || null,
			legal_forms: checked('eligibility.legal_forms'),
			categories: checked('eligibility.categories'),
		};
		if (years === '') body.eligibility.min_years_registered = 0;
		else if (intOrNull(years) === null) errors.push({ field: 'eligibility.min_years_registered', message: t('error.integer') });
		else body.eligibility.min_years_registered = intOrNull(years);
		body.invited_orgs = INVITING_METHODS.includes(body.method)
			? invitedRows().map((row) => row.querySelector('input').value.trim().toUpperCase()).filter(Boolean) : [];
		for (const k of ['enquiry_end', 'bid_deadline']) {
			const s = v(k);
			if (s === '') continue;
			const iso = fromChinaInput(s);
			if (!iso) errors.push({ field: k, message: t('tender.error.datetime') });
			else body[k] = iso;
		}
		return { body, errors };
	}

	const createKey = idempotencyKeys();
	async function save(body) {
		const r = tender
			? await patch(`/tenders/${encodeURIComponent(tender.id)}`, body, { ifMatch: version })
			: await post('/tenders', body, { headers: { 'Idempotency-Key': createKey(body) } });
		const first = !tender;
		tender = r.data;
		version = tender.version;
		// From now on this page edits the draft it made: a reload must not make another.
		if (first) history.replaceState(null, '', `#/purchase/tenders/${encodeURIComponent(tender.id)}/edit`);
	}

	async function run(publish) {
		const { body, errors } = read();
		if (errors.length) {
			showProblem(errSlot, localProblem(errors), form, { title: 'error.save_failed' });
			return;
		}
		try {
			await save(body);
		} catch (e) {
			showProblem(errSlot, e, form, { title: 'error.save_failed' });
			return;
		}
		if (publish) {
			try {
				await post(`/tenders/${encodeURIComponent(tender.id)}/publish`, {}, { ifMatch: version });
			} catch (e) {
				showProblem(errSlot, e, form, { title: 'tender.publish_failed' });
				const box = errSlot.querySelector('.problem');
				if (box) box.append(h('p', { class: 'muted' }, t('tender.draft_kept')));
				if (e instanceof ApiError && e.status === 412) {
					try {
						const r = await get(`/tenders/${encodeURIComponent(tender.id)}`);
						tender = r.data;
						version = tender.version;
					} catch { /* the next attempt will say */ }
				}
				return;
			}
		}
		flash(t(publish ? 'tender.published' : 'tender.saved'));
		ctx.navigate(`#/tenders/${encodeURIComponent(tender.id)}`);
	}

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(publishBtn, () => run(true));
	});
	saveBtn.addEventListener('click', () => busy(saveBtn, () => run(false)));
}
