/* feed.c — GET /api/v1/feed?after=<seq>&limit= (public): the numbered rows of feed_events
 * after seq, oldest first, and next_after, the number to ask after next time (server/feed.h:
 * a reader that got next_after = N never later finds a new row at or below N). */
#include "opendata.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A whole number in [lo, hi]: 0 and *out; -1 not a whole number; -2 out of range. */
static int parse_whole(const char *s, long long lo, long long hi, long long *out)
{
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno || v < lo || v > hi)
		return -2;
	*out = v;
	return 0;
}

/* ?after= and ?limit=: 400 when either is not a whole number, 422 when out of range. */
static int feed_params_or_reply(http_req *req, long long *after, int *limit)
{
	static const struct {
		const char *name;
		long long lo, hi;
		const char *what;
	} params[] = {
		{ "after", 0, 1000000000000000000LL, "after must be a sequence number (0 or more)" },
		{ "limit", 1, FEED_LIMIT_MAX, "limit must be from 1 to 1000" },
	};
	long long val[2] = { 0, FEED_LIMIT_DEFAULT };
	verr v = { 0 };
	for (int i = 0; i < 2; i++) {
		char buf[32];
		int r = http_query(req, params[i].name, buf, sizeof buf);
		int p = r == 1 ? parse_whole(buf, params[i].lo, params[i].hi, &val[i]) : r < 0 ? -1 : 0;
		if (p == -1) {
			http_problem(req, 400, "invalid_parameter", "%s is not a whole number", params[i].name);
			verr_free(&v);
			return -1;
		}
		if (p == -2)
			verr_add(&v, params[i].name, "out_of_range", "%s", params[i].what);
	}
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the feed's parameters are out of range", &v);
		return -1;
	}
	*after = val[0];
	*limit = (int)val[1];
	return 0;
}

enum { FC_SEQ, FC_AT, FC_TYPE, FC_OBJECT, FC_ACTION };

static void feed_get(http_req *req)
{
	long long after;
	int limit;
	if (feed_params_or_reply(req, &after, &limit) < 0)
		return;
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	/* Only numbered rows: an unnumbered row may still be given a number below one a reader
	 * has seen. */
	db_res *r = api_rows_or_reply(req, c,
	                              "SELECT seq, at, type, object_id, action FROM feed_events WHERE seq > ? "
	                              "ORDER BY seq LIMIT ?",
	                              DBP(DBI(after), DBI(limit)));
	if (!r)
		return;
	cJSON *body = cJSON_CreateObject(), *data = cJSON_AddArrayToObject(body, "data");
	long long next = after;
	for (int i = 0; i < r->nrows; i++) {
		cJSON *e = cJSON_CreateObject();
		next = db_int(r, i, FC_SEQ);
		cJSON_AddNumberToObject(e, "seq", (double)next);
		api_add_time(e, "at", db_val(r, i, FC_AT));
		cJSON_AddStringToObject(e, "type", db_val(r, i, FC_TYPE));
		cJSON_AddStringToObject(e, "id", db_val(r, i, FC_OBJECT));
		cJSON_AddStringToObject(e, "action", db_val(r, i, FC_ACTION));
		cJSON_AddItemToArray(data, e);
	}
	cJSON_AddNumberToObject(body, "next_after", (double)next);
	db_res_free(r);
	http_reply_json(req, 200, body);
}

const route feed_routes[] = {
	{ "GET", "/api/v1/feed", feed_get, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
