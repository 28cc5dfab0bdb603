/* test_clock.c — RFC 3339, calendar arithmetic and working days (server/clock.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "clock.h"

static void test_rfc3339_round_trip(void **state)
{
	(void)state;
	usec_t t;
	assert_int_equal(clock_parse("2026-11-25T10:00:00Z", &t), 0);
	char buf[32];
	clock_fmt(t, buf);
	assert_string_equal(buf, "2026-11-25T10:00:00Z");
	usec_t t2;
	assert_int_equal(clock_parse("2026-11-25T18:00:00+08:00", &t2), 0);
	assert_true(t == t2);
	assert_int_equal(clock_parse("2026-11-25T10:00:00.5Z", &t2), 0);
	assert_true(t2 - t == 500000);
	clock_fmt_db(t2, buf);
	assert_string_equal(buf, "2026-11-25 10:00:00.500000");
	assert_int_equal(clock_parse(buf, &t), 0);
	assert_true(t == t2);
}

static void test_rfc3339_rejects(void **state)
{
	(void)state;
	usec_t t;
	const char *bad[] = { "",
		              "2026-11-25",
		              "2026-11-25T10:00:00",
		              "2026-13-01T00:00:00Z",
		              "2026-02-30T00:00:00Z",
		              "2026-11-25T24:00:00Z",
		              "2026-11-25T10:00:00+25:00",
		              "2026-11-25T10:00:00Zjunk",
		              "２０２６-11-25T10:00:00Z",
		              "2026-11-25T10:00:00.Z" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(clock_parse(bad[i], &t), -1);
	assert_int_equal(clock_parse("2024-02-29T00:00:00Z", &t), 0); /* leap day */
	assert_int_equal(clock_parse("2025-02-29T00:00:00Z", &t), -1);
}

static void test_local_dates(void **state)
{
	(void)state;
	clock_load_calendar("", "", 480);
	usec_t t;
	/* 2026-11-25T17:00Z is already the 26th in China. */
	assert_int_equal(clock_parse("2026-11-25T17:00:00Z", &t), 0);
	char d[11];
	clock_fmt_date(clock_local_day(t), d);
	assert_string_equal(d, "2026-11-26");
	assert_int_equal(clock_parse("2026-11-25T15:59:59Z", &t), 0);
	clock_fmt_date(clock_local_day(t), d);
	assert_string_equal(d, "2026-11-25");
	int64_t day;
	assert_int_equal(clock_parse_date("2026-11-26", &day), 0);
	char buf[32];
	clock_fmt(clock_local_midnight(day), buf);
	assert_string_equal(buf, "2026-11-25T16:00:00Z");
}

static void test_working_days(void **state)
{
	(void)state;
	int64_t fri, mon, day;
	clock_load_calendar("", "", 480);
	assert_int_equal(clock_parse_date("2026-11-27", &fri), 0); /* a Friday */
	assert_int_equal(clock_parse_date("2026-11-30", &mon), 0);
	assert_true(clock_is_working_day(fri));
	assert_false(clock_is_working_day(fri + 1));
	assert_false(clock_is_working_day(fri + 2));
	assert_true(clock_add_working_days(fri, 1) == mon);
	assert_true(clock_add_working_days(fri, 0) == fri);
	/* 7 working days from Friday 27 Nov: Mon 30 … Tue 8 Dec. */
	assert_int_equal(clock_parse_date("2026-12-08", &day), 0);
	assert_true(clock_add_working_days(fri, 7) == day);
	/* A holiday on Monday pushes it one further; a worked Saturday pulls it back. */
	clock_load_calendar("2026-11-30", "", 480);
	assert_false(clock_is_working_day(mon));
	assert_int_equal(clock_parse_date("2026-12-01", &day), 0);
	assert_true(clock_add_working_days(fri, 1) == day);
	clock_load_calendar("2026-11-30", "2026-11-28", 480);
	assert_true(clock_is_working_day(fri + 1));
	assert_true(clock_add_working_days(fri, 1) == fri + 1);
	clock_load_calendar("", "", 480);
}

static void test_months(void **state)
{
	(void)state;
	int64_t d, e;
	assert_int_equal(clock_parse_date("2026-01-31", &d), 0);
	assert_int_equal(clock_parse_date("2026-02-28", &e), 0);
	assert_true(clock_add_months(d, 1) == e);
	assert_int_equal(clock_parse_date("2028-02-29", &d), 0);
	assert_int_equal(clock_parse_date("2029-02-28", &e), 0);
	assert_true(clock_add_months(d, 12) == e);
	assert_int_equal(clock_parse_date("2026-08-15", &d), 0);
	assert_int_equal(clock_parse_date("2026-02-15", &e), 0);
	assert_true(clock_add_months(d, -6) == e);
}

static void test_test_clock(void **state)
{
	(void)state;
	clock_enable_test(0);
	assert_int_equal(clock_set(0), -1);
	clock_enable_test(1);
	usec_t t;
	assert_int_equal(clock_parse("2030-01-01T00:00:00Z", &t), 0);
	assert_int_equal(clock_set(t), 0);
	usec_t now = clock_now();
	assert_true(now >= t && now - t < 5 * USEC_PER_SEC);
	clock_enable_test(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_round_trip),
		cmocka_unit_test(test_rfc3339_rejects),
		cmocka_unit_test(test_local_dates),
		cmocka_unit_test(test_working_days),
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_test_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
