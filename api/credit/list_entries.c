/* list_entries.c — the abnormal-activity list and the serious illegal-and-dishonest list over
 * HTTP (SPEC §5, Appendix B): a registrar's manual listing, the removal (the list_entry workflow,
 * list_entry_flow.c), and the public lists of current entries. */
#include "credit.h"
#include "list_entry_flow.h"
#include "orgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REG ROLE_REGISTRAR

/* --- manual listing ------------------------------------------------------------------------ */

typedef struct listing_args {
	char uscc[USCC_LEN + 1];
	enum le_list list;
	const char *reason;
	char *evidence; /* JSON text of the evidence string; owned */
} listing_args;

static int answer_entry(tx *t, long long id, int status)
{
	db_res *r;
	int rc = db_query(t->c, list_entry_flow.sql_read, DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such list entry");
	}
	long long version = db_int(r, 0, LC_VERSION);
	cJSON *d = le_json(r, 0);
	cJSON_AddStringToObject(d, "org_uscc", db_val(r, 0, LC_USCC));
	db_res_free(r);
	tx_answer(t, status, d, version);
	return 0;
}

static int listing_tx(tx *t, void *arg)
{
	const listing_args *a = arg;
	org_row o;
	int rc = credit_org_lock_or_refuse(t, a->uscc, &o);
	if (rc)
		return rc;
	org_row_free(&o);
	long long id = 0;
	le_listing l = {
		.list = a->list, .reason = a->reason, .evidence = a->evidence, .on = clock_local_day(clock_now())
	};
	rc = le_insert(t, a->uscc, &l, &id);
	return rc ? rc : answer_entry(t, id, 201);
}

static void list_entries_post(http_req *req)
{
	listing_args a = { 0 };
	if (orgs_path_uscc_or_reply(req, a.uscc) < 0)
		return;
	static const char *const fields[] = { "list", "reason", "evidence", NULL };
	verr v = { 0 };
	const char *list = NULL, *evidence = NULL;
	json_only_fields(req->json, fields, &v, NULL);
	if (json_get_enum(req->json, "list", &list, le_lists, &v, "list", JSON_REQUIRED) == 1) {
		a.list = (enum le_list)le_list_of(list);
		json_get_enum(req->json, "reason", &a.reason, le_reasons(a.list), &v, "reason", JSON_REQUIRED);
	}
	credit_get_text(req->json, "evidence", CREDIT_TEXT_MAX_CHARS, JSON_REQUIRED, &evidence, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the listing is not valid", &v);
		return;
	}
	cJSON *e = cJSON_CreateString(evidence);
	a.evidence = e ? json_print(e) : NULL;
	cJSON_Delete(e);
	if (!a.evidence) {
		http_problem(req, 503, "overloaded", "not enough memory now; retry");
		return;
	}
	tx_run_or_reply(req, listing_tx, &a);
	free(a.evidence);
}

/* --- removal --------------------------------------------------------------------------------- */

typedef struct removal_args {
	char uscc[USCC_LEN + 1];
	long long id;
	le_args args;
} removal_args;

static int removal_tx(tx *t, void *arg)
{
	removal_args *a = arg;
	org_row o;
	int rc = credit_org_lock_or_refuse(t, a->uscc, &o);
	if (rc)
		return rc;
	org_row_free(&o);
	/* The entry must be this organization's. */
	db_res *r;
	if ((rc = db_query(t->c, "SELECT uscc FROM list_entries WHERE id = ?", DBP(DBI(a->id)), &r)))
		return rc;
	int ours = r->nrows == 1 && !strcmp(db_val(r, 0, 0), a->uscc);
	db_res_free(r);
	if (!ours)
		return tx_refuse(t, 404, "not_found", "there is no such list entry for this organization");
	rc = fsm_exec(t, &list_entry_flow, a->id, LE_DO_remove, &a->args, NULL);
	return rc ? rc : answer_entry(t, a->id, 200);
}

static void list_entries_remove(http_req *req)
{
	removal_args a = { 0 };
	if (orgs_path_uscc_or_reply(req, a.uscc) < 0 || api_id_param_or_reply(req, "id", &a.id) < 0)
		return;
	static const char *const fields[] = { "reason", NULL };
	verr v = { 0 };
	json_only_fields(req->json, fields, &v, NULL);
	credit_get_text(req->json, "reason", CREDIT_TEXT_MAX_CHARS, JSON_REQUIRED, &a.args.reason, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "a removal needs its reason", &v);
		return;
	}
	tx_run_or_reply(req, removal_tx, &a);
}

/* --- the public lists ------------------------------------------------------------------------ */

enum { LC_ORG_NAME = LC_NCOLS };

static cJSON *public_item(const db_res *r, int row)
{
	cJSON *o = le_json(r, row);
	cJSON_AddStringToObject(o, "org_uscc", db_val(r, row, LC_USCC));
	json_add_str_or_null(o, "org_name", db_val(r, row, LC_ORG_NAME));
	return o;
}

/* Current entries of list l, oldest first, keyset on the entry's id. */
static void public_list(http_req *req, enum le_list l)
{
	int limit;
	long long after;
	if (http_page_num_or_reply(req, &limit, &after, 0) < 0)
		return;
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	db_res *r = api_rows_or_reply(
	        req, c,
	        "SELECT " LE_COLUMNS ", (SELECT o.name FROM orgs o WHERE o.uscc = list_entries.uscc) "
	        "FROM list_entries WHERE list = ? AND status = ? AND id > ? ORDER BY id LIMIT ?",
	        DBP(DBS(le_lists[l]), DBS(fsm_state_name(&list_entry_flow, LE_listed)), DBI(after), DBI(limit + 1)));
	if (!r)
		return;
	http_reply_rows(req, r, limit, public_item, LC_ID);
	db_res_free(r);
}

static void credit_lists_abnormal(http_req *req)
{
	public_list(req, LE_ABNORMAL);
}

static void credit_lists_serious(http_req *req)
{
	public_list(req, LE_SERIOUS);
}

const route list_entries_routes[] = {
	{ "POST", "/api/v1/orgs/{uscc}/list-entries", list_entries_post, REG, R_JSON | R_IDEMPOTENT },
	{ "POST", "/api/v1/orgs/{uscc}/list-entries/{id}/remove", list_entries_remove, REG, R_JSON },
	{ "GET", "/api/v1/credit-lists/abnormal", credit_lists_abnormal, ROLES_PUBLIC, 0 },
	{ "GET", "/api/v1/credit-lists/serious", credit_lists_serious, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
