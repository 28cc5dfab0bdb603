// certificates.js — checking a signed registration certificate with POST /certificates/verify,
// which answers {valid, signature_valid, reason, key_id, status}. valid is true only for an
// authentic certificate that is still the organization's current one; the others are told apart
// in plain words: replaced (superseded), withdrawn with a deregistration (revoked), genuine but
// unknown to the register, or not authentic at all (reason: signature_mismatch, unknown_key,
// key_id_mismatch, not_canonical).

import { h } from './dom.js';
import { t, has } from './i18n.js';
import { post } from './api.js';

// The certificate as the daemon hands it out (GET /orgs/{uscc}/certificate, or its download):
// only the three members verification takes are sent.
export async function verifyCertificate(cert) {
	const c = cert || {};
	const r = await post('/certificates/verify', { certificate: c.certificate, signature: c.signature, key_id: c.key_id });
	return r.data || {};
}

// The text of a certificate's QR code (printed on its PDF): "SZC1." + base64url of the zlib-deflated
// certificate + "." + base64url of its signature. Checked by the daemon as it stands.
export const QR_PREFIX = 'SZC1.';
export const isQrText = (s) => typeof s === 'string' && s.startsWith(QR_PREFIX);

export async function verifyQr(qr) {
	const r = await post('/certificates/verify', { qr });
	return r.data || {};
}

// What a QR text says, to show beside the daemon's verdict: the certificate object, or null when
// it cannot be read here (the daemon's verdict stands either way).
export async function qrCertificate(qr) {
	try {
		const body = qr.slice(QR_PREFIX.length).split('.')[0];
		const b64 = body.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (body.length % 4)) % 4);
		const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
		const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
		const c = JSON.parse(await new Response(stream).text());
		return c && typeof c === 'object' ? c : null;
	} catch {
		return null;
	}
}

// What a verification answer means: {key, kind, outcome}.
export function verdict(v) {
	if (v.valid === true) return { key: 'verify.valid', kind: 'ok', outcome: 'valid' };
	if (v.signature_valid === true) {
		if (v.status === 'superseded') return { key: 'verify.superseded', kind: 'warn', outcome: 'superseded' };
		if (v.status === 'revoked') return { key: 'verify.revoked', kind: 'warn', outcome: 'revoked' };
		return { key: 'verify.unknown', kind: 'warn', outcome: 'unknown' };
	}
	const key = has(`verify.bad.${v.reason}`) ? `verify.bad.${v.reason}` : 'verify.bad';
	return { key, kind: 'danger', outcome: v.reason || 'invalid' };
}

// The answer as a notice; data-verify carries the outcome (valid, superseded, revoked, unknown,
// or the reason a forged certificate failed).
export function verdictNotice(v) {
	const { key, kind, outcome } = verdict(v);
	return h('div', { class: `flash flash-${kind}`, role: 'status', dataset: { verify: outcome } }, t(key));
}
