/* credit.c — an organization's credit as the public sees it (GET /api/v1/orgs/{uscc}/credit), and
 * the checks every credit writer shares (see credit.h). */
#include "credit.h"
#include "eligibility.h"
#include "list_entry_flow.h"
#include "orgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- what the writers share -------------------------------------------------------------- */

int credit_get_date(const cJSON *body, const char *key, int64_t today, int required, int64_t *day, verr *v)
{
	const char *s = NULL;
	/* Any text that is not a date is an invalid_date, however long. */
	int got = json_get_str(body, key, &s, v, key, required, 0, CREDIT_TEXT_MAX_CHARS);
	if (got != 1)
		return got;
	if (strlen(s) != 10 || clock_parse_date(s, day) < 0) {
		verr_add(v, key, "invalid_date", "%s must be a date YYYY-MM-DD", key);
		return -1;
	}
	if (*day > today) {
		verr_add(v, key, "date_in_future", "%s (%s) is after today", key, s);
		return -1;
	}
	return 1;
}

int credit_get_text(const cJSON *body, const char *key, size_t max, int required, const char **out, verr *v)
{
	int got = json_get_str(body, key, out, v, key, required, 1, max);
	if (got != 1)
		return got;
	if (json_blank(*out)) {
		verr_add(v, key, "required", "%s must say something", key);
		return -1;
	}
	/* A name or a number is one line of visible text; a basis or evidence may run over lines. */
	if (max <= CREDIT_NAME_MAX_CHARS && !json_text_clean(*out, 1)) {
		verr_add(v, key, "invalid_text", "%s must be one line of visible text", key);
		return -1;
	}
	return 1;
}

int credit_org_lock_or_refuse(tx *t, const char *uscc, org_row *o)
{
	int rc = orgs_lock_or_refuse(t, uscc, o);
	if (rc)
		return rc;
	if (o->status == ORG_REGISTERED)
		return 0;
	org_row_free(o);
	return tx_refuse(t, 409, "org_deregistered", "%s is deregistered; its credit no longer changes", uscc);
}

int credit_listings(db_conn *c, const char *uscc, long long *n)
{
	db_res *r;
	int rc = db_query(c, "SELECT COUNT(*) FROM list_entries WHERE uscc = ? AND status = ?",
	                  DBP(DBS(uscc), DBS(fsm_state_name(&list_entry_flow, LE_listed))), &r);
	if (rc)
		return rc;
	*n = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

/* --- the organization's history ---------------------------------------------------------- */

int credit_org_event(tx *t, const char *uscc, const char *type, int64_t effective, const char *reason,
                     const cJSON *changes)
{
	char now[32], day[16];
	clock_fmt_db(clock_now(), now);
	clock_fmt_date(effective, day);
	char *ch = changes ? json_print(changes) : NULL;
	if (changes && !ch)
		return DB_ERROR;
	int rc = db_exec(t->c,
	                 "INSERT INTO org_events (uscc, type, at, effective_date, reason, changes, actor_id) "
	                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
	                 DBP(DBS(uscc), DBS(type), DBS(now), DBS(day), DBS(reason), DBS(ch),
	                     t->user ? DBI(t->user->id) : DBNULL),
	                 NULL, NULL);
	free(ch);
	/* The profile changed: a new version (its ETag) and every instance's cache dropped. */
	if (!rc)
		rc = db_exec(t->c, "UPDATE orgs SET version = version + 1, updated_at = ? WHERE uscc = ?",
		             DBP(DBS(now), DBS(uscc)), NULL, NULL);
	return rc ? rc : orgs_touch(t->c);
}

/* --- GET /api/v1/orgs/{uscc}/credit ------------------------------------------------------- */

static cJSON *entries(db_conn *c, const char *uscc, int current, int *rc)
{
	db_res *r;
	cJSON *a = cJSON_CreateArray();
	*rc = db_query(c,
	               "SELECT " LE_COLUMNS
	               " FROM list_entries WHERE uscc = ? AND (? = 0 OR status = ?) ORDER BY id LIMIT 1000",
	               DBP(DBS(uscc), DBI(current), DBS(fsm_state_name(&list_entry_flow, LE_listed))), &r);
	if (*rc)
		return a;
	for (int i = 0; i < r->nrows; i++)
		cJSON_AddItemToArray(a, le_json(r, i));
	db_res_free(r);
	return a;
}

static int credit_tx(tx *t, void *arg)
{
	const char *uscc = arg;
	db_res *r;
	int rc = db_query(
	        t->c,
	        "SELECT o.grade, o.grade_valid_until, (SELECT g.score FROM credit_grades g WHERE g.uscc = o.uscc "
	        "ORDER BY g.id DESC LIMIT 1) FROM orgs o WHERE o.uscc = ?",
	        DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return orgs_refuse_unknown(t);
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "uscc", uscc);
	json_add_str_or_null(o, "grade", db_val(r, 0, 0));
	if (db_val(r, 0, 2))
		cJSON_AddNumberToObject(o, "score", (double)db_int(r, 0, 2));
	else
		cJSON_AddNullToObject(o, "score");
	json_add_str_or_null(o, "grade_valid_until", db_val(r, 0, 1));
	db_res_free(r);
	cJSON_AddItemToObject(o, "lists", entries(t->c, uscc, 1, &rc));
	if (!rc)
		cJSON_AddItemToObject(o, "history", entries(t->c, uscc, 0, &rc));
	if (!rc)
		rc = db_query(t->c,
		              "SELECT " CREDIT_EVENT_COLUMNS
		              " FROM credit_events WHERE uscc = ? ORDER BY id LIMIT 1000",
		              DBP(DBS(uscc)), &r);
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	cJSON *ev = cJSON_AddArrayToObject(o, "events");
	for (int i = 0; i < r->nrows; i++)
		cJSON_AddItemToArray(ev, credit_event_json(r, i));
	db_res_free(r);

	/* can_bid speaks of the organization alone; a tender's own requirements are checked at bidding. */
	verr v = { 0 };
	int n = credit_eligibility(t->c, uscc, NULL, clock_local_day(clock_now()), &v);
	if (n < 0) {
		cJSON_Delete(o);
		verr_free(&v);
		return n;
	}
	cJSON_AddBoolToObject(o, "can_bid", n == 0);
	cJSON *reasons = cJSON_AddArrayToObject(o, "can_bid_reasons");
	cJSON *list = verr_take(&v), *e;
	cJSON_ArrayForEach(e, list)
		cJSON_AddItemToArray(reasons, cJSON_CreateString(json_str_member(e, "code")));
	cJSON_Delete(list);
	tx_answer(t, 200, o, 0);
	return 0;
}

static void credit_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	tx_read_or_reply(req, credit_tx, uscc);
}

const route credit_routes[] = {
	{ "GET", "/api/v1/orgs/{uscc}/credit", credit_get, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
