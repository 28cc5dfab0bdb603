/* admin.c — the test clock and the sweep of time-driven rules. */
#include "api.h"
#include "tx.h"

#include <stdio.h>
#include <string.h>

static cJSON *clock_json(usec_t now_t, int frozen)
{
	cJSON *o = cJSON_CreateObject();
	char now[32];
	clock_fmt(now_t, now);
	cJSON_AddStringToObject(o, "now", now);
	cJSON_AddBoolToObject(o, "test_clock", clock_is_test());
	cJSON_AddBoolToObject(o, "frozen", frozen);
	return o;
}

void admin_clock_get(http_req *req)
{
	http_reply_data(req, 200, clock_json(clock_now(), clock_is_frozen()), 0);
}

typedef struct clock_put {
	usec_t from, to;
	const char *text;
	int reset;  /* {"now": null}: back to the real time */
	int frozen; /* {"frozen": true}: the clock stands at now (deadlines tested to the microsecond) */
} clock_put;

/* The time to set once the transaction that audits it has committed: db_after_commit runs its
 * functions on the committing thread, before the answer goes out. */
static _Thread_local clock_put clock_pending;

static void clock_apply(void)
{
	if (clock_pending.reset) {
		clock_reset();
		log_kv(LOG_WARN, "test clock reset to the real time", NULL);
		return;
	}
	clock_set_frozen(clock_pending.to, clock_pending.frozen); /* within bounds: admin_clock_put checked */
	log_kv(LOG_WARN, "test clock set", "now", clock_pending.text, NULL);
}

/* Moving the clock moves every deadline: it is a state change like any other, audited (at the
 * old time, which the entry carries with the new one) before it takes effect. */
static int clock_put_tx(tx *t, void *arg)
{
	const clock_put *p = arg;
	char from[32], to[32];
	clock_fmt(p->from, from);
	clock_fmt(p->to, to);
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "old", from);
	cJSON_AddStringToObject(s, "new", to);
	if (p->reset)
		cJSON_AddBoolToObject(s, "real_time", 1);
	if (p->frozen)
		cJSON_AddBoolToObject(s, "frozen", 1);
	int rc = audit_append(t->c, t->user, "clock.set", "clock", "test_clock", s);
	cJSON_Delete(s);
	if (rc)
		return rc;
	clock_pending = *p;
	db_after_commit(clock_apply);
	tx_answer(t, 200, clock_json(p->to, p->frozen), 0);
	return 0;
}

void admin_clock_put(http_req *req)
{
	if (!clock_is_test()) {
		http_problem(req, 409, "test_clock_disabled",
		             "the clock can only be set when the daemon runs with SANZHI_TEST_CLOCK=1 (never in "
		             "production)");
		return;
	}
	verr v = { 0 };
	clock_put p = { clock_now(), 0, NULL, 0, 0 };
	static const char *const fields[] = { "now", "frozen", NULL };
	json_only_fields(req->json, fields, &v, NULL);
	json_get_bool(req->json, "frozen", &p.frozen, &v, "frozen", JSON_OPTIONAL);
	if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(req->json, "now"))) {
		p.reset = 1;
		p.to = clock_real_now();
	} else if (json_get_str(req->json, "now", &p.text, &v, "now", JSON_REQUIRED, 1, 64) == 1) {
		if (clock_parse(p.text, &p.to) < 0)
			verr_add(&v, "now", "invalid_time",
			         "now must be an RFC 3339 time such as 2026-01-05T09:00:00Z");
		else if (p.to < CLOCK_SET_MIN || p.to > CLOCK_SET_MAX)
			verr_add(&v, "now", "out_of_range",
			         "now must be from 1970-01-01T00:00:00Z to 2999-12-31T23:59:59Z (the database keeps "
			         "times "
			         "up to 9999, and deadlines and expiries are computed after now); null returns to the "
			         "real time");
	}
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the time is not valid", &v);
		return;
	}
	tx_run_or_reply(req, clock_put_tx, &p);
}

void admin_sweep(http_req *req)
{
	cJSON *report = cJSON_CreateArray();
	if (api_rc_or_reply(req, sweep_run(report)) < 0) {
		cJSON_Delete(report);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	char now[32];
	clock_fmt(clock_now(), now);
	cJSON_AddStringToObject(o, "at", now);
	cJSON_AddItemToObject(o, "rules", report);
	http_reply_data(req, 200, o, 0);
}
