// credit.js — 信用信息 on an organization's page (SPEC §5, Appendix B; GET /orgs/{uscc}/credit).
// Everyone sees the grade with its validity, the lists the organization is on now (grounds, date,
// and whether a rule or the registration authority listed it), every listing and removal, the
// credit events told in words, whether it may bid (and why not) and the annual reports it owes.
// A registrar also grades it (POST …/grade), records inspections, penalties and commendations
// (POST …/credit-events; a penalty lists the organization by itself, its `consequences`), lists it
// (POST …/list-entries) and removes an entry (POST …/list-entries/{id}/remove, If-Match the entry's
// version). The POSTs that create carry one Idempotency-Key per dialog and body.

import { h } from './dom.js';
import { t, has, label } from './i18n.js';
import { get, post, serverNow, idempotencyKeys } from './api.js';
import { dl, badge, field, fmtDate, fmtYuan, loading, messageArea, localProblem, openDialog, enumOptions, dataTable, notice } from './ui.js';
import { readYuan } from './money.js';
import { CREDIT_LISTS, LIST_REASONS, CREDIT_EVENT_KINDS, PENALTY_TYPES, INSPECTION_CONCLUSIONS } from './enums.js';

// The daemon's limits on texts (api/credit/credit.h).
const TEXT_MAX = 2000;
const NAME_MAX = 200;
const NUMBER_MAX = 100;

// ---------------------------------------------------------------- words

export function listBadge(list) {
	return badge(label('list', list), list === 'serious' ? 'danger' : 'warn');
}

export function reasonText(reason) {
	return label('list_reason', reason);
}

// How an entry came about: a rule (a penalty's consequence, the daily check) or the registrar.
export function ruleText(rule) {
	if (!rule) return t('credit.rule_manual');
	return has(`list_rule.${rule}`) ? t(`list_rule.${rule}`) : t('credit.rule_auto', { rule });
}

// One credit event in words: its title line and the lines under it.
function eventTitle(e) {
	switch (e.kind) {
	case 'penalty':
		return e.penalty_type === 'fine' && e.fine_fen != null
			? t('credit.event.penalty_fine', { amount: fmtYuan(e.fine_fen) })
			: t('credit.event.penalty', { type: label('penalty_type', e.penalty_type) });
	case 'inspection':
		return t('credit.event.inspection', { conclusion: label('conclusion', e.conclusion) });
	case 'commendation':
		return t('credit.event.commendation', { title: e.title || '' });
	case 'performance':
		return e.score != null ? t('credit.event.performance_score', { score: e.score }) : t('credit.event.performance');
	default:
		return label('credit_kind', e.kind);
	}
}

// Free text a registrar wrote is shown as recorded (in Chinese).
const recorded = (text) => h('span', { lang: 'zh-CN' }, text);

function eventLines(e) {
	return [['credit.event.decision', e.decision_number], ['credit.event.authority', e.authority], ['credit.event.basis', e.basis]]
		.filter(([, v]) => v)
		.map(([key, v]) => h('p', { class: 'small' }, t(key), recorded(v)));
}

// The evidence of an entry: a text (manual listings), or references — the credit events that
// listed it (penalties, repeated_penalties), the report years (annual_report_late), the abnormal
// entry that lasted (abnormal_two_years).
function evidenceView(entry, c) {
	const ev = entry.evidence;
	if (typeof ev === 'string' && ev) return h('p', { class: 'small' }, t('credit.evidence'), recorded(ev));
	if (!ev || typeof ev !== 'object') return null;
	const lines = [];
	if (Array.isArray(ev.event_ids) && ev.event_ids.length) {
		const named = ev.event_ids.map((id) => {
			const e = (c.events || []).find((x) => x.id === id);
			if (!e) return t('credit.event_ref', { id });
			return [eventTitle(e), e.decision_number ? `（${e.decision_number}）` : '', ` ${e.decided_on}`].join('');
		});
		lines.push(t('credit.evidence_events', { events: named.join('；') }));
	}
	if (Array.isArray(ev.years) && ev.years.length) {
		lines.push(t('credit.evidence_years', { years: ev.years.map((year) => t('reports.year', { year })).join(t('common.list_sep')) }));
	}
	if (Array.isArray(ev.list_entry_ids) && ev.list_entry_ids.length) {
		const named = ev.list_entry_ids.map((id) => {
			const x = (c.history || []).find((y) => y.id === id);
			return x ? t('credit.entry_ref', { list: label('list', x.list), date: x.listed_on, reason: reasonText(x.reason) }) : t('credit.entry_ref_id', { id });
		});
		lines.push(t('credit.evidence_entries', { entries: named.join('；') }));
	}
	return lines.length ? lines.map((line) => h('p', { class: 'small' }, line)) : null;
}

// Why an entry left its list: a registrar's words, shown as recorded, or the rule that removed it
// (the late report filed: annual_report_late_lapse), in the page's language.
export function removalReasonText(e) {
	return e.removal_rule === 'annual_report_late_lapse' && e.cause_fixed_on
		? t('credit.lapse_reason', { date: e.cause_fixed_on })
		: recorded(e.removal_reason);
}

// A cause the platform knows was fixed (the late report, filed): by when a registrar removes it.
function fixedView(e) {
	if (!e.cause_fixed_on) return null;
	const late = e.removal_due_on && e.removal_due_on < fmtDate(serverNow().toISOString());
	return h('p', { class: 'small' }, t('credit.cause_fixed', { fixed: e.cause_fixed_on, due: e.removal_due_on || '—' }),
		late ? [' ', badge(t('credit.removal_overdue'), 'danger')] : null);
}

function gradeView(c) {
	if (!c.grade) return t('credit.not_graded');
	const today = fmtDate(serverNow().toISOString());
	const expired = c.grade_valid_until && c.grade_valid_until < today;
	return h('span', { 'data-testid': 'credit-grade' },
		badge(c.grade, expired ? 'muted' : 'info'), ' ',
		c.score != null ? t('credit.grade_detail', { score: c.score, until: c.grade_valid_until || '—' })
			: t('credit.grade_until', { until: c.grade_valid_until || '—' }),
		expired ? [' ', badge(t('credit.grade_expired'), 'warn')] : null);
}

function currentView(c, { registrar, onRemove }) {
	if (!c.lists.length) return h('span', { 'data-testid': 'credit-lists' }, t('org.no_lists'));
	return h('ul', { class: 'plain credit-entries', 'data-testid': 'credit-lists' }, c.lists.map((e) => h('li', { dataset: { entry: String(e.id), list: e.list } },
		h('div', {}, listBadge(e.list), ' ', h('strong', {}, reasonText(e.reason))),
		h('div', { class: 'small muted' }, t('credit.listed_on', { date: e.listed_on }), ' · ', ruleText(e.rule)),
		evidenceView(e, c),
		fixedView(e),
		// Which entry the button removes, for those who hear it (its visible words come first).
		registrar ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', onclick: () => onRemove(e) },
			t('credit.remove'), h('span', { class: 'sr-only' }, t('credit.remove_which', { list: label('list', e.list), reason: reasonText(e.reason) })))) : null)));
}

function canBidView(c) {
	if (c.can_bid) return h('span', { 'data-testid': 'can-bid' }, badge(t('common.yes'), 'ok'), ' ', t('credit.can_bid_yes'));
	const reasons = (c.can_bid_reasons || []).map((r) => label('bid_reason', r)).join(t('common.list_sep'));
	return h('span', { 'data-testid': 'can-bid' }, badge(t('common.no'), 'danger'), ' ', reasons ? t('credit.can_bid_no', { reasons }) : '');
}

function missingReports(years) {
	if (!years.length) return t('credit.reports_missing_none');
	return years.map((year) => t('reports.year', { year })).join(t('common.list_sep'));
}

function historyView(entries, c) {
	if (!entries.length) return h('p', { class: 'empty', 'data-testid': 'credit-history' }, t('credit.history_none'));
	const tbl = dataTable([
		{ key: 'credit.col.list', cell: (e) => listBadge(e.list) },
		{ key: 'credit.col.reason', cell: (e) => reasonText(e.reason) },
		{ key: 'credit.col.listed_on', cell: (e) => e.listed_on, class: 'nowrap' },
		{ key: 'credit.col.basis', cell: (e) => [ruleText(e.rule), evidenceView(e, c)] },
		{
			key: 'credit.col.removal',
			cell: (e) => (e.removed_on
				? [t('credit.removed', { date: e.removed_on }), e.removal_reason ? h('p', { class: 'small' }, `${t('field.removal_reason')}${t('common.colon')}`, removalReasonText(e)) : null]
				: badge(t('credit.still_listed'), e.list === 'serious' ? 'danger' : 'warn')),
		},
	], { caption: t('credit.history'), rowClass: (e) => `entry-${e.status || (e.removed_on ? 'removed' : 'listed')}` });
	// Newest first, as the events below.
	tbl.add([...entries].reverse());
	tbl.table.dataset.testid = 'credit-history';
	return tbl.el;
}

function eventsView(events, entries) {
	if (!events.length) return h('p', { class: 'empty', 'data-testid': 'credit-events' }, t('credit.events_none'));
	return h('ol', { class: 'timeline', 'data-testid': 'credit-events' }, [...events].reverse().map((e) => {
		const listed = entries.filter((x) => x.evidence && Array.isArray(x.evidence.event_ids) && x.evidence.event_ids.includes(e.id));
		return h('li', { dataset: { event: String(e.id), kind: e.kind } },
			h('div', { class: 'timeline-head' }, h('strong', {}, eventTitle(e)), ' ', h('time', { datetime: e.decided_on }, e.decided_on)),
			eventLines(e),
			listed.map((x) => h('p', { class: 'small' }, listBadge(x.list), ' ', t('credit.event.listed', { list: label('list', x.list) }))));
	}));
}

// ---------------------------------------------------------------- the registrar's forms

// A field whose label is its own (not the API field's general one); errors name it so too.
function labelled(opts) {
	const el = field(opts);
	if (opts.label) el.dataset.label = t(opts.label);
	return el;
}

const todayInChina = () => fmtDate(serverNow().toISOString());

function dateField(name = 'decided_on') {
	const today = todayInChina();
	return field({ name, type: 'date', required: true, value: today, attrs: { max: today } });
}

// A form's text, trimmed; empty ones are left out of the body, so the daemon says "required".
function texts(form, names) {
	const out = {};
	for (const n of names) {
		const el = form.elements.namedItem(n);
		const v = el ? el.value.trim() : '';
		if (v) out[n] = v;
	}
	return out;
}

function gradeDialog(uscc) {
	const key = idempotencyKeys();
	return openDialog({
		title: t('credit.grade_title'), confirmLabel: t('credit.grade_confirm'),
		body: [
			h('p', { class: 'hint' }, t('credit.grade_intro')),
			field({ name: 'score', type: 'number', required: true, attrs: { inputmode: 'numeric', min: 0, max: 1000, step: 1, autofocus: true } }),
			dateField(),
			field({ name: 'basis', type: 'textarea', rows: 3, required: true, hint: 'credit.hint.basis_grade', attrs: { maxlength: TEXT_MAX } }),
		],
		onConfirm: async (form) => {
			const body = texts(form, ['decided_on', 'basis']);
			const s = form.elements.score.value.trim();
			// The range is the daemon's rule (its 422 names it); here only what a number is.
			if (s !== '') {
				if (!/^-?\d+$/.test(s)) throw localProblem([{ field: 'score', message: t('verr.not_integer') }]);
				body.score = Number(s);
			}
			const r = await post(`/orgs/${encodeURIComponent(uscc)}/grade`, body, { headers: { 'Idempotency-Key': key(body) } });
			return r.data;
		},
	});
}

// The fields of each kind of event (credit_events.c): inspection {conclusion, decided_on, basis?},
// penalty {penalty_type, fine_fen (fines), decision_number, authority, decided_on, basis},
// commendation {title, authority, decided_on, basis?}.
function eventFields(kind) {
	if (kind === 'inspection') {
		return [
			labelled({ name: 'conclusion', label: 'field.conclusion.inspection', type: 'select', required: true, options: enumOptions('conclusion', INSPECTION_CONCLUSIONS, { blank: 'app.form.choose' }) }),
			dateField(),
			field({ name: 'basis', type: 'textarea', rows: 3, hint: 'credit.hint.basis_optional', attrs: { maxlength: TEXT_MAX } }),
		];
	}
	if (kind === 'penalty') {
		const fine = field({ name: 'fine_fen', required: true, hint: 'credit.hint.fine', attrs: { inputmode: 'decimal', autocomplete: 'off' } });
		fine.hidden = true;
		const type = field({ name: 'penalty_type', type: 'select', required: true, options: enumOptions('penalty_type', PENALTY_TYPES, { blank: 'app.form.choose' }) });
		type.querySelector('select').addEventListener('change', (ev) => {
			fine.hidden = ev.target.value !== 'fine';
		});
		return [
			type, fine,
			field({ name: 'decision_number', required: true, attrs: { maxlength: NUMBER_MAX, autocomplete: 'off' } }),
			labelled({ name: 'authority', label: 'credit.field.authority.penalty', required: true, attrs: { maxlength: NAME_MAX } }),
			dateField(),
			field({ name: 'basis', type: 'textarea', rows: 3, required: true, hint: 'credit.hint.basis_penalty', attrs: { maxlength: TEXT_MAX } }),
		];
	}
	if (kind === 'commendation') {
		return [
			labelled({ name: 'title', label: 'credit.field.title', required: true, attrs: { maxlength: NAME_MAX } }),
			labelled({ name: 'authority', label: 'credit.field.authority.commendation', required: true, attrs: { maxlength: NAME_MAX } }),
			dateField(),
			field({ name: 'basis', type: 'textarea', rows: 3, hint: 'credit.hint.basis_optional', attrs: { maxlength: TEXT_MAX } }),
		];
	}
	return [];
}

function eventDialog(uscc) {
	const key = idempotencyKeys();
	const slot = h('div');
	const kind = labelled({ name: 'kind', label: 'credit.field.kind', type: 'select', required: true, options: enumOptions('credit_kind', CREDIT_EVENT_KINDS, { blank: 'app.form.choose' }) });
	kind.querySelector('select').addEventListener('change', (ev) => {
		slot.replaceChildren(...eventFields(ev.target.value));
	});
	return openDialog({
		title: t('credit.event_title'), confirmLabel: t('credit.event_confirm'),
		body: [h('p', { class: 'hint' }, t('credit.event_intro')), kind, slot],
		onConfirm: async (form) => {
			const k = form.elements.kind.value;
			if (!k) throw localProblem([{ field: 'kind', message: t('error.required') }]);
			const body = { kind: k, ...texts(form, ['conclusion', 'penalty_type', 'decision_number', 'authority', 'title', 'decided_on', 'basis']) };
			if (k === 'penalty' && body.penalty_type === 'fine') {
				const r = readYuan(form.elements.fine_fen.value, { required: true });
				if (r.error) throw localProblem([{ field: 'fine_fen', message: t(r.error) }]);
				body.fine_fen = r.fen;
			}
			const r = await post(`/orgs/${encodeURIComponent(uscc)}/credit-events`, body, { headers: { 'Idempotency-Key': key(body) } });
			return r.data;
		},
	});
}

function reasonOptions(list) {
	if (!list) return [['', t('credit.choose_list_first')]];
	return enumOptions('list_reason', LIST_REASONS[list], { blank: 'app.form.choose' });
}

function listDialog(uscc) {
	const key = idempotencyKeys();
	const list = field({ name: 'list', type: 'select', required: true, options: enumOptions('list', CREDIT_LISTS, { blank: 'app.form.choose' }) });
	const reason = labelled({ name: 'reason', label: 'credit.field.list_reason', type: 'select', required: true, options: reasonOptions('') });
	const reasonSel = reason.querySelector('select');
	// The grounds depend on the list (list_entry_flow.c).
	list.querySelector('select').addEventListener('change', (ev) => {
		reasonSel.replaceChildren(...reasonOptions(ev.target.value).map(([v, text]) => h('option', { value: v }, text)));
	});
	return openDialog({
		title: t('credit.list_title'), confirmLabel: t('credit.list_confirm'),
		body: [
			h('p', { class: 'hint' }, t('credit.list_intro')),
			list, reason,
			field({ name: 'evidence', type: 'textarea', rows: 4, required: true, hint: 'credit.hint.evidence', attrs: { maxlength: TEXT_MAX } }),
		],
		onConfirm: async (form) => {
			const body = texts(form, ['list', 'reason', 'evidence']);
			const r = await post(`/orgs/${encodeURIComponent(uscc)}/list-entries`, body, { headers: { 'Idempotency-Key': key(body) } });
			return r.data;
		},
	});
}

// Removal is no creation: the entry's version (If-Match) makes a second removal a 409, not a repeat.
function removeDialog(uscc, entry) {
	const listName = label('list', entry.list);
	return openDialog({
		title: t('credit.remove_title', { list: listName }), confirmLabel: t('credit.remove_confirm'), danger: true,
		body: [
			h('p', {}, listBadge(entry.list), ' ', t('credit.remove_entry', { reason: reasonText(entry.reason), date: entry.listed_on })),
			notice(t(entry.list === 'serious' ? 'credit.remove_serious' : 'credit.remove_abnormal'), 'warn'),
			labelled({ name: 'reason', label: 'field.removal_reason', type: 'textarea', rows: 3, required: true, hint: 'credit.hint.removal_reason', attrs: { maxlength: TEXT_MAX, autofocus: true } }),
		],
		onConfirm: async (form) => {
			const body = texts(form, ['reason']);
			const r = await post(`/orgs/${encodeURIComponent(uscc)}/list-entries/${encodeURIComponent(entry.id)}/remove`, body, { ifMatch: entry.version });
			return r.data;
		},
	});
}

// ---------------------------------------------------------------- the section

// The section's body. registrar: the signed-in user is a registrar; onChange() after a change
// (the page's grade badge and registration history follow).
export function creditSection(org, { registrar = false, onChange } = {}) {
	const uscc = org.uscc;
	const messages = messageArea();
	const body = h('div', {}, loading());
	const canAct = registrar && org.status === 'registered';
	const el = h('div', { class: 'credit', 'data-testid': 'credit' }, messages.el, body);

	async function done(text) {
		await load();
		messages.ok(text);
		if (onChange) onChange();
	}

	async function onRemove(entry) {
		const r = await removeDialog(uscc, entry);
		if (r) await done(t('credit.removed_done', { list: label('list', r.list || entry.list) }));
	}

	function tools() {
		const gradeBtn = h('button', { type: 'button', class: 'btn' }, t('credit.grade'));
		const eventBtn = h('button', { type: 'button', class: 'btn btn-primary' }, t('credit.record_event'));
		const listBtn = h('button', { type: 'button', class: 'btn btn-danger-outline' }, t('credit.list'));
		gradeBtn.addEventListener('click', async () => {
			const g = await gradeDialog(uscc);
			if (g) await done(t('credit.graded', { grade: g.grade, score: g.score, until: g.valid_until }));
		});
		eventBtn.addEventListener('click', async () => {
			const e = await eventDialog(uscc);
			if (!e) return;
			const lines = [t('credit.event_recorded', { kind: label('credit_kind', e.kind) })];
			for (const x of e.consequences || []) lines.push(t('credit.event_listed', { list: label('list', x.list), reason: reasonText(x.reason) }));
			await done(lines.join(' '));
		});
		listBtn.addEventListener('click', async () => {
			const x = await listDialog(uscc);
			if (x) await done(t('credit.listed', { list: label('list', x.list), reason: reasonText(x.reason) }));
		});
		return h('div', { class: 'actions credit-tools', role: 'group', 'aria-label': t('credit.tools') }, gradeBtn, eventBtn, listBtn);
	}

	async function load() {
		let c;
		try {
			c = (await get(`/orgs/${encodeURIComponent(uscc)}/credit`)).data || {};
		} catch (e) {
			body.replaceChildren();
			messages.problem(e, null, { title: 'error.load_failed' });
			return;
		}
		const lists = Array.isArray(c.lists) ? c.lists : [];
		const history = Array.isArray(c.history) ? c.history : lists;
		const events = Array.isArray(c.events) ? c.events : [];
		const view = { ...c, lists, history, events };
		const rows = [
			['field.grade', gradeView(view)],
			['field.lists', currentView(view, { registrar: canAct, onRemove })],
			['field.can_bid', canBidView(view)],
			// Appendix B: the years owed (a daemon without the field shows no row).
			Array.isArray(c.annual_reports_missing) ? ['field.annual_reports_missing', h('span', { 'data-testid': 'reports-missing' }, missingReports(c.annual_reports_missing))] : null,
		];
		// The DOM's own replaceChildren would write a null as the word "null": only nodes here.
		body.replaceChildren(...[
			dl(rows),
			canAct ? tools() : null,
			h('h3', {}, t('credit.history')), historyView(history, view),
			h('h3', {}, t('org.events')), eventsView(events, history)].filter(Boolean));
	}

	load();
	return el;
}
