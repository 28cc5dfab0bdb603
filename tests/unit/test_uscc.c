/* test_uscc.c — GB 32100 / GB 11714 validation and the codes sanzhi issues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "uscc.h"

#define ALPHABET "0123456789ABCDEFGHJKLMNPQRTUWXY"
#define SERIAL_LIMIT 887503681ULL /* 31^6 */

static const char *reason_of(const char *code)
{
	const char *why = "unset";
	int rc = uscc_check(code, NULL, &why);
	if (rc == 0)
		return NULL;
	return why;
}

static void test_worked_example(void **state)
{
	(void)state;
	uscc_parts p;
	const char *why = "unset";
	memset(&p, 'z', sizeof(p));
	assert_int_equal(uscc_check("53640000MJX1736997", &p, &why), 0);
	assert_null(why);
	assert_string_equal(p.authority, "5");
	assert_string_equal(p.category, "3");
	assert_string_equal(p.region_code, "640000");
	assert_string_equal(p.org_code, "MJX173699");
}

/* Codes published by real civil-affairs registrants (collected from public sources; each was
 * checked by hand as well: e.g. 53100000500019795A has org body 50001979 with
 * 5*3+1*5+9*8+7*4+9*2 = 138, 138 mod 11 = 6, check 5; and USCC sum 827, 827 mod 31 = 21,
 * 31 - 21 = 10 -> 'A'). */
static void test_real_codes(void **state)
{
	(void)state;
	static const struct {
		const char *code;
		const char *category;
	} real[] = {
		{ "51100000500002862F", "1" }, /* 中国自动化学会 */
		{ "51100000500009247D", "1" }, /* 中国复合材料工业协会 */
		{ "51100000500012681T", "1" }, /* 中国医疗保健国际交流促进会 */
		{ "53100000500019795A", "3" }, /* 中国社会福利基金会 */
		{ "53100000500021676K", "3" }, /* 北京理工大学教育基金会 */
		{ "53100000500021326D", "3" }, /* national foundation, from a 慈善中国 filing number */
		{ "53100000500009167K", "3" }, /* national foundation, from a 慈善中国 filing number */
	};
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		uscc_parts p;
		const char *why = "unset";
		int rc = uscc_check(real[i].code, &p, &why);
		if (rc != 0)
			fail_msg("%s rejected: %s", real[i].code, why);
		assert_string_equal(p.authority, "5");
		assert_string_equal(p.category, real[i].category);
		assert_string_equal(p.region_code, "100000");
		assert_memory_equal(p.org_code, real[i].code + 8, 9);
	}
}

/* Published-looking codes that circulate in sample data but do not satisfy the standard. */
static void test_fabricated_codes_rejected(void **state)
{
	(void)state;
	assert_string_equal(reason_of("51100000500000024G"), "org_code_check");
	assert_string_equal(reason_of("52110101MJ0018899X"), "org_code_check");
	assert_string_equal(reason_of("52410000MJY6421088"), "org_code_check");
	assert_string_equal(reason_of("52100000500000784G"), "org_code_check");
}

static void test_reason_length(void **state)
{
	(void)state;
	assert_string_equal(reason_of(NULL), "length");
	assert_string_equal(reason_of(""), "length");
	assert_string_equal(reason_of("53640000MJX173699"), "length");   /* 17 */
	assert_string_equal(reason_of("53640000MJX17369970"), "length"); /* 19 */
	assert_string_equal(reason_of(" 53640000MJX1736997"), "length");
	assert_string_equal(reason_of("53640000MJX1736997\n"), "length");
	/* A return code alone is enough for callers that do not want the reason. */
	assert_true(uscc_check("", NULL, NULL) < 0);
}

static void test_reason_charset(void **state)
{
	(void)state;
	/* Lowercase is not normalised: the standard uses capitals only. */
	assert_string_equal(reason_of("53640000mjx1736997"), "charset");
	assert_string_equal(reason_of("53640000MjX1736997"), "charset");
	/* Letters excluded from the alphabet, anywhere in the code. */
	const char *bad = "IOSVZ";
	for (const char *b = bad; *b; b++) {
		for (int pos = 0; pos < 18; pos++) {
			char code[] = "53640000MJX1736997";
			code[pos] = *b;
			assert_string_equal(reason_of(code), "charset");
		}
	}
	assert_string_equal(reason_of("53640000MJX17369-7"), "charset");
	assert_string_equal(reason_of("53640000MJX173699 "), "charset");
	assert_string_equal(reason_of("5364000\xe4\xb8\x80X1736997"), "charset");
	/* Charset is judged before the checks, even when a check would also fail. */
	assert_string_equal(reason_of("a3640000MJX1736990"), "charset");
}

static void test_reason_org_code_check(void **state)
{
	(void)state;
	/* Position 17 against positions 9-16. */
	assert_string_equal(reason_of("53640000MJX1736987"), "org_code_check");
	/* A changed body character is caught by the organization-code check first. */
	assert_string_equal(reason_of("53640000MJX1736897"), "org_code_check");
	assert_string_equal(reason_of("53640000NJX1736997"), "org_code_check");
	/* Transposition of two body characters. */
	assert_string_equal(reason_of("53640000JMX1736997"), "org_code_check");
}

static void test_reason_check_character(void **state)
{
	(void)state;
	/* Position 18 wrong. */
	assert_string_equal(reason_of("53640000MJX1736998"), "check_character");
	assert_string_equal(reason_of("53640000MJX173699Y"), "check_character");
	/* Changes outside the organization code leave only the final check to catch them. */
	assert_string_equal(reason_of("53640001MJX1736997"), "check_character");
	assert_string_equal(reason_of("52640000MJX1736997"), "check_character");
	assert_string_equal(reason_of("35640000MJX1736997"), "check_character");
	/* Every single-character substitution in positions 1-8 is detected. */
	for (int pos = 0; pos < 8; pos++) {
		for (const char *a = ALPHABET; *a; a++) {
			char code[] = "53640000MJX1736997";
			if (code[pos] == *a)
				continue;
			code[pos] = *a;
			assert_string_equal(reason_of(code), "check_character");
		}
	}
}

/* The reason names the first failing rule, in the documented order. */
static void test_reason_is_static_and_ordered(void **state)
{
	(void)state;
	const char *a = NULL, *b = NULL;
	assert_true(uscc_check("53640000MJX1736998", NULL, &a) < 0);
	assert_true(uscc_check("53640000MJX1736999", NULL, &b) < 0);
	assert_ptr_equal(a, b);
	/* Both checks wrong: the organization code is reported. */
	assert_string_equal(reason_of("53640000MJX1736988"), "org_code_check");
}

/* first16 (authority, category, region, 8-character body) completed with both check characters. */
static const char *with_checks(const char *first16)
{
	static char code[USCC_LEN + 1];
	memcpy(code, first16, 16);
	code[16] = uscc_org_code_check(code + 8);
	code[17] = uscc_check_char(code);
	code[18] = 0;
	return code;
}

static void test_authorities_and_categories(void **state)
{
	(void)state;
	/* Codes of other authorities are valid codes: an enterprise (9 1), a public institution (1 2). */
	uscc_parts p;
	assert_int_equal(uscc_check("91310115591693856A", &p, NULL), 0);
	assert_string_equal(p.authority, "9");
	assert_string_equal(p.category, "1");
	assert_int_equal(uscc_check(with_checks("12100000400000AB"), NULL, NULL), 0);
	assert_int_equal(uscc_check(with_checks("N2330424MA2B3C4D"), NULL, NULL), 0);
	char code[USCC_LEN + 1];
	assert_int_equal(uscc_build('5', '9', "330424", 7, code), 0);
	assert_int_equal(uscc_check(code, &p, NULL), 0);
	assert_string_equal(p.category, "9");
	/* Right check characters, impossible parts (GB 32100 Table 1). */
	assert_string_equal(reason_of(with_checks("01330424MJ000001")), "authority");
	assert_string_equal(reason_of(with_checks("H1330424MJ000001")), "authority");
	assert_string_equal(reason_of(with_checks("54330424MJ000001")), "category");
	assert_string_equal(reason_of(with_checks("50330424MJ000001")), "category");
	assert_string_equal(reason_of(with_checks("5A330424MJ000001")), "category");
	assert_string_equal(reason_of(with_checks("94330424MJ000001")), "category");
	assert_string_equal(reason_of(with_checks("000000000000000A")), "authority");
	/* Positions 3-8: digits, of a province (or 100000, national). An abolished county keeps its code. */
	assert_string_equal(reason_of(with_checks("5133042AMJ000001")), "region");
	assert_string_equal(reason_of(with_checks("51999999MJ000001")), "region");
	assert_string_equal(reason_of(with_checks("51000000MJ000001")), "region");
	assert_string_equal(reason_of(with_checks("51100001MJ000001")), "region");
	assert_int_equal(uscc_check(with_checks("51330103MJ000001"), NULL, NULL), 0);
	assert_int_equal(uscc_check(with_checks("51100000MJ000001"), NULL, NULL), 0);
	/* The names of the parts. */
	assert_string_equal(uscc_authority_name('5'), "民政");
	assert_string_equal(uscc_category_name('5', '3'), "基金会");
	assert_string_equal(uscc_category_name('9', '2'), "个体工商户");
	assert_null(uscc_category_name('9', '9'));
	assert_null(uscc_authority_name('B'));
}

static void test_org_code_check(void **state)
{
	(void)state;
	assert_int_equal(uscc_org_code_check("MJX17369"), '9');
	/* GB 11714's own illustration: D2143569 -> sum 199, 199 mod 11 = 1, 11 - 1 = 10 -> X. */
	assert_int_equal(uscc_org_code_check("D2143569"), 'X');
	/* Sum divisible by 11 gives 11 -> '0'. */
	assert_int_equal(uscc_org_code_check("00000000"), '0');
	assert_int_equal(uscc_org_code_check("00000006"), 'X');
	assert_int_equal(uscc_org_code_check("50001979"), '5');
	/* GB 11714 itself allows all 26 letters (I = 18, Z = 35). */
	assert_int_not_equal(uscc_org_code_check("IOSVZ000"), 0);
	assert_int_equal(uscc_org_code_check("mjx17369"), 0);
	assert_int_equal(uscc_org_code_check("MJX1736-"), 0);
	assert_int_equal(uscc_org_code_check("MJX1736\0"), 0);
	assert_int_equal(uscc_org_code_check(NULL), 0);
}

static void test_check_char(void **state)
{
	(void)state;
	assert_int_equal(uscc_check_char("53640000MJX173699"), '7');
	/* Sum divisible by 31 gives 31 -> '0'. */
	assert_int_equal(uscc_check_char("51330424MJ00001H5"), '0');
	assert_int_equal(uscc_check_char("51330424MJ000000X"), '3');
	assert_int_equal(uscc_check_char("53640000MJX17369I"), 0);
	assert_int_equal(uscc_check_char("53640000mjx173699"), 0);
	assert_int_equal(uscc_check_char(NULL), 0);
}

/* Reads back the serial from the six base-31 digits after "MJ". */
static unsigned long long serial_of(const char *code)
{
	unsigned long long v = 0;
	for (int i = 10; i < 16; i++) {
		const char *p = strchr(ALPHABET, code[i]);
		assert_non_null(p);
		v = v * 31 + (unsigned long long)(p - ALPHABET);
	}
	return v;
}

static int cmp_codes(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void test_build_known(void **state)
{
	(void)state;
	char code[USCC_LEN + 1];
	/* Hand check: org body MJ000000 -> 22*3 + 19*7 = 199, mod 11 = 1 -> X; USCC sum 2074,
	 * 2074 mod 31 = 28, 31 - 28 = 3. */
	assert_int_equal(uscc_build('5', '1', "330424", 0, code), 0);
	assert_string_equal(code, "51330424MJ000000X3");
	assert_int_equal(uscc_build('5', '2', "110105", 12345, code), 0);
	assert_string_equal(code, "52110105MJ000CT74E");
	assert_int_equal(uscc_build('5', '1', "330424", 48, code), 0);
	assert_string_equal(code, "51330424MJ00001H50");
}

static void test_build_thousand_serials(void **state)
{
	(void)state;
	enum { N = 1000 };
	char(*codes)[USCC_LEN + 1] = calloc(N, sizeof(*codes));
	assert_non_null(codes);
	for (int i = 0; i < N; i++) {
		/* Consecutive serials plus a spread across the whole range. */
		unsigned long long serial =
		        i < N / 2 ? (unsigned long long)i : (unsigned long long)i * 1774997ULL % SERIAL_LIMIT;
		char category = "1239"[i % 4];
		assert_int_equal(uscc_build('5', category, "330424", serial, codes[i]), 0);
		assert_int_equal(strlen(codes[i]), USCC_LEN);
		uscc_parts p;
		const char *why = NULL;
		if (uscc_check(codes[i], &p, &why) != 0)
			fail_msg("built %s rejected: %s", codes[i], why);
		assert_int_equal(p.category[0], category);
		assert_int_equal(serial_of(codes[i]), serial);
	}
	/* Distinct even ignoring the category digit: the serial alone determines the body. */
	for (int i = 0; i < N; i++)
		codes[i][1] = '1';
	qsort(codes, N, sizeof(*codes), cmp_codes);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(codes[i - 1], codes[i]);
	free(codes);
}

static void test_build_round_trip_parts(void **state)
{
	(void)state;
	char code[USCC_LEN + 1];
	uscc_parts p;
	assert_int_equal(uscc_build('5', '3', "640000", 424242, code), 0);
	assert_int_equal(uscc_check(code, &p, NULL), 0);
	assert_string_equal(p.authority, "5");
	assert_string_equal(p.category, "3");
	assert_string_equal(p.region_code, "640000");
	assert_int_equal(strlen(p.org_code), 9);
	assert_memory_equal(p.org_code, "MJ", 2);
	assert_int_equal(p.org_code[8], uscc_org_code_check(p.org_code));
	assert_int_equal(serial_of(code), 424242);
}

static void test_build_boundaries(void **state)
{
	(void)state;
	char code[USCC_LEN + 1];
	assert_int_equal(uscc_build('5', '1', "330424", 0, code), 0);
	assert_memory_equal(code + 8, "MJ000000", 8);
	assert_int_equal(uscc_build('5', '1', "330424", 30, code), 0);
	assert_memory_equal(code + 8, "MJ00000Y", 8);
	assert_int_equal(uscc_build('5', '1', "330424", 31, code), 0);
	assert_memory_equal(code + 8, "MJ000010", 8);
	assert_int_equal(uscc_build('5', '1', "330424", SERIAL_LIMIT - 1, code), 0);
	assert_memory_equal(code + 8, "MJYYYYYY", 8);
	assert_int_equal(uscc_check(code, NULL, NULL), 0);

	memcpy(code, "untouched", 10);
	assert_int_equal(uscc_build('5', '1', "330424", SERIAL_LIMIT, code), -1);
	assert_int_equal(uscc_build('5', '1', "330424", ULLONG_MAX, code), -1);
	assert_string_equal(code, "untouched");
}

static void test_build_bad_input(void **state)
{
	(void)state;
	char code[USCC_LEN + 1];
	assert_int_equal(uscc_build('9', '1', "330424", 1, code), -1);
	assert_int_equal(uscc_build('1', '1', "330424", 1, code), -1);
	assert_int_equal(uscc_build(0, '1', "330424", 1, code), -1);
	assert_int_equal(uscc_build('5', '0', "330424", 1, code), -1);
	assert_int_equal(uscc_build('5', '4', "330424", 1, code), -1);
	assert_int_equal(uscc_build('5', 'A', "330424", 1, code), -1);
	assert_int_equal(uscc_build('5', 0, "330424", 1, code), -1);
	assert_int_equal(uscc_build('5', '1', "33042A", 1, code), -1);
	assert_int_equal(uscc_build('5', '1', "3304 4", 1, code), -1);
	assert_int_equal(uscc_build('5', '1', "33042", 1, code), -1); /* NUL in position 6 */
	assert_int_equal(uscc_build('5', '1', NULL, 1, code), -1);
	assert_int_equal(uscc_build('5', '1', "330424", 1, NULL), -1);
}

static void test_category_for_form(void **state)
{
	(void)state;
	assert_int_equal(uscc_category_for_form("social_group"), '1');
	assert_int_equal(uscc_category_for_form("social_service_institution"), '2');
	assert_int_equal(uscc_category_for_form("foundation"), '3');
	assert_int_equal(uscc_category_for_form("Foundation"), 0);
	assert_int_equal(uscc_category_for_form("foundation "), 0);
	assert_int_equal(uscc_category_for_form("social"), 0);
	assert_int_equal(uscc_category_for_form(""), 0);
	assert_int_equal(uscc_category_for_form(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_real_codes),
		cmocka_unit_test(test_fabricated_codes_rejected),
		cmocka_unit_test(test_reason_length),
		cmocka_unit_test(test_reason_charset),
		cmocka_unit_test(test_reason_org_code_check),
		cmocka_unit_test(test_reason_check_character),
		cmocka_unit_test(test_reason_is_static_and_ordered),
		cmocka_unit_test(test_authorities_and_categories),
		cmocka_unit_test(test_org_code_check),
		cmocka_unit_test(test_check_char),
		cmocka_unit_test(test_build_known),
		cmocka_unit_test(test_build_thousand_serials),
		cmocka_unit_test(test_build_round_trip_parts),
		cmocka_unit_test(test_build_boundaries),
		cmocka_unit_test(test_build_bad_input),
		cmocka_unit_test(test_category_for_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
