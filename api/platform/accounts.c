/* accounts.c — public sign-up of applicants, sign-in with lockout, sign-out, me.
 *
 * SPEC §3: 5 failed logins for one username within 15 minutes lock it for 15 minutes (429);
 * failures are also limited per IP address. Both live in the database, so every instance of
 * the daemon sees the same counts.
 *
 * Throttling is check-and-count in one step. Before a password is checked, the attempt takes a
 * slot: a login_failures row, inserted in a transaction that holds the row locks of the
 * address's and the username's login_locks rows and has counted the rows already in the window
 * (in-flight attempts included). So however many requests arrive at once, on one instance or
 * several, no more than login_max_failures passwords are checked for one username per window
 * (ip_login_failures_per_window for one address), and the rest are 429 without a check. A wrong
 * password leaves its row as the failure, and the failure that completes the count locks the
 * username — once: the lock is set under the same row lock, by whichever failure finds it unset.
 * A right password removes its own row only; failures stay counted for their window, as the
 * rule says ("5 failed logins within 15 minutes"), so a success in between cannot buy an
 * attacker racing it more guesses. A right password that arrives while the lock is being set
 * is refused too.
 *
 * login_locks rows are keyed by the lower-case username, or "ip:<address>" for addresses (':' is
 * never part of a username). Usernames are case-insensitive: stored and compared in lower case. */
#include "api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void minutes_ago(long long minutes, char out[32])
{
	clock_fmt_db(clock_now() - minutes * 60 * USEC_PER_SEC, out);
}

/* Takes the row lock of a login_locks row, creating it when missing, and gives its locked_until.
 * An unlocked row's time (in the past: the end of its last lock, or the year 1000) moves on by a
 * microsecond, so that the transaction writes the row: Galera certifies writes, not read locks,
 * and two nodes taking the same slot at once must conflict so that one of them retries. */
static int throttle_row(db_conn *c, const char *key, const char *now, usec_t *locked_until)
{
	int rc = db_exec(c,
	                 "INSERT INTO login_locks (username, locked_until) VALUES (?, '1000-01-01 00:00:00') "
	                 "ON DUPLICATE KEY UPDATE locked_until = IF(locked_until > ?, locked_until, "
	                 "locked_until + INTERVAL 1 MICROSECOND)",
	                 DBP(DBS(key), DBS(now)), NULL, NULL);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(c, "SELECT locked_until FROM login_locks WHERE username = ? FOR UPDATE", DBP(DBS(key)), &r);
	if (rc)
		return rc;
	*locked_until = 0;
	if (r->nrows == 1)
		clock_parse(db_val(r, 0, 0), locked_until);
	db_res_free(r);
	return 0;
}

static void ip_key(const char *ip, char out[80])
{
	snprintf(out, 80, "ip:%s", ip);
}

static long long secs_from_now(usec_t t)
{
	long long s = (t - clock_now() + USEC_PER_SEC - 1) / USEC_PER_SEC;
	return s > 0 ? s : 1;
}

/* --- sign-up ---------------------------------------------------------------- */
typedef struct signup_tx {
	const user_new *u;
	const char *hash;
	const char *ip;
	long long id;
	int throttled;
} signup_tx;

static int signup_tx_run(db_conn *c, void *arg)
{
	signup_tx *st = arg;
	/* Counted under the address's row lock, so concurrent sign-ups cannot all pass the count. */
	char key[80], now[32], since[32];
	ip_key(st->ip, key);
	clock_fmt_db(clock_now(), now);
	minutes_ago(60, since);
	usec_t ignored;
	int rc = throttle_row(c, key, now, &ignored);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(c, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'ip' AND object_id = ? "
	                 "AND action = 'account.signup' AND at > ?",
	              DBP(DBS(st->ip), DBS(since)), &r);
	if (rc)
		return rc;
	st->throttled = db_int(r, 0, 0) >= rule(RULE_ip_signups_per_hour);
	db_res_free(r);
	if (st->throttled)
		return 0;
	rc = users_insert(c, NULL, st->u, st->hash, &st->id);
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
	db_conn *c = api_db(req);
	if (!c)
		return;
	char hash[CRYPTO_PWHASH_MAX];
	if (crypto_password_hash(u.password, strlen(u.password), hash) < 0) {
		http_problem(req, 500, "internal", "the password could not be stored");
		return;
	}
	signup_tx st = { &u, hash, req->client_ip, 0, 0 };
	int rc = db_tx(signup_tx_run, &st);
	crypto_wipe(hash, sizeof hash);
	if (rc == DB_OK && st.throttled) {
		http_problem_hdr(req, 429, "too_many_signups", "Retry-After: 3600\r\n",
		                 "too many sign-ups from this address; try again later");
		return;
	}
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
enum { SLOT_TAKEN, SLOT_ACCOUNT_LOCKED, SLOT_ADDRESS_THROTTLED };

typedef struct slot_tx {
	const char *username;   /* lower case */
	int user_throttled;     /* 0 when the name cannot be a username (only the address counts) */
	const char *ip;
	int verdict;
	long long retry_after;  /* seconds, for a 429 */
	unsigned long long slot;
} slot_tx;

static int slot_tx_run(db_conn *c, void *arg)
{
	slot_tx *t = arg;
	t->verdict = SLOT_TAKEN;
	t->slot = 0;
	usec_t now_t = clock_now(), window = rule(RULE_login_failure_window_minutes) * 60 * USEC_PER_SEC;
	char now[32], since[32], key[80];
	clock_fmt_db(now_t, now);
	clock_fmt_db(now_t - window, since);

	usec_t locked_until;
	ip_key(t->ip, key);
	int rc = throttle_row(c, key, now, &locked_until);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(c, "SELECT COUNT(*), MIN(at) FROM login_failures WHERE ip = ? AND at > ?",
	              DBP(DBS(t->ip), DBS(since)), &r);
	if (rc)
		return rc;
	long long n = db_int(r, 0, 0);
	usec_t oldest = now_t;
	if (n)
		clock_parse(db_val(r, 0, 1), &oldest);
	db_res_free(r);
	if (n >= rule(RULE_ip_login_failures_per_window)) {
		t->verdict = SLOT_ADDRESS_THROTTLED;
		t->retry_after = secs_from_now(oldest + window);
		return 0;
	}

	if (t->user_throttled) {
		rc = throttle_row(c, t->username, now, &locked_until);
		if (rc)
			return rc;
		if (locked_until > now_t) {
			t->verdict = SLOT_ACCOUNT_LOCKED;
			t->retry_after = secs_from_now(locked_until);
			return 0;
		}
		/* The window starts again after a lock: failures before its end no longer count. */
		char floor[32];
		clock_fmt_db(locked_until > now_t - window ? locked_until : now_t - window, floor);
		rc = db_query(c, "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?",
		              DBP(DBS(t->username), DBS(floor)), &r);
		if (rc)
			return rc;
		n = db_int(r, 0, 0);
		db_res_free(r);
		if (n >= rule(RULE_login_max_failures)) {
			/* As many attempts as the rule allows are checked or being checked; if they fail the
			 * lock follows, so the wait said is the lock's. */
			t->verdict = SLOT_ACCOUNT_LOCKED;
			t->retry_after = rule(RULE_login_lock_minutes) * 60;
			return 0;
		}
	}
	return db_exec(c, "INSERT INTO login_failures (username, ip, at) VALUES (?, ?, ?)",
	               DBP(DBS(t->username), DBS(t->ip), DBS(now)), NULL, &t->slot);
}

/* A wrong password: its slot stays as the failure; the failure that completes the count locks. */
typedef struct fail_tx {
	const char *username, *ip;
} fail_tx;

static int fail_tx_run(db_conn *c, void *arg)
{
	fail_tx *f = arg;
	usec_t now_t = clock_now(), window = rule(RULE_login_failure_window_minutes) * 60 * USEC_PER_SEC;
	char now[32];
	clock_fmt_db(now_t, now);
	usec_t locked_until;
	int rc = throttle_row(c, f->username, now, &locked_until);
	if (rc || locked_until > now_t)
		return rc;  /* already locked by another failure: one lock, one audit entry */
	char floor[32];
	clock_fmt_db(locked_until > now_t - window ? locked_until : now_t - window, floor);
	db_res *r;
	rc = db_query(c, "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?",
	              DBP(DBS(f->username), DBS(floor)), &r);
	if (rc)
		return rc;
	long long failures = db_int(r, 0, 0);
	db_res_free(r);
	if (failures < rule(RULE_login_max_failures))
		return 0;
	usec_t until_t = now_t + rule(RULE_login_lock_minutes) * 60 * USEC_PER_SEC;
	char until[32], until_s[32];
	clock_fmt_db(until_t, until);
	clock_fmt(until_t, until_s);
	rc = db_exec(c, "UPDATE login_locks SET locked_until = ? WHERE username = ?", DBP(DBS(until), DBS(f->username)),
	             NULL, NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "locked_until", until_s);
	cJSON_AddStringToObject(s, "ip", f->ip);
	cJSON_AddNumberToObject(s, "failures", (double)failures);
	rc = audit_append(c, NULL, "account.locked", "user", f->username, s);
	cJSON_Delete(s);
	return rc;
}

typedef struct login_tx {
	long long user_id;
	const auth_user *who;
	const char *token_hash, *expires_db, *expires, *ip, *username;
	unsigned long long slot;
	usec_t locked_until;    /* set when the username was locked meanwhile: no session */
} login_tx;

static int login_tx_run(db_conn *c, void *arg)
{
	login_tx *l = arg;
	usec_t now_t = clock_now();
	char now[32];
	clock_fmt_db(now_t, now);
	int rc = throttle_row(c, l->username, now, &l->locked_until);
	if (rc)
		return rc;
	rc = db_exec(c, "DELETE FROM login_failures WHERE id = ?", DBP(DBI(l->slot)), NULL, NULL);
	if (rc)
		return rc;
	if (l->locked_until > now_t)
		return 0;
	l->locked_until = 0;
	rc = db_exec(c, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?)",
	             DBP(DBS(l->token_hash), DBI(l->user_id), DBS(now), DBS(l->expires_db), DBS(l->ip)), NULL, NULL);
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

static void reply_locked(http_req *req, long long retry_after)
{
	char hdr[64];
	snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", retry_after);
	http_problem_hdr(req, 429, "account_locked", hdr,
	                 "too many failed sign-ins: this account is locked for %lld minutes", rule(RULE_login_lock_minutes));
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
	const char *given = NULL, *password = NULL;
	json_get_str(req->json, "username", &given, &v, "username", JSON_REQUIRED, 1, 64);
	json_get_str(req->json, "password", &password, &v, "password", JSON_REQUIRED, 1, 256);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "username and password are required", &v);
		return;
	}
	char username[65];
	users_fold_username(given, username, sizeof username);
	db_conn *c = api_db(req);
	if (!c)
		return;
	slot_tx t = { username, strchr(username, ':') == NULL, req->client_ip, 0, 0, 0 };
	int rc = db_tx(slot_tx_run, &t);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	if (t.verdict == SLOT_ADDRESS_THROTTLED) {
		char hdr[64];
		snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", t.retry_after);
		http_problem_hdr(req, 429, "too_many_failures_from_address", hdr,
		                 "too many failed sign-ins from this address; try again later");
		return;
	}
	if (t.verdict == SLOT_ACCOUNT_LOCKED) {
		reply_locked(req, t.retry_after);
		return;
	}

	db_res *r;
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
		if (t.user_throttled) {
			fail_tx f = { username, req->client_ip };
			rc = db_tx(fail_tx_run, &f);
			if (rc) {
				http_problem_db(req, rc);
				return;
			}
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

	char token[CRYPTO_TOKEN_STR_LEN + 1], token_hash[CRYPTO_SHA256_HEX_LEN + 1], expires_db[32], expires[32];
	if (crypto_token_new(token, token_hash) < 0) {
		http_problem(req, 500, "internal", "no token could be made");
		return;
	}
	usec_t exp = clock_now() + rule(RULE_token_ttl_hours) * 3600 * USEC_PER_SEC;
	clock_fmt_db(exp, expires_db);
	clock_fmt(exp, expires);
	login_tx l = { who.id, &who, token_hash, expires_db, expires, req->client_ip, username, t.slot, 0 };
	rc = db_tx(login_tx_run, &l);
	if (rc) {
		crypto_wipe(token, sizeof token);
		http_problem_db(req, rc);
		return;
	}
	if (l.locked_until) {
		crypto_wipe(token, sizeof token);
		reply_locked(req, secs_from_now(l.locked_until));
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
	cJSON_AddStringToObject(data, "expires_at", expires);
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
	db_conn *c = api_db(req);
	if (!c)
		return;
	reply_user(req, c, req->user.id, 200);
}
