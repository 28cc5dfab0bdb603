// fixtures.mjs — registry data for the browser tests, made through the API the UI uses (never by
// SQL): applicants, establishment applications with their documents, approvals, changes.
import assert from 'node:assert/strict';

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
export const DOC_KINDS = ['application_letter', 'charter', 'domicile_proof', 'fund_verification', 'legal_rep_id'];

// A Chinese resident ID number with a correct GB 11643 check character.
export function idNumber(first17) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...first17].reduce((s, c, i) => s + Number(c) * w[i], 0);
	return first17 + '10X98765432'[sum % 11];
}

// Midnight-ish UTC times on consecutive days from 2026-01-05 (a Monday), for the test clock.
export const day = (n, hour = 2) => new Date(Date.UTC(2026, 0, 5 + n, hour, 0, 0)).toISOString().replace('.000Z', 'Z');

async function ok(r, status) {
	assert.equal(r.status, status, `${status} expected: ${r.text}`);
	return r.json && r.json.data;
}

// Signs up an applicant through the public API; returns its token.
export async function signUpApplicant(d, { username, password, display_name, phone = '0573-86000000', email = 'a@example.cn' }) {
	await ok(await d.api('POST', '/api/v1/accounts', { body: { username, password, display_name, phone, email } }), 201);
	return d.login(username, password);
}

export function establishBody(name, extra = {}) {
	return {
		kind: 'establish', legal_form: 'social_group', category: 'community_service', name, region_code: '330424',
		domicile: '海盐县武原街道新桥北路 1 号', business_scope: '开展社区服务', activity_area: '海盐县', funds_fen: 3000000,
		legal_representative: { name: '孙立', id_number: '330424196503120036' }, members: { individual: 60, unit: 0 },
		contact: { name: '钱申请', phone: '0573-86000000', email: 'q@example.cn' },
		...extra,
	};
}

// Creates an establishment application with the five documents; submits it unless told not to.
export async function fileEstablishment(d, token, name, { submit = true, extra, docs = DOC_KINDS } = {}) {
	const app = await ok(await d.api('POST', '/api/v1/applications', { token, body: establishBody(name, extra) }), 201);
	for (const kind of docs) {
		await ok(await d.api('POST', `/api/v1/applications/${app.id}/documents?kind=${kind}&name=${kind}.pdf`,
			{ token, raw: PDF, headers: { 'Content-Type': 'application/pdf' } }), 201);
	}
	if (submit) await ok(await d.api('POST', `/api/v1/applications/${app.id}/submit`, { token, body: {} }), 200);
	return app.id;
}

export async function act(d, token, id, action, body = {}) {
	return ok(await d.api('POST', `/api/v1/applications/${id}/${action}`, { token, body }), 200);
}

// An organization in the register owned by the applicant: establishment filed, accepted, approved.
export async function registerOrg(d, applicantToken, registrarToken, name, extra) {
	const id = await fileEstablishment(d, applicantToken, name, { extra });
	await act(d, registrarToken, id, 'accept');
	const app = await act(d, registrarToken, id, 'approve');
	return app.org_uscc;
}

// A change or deregistration application for an organization the applicant owns.
export async function fileChange(d, token, uscc, changes, { submit = true } = {}) {
	const app = await ok(await d.api('POST', '/api/v1/applications', { token, body: { kind: 'change', org_uscc: uscc, changes } }), 201);
	if (submit) await act(d, token, app.id, 'submit');
	return app.id;
}

export async function fileDeregistration(d, token, uscc, reason, { submit = true } = {}) {
	const app = await ok(await d.api('POST', '/api/v1/applications', { token, body: { kind: 'deregister', org_uscc: uscc, reason } }), 201);
	if (submit) await act(d, token, app.id, 'submit');
	return app.id;
}
