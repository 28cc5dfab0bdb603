// Organization profile (public): registration data, credit, signed certificate, annual reports, history.

import { h } from '../dom.js';
import { t, has, label, fieldLabel } from '../i18n.js';
import { get, ApiError, BASE } from '../api.js';
import { dl, loading, mono, statusBadge, showProblem, fmtDate, fmtDateTime, fmtYuan, busy, notice, dataTable, badge, regionText, messageArea } from '../ui.js';
import { ownsOrg, liveApplicationsFor } from '../org-data.js';
import { verifyCertificate, verdictNotice } from '../certificates.js';
import { annualReports } from '../annual-reports.js';
import { ownerSection, reissueControls } from '../org-registrar.js';
import { creditSection, reasonText, removalReasonText } from '../credit.js';

const ENUM_FIELDS = { legal_form: 'legal_form', category: 'category', status: 'org_status' };

function section(titleKey, ...body) {
	const id = `sec-${titleKey.replace(/\W/g, '-')}`;
	return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, t(titleKey)), body);
}

function valueText(key, v) {
	if (v == null) return '';
	if (ENUM_FIELDS[key]) return label(ENUM_FIELDS[key], v);
	// A listing's or removal's change: lists.<list> from / to its grounds.
	if (/^lists\./.test(key)) return reasonText(v);
	if (/_fen$/.test(key)) return fmtYuan(v);
	if (key === 'legal_representative' && typeof v === 'object') return v.name || '';
	if (Array.isArray(v)) return v.map((x) => valueText('', x)).join(t('common.list_sep'));
	if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${fieldLabel(k)}${t('common.colon')}${valueText(k, x)}`).join('；');
	return String(v);
}

function profile(o) {
	return dl([
		['field.name', h('strong', {}, o.name)],
		['field.uscc', h('span', {}, mono(o.uscc, null), ' ', h('a', { href: `#/uscc/${encodeURIComponent(o.uscc)}`, class: 'small' }, t('org.check_code')))],
		['field.org_id', o.org_id ? mono(o.org_id) : ''],
		['field.former_names', Array.isArray(o.former_names) ? o.former_names.map((n) => (typeof n === 'string' ? n : n.name)).join('；') : ''],
		['field.legal_form', label('legal_form', o.legal_form)],
		['field.category', label('category', o.category)],
		['field.region_display', regionText(o.region_name, o.region_code)],
		['field.domicile', o.domicile],
		['field.business_scope', o.business_scope],
		['field.legal_representative_name', o.legal_representative_name],
		['field.registered_at', fmtDate(o.registered_at)],
		['field.registration_authority', o.registration_authority, 'registration_authority'],
		['field.registered_funds', o.funds_fen != null ? fmtYuan(o.funds_fen) : '', 'funds_fen'],
		['field.status', statusBadge(o.status, 'org_status')],
	]);
}

// Registration and deregistration take effect on a day: that day is shown (an imported
// organization's establishment is dated by the register, its deregistration perhaps not at all);
// other events, the moment they were recorded.
function eventWhen(e) {
	if (e.type === 'establish' || e.type === 'deregister') {
		return e.effective_date ? h('time', { datetime: e.effective_date }, fmtDate(e.effective_date))
			: h('span', { class: 'muted' }, t('org.date_not_recorded'));
	}
	return h('time', { datetime: e.at }, fmtDateTime(e.at));
}

function historyList(events) {
	if (!events.length) return h('p', { class: 'empty' }, t('org.no_history'));
	return h('ol', { class: 'timeline' }, events.map((e) => h('li', {},
		h('div', { class: 'timeline-head' }, h('strong', {}, label('event', e.type)), ' ', eventWhen(e)),
		// A listing's reason is its grounds (a code, in words), a removal's the registrar's or the
		// daily check's (credit.js); any other reason is the registry's own text (in Chinese), as recorded.
		e.type === 'listing' && e.reason ? h('p', {}, reasonText(e.reason))
			: e.type === 'delisting' && e.reason ? h('p', {}, removalReasonText({ removal_reason: e.reason }))
				: e.reason ? h('p', { lang: 'zh-CN' }, e.reason) : null,
		Array.isArray(e.changes) && e.changes.length ? (() => {
			const tbl = dataTable([
				{ key: 'org.changes', cell: (c) => fieldLabel(c.field) },
				{ key: 'org.old', cell: (c) => valueText(c.field, c.old) },
				{ key: 'org.new', cell: (c) => valueText(c.field, c.new) },
			]);
			tbl.add(e.changes);
			return tbl.el;
		})() : null)));
}

// Certificate fields in reading order; others follow as they come. The signing key is shown once,
// beside the signature; the format tag is for programs, not readers (it stays in the download).
const CERT_ORDER = ['title', 'name', 'uscc', 'org_id', 'legal_form', 'category', 'legal_representative_name', 'domicile',
	'business_scope', 'region_code', 'registered_at', 'issue_date', 'certificate_no', 'authority', 'registrar'];
const CERT_HIDDEN = ['format', 'key_id', 'legal_form_name'];

function certificateRows(c, org) {
	const keys = [...CERT_ORDER.filter((k) => k in c), ...Object.keys(c).filter((k) => !CERT_ORDER.includes(k))]
		.filter((k) => !CERT_HIDDEN.includes(k) || (k === 'legal_form_name' && !('legal_form' in c)));
	return keys.map((k) => {
		let v = valueText(k, c[k]);
		if (k === 'issued_at') v = fmtDateTime(c[k]);
		if (k === 'region_code') v = regionText(org && org.region_code === c[k] ? org.region_name : null, c[k]);
		return [has(`field.${k}`) ? `field.${k}` : k, v];
	});
}

function certificateView(uscc, cert, org, extra) {
	const c = cert.certificate || {};
	const result = h('div', { 'aria-live': 'polite' });
	const verifyBtn = h('button', { type: 'button', class: 'btn btn-primary' }, t('org.verify'));
	verifyBtn.addEventListener('click', () => busy(verifyBtn, async () => {
		result.replaceChildren();
		try {
			result.append(verdictNotice(await verifyCertificate(cert)));
		} catch (e) {
			showProblem(result, e);
		}
	}));
	const saveBtn = h('button', {
		type: 'button', class: 'btn',
		onclick: () => {
			const blob = new Blob([JSON.stringify(cert, null, 2)], { type: 'application/json' });
			const url = URL.createObjectURL(blob);
			const a = h('a', { href: url, download: `certificate-${uscc}.json` });
			document.body.append(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(url), 10000);
		},
	}, t('org.download_certificate'));
	// The paper certificate (A4, with the QR code that verifies offline), and this page printed.
	const pdfLink = h('a', { class: 'btn', href: `${BASE}/orgs/${encodeURIComponent(uscc)}/certificate.pdf`, target: '_blank', rel: 'noopener' },
		t('org.certificate_pdf'));
	const printBtn = h('button', {
		type: 'button', class: 'btn',
		onclick: () => {
			document.body.classList.add('print-certificate');
			window.addEventListener('afterprint', () => document.body.classList.remove('print-certificate'), { once: true });
			window.print();
		},
	}, t('org.print_certificate'));
	return h('div', { class: 'certificate' },
		// A deregistered organization's certificate is withdrawn (缴销): it says so before any check.
		cert.status === 'revoked' ? notice(t('cert.revoked'), 'warn') : null,
		h('div', { class: ['cert-paper', cert.status === 'revoked' && 'cert-revoked'] }, dl(certificateRows(c, org))),
		dl([
			['field.key_id', cert.key_id || c.key_id ? mono(cert.key_id || c.key_id) : ''],
			['field.signature', cert.signature ? h('code', { class: 'mono wrap' }, cert.signature) : ''],
		]),
		h('div', { class: 'actions' }, verifyBtn, saveBtn, pdfLink, printBtn, extra),
		result);
}

// Loads into a section body; a 404 shows `missingKey` instead of an error.
async function fill(body, load, renderFn, missingKey) {
	body.replaceChildren(loading());
	try {
		const r = await load();
		body.replaceChildren(...[renderFn(r.data)].flat());
	} catch (e) {
		body.replaceChildren();
		if (e instanceof ApiError && (e.status === 404 || e.status === 501) && missingKey) body.append(h('p', { class: 'empty' }, t(missingKey)));
		else showProblem(body, e);
	}
}

export async function orgPage(view, ctx) {
	const uscc = ctx.params.uscc;
	const enc = encodeURIComponent(uscc);
	const heading = h('h1', { tabindex: '-1', class: 'page-title' }, t('org.title'));
	const main = h('div', {}, loading());
	view.append(h('p', { class: 'crumbs' }, h('a', { href: '#/register' }, `← ${t('nav.register')}`)), heading, main);
	let org;
	try {
		org = (await get(`/orgs/${enc}`)).data;
	} catch (e) {
		main.replaceChildren();
		if (e instanceof ApiError && e.status === 404) main.append(h('p', { class: 'empty' }, t('org.not_found')));
		else showProblem(main, e);
		return;
	}
	heading.textContent = org.name;
	document.title = `${org.name} · ${t('app.title')}`;
	const hist = h('div');
	const cert = h('div');
	const reports = h('div', {}, loading());
	const statusLine = (o) => [statusBadge(o.status, 'org_status'), ' ', o.grade ? badge(o.grade, 'info') : null, ' ', mono(o.uscc)];
	const status = h('div', { class: 'org-status' }, statusLine(org));
	const registrar = Boolean(ctx.user && ctx.user.role === 'registrar');
	const loadHistory = () => fill(hist, () => get(`/orgs/${enc}/history`), (events) => historyList(Array.isArray(events) ? events : []), 'org.no_history');
	// A grade or a listing changes the profile's grade and the registration history too.
	const credit = creditSection(org, {
		registrar,
		onChange: () => {
			loadHistory();
			get(`/orgs/${enc}`).then((r) => { if (r.data) status.replaceChildren(...statusLine(r.data)); }, () => {});
		},
	});
	const certSection = section('org.section.certificate', cert);
	certSection.classList.add('cert-section');
	main.replaceChildren(
		status,
		section('org.section.basic', profile(org)),
		section('org.section.credit', credit),
		certSection,
		section('reports.section', reports),
		section('org.section.history', hist));
	loadHistory();
	// A registrar re-issues the certificate of a registered organization (or issues a first one to
	// an imported organization that has none); the card then shows the new one.
	const certMessages = messageArea();
	const showCert = (c) => {
		const extra = registrar && org.status === 'registered' ? reissueControls(org, { hasCertificate: true, onIssued }) : null;
		return [certMessages.el, certificateView(uscc, c, org, extra)];
	};
	function onIssued(c, { first = false } = {}) {
		cert.replaceChildren(...showCert(c));
		certMessages.ok(t(first ? 'cert.issued' : 'cert.reissued', { no: (c.certificate && c.certificate.certificate_no) || '' }));
		loadHistory();
	}
	fill(cert, () => get(`/orgs/${enc}/certificate`), showCert, 'org.certificate_unavailable').then(() => {
		if (registrar && org.status === 'registered' && !cert.querySelector('.certificate') && cert.querySelector('.empty')) {
			cert.append(h('div', { class: 'actions' }, reissueControls(org, { hasCertificate: false, onIssued })));
		}
	});
	// Whether the signed-in applicant acts for the organization: GET /me/orgs. Not being able to
	// tell only hides what the owner alone is offered.
	const owner = ctx.user && ctx.user.role === 'applicant' ? await ownsOrg(uscc).catch(() => false) : false;
	reports.replaceChildren(annualReports(org, { owner, registrar }));
	if (registrar && org.status === 'registered') {
		const sec = section('org.section.owner', ownerSection(org));
		main.insertBefore(sec, main.children[2] || null);
	}
	if (owner && org.status === 'registered') applySection(main, org);
}

// For the applicant that acts for the organization: file a change or a deregistration, or go on
// with one already under way.
async function applySection(main, org) {
	let live;
	try {
		live = await liveApplicationsFor(org.uscc);
	} catch {
		live = [];
	}
	const enc = encodeURIComponent(org.uscc);
	const pending = live.filter((a) => a.status !== 'draft');
	const body = [h('p', { class: 'hint' }, t('org.apply.intro'))];
	if (live.length) {
		body.push(h('ul', { class: 'plain', 'data-testid': 'org-live-applications' }, live.map((a) => h('li', {},
			`${label('kind', a.kind)} · `, statusBadge(a.status), ' ',
			h('a', { href: `#/applications/${encodeURIComponent(a.id)}` }, t(a.status === 'draft' ? 'org.apply.continue' : 'org.apply.view'))))));
	}
	if (pending.length) body.push(h('p', { class: 'muted' }, t('org.apply.pending')));
	else {
		body.push(h('div', { class: 'actions' },
			h('a', { class: 'btn btn-primary', href: `#/org/${enc}/change` }, t('org.apply.change')),
			h('a', { class: 'btn btn-danger-outline', href: `#/org/${enc}/deregister` }, t('org.apply.deregister'))));
	}
	const sec = section('org.section.apply', body);
	sec.dataset.testid = 'org-apply';
	main.insertBefore(sec, main.children[1] || null);
}
