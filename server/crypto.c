/* crypto.c — sanzhi's cryptographic primitives over OpenSSL 3 (EVP interfaces only).
 *
 * Algorithms are fetched once per process and shared: a fetched EVP_MD/EVP_CIPHER/EVP_KDF is
 * immutable and safe to use from many threads, and explicit fetching avoids the implicit,
 * lock-taking lookup OpenSSL does on every EVP_sha256()-style call. Per-call state (digest,
 * cipher and KDF contexts) is never shared. Failure paths clear the thread's OpenSSL error
 * queue so a stale error cannot be misattributed to a later, unrelated call on the same thread.
 */
#include "crypto.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#define PW_SALT_LEN 16
#define PW_HASH_LEN 32
#define PW_R 8
#define PW_P 5
#define PW_LOG_N_DEFAULT 14
#define PW_LOG_N_MIN 10
#define PW_LOG_N_MAX 20
/* Bounds on what a stored hash may ask for: a tampered row must not make verification allocate
 * gigabytes or run for minutes. */
#define PW_R_MAX 16
#define PW_P_MAX 16
/* scrypt's V array is 128*r*N bytes; cap it at what our own largest setting (N=2^20, r=8) needs. */
#define PW_MAX_R_TIMES_N ((uint64_t)PW_R << PW_LOG_N_MAX)
#define PW_SALT_B64_LEN 24 /* base64 of 16 bytes, with "==" */
#define PW_HASH_B64_LEN 44 /* base64 of 32 bytes, with "=" */
#define PW_PREFIX "scrypt$"

/* OpenSSL's EVP update calls take int lengths; larger inputs are fed in chunks of this size. */
#define CRYPTO_CHUNK (1 << 30)

static atomic_int pw_log_n = PW_LOG_N_DEFAULT;

static pthread_once_t algs_once = PTHREAD_ONCE_INIT;
static EVP_MD *alg_sha256;
static EVP_CIPHER *alg_aes_gcm;
static EVP_KDF *alg_scrypt;

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct crypto_sha256_ctx {
	EVP_MD_CTX *md;
};

static void algs_fetch(void)
{
	alg_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	alg_aes_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	alg_scrypt = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	ERR_clear_error();
}

static void algs_init(void)
{
	pthread_once(&algs_once, algs_fetch);
}

/* The void-returning digest functions have no way to report failure, and a wrong digest would
 * silently corrupt the audit chain, so an OpenSSL failure there (only possible when out of
 * memory or with a broken provider configuration) ends the process. */
static void crypto_fatal(const char *what)
{
	fprintf(stderr, "sanzhi: fatal OpenSSL failure in %s\n", what);
	abort();
}

void crypto_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

int crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		int k = n > CRYPTO_CHUNK ? CRYPTO_CHUNK : (int)n;
		if (RAND_bytes(p, k) != 1) {
			ERR_clear_error();
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* ---- SHA-256 ---------------------------------------------------------------------------- */

crypto_sha256_ctx *crypto_sha256_begin(void)
{
	algs_init();
	if (!alg_sha256)
		return NULL;
	crypto_sha256_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex2(c->md, alg_sha256, NULL) != 1) {
		EVP_MD_CTX_free(c->md);
		free(c);
		ERR_clear_error();
		return NULL;
	}
	return c;
}

void crypto_sha256_update(crypto_sha256_ctx *c, const void *data, size_t len)
{
	if (!c || len == 0)
		return;
	if (EVP_DigestUpdate(c->md, data, len) != 1)
		crypto_fatal("sha256 update");
}

static void sha256_final(crypto_sha256_ctx *c, unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int n = 0;
	if (EVP_DigestFinal_ex(c->md, out, &n) != 1 || n != CRYPTO_SHA256_LEN)
		crypto_fatal("sha256");
}

void crypto_sha256_end_hex(crypto_sha256_ctx *c, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	if (!c) {
		/* A failed begin: an empty string never equals a real digest. */
		out[0] = '\0';
		return;
	}
	unsigned char d[CRYPTO_SHA256_LEN];
	sha256_final(c, d);
	crypto_hex(d, sizeof(d), out);
	EVP_MD_CTX_free(c->md);
	free(c);
}

void crypto_sha256(const void *data, size_t len, unsigned char out[CRYPTO_SHA256_LEN])
{
	algs_init();
	if (!alg_sha256)
		crypto_fatal("sha256 fetch");
	struct crypto_sha256_ctx c = { .md = EVP_MD_CTX_new() };
	if (!c.md || EVP_DigestInit_ex2(c.md, alg_sha256, NULL) != 1)
		crypto_fatal("sha256 init");
	if (len && EVP_DigestUpdate(c.md, data, len) != 1)
		crypto_fatal("sha256 update");
	sha256_final(&c, out);
	EVP_MD_CTX_free(c.md);
}

void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	unsigned char d[CRYPTO_SHA256_LEN];
	crypto_sha256(data, len, d);
	crypto_hex(d, sizeof(d), out);
}

/* ---- hex and base64 --------------------------------------------------------------------- */

void crypto_hex(const void *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = in;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

int crypto_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int crypto_unhex(const char *hex, size_t hexlen, unsigned char *out, size_t n)
{
	if (n > SIZE_MAX / 2 || hexlen != 2 * n || (n && (!hex || !out)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = crypto_hex_value(hex[2 * i]), lo = crypto_hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			crypto_wipe(out, n);
			return -1;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Encodes n bytes with the given alphabet; pads with '=' when pad is set. Returns the length. */
static size_t b64_encode(const char *alphabet, int pad, const unsigned char *in, size_t n, char *out)
{
	size_t o = 0, i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict standard base64: length a multiple of 4, '=' only as the final one or two characters,
 * and the bits a padded group leaves unused must be zero, so every byte string has exactly one
 * accepted encoding. Writes at most outmax bytes. Returns 0 and sets *outlen, or -1. */
static int b64_decode(const char *in, size_t inlen, unsigned char *out, size_t outmax, size_t *outlen)
{
	if (inlen % 4 != 0)
		return -1;
	size_t pad = 0;
	if (inlen >= 4) {
		if (in[inlen - 1] == '=')
			pad = in[inlen - 2] == '=' ? 2 : 1;
	}
	size_t need = inlen / 4 * 3 - pad;
	if (need > outmax)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < inlen; i += 4) {
		int last = i + 4 == inlen;
		int v[4];
		for (int k = 0; k < 4; k++) {
			if (last && k >= 4 - (int)pad) {
				v[k] = 0;
				continue;
			}
			v[k] = b64_value(in[i + k]);
			if (v[k] < 0)
				return -1;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		if (last && pad == 2) {
			if (w & 0xFFFF)
				return -1;
			out[o++] = (unsigned char)(w >> 16);
		} else if (last && pad == 1) {
			if (w & 0xFF)
				return -1;
			out[o++] = (unsigned char)(w >> 16);
			out[o++] = (unsigned char)(w >> 8);
		} else {
			out[o++] = (unsigned char)(w >> 16);
			out[o++] = (unsigned char)(w >> 8);
			out[o++] = (unsigned char)w;
		}
	}
	*outlen = o;
	return 0;
}

char *crypto_base64(const void *in, size_t n)
{
	if (n > (SIZE_MAX - 1) / 4 * 3 - 2 || (n && !in))
		return NULL;
	char *out = malloc((n + 2) / 3 * 4 + 1);
	if (!out)
		return NULL;
	b64_encode(b64_std, 1, in, n, out);
	return out;
}

unsigned char *crypto_unbase64(const char *in, size_t inlen, size_t *outlen)
{
	if ((inlen && !in) || !outlen)
		return NULL;
	size_t cap = inlen / 4 * 3;
	/* +1 so an empty result is still a distinct, freeable allocation. */
	unsigned char *out = malloc(cap + 1);
	if (!out)
		return NULL;
	if (b64_decode(in, inlen, out, cap, outlen) != 0) {
		crypto_wipe(out, cap);
		free(out);
		return NULL;
	}
	return out;
}

void crypto_base64url(const void *in, size_t n, char *out)
{
	b64_encode(b64_url, 0, in, n, out);
}

int crypto_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	/* Compare the common prefix even when lengths differ, so timing reveals nothing about content. */
	size_t n = alen < blen ? alen : blen;
	int diff = n ? CRYPTO_memcmp(a, b, n) : 0;
	return (diff == 0) & (alen == blen);
}

/* ---- passwords -------------------------------------------------------------------------- */

void crypto_password_set_cost(int log_n)
{
	if (log_n < PW_LOG_N_MIN)
		log_n = PW_LOG_N_MIN;
	if (log_n > PW_LOG_N_MAX)
		log_n = PW_LOG_N_MAX;
	atomic_store(&pw_log_n, log_n);
}

static int scrypt_derive(const char *password, size_t len, const unsigned char *salt, int log_n, uint32_t r, uint32_t p,
                         unsigned char out[PW_HASH_LEN])
{
	int rc = -1;
	EVP_KDF_CTX *kctx = NULL;
	uint64_t n = (uint64_t)1 << log_n;
	/* Exactly what OpenSSL computes for B and V, so its default 1 GiB limit never refuses a
	 * parameter set we have already accepted. */
	uint64_t maxmem = 128ULL * r * p + 128ULL * r * (n + 2);

	algs_init();
	if (!alg_scrypt)
		goto out;
	kctx = EVP_KDF_CTX_new(alg_scrypt);
	if (!kctx)
		goto out;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)(len ? password : ""), len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, PW_SALT_LEN),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
		OSSL_PARAM_construct_end(),
	};
	if (EVP_KDF_derive(kctx, out, PW_HASH_LEN, params) != 1)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		crypto_wipe(out, PW_HASH_LEN);
		ERR_clear_error();
	}
	EVP_KDF_CTX_free(kctx); /* clears its copy of the password */
	return rc;
}

int crypto_password_hash(const char *password, size_t len, char out[CRYPTO_PWHASH_MAX])
{
	int rc = -1;
	unsigned char salt[PW_SALT_LEN], dk[PW_HASH_LEN];
	char salt_b64[PW_SALT_B64_LEN + 1], dk_b64[PW_HASH_B64_LEN + 1];
	int log_n = atomic_load(&pw_log_n);

	if (!out || (len && !password))
		goto out;
	out[0] = '\0';
	if (crypto_random(salt, sizeof(salt)) != 0)
		goto out;
	if (scrypt_derive(password, len, salt, log_n, PW_R, PW_P, dk) != 0)
		goto out;
	b64_encode(b64_std, 1, salt, sizeof(salt), salt_b64);
	b64_encode(b64_std, 1, dk, sizeof(dk), dk_b64);
	int w = snprintf(out, CRYPTO_PWHASH_MAX, PW_PREFIX "%d$%d$%d$%s$%s", log_n, PW_R, PW_P, salt_b64, dk_b64);
	if (w < 0 || w >= CRYPTO_PWHASH_MAX) {
		crypto_wipe(out, CRYPTO_PWHASH_MAX);
		out[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	crypto_wipe(dk, sizeof(dk));
	crypto_wipe(dk_b64, sizeof(dk_b64));
	return rc;
}

/* Parses a decimal field of at most two digits, no sign and no leading zero, ending at '$'.
 * Advances *s past the '$'. */
static int parse_small_uint(const char **s, int min, int max, int *out)
{
	const char *p = *s;
	int v = 0, digits = 0;
	while (*p >= '0' && *p <= '9') {
		if (++digits > 2 || (digits == 2 && v == 0))
			return -1;
		v = v * 10 + (*p - '0');
		p++;
	}
	if (digits == 0 || *p != '$' || v < min || v > max)
		return -1;
	*s = p + 1;
	*out = v;
	return 0;
}

int crypto_password_verify(const char *password, size_t len, const char *encoded)
{
	int rc = -1;
	int log_n, r, p;
	unsigned char salt[PW_SALT_LEN], want[PW_HASH_LEN], got[PW_HASH_LEN];
	size_t n;

	if (!encoded || (len && !password))
		goto out;
	size_t elen = strnlen(encoded, CRYPTO_PWHASH_MAX);
	if (elen >= CRYPTO_PWHASH_MAX || strncmp(encoded, PW_PREFIX, strlen(PW_PREFIX)) != 0)
		goto out;
	const char *s = encoded + strlen(PW_PREFIX);
	if (parse_small_uint(&s, PW_LOG_N_MIN, PW_LOG_N_MAX, &log_n) != 0 ||
	    parse_small_uint(&s, 1, PW_R_MAX, &r) != 0 || parse_small_uint(&s, 1, PW_P_MAX, &p) != 0)
		goto out;
	if (((uint64_t)r << log_n) > PW_MAX_R_TIMES_N)
		goto out;
	/* scrypt itself requires N < 2^(128*r/8); only r = 1 can run into it within our bounds. */
	if (16 * r < 63 && log_n >= 16 * r)
		goto out;

	const char *dollar = strchr(s, '$');
	if (!dollar || dollar - s != PW_SALT_B64_LEN)
		goto out;
	if (b64_decode(s, PW_SALT_B64_LEN, salt, sizeof(salt), &n) != 0 || n != sizeof(salt))
		goto out;
	s = dollar + 1;
	if (strlen(s) != PW_HASH_B64_LEN)
		goto out;
	if (b64_decode(s, PW_HASH_B64_LEN, want, sizeof(want), &n) != 0 || n != sizeof(want))
		goto out;

	if (scrypt_derive(password, len, salt, log_n, (uint32_t)r, (uint32_t)p, got) != 0)
		goto out;
	rc = crypto_equal(got, sizeof(got), want, sizeof(want));
out:
	crypto_wipe(got, sizeof(got));
	crypto_wipe(want, sizeof(want));
	return rc;
}

/* ---- tokens ----------------------------------------------------------------------------- */

int crypto_token_new(char token[CRYPTO_TOKEN_STR_LEN + 1], char hash_hex[CRYPTO_SHA256_HEX_LEN + 1])
{
	unsigned char raw[CRYPTO_TOKEN_BYTES];
	if (crypto_random(raw, sizeof(raw)) != 0)
		return -1;
	crypto_base64url(raw, sizeof(raw), token);
	crypto_wipe(raw, sizeof(raw));
	/* The stored form hashes the string the client presents, so lookup needs no decoding. */
	crypto_sha256_hex(token, CRYPTO_TOKEN_STR_LEN, hash_hex);
	return 0;
}

/* ---- AES-256-GCM ------------------------------------------------------------------------ */

/* Feeds AAD (out == NULL) or data through an initialised cipher context in int-sized chunks. */
static int gcm_update(EVP_CIPHER_CTX *ctx, unsigned char *out, const unsigned char *in, size_t n)
{
	while (n > 0) {
		int k = n > CRYPTO_CHUNK ? CRYPTO_CHUNK : (int)n, w = 0;
		if (EVP_CipherUpdate(ctx, out, &w, in, k) != 1 || (out && w != k))
			return -1;
		in += k;
		if (out)
			out += k;
		n -= (size_t)k;
	}
	return 0;
}

int crypto_seal(const unsigned char key[CRYPTO_AES_KEY_LEN], const void *aad, size_t aadlen, const void *plain,
                size_t n, unsigned char *out)
{
	int rc = -1, w = 0;
	unsigned char fin[CRYPTO_GCM_TAG_LEN];
	EVP_CIPHER_CTX *ctx = NULL;

	if (!key || !out || (aadlen && !aad) || (n && !plain))
		goto out;
	algs_init();
	if (!alg_aes_gcm)
		goto out;
	/* Random 96-bit IVs: safe for far more messages per key than sanzhi will ever seal. */
	if (crypto_random(out, CRYPTO_GCM_IV_LEN) != 0)
		goto out;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_EncryptInit_ex2(ctx, alg_aes_gcm, key, out, NULL) != 1)
		goto out;
	if (gcm_update(ctx, NULL, aad, aadlen) != 0)
		goto out;
	if (gcm_update(ctx, out + CRYPTO_GCM_IV_LEN, plain, n) != 0)
		goto out;
	if (EVP_EncryptFinal_ex(ctx, fin, &w) != 1 || w != 0)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_GCM_TAG_LEN, out + CRYPTO_GCM_IV_LEN + n) != 1)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		if (out)
			crypto_wipe(out, n + CRYPTO_SEAL_OVERHEAD);
		ERR_clear_error();
	}
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int crypto_open(const unsigned char key[CRYPTO_AES_KEY_LEN], const void *aad, size_t aadlen, const unsigned char *in,
                size_t inlen, unsigned char *out)
{
	int rc = -1, w = 0;
	unsigned char fin[CRYPTO_GCM_TAG_LEN], tag[CRYPTO_GCM_TAG_LEN];
	EVP_CIPHER_CTX *ctx = NULL;
	size_t n = 0;

	if (!key || !in || inlen < CRYPTO_SEAL_OVERHEAD || (aadlen && !aad))
		goto out;
	n = inlen - CRYPTO_SEAL_OVERHEAD;
	if (n && !out)
		goto out;
	algs_init();
	if (!alg_aes_gcm)
		goto out;
	/* GCM_SET_TAG takes a non-const buffer; the input is the caller's and stays untouched. */
	memcpy(tag, in + CRYPTO_GCM_IV_LEN + n, sizeof(tag));
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_DecryptInit_ex2(ctx, alg_aes_gcm, key, in, NULL) != 1)
		goto out;
	if (gcm_update(ctx, NULL, aad, aadlen) != 0)
		goto out;
	if (gcm_update(ctx, out, in + CRYPTO_GCM_IV_LEN, n) != 0)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, sizeof(tag), tag) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(ctx, fin, &w) != 1 || w != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		/* Never hand back plaintext that failed authentication. */
		if (out && n)
			crypto_wipe(out, n);
		ERR_clear_error();
	}
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* ---- Ed25519 ---------------------------------------------------------------------------- */

/* Refuses encrypted PEM instead of letting OpenSSL's default callback prompt on a terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static EVP_PKEY *ed25519_read_private(const char *pem)
{
	if (!pem)
		return NULL;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	if (!bio)
		return NULL;
	EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	/* A PEM of another key type must not be silently used for some other signature scheme. */
	if (k && !EVP_PKEY_is_a(k, "ED25519")) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

static EVP_PKEY *ed25519_read_public(const char *pem)
{
	if (!pem)
		return NULL;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	if (!bio)
		return NULL;
	EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (k && !EVP_PKEY_is_a(k, "ED25519")) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

/* Copies a memory BIO's contents into a malloc'd NUL-terminated string. */
static char *bio_to_string(BIO *bio)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	if (n <= 0 || !data)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

static char *ed25519_private_pem(EVP_PKEY *k)
{
	/* Secure-memory BIO: its buffer is cleansed when freed, unlike a plain memory BIO's. */
	BIO *bio = BIO_new(BIO_s_secmem());
	char *s = NULL;
	if (bio && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1)
		s = bio_to_string(bio);
	BIO_free(bio);
	return s;
}

static char *ed25519_public_pem_of(EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (bio && PEM_write_bio_PUBKEY(bio, k) == 1)
		s = bio_to_string(bio);
	BIO_free(bio);
	return s;
}

static void free_secret_string(char *s)
{
	if (s) {
		crypto_wipe(s, strlen(s));
		free(s);
	}
}

int crypto_ed25519_generate(char **priv_pem, char **pub_pem)
{
	int rc = -1;
	EVP_PKEY *k = NULL;
	char *priv = NULL, *pub = NULL;

	if (!priv_pem || !pub_pem)
		goto out;
	*priv_pem = *pub_pem = NULL;
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!k)
		goto out;
	priv = ed25519_private_pem(k);
	pub = ed25519_public_pem_of(k);
	if (!priv || !pub)
		goto out;
	*priv_pem = priv;
	*pub_pem = pub;
	priv = pub = NULL;
	rc = 0;
out:
	if (rc != 0)
		ERR_clear_error();
	free_secret_string(priv);
	free(pub);
	EVP_PKEY_free(k);
	return rc;
}

char *crypto_ed25519_public_pem(const char *priv_pem)
{
	EVP_PKEY *k = ed25519_read_private(priv_pem);
	char *pub = k ? ed25519_public_pem_of(k) : NULL;
	if (!pub)
		ERR_clear_error();
	EVP_PKEY_free(k);
	return pub;
}

int crypto_ed25519_sign(const char *priv_pem, const void *msg, size_t n, unsigned char sig[CRYPTO_ED25519_SIG_LEN])
{
	int rc = -1;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;
	size_t siglen = CRYPTO_ED25519_SIG_LEN;

	if (!sig || (n && !msg))
		goto out;
	k = ed25519_read_private(priv_pem);
	if (!k)
		goto out;
	ctx = EVP_MD_CTX_new();
	/* Ed25519 is "pure": no separate digest, the whole message goes through one call. */
	if (!ctx || EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, k, NULL) != 1)
		goto out;
	if (EVP_DigestSign(ctx, sig, &siglen, n ? msg : (const void *)"", n) != 1 || siglen != CRYPTO_ED25519_SIG_LEN)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		if (sig)
			crypto_wipe(sig, CRYPTO_ED25519_SIG_LEN);
		ERR_clear_error();
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return rc;
}

int crypto_ed25519_verify(const char *pub_pem, const void *msg, size_t n, const unsigned char *sig, size_t siglen)
{
	int rc = -1;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *k = ed25519_read_public(pub_pem);

	if (!k)
		goto out;
	rc = 0;
	if (!sig || siglen != CRYPTO_ED25519_SIG_LEN || (n && !msg))
		goto out;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, k, NULL) != 1) {
		rc = -1;
		goto out;
	}
	rc = EVP_DigestVerify(ctx, sig, siglen, n ? msg : (const void *)"", n) == 1;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return rc;
}

int crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t n,
                           char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	size_t maclen = 0;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, data, n, mac, sizeof mac, &maclen) ||
	    maclen != sizeof mac) {
		ERR_clear_error();
		return -1;
	}
	crypto_hex(mac, sizeof mac, out);
	return 0;
}

int crypto_hkdf_sha256(const void *ikm, size_t ikmlen, const void *salt, size_t saltlen, const char *info,
                       unsigned char *out, size_t outlen)
{
	int rc = -1;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	if (!kctx)
		goto out;
	static const unsigned char nosalt[1];
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt ? (void *)salt : (void *)nosalt,
		                                  salt ? saltlen : 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info)),
		OSSL_PARAM_construct_end(),
	};
	if (EVP_KDF_derive(kctx, out, outlen, params) != 1)
		goto out;
	rc = 0;
out:
	if (rc)
		ERR_clear_error();
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return rc;
}
