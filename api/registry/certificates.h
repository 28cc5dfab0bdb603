/* certificates.h — registration certificates (登记证书) signed with the registry's Ed25519 key
 * (registry_key.h).
 *
 *   GET  /api/v1/orgs/{uscc}/certificate     (public) the latest one, with its signature and status
 *   POST /api/v1/orgs/{uscc}/certificate     (registrar) issue a fresh one; Idempotency-Key
 *   POST /api/v1/certificates/verify         (public) valid only when signed here and still current
 *   GET  /api/v1/certificates/public-key     (public) PEM, or JSON with Accept: application/json
 *
 * Canonical form: a certificate is signed as the UTF-8 bytes of its JSON with the keys of every
 * object sorted (bytewise), no whitespace, strings escaped as JSON.stringify does — that is,
 * JSON.stringify of the key-sorted object. Certificates hold only strings and small integers,
 * so the form is the same in every language. Anyone can verify one offline:
 *     crypto.verify(null, Buffer.from(canonical), publicKeyPem, Buffer.from(signature, 'base64'))
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

extern const route certificates_routes[];

/* Issues a new certificate for the organization, inside the caller's transaction: reads the orgs
 * row (locking it), builds the certificate (name, USCC, legal form, legal representative's name,
 * domicile, business scope, issue date, registration authority and registrar), signs it, inserts
 * it into certificates and marks the previous one superseded; audited as "certificate.issue".
 * who NULL means the system. Needs the master key (the daemon loads it at start).
 * 0, or a DB_ code; DB_ERROR when the organization does not exist or is deregistered, or the
 * signing key cannot be had. */
int certificates_issue(db_conn *c, const char *uscc, const auth_user *who);

/* The registration authority (登记管理机关) of an organization of region_code, as its certificate
 * names it: the civil-affairs department of the region (a province's 民政厅, any other's 民政局). */
void certificates_authority(const char *region_code, char *out, size_t len);

/* Canonical serialization of a JSON value (see above); malloc'd, or NULL when out of memory or
 * when the value holds a number that is not an integer of at most 2^53 in magnitude. */
char *certificates_canonical(const cJSON *v);

#endif
