/* orgs.c — the public register: search, profile, history, and the bigram index (see orgs.h). */
#include "orgs.h"
#include "cache.h"
#include "certificates.h"
#include "region.h"
#include "registry_rules.h"
#include "uscc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- bigrams ---------------------------------------------------------------------- */

/* Byte length of the UTF-8 sequence that starts with c (input already validated). */
static int u8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xF0)
		return 4;
	if (c >= 0xE0)
		return 3;
	return 2;
}

int orgs_grams(const char *name, char (*grams)[ORGS_GRAM_SIZE], int max)
{
	size_t len = strlen(name);
	if (!json_utf8_valid(name, len))
		return -1;
	int n = 0;
	const char *p = name;
	while (*p) {
		int a = u8_seq_len((unsigned char)*p);
		int b = p[a] ? u8_seq_len((unsigned char)p[a]) : 0;
		/* A one-character name is its own gram; otherwise only whole bigrams. */
		if (!b && p != name)
			break;
		char g[ORGS_GRAM_SIZE];
		memcpy(g, p, (size_t)(a + b));
		g[a + b] = 0;
		int seen = 0;
		for (int i = 0; i < n && !seen; i++)
			seen = !strcmp(grams[i], g);
		if (!seen) {
			if (n == max)
				return -1;
			memcpy(grams[n++], g, (size_t)(a + b + 1));
		}
		p += a;
	}
	return n;
}

int orgs_index_name(db_conn *c, const char *uscc, const char *name)
{
	char g[ORGS_MAX_GRAMS][ORGS_GRAM_SIZE];
	int n = orgs_grams(name, g, ORGS_MAX_GRAMS);
	if (n < 0)
		return DB_ERROR;
	if (n == 0)
		return 0;
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return DB_ERROR;
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(g[i]));
	char *json = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (!json)
		return DB_ERROR;
	int rc = db_exec(c,
	                 "INSERT IGNORE INTO org_name_grams (gram, uscc) SELECT j.g, ? FROM JSON_TABLE(?, '$[*]' "
	                 "COLUMNS (g VARCHAR(2) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) j",
	                 DBP(DBS(uscc), DBS(json)), NULL, NULL);
	free(json);
	return rc;
}

/* --- shapes ----------------------------------------------------------------------- */

/* Columns of a register entry, in the order org_item() reads them. */
#define ITEM_COLS                                                                                    \
	"o.uscc, o.name, o.legal_form, o.category, o.region_code, o.domicile, o.legal_rep_name, "    \
	"o.registered_at, o.status, o.grade, o.grade_valid_until, o.version"
enum { C_USCC, C_NAME, C_FORM, C_CATEGORY, C_REGION, C_DOMICILE, C_REP, C_REGISTERED, C_STATUS, C_GRADE,
       C_GRADE_UNTIL, C_VERSION, ITEM_NCOLS };

/* The public shape of an organization (Appendix A), without the parts only the profile carries:
 * its members, written into the object w has open. The legal representative's ID number is never
 * selected, so it can never be shown. */
static void org_fields(jw *w, const db_res *r, int i)
{
	const char *uscc = db_val(r, i, C_USCC);
	char org_id[40];
	snprintf(org_id, sizeof org_id, "CN-USCI-%s", uscc);
	jw_kstr(w, "uscc", uscc);
	jw_kstr(w, "org_id", org_id);
	jw_kstr(w, "name", db_val(r, i, C_NAME));
	jw_kstr(w, "legal_form", db_val(r, i, C_FORM));
	jw_kstr(w, "category", db_val(r, i, C_CATEGORY));
	const char *rc = db_val(r, i, C_REGION);
	jw_kstr(w, "region_code", rc);
	const region *reg = region_find(rc);
	jw_kstr(w, "region_name", reg ? region_name(reg) : NULL);
	jw_kstr(w, "domicile", db_val(r, i, C_DOMICILE));
	jw_kstr(w, "legal_representative_name", db_val(r, i, C_REP));
	jw_kstr(w, "registered_at", db_val(r, i, C_REGISTERED));
	jw_kstr(w, "status", db_val(r, i, C_STATUS));
	jw_kstr(w, "grade", db_val(r, i, C_GRADE));
	jw_kstr(w, "grade_valid_until", db_val(r, i, C_GRADE_UNTIL));
	jw_kint(w, "version", db_int(r, i, C_VERSION));
}

/* The first limit rows of r (ITEM_COLS) as list items. */
static void org_items(jw *w, const db_res *r, int limit)
{
	for (int i = 0; i < r->nrows && i < limit; i++) {
		jw_obj(w);
		org_fields(w, r, i);
		jw_obj_end(w);
	}
}

/* Upper-cases an 18-character code into out; 0 when it may be a USCC (digits and capitals), else -1. */
static int uscc_param(const char *s, char out[USCC_LEN + 1])
{
	if (!s || strlen(s) != USCC_LEN)
		return -1;
	for (int i = 0; i < USCC_LEN; i++) {
		char ch = s[i];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')))
			return -1;
		out[i] = ch;
	}
	out[USCC_LEN] = 0;
	return 0;
}

int orgs_path_uscc(http_req *req, char out[USCC_LEN + 1])
{
	const char *p = http_param(req, "uscc");
	/* The org-id form (CN-USCI-<code>, as the open-data schemes write it) names the same one. */
	if (p && !strncmp(p, "CN-USCI-", 8))
		p += 8;
	if (uscc_param(p, out) < 0) {
		http_problem(req, 404, "not_found", "there is no organization with this code");
		return -1;
	}
	return 0;
}

/* --- the public gate ----------------------------------------------------------------- */

/* Reads of the public register hold at most PUBLIC_DB_SLOTS database connections at once, and
 * wait their turn first come, first served. A burst of anonymous traffic cannot take every
 * connection from registrars and applicants, and the database runs a few queries at a time
 * instead of dozens of threads fighting over its CPUs: on two cores, 64 lookups at once lose
 * throughput and have a p99 ten times as long. A FIFO rather than a semaphore, so no request
 * waits behind luckier late-comers (the p99 is what the waiting costs). */
#define PUBLIC_DB_SLOTS 4
#define GATE_WAITERS 256        /* condition variables, one per ticket modulo this */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv[GATE_WAITERS];
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static unsigned long gate_tail, gate_done;   /* tickets handed out, and returned */

static void gate_init(void)
{
	for (int i = 0; i < GATE_WAITERS; i++)
		pthread_cond_init(&gate_cv[i], NULL);
}

static void gate_enter(void)
{
	pthread_once(&gate_once, gate_init);
	pthread_mutex_lock(&gate_mu);
	unsigned long t = gate_tail++;
	while (t >= gate_done + PUBLIC_DB_SLOTS)
		pthread_cond_wait(&gate_cv[t % GATE_WAITERS], &gate_mu);
	pthread_mutex_unlock(&gate_mu);
}

static void gate_leave(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_done++;
	/* The ticket that may enter now (a broadcast: with more waiters than variables, a later
	 * ticket may share the variable, and it simply waits again). */
	pthread_cond_broadcast(&gate_cv[(gate_done + PUBLIC_DB_SLOTS - 1) % GATE_WAITERS]);
	pthread_mutex_unlock(&gate_mu);
}

/* --- profile ---------------------------------------------------------------------- */

#define PROFILE_MAX (1u << 20)

int orgs_touch(db_conn *c)
{
	int rc = db_exec(c, "UPDATE register_generation SET gen = gen + 1 WHERE id = 1", DBNONE, NULL, NULL);
	if (!rc)
		db_after_commit(cache_invalidate);
	return rc;
}

/* 304 when If-None-Match names the current version. */
static int not_modified(http_req *req, long long version)
{
	char etag[40];
	snprintf(etag, sizeof etag, "\"%lld\"", version);
	const char *inm = http_header(req, "If-None-Match");
	if (!inm || !(!strcmp(inm, etag) || (!strncmp(inm, "W/", 2) && !strcmp(inm + 2, etag))))
		return 0;
	char hdr[80];
	snprintf(hdr, sizeof hdr, "ETag: %s\r\n", etag);
	http_reply_raw(req, 304, NULL, "", 0, hdr);
	return 1;
}

static void reply_profile(http_req *req, const char *body, size_t len, long long version)
{
	char hdr[96];
	snprintf(hdr, sizeof hdr, "Cache-Control: no-cache\r\nETag: \"%lld\"\r\n", version);
	http_reply_raw(req, 200, "application/json; charset=utf-8", body, len, hdr);
}


/* Former names (oldest first), as the array value w is due. 0 or a DB_ code. */
static int former_names(db_conn *c, const char *uscc, jw *w)
{
	db_res *r;
	int rc = db_query(c,
	                  "SELECT name, from_date, to_date FROM org_names WHERE uscc = ? AND to_date IS NOT NULL "
	                  "ORDER BY from_date, id LIMIT 100",
	                  DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	jw_arr(w);
	for (int i = 0; i < r->nrows; i++) {
		jw_obj(w);
		jw_kstr(w, "name", db_val(r, i, 0));
		jw_kstr(w, "from", db_val(r, i, 1));
		jw_kstr(w, "to", db_val(r, i, 2));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	db_res_free(r);
	return 0;
}

void orgs_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc(req, uscc) < 0)
		return;
	/* Public profiles are read far more than they change: answered from the cache when it
	 * holds the current rendering (see server/cache.h for why it cannot be stale). */
	char *cached;
	size_t cached_len;
	long long cached_version;
	if (cache_get(uscc, &cached, &cached_len, &cached_version)) {
		if (!not_modified(req, cached_version))
			reply_profile(req, cached, cached_len, cached_version);
		free(cached);
		return;
	}
	uint64_t gen = cache_generation();
	db_conn *c = api_db(req);
	if (!c)
		return;
	gate_enter();
	db_res *r;
	int rc = db_query(c,
	                  "SELECT " ITEM_COLS ", o.business_scope, o.deregistered_at, o.activity_area, o.funds_fen "
	                  "FROM orgs o WHERE o.uscc = ?",
	                  DBP(DBS(uscc)), &r);
	if (rc) {
		gate_leave();
		http_problem_db(req, rc);
		return;
	}
	if (r->nrows != 1) {
		gate_leave();
		db_res_free(r);
		http_problem(req, 404, "not_found", "there is no organization with this code");
		return;
	}
	long long version = db_int(r, 0, C_VERSION);
	jw w;
	jw_init(&w, PROFILE_MAX);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_obj(&w);
	org_fields(&w, r, 0);
	jw_kstr(&w, "business_scope", db_val(r, 0, ITEM_NCOLS));
	jw_kstr(&w, "deregistered_at", db_val(r, 0, ITEM_NCOLS + 1));
	/* 活动地域 and 注册资金 are printed on a registration certificate: public. */
	jw_kstr(&w, "activity_area", db_val(r, 0, ITEM_NCOLS + 2));
	jw_key(&w, "funds_fen");
	if (db_val(r, 0, ITEM_NCOLS + 3))
		jw_int(&w, db_int(r, 0, ITEM_NCOLS + 3));
	else
		jw_null(&w);
	db_res_free(r);
	jw_key(&w, "former_names");
	/* A former name comes only from an approved change, and every change versions the
	 * organization: at version 1 there is none to look for. */
	if (version > 1) {
		rc = former_names(c, uscc, &w);
	} else {
		jw_arr(&w);
		jw_arr_end(&w);
	}
	gate_leave();
	if (rc) {
		jw_free(&w);
		http_problem_db(req, rc);
		return;
	}
	/* Current credit-list entries; the credit module fills them. */
	jw_key(&w, "lists");
	jw_arr(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	size_t len;
	char *body = jw_take(&w, &len);
	if (!body) {
		http_problem(req, 500, "internal", "the answer could not be encoded");
		return;
	}
	cache_put(uscc, gen, body, len, version);
	if (!not_modified(req, version))
		reply_profile(req, body, len, version);
	free(body);
}

/* --- history ---------------------------------------------------------------------- */

/* Removes every "id_number" member, at any depth: a change of legal representative may carry
 * one in the stored change record, and the register never shows it. */
static void scrub_id_numbers(cJSON *v)
{
	if (!v)
		return;
	if (cJSON_IsObject(v))
		cJSON_DeleteItemFromObjectCaseSensitive(v, "id_number");
	cJSON *it;
	cJSON_ArrayForEach(it, v)
		scrub_id_numbers(it);
}

static cJSON *public_changes(const char *text)
{
	cJSON *ch = text ? cJSON_Parse(text) : NULL;
	if (!cJSON_IsArray(ch)) {
		cJSON_Delete(ch);
		return cJSON_CreateArray();
	}
	/* Drop whole entries about an ID number ("legal_representative.id_number"). */
	for (int i = cJSON_GetArraySize(ch) - 1; i >= 0; i--) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ch, i), "field");
		if (cJSON_IsString(f) && strstr(f->valuestring, "id_number"))
			cJSON_DeleteItemFromArray(ch, i);
	}
	scrub_id_numbers(ch);
	return ch;
}

/* One history event: its type, when, the effective date, the reason, and for changes the
 * public [{field, old, new}] (never the legal representative's ID number). */
static cJSON *event_json(const db_res *r, int i)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "type", db_val(r, i, 1));
	api_add_time(e, "at", db_val(r, i, 2));
	json_add_str_or_null(e, "effective_date", db_val(r, i, 3));
	json_add_str_or_null(e, "reason", db_val(r, i, 4));
	cJSON_AddItemToObject(e, "changes", public_changes(db_val(r, i, 5)));
	return e;
}

static void history_run(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc(req, uscc) < 0)
		return;
	int limit;
	long long after;
	if (http_page_num(req, &limit, &after, 0) < 0)
		return;
	db_conn *c = api_db(req);
	if (!c)
		return;
	db_res *r;
	int rc = db_query(c, "SELECT 1 FROM orgs WHERE uscc = ?", DBP(DBS(uscc)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	int found = r->nrows == 1;
	db_res_free(r);
	if (!found) {
		http_problem(req, 404, "not_found", "there is no organization with this code");
		return;
	}
	rc = db_query(c,
	              "SELECT id, type, at, effective_date, reason, changes FROM org_events WHERE uscc = ? AND id > ? "
	              "ORDER BY id LIMIT ?",
	              DBP(DBS(uscc), DBI(after), DBI(limit + 1)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	http_reply_rows(req, r, limit, event_json, 0);
	db_res_free(r);
}

/* --- search ----------------------------------------------------------------------- */

#define Q_MAX_CHARS 100
#define GRAM_PROBES 6

typedef struct search_filters {
	const char *legal_form, *category, *status, *grade;
	char region_lo[7], region_hi[7];
} search_filters;

/* The filter conditions; their parameters come from filter_params(). */
#define FILTERS                                                                                        \
	" AND (? = '' OR o.legal_form = ?) AND (? = '' OR o.category = ?) AND (? = '' OR o.region_code "  \
	"BETWEEN ? AND ?) AND (? = '' OR o.status = ?) AND (? = '' OR o.grade = ?)"
#define NFILTER_PARAMS 11

static void filter_params(const search_filters *f, db_param *p)
{
	p[0] = p[1] = DBS(f->legal_form);
	p[2] = p[3] = DBS(f->category);
	p[4] = p[5] = DBS(f->region_lo);
	p[6] = DBS(f->region_hi);
	p[7] = p[8] = DBS(f->status);
	p[9] = p[10] = DBS(f->grade);
}

/* Exact matches (a name, current or former, or the USCC equal to q) are shown first; the other
 * streams leave them out. org_names holds every name an organization has had, the current one
 * included (to_date NULL). */
#define NOT_EXACT " AND o.uscc <> ? AND NOT EXISTS (SELECT 1 FROM org_names x WHERE x.uscc = o.uscc AND x.name = ?)"

#define NAME_MATCH                                                                                       \
	" AND (o.name LIKE ? ESCAPE '!' OR EXISTS (SELECT 1 FROM org_names n WHERE n.uscc = o.uscc AND "   \
	"n.name LIKE ? ESCAPE '!'))"

#define GRAM_JOIN(k) " STRAIGHT_JOIN org_name_grams g" #k " ON g" #k ".gram = ? AND g" #k ".uscc = g.uscc"

#define NAME_HEAD "SELECT STRAIGHT_JOIN " ITEM_COLS " FROM org_name_grams g"
#define NAME_TAIL " STRAIGHT_JOIN orgs o ON o.uscc = g.uscc WHERE g.gram = ? AND g.uscc > ?" FILTERS NAME_MATCH
#define NAME_END " ORDER BY g.uscc LIMIT ?"

/* Name streams by number of intersected grams (0..2) and whether exact matches are left out:
 * a fixed set of statements, prepared once per connection. */
static const char *const name_sql[3][2] = {
	{ NAME_HEAD NAME_TAIL NAME_END, NAME_HEAD NAME_TAIL NOT_EXACT NAME_END },
	{ NAME_HEAD GRAM_JOIN(1) NAME_TAIL NAME_END, NAME_HEAD GRAM_JOIN(1) NAME_TAIL NOT_EXACT NAME_END },
	{ NAME_HEAD GRAM_JOIN(1) GRAM_JOIN(2) NAME_TAIL NAME_END,
	  NAME_HEAD GRAM_JOIN(1) GRAM_JOIN(2) NAME_TAIL NOT_EXACT NAME_END },
};

static const char *const prefix_sql[2] = {
	"SELECT " ITEM_COLS " FROM orgs o WHERE o.uscc LIKE ? AND o.uscc > ?" FILTERS " ORDER BY o.uscc LIMIT ?",
	"SELECT " ITEM_COLS " FROM orgs o WHERE o.uscc LIKE ? AND o.uscc > ?" FILTERS NOT_EXACT
	" ORDER BY o.uscc LIMIT ?",
};

/* The name stream driven by the region filter instead, when the region has fewer organizations
 * than the rarest gram of q has rows (养老 in 海盐县); the rarest gram and the name confirm. */
#define REGION_HEAD                                                                                   \
	"SELECT " ITEM_COLS " FROM orgs o FORCE INDEX (orgs_region) WHERE o.region_code BETWEEN ? AND ? " \
	"AND o.uscc > ?" FILTERS " AND EXISTS (SELECT 1 FROM org_name_grams g WHERE g.gram = ? AND g.uscc = o.uscc)" \
	NAME_MATCH
static const char *const region_sql[2] = {
	REGION_HEAD " ORDER BY o.uscc LIMIT ?",
	REGION_HEAD NOT_EXACT " ORDER BY o.uscc LIMIT ?",
};
#define REGION_SORT_MAX 20000
#define REGION_EST_SQL "EXPLAIN SELECT 1 FROM orgs FORCE INDEX (orgs_region) WHERE region_code BETWEEN ? AND ?"

/* Exact matches by name: a semi-join, so an organization that took a name twice comes once. */
#define EXACT_NAME_SQL                                                                                 \
	"SELECT " ITEM_COLS " FROM orgs o WHERE o.uscc IN (SELECT n.uscc FROM org_names n WHERE n.name = ?) " \
	"AND o.uscc > ?" FILTERS " ORDER BY o.uscc LIMIT ?"
#define EXACT_PROBE_SQL "SELECT 1 FROM org_names WHERE name = ? LIMIT 1"
/* And by code, when q can be one. */
#define EXACT_USCC_SQL "SELECT " ITEM_COLS " FROM orgs o WHERE o.uscc = ? AND o.uscc > ?" FILTERS " LIMIT ?"

#define BROWSE_SQL "SELECT " ITEM_COLS " FROM orgs o WHERE o.uscc > ?" FILTERS " ORDER BY o.uscc LIMIT ?"

/* The optimizer's estimate of each gram's rows (index dives on the primary key): a cheap way to
 * find the rarest gram of q, accurate for rare grams, within a small factor for common ones. */
#define EST_ONE "SELECT 1 FROM org_name_grams WHERE gram = ?"
#define EST_SQL "EXPLAIN " EST_ONE " UNION ALL " EST_ONE " UNION ALL " EST_ONE " UNION ALL " EST_ONE \
	" UNION ALL " EST_ONE " UNION ALL " EST_ONE

typedef struct search {
	http_req *req;
	db_conn *c;
	search_filters f;
	char q[4 * Q_MAX_CHARS + 1];     /* trimmed query, as typed */
	char q_upper[4 * Q_MAX_CHARS + 1]; /* the same upper-cased when alphanumeric: USCC comparisons */
	char like[8 * Q_MAX_CHARS + 3];  /* %q% with ! % _ escaped by ! */
	char prefix[USCC_LEN + 2];       /* Q% for the USCC-prefix stream, or "" */
	int has_names;                   /* q has two or more characters: the name stream runs */
	char drive[3][ORGS_GRAM_SIZE];   /* rarest gram first */
	int ndrive;                      /* 0: no name can match */
	long long drive_rows;            /* the rarest gram's estimated rows */
	int by_region;                   /* the region filter is rarer than any gram: it drives */
} search;

/* Runs one stream statement: the common parameters are (stream params…, after, filters…, [not
 * exact…], limit). Returns the rows or NULL after answering. */
static db_res *run_stream(search *s, const char *sql, const db_param *head, int nhead, const char *after,
                          const db_param *tail, int ntail, int limit)
{
	db_param p[32];
	int k = 0;
	for (int i = 0; i < nhead; i++)
		p[k++] = head[i];
	p[k++] = DBS(after);
	filter_params(&s->f, p + k);
	k += NFILTER_PARAMS;
	for (int i = 0; i < ntail; i++)
		p[k++] = tail[i];
	p[k++] = DBI(limit);
	db_res *r;
	int rc = db_query(s->c, sql, p, k, &r);
	if (rc) {
		http_problem_db(s->req, rc);
		return NULL;
	}
	return r;
}

/* Row estimates of grams, kept a while: a hint for choosing the driving gram, never an answer,
 * so a stale or lost entry costs at most a slower plan. A small direct-mapped table. */
#define EST_SLOTS 4096
#define EST_TTL (10 * 60 * USEC_PER_SEC)

typedef struct gram_est {
	char gram[ORGS_GRAM_SIZE];
	long long rows;
	usec_t at;
} gram_est;

static gram_est est_cache[EST_SLOTS];
static pthread_mutex_t est_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned est_slot(const char *g)
{
	unsigned h = 2166136261u;
	for (; *g; g++)
		h = (h ^ (unsigned char)*g) * 16777619u;
	return h % EST_SLOTS;
}

static int est_get(const char *g, long long *rows, usec_t now)
{
	pthread_mutex_lock(&est_mu);
	const gram_est *e = &est_cache[est_slot(g)];
	int hit = e->at && now - e->at < EST_TTL && !strcmp(e->gram, g);
	if (hit)
		*rows = e->rows;
	pthread_mutex_unlock(&est_mu);
	return hit;
}

static void est_put(const char *g, long long rows, usec_t now)
{
	pthread_mutex_lock(&est_mu);
	gram_est *e = &est_cache[est_slot(g)];
	memcpy(e->gram, g, ORGS_GRAM_SIZE);
	e->rows = rows;
	e->at = now;
	pthread_mutex_unlock(&est_mu);
}

/* Chooses the driving gram: the rows of up to GRAM_PROBES grams of q spread over it (estimated by
 * the optimizer, remembered a while), drives from the rarest and intersects the next one (a
 * primary-key lookup, cheaper than fetching an organization only to find that its name does not
 * match). Only one: every candidate pays for each intersection, and measured at 1,000,000
 * organizations a second one cost more (0.7 against 0.4 ms a page) than the false candidates it
 * spared, which the LIKE on the name confirms anyway. */
static int choose_grams(search *s)
{
	char grams[Q_MAX_CHARS][ORGS_GRAM_SIZE];
	int n = orgs_grams(s->q, grams, Q_MAX_CHARS);
	s->ndrive = 0;
	if (n <= 0)
		return 0;
	int pick[GRAM_PROBES], np = 0;
	if (n <= GRAM_PROBES) {
		for (int i = 0; i < n; i++)
			pick[np++] = i;
	} else {
		for (int i = 0; i < GRAM_PROBES; i++)
			pick[np++] = (int)((long)i * (n - 1) / (GRAM_PROBES - 1));
	}
	long long est[GRAM_PROBES] = { 0 };
	if (np > 1) {
		usec_t now = clock_now();
		int miss[GRAM_PROBES], nmiss = 0;
		for (int i = 0; i < np; i++)
			if (!est_get(grams[pick[i]], &est[i], now))
				miss[nmiss++] = i;
		if (nmiss) {
			db_param p[GRAM_PROBES];
			for (int i = 0; i < GRAM_PROBES; i++)
				p[i] = DBS(grams[pick[miss[i < nmiss ? i : 0]]]);
			db_res *r;
			int rc = db_query(s->c, EST_SQL, p, GRAM_PROBES, &r);
			if (rc) {
				http_problem_db(s->req, rc);
				return -1;
			}
			/* EXPLAIN: id (1..), …, rows (column 8). */
			for (int i = 0; i < r->nrows; i++) {
				long long id = db_isnull(r, i, 0) ? 0 : db_int(r, i, 0);
				if (id >= 1 && id <= nmiss && r->ncols > 8 && !db_isnull(r, i, 8)) {
					est[miss[id - 1]] = db_int(r, i, 8);
					est_put(grams[pick[miss[id - 1]]], est[miss[id - 1]], now);
				}
			}
			db_res_free(r);
		}
	}
	for (int i = 0; i < np; i++)
		for (int j = i + 1; j < np; j++)
			if (est[j] < est[i]) {
				long long te = est[i];
				est[i] = est[j];
				est[j] = te;
				int tp = pick[i];
				pick[i] = pick[j];
				pick[j] = tp;
			}
	for (int i = 0; i < np && s->ndrive < 2; i++)
		memcpy(s->drive[s->ndrive++], grams[pick[i]], ORGS_GRAM_SIZE);
	s->drive_rows = np > 1 ? est[0] : -1;
	return 0;
}

/* Whether the region filter should drive the name stream: its estimated organizations against
 * the rarest gram's rows (both remembered a while). */
static int choose_region(search *s)
{
	s->by_region = 0;
	if (!*s->f.region_lo || !s->ndrive)
		return 0;
	int county = !strcmp(s->f.region_lo, s->f.region_hi);
	usec_t now = clock_now();
	long long gram_rows = s->drive_rows, region_rows = -1;
	char key[ORGS_GRAM_SIZE] = "R";
	memcpy(key + 1, s->f.region_lo, 7);
	int need_gram = gram_rows < 0 && !est_get(s->drive[0], &gram_rows, now);
	int need_region = !est_get(key, &region_rows, now);
	if (need_gram || need_region) {
		/* One round trip for what is not known yet: the region (id 1), the gram (id 2). */
		db_param p[3] = { DBS(s->f.region_lo), DBS(s->f.region_hi), DBS(s->drive[0]) };
		db_res *r;
		int rc = db_query(s->c, REGION_EST_SQL " UNION ALL " EST_ONE, p, 3, &r);
		if (rc) {
			http_problem_db(s->req, rc);
			return -1;
		}
		for (int i = 0; i < r->nrows; i++) {
			long long id = db_isnull(r, i, 0) ? 0 : db_int(r, i, 0);
			long long rows = r->ncols > 8 && !db_isnull(r, i, 8) ? db_int(r, i, 8) : -1;
			if (rows < 0)
				continue;
			if (id == 1 && need_region)
				est_put(key, region_rows = rows, now);
			else if (id == 2 && need_gram)
				est_put(s->drive[0], gram_rows = rows, now);
		}
		db_res_free(r);
	}
	/* A county's index entries are in USCC order, so its scan stops at the page's end; a
	 * prefecture or province is a range sorted whole, worth it only while it is small. */
	s->by_region = gram_rows >= 0 && region_rows >= 0 && region_rows < gram_rows &&
	               (county || region_rows <= REGION_SORT_MAX);
	return 0;
}

/* Merges two result sets sorted by USCC (either may be NULL) into items, each organization once:
 * at most want of them, *more set when rows remain, last the USCC of the last one given. Frees
 * both. Returns how many were given. */
static int merge_rows(db_res *a, db_res *b, int want, int exact, jw *items, int *more, char *last)
{
	int ia = 0, ib = 0, na = a ? a->nrows : 0, nb = b ? b->nrows : 0, got = 0;
	*more = 0;
	while (ia < na || ib < nb) {
		const db_res *from;
		int row;
		int cmp = ia >= na ? 1 : ib >= nb ? -1 : strcmp(db_val(a, ia, C_USCC), db_val(b, ib, C_USCC));
		if (cmp <= 0) {
			from = a;
			row = ia++;
			if (cmp == 0)
				ib++;
		} else {
			from = b;
			row = ib++;
		}
		if (got == want) {
			*more = 1;
			break;
		}
		jw_obj(items);
		org_fields(items, from, row);
		jw_key(items, "exact");
		jw_bool(items, exact);
		jw_obj_end(items);
		snprintf(last, USCC_LEN + 1, "%s", db_val(from, row, C_USCC));
		got++;
	}
	db_res_free(a);
	db_res_free(b);
	return got;
}

/* The exact matches after after: up to want into items. -1 after answering. */
static int exact_page(search *s, const char *after, int want, jw *items, int *more, char *last)
{
	db_param head[1] = { DBS(s->q) };
	db_res *a = NULL, *b = NULL;
	/* Most searches are parts of names and equal none: one index lookup tells, and the
	 * semi-join runs only when there is something for it to find. */
	int rc = db_query(s->c, EXACT_PROBE_SQL, head, 1, &a);
	if (rc) {
		http_problem_db(s->req, rc);
		return -1;
	}
	int named = a->nrows > 0;
	db_res_free(a);
	a = NULL;
	if (named && !(a = run_stream(s, EXACT_NAME_SQL, head, 1, after, NULL, 0, want + 1)))
		return -1;
	if (strlen(s->q_upper) == USCC_LEN) {
		db_param code[1] = { DBS(s->q_upper) };
		b = run_stream(s, EXACT_USCC_SQL, code, 1, after, NULL, 0, 1);
		if (!b) {
			db_res_free(a);
			return -1;
		}
	}
	return merge_rows(a, b, want, 1, items, more, last);
}

/* The rest phase: the name stream and the USCC-prefix stream, each already in USCC order, merged.
 * Returns up to want rows into items (with exact=false); *more set when rows remain after them;
 * last receives the USCC of the last row given. -1 after answering. */
static int rest_page(search *s, const char *after, int not_exact, int want, jw *items, int *more, char *last)
{
	db_res *a = NULL, *b = NULL;
	db_param nx[2] = { DBS(s->q_upper), DBS(s->q) };
	if (s->has_names && s->ndrive > 0) {
		/* The gram-join parameters come before the driver's in the text: g1, g2 then g. */
		db_param ordered[3];
		int k = 0;
		for (int i = 1; i < s->ndrive; i++)
			ordered[k++] = DBS(s->drive[i]);
		ordered[k++] = DBS(s->drive[0]);
		/* FILTERS come before NAME_MATCH in the text, so the LIKE parameters follow the filters. */
		db_param tail[4];
		int nt = 0;
		tail[nt++] = DBS(s->like);
		tail[nt++] = DBS(s->like);
		if (not_exact) {
			tail[nt++] = nx[0];
			tail[nt++] = nx[1];
		}
		if (s->by_region) {
			db_param head[2] = { DBS(s->f.region_lo), DBS(s->f.region_hi) };
			db_param rt[5];
			int nr = 0;
			rt[nr++] = DBS(s->drive[0]);
			for (int i = 0; i < nt; i++)
				rt[nr++] = tail[i];
			a = run_stream(s, region_sql[not_exact], head, 2, after, rt, nr, want + 1);
		} else {
			a = run_stream(s, name_sql[s->ndrive - 1][not_exact], ordered, k, after, tail, nt, want + 1);
		}
		if (!a)
			return -1;
	}
	if (*s->prefix) {
		db_param head[1] = { DBS(s->prefix) };
		b = run_stream(s, prefix_sql[not_exact], head, 1, after, nx, not_exact ? 2 : 0, want + 1);
		if (!b) {
			db_res_free(a);
			return -1;
		}
	}
	return merge_rows(a, b, want, 0, items, more, last);
}

/* Parses and validates the filters; answers 400 and returns -1 on a bad one. */
static int parse_filters(http_req *req, search_filters *f, char *lf, char *cat, char *st, char *gr)
{
	static const char *const statuses[] = { "registered", "deregistered", NULL };
	static const char *const grades[] = { "1A", "2A", "3A", "4A", "5A", NULL };
	struct {
		const char *name;
		char *buf;
		const char *const *choices;
		const char *code;
	} enums[] = {
		{ "legal_form", lf, registry_legal_forms, "invalid_legal_form" },
		{ "category", cat, registry_categories, "invalid_category" },
		{ "status", st, statuses, "invalid_status" },
		{ "grade", gr, grades, "invalid_grade" },
	};
	for (size_t e = 0; e < sizeof enums / sizeof enums[0]; e++) {
		int r = http_query(req, enums[e].name, enums[e].buf, 40);
		if (r == 0 || (r == 1 && !*enums[e].buf)) {
			enums[e].buf[0] = 0;
			continue;
		}
		int ok = 0;
		for (int i = 0; r == 1 && enums[e].choices[i]; i++)
			ok |= !strcmp(enums[e].choices[i], enums[e].buf);
		if (!ok) {
			char list[200] = "";
			for (int i = 0; enums[e].choices[i]; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
				         enums[e].choices[i]);
			http_problem(req, 400, enums[e].code, "%s must be one of %s", enums[e].name, list);
			return -1;
		}
	}
	f->legal_form = lf;
	f->category = cat;
	f->status = st;
	f->grade = gr;
	char rcode[16];
	int r = http_query(req, "region", rcode, sizeof rcode);
	f->region_lo[0] = f->region_hi[0] = 0;
	if (r < 0 || (r == 1 && *rcode && (strlen(rcode) != 6 || strspn(rcode, "0123456789") != 6))) {
		http_problem(req, 400, "invalid_region", "region must be a 6-digit GB/T 2260 code");
		return -1;
	}
	if (r == 1 && *rcode) {
		const region *reg = region_find(rcode);
		if (!reg) {
			http_problem(req, 400, "unknown_region", "region %s is not a current GB/T 2260 region", rcode);
			return -1;
		}
		/* A region covers the regions under it: 330000 all of Zhejiang, 330400 all of Jiaxing. */
		memcpy(f->region_lo, rcode, 7);
		memcpy(f->region_hi, rcode, 7);
		if (region_level(reg) == REGION_PROVINCE)
			memcpy(f->region_hi + 2, "9999", 4);
		else if (region_level(reg) == REGION_PREFECTURE)
			memcpy(f->region_hi + 4, "99", 2);
	}
	return 0;
}

static int is_alnum_ascii(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
			return 0;
	return 1;
}

/* Cursor: "x<uscc>" inside the exact matches, "r<flag><uscc>" in the rest (flag 1: exact matches
 * exist and are left out), "r<flag>" at the start of the rest. */
static void search_run(http_req *req)
{
	int limit;
	char cursor[64];
	if (http_page(req, &limit, cursor, sizeof cursor) < 0)
		return;
	search s;
	memset(&s, 0, sizeof s);
	s.req = req;
	char lf[40], cat[40], st[40], gr[40];
	if (parse_filters(req, &s.f, lf, cat, st, gr) < 0)
		return;

	char raw[4 * Q_MAX_CHARS + 64];
	int qr = http_query(req, "q", raw, sizeof raw);
	if (qr == -2) {
		http_problem(req, 400, "invalid_q", "q contains a control character");
		return;
	}
	if (qr < 0) {
		http_problem(req, 422, "q_too_long", "q must have at most %d characters", Q_MAX_CHARS);
		return;
	}
	if (qr == 0)
		raw[0] = 0;
	if (!json_utf8_valid(raw, strlen(raw))) {
		http_problem(req, 400, "invalid_q", "q is not valid UTF-8");
		return;
	}
	/* Blanks around q, ASCII or the ideographic space U+3000, are not part of it. */
	char *q = json_trim(raw);
	size_t ql = strlen(q);
	size_t qchars = json_utf8_len(q);
	if (qchars > Q_MAX_CHARS) {
		http_problem(req, 422, "q_too_long", "q must have at most %d characters", Q_MAX_CHARS);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)q; *p; p++)
		if (*p < 0x20 || *p == 0x7F) {
			http_problem(req, 400, "invalid_q", "q contains a control character");
			return;
		}
	int alnum = *q && is_alnum_ascii(q);
	if (qchars == 1 && !alnum) {
		http_problem(req, 422, "q_too_short",
		             "give at least 2 characters to search names (one letter or digit searches USCC prefixes)");
		return;
	}
	memcpy(s.q, q, ql + 1);

	/* Cursor phase. */
	char phase = 'x';
	int not_exact = 0;
	const char *after = "";
	if (*cursor) {
		const char *k = cursor;
		if (k[0] == 'x' && strlen(k + 1) == USCC_LEN) {
			phase = 'x';
			after = k + 1;
		} else if (k[0] == 'r' && (k[1] == '0' || k[1] == '1') && (!k[2] || strlen(k + 2) == USCC_LEN)) {
			phase = 'r';
			not_exact = k[1] == '1';
			after = k + 2;
		} else {
			http_problem(req, 400, "invalid_cursor", "cursor is not one this server handed out");
			return;
		}
		char check[USCC_LEN + 1];
		if (*after && (uscc_param(after, check) < 0 || strcmp(check, after))) {
			http_problem(req, 400, "invalid_cursor", "cursor is not one this server handed out");
			return;
		}
	}

	s.c = api_db(req);
	if (!s.c)
		return;
	jw items;
	http_list_begin(&items);
	char next[96] = "";
	char last[USCC_LEN + 1] = "";

	if (!*s.q) {
		/* No q: browse the register by the filters, in USCC order. */
		if (*cursor && phase != 'r') {
			jw_free(&items);
			http_problem(req, 400, "invalid_cursor", "cursor is not one this server handed out");
			return;
		}
		db_res *r = run_stream(&s, BROWSE_SQL, NULL, 0, after, NULL, 0, limit + 1);
		if (!r) {
			jw_free(&items);
			return;
		}
		org_items(&items, r, limit);
		if (r->nrows > limit) {
			char key[USCC_LEN + 4];
			snprintf(key, sizeof key, "r0%s", db_val(r, limit - 1, C_USCC));
			http_cursor_encode(key, next, sizeof next);
		}
		db_res_free(r);
		http_reply_list_jw(req, &items, *next ? next : NULL);
		return;
	}

	/* Names keep their case; USCCs are compared upper-cased. */
	memcpy(s.q_upper, s.q, sizeof s.q_upper);
	/* Only letters and digits can be (part of) a USCC, and the ascii column takes nothing else. */
	if (!alnum)
		s.q_upper[0] = 0;
	if (alnum) {
		for (char *p = s.q_upper; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		if (qchars <= USCC_LEN) {
			memcpy(s.prefix, s.q_upper, qchars);
			s.prefix[qchars] = '%';
			s.prefix[qchars + 1] = 0;
		}
	}
	s.has_names = qchars >= 2;
	{
		char *o = s.like;
		*o++ = '%';
		for (const char *p = q; *p; p++) {
			if (*p == '!' || *p == '%' || *p == '_')
				*o++ = '!';
			*o++ = *p;
		}
		*o++ = '%';
		*o = 0;
	}
	if (s.has_names && (choose_grams(&s) < 0 || choose_region(&s) < 0)) {
		jw_free(&items);
		return;
	}
	int got = 0;
	if (phase == 'x') {
		int more_exact = 0;
		got = exact_page(&s, after, limit, &items, &more_exact, last);
		if (got < 0) {
			jw_free(&items);
			return;
		}
		if (more_exact) {
			char key[USCC_LEN + 4];
			snprintf(key, sizeof key, "x%s", last);
			http_cursor_encode(key, next, sizeof next);
			http_reply_list_jw(req, &items, next);
			return;
		}
		/* Exact matches on an earlier page also count: any exact match means leaving them out. */
		not_exact = got > 0 || *after;
		after = "";
	}
	int more = 0;
	int want = limit - got;
	if (want == 0) {
		/* The page is full of exact matches: is there anything after them? */
		jw probe;
		jw_init(&probe, 1u << 20);
		int n = rest_page(&s, "", not_exact, 1, &probe, &more, last);
		jw_free(&probe);
		if (n < 0) {
			jw_free(&items);
			return;
		}
		if (n > 0) {
			char key[8];
			snprintf(key, sizeof key, "r%d", not_exact);
			http_cursor_encode(key, next, sizeof next);
		}
		http_reply_list_jw(req, &items, *next ? next : NULL);
		return;
	}
	int n = rest_page(&s, after, not_exact, want, &items, &more, last);
	if (n < 0) {
		jw_free(&items);
		return;
	}
	if (more) {
		char key[USCC_LEN + 4];
		snprintf(key, sizeof key, "r%d%s", not_exact, last);
		http_cursor_encode(key, next, sizeof next);
	}
	http_reply_list_jw(req, &items, *next ? next : NULL);
}

void orgs_history(http_req *req)
{
	gate_enter();
	history_run(req);
	gate_leave();
}

void orgs_search(http_req *req)
{
	gate_enter();
	search_run(req);
	gate_leave();
}

/* --- the applicant's own ------------------------------------------------------------- */

/* GET /api/v1/me/orgs: the organizations the signed-in applicant acts for (approved from its
 * applications), in USCC order; what it may file changes, deregistrations and reports for. */
static void orgs_mine(http_req *req)
{
	int limit;
	char after[USCC_LEN + 2];
	if (http_page(req, &limit, after, sizeof after) < 0)
		return;
	char check[USCC_LEN + 1];
	if (*after && (uscc_param(after, check) < 0 || strcmp(check, after))) {
		http_problem(req, 400, "invalid_cursor", "cursor is not one this server handed out");
		return;
	}
	db_conn *c = api_db(req);
	if (!c)
		return;
	db_res *r;
	int rc = db_query(c, "SELECT " ITEM_COLS " FROM orgs o WHERE o.owner_user_id = ? AND o.uscc > ? ORDER BY o.uscc LIMIT ?",
	                  DBP(DBI(req->user.id), DBS(after), DBI(limit + 1)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	jw items;
	http_list_begin(&items);
	org_items(&items, r, limit);
	char next[64] = "";
	if (r->nrows > limit)
		http_cursor_encode(db_val(r, limit - 1, C_USCC), next, sizeof next);
	db_res_free(r);
	http_reply_list_jw(req, &items, *next ? next : NULL);
}

/* PUT /api/v1/orgs/{uscc}/owner {"user_id": N | null} (registrar): the applicant account that acts
 * for an organization. Approval makes the applicant who applied its owner; an organization
 * imported from before this system has none until a registrar, having checked who the account
 * belongs to (as for any filing), binds one; staff change, and a registrar moves it. Without an
 * owner nobody can file its changes, its deregistration or its annual reports. */
typedef struct owner_tx {
	http_req *req;
	const char *uscc;
	long long user_id;  /* 0: none */
	const char *username; /* instead of user_id: the account's login, as the organization's staff give it */
	long long was;
} owner_tx;

static int owner_run(db_conn *c, void *arg)
{
	owner_tx *t = arg;
	db_res *r;
	int rc = db_query(c, "SELECT owner_user_id, status FROM orgs WHERE uscc = ? FOR UPDATE", DBP(DBS(t->uscc)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		http_problem(t->req, 404, "not_found", "there is no organization with this code");
		return DB_APP;
	}
	t->was = db_isnull(r, 0, 0) ? 0 : db_int(r, 0, 0);
	int registered = !strcmp(db_val(r, 0, 1), "registered");
	db_res_free(r);
	if (!registered) {
		http_problem(t->req, 409, "org_not_registered", "%s is deregistered; nobody acts for it any more", t->uscc);
		return DB_APP;
	}
	if (t->username) {
		if ((rc = db_query(c, "SELECT id FROM users WHERE username = ?", DBP(DBS(t->username)), &r)))
			return rc;
		t->user_id = r->nrows == 1 ? db_int(r, 0, 0) : -1;
		db_res_free(r);
	}
	if (t->user_id) {
		if ((rc = db_query(c, "SELECT role, disabled FROM users WHERE id = ?", DBP(DBI(t->user_id)), &r)))
			return rc;
		const char *why = r->nrows != 1                         ? "there is no such user"
		                  : strcmp(db_val(r, 0, 0), "applicant") ? "only an applicant account acts for an organization"
		                  : db_int(r, 0, 1)                      ? "the account is disabled"
		                                                         : NULL;
		db_res_free(r);
		if (why) {
			verr v = { 0 };
			verr_add(&v, t->username ? "username" : "user_id", "invalid_owner", "%s", why);
			http_problem_fields(t->req, 422, "validation_failed", "the owner is not valid", &v);
			return DB_APP;
		}
	}
	char now[32];
	clock_fmt_db(clock_now(), now);
	rc = db_exec(c, "UPDATE orgs SET owner_user_id = ?, updated_at = ? WHERE uscc = ?",
	             DBP(t->user_id ? DBI(t->user_id) : DBNULL, DBS(now), DBS(t->uscc)), NULL, NULL);
	if (rc)
		return rc;
	cJSON *sum = cJSON_CreateObject();
	if (t->was)
		cJSON_AddNumberToObject(sum, "from_user_id", (double)t->was);
	else
		cJSON_AddNullToObject(sum, "from_user_id");
	if (t->user_id)
		cJSON_AddNumberToObject(sum, "to_user_id", (double)t->user_id);
	else
		cJSON_AddNullToObject(sum, "to_user_id");
	rc = audit_append(c, &t->req->user, "org.owner", "org", t->uscc, sum);
	cJSON_Delete(sum);
	return rc;
}

/* {uscc, owner_user_id, owner: {id, username, display_name} | null} — for registrars only. */
static void owner_reply(http_req *req, const char *uscc)
{
	db_conn *c = api_db(req);
	if (!c)
		return;
	db_res *r;
	int rc = db_query(c,
	                  "SELECT o.owner_user_id, u.username, u.display_name, u.disabled FROM orgs o "
	                  "LEFT JOIN users u ON u.id = o.owner_user_id WHERE o.uscc = ?",
	                  DBP(DBS(uscc)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	if (r->nrows != 1) {
		db_res_free(r);
		http_problem(req, 404, "not_found", "there is no organization with this code");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "uscc", uscc);
	if (db_isnull(r, 0, 0)) {
		cJSON_AddNullToObject(o, "owner_user_id");
		cJSON_AddNullToObject(o, "owner");
	} else {
		cJSON_AddNumberToObject(o, "owner_user_id", (double)db_int(r, 0, 0));
		cJSON *u = cJSON_AddObjectToObject(o, "owner");
		cJSON_AddNumberToObject(u, "id", (double)db_int(r, 0, 0));
		json_add_str_or_null(u, "username", db_val(r, 0, 1));
		json_add_str_or_null(u, "display_name", db_val(r, 0, 2));
		cJSON_AddBoolToObject(u, "disabled", db_int(r, 0, 3) != 0);
	}
	db_res_free(r);
	http_reply_data(req, 200, o, 0);
}

static void orgs_owner_put(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc(req, uscc) < 0)
		return;
	owner_tx t = { req, uscc, 0, NULL, 0 };
	verr v = { 0 };
	static const char *const allowed[] = { "user_id", "username", NULL };
	json_only_fields(req->json, allowed, &v, NULL);
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(req->json, "user_id");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(req->json, "username");
	char folded[80];
	if (u && n)
		verr_add(&v, "username", "conflict", "give user_id or username, not both");
	else if (n) {
		const char *name = NULL;
		if (json_get_str(req->json, "username", &name, &v, "username", JSON_REQUIRED, 1, 64) == 1) {
			users_fold_username(name, folded, sizeof folded);
			t.username = folded;
		}
	} else if (!u)
		verr_add(&v, "user_id", "required", "user_id (or username) is required: the applicant's account, or null for none");
	else if (!cJSON_IsNull(u))
		json_get_int(req->json, "user_id", &t.user_id, &v, "user_id", JSON_REQUIRED, 1, 9007199254740991LL);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the owner is not valid", &v);
		return;
	}
	int rc = db_tx(owner_run, &t);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	owner_reply(req, uscc);
}

/* GET /api/v1/orgs/{uscc}/owner (registrar): who acts for the organization now. */
static void orgs_owner_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc(req, uscc) < 0)
		return;
	owner_reply(req, uscc);
}

/* --- routes ----------------------------------------------------------------------- */

#define PUB ROLES_PUBLIC
#define REG ROLE_REGISTRAR
#define APPL ROLE_APPLICANT

const route orgs_routes[] = {
	{ "GET", "/api/v1/orgs", orgs_search, PUB, 0 },
	{ "GET", "/api/v1/orgs/{uscc}", orgs_get, PUB, 0 },
	{ "GET", "/api/v1/orgs/{uscc}/history", orgs_history, PUB, 0 },
	{ "GET", "/api/v1/orgs/{uscc}/certificate", certificates_get, PUB, 0 },
	{ "POST", "/api/v1/orgs/{uscc}/certificate", certificates_reissue, REG, R_JSON_OPT | R_IDEMPOTENT },
	{ "GET", "/api/v1/orgs/{uscc}/annual-reports", annual_reports_list, PUB, 0 },
	{ "POST", "/api/v1/orgs/{uscc}/annual-reports", annual_reports_file, APPL, R_JSON | R_IDEMPOTENT },
	{ "GET", "/api/v1/orgs/{uscc}/annual-reports/{year}", annual_reports_get, PUB, 0 },
	{ "POST", "/api/v1/orgs/{uscc}/annual-reports/{year}/conclusion", annual_reports_conclude, REG, R_JSON },
	{ "POST", "/api/v1/certificates/verify", certificates_verify, PUB, R_JSON },
	{ "GET", "/api/v1/certificates/public-key", certificates_public_key, PUB, 0 },
	{ "GET", "/api/v1/uscc/{code}", uscc_get, PUB, R_NO_DB },
	{ "GET", "/api/v1/me/orgs", orgs_mine, APPL, 0 },
	{ "GET", "/api/v1/orgs/{uscc}/owner", orgs_owner_get, REG, 0 },
	{ "PUT", "/api/v1/orgs/{uscc}/owner", orgs_owner_put, REG, R_JSON },
	{ NULL, NULL, NULL, 0, 0 },
};
