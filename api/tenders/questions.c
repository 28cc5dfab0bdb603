/* questions.c — a tender's enquiries (SPEC §6, Appendix B): during the enquiry period any
 * signed-in applicant asks, the purchaser answers until the bid deadline, and everyone reads the
 * questions and answers — never who asked. Asking and answering are actions of the tender
 * workflow (tender_flow.c), so they see the tender's state as its timers make it and bump its
 * version; this file is their HTTP side and the public list. */
#include "tenders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUR ROLE_PURCHASER
#define APP ROLE_APPLICANT

#define QUESTION_COLUMNS "id, tender_id, question, asked_at, answer, answered_at"
enum question_col { QC_ID, QC_TENDER, QC_QUESTION, QC_ASKED, QC_ANSWER, QC_ANSWERED };

/* A question as the public sees it: the asker is never selected, so never shown. */
static cJSON *question_json(const db_res *r, int row)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(r, row, QC_ID));
	cJSON_AddNumberToObject(o, "tender_id", (double)db_int(r, row, QC_TENDER));
	cJSON_AddStringToObject(o, "question", db_val(r, row, QC_QUESTION));
	api_add_time(o, "asked_at", db_val(r, row, QC_ASKED));
	json_add_str_or_null(o, "answer", db_val(r, row, QC_ANSWER));
	api_add_time(o, "answered_at", db_val(r, row, QC_ANSWERED));
	return o;
}

static int answer_question(tx *t, long long id, int status)
{
	db_res *r;
	int rc = db_query(t->c, "SELECT " QUESTION_COLUMNS " FROM tender_questions WHERE id = ?", DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such question");
	}
	tx_answer(t, status, question_json(r, 0), 0);
	db_res_free(r);
	return 0;
}

/* A question or an answer: 1–TENDER_TEXT_MAX_CHARS characters, not blank; the body has only it. */
static int text_or_reply(http_req *req, const char *key, const char **out)
{
	const char *const fields[] = { key, NULL };
	verr v = { 0 };
	json_only_fields(req->json, fields, &v, NULL);
	if (json_get_str(req->json, key, out, &v, key, JSON_REQUIRED, 1, TENDER_TEXT_MAX_CHARS) == 1 &&
	    json_blank(*out))
		verr_add(&v, key, "required", "%s must say something", key);
	if (!v.count)
		return 0;
	http_problem_fields(req, 422, "validation_failed", "the text is not valid", &v);
	return -1;
}

/* --- ask ------------------------------------------------------------------------------------------- */

typedef struct ask_call {
	long long tender;
	tender_args args;
} ask_call;

static int ask_tx(tx *t, void *arg)
{
	ask_call *a = arg;
	int rc = fsm_exec(t, &tender_flow, a->tender, TA_ask, &a->args, NULL);
	return rc ? rc : answer_question(t, a->args.result_id, 201);
}

static void questions_post(http_req *req)
{
	ask_call a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0 || text_or_reply(req, "question", &a.args.question) < 0)
		return;
	tx_run_or_reply(req, ask_tx, &a);
}

/* --- answer ------------------------------------------------------------------------------------------ */

static int answer_tx(tx *t, void *arg)
{
	ask_call *a = arg;
	int rc = fsm_exec(t, &tender_flow, a->tender, TA_answer, &a->args, NULL);
	return rc ? rc : answer_question(t, a->args.question_id, 200);
}

static void questions_answer(http_req *req)
{
	ask_call a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0 ||
	    api_id_param_or_reply(req, "qid", &a.args.question_id) < 0 ||
	    text_or_reply(req, "answer", &a.args.answer) < 0)
		return;
	tx_run_or_reply(req, answer_tx, &a);
}

/* --- the public list ----------------------------------------------------------------------------------- */

/* Oldest first, keyset on the id; 404 for a tender the caller may not see (a draft not its own). */
static int list_tx(tx *t, void *arg)
{
	const api_subpage *q = arg;
	db_res *r;
	int rc = tender_read_or_refuse(t, q->id, &r);
	if (rc)
		return rc;
	db_res_free(r);
	rc = db_query(t->c,
	              "SELECT " QUESTION_COLUMNS " FROM tender_questions WHERE tender_id = ? AND id > ? ORDER BY id "
	              "LIMIT ?",
	              DBP(DBI(q->id), DBI(q->after), DBI(q->limit + 1)), &r);
	if (rc)
		return rc;
	tx_answer_rows(t, r, q->limit, question_json, QC_ID);
	db_res_free(r);
	return 0;
}

static void questions_list(http_req *req)
{
	api_subpage_or_reply(req, list_tx);
}

const route questions_routes[] = {
	{ "GET", "/api/v1/tenders/{id}/questions", questions_list, ROLES_PUBLIC, 0 },
	{ "POST", "/api/v1/tenders/{id}/questions", questions_post, APP, R_JSON | R_IDEMPOTENT | R_BODY_KIB(16) },
	{ "POST", "/api/v1/tenders/{id}/questions/{qid}/answer", questions_answer, PUR, R_JSON | R_BODY_KIB(16) },
	{ NULL, NULL, NULL, 0, 0 },
};
