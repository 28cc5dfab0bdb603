/* registry_key.h — the registry's Ed25519 signing key, which signs registration certificates.
 *
 * The key is made on first use and kept in the settings table (name 'registry_signing_key') as
 * JSON: the public key PEM, its key_id, and the private key PEM sealed with AES-256-GCM under the
 * master key (SANZHI_MASTER_KEY_FILE), with the key_id as additional data. Every instance behind
 * a load balancer shares it; the database alone does not reveal it. key_id = the first 16 hex
 * characters of SHA-256 of the public key PEM text exactly as GET /api/v1/certificates/public-key
 * serves it. The private key is wiped at exit. */
#ifndef SANZHI_REGISTRY_KEY_H
#define SANZHI_REGISTRY_KEY_H

#include "crypto.h"

#include <stddef.h>

#define KEY_ID_LEN 16

/* Loads the key, making it on first use (in a transaction of its own, on its own connection:
 * never rolled back with whoever first needed it). Needs the master key. 0, or a DB_ code. The
 * functions below need it loaded. */
int registry_key_ensure(void);

const char *registry_key_id(void);
const char *registry_key_public_pem(void);
/* 0, or -1 when the signature could not be made. */
int registry_key_sign(const char *data, size_t len, unsigned char sig[CRYPTO_ED25519_SIG_LEN]);
/* 1 when sig is this key's signature of data, else 0. */
int registry_key_verify(const char *data, size_t len, const unsigned char *sig, size_t siglen);

#endif
