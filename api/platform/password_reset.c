/* password_reset.c — forgotten passwords (see password_reset.h). */
#include "password_reset.h"
#include "notifications.h"
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LOGIN_MAX = 254, TOKEN_MAX = 128, RESET_USERS_MAX = 5 };

typedef struct reset_req {
	char login[LOGIN_MAX + 1]; /* lower case */
	char login_hash[CRYPTO_SHA256_HEX_LEN + 1];
} reset_req;

static long long secs_until(usec_t t)
{
	long long s = (t - clock_now() + USEC_PER_SEC - 1) / USEC_PER_SEC;
	return s > 0 ? s : 1;
}

/* How many requests match (by login or by address) in the last hour; refuses 429 at limit. */
static int limit_or_refuse(tx *t, const char *sql, const char *key, long long limit, const char *code, const char *what)
{
	usec_t now_t = clock_now(), hour = 3600 * USEC_PER_SEC;
	char since[32];
	clock_fmt_db(now_t - hour, since);
	db_res *r;
	int rc = db_query(t->c, sql, DBP(DBS(key), DBS(since)), &r);
	if (rc)
		return rc;
	long long n = db_int(r, 0, 0);
	usec_t oldest = now_t;
	if (n)
		clock_parse(db_val(r, 0, 1), &oldest);
	db_res_free(r);
	if (n < limit)
		return 0;
	tx_refuse(t, 429, code, "too many password reset requests %s; try again later", what);
	char hdr[48];
	snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", secs_until(oldest + hour));
	tx_problem_header(t, hdr);
	return TX_REFUSED;
}

static void mail_text(const char *display_name, const char *username, const char *token, char *out, size_t n)
{
	snprintf(out, n,
	         "%s，您好：\n\n"
	         "我们收到了重置您在社会组织登记管理平台的账户（用户名：%s）密码的申请。\n\n"
	         "您的密码重置令牌是：\n\n    %s\n\n"
	         "下一步：请在 %lld 分钟内，在平台的“重置密码”页面输入该令牌并设置新密码"
	         "（或调用 POST /api/v1/auth/password-reset/confirm，提交 token 与 password）。"
	         "该令牌只能使用一次；新密码设置后，您账户的所有登录会话都将失效，需要重新登录。\n\n"
	         "如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n\n"
	         "（本邮件由系统自动发送，请勿回复。）\n",
	         display_name, username, token, rule(RULE_password_reset_ttl_minutes));
}

static int request_tx(tx *t, void *arg)
{
	const reset_req *q = arg;
	int rc = limit_or_refuse(
	        t, "SELECT COUNT(*), MIN(at) FROM password_reset_requests WHERE login_hash = ? AND at > ?",
	        q->login_hash, rule(RULE_password_resets_per_login_per_hour), "too_many_reset_requests",
	        "for this login");
	if (!rc)
		rc = limit_or_refuse(t, "SELECT COUNT(*), MIN(at) FROM password_reset_requests WHERE ip = ? AND at > ?",
		                     t->client_ip, rule(RULE_password_resets_per_ip_per_hour),
		                     "too_many_reset_requests_from_address", "from this address");
	if (rc)
		return rc;
	usec_t now_t = clock_now();
	char now[32], expires[32], expires_s[32];
	clock_fmt_db(now_t, now);
	usec_t exp = now_t + rule(RULE_password_reset_ttl_minutes) * 60 * USEC_PER_SEC;
	clock_fmt_db(exp, expires);
	clock_fmt(exp, expires_s);
	rc = db_exec(t->c, "INSERT INTO password_reset_requests (login_hash, ip, at) VALUES (?, ?, ?)",
	             DBP(DBS(q->login_hash), DBS(t->client_ip), DBS(now)), NULL, NULL);
	if (rc)
		return rc;
	/* The accounts the login names: by username, or by address (several accounts may share one). */
	db_res *r;
	rc = db_query(t->c,
	              "SELECT id, username, display_name, email FROM users WHERE disabled = 0 AND email IS NOT NULL "
	              "AND (username = ? OR LOWER(email) = ?) ORDER BY id LIMIT ?",
	              DBP(DBS(q->login), DBS(q->login), DBI(RESET_USERS_MAX)), &r);
	if (rc)
		return rc;
	for (int i = 0; i < r->nrows && !rc; i++) {
		char token[CRYPTO_TOKEN_STR_LEN + 1], hash[CRYPTO_SHA256_HEX_LEN + 1], body[2048];
		if (crypto_token_new(token, hash) < 0) {
			rc = DB_ERROR;
			break;
		}
		long long uid = db_int(r, i, 0);
		rc = db_exec(
		        t->c,
		        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
		        DBP(DBS(hash), DBI(uid), DBS(now), DBS(expires)), NULL, NULL);
		mail_text(db_val(r, i, 2), db_val(r, i, 1), token, body, sizeof body);
		outbox_msg m = { uid, "password_reset", db_val(r, i, 3), "【社会组织登记管理平台】密码重置", body, 1 };
		if (!rc)
			rc = outbox_enqueue(t->c, &m);
		crypto_wipe(token, sizeof token);
		crypto_wipe(body, sizeof body);
		if (rc)
			break;
		char ids[24];
		snprintf(ids, sizeof ids, "%lld", uid);
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "ip", t->client_ip);
		cJSON_AddStringToObject(s, "expires_at", expires_s);
		rc = audit_append(t->c, NULL, "auth.password_reset_requested", "user", ids, s);
		cJSON_Delete(s);
	}
	db_res_free(r);
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "accepted");
	cJSON_AddStringToObject(o, "message",
	                        "如果该用户名或邮箱对应一个已登记邮箱的账户，密码重置邮件已发出，请查收。");
	tx_answer(t, 202, o, 0);
	return 0;
}

/* POST /api/v1/auth/password-reset {"login"} */
static void reset_request(http_req *req)
{
	verr v = { 0 };
	const char *login = NULL;
	if (json_get_str(req->json, "login", &login, &v, "login", JSON_REQUIRED, 1, LOGIN_MAX) == 1 &&
	    json_blank(login))
		verr_add(&v, "login", "required", "give your username or email address");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "login is required", &v);
		return;
	}
	reset_req q;
	const char *s = login;
	while (*s == ' ')
		s++;
	users_fold_username(s, q.login, sizeof q.login);
	for (size_t n = strlen(q.login); n && q.login[n - 1] == ' '; n--)
		q.login[n - 1] = 0;
	crypto_sha256_hex(q.login, strlen(q.login), q.login_hash);
	tx_run_or_reply(req, request_tx, &q);
}

/* --- confirmation ------------------------------------------------------------------------ */

typedef struct reset_confirm {
	char token_hash[CRYPTO_SHA256_HEX_LEN + 1];
	const char *password;
	char hash[CRYPTO_PWHASH_MAX];
} reset_confirm;

static int confirm_tx(tx *t, void *arg)
{
	const reset_confirm *q = arg;
	db_res *r;
	int rc = db_query(t->c,
	                  "SELECT r.user_id, r.expires_at, r.used_at, u.username FROM password_resets r "
	                  "JOIN users u ON u.id = r.user_id WHERE r.token_hash = ? FOR UPDATE",
	                  DBP(DBS(q->token_hash)), &r);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		db_res_free(r);
		return tx_refuse(t, 400, "invalid_reset_token", "this password reset token is not valid");
	}
	long long uid = db_int(r, 0, 0);
	int used = !db_isnull(r, 0, 2);
	usec_t expires = 0, now_t = clock_now();
	clock_parse(db_val(r, 0, 1), &expires);
	char username[65];
	snprintf(username, sizeof username, "%s", db_val(r, 0, 3));
	db_res_free(r);
	if (used)
		return tx_refuse(t, 410, "reset_token_used",
		                 "this password reset token was used already; ask for a new one");
	if (expires <= now_t)
		return tx_refuse(t, 410, "reset_token_expired",
		                 "this password reset token has expired; ask for a new one");
	verr v = { 0 };
	if (users_check_password(q->password, username, "password", &v) < 0)
		return tx_refuse_fields(t, 422, "validation_failed", "the new password does not meet the policy", &v);
	char now[32];
	clock_fmt_db(now_t, now);
	unsigned long long ended = 0;
	rc = db_exec(t->c, "UPDATE users SET password_hash = ?, version = version + 1, updated_at = ? WHERE id = ?",
	             DBP(DBS(q->hash), DBS(now), DBI(uid)), NULL, NULL);
	if (!rc)
		rc = db_exec(t->c, "UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
		             DBP(DBS(now), DBI(uid)), NULL, NULL);
	if (!rc)
		rc = db_exec(t->c, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
		             DBP(DBS(now), DBI(uid)), &ended, NULL);
	/* Whoever holds the mailbox proved it: a lock from guessed passwords no longer stands. */
	if (!rc)
		rc = db_exec(t->c, "DELETE FROM login_locks WHERE username = ?", DBP(DBS(username)), NULL, NULL);
	if (!rc)
		rc = db_exec(t->c, "DELETE FROM login_failures WHERE username = ?", DBP(DBS(username)), NULL, NULL);
	if (rc)
		return rc;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", uid);
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "ip", t->client_ip);
	cJSON_AddNumberToObject(s, "sessions_ended", (double)ended);
	rc = audit_append(t->c, NULL, "auth.password_reset", "user", ids, s);
	cJSON_Delete(s);
	if (rc)
		return rc;
	char body[1024];
	snprintf(body, sizeof body,
	         "您好：\n\n您的账户（用户名：%s）的密码已通过密码重置邮件修改，所有已登录的会话均已失效。\n\n"
	         "下一步：请使用新密码重新登录。如果这不是您本人的操作，请立即再次重置密码并联系平台管理员。\n\n"
	         "（本邮件由系统自动发送，请勿回复。）\n",
	         username);
	notice n = {
		uid, "account.password_changed", "user", ids, "【社会组织登记管理平台】您的密码已修改", body, NULL
	};
	rc = notify(t->c, &n);
	if (rc < 0)
		return rc;
	tx_answer_empty(t, 204);
	return 0;
}

/* POST /api/v1/auth/password-reset/confirm {"token", "password"} */
static void reset_confirm_post(http_req *req)
{
	verr v = { 0 };
	const char *token = NULL;
	reset_confirm q = { 0 };
	json_get_str(req->json, "token", &token, &v, "token", JSON_REQUIRED, 1, TOKEN_MAX);
	if (json_get_str(req->json, "password", &q.password, &v, "password", JSON_REQUIRED, 0, 256) == 1)
		users_check_password(q.password, NULL, "password", &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "token and a new password are required", &v);
		return;
	}
	crypto_sha256_hex(token, strlen(token), q.token_hash);
	if (!api_db_or_reply(req))
		return;
	if (users_hash_or_reply(req, q.password, q.hash) < 0)
		return;
	tx_run_or_reply(req, confirm_tx, &q);
	crypto_wipe(q.hash, sizeof q.hash);
}

const route password_reset_routes[] = {
	{ "POST", "/api/v1/auth/password-reset", reset_request, ROLES_PUBLIC, R_JSON | R_BODY_KIB(4) },
	{ "POST", "/api/v1/auth/password-reset/confirm", reset_confirm_post, ROLES_PUBLIC, R_JSON | R_BODY_KIB(4) },
	{ NULL, NULL, NULL, 0, 0 },
};
