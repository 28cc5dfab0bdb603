/* db.h — MariaDB access: one connection per worker thread, prepared statements only,
 * transactions retried on deadlock / lock wait timeout / Galera certification conflict.
 *
 *   db_res *r;
 *   int rc = db_query(c, "SELECT name FROM orgs WHERE uscc = ?", DBP(DBS(uscc)), &r);
 *
 * Statements are prepared once per connection and cached. A lost connection is closed and
 * reopened (statements re-prepared) on the next use; there is no MYSQL_OPT_RECONNECT.
 * Every value comes back as text (or NULL); db_int converts. */
#ifndef SANZHI_DB_H
#define SANZHI_DB_H

#include <stddef.h>
#include <string.h>

/* Result codes. */
enum {
	DB_OK = 0,
	DB_ERROR = -1, /* anything else: a bug or a constraint */
	DB_DOWN = -2,  /* cannot reach the server: 503 + Retry-After */
	DB_RETRY = -3, /* 1213 deadlock, 1205 lock wait timeout, Galera conflict: retry the transaction */
	DB_DUP = -4,   /* 1062 duplicate key */
	DB_APP = -100, /* a handler's own refusal inside a transaction (the problem is already set) */
};

enum db_type { DB_T_NULL, DB_T_INT, DB_T_STR };

typedef struct db_param {
	enum db_type type;
	long long i;
	const char *s;
	size_t len;
} db_param;

#define DBI(x) ((db_param){ DB_T_INT, (long long)(x), NULL, 0 })
static inline db_param db_str_param(const char *s)
{
	return (db_param){ s ? DB_T_STR : DB_T_NULL, 0, s, s ? strlen(s) : 0 };
}
/* A text parameter; NULL binds SQL NULL. */
#define DBS(x) db_str_param(x)
#define DBB(p, n) ((db_param){ DB_T_STR, 0, (const char *)(p), (n) })
#define DBNULL ((db_param){ DB_T_NULL, 0, NULL, 0 })
/* DBP(a, b, c) expands to the array and its count. */
#define DBP(...)                                                                                                       \
	((const db_param[]){ __VA_ARGS__ }), (int)(sizeof((const db_param[]){ __VA_ARGS__ }) / sizeof(db_param))
#define DBNONE NULL, 0

typedef struct db_block db_block;

typedef struct db_res {
	int nrows, ncols;
	char **cells; /* nrows * ncols; NULL for SQL NULL */
	unsigned long *lens;
	db_block *blocks; /* the cells' text, a few large blocks instead of a malloc a cell */
} db_res;

typedef struct db_conn db_conn;

typedef struct db_settings {
	const char *host, *socket, *name, *user, *password;
	int port, connect_timeout;
	int multi_statements; /* migrations only */
	int rw_timeout;       /* seconds one read or write of a statement may wait on the server */
} db_settings;

void db_configure(const db_settings *s);
/* The calling thread's connection, (re)connecting if needed; NULL when the server is down. */
db_conn *db_get(void);
/* Closes the calling thread's connection (thread exit). */
void db_release(void);
/* Number of open connections (metrics). */
int db_open_connections(void);
/* Transactions run again after a deadlock, lock wait timeout or Galera conflict, and those
 * that gave up after the last attempt, since start (metrics). */
void db_tx_stats(unsigned long long *retries, unsigned long long *gave_up);

int db_query(db_conn *c, const char *sql, const db_param *p, int np, db_res **out);
int db_exec(db_conn *c, const char *sql, const db_param *p, int np, unsigned long long *affected,
            unsigned long long *insert_id);
/* Unprepared statement text (DDL in migrations, SET, transaction control). Never with user data. */
int db_raw(db_conn *c, const char *sql);

/* Runs fn inside one transaction: commits when fn returns 0, rolls back otherwise. Retries
 * the whole transaction (fn again, so fn must start from scratch each call) on DB_RETRY with
 * jittered backoff. Returns fn's code or a DB_ code. */
int db_tx(int (*fn)(db_conn *c, void *arg), void *arg);

/* Inside a db_tx transaction: run fn once the transaction has committed (not if it rolls back).
 * At most DB_AFTER_COMMIT_MAX per transaction. */
#define DB_AFTER_COMMIT_MAX 16
void db_after_commit(void (*fn)(void));

const char *db_val(const db_res *r, int row, int col);
unsigned long db_len(const db_res *r, int row, int col);
long long db_int(const db_res *r, int row, int col);
int db_isnull(const db_res *r, int row, int col);
void db_res_free(db_res *r);

/* The server's message for the last failed db_raw (migrations print it; never sent to clients). */
const char *db_raw_error(db_conn *c);
/* Last server error number on this thread (for tests and logs, never for clients). */
unsigned db_errno(db_conn *c);

#endif
