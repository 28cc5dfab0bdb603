/* test_crypto_mac.c — HMAC-SHA256 and HKDF-SHA256 of server/crypto.c, on the RFCs' known answers
 * (the audit MACs, server/audit.c, rest on them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto.h"

static void test_hmac_rfc4231(void **state)
{
	(void)state;
	char out[CRYPTO_SHA256_HEX_LEN + 1];
	unsigned char key[20];
	memset(key, 0x0b, sizeof key);
	/* RFC 4231 test case 1 */
	assert_int_equal(crypto_hmac_sha256_hex(key, sizeof key, "Hi There", 8, out), 0);
	assert_string_equal(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* test case 2: a key shorter than the block */
	const char *data = "what do ya want for nothing?";
	assert_int_equal(crypto_hmac_sha256_hex("Jefe", 4, data, strlen(data), out), 0);
	assert_string_equal(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* One bit of key or data changes it. */
	key[0] ^= 1;
	assert_int_equal(crypto_hmac_sha256_hex(key, sizeof key, "Hi There", 8, out), 0);
	assert_string_not_equal(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

static void test_hkdf_rfc5869(void **state)
{
	(void)state;
	unsigned char ikm[22], salt[13], okm[42], want[42];
	memset(ikm, 0x0b, sizeof ikm);
	for (int i = 0; i < 13; i++)
		salt[i] = (unsigned char)i;
	/* RFC 5869 test case 1 */
	const char info[] = "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9";
	assert_int_equal(crypto_hkdf_sha256(ikm, sizeof ikm, salt, sizeof salt, info, okm, sizeof okm), 0);
	assert_int_equal(
	        crypto_unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", 84,
	                     want, sizeof want),
	        0);
	assert_memory_equal(okm, want, sizeof okm);
	/* test case 3: no salt, no info */
	assert_int_equal(crypto_hkdf_sha256(ikm, sizeof ikm, NULL, 0, "", okm, sizeof okm), 0);
	assert_int_equal(
	        crypto_unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8", 84,
	                     want, sizeof want),
	        0);
	assert_memory_equal(okm, want, sizeof okm);
	/* Another label, another key. */
	unsigned char other[32];
	assert_int_equal(crypto_hkdf_sha256(ikm, sizeof ikm, NULL, 0, "sanzhi audit mac v1", other, sizeof other), 0);
	assert_memory_not_equal(other, okm, sizeof other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_hkdf_rfc5869),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
