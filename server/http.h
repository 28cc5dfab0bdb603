/* http.h — the HTTP machine: routing table, body limits, JSON in, JSON and
 * problem+json out, request ids, ETag/If-Match, Idempotency-Key, metrics.
 *
 * A handler reads like the rule it implements:
 *     parse (req->json, http_param, http_query) → authorize (done by the route's roles,
 *     plus ownership in the handler) → validate (verr) → one transaction (db_tx) → respond.
 * Every handler answers exactly once through one of the http_reply_* / http_problem calls. */
#ifndef SANZHI_HTTP_H
#define SANZHI_HTTP_H

#include "auth.h"
#include "clock.h"
#include "json.h"
#include "jw.h"

#include <cjson/cJSON.h>
#include <stddef.h>

struct mg_connection;
struct mg_request_info;

/* Route flags. */
enum {
	R_JSON = 1 << 0,       /* body: a JSON object, required */
	R_JSON_OPT = 1 << 1,   /* body: a JSON object, optional (actions) */
	R_RAW = 1 << 2,        /* body: a raw upload up to document_limit */
	R_IDEMPOTENT = 1 << 3, /* honours Idempotency-Key */
	R_NO_DB = 1 << 4,      /* needs no database (health, static) */
};
/* A route's own body limit in KiB (1–65535), when smaller than body_limit (document_limit for
 * R_RAW): R_JSON | R_BODY_KIB(8). A sign-in needs a few KiB; reading a megabyte for it only
 * holds memory. */
#define R_BODY_KIB(n) ((unsigned)(n) << 16)
#define R_BODY_KIB_OF(flags) ((flags) >> 16)

#define HTTP_MAX_PARAMS 4
#define HTTP_PATH_MAX 1024 /* decoded; longer paths are 404 */

typedef struct http_req http_req;
typedef void (*http_handler)(http_req *req);

typedef struct route {
	const char *method;
	const char *pattern; /* "/api/v1/applications/{id}/documents/{doc_id}" */
	http_handler fn;
	unsigned roles; /* ROLES_PUBLIC or a mask of role bits */
	unsigned flags;
} route;

struct http_req {
	struct mg_connection *conn;
	const struct mg_request_info *ri;
	const char *method;
	const char *path;
	const route *route;
	int route_index;
	char request_id[65];
	char client_ip[64];
	usec_t started;

	const char *param_names[HTTP_MAX_PARAMS];
	char *param_values[HTTP_MAX_PARAMS];
	int nparams;

	int authed;
	auth_user user;

	char *body; /* NUL-terminated copy of the body, or NULL */
	size_t body_len;
	const char *content_type;
	cJSON *json;      /* parsed body for R_JSON / R_JSON_OPT */
	size_t body_held; /* bytes taken from the body memory budget (body_memory) */

	int status; /* once answered */
	int answered;

	char idem_key[129]; /* Idempotency-Key on R_IDEMPOTENT routes, or "" */
	int idem_handled;   /* the key went through tx_run_or_reply */
	int idem_looked_up; /* no answer was recorded for it when the request came in */
};

typedef struct http_options {
	const route *routes; /* terminated by a NULL method */
	const char *listen;  /* "127.0.0.1:8080,127.0.0.1:8443s" */
	const char *tls_cert;
	int threads;
	const char *admin_ui_dir;
	long long body_limit, document_limit;
	int request_timeout_ms; /* CivetWeb's: one read or write of the socket */
	/* The deadlines, the per-address cap and the body memory budget come from the configuration
	 * (header_timeout_ms, body_min_rate, request_deadline_ms, max_connections_per_address,
	 * body_memory). */
	/* Before the handler of an R_IDEMPOTENT route that got an Idempotency-Key: answers a
	 * recorded answer (or refuses the key) and returns 1, or returns 0 to run the handler
	 * (tx_replay_or_continue, server/tx.h). */
	int (*idem_replay)(http_req *req);
} http_options;

/* Starts the listeners. -1 with a message on failure (port busy, bad certificate). */
int http_start(const http_options *o, char *err, size_t errlen);
/* Answers new requests 503 (Connection: close) and waits up to timeout_ms for the ones in
 * flight to finish. */
void http_drain(int timeout_ms);
/* Closes the listeners and joins the workers. */
void http_stop(void);

/* Path parameter by name ("id"); NULL if the route has none such. */
const char *http_param(const http_req *req, const char *name);
/* Query parameter, URL-decoded into buf; 1 found, 0 absent, -1 too long, -2 holds an encoded NUL. */
int http_query(const http_req *req, const char *name, char *buf, size_t len);
/* The raw (undecoded) query string, or "". */
const char *http_query_string(const http_req *req);
/* Request header or NULL. */
const char *http_header(const http_req *req, const char *name);

/* --- answers --------------------------------------------------------------- */
#define HTTP_JSON_TYPE "application/json; charset=utf-8"
#define HTTP_PROBLEM_TYPE "application/problem+json; charset=utf-8"
#define HTTP_API_HEADERS "Cache-Control: no-store\r\n"

/* The RFC 9457 text of a problem (malloc'd, NULL when out of memory); takes errors (an array or
 * NULL) and ext (an object whose members are added, or NULL) over. */
char *http_problem_text(const http_req *req, int status, const char *code, const char *detail, cJSON *errors,
                        cJSON *ext);
/* {"data": data}; takes ownership of data. version > 0 adds ETag: "<version>". */
void http_reply_data(http_req *req, int status, cJSON *data, long long version);
/* {"data": [...], "next_cursor": …}; takes ownership. */
void http_reply_list(http_req *req, cJSON *items, const char *next_cursor);
/* The same list written with a jw instead of a tree, for long lists on hot paths: begin, write
 * the items (one value each), then reply, which closes the text with next_cursor (500 when the
 * writer failed) and frees the writer. */
void http_list_begin(jw *w);
void http_reply_list_jw(http_req *req, jw *w, const char *next_cursor);
/* Any JSON body; takes ownership. */
void http_reply_json(http_req *req, int status, cJSON *body);
void http_reply_empty(http_req *req, int status);
/* Raw bytes (downloads, metrics, static files). extra_headers: "Name: value\r\n…" or NULL. */
void http_reply_raw(http_req *req, int status, const char *content_type, const void *data, size_t len,
                    const char *extra_headers);
/* RFC 9457 problem: type …/problems/<code>; detail is printf-style. */
void http_problem(http_req *req, int status, const char *code, const char *detail, ...)
        __attribute__((format(printf, 4, 5)));
/* 422 (or other status) with the field errors of v (v is emptied). */
void http_problem_fields(http_req *req, int status, const char *code, const char *detail, verr *v);
/* Answers for a DB_* code: 503 + Retry-After for DB_DOWN, 409 for DB_DUP and DB_RETRY, nothing for
 * DB_APP when the handler already answered (a refusal inside a transaction), else 500. */
void http_problem_db(http_req *req, int rc);
/* Problem with an extra header (e.g. "Retry-After: 60\r\n"). */
void http_problem_hdr(http_req *req, int status, const char *code, const char *extra_headers, const char *detail, ...)
        __attribute__((format(printf, 5, 6)));

/* If-Match: 0 when absent or equal to version; otherwise answers 412 and returns -1. */
int http_if_match_or_reply(http_req *req, long long version);

/* Keyset pagination: ?limit= (1–200, default 50) into *limit, ?cursor= opaque text into cursor
 * (decoded). Answers 400 and returns -1 on bad values. */
int http_page_or_reply(http_req *req, int *limit, char *cursor, size_t cursor_len);
/* Encode/decode an opaque cursor around a short text key. */
void http_cursor_encode(const char *key, char *out, size_t outlen);
/* The same over a numeric key (ids, sequence numbers): *key is dflt without a cursor. */
int http_page_num_or_reply(http_req *req, int *limit, long long *key, long long dflt);

struct db_res;
/* Answers a page from a query that fetched limit + 1 rows: rows [0, limit) become items through
 * item(r, row); when there is one more row, next_cursor is column key_col of the last item. */
void http_reply_rows(http_req *req, const struct db_res *r, int limit, cJSON *(*item)(const struct db_res *r, int row),
                     int key_col);

/* Metrics text (Prometheus exposition format), malloc'd; NULL when it could not be rendered
 * whole (out of memory, over its maximum). */
char *http_metrics_render(void);

#endif
