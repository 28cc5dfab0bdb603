/* users.c — accounts administered by admins (every role), and the shared user pieces. */
#include "api.h"
#include "tx.h"
#include "uscc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const roles[] = { "applicant", "registrar", "purchaser", "evaluator", "admin", NULL };

static int username_ok(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '.' || *p == '-'))
			return 0;
	return 1;
}

static int email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@') || strchr(s, ' '))
		return 0;
	const char *dot = strrchr(at, '.');
	return dot && dot > at + 1 && dot[1];
}

static int phone_ok(const char *s)
{
	/* Mainland mobile (11 digits from 1[3-9]) or a landline with area code, optionally +86. */
	if (!strncmp(s, "+86", 3))
		s += 3;
	size_t n = strlen(s);
	if (n == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && strspn(s, "0123456789") == 11)
		return 1;
	size_t digits = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p != '-' && *p != ' ')
			return 0;
	}
	return s[0] == '0' && digits >= 10 && digits <= 12;
}

/* Names public sign-up may not take: the platform's own roles and accounts, and the actor the
 * audit trail records for the system itself ("system"), so that no applicant can pass for them.
 * Compared in lower case with '.', '-' and '_' removed ("Ad.Min" is "admin"). */
static const char *const reserved_names[] = { "admin",      "administrator", "root",      "system",       "sanzhi",
	                                      "sanzhid",    "registrar",     "purchaser", "evaluator",    "applicant",
	                                      "expert",     "anonymous",     "anon",      "guest",        "nobody",
	                                      "null",       "operator",      "support",   "security",     "audit",
	                                      "auditor",    "superuser",     "sysadmin",  "webmaster",    "postmaster",
	                                      "hostmaster", "mariadb",       "mysql",     "civilaffairs", "minzheng",
	                                      "official",   "staff",         NULL };

static int username_reserved(const char *s)
{
	char bare[65];
	size_t n = 0;
	for (const char *p = s; *p && n < sizeof bare - 1; p++)
		if (*p != '.' && *p != '-' && *p != '_')
			bare[n++] = (char)tolower((unsigned char)*p);
	bare[n] = 0;
	for (int i = 0; reserved_names[i]; i++)
		if (!strcmp(bare, reserved_names[i]))
			return 1;
	return 0;
}

/* Display names, departments, organization names: not blank, no control or invisible
 * characters. Records the problem under field; 0 when fine. */
static int check_name_text(const char *s, const char *field, verr *v)
{
	if (json_blank(s)) {
		verr_add(v, field, "blank", "%s must not be blank", field);
		return -1;
	}
	if (!json_text_clean(s, 1)) {
		verr_add(v, field, "invalid_characters",
		         "%s must not contain control characters, line breaks or invisible formatting characters",
		         field);
		return -1;
	}
	return 0;
}

int users_check_password(const char *pw, const char *username, const char *field, verr *v)
{
	if (json_utf8_len(pw) < (size_t)rule(RULE_password_min_length)) {
		verr_add(v, field, "too_short", "the password must have at least %lld characters",
		         rule(RULE_password_min_length));
		return -1;
	}
	if (json_blank(pw)) {
		verr_add(v, field, "blank", "the password must not be only blanks");
		return -1;
	}
	if (username && !strcasecmp(pw, username)) {
		verr_add(v, field, "same_as_username", "the password must not be the username");
		return -1;
	}
	return 0;
}

/* The first date an affiliation may have: the People's Republic was founded on 1949-10-01. */
#define AFFILIATION_EARLIEST "1949-10-01"

static void affiliations_check(const cJSON *list, verr *v)
{
	static const char *const fields[] = { "org_name", "org_uscc", "from", "to", NULL };
	int64_t earliest = 0, today = clock_local_day(clock_now());
	clock_parse_date(AFFILIATION_EARLIEST, &earliest);
	int i = 0;
	const cJSON *a;
	cJSON_ArrayForEach(a, list) {
		char f[64], prefix[32];
		snprintf(prefix, sizeof prefix, "affiliations[%d]", i);
		if (!cJSON_IsObject(a)) {
			verr_add(v, prefix, "type", "%s must be an object {org_name, org_uscc, from, to}", prefix);
			i++;
			continue;
		}
		json_only_fields(a, fields, v, prefix);
		const char *s = NULL;
		snprintf(f, sizeof f, "%s.org_name", prefix);
		if (json_get_str(a, "org_name", &s, v, f, JSON_REQUIRED, 1, 200) == 1)
			check_name_text(s, f, v);
		snprintf(f, sizeof f, "%s.org_uscc", prefix);
		if (json_get_str(a, "org_uscc", &s, v, f, JSON_OPTIONAL, 18, 18) == 1 && uscc_check(s, NULL, NULL) != 0)
			verr_add(v, f, "invalid_uscc",
			         "%s is not a valid unified social credit code (check characters)", f);
		int64_t from = 0, to = 0;
		int has_from = 0, has_to = 0;
		snprintf(f, sizeof f, "%s.from", prefix);
		if (json_get_str(a, "from", &s, v, f, JSON_REQUIRED, 10, 10) == 1) {
			if (clock_parse_date(s, &from) < 0)
				verr_add(v, f, "invalid_date", "%s must be a date YYYY-MM-DD", f);
			else if (from < earliest)
				verr_add(v, f, "out_of_range", "%s must not be before %s", f, AFFILIATION_EARLIEST);
			else if (from > today)
				verr_add(v, f, "in_future", "%s must not be in the future", f);
			else
				has_from = 1;
		}
		snprintf(f, sizeof f, "%s.to", prefix);
		if (json_get_str(a, "to", &s, v, f, JSON_OPTIONAL, 10, 10) == 1) {
			if (clock_parse_date(s, &to) < 0)
				verr_add(v, f, "invalid_date",
				         "%s must be a date YYYY-MM-DD (leave it out while it lasts)", f);
			else if (to > today)
				verr_add(v, f, "in_future",
				         "%s must not be in the future; leave it out while the affiliation lasts", f);
			else
				has_to = 1;
		}
		if (has_from && has_to && from > to)
			verr_add(v, f, "before_from", "%s must not be before %s.from", f, prefix);
		i++;
	}
}

void users_validate_new(const user_new *u, int public_signup, verr *v)
{
	if (u->username && !username_ok(u->username))
		verr_add(v, "username", "invalid_characters",
		         "username may use letters, digits, '_', '.' and '-' only");
	else if (u->username && public_signup && username_reserved(u->username))
		verr_add(v, "username", "reserved", "this username is reserved for the platform; choose another");
	if (u->password)
		users_check_password(u->password, u->username, "password", v);
	if (u->display_name)
		check_name_text(u->display_name, "display_name", v);
	if (u->email && *u->email && !email_ok(u->email))
		verr_add(v, "email", "invalid_email", "this is not an email address");
	if (u->phone && *u->phone && !phone_ok(u->phone))
		verr_add(v, "phone", "invalid_phone", "this is not a mainland mobile or landline number");
	if (public_signup && !(u->phone && *u->phone) && !(u->email && *u->email))
		verr_add(v, "phone", "contact_required", "give a phone number or an email address");
	int purchaser = u->role && !strcmp(u->role, "purchaser");
	if (purchaser && !(u->department && *u->department))
		verr_add(v, "department", "required", "a purchaser belongs to a department");
	else if (u->department && *u->department && u->role && !purchaser)
		verr_add(v, "department", "not_allowed", "only purchasers belong to a department");
	else if (u->department && *u->department)
		check_name_text(u->department, "department", v);
	if (u->affiliations) {
		if (!u->role || strcmp(u->role, "evaluator"))
			verr_add(v, "affiliations", "not_allowed", "only evaluators record affiliations");
		affiliations_check(u->affiliations, v);
	}
}

/* Usernames are compared and stored in lower case: "MixCase" and "mixcase" are one account. */
void users_fold_username(const char *in, char *out, size_t outlen)
{
	size_t i = 0;
	for (; in[i] && i < outlen - 1; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = 0;
}

static int affiliations_insert(db_conn *c, long long user_id, const cJSON *list)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, list) {
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(a, "to");
		const cJSON *uscc = cJSON_GetObjectItemCaseSensitive(a, "org_uscc");
		int rc = db_exec(c,
		                 "INSERT INTO user_affiliations (user_id, org_uscc, org_name, from_date, to_date) "
		                 "VALUES (?, ?, ?, ?, ?)",
		                 DBP(DBI(user_id), DBS(cJSON_IsString(uscc) ? uscc->valuestring : NULL),
		                     DBS(cJSON_GetObjectItemCaseSensitive(a, "org_name")->valuestring),
		                     DBS(cJSON_GetObjectItemCaseSensitive(a, "from")->valuestring),
		                     DBS(cJSON_IsString(to) ? to->valuestring : NULL)),
		                 NULL, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

int users_insert(db_conn *c, const auth_user *who, const user_new *u, const char *password_hash, long long *id)
{
	char now[32], username[65];
	clock_fmt_db(clock_now(), now);
	users_fold_username(u->username, username, sizeof username);
	unsigned long long newid = 0;
	int rc = db_exec(c,
	                 "INSERT INTO users (username, password_hash, role, display_name, phone, email, department, "
	                 "expert, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                 DBP(DBS(username), DBS(password_hash), DBS(u->role), DBS(u->display_name),
	                     DBS(u->phone && *u->phone ? u->phone : NULL), DBS(u->email && *u->email ? u->email : NULL),
	                     DBS(u->department && *u->department ? u->department : NULL), DBI(u->expert ? 1 : 0),
	                     DBS(now), DBS(now)),
	                 NULL, &newid);
	if (rc)
		return rc;
	*id = (long long)newid;
	rc = affiliations_insert(c, *id, u->affiliations);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "username", username);
	cJSON_AddStringToObject(s, "role", u->role);
	if (u->department && *u->department)
		cJSON_AddStringToObject(s, "department", u->department);
	if (u->expert)
		cJSON_AddBoolToObject(s, "expert", 1);
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", *id);
	rc = audit_append(c, who, "user.create", "user", ids, s);
	cJSON_Delete(s);
	return rc;
}

cJSON *users_json(const db_res *r, int row)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(r, row, 0));
	cJSON_AddStringToObject(o, "username", db_val(r, row, 1));
	cJSON_AddStringToObject(o, "role", db_val(r, row, 2));
	cJSON_AddStringToObject(o, "display_name", db_val(r, row, 3));
	json_add_str_or_null(o, "phone", db_val(r, row, 4));
	json_add_str_or_null(o, "email", db_val(r, row, 5));
	json_add_str_or_null(o, "department", db_val(r, row, 6));
	cJSON_AddBoolToObject(o, "expert", db_int(r, row, 7) != 0);
	cJSON_AddBoolToObject(o, "disabled", db_int(r, row, 8) != 0);
	cJSON_AddNumberToObject(o, "version", (double)db_int(r, row, 9));
	api_add_time(o, "created_at", db_val(r, row, 10));
	cJSON_AddBoolToObject(o, "must_change_password", db_int(r, row, 11) != 0);
	return o;
}

static cJSON *affiliations_json(db_conn *c, long long user_id)
{
	db_res *r;
	cJSON *arr = cJSON_CreateArray();
	if (db_query(c,
	             "SELECT org_uscc, org_name, from_date, to_date FROM user_affiliations WHERE user_id = ? ORDER BY "
	             "id",
	             DBP(DBI(user_id)), &r))
		return arr;
	for (int i = 0; i < r->nrows; i++) {
		cJSON *a = cJSON_CreateObject();
		json_add_str_or_null(a, "org_uscc", db_val(r, i, 0));
		cJSON_AddStringToObject(a, "org_name", db_val(r, i, 1));
		json_add_str_or_null(a, "from", db_val(r, i, 2));
		json_add_str_or_null(a, "to", db_val(r, i, 3));
		cJSON_AddItemToArray(arr, a);
	}
	db_res_free(r);
	return arr;
}

/* ?q= as a LIKE pattern that matches q anywhere: %, _ and \ taken literally. */
static void like_pattern(const char *q, char *out, size_t outlen)
{
	size_t k = 0;
	out[k++] = '%';
	for (; *q && k + 3 < outlen; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			out[k++] = '\\';
		out[k++] = *q;
	}
	out[k++] = '%';
	out[k] = 0;
}

/* GET /api/v1/users?role=&q=&disabled=: q finds a part of the username, display name or email
 * (admins looking for an account); disabled=true|false. */
void users_list(http_req *req)
{
	int limit;
	long long after;
	char role[32] = "", q[130] = "", pattern[264] = "", disabled[8] = "";
	if (http_page_num_or_reply(req, &limit, &after, 0) < 0)
		return;
	if (http_query(req, "role", role, sizeof role) < 0 || (*role && !auth_role_bit(role))) {
		http_problem(req, 400, "invalid_role",
		             "role must be one of applicant, registrar, purchaser, evaluator, admin");
		return;
	}
	if (http_query(req, "q", q, sizeof q) < 0 || json_utf8_len(q) > 64) {
		http_problem(req, 400, "invalid_query", "q is at most 64 characters");
		return;
	}
	int got = http_query(req, "disabled", disabled, sizeof disabled);
	if (got < 0 || (got > 0 && strcmp(disabled, "true") && strcmp(disabled, "false"))) {
		http_problem(req, 400, "invalid_disabled", "disabled is true or false");
		return;
	}
	if (*q) {
		char folded[sizeof q];
		users_fold_username(q, folded, sizeof folded);
		like_pattern(folded, pattern, sizeof pattern);
	}
	int dis = !*disabled ? -1 : !strcmp(disabled, "true");
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	db_res *r = api_rows_or_reply(req, c,
	                              "SELECT " USER_COLUMNS " FROM users WHERE id > ? AND (? = '' OR role = ?) "
	                              "AND (? = '' OR username LIKE ? OR LOWER(display_name) LIKE ? "
	                              "OR LOWER(email) LIKE ?) AND (? < 0 OR disabled = ?) ORDER BY id LIMIT ?",
	                              DBP(DBI(after), DBS(role), DBS(role), DBS(pattern), DBS(pattern), DBS(pattern),
	                                  DBS(pattern), DBI(dis), DBI(dis), DBI(limit + 1)));
	if (!r)
		return;
	http_reply_rows(req, r, limit, users_json, 0);
	db_res_free(r);
}

typedef struct create_tx {
	const auth_user *who;
	const user_new *u;
	const char *hash;
	long long id;
} create_tx;

static int create_tx_run(db_conn *c, void *arg)
{
	create_tx *t = arg;
	return users_insert(c, t->who, t->u, t->hash, &t->id);
}

int users_create(const auth_user *who, const user_new *u, const char *password_hash, long long *id)
{
	create_tx t = { who, u, password_hash, 0 };
	int rc = db_tx(create_tx_run, &t);
	if (rc == DB_OK)
		*id = t.id;
	return rc;
}

int users_insert_or_refuse(tx *t, const auth_user *who, const user_new *u, const char *password_hash, long long *id)
{
	int rc = users_insert(t->c, who, u, password_hash, id);
	if (rc != DB_DUP)
		return rc;
	verr v = { 0 };
	verr_add(&v, "username", "taken", "this username is taken");
	return tx_refuse_fields(t, 409, "username_taken", "choose another username", &v);
}

int users_read(db_conn *c, long long id, int full, cJSON **out, long long *version)
{
	*out = NULL;
	db_res *r;
	int rc = db_query(c, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return 0;
	}
	cJSON *o = users_json(r, 0);
	*version = db_int(r, 0, 9);
	db_res_free(r);
	if (full && !strcmp(json_str_member(o, "role"), "evaluator"))
		cJSON_AddItemToObject(o, "affiliations", affiliations_json(c, id));
	*out = o;
	return 0;
}

int users_answer(tx *t, long long id, int full, int status)
{
	cJSON *o;
	long long version = 0;
	int rc = users_read(t->c, id, full, &o, &version);
	if (rc)
		return rc;
	if (!o)
		return tx_refuse(t, 404, "not_found", "there is no such user");
	tx_answer(t, status, o, version);
	return 0;
}

int users_hash_or_reply(http_req *req, const char *password, char hash[CRYPTO_PWHASH_MAX])
{
	if (crypto_password_hash(password, strlen(password), hash) == 0)
		return 0;
	http_problem(req, 500, "internal", "the password could not be stored");
	return -1;
}

static int user_post_tx(tx *t, void *arg)
{
	user_hashed *p = arg;
	long long id;
	int rc = users_insert_or_refuse(t, t->user, &p->u, p->hash, &id);
	return rc ? rc : users_answer(t, id, 1, 201);
}

void users_post(http_req *req)
{
	verr v = { 0 };
	user_hashed p = { 0 };
	user_new *u = &p.u;
	json_get_str(req->json, "username", &u->username, &v, "username", JSON_REQUIRED, 3, 64);
	json_get_str(req->json, "password", &u->password, &v, "password", JSON_REQUIRED, 0, 256);
	json_get_enum(req->json, "role", &u->role, roles, &v, "role", JSON_REQUIRED);
	json_get_str(req->json, "display_name", &u->display_name, &v, "display_name", JSON_REQUIRED, 1, 128);
	json_get_str(req->json, "phone", &u->phone, &v, "phone", JSON_OPTIONAL, 0, 32);
	json_get_str(req->json, "email", &u->email, &v, "email", JSON_OPTIONAL, 0, 254);
	json_get_str(req->json, "department", &u->department, &v, "department", JSON_OPTIONAL, 0, 128);
	json_get_bool(req->json, "expert", &u->expert, &v, "expert", JSON_OPTIONAL);
	json_get_array(req->json, "affiliations", &u->affiliations, &v, "affiliations", JSON_OPTIONAL, 100);
	if (u->expert && u->role && strcmp(u->role, "evaluator"))
		verr_add(&v, "expert", "not_allowed", "only evaluators are experts");
	users_validate_new(u, 0, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the user is not valid", &v);
		return;
	}
	if (users_hash_or_reply(req, u->password, p.hash) < 0)
		return;
	tx_run_or_reply(req, user_post_tx, &p);
	crypto_wipe(p.hash, sizeof p.hash);
}

static int user_get_tx(tx *t, void *arg)
{
	return users_answer(t, *(const long long *)arg, 1, 200);
}

void users_get(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, user_get_tx, &id);
}

typedef struct user_patch {
	long long id;
	const char *display_name, *phone, *email, *department, *password_hash;
	int disabled, expert, has_disabled, has_expert;
	int must_change, has_must_change; /* the user chooses a new password at the next sign-in */
	const cJSON *affiliations;        /* replaces the evaluator's list when given ([] empties it) */
	long long version_seen;           /* body "version": a precondition like If-Match; 0 when absent */
	char hash[CRYPTO_PWHASH_MAX];
} user_patch;

static cJSON *affiliations_summary(const cJSON *list)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *a;
	cJSON_ArrayForEach(a, list) {
		static const char *const keys[] = { "org_name", "org_uscc", "from", "to" };
		cJSON *o = cJSON_CreateObject();
		for (int i = 0; i < 4; i++)
			json_add_str_or_null(o, keys[i], json_str_member(a, keys[i]));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static int patch_refuse(tx *t, const char *field, const char *code, const char *msg)
{
	verr v = { 0 };
	verr_add(&v, field, code, "%s", msg);
	return tx_refuse_fields(t, 422, "validation_failed", "the change is not valid", &v);
}

static cJSON *patch_summary(const user_patch *p, long long version)
{
	cJSON *s = cJSON_CreateObject();
	if (p->display_name)
		cJSON_AddStringToObject(s, "display_name", p->display_name);
	if (p->phone)
		cJSON_AddStringToObject(s, "phone", p->phone);
	if (p->email)
		cJSON_AddStringToObject(s, "email", p->email);
	if (p->department)
		cJSON_AddStringToObject(s, "department", p->department);
	if (p->has_disabled)
		cJSON_AddBoolToObject(s, "disabled", p->disabled);
	if (p->has_expert)
		cJSON_AddBoolToObject(s, "expert", p->expert);
	if (p->password_hash)
		cJSON_AddBoolToObject(s, "password_reset", 1);
	if (p->has_must_change)
		cJSON_AddBoolToObject(s, "must_change_password", p->must_change);
	if (p->affiliations)
		cJSON_AddItemToObject(s, "affiliations", affiliations_summary(p->affiliations));
	cJSON_AddNumberToObject(s, "version", (double)version);
	return s;
}

static int user_patch_tx(tx *t, void *arg)
{
	user_patch *p = arg;
	db_res *r;
	int rc = db_query(t->c, "SELECT version, role, disabled FROM users WHERE id = ? FOR UPDATE", DBP(DBI(p->id)),
	                  &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such user");
	}
	long long version = db_int(r, 0, 0);
	int is_evaluator = !strcmp(db_val(r, 0, 1), "evaluator");
	int is_purchaser = !strcmp(db_val(r, 0, 1), "purchaser");
	db_res_free(r);
	if (tx_if_match(t, version) < 0)
		return TX_REFUSED;
	if (p->version_seen && p->version_seen != version)
		return tx_refuse(t, 412, "version_mismatch",
		                 "version %lld does not match the current version %lld; reload and retry",
		                 p->version_seen, version);
	if (p->has_expert && !is_evaluator)
		return patch_refuse(t, "expert", "not_allowed", "only evaluators are experts");
	if (p->affiliations && !is_evaluator)
		return patch_refuse(t, "affiliations", "not_allowed", "only evaluators record affiliations");
	if (p->department && !is_purchaser)
		return patch_refuse(t, "department", "not_allowed", "only purchasers belong to a department");
	if (p->department && !*p->department)
		return patch_refuse(t, "department", "required", "a purchaser belongs to a department");
	if (p->has_disabled && p->disabled && p->id == t->user->id)
		return tx_refuse(t, 409, "cannot_disable_self", "an admin cannot disable their own account");
	char now[32];
	clock_fmt_db(clock_now(), now);
	rc = db_exec(t->c,
	             "UPDATE users SET display_name = COALESCE(?, display_name), phone = COALESCE(?, phone), "
	             "email = COALESCE(?, email), department = COALESCE(?, department), "
	             "password_hash = COALESCE(?, password_hash), disabled = IF(?, ?, disabled), "
	             "expert = IF(?, ?, expert), must_change_password = IF(?, ?, must_change_password), "
	             "version = version + 1, updated_at = ? WHERE id = ?",
	             DBP(DBS(p->display_name), DBS(p->phone), DBS(p->email), DBS(p->department), DBS(p->password_hash),
	                 DBI(p->has_disabled), DBI(p->disabled), DBI(p->has_expert), DBI(p->expert),
	                 DBI(p->has_must_change), DBI(p->must_change), DBS(now), DBI(p->id)),
	             NULL, NULL);
	if (rc)
		return rc;
	/* Affiliations are replaced whole: the list is what the evaluator declared, and the
	 * user's version (and the audit entry below, which carries the new list) versions it. */
	if (p->affiliations) {
		rc = db_exec(t->c, "DELETE FROM user_affiliations WHERE user_id = ?", DBP(DBI(p->id)), NULL, NULL);
		if (!rc)
			rc = affiliations_insert(t->c, p->id, p->affiliations);
		if (rc)
			return rc;
	}
	/* Disabling or a new password ends every session of the account. */
	if ((p->has_disabled && p->disabled) || p->password_hash) {
		rc = db_exec(t->c, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
		             DBP(DBS(now), DBI(p->id)), NULL, NULL);
		if (rc)
			return rc;
	}
	cJSON *s = patch_summary(p, version + 1);
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", p->id);
	rc = audit_append(t->c, t->user, "user.update", "user", ids, s);
	cJSON_Delete(s);
	return rc ? rc : users_answer(t, p->id, 1, 200);
}

void users_patch(http_req *req)
{
	user_patch p = { 0 };
	if (api_id_param_or_reply(req, "id", &p.id) < 0)
		return;
	verr v = { 0 };
	const char *password = NULL;
	int changes = 0;
	changes += json_get_str(req->json, "display_name", &p.display_name, &v, "display_name", JSON_OPTIONAL, 1,
	                        128) == 1;
	changes += json_get_str(req->json, "phone", &p.phone, &v, "phone", JSON_OPTIONAL, 0, 32) == 1;
	changes += json_get_str(req->json, "email", &p.email, &v, "email", JSON_OPTIONAL, 0, 254) == 1;
	changes += json_get_str(req->json, "department", &p.department, &v, "department", JSON_OPTIONAL, 0, 128) == 1;
	changes += json_get_str(req->json, "password", &password, &v, "password", JSON_OPTIONAL, 0, 256) == 1;
	p.has_disabled = json_get_bool(req->json, "disabled", &p.disabled, &v, "disabled", JSON_OPTIONAL) == 1;
	p.has_expert = json_get_bool(req->json, "expert", &p.expert, &v, "expert", JSON_OPTIONAL) == 1;
	p.has_must_change = json_get_bool(req->json, "must_change_password", &p.must_change, &v, "must_change_password",
	                                  JSON_OPTIONAL) == 1;
	if (json_get_array(req->json, "affiliations", &p.affiliations, &v, "affiliations", JSON_OPTIONAL, 100) == 1) {
		affiliations_check(p.affiliations, &v);
		changes++;
	}
	changes += p.has_disabled + p.has_expert + p.has_must_change;
	json_get_int(req->json, "version", &p.version_seen, &v, "version", JSON_OPTIONAL, 1, 1LL << 31);
	static const char *const allowed[] = {
		"display_name", "phone",        "email",   "department",           "password", "disabled",
		"expert",       "affiliations", "version", "must_change_password", NULL
	};
	const cJSON *it;
	cJSON_ArrayForEach(it, req->json) {
		if (!str_in_list(allowed, it->string))
			verr_add(&v, it->string, "not_editable", "%s cannot be changed here", it->string);
	}
	if (p.display_name)
		check_name_text(p.display_name, "display_name", &v);
	if (p.department && *p.department)
		check_name_text(p.department, "department", &v);
	if (password)
		users_check_password(password, NULL, "password", &v);
	user_new check = { 0 };
	check.email = p.email;
	check.phone = p.phone;
	users_validate_new(&check, 0, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the change is not valid", &v);
		return;
	}
	/* An empty change would bump the version and write an empty audit entry. */
	if (!changes) {
		http_problem(req, 422, "no_changes",
		             "the body changes nothing: give at least one of display_name, phone, email, department, "
		             "password, disabled, expert, affiliations, must_change_password");
		return;
	}
	if (password) {
		if (users_hash_or_reply(req, password, p.hash) < 0)
			return;
		p.password_hash = p.hash;
	}
	tx_run_or_reply(req, user_patch_tx, &p);
	crypto_wipe(p.hash, sizeof p.hash);
}
