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
#include "tx.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static usec_t failure_window(void)
{
	return rule(RULE_login_failure_window_minutes) * 60 * USEC_PER_SEC;
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

/* The failures of username that count now: those of the window, and none from before the end of
 * its last lock (the window starts again after a lock). */
static int user_failures(db_conn *c, const char *username, usec_t locked_until, usec_t now_t, long long *n)
{
	usec_t since_t = now_t - failure_window();
	char since[32];
	clock_fmt_db(locked_until > since_t ? locked_until : since_t, since);
	db_res *r;
	int rc = db_query(c, "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?",
	                  DBP(DBS(username), DBS(since)), &r);
	if (rc)
		return rc;
	*n = db_int(r, 0, 0);
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

static void retry_after(tx *t, long long seconds)
{
	char hdr[48];
	snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", seconds);
	tx_problem_header(t, hdr);
}

/* --- sign-up ---------------------------------------------------------------- */
static int signup_tx(tx *t, void *arg)
{
	user_hashed *s = arg;
	/* Counted under the address's row lock, so concurrent sign-ups cannot all pass the count. */
	usec_t now_t = clock_now();
	char key[80], now[32], since[32];
	ip_key(t->client_ip, key);
	clock_fmt_db(now_t, now);
	clock_fmt_db(now_t - 3600 * USEC_PER_SEC, since);
	usec_t ignored;
	int rc = throttle_row(t->c, key, now, &ignored);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(t->c,
	              "SELECT COUNT(*) FROM audit_log WHERE object_type = 'ip' AND object_id = ? "
	              "AND action = 'account.signup' AND at > ?",
	              DBP(DBS(t->client_ip), DBS(since)), &r);
	if (rc)
		return rc;
	long long recent = db_int(r, 0, 0);
	db_res_free(r);
	if (recent >= rule(RULE_ip_signups_per_hour)) {
		tx_refuse(t, 429, "too_many_signups", "too many sign-ups from this address; try again later");
		retry_after(t, 3600);
		return TX_REFUSED;
	}
	long long id;
	rc = users_insert_or_refuse(t, NULL, &s->u, s->hash, &id);
	if (rc)
		return rc;
	cJSON *summary = cJSON_CreateObject();
	cJSON_AddStringToObject(summary, "username", s->u.username);
	/* Recorded by address so sign-ups per IP can be limited across instances. */
	rc = audit_append(t->c, NULL, "account.signup", "ip", t->client_ip, summary);
	cJSON_Delete(summary);
	return rc ? rc : users_answer(t, id, 0, 201);
}

void accounts_signup(http_req *req)
{
	verr v = { 0 };
	user_hashed s = { 0 };
	user_new *u = &s.u;
	u->role = "applicant";
	json_get_str(req->json, "username", &u->username, &v, "username", JSON_REQUIRED, 3, 64);
	json_get_str(req->json, "password", &u->password, &v, "password", JSON_REQUIRED, 0, 256);
	json_get_str(req->json, "display_name", &u->display_name, &v, "display_name", JSON_REQUIRED, 1, 128);
	json_get_str(req->json, "phone", &u->phone, &v, "phone", JSON_OPTIONAL, 0, 32);
	json_get_str(req->json, "email", &u->email, &v, "email", JSON_OPTIONAL, 0, 254);
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(req->json, "role");
	if (role && !(cJSON_IsString(role) && !strcmp(role->valuestring, "applicant")))
		verr_add(&v, "role", "not_allowed",
		         "sign-up creates applicant accounts only; admins create the other roles");
	users_validate_new(u, 1, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the account details are not valid", &v);
		return;
	}
	/* No password is hashed (a costly step) for a database that is down. */
	if (!api_db_or_reply(req))
		return;
	if (users_hash_or_reply(req, u->password, s.hash) < 0)
		return;
	tx_run_or_reply(req, signup_tx, &s);
	crypto_wipe(s.hash, sizeof s.hash);
}

/* --- sign-in ------------------------------------------------------------------
 * Three steps: the attempt takes its slot (committed, so that concurrent attempts count it),
 * the password is checked outside any transaction (scrypt holds no row lock), and the outcome is
 * committed: a failure stays counted and may lock the username, a success gives the slot back
 * and opens a session. Every refusal of a sign-in keeps its writes (tx_refuse_commit). */
typedef struct login {
	char username[65]; /* lower case */
	const char *password;
	const char *ip;
	int user_throttled; /* 0 when the name cannot be a username (only the address counts) */
	/* the slot, and the account it names (found 0: none) */
	unsigned long long slot;
	int found, disabled;
	auth_user who;
	char hash[CRYPTO_PWHASH_MAX];
	int ok;          /* the password was right and the account enabled */
	int must_change; /* an admin set the password: the user must choose a new one first */
	/* POST /auth/password-change: the new password's hash (set: change it, then sign in) */
	const char *new_password;
	char new_hash[CRYPTO_PWHASH_MAX];
	char token[CRYPTO_TOKEN_STR_LEN + 1], token_hash[CRYPTO_SHA256_HEX_LEN + 1];
} login;

static int refuse_locked(tx *t, long long seconds)
{
	tx_refuse_commit(t, 429, "account_locked", "too many failed sign-ins: this account is locked for %lld minutes",
	                 rule(RULE_login_lock_minutes));
	retry_after(t, seconds);
	return TX_REFUSED;
}

static int account_read(db_conn *c, login *l)
{
	db_res *r;
	int rc = db_query(c,
	                  "SELECT id, password_hash, disabled, username, role, must_change_password FROM users "
	                  "WHERE username = ?",
	                  DBP(DBS(l->username)), &r);
	if (rc)
		return rc;
	l->found = r->nrows == 1;
	if (l->found) {
		l->who.id = db_int(r, 0, 0);
		snprintf(l->hash, sizeof l->hash, "%s", db_val(r, 0, 1));
		l->disabled = db_int(r, 0, 2) != 0;
		snprintf(l->who.username, sizeof l->who.username, "%s", db_val(r, 0, 3));
		snprintf(l->who.role, sizeof l->who.role, "%s", db_val(r, 0, 4));
		l->must_change = db_int(r, 0, 5) != 0;
	}
	db_res_free(r);
	return 0;
}

/* Step 1: check and count in one step, under the row locks of the address and the username. */
static int slot_take(tx *t, void *arg)
{
	login *l = arg;
	l->slot = 0;
	usec_t now_t = clock_now(), window = failure_window();
	char now[32], since[32], key[80];
	clock_fmt_db(now_t, now);
	clock_fmt_db(now_t - window, since);

	usec_t locked_until;
	ip_key(l->ip, key);
	int rc = throttle_row(t->c, key, now, &locked_until);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(t->c, "SELECT COUNT(*), MIN(at) FROM login_failures WHERE ip = ? AND at > ?",
	              DBP(DBS(l->ip), DBS(since)), &r);
	if (rc)
		return rc;
	long long n = db_int(r, 0, 0);
	usec_t oldest = now_t;
	if (n)
		clock_parse(db_val(r, 0, 1), &oldest);
	db_res_free(r);
	if (n >= rule(RULE_ip_login_failures_per_window)) {
		tx_refuse_commit(t, 429, "too_many_failures_from_address",
		                 "too many failed sign-ins from this address; try again later");
		retry_after(t, secs_from_now(oldest + window));
		return TX_REFUSED;
	}

	if (l->user_throttled) {
		rc = throttle_row(t->c, l->username, now, &locked_until);
		if (rc)
			return rc;
		if (locked_until > now_t)
			return refuse_locked(t, secs_from_now(locked_until));
		if ((rc = user_failures(t->c, l->username, locked_until, now_t, &n)))
			return rc;
		/* As many attempts as the rule allows are checked or being checked; if they fail the lock
		 * follows, so the wait said is the lock's. */
		if (n >= rule(RULE_login_max_failures))
			return refuse_locked(t, rule(RULE_login_lock_minutes) * 60);
	}
	rc = db_exec(t->c, "INSERT INTO login_failures (username, ip, at) VALUES (?, ?, ?)",
	             DBP(DBS(l->username), DBS(l->ip), DBS(now)), NULL, &l->slot);
	return rc ? rc : account_read(t->c, l);
}

/* Step 1 for the request: 0 with the slot taken, or -1 after answering (429, the database). */
static int slot_take_or_reply(http_req *req, login *l)
{
	tx t;
	int rc = tx_run(NULL, slot_take, l, &t);
	if (rc == TX_REFUSED)
		http_problem_hdr(req, t.prob.status, t.prob.code, t.prob.headers, "%s", t.prob.detail);
	else if (rc)
		http_problem_db(req, rc);
	tx_done(&t);
	return rc ? -1 : 0;
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

/* Step 2, outside any transaction. */
static int password_right(const login *l)
{
	size_t n = strlen(l->password);
	if (!l->found) {
		pthread_once(&dummy_once, dummy_make);
		crypto_password_verify(l->password, n, dummy_hash);
		return 0;
	}
	return crypto_password_verify(l->password, n, l->hash) == 1 && !l->disabled;
}

/* A wrong password: its slot stays as the failure; the failure that completes the count locks.
 * *left: the failures still allowed before the lock (0 once locked). Counted per username
 * whether or not an account has it, so the number tells nobody which usernames exist. */
static int failure_count(db_conn *c, const login *l, long long *left)
{
	*left = 0;
	usec_t now_t = clock_now();
	char now[32];
	clock_fmt_db(now_t, now);
	usec_t locked_until;
	long long failures;
	int rc = throttle_row(c, l->username, now, &locked_until);
	if (rc || locked_until > now_t)
		return rc; /* already locked by another failure: one lock, one audit entry */
	if ((rc = user_failures(c, l->username, locked_until, now_t, &failures)))
		return rc;
	if (failures < rule(RULE_login_max_failures)) {
		*left = rule(RULE_login_max_failures) - failures;
		return 0;
	}
	usec_t until_t = now_t + rule(RULE_login_lock_minutes) * 60 * USEC_PER_SEC;
	char until[32], until_s[32];
	clock_fmt_db(until_t, until);
	clock_fmt(until_t, until_s);
	rc = db_exec(c, "UPDATE login_locks SET locked_until = ? WHERE username = ?", DBP(DBS(until), DBS(l->username)),
	             NULL, NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "locked_until", until_s);
	cJSON_AddStringToObject(s, "ip", l->ip);
	cJSON_AddNumberToObject(s, "failures", (double)failures);
	rc = audit_append(c, NULL, "account.locked", "user", l->username, s);
	cJSON_Delete(s);
	return rc;
}

/* POST /auth/password-change, the right password given: the new one replaces it, the flag is
 * cleared and every session of the account ends (the new session follows). */
static int password_change(tx *t, login *l, const char *now)
{
	if (crypto_password_verify(l->new_password, strlen(l->new_password), l->hash) == 1) {
		verr v = { 0 };
		verr_add(&v, "new_password", "same_as_old", "the new password must differ from the old one");
		return tx_refuse_fields(t, 422, "validation_failed", "the new password is not valid", &v);
	}
	int rc = db_exec(t->c,
	                 "UPDATE users SET password_hash = ?, must_change_password = 0, version = version + 1, "
	                 "updated_at = ? WHERE id = ?",
	                 DBP(DBS(l->new_hash), DBS(now), DBI(l->who.id)), NULL, NULL);
	unsigned long long ended = 0;
	if (!rc)
		rc = db_exec(t->c, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
		             DBP(DBS(now), DBI(l->who.id)), &ended, NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "ip", l->ip);
	cJSON_AddBoolToObject(s, "was_required", l->must_change);
	cJSON_AddNumberToObject(s, "sessions_ended", (double)ended);
	char id[24];
	snprintf(id, sizeof id, "%lld", l->who.id);
	rc = audit_append(t->c, &l->who, "auth.password_change", "user", id, s);
	cJSON_Delete(s);
	l->must_change = 0;
	return rc;
}

/* A right password: the slot is given back, and a session opened unless the username was locked
 * meanwhile. */
static int session_open(tx *t, login *l)
{
	usec_t now_t = clock_now();
	char now[32];
	clock_fmt_db(now_t, now);
	usec_t locked_until;
	int rc = throttle_row(t->c, l->username, now, &locked_until);
	if (rc)
		return rc;
	rc = db_exec(t->c, "DELETE FROM login_failures WHERE id = ?", DBP(DBI(l->slot)), NULL, NULL);
	if (rc)
		return rc;
	if (locked_until > now_t)
		return refuse_locked(t, secs_from_now(locked_until));
	if (l->new_password && (rc = password_change(t, l, now)))
		return rc;
	if (l->must_change)
		return tx_refuse_commit(t, 403, "password_change_required",
		                        "an administrator set this password: choose a new one with POST "
		                        "/api/v1/auth/password-change {username, password, new_password}");
	usec_t exp = now_t + rule(RULE_token_ttl_hours) * 3600 * USEC_PER_SEC;
	char expires_db[32], expires[32];
	clock_fmt_db(exp, expires_db);
	clock_fmt(exp, expires);
	rc = db_exec(t->c,
	             "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?)",
	             DBP(DBS(l->token_hash), DBI(l->who.id), DBS(now), DBS(expires_db), DBS(l->ip)), NULL, NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "ip", l->ip);
	cJSON_AddStringToObject(s, "expires_at", expires);
	char id[24];
	snprintf(id, sizeof id, "%lld", l->who.id);
	rc = audit_append(t->c, &l->who, "auth.login", "user", id, s);
	cJSON_Delete(s);
	if (rc)
		return rc;
	cJSON *user;
	long long version;
	if ((rc = users_read(t->c, l->who.id, 0, &user, &version)))
		return rc;
	if (!user)
		return DB_ERROR; /* the account was read in step 1 and users are never deleted */
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "token", l->token);
	cJSON_AddStringToObject(data, "expires_at", expires);
	cJSON_AddItemToObject(data, "user", user);
	tx_answer(t, 200, data, 0);
	return 0;
}

/* Step 3. */
static int login_end(tx *t, void *arg)
{
	login *l = arg;
	if (l->ok)
		return session_open(t, l);
	long long left = 0;
	int rc = l->user_throttled ? failure_count(t->c, l, &left) : 0;
	if (rc)
		return rc;
	if (l->user_throttled && left)
		tx_refuse_commit(
		        t, 401, "invalid_credentials",
		        "the username or password is wrong; %lld more failed attempt%s lock%s the account for %lld "
		        "minutes",
		        left, left == 1 ? "" : "s", left == 1 ? "s" : "", rule(RULE_login_lock_minutes));
	else if (l->user_throttled)
		tx_refuse_commit(t, 401, "invalid_credentials",
		                 "the username or password is wrong; the account is now locked for %lld minutes",
		                 rule(RULE_login_lock_minutes));
	else
		tx_refuse_commit(t, 401, "invalid_credentials", "the username or password is wrong");
	/* SPEC issue 11 item 5: the sign-in says how many attempts remain before the lock. */
	if (l->user_throttled)
		tx_problem_add(t, "attempts_left", cJSON_CreateNumber((double)left));
	tx_problem_header(t, "WWW-Authenticate: Bearer\r\n");
	return TX_REFUSED;
}

/* A sign-in's username and password from its body (the given name, not yet folded). */
static void login_fields(const cJSON *body, const char **given, login *l, verr *v)
{
	json_get_str(body, "username", given, v, "username", JSON_REQUIRED, 1, 64);
	json_get_str(body, "password", &l->password, v, "password", JSON_REQUIRED, 1, 256);
}

/* Steps 1 to 3 for a body found valid: the attempt counted, the password checked, then the
 * session (after the new password, for a password change) or the refusal. Wipes what it made. */
static void login_run(http_req *req, login *l, const char *given)
{
	users_fold_username(given, l->username, sizeof l->username);
	l->user_throttled = strchr(l->username, ':') == NULL;
	l->ip = req->client_ip;
	if (slot_take_or_reply(req, l) < 0)
		goto out;
	l->ok = password_right(l);
	/* The token, and a new password's hash, are made before the transaction: hashing is slow. */
	if (l->ok &&
	    (crypto_token_new(l->token, l->token_hash) < 0 ||
	     (l->new_password && crypto_password_hash(l->new_password, strlen(l->new_password), l->new_hash) < 0))) {
		http_problem(req, 500, "internal",
		             l->new_password ? "the new password could not be stored" : "no token could be made");
		goto out;
	}
	tx_run_or_reply(req, login_end, l);
out:
	crypto_wipe(l->token, sizeof l->token);
	crypto_wipe(l->hash, sizeof l->hash);
	crypto_wipe(l->new_hash, sizeof l->new_hash);
}

void accounts_login(http_req *req)
{
	verr v = { 0 };
	const char *given = NULL;
	login l = { 0 };
	login_fields(req->json, &given, &l, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "username and password are required", &v);
		return;
	}
	login_run(req, &l, given);
}

/* POST /api/v1/auth/password-change {username, password, new_password}: a sign-in that sets a
 * new password first, counted and locked like any sign-in; the way in for an account whose
 * password an administrator set (must_change_password), and for anyone who wants to change theirs.
 * 200 with a session, as a sign-in. */
void accounts_password_change(http_req *req)
{
	verr v = { 0 };
	const char *given = NULL;
	login l = { 0 };
	login_fields(req->json, &given, &l, &v);
	if (json_get_str(req->json, "new_password", &l.new_password, &v, "new_password", JSON_REQUIRED, 0, 256) == 1 &&
	    given)
		users_check_password(l.new_password, given, "new_password", &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed",
		                    "username, password and a valid new_password are required", &v);
		return;
	}
	login_run(req, &l, given);
}

/* --- sign-out and me ----------------------------------------------------------- */
static int logout_tx(tx *t, void *arg)
{
	(void)arg;
	char now[32];
	clock_fmt_db(clock_now(), now);
	int rc = db_exec(t->c, "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
	                 DBP(DBS(now), DBS(t->user->token_hash)), NULL, NULL);
	if (rc)
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", t->user->id);
	rc = audit_append(t->c, t->user, "auth.logout", "user", id, NULL);
	if (rc)
		return rc;
	tx_answer_empty(t, 204);
	return 0;
}

void accounts_logout(http_req *req)
{
	tx_run_or_reply(req, logout_tx, NULL);
}

static int me_tx(tx *t, void *arg)
{
	(void)arg;
	return users_answer(t, t->user->id, 0, 200);
}

void accounts_me(http_req *req)
{
	tx_read_or_reply(req, me_tx, NULL);
}
