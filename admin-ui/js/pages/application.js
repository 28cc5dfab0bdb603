// Application detail, for its applicant (documents, submit, withdraw) and for registrars
// (documents, accept / request supplements / approve / reject). SPEC §4, Appendix A.

import { h, uid } from '../dom.js';
import { t, has, label, fieldLabel } from '../i18n.js';
import { get, post, api, apiBlob, qs } from '../api.js';
import {
	pageHeader, dl, loading, mono, statusBadge, overdueBadge, showProblem, localProblem, busy, badge,
	openDialog, field, fmtDateTime, fmtDate, fmtYuan, fmtBytes, dataTable, pager, messageArea, regionText, flash,
} from '../ui.js';
import {
	DOC_KINDS, DOC_MEDIA_TYPES, CHANGE_DOC_KINDS, MULTI_DOC_KINDS, supplementFields,
} from '../enums.js';
import { changeRows } from '../org-data.js';
import { stepIndicator } from '../journey.js';

// Which action each role may take from which status (mirrors the daemon's state table; the
// daemon has the last word and answers 409 otherwise).
const ACTIONS = [
	{ action: 'submit', roles: ['applicant'], from: ['draft', 'supplement_requested'], style: 'primary', confirm: true },
	{ action: 'accept', roles: ['registrar'], from: ['submitted'], style: 'primary', confirm: true },
	{ action: 'request-supplement', roles: ['registrar'], from: ['submitted'], style: '', dialog: 'items' },
	{ action: 'approve', roles: ['registrar'], from: ['accepted'], style: 'primary', confirm: true },
	{ action: 'reject', roles: ['registrar'], from: ['accepted'], style: 'danger', dialog: 'reason' },
	// A draft never reached the bureau: it is deleted (删除草稿), not withdrawn.
	{ action: 'withdraw', roles: ['applicant'], from: ['submitted', 'supplement_requested'], style: 'danger', confirm: true },
	{ action: 'delete', roles: ['applicant'], from: ['draft'], style: 'danger', confirm: true },
];
const EDITABLE = ['draft', 'supplement_requested'];

function mediaTypeOf(file) {
	if (Object.values(DOC_MEDIA_TYPES).includes(file.type)) return file.type;
	const ext = (file.name.split('.').pop() || '').toLowerCase();
	return DOC_MEDIA_TYPES[ext] || null;
}

async function openDocument(appId, doc, path) {
	const blob = await apiBlob(path || `/applications/${encodeURIComponent(appId)}/documents/${encodeURIComponent(doc.id)}`);
	const typed = doc.media_type && blob.type !== doc.media_type ? new Blob([blob], { type: doc.media_type }) : blob;
	const url = URL.createObjectURL(typed);
	const a = h('a', { href: url, target: '_blank', rel: 'noopener', download: doc.name || `${doc.kind}` });
	// PDFs and images open in a new tab; the download attribute is the fallback name.
	if (/^(application\/pdf|image\/)/.test(typed.type)) a.removeAttribute('download');
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function versionOf(r) {
	if (r.data && r.data.version != null) return r.data.version;
	return r.etag ? r.etag.replace(/^W\//, '').replace(/"/g, '') : null;
}

export async function applicationPage(view, ctx) {
	const id = ctx.params.id;
	const enc = encodeURIComponent(id);
	const role = ctx.user.role;
	const body = h('div', {}, h('h1', { tabindex: '-1', class: 'page-title' }, t('app.heading')), loading());
	const back = role === 'registrar'
		? h('a', { href: '#/queue' }, `← ${t('nav.queue')}`)
		: h('a', { href: '#/my/applications' }, `← ${t('nav.my_applications')}`);
	view.append(h('p', { class: 'crumbs' }, back), body);

	let app;
	let version;
	// One message area: each action's outcome replaces the last one (and the flash carried over).
	const messages = messageArea();
	messages.el.classList.add('error-slot');
	let org = null;        // the organization a change or deregistration concerns, as registered now

	async function load() {
		const r = await get(`/applications/${enc}`);
		app = r.data;
		version = versionOf(r);
	}

	// What a change or deregistration is about: the organization as registered now (its name and
	// status; what a change changes comes with the application, as change_diff).
	async function loadOrg() {
		if (app.kind === 'establish' || !app.org_uscc) return;
		org = (await get(`/orgs/${encodeURIComponent(app.org_uscc)}`)).data;
	}

	function setApp(r) {
		app = r.data;
		version = versionOf(r);
	}

	async function runAction(def, payload) {
		const r = await post(`/applications/${enc}/${def.action}`, payload, { ifMatch: version });
		setApp(r);
		return r;
	}

	function actionButton(def) {
		const btn = h('button', {
			type: 'button', class: ['btn', def.style && `btn-${def.style}`], 'data-action': def.action,
		}, t(`action.${def.action}`));
		btn.addEventListener('click', async () => {
			let done;
			if (def.action === 'delete') {
				done = await openDialog({
					title: t('action.delete'), danger: true, confirmLabel: t('action.delete'),
					body: [h('p', {}, t('action.delete.confirm', { name: app.name || t('app.untitled') }))],
					onConfirm: async () => {
						await api('DELETE', `/applications/${enc}`, { ifMatch: version });
						return true;
					},
				});
				if (done) {
					flash(t('action.delete.done'));
					ctx.navigate('#/my/applications');
				}
				return;
			}
			if (def.dialog === 'reason') {
				done = await openDialog({
					title: t(`action.${def.action}`), danger: true, confirmLabel: t(`action.${def.action}`),
					body: [h('p', {}, t(`action.${def.action}.prompt`)), field({ name: 'reason', type: 'textarea', required: true, rows: 4 })],
					onConfirm: async (form) => {
						const reason = form.elements.reason.value.trim();
						if (!reason) throw localProblem([{ field: 'reason', message: t('error.required') }]);
						return runAction(def, { reason });
					},
				});
			} else if (def.dialog === 'items') {
				const items = itemsEditor();
				done = await openDialog({
					title: t(`action.${def.action}`), confirmLabel: t(`action.${def.action}`),
					body: [h('p', {}, t(`action.${def.action}.prompt`)), items.el],
					onConfirm: async () => {
						const list = items.read();
						if (!list.length) throw localProblem([{ field: 'items', message: t('error.items_empty') }]);
						return runAction(def, { items: list });
					},
				});
			} else {
				// Errors here (e.g. 422 on submit, naming fields of the page) are shown on the page.
				done = await openDialog({
					title: t(`action.${def.action}`), danger: def.style === 'danger', confirmLabel: t(`action.${def.action}`),
					body: [h('p', {}, t(has(`action.${def.action}.confirm.${app.kind}`) ? `action.${def.action}.confirm.${app.kind}` : `action.${def.action}.confirm`))],
					onConfirm: () => runAction(def).catch((e) => ({ error: e })),
				});
			}
			if (done && done.error) {
				messages.problem(done.error, body, { title: def.action === 'submit' ? 'error.submit_failed' : 'error.action_failed' });
			} else if (done) {
				messages.clear(body);
				// Approval and rejection announce themselves in the header (code, reason, and whether
				// the applicant was told): no second banner. The applicant is said to be notified only
				// when the daemon's answer says the notice was written (notified).
				if (!['approve', 'reject'].includes(def.action)) {
					const told = ['accept', 'request-supplement'].includes(def.action) && done.data && done.data.notified === true;
					messages.ok(`${t(`action.${def.action}.done`)}${told ? t('action.notified') : ''}`);
				}
				await loadOrg().catch(() => {});
				renderAll();
				const h1 = view.querySelector('h1');
				if (h1) h1.focus();
			}
		});
		return btn;
	}

	// Rows of {field, message} for a supplement request.
	function itemsEditor() {
		const rows = h('div', { class: 'items-list' });
		const itemRows = () => [...rows.querySelectorAll(':scope > .item-row')];
		const options = [...supplementFields(app.kind, app.changes).map((f) => [f, fieldLabel(f)]), ['other', t('action.other_field')]];
		const addRow = () => {
			const n = itemRows().length;
			const row = h('div', { class: 'item-row', dataset: { field: `items.${n}` } },
				field({ name: `items.${n}.field`, label: 'field.field', type: 'select', options }),
				field({ name: `items.${n}.message`, label: 'field.message', attrs: { 'data-part': 'message' } }),
				h('button', {
					type: 'button', class: 'btn btn-small btn-danger-outline', 'aria-label': `${t('common.remove')} ${t('common.row', { n: n + 1 })}`,
					onclick: () => { if (itemRows().length > 1) row.remove(); },
				}, t('common.remove')));
			rows.append(row);
			return row;
		};
		addRow();
		const add = h('button', { type: 'button', class: 'btn btn-small', onclick: () => addRow().querySelector('select').focus() }, `+ ${t('action.add_item')}`);
		return {
			el: h('div', { dataset: { field: 'items' } }, rows, add),
			read: () => itemRows().map((row) => ({
				field: row.querySelector('select').value,
				message: row.querySelector('input[data-part="message"]').value.trim(),
			})).filter((i) => i.message),
		};
	}

	// The kinds of document this application shows: an establishment's five (required), the ones
	// that bear on a change's fields, "other" for a deregistration; plus any kind already uploaded.
	function docKinds(docs) {
		const base = app.kind === 'establish' ? DOC_KINDS
			: app.kind === 'change' ? [...new Set(Object.keys(app.changes || {}).map((f) => CHANGE_DOC_KINDS[f]).filter(Boolean)), 'other']
				: ['other'];
		return [...base, ...new Set(docs.map((d) => d.kind).filter((k) => !base.includes(k)))];
	}

	function documentsSection() {
		const docs = Array.isArray(app.documents) ? app.documents : [];
		const canUpload = editable();
		const list = h('ul', { class: 'doc-list' });
		for (const kind of docKinds(docs)) {
			const mine = docs.filter((d) => d.kind === kind).sort((x, y) => Number(x.id) - Number(y.id));
			const newest = mine[mine.length - 1];
			const status = h('p', { class: 'doc-status', role: 'status' });
			const optional = app.kind !== 'establish' || !DOC_KINDS.includes(kind);
			const li = h('li', { class: ['doc-row', mine.length ? 'has-doc' : 'no-doc'], dataset: { field: `documents.${kind}`, kind } },
				h('div', { class: 'doc-kind' }, h('strong', {}, label('doc', kind)),
					optional ? h('span', { class: 'muted' }, t('common.optional_paren')) : null,
					mine.length ? null : h('span', { class: 'muted' }, ` — ${t('app.doc_missing')}`)),
				mine.map((d) => h('div', { class: ['doc-file', d !== newest && !MULTI_DOC_KINDS.includes(kind) && 'doc-old'], dataset: { docId: d.id } },
					h('span', { class: 'doc-name' }, d.name || d.id),
					// Two of one kind: say which one counts (the replaced one could not be removed).
					mine.length > 1 && !MULTI_DOC_KINDS.includes(kind)
						? [' ', d === newest ? badge(t('app.doc_current'), 'ok') : badge(t('app.doc_older'), 'muted')] : null,
					// A phone shows the size and the time; the media type and the digest are for wider screens.
					h('span', { class: 'muted doc-meta' }, ` ${fmtBytes(d.size)}`,
						d.media_type ? h('span', { class: 'doc-type' }, ` · ${d.media_type}`) : null,
						d.uploaded_at ? ` · ${fmtDateTime(d.uploaded_at)}` : ''),
					d.sha256 ? h('span', { class: 'muted sha' }, ' · SHA-256 ', mono(`${d.sha256.slice(0, 12)}…`, d.sha256)) : null,
					' ',
					h('button', {
						type: 'button', class: 'btn btn-small', 'aria-label': `${t('app.download')} ${d.name || ''}`,
						onclick: (ev) => busy(ev.currentTarget, async () => {
							try {
								await openDocument(id, d);
							} catch (e) {
								showProblem(status, e, null, { title: 'error.load_failed' });
							}
						}),
					}, t('app.download')),
					canUpload ? [' ', h('button', {
						type: 'button', class: 'btn btn-small btn-danger-outline', 'aria-label': `${t('app.doc_delete')} ${d.name || ''}`,
						onclick: () => removeDocument(d, kind),
					}, t('app.doc_delete'))] : null)),
				status);
			if (canUpload) {
				const inputId = uid('doc');
				// One document per kind: a new upload replaces the old one (uploaded first, then the old
				// one removed, so a failed upload loses nothing). "Other" documents add up.
				const replaces = MULTI_DOC_KINDS.includes(kind) ? [] : mine;
				const input = h('input', {
					type: 'file', id: inputId, class: 'file-input', accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png',
					'data-kind': kind, 'aria-describedby': `${inputId}-hint`,
				});
				input.addEventListener('change', async () => {
					const file = input.files && input.files[0];
					if (!file) return;
					const type = mediaTypeOf(file);
					if (!type) {
						showProblem(status, localProblem([], t('error.file_type')), null, { title: 'error.upload_failed' });
						input.value = '';
						return;
					}
					status.replaceChildren(t('app.doc_uploading'));
					input.disabled = true;
					try {
						await api('POST', `/applications/${enc}/documents${qs({ kind, name: file.name })}`, { body: file, contentType: type });
					} catch (e) {
						input.disabled = false;
						input.value = '';
						status.replaceChildren();
						showProblem(status, e, null, { title: 'error.upload_failed' });
						return;
					}
					let removeError = null;
					for (const old of replaces) {
						try {
							await api('DELETE', `/applications/${enc}/documents/${encodeURIComponent(old.id)}`);
						} catch (e) {
							removeError = e;
						}
					}
					await load().catch(() => {});
					// A submit refused for this missing document no longer says so.
					messages.resolve(`documents.${kind}`);
					docsBox.replaceChildren(documentsSection());
					const row = docsBox.querySelector(`li[data-kind="${CSS.escape(kind)}"]`);
					if (row) {
						const st = row.querySelector('.doc-status');
						if (removeError) showProblem(st, removeError, null, { title: 'app.doc_replace_failed' });
						else st.replaceChildren(t(replaces.length ? 'app.doc_replaced' : 'app.doc_uploaded', { name: file.name }));
						const next = row.querySelector('input[type="file"]');
						if (next) next.focus();
					}
					refreshHeaderAndActions();
				});
				const uploadKey = replaces.length ? 'app.doc_replace' : MULTI_DOC_KINDS.includes(kind) && mine.length ? 'app.doc_add' : 'app.doc_upload';
				li.append(h('div', { class: 'doc-upload' },
					h('label', { for: inputId, class: 'btn btn-small' }, t(uploadKey, { kind: label('doc', kind) })),
					input,
					h('span', { class: 'hint', id: `${inputId}-hint` }, t('hint.file_types'))));
			}
			list.append(li);
		}
		return h('div', {}, h('p', { class: 'hint' }, t(`app.documents_intro.${app.kind}`)), list);
	}

	async function removeDocument(d, kind) {
		const name = d.name || d.id;
		const done = await openDialog({
			title: t('app.doc_delete'), danger: true, confirmLabel: t('app.doc_delete'),
			body: [h('p', {}, t('app.doc_delete.confirm', { name }))],
			onConfirm: async () => {
				await api('DELETE', `/applications/${enc}/documents/${encodeURIComponent(d.id)}`);
				return true;
			},
		});
		if (!done) return;
		await load().catch(() => { app.documents = (app.documents || []).filter((x) => x.id !== d.id); });
		docsBox.replaceChildren(documentsSection());
		refreshHeaderAndActions();
		const row = docsBox.querySelector(`li[data-kind="${CSS.escape(kind)}"]`);
		if (row) {
			row.querySelector('.doc-status').replaceChildren(t('app.doc_deleted', { name }));
			const input = row.querySelector('input[type="file"]');
			if (input) input.focus();
		}
	}

	const docsBox = h('div');
	const headerBox = h('div');
	const actionsBox = h('div', { class: 'actions app-actions' });

	function refreshHeaderAndActions() {
		headerBox.replaceChildren(header());
		actionsBox.replaceChildren(...actions());
	}

	function orgLink(uscc) {
		return h('a', { href: `#/org/${encodeURIComponent(uscc)}` }, t('app.view_org'));
	}

	// For the registrar: the decision's notice reached the applicant (the daemon's notified).
	function toldLine() {
		return role === 'registrar' && app.notified === true
			? h('p', { class: 'told', 'data-testid': 'notified' }, t('action.notified').trim()) : null;
	}

	function header() {
		const notices = [];
		if (app.status === 'supplement_requested' && Array.isArray(app.supplement_items) && app.supplement_items.length) {
			notices.push(h('div', { class: 'flash flash-warn', 'data-testid': 'supplement-items' },
				h('p', {}, t(role === 'applicant' ? 'app.supplement_notice' : 'field.supplement_items')),
				h('ul', {}, app.supplement_items.map((i) => h('li', {},
					i.field && i.field !== 'other' ? `${fieldLabel(i.field)}${t('common.colon')}${i.message}` : i.message)))));
		}
		if (app.status === 'rejected' && app.reject_reason) {
			notices.push(h('div', { class: 'flash flash-danger', 'data-testid': 'decision' }, h('p', {}, t('app.rejected_notice')), h('p', { class: 'reason' }, app.reject_reason), toldLine()));
		}
		// The outcome, once (and only once) the application is approved.
		if (app.status === 'approved' && app.org_uscc) {
			notices.push(h('div', { class: 'flash flash-ok', role: 'status', 'data-testid': 'decision' },
				t(`app.approved_notice.${app.kind}`), ' ', mono(app.org_uscc), ' ', orgLink(app.org_uscc), toldLine()));
		}
		document.title = `${app.name || t('app.untitled')} · ${t('app.title')}`;
		return h('div', {},
			h('div', { class: 'page-header app-title' },
				h('h1', { tabindex: '-1', class: 'page-title' }, app.name || t('app.untitled')),
				h('p', { class: 'app-badges' }, label('kind', app.kind), ' ', statusBadge(app.status), ' ', app.overdue ? overdueBadge() : null)),
			notices);
	}

	// The daemon lists what the caller may do (allowed_actions); without that list, the table above.
	function allowed(def) {
		if (def.action === 'withdraw' && app.status === 'draft') return false;
		if (Array.isArray(app.allowed_actions)) return app.allowed_actions.includes(def.action);
		return def.roles.includes(role) && def.from.includes(app.status);
	}

	function editable() {
		if (role !== 'applicant') return false;
		if (Array.isArray(app.allowed_actions) && app.allowed_actions.includes('edit')) return true;
		return EDITABLE.includes(app.status);
	}

	// An applicant's establishment on its way: the steps, and the next one (check your answers).
	function guided() {
		return role === 'applicant' && app.kind === 'establish' && app.status === 'draft';
	}

	function actions() {
		// On the guided way the next step (check your answers) is the primary action, not submit.
		const out = ACTIONS.filter(allowed).map((def) => actionButton(guided() && def.action === 'submit' ? { ...def, style: '' } : def));
		if (editable()) {
			out.unshift(h('a', { class: 'btn', href: `#/applications/${enc}/edit` }, t('common.edit')));
		}
		if (guided()) out.unshift(h('a', { class: 'btn btn-primary', href: `#/applications/${enc}/check` }, t('journey.next_check')));
		return out;
	}

	function progress() {
		return dl([
			['field.kind', label('kind', app.kind)],
			['field.status', statusBadge(app.status)],
			['field.created_at', fmtDateTime(app.created_at)],
			['field.submitted_at', fmtDateTime(app.submitted_at)],
			app.status === 'submitted' && app.supplement_window_ends ? ['field.supplement_window_ends', fmtDate(app.supplement_window_ends)] : null,
			['field.accepted_at', app.accepted_at ? [fmtDateTime(app.accepted_at), app.deemed_accepted ? [' ', badge(t('app.deemed'), 'info')] : null] : ''],
			['field.decision_due', app.decision_due ? [fmtDate(app.decision_due), app.overdue ? [' ', overdueBadge()] : null] : ''],
			app.decided_at ? ['field.decided_at', fmtDateTime(app.decided_at)] : null,
			['field.org_uscc', app.org_uscc ? h('a', { href: `#/org/${encodeURIComponent(app.org_uscc)}`, class: 'mono' }, app.org_uscc) : ''],
		]);
	}

	function section(titleKey, content, path) {
		return h('section', { class: 'card', dataset: path ? { field: path } : undefined }, h('h2', {}, t(titleKey)), content);
	}

	function orgSummary() {
		const o = org || {};
		return dl([
			['field.org_name', org ? h('a', { href: `#/org/${encodeURIComponent(app.org_uscc)}` }, o.name) : app.name],
			['field.uscc', mono(app.org_uscc)],
			['field.legal_form', label('legal_form', o.legal_form || app.legal_form)],
			['field.region_display', regionText(app.region_name || o.region_name, app.region_code || o.region_code)],
			org ? ['field.org_status', statusBadge(o.status, 'org_status')] : null,
		]);
	}

	// Each changed item: as registered → as applied for (the daemon's change_diff; once approved,
	// as it was recorded).
	function changeTable() {
		const rows = changeRows(app, { showIds: true });
		if (!rows.length) return h('p', { class: 'empty', dataset: { field: 'changes' } }, t('app.change.none'));
		const head = [t('app.change.item'), t(app.status === 'approved' ? 'org.old' : 'app.change.current'), t('app.change.new')];
		return h('div', { class: 'table-wrap' }, h('table', { class: 'data change-table', 'data-testid': 'change-table' },
			h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
			h('tbody', {}, rows.map((r) => h('tr', { dataset: { field: `changes.${r.field}` }, class: r.same ? 'row-same' : null },
				h('th', { scope: 'row', 'data-label': head[0] }, fieldLabel(r.field)),
				h('td', { 'data-label': head[1], class: 'old' }, h('span', { class: 'cell' }, r.old == null ? h('span', { class: 'muted' }, t('common.none')) : r.old)),
				h('td', { 'data-label': head[2], class: 'new' }, h('span', { class: 'cell' }, '→ ', h('strong', {}, r.new),
					r.same ? [' ', badge(t('app.change.same'), 'muted')] : null)))))));
	}

	function details() {
		if (app.kind === 'change') {
			return [
				section('app.section.org', orgSummary(), 'org_uscc'),
				section('app.section.changes', [h('p', { class: 'hint' }, t(app.status === 'approved' ? 'app.change.intro_done' : 'app.change.intro')), changeTable()], 'changes'),
			];
		}
		if (app.kind === 'deregister') {
			return [
				section('app.section.org', orgSummary(), 'org_uscc'),
				section('app.section.deregister', dl([
					['field.dereg_reason', app.reason ? h('span', { class: 'reason' }, app.reason) : '', 'reason'],
				])),
			];
		}
		const lr = app.legal_representative || {};
		const c = app.contact || {};
		const out = [
			section('app.section.basic', dl([
				['field.name', app.name, 'name'],
				['field.legal_form', label('legal_form', app.legal_form), 'legal_form'],
				['field.category', label('category', app.category), 'category'],
				['field.region_display', regionText(app.region_name, app.region_code), 'region_code'],
				['field.domicile', app.domicile, 'domicile'],
				['field.business_scope', app.business_scope, 'business_scope'],
				['field.activity_area', app.activity_area, 'activity_area'],
				['field.funds_fen', fmtYuan(app.funds_fen), 'funds_fen'],
			])),
			section('app.section.legal_rep', dl([
				['field.legal_representative.name', lr.name, 'legal_representative.name'],
				['field.legal_representative.id_number', lr.id_number ? mono(lr.id_number) : '', 'legal_representative.id_number'],
			]), 'legal_representative'),
		];
		if (app.legal_form === 'social_group' || app.members) {
			const m = app.members || {};
			out.push(section('app.section.members', dl([
				['field.members.individual', m.individual ?? '', 'members.individual'],
				['field.members.unit', m.unit ?? '', 'members.unit'],
			]), 'members'));
		}
		if (app.legal_form === 'foundation' || (Array.isArray(app.directors) && app.directors.length)) {
			const tbl = dataTable([
				{ key: '#', cell: (d) => String(d._n) },
				{ key: 'field.directors.name', cell: (d) => d.name },
				{ key: 'field.directors.id_number', cell: (d) => (d.id_number ? mono(d.id_number) : '') },
			]);
			tbl.add((app.directors || []).map((d, i) => ({ ...d, _n: i + 1 })));
			out.push(section('app.section.directors', tbl.el, 'directors'));
		}
		out.push(section('app.section.contact', dl([
			['field.contact.name', c.name, 'contact.name'],
			['field.contact.phone', c.phone, 'contact.phone'],
			['field.contact.email', c.email, 'contact.email'],
		]), 'contact'));
		return out;
	}

	function auditTrail() {
		if (!['registrar', 'admin'].includes(role)) return null;
		const trail = h('ol', { class: 'trail' });
		const list = pager((cursor) => get(`/audit${qs({ object_type: 'application', object_id: id, cursor })}`), (items) => {
			for (const e of items) {
				trail.append(h('li', {},
					h('time', { datetime: e.at }, fmtDateTime(e.at)),
					h('strong', {}, label('audit_action', e.action)), ' · ',
					`${e.actor ?? ''}${e.role ? `（${label('role', e.role)}）` : ''}`));
			}
		});
		const det = h('details', { class: 'card' }, h('summary', {}, t('app.section.audit')), trail, list.el);
		let loaded = false;
		det.addEventListener('toggle', () => {
			if (det.open && !loaded) {
				loaded = true;
				list.reload();
			}
		});
		return det;
	}

	// The notices of the decisions (受理通知书, 补正告知书, 决定书): each opens as its PDF.
	function noticesSection() {
		const box = h('div', { 'data-testid': 'notices' }, loading());
		get(`/applications/${enc}/notices`).then((r) => {
			const items = Array.isArray(r.data) ? r.data : [];
			if (!items.length) {
				box.replaceChildren(h('p', { class: 'empty' }, t('app.notices_none')));
				return;
			}
			box.replaceChildren(h('ul', { class: 'notices' }, items.map((n) => {
				const btn = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${t('app.download')} ${n.number}` }, t('app.download'));
				btn.addEventListener('click', () => busy(btn, async () => {
					try {
						await openDocument(id, { id: n.id, media_type: 'application/pdf', name: `${n.number}.pdf` }, `/applications/${enc}/notices/${encodeURIComponent(n.id)}.pdf`);
					} catch (e) {
						showProblem(box, e);
					}
				}));
				return h('li', { class: 'notice-row', dataset: { kind: n.kind } },
					h('strong', {}, label('notice_kind', n.kind)), ' ', h('span', { class: 'mono' }, n.number), ' ',
					h('time', { datetime: n.issued_at }, fmtDate(n.issued_at)), ' ', btn);
			})));
		}, (e) => { box.replaceChildren(); showProblem(box, e); });
		return box;
	}

	function renderAll() {
		refreshHeaderAndActions();
		docsBox.replaceChildren(documentsSection());
		body.replaceChildren(
			guided() ? stepIndicator('documents') : '',
			headerBox, messages.el, actionsBox,
			h('div', { class: 'app-grid' },
				h('div', { class: 'app-main' }, details(), section('app.section.documents', docsBox, 'documents')),
				h('aside', { class: 'app-side' }, section('app.section.progress', progress()),
					section('app.section.notices', noticesSection()), auditTrail())));
	}

	try {
		await load();
		await loadOrg().catch(() => {});
	} catch (e) {
		body.replaceChildren(pageHeader('app.heading', null));
		showProblem(body.appendChild(h('div')), e, null, { title: 'error.load_failed' });
		return;
	}
	renderAll();
	if (ctx.query.get('section') === 'documents') {
		const docs = body.querySelector('section[data-field="documents"]');
		requestAnimationFrame(() => requestAnimationFrame(() => {
			docs.scrollIntoView({ block: 'start' });
			const first = docs.querySelector('li.no-doc input[type="file"], input[type="file"]');
			if (first) first.focus({ preventScroll: true });
		}));
	}
	if (!document.activeElement || document.activeElement === document.body) view.querySelector('h1').focus();
}
