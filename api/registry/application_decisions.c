/* application_decisions.c — the bureau's decisions on an application (see application_decisions.h). */
#include "application_decisions.h"
#include "application_flow.h"
#include "application_notify.h"
#include "notices.h"
#include "registry_tx.h"

#include <stdlib.h>

static long long row_id(const fsm_run *r)
{
	return db_int(r->row, 0, AC_ID);
}

static const app_args *args_of(const fsm_run *r)
{
	static const app_args none = { 0 };
	return r->arg ? r->arg : &none;
}

int app_decide_request_supplement(fsm_run *run)
{
	const cJSON *items = args_of(run)->items;
	char *text = items ? json_print(items) : NULL;
	if (!text)
		return DB_ERROR;
	char now[32];
	clock_fmt_db(clock_now(), now);
	int rc = db_exec(run->t->c,
	                 "UPDATE applications SET supplement_items = ?, supplement_requested_at = ? WHERE id = ?",
	                 DBP(DBS(text), DBS(now), DBI(row_id(run))), NULL, NULL);
	free(text);
	cJSON_AddItemToObject(run->summary, "items", cJSON_Duplicate(items, 1));
	if (rc)
		return rc;
	/* 补正告知书: every item, and the date it was issued. */
	cJSON *f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "items", cJSON_Duplicate(items, 1));
	if ((rc = notices_issue(run->t->c, NOTICE_SUPPLEMENT, run->row, f, run->summary)))
		return rc;
	return app_notify(run, APP_NOTICE_SUPPLEMENT, NULL, items);
}

/* Accepted from since (deemed or not): the decision's due day, the row, the 受理通知书 and the
 * applicant told — the one step both the registrar's acceptance and the deemed one end with. */
static int accept_from(fsm_run *run, usec_t since, int deemed, enum app_notice notice)
{
	int64_t day = clock_local_day(since);
	int64_t due = app_decision_due(day, db_val(run->row, 0, AC_CATEGORY));
	char since_db[32], day_s[16], due_s[16];
	clock_fmt_db(since, since_db);
	clock_fmt_date(day, day_s);
	clock_fmt_date(due, due_s);
	cJSON_AddStringToObject(run->summary, "decision_due", due_s);
	int rc = db_exec(run->t->c,
	                 "UPDATE applications SET accepted_at = ?, deemed_accepted = ?, decision_due = ? WHERE id = ?",
	                 DBP(DBS(since_db), DBI(deemed), DBS(due_s), DBI(row_id(run))), NULL, NULL);
	if (rc)
		return rc;
	/* 受理通知书: from when the application counts as accepted, and when the decision is due. */
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "accepted_on", day_s);
	cJSON_AddBoolToObject(f, "deemed", deemed);
	cJSON_AddStringToObject(f, "decision_due", due_s);
	if ((rc = notices_issue(run->t->c, NOTICE_ACCEPTANCE, run->row, f, run->summary)))
		return rc;
	return app_notify(run, notice, due_s, NULL);
}

int app_decide_accept(fsm_run *run)
{
	return accept_from(run, clock_now(), 0, APP_NOTICE_ACCEPTED);
}

/* The system's move: no supplement request within the window, so the application counts as
 * accepted from the date it was first submitted (行政许可法 Art. 32); or, once the supplements
 * asked for came in, the registrar neither accepted it within the window after that
 * resubmission (there is no second request: Art. 32 wants every item at once), and it counts as
 * accepted from the resubmission. */
int app_decide_deem(fsm_run *run)
{
	const db_res *r = run->row;
	usec_t since = app_deem_since(r, 0);
	char since_s[32];
	clock_fmt(since, since_s);
	cJSON *s = run->summary;
	cJSON_AddBoolToObject(s, "deemed_accepted", 1);
	cJSON_AddStringToObject(s, "rule", "supplement_window_days");
	cJSON_AddNumberToObject(s, "window_days", (double)rule(RULE_supplement_window_days));
	cJSON_AddStringToObject(s, "accepted_at", since_s);
	cJSON_AddBoolToObject(s, "after_supplement", !db_isnull(r, 0, AC_SUPPLEMENT_REQUESTED));
	return accept_from(run, since, 1, APP_NOTICE_DEEMED);
}

int app_decide_approve(fsm_run *run)
{
	const db_res *r = run->row;
	static const enum registry_kind kinds[] = { REGISTRY_ESTABLISH, REGISTRY_CHANGE, REGISTRY_DEREGISTER };
	registry_decision d = { row_id(run), kinds[app_kind_of(r, 0)], db_val(r, 0, AC_BODY),
		                db_int(r, 0, AC_APPLICANT), db_val(r, 0, AC_ORG_USCC) };
	char uscc[19] = "";
	int rc = registry_approve(run->t, &d, run->summary, uscc);
	if (rc)
		return rc;
	char now[32];
	clock_fmt_db(clock_now(), now);
	cJSON_AddStringToObject(run->summary, "org_uscc", uscc);
	rc = db_exec(run->t->c, "UPDATE applications SET org_uscc = ?, decided_at = ?, decided_by = ? WHERE id = ?",
	             DBP(DBS(uscc), DBS(now), DBI(run->t->user->id), DBI(row_id(run))), NULL, NULL);
	if (rc)
		return rc;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "uscc", uscc);
	if ((rc = notices_issue(run->t->c, NOTICE_APPROVAL, r, f, run->summary)))
		return rc;
	return app_notify(run, APP_NOTICE_APPROVED, uscc, NULL);
}

/* A rejection gives its reason in writing, shown to the applicant (SPEC §4). */
int app_decide_reject(fsm_run *run)
{
	const char *reason = args_of(run)->reason;
	char now[32];
	clock_fmt_db(clock_now(), now);
	cJSON_AddStringToObject(run->summary, "reason", reason ? reason : "");
	int rc = db_exec(run->t->c,
	                 "UPDATE applications SET reject_reason = ?, decided_at = ?, decided_by = ? WHERE id = ?",
	                 DBP(DBS(reason), DBS(now), DBI(run->t->user->id), DBI(row_id(run))), NULL, NULL);
	if (!rc)
		rc = registry_release_claims(run->t->c, row_id(run), NULL);
	if (rc)
		return rc;
	/* 不予登记决定书, with the reason. */
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "reason", reason ? reason : "");
	if ((rc = notices_issue(run->t->c, NOTICE_REJECTION, run->row, f, run->summary)))
		return rc;
	return app_notify(run, APP_NOTICE_REJECTED, reason, NULL);
}
