/* scores.c — the members' score sheets (SPEC §6, Appendix B):
 *
 *   PUT  /tenders/{id}/scores/{bid_id} {scores: {criterion: points}, comment}   a member who has
 *        declared and is not recused, until the sheet is submitted: the bid's scores on the sheet
 *        are replaced by these (each 0..max_points with at most one decimal, stored as tenths;
 *        a bid valid at the opening and not made invalid by a rejected justification).
 *   POST /tenders/{id}/scoresheet/submit   locks the sheet: 409 sheet_incomplete (with missing)
 *        unless every scored bid has every criterion; completes the evaluation when it is the last.
 *   GET  /tenders/{id}/scoresheet          the caller's own sheet.
 *   GET  /tenders/{id}/scoresheets         the submitted sheets, blind: to a member once its own
 *        sheet is submitted, to the purchaser once every sheet is (409 scores_hidden before).
 *
 * Every write takes the tender's row for update first, so the last two sheets submitted at once
 * queue, and the second sees the first and writes the report. */
#include "committee.h"
#include "evaluation.h"
#include "tender_flow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUR ROLE_PURCHASER
#define EVAL ROLE_EVALUATOR

/* Tenths as a JSON number (one decimal, exact in decimal text). */
static cJSON *tenths_json(long long t)
{
	return cJSON_CreateNumber((double)t / 10.0);
}

static int criterion_id_ok(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* The sheet of user on tender: {user_id, declared, recused, submitted_at, bids: [{bid_id, scores,
 * comment, total}]}. */
static int sheet_json(db_conn *c, long long tender_id, const db_res *member, long long only_bid, cJSON **out)
{
	long long user = db_int(member, 0, MC_USER);
	db_res *s = NULL, *cm = NULL;
	int rc = db_query(c,
	                  "SELECT bid_id, criterion, tenths FROM evaluation_scores WHERE tender_id = ? AND user_id = ? "
	                  "AND (? = 0 OR bid_id = ?) ORDER BY bid_id, criterion",
	                  DBP(DBI(tender_id), DBI(user), DBI(only_bid), DBI(only_bid)), &s);
	if (!rc)
		rc = db_query(c,
		              "SELECT bid_id, comment FROM evaluation_entries WHERE tender_id = ? AND user_id = ? "
		              "AND (? = 0 OR bid_id = ?) ORDER BY bid_id",
		              DBP(DBI(tender_id), DBI(user), DBI(only_bid), DBI(only_bid)), &cm);
	if (rc) {
		db_res_free(s);
		return rc;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "tender_id", (double)tender_id);
	cJSON_AddNumberToObject(o, "user_id", (double)user);
	cJSON_AddBoolToObject(o, "declared", !db_isnull(member, 0, MC_DECLARED));
	cJSON_AddBoolToObject(o, "recused", db_int(member, 0, MC_RECUSED) != 0);
	api_add_time(o, "submitted_at", db_val(member, 0, MC_SUBMITTED));
	cJSON *bids = cJSON_AddArrayToObject(o, "bids");
	int i = 0;
	for (int k = 0; k < cm->nrows; k++) {
		long long bid = db_int(cm, k, 0);
		cJSON *e = cJSON_CreateObject(), *sc = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "bid_id", (double)bid);
		long long total = 0;
		for (; i < s->nrows && db_int(s, i, 0) < bid; i++)
			;
		for (; i < s->nrows && db_int(s, i, 0) == bid; i++) {
			total += db_int(s, i, 2);
			cJSON_AddItemToObject(sc, db_val(s, i, 1), tenths_json(db_int(s, i, 2)));
		}
		cJSON_AddItemToObject(e, "scores", sc);
		cJSON_AddStringToObject(e, "comment", db_val(cm, k, 1));
		cJSON_AddItemToObject(e, "total", tenths_json(total));
		cJSON_AddItemToArray(bids, e);
	}
	db_res_free(s);
	db_res_free(cm);
	*out = o;
	return 0;
}

/* --- PUT /tenders/{id}/scores/{bid_id} ---------------------------------------------------------- */

typedef struct score_call {
	long long tender, bid;
	const cJSON *scores;
	const char *comment;
} score_call;

/* 0 when bid is one the committee scores on this tender; else the refusal. */
static int scored_bid_or_refuse(tx *t, long long tender_id, long long bid)
{
	db_res *r;
	int rc = db_query(t->c,
	                  "SELECT ob.valid, ob.abnormally_low, j.accepted FROM opening_bids ob LEFT JOIN "
	                  "bid_justifications j ON j.bid_id = ob.bid_id WHERE ob.bid_id = ? AND ob.tender_id = ?",
	                  DBP(DBI(bid), DBI(tender_id)), &r);
	if (rc)
		return rc;
	int found = r->nrows == 1, valid = found && db_int(r, 0, 0),
	    rejected = found && db_int(r, 0, 1) && !db_isnull(r, 0, 2) && !db_int(r, 0, 2);
	db_res_free(r);
	if (!found)
		return tx_refuse(t, 404, "not_found", "this tender's opening has no such bid");
	if (!valid)
		return tx_refuse(t, 409, "bid_invalid", "the bid was found invalid at the opening and is not scored");
	if (rejected)
		return tx_refuse(t, 409, "bid_invalid",
		                 "the bid's abnormally low price was not justified; it is not scored");
	return 0;
}

/* Each score against the tender's criteria: a known id, 0..max_points, at most one decimal. */
static void check_scores(const cJSON *criteria, const cJSON *scores, long long *tenths, verr *v)
{
	int i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, scores) {
		char f[64];
		int ok_name = criterion_id_ok(it->string);
		/* A key that is not a criterion's name is never echoed back. */
		if (ok_name)
			snprintf(f, sizeof f, "scores.%s", it->string);
		else
			snprintf(f, sizeof f, "scores");
		const cJSON *c = NULL, *k;
		cJSON_ArrayForEach(k, criteria) {
			const char *id = json_str_member(k, "id");
			if (id && !strcmp(id, it->string))
				c = k;
		}
		if (!c) {
			verr_add(v, f, "unknown_criterion", "the tender has no such criterion");
			i++;
			continue;
		}
		const cJSON *max = cJSON_GetObjectItemCaseSensitive(c, "max_points");
		double mx = cJSON_IsNumber(max) ? max->valuedouble : 0;
		if (!cJSON_IsNumber(it)) {
			verr_add(v, f, "type", "%s must be a number", f);
		} else if (it->valuedouble < 0 || it->valuedouble > mx) {
			verr_add(v, f, "out_of_range", "%s must be from 0 to %g", f, mx);
		} else {
			double x = it->valuedouble * 10;
			double r = nearbyint(x);
			if (fabs(x - r) > 1e-7)
				verr_add(v, f, "too_many_decimals", "%s is given with one decimal at most", f);
			else
				tenths[i] = (long long)r;
		}
		i++;
	}
}

static int score_tx(tx *t, void *arg)
{
	const score_call *a = arg;
	member_ctx m;
	long long tenths[TENDER_CRITERIA_MAX] = { 0 };
	verr v = { 0 };
	cJSON *criteria = NULL, *sheet = NULL;
	int rc = committee_tender_or_refuse(t, a->tender, 1, &m);
	if (!rc)
		rc = committee_member_or_refuse(t, &m, a->tender, 1);
	if (rc)
		goto out;
	if (m.submitted) {
		rc = tx_refuse(t, 409, "sheet_submitted", "your score sheet is submitted and locked");
		goto out;
	}
	if ((rc = scored_bid_or_refuse(t, a->tender, a->bid)))
		goto out;
	rc = DB_ERROR;
	if (!(criteria = cJSON_Parse(db_val(m.tender, 0, TC_CRITERIA))))
		goto out;
	if (cJSON_GetArraySize(a->scores) > TENDER_CRITERIA_MAX)
		verr_add(&v, "scores", "too_long", "the tender has %d criteria", cJSON_GetArraySize(criteria));
	else
		check_scores(criteria, a->scores, tenths, &v);
	if (v.count) {
		rc = tx_refuse_fields(t, 422, "validation_failed", "the scores are not valid", &v);
		goto out;
	}
	long long user = t->user->id;
	if ((rc = db_exec(t->c, "DELETE FROM evaluation_scores WHERE tender_id = ? AND user_id = ? AND bid_id = ?",
	                  DBP(DBI(a->tender), DBI(user), DBI(a->bid)), NULL, NULL)))
		goto out;
	int i = 0;
	long long total = 0;
	const cJSON *it;
	cJSON *names = cJSON_CreateArray();
	cJSON_ArrayForEach(it, a->scores) {
		cJSON_AddItemToArray(names, cJSON_CreateString(it->string));
		if (!rc)
			rc = db_exec(t->c,
			             "INSERT INTO evaluation_scores (tender_id, user_id, bid_id, criterion, tenths) "
			             "VALUES (?, ?, ?, ?, ?)",
			             DBP(DBI(a->tender), DBI(user), DBI(a->bid), DBS(it->string), DBI(tenths[i])), NULL,
			             NULL);
		total += tenths[i];
		i++;
	}
	char now[32];
	clock_fmt_db(clock_now(), now);
	if (!rc)
		rc = db_exec(t->c,
		             "INSERT INTO evaluation_entries (tender_id, user_id, bid_id, comment, total_tenths, "
		             "updated_at) "
		             "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE comment = VALUES(comment), "
		             "total_tenths = VALUES(total_tenths), updated_at = VALUES(updated_at)",
		             DBP(DBI(a->tender), DBI(user), DBI(a->bid), DBS(a->comment), DBI(total), DBS(now)), NULL,
		             NULL);
	/* Audited without the points: a sheet is the member's alone until submitted. */
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "bid_id", (double)a->bid);
	cJSON_AddItemToObject(s, "criteria", names);
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", a->tender);
	if (!rc)
		rc = audit_append(t->c, t->user, "evaluation.score", "tender", ids, s);
	cJSON_Delete(s);
	if (rc || (rc = sheet_json(t->c, a->tender, m.member, a->bid, &sheet)))
		goto out;
	cJSON *bids = cJSON_GetObjectItemCaseSensitive(sheet, "bids");
	tx_answer(t, 200, cJSON_DetachItemFromArray(bids, 0), 0);
out:
	verr_free(&v);
	cJSON_Delete(criteria);
	cJSON_Delete(sheet);
	member_ctx_free(&m);
	return rc;
}

static const char *const score_fields[] = { "scores", "comment", NULL };

static void scores_put(http_req *req)
{
	score_call a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0 || api_id_param_or_reply(req, "bid_id", &a.bid) < 0)
		return;
	verr v = { 0 };
	json_only_fields(req->json, score_fields, &v, NULL);
	if (json_get_object(req->json, "scores", &a.scores, &v, "scores", JSON_REQUIRED) == 1 &&
	    !cJSON_GetArraySize(a.scores))
		verr_add(&v, "scores", "required", "scores must name at least one criterion");
	/* SPEC §6: each member scores each bid with a comment. */
	if (json_get_str(req->json, "comment", &a.comment, &v, "comment", JSON_REQUIRED, 1, COMMITTEE_TEXT_MAX_CHARS) ==
	            1 &&
	    json_blank(a.comment))
		verr_add(&v, "comment", "required", "comment must say something");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the scores are not valid", &v);
		return;
	}
	tx_run_or_reply(req, score_tx, &a);
}

/* --- POST /tenders/{id}/scoresheet/submit -------------------------------------------------------- */

static int submit_tx(tx *t, void *arg)
{
	long long tender = *(const long long *)arg;
	member_ctx m;
	cJSON *criteria = NULL, *missing = NULL, *sheet = NULL;
	db_res *bids = NULL, *have = NULL;
	int rc = committee_tender_or_refuse(t, tender, 1, &m);
	if (!rc)
		rc = committee_member_or_refuse(t, &m, tender, 1);
	if (rc)
		goto out;
	if (m.submitted) {
		rc = tx_refuse(t, 409, "sheet_submitted", "your score sheet is submitted already");
		goto out;
	}
	rc = DB_ERROR;
	if (!(criteria = cJSON_Parse(db_val(m.tender, 0, TC_CRITERIA))))
		goto out;
	if ((rc = db_query(t->c, COMMITTEE_SCORED_BIDS, DBP(DBI(tender)), &bids)) ||
	    (rc = db_query(t->c,
	                   "SELECT s.bid_id, s.criterion FROM evaluation_scores s JOIN evaluation_entries c "
	                   "ON c.tender_id = s.tender_id AND c.user_id = s.user_id AND c.bid_id = s.bid_id "
	                   "WHERE s.tender_id = ? AND s.user_id = ?",
	                   DBP(DBI(tender), DBI(t->user->id)), &have)))
		goto out;
	/* Every scored bid, every criterion. */
	missing = cJSON_CreateArray();
	for (int b = 0; b < bids->nrows; b++) {
		long long bid = db_int(bids, b, 0);
		cJSON *lacks = cJSON_CreateArray();
		const cJSON *c;
		cJSON_ArrayForEach(c, criteria) {
			const char *id = json_str_member(c, "id");
			int found = 0;
			for (int k = 0; k < have->nrows && !found && id; k++)
				found = db_int(have, k, 0) == bid && !strcmp(db_val(have, k, 1), id);
			if (!found && id)
				cJSON_AddItemToArray(lacks, cJSON_CreateString(id));
		}
		if (cJSON_GetArraySize(lacks)) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "bid_id", (double)bid);
			cJSON_AddItemToObject(e, "criteria", lacks);
			cJSON_AddItemToArray(missing, e);
		} else {
			cJSON_Delete(lacks);
		}
	}
	if (cJSON_GetArraySize(missing)) {
		rc = tx_refuse(t, 409, "sheet_incomplete",
		               "score every criterion of every valid bid before submitting");
		tx_problem_add(t, "missing", missing);
		missing = NULL;
		goto out;
	}
	char now[32];
	clock_fmt_db(clock_now(), now);
	if ((rc = db_exec(t->c, "UPDATE committee_members SET submitted_at = ? WHERE tender_id = ? AND user_id = ?",
	                  DBP(DBS(now), DBI(tender), DBI(t->user->id)), NULL, NULL)))
		goto out;
	db_res_free(m.member);
	m.member = NULL;
	if ((rc = db_query(t->c, "SELECT " MEMBER_COLUMNS " FROM committee_members WHERE tender_id = ? AND user_id = ?",
	                   DBP(DBI(tender), DBI(t->user->id)), &m.member)) ||
	    (rc = sheet_json(t->c, tender, m.member, 0, &sheet)))
		goto out;
	/* The sheet, locked, with its points: the audit keeps what the member submitted. */
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", tender);
	if ((rc = audit_append(t->c, t->user, "evaluation.sheet_submit", "tender", ids, sheet)))
		goto out;
	int completed = 0;
	if ((rc = evaluation_complete_if_ready(t, tender, &completed)))
		goto out;
	cJSON_AddBoolToObject(sheet, "evaluation_complete", completed);
	tx_answer(t, 200, sheet, 0);
	sheet = NULL;
out:
	cJSON_Delete(criteria);
	cJSON_Delete(missing);
	cJSON_Delete(sheet);
	db_res_free(bids);
	db_res_free(have);
	member_ctx_free(&m);
	return rc;
}

static void scoresheet_submit(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_run_or_reply(req, submit_tx, &id);
}

/* --- reading sheets ------------------------------------------------------------------------------- */

static int own_tx(tx *t, void *arg)
{
	long long tender = *(const long long *)arg;
	member_ctx m;
	cJSON *sheet = NULL;
	int rc = committee_tender_or_refuse(t, tender, 0, &m);
	if (!rc && !m.member)
		rc = tx_refuse(t, 403, "not_committee_member",
		               "you are not on the evaluation committee of this tender");
	if (!rc && !(rc = sheet_json(t->c, tender, m.member, 0, &sheet)))
		tx_answer(t, 200, sheet, 0);
	member_ctx_free(&m);
	return rc;
}

static void scoresheet_get(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, own_tx, &id);
}

/* SPEC §6: no member sees another's scores before submitting its own; the purchaser sees none
 * until all are in. */
static int all_tx(tx *t, void *arg)
{
	long long tender = *(const long long *)arg;
	member_ctx m;
	db_res *r = NULL;
	int rc = committee_tender_or_refuse(t, tender, 0, &m);
	if (rc)
		goto out;
	int owner = tender_owned(t->user, m.tender, 0);
	if (!m.member && !owner) {
		rc = tx_refuse(t, 403, (t->user->role_bit & PUR) ? "not_tender_owner" : "not_committee_member",
		               "only the purchaser of this tender and its committee see score sheets");
		goto out;
	}
	if ((rc = db_query(t->c,
	                   "SELECT " MEMBER_COLUMNS
	                   " FROM committee_members WHERE tender_id = ? AND removed_at IS NULL "
	                   "ORDER BY user_id",
	                   DBP(DBI(tender)), &r)))
		goto out;
	int pending = 0;
	for (int i = 0; i < r->nrows; i++)
		pending += db_isnull(r, i, MC_SUBMITTED) != 0;
	if (m.member ? !m.submitted : (pending || !r->nrows)) {
		rc = tx_refuse(t, 409, "scores_hidden",
		               m.member ? "other members' scores are shown once your own sheet is submitted"
		                        : "the score sheets are shown once every member has submitted");
		goto out;
	}
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < r->nrows && !rc; i++) {
		if (db_isnull(r, i, MC_SUBMITTED))
			continue;
		db_res *row;
		if ((rc = db_query(t->c,
		                   "SELECT " MEMBER_COLUMNS
		                   " FROM committee_members WHERE tender_id = ? AND user_id = ?",
		                   DBP(DBI(tender), DBI(db_int(r, i, MC_USER))), &row)))
			break;
		cJSON *s = NULL;
		rc = sheet_json(t->c, tender, row, 0, &s);
		db_res_free(row);
		if (!rc)
			cJSON_AddItemToArray(a, s);
	}
	if (rc) {
		cJSON_Delete(a);
		goto out;
	}
	tx_answer_list(t, a, NULL);
out:
	db_res_free(r);
	member_ctx_free(&m);
	return rc;
}

static void scoresheets_get(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, all_tx, &id);
}

const route scores_routes[] = {
	{ "PUT", "/api/v1/tenders/{id}/scores/{bid_id}", scores_put, EVAL, R_JSON | R_BODY_KIB(16) },
	{ "POST", "/api/v1/tenders/{id}/scoresheet/submit", scoresheet_submit, EVAL, R_JSON_OPT | R_BODY_KIB(1) },
	{ "GET", "/api/v1/tenders/{id}/scoresheet", scoresheet_get, EVAL, 0 },
	{ "GET", "/api/v1/tenders/{id}/scoresheets", scoresheets_get, PUR | EVAL, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
