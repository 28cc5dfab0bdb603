/* idem.c — Idempotency-Key: the first answer is stored and replayed for retries.
 *
 * The key is claimed inside the transaction that makes the change (a row that the unique key
 * serializes: a concurrent retry waits on it, and finds the answer once the first commits), and
 * the answer is written into the same row before the COMMIT. So the change and its answer are
 * durable together: no crash leaves a change without its recorded answer, or a claim without
 * a change. The key is bound to the request's content: reusing it for a different request is
 * refused.
 *
 * - Scope: a signed-in user's keys are theirs (user_id). Anonymous requests (sign-up) have no
 *   user, so their keys are scoped by client address as well: stored under user_id 0 as
 *   "anon:" + SHA-256(address, key), two people picking the same key do not collide.
 * - Content: the method, the path, the query parameters in sorted order and, for a JSON
 *   body, the parsed document printed canonically (members sorted by name, no white space).
 *   The same JSON with its members in another order, or spaced differently, is the same
 *   request; raw uploads are compared byte for byte.
 * - Kept as a keyed digest (HMAC-SHA256 under a key derived from the master key), never the bare
 *   SHA-256 of the content: a sealed bid's request holds a price, and a bare digest of a body
 *   whose other members are known could be matched against guessed prices by whoever reads the
 *   table.
 * - Lifetime: IDEM_TTL_HOURS. An older record no longer answers (its key may be used afresh);
 *   the sweep (api/sweep.c, housekeeping) deletes records a day old. */
#include "idem.h"
#include "config.h"
#include "crypto.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDEM_TTL_HOURS 24
#define REQUEST_KEY_INFO "sanzhi idempotency request v1"

static int member_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* Sorts every object's members by name, in place (j is a copy of the request's document). */
static int sort_members(cJSON *j)
{
	if (!j)
		return 0;
	size_t n = 0;
	for (cJSON *c = j->child; c; c = c->next) {
		n++;
		if (sort_members(c) < 0)
			return -1;
	}
	if (!cJSON_IsObject(j) || n < 2)
		return 0;
	cJSON **v = malloc(n * sizeof *v);
	if (!v)
		return -1;
	size_t i = 0;
	for (cJSON *c = j->child; c; c = c->next)
		v[i++] = c;
	qsort(v, n, sizeof *v, member_cmp);
	/* cJSON's lists: next ends in NULL, and the first item's prev points at the last. */
	for (i = 0; i < n; i++) {
		v[i]->next = i + 1 < n ? v[i + 1] : NULL;
		v[i]->prev = i > 0 ? v[i - 1] : v[n - 1];
	}
	j->child = v[0];
	free(v);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The query string's parameters in sorted order, each followed by a NUL. */
static void hash_query(crypto_sha256_ctx *h, const char *q)
{
	char *copy = strdup(q ? q : "");
	size_t n = 1;
	for (const char *p = copy; p && *p; p++)
		n += *p == '&';
	char **parts = copy ? malloc(n * sizeof *parts) : NULL;
	if (!parts) {
		crypto_sha256_update(h, q ? q : "", strlen(q ? q : "") + 1);
		free(copy);
		return;
	}
	size_t k = 0;
	for (char *save = NULL, *t = strtok_r(copy, "&", &save); t && k < n; t = strtok_r(NULL, "&", &save))
		parts[k++] = t;
	qsort(parts, k, sizeof *parts, str_cmp);
	for (size_t i = 0; i < k; i++)
		crypto_sha256_update(h, parts[i], strlen(parts[i]) + 1);
	crypto_sha256_update(h, "", 1);
	free(parts);
	free(copy);
}

static void request_hash(const idem_request *q, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	crypto_sha256_ctx *h = crypto_sha256_begin();
	crypto_sha256_update(h, q->method, strlen(q->method) + 1);
	crypto_sha256_update(h, q->path, strlen(q->path) + 1);
	hash_query(h, q->query);
	char *canon = NULL;
	if (q->json) {
		cJSON *copy = cJSON_Duplicate(q->json, 1);
		if (copy && sort_members(copy) == 0)
			canon = cJSON_PrintUnformatted(copy);
		cJSON_Delete(copy);
	}
	if (canon) {
		crypto_sha256_update(h, "json", 5);
		crypto_sha256_update(h, canon, strlen(canon));
		cJSON_free(canon);
	} else if (q->body) {
		crypto_sha256_update(h, "raw", 4);
		crypto_sha256_update(h, q->body, q->body_len);
	}
	crypto_sha256_end_hex(h, out);
	/* Keyed: see the top of this file. Without a master key (command-line tools that never
	 * record a key) the bare digest stays. */
	const unsigned char *mk = config_master_key();
	unsigned char key[32];
	char keyed[CRYPTO_SHA256_HEX_LEN + 1];
	if (mk && crypto_hkdf_sha256(mk, 32, NULL, 0, REQUEST_KEY_INFO, key, sizeof key) == 0 &&
	    crypto_hmac_sha256_hex(key, sizeof key, out, CRYPTO_SHA256_HEX_LEN, keyed) == 0)
		memcpy(out, keyed, sizeof keyed);
	crypto_wipe(key, sizeof key);
}

void idem_key_make(idem_key *k, const idem_request *q)
{
	memset(k, 0, sizeof *k);
	request_hash(q, k->hash);
	if (q->user_id > 0) {
		k->user_id = q->user_id;
		snprintf(k->key, sizeof k->key, "%s", q->key);
		return;
	}
	/* Anonymous: scoped by client address, so two people picking the same key do not collide. */
	crypto_sha256_ctx *h = crypto_sha256_begin();
	crypto_sha256_update(h, q->client_ip, strlen(q->client_ip) + 1);
	crypto_sha256_update(h, q->key, strlen(q->key));
	char hex[CRYPTO_SHA256_HEX_LEN + 1];
	crypto_sha256_end_hex(h, hex);
	snprintf(k->key, sizeof k->key, "anon:%s", hex);
}

int idem_lookup(db_conn *c, const idem_key *k, idem_answer *out)
{
	memset(out, 0, sizeof *out);
	db_res *r;
	int rc = db_query(c,
	                  "SELECT request_hash, status, content_type, headers, body, created_at FROM idempotency "
	                  "WHERE user_id = ? AND idem_key = ? AND state = 'done'",
	                  DBP(DBI(k->user_id), DBS(k->key)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return IDEM_NONE;
	}
	usec_t created = 0;
	clock_parse(db_val(r, 0, 5), &created);
	if (clock_now() - created > (usec_t)IDEM_TTL_HOURS * 3600 * USEC_PER_SEC) {
		/* Expired: the key answers no more and may be used for a new request. */
		char was[32];
		snprintf(was, sizeof was, "%s", db_val(r, 0, 5));
		db_res_free(r);
		rc = db_exec(c, "DELETE FROM idempotency WHERE user_id = ? AND idem_key = ? AND created_at = ?",
		             DBP(DBI(k->user_id), DBS(k->key), DBS(was)), NULL, NULL);
		return rc ? rc : IDEM_NONE;
	}
	if (!crypto_equal(db_val(r, 0, 0), db_len(r, 0, 0), k->hash, CRYPTO_SHA256_HEX_LEN)) {
		db_res_free(r);
		return IDEM_REUSED;
	}
	out->status = (int)db_int(r, 0, 1);
	snprintf(out->content_type, sizeof out->content_type, "%s", db_val(r, 0, 2) ? db_val(r, 0, 2) : "");
	snprintf(out->headers, sizeof out->headers, "%s", db_val(r, 0, 3) ? db_val(r, 0, 3) : "");
	out->len = db_len(r, 0, 4);
	out->body = malloc(out->len + 1);
	if (!out->body) {
		db_res_free(r);
		return DB_ERROR;
	}
	if (out->len)
		memcpy(out->body, db_val(r, 0, 4), out->len);
	out->body[out->len] = 0;
	db_res_free(r);
	return IDEM_FOUND;
}

int idem_claim(db_conn *c, const idem_key *k)
{
	char now[32];
	clock_fmt_db(clock_now(), now);
	/* An expired record of the same key is gone once idem_lookup has seen it; a record left
	 * by an older version of the daemon as 'pending' is no answer either. */
	int rc = db_exec(c, "DELETE FROM idempotency WHERE user_id = ? AND idem_key = ? AND state = 'pending'",
	                 DBP(DBI(k->user_id), DBS(k->key)), NULL, NULL);
	if (rc)
		return rc;
	return db_exec(c,
	               "INSERT INTO idempotency (user_id, idem_key, request_hash, state, created_at) "
	               "VALUES (?, ?, ?, 'pending', ?)",
	               DBP(DBI(k->user_id), DBS(k->key), DBS(k->hash), DBS(now)), NULL, NULL);
}

int idem_record(db_conn *c, const idem_key *k, const idem_answer *a, int claimed)
{
	if (claimed)
		return db_exec(
		        c,
		        "UPDATE idempotency SET state = 'done', status = ?, content_type = ?, headers = ?, body = ? "
		        "WHERE user_id = ? AND idem_key = ?",
		        DBP(DBI(a->status), DBS(a->content_type), DBS(a->headers), DBB(a->body, a->len),
		            DBI(k->user_id), DBS(k->key)),
		        NULL, NULL);
	char now[32];
	clock_fmt_db(clock_now(), now);
	/* A refusal, recorded after its transaction rolled back: if a concurrent request with the
	 * same key has committed an answer meanwhile, that one stands. */
	return db_exec(c,
	               "INSERT IGNORE INTO idempotency (user_id, idem_key, request_hash, state, status, content_type, "
	               "headers, body, created_at) VALUES (?, ?, ?, 'done', ?, ?, ?, ?, ?)",
	               DBP(DBI(k->user_id), DBS(k->key), DBS(k->hash), DBI(a->status), DBS(a->content_type),
	                   DBS(a->headers), DBB(a->body, a->len), DBS(now)),
	               NULL, NULL);
}
