/* org_owner.c — the applicant account that acts for an organization (see org_owner.h). */
#include "org_owner.h"
#include "org_row.h"
#include "orgs.h"
#include "tx.h"

#include <stdio.h>
#include <string.h>

/* GET /api/v1/me/orgs: the organizations the signed-in applicant acts for (approved from its
 * applications), in USCC order; what it may file changes, deregistrations and reports for. */
static void orgs_mine(http_req *req)
{
	int limit;
	char after[USCC_LEN + 2];
	if (http_page_or_reply(req, &limit, after, sizeof after) < 0)
		return;
	char check[USCC_LEN + 1];
	if (*after && (orgs_uscc_parse(after, check) < 0 || strcmp(check, after))) {
		http_problem(req, 400, "invalid_cursor", "cursor is not one this server handed out");
		return;
	}
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	db_res *r = api_rows_or_reply(req, c,
	                              "SELECT " ORG_ITEM_COLUMNS
	                              " FROM orgs o WHERE o.owner_user_id = ? AND o.uscc > ? ORDER BY o.uscc LIMIT ?",
	                              DBP(DBI(req->user.id), DBS(after), DBI(limit + 1)));
	if (!r)
		return;
	jw items;
	http_list_begin(&items);
	org_items(&items, r, limit);
	char next[64] = "";
	if (r->nrows > limit)
		http_cursor_encode(db_val(r, limit - 1, OI_USCC), next, sizeof next);
	db_res_free(r);
	http_reply_list_jw(req, &items, *next ? next : NULL);
}

/* {uscc, owner_user_id, owner: {id, username, display_name, disabled} | null} — for registrars
 * only: the answer of both GET and PUT. */
static int owner_answer(tx *t, void *arg)
{
	const char *uscc = arg;
	db_res *r;
	int rc = orgs_row_or_refuse(t,
	                            "SELECT o.owner_user_id, u.username, u.display_name, u.disabled FROM orgs o "
	                            "LEFT JOIN users u ON u.id = o.owner_user_id WHERE o.uscc = ?",
	                            uscc, &r);
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "uscc", uscc);
	if (db_isnull(r, 0, 0)) {
		cJSON_AddNullToObject(o, "owner_user_id");
		cJSON_AddNullToObject(o, "owner");
	} else {
		cJSON_AddNumberToObject(o, "owner_user_id", (double)db_int(r, 0, 0));
		cJSON *u = cJSON_AddObjectToObject(o, "owner");
		cJSON_AddNumberToObject(u, "id", (double)db_int(r, 0, 0));
		json_add_str_or_null(u, "username", db_val(r, 0, 1));
		json_add_str_or_null(u, "display_name", db_val(r, 0, 2));
		cJSON_AddBoolToObject(u, "disabled", db_int(r, 0, 3) != 0);
	}
	db_res_free(r);
	tx_answer(t, 200, o, 0);
	return 0;
}

typedef struct owner_change {
	const char *uscc;
	long long user_id;    /* 0: none */
	const char *username; /* instead of user_id: the account's login, as the organization's staff give it */
} owner_change;

/* The account named by user_id or username, refused unless an enabled applicant. */
static int owner_check(tx *t, const owner_change *a, long long *user_id)
{
	db_res *r;
	int rc;
	*user_id = a->user_id;
	if (a->username) {
		if ((rc = db_query(t->c, "SELECT id FROM users WHERE username = ?", DBP(DBS(a->username)), &r)))
			return rc;
		*user_id = r->nrows == 1 ? db_int(r, 0, 0) : -1;
		db_res_free(r);
	}
	if (!*user_id)
		return 0;
	if ((rc = db_query(t->c, "SELECT role, disabled FROM users WHERE id = ?", DBP(DBI(*user_id)), &r)))
		return rc;
	const char *why = r->nrows != 1 ? "there is no such user"
	                  : auth_role_bit(db_val(r, 0, 0)) != ROLE_APPLICANT
	                          ? "only an applicant account acts for an organization"
	                  : db_int(r, 0, 1) ? "the account is disabled"
	                                    : NULL;
	db_res_free(r);
	if (!why)
		return 0;
	verr v = { 0 };
	verr_add(&v, a->username ? "username" : "user_id", "invalid_owner", "%s", why);
	return tx_refuse_fields(t, 422, "validation_failed", "the owner is not valid", &v);
}

static int owner_put(tx *t, void *arg)
{
	const owner_change *a = arg;
	org_row org;
	int rc = orgs_lock_registered_or_refuse(t, a->uscc, &org, "org_not_registered",
	                                        "%s is deregistered; nobody acts for it any more", a->uscc);
	if (rc)
		return rc;
	long long was = org.owner_user_id;
	org_row_free(&org);
	long long user_id;
	if ((rc = owner_check(t, a, &user_id)))
		return rc;
	char now[32];
	clock_fmt_db(clock_now(), now);
	rc = db_exec(t->c, "UPDATE orgs SET owner_user_id = ?, updated_at = ? WHERE uscc = ?",
	             DBP(user_id ? DBI(user_id) : DBNULL, DBS(now), DBS(a->uscc)), NULL, NULL);
	if (rc)
		return rc;
	cJSON *sum = cJSON_CreateObject();
	if (was)
		cJSON_AddNumberToObject(sum, "from_user_id", (double)was);
	else
		cJSON_AddNullToObject(sum, "from_user_id");
	if (user_id)
		cJSON_AddNumberToObject(sum, "to_user_id", (double)user_id);
	else
		cJSON_AddNullToObject(sum, "to_user_id");
	rc = audit_append(t->c, t->user, "org.owner", "org", a->uscc, sum);
	cJSON_Delete(sum);
	return rc ? rc : owner_answer(t, (void *)a->uscc);
}

/* PUT /api/v1/orgs/{uscc}/owner {"user_id": N | null} or {"username": "…"} (registrar). */
static void orgs_owner_put(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	owner_change a = { uscc, 0, NULL };
	verr v = { 0 };
	static const char *const allowed[] = { "user_id", "username", NULL };
	json_only_fields(req->json, allowed, &v, NULL);
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(req->json, "user_id");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(req->json, "username");
	char folded[80];
	if (u && n)
		verr_add(&v, "username", "conflict", "give user_id or username, not both");
	else if (n) {
		const char *name = NULL;
		if (json_get_str(req->json, "username", &name, &v, "username", JSON_REQUIRED, 1, 64) == 1) {
			users_fold_username(name, folded, sizeof folded);
			a.username = folded;
		}
	} else if (!u)
		verr_add(&v, "user_id", "required",
		         "user_id (or username) is required: the applicant's account, or null for none");
	else if (!cJSON_IsNull(u))
		json_get_int(req->json, "user_id", &a.user_id, &v, "user_id", JSON_REQUIRED, 1, 9007199254740991LL);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the owner is not valid", &v);
		return;
	}
	tx_run_or_reply(req, owner_put, &a);
}

/* GET /api/v1/orgs/{uscc}/owner (registrar): who acts for the organization now. */
static void orgs_owner_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	tx_read_or_reply(req, owner_answer, uscc);
}

const route org_owner_routes[] = {
	{ "GET", "/api/v1/me/orgs", orgs_mine, ROLE_APPLICANT, 0 },
	{ "GET", "/api/v1/orgs/{uscc}/owner", orgs_owner_get, ROLE_REGISTRAR, 0 },
	{ "PUT", "/api/v1/orgs/{uscc}/owner", orgs_owner_put, ROLE_REGISTRAR, R_JSON },
	{ NULL, NULL, NULL, 0, 0 },
};
