/* certificates.h — registration certificates (登记证书) signed with the registry's Ed25519 key.
 *
 * The key is made on first use and kept in the settings table (name 'registry_signing_key') as
 * JSON: the public key PEM, its key_id, and the private key PEM sealed with AES-256-GCM under
 * the master key (SANZHI_MASTER_KEY_FILE). Every instance behind a load balancer shares it; the
 * database alone does not reveal it. key_id = the first 16 hex characters of SHA-256 of the public
 * key PEM text exactly as GET /api/v1/certificates/public-key serves it.
 *
 * Canonical form: a certificate is signed as the UTF-8 bytes of its JSON with the keys of every
 * object sorted (bytewise), no whitespace, strings escaped as JSON.stringify does — that is,
 * JSON.stringify of the key-sorted object. Certificates hold only strings and small integers,
 * so the form is the same in every language. Anyone can verify one offline:
 *     crypto.verify(null, Buffer.from(canonical), publicKeyPem, Buffer.from(signature, 'base64'))
 */
#ifndef SANZHI_CERTIFICATES_H
#define SANZHI_CERTIFICATES_H

#include "api.h"

/* Issues a new certificate for the organization, inside the caller's transaction: reads the orgs
 * row (locking it), builds the certificate (name, USCC, legal form, legal representative's name,
 * domicile, business scope, issue date, registration authority and registrar), signs it, inserts
 * it into certificates and marks the previous one superseded; audited as "certificate.issue".
 * who NULL means the system. Needs the master key (the daemon loads it at start).
 * 0, or a DB_ code; DB_ERROR when the organization does not exist or is deregistered, or the
 * signing key cannot be had. */
int certificates_issue(db_conn *c, const char *uscc, const auth_user *who);

/* Canonical serialization of a JSON value (see above); malloc'd, or NULL when out of memory or
 * when the value holds a number that is not an integer of at most 2^53 in magnitude. */
char *certificates_canonical(const cJSON *v);

/* Handlers (certificates.c). */
void certificates_get(http_req *req);          /* GET  /api/v1/orgs/{uscc}/certificate (public) */
void certificates_reissue(http_req *req);      /* POST /api/v1/orgs/{uscc}/certificate (registrar) */
void certificates_verify(http_req *req);       /* POST /api/v1/certificates/verify (public) */
void certificates_public_key(http_req *req);   /* GET  /api/v1/certificates/public-key (public) */

#endif
