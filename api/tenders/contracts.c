/* contracts.c — the contract that completes a tender and the performance reviews of it (SPEC §6
 * "Award and after", Appendix B):
 *
 *   POST /tenders/{id}/contract {amount_fen, start, end, reason}  owner; active.contracting (409
 *        challenge_period during the challenge period), no open challenge (409 open_challenge),
 *        within contract_within_days calendar days of the award's day (409 contract_period_over
 *        after); 1 ≤ amount ≤ the awarded price (422 amount_above_award); start ≤ end; the term
 *        (start to end, both days counted) at most contract_max_years, or
 *        contract_max_years_reasoned with a reason (422 term_needs_reason, term_too_long) →
 *        201 {id, tender_id, org_uscc, amount_fen, start, end, …} and the tender complete.
 *   GET /contracts/{id}                             public summary.
 *   POST /contracts/{id}/performance {score, dimensions, summary}  the owner of the contract's
 *        tender → 201 the review, with the performance credit event of the supplier made in the
 *        same transaction (credit_event_performance). */
#include "award.h"
#include "credit.h"
#include "tender_flow.h"
#include "uscc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUR ROLE_PURCHASER

enum {
	REVIEW_SUMMARY_MAX_CHARS = 4000,
	REVIEW_DIMENSIONS_MAX = 20,
	REVIEW_DIMENSION_NAME_MAX = 64,
	SCORE_MAX = 100,
};

#define CONTRACT_COLUMNS                                                                                               \
	"c.id, c.tender_id, c.bid_id, c.org_uscc, c.amount_fen, c.start_on, c.end_on, c.reason, c.created_at, "        \
	"t.award_org_name, t.purchaser_id, t.title"
enum {
	CT_ID,
	CT_TENDER,
	CT_BID,
	CT_USCC,
	CT_AMOUNT,
	CT_START,
	CT_END,
	CT_REASON,
	CT_CREATED,
	CT_NAME,
	CT_PURCHASER,
	CT_TITLE
};

static cJSON *contract_json(const db_res *r, int row)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(r, row, CT_ID));
	cJSON_AddNumberToObject(o, "tender_id", (double)db_int(r, row, CT_TENDER));
	json_add_str_or_null(o, "tender_title", db_val(r, row, CT_TITLE));
	cJSON_AddNumberToObject(o, "bid_id", (double)db_int(r, row, CT_BID));
	cJSON_AddStringToObject(o, "org_uscc", db_val(r, row, CT_USCC));
	json_add_str_or_null(o, "org_name", db_val(r, row, CT_NAME));
	cJSON_AddNumberToObject(o, "amount_fen", (double)db_int(r, row, CT_AMOUNT));
	cJSON_AddStringToObject(o, "start", db_val(r, row, CT_START));
	cJSON_AddStringToObject(o, "end", db_val(r, row, CT_END));
	json_add_str_or_null(o, "reason", db_val(r, row, CT_REASON));
	api_add_time(o, "signed_at", db_val(r, row, CT_CREATED));
	return o;
}

#define CONTRACT_FROM " FROM contracts c JOIN tenders t ON t.id = c.tender_id "
static const char contract_by_id[] = "SELECT " CONTRACT_COLUMNS CONTRACT_FROM "WHERE c.id = ?";
static const char contract_by_tender[] = "SELECT " CONTRACT_COLUMNS CONTRACT_FROM "WHERE c.tender_id = ?";

static int contract_read(db_conn *c, const char *sql, long long id, db_res **out)
{
	return db_query(c, sql, DBP(DBI(id)), out);
}

int contract_of_tender(db_conn *c, long long tender_id, cJSON **out)
{
	*out = NULL;
	db_res *r;
	int rc = contract_read(c, contract_by_tender, tender_id, &r);
	if (rc)
		return rc;
	if (r->nrows == 1)
		*out = contract_json(r, 0);
	db_res_free(r);
	return 0;
}

/* --- the contract: the tender's last move ----------------------------------------------------- */

int contract_effect(fsm_run *run)
{
	tx *t = run->t;
	tender_args *a = run->arg;
	long long open = 0;
	int rc = award_open_challenges(t->c, run->id, &open);
	if (rc)
		return rc;
	if (open)
		return tx_refuse(t, 409, "open_challenge", "%lld challenge(s) of the award are not answered yet", open);
	usec_t awarded = 0;
	clock_parse(db_val(run->row, 0, TC_AWARDED), &awarded);
	int64_t today = clock_local_day(clock_now()), award_day = clock_local_day(awarded);
	if (today - award_day > rule(RULE_contract_within_days))
		return tx_refuse(t, 409, "contract_period_over",
		                 "the contract is signed within %lld days of the award (awarded on day %lld of them)",
		                 (long long)rule(RULE_contract_within_days), (long long)(today - award_day));
	if (a->amount_fen > db_int(run->row, 0, TC_AWARD_PRICE)) {
		verr v = { 0 };
		verr_add(&v, "amount_fen", "amount_above_award", "the amount exceeds the awarded price of %lld fen",
		         db_int(run->row, 0, TC_AWARD_PRICE));
		return tx_refuse_fields(t, 422, "validation_failed", "the contract is not valid", &v);
	}
	char now[32], start[16], end[16];
	clock_fmt_db(clock_now(), now);
	clock_fmt_date(a->start, start);
	clock_fmt_date(a->end, end);
	unsigned long long id = 0;
	rc = db_exec(t->c,
	             "INSERT INTO contracts (tender_id, bid_id, org_uscc, amount_fen, start_on, end_on, reason, "
	             "signed_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	             DBP(DBI(run->id), DBI(db_int(run->row, 0, TC_AWARD_BID)), DBS(db_val(run->row, 0, TC_AWARD_USCC)),
	                 DBI(a->amount_fen), DBS(start), DBS(end), a->reason ? DBS(a->reason) : DBNULL,
	                 DBI(t->user->id), DBS(now)),
	             NULL, &id);
	a->result_id = (long long)id;
	cJSON_AddNumberToObject(run->summary, "contract_id", (double)id);
	cJSON_AddStringToObject(run->summary, "org_uscc", db_val(run->row, 0, TC_AWARD_USCC));
	cJSON_AddNumberToObject(run->summary, "amount_fen", (double)a->amount_fen);
	cJSON_AddStringToObject(run->summary, "start", start);
	cJSON_AddStringToObject(run->summary, "end", end);
	json_add_str_or_null(run->summary, "reason", a->reason);
	return rc;
}

typedef struct contract_call {
	long long tender;
	tender_args args;
} contract_call;

static int contract_tx(tx *t, void *arg)
{
	contract_call *a = arg;
	int rc = fsm_exec(t, &tender_flow, a->tender, TA_contract, &a->args, NULL);
	if (rc)
		return rc;
	db_res *r;
	if ((rc = contract_read(t->c, contract_by_id, a->args.result_id, &r)))
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return DB_ERROR;
	}
	tx_answer(t, 201, contract_json(r, 0), 0);
	db_res_free(r);
	return 0;
}

/* A date member "YYYY-MM-DD", required. */
static int get_day(const cJSON *b, const char *key, int64_t *day, verr *v)
{
	const char *s = NULL;
	if (json_get_str(b, key, &s, v, key, JSON_REQUIRED, 10, 10) != 1)
		return -1;
	if (clock_parse_date(s, day) < 0) {
		verr_add(v, key, "invalid_date", "%s must be a date YYYY-MM-DD", key);
		return -1;
	}
	return 0;
}

static void contract_post(http_req *req)
{
	static const char *const fields[] = { "amount_fen", "start", "end", "reason", NULL };
	contract_call a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0)
		return;
	const cJSON *b = req->json;
	verr v = { 0 };
	json_only_fields(b, fields, &v, NULL);
	json_get_int(b, "amount_fen", &a.args.amount_fen, &v, "amount_fen", JSON_REQUIRED, 1, JSON_FEN_MAX);
	if (json_get_str(b, "reason", &a.args.reason, &v, "reason", JSON_OPTIONAL, 1, TENDER_TEXT_MAX_CHARS) == 1 &&
	    json_blank(a.args.reason))
		a.args.reason = NULL;
	int dates = get_day(b, "start", &a.args.start, &v) == 0;
	dates &= get_day(b, "end", &a.args.end, &v) == 0;
	if (dates) {
		/* The term counts both its first and its last day: 2027-01-01 to 2027-12-31 is one year. */
		int64_t plain = clock_add_months(a.args.start, 12 * (int)rule(RULE_contract_max_years)) - 1;
		int64_t reasoned = clock_add_months(a.args.start, 12 * (int)rule(RULE_contract_max_years_reasoned)) - 1;
		if (a.args.end < a.args.start)
			verr_add(&v, "end", "end_before_start", "the contract ends before it starts");
		else if (a.args.end > reasoned)
			verr_add(&v, "end", "term_too_long", "a contract runs at most %lld years",
			         (long long)rule(RULE_contract_max_years_reasoned));
		else if (a.args.end > plain && !a.args.reason)
			verr_add(&v, "reason", "term_needs_reason", "a term over %lld year(s) needs a reason",
			         (long long)rule(RULE_contract_max_years));
	}
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the contract is not valid", &v);
		return;
	}
	tx_run_or_reply(req, contract_tx, &a);
}

static int get_tx(tx *t, void *arg)
{
	const long long *id = arg;
	db_res *r;
	int rc = contract_read(t->c, contract_by_id, *id, &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such contract");
	}
	tx_answer(t, 200, contract_json(r, 0), 0);
	db_res_free(r);
	return 0;
}

static void contract_get(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, get_tx, &id);
}

/* --- performance ------------------------------------------------------------------------------ */

typedef struct review_args {
	long long contract;
	long long score;
	const cJSON *dimensions;
	const char *summary;
} review_args;

static int review_tx(tx *t, void *arg)
{
	const review_args *a = arg;
	db_res *r;
	int rc = db_query(t->c, "SELECT " CONTRACT_COLUMNS CONTRACT_FROM "WHERE c.id = ? FOR UPDATE",
	                  DBP(DBI(a->contract)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such contract");
	}
	int owner = db_int(r, 0, CT_PURCHASER) == t->user->id;
	char uscc[USCC_LEN + 1];
	snprintf(uscc, sizeof uscc, "%s", db_val(r, 0, CT_USCC));
	db_res_free(r);
	if (!owner)
		return tx_refuse(t, 403, "not_tender_owner", "only the purchaser of the contract's tender reviews it");
	cJSON *event = NULL;
	if ((rc = credit_event_performance(t, uscc, a->contract, (int)a->score, a->summary, &event)))
		return rc;
	char *dims = json_print(a->dimensions);
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long id = 0;
	rc = dims ? db_exec(t->c,
	                    "INSERT INTO contract_reviews (contract_id, score, dimensions, summary, credit_event_id, "
	                    "reviewer_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                    DBP(DBI(a->contract), DBI(a->score), DBS(dims), DBS(a->summary),
	                        DBI((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(event, "id"))),
	                        DBI(t->user->id), DBS(now)),
	                    NULL, &id)
	          : DB_ERROR;
	free(dims);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddNumberToObject(o, "contract_id", (double)a->contract);
	cJSON_AddStringToObject(o, "org_uscc", uscc);
	cJSON_AddNumberToObject(o, "score", (double)a->score);
	cJSON_AddItemToObject(o, "dimensions", cJSON_Duplicate(a->dimensions, 1));
	cJSON_AddStringToObject(o, "summary", a->summary);
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", a->contract);
	if (!rc) {
		cJSON *s = cJSON_Duplicate(o, 1);
		cJSON_AddNumberToObject(s, "credit_event_id", cJSON_GetNumberValue(cJSON_GetObjectItem(event, "id")));
		rc = audit_append(t->c, t->user, "contract.performance", "contract", ids, s);
		cJSON_Delete(s);
	}
	if (rc) {
		cJSON_Delete(o);
		cJSON_Delete(event);
		return rc;
	}
	char at[32];
	clock_fmt(clock_now(), at);
	cJSON_AddStringToObject(o, "created_at", at);
	cJSON_AddItemToObject(o, "credit_event", event);
	tx_answer(t, 201, o, 0);
	return 0;
}

static void performance_post(http_req *req)
{
	static const char *const fields[] = { "score", "dimensions", "summary", NULL };
	review_args a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.contract) < 0)
		return;
	const cJSON *b = req->json;
	verr v = { 0 };
	json_only_fields(b, fields, &v, NULL);
	json_get_int(b, "score", &a.score, &v, "score", JSON_REQUIRED, 0, SCORE_MAX);
	if (json_get_object(b, "dimensions", &a.dimensions, &v, "dimensions", JSON_REQUIRED) == 1) {
		int n = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, a.dimensions) {
			char f[96];
			snprintf(f, sizeof f, "dimensions.%.*s", REVIEW_DIMENSION_NAME_MAX, it->string);
			long long x;
			if (++n > REVIEW_DIMENSIONS_MAX) {
				verr_add(&v, "dimensions", "too_many", "at most %d dimensions", REVIEW_DIMENSIONS_MAX);
				break;
			}
			if (!*it->string || strlen(it->string) > REVIEW_DIMENSION_NAME_MAX ||
			    !json_text_clean(it->string, 1))
				verr_add(&v, f, "invalid_name", "a dimension is named by 1–%d visible characters",
				         REVIEW_DIMENSION_NAME_MAX);
			else
				json_get_int(a.dimensions, it->string, &x, &v, f, JSON_REQUIRED, 0, SCORE_MAX);
		}
	}
	if (json_get_str(b, "summary", &a.summary, &v, "summary", JSON_REQUIRED, 1, REVIEW_SUMMARY_MAX_CHARS) == 1 &&
	    json_blank(a.summary))
		verr_add(&v, "summary", "required", "summary must not be blank");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the performance review is not valid", &v);
		return;
	}
	tx_run_or_reply(req, review_tx, &a);
}

const route contracts_routes[] = {
	{ "POST", "/api/v1/tenders/{id}/contract", contract_post, PUR, R_JSON | R_IDEMPOTENT | R_BODY_KIB(16) },
	{ "GET", "/api/v1/contracts/{id}", contract_get, ROLES_PUBLIC, 0 },
	{ "POST", "/api/v1/contracts/{id}/performance", performance_post, PUR, R_JSON | R_IDEMPOTENT | R_BODY_KIB(64) },
	{ NULL, NULL, NULL, 0, 0 },
};
