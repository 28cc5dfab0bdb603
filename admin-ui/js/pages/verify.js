// Certificate check (public): a certificate downloaded from this platform (JSON), chosen as a
// file or pasted, or the text of the QR code printed on its PDF, is sent to POST
// /certificates/verify; the answer says whether it is authentic and still in force, and what the
// certificate says. Someone holding only the paper asks by the organization's code (GET
// /certificates/status): whether its certificate is in force, its number and when it was signed.

import { h, uid } from '../dom.js';
import { t, label } from '../i18n.js';
import { pageHeader, field, busy, messageArea, localProblem, dl, mono, fmtDateTime } from '../ui.js';
import { get, qs } from '../api.js';
import { verifyCertificate, verifyQr, isQrText, qrCertificate, verdictNotice } from '../certificates.js';

function contents(c) {
	const uscc = typeof c.uscc === 'string' ? c.uscc : '';
	return h('section', { class: 'card', 'data-testid': 'verify-contents' }, h('h2', {}, t('verify.contents')), dl([
		['field.name', c.name],
		['field.uscc', uscc ? h('span', {}, mono(uscc), ' ', h('a', { href: `#/org/${encodeURIComponent(uscc)}`, class: 'small' }, t('app.view_org'))) : ''],
		['field.legal_form', label('legal_form', c.legal_form)],
		['field.legal_representative_name', c.legal_representative_name],
		['field.domicile', c.domicile],
		['field.region_code', c.region_code],
		['field.certificate_no', c.certificate_no],
		['field.issue_date', c.issue_date],
		['field.authority', c.authority],
	]));
}

export function verifyPage(view) {
	const messages = messageArea();
	const out = h('div', { 'aria-live': 'polite' });
	// The native file input stays focusable and operable; its label is the visible button (the
	// browser's own "Choose file" text would be in the browser's language, not the reader's).
	const fileId = uid('cert');
	const fileInput = h('input', { type: 'file', id: fileId, class: 'file-input', accept: '.json,application/json', name: 'certificate_file' });
	const fileName = h('span', { class: 'muted' });
	const fileField = h('div', { class: 'field file-pick', dataset: { field: 'certificate_file' } },
		h('label', { for: fileId, class: 'btn' }, t('field.certificate_file')), fileInput, fileName);
	const textField = field({ name: 'certificate', label: 'field.certificate_text', type: 'textarea', rows: 6, attrs: { spellcheck: 'false', class: 'mono' } });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('verify.submit'));
	const form = h('form', { class: 'card stack', novalidate: true, 'aria-label': t('verify.title') }, fileField, textField, h('div', { class: 'actions' }, submit));
	view.append(pageHeader('verify.title', 'verify.intro'), messages.el, form, out);

	// A chosen file fills the text box, so what is checked is what is shown.
	const textArea = textField.querySelector('textarea');
	fileInput.addEventListener('change', async () => {
		const f = fileInput.files && fileInput.files[0];
		if (!f) return;
		fileName.textContent = f.name;
		textArea.value = await f.text();
	});

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(submit, async () => {
			messages.clear(form);
			out.replaceChildren();
			const text = textArea.value.trim();
			if (isQrText(text)) {
				try {
					const v = await verifyQr(text);
					const c = v.signature_valid === true ? await qrCertificate(text) : null;
					out.append(verdictNotice(v), ...(c ? [contents(c)] : []));
				} catch (e) {
					messages.problem(e, form, { title: 'error.action_failed' });
				}
				return;
			}
			let cert;
			try {
				cert = JSON.parse(text);
			} catch {
				cert = null;
			}
			if (!cert || typeof cert !== 'object' || !cert.certificate || typeof cert.certificate !== 'object') {
				messages.problem(localProblem([{ field: 'certificate', message: t('error.not_json') }]), form, { title: 'error.action_failed' });
				return;
			}
			try {
				const v = await verifyCertificate(cert);
				out.append(verdictNotice(v), contents(cert.certificate));
			} catch (e) {
				messages.problem(e, form, { title: 'error.action_failed' });
			}
		});
	});

	view.append(statusCard());
}

// For someone holding only the paper: the certificate of an organization as the register has it.
function statusCard() {
	const messages = messageArea();
	const out = h('div', { 'aria-live': 'polite' });
	const usccField = field({ name: 'uscc', label: 'field.uscc', hint: 'verify.status_hint',
		attrs: { autocomplete: 'off', spellcheck: 'false', maxlength: '26', class: 'mono' } });
	const input = usccField.querySelector('input');
	const submit = h('button', { type: 'submit', class: 'btn' }, t('verify.status_submit'));
	const form = h('form', { class: 'stack', novalidate: true, 'aria-label': t('verify.status_title') },
		usccField, h('div', { class: 'actions' }, submit));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(submit, async () => {
			messages.clear(form);
			out.replaceChildren();
			const uscc = input.value.trim().toUpperCase();
			if (!uscc) {
				messages.problem(localProblem([{ field: 'uscc', message: t('verify.status_required') }]), form, { title: 'error.action_failed' });
				return;
			}
			try {
				const s = (await get(`/certificates/status${qs({ uscc })}`)).data || {};
				const inForce = s.status === 'current';
				out.append(
					h('div', { class: `flash flash-${inForce ? 'ok' : 'warn'}`, role: 'status', dataset: { status: s.status } },
						t(inForce ? 'verify.status_current' : 'verify.status_revoked')),
					dl([
						['field.uscc', h('span', {}, mono(uscc), ' ', h('a', { href: `#/org/${encodeURIComponent(uscc)}`, class: 'small' }, t('app.view_org')))],
						['field.certificate_no', s.certificate_no],
						['field.issued_at', s.issued_at ? fmtDateTime(s.issued_at) : ''],
					]));
			} catch (e) {
				messages.problem(e, form, { title: 'error.action_failed' });
			}
		});
	});
	return h('section', { class: 'card stack', 'data-testid': 'certificate-status' },
		h('h2', {}, t('verify.status_title')), h('p', { class: 'muted' }, t('verify.status_intro')), messages.el, form, out);
}
