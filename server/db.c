/* db.c — per-thread MariaDB connections with a prepared-statement cache. */
#include "db.h"
#include "log.h"

#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <unistd.h>

#define STMT_CACHE 256
#define MAX_PARAMS 64
#define MAX_COLS 128
#define MAX_RESULT_BYTES (64u << 20) /* a bound on one result set held in memory */
#define TX_ATTEMPTS 8

typedef struct cached_stmt {
	char *sql; /* our own copy of the text */
	size_t sql_len;
	uint64_t hash;
	MYSQL_STMT *stmt;
} cached_stmt;

struct db_conn {
	MYSQL *my;
	cached_stmt cache[STMT_CACHE];
	int ncached;
	unsigned last_errno;
	int broken;
	int in_tx; /* inside db_tx: a lost connection lost the transaction too */
};

static db_settings settings;
static _Thread_local db_conn *tls_conn;
static _Thread_local long long tls_last_fail_ms;
static _Thread_local void (*tls_after_commit[DB_AFTER_COMMIT_MAX])(void);
static _Thread_local int tls_after_commit_n;

void db_after_commit(void (*fn)(void))
{
	for (int i = 0; i < tls_after_commit_n; i++)
		if (tls_after_commit[i] == fn)
			return;
	if (tls_after_commit_n < DB_AFTER_COMMIT_MAX)
		tls_after_commit[tls_after_commit_n++] = fn;
	else /* a programming error: more distinct steps than the table holds; never silent */
		log_kv(LOG_ERROR, "db_after_commit: too many steps after one commit; one is dropped", NULL);
}
static atomic_int open_conns;
static atomic_ullong tx_retries, tx_gave_up;

void db_configure(const db_settings *s)
{
	settings = *s;
}

int db_open_connections(void)
{
	return atomic_load(&open_conns);
}

void db_tx_stats(unsigned long long *retries, unsigned long long *gave_up)
{
	*retries = atomic_load(&tx_retries);
	*gave_up = atomic_load(&tx_gave_up);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void conn_close(db_conn *c)
{
	for (int i = 0; i < c->ncached; i++) {
		mysql_stmt_close(c->cache[i].stmt);
		free(c->cache[i].sql);
	}
	c->ncached = 0;
	if (c->my) {
		mysql_close(c->my);
		atomic_fetch_sub(&open_conns, 1);
	}
	c->my = NULL;
}

void db_release(void)
{
	if (tls_conn) {
		conn_close(tls_conn);
		free(tls_conn);
		tls_conn = NULL;
	}
	mysql_thread_end();
}

static int connect_now(db_conn *c)
{
	MYSQL *my = mysql_init(NULL);
	if (!my)
		return DB_ERROR;
	unsigned timeout = (unsigned)settings.connect_timeout;
	/* How long one read or write of a statement may wait on the server: past it the connection
	 * counts as lost (DB_DOWN, so 503 with Retry-After), instead of holding the request and its
	 * worker as long as a frozen server (stopped, swapping, a hung disk) stays frozen. */
	unsigned rw_timeout = settings.rw_timeout > 0 ? (unsigned)settings.rw_timeout : 30;
	mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* The session speaks UTC and strict SQL whatever the server's defaults are. */
	mysql_optionsv(my, MYSQL_INIT_COMMAND,
	               "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_520_ci, time_zone = '+00:00', sql_mode = "
	               "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
	               "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
	               "tx_isolation = 'READ-COMMITTED'");
	unsigned long flags = settings.multi_statements ? CLIENT_MULTI_STATEMENTS : 0;
	const char *host = settings.socket && *settings.socket ? "localhost" : settings.host;
	if (!mysql_real_connect(my, host, settings.user, settings.password, settings.name, (unsigned)settings.port,
	                        settings.socket && *settings.socket ? settings.socket : NULL, flags)) {
		c->last_errno = mysql_errno(my);
		/* The message names the server, never the password. */
		log_kv(LOG_WARN, "database connect failed", "error", mysql_error(my), NULL);
		mysql_close(my);
		return DB_DOWN;
	}
	c->my = my;
	c->broken = 0;
	atomic_fetch_add(&open_conns, 1);
	return DB_OK;
}

db_conn *db_get(void)
{
	db_conn *c = tls_conn;
	if (!c) {
		c = calloc(1, sizeof *c);
		if (!c)
			return NULL;
		tls_conn = c;
	}
	if (c->my && c->broken)
		conn_close(c);
	if (!c->my) {
		/* While the server is down, fail fast instead of waiting on every request. */
		long long t = now_ms();
		if (tls_last_fail_ms && t - tls_last_fail_ms < 500)
			return NULL;
		if (connect_now(c) != DB_OK) {
			tls_last_fail_ms = t;
			return NULL;
		}
		tls_last_fail_ms = 0;
	}
	return c;
}

unsigned db_errno(db_conn *c)
{
	return c ? c->last_errno : 0;
}

static int classify(db_conn *c, unsigned err)
{
	c->last_errno = err;
	switch (err) {
	case 0:
		return DB_OK;
	case ER_LOCK_DEADLOCK:     /* 1213; also Galera certification failures */
	case ER_LOCK_WAIT_TIMEOUT: /* 1205 */
	case ER_QUERY_INTERRUPTED: /* Galera brute-force abort */
		return DB_RETRY;
	case ER_DUP_ENTRY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
		return DB_DUP;
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case ER_UNKNOWN_COM_ERROR: /* 1047: Galera node not ready */
	case CR_COMMANDS_OUT_OF_SYNC:
		c->broken = 1;
		return DB_DOWN;
	default:
		return DB_ERROR;
	}
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static MYSQL_STMT *stmt_for(db_conn *c, const char *sql, int *rc)
{
	size_t len = strlen(sql);
	uint64_t h = fnv1a(sql, len);
	for (int i = 0; i < c->ncached; i++) {
		cached_stmt *cs = &c->cache[i];
		if (cs->hash == h && cs->sql_len == len && memcmp(cs->sql, sql, len) == 0)
			return cs->stmt;
	}
	MYSQL_STMT *st = mysql_stmt_init(c->my);
	if (!st) {
		*rc = classify(c, mysql_errno(c->my));
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, len)) {
		unsigned e = mysql_stmt_errno(st);
		*rc = classify(c, e);
		if (*rc == DB_ERROR)
			log_kv(LOG_ERROR, "prepare failed", "error", mysql_stmt_error(st), "sql", sql, NULL);
		mysql_stmt_close(st);
		return NULL;
	}
	char *copy = strdup(sql);
	if (!copy) {
		mysql_stmt_close(st);
		*rc = DB_ERROR;
		return NULL;
	}
	if (c->ncached == STMT_CACHE) {
		for (int i = 0; i < c->ncached; i++) {
			mysql_stmt_close(c->cache[i].stmt);
			free(c->cache[i].sql);
		}
		c->ncached = 0;
	}
	c->cache[c->ncached++] = (cached_stmt){ copy, len, h, st };
	return st;
}

static int bind_params(db_conn *c, MYSQL_STMT *st, const db_param *p, int np, MYSQL_BIND *b, char *nulls)
{
	if ((int)mysql_stmt_param_count(st) != np) {
		log_kv(LOG_ERROR, "parameter count mismatch", NULL);
		c->last_errno = 0;
		return DB_ERROR;
	}
	if (np > MAX_PARAMS)
		return DB_ERROR;
	memset(b, 0, sizeof(MYSQL_BIND) * (size_t)(np ? np : 1));
	for (int i = 0; i < np; i++) {
		nulls[i] = 0;
		switch (p[i].type) {
		case DB_T_NULL:
			nulls[i] = 1;
			b[i].buffer_type = MYSQL_TYPE_NULL;
			b[i].is_null = &nulls[i];
			break;
		case DB_T_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
			break;
		case DB_T_STR:
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)p[i].s;
			b[i].buffer_length = p[i].len;
			b[i].length = (unsigned long *)&p[i].len;
			break;
		}
	}
	if (np && mysql_stmt_bind_param(st, b))
		return classify(c, mysql_stmt_errno(st));
	return DB_OK;
}

static int execute(db_conn *c, const char *sql, const db_param *p, int np, MYSQL_STMT **out)
{
	int rc = DB_OK;
	MYSQL_STMT *st = stmt_for(c, sql, &rc);
	if (!st)
		return rc;
	MYSQL_BIND b[MAX_PARAMS];
	char nulls[MAX_PARAMS];
	rc = bind_params(c, st, p, np, b, nulls);
	if (rc)
		return rc;
	if (mysql_stmt_execute(st)) {
		unsigned e = mysql_stmt_errno(st);
		rc = classify(c, e);
		if (rc == DB_ERROR)
			log_kv(LOG_ERROR, "statement failed", "error", mysql_stmt_error(st), "sql", sql, NULL);
		/* A statement the server forgot (e.g. after a failover) is re-prepared next time. */
		if (e == ER_UNKNOWN_STMT_HANDLER || e == ER_NEED_REPREPARE)
			c->broken = 1;
		return rc;
	}
	*out = st;
	return DB_OK;
}

int db_exec(db_conn *c, const char *sql, const db_param *p, int np, unsigned long long *affected,
            unsigned long long *insert_id)
{
	MYSQL_STMT *st;
	int rc = execute(c, sql, p, np, &st);
	if (rc)
		return rc;
	if (affected)
		*affected = (unsigned long long)mysql_stmt_affected_rows(st);
	if (insert_id)
		*insert_id = (unsigned long long)mysql_stmt_insert_id(st);
	if (mysql_stmt_field_count(st))
		mysql_stmt_free_result(st);
	return DB_OK;
}

/* The text of a result's cells lives in blocks of BLOCK_SIZE, each cell copied after the last;
 * a cell too large for a block gets one of its own. */
#define BLOCK_SIZE 16384

struct db_block {
	db_block *next;
	size_t used, cap;
	char data[];
};

static char *res_alloc(db_res *r, size_t n)
{
	db_block *b = r->blocks;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_SIZE / 4 ? n : BLOCK_SIZE;
		db_block *nb = malloc(sizeof *nb + cap);
		if (!nb)
			return NULL;
		nb->used = 0;
		nb->cap = cap;
		if (b && cap != BLOCK_SIZE) {
			/* A large cell's own block goes second: the current block keeps filling. */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			r->blocks = nb;
		}
		b = nb;
	}
	char *p = b->data + b->used;
	b->used += n;
	return p;
}

static int query_once(db_conn *c, const char *sql, const db_param *p, int np, db_res **out);

/* A read that finds its connection gone (killed, timed out while idle, the server restarted)
 * reconnects and runs once more: reads repeat safely. Writes outside a transaction do not,
 * since the lost one may have been done; in a transaction db_tx decides. */
int db_query(db_conn *c, const char *sql, const db_param *p, int np, db_res **out)
{
	int rc = query_once(c, sql, p, np, out);
	if (rc == DB_DOWN && c->broken && !c->in_tx) {
		conn_close(c);
		if (connect_now(c) == DB_OK)
			rc = query_once(c, sql, p, np, out);
	}
	return rc;
}

static int query_once(db_conn *c, const char *sql, const db_param *p, int np, db_res **out)
{
	*out = NULL;
	MYSQL_STMT *st;
	int rc = execute(c, sql, p, np, &st);
	if (rc)
		return rc;
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	int ncols = (int)mysql_stmt_field_count(st);
	db_res *r = calloc(1, sizeof *r);
	MYSQL_BIND *b = NULL;
	unsigned long *lens = NULL;
	my_bool *nul = NULL;
	char **bufs = NULL;
	size_t total = 0;
	if (!r || !meta || ncols <= 0 || ncols > MAX_COLS) {
		rc = DB_ERROR;
		goto out;
	}
	r->ncols = ncols;
	my_bool update = 1;
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &update);
	if (mysql_stmt_store_result(st)) {
		rc = classify(c, mysql_stmt_errno(st));
		goto out;
	}
	MYSQL_FIELD *fields = mysql_fetch_fields(meta);
	b = calloc((size_t)ncols, sizeof *b);
	lens = calloc((size_t)ncols, sizeof *lens);
	nul = calloc((size_t)ncols, sizeof *nul);
	bufs = calloc((size_t)ncols, sizeof *bufs);
	if (!b || !lens || !nul || !bufs) {
		rc = DB_ERROR;
		goto out;
	}
	for (int i = 0; i < ncols; i++) {
		unsigned long sz = fields[i].max_length;
		if (sz < 64)
			sz = 64; /* numbers and dates as text need at most this */
		bufs[i] = malloc(sz + 1);
		if (!bufs[i]) {
			rc = DB_ERROR;
			goto out;
		}
		b[i].buffer_type = MYSQL_TYPE_STRING;
		b[i].buffer = bufs[i];
		b[i].buffer_length = sz + 1;
		b[i].length = &lens[i];
		b[i].is_null = &nul[i];
	}
	if (mysql_stmt_bind_result(st, b)) {
		rc = classify(c, mysql_stmt_errno(st));
		goto out;
	}
	int nrows = (int)mysql_stmt_num_rows(st);
	r->cells = calloc((size_t)(nrows ? nrows : 1) * (size_t)ncols, sizeof(char *));
	r->lens = calloc((size_t)(nrows ? nrows : 1) * (size_t)ncols, sizeof(unsigned long));
	if (!r->cells || !r->lens) {
		rc = DB_ERROR;
		goto out;
	}
	int row = 0, f;
	while (row < nrows && ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED)) {
		for (int i = 0; i < ncols; i++) {
			size_t k = (size_t)row * (size_t)ncols + (size_t)i;
			if (nul[i])
				continue;
			total += lens[i] + 1;
			if (total > MAX_RESULT_BYTES) {
				rc = DB_ERROR;
				goto out;
			}
			char *v = res_alloc(r, lens[i] + 1);
			if (!v) {
				rc = DB_ERROR;
				goto out;
			}
			memcpy(v, bufs[i], lens[i]);
			v[lens[i]] = 0;
			r->cells[k] = v;
			r->lens[k] = lens[i];
		}
		row++;
		r->nrows = row;
	}
out:
	if (bufs)
		for (int i = 0; i < ncols; i++)
			free(bufs[i]);
	free(bufs);
	free(b);
	free(lens);
	free(nul);
	if (meta)
		mysql_free_result(meta);
	mysql_stmt_free_result(st);
	if (rc) {
		db_res_free(r);
		return rc;
	}
	*out = r;
	return DB_OK;
}

int db_raw(db_conn *c, const char *sql)
{
	if (mysql_real_query(c->my, sql, strlen(sql)))
		return classify(c, mysql_errno(c->my));
	/* Drain every result of a multi-statement text. */
	int status;
	do {
		MYSQL_RES *res = mysql_store_result(c->my);
		if (res)
			mysql_free_result(res);
		else if (mysql_field_count(c->my) != 0)
			return classify(c, mysql_errno(c->my));
		status = mysql_next_result(c->my);
		if (status > 0)
			return classify(c, mysql_errno(c->my));
	} while (status == 0);
	return DB_OK;
}

const char *db_raw_error(db_conn *c)
{
	return c && c->my ? mysql_error(c->my) : "not connected";
}

static void backoff(int attempt)
{
	/* Jittered exponential backoff: 2, 4, 8 … ms, times a random factor in [0.5, 1.5). */
	unsigned seed = (unsigned)now_ms() ^ (unsigned)(uintptr_t)&attempt;
	long base_us = 2000L << (attempt < 6 ? attempt : 6);
	long us = base_us / 2 + (long)(rand_r(&seed) % (unsigned)base_us);
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

int db_tx(int (*fn)(db_conn *c, void *arg), void *arg)
{
	int rc = DB_DOWN;
	for (int attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
		db_conn *c = db_get();
		if (!c)
			return DB_DOWN;
		rc = db_raw(c, "START TRANSACTION");
		if (rc == DB_DOWN && attempt == 0)
			continue; /* a connection that died while idle: reconnect once */
		if (rc)
			return rc;
		tls_after_commit_n = 0;
		c->in_tx = 1;
		rc = fn(c, arg);
		c->in_tx = 0;
		if (rc == DB_OK) {
			rc = db_raw(c, "COMMIT");
			if (rc == DB_OK) {
				int n = tls_after_commit_n;
				tls_after_commit_n = 0;
				for (int i = 0; i < n; i++)
					tls_after_commit[i]();
				return DB_OK;
			}
		} else {
			int r2 = db_raw(c, "ROLLBACK");
			(void)r2;
		}
		if (rc != DB_RETRY)
			return rc;
		if (attempt + 1 < TX_ATTEMPTS) {
			atomic_fetch_add(&tx_retries, 1);
			backoff(attempt);
		}
	}
	tls_after_commit_n = 0;
	atomic_fetch_add(&tx_gave_up, 1);
	log_kv(LOG_WARN, "transaction gave up after retries", NULL);
	return rc;
}

const char *db_val(const db_res *r, int row, int col)
{
	if (!r || row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
		return NULL;
	return r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
}

unsigned long db_len(const db_res *r, int row, int col)
{
	if (!r || row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
		return 0;
	return r->lens[(size_t)row * (size_t)r->ncols + (size_t)col];
}

int db_isnull(const db_res *r, int row, int col)
{
	return db_val(r, row, col) == NULL;
}

long long db_int(const db_res *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

void db_res_free(db_res *r)
{
	if (!r)
		return;
	for (db_block *b = r->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(r->cells);
	free(r->lens);
	free(r);
}
