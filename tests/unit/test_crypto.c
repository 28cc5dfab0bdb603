/* test_crypto.c — known answers, failure paths and thread safety of server/crypto.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static void unhex_or_fail(const char *hex, unsigned char *out, size_t n)
{
	assert_int_equal(crypto_unhex(hex, strlen(hex), out, n), 0);
}

static int all_zero(const unsigned char *p, size_t n)
{
	unsigned char acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* ---- random, SHA-256 -------------------------------------------------------------------- */

static void test_random(void **state)
{
	(void)state;
	unsigned char a[32], b[32];
	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(crypto_random(a, 0), 0);
}

static void test_sha256_known_answers(void **state)
{
	(void)state;
	char hex[CRYPTO_SHA256_HEX_LEN + 1];
	crypto_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	crypto_sha256_hex(NULL, 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	crypto_sha256_hex(m, strlen(m), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

	unsigned char raw[CRYPTO_SHA256_LEN], want[CRYPTO_SHA256_LEN];
	crypto_sha256("abc", 3, raw);
	unhex_or_fail("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want, sizeof(want));
	assert_memory_equal(raw, want, sizeof(raw));
}

static void test_sha256_streaming(void **state)
{
	(void)state;
	char hex[CRYPTO_SHA256_HEX_LEN + 1];

	crypto_sha256_ctx *c = crypto_sha256_begin();
	assert_non_null(c);
	crypto_sha256_update(c, "a", 1);
	crypto_sha256_update(c, "", 0);
	crypto_sha256_update(c, "bc", 2);
	crypto_sha256_end_hex(c, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	/* FIPS 180-2: one million 'a', fed in uneven pieces. */
	static char block[1000];
	memset(block, 'a', sizeof(block));
	c = crypto_sha256_begin();
	assert_non_null(c);
	size_t left = 1000000;
	for (size_t k = 1; left > 0; k = k % 997 + 1) {
		size_t n = k < left ? k : left;
		crypto_sha256_update(c, block, n);
		left -= n;
	}
	crypto_sha256_end_hex(c, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

	/* No data at all equals the empty digest. */
	c = crypto_sha256_begin();
	assert_non_null(c);
	crypto_sha256_end_hex(c, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	/* A NULL context (failed begin) never yields something that looks like a digest. */
	crypto_sha256_update(NULL, "x", 1);
	memset(hex, 'q', sizeof(hex));
	crypto_sha256_end_hex(NULL, hex);
	assert_string_equal(hex, "");
}

/* ---- hex, base64 ------------------------------------------------------------------------ */

static void test_hex(void **state)
{
	(void)state;
	const unsigned char in[] = { 0x00, 0xff, 0x10, 0xab, 0x7e };
	char hex[2 * sizeof(in) + 1];
	crypto_hex(in, sizeof(in), hex);
	assert_string_equal(hex, "00ff10ab7e");
	char empty[1] = { 'x' };
	crypto_hex(in, 0, empty);
	assert_string_equal(empty, "");

	unsigned char out[5];
	assert_int_equal(crypto_unhex("00FF10aB7E", 10, out, 5), 0);
	assert_memory_equal(out, in, 5);
	assert_int_equal(crypto_unhex("", 0, out, 0), 0);
}

static void test_unhex_errors(void **state)
{
	(void)state;
	unsigned char out[4];
	assert_int_equal(crypto_unhex("00ff10a", 7, out, 4), -1);     /* odd */
	assert_int_equal(crypto_unhex("00ff10", 6, out, 4), -1);      /* short */
	assert_int_equal(crypto_unhex("00ff10abcd", 10, out, 4), -1); /* long */
	assert_int_equal(crypto_unhex("00ff10ag", 8, out, 4), -1);
	assert_int_equal(crypto_unhex("0xff10ab", 8, out, 4), -1);
	assert_int_equal(crypto_unhex("00ff 0ab", 8, out, 4), -1);
	assert_int_equal(crypto_unhex("-0ff10ab", 8, out, 4), -1);
	assert_int_equal(crypto_unhex("00ff\0"
	                              "0ab",
	                              8, out, 4),
	                 -1);
	assert_int_equal(crypto_unhex("00ff10\xc3\xa9", 8, out, 4), -1);
	assert_int_equal(crypto_unhex(NULL, 8, out, 4), -1);
}

static void test_base64_rfc4648(void **state)
{
	(void)state;
	static const char *const vec[][2] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		char *enc = crypto_base64(vec[i][0], strlen(vec[i][0]));
		assert_non_null(enc);
		assert_string_equal(enc, vec[i][1]);
		free(enc);
		size_t n = 99;
		unsigned char *dec = crypto_unbase64(vec[i][1], strlen(vec[i][1]), &n);
		assert_non_null(dec);
		assert_int_equal(n, strlen(vec[i][0]));
		assert_memory_equal(dec, vec[i][0], n);
		free(dec);
	}
	/* Both alphabet extremes. */
	const unsigned char hi[] = { 0xfb, 0xff, 0xbf };
	char *enc = crypto_base64(hi, sizeof(hi));
	assert_string_equal(enc, "+/+/");
	free(enc);
}

static void test_base64_binary_round_trip(void **state)
{
	(void)state;
	unsigned char buf[70];
	assert_int_equal(crypto_random(buf, sizeof(buf)), 0);
	for (size_t len = 0; len <= sizeof(buf); len++) {
		char *enc = crypto_base64(buf, len);
		assert_non_null(enc);
		assert_int_equal(strlen(enc), (len + 2) / 3 * 4);
		size_t n = 0;
		unsigned char *dec = crypto_unbase64(enc, strlen(enc), &n);
		assert_non_null(dec);
		assert_int_equal(n, len);
		assert_memory_equal(dec, buf, len);
		free(dec);
		free(enc);
	}
}

static void test_base64_strict_decoding(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"Zg",                                 /* padding missing */
		"Zg=",                                /* length not a multiple of 4 */
		"Zm9vY",      "Z===",                 /* too much padding */
		"====",       "Zm9v====", "Zg==Zg==", /* padding in the middle */
		"Zg=a",       "=Zg=",     "Zh==",     /* unused bits set: not the canonical encoding of "f" */
		"Zm9=",       "Zm9v\n",               /* whitespace */
		"Zm9v\nYmFy", " Zm9",     "Zm 9",
		"Zm9\t",      "Zm9-", /* base64url characters are not standard base64 */
		"Zm9_",       "Zm9*",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = 0;
		unsigned char *dec = crypto_unbase64(bad[i], strlen(bad[i]), &n);
		if (dec)
			fail_msg("accepted malformed base64 \"%s\"", bad[i]);
	}
	/* An embedded NUL is rejected even though strlen would stop before it. */
	size_t n = 0;
	assert_null(crypto_unbase64("Zm\0v", 4, &n));
	/* Decoding only the first inlen bytes: a valid prefix of a longer string is fine. */
	unsigned char *dec = crypto_unbase64("Zm9vYmFy", 4, &n);
	assert_non_null(dec);
	assert_int_equal(n, 3);
	free(dec);
}

static void test_base64url(void **state)
{
	(void)state;
	const unsigned char hi[] = { 0xfb, 0xff };
	char out[8];
	crypto_base64url(hi, sizeof(hi), out);
	assert_string_equal(out, "-_8");
	crypto_base64url("f", 1, out);
	assert_string_equal(out, "Zg");
	crypto_base64url("foo", 3, out);
	assert_string_equal(out, "Zm9v");
	crypto_base64url("", 0, out);
	assert_string_equal(out, "");
}

/* ---- constant-time equality ------------------------------------------------------------- */

static void test_equal(void **state)
{
	(void)state;
	assert_true(crypto_equal("secret", 6, "secret", 6));
	assert_false(crypto_equal("secret", 6, "secreT", 6));
	assert_false(crypto_equal("secret", 6, "Secret", 6));
	/* Same prefix, different length: not equal, in either order. */
	assert_false(crypto_equal("secret", 6, "secret!", 7));
	assert_false(crypto_equal("secret!", 7, "secret", 6));
	assert_false(crypto_equal("secret", 6, "", 0));
	assert_true(crypto_equal(NULL, 0, NULL, 0));
	assert_true(crypto_equal("a", 0, "b", 0));
	/* The result is exactly 1 or 0 so callers may compare with == 1. */
	assert_int_equal(crypto_equal("x", 1, "x", 1), 1);
	assert_int_equal(crypto_equal("x", 1, "y", 1), 0);
}

static void test_wipe(void **state)
{
	(void)state;
	unsigned char buf[40];
	memset(buf, 0xa5, sizeof(buf));
	crypto_wipe(buf, sizeof(buf));
	assert_true(all_zero(buf, sizeof(buf)));
	crypto_wipe(NULL, 10);
}

/* ---- passwords -------------------------------------------------------------------------- */

/* Independent known answer, from Python's hashlib.scrypt(b"correct horse battery staple",
 * salt=bytes(range(16)), n=1024, r=8, p=5, dklen=32). */
#define KAT_PASSWORD "correct horse battery staple"
#define KAT_ENCODED "scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ="

static void test_password_known_answer(void **state)
{
	(void)state;
	assert_int_equal(crypto_password_verify(KAT_PASSWORD, strlen(KAT_PASSWORD), KAT_ENCODED), 1);
	assert_int_equal(crypto_password_verify("correct horse battery stapl", 27, KAT_ENCODED), 0);
	/* Parameters are part of the hash: the same salt and key under p = 4 do not match. */
	assert_int_equal(crypto_password_verify(
	                         KAT_PASSWORD, strlen(KAT_PASSWORD),
	                         "scrypt$10$8$4$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ="),
	                 0);
}

static void test_password_default_cost(void **state)
{
	(void)state;
	char enc[CRYPTO_PWHASH_MAX];
	crypto_password_set_cost(14);
	assert_int_equal(crypto_password_hash("correct horse", 13, enc), 0);
	assert_memory_equal(enc, "scrypt$14$8$5$", 14);
	assert_int_equal(crypto_password_verify("correct horse", 13, enc), 1);
}

static void test_password_hash_verify(void **state)
{
	(void)state;
	char a[CRYPTO_PWHASH_MAX], b[CRYPTO_PWHASH_MAX];
	crypto_password_set_cost(10);
	assert_int_equal(crypto_password_hash("hunter2hunter2", 14, a), 0);
	assert_int_equal(crypto_password_hash("hunter2hunter2", 14, b), 0);
	/* "scrypt$10$8$5$" + 24 salt + "$" + 44 hash */
	assert_int_equal(strlen(a), 14 + 24 + 1 + 44);
	assert_memory_equal(a, "scrypt$10$8$5$", 14);
	assert_int_equal(a[14 + 24], '$');
	/* Per-hash random salt. */
	assert_string_not_equal(a, b);
	assert_memory_not_equal(a + 14, b + 14, 24);

	assert_int_equal(crypto_password_verify("hunter2hunter2", 14, a), 1);
	assert_int_equal(crypto_password_verify("hunter2hunter2", 14, b), 1);
	assert_int_equal(crypto_password_verify("hunter2hunter3", 14, a), 0);
	assert_int_equal(crypto_password_verify("hunter2hunter", 13, a), 0);
	/* Length is honoured: bytes after len are not part of the password. */
	assert_int_equal(crypto_password_verify("hunter2hunter2X", 14, a), 1);
	/* Passwords may contain NUL bytes and are binary-safe. */
	char c[CRYPTO_PWHASH_MAX];
	assert_int_equal(crypto_password_hash("ab\0cd", 5, c), 0);
	assert_int_equal(crypto_password_verify("ab\0cd", 5, c), 1);
	assert_int_equal(crypto_password_verify("ab\0ce", 5, c), 0);
	assert_int_equal(crypto_password_verify("ab", 2, c), 0);

	/* Cost below the floor is raised to it. */
	crypto_password_set_cost(4);
	assert_int_equal(crypto_password_hash("", 0, c), 0);
	assert_memory_equal(c, "scrypt$10$", 10);
	assert_int_equal(crypto_password_verify("", 0, c), 1);
	assert_int_equal(crypto_password_verify(NULL, 0, c), 1);
	assert_int_equal(crypto_password_verify("x", 1, c), 0);
	crypto_password_set_cost(10);
}

/* Malformed or hostile encodings are refused before any scrypt work is done. */
static void test_password_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"scrypt",
		"scrypt$",
		"bcrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"SCRYPT$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==",
		"scrypt$10$8$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		/* numbers: leading zeros, signs, spaces, empty */
		"scrypt$010$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$10$08$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$+10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$ 10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$1e1$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		/* salt: wrong length, bad characters, non-canonical */
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0O$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0OD*==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODx==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODwAA$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
		/* hash: wrong length, trailing data, whitespace, extra field */
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrA==",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=x",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=\n",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=$",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAR=",
		"scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz_PCtJItBYKQtrAQ=",
		" scrypt$10$8$5$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = crypto_password_verify(KAT_PASSWORD, strlen(KAT_PASSWORD), bad[i]);
		if (rc >= 0)
			fail_msg("accepted malformed hash #%zu \"%s\" (rc %d)", i, bad[i], rc);
	}
	assert_true(crypto_password_verify(KAT_PASSWORD, strlen(KAT_PASSWORD), NULL) < 0);

	/* Longer than any hash we produce. */
	char huge[CRYPTO_PWHASH_MAX + 40];
	snprintf(huge, sizeof(huge), "%s%0*d", KAT_ENCODED, (int)(sizeof(huge) - strlen(KAT_ENCODED) - 1), 0);
	assert_true(crypto_password_verify(KAT_PASSWORD, strlen(KAT_PASSWORD), huge) < 0);
}

/* A tampered stored hash must not be able to make verification allocate or compute without
 * bound: out-of-range parameters are refused outright (this test would take minutes and
 * gigabytes if they were not). */
static void test_password_oversized_params(void **state)
{
	(void)state;
	static const char *const params[] = {
		"9$8$5",                                 /* logN below 10 */
		"21$8$5",                                /* logN above 20 */
		"99$8$5",  "10$0$5",                     /* r out of 1..16 */
		"10$17$5", "10$99$5",        "10$8$0",   /* p out of 1..16 */
		"10$8$17", "10$8$99",        "20$16$16", /* each in range, but 2 GiB of scrypt memory */
		"20$9$1",  "16$1$1",                     /* scrypt requires N < 2^(16 r) */
		"100$8$5", "4294967306$8$5",
	};
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		char enc[CRYPTO_PWHASH_MAX + 32];
		snprintf(enc, sizeof(enc),
		         "scrypt$%s$AAECAwQFBgcICQoLDA0ODw==$WxGvYeGHBHLFSk8wPqRP4ddxq5jz/PCtJItBYKQtrAQ=", params[i]);
		int rc = crypto_password_verify(KAT_PASSWORD, strlen(KAT_PASSWORD), enc);
		if (rc >= 0)
			fail_msg("accepted parameters %s (rc %d)", params[i], rc);
	}
}

/* ---- tokens ----------------------------------------------------------------------------- */

static int cmp_tokens(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void test_tokens(void **state)
{
	(void)state;
	enum { N = 200 };
	static char tok[N][CRYPTO_TOKEN_STR_LEN + 1];
	char hash[CRYPTO_SHA256_HEX_LEN + 1], want[CRYPTO_SHA256_HEX_LEN + 1];
	for (int i = 0; i < N; i++) {
		assert_int_equal(crypto_token_new(tok[i], hash), 0);
		assert_int_equal(strlen(tok[i]), CRYPTO_TOKEN_STR_LEN);
		assert_int_equal(strspn(tok[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
		                 CRYPTO_TOKEN_STR_LEN);
		/* Stored form: SHA-256 hex of the token string as the client presents it. */
		crypto_sha256_hex(tok[i], strlen(tok[i]), want);
		assert_string_equal(hash, want);
		assert_int_equal(strlen(hash), CRYPTO_SHA256_HEX_LEN);
	}
	qsort(tok, N, sizeof(tok[0]), cmp_tokens);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(tok[i - 1], tok[i]);
}

/* ---- AES-256-GCM ------------------------------------------------------------------------ */

/* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14 (AES-256,
 * zero key, zero 96-bit IV). */
static void test_gcm_known_answers(void **state)
{
	(void)state;
	unsigned char key[CRYPTO_AES_KEY_LEN] = { 0 };
	unsigned char in[CRYPTO_SEAL_OVERHEAD + 16], out[16];

	memset(in, 0, CRYPTO_GCM_IV_LEN);
	unhex_or_fail("530f8afbc74536b9a963b4f1c4cb738b", in + CRYPTO_GCM_IV_LEN, 16);
	assert_int_equal(crypto_open(key, NULL, 0, in, CRYPTO_SEAL_OVERHEAD, NULL), 0);

	memset(in, 0, CRYPTO_GCM_IV_LEN);
	unhex_or_fail("cea7403d4d606b6e074ec5d3baf39d18", in + CRYPTO_GCM_IV_LEN, 16);
	unhex_or_fail("d0d1c8a799996bf0265b98b5d48ab919", in + CRYPTO_GCM_IV_LEN + 16, 16);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(crypto_open(key, NULL, 0, in, sizeof(in), out), 0);
	assert_true(all_zero(out, sizeof(out)));
}

static void test_gcm_round_trip(void **state)
{
	(void)state;
	unsigned char key[CRYPTO_AES_KEY_LEN];
	assert_int_equal(crypto_random(key, sizeof(key)), 0);
	const char *msg = "法定代表人身份证号 330424199001011234";
	size_t n = strlen(msg);
	const char *aad = "org:51330424MJ000000X3";
	unsigned char *sealed = malloc(n + CRYPTO_SEAL_OVERHEAD), *sealed2 = malloc(n + CRYPTO_SEAL_OVERHEAD);
	unsigned char *plain = malloc(n);
	assert_non_null(sealed);
	assert_non_null(sealed2);
	assert_non_null(plain);

	assert_int_equal(crypto_seal(key, aad, strlen(aad), msg, n, sealed), 0);
	assert_int_equal(crypto_open(key, aad, strlen(aad), sealed, n + CRYPTO_SEAL_OVERHEAD, plain), 0);
	assert_memory_equal(plain, msg, n);
	/* The ciphertext does not contain the plaintext. */
	assert_memory_not_equal(sealed + CRYPTO_GCM_IV_LEN, msg, n);
	/* Fresh IV every time: the same message seals differently. */
	assert_int_equal(crypto_seal(key, aad, strlen(aad), msg, n, sealed2), 0);
	assert_memory_not_equal(sealed, sealed2, CRYPTO_GCM_IV_LEN);

	/* Without AAD, and an empty message. */
	assert_int_equal(crypto_seal(key, NULL, 0, msg, n, sealed), 0);
	assert_int_equal(crypto_open(key, NULL, 0, sealed, n + CRYPTO_SEAL_OVERHEAD, plain), 0);
	assert_memory_equal(plain, msg, n);
	unsigned char empty[CRYPTO_SEAL_OVERHEAD];
	assert_int_equal(crypto_seal(key, NULL, 0, NULL, 0, empty), 0);
	assert_int_equal(crypto_open(key, NULL, 0, empty, sizeof(empty), NULL), 0);

	free(sealed);
	free(sealed2);
	free(plain);
}

static void test_gcm_tamper(void **state)
{
	(void)state;
	unsigned char key[CRYPTO_AES_KEY_LEN], key2[CRYPTO_AES_KEY_LEN];
	assert_int_equal(crypto_random(key, sizeof(key)), 0);
	memcpy(key2, key, sizeof(key));
	key2[31] ^= 1;
	const char msg[] = "fund verification: 3000000 fen";
	const size_t n = sizeof(msg) - 1, total = n + CRYPTO_SEAL_OVERHEAD;
	const char aad[] = "application:42";
	unsigned char sealed[sizeof(msg) - 1 + CRYPTO_SEAL_OVERHEAD], bad[sizeof(sealed)];
	unsigned char plain[sizeof(msg) - 1];
	assert_int_equal(crypto_seal(key, aad, sizeof(aad) - 1, msg, n, sealed), 0);

	/* Flipping any single bit of iv, ciphertext or tag is detected. */
	for (size_t i = 0; i < total; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			memcpy(bad, sealed, total);
			bad[i] ^= (unsigned char)(1u << bit);
			memset(plain, 0x55, sizeof(plain));
			if (crypto_open(key, aad, sizeof(aad) - 1, bad, total, plain) != -1)
				fail_msg("tampered byte %zu bit %d accepted", i, bit);
			/* No unauthenticated plaintext is left behind. */
			assert_true(all_zero(plain, sizeof(plain)));
		}
	}
	/* Wrong or missing AAD. */
	assert_int_equal(crypto_open(key, "application:43", 14, sealed, total, plain), -1);
	assert_int_equal(crypto_open(key, NULL, 0, sealed, total, plain), -1);
	assert_int_equal(crypto_open(key, aad, sizeof(aad) - 2, sealed, total, plain), -1);
	/* Wrong key. */
	assert_int_equal(crypto_open(key2, aad, sizeof(aad) - 1, sealed, total, plain), -1);
	/* Truncated or extended input. */
	assert_int_equal(crypto_open(key, aad, sizeof(aad) - 1, sealed, total - 1, plain), -1);
	assert_int_equal(crypto_open(key, aad, sizeof(aad) - 1, sealed, CRYPTO_SEAL_OVERHEAD - 1, plain), -1);
	assert_int_equal(crypto_open(key, aad, sizeof(aad) - 1, sealed, 0, plain), -1);
	/* AAD sealed in cannot be dropped, and AAD cannot be added after the fact. */
	unsigned char noaad[sizeof(sealed)];
	assert_int_equal(crypto_seal(key, NULL, 0, msg, n, noaad), 0);
	assert_int_equal(crypto_open(key, aad, sizeof(aad) - 1, noaad, total, plain), -1);
	/* The untouched original still opens. */
	assert_int_equal(crypto_open(key, aad, sizeof(aad) - 1, sealed, total, plain), 0);
	assert_memory_equal(plain, msg, n);
}

/* ---- Ed25519 ---------------------------------------------------------------------------- */

/* RFC 8032 section 7.1, test 1: private key 9d61b1..7f60, public d75a98..511a, empty message. */
static const char rfc8032_priv[] = "-----BEGIN PRIVATE KEY-----\n"
                                   "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                                   "-----END PRIVATE KEY-----\n";
static const char rfc8032_pub[] = "-----BEGIN PUBLIC KEY-----\n"
                                  "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                                  "-----END PUBLIC KEY-----\n";
static const char rfc8032_sig[] = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e"
                                  "39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

static void test_ed25519_rfc8032(void **state)
{
	(void)state;
	unsigned char sig[CRYPTO_ED25519_SIG_LEN], want[CRYPTO_ED25519_SIG_LEN];
	unhex_or_fail(rfc8032_sig, want, sizeof(want));
	assert_int_equal(crypto_ed25519_sign(rfc8032_priv, "", 0, sig), 0);
	assert_memory_equal(sig, want, sizeof(sig));
	assert_int_equal(crypto_ed25519_sign(rfc8032_priv, NULL, 0, sig), 0);
	assert_memory_equal(sig, want, sizeof(sig));
	assert_int_equal(crypto_ed25519_verify(rfc8032_pub, "", 0, want, sizeof(want)), 1);

	char *pub = crypto_ed25519_public_pem(rfc8032_priv);
	assert_non_null(pub);
	assert_string_equal(pub, rfc8032_pub);
	free(pub);
}

static void test_ed25519_generate_sign_verify(void **state)
{
	(void)state;
	char *priv = NULL, *pub = NULL, *priv2 = NULL, *pub2 = NULL;
	assert_int_equal(crypto_ed25519_generate(&priv, &pub), 0);
	assert_int_equal(crypto_ed25519_generate(&priv2, &pub2), 0);
	assert_non_null(strstr(priv, "-----BEGIN PRIVATE KEY-----\n"));
	assert_non_null(strstr(pub, "-----BEGIN PUBLIC KEY-----\n"));
	assert_string_not_equal(priv, priv2);
	assert_string_not_equal(pub, pub2);

	char *derived = crypto_ed25519_public_pem(priv);
	assert_non_null(derived);
	assert_string_equal(derived, pub);
	free(derived);

	const char *cert = "{\"uscc\":\"51330424MJ000000X3\",\"name\":\"海盐县养老服务协会\"}";
	size_t n = strlen(cert);
	unsigned char sig[CRYPTO_ED25519_SIG_LEN];
	assert_int_equal(crypto_ed25519_sign(priv, cert, n, sig), 0);
	assert_int_equal(crypto_ed25519_verify(pub, cert, n, sig, sizeof(sig)), 1);

	/* Changed message, changed signature, other key, wrong length. */
	char *altered = strdup(cert);
	altered[10] ^= 1;
	assert_int_equal(crypto_ed25519_verify(pub, altered, n, sig, sizeof(sig)), 0);
	assert_int_equal(crypto_ed25519_verify(pub, cert, n - 1, sig, sizeof(sig)), 0);
	free(altered);
	for (size_t i = 0; i < sizeof(sig); i += 9) {
		unsigned char bad[CRYPTO_ED25519_SIG_LEN];
		memcpy(bad, sig, sizeof(bad));
		bad[i] ^= 0x01;
		assert_int_equal(crypto_ed25519_verify(pub, cert, n, bad, sizeof(bad)), 0);
	}
	assert_int_equal(crypto_ed25519_verify(pub2, cert, n, sig, sizeof(sig)), 0);
	assert_int_equal(crypto_ed25519_verify(pub, cert, n, sig, sizeof(sig) - 1), 0);
	assert_int_equal(crypto_ed25519_verify(pub, cert, n, NULL, 0), 0);
	unsigned char longer[CRYPTO_ED25519_SIG_LEN + 1];
	memcpy(longer, sig, sizeof(sig));
	longer[CRYPTO_ED25519_SIG_LEN] = 0;
	assert_int_equal(crypto_ed25519_verify(pub, cert, n, longer, sizeof(longer)), 0);

	free(priv);
	free(pub);
	free(priv2);
	free(pub2);
}

/* PEM of a key of another type (X25519), produced with OpenSSL directly. */
static void x25519_pems(char **priv, char **pub)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	assert_non_null(k);
	BIO *b1 = BIO_new(BIO_s_mem()), *b2 = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PrivateKey(b1, k, NULL, NULL, 0, NULL, NULL), 1);
	assert_int_equal(PEM_write_bio_PUBKEY(b2, k), 1);
	char *d = NULL;
	long n = BIO_get_mem_data(b1, &d);
	*priv = strndup(d, (size_t)n);
	n = BIO_get_mem_data(b2, &d);
	*pub = strndup(d, (size_t)n);
	BIO_free(b1);
	BIO_free(b2);
	EVP_PKEY_free(k);
}

static void test_ed25519_malformed_keys(void **state)
{
	(void)state;
	unsigned char sig[CRYPTO_ED25519_SIG_LEN] = { 0 };
	static const char *const junk[] = {
		"",
		"not a key",
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		assert_int_equal(crypto_ed25519_sign(junk[i], "m", 1, sig), -1);
		assert_true(crypto_ed25519_verify(junk[i], "m", 1, sig, sizeof(sig)) < 0);
		assert_null(crypto_ed25519_public_pem(junk[i]));
	}
	assert_int_equal(crypto_ed25519_sign(NULL, "m", 1, sig), -1);
	assert_true(crypto_ed25519_verify(NULL, "m", 1, sig, sizeof(sig)) < 0);
	assert_null(crypto_ed25519_public_pem(NULL));

	/* A public key where a private one is expected, and vice versa. */
	assert_int_equal(crypto_ed25519_sign(rfc8032_pub, "m", 1, sig), -1);
	assert_null(crypto_ed25519_public_pem(rfc8032_pub));
	assert_true(crypto_ed25519_verify(rfc8032_priv, "m", 1, sig, sizeof(sig)) < 0);

	/* Well-formed keys of another algorithm are refused, not used. */
	char *xpriv = NULL, *xpub = NULL;
	x25519_pems(&xpriv, &xpub);
	assert_non_null(xpriv);
	assert_non_null(xpub);
	assert_int_equal(crypto_ed25519_sign(xpriv, "m", 1, sig), -1);
	assert_null(crypto_ed25519_public_pem(xpriv));
	assert_true(crypto_ed25519_verify(xpub, "m", 1, sig, sizeof(sig)) < 0);
	free(xpriv);
	free(xpub);

	/* An encrypted private key is refused rather than prompting for a passphrase. */
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	BIO *b = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"pw"), 1);
	char *d = NULL;
	long n = BIO_get_mem_data(b, &d);
	char *enc = strndup(d, (size_t)n);
	assert_non_null(strstr(enc, "ENCRYPTED"));
	assert_int_equal(crypto_ed25519_sign(enc, "m", 1, sig), -1);
	free(enc);
	BIO_free(b);
	EVP_PKEY_free(k);
}

/* ---- threads ---------------------------------------------------------------------------- */

struct worker {
	const char *priv, *pub;
	int failures;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	unsigned char key[CRYPTO_AES_KEY_LEN], sealed[64 + CRYPTO_SEAL_OVERHEAD], plain[64];
	unsigned char msg[64], sig[CRYPTO_ED25519_SIG_LEN];
	char hex[CRYPTO_SHA256_HEX_LEN + 1], tok[CRYPTO_TOKEN_STR_LEN + 1];
	for (int i = 0; i < 100; i++) {
		if (crypto_random(key, sizeof(key)) || crypto_random(msg, sizeof(msg)))
			w->failures++;
		crypto_sha256_hex("abc", 3, hex);
		if (strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != 0)
			w->failures++;
		if (crypto_seal(key, "t", 1, msg, sizeof(msg), sealed) ||
		    crypto_open(key, "t", 1, sealed, sizeof(sealed), plain) || memcmp(plain, msg, sizeof(msg)))
			w->failures++;
		if (crypto_ed25519_sign(w->priv, msg, sizeof(msg), sig) ||
		    crypto_ed25519_verify(w->pub, msg, sizeof(msg), sig, sizeof(sig)) != 1)
			w->failures++;
		if (crypto_token_new(tok, hex))
			w->failures++;
		/* A failing call on this thread must not disturb the next successful one. */
		if (crypto_open(key, "u", 1, sealed, sizeof(sealed), plain) != -1)
			w->failures++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	enum { T = 8 };
	char *priv = NULL, *pub = NULL;
	assert_int_equal(crypto_ed25519_generate(&priv, &pub), 0);
	pthread_t th[T];
	struct worker w[T];
	for (int i = 0; i < T; i++) {
		w[i] = (struct worker){ .priv = priv, .pub = pub };
		assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < T; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	free(priv);
	free(pub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_sha256_known_answers),
		cmocka_unit_test(test_sha256_streaming),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_unhex_errors),
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_base64_binary_round_trip),
		cmocka_unit_test(test_base64_strict_decoding),
		cmocka_unit_test(test_base64url),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_wipe),
		cmocka_unit_test(test_password_known_answer),
		cmocka_unit_test(test_password_default_cost),
		cmocka_unit_test(test_password_hash_verify),
		cmocka_unit_test(test_password_malformed),
		cmocka_unit_test(test_password_oversized_params),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_gcm_known_answers),
		cmocka_unit_test(test_gcm_round_trip),
		cmocka_unit_test(test_gcm_tamper),
		cmocka_unit_test(test_ed25519_rfc8032),
		cmocka_unit_test(test_ed25519_generate_sign_verify),
		cmocka_unit_test(test_ed25519_malformed_keys),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
