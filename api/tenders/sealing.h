/* sealing.h — sealed bids (SPEC §6, Appendix B): what is sealed and under which key.
 *
 * Each tender has a data key of its own (AES-256), made when the tender is published and stored
 * only wrapped: AES-256-GCM under a key-encryption key derived (HKDF-SHA256, its own label) from
 * the master key, with the tender's id as additional data, so a wrapped key moved to another
 * tender does not open. A bid's price and proposal, and each of its documents, are sealed with
 * AES-256-GCM under the tender's data key with a fresh random IV per seal and additional data that
 * binds the tender, the bid, the organization and what the part is ("bid" or "document:<id>"):
 * a ciphertext copied to another bid, tender or organization fails to open. The database holds
 * only iv ‖ ciphertext ‖ tag; the receipt is the SHA-256 of the plaintext.
 *
 * Every function returns 0 or -1; keys and plaintexts are wiped by whoever holds them
 * (crypto_wipe) once done. Needs the master key (config_master_key). */
#ifndef SANZHI_SEALING_H
#define SANZHI_SEALING_H

#include "crypto.h"

#include <stddef.h>

#define SEAL_KEY_WRAPPED_LEN (CRYPTO_AES_KEY_LEN + CRYPTO_SEAL_OVERHEAD)

/* A new data key for tender_id: key (to use now, then wipe) and its wrapped form (to store). */
int seal_key_new(long long tender_id, unsigned char key[CRYPTO_AES_KEY_LEN],
                 unsigned char wrapped[SEAL_KEY_WRAPPED_LEN]);
/* The data key of tender_id from its stored wrapped form (len bytes); -1 when it does not open
 * (another tender's key, tampering, another master key). */
int seal_key_unwrap(long long tender_id, const unsigned char *wrapped, size_t len,
                    unsigned char key[CRYPTO_AES_KEY_LEN]);

/* What a sealed part belongs to: the additional data of its seal. part: "bid", or "document:<id>". */
typedef struct seal_ctx {
	long long tender_id, bid_id;
	const char *org_uscc;
	const char *part;
} seal_ctx;

/* Seals n bytes of plain: *out malloc'd (n + CRYPTO_SEAL_OVERHEAD bytes, *outlen). */
int seal_part(const unsigned char key[CRYPTO_AES_KEY_LEN], const seal_ctx *ctx, const void *plain, size_t n,
              unsigned char **out, size_t *outlen);
/* Opens a sealed part: *plain malloc'd (*n bytes, plus a NUL after them); -1 when the tag does
 * not verify (tampered, or sealed for another tender, bid, organization or part). */
int seal_open_part(const unsigned char key[CRYPTO_AES_KEY_LEN], const seal_ctx *ctx, const unsigned char *in,
                   size_t inlen, unsigned char **plain, size_t *n);

#endif
