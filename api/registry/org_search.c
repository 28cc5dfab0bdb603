/* org_search.c — searching the public register (see org_search.h): q by name bigrams, USCC
 * prefix and exact match, the filters, keyset pages. */
#include "org_search.h"
#include "org_gate.h"
#include "org_row.h"
#include "orgs.h"
#include "orgs_index.h"
#include "region.h"
#include "registry_rules.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Q_MAX_CHARS 100
#define GRAM_PROBES 6

typedef struct search_filters {
	const char *legal_form, *category, *status;
	const char *grade; /* 1A..5A, or "" */
	int ungraded;      /* grade=none */
	char today[16];    /* by the daemon's clock: a grade counts through its grade_valid_until */
	const char *list;  /* listed=abnormal|serious, or "" */
	int unlisted;      /* listed=none */
	char region_lo[7], region_hi[7];
} search_filters;

/* The filter conditions; their parameters come from filter_params(). An unused filter is a
 * constant true once the parameters are bound, so the optimizer sees only the filters given.
 * A grade counts only while valid (eligibility.c: an expired grade is no grade): grade=4A finds
 * the organizations whose current 4A has not expired, grade=none those without a valid grade.
 * The lists an organization is on now are the rows of org_lists (sql/0016), joined by LIST_JOINS
 * after orgs o in every statement: l1 the entry on the list asked for, l0 any entry when
 * listed=none is asked (its ON is false otherwise, so it never repeats an organization). Joins,
 * not EXISTS: the optimizer turns an EXISTS into a materialized copy of the list, which at 100,000
 * listed organizations cost 30–45 ms a query against 2–3 ms for these key lookups. */
#define LIST_JOINS                                                                                                     \
	" LEFT JOIN org_lists l1 ON l1.list = ? AND l1.uscc = o.uscc LEFT JOIN org_lists l0 ON ? = 1 AND "             \
	"l0.uscc = o.uscc"
#define NLIST_JOIN_PARAMS 2
#define FILTERS                                                                                                        \
	" AND (? = '' OR o.legal_form = ?) AND (? = '' OR o.category = ?) AND (? = '' OR o.region_code "               \
	"BETWEEN ? AND ?) AND (? = '' OR o.status = ?)"                                                                \
	" AND (? = '' OR (o.grade = ? AND o.grade_valid_until >= ?))"                                                  \
	" AND (? = 0 OR o.grade IS NULL OR o.grade_valid_until IS NULL OR o.grade_valid_until < ?)"                    \
	" AND (? = '' OR l1.uscc IS NOT NULL) AND (? = 0 OR l0.uscc IS NULL)"
#define NFILTER_PARAMS 16

static void filter_params(const search_filters *f, db_param *p)
{
	p[0] = p[1] = DBS(f->legal_form);
	p[2] = p[3] = DBS(f->category);
	p[4] = p[5] = DBS(f->region_lo);
	p[6] = DBS(f->region_hi);
	p[7] = p[8] = DBS(f->status);
	p[9] = p[10] = DBS(f->grade);
	p[11] = DBS(f->today);
	p[12] = DBI(f->ungraded);
	p[13] = DBS(f->today);
	p[14] = DBS(f->list);
	p[15] = DBI(f->unlisted);
}

/* Exact matches (a name, current or former, or the USCC equal to q) are shown first; the other
 * streams leave them out. org_names holds every name an organization has had, the current one
 * included (to_date NULL). */
#define NOT_EXACT " AND o.uscc <> ? AND NOT EXISTS (SELECT 1 FROM org_names x WHERE x.uscc = o.uscc AND x.name = ?)"

#define NAME_MATCH                                                                                                     \
	" AND (o.name LIKE ? ESCAPE '!' OR EXISTS (SELECT 1 FROM org_names n WHERE n.uscc = o.uscc AND "               \
	"n.name LIKE ? ESCAPE '!'))"

#define GRAM_JOIN(k) " STRAIGHT_JOIN org_name_grams g" #k " ON g" #k ".gram = ? AND g" #k ".uscc = g.uscc"

#define NAME_HEAD "SELECT STRAIGHT_JOIN " ORG_ITEM_COLUMNS " FROM org_name_grams g"
#define NAME_TAIL                                                                                                      \
	" STRAIGHT_JOIN orgs o ON o.uscc = g.uscc" LIST_JOINS " WHERE g.gram = ? AND g.uscc > ?" FILTERS NAME_MATCH
#define NAME_END " ORDER BY g.uscc LIMIT ?"

/* Name streams by number of intersected grams (0..2) and whether exact matches are left out:
 * a fixed set of statements, prepared once per connection. */
static const char *const name_sql[3][2] = {
	{ NAME_HEAD NAME_TAIL NAME_END, NAME_HEAD NAME_TAIL NOT_EXACT NAME_END },
	{ NAME_HEAD GRAM_JOIN(1) NAME_TAIL NAME_END, NAME_HEAD GRAM_JOIN(1) NAME_TAIL NOT_EXACT NAME_END },
	{ NAME_HEAD GRAM_JOIN(1) GRAM_JOIN(2) NAME_TAIL NAME_END,
	  NAME_HEAD GRAM_JOIN(1) GRAM_JOIN(2) NAME_TAIL NOT_EXACT NAME_END },
};

#define PREFIX_HEAD "SELECT " ORG_ITEM_COLUMNS " FROM orgs o" LIST_JOINS " WHERE o.uscc LIKE ? AND o.uscc > ?" FILTERS
static const char *const prefix_sql[2] = {
	PREFIX_HEAD " ORDER BY o.uscc LIMIT ?",
	PREFIX_HEAD NOT_EXACT " ORDER BY o.uscc LIMIT ?",
};

/* The name stream driven by the region filter instead, when the region has fewer organizations
 * than the rarest gram of q has rows (养老 in 海盐县); the rarest gram and the name confirm. */
#define REGION_HEAD                                                                                                    \
	"SELECT " ORG_ITEM_COLUMNS " FROM orgs o FORCE INDEX (orgs_region)" LIST_JOINS                                 \
	" WHERE o.region_code BETWEEN ? AND ? AND o.uscc > ?" FILTERS                                                  \
	" AND EXISTS (SELECT 1 FROM org_name_grams g WHERE g.gram = ? AND g.uscc = o.uscc)" NAME_MATCH
static const char *const region_sql[2] = {
	REGION_HEAD " ORDER BY o.uscc LIMIT ?",
	REGION_HEAD NOT_EXACT " ORDER BY o.uscc LIMIT ?",
};
#define REGION_SORT_MAX 20000
#define LIST_DRIVE_MAX 20000
#define REGION_EST_SQL "EXPLAIN SELECT 1 FROM orgs FORCE INDEX (orgs_region) WHERE region_code BETWEEN ? AND ?"

/* The name stream driven by a credit list (listed=serious: a few thousand of a million), when it
 * has fewer organizations than the rarest gram of q has rows; org_lists' primary key is in USCC
 * order, so the scan stops at the page's end. The name alone confirms: with the organization's
 * row in hand, a gram lookup first (as the region stream does) measured twice as slow. */
#define LIST_HEAD                                                                                                      \
	"SELECT STRAIGHT_JOIN " ORG_ITEM_COLUMNS                                                                       \
	" FROM org_lists d STRAIGHT_JOIN orgs o ON o.uscc = d.uscc" LIST_JOINS                                         \
	" WHERE d.list = ? AND d.uscc > ?" FILTERS NAME_MATCH
static const char *const list_sql[2] = {
	LIST_HEAD " ORDER BY d.uscc LIMIT ?",
	LIST_HEAD NOT_EXACT " ORDER BY d.uscc LIMIT ?",
};

/* Exact matches by name: a semi-join, so an organization that took a name twice comes once. */
#define EXACT_NAME_SQL                                                                                                 \
	"SELECT " ORG_ITEM_COLUMNS " FROM orgs o" LIST_JOINS                                                           \
	" WHERE o.uscc IN (SELECT n.uscc FROM org_names n WHERE n.name = ?) AND o.uscc > ?" FILTERS                    \
	" ORDER BY o.uscc LIMIT ?"
#define EXACT_PROBE_SQL "SELECT 1 FROM org_names WHERE name = ? LIMIT 1"
/* And by code, when q can be one. */
#define EXACT_USCC_SQL                                                                                                 \
	"SELECT " ORG_ITEM_COLUMNS " FROM orgs o" LIST_JOINS " WHERE o.uscc = ? AND o.uscc > ?" FILTERS " LIMIT ?"

#define BROWSE_SQL                                                                                                     \
	"SELECT " ORG_ITEM_COLUMNS " FROM orgs o" LIST_JOINS " WHERE o.uscc > ?" FILTERS " ORDER BY o.uscc LIMIT ?"
/* Browsing a list (listed=abnormal|serious): the list's organizations in USCC order, the other
 * filters confirming; at most the list's size to read, however rare the other filters make a
 * match. */
#define BROWSE_LIST_SQL                                                                                                \
	"SELECT STRAIGHT_JOIN " ORG_ITEM_COLUMNS                                                                       \
	" FROM org_lists d STRAIGHT_JOIN orgs o ON o.uscc = d.uscc" LIST_JOINS                                         \
	" WHERE d.list = ? AND d.uscc > ?" FILTERS " ORDER BY d.uscc LIMIT ?"

/* The optimizer's estimate of each gram's rows (index dives on the primary key): a cheap way to
 * find the rarest gram of q, accurate for rare grams, within a small factor for common ones. */
#define EST_ONE "SELECT 1 FROM org_name_grams WHERE gram = ?"
#define EST_SQL                                                                                                        \
	"EXPLAIN " EST_ONE " UNION ALL " EST_ONE " UNION ALL " EST_ONE " UNION ALL " EST_ONE " UNION ALL " EST_ONE     \
	" UNION ALL " EST_ONE

typedef struct search {
	db_conn *c;
	search_filters f;
	char q[4 * Q_MAX_CHARS + 1];              /* trimmed query, as typed */
	char q_upper[4 * Q_MAX_CHARS + 1];        /* the same upper-cased when alphanumeric: USCC comparisons */
	char like[8 * Q_MAX_CHARS + 3];           /* %q% with ! % _ escaped by ! */
	char prefix[USCC_LEN + 2];                /* Q% for the USCC-prefix stream, or "" */
	int has_names;                            /* q has two or more characters: the name stream runs */
	char drive[3][ORGS_GRAM_SIZE];            /* rarest gram first */
	int ndrive;                               /* 0: no name can match */
	long long drive_rows;                     /* the rarest gram's estimated rows */
	enum { BY_GRAMS, BY_REGION, BY_LIST } by; /* what drives the name stream: the rarest of the three */
} search;

/* Runs one stream statement: its parameters are (the gram joins' (from)…, the list joins', the
 * driver's (head)…, after, filters…, [name match, not exact…] (tail), limit). The rows into *out;
 * 0 or a DB_ code. */
static int run_stream(search *s, const char *sql, const db_param *from, int nfrom, const db_param *head, int nhead,
                      const char *after, const db_param *tail, int ntail, int limit, db_res **out)
{
	db_param p[40];
	int k = 0;
	for (int i = 0; i < nfrom; i++)
		p[k++] = from[i];
	p[k++] = DBS(s->f.list);
	p[k++] = DBI(s->f.unlisted);
	for (int i = 0; i < nhead; i++)
		p[k++] = head[i];
	p[k++] = DBS(after);
	filter_params(&s->f, p + k);
	k += NFILTER_PARAMS;
	for (int i = 0; i < ntail; i++)
		p[k++] = tail[i];
	p[k++] = DBI(limit);
	return db_query(s->c, sql, p, k, out);
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
 * spared, which the LIKE on the name confirms anyway. 0 or a DB_ code. */
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
			if (rc)
				return rc;
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

/* Estimated rows of what could drive a page: q's rarest gram, the region, the list, the grade
 * (-1: not asked, or not known). */
typedef struct drive_rows {
	long long gram, region, list, grade;
} drive_rows;

#define LIST_EST_SQL "SELECT 1 FROM org_lists WHERE list = ?"
#define GRADE_EST_SQL "SELECT 1 FROM orgs FORCE INDEX (orgs_grade) WHERE grade = ?"

/* Fills *e for the filters given (and the gram when q has one), each estimated by the optimizer
 * and remembered a while; what is not known yet in one round trip. 0 or a DB_ code. */
static int estimate_drivers(search *s, drive_rows *e)
{
	usec_t now = clock_now();
	*e = (drive_rows){ s->ndrive ? s->drive_rows : -1, -1, -1, -1 };
	char rkey[ORGS_GRAM_SIZE] = "R", lkey[ORGS_GRAM_SIZE] = "L", gkey[ORGS_GRAM_SIZE] = "G";
	memcpy(rkey + 1, s->f.region_lo, 7);
	snprintf(lkey + 1, sizeof lkey - 1, "%s", s->f.list);
	snprintf(gkey + 1, sizeof gkey - 1, "%s", s->f.grade);
	int need_gram = s->ndrive && e->gram < 0 && !est_get(s->drive[0], &e->gram, now);
	int need_region = *s->f.region_lo && !est_get(rkey, &e->region, now);
	int need_list = *s->f.list && !est_get(lkey, &e->list, now);
	int need_grade = *s->f.grade && !est_get(gkey, &e->grade, now);
	if (!need_gram && !need_region && !need_list && !need_grade)
		return 0;
	/* The region (id 1), the gram (id 2), the list (id 3), the grade (id 4); a part not needed
	 * asks about '' and is not read. */
	db_param p[5] = { DBS(need_region ? s->f.region_lo : ""), DBS(need_region ? s->f.region_hi : ""),
		          DBS(need_gram ? s->drive[0] : ""), DBS(need_list ? s->f.list : ""),
		          DBS(need_grade ? s->f.grade : "") };
	db_res *r;
	int rc = db_query(s->c,
	                  REGION_EST_SQL " UNION ALL " EST_ONE " UNION ALL " LIST_EST_SQL " UNION ALL " GRADE_EST_SQL,
	                  p, 5, &r);
	if (rc)
		return rc;
	for (int i = 0; i < r->nrows; i++) {
		long long id = db_isnull(r, i, 0) ? 0 : db_int(r, i, 0);
		long long rows = r->ncols > 8 && !db_isnull(r, i, 8) ? db_int(r, i, 8) : -1;
		if (rows < 0)
			continue;
		if (id == 1 && need_region)
			est_put(rkey, e->region = rows, now);
		else if (id == 2 && need_gram)
			est_put(s->drive[0], e->gram = rows, now);
		else if (id == 3 && need_list)
			est_put(lkey, e->list = rows, now);
		else if (id == 4 && need_grade)
			est_put(gkey, e->grade = rows, now);
	}
	db_res_free(r);
	return 0;
}

/* Whether the region's index can drive a page: a county's entries are in USCC order, so its scan
 * stops at the page's end; a prefecture or province is a range sorted whole, worth it only while
 * it is small. */
static int region_can_drive(const search *s, long long rows)
{
	return rows >= 0 && (!strcmp(s->f.region_lo, s->f.region_hi) || rows <= REGION_SORT_MAX);
}

/* What drives the name stream: the rarest gram of q, or the region filter, or the credit list
 * (listed=abnormal|serious) when it names fewer organizations than the rarest gram has rows.
 * 0 or a DB_ code. */
static int choose_driver(search *s)
{
	s->by = BY_GRAMS;
	if ((!*s->f.region_lo && !*s->f.list) || !s->ndrive)
		return 0;
	drive_rows e;
	int rc = estimate_drivers(s, &e);
	if (rc || e.gram < 0)
		return rc;
	long long best = e.gram;
	if (region_can_drive(s, e.region) && e.region < best) {
		s->by = BY_REGION;
		best = e.region;
	}
	/* Only a short list drives: a long one follows USCC order, which follows the legal form, so
	 * a q of one form's names (服务中 of the 服务中心 institutions) finds nothing for its first
	 * tens of thousands of entries (measured after the bench's sweep, 97,000 abnormal: 430 ms
	 * driven by the list, 4 ms by the grams). */
	if (e.list >= 0 && e.list < best && e.list <= LIST_DRIVE_MAX)
		s->by = BY_LIST;
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
		int cmp = ia >= na ? 1 : ib >= nb ? -1 : strcmp(db_val(a, ia, OI_USCC), db_val(b, ib, OI_USCC));
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
		org_item_fields(items, from, row);
		jw_key(items, "exact");
		jw_bool(items, exact);
		jw_obj_end(items);
		snprintf(last, USCC_LEN + 1, "%s", db_val(from, row, OI_USCC));
		got++;
	}
	db_res_free(a);
	db_res_free(b);
	return got;
}

/* The exact matches after after: up to want into items. How many, or a DB_ code. */
static int exact_page(search *s, const char *after, int want, jw *items, int *more, char *last)
{
	db_param head[1] = { DBS(s->q) };
	db_res *a = NULL, *b = NULL;
	/* Most searches are parts of names and equal none: one index lookup tells, and the
	 * semi-join runs only when there is something for it to find. */
	int rc = db_query(s->c, EXACT_PROBE_SQL, head, 1, &a);
	if (rc)
		return rc;
	int named = a->nrows > 0;
	db_res_free(a);
	a = NULL;
	if (named && (rc = run_stream(s, EXACT_NAME_SQL, NULL, 0, head, 1, after, NULL, 0, want + 1, &a)))
		return rc;
	if (strlen(s->q_upper) == USCC_LEN) {
		db_param code[1] = { DBS(s->q_upper) };
		if ((rc = run_stream(s, EXACT_USCC_SQL, NULL, 0, code, 1, after, NULL, 0, 1, &b))) {
			db_res_free(a);
			return rc;
		}
	}
	return merge_rows(a, b, want, 1, items, more, last);
}

/* The rest phase: the name stream and the USCC-prefix stream, each already in USCC order, merged.
 * Returns up to want rows into items (with exact=false); *more set when rows remain after them;
 * last receives the USCC of the last row given. How many, or a DB_ code. */
static int rest_page(search *s, const char *after, int not_exact, int want, jw *items, int *more, char *last)
{
	db_res *a = NULL, *b = NULL;
	int rc;
	db_param nx[2] = { DBS(s->q_upper), DBS(s->q) };
	if (s->has_names && s->ndrive > 0) {
		/* The gram joins' parameters (g1, g2) come first in the text, the driver's (g) after the
		 * list joins. */
		db_param joined[2], driver[1] = { DBS(s->drive[0]) };
		int k = 0;
		for (int i = 1; i < s->ndrive; i++)
			joined[k++] = DBS(s->drive[i]);
		/* FILTERS come before NAME_MATCH in the text, so the LIKE parameters follow the filters. */
		db_param tail[4];
		int nt = 0;
		tail[nt++] = DBS(s->like);
		tail[nt++] = DBS(s->like);
		if (not_exact) {
			tail[nt++] = nx[0];
			tail[nt++] = nx[1];
		}
		if (s->by == BY_REGION) {
			/* The region drives; the rarest gram and the name confirm. */
			db_param head[2] = { DBS(s->f.region_lo), DBS(s->f.region_hi) };
			db_param rt[5];
			int nr = 0;
			rt[nr++] = DBS(s->drive[0]);
			for (int i = 0; i < nt; i++)
				rt[nr++] = tail[i];
			rc = run_stream(s, region_sql[not_exact], NULL, 0, head, 2, after, rt, nr, want + 1, &a);
		} else if (s->by == BY_LIST) {
			/* The list drives; the name confirms. */
			db_param head[1] = { DBS(s->f.list) };
			rc = run_stream(s, list_sql[not_exact], NULL, 0, head, 1, after, tail, nt, want + 1, &a);
		} else {
			rc = run_stream(s, name_sql[s->ndrive - 1][not_exact], joined, k, driver, 1, after, tail, nt,
			                want + 1, &a);
		}
		if (rc)
			return rc;
	}
	if (*s->prefix) {
		db_param head[1] = { DBS(s->prefix) };
		if ((rc = run_stream(s, prefix_sql[not_exact], NULL, 0, head, 1, after, nx, not_exact ? 2 : 0, want + 1,
		                     &b))) {
			db_res_free(a);
			return rc;
		}
	}
	return merge_rows(a, b, want, 0, items, more, last);
}

/* A filter that is not one of its choices: 400 with the filter's code and the field. */
static int bad_filter_or_reply(http_req *req, const char *field, const char *code, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int bad_filter_or_reply(http_req *req, const char *field, const char *code, const char *fmt, ...)
{
	char detail[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	verr v = { 0 };
	verr_add(&v, field, "invalid_choice", "%s", detail);
	http_problem_fields(req, 400, code, detail, &v);
	return -1;
}

/* Parses and validates the filters; answers 400 and returns -1 on a bad one. */
static int parse_filters_or_reply(http_req *req, search_filters *f, char *lf, char *cat, char *st, char *gr, char *ls)
{
	/* none: no valid grade (never graded, or the grade expired); on no list. */
	static const char *const grades[] = { "1A", "2A", "3A", "4A", "5A", "none", NULL };
	static const char *const lists[] = { "abnormal", "serious", "none", NULL };
	struct {
		const char *name;
		char *buf;
		const char *const *choices;
		const char *code;
	} enums[] = {
		{ "legal_form", lf, registry_legal_forms, "invalid_legal_form" },
		{ "category", cat, registry_categories, "invalid_category" },
		{ "status", st, org_status_names, "invalid_status" },
		{ "grade", gr, grades, "invalid_grade" },
		{ "listed", ls, lists, "invalid_listed" },
	};
	for (size_t e = 0; e < sizeof enums / sizeof enums[0]; e++) {
		int r = http_query(req, enums[e].name, enums[e].buf, 40);
		if (r == 0 || (r == 1 && !*enums[e].buf)) {
			enums[e].buf[0] = 0;
			continue;
		}
		if (r != 1 || !str_in_list(enums[e].choices, enums[e].buf)) {
			char list[200] = "";
			for (int i = 0; enums[e].choices[i]; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
				         enums[e].choices[i]);
			return bad_filter_or_reply(req, enums[e].name, enums[e].code, "%s must be one of %s",
			                           enums[e].name, list);
		}
	}
	f->legal_form = lf;
	f->category = cat;
	f->status = st;
	f->ungraded = !strcmp(gr, "none");
	f->grade = f->ungraded ? "" : gr;
	clock_fmt_date(clock_local_day(clock_now()), f->today);
	f->unlisted = !strcmp(ls, "none");
	f->list = f->unlisted ? "" : ls;
	char rcode[16];
	int r = http_query(req, "region", rcode, sizeof rcode);
	f->region_lo[0] = f->region_hi[0] = 0;
	if (r < 0 || (r == 1 && *rcode && (strlen(rcode) != 6 || strspn(rcode, "0123456789") != 6)))
		return bad_filter_or_reply(req, "region", "invalid_region", "region must be a 6-digit GB/T 2260 code");
	if (r == 1 && *rcode) {
		const region *reg = region_find(rcode);
		if (!reg)
			return bad_filter_or_reply(req, "region", "unknown_region",
			                           "region %s is not a current GB/T 2260 region", rcode);
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

/* Where a page starts. Cursor: "x<uscc>" inside the exact matches, "r<flag><uscc>" in the rest
 * (flag 1: exact matches exist and are left out), "r<flag>" at the start of the rest. */
typedef struct search_page {
	int limit;
	char cursor[64];
	char phase; /* 'x' exact matches, 'r' the rest */
	int not_exact;
	const char *after; /* in cursor */
} search_page;

static int bad_cursor_or_reply(http_req *req)
{
	http_problem(req, 400, "invalid_cursor", "cursor is not one this server handed out");
	return -1;
}

/* Parses q, the filters and the page into s and pg; answers 400 or 422 and returns -1 when one
 * is bad. */
static int search_parse_or_reply(http_req *req, search *s, search_page *pg, char *lf, char *cat, char *st, char *gr,
                                 char *ls)
{
	if (http_page_or_reply(req, &pg->limit, pg->cursor, sizeof pg->cursor) < 0)
		return -1;
	if (parse_filters_or_reply(req, &s->f, lf, cat, st, gr, ls) < 0)
		return -1;

	char raw[4 * Q_MAX_CHARS + 64];
	int qr = http_query(req, "q", raw, sizeof raw);
	if (qr == -2) {
		http_problem(req, 400, "invalid_q", "q contains a control character");
		return -1;
	}
	if (qr < 0) {
		http_problem(req, 422, "q_too_long", "q must have at most %d characters", Q_MAX_CHARS);
		return -1;
	}
	if (qr == 0)
		raw[0] = 0;
	if (!json_utf8_valid(raw, strlen(raw))) {
		http_problem(req, 400, "invalid_q", "q is not valid UTF-8");
		return -1;
	}
	/* Blanks around q, ASCII or the ideographic space U+3000, are not part of it. */
	char *q = json_trim(raw);
	size_t ql = strlen(q);
	size_t qchars = json_utf8_len(q);
	if (qchars > Q_MAX_CHARS) {
		http_problem(req, 422, "q_too_long", "q must have at most %d characters", Q_MAX_CHARS);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)q; *p; p++)
		if (*p < 0x20 || *p == 0x7F) {
			http_problem(req, 400, "invalid_q", "q contains a control character");
			return -1;
		}
	int alnum = *q && is_alnum_ascii(q);
	if (qchars == 1 && !alnum) {
		http_problem(req, 422, "q_too_short",
		             "give at least 2 characters to search names (one letter or digit searches USCC prefixes)");
		return -1;
	}
	memcpy(s->q, q, ql + 1);

	/* Cursor phase. */
	pg->phase = 'x';
	pg->not_exact = 0;
	pg->after = "";
	if (*pg->cursor) {
		const char *k = pg->cursor;
		if (k[0] == 'x' && strlen(k + 1) == USCC_LEN) {
			pg->phase = 'x';
			pg->after = k + 1;
		} else if (k[0] == 'r' && (k[1] == '0' || k[1] == '1') && (!k[2] || strlen(k + 2) == USCC_LEN)) {
			pg->phase = 'r';
			pg->not_exact = k[1] == '1';
			pg->after = k + 2;
		} else {
			return bad_cursor_or_reply(req);
		}
		char check[USCC_LEN + 1];
		if (*pg->after && (orgs_uscc_parse(pg->after, check) < 0 || strcmp(check, pg->after)))
			return bad_cursor_or_reply(req);
		/* Without q the register is browsed: there are no exact matches to be in. */
		if (!*s->q && pg->phase != 'r')
			return bad_cursor_or_reply(req);
	}
	if (!*s->q)
		return 0;

	/* Names keep their case; USCCs are compared upper-cased. */
	memcpy(s->q_upper, s->q, sizeof s->q_upper);
	/* Only letters and digits can be (part of) a USCC, and the ascii column takes nothing else. */
	if (!alnum)
		s->q_upper[0] = 0;
	if (alnum) {
		for (char *p = s->q_upper; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		if (qchars <= USCC_LEN) {
			memcpy(s->prefix, s->q_upper, qchars);
			s->prefix[qchars] = '%';
			s->prefix[qchars + 1] = 0;
		}
	}
	s->has_names = qchars >= 2;
	char *o = s->like;
	*o++ = '%';
	for (const char *p = q; *p; p++) {
		if (*p == '!' || *p == '%' || *p == '_')
			*o++ = '!';
		*o++ = *p;
	}
	*o++ = '%';
	*o = 0;
	return 0;
}

/* No q: the register browsed by the filters, in USCC order. 0 or a DB_ code. */
static int browse(search *s, const search_page *pg, jw *items, char *next, size_t nextlen)
{
	db_res *r;
	int by_list = *s->f.list;
	if (by_list && (*s->f.region_lo || *s->f.grade)) {
		/* A county or a grade fewer than the list's organizations drives instead (its index,
		 * chosen by the optimizer), and the list confirms: listed=abnormal in one county. */
		drive_rows e;
		int rc = estimate_drivers(s, &e);
		if (rc)
			return rc;
		long long list_rows = e.list < 0 ? 0 : e.list;
		by_list = !(region_can_drive(s, e.region) && e.region < list_rows) &&
		          !(e.grade >= 0 && e.grade < list_rows);
	}
	db_param list[1] = { DBS(s->f.list) };
	int rc = by_list ? run_stream(s, BROWSE_LIST_SQL, NULL, 0, list, 1, pg->after, NULL, 0, pg->limit + 1, &r)
	                 : run_stream(s, BROWSE_SQL, NULL, 0, NULL, 0, pg->after, NULL, 0, pg->limit + 1, &r);
	if (rc)
		return rc;
	org_items(items, r, pg->limit);
	if (r->nrows > pg->limit) {
		char key[USCC_LEN + 4];
		snprintf(key, sizeof key, "r0%s", db_val(r, pg->limit - 1, OI_USCC));
		http_cursor_encode(key, next, nextlen);
	}
	db_res_free(r);
	return 0;
}

/* One page of the answer to q: the exact matches first, then the rest. The items into items, the
 * next cursor (or "") into next. 0 or a DB_ code. */
static int find(search *s, const search_page *pg, jw *items, char *next, size_t nextlen)
{
	char last[USCC_LEN + 1] = "";
	const char *after = pg->after;
	int not_exact = pg->not_exact, limit = pg->limit;
	int rc;
	if (s->has_names && ((rc = choose_grams(s)) || (rc = choose_driver(s))))
		return rc;
	int got = 0;
	if (pg->phase == 'x') {
		int more_exact = 0;
		got = exact_page(s, after, limit, items, &more_exact, last);
		if (got < 0)
			return got;
		if (more_exact) {
			char key[USCC_LEN + 4];
			snprintf(key, sizeof key, "x%s", last);
			http_cursor_encode(key, next, nextlen);
			return 0;
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
		int n = rest_page(s, "", not_exact, 1, &probe, &more, last);
		jw_free(&probe);
		if (n < 0)
			return n;
		if (n > 0) {
			char key[8];
			snprintf(key, sizeof key, "r%d", not_exact);
			http_cursor_encode(key, next, nextlen);
		}
		return 0;
	}
	int n = rest_page(s, after, not_exact, want, items, &more, last);
	if (n < 0)
		return n;
	if (more) {
		char key[USCC_LEN + 4];
		snprintf(key, sizeof key, "r%d%s", not_exact, last);
		http_cursor_encode(key, next, nextlen);
	}
	return 0;
}

static void orgs_search(http_req *req)
{
	search s;
	search_page pg;
	memset(&s, 0, sizeof s);
	memset(&pg, 0, sizeof pg);
	char lf[40], cat[40], st[40], gr[40], ls[40];
	if (search_parse_or_reply(req, &s, &pg, lf, cat, st, gr, ls) < 0)
		return;
	s.c = api_db_or_reply(req);
	if (!s.c)
		return;
	jw items;
	http_list_begin(&items);
	char next[96] = "";
	org_gate_enter();
	int rc = *s.q ? find(&s, &pg, &items, next, sizeof next) : browse(&s, &pg, &items, next, sizeof next);
	org_gate_leave();
	if (api_rc_or_reply(req, rc) < 0) {
		jw_free(&items);
		return;
	}
	http_reply_list_jw(req, &items, *next ? next : NULL);
}

const route org_search_routes[] = {
	{ "GET", "/api/v1/orgs", orgs_search, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
