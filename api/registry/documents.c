/* documents.c — the documents of an application (SPEC §4, Appendix A): PDF, JPEG or PNG, checked
 * by content and not by name, stored with their SHA-256, size and media type; uploaded and
 * removed by the applicant while the application can be edited; read by the applicant and the
 * registrars. */
#include "applications.h"
#include "crypto.h"
#include "uploads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	DOCS_PER_APPLICATION = 50,
};

static int kind_known(const char *kind)
{
	for (int i = 0; app_document_kinds[i]; i++)
		if (!strcmp(app_document_kinds[i], kind))
			return 1;
	return 0;
}

static cJSON *doc_json(const db_res *r, int row)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(r, row, 0));
	cJSON_AddStringToObject(o, "kind", db_val(r, row, 1));
	cJSON_AddStringToObject(o, "name", db_val(r, row, 2));
	cJSON_AddStringToObject(o, "media_type", db_val(r, row, 3));
	cJSON_AddNumberToObject(o, "size", (double)db_int(r, row, 4));
	cJSON_AddStringToObject(o, "sha256", db_val(r, row, 5));
	api_add_time(o, "uploaded_at", db_val(r, row, 6));
	return o;
}

#define DOC_COLUMNS "id, kind, name, media_type, size, sha256, uploaded_at"

cJSON *documents_json(db_conn *c, long long application_id)
{
	cJSON *arr = cJSON_CreateArray();
	db_res *r;
	if (db_query(c, "SELECT " DOC_COLUMNS " FROM application_documents WHERE application_id = ? ORDER BY id",
	             DBP(DBI(application_id)), &r))
		return arr;
	for (int i = 0; i < r->nrows; i++)
		cJSON_AddItemToArray(arr, doc_json(r, i));
	db_res_free(r);
	return arr;
}

/* --- upload -------------------------------------------------------------------------- */

typedef struct upload_args {
	const char *kind, *name, *media_type;
	const char *body;
	size_t len;
	char sha256[CRYPTO_SHA256_HEX_LEN + 1];
	long long app_id, doc_id;
} upload_args;

/* Inside the edit transition: the document joins the application. */
static int upload_apply(fsm_run *run)
{
	tx *t = run->t;
	upload_args *u = ((const app_args *)run->arg)->edit_arg;
	db_res *n;
	int rc = db_query(t->c, "SELECT COUNT(*) FROM application_documents WHERE application_id = ?",
	                  DBP(DBI(run->id)), &n);
	if (rc)
		return rc;
	long long have = db_int(n, 0, 0);
	db_res_free(n);
	if (have >= DOCS_PER_APPLICATION)
		return tx_refuse(t, 409, "too_many_documents",
		                 "an application holds at most %d documents; delete one first", DOCS_PER_APPLICATION);
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long id = 0;
	rc = db_exec(
	        t->c,
	        "INSERT INTO application_documents (application_id, kind, name, media_type, size, sha256, content, "
	        "uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	        DBP(DBI(run->id), DBS(u->kind), DBS(u->name), DBS(u->media_type), DBI(u->len), DBS(u->sha256),
	            DBB(u->body, u->len), DBS(now), DBI(t->user->id)),
	        NULL, &id);
	if (rc)
		return rc;
	u->doc_id = (long long)id;
	cJSON *s = run->summary;
	cJSON_AddNumberToObject(s, "document_id", (double)u->doc_id);
	cJSON_AddStringToObject(s, "kind", u->kind);
	cJSON_AddStringToObject(s, "name", u->name);
	cJSON_AddStringToObject(s, "media_type", u->media_type);
	cJSON_AddNumberToObject(s, "size", (double)u->len);
	cJSON_AddStringToObject(s, "sha256", u->sha256);
	return 0;
}

static int upload_tx(tx *t, void *arg)
{
	upload_args *u = arg;
	app_args a = { .edit = upload_apply, .edit_arg = u, .audit = "application.document_add" };
	int rc = fsm_exec(t, &app_flow, u->app_id, APP_DO_edit, &a, NULL);
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)u->doc_id);
	cJSON_AddNumberToObject(o, "application_id", (double)u->app_id);
	cJSON_AddStringToObject(o, "kind", u->kind);
	cJSON_AddStringToObject(o, "name", u->name);
	cJSON_AddStringToObject(o, "sha256", u->sha256);
	cJSON_AddNumberToObject(o, "size", (double)u->len);
	cJSON_AddStringToObject(o, "media_type", u->media_type);
	tx_answer(t, 201, o, 0);
	return 0;
}

static void documents_upload(http_req *req)
{
	upload_args u = { 0 };
	if (api_id_param_or_reply(req, "id", &u.app_id) < 0)
		return;
	verr v = { 0 };
	char kind[48];
	int k = http_query(req, "kind", kind, sizeof kind);
	if (k == 0 || (k == 1 && !*kind))
		verr_add(&v, "kind", "required",
		         "kind is required: one of application_letter, charter, domicile_proof, "
		         "fund_verification, legal_rep_id, other");
	else if (k < 0 || !kind_known(kind))
		verr_add(&v, "kind", "invalid_choice",
		         "kind must be one of application_letter, charter, domicile_proof, "
		         "fund_verification, legal_rep_id, other");
	upload f;
	if (upload_or_reply(req, &f, &v) < 0)
		return;
	u.kind = kind;
	u.name = f.name;
	u.media_type = f.media_type;
	u.body = f.body;
	u.len = f.len;
	memcpy(u.sha256, f.sha256, sizeof u.sha256);
	tx_run_or_reply(req, upload_tx, &u);
}

/* --- read ---------------------------------------------------------------------------- */

static int list_tx(tx *t, void *arg)
{
	long long id = *(const long long *)arg;
	int rc = app_visible_or_refuse(t, id);
	if (!rc)
		tx_answer_list(t, documents_json(t->c, id), NULL);
	return rc;
}

static void documents_list(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, list_tx, &id);
}

typedef struct doc_ref {
	long long app_id, doc_id;
} doc_ref;

static int get_tx(tx *t, void *arg)
{
	const doc_ref *d = arg;
	db_res *r;
	int rc = app_item_or_refuse(
	        t, d->app_id,
	        "SELECT media_type, name, content FROM application_documents WHERE id = ? AND application_id = ?",
	        d->doc_id, "there is no such document", &r);
	if (rc)
		return rc;
	char headers[1200];
	upload_disposition(db_val(r, 0, 1), headers, sizeof headers);
	strncat(headers, "Cache-Control: private, no-store\r\n", sizeof headers - strlen(headers) - 1);
	tx_answer_raw(t, 200, db_val(r, 0, 0), db_val(r, 0, 2), db_len(r, 0, 2), headers);
	db_res_free(r);
	return 0;
}

static void documents_get(http_req *req)
{
	doc_ref d;
	if (api_id_param_or_reply(req, "id", &d.app_id) < 0 || api_id_param_or_reply(req, "doc_id", &d.doc_id) < 0)
		return;
	tx_read_or_reply(req, get_tx, &d);
}

/* --- delete -------------------------------------------------------------------------- */

typedef struct delete_args {
	long long app_id, doc_id;
} delete_args;

static int delete_apply(fsm_run *run)
{
	tx *t = run->t;
	const delete_args *d = ((const app_args *)run->arg)->edit_arg;
	db_res *doc;
	int rc = db_query(t->c,
	                  "SELECT " DOC_COLUMNS
	                  " FROM application_documents WHERE id = ? AND application_id = ? FOR UPDATE",
	                  DBP(DBI(d->doc_id), DBI(d->app_id)), &doc);
	if (rc)
		return rc;
	if (doc->nrows != 1) {
		db_res_free(doc);
		return tx_refuse(t, 404, "not_found", "there is no such document");
	}
	cJSON_AddNumberToObject(run->summary, "document_deleted", (double)d->doc_id);
	cJSON_AddStringToObject(run->summary, "kind", db_val(doc, 0, 1));
	cJSON_AddStringToObject(run->summary, "sha256", db_val(doc, 0, 5));
	db_res_free(doc);
	return db_exec(t->c, "DELETE FROM application_documents WHERE id = ?", DBP(DBI(d->doc_id)), NULL, NULL);
}

static int delete_tx(tx *t, void *arg)
{
	delete_args *d = arg;
	app_args a = { .edit = delete_apply, .edit_arg = d, .audit = "application.document_delete" };
	int rc = fsm_exec(t, &app_flow, d->app_id, APP_DO_edit, &a, NULL);
	if (!rc)
		tx_answer_empty(t, 204);
	return rc;
}

static void documents_delete(http_req *req)
{
	delete_args d = { 0, 0 };
	if (api_id_param_or_reply(req, "id", &d.app_id) < 0 || api_id_param_or_reply(req, "doc_id", &d.doc_id) < 0)
		return;
	tx_run_or_reply(req, delete_tx, &d);
}

const route documents_routes[] = {
	{ "POST", "/api/v1/applications/{id}/documents", documents_upload, ROLE_APPLICANT, R_RAW | R_IDEMPOTENT },
	{ "GET", "/api/v1/applications/{id}/documents", documents_list, ROLE_APPLICANT | ROLE_REGISTRAR, 0 },
	{ "GET", "/api/v1/applications/{id}/documents/{doc_id}", documents_get, ROLE_APPLICANT | ROLE_REGISTRAR, 0 },
	{ "DELETE", "/api/v1/applications/{id}/documents/{doc_id}", documents_delete, ROLE_APPLICANT, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
