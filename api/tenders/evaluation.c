/* evaluation.c — the result of a tender's evaluation (see evaluation.h): what it is read from,
 * when it is complete, the committee report, and GET /tenders/{id}/evaluation. */
#include "evaluation.h"
#include "committee.h"
#include "tender_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUR ROLE_PURCHASER
#define EVAL ROLE_EVALUATOR

void evaluation_result_free(eval_result *r)
{
	free(r->bids);
	r->bids = NULL;
	r->nbids = 0;
}

static int incomplete(eval_result *out, const char *why, int pending)
{
	snprintf(out->incomplete, sizeof out->incomplete, "%s", why);
	out->pending = pending;
	return EVAL_INCOMPLETE;
}

static int cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

/* The index of id in the sorted ids, or -1. */
static int find(const long long *ids, int n, long long id)
{
	const long long *p = bsearch(&id, ids, (size_t)n, sizeof *ids, cmp_id);
	return p ? (int)(p - ids) : -1;
}

#define BIDS_SQL                                                                                                       \
	"SELECT ob.bid_id, ob.org_uscc, ob.price_fen, ob.valid, ob.abnormally_low, b.submitted_at, j.accepted "        \
	"FROM opening_bids ob JOIN bids b ON b.id = ob.bid_id LEFT JOIN bid_justifications j ON j.bid_id = ob.bid_id " \
	"WHERE ob.tender_id = ? ORDER BY ob.bid_id"
enum { EB_ID, EB_USCC, EB_PRICE, EB_VALID, EB_LOW, EB_SUBMITTED, EB_ACCEPTED };

int evaluation_result(db_conn *c, long long tender_id, eval_result *out)
{
	memset(out, 0, sizeof *out);
	out->tender_id = tender_id;
	db_res *tender = NULL, *members = NULL, *bids = NULL, *totals = NULL;
	long long *member_ids = NULL, *bid_ids = NULL;
	int *matrix = NULL;
	eval_bid_in *in_bids = NULL;
	eval_row *rows = NULL;
	int rc = db_query(c, "SELECT evaluation_method, price_points FROM tenders WHERE id = ?", DBP(DBI(tender_id)),
	                  &tender);
	if (rc)
		goto out;
	if (tender->nrows != 1) {
		rc = incomplete(out, "no_committee", 0);
		goto out;
	}
	out->method = !strcmp(db_val(tender, 0, 0), "lowest_price") ? EVAL_LOWEST_PRICE : EVAL_COMPREHENSIVE;
	if ((rc = db_query(c,
	                   "SELECT user_id, recused, submitted_at IS NOT NULL FROM committee_members "
	                   "WHERE tender_id = ? AND removed_at IS NULL ORDER BY user_id",
	                   DBP(DBI(tender_id)), &members)))
		goto out;
	int nm = members->nrows, recused = 0, pending = 0;
	for (int i = 0; i < nm; i++) {
		recused += db_int(members, i, 1) != 0;
		pending += db_int(members, i, 2) == 0;
	}
	if (!nm) {
		rc = incomplete(out, "no_committee", 0);
		goto out;
	}
	if (recused) {
		rc = incomplete(out, "recused_not_replaced", recused);
		goto out;
	}
	if (pending) {
		rc = incomplete(out, "sheets_pending", pending);
		goto out;
	}
	if ((rc = db_query(c, BIDS_SQL, DBP(DBI(tender_id)), &bids)))
		goto out;
	int nb = bids->nrows;
	for (int i = 0; i < nb; i++)
		pending += db_int(bids, i, EB_VALID) && db_int(bids, i, EB_LOW) && db_isnull(bids, i, EB_ACCEPTED);
	if (pending) {
		rc = incomplete(out, "justification_pending", pending);
		goto out;
	}
	rc = DB_ERROR;
	size_t nbz = nb ? (size_t)nb : 1;
	if (!(member_ids = calloc((size_t)nm, sizeof *member_ids)) || !(bid_ids = calloc(nbz, sizeof *bid_ids)) ||
	    !(matrix = calloc(nbz * (size_t)nm, sizeof *matrix)) || !(in_bids = calloc(nbz, sizeof *in_bids)) ||
	    !(rows = calloc(nbz, sizeof *rows)) || !(out->bids = calloc(nbz, sizeof *out->bids)))
		goto out;
	for (int i = 0; i < nm; i++)
		member_ids[i] = db_int(members, i, 0);
	for (int i = 0; i < nb; i++)
		bid_ids[i] = db_int(bids, i, EB_ID);
	/* Each member's criterion total per bid (kept with the scores); the entries of members taken
	 * off the committee are not among member_ids and stay out. */
	if ((rc = db_query(c, "SELECT user_id, bid_id, total_tenths FROM evaluation_entries WHERE tender_id = ?",
	                   DBP(DBI(tender_id)), &totals)))
		goto out;
	for (int i = 0; i < totals->nrows; i++) {
		int b = find(bid_ids, nb, db_int(totals, i, 1)), m = find(member_ids, nm, db_int(totals, i, 0));
		if (b >= 0 && m >= 0)
			matrix[(size_t)b * (size_t)nm + (size_t)m] = (int)db_int(totals, i, 2);
	}
	for (int i = 0; i < nb; i++) {
		usec_t at = 0;
		clock_parse(db_val(bids, i, EB_SUBMITTED), &at);
		int rejected =
		        db_int(bids, i, EB_LOW) && !db_isnull(bids, i, EB_ACCEPTED) && !db_int(bids, i, EB_ACCEPTED);
		in_bids[i] = (eval_bid_in){
			.bid_id = bid_ids[i],
			.price_fen = db_isnull(bids, i, EB_PRICE) ? -1 : db_int(bids, i, EB_PRICE),
			.submitted_us = (long long)at,
			.valid = db_int(bids, i, EB_VALID) && !rejected && !db_isnull(bids, i, EB_PRICE),
			.member_tenths = &matrix[(size_t)i * (size_t)nm],
		};
	}
	eval_in in = {
		.method = out->method,
		.price_points = db_int(tender, 0, 1),
		.nmembers = nm,
		.trim = rule(RULE_evaluation_trim) != 0,
		.trim_min = (int)rule(RULE_trim_min_members),
		.nbids = nb,
		.bids = in_bids,
	};
	if (eval_compute(&in, rows, &out->trimmed) < 0) {
		rc = DB_ERROR;
		goto out;
	}
	out->nmembers = nm;
	out->nbids = nb;
	for (int i = 0; i < nb; i++) {
		eval_bid *e = &out->bids[i];
		const eval_row *r = &rows[i];
		e->bid_id = r->bid_id;
		snprintf(e->org_uscc, sizeof e->org_uscc, "%s", db_val(bids, r->index, EB_USCC));
		e->price_fen = r->price_fen;
		e->valid = r->valid;
		e->rank = r->rank;
		e->criteria_c = r->criteria_c;
		e->price_c = r->price_c;
		e->total_c = r->total_c;
	}
	rc = 0;
out:
	if (rc)
		evaluation_result_free(out);
	free(member_ids);
	free(bid_ids);
	free(matrix);
	free(in_bids);
	free(rows);
	db_res_free(tender);
	db_res_free(members);
	db_res_free(bids);
	db_res_free(totals);
	return rc;
}

/* Hundredths as a JSON number: exact in decimal text (cJSON prints the shortest that reads back). */
static cJSON *points(long long c)
{
	return c < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)c / 100.0);
}

cJSON *evaluation_json(const eval_result *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "tender_id", (double)r->tender_id);
	cJSON_AddStringToObject(o, "evaluation_method",
	                        r->method == EVAL_LOWEST_PRICE ? "lowest_price" : "comprehensive");
	cJSON_AddBoolToObject(o, "trimmed", r->trimmed);
	cJSON_AddNumberToObject(o, "members", r->nmembers);
	cJSON_AddStringToObject(o, "rounding", "half_up_hundredths");
	cJSON *a = cJSON_AddArrayToObject(o, "bids");
	for (int i = 0; i < r->nbids; i++) {
		const eval_bid *b = &r->bids[i];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "bid_id", (double)b->bid_id);
		cJSON_AddStringToObject(e, "org_uscc", b->org_uscc);
		if (b->price_fen >= 0)
			cJSON_AddNumberToObject(e, "price_fen", (double)b->price_fen);
		else
			cJSON_AddNullToObject(e, "price_fen");
		cJSON_AddItemToObject(e, "criteria_score", points(b->criteria_c));
		cJSON_AddItemToObject(e, "price_score", points(b->price_c));
		cJSON_AddItemToObject(e, "total", points(b->total_c));
		if (b->rank)
			cJSON_AddNumberToObject(e, "rank", b->rank);
		else
			cJSON_AddNullToObject(e, "rank");
		cJSON_AddBoolToObject(e, "valid", b->valid);
		cJSON_AddItemToArray(a, e);
	}
	return o;
}

int evaluation_complete_if_ready(tx *t, long long tender_id, int *completed)
{
	if (completed)
		*completed = 0;
	int done = committee_evaluation_done(t->c, tender_id);
	if (done)
		return done < 0 ? done : 0;
	eval_result res;
	int rc = evaluation_result(t->c, tender_id, &res);
	if (rc) {
		evaluation_result_free(&res);
		return rc == EVAL_INCOMPLETE ? 0 : rc;
	}
	cJSON *report = evaluation_json(&res);
	evaluation_result_free(&res);
	usec_t now = clock_now();
	char now_s[32], now_db[32], sha[CRYPTO_SHA256_HEX_LEN + 1];
	clock_fmt(now, now_s);
	clock_fmt_db(now, now_db);
	cJSON_AddStringToObject(report, "completed_at", now_s);
	char *text = json_print(report);
	rc = DB_ERROR;
	if (!text)
		goto out;
	crypto_sha256_hex(text, strlen(text), sha);
	rc = db_exec(
	        t->c,
	        "INSERT INTO tender_evaluations (tender_id, completed_at, report, report_sha256) VALUES (?, ?, ?, ?)",
	        DBP(DBI(tender_id), DBS(now_db), DBS(text), DBS(sha)), NULL, NULL);
	if (rc)
		goto out;
	/* The committee report belongs to the audit trail (SPEC §6): the result and its digest. */
	cJSON_AddStringToObject(report, "report_sha256", sha);
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", tender_id);
	if ((rc = audit_append(t->c, t->user, "evaluation.report", "tender", ids, report)))
		goto out;
	if (completed)
		*completed = 1;
out:
	free(text);
	cJSON_Delete(report);
	return rc;
}

/* --- GET /tenders/{id}/evaluation ------------------------------------------------------------- */

static int get_tx(tx *t, void *arg)
{
	long long id = *(const long long *)arg;
	member_ctx m;
	eval_result res = { 0 };
	int rc = committee_tender_or_refuse(t, id, 0, &m);
	if (rc)
		goto out;
	if (!m.member && !tender_owned(t->user, m.tender, 0)) {
		rc = tx_refuse(t, 403, (t->user->role_bit & PUR) ? "not_tender_owner" : "not_committee_member",
		               "only the purchaser of this tender and its committee see the evaluation");
		goto out;
	}
	rc = evaluation_result(t->c, id, &res);
	if (rc == EVAL_INCOMPLETE) {
		rc = tx_refuse(t, 409, "evaluation_incomplete", "the evaluation of this tender is not complete (%s)",
		               res.incomplete);
		tx_problem_add(t, "reason", cJSON_CreateString(res.incomplete));
		tx_problem_add(t, "pending", cJSON_CreateNumber(res.pending));
		goto out;
	}
	if (rc)
		goto out;
	db_res *r;
	if ((rc = db_query(t->c, "SELECT completed_at, report_sha256 FROM tender_evaluations WHERE tender_id = ?",
	                   DBP(DBI(id)), &r)))
		goto out;
	cJSON *o = evaluation_json(&res);
	api_add_time(o, "completed_at", r->nrows ? db_val(r, 0, 0) : NULL);
	json_add_str_or_null(o, "report_sha256", r->nrows ? db_val(r, 0, 1) : NULL);
	db_res_free(r);
	tx_answer(t, 200, o, 0);
out:
	evaluation_result_free(&res);
	member_ctx_free(&m);
	return rc;
}

static void evaluation_get(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, get_tx, &id);
}

const route evaluation_routes[] = {
	{ "GET", "/api/v1/tenders/{id}/evaluation", evaluation_get, PUR | EVAL, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
