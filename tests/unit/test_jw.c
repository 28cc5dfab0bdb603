/* test_jw.c — the JSON writer (server/jw.c): commas, escaping, nesting, the hard maximum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jw.h"

static void test_shapes(void **state)
{
	(void)state;
	jw w;
	jw_init(&w, 4096);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_arr(&w);
	for (int i = 0; i < 2; i++) {
		jw_obj(&w);
		jw_kint(&w, "n", i - 1);
		jw_kstr(&w, "s", NULL);
		jw_key(&w, "b");
		jw_bool(&w, i);
		jw_key(&w, "e");
		jw_arr(&w);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_kstr(&w, "next_cursor", "abc");
	jw_obj_end(&w);
	size_t len = 0;
	char *s = jw_take(&w, &len);
	assert_non_null(s);
	assert_string_equal(
	        s, "{\"data\":[{\"n\":-1,\"s\":null,\"b\":false,\"e\":[]},{\"n\":0,\"s\":null,\"b\":true,\"e\":[]}],"
	           "\"next_cursor\":\"abc\"}");
	assert_int_equal(len, strlen(s));
	free(s);
}

static void test_escaping_round_trips(void **state)
{
	(void)state;
	const char *nasty = "海盐县\"引号\"\\反斜杠\n换行\t\x01\x1f</script>𠮷";
	jw w;
	jw_init(&w, 4096);
	jw_obj(&w);
	jw_kstr(&w, "k\"ey", nasty);
	jw_obj_end(&w);
	size_t len;
	char *s = jw_take(&w, &len);
	assert_non_null(s);
	const char *why = NULL;
	cJSON *j = json_parse(s, len, &why);
	assert_non_null(j);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "k\"ey");
	assert_true(cJSON_IsString(v));
	assert_string_equal(v->valuestring, nasty);
	cJSON_Delete(j);
	free(s);
}

static void test_maximum_fails_once_and_for_all(void **state)
{
	(void)state;
	jw w;
	jw_init(&w, 64);
	jw_arr(&w);
	for (int i = 0; i < 100; i++)
		jw_str(&w, "0123456789");
	jw_arr_end(&w);
	size_t len = 0;
	assert_null(jw_take(&w, &len));
	/* An unclosed container is not a document either. */
	jw_init(&w, 64);
	jw_obj(&w);
	assert_null(jw_take(&w, &len));
	/* Nor is closing what was never opened. */
	jw_init(&w, 64);
	jw_arr_end(&w);
	assert_null(jw_take(&w, &len));
}

static void test_take_line(void **state)
{
	(void)state;
	jw w;
	jw_init(&w, 64);
	jw_obj(&w);
	jw_kint(&w, "a", 1);
	jw_obj_end(&w);
	size_t len = 0;
	char *s = jw_take_line(&w, &len);
	assert_non_null(s);
	assert_string_equal(s, "{\"a\":1}\n");
	assert_int_equal(len, 8);
	free(s);
	/* The newline counts against the maximum, and an unfinished document is no line. */
	jw_init(&w, 7);
	jw_obj(&w);
	jw_kint(&w, "a", 1);
	jw_obj_end(&w);
	assert_null(jw_take_line(&w, &len));
	jw_init(&w, 64);
	jw_arr(&w);
	assert_null(jw_take_line(&w, &len));
	assert_int_equal(len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_escaping_round_trips),
		cmocka_unit_test(test_maximum_fails_once_and_for_all),
		cmocka_unit_test(test_take_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
