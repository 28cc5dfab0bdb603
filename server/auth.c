/* auth.c — resolving a bearer token into the user behind it. */
#include "auth.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"

#include <stdio.h>
#include <string.h>

static const struct {
	unsigned bit;
	const char *name;
} role_names[] = {
	{ ROLE_APPLICANT, "applicant" }, { ROLE_REGISTRAR, "registrar" }, { ROLE_PURCHASER, "purchaser" },
	{ ROLE_EVALUATOR, "evaluator" }, { ROLE_ADMIN, "admin" },
};

const char *auth_role_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
		if (role_names[i].bit == bit)
			return role_names[i].name;
	return NULL;
}

unsigned auth_role_bit(const char *name)
{
	for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
		if (name && !strcmp(role_names[i].name, name))
			return role_names[i].bit;
	return 0;
}

int auth_lookup(const char *authorization, auth_user *u)
{
	if (strncasecmp(authorization, "Bearer ", 7) != 0)
		return 0;
	const char *tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	size_t n = strlen(tok);
	if (n != CRYPTO_TOKEN_STR_LEN ||
	    strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != n)
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
	u->id = db_int(r, 0, 0);
	snprintf(u->username, sizeof u->username, "%s", db_val(r, 0, 1));
	snprintf(u->role, sizeof u->role, "%s", db_val(r, 0, 2));
	u->role_bit = auth_role_bit(u->role);
	snprintf(u->display_name, sizeof u->display_name, "%s", db_val(r, 0, 3));
	snprintf(u->department, sizeof u->department, "%s", db_val(r, 0, 4));
	u->expert = (int)db_int(r, 0, 5);
	memcpy(u->token_hash, hash, sizeof hash);
	db_res_free(r);
	return 1;
}
