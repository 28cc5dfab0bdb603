// annual-reports.js — 年度工作报告 on the organization's page (SPEC §4): everyone sees which years
// were filed, on time or late, and the registrar's conclusion; the owner (and registrars) also see
// the accounts; the owner files last year's report (money typed in yuan, sent as integer fen);
// a registrar concludes each report pass | basic_pass | fail (a fail needs a note).
// GET/POST /orgs/{uscc}/annual-reports, POST /orgs/{uscc}/annual-reports/{year}/conclusion.

import { h } from './dom.js';
import { t, label } from './i18n.js';
import { get, post, qs, serverNow } from './api.js';
import {
	dl, badge, field, busy, fmtDate, fmtDateTime, fmtYuan, loading, messageArea, localProblem, openDialog, enumOptions,
} from './ui.js';
import { readYuan } from './money.js';

const MONEY = ['assets_fen', 'liabilities_fen', 'income_fen', 'expense_fen', 'public_welfare_expense_fen'];
const CONCLUSIONS = ['pass', 'basic_pass', 'fail'];
const CONCLUSION_KIND = { pass: 'ok', basic_pass: 'warn', fail: 'danger' };
const MAX_STAFF = 10000000;

// The year whose report is filed now: last year, by the calendar in China on the daemon's clock
// (the Date of its answers, api.js serverNow), which is also the clock that refuses a wrong year.
export function reportYear(now = serverNow()) {
	return Number(fmtDate(now.toISOString()).slice(0, 4)) - 1;
}

async function loadReports(uscc) {
	const all = [];
	let cursor = null;
	for (let i = 0; i < 5; i++) {
		const r = await get(`/orgs/${encodeURIComponent(uscc)}/annual-reports${qs({ limit: 200, cursor })}`);
		all.push(...(r.data || []));
		cursor = r.next_cursor;
		if (!cursor) break;
	}
	return all;
}

function reportItem(rep, { canConclude, onConclude }) {
	const full = 'expense_fen' in rep;
	const badges = [
		rep.exempt ? badge(t('reports.exempt'), 'info') : rep.late ? badge(t('reports.late'), 'danger') : badge(t('reports.on_time'), 'ok'),
		' ',
		rep.conclusion ? badge(label('conclusion', rep.conclusion), CONCLUSION_KIND[rep.conclusion]) : badge(t('reports.pending_conclusion'), 'muted'),
	];
	const rows = [
		['field.filed_at', fmtDateTime(rep.filed_at)],
		['field.due_date', fmtDate(rep.due_date)],
		['field.conclusion', rep.conclusion ? label('conclusion', rep.conclusion) : t('reports.pending_conclusion')],
		rep.conclusion_note ? ['field.conclusion_note', h('span', { lang: 'zh-CN' }, rep.conclusion_note)] : null,
		rep.concluded_at ? ['field.concluded_at', fmtDateTime(rep.concluded_at)] : null,
	];
	const details = full ? h('details', { class: 'report-details' }, h('summary', {}, t('reports.details')), dl([
		...MONEY.map((k) => [`field.${k}`, fmtYuan(rep[k])]),
		['field.staff', rep.staff != null ? String(rep.staff) : ''],
		['field.activities', rep.activities ? h('span', { lang: 'zh-CN' }, rep.activities) : ''],
	])) : null;
	const actions = canConclude && !rep.conclusion
		? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn btn-small', onclick: () => onConclude(rep) }, t('reports.conclude')))
		: null;
	return h('li', { class: 'report', dataset: { year: String(rep.year) } },
		h('div', { class: 'report-head' }, h('strong', {}, t('reports.year', { year: rep.year })), ' ', badges),
		dl(rows), details, actions);
}

// The filing form for `year`; onFiled(report) after the daemon took it.
function fileForm(uscc, year, messages, onFiled) {
	const money = MONEY.map((k) => field({ name: k, required: true, attrs: { inputmode: 'decimal', autocomplete: 'off' } }));
	const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('reports.submit'));
	const form = h('form', { class: 'stack report-form', novalidate: true, 'aria-label': t('reports.file', { year }) },
		h('p', { class: 'hint' }, t('reports.file_intro')),
		field({ name: 'year', type: 'number', value: String(year), required: true, attrs: { min: 1949, max: 9999, inputmode: 'numeric' } }),
		h('div', { class: 'grid-2' }, money),
		field({ name: 'staff', type: 'number', required: true, attrs: { min: 0, max: MAX_STAFF, inputmode: 'numeric' } }),
		field({ name: 'activities', type: 'textarea', rows: 4, required: true, attrs: { maxlength: 20000 } }),
		h('div', { class: 'actions' }, submit));

	function read() {
		const v = (n) => form.elements.namedItem(n).value.trim();
		const errors = [];
		const body = {};
		const y = v('year');
		if (!/^\d{4}$/.test(y)) errors.push({ field: 'year', message: t('error.integer') });
		else body.year = Number(y);
		for (const k of MONEY) {
			const r = readYuan(v(k), { required: true });
			if (r.error) errors.push({ field: k, message: t(r.error) });
			else body[k] = r.fen;
		}
		// Public-welfare spending is part of all spending; the daemon refuses it otherwise.
		if (body.expense_fen != null && body.public_welfare_expense_fen != null && body.public_welfare_expense_fen > body.expense_fen) {
			errors.push({ field: 'public_welfare_expense_fen', message: t('error.exceeds_expense', { max: fmtYuan(body.expense_fen) }) });
		}
		const s = v('staff');
		if (s === '') errors.push({ field: 'staff', message: t('error.required') });
		else if (!/^\d+$/.test(s) || Number(s) > MAX_STAFF) errors.push({ field: 'staff', message: t('error.integer') });
		else body.staff = Number(s);
		const a = v('activities');
		if (!a) errors.push({ field: 'activities', message: t('error.required') });
		else body.activities = a;
		return { body, errors };
	}

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(submit, async () => {
			const { body, errors } = read();
			if (errors.length) {
				messages.problem(localProblem(errors), form, { title: 'error.submit_failed' });
				return;
			}
			try {
				const r = await post(`/orgs/${encodeURIComponent(uscc)}/annual-reports`, body);
				onFiled(r.data || body);
			} catch (e) {
				messages.problem(e, form, { title: 'error.submit_failed' });
			}
		});
	});
	return form;
}

async function conclude(uscc, rep) {
	return openDialog({
		title: t('reports.conclude_title', { year: rep.year }), confirmLabel: t('reports.conclude'),
		body: [
			field({ name: 'conclusion', type: 'select', required: true, options: enumOptions('conclusion', CONCLUSIONS, { blank: 'app.form.choose' }) }),
			field({ name: 'note', label: 'field.conclusion_note', type: 'textarea', rows: 3, hint: 'reports.note_hint', attrs: { maxlength: 2000 } }),
		],
		onConfirm: async (form) => {
			const conclusion = form.elements.conclusion.value;
			const note = form.elements.note.value.trim();
			const errors = [];
			if (!conclusion) errors.push({ field: 'conclusion', message: t('error.required') });
			if (conclusion === 'fail' && !note) errors.push({ field: 'note', message: t('reports.note_hint') });
			if (errors.length) throw localProblem(errors);
			const r = await post(`/orgs/${encodeURIComponent(uscc)}/annual-reports/${encodeURIComponent(rep.year)}/conclusion`,
				note ? { conclusion, note } : { conclusion }, { ifMatch: rep.version });
			return r.data || { ...rep, conclusion };
		},
	});
}

// The section's body. owner: the signed-in applicant acts for the organization; registrar: the
// signed-in user is a registrar.
export function annualReports(org, { owner = false, registrar = false } = {}) {
	const messages = messageArea();
	const list = h('div', {}, loading());
	const formSlot = h('div');
	const el = h('div', { 'data-testid': 'annual-reports' }, messages.el, list, formSlot);

	async function render() {
		let reports;
		try {
			reports = await loadReports(org.uscc);
		} catch (e) {
			list.replaceChildren();
			messages.problem(e, null, { title: 'error.load_failed' });
			return;
		}
		list.replaceChildren(reports.length
			? h('ol', { class: 'plain reports' }, reports.map((rep) => reportItem(rep, {
				canConclude: registrar,
				onConclude: async (r) => {
					const done = await conclude(org.uscc, r);
					if (!done) return;
					await render();
					messages.ok(t('reports.concluded', { year: r.year, conclusion: label('conclusion', done.conclusion) }));
				},
			})))
			: h('p', { class: 'empty' }, t('reports.none')));
		formSlot.replaceChildren();
		const year = reportYear();
		const registeredBy = !org.registered_at || org.registered_at <= `${year}-12-31`;
		if (owner && org.status === 'registered' && registeredBy && !reports.some((r) => r.year === year)) {
			formSlot.append(h('details', { class: 'report-file', open: true },
				h('summary', {}, t('reports.file', { year })),
				fileForm(org.uscc, year, messages, async (rep) => {
					await render();
					messages.ok(t('reports.filed', { year: rep.year }));
				})));
		}
	}
	render();
	return el;
}
