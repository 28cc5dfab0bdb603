/* committee.c — the evaluation committee (see committee.h): its appointment (the tender
 * workflow's action committee), who is on it, and the members' declarations. */
#include "committee.h"
#include "tender_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUR ROLE_PURCHASER
#define EVAL ROLE_EVALUATOR

/* --- what the member modules share ------------------------------------------------------------ */

int committee_evaluation_done(db_conn *c, long long tender_id)
{
	db_res *r;
	int rc = db_query(c, "SELECT 1 FROM tender_evaluations WHERE tender_id = ?", DBP(DBI(tender_id)), &r);
	if (rc)
		return rc;
	int done = r->nrows == 1;
	db_res_free(r);
	return done;
}

void member_ctx_free(member_ctx *m)
{
	db_res_free(m->tender);
	db_res_free(m->member);
	m->tender = m->member = NULL;
}

int committee_tender_or_refuse(tx *t, long long tender_id, int lock, member_ctx *m)
{
	memset(m, 0, sizeof *m);
	int rc = db_query(t->c, lock ? tender_flow.sql_lock : tender_flow.sql_read, DBP(DBI(tender_id)), &m->tender);
	if (rc)
		return rc;
	if (m->tender->nrows != 1 || !tender_visible(t->user, m->tender, 0))
		return tx_refuse(t, 404, "not_found", "there is no such tender");
	m->state = fsm_effective(&tender_flow, m->tender, 0, clock_now());
	if (!t->user)
		return 0;
	db_res *r;
	rc = db_query(t->c,
	              "SELECT " MEMBER_COLUMNS " FROM committee_members WHERE tender_id = ? AND user_id = ? "
	              "AND removed_at IS NULL",
	              DBP(DBI(tender_id), DBI(t->user->id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return 0;
	}
	m->member = r;
	m->chair = db_int(r, 0, MC_CHAIR) != 0;
	m->declared = !db_isnull(r, 0, MC_DECLARED);
	m->recused = db_int(r, 0, MC_RECUSED) != 0;
	m->submitted = !db_isnull(r, 0, MC_SUBMITTED);
	return 0;
}

int committee_member_or_refuse(tx *t, member_ctx *m, long long tender_id, int need_declared)
{
	if (!m->member)
		return tx_refuse(t, 403, "not_committee_member",
		                 "you are not on the evaluation committee of this tender");
	if (m->state != TS_active_evaluation) {
		const char *name = fsm_state_name(&tender_flow, m->state);
		int rc = tx_refuse(t, 409, "not_in_evaluation", "the tender is not being evaluated; it is %s", name);
		tx_problem_add(t, "current_status", cJSON_CreateString(name));
		return rc;
	}
	int done = committee_evaluation_done(t->c, tender_id);
	if (done < 0)
		return done;
	if (done)
		return tx_refuse(t, 409, "evaluation_complete", "the evaluation of this tender is complete");
	if (!need_declared)
		return 0;
	if (!m->declared)
		return tx_refuse(t, 409, "not_declared", "file your conflict-of-interest declaration first");
	if (m->recused)
		return tx_refuse(t, 403, "recused", "you are recused from this evaluation");
	return 0;
}

/* --- the appointment --------------------------------------------------------------------------- */

/* SPEC §6: at least 5 for open and invited tenders (7 from the large-budget line), 3 otherwise. */
static long long min_size(const db_res *tender)
{
	const char *m = db_val(tender, 0, TC_METHOD);
	if (m && (!strcmp(m, tender_methods[TM_OPEN]) || !strcmp(m, tender_methods[TM_INVITED])))
		return db_int(tender, 0, TC_BUDGET) >= rule(RULE_committee_large_budget_fen)
		               ? rule(RULE_committee_min_large)
		               : rule(RULE_committee_min_open);
	return rule(RULE_committee_min_other);
}

static int has_id(const long long *ids, int n, long long id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* The member rows of the tender (every one ever seated), locked. */
static int rows_of(tx *t, long long tender_id, db_res **r)
{
	return db_query(t->c, "SELECT " MEMBER_COLUMNS " FROM committee_members WHERE tender_id = ? FOR UPDATE",
	                DBP(DBI(tender_id)), r);
}

static int row_of(const db_res *r, long long user)
{
	for (int i = 0; i < r->nrows; i++)
		if (db_int(r, i, MC_USER) == user)
			return i;
	return -1;
}

int committee_effect(fsm_run *run)
{
	tx *t = run->t;
	const cJSON *body = run->arg;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "members");
	long long chair = (long long)cJSON_GetObjectItemCaseSensitive(body, "chair")->valuedouble;
	int n = cJSON_GetArraySize(list);
	long long ids[COMMITTEE_MAX];
	int experts[COMMITTEE_MAX] = { 0 };
	verr v = { 0 };
	db_res *rows = NULL;
	int rc = committee_evaluation_done(t->c, run->id);
	if (rc < 0)
		return rc;
	if (rc)
		return tx_refuse(t, 409, "evaluation_complete",
		                 "the evaluation is complete; its committee stays as it was");
	if ((rc = rows_of(t, run->id, &rows)))
		return rc;
	int nexperts = 0, i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, list) {
		char f[24];
		snprintf(f, sizeof f, "members[%d]", i);
		ids[i] = (long long)it->valuedouble;
		if (has_id(ids, i, ids[i])) {
			verr_add(&v, f, "duplicate", "user %lld is named twice", ids[i]);
			i++;
			continue;
		}
		db_res *u;
		if ((rc = db_query(t->c, "SELECT role, expert, disabled FROM users WHERE id = ?", DBP(DBI(ids[i])),
		                   &u)))
			goto out;
		int evaluator = u->nrows == 1 && !strcmp(db_val(u, 0, 0), "evaluator") && !db_int(u, 0, 2);
		experts[i] = evaluator && db_int(u, 0, 1);
		db_res_free(u);
		if (!evaluator)
			verr_add(&v, f, "not_evaluator", "user %lld is not an active evaluator", ids[i]);
		nexperts += experts[i];
		int k = row_of(rows, ids[i]);
		if (k >= 0 && db_int(rows, k, MC_RECUSED))
			verr_add(&v, f, "recused_member",
			         "user %lld is recused from this evaluation and cannot be kept", ids[i]);
		i++;
	}
	long long min = min_size(run->row);
	if (n % 2 == 0 || n < min)
		verr_add(&v, "members", "committee_size",
		         "the committee must have an odd number of members, at least %lld", min);
	long long num = rule(RULE_committee_expert_share_num), den = rule(RULE_committee_expert_share_den);
	if ((long long)nexperts * den < num * n)
		verr_add(&v, "members", "expert_share",
		         "at least %lld/%lld of the members must be experts (%d of %d are)", num, den, nexperts, n);
	if (!has_id(ids, n, chair))
		verr_add(&v, "chair", "chair_not_member", "the chair must be one of the members");
	if (v.count) {
		const char *code = json_str_member(cJSON_GetArrayItem(v.list, 0), "code");
		char first[40];
		snprintf(first, sizeof first, "%s", code ? code : "validation_failed");
		rc = tx_refuse_fields(t, 422, first, "the committee breaks the rules", &v);
		goto out;
	}
	/* Off the committee: those not named again, unless their sheet is in. */
	char now[32];
	clock_fmt_db(clock_now(), now);
	cJSON *removed = cJSON_AddArrayToObject(run->summary, "removed"),
	      *added = cJSON_AddArrayToObject(run->summary, "added");
	for (int k = 0; k < rows->nrows; k++) {
		long long u = db_int(rows, k, MC_USER);
		if (!db_isnull(rows, k, MC_REMOVED) || has_id(ids, n, u))
			continue;
		if (!db_isnull(rows, k, MC_SUBMITTED)) {
			rc = tx_refuse(t, 409, "member_submitted",
			               "user %lld has submitted a score sheet and stays on the committee", u);
			goto out;
		}
		if ((rc = db_exec(t->c,
		                  "UPDATE committee_members SET removed_at = ?, chair = 0 WHERE tender_id = ? AND "
		                  "user_id = ?",
		                  DBP(DBS(now), DBI(run->id), DBI(u)), NULL, NULL)))
			goto out;
		cJSON_AddItemToArray(removed, cJSON_CreateNumber((double)u));
	}
	for (int k = 0; k < n; k++) {
		int row = row_of(rows, ids[k]);
		if (row >= 0) {
			rc = db_exec(t->c,
			             "UPDATE committee_members SET removed_at = NULL, chair = ? WHERE tender_id = ? "
			             "AND user_id = ?",
			             DBP(DBI(ids[k] == chair), DBI(run->id), DBI(ids[k])), NULL, NULL);
			if (!db_isnull(rows, row, MC_REMOVED))
				cJSON_AddItemToArray(added, cJSON_CreateNumber((double)ids[k]));
		} else {
			rc = db_exec(t->c,
			             "INSERT INTO committee_members (tender_id, user_id, chair, expert, seated_at) "
			             "VALUES (?, ?, ?, ?, ?)",
			             DBP(DBI(run->id), DBI(ids[k]), DBI(ids[k] == chair), DBI(experts[k]), DBS(now)),
			             NULL, NULL);
			cJSON_AddItemToArray(added, cJSON_CreateNumber((double)ids[k]));
		}
		if (rc)
			goto out;
	}
	cJSON *members = cJSON_AddArrayToObject(run->summary, "members");
	for (int k = 0; k < n; k++)
		cJSON_AddItemToArray(members, cJSON_CreateNumber((double)ids[k]));
	cJSON_AddNumberToObject(run->summary, "chair", (double)chair);
	cJSON_AddNumberToObject(run->summary, "experts", nexperts);
out:
	verr_free(&v);
	db_res_free(rows);
	return rc;
}

/* --- the committee as shown --------------------------------------------------------------------- */

static int committee_answer(tx *t, long long tender_id, int status, long long version)
{
	db_res *r;
	int rc = db_query(
	        t->c,
	        "SELECT m.user_id, m.chair, m.expert, m.seated_at, m.declared_at, m.recused, m.recusal_reason, "
	        "m.submitted_at, u.display_name FROM committee_members m JOIN users u ON u.id = m.user_id "
	        "WHERE m.tender_id = ? AND m.removed_at IS NULL ORDER BY m.user_id",
	        DBP(DBI(tender_id)), &r);
	if (rc)
		return rc;
	int done = committee_evaluation_done(t->c, tender_id);
	if (done < 0) {
		db_res_free(r);
		return done;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "tender_id", (double)tender_id);
	cJSON_AddNullToObject(o, "chair");
	cJSON *a = cJSON_AddArrayToObject(o, "members");
	for (int i = 0; i < r->nrows; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "user_id", (double)db_int(r, i, 0));
		cJSON_AddStringToObject(e, "display_name", db_val(r, i, 8));
		cJSON_AddBoolToObject(e, "expert", db_int(r, i, 2) != 0);
		cJSON_AddBoolToObject(e, "chair", db_int(r, i, 1) != 0);
		api_add_time(e, "seated_at", db_val(r, i, 3));
		cJSON_AddBoolToObject(e, "declared", !db_isnull(r, i, 4));
		cJSON_AddBoolToObject(e, "recused", db_int(r, i, 5) != 0);
		json_add_str_or_null(e, "recusal_reason", db_val(r, i, 6));
		cJSON_AddBoolToObject(e, "submitted", !db_isnull(r, i, 7));
		cJSON_AddItemToArray(a, e);
		if (db_int(r, i, 1))
			cJSON_ReplaceItemInObjectCaseSensitive(o, "chair", cJSON_CreateNumber((double)db_int(r, i, 0)));
	}
	cJSON_AddBoolToObject(o, "evaluation_complete", done);
	db_res_free(r);
	tx_answer(t, status, o, version);
	return 0;
}

typedef struct put_call {
	long long id;
	cJSON *body; /* {members, chair}, shaped by the handler */
} put_call;

static int put_tx(tx *t, void *arg)
{
	const put_call *a = arg;
	db_res *after = NULL;
	int rc = fsm_exec(t, &tender_flow, a->id, TA_committee, a->body, &after);
	if (rc)
		return rc;
	long long version = db_int(after, 0, TC_VERSION);
	db_res_free(after);
	return committee_answer(t, a->id, 200, version);
}

static const char *const committee_fields[] = { "members", "chair", NULL };

static void committee_put(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	verr v = { 0 };
	const cJSON *list = NULL;
	long long chair;
	json_only_fields(req->json, committee_fields, &v, NULL);
	if (json_get_array(req->json, "members", &list, &v, "members", JSON_REQUIRED, COMMITTEE_MAX) == 1) {
		int i = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, list) {
			char f[24];
			snprintf(f, sizeof f, "members[%d]", i++);
			if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 9e15 ||
			    it->valuedouble != (double)(long long)it->valuedouble)
				verr_add(&v, f, "type", "%s must be a user id", f);
		}
		if (!i)
			verr_add(&v, "members", "committee_size", "the committee needs members");
	}
	json_get_int(req->json, "chair", &chair, &v, "chair", JSON_REQUIRED, 1, 999999999999999LL);
	if (v.count) {
		const char *code = json_str_member(cJSON_GetArrayItem(v.list, 0), "code");
		char first[40];
		snprintf(first, sizeof first, "%s",
		         code && !strcmp(code, "committee_size") ? code : "validation_failed");
		http_problem_fields(req, 422, first, "the committee is not valid", &v);
		return;
	}
	put_call a = { id, req->json };
	tx_run_or_reply(req, put_tx, &a);
}

static int get_tx(tx *t, void *arg)
{
	long long id = *(const long long *)arg;
	member_ctx m;
	int rc = committee_tender_or_refuse(t, id, 0, &m);
	if (!rc && !m.member && !tender_owned(t->user, m.tender, 0))
		rc = tx_refuse(t, 403, (t->user->role_bit & PUR) ? "not_tender_owner" : "not_committee_member",
		               "only the purchaser of this tender and its committee see the committee");
	if (!rc)
		rc = committee_answer(t, id, 200, 0);
	member_ctx_free(&m);
	return rc;
}

static void committee_get(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, get_tx, &id);
}

/* --- declarations ------------------------------------------------------------------------------- */

typedef struct declare_call {
	long long tender;
	int conflict;
	const char *statement;
} declare_call;

/* The bidders of the tender (any bid, live or withdrawn) the user was affiliated with within the
 * rule's years of today (China's calendar): an affiliation still open, or ended on or after the
 * day that many years ago. */
static int affiliated_bidders(tx *t, long long tender_id, long long user, cJSON *out)
{
	int64_t today = clock_local_day(clock_now());
	int64_t since = clock_add_months(today, -12 * (int)rule(RULE_affiliation_recusal_years));
	char since_s[16], today_s[16];
	clock_fmt_date(since, since_s);
	clock_fmt_date(today, today_s);
	db_res *r;
	int rc = db_query(t->c,
	                  "SELECT DISTINCT a.org_uscc FROM user_affiliations a JOIN bids b ON b.org_uscc = a.org_uscc "
	                  "AND b.tender_id = ? WHERE a.user_id = ? AND a.from_date <= ? "
	                  "AND (a.to_date IS NULL OR a.to_date >= ?) ORDER BY a.org_uscc",
	                  DBP(DBI(tender_id), DBI(user), DBS(today_s), DBS(since_s)), &r);
	if (rc)
		return rc;
	for (int i = 0; i < r->nrows; i++)
		cJSON_AddItemToArray(out, cJSON_CreateString(db_val(r, i, 0)));
	db_res_free(r);
	return 0;
}

static int declare_tx(tx *t, void *arg)
{
	const declare_call *a = arg;
	member_ctx m;
	cJSON *orgs = cJSON_CreateArray();
	char *orgs_text = NULL;
	int rc = committee_tender_or_refuse(t, a->tender, 1, &m);
	if (!rc)
		rc = committee_member_or_refuse(t, &m, a->tender, 0);
	if (rc)
		goto out;
	if (m.declared) {
		rc = tx_refuse(t, 409, "already_declared", "you have filed your declaration for this tender");
		goto out;
	}
	if ((rc = affiliated_bidders(t, a->tender, t->user->id, orgs)))
		goto out;
	int affiliated = cJSON_GetArraySize(orgs) > 0, recused = a->conflict || affiliated;
	const char *reason = a->conflict ? "declared_conflict" : affiliated ? "affiliation" : NULL;
	char now[32];
	clock_fmt_db(clock_now(), now);
	rc = DB_ERROR;
	if (!(orgs_text = json_print(orgs)))
		goto out;
	rc = db_exec(t->c,
	             "UPDATE committee_members SET declared_at = ?, conflict = ?, statement = ?, recused = ?, "
	             "recusal_reason = ?, recusal_orgs = ? WHERE tender_id = ? AND user_id = ?",
	             DBP(DBS(now), DBI(a->conflict), DBS(a->statement), DBI(recused), DBS(reason),
	                 affiliated ? DBS(orgs_text) : DBNULL, DBI(a->tender), DBI(t->user->id)),
	             NULL, NULL);
	if (rc)
		goto out;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "tender_id", (double)a->tender);
	cJSON_AddNumberToObject(o, "user_id", (double)t->user->id);
	cJSON_AddBoolToObject(o, "conflict", a->conflict);
	cJSON_AddBoolToObject(o, "recused", recused);
	json_add_str_or_null(o, "reason", reason);
	cJSON_AddItemToObject(o, "affiliated_bidders", cJSON_Duplicate(orgs, 1));
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", a->tender);
	if ((rc = audit_append(t->c, t->user, "evaluation.declare", "tender", ids, o))) {
		cJSON_Delete(o);
		goto out;
	}
	api_add_time(o, "declared_at", now);
	tx_answer(t, 201, o, 0);
out:
	free(orgs_text);
	cJSON_Delete(orgs);
	member_ctx_free(&m);
	return rc;
}

static const char *const declare_fields[] = { "conflict", "statement", NULL };

static void declarations_post(http_req *req)
{
	declare_call a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0)
		return;
	verr v = { 0 };
	json_only_fields(req->json, declare_fields, &v, NULL);
	json_get_bool(req->json, "conflict", &a.conflict, &v, "conflict", JSON_REQUIRED);
	/* A declared conflict says what it is. */
	if (json_get_str(req->json, "statement", &a.statement, &v, "statement",
	                 a.conflict ? JSON_REQUIRED : JSON_OPTIONAL, 1, COMMITTEE_TEXT_MAX_CHARS) == 1 &&
	    json_blank(a.statement))
		verr_add(&v, "statement", "required", "statement must say something");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the declaration is not valid", &v);
		return;
	}
	tx_run_or_reply(req, declare_tx, &a);
}

const route committee_routes[] = {
	{ "PUT", "/api/v1/tenders/{id}/committee", committee_put, PUR, R_JSON | R_BODY_KIB(8) },
	{ "GET", "/api/v1/tenders/{id}/committee", committee_get, PUR | EVAL, 0 },
	{ "POST", "/api/v1/tenders/{id}/declarations", declarations_post, EVAL,
	  R_JSON | R_IDEMPOTENT | R_BODY_KIB(16) },
	{ NULL, NULL, NULL, 0, 0 },
};
