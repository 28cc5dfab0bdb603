/* test_eligibility.c — every reason an organization may not bid (api/credit/eligibility.c,
 * SPEC §5, §6): the pure check over what the register says. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "clock.h"
#include "eligibility.h"

static int64_t day(int y, int m, int d)
{
	return clock_days_from_civil(y, m, d);
}

/* A registered 3A organization, registered 2020-06-01, graded until 2030-12-31, on no list. */
static credit_facts good(void)
{
	credit_facts f = { 1, 1, day(2020, 6, 1), 3, day(2030, 12, 31), 0, "social_group", "community_service" };
	return f;
}

/* The codes of v, comma-separated, into out. */
static const char *codes(verr *v, char *out, size_t len)
{
	*out = 0;
	cJSON *list = verr_take(v), *e;
	cJSON_ArrayForEach(e, list) {
		if (*out)
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, json_str_member(e, "code"), len - strlen(out) - 1);
	}
	cJSON_Delete(list);
	return out;
}

static const char *check(const credit_facts *f, const credit_requirements *req, int64_t today, int *n)
{
	static char out[256];
	verr v = { 0 };
	*n = credit_eligibility_check(f, req, today, &v);
	return codes(&v, out, sizeof out);
}

static void test_alone(void **state)
{
	(void)state;
	int n;
	credit_facts f = good();
	assert_string_equal(check(&f, NULL, day(2026, 3, 10), &n), "");
	assert_int_equal(n, 0);
	/* Ungraded: no matter without a required grade. */
	f.grade = 0;
	assert_string_equal(check(&f, NULL, day(2026, 3, 10), &n), "");
	f = good();
	f.listings = 2;
	assert_string_equal(check(&f, NULL, day(2026, 3, 10), &n), "listed");
	assert_int_equal(n, 1);
	f.registered = 0;
	assert_string_equal(check(&f, NULL, day(2026, 3, 10), &n), "not_registered,listed");
	assert_int_equal(n, 2);
	credit_facts none = { 0 };
	assert_string_equal(check(&none, NULL, day(2026, 3, 10), &n), "not_registered");
}

static void test_grade(void **state)
{
	(void)state;
	int n;
	credit_facts f = good();
	credit_requirements req = { .min_grade = 3 };
	assert_string_equal(check(&f, &req, day(2026, 3, 10), &n), "");
	req.min_grade = 4;
	assert_string_equal(check(&f, &req, day(2026, 3, 10), &n), "grade_too_low");
	/* A grade counts through its last day, and not after. */
	req.min_grade = 3;
	assert_string_equal(check(&f, &req, day(2030, 12, 31), &n), "");
	assert_string_equal(check(&f, &req, day(2031, 1, 1), &n), "grade_too_low");
	f.grade = 0;
	assert_string_equal(check(&f, &req, day(2026, 3, 10), &n), "grade_too_low");
	assert_int_equal(credit_grade_rank("5A"), 5);
	assert_int_equal(credit_grade_rank("1A"), 1);
	assert_int_equal(credit_grade_rank("6A"), 0);
	assert_int_equal(credit_grade_rank("3AA"), 0);
	assert_int_equal(credit_grade_rank(NULL), 0);
}

static void test_years(void **state)
{
	(void)state;
	int n;
	credit_facts f = good();
	credit_requirements req = { .min_years_registered = 2 };
	assert_string_equal(check(&f, &req, day(2022, 5, 31), &n), "registered_too_recently");
	assert_string_equal(check(&f, &req, day(2022, 6, 1), &n), "");
}

static void test_forms_and_categories(void **state)
{
	(void)state;
	int n;
	static const char *const foundations[] = { "foundation", NULL };
	static const char *const welfare[] = { "public_welfare", NULL };
	static const char *const any_group[] = { "social_group", "foundation", NULL };
	credit_facts f = good();
	credit_requirements req = { .legal_forms = foundations, .categories = welfare };
	assert_string_equal(check(&f, &req, day(2026, 3, 10), &n), "legal_form_not_allowed,category_not_allowed");
	assert_int_equal(n, 2);
	req.legal_forms = any_group;
	assert_string_equal(check(&f, &req, day(2026, 3, 10), &n), "category_not_allowed");
	/* An organization without a category is in none a tender names. */
	f.category = NULL;
	assert_string_equal(check(&f, &req, day(2026, 3, 10), &n), "category_not_allowed");
	/* Every reason at once. */
	credit_requirements all = { 5, 10, foundations, welfare };
	f = good();
	f.registered = 0;
	f.listings = 1;
	assert_string_equal(check(&f, &all, day(2026, 3, 10), &n),
	                    "not_registered,listed,grade_too_low,registered_too_recently,legal_form_not_allowed,"
	                    "category_not_allowed");
	assert_int_equal(n, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alone),
		cmocka_unit_test(test_grade),
		cmocka_unit_test(test_years),
		cmocka_unit_test(test_forms_and_categories),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
