/* test_bid_seal.c — the seal of a bid (api/tenders/bid_seal.c, SPEC §6): it opens under its own
 * tender, bid and organization only, never once altered, and no two seals are alike. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bid_seal.h"

static const char *const USCC = "53640000MJX1736997";
static const char plain[] = "{\"v\":1,\"price_fen\":118765432,\"technical_proposal\":\"方案\"}";

static void test_round_trip_and_binding(void **state)
{
	(void)state;
	unsigned char key[CRYPTO_AES_KEY_LEN], *sealed = NULL;
	size_t n = 0, len = 0;
	char *out = NULL;
	assert_int_equal(crypto_random(key, sizeof key), 0);
	assert_int_equal(bid_seal(key, 7, 42, USCC, 0, plain, strlen(plain), &sealed, &n), 0);
	assert_int_equal(n, strlen(plain) + CRYPTO_SEAL_OVERHEAD);
	assert_null(memmem(sealed, n, "118765432", 9));
	assert_int_equal(bid_open(key, 7, 42, USCC, 0, sealed, n, &out, &len), 0);
	assert_string_equal(out, plain);
	assert_int_equal(len, strlen(plain));
	free(out);
	/* Another tender, bid or organization: the additional data differs. */
	assert_int_equal(bid_open(key, 8, 42, USCC, 0, sealed, n, &out, &len), -1);
	assert_null(out);
	assert_int_equal(bid_open(key, 7, 43, USCC, 0, sealed, n, &out, &len), -1);
	assert_int_equal(bid_open(key, 7, 42, "53640000MJX1736998", 0, sealed, n, &out, &len), -1);
	/* The same bytes taken for one of the bid's documents. */
	assert_int_equal(bid_open(key, 7, 42, USCC, 1, sealed, n, &out, &len), -1);
	/* Another key. */
	unsigned char other[CRYPTO_AES_KEY_LEN];
	memcpy(other, key, sizeof other);
	other[0] ^= 1;
	assert_int_equal(bid_open(other, 7, 42, USCC, 0, sealed, n, &out, &len), -1);
	/* Any bit changed: the IV, the ciphertext, the tag. */
	for (size_t i = 0; i < n; i += 7) {
		sealed[i] ^= 0x10;
		assert_int_equal(bid_open(key, 7, 42, USCC, 0, sealed, n, &out, &len), -1);
		sealed[i] ^= 0x10;
	}
	assert_int_equal(bid_open(key, 7, 42, USCC, 0, sealed, n - 1, &out, &len), -1);
	assert_int_equal(bid_open(key, 7, 42, USCC, 0, sealed, 3, &out, &len), -1);
	free(sealed);
}

static void test_fresh_iv(void **state)
{
	(void)state;
	unsigned char key[CRYPTO_AES_KEY_LEN], *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	assert_int_equal(crypto_random(key, sizeof key), 0);
	assert_int_equal(bid_seal(key, 1, 1, USCC, 0, plain, strlen(plain), &a, &na), 0);
	assert_int_equal(bid_seal(key, 1, 1, USCC, 0, plain, strlen(plain), &b, &nb), 0);
	assert_int_equal(na, nb);
	assert_memory_not_equal(a, b, CRYPTO_GCM_IV_LEN);
	assert_memory_not_equal(a + CRYPTO_GCM_IV_LEN, b + CRYPTO_GCM_IV_LEN, na - CRYPTO_GCM_IV_LEN);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_binding),
		cmocka_unit_test(test_fresh_iv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
