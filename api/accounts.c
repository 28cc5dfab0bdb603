/* accounts.c — public sign-up of applicants, sign-in with lockout, sign-out, me.
 *
 * SPEC §3: 5 failed logins for one username within 15 minutes lock it for 15 minutes (429);
 * failures are also limited per IP address. Both live in the database, so every instance of
 * the daemon sees the same counts. */
#include "api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void minutes_ago(long long minutes, char out[32])
{
	clock_fmt_db(clock_now() - minutes * 60 * USEC_PER_SEC, out);
}

/* --- sign-up ---------------------------------------------------------------- */
typedef struct signup_tx {
	const user_new *u;
	const char *hash;
	const char *ip;
	long long id;
} signup_tx;

static int signup_tx_run(db_conn *c, void *arg)
{
	signup_tx *st = arg;
	int rc = users_insert(c, NULL, st->u, st->hash, &st->id);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "username", st->u->username);
	/* Recorded by address so sign-ups per IP can be limited across instances. */
	rc = audit_append(c, NULL, "account.signup", "ip", st->ip, s);
	cJSON_Delete(s);
	return rc;
}

static void reply_user(http_req *req, db_conn *c, long long id, int status)
{
	db_res *r;
	int rc = db_query(c, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", DBP(DBI(id)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	if (r->nrows != 1) {
		db_res_free(r);
		http_problem(req, 404, "not_found", "there is no such user");
		return;
	}
	long long version = db_int(r, 0, 9);
	http_reply_data(req, status, users_json(r, 0), version);
	db_res_free(r);
}

void accounts_signup(http_req *req)
{
	verr v = { 0 };
	user_new u = { 0 };
	u.role = "applicant";
	json_get_str(req->json, "username", &u.username, &v, "username", JSON_REQUIRED, 3, 64);
	json_get_str(req->json, "password", &u.password, &v, "password", JSON_REQUIRED, 0, 256);
	json_get_str(req->json, "display_name", &u.display_name, &v, "display_name", JSON_REQUIRED, 1, 128);
	json_get_str(req->json, "phone", &u.phone, &v, "phone", JSON_OPTIONAL, 0, 32);
	json_get_str(req->json, "email", &u.email, &v, "email", JSON_OPTIONAL, 0, 254);
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(req->json, "role");
	if (role && !(cJSON_IsString(role) && !strcmp(role->valuestring, "applicant")))
		verr_add(&v, "role", "not_allowed", "sign-up creates applicant accounts only; admins create the other roles");
	users_validate_new(&u, 1, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the account details are not valid", &v);
		return;
	}
	db_conn *c = db_get();
	if (!c) {
		http_problem_db(req, DB_DOWN);
		return;
	}
	char since[32];
	minutes_ago(60, since);
	db_res *r;
	int rc = db_query(c, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'ip' AND object_id = ? "
	                     "AND action = 'account.signup' AND at > ?",
	                  DBP(DBS(req->client_ip), DBS(since)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	long long recent = db_int(r, 0, 0);
	db_res_free(r);
	if (recent >= rule(RULE_ip_signups_per_hour)) {
		http_problem_hdr(req, 429, "too_many_signups", "Retry-After: 3600\r\n",
		                 "too many sign-ups from this address; try again later");
		return;
	}
	char hash[CRYPTO_PWHASH_MAX];
	if (crypto_password_hash(u.password, strlen(u.password), hash) < 0) {
		http_problem(req, 500, "internal", "the password could not be stored");
		return;
	}
	signup_tx st = { &u, hash, req->client_ip, 0 };
	rc = db_tx(signup_tx_run, &st);
	crypto_wipe(hash, sizeof hash);
	if (rc == DB_DUP) {
		verr_add(&v, "username", "taken", "this username is taken");
		http_problem_fields(req, 409, "username_taken", "choose another username", &v);
		return;
	}
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	reply_user(req, c, st.id, 201);
}

/* --- sign-in ------------------------------------------------------------------ */
typedef struct fail_tx {
	const char *username, *ip, *now, *since, *until;
	long long failures;
} fail_tx;

static int fail_tx_run(db_conn *c, void *arg)
{
	fail_tx *f = arg;
	int rc = db_exec(c, "INSERT INTO login_failures (username, ip, at) VALUES (?, ?, ?)",
	                 DBP(DBS(f->username), DBS(f->ip), DBS(f->now)), NULL, NULL);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(c, "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?",
	              DBP(DBS(f->username), DBS(f->since)), &r);
	if (rc)
		return rc;
	f->failures = db_int(r, 0, 0);
	db_res_free(r);
	if (f->failures >= rule(RULE_login_max_failures)) {
		rc = db_exec(c, "INSERT INTO login_locks (username, locked_until) VALUES (?, ?) "
		                "ON DUPLICATE KEY UPDATE locked_until = VALUES(locked_until)",
		             DBP(DBS(f->username), DBS(f->until)), NULL, NULL);
		if (rc)
			return rc;
		/* The window starts again after the lock. */
		rc = db_exec(c, "DELETE FROM login_failures WHERE username = ?", DBP(DBS(f->username)), NULL, NULL);
		if (rc)
			return rc;
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "locked_until", f->until);
		cJSON_AddStringToObject(s, "ip", f->ip);
		rc = audit_append(c, NULL, "account.locked", "user", f->username, s);
		cJSON_Delete(s);
	}
	return rc;
}

typedef struct login_tx {
	long long user_id;
	const auth_user *who;
	const char *token_hash, *now, *expires, *ip, *username;
} login_tx;

static int login_tx_run(db_conn *c, void *arg)
{
	login_tx *l = arg;
	int rc = db_exec(c, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?)",
	                 DBP(DBS(l->token_hash), DBI(l->user_id), DBS(l->now), DBS(l->expires), DBS(l->ip)), NULL, NULL);
	if (rc)
		return rc;
	rc = db_exec(c, "DELETE FROM login_failures WHERE username = ?", DBP(DBS(l->username)), NULL, NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "ip", l->ip);
	cJSON_AddStringToObject(s, "expires_at", l->expires);
	char id[24];
	snprintf(id, sizeof id, "%lld", l->user_id);
	rc = audit_append(c, l->who, "auth.login", "user", id, s);
	cJSON_Delete(s);
	return rc;
}

static long long seconds_until(const char *db_time)
{
	usec_t t;
	if (clock_parse(db_time, &t) < 0)
		return 60;
	long long s = (t - clock_now()) / USEC_PER_SEC + 1;
	return s > 0 ? s : 1;
}

/* A hash to verify against when the user does not exist, so timing does not tell. */
static char dummy_hash[CRYPTO_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
	unsigned char pw[16];
	crypto_random(pw, sizeof pw);
	crypto_password_hash((const char *)pw, sizeof pw, dummy_hash);
}

void accounts_login(http_req *req)
{
	verr v = { 0 };
	const char *username = NULL, *password = NULL;
	json_get_str(req->json, "username", &username, &v, "username", JSON_REQUIRED, 1, 64);
	json_get_str(req->json, "password", &password, &v, "password", JSON_REQUIRED, 1, 256);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "username and password are required", &v);
		return;
	}
	db_conn *c = db_get();
	if (!c) {
		http_problem_db(req, DB_DOWN);
		return;
	}
	char now[32], since[32], ip_since[32];
	clock_fmt_db(clock_now(), now);
	minutes_ago(rule(RULE_login_failure_window_minutes), since);
	minutes_ago(rule(RULE_login_failure_window_minutes), ip_since);

	db_res *r;
	int rc = db_query(c, "SELECT COUNT(*) FROM login_failures WHERE ip = ? AND at > ?",
	                  DBP(DBS(req->client_ip), DBS(ip_since)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	long long ip_failures = db_int(r, 0, 0);
	db_res_free(r);
	if (ip_failures >= rule(RULE_ip_login_failures_per_window)) {
		char hdr[64];
		snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", rule(RULE_login_failure_window_minutes) * 60);
		http_problem_hdr(req, 429, "too_many_failures_from_address", hdr,
		                 "too many failed sign-ins from this address; try again later");
		return;
	}
	rc = db_query(c, "SELECT locked_until FROM login_locks WHERE username = ? AND locked_until > ?",
	              DBP(DBS(username), DBS(now)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	if (r->nrows) {
		char hdr[64];
		snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", seconds_until(db_val(r, 0, 0)));
		db_res_free(r);
		http_problem_hdr(req, 429, "account_locked", hdr,
		                 "too many failed sign-ins: this account is locked for %lld minutes",
		                 rule(RULE_login_lock_minutes));
		return;
	}
	db_res_free(r);

	rc = db_query(c, "SELECT id, password_hash, disabled, username, role FROM users WHERE username = ?",
	              DBP(DBS(username)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	int ok;
	if (r->nrows == 1) {
		ok = crypto_password_verify(password, strlen(password), db_val(r, 0, 1)) == 1 && db_int(r, 0, 2) == 0;
	} else {
		pthread_once(&dummy_once, dummy_make);
		crypto_password_verify(password, strlen(password), dummy_hash);
		ok = 0;
	}
	if (!ok) {
		db_res_free(r);
		char until[32];
		clock_fmt_db(clock_now() + rule(RULE_login_lock_minutes) * 60 * USEC_PER_SEC, until);
		fail_tx f = { username, req->client_ip, now, since, until, 0 };
		rc = db_tx(fail_tx_run, &f);
		if (rc) {
			http_problem_db(req, rc);
			return;
		}
		http_problem_hdr(req, 401, "invalid_credentials", "WWW-Authenticate: Bearer\r\n",
		                 "the username or password is wrong");
		return;
	}
	auth_user who = { 0 };
	who.id = db_int(r, 0, 0);
	snprintf(who.username, sizeof who.username, "%s", db_val(r, 0, 3));
	snprintf(who.role, sizeof who.role, "%s", db_val(r, 0, 4));
	db_res_free(r);

	char token[CRYPTO_TOKEN_STR_LEN + 1], token_hash[CRYPTO_SHA256_HEX_LEN + 1], expires[32];
	if (crypto_token_new(token, token_hash) < 0) {
		http_problem(req, 500, "internal", "no token could be made");
		return;
	}
	usec_t exp = clock_now() + rule(RULE_token_ttl_hours) * 3600 * USEC_PER_SEC;
	clock_fmt_db(exp, expires);
	login_tx l = { who.id, &who, token_hash, now, expires, req->client_ip, who.username };
	rc = db_tx(login_tx_run, &l);
	if (rc) {
		crypto_wipe(token, sizeof token);
		http_problem_db(req, rc);
		return;
	}
	rc = db_query(c, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", DBP(DBI(who.id)), &r);
	if (rc || r->nrows != 1) {
		if (!rc)
			db_res_free(r);
		crypto_wipe(token, sizeof token);
		http_problem_db(req, rc ? rc : DB_ERROR);
		return;
	}
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "token", token);
	char exp_s[32];
	clock_fmt(exp, exp_s);
	cJSON_AddStringToObject(data, "expires_at", exp_s);
	cJSON_AddItemToObject(data, "user", users_json(r, 0));
	db_res_free(r);
	crypto_wipe(token, sizeof token);
	http_reply_data(req, 200, data, 0);
}

/* --- sign-out and me ----------------------------------------------------------- */
typedef struct logout_tx {
	const auth_user *who;
} logout_tx;

static int logout_tx_run(db_conn *c, void *arg)
{
	logout_tx *l = arg;
	char now[32];
	clock_fmt_db(clock_now(), now);
	int rc = db_exec(c, "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
	                 DBP(DBS(now), DBS(l->who->token_hash)), NULL, NULL);
	if (rc)
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", l->who->id);
	return audit_append(c, l->who, "auth.logout", "user", id, NULL);
}

void accounts_logout(http_req *req)
{
	logout_tx l = { &req->user };
	int rc = db_tx(logout_tx_run, &l);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	http_reply_empty(req, 204);
}

void accounts_me(http_req *req)
{
	db_conn *c = db_get();
	if (!c) {
		http_problem_db(req, DB_DOWN);
		return;
	}
	reply_user(req, c, req->user.id, 200);
}
