/* test_grams.c — the character bigrams behind Chinese substring search (api/registry/orgs_index.c),
 * and the canonical form certificates are signed in (api/registry/certificates.c), both pure
 * functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "certificates.h"
#include "orgs_index.h"

static char g[ORGS_MAX_GRAMS][ORGS_GRAM_SIZE];

static void test_chinese_name(void **state)
{
	(void)state;
	assert_int_equal(orgs_grams("海盐县养老服务协会", g, ORGS_MAX_GRAMS), 8);
	const char *want[] = { "海盐", "盐县", "县养", "养老", "老服", "服务", "务协", "协会" };
	for (int i = 0; i < 8; i++)
		assert_string_equal(g[i], want[i]);
}

static void test_one_character_is_its_own_gram(void **state)
{
	(void)state;
	assert_int_equal(orgs_grams("会", g, ORGS_MAX_GRAMS), 1);
	assert_string_equal(g[0], "会");
	assert_int_equal(orgs_grams("A", g, ORGS_MAX_GRAMS), 1);
	assert_string_equal(g[0], "A");
}

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(orgs_grams("", g, ORGS_MAX_GRAMS), 0);
}

static void test_two_characters(void **state)
{
	(void)state;
	assert_int_equal(orgs_grams("养老", g, ORGS_MAX_GRAMS), 1);
	assert_string_equal(g[0], "养老");
}

static void test_duplicates_once_in_first_order(void **state)
{
	(void)state;
	/* 哈哈哈哈 has one distinct bigram; 研究研究 has 研究 and 究研. */
	assert_int_equal(orgs_grams("哈哈哈哈", g, ORGS_MAX_GRAMS), 1);
	assert_string_equal(g[0], "哈哈");
	assert_int_equal(orgs_grams("研究研究", g, ORGS_MAX_GRAMS), 2);
	assert_string_equal(g[0], "研究");
	assert_string_equal(g[1], "究研");
}

static void test_mixed_widths(void **state)
{
	(void)state;
	/* ASCII (1 byte), CJK (3 bytes), Extension B (4 bytes): bigrams of code points, not bytes. */
	assert_int_equal(orgs_grams("A海\xF0\xA0\xAE\xB7z", g, ORGS_MAX_GRAMS), 3);
	assert_string_equal(g[0], "A海");
	assert_string_equal(g[1], "海\xF0\xA0\xAE\xB7");
	assert_string_equal(g[2], "\xF0\xA0\xAE\xB7z");
	assert_int_equal(strlen(g[1]), 7);
	/* Two 4-byte characters fill a gram exactly. */
	assert_int_equal(orgs_grams("\xF0\xA0\xAE\xB7\xF0\xA0\xAE\xB7", g, ORGS_MAX_GRAMS), 1);
	assert_int_equal(strlen(g[0]), 8);
}

static void test_ascii(void **state)
{
	(void)state;
	assert_int_equal(orgs_grams("IT之家", g, ORGS_MAX_GRAMS), 3);
	assert_string_equal(g[0], "IT");
	assert_string_equal(g[1], "T之");
	assert_string_equal(g[2], "之家");
}

static void test_invalid_utf8_refused(void **state)
{
	(void)state;
	assert_int_equal(orgs_grams("\xE6\xB5", g, ORGS_MAX_GRAMS), -1);     /* truncated */
	assert_int_equal(orgs_grams("a\xC0\xAF", g, ORGS_MAX_GRAMS), -1);    /* overlong */
	assert_int_equal(orgs_grams("\xED\xA0\x80", g, ORGS_MAX_GRAMS), -1); /* surrogate */
	assert_int_equal(orgs_grams("\xFF", g, ORGS_MAX_GRAMS), -1);
}

static void test_max_respected(void **state)
{
	(void)state;
	char small[2][ORGS_GRAM_SIZE];
	assert_int_equal(orgs_grams("海盐县", small, 2), 2);
	assert_int_equal(orgs_grams("海盐县养", small, 2), -1);
	/* The longest name (200 characters, all different pairs) fits the full array. */
	char name[200 * 3 + 1];
	for (int i = 0; i < 200; i++) {
		/* U+4E00 + i: 3 bytes each */
		unsigned cp = 0x4E00 + (unsigned)i;
		name[3 * i] = (char)(0xE0 | (cp >> 12));
		name[3 * i + 1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		name[3 * i + 2] = (char)(0x80 | (cp & 0x3F));
	}
	name[600] = 0;
	assert_int_equal(orgs_grams(name, g, ORGS_MAX_GRAMS), 199);
}

/* --- certificate canonical form ---------------------------------------------------------- */

static char *canon_of(const char *json)
{
	cJSON *v = cJSON_Parse(json);
	assert_non_null(v);
	char *s = certificates_canonical(v);
	cJSON_Delete(v);
	return s;
}

static void test_canonical_sorts_keys_recursively(void **state)
{
	(void)state;
	char *s = canon_of("{\"b\": 1, \"a\": {\"z\": true, \"y\": null}, \"c\": [ {\"k\": \"v\", \"j\": \"w\"} ]}");
	assert_string_equal(s, "{\"a\":{\"y\":null,\"z\":true},\"b\":1,\"c\":[{\"j\":\"w\",\"k\":\"v\"}]}");
	free(s);
}

static void test_canonical_order_independent(void **state)
{
	(void)state;
	char *a = canon_of("{\"name\": \"海盐县养老服务协会\", \"uscc\": \"51330424MJ000000X3\"}");
	char *b = canon_of("{\"uscc\": \"51330424MJ000000X3\", \"name\": \"海盐县养老服务协会\"}");
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_canonical_escapes_like_json_stringify(void **state)
{
	(void)state;
	/* JSON.stringify({"s": "a\"b\\c\n\u0001/é中"}) === '{"s":"a\\"b\\\\c\\n\\u0001/é中"}' */
	char *s = canon_of("{\"s\": \"a\\\"b\\\\c\\n\\u0001/\\u00e9中\"}");
	assert_string_equal(s, "{\"s\":\"a\\\"b\\\\c\\n\\u0001/\xC3\xA9中\"}");
	free(s);
}

static void test_canonical_refuses_fractions(void **state)
{
	(void)state;
	cJSON *v = cJSON_Parse("{\"x\": 1.5}");
	assert_null(certificates_canonical(v));
	cJSON_Delete(v);
	char *s = canon_of("{\"x\": -42, \"y\": 9007199254740992}");
	assert_string_equal(s, "{\"x\":-42,\"y\":9007199254740992}");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chinese_name),
		cmocka_unit_test(test_one_character_is_its_own_gram),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_two_characters),
		cmocka_unit_test(test_duplicates_once_in_first_order),
		cmocka_unit_test(test_mixed_widths),
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_invalid_utf8_refused),
		cmocka_unit_test(test_max_respected),
		cmocka_unit_test(test_canonical_sorts_keys_recursively),
		cmocka_unit_test(test_canonical_order_independent),
		cmocka_unit_test(test_canonical_escapes_like_json_stringify),
		cmocka_unit_test(test_canonical_refuses_fractions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
