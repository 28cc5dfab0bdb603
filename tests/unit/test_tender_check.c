/* test_tender_check.c — the rules of a tender notice that need no database
 * (api/tenders/tender_check.c, SPEC §6): points, price points, invited organizations by method,
 * eligibility values, times, and the publication deadlines against a given clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "tender_check.h"

/* A valid open tender, with member overrides as JSON text merged in. */
static cJSON *body(const char *over)
{
	cJSON *b = cJSON_Parse(
	        "{\"title\": \"海盐县居家养老上门服务项目\", \"description\": \"上门服务\", \"service_category\": "
	        "\"elderly_care\","
	        " \"budget_fen\": 120000000, \"method\": \"open\", \"evaluation_method\": \"comprehensive\","
	        " \"criteria\": [{\"id\": \"plan\", \"name\": \"服务方案\", \"max_points\": 40},"
	        "               {\"id\": \"team\", \"name\": \"团队与经验\", \"max_points\": 30}],"
	        " \"price_points\": 30, \"eligibility\": {\"min_grade\": \"3A\", \"legal_forms\": [\"social_group\"]},"
	        " \"enquiry_end\": \"2026-04-05T09:00:00Z\", \"bid_deadline\": \"2026-04-25T09:00:00Z\","
	        " \"contract_months\": 12}");
	if (!over)
		return b;
	cJSON *o = cJSON_Parse(over);
	cJSON *m = json_merge_patch(b, o);
	cJSON_Delete(o);
	return m;
}

/* field:code of every error, comma-separated, in order. */
static const char *errors(const char *over, char *out, size_t len)
{
	cJSON *b = body(over);
	assert_non_null(b);
	tender_in in;
	verr v = { 0 };
	tender_check_body(b, &in, &v);
	*out = 0;
	cJSON *list = verr_take(&v), *e;
	cJSON_ArrayForEach(e, list) {
		char one[128];
		snprintf(one, sizeof one, "%s%s:%s", *out ? "," : "", json_str_member(e, "field"),
		         json_str_member(e, "code"));
		strncat(out, one, len - strlen(out) - 1);
	}
	cJSON_Delete(list);
	cJSON_Delete(b);
	return out;
}

static void test_valid(void **state)
{
	(void)state;
	char out[1024];
	assert_string_equal(errors(NULL, out, sizeof out), "");
	cJSON *b = body(NULL);
	tender_in in;
	verr v = { 0 };
	tender_check_body(b, &in, &v);
	assert_int_equal(in.method, TM_OPEN);
	assert_int_equal(in.min_grade, 3);
	assert_int_equal(in.price_points, 30);
	assert_int_equal(in.budget_fen, 120000000);
	char *e = tender_eligibility_text(&in);
	assert_string_equal(e, "{\"min_grade\":\"3A\",\"min_years_registered\":0,\"legal_forms\":[\"social_group\"],"
	                       "\"categories\":[]}");
	free(e);
	cJSON_Delete(b);
}

static void test_points(void **state)
{
	(void)state;
	char out[1024];
	assert_string_equal(errors("{\"price_points\": 20}", out, sizeof out), "criteria:points_not_100");
	assert_string_equal(errors("{\"criteria\": [{\"id\": \"plan\", \"name\": \"方案\", \"max_points\": 95}], "
	                           "\"price_points\": 5}",
	                           out, sizeof out),
	                    "price_points:out_of_range");
	assert_string_equal(errors("{\"criteria\": [{\"id\": \"plan\", \"name\": \"方案\", \"max_points\": 90}], "
	                           "\"price_points\": 10}",
	                           out, sizeof out),
	                    "");
	assert_string_equal(errors("{\"criteria\": [{\"id\": \"a\", \"name\": \"甲\", \"max_points\": 35}, "
	                           "{\"id\": \"a\", \"name\": \"乙\", \"max_points\": 35}]}",
	                           out, sizeof out),
	                    "criteria[1].id:duplicate");
	/* The rules decide the range. */
	rules_set("price_points_max", "40");
	assert_string_equal(errors("{\"criteria\": [{\"id\": \"plan\", \"name\": \"方案\", \"max_points\": 60}], "
	                           "\"price_points\": 40}",
	                           out, sizeof out),
	                    "");
	rules_reset();
}

static void test_invited(void **state)
{
	(void)state;
	char out[1024];
	const char *a = "53640000MJX1736997";
	char over[512];
	snprintf(over, sizeof over, "{\"method\": \"invited\", \"invited_orgs\": [\"%s\"]}", a);
	assert_string_equal(errors(over, out, sizeof out), "invited_orgs:too_few_invited");
	snprintf(over, sizeof over, "{\"method\": \"single_source\", \"invited_orgs\": [\"%s\"]}", a);
	assert_string_equal(errors(over, out, sizeof out), "");
	snprintf(over, sizeof over, "{\"method\": \"single_source\", \"invited_orgs\": [\"%s\", \"%s\"]}", a, a);
	assert_string_equal(errors(over, out, sizeof out), "invited_orgs[1]:duplicate");
	snprintf(over, sizeof over, "{\"invited_orgs\": [\"%s\"]}", a);
	assert_string_equal(errors(over, out, sizeof out), "invited_orgs:not_allowed");
	assert_string_equal(
	        errors("{\"method\": \"single_source\", \"invited_orgs\": [\"53640000MJX1736998\"]}", out, sizeof out),
	        "invited_orgs[0]:invalid_uscc,invited_orgs:single_source_one");
	rules_set("invited_min_orgs", "1");
	snprintf(over, sizeof over, "{\"method\": \"invited\", \"invited_orgs\": [\"%s\"]}", a);
	assert_string_equal(errors(over, out, sizeof out), "");
	rules_reset();
}

static void test_eligibility_and_times(void **state)
{
	(void)state;
	char out[1024];
	assert_string_equal(errors("{\"eligibility\": {\"min_grade\": \"6A\", \"legal_forms\": [\"company\"], "
	                           "\"categories\": [\"public_welfare\", \"public_welfare\"], \"x\": 1}}",
	                           out, sizeof out),
	                    "eligibility.x:unknown_field,eligibility.min_grade:invalid_choice,"
	                    "eligibility.legal_forms[0]:invalid_choice,eligibility.categories[1]:duplicate");
	assert_string_equal(errors("{\"enquiry_end\": \"2026-04-25T09:00:00Z\"}", out, sizeof out),
	                    "enquiry_end:not_before_deadline");
	assert_string_equal(errors("{\"bid_deadline\": \"2026-04-25T09:00:00.000001Z\"}", out, sizeof out),
	                    "bid_deadline:invalid_time");
	assert_string_equal(errors("{\"bid_deadline\": \"3000-01-01T00:00:00Z\"}", out, sizeof out),
	                    "bid_deadline:invalid_time");
	assert_string_equal(errors("{\"budget_fen\": 0, \"method\": \"auction\"}", out, sizeof out),
	                    "budget_fen:out_of_range,method:invalid_choice");
}

/* SPEC §6: open ≥ 20 days after publication, consultation ≥ 10, to the microsecond. */
static void test_publication(void **state)
{
	(void)state;
	usec_t now, enq, dl;
	clock_parse("2026-03-10T02:00:00Z", &now);
	clock_parse("2026-03-20T02:00:00Z", &enq);
	dl = now + 20 * USEC_PER_DAY;
	verr v = { 0 };
	tender_check_publication(enq, dl, TM_OPEN, now, &v);
	assert_int_equal(v.count, 0);
	tender_check_publication(enq, dl, TM_OPEN, now + 1, &v);
	assert_int_equal(v.count, 1);
	verr_free(&v);
	tender_check_publication(enq, now + 10 * USEC_PER_DAY, TM_CONSULTATION, now, &v);
	assert_int_equal(v.count, 0);
	tender_check_publication(enq, now + 10 * USEC_PER_DAY - 1, TM_CONSULTATION, now, &v);
	assert_int_equal(v.count, 1);
	verr_free(&v);
	tender_check_publication(now + 1, now + 3 * USEC_PER_DAY, TM_NEGOTIATION, now, &v);
	assert_int_equal(v.count, 0);
	tender_check_publication(now, now + 3 * USEC_PER_DAY, TM_NEGOTIATION, now, &v);
	assert_int_equal(v.count, 1); /* the enquiry period is over */
	verr_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),       cmocka_unit_test(test_points),
		cmocka_unit_test(test_invited),     cmocka_unit_test(test_eligibility_and_times),
		cmocka_unit_test(test_publication),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
