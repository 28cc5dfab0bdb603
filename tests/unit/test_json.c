/* test_json.c — hostile-input JSON parsing and field validation (server/json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static cJSON *parse(const char *s, const char **why)
{
	size_t n = strlen(s);
	char *buf = malloc(n + 1);
	memcpy(buf, s, n + 1);
	cJSON *j = json_parse(buf, n, why);
	free(buf);
	return j;
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(json_utf8_valid("海盐县", strlen("海盐县")));
	assert_true(json_utf8_valid("\xF0\xA0\xAE\xB7", 4));  /* 𠮷, outside the BMP */
	assert_false(json_utf8_valid("\xC0\xAF", 2));         /* overlong */
	assert_false(json_utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
	assert_false(json_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(json_utf8_valid("\xE6\xB5", 2));         /* truncated */
	assert_false(json_utf8_valid("\x80", 1));
	assert_int_equal(json_utf8_len("海盐县abc"), 6);
}

static void test_parse_refusals(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_null(parse("{\"a\":1} x", &why));
	assert_string_equal(why, "malformed_json");
	assert_null(parse("{\"a\":", &why));
	char deep[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	assert_null(parse(deep, &why));
	assert_string_equal(why, "too_deep");
	/* Brackets inside strings do not count. */
	cJSON *j = parse("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", &why);
	assert_non_null(j);
	cJSON_Delete(j);
	char bad[] = "{\"a\":\"\xC3\x28\"}";
	assert_null(json_parse(bad, strlen(bad), &why));
	assert_string_equal(why, "invalid_utf8");
	j = parse("  {\"a\": [1, 2, {\"b\": null}]}  ", &why);
	assert_non_null(j);
	cJSON_Delete(j);
	/* A member named twice, at any depth, is refused; the same name in sibling objects is not. */
	assert_null(parse("{\"name\":\"甲\",\"kind\":1,\"name\":\"乙\"}", &why));
	assert_string_equal(why, "duplicate_member");
	assert_null(parse("{\"a\":[{\"x\":1},{\"y\":1,\"y\":2}]}", &why));
	assert_string_equal(why, "duplicate_member");
	j = parse("{\"a\":{\"x\":1},\"b\":{\"x\":1},\"c\":[{\"x\":1},{\"x\":2}]}", &why);
	assert_non_null(j);
	cJSON_Delete(j);
}

static void test_getters(void **state)
{
	(void)state;
	const char *why;
	cJSON *j = parse("{\"s\":\"海盐\",\"n\":3000000,\"f\":1.5,\"big\":1e300,\"b\":true,\"e\":\"foundation\","
	                 "\"ctl\":\"a\\u0001b\",\"empty\":\"\",\"nul\":null,\"arr\":[1,2,3]}",
	                 &why);
	assert_non_null(j);
	verr v = { 0 };
	const char *s = NULL;
	long long n = 0;
	int b = 0;
	assert_int_equal(json_get_str(j, "s", &s, &v, "s", JSON_REQUIRED, 1, 2), 1);
	assert_string_equal(s, "海盐");
	assert_int_equal(json_get_str(j, "s", &s, &v, "s", JSON_REQUIRED, 1, 1), -1); /* too long in characters */
	assert_int_equal(json_get_int(j, "n", &n, &v, "n", JSON_REQUIRED, 0, 1LL << 40), 1);
	assert_true(n == 3000000);
	assert_int_equal(json_get_int(j, "f", &n, &v, "f", JSON_REQUIRED, 0, 10), -1);
	assert_int_equal(json_get_int(j, "big", &n, &v, "big", JSON_REQUIRED, 0, 10), -1);
	assert_int_equal(json_get_int(j, "n", &n, &v, "n", JSON_REQUIRED, 0, 10), -1);
	assert_int_equal(json_get_bool(j, "b", &b, &v, "b", JSON_REQUIRED), 1);
	static const char *const forms[] = { "social_group", "foundation", NULL };
	assert_int_equal(json_get_enum(j, "e", &s, forms, &v, "e", JSON_REQUIRED), 1);
	assert_int_equal(json_get_enum(j, "s", &s, forms, &v, "s", JSON_REQUIRED), -1);
	assert_int_equal(json_get_str(j, "ctl", &s, &v, "ctl", JSON_REQUIRED, 0, 10), -1);
	assert_int_equal(json_get_str(j, "empty", &s, &v, "empty", JSON_REQUIRED, 0, 10), -1);
	assert_int_equal(json_get_str(j, "nul", &s, &v, "nul", JSON_OPTIONAL, 0, 10), 0);
	assert_int_equal(json_get_str(j, "missing", &s, &v, "missing", JSON_REQUIRED, 0, 10), -1);
	assert_int_equal(json_get_str(j, "n", &s, &v, "n", JSON_REQUIRED, 0, 10), -1);
	const cJSON *arr;
	assert_int_equal(json_get_array(j, "arr", &arr, &v, "arr", JSON_REQUIRED, 2), -1);
	assert_int_equal(json_get_array(j, "arr", &arr, &v, "arr", JSON_REQUIRED, 3), 1);
	assert_int_equal(v.count, 10);
	cJSON *list = verr_take(&v);
	/* "big" (1e300) is a whole number, only far too large. */
	const char *codes[] = { "too_long",          "not_integer", "out_of_range", "out_of_range", "invalid_choice",
		                "control_character", "required",    "required",     "type",         "too_many" };
	for (int i = 0; i < 10; i++) {
		cJSON *e = cJSON_GetArrayItem(list, i);
		assert_string_equal(cJSON_GetObjectItem(e, "code")->valuestring, codes[i]);
	}
	cJSON_Delete(list);
	assert_int_equal(v.count, 0);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_getters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
