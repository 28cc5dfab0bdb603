/* regions_api.c — the regions by name (see regions_api.h). */
#include "regions_api.h"
#include "region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Q_MAX 64 /* bytes of q: 21 Chinese characters, more than any full name */
#define LIMIT_DEFAULT 20
#define LIMIT_MAX 100
#define FULL_MAX 160 /* three names of at most ~16 characters each, UTF-8 */

static const char *const level_names[] = { "", "province", "prefecture", "county" };

/* The words that say what level a name is (GB/T 2260 names end in one), longest first: a name
 * without them is how people type it (浙江, 嘉兴, 海盐). */
static const char *const level_words[] = { "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州",
	                                   "自治县",       "自治旗",     "地区",       "林区",       "特区",   "省",
	                                   "市",           "县",         "区",         "盟",         "旗",     NULL };

/* name without its level word, into out; the name itself when that would leave under two
 * characters (市中区, 城区 stay whole). */
static void short_name(const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);
	snprintf(out, outlen, "%s", name);
	for (int i = 0; level_words[i]; i++) {
		size_t w = strlen(level_words[i]);
		if (n > w + 3 && !strcmp(name + n - w, level_words[i])) {
			if (n - w < outlen)
				out[n - w] = 0;
			return;
		}
	}
}

/* The chain from the province down to r: chain[0] is the top. Its depth. */
static int chain_of(const region *r, const region *chain[REGION_COUNTY])
{
	const region *up[REGION_COUNTY];
	int depth = 0;
	for (const region *p = r; p && depth < REGION_COUNTY; p = region_parent(p))
		up[depth++] = p;
	for (int i = 0; i < depth; i++)
		chain[i] = up[depth - 1 - i];
	return depth;
}

static void full_name(const region *r, char *out, size_t outlen)
{
	const region *chain[REGION_COUNTY];
	int depth = chain_of(r, chain);
	size_t k = 0;
	out[0] = 0;
	for (int i = 0; i < depth && k < outlen; i++) {
		int w = snprintf(out + k, outlen - k, "%s", chain[i]->name);
		if (w < 0)
			break;
		k += (size_t)w;
	}
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* How well r answers q: 0 its name (or short name) is q, 1 its name begins with q, 2 its full name
 * from some level down begins with q (with or without the level words), -1 no match. */
static int match_rank(const region *r, const char *q)
{
	char sn[FULL_MAX];
	short_name(r->name, sn, sizeof sn);
	if (!strcmp(r->name, q) || !strcmp(sn, q))
		return 0;
	if (starts_with(r->name, q))
		return 1;
	const region *chain[REGION_COUNTY];
	int depth = chain_of(r, chain);
	for (int top = 0; top < depth - 1; top++) {
		char full[FULL_MAX], brief[FULL_MAX];
		size_t kf = 0, kb = 0;
		full[0] = brief[0] = 0;
		for (int i = top; i < depth; i++) {
			short_name(chain[i]->name, sn, sizeof sn);
			int a = snprintf(full + kf, sizeof full - kf, "%s", chain[i]->name);
			int b = snprintf(brief + kb, sizeof brief - kb, "%s", sn);
			if (a < 0 || b < 0 || (size_t)a >= sizeof full - kf || (size_t)b >= sizeof brief - kb)
				break;
			kf += (size_t)a;
			kb += (size_t)b;
		}
		if (starts_with(full, q) || starts_with(brief, q))
			return 2;
	}
	return -1;
}

static cJSON *region_json(const region *r)
{
	char full[FULL_MAX];
	full_name(r, full, sizeof full);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", r->code);
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "full_name", full);
	cJSON_AddStringToObject(o, "level", level_names[r->level <= REGION_COUNTY ? r->level : 0]);
	json_add_str_or_null(o, "parent_code", r->parent[0] ? r->parent : NULL);
	cJSON_AddBoolToObject(o, "current", 1);
	return o;
}

typedef struct hit {
	const region *r;
	int rank;
} hit;

static int hit_cmp(const void *a, const void *b)
{
	const hit *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->r->level != y->r->level)
		return (int)x->r->level - (int)y->r->level;
	return strcmp(x->r->code, y->r->code);
}

static void bad_param(http_req *req, const char *field, const char *code, const char *msg)
{
	verr v = { 0 };
	verr_add(&v, field, code, "%s", msg);
	http_problem_fields(req, 422, "invalid_query", msg, &v);
}

static void regions_search(http_req *req)
{
	char q[Q_MAX + 1], lim[16];
	int got = http_query(req, "q", q, sizeof q);
	if (got < 0)
		return bad_param(req, "q", "too_long", "q is at most 64 bytes");
	/* Spaces people type between the parts (嘉兴 海盐) are not part of any name. */
	size_t k = 0;
	for (size_t i = 0; got == 1 && q[i]; i++)
		if (q[i] != ' ')
			q[k++] = q[i];
	q[got == 1 ? k : 0] = 0;
	if (!*q)
		return bad_param(req, "q", "required", "q is required: a region's name or the start of its code");
	int limit = LIMIT_DEFAULT;
	got = http_query(req, "limit", lim, sizeof lim);
	if (got != 0) {
		char *end = NULL;
		long n = got == 1 ? strtol(lim, &end, 10) : 0;
		if (got != 1 || !*lim || *end || n < 1 || n > LIMIT_MAX)
			return bad_param(req, "limit", "out_of_range", "limit is a whole number from 1 to 100");
		limit = (int)n;
	}
	int digits = 1;
	for (const char *p = q; *p; p++)
		if (*p < '0' || *p > '9')
			digits = 0;
	if (digits && strlen(q) > REGION_CODE_LEN)
		return bad_param(req, "q", "invalid_code", "a region code has 6 digits");
	hit *hits = malloc(region_count * sizeof *hits);
	if (!hits) {
		http_problem(req, 500, "internal", "out of memory");
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < region_count; i++) {
		const region *r = &region_table[i];
		int rank = digits ? (starts_with(r->code, q) ? (strcmp(r->code, q) ? 1 : 0) : -1) : match_rank(r, q);
		if (rank >= 0)
			hits[n++] = (hit){ r, rank };
	}
	qsort(hits, n, sizeof *hits, hit_cmp);
	cJSON *items = cJSON_CreateArray();
	for (size_t i = 0; i < n && i < (size_t)limit; i++)
		cJSON_AddItemToArray(items, region_json(hits[i].r));
	free(hits);
	http_reply_list(req, items, NULL);
}

static void regions_get(http_req *req)
{
	const region *r = region_find(http_param(req, "code"));
	if (!r) {
		http_problem(req, 404, "not_found", "there is no region with this GB/T 2260 code in force");
		return;
	}
	http_reply_data(req, 200, region_json(r), 0);
}

const route regions_routes[] = {
	{ "GET", "/api/v1/regions", regions_search, ROLES_PUBLIC, R_NO_DB },
	{ "GET", "/api/v1/regions/{code}", regions_get, ROLES_PUBLIC, R_NO_DB },
	{ NULL, NULL, NULL, 0, 0 },
};
