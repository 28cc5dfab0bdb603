/* applications.c — registration applications over HTTP (SPEC §4, Appendix A): create, read,
 * list (the registrar's queue), edit, delete a draft, and the actions submit, withdraw,
 * request-supplement, accept, approve and reject. The workflow itself — the table, the clocks, what each action does —
 * is application_flow.c; documents are documents.c. */
#include "applications.h"
#include "org_row.h"
#include "region.h"
#include "registry_tx.h"
#include "uscc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP ROLE_APPLICANT
#define REG ROLE_REGISTRAR

enum {
	ITEM_FIELD_MAX_CHARS = 100,
	ITEM_MESSAGE_MAX_CHARS = 1000,
	ITEMS_MAX = 100,
	REASON_MAX_CHARS = 2000,
};

/* The state the deem timer leads to (accepted): read from the table, not written here. */
static int deem_to(void)
{
	const fsm_transition *t = fsm_find_transition(&app_flow, APP_submitted, APP_DO_deem, FSM_SYSTEM);
	return t ? t->to : APP_accepted;
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
	if (fsm_state(&app_flow, db_val(r, row, AC_STATUS)) == APP_approved) {
		if (db_query(c, "SELECT changes FROM org_events WHERE application_id = ? AND type = 'change' LIMIT 1",
		             DBP(DBI(db_int(r, row, AC_ID))), &x) == 0 &&
		    x->nrows == 1 && db_val(x, 0, 0))
			diff = cJSON_Parse(db_val(x, 0, 0));
	} else if (db_val(r, row, AC_ORG_USCC)) {
		org_row org;
		if (org_row_get(c, db_val(r, row, AC_ORG_USCC), 0, &org) == 1)
			diff = registry_change_diff(&org, cJSON_GetObjectItemCaseSensitive(app, "changes"));
		org_row_free(&org);
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

/* Whether the applicant has been sent the notice of the status the application is in (a
 * notification row written with the move: application_notify.c); false for a status that has
 * none, and for a deemed acceptance the scheduler has not yet recorded. */
static int notified(db_conn *c, const db_res *r, int row, const char *status, int deemed)
{
	const char *kind = !strcmp(status, "supplement_requested") ? "application.supplement_requested"
	                   : !strcmp(status, "accepted")
	                           ? (deemed ? "application.deemed_accepted" : "application.accepted")
	                   : !strcmp(status, "approved") ? "application.approved"
	                   : !strcmp(status, "rejected") ? "application.rejected"
	                                                 : NULL;
	if (!kind)
		return 0;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", db_int(r, row, AC_ID));
	db_res *n;
	if (db_query(c,
	             "SELECT 1 FROM notifications WHERE user_id = ? AND object_type = 'application' AND object_id = ? "
	             "AND kind = ? LIMIT 1",
	             DBP(DBI(db_int(r, row, AC_APPLICANT)), DBS(ids), DBS(kind)), &n))
		return 0;
	int yes = n->nrows > 0;
	db_res_free(n);
	return yes;
}

/* Everything submitted plus the workflow fields. The status is the effective one: a submitted
 * application whose supplement window has passed shows as (deemed) accepted even before the
 * scheduler makes it so, with the same dates it will record. */
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

	usec_t now = clock_now();
	int64_t today = clock_local_day(now);
	int state = fsm_state(&app_flow, db_val(r, row, AC_STATUS));
	const char *category = db_val(r, row, AC_CATEGORY);
	usec_t first = 0;
	if (db_val(r, row, AC_FIRST_SUBMITTED))
		clock_parse(db_val(r, row, AC_FIRST_SUBMITTED), &first);
	int supplement = !db_isnull(r, row, AC_SUPPLEMENT_REQUESTED);
	int deemed = db_int(r, row, AC_DEEMED) != 0;
	const char *accepted_at = db_val(r, row, AC_ACCEPTED);
	int64_t due = 0;
	int have_due = db_val(r, row, AC_DECISION_DUE) && clock_parse_date(db_val(r, row, AC_DECISION_DUE), &due) == 0;
	if (fsm_due_action(&app_flow, r, row, now) == APP_DO_deem) {
		state = fsm_effective(&app_flow, r, row, now);
		deemed = 1;
		accepted_at = db_val(r, row, supplement ? AC_SUBMITTED : AC_FIRST_SUBMITTED);
		due = app_decision_due(clock_local_day(app_deem_since(r, row)), category);
		have_due = 1;
	}
	const char *status = fsm_state_name(&app_flow, state);

	cJSON_AddNumberToObject(o, "id", (double)db_int(r, row, AC_ID));
	cJSON_AddStringToObject(o, "kind", db_val(r, row, AC_KIND));
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddNumberToObject(o, "version", (double)db_int(r, row, AC_VERSION));
	cJSON_AddNumberToObject(o, "applicant_id", (double)db_int(r, row, AC_APPLICANT));
	json_add_str_or_null(o, "org_uscc", db_val(r, row, AC_ORG_USCC));
	/* What change and deregistration applications concern, for the queue. */
	static const struct {
		const char *key;
		int col;
	} denorm[] = {
		{ "name", AC_NAME },
		{ "legal_form", AC_LEGAL_FORM },
		{ "category", AC_CATEGORY },
		{ "region_code", AC_REGION },
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
	cJSON_AddBoolToObject(o, "overdue", state == APP_accepted && have_due && today > due);
	api_add_time(o, "decided_at", db_val(r, row, AC_DECIDED));
	json_add_str_or_null(o, "reject_reason", db_val(r, row, AC_REJECT_REASON));

	/* What this viewer may do next (the same table that refuses the rest). */
	int acts[FSM_MAX_ACTIONS];
	int n = fsm_allowed(&app_flow, state, viewer->role_bit, acts, FSM_MAX_ACTIONS);
	cJSON *allowed = cJSON_AddArrayToObject(o, "allowed_actions");
	for (int i = 0; i < n; i++) {
		if (acts[i] == APP_DO_request_supplement && (supplement || today > app_supplement_window_end(first)))
			continue;
		cJSON_AddItemToArray(allowed, cJSON_CreateString(fsm_action_name(&app_flow, acts[i])));
	}
	const region *reg = db_val(r, row, AC_REGION) ? region_find(db_val(r, row, AC_REGION)) : NULL;
	json_add_str_or_null(o, "region_name", reg ? region_name(reg) : NULL);
	if (with_documents) {
		cJSON_AddBoolToObject(o, "notified", notified(c, r, row, status, deemed));
		cJSON_AddItemToObject(o, "documents", documents_json(c, db_int(r, row, AC_ID)));
		if (app_kind_of(r, row) == APP_CHANGE)
			cJSON_AddItemToObject(o, "change_diff", change_diff(c, r, row, o));
	}
	return o;
}

/* Inside a transaction: the answer is the application as it now is. */
static int answer_app(tx *t, long long id, int status)
{
	db_res *r;
	int rc = db_query(t->c, app_flow.sql_read, DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1 || !app_visible(t->user, r, 0)) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such application");
	}
	long long version = db_int(r, 0, AC_VERSION);
	tx_answer(t, status, app_json(t->c, r, 0, t->user, 1), version);
	db_res_free(r);
	return 0;
}

/* --- create -------------------------------------------------------------------------- */

typedef struct create_args {
	enum app_kind kind;
	const cJSON *body;
	char *body_text;
} create_args;

static int create_tx(tx *t, void *arg)
{
	create_args *a = arg;
	org_row org;
	int rc = app_check_draft(t, a->kind, a->body, &org);
	if (rc)
		return rc;
	/* One change or deregistration at a time: a draft that could never be submitted is refused
	 * now rather than at submission. */
	if (org.res && (rc = app_check_one_pending(t, org.uscc, 0))) {
		org_row_free(&org);
		return rc;
	}
	app_cols k = app_columns(a->kind, a->body, &org);
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long id = 0;
	rc = db_exec(t->c,
	             "INSERT INTO applications (kind, status, applicant_id, org_uscc, legal_form, category, name, "
	             "region_code, "
	             "body, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
	             DBP(DBS(app_kinds[a->kind]), DBS(fsm_state_name(&app_flow, APP_draft)), DBI(t->user->id),
	                 DBS(k.org_uscc), DBS(k.legal_form), DBS(k.category), DBS(k.name), DBS(k.region_code),
	                 DBS(a->body_text), DBS(now), DBS(now)),
	             NULL, &id);
	if (rc) {
		org_row_free(&org);
		return rc;
	}
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "kind", app_kinds[a->kind]);
	cJSON_AddStringToObject(s, "status", fsm_state_name(&app_flow, APP_draft));
	if (k.org_uscc)
		cJSON_AddStringToObject(s, "org_uscc", k.org_uscc);
	if (k.name)
		cJSON_AddStringToObject(s, "name", k.name);
	org_row_free(&org);
	char ids[24];
	snprintf(ids, sizeof ids, "%llu", id);
	rc = audit_append(t->c, t->user, "application.create", "application", ids, s);
	cJSON_Delete(s);
	return rc ? rc : answer_app(t, (long long)id, 201);
}

static void applications_create(http_req *req)
{
	verr v = { 0 };
	const char *kind = NULL;
	if (json_get_enum(req->json, "kind", &kind, app_kinds, &v, "kind", JSON_REQUIRED) != 1) {
		http_problem_fields(req, 422, "validation_failed", "kind must be establish, change or deregister", &v);
		return;
	}
	create_args a = { APP_ESTABLISH, req->json, json_print(req->json) };
	for (int i = 0; app_kinds[i]; i++)
		if (!strcmp(app_kinds[i], kind))
			a.kind = (enum app_kind)i;
	if (!a.body_text) {
		http_problem(req, 503, "overloaded", "not enough memory now; retry");
		return;
	}
	tx_run_or_reply(req, create_tx, &a);
	free(a.body_text);
}

/* --- read ---------------------------------------------------------------------------- */

static int get_tx(tx *t, void *arg)
{
	return answer_app(t, *(const long long *)arg, 200);
}

static void applications_get(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, get_tx, &id);
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
		int st = fsm_state(&app_flow, tok);
		if (st < 0 || st == APP_deleted)
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

typedef struct list_args {
	int limit, mode; /* mode: 0 first page, 1 after (due, id), 2 among those without a due date */
	char status[256], kind[32], org[32], due[16];
	long long after;
} list_args;

/* The filter sees the status each application is in now: one whose deem deadline has passed is
 * accepted, whether or not the scheduler has made it so yet (a read never writes). */
static int list_tx(tx *t, void *arg)
{
	const list_args *q = arg;
	char now[32];
	clock_fmt_db(clock_now(), now);
	int applicant = (t->user->role_bit & ROLE_APPLICANT) != 0;
	db_res *r;
	int rc = db_query(
	        t->c,
	        "SELECT " APP_COLUMNS " FROM applications "
	        "WHERE status <> ? AND (? = 0 OR applicant_id = ?) AND (? = 1 OR first_submitted_at IS NOT NULL) "
	        "AND (? = '' OR FIND_IN_SET(IF(EXISTS (SELECT 1 FROM deadlines d WHERE d.object_type = ? "
	        "AND d.object_id = applications.id AND d.action = ? AND d.due_at <= ?), ?, status), ?) > 0) "
	        "AND (? = '' OR kind = ?) AND (? = '' OR org_uscc = ?) "
	        "AND (? = 0 OR (? = 1 AND (decision_due IS NULL OR decision_due > ? OR (decision_due = ? AND id > ?))) "
	        "OR (? = 2 AND decision_due IS NULL AND id > ?)) "
	        "ORDER BY decision_due IS NULL, decision_due, id LIMIT ?",
	        DBP(DBS(fsm_state_name(&app_flow, APP_deleted)), DBI(applicant), DBI(t->user->id), DBI(applicant),
	            DBS(q->status), DBS(app_flow.object), DBS(fsm_action_name(&app_flow, APP_DO_deem)), DBS(now),
	            DBS(fsm_state_name(&app_flow, deem_to())), DBS(q->status), DBS(q->kind), DBS(q->kind), DBS(q->org),
	            DBS(q->org), DBI(q->mode), DBI(q->mode), DBS(q->mode == 1 ? q->due : NULL),
	            DBS(q->mode == 1 ? q->due : NULL), DBI(q->after), DBI(q->mode), DBI(q->after), DBI(q->limit + 1)),
	        &r);
	if (rc)
		return rc;
	cJSON *items = cJSON_CreateArray();
	int n = r->nrows > q->limit ? q->limit : r->nrows;
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(items, app_json(t->c, r, i, t->user, 0));
	char next[160] = "";
	if (r->nrows > q->limit) {
		char key[64];
		int last = q->limit - 1;
		snprintf(key, sizeof key, "%s|%lld",
		         db_val(r, last, AC_DECISION_DUE) ? db_val(r, last, AC_DECISION_DUE) : "",
		         db_int(r, last, AC_ID));
		http_cursor_encode(key, next, sizeof next);
	}
	db_res_free(r);
	tx_answer_list(t, items, next);
	return 0;
}

/* The queue: applicants see their own, registrars everything filed with them; sorted by the
 * decision's due date (none last), then id, with a keyset cursor on (decision_due, id). */
static void applications_list(http_req *req)
{
	list_args q = { 0 };
	char cursor[96], status_q[256] = "";
	if (http_page_or_reply(req, &q.limit, cursor, sizeof cursor) < 0)
		return;
	int sq = http_query(req, "status", status_q, sizeof status_q);
	if (sq < 0 || (sq == 1 && *status_q && parse_status_filter(status_q, q.status, sizeof q.status) < 0)) {
		http_problem(
		        req, 400, "invalid_status_filter",
		        "status must be a comma-separated list of draft, submitted, supplement_requested, accepted, "
		        "approved, rejected, withdrawn");
		return;
	}
	int kq = http_query(req, "kind", q.kind, sizeof q.kind);
	if (kq < 0 || (kq == 1 && *q.kind && !str_in_list(app_kinds, q.kind))) {
		http_problem(req, 400, "invalid_kind", "kind must be establish, change or deregister");
		return;
	}
	char *org = q.org;
	int oq = http_query(req, "org_uscc", q.org, sizeof q.org);
	if (oq == 1 && *org) {
		if (strlen(org) != USCC_LEN ||
		    strspn(org, "0123456789ABCDEFGHJKLMNPQRTUWXYabcdefghjklmnpqrtuwxy") != USCC_LEN) {
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
	if (*cursor && parse_cursor(cursor, &q.mode, q.due, &q.after) < 0) {
		http_problem(req, 400, "invalid_cursor", "the cursor is not one this server gave out");
		return;
	}
	tx_read_or_reply(req, list_tx, &q);
}

/* --- edit ---------------------------------------------------------------------------- */

/* The members that differ between two bodies, as dotted paths ("contact.phone"); into objects,
 * not into arrays (a list that changed is named once). Capped: an audit entry stays small. */
static void changed_paths(const cJSON *a, const cJSON *b, const char *prefix, cJSON *out)
{
	enum { MAX_PATHS = 64 };
	const cJSON *it;
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: members of b (changed or added); pass 1: members only a has (removed) */
		const cJSON *walk = pass ? a : b;
		cJSON_ArrayForEach(it, walk) {
			const cJSON *other = cJSON_GetObjectItemCaseSensitive(pass ? b : a, it->string);
			if (pass && other)
				continue;
			if (other && cJSON_Compare(it, other, 1))
				continue;
			if (cJSON_GetArraySize(out) >= MAX_PATHS)
				return;
			char path[256];
			snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", it->string);
			if (other && cJSON_IsObject(it) && cJSON_IsObject(other))
				changed_paths(other, it, path, out);
			else
				cJSON_AddItemToArray(out, cJSON_CreateString(path));
		}
	}
}

/* PATCH: a merge patch on the body, checked as a draft, inside the edit transition. */
static int patch_apply(fsm_run *run)
{
	tx *t = run->t;
	const cJSON *patch = ((const app_args *)run->arg)->edit_arg;
	const db_res *r = run->row;
	enum app_kind kind = app_kind_of(r, 0);
	org_row org = { 0 };
	cJSON *body = NULL, *before = NULL;
	char *text = NULL;
	/* What an application is, and for which organization, is fixed at its creation. */
	static const char *const fixed[] = { "kind", "org_uscc", NULL };
	verr v = { 0 };
	for (int i = 0; fixed[i]; i++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(patch, fixed[i]);
		const char *now_is = !strcmp(fixed[i], "kind") ? app_kinds[kind] : db_val(r, 0, AC_ORG_USCC);
		if (m && !(cJSON_IsString(m) && now_is && !strcmp(m->valuestring, now_is)))
			verr_add(&v, fixed[i], "not_editable", "%s cannot change; create a new application instead",
			         fixed[i]);
	}
	if (v.count)
		return tx_refuse_fields(t, 422, "validation_failed", "the change is not valid", &v);
	int rc;
	body = json_merge_patch(cJSON_Parse(db_val(r, 0, AC_BODY)), patch);
	if (!body) {
		rc = DB_ERROR;
		goto out;
	}
	if ((rc = app_check_draft(t, kind, body, &org)))
		goto out;
	/* The audit names what changed, not what was sent: a form sends every field each time. */
	if (!(before = cJSON_Parse(db_val(r, 0, AC_BODY)))) {
		rc = DB_ERROR;
		goto out;
	}
	if (!(text = json_print(body))) {
		rc = DB_ERROR;
		goto out;
	}
	app_cols k = app_columns(kind, body, &org);
	rc = db_exec(t->c,
	             "UPDATE applications SET body = ?, legal_form = ?, category = ?, name = ?, region_code = ? WHERE "
	             "id = ?",
	             DBP(DBS(text), DBS(k.legal_form), DBS(k.category), DBS(k.name), DBS(k.region_code), DBI(run->id)),
	             NULL, NULL);
	if (rc)
		goto out;
	changed_paths(before, body, "", cJSON_AddArrayToObject(run->summary, "fields"));
out:
	cJSON_Delete(before);
	cJSON_Delete(body);
	free(text);
	org_row_free(&org);
	return rc;
}

/* --- actions --------------------------------------------------------------------------- */

typedef struct act_call {
	long long id;
	int action;
	app_args *args;
} act_call;

static int act_tx(tx *t, void *arg)
{
	act_call *a = arg;
	int rc = fsm_exec(t, &app_flow, a->id, a->action, a->args, NULL);
	return rc ? rc : answer_app(t, a->id, 200);
}

/* Every change of an application: the executor, then the application as it now is. */
static void act_or_reply(http_req *req, int action, app_args *args)
{
	act_call a = { 0, action, args };
	if (api_id_param_or_reply(req, "id", &a.id) < 0)
		return;
	tx_run_or_reply(req, act_tx, &a);
}

static void applications_patch(http_req *req)
{
	app_args a = { .edit = patch_apply, .edit_arg = req->json };
	act_or_reply(req, APP_DO_edit, &a);
}

static void applications_submit(http_req *req)
{
	act_or_reply(req, APP_DO_submit, NULL);
}

static void applications_withdraw(http_req *req)
{
	act_or_reply(req, APP_DO_withdraw, NULL);
}

/* 删除草稿: the draft goes through the workflow to its final state deleted; nothing to answer. */
static int delete_tx(tx *t, void *arg)
{
	const long long *id = arg;
	int rc = fsm_exec(t, &app_flow, *id, APP_DO_delete, NULL, NULL);
	if (!rc)
		tx_answer_empty(t, 204);
	return rc;
}

static void applications_delete(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_run_or_reply(req, delete_tx, &id);
}

static void applications_accept(http_req *req)
{
	act_or_reply(req, APP_DO_accept, NULL);
}

static void applications_approve(http_req *req)
{
	act_or_reply(req, APP_DO_approve, NULL);
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
		cJSON_ArrayForEach(it, items) {
			char f[40], m[40];
			const char *s = NULL;
			snprintf(f, sizeof f, "items[%d].field", i);
			snprintf(m, sizeof m, "items[%d].message", i);
			if (!cJSON_IsObject(it)) {
				verr_add(&v, f, "type", "each item is an object {field, message}");
			} else {
				json_get_str(it, "field", &s, &v, f, JSON_REQUIRED, 1, ITEM_FIELD_MAX_CHARS);
				if (json_get_str(it, "message", &s, &v, m, JSON_REQUIRED, 1, ITEM_MESSAGE_MAX_CHARS) ==
				            1 &&
				    json_blank(s))
					verr_add(&v, m, "required", "say what is missing");
				const cJSON *k;
				cJSON_ArrayForEach(k, it)
					if (!k->string ||
					    (strcmp(k->string, "field") && strcmp(k->string, "message"))) {
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
	app_args a = { .items = items };
	act_or_reply(req, APP_DO_request_supplement, &a);
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
	app_args a = { .reason = reason };
	act_or_reply(req, APP_DO_reject, &a);
}

/* --- routes ---------------------------------------------------------------------------- */

const route applications_routes[] = {
	{ "GET", "/api/v1/applications", applications_list, APP | REG, 0 },
	{ "POST", "/api/v1/applications", applications_create, APP, R_JSON | R_IDEMPOTENT },
	{ "GET", "/api/v1/applications/{id}", applications_get, APP | REG, 0 },
	{ "PATCH", "/api/v1/applications/{id}", applications_patch, APP, R_JSON },
	{ "DELETE", "/api/v1/applications/{id}", applications_delete, APP, 0 },
	{ "POST", "/api/v1/applications/{id}/submit", applications_submit, APP, R_JSON_OPT | R_BODY_KIB(32) },
	{ "POST", "/api/v1/applications/{id}/withdraw", applications_withdraw, APP, R_JSON_OPT | R_BODY_KIB(32) },
	{ "POST", "/api/v1/applications/{id}/request-supplement", applications_request_supplement, REG,
	  R_JSON_OPT | R_BODY_KIB(32) },
	{ "POST", "/api/v1/applications/{id}/accept", applications_accept, REG, R_JSON_OPT | R_BODY_KIB(32) },
	{ "POST", "/api/v1/applications/{id}/approve", applications_approve, REG, R_JSON_OPT | R_BODY_KIB(32) },
	{ "POST", "/api/v1/applications/{id}/reject", applications_reject, REG, R_JSON_OPT | R_BODY_KIB(32) },
	{ NULL, NULL, NULL, 0, 0 },
};
