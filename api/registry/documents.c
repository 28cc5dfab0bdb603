/* documents.c — the documents of an application (SPEC §4, Appendix A): PDF, JPEG or PNG, checked
 * by content and not by name, stored with their SHA-256, size and media type; uploaded and
 * removed by the applicant while the application can be edited; read by the applicant and the
 * registrars. */
#include "applications.h"
#include "crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	DOC_NAME_MAX_BYTES = 255, /* application_documents.name; also what file systems take */
	DOCS_PER_APPLICATION = 50,
};

/* What each accepted media type must begin with. */
static const struct doc_type {
	const char *media_type;
	const char *what;
	const unsigned char *magic;
	size_t magic_len;
} doc_types[] = {
	{ "application/pdf", "a PDF", (const unsigned char *)"%PDF-", 5 },
	{ "image/jpeg", "a JPEG image", (const unsigned char *)"\xFF\xD8\xFF", 3 },
	{ "image/png", "a PNG image", (const unsigned char *)"\x89PNG\r\n\x1a\n", 8 },
};

/* The media type of a Content-Type header without parameters, matched case-insensitively. */
static const struct doc_type *doc_type_for(const char *content_type)
{
	if (!content_type)
		return NULL;
	size_t n = strcspn(content_type, ";");
	while (n && content_type[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < sizeof doc_types / sizeof doc_types[0]; i++)
		if (strlen(doc_types[i].media_type) == n && !strncasecmp(content_type, doc_types[i].media_type, n))
			return &doc_types[i];
	return NULL;
}

static int kind_known(const char *kind)
{
	for (int i = 0; app_document_kinds[i]; i++)
		if (!strcmp(app_document_kinds[i], kind))
			return 1;
	return 0;
}

/* A file name as given, reduced to its last path component (browsers send C:\fakepath\x.pdf);
 * refused when empty, a dot name, not UTF-8, or holding control characters. */
static const char *doc_name_clean(const char *raw, verr *v)
{
	const char *base = raw;
	for (const char *p = raw; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t n = strlen(base);
	if (!n || !strcmp(base, ".") || !strcmp(base, "..")) {
		verr_add(v, "name", "required", "name must be the file's name, such as charter.pdf");
		return NULL;
	}
	if (n > DOC_NAME_MAX_BYTES) {
		verr_add(v, "name", "too_long", "name must have at most %d bytes", DOC_NAME_MAX_BYTES);
		return NULL;
	}
	if (!json_utf8_valid(base, n)) {
		verr_add(v, "name", "invalid_utf8", "name must be UTF-8");
		return NULL;
	}
	for (const unsigned char *p = (const unsigned char *)base; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"') {
			verr_add(v, "name", "invalid_characters", "name may not hold control characters or quotes");
			return NULL;
		}
	return base;
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

/* Reads (no lock) an application the caller may see; refuses 404 otherwise. */
static int app_visible_or_refuse(tx *t, long long id)
{
	db_res *r;
	int rc = db_query(t->c, app_flow.sql_read, DBP(DBI(id)), &r);
	if (rc)
		return rc;
	int ok = r->nrows == 1 && app_visible(t->user, r, 0);
	db_res_free(r);
	return ok ? 0 : tx_refuse(t, 404, "not_found", "there is no such application");
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
	const struct doc_type *dt = doc_type_for(req->content_type);
	if (!dt) {
		http_problem(req, 415, "unsupported_media_type",
		             "send the file as Content-Type application/pdf, image/jpeg or image/png");
		return;
	}
	verr v = { 0 };
	char kind[48], raw_name[1024];
	int k = http_query(req, "kind", kind, sizeof kind);
	if (k == 0 || (k == 1 && !*kind))
		verr_add(&v, "kind", "required",
		         "kind is required: one of application_letter, charter, domicile_proof, "
		         "fund_verification, legal_rep_id, other");
	else if (k < 0 || !kind_known(kind))
		verr_add(&v, "kind", "invalid_choice",
		         "kind must be one of application_letter, charter, domicile_proof, "
		         "fund_verification, legal_rep_id, other");
	int nq = http_query(req, "name", raw_name, sizeof raw_name);
	if (nq == 0)
		verr_add(&v, "name", "required", "name is required: the file's name, such as charter.pdf");
	else if (nq == -2)
		verr_add(&v, "name", "invalid_characters", "name may not hold control characters or quotes");
	else if (nq < 0)
		verr_add(&v, "name", "too_long", "name must have at most %d bytes", DOC_NAME_MAX_BYTES);
	else
		u.name = doc_name_clean(raw_name, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the document's metadata is not valid", &v);
		return;
	}
	if (req->body_len == 0) {
		http_problem(req, 422, "empty_document", "the body must be the file's content");
		return;
	}
	if ((long long)req->body_len > rule(RULE_document_max_bytes)) {
		http_problem(req, 413, "document_too_large", "the document is %zu bytes; the limit is %lld bytes",
		             req->body_len, rule(RULE_document_max_bytes));
		return;
	}
	/* By content, not by name or header: the first bytes must be those of the type sent. */
	if (req->body_len < dt->magic_len || memcmp(req->body, dt->magic, dt->magic_len)) {
		const char *is = NULL;
		for (size_t i = 0; i < sizeof doc_types / sizeof doc_types[0]; i++)
			if (req->body_len >= doc_types[i].magic_len &&
			    !memcmp(req->body, doc_types[i].magic, doc_types[i].magic_len))
				is = doc_types[i].what;
		http_problem(req, 422, "content_mismatch", "the content is not %s%s%s, as Content-Type %s says",
		             dt->what, is ? "; it looks like " : "", is ? is : "", dt->media_type);
		return;
	}
	u.kind = kind;
	u.media_type = dt->media_type;
	u.body = req->body;
	u.len = req->body_len;
	crypto_sha256_hex(req->body, req->body_len, u.sha256);
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

/* A filename for Content-Disposition: an ASCII fallback and the UTF-8 original (RFC 6266, 8187). */
static void disposition(const char *name, char *out, size_t outlen)
{
	char ascii[DOC_NAME_MAX_BYTES + 1], ext[3 * DOC_NAME_MAX_BYTES + 1];
	size_t a = 0, e = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && a < DOC_NAME_MAX_BYTES; p++) {
		int safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		           *p == '.' || *p == '-' || *p == '_';
		ascii[a++] = safe ? (char)*p : '_';
		if (safe) {
			ext[e++] = (char)*p;
		} else {
			snprintf(ext + e, 4, "%%%02X", *p);
			e += 3;
		}
	}
	ascii[a] = 0;
	ext[e] = 0;
	snprintf(out, outlen, "Content-Disposition: attachment; filename=\"%s\"; filename*=UTF-8''%s\r\n", ascii, ext);
}

typedef struct doc_ref {
	long long app_id, doc_id;
} doc_ref;

static int get_tx(tx *t, void *arg)
{
	const doc_ref *d = arg;
	int rc = app_visible_or_refuse(t, d->app_id);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(t->c,
	              "SELECT media_type, name, content FROM application_documents WHERE id = ? AND application_id = ?",
	              DBP(DBI(d->doc_id), DBI(d->app_id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such document");
	}
	char headers[1200];
	disposition(db_val(r, 0, 1), headers, sizeof headers);
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
