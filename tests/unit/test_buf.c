/* test_buf.c — the bounded growable buffer (server/buf.c): growth, the hard maximum, failure that
 * frees and sticks, and the one JSON string escaper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

static void test_grows_and_keeps_every_byte(void **state)
{
	(void)state;
	dynbuf b;
	buf_init(&b, 1 << 20);
	char want[10001];
	size_t n = 0;
	/* Pieces of odd sizes across many doublings, NUL bytes among them. */
	for (int i = 0; n + 7 <= 10000; i++) {
		char piece[7];
		for (int k = 0; k < 7; k++)
			piece[k] = (char)('a' + (i + k) % 26);
		piece[3] = i % 5 ? piece[3] : 0;
		assert_int_equal(buf_add(&b, piece, sizeof piece), 0);
		memcpy(want + n, piece, sizeof piece);
		n += sizeof piece;
		assert_int_equal(b.len, n);
		assert_true(b.cap >= b.len + 1);
		assert_int_equal(b.p[b.len], 0);
	}
	size_t len = 0;
	char *s = buf_take(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, n);
	assert_memory_equal(s, want, n);
	assert_int_equal(s[len], 0);
	free(s);
	/* Taking empties the buffer; it can be written again. */
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_adds(&b, "again"), 0);
	s = buf_take(&b, &len);
	assert_string_equal(s, "again");
	assert_int_equal(len, 5);
	free(s);
}

static void test_addf_longer_than_the_first_block(void **state)
{
	(void)state;
	dynbuf b;
	buf_init(&b, 4096);
	char word[1001];
	memset(word, 'x', 1000);
	word[1000] = 0;
	assert_int_equal(buf_addf(&b, "%d:%s:%s", 42, word, "end"), 0);
	size_t len;
	char *s = buf_take(&b, &len);
	assert_int_equal(len, 3 + 1000 + 4);
	assert_memory_equal(s, "42:", 3);
	assert_string_equal(s + 1003, ":end");
	free(s);
}

static void test_nothing_written_is_an_empty_text(void **state)
{
	(void)state;
	dynbuf b;
	buf_init(&b, 0);
	size_t len = 99;
	char *s = buf_take(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
}

static void test_maximum_is_exact(void **state)
{
	(void)state;
	dynbuf b;
	buf_init(&b, 10);
	assert_int_equal(buf_adds(&b, "0123456789"), 0); /* exactly the maximum */
	assert_int_equal(b.len, 10);
	assert_true(b.cap <= 11); /* never more room than the maximum needs */
	char *s = buf_take(&b, NULL);
	assert_string_equal(s, "0123456789");
	free(s);

	buf_init(&b, 10);
	assert_int_equal(buf_adds(&b, "01234"), 0);
	assert_int_equal(buf_addf(&b, "%s", "56789a"), -1); /* one byte too many */
	assert_null(buf_take(&b, NULL));
}

static void test_failure_frees_and_sticks(void **state)
{
	(void)state;
	dynbuf b;
	buf_init(&b, 16);
	assert_int_equal(buf_adds(&b, "abc"), 0);
	assert_int_equal(buf_adds(&b, "this is longer than sixteen"), -1);
	assert_true(b.failed);
	assert_null(b.p); /* freed at once, not at the end */
	assert_int_equal(b.len, 0);
	/* Every later call fails, even one that would fit: the text has a hole. */
	assert_int_equal(buf_adds(&b, "d"), -1);
	assert_int_equal(buf_add(&b, "", 0), -1);
	assert_int_equal(buf_addf(&b, "%d", 1), -1);
	assert_int_equal(buf_add_json_string(&b, "e"), -1);
	assert_null(b.p);
	size_t len = 99;
	assert_null(buf_take(&b, &len));
	assert_int_equal(len, 0);
	assert_null(buf_take(&b, &len));
	buf_free(&b); /* harmless after failing */
}

static char *json_of(const char *s)
{
	dynbuf b;
	buf_init(&b, 4096);
	if (buf_add_json_string(&b, s) < 0)
		return NULL;
	return buf_take(&b, NULL);
}

static void test_json_escapes_quotes_backslashes_and_controls(void **state)
{
	(void)state;
	char *s = json_of("say \"hi\" \\ bye");
	assert_string_equal(s, "\"say \\\"hi\\\" \\\\ bye\"");
	free(s);
	s = json_of("\b\f\n\r\t|\x01|\x1f|\x7f");
	/* As JSON.stringify writes them; DEL is not a JSON control character. */
	assert_string_equal(s, "\"\\b\\f\\n\\r\\t|\\u0001|\\u001f|\x7f\"");
	free(s);
	s = json_of("");
	assert_string_equal(s, "\"\"");
	free(s);
}

static void test_json_passes_utf8_and_round_trips(void **state)
{
	(void)state;
	const char *text = "海盐县社会组织 𠮷 é </script> \u2028";
	char *s = json_of(text);
	/* UTF-8 (four-byte sequences, U+2028 too) goes through byte for byte. */
	assert_int_equal(strlen(s), strlen(text) + 2);
	assert_memory_equal(s + 1, text, strlen(text));
	free(s);

	const char *nasty = "a\"b\\c\nd\x02\x1f海\t";
	s = json_of(nasty);
	const char *why = NULL;
	cJSON *j = json_parse(s, strlen(s), &why);
	assert_non_null(j);
	assert_true(cJSON_IsString(j));
	assert_string_equal(j->valuestring, nasty);
	cJSON_Delete(j);
	free(s);
}

static void test_json_string_obeys_the_maximum(void **state)
{
	(void)state;
	dynbuf b;
	buf_init(&b, 8);
	assert_int_equal(buf_add_json_string(&b, "\n\n\n\n"), -1); /* 4 characters, 10 bytes escaped */
	assert_null(buf_take(&b, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_and_keeps_every_byte),
		cmocka_unit_test(test_addf_longer_than_the_first_block),
		cmocka_unit_test(test_nothing_written_is_an_empty_text),
		cmocka_unit_test(test_maximum_is_exact),
		cmocka_unit_test(test_failure_frees_and_sticks),
		cmocka_unit_test(test_json_escapes_quotes_backslashes_and_controls),
		cmocka_unit_test(test_json_passes_utf8_and_round_trips),
		cmocka_unit_test(test_json_string_obeys_the_maximum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
