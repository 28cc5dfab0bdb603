/* credit.c — an organization's credit as the public sees it (GET /api/v1/orgs/{uscc}/credit). The
 * checks every credit writer shares are credit_common.c. */
#include "annual_reports.h"
#include "credit.h"
#include "eligibility.h"
#include "list_entry_flow.h"
#include "orgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	int rc = orgs_row_or_refuse(t,
	                            "SELECT o.grade, o.grade_valid_until, (SELECT g.score FROM credit_grades g "
	                            "WHERE g.uscc = o.uscc ORDER BY g.id DESC LIMIT 1) FROM orgs o WHERE o.uscc = ?",
	                            uscc, &r);
	if (rc)
		return rc;
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

	int years[ANNUAL_MISSING_MAX], nyears = 0;
	if ((rc = annual_reports_missing_years(t->c, uscc, years, ANNUAL_MISSING_MAX, &nyears))) {
		cJSON_Delete(o);
		return rc;
	}
	cJSON *missing = cJSON_AddArrayToObject(o, "annual_reports_missing");
	for (int i = 0; i < nyears; i++)
		cJSON_AddItemToArray(missing, cJSON_CreateNumber(years[i]));

	/* can_bid speaks of the organization alone; a tender's own requirements are checked at bidding. */
	verr v = { 0 };
	int n = credit_eligibility(t->c, uscc, NULL, clock_local_day(clock_now()), &v, NULL);
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
