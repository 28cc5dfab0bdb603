/* certificates.h — registration certificates (登记证书) signed with the registry's Ed25519 key
 * (registry_key.h).
 *
 *   GET  /api/v1/orgs/{uscc}/certificate     (public) the latest one, with its signature and status
 *   POST /api/v1/orgs/{uscc}/certificate     (registrar) issue a fresh one; Idempotency-Key
 *   POST /api/v1/certificates/verify         (public) valid only when signed here and still current
 *   GET  /api/v1/certificates/public-key     (public) PEM, or JSON with Accept: application/json
 *   GET  /api/v1/certificates/status?uscc=   (public) {status, certificate_no, issued_at}, for the paper
 *   GET  /api/v1/orgs/{uscc}/certificate.pdf (public) the latest one on A4 with its QR code
 *                                            (certificate_pdf.c)
 *
 * Canonical form: a certificate is signed as the UTF-8 bytes of its JSON with the keys of every
 * object sorted (bytewise), no whitespace, strings escaped as JSON.stringify does — that is,
 * JSON.stringify of the key-sorted object. Certificates hold only strings and small integers,
 * so the form is the same in every language. Anyone can verify one offline:
 *     crypto.verify(null, Buffer.from(canonical), publicKeyPem, Buffer.from(signature, 'base64'))
 *
 * Compact form (the QR code of the PDF): "SZC1." base64url(zlib(canonical text)) "." base64url(the
 * 64-byte signature), without padding. It holds the signed certificate itself, so it verifies
 * offline (inflate, then crypto.verify over the inflated bytes with the public key);
 * POST /certificates/verify {"qr": "<string>"} answers it as the JSON form.
 *
 * Problem codes (besides the dispatcher's):
 *   not_found (404)          no such organization
 *   no_certificate (404)     no electronic certificate was ever issued (imported organizations)
 *   org_deregistered (409)   a deregistered organization gets no certificate
 *   validation_failed (422)  field errors (re-issue, verification)
 */
#ifndef SANZHI_CERTIFICATES_H
#define SANZHI_CERTIFICATES_H

#include "api.h"
#include "tx.h"

extern const route certificates_routes[];

/* Issues a new certificate for the organization, inside the caller's transaction: reads the orgs
 * row (locking it), builds the certificate (name, USCC, legal form, legal representative's name,
 * domicile, business scope, issue date, registration authority and registrar), signs it, inserts
 * it into certificates and marks the previous one superseded; audited as "certificate.issue".
 * who NULL means the system. Needs the master key (the daemon loads it at start).
 * 0, or a DB_ code; DB_ERROR when the organization does not exist or is deregistered, or the
 * signing key cannot be had. */
int certificates_issue(db_conn *c, const char *uscc, const auth_user *who);

/* The latest certificate of an organization, as stored. */
typedef struct cert_latest {
	db_res *r;                                            /* owns the texts */
	cJSON *cert;                                          /* the certificate, parsed */
	const char *payload, *signature, *key_id, *issued_at; /* canonical text, base64, DB time */
	long long id;                                         /* the certificates row */
	int revoked;                                          /* the organization is deregistered */
} cert_latest;
/* Inside a tx function: reads it into *out (certificates_latest_free), or refuses 404 not_found
 * (no such organization) or no_certificate; a DB_ code else. */
int certificates_latest_or_refuse(tx *t, const char *uscc, cert_latest *out);
void certificates_latest_free(cert_latest *l);

/* The compact form of a signed certificate (above) from its canonical text and base64 signature;
 * malloc'd, NULL when out of memory or the signature is not one. */
char *certificates_qr(const char *canonical, const char *sig_b64);

/* Canonical serialization of a JSON value (see above); malloc'd, or NULL when out of memory or
 * when the value holds a number that is not an integer of at most 2^53 in magnitude. */
char *certificates_canonical(const cJSON *v);

#endif
