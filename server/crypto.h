/* crypto.h — every cryptographic primitive sanzhi uses, over OpenSSL 3.
 *
 * Passwords: scrypt with a per-user random salt, stored self-describing so the
 * cost can be raised later without breaking old hashes.
 * Tokens: 256-bit random, handed out base64url, stored only as SHA-256 hex.
 * Sealing: AES-256-GCM; keys wrapped by the master key.
 * Signatures: Ed25519.
 * All functions return 0 on success and a negative value on failure unless
 * documented otherwise. Buffers that held secrets are wiped with OPENSSL_cleanse.
 */
#ifndef SANZHI_CRYPTO_H
#define SANZHI_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_LEN 32
#define CRYPTO_SHA256_HEX_LEN 64 /* without the NUL */
#define CRYPTO_TOKEN_BYTES 32    /* 256-bit bearer tokens */
#define CRYPTO_TOKEN_STR_LEN 43  /* base64url of 32 bytes, no padding */
#define CRYPTO_PWHASH_MAX 160    /* room for the encoded password hash */
#define CRYPTO_AES_KEY_LEN 32
#define CRYPTO_GCM_IV_LEN 12
#define CRYPTO_GCM_TAG_LEN 16
#define CRYPTO_SEAL_OVERHEAD (CRYPTO_GCM_IV_LEN + CRYPTO_GCM_TAG_LEN)
#define CRYPTO_ED25519_SIG_LEN 64

/* Fill buf with n cryptographically secure random bytes. */
int crypto_random(void *buf, size_t n);

/* SHA-256 of data; out receives 32 raw bytes. */
void crypto_sha256(const void *data, size_t len, unsigned char out[CRYPTO_SHA256_LEN]);
/* SHA-256 as 64 lowercase hex characters plus NUL. */
void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX_LEN + 1]);

/* Streaming SHA-256 (for audit chains and large documents). */
typedef struct crypto_sha256_ctx crypto_sha256_ctx;
crypto_sha256_ctx *crypto_sha256_begin(void);
void crypto_sha256_update(crypto_sha256_ctx *c, const void *data, size_t len);
/* Writes hex digest and frees the context. */
void crypto_sha256_end_hex(crypto_sha256_ctx *c, char out[CRYPTO_SHA256_HEX_LEN + 1]);

/* Lowercase hex encoding; out must hold 2*n+1 bytes. */
void crypto_hex(const void *in, size_t n, char *out);
/* The value of one hex digit (either case), or -1. */
int crypto_hex_value(char c);
/* Decode exactly 2*n hex characters (either case) into n bytes. -1 on any bad character or length. */
int crypto_unhex(const char *hex, size_t hexlen, unsigned char *out, size_t n);

/* Standard base64 with padding. Returns malloc'd NUL-terminated string or NULL. */
char *crypto_base64(const void *in, size_t n);
/* Decodes standard base64 (padding required, no whitespace). Returns malloc'd
 * buffer and sets *outlen, or NULL on malformed input. */
unsigned char *crypto_unbase64(const char *in, size_t inlen, size_t *outlen);
/* base64url without padding; out must hold 4*ceil(n/3)+1 bytes. */
void crypto_base64url(const void *in, size_t n, char *out);

/* Constant-time equality of two byte strings; lengths compared without early exit on content. */
int crypto_equal(const void *a, size_t alen, const void *b, size_t blen);

/* Password hashing: encoded as "scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>".
 * crypto_password_hash writes into out (CRYPTO_PWHASH_MAX). */
int crypto_password_hash(const char *password, size_t len, char out[CRYPTO_PWHASH_MAX]);
/* 1 if the password matches the encoded hash, 0 if not, negative on a malformed hash.
 * Runs in time independent of where a mismatch occurs. */
int crypto_password_verify(const char *password, size_t len, const char *encoded);
/* Cost used for new hashes: scrypt N = 2^log_n. Default 14 (with r=8, p=5: OWASP's 16 MiB profile).
 * Tests may lower it to speed up (never below 10). */
void crypto_password_set_cost(int log_n);

/* New bearer token: token (base64url, 43 chars + NUL) and its SHA-256 hex for storage. */
int crypto_token_new(char token[CRYPTO_TOKEN_STR_LEN + 1], char hash_hex[CRYPTO_SHA256_HEX_LEN + 1]);

/* AES-256-GCM. Output layout: iv(12) || ciphertext(n) || tag(16); out must hold n + CRYPTO_SEAL_OVERHEAD.
 * aad may be NULL. */
int crypto_seal(const unsigned char key[CRYPTO_AES_KEY_LEN], const void *aad, size_t aadlen, const void *plain,
                size_t n, unsigned char *out);
/* Inverse of crypto_seal; out must hold inlen - CRYPTO_SEAL_OVERHEAD. -1 if the tag does not verify. */
int crypto_open(const unsigned char key[CRYPTO_AES_KEY_LEN], const void *aad, size_t aadlen, const unsigned char *in,
                size_t inlen, unsigned char *out);

/* Ed25519 keys: private key as PEM (PKCS#8), public as PEM (SubjectPublicKeyInfo).
 * crypto_ed25519_generate returns two malloc'd PEM strings. */
int crypto_ed25519_generate(char **priv_pem, char **pub_pem);
/* Derive the public PEM from a private PEM (malloc'd). */
char *crypto_ed25519_public_pem(const char *priv_pem);
int crypto_ed25519_sign(const char *priv_pem, const void *msg, size_t n, unsigned char sig[CRYPTO_ED25519_SIG_LEN]);
/* 1 valid, 0 invalid, negative on malformed key. */
int crypto_ed25519_verify(const char *pub_pem, const void *msg, size_t n, const unsigned char *sig, size_t siglen);

/* HMAC-SHA256 of data under key, as 64 lowercase hex characters plus NUL. -1 on failure. */
int crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t n,
                           char out[CRYPTO_SHA256_HEX_LEN + 1]);
/* HKDF-SHA256 (RFC 5869) of ikm with salt (may be NULL) and info, outlen bytes into out. A key
 * derived for one purpose (its own info label) says nothing about the master key or other keys. */
int crypto_hkdf_sha256(const void *ikm, size_t ikmlen, const void *salt, size_t saltlen, const char *info,
                       unsigned char *out, size_t outlen);

/* Wipe secret memory. */
void crypto_wipe(void *p, size_t n);

#endif
