/* idem.c — Idempotency-Key: the first answer is stored and replayed for retries.
 *
 * A pending row claims the key before the handler runs, so two concurrent retries cannot
 * both create. A claim left pending by a crash expires after IDEM_STALE_SECONDS, after
 * which the request may run again. The key is bound to the request's content: reusing it for
 * a different request is refused. */
#include "idem.h"
#include "crypto.h"
#include "db.h"
#include "log.h"

#include <civetweb.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDEM_STALE_SECONDS 60

static void request_hash(const http_req *req, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	crypto_sha256_ctx *h = crypto_sha256_begin();
	crypto_sha256_update(h, req->method, strlen(req->method) + 1);
	crypto_sha256_update(h, req->path, strlen(req->path) + 1);
	const char *q = req->ri->query_string ? req->ri->query_string : "";
	crypto_sha256_update(h, q, strlen(q) + 1);
	if (req->body)
		crypto_sha256_update(h, req->body, req->body_len);
	crypto_sha256_end_hex(h, out);
}

int idem_begin(http_req *req)
{
	db_conn *c = db_get();
	if (!c) {
		http_problem_db(req, DB_DOWN);
		return 1;
	}
	char hash[CRYPTO_SHA256_HEX_LEN + 1], now[32];
	request_hash(req, hash);
	usec_t t = clock_now();
	clock_fmt_db(t, now);
	long long uid = req->authed ? req->user.id : 0;
	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = db_exec(c,
		                 "INSERT INTO idempotency (user_id, idem_key, request_hash, state, created_at) "
		                 "VALUES (?, ?, ?, 'pending', ?)",
		                 DBP(DBI(uid), DBS(req->idem_key), DBS(hash), DBS(now)), NULL, NULL);
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
		              DBP(DBI(uid), DBS(req->idem_key)), &r);
		if (rc) {
			http_problem_db(req, rc);
			return 1;
		}
		if (r->nrows == 0) {
			db_res_free(r);
			continue;  /* forgotten between our insert and select: claim it again */
		}
		if (!crypto_equal(db_val(r, 0, 0), 64, hash, 64)) {
			db_res_free(r);
			http_problem(req, 422, "idempotency_key_reused",
			             "this Idempotency-Key was used for a different request; use a new key");
			return 1;
		}
		if (!strcmp(db_val(r, 0, 1), "pending")) {
			usec_t created = 0;
			clock_parse(db_val(r, 0, 6), &created);
			db_res_free(r);
			if (t - created > IDEM_STALE_SECONDS * USEC_PER_SEC && attempt == 0) {
				db_exec(c, "DELETE FROM idempotency WHERE user_id = ? AND idem_key = ? AND state = 'pending'",
				        DBP(DBI(uid), DBS(req->idem_key)), NULL, NULL);
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
	long long uid = req->authed ? req->user.id : 0;
	int rc;
	if (req->status < 500 && req->captured_body)
		rc = db_exec(c,
		             "UPDATE idempotency SET state = 'done', status = ?, content_type = ?, headers = ?, body = ? "
		             "WHERE user_id = ? AND idem_key = ?",
		             DBP(DBI(req->status), DBS(req->captured_type), DBS(req->captured_headers),
		                 DBB(req->captured_body, req->captured_len), DBI(uid), DBS(req->idem_key)),
		             NULL, NULL);
	else
		rc = db_exec(c, "DELETE FROM idempotency WHERE user_id = ? AND idem_key = ?",
		             DBP(DBI(uid), DBS(req->idem_key)), NULL, NULL);
	if (rc)
		log_kv(LOG_WARN, "idempotency record not updated", "request_id", req->request_id, NULL);
}
