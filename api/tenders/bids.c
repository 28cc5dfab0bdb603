/* bids.c — sealed bids over HTTP (SPEC §6, Appendix B): submit (a receipt), read one's own,
 * replace (a new receipt) and withdraw, all before the bid deadline by the daemon's clock. The
 * workflow and the sealing are bid_flow.c and bid_seal.c. Documents (PDF, JPEG, PNG) are added to
 * a bid, each sealed, until the deadline. Nothing here answers, logs or audits a
 * price or a proposal to anyone but the bidder. */
#include "bid_flow.h"
#include "orgs.h"
#include "tenders.h"
#include "uploads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP ROLE_APPLICANT

static const char *const bid_fields[] = { "org_uscc", "price_fen", "technical_proposal", NULL };
static const char *const replace_fields[] = { "price_fen", "technical_proposal", NULL };

/* The receipt: what the bidder can prove it submitted, and when. Times as stored (clock_fmt_db),
 * withdrawn NULL while the bid is live. */
typedef struct receipt {
	long long id, tender_id, version;
	const char *uscc, *status, *submitted_at, *withdrawn_at, *sha256;
} receipt;

static cJSON *receipt_json(const receipt *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddNumberToObject(o, "tender_id", (double)r->tender_id);
	cJSON_AddStringToObject(o, "org_uscc", r->uscc);
	cJSON_AddStringToObject(o, "status", r->status);
	api_add_time(o, "submitted_at", r->submitted_at);
	api_add_time(o, "withdrawn_at", r->withdrawn_at);
	cJSON_AddStringToObject(o, "sha256", r->sha256);
	cJSON_AddNumberToObject(o, "version", (double)r->version);
	return o;
}

/* The receipt of row `row` of r (BID_COLUMNS). */
static cJSON *receipt_of_row(const db_res *r, int row)
{
	receipt rc = { db_int(r, row, BC_ID),        db_int(r, row, BC_TENDER), db_int(r, row, BC_VERSION),
		       db_val(r, row, BC_USCC),      db_val(r, row, BC_STATUS), db_val(r, row, BC_SUBMITTED),
		       db_val(r, row, BC_WITHDRAWN), db_val(r, row, BC_SHA256) };
	return receipt_json(&rc);
}

/* Inside a transaction: answers bid id — the receipt, and with content the bid as sealed
 * (price and proposal), for its bidder; 404 for anyone else. */
static int answer_bid(tx *t, long long tender_id, long long id, int status, int content)
{
	db_res *r;
	int rc = db_query(t->c, bid_flow.sql_read, DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1 || db_int(r, 0, BC_TENDER) != tender_id || !t->user ||
	    db_int(r, 0, BC_BIDDER) != t->user->id) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such bid");
	}
	cJSON *o = receipt_of_row(r, 0);
	if (content) {
		char *plain = NULL;
		size_t len = 0;
		if ((rc = bid_read_plain(t, r, &plain, &len))) {
			cJSON_Delete(o);
			db_res_free(r);
			return rc;
		}
		cJSON *p = plain ? cJSON_Parse(plain) : NULL;
		/* A bid whose seal no longer opens is shown as such, not as an error of the server. */
		cJSON_AddBoolToObject(o, "intact", p != NULL);
		cJSON *price = cJSON_DetachItemFromObjectCaseSensitive(p, "price_fen");
		cJSON *proposal = cJSON_DetachItemFromObjectCaseSensitive(p, "technical_proposal");
		cJSON *docs = cJSON_DetachItemFromObjectCaseSensitive(p, "documents");
		cJSON_AddItemToObject(o, "price_fen", price ? price : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "technical_proposal", proposal ? proposal : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "documents", cJSON_IsArray(docs) ? docs : cJSON_CreateArray());
		if (docs && !cJSON_IsArray(docs))
			cJSON_Delete(docs);
		/* The exact text that was sealed: its SHA-256 is the receipt's, for anyone to check. */
		json_add_str_or_null(o, "sealed_plaintext", p ? plain : NULL);
		cJSON_Delete(p);
		if (plain) {
			crypto_wipe(plain, len);
			free(plain);
		}
	}
	tx_answer(t, status, o, db_int(r, 0, BC_VERSION));
	db_res_free(r);
	return 0;
}

/* The content of a submission or replacement, field by field. */
static int content_or_reply(http_req *req, const char *const *fields, bid_content *c, char uscc[USCC_LEN + 1])
{
	verr v = { 0 };
	json_only_fields(req->json, fields, &v, NULL);
	if (uscc) {
		const char *s = NULL;
		if (json_get_str(req->json, "org_uscc", &s, &v, "org_uscc", JSON_REQUIRED, 1, 40) == 1 &&
		    (orgs_uscc_parse(s, uscc) < 0 || uscc_check(uscc, NULL, NULL) < 0))
			verr_add(&v, "org_uscc", "invalid_uscc",
			         "org_uscc must be a valid 18-character unified social credit code");
	}
	json_get_int(req->json, "price_fen", &c->price_fen, &v, "price_fen", JSON_REQUIRED, 1, JSON_FEN_MAX);
	if (json_get_str(req->json, "technical_proposal", &c->technical_proposal, &v, "technical_proposal",
	                 JSON_REQUIRED, 1, BID_PROPOSAL_MAX_CHARS) == 1 &&
	    json_blank(c->technical_proposal))
		verr_add(&v, "technical_proposal", "required", "technical_proposal must say something");
	if (!v.count)
		return 0;
	http_problem_fields(req, 422, "validation_failed", "the bid is not valid", &v);
	return -1;
}

/* --- submit --------------------------------------------------------------------------------------- */

typedef struct submit_call {
	long long tender;
	char uscc[USCC_LEN + 1];
	bid_content content;
} submit_call;

/* 409 bid_exists, naming the live bid when it is the caller's own (whoever acts for the
 * organization submitted it): the one to replace or withdraw. */
static int live_bid_exists(tx *t, long long tender, const char *uscc)
{
	db_res *r;
	int rc = db_query(
	        t->c, "SELECT id FROM bids WHERE tender_id = ? AND org_uscc = ? AND status = ? AND bidder_id = ?",
	        DBP(DBI(tender), DBS(uscc), DBS(fsm_state_name(&bid_flow, BS_submitted)), DBI(t->user->id)), &r);
	if (rc)
		return rc;
	long long live = r->nrows == 1 ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	rc = tx_refuse(t, 409, "bid_exists",
	               "%s has a live bid on this tender already: replace it (PUT) or withdraw it first", uscc);
	if (live)
		tx_problem_add(t, "bid_id", cJSON_CreateNumber((double)live));
	return rc;
}

static int submit_tx(tx *t, void *arg)
{
	const submit_call *a = arg;
	db_res *tender;
	int rc = bid_tender_open_or_refuse(t, a->tender, &tender);
	if (rc)
		return rc;
	if ((rc = bid_eligible_or_refuse(t, tender, a->uscc)))
		goto out;
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long id = 0;
	const char *submitted = fsm_state_name(&bid_flow, BS_submitted);
	/* The row first, empty, for its id (the seal binds it); sealed before the transaction ends. */
	rc = db_exec(t->c,
	             "INSERT INTO bids (tender_id, org_uscc, bidder_id, status, sealed, sha256, submitted_at, version, "
	             "created_at, updated_at) VALUES (?, ?, ?, ?, '', '', ?, 1, ?, ?)",
	             DBP(DBI(a->tender), DBS(a->uscc), DBI(t->user->id), DBS(submitted), DBS(now), DBS(now), DBS(now)),
	             NULL, &id);
	if (rc == DB_DUP) {
		rc = live_bid_exists(t, a->tender, a->uscc);
		goto out;
	}
	char sha[CRYPTO_SHA256_HEX_LEN + 1];
	if (rc || (rc = bid_seal_store(t, a->tender, (long long)id, a->uscc, &a->content, NULL, "submit", now, sha)))
		goto out;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "tender_id", (double)a->tender);
	cJSON_AddStringToObject(s, "org_uscc", a->uscc);
	cJSON_AddStringToObject(s, "sha256", sha);
	char ids[24];
	snprintf(ids, sizeof ids, "%llu", id);
	rc = audit_append(t->c, t->user, "bid.submit", bid_flow.object, ids, s);
	cJSON_Delete(s);
	if (rc || (rc = bid_deadline_recheck(t, tender)))
		goto out;
	/* The receipt from what this transaction wrote, not read back. */
	receipt r = { (long long)id, a->tender, 1, a->uscc, submitted, now, NULL, sha };
	tx_answer(t, 201, receipt_json(&r), 1);
out:
	db_res_free(tender);
	return rc;
}

static void bids_post(http_req *req)
{
	submit_call a = { 0 };
	if (api_id_param_or_reply(req, "id", &a.tender) < 0 ||
	    content_or_reply(req, bid_fields, &a.content, a.uscc) < 0)
		return;
	tx_run_or_reply(req, submit_tx, &a);
}

/* --- read ----------------------------------------------------------------------------------------- */

typedef struct bid_path {
	long long tender, id;
} bid_path;

static int bid_path_or_reply(http_req *req, bid_path *p)
{
	return api_id_param_or_reply(req, "id", &p->tender) < 0 || api_id_param_or_reply(req, "bid_id", &p->id) < 0 ? -1
	                                                                                                            : 0;
}

static int get_tx(tx *t, void *arg)
{
	const bid_path *p = arg;
	return answer_bid(t, p->tender, p->id, 200, 1);
}

static void bids_get(http_req *req)
{
	bid_path p;
	if (bid_path_or_reply(req, &p) < 0)
		return;
	tx_read_or_reply(req, get_tx, &p);
}

/* GET /tenders/{id}/bids: the caller's own bids on the tender (receipts, withdrawn ones too),
 * newest last; 404 when the tender is not there for the caller. */
static int list_tx(tx *t, void *arg)
{
	long long tender = *(const long long *)arg;
	db_res *r;
	int rc = db_query(t->c, tender_flow.sql_read, DBP(DBI(tender)), &r);
	if (rc)
		return rc;
	int visible = r->nrows == 1 && tender_visible(t->user, r, 0);
	db_res_free(r);
	if (!visible)
		return tx_refuse(t, 404, "not_found", "there is no such tender");
	if ((rc = db_query(t->c, "SELECT " BID_COLUMNS " FROM bids WHERE tender_id = ? AND bidder_id = ? ORDER BY id",
	                   DBP(DBI(tender), DBI(t->user->id)), &r)))
		return rc;
	cJSON *items = cJSON_CreateArray();
	for (int i = 0; i < r->nrows; i++)
		cJSON_AddItemToArray(items, receipt_of_row(r, i));
	db_res_free(r);
	tx_answer_list(t, items, NULL);
	return 0;
}

static void bids_list(http_req *req)
{
	long long tender;
	if (api_id_param_or_reply(req, "id", &tender) < 0)
		return;
	tx_read_or_reply(req, list_tx, &tender);
}

/* --- replace, withdraw ------------------------------------------------------------------------------- */

/* 404 unless bid p.id is one of tender p.tender's. */
static int bid_of_tender_or_refuse(tx *t, bid_path p)
{
	db_res *r;
	int rc = db_query(t->c, "SELECT tender_id FROM bids WHERE id = ?", DBP(DBI(p.id)), &r);
	if (rc)
		return rc;
	int here = r->nrows == 1 && db_int(r, 0, 0) == p.tender;
	db_res_free(r);
	return here ? 0 : tx_refuse(t, 404, "not_found", "there is no such bid");
}

typedef struct act_call {
	bid_path p;
	int action;
	bid_content content;
} act_call;

static int act_tx(tx *t, void *arg)
{
	act_call *a = arg;
	/* The tender first (shared), then the bid: the order every bid transaction takes. */
	db_res *tender;
	int rc = bid_tender_open_or_refuse(t, a->p.tender, &tender);
	if (rc)
		return rc;
	if (!(rc = bid_of_tender_or_refuse(t, a->p)) &&
	    !(rc = fsm_exec(t, &bid_flow, a->p.id, a->action, &a->content, NULL)) &&
	    !(rc = bid_deadline_recheck(t, tender)))
		rc = answer_bid(t, a->p.tender, a->p.id, 200, 0);
	db_res_free(tender);
	return rc;
}

static void bids_put(http_req *req)
{
	act_call a = { .action = BA_replace };
	if (bid_path_or_reply(req, &a.p) < 0 || content_or_reply(req, replace_fields, &a.content, NULL) < 0)
		return;
	tx_run_or_reply(req, act_tx, &a);
}

static void bids_withdraw(http_req *req)
{
	act_call a = { .action = BA_withdraw };
	if (bid_path_or_reply(req, &a.p) < 0)
		return;
	tx_run_or_reply(req, act_tx, &a);
}

/* --- documents ------------------------------------------------------------------------------------ */

typedef struct doc_call {
	bid_path p;
	upload file;
	bid_document doc;
} doc_call;

static int document_tx(tx *t, void *arg)
{
	doc_call *a = arg;
	db_res *tender;
	int rc = bid_tender_open_or_refuse(t, a->p.tender, &tender);
	if (rc)
		return rc;
	a->doc.file = &a->file;
	if (!(rc = bid_of_tender_or_refuse(t, a->p)) &&
	    !(rc = fsm_exec(t, &bid_flow, a->p.id, BA_add_document, &a->doc, NULL)) &&
	    !(rc = bid_deadline_recheck(t, tender)))
		rc = answer_bid(t, a->p.tender, a->p.id, 201, 0);
	db_res_free(tender);
	if (rc)
		return rc;
	/* The receipt and the document's digest; not its name, which an Idempotency-Key would keep
	 * in clear with the answer (the bidder reads it back in the bid). */
	cJSON *d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "id", (double)a->doc.id);
	cJSON_AddStringToObject(d, "media_type", a->file.media_type);
	cJSON_AddNumberToObject(d, "size", (double)a->file.len);
	cJSON_AddStringToObject(d, "sha256", a->file.sha256);
	cJSON_AddItemToObject(t->data, "document", d);
	return 0;
}

static void bids_document_post(http_req *req)
{
	doc_call a = { 0 };
	verr v = { 0 };
	if (bid_path_or_reply(req, &a.p) < 0 || upload_or_reply(req, &a.file, &v) < 0)
		return;
	tx_run_or_reply(req, document_tx, &a);
}

typedef struct doc_get {
	bid_path p;
	long long doc;
} doc_get;

static int document_get_tx(tx *t, void *arg)
{
	const doc_get *g = arg;
	db_res *r;
	int rc = db_query(t->c, bid_flow.sql_read, DBP(DBI(g->p.id)), &r);
	if (rc)
		return rc;
	char *data = NULL, *plain = NULL;
	size_t len = 0, plen = 0;
	cJSON *meta = NULL;
	if (r->nrows != 1 || db_int(r, 0, BC_TENDER) != g->p.tender || !t->user ||
	    db_int(r, 0, BC_BIDDER) != t->user->id) {
		rc = tx_refuse(t, 404, "not_found", "there is no such document");
		goto out;
	}
	if ((rc = bid_read_document(t, r, g->doc, &data, &len)) || (rc = bid_read_plain(t, r, &plain, &plen)))
		goto out;
	/* Its name and type are in the bid's sealed plaintext. */
	cJSON *p = plain ? cJSON_Parse(plain) : NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(p, "documents")) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		if (cJSON_IsNumber(id) && (long long)id->valuedouble == g->doc)
			meta = cJSON_Duplicate(it, 1);
	}
	cJSON_Delete(p);
	if (!data || !meta || !json_str_member(meta, "media_type")) {
		rc = tx_refuse(t, data ? 409 : 404, data ? "bid_integrity_failed" : "not_found",
		               data ? "the stored bid no longer opens"
		                    : "there is no such document, or it no longer opens");
		goto out;
	}
	char headers[1200];
	upload_disposition(json_str_member(meta, "name") ? json_str_member(meta, "name") : "document", headers,
	                   sizeof headers);
	strncat(headers, "Cache-Control: private, no-store\r\n", sizeof headers - strlen(headers) - 1);
	tx_answer_raw(t, 200, json_str_member(meta, "media_type"), data, len, headers);
out:
	if (data) {
		crypto_wipe(data, len);
		free(data);
	}
	if (plain) {
		crypto_wipe(plain, plen);
		free(plain);
	}
	cJSON_Delete(meta);
	db_res_free(r);
	return rc;
}

static void bids_document_get(http_req *req)
{
	doc_get g;
	if (bid_path_or_reply(req, &g.p) < 0 || api_id_param_or_reply(req, "doc_id", &g.doc) < 0)
		return;
	tx_read_or_reply(req, document_get_tx, &g);
}

const route bids_routes[] = {
	{ "POST", "/api/v1/tenders/{id}/bids", bids_post, APP, R_JSON | R_IDEMPOTENT },
	{ "GET", "/api/v1/tenders/{id}/bids", bids_list, APP, 0 },
	{ "GET", "/api/v1/tenders/{id}/bids/{bid_id}", bids_get, ROLES_PUBLIC, 0 },
	{ "PUT", "/api/v1/tenders/{id}/bids/{bid_id}", bids_put, APP, R_JSON },
	{ "POST", "/api/v1/tenders/{id}/bids/{bid_id}/withdraw", bids_withdraw, APP, R_JSON_OPT | R_BODY_KIB(1) },
	{ "POST", "/api/v1/tenders/{id}/bids/{bid_id}/documents", bids_document_post, APP, R_RAW | R_IDEMPOTENT },
	{ "GET", "/api/v1/tenders/{id}/bids/{bid_id}/documents/{doc_id}", bids_document_get, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
