/* bid_seal.h — how a bid is sealed (SPEC §6): AES-256-GCM under a per-tender data key, the data
 * key wrapped by a key derived from the master key (HKDF-SHA256, its own label), additional data
 * binding tender, bid and organization, a fresh random IV for every seal (crypto_seal).
 *
 * The plaintext is the bid as JSON with a random nonce in it, so the SHA-256 given in the receipt
 * (and kept in the bids row, the audit trail and later the opening record) cannot be matched
 * against guessed prices. Keys and plaintexts are wiped when done. */
#ifndef SANZHI_BID_SEAL_H
#define SANZHI_BID_SEAL_H

#include "crypto.h"
#include "db.h"

#include <stddef.h>

/* Inside the transaction that publishes tender_id: a new random data key, stored wrapped.
 * 0 or a DB_ code. */
int bid_key_create(db_conn *c, long long tender_id);
/* The data key of tender_id into key (wipe it after use). 0; 1 when the tender has none or it
 * does not unwrap (no master key, a key moved from another tender); or a DB_ code. */
int bid_key_load(db_conn *c, long long tender_id, unsigned char key[CRYPTO_AES_KEY_LEN]);

/* The additional data of a seal: the bid's plaintext (doc_id 0) or one of its documents. */
void bid_seal_aad(long long tender_id, long long bid_id, const char *uscc, long long doc_id, char *out, size_t outlen);
/* Seals plain (n bytes) for the bid (doc_id 0) or its document doc_id: *out (malloc'd,
 * n + CRYPTO_SEAL_OVERHEAD bytes). 0 or -1. */
int bid_seal(const unsigned char key[CRYPTO_AES_KEY_LEN], long long tender_id, long long bid_id, const char *uscc,
             long long doc_id, const void *plain, size_t n, unsigned char **out, size_t *outlen);
/* Opens a seal: *out (malloc'd, NUL-terminated, *outlen bytes without it). -1 when it does not
 * open (altered, or sealed for another tender, bid, organization or document). */
int bid_open(const unsigned char key[CRYPTO_AES_KEY_LEN], long long tender_id, long long bid_id, const char *uscc,
             long long doc_id, const unsigned char *sealed, size_t n, char **out, size_t *outlen);

#endif
