/* idem.c — Idempotency-Key: the first answer is stored and replayed for retries.
 *
 * A pending row claims the key before the handler runs, so two concurrent retries cannot
 * both create. A claim left pending by a crash expires after IDEM_STALE_SECONDS, after
 * which the request may run again. The key is bound to the request's content: reusing it for
 * a different request is refused.
 *
 * - Scope: a signed-in user's keys are theirs (user_id). Anonymous requests (sign-up) have no
 *   user, so their keys are scoped by client address as well: stored under user_id 0 as
 *   "anon:" + SHA-256(address, key), two people picking the same key do not collide.
 * - Content: the method, the path, the query parameters in sorted order and, for a JSON
 *   body, the parsed document printed canonically (members sorted by name, no white space).
 *   The same JSON with its members in another order, or spaced differently, is the same
 *   request; raw uploads are compared byte for byte.
 * - Lifetime: IDEM_TTL_HOURS. An older record no longer answers (its key may be used afresh);
 *   the sweep (api/sweep.c, housekeeping) deletes records a day old. */
#include "idem.h"
#include "crypto.h"
#include "db.h"
#include "log.h"

#include <civetweb.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDEM_STALE_SECONDS 60
#define IDEM_TTL_HOURS 24

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

static void request_hash(const http_req *req, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	crypto_sha256_ctx *h = crypto_sha256_begin();
	crypto_sha256_update(h, req->method, strlen(req->method) + 1);
	crypto_sha256_update(h, req->path, strlen(req->path) + 1);
	hash_query(h, req->ri->query_string);
	char *canon = NULL;
	if (req->json) {
		cJSON *copy = cJSON_Duplicate(req->json, 1);
		if (copy && sort_members(copy) == 0)
			canon = cJSON_PrintUnformatted(copy);
		cJSON_Delete(copy);
	}
	if (canon) {
		crypto_sha256_update(h, "json", 5);
		crypto_sha256_update(h, canon, strlen(canon));
		cJSON_free(canon);
	} else if (req->body) {
		crypto_sha256_update(h, "raw", 4);
		crypto_sha256_update(h, req->body, req->body_len);
	}
	crypto_sha256_end_hex(h, out);
}

/* The owner and stored key of the request's Idempotency-Key. */
static long long storage_key(const http_req *req, char out[sizeof req->idem_key])
{
	if (req->authed) {
		snprintf(out, sizeof req->idem_key, "%s", req->idem_key);
		return req->user.id;
	}
	crypto_sha256_ctx *h = crypto_sha256_begin();
	crypto_sha256_update(h, req->client_ip, strlen(req->client_ip) + 1);
	crypto_sha256_update(h, req->idem_key, strlen(req->idem_key));
	char hex[CRYPTO_SHA256_HEX_LEN + 1];
	crypto_sha256_end_hex(h, hex);
	snprintf(out, sizeof req->idem_key, "anon:%s", hex);
	return 0;
}

int idem_begin(http_req *req)
{
	db_conn *c = db_get();
	if (!c) {
		http_problem_db(req, DB_DOWN);
		return 1;
	}
	char hash[CRYPTO_SHA256_HEX_LEN + 1], now[32], key[sizeof req->idem_key];
	request_hash(req, hash);
	usec_t t = clock_now();
	clock_fmt_db(t, now);
	long long uid = storage_key(req, key);
	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = db_exec(c,
		                 "INSERT INTO idempotency (user_id, idem_key, request_hash, state, created_at) "
		                 "VALUES (?, ?, ?, 'pending', ?)",
		                 DBP(DBI(uid), DBS(key), DBS(hash), DBS(now)), NULL, NULL);
		if (rc == DB_OK) {
			req->idem_capture = 1;
			return 0;
		}
		if (rc != DB_DUP) {
			http_problem_db(req, rc);
			return 1;
		}
		db_res *r;
		rc = db_query(c,
		              "SELECT request_hash, state, status, content_type, headers, body, created_at "
		              "FROM idempotency WHERE user_id = ? AND idem_key = ?",
		              DBP(DBI(uid), DBS(key)), &r);
		if (rc) {
			http_problem_db(req, rc);
			return 1;
		}
		if (r->nrows == 0) {
			db_res_free(r);
			continue;  /* forgotten between our insert and select: claim it again */
		}
		usec_t created = 0;
		clock_parse(db_val(r, 0, 6), &created);
		if (t - created > IDEM_TTL_HOURS * 3600 * USEC_PER_SEC && attempt == 0) {
			/* Expired: the key answers no more and may be used for a new request. */
			char was[32];
			snprintf(was, sizeof was, "%s", db_val(r, 0, 6));
			db_res_free(r);
			db_exec(c, "DELETE FROM idempotency WHERE user_id = ? AND idem_key = ? AND created_at = ?",
			        DBP(DBI(uid), DBS(key), DBS(was)), NULL, NULL);
			continue;
		}
		if (!crypto_equal(db_val(r, 0, 0), 64, hash, 64)) {
			db_res_free(r);
			http_problem(req, 422, "idempotency_key_reused",
			             "this Idempotency-Key was used for a different request; use a new key");
			return 1;
		}
		if (!strcmp(db_val(r, 0, 1), "pending")) {
			db_res_free(r);
			if (t - created > IDEM_STALE_SECONDS * USEC_PER_SEC && attempt == 0) {
				db_exec(c, "DELETE FROM idempotency WHERE user_id = ? AND idem_key = ? AND state = 'pending'",
				        DBP(DBI(uid), DBS(key)), NULL, NULL);
				continue;
			}
			http_problem_hdr(req, 409, "request_in_progress", "Retry-After: 1\r\n",
			                 "a request with this Idempotency-Key is still being processed");
			return 1;
		}
		char headers[400];
		snprintf(headers, sizeof headers, "%sIdempotent-Replayed: true\r\n", db_val(r, 0, 4) ? db_val(r, 0, 4) : "");
		const char *ct = db_val(r, 0, 3);
		http_reply_raw(req, (int)db_int(r, 0, 2), ct && *ct ? ct : NULL, db_val(r, 0, 5) ? db_val(r, 0, 5) : "",
		               db_len(r, 0, 5), headers);
		db_res_free(r);
		return 1;
	}
	http_problem(req, 409, "request_in_progress", "a request with this Idempotency-Key is still being processed");
	return 1;
}

void idem_finish(http_req *req)
{
	db_conn *c = db_get();
	if (!c)
		return;
	char key[sizeof req->idem_key];
	long long uid = storage_key(req, key);
	int rc;
	if (req->status < 500 && req->captured_body)
		rc = db_exec(c,
		             "UPDATE idempotency SET state = 'done', status = ?, content_type = ?, headers = ?, body = ? "
		             "WHERE user_id = ? AND idem_key = ?",
		             DBP(DBI(req->status), DBS(req->captured_type), DBS(req->captured_headers),
		                 DBB(req->captured_body, req->captured_len), DBI(uid), DBS(key)),
		             NULL, NULL);
	else
		rc = db_exec(c, "DELETE FROM idempotency WHERE user_id = ? AND idem_key = ?",
		             DBP(DBI(uid), DBS(key)), NULL, NULL);
	if (rc)
		log_kv(LOG_WARN, "idempotency record not updated", "request_id", req->request_id, NULL);
}
