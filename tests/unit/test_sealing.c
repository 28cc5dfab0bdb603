/* test_sealing.c — tender data keys and sealed bid parts (api/tenders/sealing.c): a sealed part
 * opens only under its own tender's key and with its own tender, bid, organization and part; a
 * flipped bit anywhere fails; every seal has a fresh IV. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "sealing.h"

static char key_file[] = "/tmp/sanzhi-test-master-XXXXXX";

static int load_key(const char *hex)
{
	FILE *f = fopen(key_file, "w");
	if (!f)
		return -1;
	fprintf(f, "%s\n", hex);
	fclose(f);
	chmod(key_file, 0600);
	snprintf(cfg.master_key_file, sizeof cfg.master_key_file, "%s", key_file);
	char err[256];
	return config_load_master_key(err, sizeof err);
}

static int setup(void **state)
{
	(void)state;
	int fd = mkstemp(key_file);
	if (fd < 0)
		return -1;
	close(fd);
	return load_key("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
}

static int teardown(void **state)
{
	(void)state;
	unlink(key_file);
	return 0;
}

static const char bid[] = "{\"price_fen\":98000000,\"technical_proposal\":\"上门服务方案\"}";

static void test_round_trip_and_binding(void **state)
{
	(void)state;
	unsigned char key[CRYPTO_AES_KEY_LEN], wrapped[SEAL_KEY_WRAPPED_LEN], back[CRYPTO_AES_KEY_LEN];
	assert_int_equal(seal_key_new(7, key, wrapped), 0);
	assert_int_equal(seal_key_unwrap(7, wrapped, sizeof wrapped, back), 0);
	assert_memory_equal(key, back, sizeof key);
	/* another tender's wrapped key does not open as this one's */
	assert_int_equal(seal_key_unwrap(8, wrapped, sizeof wrapped, back), -1);
	assert_int_equal(seal_key_unwrap(7, wrapped, sizeof wrapped - 1, back), -1);

	seal_ctx ctx = { .tender_id = 7, .bid_id = 3, .org_uscc = "53640000MJX1736997", .part = "bid" };
	unsigned char *sealed, *again, *plain;
	size_t n, n2, pn;
	assert_int_equal(seal_part(key, &ctx, bid, strlen(bid), &sealed, &n), 0);
	assert_int_equal(n, strlen(bid) + CRYPTO_SEAL_OVERHEAD);
	assert_null(memmem(sealed, n, "98000000", 8));
	assert_int_equal(seal_open_part(key, &ctx, sealed, n, &plain, &pn), 0);
	assert_int_equal(pn, strlen(bid));
	assert_string_equal((char *)plain, bid);
	free(plain);
	/* a fresh IV each time: the same bid seals differently */
	assert_int_equal(seal_part(key, &ctx, bid, strlen(bid), &again, &n2), 0);
	assert_memory_not_equal(sealed, again, CRYPTO_GCM_IV_LEN);
	free(again);

	/* bound to its tender, bid, organization and part */
	seal_ctx other[] = {
		{ .tender_id = 8, .bid_id = 3, .org_uscc = ctx.org_uscc, .part = "bid" },
		{ .tender_id = 7, .bid_id = 4, .org_uscc = ctx.org_uscc, .part = "bid" },
		{ .tender_id = 7, .bid_id = 3, .org_uscc = "51330424MJ0000000X", .part = "bid" },
		{ .tender_id = 7, .bid_id = 3, .org_uscc = ctx.org_uscc, .part = "document:1" },
	};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
		assert_int_equal(seal_open_part(key, &other[i], sealed, n, &plain, &pn), -1);
	/* a flipped bit in the IV, the ciphertext or the tag */
	size_t at[] = { 0, CRYPTO_GCM_IV_LEN + 3, n - 1 };
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		sealed[at[i]] ^= 0x01;
		assert_int_equal(seal_open_part(key, &ctx, sealed, n, &plain, &pn), -1);
		sealed[at[i]] ^= 0x01;
	}
	/* another tender's key */
	unsigned char key2[CRYPTO_AES_KEY_LEN], wrapped2[SEAL_KEY_WRAPPED_LEN];
	assert_int_equal(seal_key_new(7, key2, wrapped2), 0);
	assert_int_equal(seal_open_part(key2, &ctx, sealed, n, &plain, &pn), -1);
	free(sealed);
}

static void test_other_master_key(void **state)
{
	(void)state;
	unsigned char key[CRYPTO_AES_KEY_LEN], wrapped[SEAL_KEY_WRAPPED_LEN], back[CRYPTO_AES_KEY_LEN];
	assert_int_equal(seal_key_new(9, key, wrapped), 0);
	assert_int_equal(load_key("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"), 0);
	assert_int_equal(seal_key_unwrap(9, wrapped, sizeof wrapped, back), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_binding),
		cmocka_unit_test(test_other_master_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
