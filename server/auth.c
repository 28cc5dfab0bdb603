/* auth.c — resolving a bearer token into the user behind it. */
#include "auth.h"
#include "crypto.h"

#include <stdio.h>
#include <string.h>

int auth_lookup(http_req *req, const char *authorization)
{
	if (strncasecmp(authorization, "Bearer ", 7) != 0)
		return 0;
	const char *tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	size_t n = strlen(tok);
	if (n != CRYPTO_TOKEN_STR_LEN || strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != n)
		return 0;
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	crypto_sha256_hex(tok, n, hash);
	db_conn *c = db_get();
	if (!c)
		return DB_DOWN;
	char now[32];
	clock_fmt_db(clock_now(), now);
	db_res *r;
	/* The lookup is by the hash's primary key: equality on a digest leaks nothing useful. */
	int rc = db_query(c,
	                  "SELECT u.id, u.username, u.role, u.display_name, COALESCE(u.department, ''), u.expert "
	                  "FROM sessions s JOIN users u ON u.id = s.user_id "
	                  "WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.disabled = 0",
	                  DBP(DBS(hash), DBS(now)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return 0;
	}
	auth_user *u = &req->user;
	u->id = db_int(r, 0, 0);
	snprintf(u->username, sizeof u->username, "%s", db_val(r, 0, 1));
	snprintf(u->role, sizeof u->role, "%s", db_val(r, 0, 2));
	u->role_bit = http_role_bit(u->role);
	snprintf(u->display_name, sizeof u->display_name, "%s", db_val(r, 0, 3));
	snprintf(u->department, sizeof u->department, "%s", db_val(r, 0, 4));
	u->expert = (int)db_int(r, 0, 5);
	memcpy(u->token_hash, hash, sizeof hash);
	req->authed = 1;
	db_res_free(r);
	return 1;
}
