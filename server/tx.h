/* tx.h — one transaction per state change, answered once.
 *
 * Domain code never sees the HTTP request. A handler parses and validates what it can without
 * the database, then hands a transaction function to tx_run_or_reply(), which
 *
 *   1. replays the first answer when the request carries an Idempotency-Key that was answered
 *      before (or refuses a key reused for another request);
 *   2. runs fn inside one transaction, retried whole on a deadlock, a lock wait timeout or a
 *      Galera certification conflict (so fn must start from scratch each time);
 *   3. when fn succeeds it has set the answer (tx_answer): the answer is rendered, and the
 *      Idempotency-Key is recorded with it, inside the same transaction, which then commits. A
 *      crash after the commit loses no answer: the client's retry gets it back, never a second
 *      resource;
 *   4. when fn refuses (return tx_refuse(…)) everything rolls back and the problem is answered
 *      (and recorded under the key, in a transaction of its own: nothing changed); a refusal
 *      that must leave a trace (return tx_refuse_commit(…): a failed sign-in counts towards the
 *      lockout) commits fn's writes instead, with the problem recorded under the key like an
 *      answer, and then answers it;
 *   5. a DB_ code becomes 503 (database down), 409 (conflict) or 500.
 *
 * The scheduler and the command line run the same functions with tx_run(), without a request.
 *
 *     static int approve(tx *t, void *arg)
 *     {
 *         …
 *         if (bad)
 *             return tx_refuse(t, 409, "org_not_registered", "%s is deregistered", uscc);
 *         …
 *         tx_answer(t, 200, json, version);
 *         return 0;
 *     }
 *     tx_run_or_reply(req, approve, &args);   // and the handler returns
 */
#ifndef SANZHI_TX_H
#define SANZHI_TX_H

#include "auth.h"
#include "db.h"
#include "json.h"

#include <cjson/cJSON.h>

struct http_req;

/* What fn returns after tx_refuse: roll back and answer the problem. */
#define TX_REFUSED DB_APP

typedef struct tx_problem {
	int status; /* 0: none */
	char code[64];
	char detail[768];
	char headers[160]; /* extra header lines ("Retry-After: 60\r\n") */
	verr fields;       /* errors[] */
	cJSON *ext;        /* extension members (current_status, allowed_actions, …); owned */
	int commit;        /* tx_refuse_commit: fn's writes stand */
} tx_problem;

typedef struct tx {
	db_conn *c;
	const auth_user *user; /* NULL: the system (scheduler, command line) */
	const char *client_ip; /* "" without a request */
	const char *if_match;  /* the request's If-Match header, or NULL */
	tx_problem prob;

	/* the answer, set by tx_answer */
	int status;
	cJSON *data;           /* answered as {"data": data}; owned */
	long long version;     /* > 0: ETag: "<version>" */
	int empty;             /* answered without a body (204) */
	int list;              /* answered as {"data": [...], "next_cursor": …} */
	char next_cursor[192]; /* "" for null */
	char *raw;             /* answered as these bytes (downloads); owned */
	size_t raw_len;
	char raw_type[96];
	char raw_headers[1280]; /* its header lines, instead of the API's */
} tx;

typedef int (*tx_fn)(tx *t, void *arg);

/* Inside fn: the refusal. Returns TX_REFUSED, for fn to return. */
int tx_refuse(tx *t, int status, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Inside fn: the refusal that keeps fn's writes. The transaction commits (it is not retried
 * for the refusal's sake), then the problem is answered; for refusals that are themselves
 * facts to remember, such as a wrong password counted towards the lockout. Returns TX_REFUSED;
 * tx_run returns TX_REFUSED too, after the commit, with out->prob.commit set. */
int tx_refuse_commit(tx *t, int status, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with the field errors of v (v is emptied). */
int tx_refuse_fields(tx *t, int status, const char *code, const char *detail, verr *v);
/* An extension member for the problem (taken over), after tx_refuse. */
void tx_problem_add(tx *t, const char *name, cJSON *value);
/* An extra header line for the problem ("Retry-After: 60\r\n"). */
void tx_problem_header(tx *t, const char *line);

/* Inside fn: the answer {"data": data} (taken over); version > 0 adds the ETag. */
void tx_answer(tx *t, int status, cJSON *data, long long version);
/* Inside fn: an answer without a body (204). */
void tx_answer_empty(tx *t, int status);
/* Inside fn: bytes of a media type (a download), copied; headers: its lines
 * ("Content-Disposition: …\r\nCache-Control: …\r\n"). */
void tx_answer_raw(tx *t, int status, const char *content_type, const void *data, size_t len, const char *headers);
/* Inside fn: a page {"data": items, "next_cursor": next_cursor or null} (items taken over). */
void tx_answer_list(tx *t, cJSON *items, const char *next_cursor);
/* Inside fn: the page of a query that fetched limit + 1 rows, as http_reply_rows answers one:
 * rows [0, limit) through item(r, row); next_cursor column key_col of the last when there is more. */
void tx_answer_rows(tx *t, const db_res *r, int limit, cJSON *(*item)(const db_res *r, int row), int key_col);

/* If-Match against the row's version: 0 when absent or equal, else tx_refuse 412. */
int tx_if_match(tx *t, long long version);
/* Today's If-Match rule outside a transaction: 0 when header is NULL, "*", or names version
 * ("7", W/"7" or 7); -1 otherwise. */
int tx_version_matches(const char *header, long long version);

/* The dispatcher's hook (http_options.idem_replay): for a request with an Idempotency-Key, answers
 * the recorded answer (Idempotent-Replayed: true) or refuses a key used for another request and
 * returns 1; 0 when nothing is recorded (the handler runs). */
int tx_replay_or_continue(struct http_req *req);

/* Runs fn for req in one transaction and answers it (the answer fn set, its refusal, or the
 * database's trouble). The handler only returns afterwards. */
void tx_run_or_reply(struct http_req *req, tx_fn fn, void *arg);

/* The same for reads: fn runs on the thread's connection without a transaction (and without
 * Idempotency-Key, which only creating POSTs honour), then its answer or problem is sent. */
void tx_read_or_reply(struct http_req *req, tx_fn fn, void *arg);

/* Runs fn without a request, as who (NULL: the system). 0, TX_REFUSED (out->prob says why;
 * call tx_done), or a DB_ code. out may be NULL; when given, it holds the answer or the problem
 * until tx_done(out). */
int tx_run(const auth_user *who, tx_fn fn, void *arg, tx *out);
/* Tests only (the setting needs test_clock): test_crash_at = point kills the daemon (SIGKILL)
 * where domain code names that point, in the middle of its transaction, so that a test can show
 * that nothing of the change survives. */
void tx_test_crash(const char *point);

/* Frees what a tx holds (answer, problem). */
void tx_done(tx *t);

#endif
