/* orgs.c — one organization of the public register: its code in the path, its profile (through
 * the profile cache) and its history (see orgs.h). */
#include "orgs.h"
#include "cache.h"
#include "org_gate.h"
#include "org_row.h"
#include "registry_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- naming an organization ------------------------------------------------------------ */

int orgs_uscc_parse(const char *s, char out[USCC_LEN + 1])
{
	if (!s || strlen(s) != USCC_LEN)
		return -1;
	for (int i = 0; i < USCC_LEN; i++) {
		char ch = s[i];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')))
			return -1;
		out[i] = ch;
	}
	out[USCC_LEN] = 0;
	return 0;
}

int orgs_path_uscc_or_reply(http_req *req, char out[USCC_LEN + 1])
{
	const char *p = http_param(req, "uscc");
	/* The org-id form (CN-USCI-<code>, as the open-data schemes write it) names the same one. */
	if (p && !strncmp(p, "CN-USCI-", 8))
		p += 8;
	if (orgs_uscc_parse(p, out) < 0) {
		http_problem(req, 404, "not_found", ORGS_UNKNOWN);
		return -1;
	}
	return 0;
}

int orgs_refuse_unknown(tx *t)
{
	return tx_refuse(t, 404, "not_found", ORGS_UNKNOWN);
}

int orgs_lock_or_refuse(tx *t, const char *uscc, org_row *o)
{
	int rc = org_row_get(t->c, uscc, 1, o);
	return rc == 1 ? 0 : rc == 0 ? orgs_refuse_unknown(t) : rc;
}

int orgs_lock_registered_or_refuse(tx *t, const char *uscc, org_row *o, const char *code, const char *fmt, ...)
{
	int rc = orgs_lock_or_refuse(t, uscc, o);
	if (rc || o->status == ORG_REGISTERED)
		return rc;
	org_row_free(o);
	char detail[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	return tx_refuse(t, 409, code, "%s", detail);
}

int orgs_row_or_refuse(tx *t, const char *sql, const char *uscc, db_res **r)
{
	int rc = db_query(t->c, sql, DBP(DBS(uscc)), r);
	if (rc)
		return rc;
	if ((*r)->nrows == 1)
		return 0;
	db_res_free(*r);
	*r = NULL;
	return orgs_refuse_unknown(t);
}

/* --- profile ---------------------------------------------------------------------- */

#define PROFILE_MAX (1u << 20)

static orgs_lists_fn lists_source;

void orgs_lists_source(orgs_lists_fn fn)
{
	lists_source = fn;
}

int orgs_touch(db_conn *c)
{
	int rc = db_exec(c, "UPDATE register_generation SET gen = gen + 1 WHERE id = 1", DBNONE, NULL, NULL);
	if (!rc)
		db_after_commit(cache_invalidate);
	return rc;
}

/* 304 when If-None-Match names the current version. */
static int not_modified(http_req *req, long long version)
{
	char etag[40];
	snprintf(etag, sizeof etag, "\"%lld\"", version);
	const char *inm = http_header(req, "If-None-Match");
	if (!inm || !(!strcmp(inm, etag) || (!strncmp(inm, "W/", 2) && !strcmp(inm + 2, etag))))
		return 0;
	char hdr[80];
	snprintf(hdr, sizeof hdr, "ETag: %s\r\n", etag);
	http_reply_raw(req, 304, NULL, "", 0, hdr);
	return 1;
}

static void reply_profile(http_req *req, const char *body, size_t len, long long version)
{
	char hdr[96];
	snprintf(hdr, sizeof hdr, "Cache-Control: no-cache\r\nETag: \"%lld\"\r\n", version);
	http_reply_raw(req, 200, "application/json; charset=utf-8", body, len, hdr);
}

/* Former names (oldest first), as the array value w is due. 0 or a DB_ code. */
static int former_names(db_conn *c, const char *uscc, jw *w)
{
	db_res *r;
	int rc = db_query(c,
	                  "SELECT name, from_date, to_date FROM org_names WHERE uscc = ? AND to_date IS NOT NULL "
	                  "ORDER BY from_date, id LIMIT 100",
	                  DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	jw_arr(w);
	for (int i = 0; i < r->nrows; i++) {
		jw_obj(w);
		jw_kstr(w, "name", db_val(r, i, 0));
		jw_kstr(w, "from", db_val(r, i, 1));
		jw_kstr(w, "to", db_val(r, i, 2));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	db_res_free(r);
	return 0;
}

/* The profile's columns: a register entry, then what only the profile shows. */
#define PROFILE_COLUMNS ORG_ITEM_COLUMNS ", o.business_scope, o.deregistered_at, o.activity_area, o.funds_fen"
enum { PC_SCOPE = OI_NCOLS, PC_DEREGISTERED, PC_AREA, PC_FUNDS };

enum { PROFILE_NONE = 0, PROFILE_OK = 1, PROFILE_UNENCODABLE = 2 };

/* Renders the profile of uscc, {"data": …}, into *body (malloc'd) and its version. PROFILE_OK,
 * PROFILE_NONE (no such organization), PROFILE_UNENCODABLE, or a DB_ code. */
static int profile_render(db_conn *c, const char *uscc, char **body, size_t *len, long long *version)
{
	db_res *r;
	int rc = db_query(c, "SELECT " PROFILE_COLUMNS " FROM orgs o WHERE o.uscc = ?", DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return PROFILE_NONE;
	}
	*version = db_int(r, 0, OI_VERSION);
	jw w;
	jw_init(&w, PROFILE_MAX);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_obj(&w);
	org_item_fields(&w, r, 0);
	jw_kstr(&w, "business_scope", db_val(r, 0, PC_SCOPE));
	jw_kstr(&w, "deregistered_at", db_val(r, 0, PC_DEREGISTERED));
	/* 活动地域 and 注册资金 are printed on a registration certificate: public. */
	jw_kstr(&w, "activity_area", db_val(r, 0, PC_AREA));
	char authority[160];
	registry_authority(db_val(r, 0, OI_REGION), authority, sizeof authority);
	jw_kstr(&w, "registration_authority", authority);
	jw_key(&w, "funds_fen");
	if (db_val(r, 0, PC_FUNDS))
		jw_int(&w, db_int(r, 0, PC_FUNDS));
	else
		jw_null(&w);
	db_res_free(r);
	jw_key(&w, "former_names");
	/* A former name comes only from an approved change, and every change versions the
	 * organization: at version 1 there is none to look for. */
	if (*version > 1) {
		rc = former_names(c, uscc, &w);
	} else {
		jw_arr(&w);
		jw_arr_end(&w);
	}
	if (rc) {
		jw_free(&w);
		return rc;
	}
	/* Current credit-list entries: the credit module writes them (orgs_lists_source). */
	jw_key(&w, "lists");
	if (lists_source) {
		rc = lists_source(c, uscc, &w);
	} else {
		jw_arr(&w);
		jw_arr_end(&w);
	}
	if (rc) {
		jw_free(&w);
		return rc;
	}
	jw_obj_end(&w);
	jw_obj_end(&w);
	*body = jw_take(&w, len);
	return *body ? PROFILE_OK : PROFILE_UNENCODABLE;
}

static void orgs_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	/* Public profiles are read far more than they change: answered from the cache when it
	 * holds the current rendering (see server/cache.h for why it cannot be stale). */
	char *body;
	size_t len;
	long long version;
	if (cache_get(uscc, &body, &len, &version)) {
		if (!not_modified(req, version))
			reply_profile(req, body, len, version);
		free(body);
		return;
	}
	uint64_t gen = cache_generation();
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	org_gate_enter();
	int rc = profile_render(c, uscc, &body, &len, &version);
	org_gate_leave();
	if (rc == PROFILE_UNENCODABLE) {
		http_problem(req, 500, "internal", "the answer could not be encoded");
		return;
	}
	if (api_found_or_reply(req, rc, ORGS_UNKNOWN) < 0)
		return;
	cache_put(uscc, gen, body, len, version);
	if (!not_modified(req, version))
		reply_profile(req, body, len, version);
	free(body);
}

/* --- history ---------------------------------------------------------------------- */

/* Removes every "id_number" member, at any depth: a change of legal representative may carry
 * one in the stored change record, and the register never shows it. */
static void scrub_id_numbers(cJSON *v)
{
	if (!v)
		return;
	if (cJSON_IsObject(v))
		cJSON_DeleteItemFromObjectCaseSensitive(v, "id_number");
	cJSON *it;
	cJSON_ArrayForEach(it, v)
		scrub_id_numbers(it);
}

static cJSON *public_changes(const char *text)
{
	cJSON *ch = text ? cJSON_Parse(text) : NULL;
	if (!cJSON_IsArray(ch)) {
		cJSON_Delete(ch);
		return cJSON_CreateArray();
	}
	/* Drop whole entries about an ID number ("legal_representative.id_number"). */
	for (int i = cJSON_GetArraySize(ch) - 1; i >= 0; i--) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ch, i), "field");
		if (cJSON_IsString(f) && strstr(f->valuestring, "id_number"))
			cJSON_DeleteItemFromArray(ch, i);
	}
	scrub_id_numbers(ch);
	return ch;
}

/* One history event: its type, when, the effective date, the reason, and for changes the
 * public [{field, old, new}] (never the legal representative's ID number). */
#define EVENT_COLUMNS "id, type, at, effective_date, reason, changes"
enum event_col { EV_ID, EV_TYPE, EV_AT, EV_EFFECTIVE, EV_REASON, EV_CHANGES };

static cJSON *event_json(const db_res *r, int i)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "type", db_val(r, i, EV_TYPE));
	api_add_time(e, "at", db_val(r, i, EV_AT));
	json_add_str_or_null(e, "effective_date", db_val(r, i, EV_EFFECTIVE));
	json_add_str_or_null(e, "reason", db_val(r, i, EV_REASON));
	cJSON_AddItemToObject(e, "changes", public_changes(db_val(r, i, EV_CHANGES)));
	return e;
}

/* The events of uscc after event id after, at most limit + 1, into *out. 1, 0 when there is no
 * such organization, or a DB_ code. */
static int history_rows(db_conn *c, const char *uscc, long long after, int limit, db_res **out)
{
	db_res *r;
	int rc = db_query(c, "SELECT 1 FROM orgs WHERE uscc = ?", DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	int found = r->nrows == 1;
	db_res_free(r);
	if (!found)
		return 0;
	rc = db_query(c, "SELECT " EVENT_COLUMNS " FROM org_events WHERE uscc = ? AND id > ? ORDER BY id LIMIT ?",
	              DBP(DBS(uscc), DBI(after), DBI(limit + 1)), out);
	return rc ? rc : 1;
}

static void orgs_history(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	int limit;
	long long after;
	if (http_page_num_or_reply(req, &limit, &after, 0) < 0)
		return;
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	db_res *r = NULL;
	org_gate_enter();
	int rc = history_rows(c, uscc, after, limit, &r);
	org_gate_leave();
	if (api_found_or_reply(req, rc, ORGS_UNKNOWN) < 0)
		return;
	http_reply_rows(req, r, limit, event_json, EV_ID);
	db_res_free(r);
}

/* --- routes ----------------------------------------------------------------------- */

const route orgs_routes[] = {
	{ "GET", "/api/v1/orgs/{uscc}", orgs_get, ROLES_PUBLIC, 0 },
	{ "GET", "/api/v1/orgs/{uscc}/history", orgs_history, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
