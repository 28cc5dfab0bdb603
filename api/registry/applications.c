/* applications.c — registration applications (SPEC §4, Appendix A): the state machine, the
 * statutory clocks, create / read / edit, and the actions submit, withdraw, request-supplement,
 * accept, approve and reject. Documents are in documents.c; what approval does to the register
 * is in registry_tx.c. */
#include "applications.h"
#include "org_row.h"
#include "region.h"
#include "registry_rules.h"
#include "registry_tx.h"
#include "uscc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP ROLE_APPLICANT
#define REG ROLE_REGISTRAR

/* --- the state machine -------------------------------------------------------------- */

/* SPEC §4 States. "edit" (PATCH, documents) changes an application without moving it; "deem" is
 * the system's: 行政许可法 Art. 32, no supplement request within the window counts as accepted. */
static const app_transition transitions[] = {
	{ "draft", "edit", "draft", APP },
	{ "draft", "submit", "submitted", APP },
	{ "draft", "withdraw", "withdrawn", APP },
	{ "submitted", "request-supplement", "supplement_requested", REG },
	{ "submitted", "accept", "accepted", REG },
	{ "submitted", "deem", "accepted", APP_SYSTEM },
	{ "submitted", "withdraw", "withdrawn", APP },
	{ "supplement_requested", "edit", "supplement_requested", APP },
	{ "supplement_requested", "submit", "submitted", APP },
	{ "supplement_requested", "withdraw", "withdrawn", APP },
	{ "accepted", "approve", "approved", REG },
	{ "accepted", "reject", "rejected", REG },
};

static const char *const statuses[] = { "draft", "submitted", "supplement_requested", "accepted",
	                                    "approved", "rejected", "withdrawn", NULL };
static const char *const kinds[] = { "establish", "change", "deregister", NULL };

const app_transition *app_transitions(size_t *count)
{
	*count = sizeof transitions / sizeof transitions[0];
	return transitions;
}

const app_transition *app_transition_find(const char *from, const char *action, unsigned role_bit)
{
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
		if (from && action && !strcmp(transitions[i].from, from) && !strcmp(transitions[i].action, action) &&
		    (transitions[i].roles & role_bit))
			return &transitions[i];
	return NULL;
}

int app_allowed_actions(const char *from, unsigned role_bit, const char **out, int max)
{
	int n = 0;
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0] && n < max; i++)
		if (from && !strcmp(transitions[i].from, from) && (transitions[i].roles & role_bit))
			out[n++] = transitions[i].action;
	return n;
}

int app_status_known(const char *status)
{
	for (int i = 0; statuses[i]; i++)
		if (status && !strcmp(statuses[i], status))
			return 1;
	return 0;
}

/* --- the statutory clocks ------------------------------------------------------------ */

int64_t app_supplement_window_end(usec_t first_submitted)
{
	/* 行政许可法 Art. 32: within 5 days of receipt; the day of receipt is not counted. */
	return clock_local_day(first_submitted) + rule(RULE_supplement_window_days);
}

int app_deemed_due(const char *status, usec_t since, int64_t today)
{
	return status && !strcmp(status, "submitted") && since > 0 && today > app_supplement_window_end(since);
}

int64_t app_decision_due(int64_t accepted_day, const char *category)
{
	int charity = category && !strcmp(category, "public_welfare");
	return accepted_day + rule(charity ? RULE_decision_days_charity : RULE_decision_days);
}

/* --- small pieces -------------------------------------------------------------------- */

static usec_t db_time(const db_res *r, int row, int col)
{
	usec_t t = 0;
	const char *s = db_val(r, row, col);
	if (!s || clock_parse(s, &t) < 0)
		return 0;
	return t;
}

/* Where the deeming window of a row runs from (see app_deemed_due). */
static usec_t deem_since(const db_res *r, int row)
{
	return db_time(r, row, db_isnull(r, row, AC_SUPPLEMENT_REQUESTED) ? AC_FIRST_SUBMITTED : AC_SUBMITTED);
}

static const char *str_member(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(m) ? m->valuestring : NULL;
}

static void id_text(const db_res *r, char out[24])
{
	snprintf(out, 24, "%lld", db_int(r, 0, AC_ID));
}

static int app_select(db_conn *c, long long id, int lock, db_res **r)
{
	if (lock)
		return db_query(c, "SELECT " APP_COLUMNS " FROM applications WHERE id = ? FOR UPDATE", DBP(DBI(id)), r);
	return db_query(c, "SELECT " APP_COLUMNS " FROM applications WHERE id = ?", DBP(DBI(id)), r);
}

int app_visible(const auth_user *u, const db_res *r, int row)
{
	if (u->role_bit & ROLE_APPLICANT)
		return db_int(r, row, AC_APPLICANT) == u->id;
	if (u->role_bit & ROLE_REGISTRAR)
		return !db_isnull(r, row, AC_FIRST_SUBMITTED);
	return 0;
}

/* A 409 that names the current status and what the caller may do from it (RFC 9457 extension
 * members current_status and allowed_actions). */
static void app_problem_state(http_req *req, const char *code, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void app_problem_state(http_req *req, const char *code, const char *status, const char *fmt, ...)
{
	char detail[512], type[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	snprintf(type, sizeof type, "/problems/%s", code);
	const char *acts[16];
	int n = app_allowed_actions(status, req->user.role_bit, acts, 16);
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "type", type);
	cJSON_AddStringToObject(p, "title", "Conflict");
	cJSON_AddNumberToObject(p, "status", 409);
	cJSON_AddStringToObject(p, "code", code);
	cJSON_AddStringToObject(p, "detail", detail);
	cJSON_AddStringToObject(p, "current_status", status);
	cJSON *a = cJSON_AddArrayToObject(p, "allowed_actions");
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(acts[i]));
	cJSON_AddStringToObject(p, "request_id", req->request_id);
	char *s = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	if (!s) {
		http_problem(req, 409, code, "%s", detail);
		return;
	}
	http_reply_raw(req, 409, "application/problem+json; charset=utf-8", s, strlen(s), "Cache-Control: no-store\r\n");
	free(s);
}

/* --- the application as JSON --------------------------------------------------------- */

static void add_date(cJSON *o, const char *key, int64_t day, int have)
{
	if (!have) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char d[16];
	clock_fmt_date(day, d);
	cJSON_AddStringToObject(o, key, d);
}

/* What a change application changes, [{field, old, new}]: as recorded when it was approved, or
 * against the organization as it is now while it is pending. Never an ID number. */
static cJSON *change_diff(db_conn *c, const db_res *r, int row, const cJSON *app)
{
	db_res *x = NULL;
	cJSON *diff = NULL;
	if (!strcmp(db_val(r, row, AC_STATUS), "approved")) {
		if (db_query(c, "SELECT changes FROM org_events WHERE application_id = ? AND type = 'change' LIMIT 1",
		             DBP(DBI(db_int(r, row, AC_ID))), &x) == 0 && x->nrows == 1 && db_val(x, 0, 0))
			diff = cJSON_Parse(db_val(x, 0, 0));
	} else if (db_val(r, row, AC_ORG_USCC) && registry_org(c, db_val(r, row, AC_ORG_USCC), 0, &x) == 0 && x) {
		diff = registry_change_diff(x, cJSON_GetObjectItemCaseSensitive(app, "changes"));
	}
	db_res_free(x);
	if (!cJSON_IsArray(diff)) {
		cJSON_Delete(diff);
		return cJSON_CreateArray();
	}
	/* An ID number is a registrar's to check in the application, not part of a difference. */
	for (int i = cJSON_GetArraySize(diff) - 1; i >= 0; i--) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(diff, i), "field");
		if (cJSON_IsString(f) && strstr(f->valuestring, "id_number"))
			cJSON_DeleteItemFromArray(diff, i);
	}
	return diff;
}

/* Everything submitted plus the workflow fields. The status is the effective one: a submitted
 * application whose supplement window has passed shows as (deemed) accepted even before the
 * sweep makes it so, with the same dates the sweep will record. */
static cJSON *app_json(db_conn *c, const db_res *r, int row, const auth_user *viewer, int with_documents)
{
	cJSON *o = cJSON_Parse(db_val(r, row, AC_BODY) ? db_val(r, row, AC_BODY) : "{}");
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	static const char *const own[] = { "id", "kind", "status", "version", "applicant_id", "org_uscc" };
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(o, own[i]);

	int64_t today = clock_local_day(clock_now());
	const char *status = db_val(r, row, AC_STATUS);
	const char *category = db_val(r, row, AC_CATEGORY);
	usec_t first = db_time(r, row, AC_FIRST_SUBMITTED);
	int supplement = !db_isnull(r, row, AC_SUPPLEMENT_REQUESTED);
	int deemed = db_int(r, row, AC_DEEMED) != 0;
	const char *accepted_at = db_val(r, row, AC_ACCEPTED);
	int64_t due = 0;
	int have_due = db_val(r, row, AC_DECISION_DUE) && clock_parse_date(db_val(r, row, AC_DECISION_DUE), &due) == 0;
	usec_t since = deem_since(r, row);
	if (app_deemed_due(status, since, today)) {
		status = "accepted";
		deemed = 1;
		accepted_at = db_val(r, row, supplement ? AC_SUBMITTED : AC_FIRST_SUBMITTED);
		due = app_decision_due(clock_local_day(since), category);
		have_due = 1;
	}

	cJSON_AddNumberToObject(o, "id", (double)db_int(r, row, AC_ID));
	cJSON_AddStringToObject(o, "kind", db_val(r, row, AC_KIND));
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddNumberToObject(o, "version", (double)db_int(r, row, AC_VERSION));
	cJSON_AddNumberToObject(o, "applicant_id", (double)db_int(r, row, AC_APPLICANT));
	json_add_str_or_null(o, "org_uscc", db_val(r, row, AC_ORG_USCC));
	/* What change and deregistration applications concern, for the queue. */
	static const struct { const char *key; int col; } denorm[] = {
		{ "name", AC_NAME }, { "legal_form", AC_LEGAL_FORM }, { "category", AC_CATEGORY }, { "region_code", AC_REGION },
	};
	for (size_t i = 0; i < sizeof denorm / sizeof denorm[0]; i++)
		if (!cJSON_GetObjectItemCaseSensitive(o, denorm[i].key) && db_val(r, row, denorm[i].col))
			cJSON_AddStringToObject(o, denorm[i].key, db_val(r, row, denorm[i].col));
	api_add_time(o, "created_at", db_val(r, row, AC_CREATED));
	api_add_time(o, "updated_at", db_val(r, row, AC_UPDATED));
	api_add_time(o, "submitted_at", db_val(r, row, AC_SUBMITTED));
	api_add_time(o, "first_submitted_at", db_val(r, row, AC_FIRST_SUBMITTED));
	add_date(o, "supplement_window_ends", first ? app_supplement_window_end(first) : 0, first != 0);
	api_add_time(o, "supplement_requested_at", db_val(r, row, AC_SUPPLEMENT_REQUESTED));
	cJSON *items = db_val(r, row, AC_SUPPLEMENT_ITEMS) ? cJSON_Parse(db_val(r, row, AC_SUPPLEMENT_ITEMS)) : NULL;
	cJSON_AddItemToObject(o, "supplement_items", items ? items : cJSON_CreateNull());
	api_add_time(o, "accepted_at", accepted_at);
	cJSON_AddBoolToObject(o, "deemed_accepted", deemed);
	add_date(o, "decision_due", due, have_due);
	cJSON_AddBoolToObject(o, "overdue", !strcmp(status, "accepted") && have_due && today > due);
	api_add_time(o, "decided_at", db_val(r, row, AC_DECIDED));
	json_add_str_or_null(o, "reject_reason", db_val(r, row, AC_REJECT_REASON));

	/* What this viewer may do next (the same table that refuses the rest). */
	const char *acts[16];
	int n = app_allowed_actions(status, viewer->role_bit, acts, 16);
	cJSON *allowed = cJSON_AddArrayToObject(o, "allowed_actions");
	for (int i = 0; i < n; i++) {
		if (!strcmp(acts[i], "request-supplement") && (supplement || today > app_supplement_window_end(first)))
			continue;
		cJSON_AddItemToArray(allowed, cJSON_CreateString(acts[i]));
	}
	const region *reg = db_val(r, row, AC_REGION) ? region_find(db_val(r, row, AC_REGION)) : NULL;
	json_add_str_or_null(o, "region_name", reg ? region_name(reg) : NULL);
	if (with_documents) {
		cJSON_AddItemToObject(o, "documents", documents_json(c, db_int(r, row, AC_ID)));
		if (!strcmp(db_val(r, row, AC_KIND), "change"))
			cJSON_AddItemToObject(o, "change_diff", change_diff(c, r, row, o));
	}
	return o;
}

/* Answers with the application as it now is (after a commit). */
static void app_reply(http_req *req, long long id, int status)
{
	db_conn *c = api_db(req);
	if (!c)
		return;
	db_res *r;
	int rc = app_select(c, id, 0, &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	if (r->nrows != 1 || !app_visible(&req->user, r, 0)) {
		db_res_free(r);
		http_problem(req, 404, "not_found", "there is no such application");
		return;
	}
	long long version = db_int(r, 0, AC_VERSION);
	cJSON *o = app_json(c, r, 0, &req->user, 1);
	db_res_free(r);
	http_reply_data(req, status, o, version);
}

/* --- the transaction frame every change goes through ---------------------------------- */

/* The system's move: no supplement request within the window, so the application counts as
 * accepted from the date it was first submitted (行政许可法 Art. 32); or, once the supplements
 * asked for came in, the registrar neither accepted it within the window after that resubmission
 * (there is no second request: Art. 32 wants every item at once), and it counts as accepted from
 * the resubmission. r is the locked row. */
static int app_deem(db_conn *c, const db_res *r)
{
	const app_transition *t = app_transition_find("submitted", "deem", APP_SYSTEM);
	usec_t since = deem_since(r, 0);
	int64_t due = app_decision_due(clock_local_day(since), db_val(r, 0, AC_CATEGORY));
	char due_s[16], now[32], ids[24], since_s[32], since_db[32];
	clock_fmt_date(due, due_s);
	clock_fmt_db(clock_now(), now);
	clock_fmt(since, since_s);
	clock_fmt_db(since, since_db);
	id_text(r, ids);
	int rc = db_exec(c,
	                 "UPDATE applications SET status = ?, accepted_at = ?, deemed_accepted = 1, "
	                 "decision_due = ?, version = version + 1, updated_at = ? WHERE id = ? AND status = ?",
	                 DBP(DBS(t->to), DBS(since_db), DBS(due_s), DBS(now), DBI(db_int(r, 0, AC_ID)), DBS(t->from)),
	                 NULL, NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "from", t->from);
	cJSON_AddStringToObject(s, "to", t->to);
	cJSON_AddBoolToObject(s, "deemed_accepted", 1);
	cJSON_AddStringToObject(s, "rule", "supplement_window_days");
	cJSON_AddNumberToObject(s, "window_days", (double)rule(RULE_supplement_window_days));
	cJSON_AddStringToObject(s, "accepted_at", since_s);
	cJSON_AddBoolToObject(s, "after_supplement", !db_isnull(r, 0, AC_SUPPLEMENT_REQUESTED));
	cJSON_AddStringToObject(s, "decision_due", due_s);
	cJSON_AddNumberToObject(s, "version", (double)(db_int(r, 0, AC_VERSION) + 1));
	rc = audit_append(c, NULL, "application.deem", "application", ids, s);
	cJSON_Delete(s);
	return rc;
}

int app_begin(db_conn *c, http_req *req, long long id, const char *action, db_res **row, const app_transition **t)
{
	*row = NULL;
	*t = NULL;
	db_res *r;
	int rc = app_select(c, id, 1, &r);
	if (rc)
		return rc;
	if (r->nrows != 1 || !app_visible(&req->user, r, 0)) {
		db_res_free(r);
		/* Another applicant's application is not found, not forbidden: existence is not leaked. */
		http_problem(req, 404, "not_found", "there is no such application");
		return DB_APP;
	}
	if (http_if_match(req, db_int(r, 0, AC_VERSION)) < 0) {
		db_res_free(r);
		return DB_APP;
	}
	int64_t today = clock_local_day(clock_now());
	usec_t first = db_time(r, 0, AC_FIRST_SUBMITTED);
	int supplement = !db_isnull(r, 0, AC_SUPPLEMENT_REQUESTED);
	if (!strcmp(action, "request-supplement") && !strcmp(db_val(r, 0, AC_STATUS), "submitted") &&
	    (req->user.role_bit & ROLE_REGISTRAR)) {
		/* 行政许可法 Art. 32: every missing item at once, within the window, once. */
		char end[16];
		clock_fmt_date(app_supplement_window_end(first), end);
		if (supplement) {
			app_problem_state(req, "supplement_already_requested", "submitted",
			                  "supplements were already requested for this application; each application gets "
			                  "one request listing every item");
			db_res_free(r);
			return DB_APP;
		}
		if (today > app_supplement_window_end(first)) {
			app_problem_state(req, "supplement_window_closed", "accepted",
			                  "supplements may be requested only within %lld days of the first submission "
			                  "(until %s); the application counts as accepted from its submission date",
			                  rule(RULE_supplement_window_days), end);
			db_res_free(r);
			return DB_APP;
		}
	}
	if (app_deemed_due(db_val(r, 0, AC_STATUS), deem_since(r, 0), today)) {
		rc = app_deem(c, r);
		db_res_free(r);
		if (rc)
			return rc;
		if ((rc = app_select(c, id, 1, &r)))
			return rc;
		if (r->nrows != 1) {
			db_res_free(r);
			return DB_ERROR;
		}
	}
	const char *status = db_val(r, 0, AC_STATUS);
	*t = app_transition_find(status, action, req->user.role_bit);
	if (!*t) {
		if (!strcmp(action, "edit"))
			app_problem_state(req, "not_editable", status,
			                  "an application can be edited only as a draft or when supplements were requested; "
			                  "this one is %s", status);
		else
			app_problem_state(req, "invalid_transition", status, "%s is not possible: the application is %s",
			                  action, status);
		db_res_free(r);
		return DB_APP;
	}
	*row = r;
	return 0;
}

int app_finish(db_conn *c, http_req *req, const db_res *row, const app_transition *t, const char *audit_action,
               const cJSON *summary)
{
	char now[32], ids[24], action[64];
	clock_fmt_db(clock_now(), now);
	id_text(row, ids);
	int rc = db_exec(c, "UPDATE applications SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
	                 DBP(DBS(t->to), DBS(now), DBI(db_int(row, 0, AC_ID))), NULL, NULL);
	if (rc)
		return rc;
	cJSON *s = summary ? cJSON_Duplicate(summary, 1) : cJSON_CreateObject();
	if (!s)
		return DB_ERROR;
	if (strcmp(t->from, t->to)) {
		cJSON_AddStringToObject(s, "from", t->from);
		cJSON_AddStringToObject(s, "to", t->to);
	}
	cJSON_AddNumberToObject(s, "version", (double)(db_int(row, 0, AC_VERSION) + 1));
	snprintf(action, sizeof action, "%s%s", audit_action ? "" : "application.", audit_action ? audit_action : t->action);
	rc = audit_append(c, &req->user, action, "application", ids, s);
	cJSON_Delete(s);
	return rc;
}

/* --- validation shared by create, edit and submit -------------------------------------- */

static const char *const establish_keys[] = { "kind", "legal_form", "category", "scope", "fundraising", "name",
	                                          "region_code", "domicile", "business_scope", "activity_area",
	                                          "funds_fen", "legal_representative", "members", "directors",
	                                          "contact", NULL };
static const char *const change_keys[] = { "kind", "org_uscc", "changes", NULL };
static const char *const deregister_keys[] = { "kind", "org_uscc", "reason", NULL };

enum {
	REASON_MAX_CHARS = 2000,
	ITEM_FIELD_MAX_CHARS = 100,
	ITEM_MESSAGE_MAX_CHARS = 1000,
	ITEMS_MAX = 100,
	NAME_CLAIM_MAX_CHARS = 200,  /* name_claims.name */
};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (s && !strcmp(*list, s))
			return 1;
	return 0;
}

/* Only the fields of the kind, each of the right shape; nothing about the database. */
static void app_check_shape(const cJSON *body, const char *kind, verr *v)
{
	const char *const *keys = !strcmp(kind, "establish") ? establish_keys
	                          : !strcmp(kind, "change")  ? change_keys
	                                                     : deregister_keys;
	const cJSON *it;
	cJSON_ArrayForEach(it, body)
	{
		if (in_list(keys, it->string))
			continue;
		const char *k = it->string ? it->string : "";
		size_t n = strlen(k);
		int plain = n > 0 && n <= 40 && strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
		verr_add(v, plain ? k : "body", "unknown_field", "%s is not a field of a %s application", plain ? k : "a key",
		         kind);
	}
	if (!strcmp(kind, "establish")) {
		registry_check_establish(body, 0, v);
		return;
	}
	const char *uscc = NULL;
	if (json_get_str(body, "org_uscc", &uscc, v, "org_uscc", JSON_REQUIRED, 1, 18) == 1 &&
	    uscc_check(uscc, NULL, NULL) < 0)
		verr_add(v, "org_uscc", "invalid_uscc", "org_uscc must be a valid 18-character unified social credit code");
	if (!strcmp(kind, "change")) {
		const cJSON *ch = NULL;
		json_get_object(body, "changes", &ch, v, "changes", JSON_OPTIONAL);
	} else {
		const char *reason = NULL;
		json_get_str(body, "reason", &reason, v, "reason", JSON_OPTIONAL, 0, REASON_MAX_CHARS);
	}
}

/* The organization of a change or deregistration: it must exist, be the applicant's and be
 * registered. Answers (403, 409) or records a field error (unknown). *org on success. */
static int app_org_owned(db_conn *c, http_req *req, const char *uscc, int lock, verr *v, db_res **org)
{
	*org = NULL;
	db_res *o;
	int rc = registry_org(c, uscc, lock, &o);
	if (rc)
		return rc;
	if (!o) {
		verr_add(v, "org_uscc", "unknown_org", "there is no registered organization %s", uscc);
		return 0;
	}
	if (db_isnull(o, 0, OC_OWNER) || db_int(o, 0, OC_OWNER) != req->user.id) {
		db_res_free(o);
		http_problem(req, 403, "not_org_owner", "only the account that acts for %s may apply for it", uscc);
		return DB_APP;
	}
	if (strcmp(db_val(o, 0, OC_STATUS), "registered")) {
		http_problem(req, 409, "org_not_registered", "%s is %s; only registered organizations can change or deregister",
		             uscc, db_val(o, 0, OC_STATUS));
		db_res_free(o);
		return DB_APP;
	}
	*org = o;
	return 0;
}

/* The columns the queue reads without parsing bodies. */
typedef struct app_cols {
	const char *legal_form, *category, *name, *region_code, *org_uscc;
} app_cols;

static app_cols app_columns(const char *kind, const cJSON *body, const db_res *org)
{
	app_cols k = { 0 };
	if (!strcmp(kind, "establish")) {
		k.legal_form = str_member(body, "legal_form");
		k.category = str_member(body, "category");
		k.name = str_member(body, "name");
		k.region_code = str_member(body, "region_code");
		return k;
	}
	k.org_uscc = str_member(body, "org_uscc");
	if (org) {
		k.legal_form = db_val(org, 0, OC_LEGAL_FORM);
		k.category = db_val(org, 0, OC_CATEGORY);
		k.name = db_val(org, 0, OC_NAME);
		k.region_code = db_val(org, 0, OC_REGION);
	}
	const char *renamed = str_member(cJSON_GetObjectItemCaseSensitive(body, "changes"), "name");
	if (renamed && *renamed)
		k.name = renamed;
	return k;
}

/* Everything a saved draft must satisfy, with the database: the organization of a change or
 * deregistration, and the changes against it. Answers on refusal (DB_APP). */
static int app_check_draft(db_conn *c, http_req *req, const char *kind, const cJSON *body, db_res **org)
{
	verr v = { 0 };
	*org = NULL;
	app_check_shape(body, kind, &v);
	int rc = 0;
	const char *uscc = str_member(body, "org_uscc");
	if (strcmp(kind, "establish") && !v.count && uscc) {
		rc = app_org_owned(c, req, uscc, 0, &v, org);
		if (rc) {
			verr_free(&v);
			return rc;
		}
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(body, "changes");
		if (*org && ch)
			registry_check_change(ch, db_val(*org, 0, OC_LEGAL_FORM), db_val(*org, 0, OC_REGION),
			                      db_val(*org, 0, OC_SCOPE_KIND), db_val(*org, 0, OC_FUNDRAISING), &v);
	}
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the application is not valid", &v);
		db_res_free(*org);
		*org = NULL;
		return DB_APP;
	}
	return 0;
}

/* --- create -------------------------------------------------------------------------- */

typedef struct create_tx {
	http_req *req;
	const char *kind;
	char *body_text;
	long long id;
} create_tx;

static int check_one_pending(db_conn *c, http_req *req, const char *uscc, long long id);

static int create_run(db_conn *c, void *arg)
{
	create_tx *t = arg;
	http_req *req = t->req;
	db_res *org = NULL;
	int rc = app_check_draft(c, req, t->kind, req->json, &org);
	if (rc)
		return rc;
	/* One change or deregistration at a time: a draft that could never be submitted is refused
	 * now rather than at submission. */
	if (org && (rc = check_one_pending(c, req, db_val(org, 0, OC_USCC), 0))) {
		db_res_free(org);
		return rc;
	}
	app_cols k = app_columns(t->kind, req->json, org);
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long id = 0;
	rc = db_exec(c,
	             "INSERT INTO applications (kind, status, applicant_id, org_uscc, legal_form, category, name, region_code, "
	             "body, version, created_at, updated_at) VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
	             DBP(DBS(t->kind), DBI(req->user.id), DBS(k.org_uscc), DBS(k.legal_form), DBS(k.category),
	                 DBS(k.name), DBS(k.region_code), DBS(t->body_text), DBS(now), DBS(now)),
	             NULL, &id);
	if (!rc) {
		t->id = (long long)id;
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "kind", t->kind);
		cJSON_AddStringToObject(s, "status", "draft");
		if (k.org_uscc)
			cJSON_AddStringToObject(s, "org_uscc", k.org_uscc);
		if (k.name)
			cJSON_AddStringToObject(s, "name", k.name);
		char ids[24];
		snprintf(ids, sizeof ids, "%lld", t->id);
		rc = audit_append(c, &req->user, "application.create", "application", ids, s);
		cJSON_Delete(s);
	}
	db_res_free(org);
	return rc;
}

static void applications_create(http_req *req)
{
	verr v = { 0 };
	const char *kind = NULL;
	if (json_get_enum(req->json, "kind", &kind, kinds, &v, "kind", JSON_REQUIRED) != 1) {
		http_problem_fields(req, 422, "validation_failed", "kind must be establish, change or deregister", &v);
		return;
	}
	create_tx t = { req, kind, json_print(req->json), 0 };
	if (!t.body_text) {
		http_problem(req, 503, "overloaded", "not enough memory now; retry");
		return;
	}
	int rc = db_tx(create_run, &t);
	free(t.body_text);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	app_reply(req, t.id, 201);
}

/* --- read ---------------------------------------------------------------------------- */

static void applications_get(http_req *req)
{
	long long id;
	if (api_id_param(req, "id", &id) < 0)
		return;
	app_reply(req, id, 200);
}

/* ?status=submitted,accepted — every item a known status; normalized into out. */
static int parse_status_filter(const char *in, char *out, size_t outlen)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", in);
	*out = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		size_t n = strlen(tok);
		while (n && tok[n - 1] == ' ')
			tok[--n] = 0;
		if (!app_status_known(tok))
			return -1;
		if (strlen(out) + n + 2 > outlen)
			return -1;
		if (*out)
			strcat(out, ",");
		strcat(out, tok);
	}
	return *out ? 0 : -1;
}

/* "2026-03-01|17" → mode 1 (after that due date and id); "|17" → mode 2 (among those with no
 * due date, after id 17). */
static int parse_cursor(char *cursor, int *mode, char due[16], long long *after)
{
	char *bar = strchr(cursor, '|');
	if (!bar)
		return -1;
	*bar = 0;
	const char *id = bar + 1;
	size_t n = strlen(id);
	if (n == 0 || n > 18 || strspn(id, "0123456789") != n)
		return -1;
	*after = strtoll(id, NULL, 10);
	if (!*cursor) {
		*mode = 2;
		return 0;
	}
	int64_t day;
	if (strlen(cursor) != 10 || clock_parse_date(cursor, &day) < 0)
		return -1;
	*mode = 1;
	memcpy(due, cursor, 11);
	return 0;
}

/* The queue: applicants see their own, registrars everything filed with them; sorted by the
 * decision's due date (none last), then id, with a keyset cursor on (decision_due, id). */
static void applications_list(http_req *req)
{
	int limit;
	char cursor[96], status_q[256] = "", status[256] = "", kind[32] = "";
	if (http_page(req, &limit, cursor, sizeof cursor) < 0)
		return;
	int sq = http_query(req, "status", status_q, sizeof status_q);
	if (sq < 0 || (sq == 1 && *status_q && parse_status_filter(status_q, status, sizeof status) < 0)) {
		http_problem(req, 400, "invalid_status_filter",
		             "status must be a comma-separated list of draft, submitted, supplement_requested, accepted, "
		             "approved, rejected, withdrawn");
		return;
	}
	int kq = http_query(req, "kind", kind, sizeof kind);
	if (kq < 0 || (kq == 1 && *kind && !in_list(kinds, kind))) {
		http_problem(req, 400, "invalid_kind", "kind must be establish, change or deregister");
		return;
	}
	char org[32] = "";
	int oq = http_query(req, "org_uscc", org, sizeof org);
	if (oq == 1 && *org) {
		if (strlen(org) != USCC_LEN || strspn(org, "0123456789ABCDEFGHJKLMNPQRTUWXYabcdefghjklmnpqrtuwxy") != USCC_LEN) {
			http_problem(req, 400, "invalid_org_uscc", "org_uscc must be an 18-character code");
			return;
		}
		for (char *p = org; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
	} else if (oq < 0) {
		http_problem(req, 400, "invalid_org_uscc", "org_uscc must be an 18-character code");
		return;
	}
	/* Cursor "due|id": due is YYYY-MM-DD, or empty for none (those sort last). */
	int mode = 0;
	char due[16] = "";
	long long after = 0;
	if (*cursor && parse_cursor(cursor, &mode, due, &after) < 0) {
		http_problem(req, 400, "invalid_cursor", "the cursor is not one this server gave out");
		return;
	}
	db_conn *c = api_db(req);
	if (!c)
		return;
	/* Deemed acceptances are made real first, so the filter and the order see them. */
	long long deemed = 0;
	int rc = applications_sweep_deemed(c, &deemed);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	int applicant = (req->user.role_bit & ROLE_APPLICANT) != 0;
	db_res *r;
	rc = db_query(c,
	              "SELECT " APP_COLUMNS " FROM applications "
	              "WHERE (? = 0 OR applicant_id = ?) AND (? = 1 OR first_submitted_at IS NOT NULL) "
	              "AND (? = '' OR FIND_IN_SET(status, ?) > 0) AND (? = '' OR kind = ?) AND (? = '' OR org_uscc = ?) "
	              "AND (? = 0 OR (? = 1 AND (decision_due IS NULL OR decision_due > ? OR (decision_due = ? AND id > ?))) "
	              "OR (? = 2 AND decision_due IS NULL AND id > ?)) "
	              "ORDER BY decision_due IS NULL, decision_due, id LIMIT ?",
	              DBP(DBI(applicant), DBI(req->user.id), DBI(applicant), DBS(status), DBS(status), DBS(kind), DBS(kind),
	                  DBS(org), DBS(org), DBI(mode), DBI(mode), DBS(mode == 1 ? due : NULL), DBS(mode == 1 ? due : NULL), DBI(after),
	                  DBI(mode), DBI(after), DBI(limit + 1)),
	              &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	cJSON *items = cJSON_CreateArray();
	int n = r->nrows > limit ? limit : r->nrows;
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(items, app_json(c, r, i, &req->user, 0));
	char next[160] = "";
	if (r->nrows > limit) {
		char key[64];
		snprintf(key, sizeof key, "%s|%lld", db_val(r, limit - 1, AC_DECISION_DUE) ? db_val(r, limit - 1, AC_DECISION_DUE) : "",
		         db_int(r, limit - 1, AC_ID));
		http_cursor_encode(key, next, sizeof next);
	}
	db_res_free(r);
	http_reply_list(req, items, *next ? next : NULL);
}

/* --- edit ---------------------------------------------------------------------------- */

/* RFC 7386 JSON merge patch: objects merge member by member, null removes, anything else
 * replaces. Takes target over; returns the result. */
static cJSON *merge_patch(cJSON *target, const cJSON *patch)
{
	if (!cJSON_IsObject(patch)) {
		cJSON_Delete(target);
		return cJSON_Duplicate(patch, 1);
	}
	if (!cJSON_IsObject(target)) {
		cJSON_Delete(target);
		target = cJSON_CreateObject();
		if (!target)
			return NULL;
	}
	const cJSON *p;
	cJSON_ArrayForEach(p, patch)
	{
		if (!p->string)
			continue;
		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
			continue;
		}
		cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(target, p->string);
		cJSON *nv = merge_patch(old, p);
		if (nv)
			cJSON_AddItemToObject(target, p->string, nv);
	}
	return target;
}

typedef struct patch_tx {
	http_req *req;
	long long id;
} patch_tx;

static int patch_run(db_conn *c, void *arg)
{
	patch_tx *p = arg;
	http_req *req = p->req;
	db_res *r = NULL, *org = NULL;
	const app_transition *t;
	cJSON *body = NULL, *summary = NULL;
	char *text = NULL;
	int rc = app_begin(c, req, p->id, "edit", &r, &t);
	if (rc)
		return rc;
	const char *kind = db_val(r, 0, AC_KIND);
	/* What an application is, and for which organization, is fixed at its creation. */
	static const char *const fixed[] = { "kind", "org_uscc", NULL };
	verr v = { 0 };
	for (int i = 0; fixed[i]; i++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(req->json, fixed[i]);
		const char *now_is = !strcmp(fixed[i], "kind") ? kind : db_val(r, 0, AC_ORG_USCC);
		if (m && !(cJSON_IsString(m) && now_is && !strcmp(m->valuestring, now_is)))
			verr_add(&v, fixed[i], "not_editable", "%s cannot change; create a new application instead", fixed[i]);
	}
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the change is not valid", &v);
		rc = DB_APP;
		goto out;
	}
	body = merge_patch(cJSON_Parse(db_val(r, 0, AC_BODY)), req->json);
	if (!body) {
		rc = DB_ERROR;
		goto out;
	}
	if ((rc = app_check_draft(c, req, kind, body, &org)))
		goto out;
	if (!(text = json_print(body))) {
		rc = DB_ERROR;
		goto out;
	}
	app_cols k = app_columns(kind, body, org);
	rc = db_exec(c, "UPDATE applications SET body = ?, legal_form = ?, category = ?, name = ?, region_code = ? WHERE id = ?",
	             DBP(DBS(text), DBS(k.legal_form), DBS(k.category), DBS(k.name), DBS(k.region_code), DBI(p->id)), NULL,
	             NULL);
	if (rc)
		goto out;
	summary = cJSON_CreateObject();
	cJSON *fields = cJSON_AddArrayToObject(summary, "fields");
	const cJSON *it;
	cJSON_ArrayForEach(it, req->json)
		cJSON_AddItemToArray(fields, cJSON_CreateString(it->string));
	rc = app_finish(c, req, r, t, NULL, summary);
out:
	cJSON_Delete(summary);
	cJSON_Delete(body);
	free(text);
	db_res_free(org);
	db_res_free(r);
	return rc;
}

static void applications_patch(http_req *req)
{
	patch_tx p = { req, 0 };
	if (api_id_param(req, "id", &p.id) < 0)
		return;
	int rc = db_tx(patch_run, &p);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	app_reply(req, p.id, 200);
}

/* --- actions --------------------------------------------------------------------------- */

typedef struct app_act app_act;
typedef int (*app_act_fn)(db_conn *c, app_act *a, const db_res *row, cJSON *summary);

struct app_act {
	http_req *req;
	long long id;
	const char *action;
	app_act_fn fn;
	const cJSON *items;   /* request-supplement */
	const char *reason;   /* reject */
};

static int act_run(db_conn *c, void *arg)
{
	app_act *a = arg;
	db_res *r;
	const app_transition *t;
	int rc = app_begin(c, a->req, a->id, a->action, &r, &t);
	if (rc)
		return rc;
	cJSON *summary = cJSON_CreateObject();
	rc = a->fn ? a->fn(c, a, r, summary) : 0;
	if (!rc)
		rc = app_finish(c, a->req, r, t, NULL, summary);
	cJSON_Delete(summary);
	db_res_free(r);
	return rc;
}

static void act_handle(http_req *req, const char *action, app_act_fn fn, const cJSON *items, const char *reason)
{
	app_act a = { req, 0, action, fn, items, reason };
	if (api_id_param(req, "id", &a.id) < 0)
		return;
	int rc = db_tx(act_run, &a);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	app_reply(req, a.id, 200);
}

/* Birth dates in ID numbers must lie in the past (registry_rules.c has no clock). */
static void check_birth_date(const cJSON *person, const char *field, int64_t today, verr *v)
{
	const char *id = str_member(person, "id_number");
	if (!id || !registry_id_number_valid(id))
		return;
	char date[11];
	snprintf(date, sizeof date, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
	int64_t day;
	if (clock_parse_date(date, &day) < 0)
		return;
	if (day > today) {
		verr_add(v, field, "birth_date_in_future", "%s has a birth date (%s) in the future", field, date);
		return;
	}
	/* 民法典 Art. 17-18: only an adult (18) has full civil capacity, which a legal representative
	 * (社会团体登记管理条例 Art. 13) and a director take on. */
	char adult_on[32];
	snprintf(adult_on, sizeof adult_on, "%04d-%.2s-%.2s", (atoi(date) + 18) % 10000, id + 10, id + 12);
	int64_t adult_day;
	int bad = clock_parse_date(adult_on, &adult_day);
	if (bad && !strcmp(adult_on + 5, "02-29")) {
		memcpy(adult_on + 5, "03-01", 5);  /* born on 29 February: of age on 1 March of a common year */
		bad = clock_parse_date(adult_on, &adult_day);
	}
	if (!bad && adult_day > today)
		verr_add(v, field, "not_adult", "%s belongs to someone under 18 (born %s)", field, date);
}

static void check_birth_dates(const cJSON *body, int64_t today, verr *v)
{
	check_birth_date(cJSON_GetObjectItemCaseSensitive(body, "legal_representative"), "legal_representative.id_number",
	                 today, v);
	const cJSON *d;
	int i = 0;
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(body, "directors"))
	{
		char f[48];
		snprintf(f, sizeof f, "directors[%d].id_number", i++);
		check_birth_date(d, f, today, v);
	}
}

/* Every required document kind present (SPEC §4). */
static int check_documents(db_conn *c, long long id, verr *v)
{
	db_res *r;
	int rc = db_query(c, "SELECT DISTINCT kind FROM application_documents WHERE application_id = ?", DBP(DBI(id)), &r);
	if (rc)
		return rc;
	for (int k = 0; k < APP_REQUIRED_DOCUMENTS; k++) {
		int have = 0;
		for (int i = 0; i < r->nrows; i++)
			have |= !strcmp(db_val(r, i, 0), app_document_kinds[k]);
		if (!have) {
			char f[64];
			snprintf(f, sizeof f, "documents.%s", app_document_kinds[k]);
			verr_add(v, f, "required", "upload the %s document (PDF, JPEG or PNG) before submitting",
			         app_document_kinds[k]);
		}
	}
	db_res_free(r);
	return 0;
}

/* One live change or deregistration per organization: two approved at once could contradict. */
static int check_one_pending(db_conn *c, http_req *req, const char *uscc, long long id)
{
	db_res *r;
	int rc = db_query(c,
	                  "SELECT id FROM applications WHERE org_uscc = ? AND id <> ? AND kind IN ('change', 'deregister') "
	                  "AND status IN ('submitted', 'supplement_requested', 'accepted') LIMIT 1",
	                  DBP(DBS(uscc), DBI(id)), &r);
	if (rc)
		return rc;
	long long other = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	if (other) {
		http_problem(req, 409, "application_pending",
		             "application %lld for %s is still being decided; wait for it or withdraw it", other, uscc);
		return DB_APP;
	}
	return 0;
}

static int act_submit(db_conn *c, app_act *a, const db_res *r, cJSON *summary)
{
	http_req *req = a->req;
	long long id = db_int(r, 0, AC_ID);
	const char *kind = db_val(r, 0, AC_KIND);
	int64_t today = clock_local_day(clock_now());
	cJSON *body = cJSON_Parse(db_val(r, 0, AC_BODY));
	db_res *org = NULL;
	verr v = { 0 };
	const char *claim = NULL, *claim_field = "name", *own_uscc = NULL;
	int rc = 0;
	if (!body)
		return DB_ERROR;

	if (!strcmp(kind, "establish")) {
		registry_check_establish(body, 1, &v);
		check_birth_dates(body, today, &v);
		if ((rc = check_documents(c, id, &v)))
			goto out;
		claim = str_member(body, "name");
	} else {
		const char *uscc = db_val(r, 0, AC_ORG_USCC);
		if ((rc = app_org_owned(c, req, uscc, 1, &v, &org)))
			goto out;
		if (!org)
			goto refuse;
		own_uscc = uscc;
		if ((rc = check_one_pending(c, req, uscc, id)))
			goto out;
		if (!strcmp(kind, "change")) {
			const cJSON *ch = cJSON_GetObjectItemCaseSensitive(body, "changes");
			registry_check_change(ch, db_val(org, 0, OC_LEGAL_FORM), db_val(org, 0, OC_REGION),
			                      db_val(org, 0, OC_SCOPE_KIND), db_val(org, 0, OC_FUNDRAISING), &v);
			check_birth_date(cJSON_GetObjectItemCaseSensitive(ch, "legal_representative"),
			                 "changes.legal_representative.id_number", today, &v);
			if (!v.count) {
				cJSON *diff = registry_change_diff(org, ch);
				if (!cJSON_GetArraySize(diff))
					verr_add(&v, "changes", "no_changes", "every value given is already the organization's");
				cJSON_Delete(diff);
			}
			const char *renamed = str_member(ch, "name");
			if (renamed && strcmp(renamed, db_val(org, 0, OC_NAME))) {
				claim = renamed;
				claim_field = "changes.name";
			}
		} else {
			const char *reason = NULL;
			if (json_get_str(body, "reason", &reason, &v, "reason", JSON_REQUIRED, 1, REASON_MAX_CHARS) == 1 &&
			    json_blank(reason))
				verr_add(&v, "reason", "required", "give the reason for deregistration");
		}
	}
	/* The name last, so a 422 lists it with everything else (a name too long for any rule was
	 * refused above and is not looked up). */
	if (claim && (!*claim || json_utf8_len(claim) > NAME_CLAIM_MAX_CHARS))
		claim = NULL;
	if (claim) {
		int taken = registry_name_taken(c, claim, id, own_uscc);
		if (taken < 0) {
			rc = taken;
			goto out;
		}
		if (taken)
			verr_add(&v, claim_field, "name_taken",
			         "%s is the name of a registered organization or of an application being decided", claim);
	}
refuse:
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the application cannot be submitted as it is", &v);
		rc = DB_APP;
		goto out;
	}
	if (claim) {
		rc = registry_claim_name(c, claim, id, own_uscc);
		if (rc == 1) {
			verr_add(&v, claim_field, "name_taken", "%s was claimed by another application a moment ago", claim);
			http_problem_fields(req, 422, "validation_failed", "the application cannot be submitted as it is", &v);
			rc = DB_APP;
		}
		if (rc)
			goto out;
	}
	/* A renamed resubmission gives up the name it held before. */
	if ((rc = registry_release_claims(c, id, claim)))
		goto out;
	char now[32];
	clock_fmt_db(clock_now(), now);
	app_cols k = app_columns(kind, body, org);
	rc = db_exec(c,
	             "UPDATE applications SET submitted_at = ?, first_submitted_at = COALESCE(first_submitted_at, ?), "
	             "legal_form = ?, category = ?, name = ?, region_code = ? WHERE id = ?",
	             DBP(DBS(now), DBS(now), DBS(k.legal_form), DBS(k.category), DBS(k.name), DBS(k.region_code), DBI(id)),
	             NULL, NULL);
	cJSON_AddBoolToObject(summary, "resubmission", !db_isnull(r, 0, AC_FIRST_SUBMITTED));
	if (claim)
		cJSON_AddStringToObject(summary, "name_claimed", claim);
out:
	verr_free(&v);
	db_res_free(org);
	cJSON_Delete(body);
	return rc;
}

static int act_withdraw(db_conn *c, app_act *a, const db_res *r, cJSON *summary)
{
	(void)a;
	(void)summary;
	return registry_release_claims(c, db_int(r, 0, AC_ID), NULL);
}

static int act_request_supplement(db_conn *c, app_act *a, const db_res *r, cJSON *summary)
{
	char *items = json_print(a->items);
	if (!items)
		return DB_ERROR;
	char now[32];
	clock_fmt_db(clock_now(), now);
	int rc = db_exec(c, "UPDATE applications SET supplement_items = ?, supplement_requested_at = ? WHERE id = ?",
	                 DBP(DBS(items), DBS(now), DBI(db_int(r, 0, AC_ID))), NULL, NULL);
	free(items);
	cJSON_AddItemToObject(summary, "items", cJSON_Duplicate(a->items, 1));
	return rc;
}

static int act_accept(db_conn *c, app_act *a, const db_res *r, cJSON *summary)
{
	(void)a;
	usec_t now = clock_now();
	int64_t due = app_decision_due(clock_local_day(now), db_val(r, 0, AC_CATEGORY));
	char now_s[32], due_s[16];
	clock_fmt_db(now, now_s);
	clock_fmt_date(due, due_s);
	cJSON_AddStringToObject(summary, "decision_due", due_s);
	return db_exec(c, "UPDATE applications SET accepted_at = ?, deemed_accepted = 0, decision_due = ? WHERE id = ?",
	               DBP(DBS(now_s), DBS(due_s), DBI(db_int(r, 0, AC_ID))), NULL, NULL);
}

static int act_approve(db_conn *c, app_act *a, const db_res *r, cJSON *summary)
{
	char uscc[19] = "";
	int rc = registry_approve(c, a->req, r, summary, uscc);
	if (rc)
		return rc;
	char now[32];
	clock_fmt_db(clock_now(), now);
	cJSON_AddStringToObject(summary, "org_uscc", uscc);
	return db_exec(c, "UPDATE applications SET org_uscc = ?, decided_at = ?, decided_by = ? WHERE id = ?",
	               DBP(DBS(uscc), DBS(now), DBI(a->req->user.id), DBI(db_int(r, 0, AC_ID))), NULL, NULL);
}

static int act_reject(db_conn *c, app_act *a, const db_res *r, cJSON *summary)
{
	char now[32];
	clock_fmt_db(clock_now(), now);
	cJSON_AddStringToObject(summary, "reason", a->reason);
	int rc = db_exec(c, "UPDATE applications SET reject_reason = ?, decided_at = ?, decided_by = ? WHERE id = ?",
	                 DBP(DBS(a->reason), DBS(now), DBI(a->req->user.id), DBI(db_int(r, 0, AC_ID))), NULL, NULL);
	return rc ? rc : registry_release_claims(c, db_int(r, 0, AC_ID), NULL);
}

static void applications_submit(http_req *req)
{
	act_handle(req, "submit", act_submit, NULL, NULL);
}

static void applications_withdraw(http_req *req)
{
	act_handle(req, "withdraw", act_withdraw, NULL, NULL);
}

static void applications_accept(http_req *req)
{
	act_handle(req, "accept", act_accept, NULL, NULL);
}

static void applications_approve(http_req *req)
{
	act_handle(req, "approve", act_approve, NULL, NULL);
}

/* 行政许可法 Art. 32: one request listing every item that is missing. */
static void applications_request_supplement(http_req *req)
{
	verr v = { 0 };
	const cJSON *items = NULL, *it;
	if (json_get_array(req->json, "items", &items, &v, "items", JSON_REQUIRED, ITEMS_MAX) == 1) {
		if (cJSON_GetArraySize(items) == 0)
			verr_add(&v, "items", "required", "list every item to supplement, at once");
		int i = 0;
		cJSON_ArrayForEach(it, items)
		{
			char f[40], m[40];
			const char *s = NULL;
			snprintf(f, sizeof f, "items[%d].field", i);
			snprintf(m, sizeof m, "items[%d].message", i);
			if (!cJSON_IsObject(it)) {
				verr_add(&v, f, "type", "each item is an object {field, message}");
			} else {
				json_get_str(it, "field", &s, &v, f, JSON_REQUIRED, 1, ITEM_FIELD_MAX_CHARS);
				if (json_get_str(it, "message", &s, &v, m, JSON_REQUIRED, 1, ITEM_MESSAGE_MAX_CHARS) == 1 && json_blank(s))
					verr_add(&v, m, "required", "say what is missing");
				const cJSON *k;
				cJSON_ArrayForEach(k, it)
				if (!k->string || (strcmp(k->string, "field") && strcmp(k->string, "message"))) {
					snprintf(f, sizeof f, "items[%d]", i);
					verr_add(&v, f, "unknown_field", "an item has only field and message");
					break;
				}
			}
			i++;
		}
	}
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the supplement request is not valid", &v);
		return;
	}
	act_handle(req, "request-supplement", act_request_supplement, items, NULL);
}

/* A rejection gives its reason in writing, shown to the applicant (SPEC §4). */
static void applications_reject(http_req *req)
{
	verr v = { 0 };
	const char *reason = NULL;
	if (json_get_str(req->json, "reason", &reason, &v, "reason", JSON_REQUIRED, 1, REASON_MAX_CHARS) == 1 &&
	    json_blank(reason))
		verr_add(&v, "reason", "required", "give the reason for the rejection in writing");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "a rejection needs a written reason", &v);
		return;
	}
	act_handle(req, "reject", act_reject, NULL, reason);
}

/* --- the sweep: deemed acceptance ------------------------------------------------------ */

typedef struct deem_tx {
	long long id;
	int deemed;
} deem_tx;

/* One application, re-read under its lock: another instance or a reader may have been first. */
static int deem_one(db_conn *c, void *arg)
{
	deem_tx *t = arg;
	db_res *r;
	t->deemed = 0;
	int rc = app_select(c, t->id, 1, &r);
	if (rc)
		return rc;
	if (r->nrows == 1 && app_deemed_due(db_val(r, 0, AC_STATUS), deem_since(r, 0), clock_local_day(clock_now()))) {
		rc = app_deem(c, r);
		t->deemed = rc == 0;
	}
	db_res_free(r);
	return rc;
}

int applications_sweep_deemed(db_conn *c, long long *changed)
{
	*changed = 0;
	int64_t today = clock_local_day(clock_now());
	/* Due when (first, or after supplements re-) submitted before the start of day today - window
	 * (local). */
	char cutoff[32];
	clock_fmt_db(clock_local_midnight(today - rule(RULE_supplement_window_days)), cutoff);
	for (;;) {
		db_res *r;
		int rc = db_query(c,
		                  "SELECT id FROM applications WHERE status = 'submitted' AND "
		                  "((supplement_requested_at IS NULL AND first_submitted_at < ?) OR "
		                  "(supplement_requested_at IS NOT NULL AND submitted_at < ?)) ORDER BY id LIMIT 500",
		                  DBP(DBS(cutoff), DBS(cutoff)), &r);
		if (rc)
			return rc;
		int n = r->nrows;
		long long done = 0;
		for (int i = 0; i < n && rc == 0; i++) {
			deem_tx t = { db_int(r, i, 0), 0 };
			rc = db_tx(deem_one, &t);
			done += t.deemed;
			*changed += t.deemed;
		}
		db_res_free(r);
		if (rc)
			return rc;
		if (n < 500 || done == 0)
			return 0;
	}
}

/* --- routes ---------------------------------------------------------------------------- */

const route applications_routes[] = {
	{ "GET", "/api/v1/applications", applications_list, APP | REG, 0 },
	{ "POST", "/api/v1/applications", applications_create, APP, R_JSON | R_IDEMPOTENT },
	{ "GET", "/api/v1/applications/{id}", applications_get, APP | REG, 0 },
	{ "PATCH", "/api/v1/applications/{id}", applications_patch, APP, R_JSON },
	{ "POST", "/api/v1/applications/{id}/submit", applications_submit, APP, R_JSON_OPT },
	{ "POST", "/api/v1/applications/{id}/withdraw", applications_withdraw, APP, R_JSON_OPT },
	{ "POST", "/api/v1/applications/{id}/request-supplement", applications_request_supplement, REG, R_JSON_OPT },
	{ "POST", "/api/v1/applications/{id}/accept", applications_accept, REG, R_JSON_OPT },
	{ "POST", "/api/v1/applications/{id}/approve", applications_approve, REG, R_JSON_OPT },
	{ "POST", "/api/v1/applications/{id}/reject", applications_reject, REG, R_JSON_OPT },
	{ "POST", "/api/v1/applications/{id}/documents", documents_upload, APP, R_RAW | R_IDEMPOTENT },
	{ "GET", "/api/v1/applications/{id}/documents", documents_list, APP | REG, 0 },
	{ "GET", "/api/v1/applications/{id}/documents/{doc_id}", documents_get, APP | REG, 0 },
	{ "DELETE", "/api/v1/applications/{id}/documents/{doc_id}", documents_delete, APP, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
