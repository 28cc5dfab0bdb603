// org-registrar.js — what a registrar does on an organization's page:
//  · 经办账号: bind the applicant account that acts for the organization (PUT /orgs/{uscc}/owner
//    {"username"}; {"user_id": null} unbinds). Approval makes the applicant who applied the owner;
//    an imported organization has none until a registrar binds one, after checking who the
//    account belongs to. The bound applicant then sees it under 我的组织 and files for it.
//  · 补发证书: issue a new signed certificate (POST /orgs/{uscc}/certificate {reason?}, with an
//    Idempotency-Key so that a repeated click issues one); the old one becomes superseded.

import { h } from './dom.js';
import { t } from './i18n.js';
import { get, post, put, idempotencyKeys } from './api.js';
import { field, localProblem, messageArea, notice, openDialog } from './ui.js';

export const REASON_MAX = 500;

// The 经办账号 section's body for a registrar.
export function ownerSection(org) {
	const enc = encodeURIComponent(org.uscc);
	const messages = messageArea();
	const current = h('p', { 'data-testid': 'owner-current', hidden: true });
	const bindBtn = h('button', { type: 'button', class: 'btn btn-primary' }, t('owner.bind'));
	const unbindBtn = h('button', { type: 'button', class: 'btn btn-danger-outline' }, t('owner.unbind'));

	bindBtn.addEventListener('click', async () => {
		const done = await openDialog({
			title: t('owner.bind_title'), confirmLabel: t('owner.bind_confirm'),
			body: [
				notice(t('owner.check_first'), 'warn'),
				h('p', { class: 'hint' }, t('owner.bind_effect')),
				field({ name: 'username', required: true, hint: 'owner.username_hint', attrs: { autocomplete: 'off', spellcheck: 'false', maxlength: 64, autofocus: true } }),
			],
			onConfirm: async (form) => {
				const username = form.elements.username.value.trim();
				if (!username) throw localProblem([{ field: 'username', message: t('error.required') }]);
				const r = await put(`/orgs/${enc}/owner`, { username });
				// The login as the server keeps it (lower case), not as typed.
				const owner = r.data && r.data.owner;
				return { username: (owner && owner.username) || username, data: r.data || {} };
			},
		});
		if (!done) return;
		acted = true;
		current.hidden = false;
		current.textContent = t('owner.now', { username: done.username });
		messages.ok(t('owner.bound', { username: done.username }));
	});

	unbindBtn.addEventListener('click', async () => {
		const done = await openDialog({
			title: t('owner.unbind_title'), confirmLabel: t('owner.unbind'), danger: true,
			body: [h('p', {}, t('owner.unbind_effect'))],
			onConfirm: async () => {
				const r = await put(`/orgs/${enc}/owner`, { user_id: null });
				return r.data || {};
			},
		});
		if (!done) return;
		acted = true;
		current.hidden = false;
		current.textContent = t('owner.none_now');
		messages.ok(t('owner.unbound'));
	});

	// Who acts for it now (GET /orgs/{uscc}/owner, registrars only).
	const show = (owner) => {
		current.hidden = false;
		current.textContent = owner ? t('owner.now', { username: owner.username }) : t('owner.none_now');
	};
	let acted = false;  // a bind or unbind in this visit is newer than what the load finds
	get(`/orgs/${enc}/owner`).then((r) => { if (!acted) show(r.data && r.data.owner); }, () => {});

	return h('div', { 'data-testid': 'org-owner' },
		h('p', { class: 'hint' }, t('owner.intro')),
		current,
		messages.el,
		h('div', { class: 'actions' }, bindBtn, unbindBtn));
}

// The registrar's 补发证书 button under the certificate; onIssued(cert) with the new signed
// certificate and {first}. `hasCertificate`: whether one was ever issued (an imported organization may have
// none, and then it is a first issue).
export function reissueControls(org, { hasCertificate = true, onIssued } = {}) {
	const enc = encodeURIComponent(org.uscc);
	const btn = h('button', { type: 'button', class: 'btn' }, t(hasCertificate ? 'cert.reissue' : 'cert.issue'));
	btn.addEventListener('click', async () => {
		// Keys last for this dialog: a later re-issue is a new request even with the same reason.
		const key = idempotencyKeys();
		const cert = await openDialog({
			title: t(hasCertificate ? 'cert.reissue_title' : 'cert.issue_title'),
			confirmLabel: t(hasCertificate ? 'cert.reissue' : 'cert.issue'),
			body: [
				hasCertificate ? h('p', {}, t('cert.reissue_effect')) : null,
				field({ name: 'reason', label: 'cert.reason', type: 'textarea', rows: 3, hint: 'cert.reason_hint', attrs: { maxlength: REASON_MAX } }),
			],
			onConfirm: async (form) => {
				const reason = form.elements.reason.value.trim();
				if ([...reason].length > REASON_MAX) throw localProblem([{ field: 'reason', message: t('verr.too_long', { n: REASON_MAX }) }]);
				const body = reason ? { reason } : {};
				const r = await post(`/orgs/${enc}/certificate`, body, { headers: { 'Idempotency-Key': key(body) } });
				return r.data;
			},
		});
		if (cert) onIssued(cert, { first: !hasCertificate });
	});
	return btn;
}
