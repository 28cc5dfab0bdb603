/* audit.c — hash chain: appends under the head row's lock, verification by replay. */
#include "audit.h"
#include "crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length-prefixed fields: no value can be confused with a field boundary. */
static void canonical_hash(const char *prev_hash, long long seq, const char *at, const char *actor_id,
                           const char *actor, const char *role, const char *action, const char *object_type,
                           const char *object_id, const char *summary, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	crypto_sha256_ctx *h = crypto_sha256_begin();
	crypto_sha256_update(h, prev_hash, strlen(prev_hash));
	char num[32];
	snprintf(num, sizeof num, "%lld", seq);
	const char *fields[] = { "sanzhi-audit-v1", num, at, actor_id, actor, role, action, object_type, object_id, summary };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		char len[24];
		int n = snprintf(len, sizeof len, "%zu:", strlen(fields[i]));
		crypto_sha256_update(h, len, (size_t)n);
		crypto_sha256_update(h, fields[i], strlen(fields[i]));
		crypto_sha256_update(h, "\n", 1);
	}
	crypto_sha256_end_hex(h, out);
}

int audit_append(db_conn *c, const auth_user *who, const char *action, const char *object_type,
                 const char *object_id, const cJSON *summary)
{
	db_res *r;
	int rc = db_query(c, "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE", DBNONE, &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return DB_ERROR;
	}
	long long seq = db_int(r, 0, 0) + 1;
	char prev[CRYPTO_SHA256_HEX_LEN + 1];
	snprintf(prev, sizeof prev, "%s", db_val(r, 0, 1));
	db_res_free(r);

	char at[32], actor_id[24] = "";
	clock_fmt_db(clock_now(), at);
	if (who)
		snprintf(actor_id, sizeof actor_id, "%lld", who->id);
	const char *actor = who ? who->username : "system";
	const char *role = who ? who->role : "system";
	char *sum = summary ? cJSON_PrintUnformatted(summary) : strdup("{}");
	if (!sum)
		return DB_ERROR;
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	canonical_hash(prev, seq, at, actor_id, actor, role, action, object_type, object_id, sum, hash);
	rc = db_exec(c,
	             "INSERT INTO audit_log (seq, at, actor_id, actor, role, action, object_type, object_id, summary, "
	             "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	             DBP(DBI(seq), DBS(at), who ? DBI(who->id) : DBNULL, DBS(actor), DBS(role), DBS(action),
	                 DBS(object_type), DBS(object_id), DBS(sum), DBS(prev), DBS(hash)),
	             NULL, NULL);
	free(sum);
	if (rc)
		return rc;
	return db_exec(c, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", DBP(DBI(seq), DBS(hash)), NULL, NULL);
}

int audit_verify(db_conn *c, audit_report *rep)
{
	memset(rep, 0, sizeof *rep);
	char prev[CRYPTO_SHA256_HEX_LEN + 1];
	memset(prev, '0', 64);
	prev[64] = 0;
	long long expect = 1;
	for (;;) {
		db_res *r;
		int rc = db_query(c,
		                  "SELECT seq, at, COALESCE(actor_id, ''), actor, role, action, object_type, object_id, "
		                  "summary, prev_hash, hash FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT 2000",
		                  DBP(DBI(expect)), &r);
		if (rc)
			return rc;
		for (int i = 0; i < r->nrows; i++) {
			long long seq = db_int(r, i, 0);
			if (seq != expect) {
				rep->first_bad_seq = expect;
				snprintf(rep->reason, sizeof rep->reason, "entry %lld is missing (next is %lld)", expect, seq);
				db_res_free(r);
				return 1;
			}
			usec_t t;
			char at[32];
			if (clock_parse(db_val(r, i, 1), &t) < 0) {
				rep->first_bad_seq = seq;
				snprintf(rep->reason, sizeof rep->reason, "entry %lld has an unreadable time", seq);
				db_res_free(r);
				return 1;
			}
			clock_fmt_db(t, at);
			if (strcmp(db_val(r, i, 9), prev) != 0) {
				rep->first_bad_seq = seq;
				snprintf(rep->reason, sizeof rep->reason, "entry %lld does not link to the entry before it", seq);
				db_res_free(r);
				return 1;
			}
			char hash[CRYPTO_SHA256_HEX_LEN + 1];
			canonical_hash(prev, seq, at, db_val(r, i, 2), db_val(r, i, 3), db_val(r, i, 4), db_val(r, i, 5),
			               db_val(r, i, 6), db_val(r, i, 7), db_val(r, i, 8), hash);
			if (!crypto_equal(hash, 64, db_val(r, i, 10), db_len(r, i, 10))) {
				rep->first_bad_seq = seq;
				snprintf(rep->reason, sizeof rep->reason, "entry %lld was altered (its hash does not match)", seq);
				db_res_free(r);
				return 1;
			}
			memcpy(prev, hash, sizeof hash);
			rep->entries++;
			expect++;
		}
		int n = r->nrows;
		db_res_free(r);
		if (n < 2000)
			break;
	}
	/* The head records the last entry: removing entries from the end is caught here. */
	db_res *h;
	int rc = db_query(c, "SELECT seq, hash FROM audit_head WHERE id = 1", DBNONE, &h);
	if (rc)
		return rc;
	if (h->nrows != 1 || db_int(h, 0, 0) != expect - 1 || strcmp(db_val(h, 0, 1), prev) != 0) {
		rep->first_bad_seq = h->nrows == 1 && db_int(h, 0, 0) >= expect ? expect : (expect > 1 ? expect - 1 : 1);
		snprintf(rep->reason, sizeof rep->reason, "the chain ends at %lld but the head records %lld", expect - 1,
		         h->nrows == 1 ? db_int(h, 0, 0) : -1);
		db_res_free(h);
		return 1;
	}
	db_res_free(h);
	return 0;
}
