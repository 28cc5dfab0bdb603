/* tenders.c — tender notices over HTTP (SPEC §6, Appendix B): create, read, the public list,
 * and the actions answered with the tender: edit a draft, publish, cancel, open the bids
 * (opening.h) and award (award.h). The workflow itself — the table, the timers, what each action
 * does — is tender_flow.c; the enquiries are questions.c. */
#include "tenders.h"
#include "award.h"
#include "opening.h"
#include "tender_flow.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUR ROLE_PURCHASER

enum {
	Q_MAX_CHARS = 50, /* ?q= */
	DEPARTMENT_FILTER_MAX = 400,
};

/* A tender row as read here: TENDER_COLUMNS, then how many organizations it invites and how
 * many live bids it has. */
#define TENDER_READ_COLUMNS                                                                                            \
	TENDER_COLUMNS ", (SELECT COUNT(*) FROM tender_invitations i WHERE i.tender_id = tenders.id), "                \
	               "(SELECT COUNT(*) FROM bids b WHERE b.tender_id = tenders.id AND b.live = 1), "                 \
	               "(SELECT COUNT(*) FROM tender_challenges ch WHERE ch.tender_id = tenders.id), "                 \
	               "(SELECT c.id FROM contracts c WHERE c.tender_id = tenders.id)"
enum { TC_INVITED_COUNT = TC_NCOLS, TC_BIDS_COUNT, TC_CHALLENGES_COUNT, TC_CONTRACT_ID };

/* --- the tender as JSON --------------------------------------------------------------------- */

static cJSON *parsed_or(const char *text, cJSON *dflt)
{
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	if (!j)
		return dflt;
	cJSON_Delete(dflt);
	return j;
}

/* The notice for viewer (NULL: the public). The status is the effective one: a tender whose
 * enquiry end or bid deadline has passed shows the state the timers lead to, whether or not the
 * sweeper has made it real (a read never writes). invited: the codes, for the owner only. */
static cJSON *tender_json(const db_res *r, int row, const auth_user *viewer, const db_res *invited)
{
	cJSON *o = cJSON_CreateObject();
	int state = fsm_effective(&tender_flow, r, row, clock_now());
	int owner = tender_owned(viewer, r, row);
	cJSON_AddNumberToObject(o, "id", (double)db_int(r, row, TC_ID));
	cJSON_AddStringToObject(o, "status", fsm_state_name(&tender_flow, state));
	cJSON_AddNumberToObject(o, "version", (double)db_int(r, row, TC_VERSION));
	cJSON_AddStringToObject(o, "title", db_val(r, row, TC_TITLE));
	cJSON_AddStringToObject(o, "description", db_val(r, row, TC_DESCRIPTION));
	cJSON_AddStringToObject(o, "service_category", db_val(r, row, TC_SERVICE_CATEGORY));
	cJSON_AddStringToObject(o, "department", db_val(r, row, TC_DEPARTMENT));
	cJSON_AddNumberToObject(o, "budget_fen", (double)db_int(r, row, TC_BUDGET));
	cJSON_AddStringToObject(o, "method", db_val(r, row, TC_METHOD));
	cJSON_AddStringToObject(o, "evaluation_method", db_val(r, row, TC_EVALUATION_METHOD));
	cJSON_AddItemToObject(o, "criteria", parsed_or(db_val(r, row, TC_CRITERIA), cJSON_CreateArray()));
	cJSON_AddNumberToObject(o, "price_points", (double)db_int(r, row, TC_PRICE_POINTS));
	cJSON_AddItemToObject(o, "eligibility", parsed_or(db_val(r, row, TC_ELIGIBILITY), cJSON_CreateObject()));
	/* Who is invited is the purchaser's to know before the opening: a list of competitors is an
	 * invitation to collude. Everyone sees how many. */
	cJSON_AddNumberToObject(o, "invited_orgs_count", (double)db_int(r, row, TC_INVITED_COUNT));
	if (owner && invited) {
		cJSON *a = cJSON_AddArrayToObject(o, "invited_orgs");
		for (int i = 0; i < invited->nrows; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(db_val(invited, i, 0)));
	}
	api_add_time(o, "enquiry_end", db_val(r, row, TC_ENQUIRY_END));
	api_add_time(o, "bid_deadline", db_val(r, row, TC_BID_DEADLINE));
	cJSON_AddNumberToObject(o, "contract_months", (double)db_int(r, row, TC_CONTRACT_MONTHS));
	api_add_time(o, "published_at", db_val(r, row, TC_PUBLISHED));
	api_add_time(o, "cancelled_at", db_val(r, row, TC_CANCELLED));
	json_add_str_or_null(o, "cancel_reason", db_val(r, row, TC_CANCEL_REASON));
	/* A number only, until the opening (SPEC §6): the live bids. */
	cJSON_AddNumberToObject(o, "bids_count", (double)db_int(r, row, TC_BIDS_COUNT));
	/* The award notice (SPEC §6: public), cleared when a challenge against it is upheld. */
	if (!db_isnull(r, row, TC_AWARD_BID)) {
		cJSON *aw = cJSON_AddObjectToObject(o, "award");
		cJSON_AddNumberToObject(aw, "bid_id", (double)db_int(r, row, TC_AWARD_BID));
		cJSON_AddStringToObject(aw, "org_uscc", db_val(r, row, TC_AWARD_USCC));
		cJSON_AddStringToObject(aw, "org_name", db_val(r, row, TC_AWARD_NAME));
		cJSON_AddNumberToObject(aw, "price_fen", (double)db_int(r, row, TC_AWARD_PRICE));
		cJSON_AddNumberToObject(aw, "rank", (double)db_int(r, row, TC_AWARD_RANK));
		json_add_str_or_null(aw, "reason", db_val(r, row, TC_AWARD_REASON));
		api_add_time(aw, "awarded_at", db_val(r, row, TC_AWARDED));
	} else {
		cJSON_AddNullToObject(o, "award");
	}
	/* The list shows the contract's id; GET /tenders/{id} the contract (tenders_answer). */
	if (!db_isnull(r, row, TC_CONTRACT_ID)) {
		cJSON *ct = cJSON_AddObjectToObject(o, "contract");
		cJSON_AddNumberToObject(ct, "id", (double)db_int(r, row, TC_CONTRACT_ID));
	} else {
		cJSON_AddNullToObject(o, "contract");
	}
	api_add_time(o, "challenge_until", db_val(r, row, TC_CHALLENGE_UNTIL));
	/* How many challenges were filed (public); what they say is the parties' (award.h). */
	cJSON_AddNumberToObject(o, "challenges_count", (double)db_int(r, row, TC_CHALLENGES_COUNT));
	api_add_time(o, "created_at", db_val(r, row, TC_CREATED));
	api_add_time(o, "updated_at", db_val(r, row, TC_UPDATED));
	/* What this viewer may do next (the table that refuses the rest); a purchaser's actions are
	 * the owner's. */
	cJSON *allowed = cJSON_AddArrayToObject(o, "allowed_actions");
	if (viewer && (owner || !(viewer->role_bit & ROLE_PURCHASER))) {
		int acts[FSM_MAX_ACTIONS];
		int n = fsm_allowed(&tender_flow, state, viewer->role_bit, acts, FSM_MAX_ACTIONS);
		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(allowed, cJSON_CreateString(fsm_action_name(&tender_flow, acts[i])));
	}
	return o;
}

/* Inside a transaction (or a read): answers tender id as viewer t->user sees it, or 404. */
int tenders_answer(tx *t, long long id, int status)
{
	db_res *r = NULL, *inv = NULL;
	int rc = db_query(t->c, "SELECT " TENDER_READ_COLUMNS " FROM tenders WHERE id = ?", DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1 || !tender_visible(t->user, r, 0)) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such tender");
	}
	if (tender_owned(t->user, r, 0) &&
	    (rc = db_query(t->c, "SELECT uscc FROM tender_invitations WHERE tender_id = ? ORDER BY uscc", DBP(DBI(id)),
	                   &inv))) {
		db_res_free(r);
		return rc;
	}
	/* The opening record, public once the bids are opened (opening.h); null before. */
	cJSON *opening = NULL;
	if ((rc = opening_record(t->c, id, &opening))) {
		db_res_free(r);
		db_res_free(inv);
		return rc;
	}
	cJSON *contract = NULL;
	if (!db_isnull(r, 0, TC_CONTRACT_ID) && (rc = contract_of_tender(t->c, id, &contract))) {
		cJSON_Delete(opening);
		db_res_free(r);
		db_res_free(inv);
		return rc;
	}
	cJSON *o = tender_json(r, 0, t->user, inv);
	cJSON_AddItemToObject(o, "opening", opening ? opening : cJSON_CreateNull());
	if (contract)
		cJSON_ReplaceItemInObjectCaseSensitive(o, "contract", contract);
	tx_answer(t, status, o, db_int(r, 0, TC_VERSION));
	db_res_free(r);
	db_res_free(inv);
	return 0;
}

/* --- create ------------------------------------------------------------------------------------ */

static int create_tx(tx *t, void *arg)
{
	const cJSON *body = arg;
	tender_in in;
	int rc = tender_check_or_refuse(t, body, &in);
	if (rc)
		return rc;
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long id = 0;
	/* The row with its owner; tender_store writes the notice itself, as an edit does. */
	rc = db_exec(t->c,
	             "INSERT INTO tenders (status, purchaser_id, department, title, description, service_category, "
	             "budget_fen, method, evaluation_method, criteria, price_points, eligibility, enquiry_end, "
	             "bid_deadline, contract_months, version, created_at, updated_at) "
	             "VALUES (?, ?, '', '', '', '', 0, ?, ?, '[]', 0, '{}', ?, ?, 0, 1, ?, ?)",
	             DBP(DBS(fsm_state_name(&tender_flow, TS_draft)), DBI(t->user->id), DBS(tender_methods[in.method]),
	                 DBS(tender_evaluation_methods[in.evaluation_method]), DBS(now), DBS(now), DBS(now), DBS(now)),
	             NULL, &id);
	if (rc || (rc = tender_store(t, (long long)id, &in)))
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "status", fsm_state_name(&tender_flow, TS_draft));
	cJSON_AddStringToObject(s, "title", in.title);
	cJSON_AddStringToObject(s, "method", tender_methods[in.method]);
	cJSON_AddNumberToObject(s, "budget_fen", (double)in.budget_fen);
	char ids[24];
	snprintf(ids, sizeof ids, "%llu", id);
	rc = audit_append(t->c, t->user, "tender.create", tender_flow.object, ids, s);
	cJSON_Delete(s);
	return rc ? rc : tenders_answer(t, (long long)id, 201);
}

static void tenders_create(http_req *req)
{
	tx_run_or_reply(req, create_tx, req->json);
}

/* --- read ---------------------------------------------------------------------------------------- */

static int get_tx(tx *t, void *arg)
{
	return tenders_answer(t, *(const long long *)arg, 200);
}

static void tenders_get(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, get_tx, &id);
}

/* --- the public list ------------------------------------------------------------------------------ */

typedef struct list_args {
	int limit;
	long long before; /* keyset: ids below this; 0 the first page */
	char status[256], method[40], department[DEPARTMENT_FILTER_MAX + 1], like[4 * Q_MAX_CHARS * 2 + 8];
	int mine;
} list_args;

/* ?status=active.tendering,active.opening — each a state of the table; normalized into out. */
static int parse_status_filter(const char *in, char *out, size_t outlen)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", in);
	*out = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok = json_trim(tok);
		if (fsm_state(&tender_flow, tok) < 0 || strlen(out) + strlen(tok) + 2 > outlen)
			return -1;
		if (*out)
			strcat(out, ",");
		strcat(out, tok);
	}
	return *out ? 0 : -1;
}

/* q as a LIKE pattern that matches it literally anywhere: %q% with \ % _ escaped. */
static void like_pattern(const char *q, char *out, size_t outlen)
{
	size_t k = 0;
	out[k++] = '%';
	for (const char *p = q; *p && k + 4 < outlen; p++) {
		if (*p == '\\' || *p == '%' || *p == '_')
			out[k++] = '\\';
		out[k++] = *p;
	}
	out[k++] = '%';
	out[k] = 0;
}

static int list_tx(tx *t, void *arg)
{
	const list_args *q = arg;
	char now[32];
	clock_fmt_db(clock_now(), now);
	const char *enq = fsm_state_name(&tender_flow, TS_active_enquiries),
	           *tend = fsm_state_name(&tender_flow, TS_active_tendering),
	           *opening = fsm_state_name(&tender_flow, TS_active_opening),
	           *draft = fsm_state_name(&tender_flow, TS_draft);
	long long me = t->user && (t->user->role_bit & ROLE_PURCHASER) ? t->user->id : 0;
	db_res *r;
	/* The status filter sees the state each tender is in now (fsm_effective in SQL: the two
	 * timers of tender_flow.c, the bid deadline first, since it ends both periods). */
	int rc = db_query(t->c,
	                  "SELECT " TENDER_READ_COLUMNS " FROM tenders "
	                  "WHERE (status <> ? OR purchaser_id = ?) AND (? = 0 OR purchaser_id = ?) "
	                  "AND (? = '' OR FIND_IN_SET(CASE WHEN status IN (?, ?) AND bid_deadline <= ? THEN ? "
	                  "WHEN status = ? AND enquiry_end <= ? THEN ? ELSE status END, ?) > 0) "
	                  "AND (? = '' OR method = ?) AND (? = '' OR department = ?) AND (? = '' OR title LIKE ?) "
	                  "AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
	                  DBP(DBS(draft), DBI(me), DBI(q->mine), DBI(me), DBS(q->status), DBS(enq), DBS(tend), DBS(now),
	                      DBS(opening), DBS(enq), DBS(now), DBS(tend), DBS(q->status), DBS(q->method),
	                      DBS(q->method), DBS(q->department), DBS(q->department), DBS(q->like), DBS(q->like),
	                      DBI(q->before), DBI(q->before), DBI(q->limit + 1)),
	                  &r);
	if (rc)
		return rc;
	cJSON *items = cJSON_CreateArray();
	int n = r->nrows > q->limit ? q->limit : r->nrows;
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(items, tender_json(r, i, t->user, NULL));
	char next[64] = "";
	if (r->nrows > q->limit)
		http_cursor_encode(db_val(r, q->limit - 1, TC_ID), next, sizeof next);
	db_res_free(r);
	tx_answer_list(t, items, next);
	return 0;
}

/* Published tenders, newest first, for everyone; a purchaser's own drafts too (mine=true: only
 * its own). Filters: status (effective, comma-separated), method, department, q (in the title). */
static void tenders_list(http_req *req)
{
	list_args q = { 0 };
	if (http_page_num_or_reply(req, &q.limit, &q.before, 0) < 0)
		return;
	char buf[256] = "", qtext[4 * Q_MAX_CHARS + 1] = "";
	int got = http_query(req, "status", buf, sizeof buf);
	if (got < 0 || (got == 1 && *buf && parse_status_filter(buf, q.status, sizeof q.status) < 0)) {
		http_problem(req, 400, "invalid_status_filter",
		             "status must be a comma-separated list of the tender states (draft, active.enquiries, "
		             "active.tendering, …)");
		return;
	}
	got = http_query(req, "method", q.method, sizeof q.method);
	if (got < 0 || (got == 1 && *q.method && !str_in_list(tender_methods, q.method))) {
		http_problem(req, 400, "invalid_method",
		             "method must be open, invited, competitive_consultation, competitive_negotiation, "
		             "single_source or inquiry");
		return;
	}
	got = http_query(req, "department", q.department, sizeof q.department);
	if (got < 0 || !json_utf8_valid(q.department, strlen(q.department))) {
		http_problem(req, 400, "invalid_department",
		             "department is a department's name (at most %d characters)", TENDER_DEPARTMENT_MAX_CHARS);
		return;
	}
	got = http_query(req, "q", qtext, sizeof qtext);
	if (got < 0 || !json_utf8_valid(qtext, strlen(qtext)) || json_utf8_len(qtext) > Q_MAX_CHARS) {
		http_problem(req, 400, "invalid_q", "q is at most %d characters of text", Q_MAX_CHARS);
		return;
	}
	if (*json_trim(qtext))
		like_pattern(json_trim(qtext), q.like, sizeof q.like);
	got = http_query(req, "mine", buf, sizeof buf);
	if (got < 0 || (got == 1 && strcmp(buf, "true") && strcmp(buf, "false"))) {
		http_problem(req, 400, "invalid_mine", "mine is true or false");
		return;
	}
	q.mine = got == 1 && !strcmp(buf, "true");
	if (q.mine && !(req->authed && (req->user.role_bit & ROLE_PURCHASER))) {
		http_problem(req, 400, "invalid_mine", "mine=true lists a signed-in purchaser's own tenders");
		return;
	}
	tx_read_or_reply(req, list_tx, &q);
}

/* --- actions ------------------------------------------------------------------------------------ */

typedef struct act_call {
	long long id;
	int action;
	tender_args *args;
} act_call;

static int act_tx(tx *t, void *arg)
{
	act_call *a = arg;
	int rc = fsm_exec(t, &tender_flow, a->id, a->action, a->args, NULL);
	return rc ? rc : tenders_answer(t, a->id, 200);
}

/* Every change of a tender: the executor, then the tender as it now is. */
static void act_or_reply(http_req *req, int action, tender_args *args)
{
	act_call a = { 0, action, args };
	if (api_id_param_or_reply(req, "id", &a.id) < 0)
		return;
	tx_run_or_reply(req, act_tx, &a);
}

static void tenders_patch(http_req *req)
{
	tender_args a = { .patch = req->json };
	act_or_reply(req, TA_edit, &a);
}

static void tenders_publish(http_req *req)
{
	act_or_reply(req, TA_publish, NULL);
}

/* SPEC §6: a cancellation gives its reason, shown on the notice. */
static void tenders_cancel(http_req *req)
{
	static const char *const fields[] = { "reason", NULL };
	verr v = { 0 };
	const char *reason = NULL;
	json_only_fields(req->json, fields, &v, NULL);
	if (json_get_str(req->json, "reason", &reason, &v, "reason", JSON_REQUIRED, 1, TENDER_TEXT_MAX_CHARS) == 1 &&
	    json_blank(reason))
		verr_add(&v, "reason", "required", "give the reason for the cancellation");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "a cancellation needs its reason", &v);
		return;
	}
	tender_args a = { .reason = reason };
	act_or_reply(req, TA_cancel, &a);
}

static void tenders_open(http_req *req)
{
	act_or_reply(req, TA_open, NULL);
}

/* SPEC §6: the award names a ranked bid, and gives a reason unless it is the first. */
static void tenders_award(http_req *req)
{
	static const char *const fields[] = { "bid_id", "reason", NULL };
	tender_args args = { 0 };
	act_call a = { 0, TA_award, &args };
	if (api_id_param_or_reply(req, "id", &a.id) < 0)
		return;
	verr v = { 0 };
	json_only_fields(req->json, fields, &v, NULL);
	json_get_int(req->json, "bid_id", &args.bid_id, &v, "bid_id", JSON_REQUIRED, 1, JSON_FEN_MAX);
	int got =
	        json_get_str(req->json, "reason", &args.reason, &v, "reason", JSON_OPTIONAL, 1, TENDER_TEXT_MAX_CHARS);
	if (got == 1 && json_blank(args.reason))
		args.reason = NULL; /* a blank reason is no reason: required unless rank 1 */
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the award is not valid", &v);
		return;
	}
	tx_run_or_reply(req, act_tx, &a);
}

/* --- routes --------------------------------------------------------------------------------------- */

const route tenders_routes[] = {
	{ "GET", "/api/v1/tenders", tenders_list, ROLES_PUBLIC, 0 },
	{ "POST", "/api/v1/tenders", tenders_create, PUR, R_JSON | R_IDEMPOTENT | R_BODY_KIB(128) },
	{ "GET", "/api/v1/tenders/{id}", tenders_get, ROLES_PUBLIC, 0 },
	{ "PATCH", "/api/v1/tenders/{id}", tenders_patch, PUR, R_JSON | R_BODY_KIB(128) },
	{ "POST", "/api/v1/tenders/{id}/publish", tenders_publish, PUR, R_JSON_OPT | R_BODY_KIB(1) },
	{ "POST", "/api/v1/tenders/{id}/cancel", tenders_cancel, PUR, R_JSON | R_BODY_KIB(16) },
	{ "POST", "/api/v1/tenders/{id}/open", tenders_open, PUR, R_JSON_OPT | R_BODY_KIB(1) | R_IDEMPOTENT },
	{ "POST", "/api/v1/tenders/{id}/award", tenders_award, PUR, R_JSON | R_BODY_KIB(16) },
	{ NULL, NULL, NULL, 0, 0 },
};
