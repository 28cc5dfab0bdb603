/* justifications.c — abnormally low prices (SPEC §6): the opening flags a price below
 * abnormally_low_percent of the mean of the other valid bids; the bidder files a justification,
 * the committee's chair accepts or rejects it, and a rejected one makes the bid invalid before
 * ranking (not scored, not ranked).
 *
 *   POST /tenders/{id}/bids/{bid_id}/justification {text}   the bidder, once, while the tender
 *        is active.evaluation, for a flagged bid (409 not_abnormally_low, justification_exists,
 *        already_decided).
 *   POST /tenders/{id}/bids/{bid_id}/justification/decision {accepted, reason}   the chair, once:
 *        accepting needs a justification filed (409 no_justification); rejecting does not (a
 *        bidder who files none cannot hold the evaluation up). The evaluation is not complete
 *        while a flagged bid is undecided; the decision that completes it writes the report.
 *   GET  /tenders/{id}/bids/{bid_id}/justification   the bidder, the purchaser, the committee. */
#include "bid_flow.h"
#include "committee.h"
#include "evaluation.h"
#include "tender_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUR ROLE_PURCHASER
#define EVAL ROLE_EVALUATOR
#define APP ROLE_APPLICANT

#define JUSTIFICATION_COLUMNS "bid_id, tender_id, text, filed_at, accepted, decision_reason, decided_at"
enum { JC_BID, JC_TENDER, JC_TEXT, JC_FILED, JC_ACCEPTED, JC_REASON, JC_DECIDED };

typedef struct just_call {
	long long tender, bid;
	const char *text;
	int accepted;
} just_call;

static int answer(tx *t, long long bid, int status)
{
	db_res *r;
	int rc = db_query(t->c, "SELECT " JUSTIFICATION_COLUMNS " FROM bid_justifications WHERE bid_id = ?",
	                  DBP(DBI(bid)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "no justification has been filed for this bid");
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "bid_id", (double)db_int(r, 0, JC_BID));
	cJSON_AddNumberToObject(o, "tender_id", (double)db_int(r, 0, JC_TENDER));
	json_add_str_or_null(o, "text", db_val(r, 0, JC_TEXT));
	api_add_time(o, "filed_at", db_val(r, 0, JC_FILED));
	if (db_isnull(r, 0, JC_ACCEPTED))
		cJSON_AddNullToObject(o, "accepted");
	else
		cJSON_AddBoolToObject(o, "accepted", db_int(r, 0, JC_ACCEPTED) != 0);
	json_add_str_or_null(o, "decision_reason", db_val(r, 0, JC_REASON));
	api_add_time(o, "decided_at", db_val(r, 0, JC_DECIDED));
	db_res_free(r);
	tx_answer(t, status, o, 0);
	return 0;
}

/* The opening's flags of the bid: 404 when the tender's opening has no such bid; *low and *valid. */
static int opened_bid_or_refuse(tx *t, long long tender, long long bid, int *low, int *valid)
{
	db_res *r;
	int rc = db_query(t->c, "SELECT abnormally_low, valid FROM opening_bids WHERE bid_id = ? AND tender_id = ?",
	                  DBP(DBI(bid), DBI(tender)), &r);
	if (rc)
		return rc;
	int found = r->nrows == 1;
	*low = found && db_int(r, 0, 0);
	*valid = found && db_int(r, 0, 1);
	db_res_free(r);
	return found ? 0 : tx_refuse(t, 404, "not_found", "this tender's opening has no such bid");
}

static int not_in_evaluation(tx *t, int state)
{
	const char *name = fsm_state_name(&tender_flow, state);
	int rc = tx_refuse(t, 409, "not_in_evaluation", "the tender is not being evaluated; it is %s", name);
	tx_problem_add(t, "current_status", cJSON_CreateString(name));
	return rc;
}

/* --- the bidder's justification ------------------------------------------------------------------ */

static int file_tx(tx *t, void *arg)
{
	const just_call *a = arg;
	member_ctx m;
	db_res *b = NULL, *j = NULL;
	int low, valid;
	int rc = committee_tender_or_refuse(t, a->tender, 1, &m);
	if (rc)
		goto out;
	/* The bidder alone: anyone else finds no such bid, as at GET …/bids/{bid_id}. */
	if ((rc = db_query(t->c, bid_flow.sql_read, DBP(DBI(a->bid)), &b)))
		goto out;
	if (b->nrows != 1 || db_int(b, 0, BC_TENDER) != a->tender || db_int(b, 0, BC_BIDDER) != t->user->id) {
		rc = tx_refuse(t, 404, "not_found", "there is no such bid");
		goto out;
	}
	if (m.state != TS_active_evaluation) {
		rc = not_in_evaluation(t, m.state);
		goto out;
	}
	if ((rc = opened_bid_or_refuse(t, a->tender, a->bid, &low, &valid)))
		goto out;
	if (!low || !valid) {
		rc = tx_refuse(t, 409, "not_abnormally_low",
		               "only a valid bid flagged abnormally low at the opening is justified");
		goto out;
	}
	if ((rc = db_query(t->c, "SELECT accepted FROM bid_justifications WHERE bid_id = ? FOR UPDATE",
	                   DBP(DBI(a->bid)), &j)))
		goto out;
	if (j->nrows) {
		rc = db_isnull(j, 0, 0) ? tx_refuse(t, 409, "justification_exists", "the justification has been filed")
		                        : tx_refuse(t, 409, "already_decided", "the committee has decided on this bid");
		goto out;
	}
	char now[32];
	clock_fmt_db(clock_now(), now);
	if ((rc = db_exec(t->c,
	                  "INSERT INTO bid_justifications (bid_id, tender_id, text, filed_by, filed_at) VALUES (?, ?, "
	                  "?, ?, ?)",
	                  DBP(DBI(a->bid), DBI(a->tender), DBS(a->text), DBI(t->user->id), DBS(now)), NULL, NULL)))
		goto out;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "tender_id", (double)a->tender);
	cJSON_AddNumberToObject(s, "chars", (double)json_utf8_len(a->text));
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", a->bid);
	rc = audit_append(t->c, t->user, "bid.justification", "bid", ids, s);
	cJSON_Delete(s);
	if (!rc)
		rc = answer(t, a->bid, 201);
out:
	db_res_free(b);
	db_res_free(j);
	member_ctx_free(&m);
	return rc;
}

static const char *const file_fields[] = { "text", NULL };

static void justification_post(http_req *req)
{
	just_call a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0 || api_id_param_or_reply(req, "bid_id", &a.bid) < 0)
		return;
	verr v = { 0 };
	json_only_fields(req->json, file_fields, &v, NULL);
	if (json_get_str(req->json, "text", &a.text, &v, "text", JSON_REQUIRED, 1, JUSTIFICATION_MAX_CHARS) == 1 &&
	    json_blank(a.text))
		verr_add(&v, "text", "required", "text must say something");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the justification is not valid", &v);
		return;
	}
	tx_run_or_reply(req, file_tx, &a);
}

/* --- the chair's decision ------------------------------------------------------------------------- */

static int decide_tx(tx *t, void *arg)
{
	const just_call *a = arg;
	member_ctx m;
	db_res *j = NULL;
	int low, valid;
	int rc = committee_tender_or_refuse(t, a->tender, 1, &m);
	if (!rc && m.member && !m.chair)
		rc = tx_refuse(t, 403, "not_chair", "only the chair of the committee decides on a justification");
	if (!rc)
		rc = committee_member_or_refuse(t, &m, a->tender, 1);
	if (rc || (rc = opened_bid_or_refuse(t, a->tender, a->bid, &low, &valid)))
		goto out;
	if (!low || !valid) {
		rc = tx_refuse(t, 409, "not_abnormally_low", "the bid was not flagged abnormally low at the opening");
		goto out;
	}
	if ((rc = db_query(t->c, "SELECT text, accepted FROM bid_justifications WHERE bid_id = ? FOR UPDATE",
	                   DBP(DBI(a->bid)), &j)))
		goto out;
	if (j->nrows && !db_isnull(j, 0, 1)) {
		rc = tx_refuse(t, 409, "already_decided", "the committee has decided on this bid");
		goto out;
	}
	if (a->accepted && (!j->nrows || db_isnull(j, 0, 0))) {
		rc = tx_refuse(t, 409, "no_justification", "the bidder has filed no justification to accept");
		goto out;
	}
	char now[32];
	clock_fmt_db(clock_now(), now);
	rc = j->nrows
	             ? db_exec(t->c,
	                       "UPDATE bid_justifications SET accepted = ?, decision_reason = ?, decided_by = ?, "
	                       "decided_at = ? WHERE bid_id = ?",
	                       DBP(DBI(a->accepted), DBS(a->text), DBI(t->user->id), DBS(now), DBI(a->bid)), NULL, NULL)
	             : db_exec(t->c,
	                       "INSERT INTO bid_justifications (bid_id, tender_id, accepted, decision_reason, "
	                       "decided_by, "
	                       "decided_at) VALUES (?, ?, ?, ?, ?, ?)",
	                       DBP(DBI(a->bid), DBI(a->tender), DBI(a->accepted), DBS(a->text), DBI(t->user->id),
	                           DBS(now)),
	                       NULL, NULL);
	if (rc)
		goto out;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "tender_id", (double)a->tender);
	cJSON_AddBoolToObject(s, "accepted", a->accepted);
	cJSON_AddStringToObject(s, "reason", a->text);
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", a->bid);
	rc = audit_append(t->c, t->user, "bid.justification_decision", "bid", ids, s);
	cJSON_Delete(s);
	int completed = 0;
	if (rc || (rc = evaluation_complete_if_ready(t, a->tender, &completed)) || (rc = answer(t, a->bid, 200)))
		goto out;
	cJSON_AddBoolToObject(t->data, "evaluation_complete", completed);
out:
	db_res_free(j);
	member_ctx_free(&m);
	return rc;
}

static const char *const decision_fields[] = { "accepted", "reason", NULL };

static void decision_post(http_req *req)
{
	just_call a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0 || api_id_param_or_reply(req, "bid_id", &a.bid) < 0)
		return;
	verr v = { 0 };
	json_only_fields(req->json, decision_fields, &v, NULL);
	json_get_bool(req->json, "accepted", &a.accepted, &v, "accepted", JSON_REQUIRED);
	if (json_get_str(req->json, "reason", &a.text, &v, "reason", JSON_REQUIRED, 1, COMMITTEE_TEXT_MAX_CHARS) == 1 &&
	    json_blank(a.text))
		verr_add(&v, "reason", "required", "reason must say something");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the decision is not valid", &v);
		return;
	}
	tx_run_or_reply(req, decide_tx, &a);
}

/* --- reading ----------------------------------------------------------------------------------- */

static int get_tx(tx *t, void *arg)
{
	const just_call *a = arg;
	member_ctx m;
	db_res *b = NULL;
	int rc = committee_tender_or_refuse(t, a->tender, 0, &m);
	if (rc || (rc = db_query(t->c, bid_flow.sql_read, DBP(DBI(a->bid)), &b)))
		goto out;
	int here = b->nrows == 1 && db_int(b, 0, BC_TENDER) == a->tender;
	int bidder = here && db_int(b, 0, BC_BIDDER) == t->user->id;
	if (!here || (!bidder && !m.member && !tender_owned(t->user, m.tender, 0))) {
		rc = tx_refuse(t, 404, "not_found", "there is no such justification");
		goto out;
	}
	rc = answer(t, a->bid, 200);
out:
	db_res_free(b);
	member_ctx_free(&m);
	return rc;
}

static void justification_get(http_req *req)
{
	just_call a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0 || api_id_param_or_reply(req, "bid_id", &a.bid) < 0)
		return;
	tx_read_or_reply(req, get_tx, &a);
}

const route justifications_routes[] = {
	{ "POST", "/api/v1/tenders/{id}/bids/{bid_id}/justification", justification_post, APP,
	  R_JSON | R_IDEMPOTENT | R_BODY_KIB(128) },
	{ "GET", "/api/v1/tenders/{id}/bids/{bid_id}/justification", justification_get, APP | PUR | EVAL, 0 },
	{ "POST", "/api/v1/tenders/{id}/bids/{bid_id}/justification/decision", decision_post, EVAL,
	  R_JSON | R_BODY_KIB(16) },
	{ NULL, NULL, NULL, 0, 0 },
};
