/* award.c — the award of a tender, the challenge period and its challenges (see award.h); the
 * award's route is tenders.c's. */
#include "award.h"
#include "evaluation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUR ROLE_PURCHASER
#define APP ROLE_APPLICANT

enum { CHALLENGE_TEXT_MAX_CHARS = 10000 };

static tender_args *args_of(fsm_run *run)
{
	return run->arg;
}

usec_t award_working_days_end(usec_t t, int n)
{
	return clock_local_midnight(clock_add_working_days(clock_local_day(t), n) + 1);
}

int award_open_challenges(db_conn *c, long long tender_id, long long *n)
{
	db_res *r;
	int rc = db_query(c, "SELECT COUNT(*) FROM tender_challenges WHERE tender_id = ? AND answered_at IS NULL",
	                  DBP(DBI(tender_id)), &r);
	if (rc)
		return rc;
	*n = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

/* --- award ------------------------------------------------------------------------------------- */

/* SPEC §6: the award goes to a valid ranked bid of a complete evaluation; to rank 1, or to
 * another with a written reason. */
int award_effect(fsm_run *run)
{
	tx *t = run->t;
	tender_args *a = args_of(run);
	eval_result er;
	int rc = evaluation_result(t->c, run->id, &er);
	if (rc == EVAL_INCOMPLETE) {
		rc = tx_refuse(t, 409, "evaluation_incomplete", "the evaluation is not complete (%s)", er.incomplete);
		goto out;
	}
	if (rc)
		goto out;
	const eval_bid *b = NULL;
	for (int i = 0; i < er.nbids; i++)
		if (er.bids[i].bid_id == a->bid_id)
			b = &er.bids[i];
	verr v = { 0 };
	if (!b || !b->valid || b->rank < 1)
		verr_add(&v, "bid_id", "not_ranked", "bid %lld is not a valid ranked bid of this tender", a->bid_id);
	else if (b->rank != 1 && !a->reason)
		verr_add(&v, "reason", "required",
		         "awarding the bid ranked %d instead of the first needs a written reason", b->rank);
	if (v.count) {
		rc = tx_refuse_fields(t, 422, "validation_failed", "the award is not valid", &v);
		goto out;
	}
	db_res *o;
	if ((rc = db_query(t->c, "SELECT name FROM orgs WHERE uscc = ?", DBP(DBS(b->org_uscc)), &o)))
		goto out;
	char name[800] = "";
	if (o->nrows == 1)
		snprintf(name, sizeof name, "%s", db_val(o, 0, 0));
	db_res_free(o);
	usec_t now = clock_now(), until = award_working_days_end(now, (int)rule(RULE_challenge_working_days));
	char now_db[32], until_db[32], until_s[32];
	clock_fmt_db(now, now_db);
	clock_fmt_db(until, until_db);
	clock_fmt(until, until_s);
	rc = db_exec(t->c,
	             "UPDATE tenders SET award_bid_id = ?, award_rank = ?, award_reason = ?, awarded_at = ?, "
	             "challenge_until = ?, award_org_uscc = ?, award_org_name = ?, award_price_fen = ? WHERE id = ?",
	             DBP(DBI(b->bid_id), DBI(b->rank), a->reason ? DBS(a->reason) : DBNULL, DBS(now_db), DBS(until_db),
	                 DBS(b->org_uscc), DBS(name), DBI(b->price_fen), DBI(run->id)),
	             NULL, NULL);
	cJSON_AddNumberToObject(run->summary, "bid_id", (double)b->bid_id);
	cJSON_AddStringToObject(run->summary, "org_uscc", b->org_uscc);
	cJSON_AddNumberToObject(run->summary, "price_fen", (double)b->price_fen);
	cJSON_AddNumberToObject(run->summary, "rank", b->rank);
	json_add_str_or_null(run->summary, "reason", a->reason);
	cJSON_AddStringToObject(run->summary, "challenge_until", until_s);
out:
	evaluation_result_free(&er);
	return rc;
}

/* --- challenges -------------------------------------------------------------------------------- */

/* SPEC §6 质疑: a bidder of this tender, through its own bid (one that was opened), against an
 * award of another bid. */
int award_challenge_guard(fsm_run *run)
{
	tx *t = run->t;
	tender_args *a = args_of(run);
	db_res *r;
	int rc = db_query(t->c,
	                  "SELECT b.bidder_id FROM bids b JOIN opening_bids ob ON ob.bid_id = b.id "
	                  "WHERE b.id = ? AND b.tender_id = ?",
	                  DBP(DBI(a->bid_id), DBI(run->id)), &r);
	if (rc)
		return rc;
	int mine = r->nrows == 1 && db_int(r, 0, 0) == t->user->id;
	db_res_free(r);
	if (!mine)
		return tx_refuse(t, 403, "not_bidder",
		                 "only the bidder who submitted bid %lld of this tender may challenge", a->bid_id);
	if (db_int(run->row, 0, TC_AWARD_BID) == a->bid_id) {
		verr v = { 0 };
		verr_add(&v, "bid_id", "awarded_bid", "bid %lld is the one awarded", a->bid_id);
		return tx_refuse_fields(t, 422, "validation_failed", "the winner does not challenge its own award", &v);
	}
	return 0;
}

int award_challenge_effect(fsm_run *run)
{
	tx *t = run->t;
	tender_args *a = args_of(run);
	usec_t now = clock_now(), due = award_working_days_end(now, (int)rule(RULE_challenge_answer_working_days));
	char now_db[32], due_db[32];
	clock_fmt_db(now, now_db);
	clock_fmt_db(due, due_db);
	unsigned long long id = 0;
	int rc = db_exec(t->c,
	                 "INSERT INTO tender_challenges (tender_id, bid_id, filer_id, award_bid_id, text, filed_at, "
	                 "answer_due) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                 DBP(DBI(run->id), DBI(a->bid_id), DBI(t->user->id), DBI(db_int(run->row, 0, TC_AWARD_BID)),
	                     DBS(a->text), DBS(now_db), DBS(due_db)),
	                 NULL, &id);
	a->result_id = (long long)id;
	cJSON_AddNumberToObject(run->summary, "challenge_id", (double)id);
	cJSON_AddNumberToObject(run->summary, "bid_id", (double)a->bid_id);
	return rc;
}

/* Answered once; upheld against the award in force cancels it (back to the evaluation). */
int award_answer_effect(fsm_run *run)
{
	tx *t = run->t;
	tender_args *a = args_of(run);
	db_res *r;
	int rc = db_query(t->c,
	                  "SELECT answered_at, award_bid_id FROM tender_challenges WHERE id = ? AND tender_id = ? "
	                  "FOR UPDATE",
	                  DBP(DBI(a->challenge_id), DBI(run->id)), &r);
	if (rc)
		return rc;
	int found = r->nrows == 1, answered = found && !db_isnull(r, 0, 0);
	long long challenged = found ? db_int(r, 0, 1) : 0;
	db_res_free(r);
	if (!found)
		return tx_refuse(t, 404, "not_found", "this tender has no such challenge");
	if (answered)
		return tx_refuse(t, 409, "already_answered", "this challenge was answered already");
	char now[32];
	clock_fmt_db(clock_now(), now);
	if ((rc = db_exec(t->c,
	                  "UPDATE tender_challenges SET answer = ?, upheld = ?, answered_at = ?, answered_by = ? "
	                  "WHERE id = ?",
	                  DBP(DBS(a->answer), DBI(a->upheld), DBS(now), DBI(t->user->id), DBI(a->challenge_id)), NULL,
	                  NULL)))
		return rc;
	cJSON_AddNumberToObject(run->summary, "challenge_id", (double)a->challenge_id);
	cJSON_AddBoolToObject(run->summary, "upheld", a->upheld);
	int current = !db_isnull(run->row, 0, TC_AWARD_BID) && db_int(run->row, 0, TC_AWARD_BID) == challenged;
	if (a->upheld && current) {
		cJSON_AddNumberToObject(run->summary, "award_cancelled", (double)challenged);
		run->to = TS_active_evaluation;
		return db_exec(
		        t->c,
		        "UPDATE tenders SET award_bid_id = NULL, award_rank = NULL, award_reason = NULL, "
		        "awarded_at = NULL, challenge_until = NULL, award_org_uscc = NULL, award_org_name = NULL, "
		        "award_price_fen = NULL WHERE id = ?",
		        DBP(DBI(run->id)), NULL, NULL);
	}
	return 0;
}

/* --- HTTP -------------------------------------------------------------------------------------- */

typedef struct award_call {
	long long tender;
	int action;
	tender_args args;
} award_call;

#define CHALLENGE_COLUMNS "id, tender_id, bid_id, text, filed_at, answer_due, answer, upheld, answered_at, award_bid_id"
enum { CH_ID, CH_TENDER, CH_BID, CH_TEXT, CH_FILED, CH_DUE, CH_ANSWER, CH_UPHELD, CH_ANSWERED, CH_AWARD };

static cJSON *challenge_json(const db_res *r, int row)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(r, row, CH_ID));
	cJSON_AddNumberToObject(o, "tender_id", (double)db_int(r, row, CH_TENDER));
	cJSON_AddNumberToObject(o, "bid_id", (double)db_int(r, row, CH_BID));
	cJSON_AddNumberToObject(o, "award_bid_id", (double)db_int(r, row, CH_AWARD));
	cJSON_AddStringToObject(o, "text", db_val(r, row, CH_TEXT));
	api_add_time(o, "filed_at", db_val(r, row, CH_FILED));
	api_add_time(o, "answer_due", db_val(r, row, CH_DUE));
	int answered = !db_isnull(r, row, CH_ANSWERED);
	cJSON_AddStringToObject(o, "status", !answered ? "open" : db_int(r, row, CH_UPHELD) ? "upheld" : "dismissed");
	json_add_str_or_null(o, "answer", db_val(r, row, CH_ANSWER));
	if (answered)
		cJSON_AddBoolToObject(o, "upheld", db_int(r, row, CH_UPHELD) != 0);
	else
		cJSON_AddNullToObject(o, "upheld");
	api_add_time(o, "answered_at", db_val(r, row, CH_ANSWERED));
	usec_t due = 0;
	clock_parse(db_val(r, row, CH_DUE), &due);
	cJSON_AddBoolToObject(o, "overdue", !answered && clock_now() >= due);
	return o;
}

static int answer_challenge_row(tx *t, long long id, int status)
{
	db_res *r;
	int rc = db_query(t->c, "SELECT " CHALLENGE_COLUMNS " FROM tender_challenges WHERE id = ?", DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return DB_ERROR;
	}
	tx_answer(t, status, challenge_json(r, 0), 0);
	db_res_free(r);
	return 0;
}

static int act_tx(tx *t, void *arg)
{
	award_call *a = arg;
	int rc = fsm_exec(t, &tender_flow, a->tender, a->action, &a->args, NULL);
	if (rc)
		return rc;
	if (a->action == TA_challenge)
		return answer_challenge_row(t, a->args.result_id, 201);
	return answer_challenge_row(t, a->args.challenge_id, 200);
}

/* A required, non-blank text member. */
static void need_text(const cJSON *b, const char *key, size_t max, const char **out, verr *v)
{
	if (json_get_str(b, key, out, v, key, JSON_REQUIRED, 1, max) == 1 && json_blank(*out))
		verr_add(v, key, "required", "%s must not be blank", key);
}

static void challenges_post(http_req *req)
{
	static const char *const fields[] = { "bid_id", "text", NULL };
	award_call a = { .action = TA_challenge };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0)
		return;
	verr v = { 0 };
	json_only_fields(req->json, fields, &v, NULL);
	json_get_int(req->json, "bid_id", &a.args.bid_id, &v, "bid_id", JSON_REQUIRED, 1, JSON_FEN_MAX);
	need_text(req->json, "text", CHALLENGE_TEXT_MAX_CHARS, &a.args.text, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the challenge is not valid", &v);
		return;
	}
	tx_run_or_reply(req, act_tx, &a);
}

static void challenges_answer(http_req *req)
{
	static const char *const fields[] = { "answer", "upheld", NULL };
	award_call a = { .action = TA_answer_challenge };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0 ||
	    api_id_param_or_reply(req, "cid", &a.args.challenge_id) < 0)
		return;
	verr v = { 0 };
	json_only_fields(req->json, fields, &v, NULL);
	need_text(req->json, "answer", CHALLENGE_TEXT_MAX_CHARS, &a.args.answer, &v);
	json_get_bool(req->json, "upheld", &a.args.upheld, &v, "upheld", JSON_REQUIRED);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the answer is not valid", &v);
		return;
	}
	tx_run_or_reply(req, act_tx, &a);
}

/* The owner sees every challenge; an applicant the ones it filed; anyone else none. How many
 * were filed is public on the tender (challenges_count): that an award was challenged is public,
 * what was said is not. */
static int list_tx(tx *t, void *arg)
{
	const api_subpage *q = arg;
	db_res *r;
	int rc = tender_read_or_refuse(t, q->id, &r);
	if (rc)
		return rc;
	int owner = tender_owned(t->user, r, 0);
	db_res_free(r);
	long long filer = owner ? 0 : t->user && (t->user->role_bit & APP) ? t->user->id : -1;
	if (filer < 0) {
		tx_answer_list(t, NULL, NULL);
		return 0;
	}
	rc = db_query(t->c,
	              "SELECT " CHALLENGE_COLUMNS " FROM tender_challenges WHERE tender_id = ? AND id > ? "
	              "AND (? = 0 OR filer_id = ?) ORDER BY id LIMIT ?",
	              DBP(DBI(q->id), DBI(q->after), DBI(filer), DBI(filer), DBI(q->limit + 1)), &r);
	if (rc)
		return rc;
	tx_answer_rows(t, r, q->limit, challenge_json, CH_ID);
	db_res_free(r);
	return 0;
}

static void challenges_list(http_req *req)
{
	api_subpage_or_reply(req, list_tx);
}

const route award_routes[] = {
	{ "GET", "/api/v1/tenders/{id}/challenges", challenges_list, ROLES_PUBLIC, 0 },
	{ "POST", "/api/v1/tenders/{id}/challenges", challenges_post, APP, R_JSON | R_IDEMPOTENT | R_BODY_KIB(64) },
	{ "POST", "/api/v1/tenders/{id}/challenges/{cid}/answer", challenges_answer, PUR, R_JSON | R_BODY_KIB(64) },
	{ NULL, NULL, NULL, 0, 0 },
};
