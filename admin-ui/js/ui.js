// ui.js — shared pieces: form fields, problem (RFC 9457) display with per-field errors,
// tables that stack on a phone, "load more" lists, dialogs, badges and formatting.

import { h, uid } from './dom.js';
import { t, has, label, fieldLabel, normalizePath, getLang } from './i18n.js';
import { ApiError } from './api.js';
import { describeProblem } from './problems.js';
import { fenToYuan } from './money.js';

// ---------------------------------------------------------------- formatting

// Times are shown in China time whatever the browser's zone; dates the daemon sends as
// YYYY-MM-DD are local dates already and are shown as they are.
export const TIME_ZONE = 'Asia/Shanghai';
const CN_PARTS = new Intl.DateTimeFormat('en-CA', {
	timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function cnParts(s) {
	const d = new Date(s);
	if (Number.isNaN(d.getTime())) return null;
	const o = {};
	for (const p of CN_PARTS.formatToParts(d)) o[p.type] = p.value;
	return o;
}

export function fmtDateTime(s, { seconds = false } = {}) {
	if (!s) return '';
	if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
	const p = cnParts(s);
	if (!p) return String(s);
	return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${seconds ? `:${p.second}` : ''}`;
}

export function fmtDate(s) {
	if (!s) return '';
	if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
	const p = cnParts(s);
	return p ? `${p.year}-${p.month}-${p.day}` : String(s);
}

// An RFC 3339 timestamp inside free data (audit summaries): "2026-03-11T02:00:00.123456Z".
export function isTimestamp(v) {
	return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v);
}

export function fmtYuan(fen) {
	const y = fenToYuan(fen, { group: true });
	return y ? `¥${y}` : '';
}

// A region as people read it: "海盐县（330424）"; the bare code when the name is not known.
export function regionText(name, code) {
	if (!code) return name || '';
	return name ? `${name}（${code}）` : code;
}

export function fmtBytes(n) {
	if (!Number.isFinite(n)) return '';
	if (n < 1024) return `${n} B`;
	if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
	return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function yesNo(v) {
	return v ? t('common.yes') : t('common.no');
}

// ---------------------------------------------------------------- page pieces

export function pageHeader(titleKey, introKey, ...extra) {
	return h('div', { class: 'page-header' },
		h('h1', { tabindex: '-1', class: 'page-title' }, t(titleKey)),
		introKey ? h('p', { class: 'intro' }, t(introKey)) : null,
		extra);
}

export function badge(text, kind = '') {
	return h('span', { class: ['badge', kind && `badge-${kind}`] }, text);
}

const STATUS_KIND = {
	draft: 'muted', submitted: 'info', supplement_requested: 'warn', accepted: 'info',
	approved: 'ok', rejected: 'danger', withdrawn: 'muted',
	registered: 'ok', deregistered: 'muted',
};

export function statusBadge(status, group = 'status') {
	return badge(label(group, status), STATUS_KIND[status] || '');
}

export function overdueBadge() {
	return badge(t('queue.overdue'), 'danger');
}

export function loading() {
	return h('p', { class: 'loading', role: 'status' }, t('app.loading'));
}

export function mono(text, title) {
	return h('code', { class: 'mono', title: title || null }, text);
}

// A definition list; rows are [fieldKeyOrLabel, value, dataField?]. Empty values show "—".
export function dl(rows) {
	return h('dl', { class: 'kv' }, rows.filter(Boolean).map(([k, v, path]) => h('div', { class: 'kv-row', dataset: path ? { field: path } : undefined },
		h('dt', {}, has(k) ? t(k) : k),
		h('dd', {}, v == null || v === '' || (Array.isArray(v) && v.length === 0) ? '—' : v))));
}

// ---------------------------------------------------------------- forms

// A labelled input. opts: {name, label (key), type, value, required, hint (key), options
// ([[value, text]]), rows, attrs}. The wrapper carries data-field=<dotted name> so that an API
// error for that field is shown right under it.
export function field(opts) {
	const { name, type = 'text', value, required, hint, options, rows, attrs = {} } = opts;
	const id = uid('f');
	const hintId = hint ? `${id}-hint` : null;
	const labelText = opts.label ? t(opts.label) : fieldLabel(name);
	let control;
	const common = { id, name, 'aria-describedby': hintId, required: required ? true : null, ...attrs };
	if (type === 'select') {
		control = h('select', { ...common, value },
			(options || []).map(([v, text]) => h('option', { value: v }, text)));
	} else if (type === 'textarea') {
		control = h('textarea', { ...common, rows: rows || 3, value: value ?? '' });
	} else if (type === 'checkbox') {
		control = h('input', { ...common, type: 'checkbox', checked: Boolean(value) });
		return h('div', { class: 'field field-check', dataset: { field: name } },
			control, h('label', { for: id }, labelText),
			hint ? h('p', { class: 'hint', id: hintId }, t(hint)) : null);
	} else {
		control = h('input', { ...common, type, value: value ?? '' });
	}
	return h('div', { class: 'field', dataset: { field: name } },
		// The asterisk stays outside the label so the accessible name is the label alone; the
		// control's required attribute tells assistive technology.
		h('div', { class: 'field-label' }, h('label', { for: id }, labelText),
			required ? h('span', { class: 'req', 'aria-hidden': 'true' }, '*') : null),
		control,
		hint ? h('p', { class: 'hint', id: hintId }, t(hint)) : null);
}

export function enumOptions(group, values, { blank } = {}) {
	const opts = values.map((v) => [v, label(group, v)]);
	return blank ? [['', t(blank)], ...opts] : opts;
}

// Button that shows it is busy while an async handler runs.
export async function busy(button, fn) {
	const was = button.textContent;
	button.disabled = true;
	button.setAttribute('aria-busy', 'true');
	try {
		return await fn();
	} finally {
		button.disabled = false;
		button.removeAttribute('aria-busy');
		button.textContent = was;
	}
}

// ---------------------------------------------------------------- problems

function findFieldTarget(root, path) {
	if (!root) return null;
	let p = normalizePath(path);
	for (;;) {
		const el = root.querySelector(`[data-field="${CSS.escape(p)}"]`);
		if (el) return el;
		const cut = p.lastIndexOf('.');
		if (cut < 0) return null;
		p = p.slice(0, cut);
	}
}

export function clearFieldErrors(root) {
	if (!root) return;
	root.querySelectorAll('.field-error').forEach((e) => e.remove());
	root.querySelectorAll('.has-error').forEach((e) => e.classList.remove('has-error'));
	root.querySelectorAll('[aria-invalid]').forEach((e) => {
		e.removeAttribute('aria-invalid');
		const ids = (e.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.startsWith('err-'));
		if (ids.length) e.setAttribute('aria-describedby', ids.join(' '));
		else e.removeAttribute('aria-describedby');
	});
}

// Shows a problem (ApiError, problem object or Error) in `slot`: a generic title (opts.title, a
// key such as 'error.submit_failed'), the text for its code in the reader's language, Retry-After,
// and the field errors as a list of links; each field error also goes next to its field inside
// `root` (matched by data-field, falling back to the nearest parent path). Any earlier message
// in the slot, and any navigation flash, is replaced.
export function showProblem(slot, err, root, opts = {}) {
	clearFieldErrors(root);
	clearFlash();
	slot.replaceChildren();
	if (!err) return;
	const problem = err instanceof ApiError ? err.problem
		: err.problem || { local: true, detail: err.detail || err.message };
	const status = err instanceof ApiError ? err.status : problem.status;
	const d = describeProblem(problem, { status, retryAfter: err instanceof ApiError ? err.retryAfter : null });
	const box = h('div', { class: 'problem', role: 'alert', tabindex: '-1', dataset: { code: problem.code || '' } });
	const title = opts.title ? t(opts.title) : d.errors.length ? t('error.fix_title') : t('error.title');
	box.append(h('p', { class: 'problem-title' }, title));
	if (d.detail) box.append(h('p', { class: 'problem-detail' }, d.detail));
	if (d.allowed) box.append(h('p', { class: 'problem-allowed' }, d.allowed));
	if (d.server) box.append(h('p', { class: 'problem-server muted', lang: 'en' }, d.server));
	if (d.retry) box.append(h('p', { class: 'problem-retry' }, d.retry));
	if (d.errors.length) {
		if (opts.title) box.append(h('p', {}, t('error.fields')));
		const ul = h('ul', { class: 'problem-fields' });
		for (const e of d.errors) {
			const target = e.field ? findFieldTarget(root, e.field) : null;
			// A form that labels a field its own way (data-label on the wrapper) is named so here too.
			const where = e.field ? (target && target.dataset.label) || fieldLabel(e.field) : '';
			const text = where ? `${where}${t('common.colon')}${e.text}` : e.text;
			const li = h('li', { dataset: { errorField: e.field, errorCode: e.code } });
			const langAttr = e.known ? null : 'en';
			if (target) {
				li.append(h('a', {
					href: '#', onclick: (ev) => {
						ev.preventDefault();
						const c = target.querySelector('input, select, textarea, button') || target;
						// A row with nothing to type in (a missing document on the check page) takes the focus itself.
						if (c === target && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
						target.scrollIntoView({ block: 'center' });
						c.focus();
					},
				}, text));
				const eid = uid('err');
				target.classList.add('has-error');
				target.append(h('p', { class: 'field-error', id: eid, lang: langAttr, dataset: { errorFor: e.field } }, e.text));
				const control = target.querySelector('input, select, textarea');
				if (control) {
					control.setAttribute('aria-invalid', 'true');
					const ids = (control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
					control.setAttribute('aria-describedby', [...ids, eid].join(' '));
				}
			} else {
				li.append(text);
			}
			ul.append(li);
		}
		box.append(ul);
	}
	slot.append(box);
	box.focus({ preventScroll: true });
	box.scrollIntoView({ block: 'nearest' });
}

// A client-side validation problem in the same shape as the API's.
// Its texts are already in the reader's language.
export function localProblem(errors, detail) {
	return { problem: { local: true, errors, detail } };
}

// ---------------------------------------------------------------- tables and lists

// columns: [{key: 'field.name' | label, cell: (row) => node|string, class}]
export function dataTable(columns, { caption, rowClass } = {}) {
	const tbody = h('tbody');
	const table = h('table', { class: 'data' },
		caption ? h('caption', { class: 'sr-only' }, caption) : null,
		h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, has(c.key) ? t(c.key) : c.key)))),
		tbody);
	const add = (rows) => {
		for (const r of rows) {
			const tr = h('tr', { class: rowClass ? rowClass(r) : null });
			for (const c of columns) {
				const v = c.cell(r);
				tr.append(h('td', { class: c.class, 'data-label': has(c.key) ? t(c.key) : c.key },
					h('span', { class: 'cell' }, v == null || v === '' ? '—' : v)));
			}
			tbody.append(tr);
		}
	};
	return { el: h('div', { class: 'table-wrap' }, table), table, tbody, add };
}

// Keyset pagination: fetchPage(cursor) -> {data, next_cursor}; onItems(items) renders them.
// Returns {el, reload()} where el holds the status line and the "load more" button.
export function pager(fetchPage, onItems, { onError, onEmpty } = {}) {
	let cursor = null;
	const status = h('p', { class: 'pager-status', role: 'status' });
	const more = h('button', { type: 'button', class: 'btn', hidden: true }, t('common.more'));
	const errSlot = h('div');
	const el = h('div', { class: 'pager' }, errSlot, status, more);
	let total = 0;
	async function load(first) {
		status.textContent = t('app.loading');
		more.hidden = true;
		errSlot.replaceChildren();
		try {
			const r = await fetchPage(first ? null : cursor);
			const items = Array.isArray(r.data) ? r.data : [];
			total += items.length;
			onItems(items, first);
			cursor = r.next_cursor || null;
			more.hidden = !cursor;
			status.textContent = total === 0 ? '' : cursor ? '' : t('common.no_more');
			if (total === 0 && onEmpty) onEmpty();
			else if (total === 0) status.textContent = t('common.empty');
		} catch (e) {
			status.textContent = '';
			if (onError) onError(e);
			else showProblem(errSlot, e);
		}
	}
	more.addEventListener('click', () => busy(more, () => load(false)));
	return {
		el,
		reload: () => {
			total = 0;
			cursor = null;
			return load(true);
		},
	};
}

// ---------------------------------------------------------------- dialogs

// A modal <dialog>. body: nodes; onConfirm(form) may throw (an ApiError is shown in the dialog
// with its field errors); the dialog closes when it resolves. Resolves to onConfirm's result,
// or undefined when cancelled.
export function openDialog({ title, body = [], confirmLabel, danger = false, onConfirm }) {
	return new Promise((resolve) => {
		const titleId = uid('dlg');
		const errSlot = h('div');
		const confirm = h('button', { type: 'submit', class: ['btn', danger ? 'btn-danger' : 'btn-primary'] }, confirmLabel || t('common.confirm'));
		const cancel = h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, t('common.cancel'));
		const form = h('form', { method: 'dialog', class: 'dialog-form', novalidate: true },
			h('h2', { id: titleId }, title), errSlot, body,
			h('div', { class: 'dialog-actions' }, cancel, confirm));
		const dlg = h('dialog', { 'aria-labelledby': titleId }, form);
		let result;
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			try {
				result = await busy(confirm, () => onConfirm(form));
				dlg.close();
			} catch (e) {
				showProblem(errSlot, e, form);
			}
		});
		dlg.addEventListener('close', () => {
			dlg.remove();
			resolve(result);
		});
		document.body.append(dlg);
		dlg.showModal();
	});
}

// ---------------------------------------------------------------- flash messages

let pendingFlash = null;

export function flash(message, kind = 'ok') {
	pendingFlash = { message, kind };
}

export function takeFlash() {
	const f = pendingFlash;
	pendingFlash = null;
	if (!f) return null;
	return h('div', { class: `flash flash-${f.kind}`, role: 'status' }, f.message);
}

export function notice(message, kind = 'ok') {
	return h('div', { class: `flash flash-${kind}`, role: 'status' }, message);
}

// The message a page carried over from the one before (e.g. "saved") stops applying as soon as
// something else happens: every new message replaces it.
export function clearFlash() {
	document.querySelectorAll('main > .flash').forEach((el) => el.remove());
}

// One message area for a page: each call replaces what was there (and the carried-over flash).
// ok(text) / warn(text) show a notice; problem(err, root, opts) a problem; clear() empties it.
export function messageArea() {
	const el = h('div', { class: 'messages', 'data-testid': 'messages' });
	return {
		el,
		ok(text, kind = 'ok') {
			clearFlash();
			el.replaceChildren(notice(text, kind));
		},
		problem(err, root, opts) {
			showProblem(el, err, root, opts);
		},
		clear(root) {
			clearFlash();
			clearFieldErrors(root);
			el.replaceChildren();
		},
		// The page's state changed so that field (or anything under it) is no longer wrong (a
		// missing document was uploaded): its line leaves the summary; a summary with no line left
		// has nothing more to say and goes.
		resolve(field) {
			const lines = [...el.querySelectorAll('.problem-fields li')];
			const gone = lines.filter((li) => li.dataset.errorField === field || (li.dataset.errorField || '').startsWith(`${field}.`));
			gone.forEach((li) => li.remove());
			if (gone.length && gone.length === lines.length) el.replaceChildren();
		},
	};
}

export function langTag() {
	return getLang() === 'zh' ? 'zh-CN' : 'en';
}
