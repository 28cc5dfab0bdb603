/* tx.c — the one transaction wrapper: retries, Idempotency-Key in the same transaction as the
 * change, and exactly one answer (see tx.h). */
#include "tx.h"
#include "config.h"
#include "http.h"
#include "idem.h"
#include "log.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- inside fn --------------------------------------------------------------------------- */

static void problem_clear(tx_problem *p)
{
	verr_free(&p->fields);
	cJSON_Delete(p->ext);
	memset(p, 0, sizeof *p);
}

static void answer_clear(tx *t)
{
	cJSON_Delete(t->data);
	t->data = NULL;
	t->status = 0;
	t->version = 0;
	t->empty = 0;
	t->list = 0;
	t->next_cursor[0] = 0;
	free(t->raw);
	t->raw = NULL;
	t->raw_len = 0;
}

static void refuse(tx *t, int commit, int status, const char *code, const char *fmt, va_list ap)
{
	problem_clear(&t->prob);
	t->prob.status = status;
	t->prob.commit = commit;
	snprintf(t->prob.code, sizeof t->prob.code, "%s", code);
	vsnprintf(t->prob.detail, sizeof t->prob.detail, fmt, ap);
}

int tx_refuse(tx *t, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	refuse(t, 0, status, code, fmt, ap);
	va_end(ap);
	return TX_REFUSED;
}

int tx_refuse_commit(tx *t, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	refuse(t, 1, status, code, fmt, ap);
	va_end(ap);
	return TX_REFUSED;
}

int tx_refuse_fields(tx *t, int status, const char *code, const char *detail, verr *v)
{
	tx_refuse(t, status, code, "%s", detail);
	t->prob.fields = *v;
	memset(v, 0, sizeof *v);
	return TX_REFUSED;
}

void tx_problem_add(tx *t, const char *name, cJSON *value)
{
	if (!value)
		return;
	if (!t->prob.ext)
		t->prob.ext = cJSON_CreateObject();
	if (t->prob.ext)
		cJSON_AddItemToObject(t->prob.ext, name, value);
	else
		cJSON_Delete(value);
}

void tx_problem_header(tx *t, const char *line)
{
	size_t n = strlen(t->prob.headers);
	snprintf(t->prob.headers + n, sizeof t->prob.headers - n, "%s", line);
}

void tx_answer(tx *t, int status, cJSON *data, long long version)
{
	answer_clear(t);
	t->status = status;
	t->data = data ? data : cJSON_CreateNull();
	t->version = version;
}

void tx_answer_empty(tx *t, int status)
{
	answer_clear(t);
	t->status = status;
	t->empty = 1;
}

void tx_answer_raw(tx *t, int status, const char *content_type, const void *data, size_t len, const char *headers)
{
	answer_clear(t);
	t->status = status;
	t->raw = malloc(len + 1);
	if (!t->raw)
		return; /* rendered as a failure: no answer without its bytes */
	memcpy(t->raw, data, len);
	t->raw_len = len;
	snprintf(t->raw_type, sizeof t->raw_type, "%s", content_type);
	snprintf(t->raw_headers, sizeof t->raw_headers, "%s", headers ? headers : "");
}

void tx_answer_list(tx *t, cJSON *items, const char *next_cursor)
{
	answer_clear(t);
	t->status = 200;
	t->data = items ? items : cJSON_CreateArray();
	t->list = 1;
	snprintf(t->next_cursor, sizeof t->next_cursor, "%s", next_cursor ? next_cursor : "");
}

void tx_answer_rows(tx *t, const db_res *r, int limit, cJSON *(*item)(const db_res *r, int row), int key_col)
{
	cJSON *items = cJSON_CreateArray();
	int n = r->nrows > limit ? limit : r->nrows;
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(items, item(r, i));
	char next[sizeof t->next_cursor] = "";
	if (r->nrows > limit)
		http_cursor_encode(db_val(r, limit - 1, key_col), next, sizeof next);
	tx_answer_list(t, items, next);
}

int tx_version_matches(const char *h, long long version)
{
	if (!h || !strcmp(h, "*"))
		return 0;
	/* Weak validators and bare numbers are accepted too: clients vary. */
	const char *p = !strncmp(h, "W/", 2) ? h + 2 : h;
	char want[40], bare[32];
	snprintf(want, sizeof want, "\"%lld\"", version);
	snprintf(bare, sizeof bare, "%lld", version);
	return !strcmp(p, want) || !strcmp(p, bare) ? 0 : -1;
}

int tx_if_match(tx *t, long long version)
{
	if (tx_version_matches(t->if_match, version) == 0)
		return 0;
	return tx_refuse(t, 412, "version_mismatch",
	                 "If-Match %s does not match the current version \"%lld\"; reload and retry", t->if_match,
	                 version);
}

void tx_done(tx *t)
{
	answer_clear(t);
	problem_clear(&t->prob);
}

/* --- running ------------------------------------------------------------------------------- */

/* One request's run: what fn needs, and what the wrapper renders inside the transaction. */
typedef struct tx_call {
	http_req *req; /* NULL without a request */
	const auth_user *who;
	tx_fn fn;
	void *arg;
	tx t;
	int idem; /* the request carries an Idempotency-Key */
	idem_key key;
	int claim_lost;  /* another request with the key committed first */
	idem_answer out; /* the rendered answer (body malloc'd) */
} tx_call;

static void out_clear(idem_answer *a)
{
	free(a->body);
	memset(a, 0, sizeof *a);
}

/* The answer as it goes on the wire, rendered before COMMIT so it can be recorded with it. */
static int render_answer(tx_call *k)
{
	tx *t = &k->t;
	idem_answer *a = &k->out;
	out_clear(a);
	a->status = t->status ? t->status : 200;
	if (t->version > 0)
		snprintf(a->headers, sizeof a->headers, HTTP_API_HEADERS "ETag: \"%lld\"\r\n", t->version);
	else
		snprintf(a->headers, sizeof a->headers, HTTP_API_HEADERS);
	if (t->empty) {
		a->body = strdup("");
		return a->body ? 0 : DB_ERROR;
	}
	if (t->raw_type[0]) {
		if (!t->raw)
			return DB_ERROR;
		snprintf(a->content_type, sizeof a->content_type, "%s", t->raw_type);
		snprintf(a->headers, sizeof a->headers, "%s", t->raw_headers);
		a->body = t->raw;
		a->len = t->raw_len;
		t->raw = NULL;
		return 0;
	}
	snprintf(a->content_type, sizeof a->content_type, HTTP_JSON_TYPE);
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return DB_ERROR;
	cJSON_AddItemToObject(root, "data", t->data);
	t->data = NULL;
	if (t->list)
		json_add_str_or_null(root, "next_cursor", *t->next_cursor ? t->next_cursor : NULL);
	a->body = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!a->body)
		return DB_ERROR;
	a->len = strlen(a->body);
	return 0;
}

static int render_problem(tx_call *k)
{
	tx_problem *p = &k->t.prob;
	idem_answer *a = &k->out;
	out_clear(a);
	a->status = p->status;
	snprintf(a->content_type, sizeof a->content_type, HTTP_PROBLEM_TYPE);
	snprintf(a->headers, sizeof a->headers, HTTP_API_HEADERS "%s", p->headers);
	cJSON *errors = p->fields.count ? verr_take(&p->fields) : NULL;
	a->body = http_problem_text(k->req, p->status, p->code, p->detail, errors, p->ext);
	p->ext = NULL;
	if (!a->body)
		return DB_ERROR;
	a->len = strlen(a->body);
	return 0;
}

static int call_once(db_conn *c, void *arg)
{
	tx_call *k = arg;
	tx *t = &k->t;
	tx_done(t);
	t->c = c;
	k->claim_lost = 0;
	if (k->idem) {
		int rc = idem_claim(c, &k->key);
		if (rc == DB_DUP) {
			k->claim_lost = 1;
			return DB_DUP;
		}
		if (rc)
			return rc;
	}
	int rc = k->fn(t, k->arg);
	int keep = rc == TX_REFUSED && t->prob.status && t->prob.commit;
	if (rc && !keep)
		return rc;
	if (!k->req)
		return 0;
	/* A refusal that keeps its writes is recorded under the key like an answer: committed with
	 * them, so a retry gets the same problem back. */
	if ((rc = keep ? render_problem(k) : render_answer(k)))
		return rc;
	return k->idem ? idem_record(c, &k->key, &k->out, 1) : 0;
}

static int record_refusal(db_conn *c, void *arg)
{
	tx_call *k = arg;
	return idem_record(c, &k->key, &k->out, 0);
}

/* Tests only (the setting needs test_clock): test_crash_after_commit = "POST /api/v1/accounts"
 * kills the daemon between the COMMIT of that route's change and its answer, so a test can show
 * that the client's retry gets the first answer back. */
static void crash_point(const http_req *req)
{
	const char *want = cfg.test_crash_after_commit;
	if (!cfg.test_clock || !*want || !req->route)
		return;
	char here[600];
	snprintf(here, sizeof here, "%s %s", req->route->method, req->route->pattern);
	if (!strcmp(want, here)) {
		log_kv(LOG_WARN, "test crash after commit", "route", here, NULL);
		kill(getpid(), SIGKILL);
	}
}

void tx_test_crash(const char *point)
{
	if (cfg.test_clock && *cfg.test_crash_at && !strcmp(cfg.test_crash_at, point)) {
		log_kv(LOG_WARN, "test crash inside a transaction", "point", point, NULL);
		kill(getpid(), SIGKILL);
	}
}

static void send_recorded(http_req *req, const idem_answer *a, int replayed)
{
	char headers[sizeof a->headers + 64];
	snprintf(headers, sizeof headers, "%s%s", a->headers, replayed ? "Idempotent-Replayed: true\r\n" : "");
	http_reply_raw(req, a->status, *a->content_type ? a->content_type : NULL, a->body ? a->body : "", a->len,
	               headers);
}

/* A recorded answer for the request's key: replayed (1), refused as reused (1), or none (0). */
static int replay_or_continue(http_req *req, db_conn *c, const idem_key *key)
{
	idem_answer a;
	int rc = idem_lookup(c, key, &a);
	if (rc == IDEM_FOUND) {
		send_recorded(req, &a, 1);
		free(a.body);
		return 1;
	}
	if (rc == IDEM_REUSED) {
		http_problem(req, 422, "idempotency_key_reused",
		             "this Idempotency-Key was used for a different request; use a new key");
		return 1;
	}
	if (rc < 0) {
		http_problem_db(req, rc);
		return 1;
	}
	return 0;
}

static void key_of(const http_req *req, idem_key *key)
{
	idem_request q = { req->method,  req->path,     http_query_string(req),         req->json,
		           req->body,    req->body_len, req->authed ? req->user.id : 0, req->client_ip,
		           req->idem_key };
	idem_key_make(key, &q);
}

int tx_replay_or_continue(http_req *req)
{
	idem_key key;
	key_of(req, &key);
	db_conn *c = db_get();
	if (!c) {
		http_problem_db(req, DB_DOWN);
		return 1;
	}
	if (replay_or_continue(req, c, &key))
		return 1;
	req->idem_looked_up = 1;
	return 0;
}

void tx_run_or_reply(http_req *req, tx_fn fn, void *arg)
{
	tx_call *k = calloc(1, sizeof *k);
	if (!k) {
		http_problem_hdr(req, 503, "overloaded", "Retry-After: 1\r\n", "not enough memory now; retry");
		return;
	}
	k->req = req;
	k->who = req->authed ? &req->user : NULL;
	k->fn = fn;
	k->arg = arg;
	k->t.user = k->who;
	k->t.client_ip = req->client_ip;
	k->t.if_match = http_header(req, "If-Match");
	k->idem = (req->route->flags & R_IDEMPOTENT) && req->idem_key[0];
	req->idem_handled = 1;
	if (k->idem) {
		key_of(req, &k->key);
		/* Looked up by the dispatcher already when it has the hook; else here. */
		db_conn *c = req->idem_looked_up ? NULL : db_get();
		if (!req->idem_looked_up && !c) {
			http_problem_db(req, DB_DOWN);
			goto out;
		}
		if (c && replay_or_continue(req, c, &k->key))
			goto out;
	}
	/* The user is copied in, so tx functions read it through t->user only. */
	k->t.user = k->who;
	int rc = db_tx(call_once, k);
	if (rc == 0) {
		crash_point(req);
		send_recorded(req, &k->out, 0);
	} else if (k->claim_lost) {
		/* A concurrent request with the same key committed first: its answer is ours. */
		db_conn *c = db_get();
		if (!c)
			http_problem_db(req, DB_DOWN);
		else if (!replay_or_continue(req, c, &k->key))
			http_problem_hdr(req, 409, "request_in_progress", "Retry-After: 1\r\n",
			                 "a request with this Idempotency-Key is still being processed");
	} else if (rc == TX_REFUSED && k->t.prob.status) {
		if (render_problem(k) == 0) {
			if (k->idem && k->out.status < 500 && db_tx(record_refusal, k))
				log_kv(LOG_WARN, "refusal not recorded under its Idempotency-Key", "request_id",
				       req->request_id, NULL);
			send_recorded(req, &k->out, 0);
		} else {
			http_problem(req, 500, "internal", "the request could not be completed");
		}
	} else {
		if (rc == TX_REFUSED)
			log_kv(LOG_ERROR, "transaction refused without a problem", "route", req->route->pattern, NULL);
		http_problem_db(req, rc == TX_REFUSED ? DB_ERROR : rc);
	}
out:
	tx_done(&k->t);
	out_clear(&k->out);
	free(k);
}

void tx_read_or_reply(http_req *req, tx_fn fn, void *arg)
{
	tx_call k = { 0 };
	k.req = req;
	k.t.user = req->authed ? &req->user : NULL;
	k.t.client_ip = req->client_ip;
	k.t.if_match = http_header(req, "If-Match");
	k.t.c = db_get();
	int rc = k.t.c ? fn(&k.t, arg) : DB_DOWN;
	if (rc == 0 && render_answer(&k) == 0)
		send_recorded(req, &k.out, 0);
	else if (rc == TX_REFUSED && k.t.prob.status && render_problem(&k) == 0)
		send_recorded(req, &k.out, 0);
	else
		http_problem_db(req, rc ? rc : DB_ERROR);
	tx_done(&k.t);
	out_clear(&k.out);
}

int tx_run(const auth_user *who, tx_fn fn, void *arg, tx *out)
{
	tx_call *k = calloc(1, sizeof *k);
	if (!k)
		return DB_ERROR;
	k->who = who;
	k->fn = fn;
	k->arg = arg;
	k->t.user = who;
	k->t.client_ip = "";
	int rc = db_tx(call_once, k);
	if (rc == 0 && k->t.prob.status && k->t.prob.commit)
		rc = TX_REFUSED;
	if (out) {
		*out = k->t;
		out->c = NULL;
	} else {
		tx_done(&k->t);
	}
	free(k);
	return rc;
}
