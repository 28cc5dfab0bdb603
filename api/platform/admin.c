/* admin.c — the test clock and the sweep of time-driven rules. */
#include "api.h"

#include <stdio.h>
#include <string.h>

void admin_clock_get(http_req *req)
{
	cJSON *o = cJSON_CreateObject();
	char now[32];
	clock_fmt(clock_now(), now);
	cJSON_AddStringToObject(o, "now", now);
	cJSON_AddBoolToObject(o, "test_clock", clock_is_test());
	http_reply_data(req, 200, o, 0);
}

typedef struct clock_tx {
	const auth_user *who;
	usec_t from, to;
} clock_tx;

static int clock_tx_run(db_conn *c, void *arg)
{
	clock_tx *t = arg;
	char from[32], to[32];
	clock_fmt(t->from, from);
	clock_fmt(t->to, to);
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "old", from);
	cJSON_AddStringToObject(s, "new", to);
	int rc = audit_append(c, t->who, "clock.set", "clock", "test_clock", s);
	cJSON_Delete(s);
	return rc;
}

void admin_clock_put(http_req *req)
{
	if (!clock_is_test()) {
		http_problem(req, 409, "test_clock_disabled",
		             "the clock can only be set when the daemon runs with SANZHI_TEST_CLOCK=1 (never in production)");
		return;
	}
	verr v = { 0 };
	const char *s = NULL;
	usec_t t = 0;
	if (json_get_str(req->json, "now", &s, &v, "now", JSON_REQUIRED, 1, 64) == 1 && clock_parse(s, &t) < 0)
		verr_add(&v, "now", "invalid_time", "now must be an RFC 3339 time such as 2026-01-05T09:00:00Z");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the time is not valid", &v);
		return;
	}
	/* Moving the clock moves every deadline: it is a state change like any other, audited
	 * (at the old time, which the entry carries with the new one) before it takes effect. */
	clock_tx ct = { &req->user, clock_now(), t };
	int rc = db_tx(clock_tx_run, &ct);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	clock_set(t);
	log_kv(LOG_WARN, "test clock set", "now", s, NULL);
	admin_clock_get(req);
}

void admin_sweep(http_req *req)
{
	cJSON *report = cJSON_CreateArray();
	int rc = sweep_run(report);
	if (rc) {
		cJSON_Delete(report);
		http_problem_db(req, rc);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	char now[32];
	clock_fmt(clock_now(), now);
	cJSON_AddStringToObject(o, "at", now);
	cJSON_AddItemToObject(o, "rules", report);
	http_reply_data(req, 200, o, 0);
}
