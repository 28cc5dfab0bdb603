// problems.js — RFC 9457 problems in the reader's language. The daemon's title is an HTTP reason
// phrase and its detail and errors[].message are English; the UI chooses its own text by the
// problem's `code` and each field error's `code` (i18n.js: problem.*, verr.*), filling in the
// numbers the rule is about from the message (minimums, limits, dates). Only a code the UI does
// not know falls back to the daemon's text.

import { t, has, label } from './i18n.js';
import { fenToYuan } from './money.js';

function match(re, s) {
	const m = re.exec(String(s || ''));
	return m ? m.slice(1) : null;
}

const yuan = (fen) => `¥${fenToYuan(Number(fen), { group: true })}`;
// An RFC 3339 time from a message, in China time (UTC+8 all year): "2026-03-30 10:00".
const cnTime = (iso) => {
	const ms = Date.parse(iso);
	return Number.isFinite(ms) ? new Date(ms + 8 * 3600e3).toISOString().slice(0, 16).replace('T', ' ') : iso;
};
const RFC3339 = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)/;
// A tender's problem (its states are dotted, its words say "tender").
const isTender = (p) => /tender/.test(p.detail || '') || /^active\./.test(p.current_status || '');
const last = (field) => String(field || '').replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => !/^\d+$/.test(p)).pop() || '';
const isMoney = (field) => /_fen$/.test(last(field));

// code -> (error) => [key, params] or a key; a key the table lacks falls back to the message.
const FIELD_RULES = {
	required: (e) => {
		const f = String(e.field || '');
		if (f.startsWith('documents.')) return 'verr.required.document';
		if (/cannot be cleared/.test(e.message)) return 'verr.required.clear';
		if (f === 'reason') return 'verr.required.reason';
		if (f === 'items') return 'verr.required.items';
		if (/\.message$/.test(f) || /^items\.\d+\.message$/.test(f.replace(/\[(\d+)\]/g, '.$1'))) return 'verr.required.message';
		if (f === 'changes') return 'verr.required.changes';
		return 'verr.required';
	},
	too_short: (e) => {
		const [n] = match(/at least (\d+)/, e.message) || [];
		if (!n) return 'verr.required';
		return [last(e.field) === 'password' ? 'verr.too_short.password' : 'verr.too_short', { n }];
	},
	too_long: (e) => {
		const [n] = match(/at most (\d+)/, e.message) || [];
		if (!n) return 'verr.type';
		return [/bytes/.test(e.message) ? 'verr.too_long.bytes' : 'verr.too_long', { n }];
	},
	out_of_range: (e) => {
		const m = match(/between (-?\d+) and (-?\d+)/, e.message) || match(/must be from (-?\d+) to (-?\d+)/, e.message);
		if (!m) return 'verr.out_of_range.plain';
		const fmt = (v) => (isMoney(e.field) ? yuan(v) : v);
		return ['verr.out_of_range', { min: fmt(m[0]), max: fmt(m[1]) }];
	},
	too_many: (e) => {
		const [n] = match(/at most (\d+)/, e.message) || [];
		return n ? ['verr.too_many', { n }] : 'verr.type';
	},
	too_few_members: (e) => {
		let m = match(/needs at least (\d+) members in all; it has (\d+)/, e.message);
		if (m) return ['verr.too_few_members.mixed', { min: m[0], have: m[1] }];
		m = match(/needs at least (\d+) individual members, (\d+) unit members, or (\d+) members/, e.message);
		if (m) return ['verr.too_few_members.none', { a: m[0], b: m[1], c: m[2] }];
		m = match(/needs at least (\d+); members\.(unit|individual) is (\d+)/, e.message);
		if (m) return [`verr.too_few_members.${m[1]}`, { min: m[0], have: m[2] }];
		return 'verr.too_few_members.plain';
	},
	too_few_directors: (e) => {
		const m = match(/at least (\d+) directors; directors lists (\d+)/, e.message);
		return m ? ['verr.too_few_directors', { min: m[0], have: m[1] }] : 'verr.too_few_directors.plain';
	},
	too_many_directors: (e) => {
		const m = match(/at most (\d+) directors; directors lists (\d+)/, e.message);
		return m ? ['verr.too_many_directors', { max: m[0], have: m[1] }] : 'verr.too_many_directors.plain';
	},
	funds_below_minimum: (e) => {
		const m = match(/is (\d+) fen .*needs at least (\d+) fen/, e.message);
		return m ? ['verr.funds_below_minimum', { have: yuan(m[0]), min: yuan(m[1]) }] : 'verr.funds_below_minimum.plain';
	},
	birth_date_in_future: (e) => {
		const [date] = match(/\((\d{4}-\d{2}-\d{2})\)/, e.message) || [];
		return date ? ['verr.birth_date_in_future', { date }] : 'verr.birth_date_in_future.plain';
	},
	not_adult: (e) => {
		const [date] = match(/born (\d{4}-\d{2}-\d{2})/, e.message) || [];
		return date ? ['verr.not_adult', { date }] : 'verr.not_adult.plain';
	},
	name_region_prefix: (e) => {
		const m = match(/region \d+, (\S+) \(or with the regions above it: (\S+)\)/, e.message);
		return m ? ['verr.name_region_prefix', { region: m[0], chain: m[1] }] : 'verr.name_region_prefix.plain';
	},
	name_form_word: (e) => {
		const form = formName(match(/(a social group|a foundation|a social service institution)/, e.message));
		const [words] = match(/one of (\S+)$/, e.message) || [];
		const [never] = match(/ends with (\S+), which/, e.message) || [];
		if (!form || !words) return 'verr.name_form_word.plain';
		const list = words.split('/').join(t('common.list_sep'));
		return never ? ['verr.name_form_word.never', { form, word: never, words: list }] : ['verr.name_form_word', { form, words: list }];
	},
	name_banned_word: (e) => {
		const m = match(/may not contain (\S+?)( in a local registration)?$/, e.message);
		if (!m) return 'verr.name_banned_word.plain';
		return [m[1] ? 'verr.name_banned_word.local' : 'verr.name_banned_word', { word: m[0] }];
	},
	not_allowed: (e) => (['role', 'expert', 'invited_orgs'].includes(e.field) ? `verr.not_allowed.${e.field}` : 'verr.not_allowed'),
	invalid_format: (e) => {
		const f = String(e.field || '').replace(/\[(\d+)\]/g, '.$1');
		if (/^criteria\.\d+\.id$/.test(f)) return 'verr.invalid_format.criterion_id';
		if (f === 'service_category') return 'verr.invalid_format.service_category';
		// A region is typed by name in the picker: the refusal speaks of names, not only of codes.
		if (['region_code', 'region'].includes(last(f))) return 'verr.invalid_format.region';
		return 'verr.invalid_format';
	},
	// Tenders (api/tenders/tender_check.c) and bids (api/credit/eligibility.c).
	points_not_100: (e) => {
		const m = match(/max_points \((\d+)\) and price_points \((\d+)\) must add up to 100, not (\d+)/, e.message);
		return m ? ['verr.points_not_100', { criteria: m[0], price: m[1], total: m[2] }] : 'verr.points_not_100.plain';
	},
	in_the_past: (e) => {
		const [at] = match(RFC3339, e.message) || [];
		return at ? ['verr.in_the_past', { at: cnTime(at) }] : 'verr.in_the_past.plain';
	},
	too_soon: (e) => {
		const m = match(/with method (\w+) the bid deadline is at least (\d+) days after publication: (\S+) at the earliest/, e.message);
		if (!m) return 'verr.too_soon.plain';
		if (m[1] === '0') return 'verr.too_soon.now';
		return ['verr.too_soon', { method: label('tender_method', m[0]), n: m[1], at: cnTime(m[2]) }];
	},
	too_few_invited: (e) => {
		const m = match(/at least (\d+) organizations.*; (\d+) named/, e.message);
		return m ? ['verr.too_few_invited', { n: m[0], have: m[1] }] : 'verr.too_few_invited.plain';
	},
	single_source_one: (e) => {
		const [have] = match(/; (\d+) named/, e.message) || [];
		return have ? ['verr.single_source_one', { have }] : 'verr.single_source_one.plain';
	},
	not_your_department: (e) => {
		const [department] = match(/own department \((.+)\)$/, e.message) || [];
		return department ? ['verr.not_your_department', { department }] : 'verr.not_your_department.plain';
	},
	grade_too_low: (e) => {
		const [n] = match(/at least (\d)A/, e.message) || [];
		return n ? ['verr.grade_too_low', { grade: `${n}A` }] : 'verr.grade_too_low.plain';
	},
	registered_too_recently: (e) => {
		const [n] = match(/at least (\d+) years/, e.message) || [];
		return n ? ['verr.registered_too_recently', { n }] : 'verr.registered_too_recently.plain';
	},
	invalid_characters: (e) => (e.field === 'name' ? 'verr.invalid_characters.name' : 'verr.invalid_characters'),
	unknown_field: (e) => {
		const key = String(e.field || '').split('.').pop();
		return key && key !== 'body' ? ['verr.unknown_field', { key }] : 'verr.unknown_field.plain';
	},
	exceeds_expense: (e) => {
		const m = match(/\((\d+)\) cannot be more than expense_fen \((\d+)\)/, e.message);
		return m ? ['verr.exceeds_expense', { have: yuan(m[0]), max: yuan(m[1]) }] : 'verr.exceeds_expense.plain';
	},
	not_registered_that_year: (e) => {
		const [year] = match(/registered after (\d{4})/, e.message) || [];
		return year ? ['verr.not_registered_that_year', { year }] : 'verr.not_registered_that_year.plain';
	},
	invalid_owner: (e) => {
		if (/disabled/.test(e.message || '')) return 'verr.invalid_owner.disabled';
		if (/only an applicant/.test(e.message || '')) return 'verr.invalid_owner.role';
		return 'verr.invalid_owner';
	},
	wrong_year: (e) => {
		const [year] = match(/the one for (\d{4})/, e.message) || [];
		return year ? ['verr.wrong_year', { year }] : 'verr.type';
	},
};

const FORMS = { 'a social group': 'social_group', 'a foundation': 'foundation', 'a social service institution': 'social_service_institution' };
function formName(m) {
	return m && FORMS[m[0]] ? label('legal_form', FORMS[m[0]]) : null;
}

// The text of one field error: {text, known}. Client-side errors (local) are already in the
// reader's language.
export function fieldErrorText(e, local) {
	if (local) return { text: e.message || t('verr.type'), known: true };
	const rule = FIELD_RULES[e.code];
	const r = rule ? rule(e) : `verr.${e.code}`;
	const [key, params] = Array.isArray(r) ? r : [r, null];
	if (e.code && has(key)) return { text: t(key, params), known: true };
	return { text: e.message || e.code || '', known: false };
}

// code -> (problem) => [key, params] or a key.
const PROBLEM_RULES = {
	already_answered: (p) => (/challenge/.test(p.detail || '') ? 'problem.already_answered.challenge' : 'problem.already_answered'),
	// A failed sign-in says how many tries remain before the lock, when the daemon tells.
	invalid_credentials: (p) => (!Number.isInteger(p.attempts_left) ? 'problem.invalid_credentials'
		: p.attempts_left > 0 ? ['problem.invalid_credentials.left', { n: p.attempts_left }] : 'problem.invalid_credentials.last'),
	invalid_transition: (p) => (isTender(p) ? ['problem.invalid_transition.tender', { status: label('tender_status', p.current_status) }]
		: ['problem.invalid_transition', { status: label('status', p.current_status) }]),
	not_editable: (p) => (isTender(p) ? ['problem.not_editable.tender', { status: label('tender_status', p.current_status) }]
		: ['problem.not_editable', { status: label('status', p.current_status) }]),
	not_a_draft: (p) => ['problem.not_a_draft', { status: label('tender_status', p.current_status) }],
	enquiries_closed: (p) => (p.current_status ? ['problem.enquiries_closed', { status: label('tender_status', p.current_status) }] : 'problem.enquiries_closed.plain'),
	deadline_not_reached: (p) => {
		const at = typeof p.bid_deadline === 'string' ? p.bid_deadline : (match(RFC3339, p.detail) || [])[0];
		return at ? ['problem.deadline_not_reached', { at: cnTime(at) }] : 'problem.deadline_not_reached.plain';
	},
	deadline_passed: (p) => {
		const [at] = match(RFC3339, p.detail) || [];
		return at ? ['problem.deadline_passed', { at: cnTime(at) }] : 'problem.deadline_passed.plain';
	},
	supplement_window_closed: (p) => {
		const m = match(/within (\d+) days .*\(until (\d{4}-\d{2}-\d{2})\)/, p.detail);
		return m ? ['problem.supplement_window_closed', { n: m[0], date: m[1] }] : 'problem.supplement_window_closed.plain';
	},
	application_pending: (p) => {
		const [id] = match(/application (\d+) for/, p.detail) || [];
		return id ? ['problem.application_pending', { id }] : 'problem.application_pending.plain';
	},
	name_taken: (p) => {
		const [name] = match(/^(.+?) is already held/, p.detail) || [];
		return name ? ['problem.name_taken', { name }] : 'problem.name_taken.plain';
	},
	org_deregistered: (p) => (/certificate/.test(p.detail || '') ? 'problem.org_deregistered.certificate'
		: /credit/.test(p.detail || '') ? 'problem.org_deregistered.credit' : 'problem.org_deregistered'),
	registered_too_recently: (p) => {
		const m = match(/after (\d+) years of registration \(from (\d{4}-\d{2}-\d{2})\)/, p.detail);
		return m ? ['problem.registered_too_recently', { n: m[0], date: m[1] }] : 'problem.registered_too_recently.plain';
	},
	// The same codes refuse bids (Appendix B); the grade's refusal says it is about grading.
	listed: (p) => (/graded/.test(p.detail || '') ? 'problem.listed.grade' : 'problem.listed'),
	too_early: (p) => {
		const [n] = match(/after (\d+) years/, p.detail) || [];
		const date = typeof p.earliest_removal === 'string' ? p.earliest_removal : (match(/not before (\d{4}-\d{2}-\d{2})/, p.detail) || [])[0];
		return n && date ? ['problem.too_early', { n, date }] : 'problem.too_early.plain';
	},
	already_removed: (p) => {
		const [date] = match(/removed on (\d{4}-\d{2}-\d{2})/, p.detail) || [];
		return date ? ['problem.already_removed', { date }] : 'problem.already_removed.plain';
	},
	org_not_registered: (p) => (/only be rejected/.test(p.detail) ? 'problem.org_not_registered.reject'
		: /nobody acts for it/.test(p.detail) ? 'problem.org_not_registered.owner' : 'problem.org_not_registered'),
	document_too_large: (p) => {
		const [bytes] = match(/limit is (\d+) bytes/, p.detail) || [];
		return bytes ? ['problem.document_too_large', { n: Math.round(Number(bytes) / 1048576) }] : 'problem.document_too_large.plain';
	},
	too_many_documents: (p) => {
		const [n] = match(/at most (\d+)/, p.detail) || [];
		return n ? ['problem.too_many_documents', { n }] : 'error.status.409';
	},
	not_registered_that_year: (p) => {
		const e = (Array.isArray(p.errors) ? p.errors : []).find((x) => x.code === 'not_registered_that_year');
		const [year] = match(/registered after (\d{4})/, e && e.message) || [];
		return year ? ['problem.not_registered_that_year', { year }] : 'problem.not_registered_that_year.plain';
	},
	q_too_long: (p) => {
		const [n] = match(/at most (\d+)/, p.detail) || [];
		return n ? ['problem.q_too_long', { n }] : 'problem.invalid_q';
	},
};

// The lines of a problem in the reader's language:
// {detail, server (the daemon's detail when the code is unknown), allowed, retry, errors[{field, text}]}.
export function describeProblem(problem, { status, retryAfter } = {}) {
	const p = problem || {};
	const out = { detail: '', server: '', allowed: '', retry: '', errors: [] };
	const rule = PROBLEM_RULES[p.code];
	const r = rule ? rule(p) : `problem.${p.code}`;
	const [key, params] = Array.isArray(r) ? r : [r, null];
	if (p.local) {
		out.detail = p.detail || '';
	} else if (p.code && has(key)) {
		out.detail = t(key, params);
	} else {
		const st = status || p.status;
		const generic = st >= 500 ? 'error.status.500' : `error.status.${st}`;
		out.detail = has(generic) ? t(generic) : '';
		// The daemon's own words, as a secondary line, only for what the UI has no text for.
		if (p.detail && p.detail !== out.detail) out.server = p.detail;
	}
	if (Array.isArray(p.allowed_actions) && ['invalid_transition', 'not_editable'].includes(p.code)) {
		const acts = p.allowed_actions.map((a) => (has(`action.${a}`) ? t(`action.${a}`) : a));
		out.allowed = acts.length ? t('error.allowed_actions', { list: acts.join(t('common.list_sep')) }) : t('error.allowed_none');
	}
	if (retryAfter && /^\d+$/.test(retryAfter)) {
		const s = Number(retryAfter);
		out.retry = s >= 120 ? t('error.retry_after_min', { n: Math.ceil(s / 60) }) : t('error.retry_after', { n: s });
	}
	for (const e of Array.isArray(p.errors) ? p.errors : []) {
		const { text, known } = fieldErrorText(e, p.local);
		out.errors.push({ field: e.field || '', code: e.code || '', text, known });
	}
	return out;
}
