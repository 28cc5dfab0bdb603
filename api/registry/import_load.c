/* import_load.c — the loading phases of `sanzhid import orgs` (see import_load.h): the bigrams
 * first, then the organizations, each on several connections writing in primary-key order. */
#include "import_load.h"
#include "audit.h"
#include "buf.h"
#include "clock.h"
#include "feed.h"
#include "org_row.h"
#include "orgs_index.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH_ROWS 5000  /* organizations per transaction */
#define GRAM_BATCH 50000 /* bigrams per statement */
#define JSON_MAX ((size_t)256 << 20)

/* --- the bigram postings ----------------------------------------------------------------- */

uint64_t import_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static int postings_add(postings *ps, const char *gram, uint32_t id)
{
	if (ps->n * 2 >= ps->nslots) {
		size_t ns = ps->nslots ? ps->nslots * 2 : 4096;
		uint32_t *nslot = calloc(ns, sizeof *nslot);
		if (!nslot)
			return -1;
		for (size_t i = 0; i < ps->n; i++) {
			size_t k = import_hash(ps->p[i].gram) & (ns - 1);
			while (nslot[k])
				k = (k + 1) & (ns - 1);
			nslot[k] = (uint32_t)i + 1;
		}
		free(ps->slot);
		ps->slot = nslot;
		ps->nslots = ns;
	}
	size_t k = import_hash(gram) & (ps->nslots - 1);
	while (ps->slot[k] && strcmp(ps->p[ps->slot[k] - 1].gram, gram))
		k = (k + 1) & (ps->nslots - 1);
	if (!ps->slot[k]) {
		if (ps->n == ps->cap) {
			size_t cap = ps->cap ? ps->cap * 2 : 1024;
			posting *np = realloc(ps->p, cap * sizeof *np);
			if (!np)
				return -1;
			ps->p = np;
			ps->cap = cap;
		}
		posting *e = &ps->p[ps->n];
		memset(e, 0, sizeof *e);
		size_t gl = strnlen(gram, ORGS_GRAM_SIZE - 1);
		memcpy(e->gram, gram, gl);
		e->gram[gl] = 0;
		ps->slot[k] = (uint32_t)++ps->n;
	}
	posting *e = &ps->p[ps->slot[k] - 1];
	if (e->n == e->cap) {
		uint32_t cap = e->cap ? e->cap * 2 : 8;
		uint32_t *ni = realloc(e->ids, cap * sizeof *ni);
		if (!ni)
			return -1;
		e->ids = ni;
		e->cap = cap;
	}
	e->ids[e->n++] = id;
	ps->pairs++;
	return 0;
}

static int posting_cmp(const void *a, const void *b)
{
	return strcmp(((const posting *)a)->gram, ((const posting *)b)->gram);
}

static void postings_free(postings *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->p[i].ids);
	free(ps->p);
	free(ps->slot);
	memset(ps, 0, sizeof *ps);
}

static const row_key *sort_keys;
static int by_uscc(const void *a, const void *b)
{
	return strcmp(sort_keys[*(const uint32_t *)a].uscc, sort_keys[*(const uint32_t *)b].uscc);
}

int import_plan_make(const row_key *keys, long nrec, const unsigned char *bad, import_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	postings *ps = &plan->ps;
	long n = 0;
	for (long i = 0; i < nrec; i++)
		n += !bad[i] && keys[i].name;
	uint32_t *order = malloc((size_t)(n ? n : 1) * sizeof *order);
	if (!order)
		return -1;
	long k = 0;
	for (long i = 0; i < nrec; i++)
		if (!bad[i] && keys[i].name)
			order[k++] = (uint32_t)i;
	sort_keys = keys;
	if (n)
		qsort(order, (size_t)n, sizeof *order, by_uscc);
	/* Rows in USCC order make every posting list come out sorted. */
	for (long i = 0; i < n; i++) {
		char grams[ORGS_MAX_GRAMS][ORGS_GRAM_SIZE];
		int ng = orgs_grams(keys[order[i]].name, grams, ORGS_MAX_GRAMS);
		for (int g = 0; g < ng; g++)
			if (postings_add(ps, grams[g], order[i]) < 0) {
				free(order);
				postings_free(ps);
				return -1;
			}
	}
	if (ps->n)
		qsort(ps->p, ps->n, sizeof *ps->p, posting_cmp);
	plan->order = order;
	plan->ngood = n;
	return 0;
}

/* --- the statements -------------------------------------------------------------------- */

/* rows JSON: [[uscc, name, legal_form, category, region_code, domicile, business_scope, rep, date, status], …] */
#define ROWS_TABLE                                                                                                     \
	"JSON_TABLE(?, '$[*]' COLUMNS (uscc CHAR(18) CHARACTER SET ascii COLLATE ascii_bin PATH '$[0]', "              \
	"name VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$[1]', "                                    \
	"legal_form VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin PATH '$[2]', "                                   \
	"category VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin PATH '$[3]', "                                     \
	"region_code CHAR(6) CHARACTER SET ascii COLLATE ascii_bin PATH '$[4]', "                                      \
	"domicile VARCHAR(500) CHARACTER SET utf8mb4 PATH '$[5]', scope TEXT CHARACTER SET utf8mb4 PATH '$[6]', "      \
	"rep VARCHAR(100) CHARACTER SET utf8mb4 PATH '$[7]', registered_at DATE PATH '$[8]', "                         \
	"status VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin PATH '$[9]')) j"
/* names JSON: [[uscc, name, date, status], …] */
#define NAMES_TABLE                                                                                                    \
	"JSON_TABLE(?, '$[*]' COLUMNS (uscc CHAR(18) CHARACTER SET ascii COLLATE ascii_bin PATH '$[0]', "              \
	"name VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$[1]', registered_at DATE PATH '$[2]', "    \
	"status VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin PATH '$[3]')) j"
/* grams JSON: [[gram, [uscc, …]], …] in (gram, uscc) order */
#define GRAMS_TABLE                                                                                                    \
	"JSON_TABLE(?, '$[*]' COLUMNS (gram VARCHAR(2) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$[0]', "        \
	"NESTED PATH '$[1][*]' COLUMNS (uscc CHAR(18) CHARACTER SET ascii COLLATE ascii_bin PATH '$'))) j"

/* In USCC order, the order of the primary key. */
static const char sql_orgs[] =
        "INSERT INTO orgs (uscc, name, legal_form, category, region_code, domicile, business_scope, legal_rep_name, "
        "registered_at, status, source, created_at, updated_at) SELECT j.uscc, j.name, j.legal_form, "
        "NULLIF(j.category, ''), j.region_code, j.domicile, j.scope, j.rep, j.registered_at, j.status, 'import', ?, ? "
        "FROM " ROWS_TABLE " ORDER BY j.uscc";
static const char sql_names[] =
        "INSERT INTO org_names (uscc, name, from_date) SELECT j.uscc, j.name, j.registered_at FROM " NAMES_TABLE;
static const char sql_claims[] =
        "INSERT INTO name_claims (name, uscc) SELECT j.name, j.uscc FROM " NAMES_TABLE " WHERE j.status = 'registered'";
/* The history the register tells: established on its registration day (midnight there, as the
 * file gives no hour), deregistered on a day not recorded (NULL), and, as an event of its own,
 * entered into this system by the import. */
static const char sql_establish[] =
        "INSERT INTO org_events (uscc, type, at, effective_date, reason) SELECT j.uscc, 'establish', "
        "TIMESTAMP(j.registered_at) - INTERVAL ? MINUTE, j.registered_at, NULL FROM " NAMES_TABLE;
static const char sql_deregister[] =
        "INSERT INTO org_events (uscc, type, at, effective_date, reason) SELECT j.uscc, 'deregister', ?, NULL, "
        "NULL FROM " NAMES_TABLE " WHERE j.status = 'deregistered'";
static const char sql_imported[] = "INSERT INTO org_events (uscc, type, at, effective_date, reason) SELECT j.uscc, "
                                   "'import', ?, ?, NULL FROM " NAMES_TABLE;
/* The open data (feed.h): each imported organization appears in the register. */
static const char sql_feed_establish[] = FEED_INSERT "SELECT ?, 'org', j.uscc, 'establish', NULL FROM " NAMES_TABLE;
static const char sql_feed_deregister[] =
        FEED_INSERT "SELECT ?, 'org', j.uscc, 'deregister', NULL FROM " NAMES_TABLE " WHERE j.status = 'deregistered'";
/* IGNORE: grams left by an import that stopped half-way are simply there already. */
static const char sql_grams[] =
        "INSERT IGNORE INTO org_name_grams (gram, uscc) SELECT j.gram, j.uscc FROM " GRAMS_TABLE;

/* --- loading ----------------------------------------------------------------------------- */

/* Shared by the loader threads of a phase. */
typedef struct loader {
	const char *file;
	char now_db[32], today[16];
	long long tz_minutes;  /* local time ahead of UTC */
	const char *map, *end; /* the file */
	const row_key *keys;
	const uint32_t *order; /* good rows in USCC order */
	const postings *ps;
	atomic_long done;  /* rows imported, or gram pairs written */
	atomic_int failed; /* a DB_ code (or DB_ERROR for memory) once something could not be loaded */
	bad_list *bad;
} loader;

/* One thread's share: a contiguous run of the sorted rows or gram pairs. Each thread writes its
 * own part of every B-tree, so the threads do not fight over the same pages. */
typedef struct share {
	loader *L;
	long begin, end;
	pthread_t tid;
	atomic_int finished;
} share;

static int fail(loader *L, int rc)
{
	int zero = 0;
	atomic_compare_exchange_strong(&L->failed, &zero, rc ? rc : DB_ERROR);
	return -1;
}

/* An org batch: the rows and their names/dates as JSON, with what the audit entry says. */
typedef struct org_batch {
	loader *L;
	dynbuf rows, names;
	int n, has_deregistered;
	long min_line, max_line;
	char first[USCC_LEN + 1], last[USCC_LEN + 1];
} org_batch;

static int org_tx(db_conn *c, void *arg)
{
	org_batch *b = arg;
	loader *L = b->L;
	int rc = db_exec(c, sql_orgs, DBP(DBS(L->now_db), DBS(L->now_db), DBS(b->rows.p)), NULL, NULL);
	if (!rc)
		rc = db_exec(c, sql_claims, DBP(DBS(b->names.p)), NULL, NULL);
	if (!rc)
		rc = db_exec(c, sql_names, DBP(DBS(b->names.p)), NULL, NULL);
	if (!rc)
		rc = db_exec(c, sql_establish, DBP(DBI(L->tz_minutes), DBS(b->names.p)), NULL, NULL);
	if (!rc && b->has_deregistered)
		rc = db_exec(c, sql_deregister, DBP(DBS(L->now_db), DBS(b->names.p)), NULL, NULL);
	if (!rc)
		rc = db_exec(c, sql_imported, DBP(DBS(L->now_db), DBS(L->today), DBS(b->names.p)), NULL, NULL);
	if (!rc)
		rc = db_exec(c, sql_feed_establish, DBP(DBS(L->now_db), DBS(b->names.p)), NULL, NULL);
	if (!rc && b->has_deregistered)
		rc = db_exec(c, sql_feed_deregister, DBP(DBS(L->now_db), DBS(b->names.p)), NULL, NULL);
	if (rc)
		return rc;
	feed_written();
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "file", L->file);
	cJSON_AddNumberToObject(s, "count", b->n);
	cJSON_AddNumberToObject(s, "first_line", (double)b->min_line);
	cJSON_AddNumberToObject(s, "last_line", (double)b->max_line);
	cJSON_AddStringToObject(s, "first_uscc", b->first);
	cJSON_AddStringToObject(s, "last_uscc", b->last);
	char id[64];
	snprintf(id, sizeof id, "%s..%s", b->first, b->last);
	rc = audit_append(c, NULL, "org.import", "import", id, s);
	cJSON_Delete(s);
	return rc;
}

static void org_batch_reset(org_batch *b)
{
	buf_free(&b->rows);
	buf_free(&b->names);
	buf_init(&b->rows, JSON_MAX);
	buf_init(&b->names, JSON_MAX);
	b->n = b->has_deregistered = 0;
	b->min_line = b->max_line = 0;
	buf_adds(&b->rows, "[");
	buf_adds(&b->names, "[");
}

static void org_batch_add(org_batch *b, const record *r)
{
	if (b->n) {
		buf_adds(&b->rows, ",");
		buf_adds(&b->names, ",");
	} else {
		snprintf(b->first, sizeof b->first, "%s", r->field[F_USCC]);
		b->min_line = b->max_line = r->line;
	}
	snprintf(b->last, sizeof b->last, "%s", r->field[F_USCC]);
	if (r->line < b->min_line)
		b->min_line = r->line;
	if (r->line > b->max_line)
		b->max_line = r->line;
	b->has_deregistered |= org_status_of(r->field[F_STATUS]) == ORG_DEREGISTERED;
	buf_adds(&b->rows, "[");
	for (int i = 0; i < IMPORT_NFIELDS; i++) {
		if (i)
			buf_adds(&b->rows, ",");
		buf_add_json_string(&b->rows, r->field[i]);
	}
	buf_adds(&b->rows, "]");
	buf_adds(&b->names, "[");
	buf_add_json_string(&b->names, r->field[F_USCC]);
	buf_adds(&b->names, ",");
	buf_add_json_string(&b->names, r->field[F_NAME]);
	buf_adds(&b->names, ",");
	buf_add_json_string(&b->names, r->field[F_DATE]);
	buf_adds(&b->names, ",");
	buf_add_json_string(&b->names, r->field[F_STATUS]);
	buf_adds(&b->names, "]");
	b->n++;
}

/* Reads the record of a good row again, from its place in the file. */
static int reread(const loader *L, uint32_t id, record *rec)
{
	const row_key *k = &L->keys[id];
	csv s = { L->map + k->off, L->end, k->line };
	if (csv_next(&s, rec) != 1)
		return -1;
	import_row_tidy(rec);
	return !rec->error && rec->nfields == IMPORT_NFIELDS ? 0 : -1;
}

/* Commits one batch; on a duplicate that appeared since the check, row by row. */
static int org_batch_commit(org_batch *b, share *sh, long from, long to, record *rec)
{
	loader *L = sh->L;
	buf_adds(&b->rows, "]");
	buf_adds(&b->names, "]");
	if (b->rows.failed || b->names.failed)
		return fail(L, DB_ERROR);
	int rc = db_tx(org_tx, b);
	if (rc == 0) {
		atomic_fetch_add(&L->done, b->n);
		return 0;
	}
	if (rc != DB_DUP)
		return fail(L, rc);
	for (long i = from; i < to; i++) {
		if (reread(L, L->order[i], rec) < 0)
			return fail(L, DB_ERROR);
		org_batch_reset(b);
		org_batch_add(b, rec);
		buf_adds(&b->rows, "]");
		buf_adds(&b->names, "]");
		rc = b->rows.failed || b->names.failed ? DB_ERROR : db_tx(org_tx, b);
		if (rc == 0)
			atomic_fetch_add(&L->done, 1);
		else if (rc == DB_DUP)
			bad_add(L->bad, rec->line, "duplicate: the code or the name was registered meanwhile");
		else
			return fail(L, rc);
	}
	return 0;
}

static void *org_thread(void *arg)
{
	share *sh = arg;
	loader *L = sh->L;
	record rec;
	org_batch b = { 0 };
	b.L = L;
	if (record_init(&rec) < 0) {
		fail(L, DB_ERROR);
		goto out;
	}
	org_batch_reset(&b);
	long from = sh->begin;
	for (long i = sh->begin; i < sh->end && !atomic_load(&L->failed); i++) {
		if (reread(L, L->order[i], &rec) < 0) {
			fail(L, DB_ERROR);
			break;
		}
		org_batch_add(&b, &rec);
		if (b.n == BATCH_ROWS) {
			if (org_batch_commit(&b, sh, from, i + 1, &rec) < 0)
				break;
			org_batch_reset(&b);
			from = i + 1;
		}
	}
	if (b.n && !atomic_load(&L->failed))
		org_batch_commit(&b, sh, from, sh->end, &rec);
out:
	record_free(&rec);
	buf_free(&b.rows);
	buf_free(&b.names);
	db_release();
	atomic_store(&sh->finished, 1);
	return NULL;
}

static int grams_tx(db_conn *c, void *arg)
{
	return db_exec(c, sql_grams, DBP(DBS((const char *)arg)), NULL, NULL);
}

/* Writes gram pairs [begin, end) of the sorted postings, GRAM_BATCH to a statement. */
static void *gram_thread(void *arg)
{
	share *sh = arg;
	loader *L = sh->L;
	const postings *ps = L->ps;
	dynbuf b;
	buf_init(&b, JSON_MAX);
	/* Find the posting holding pair number begin. */
	size_t p = 0;
	long at = 0;
	while (p < ps->n && at + (long)ps->p[p].n <= sh->begin)
		at += ps->p[p++].n;
	long j = sh->begin - at, pair = sh->begin;
	while (pair < sh->end && !atomic_load(&L->failed)) {
		buf_free(&b);
		buf_init(&b, JSON_MAX);
		int n = 0;
		buf_adds(&b, "[");
		while (pair < sh->end && n < GRAM_BATCH) {
			const posting *e = &ps->p[p];
			buf_adds(&b, n ? ",[" : "[");
			buf_add_json_string(&b, e->gram);
			buf_adds(&b, ",[");
			int first = 1;
			for (; j < (long)e->n && pair < sh->end && n < GRAM_BATCH; j++, pair++, n++) {
				if (!first)
					buf_adds(&b, ",");
				first = 0;
				buf_add_json_string(&b, L->keys[e->ids[j]].uscc);
			}
			buf_adds(&b, "]]");
			if (j == (long)e->n) {
				p++;
				j = 0;
			}
		}
		buf_adds(&b, "]");
		if (b.failed) {
			fail(L, DB_ERROR);
			break;
		}
		int rc = db_tx(grams_tx, b.p);
		if (rc) {
			fail(L, rc);
			break;
		}
		atomic_fetch_add(&L->done, n);
	}
	buf_free(&b);
	db_release();
	atomic_store(&sh->finished, 1);
	return NULL;
}

/* Runs fn on threads over [0, total) cut in equal runs of at least per_thread items (a small file
 * is one batch on one thread), showing progress until they finish. */
static int run_shares(loader *L, void *(*fn)(void *), int threads, long total, long per_thread, progress *pg,
                      const char *phase)
{
	share sh[IMPORT_MAX_THREADS];
	int started = 0;
	if (threads > (total + per_thread - 1) / per_thread)
		threads = (int)((total + per_thread - 1) / per_thread);
	if (threads < 1)
		threads = 1;
	atomic_store(&L->done, 0);
	progress_start(pg, phase, total);
	for (int t = 0; t < threads; t++) {
		sh[t].L = L;
		sh[t].begin = total * t / threads;
		sh[t].end = total * (t + 1) / threads;
		atomic_store(&sh[t].finished, 0);
		if (pthread_create(&sh[t].tid, NULL, fn, &sh[t]) != 0) {
			fail(L, DB_ERROR);
			break;
		}
		started++;
	}
	/* The threads work; this one reports. */
	for (;;) {
		int running = 0;
		for (int t = 0; t < started; t++)
			running += !atomic_load(&sh[t].finished);
		if (!running)
			break;
		long done = atomic_load(&L->done);
		progress_show(pg, done, total ? (double)done / (double)total : 1.0, 0);
		usleep(50000);
	}
	for (int t = 0; t < started; t++)
		pthread_join(sh[t].tid, NULL);
	long done = atomic_load(&L->done);
	progress_show(pg, done, total ? (double)done / (double)total : 1.0, 1);
	return atomic_load(&L->failed) ? -1 : 0;
}

static void loader_init(loader *L, const import_source *src, const import_plan *plan)
{
	memset(L, 0, sizeof *L);
	L->file = src->file;
	clock_fmt_db(src->now, L->now_db);
	clock_fmt_date(clock_local_day(src->now), L->today);
	L->tz_minutes = (long long)(-clock_local_midnight(0) / 60000000);
	L->map = src->map;
	L->end = src->end;
	L->keys = src->keys;
	L->order = plan->order;
	L->ps = &plan->ps;
	L->bad = src->bad;
}

int import_load_grams(const import_source *src, const import_plan *plan)
{
	if (plan->ngood == 0)
		return 0;
	loader L;
	loader_init(&L, src, plan);
	if (run_shares(&L, gram_thread, src->threads, (long)plan->ps.pairs, GRAM_BATCH, src->pg, "indexing") < 0)
		return atomic_load(&L.failed);
	return 0;
}

int import_load_orgs(const import_source *src, const import_plan *plan, long *imported)
{
	*imported = 0;
	if (plan->ngood == 0)
		return 0;
	loader L;
	loader_init(&L, src, plan);
	int failed = run_shares(&L, org_thread, src->threads, plan->ngood, BATCH_ROWS, src->pg, "importing") < 0;
	*imported = atomic_load(&L.done);
	return failed ? atomic_load(&L.failed) : 0;
}

void import_plan_drop_grams(import_plan *plan)
{
	postings_free(&plan->ps);
}

void import_plan_free(import_plan *plan)
{
	postings_free(&plan->ps);
	free(plan->order);
	memset(plan, 0, sizeof *plan);
}
