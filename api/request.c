/* request.c — the request helpers every handler uses; each answers the client when it fails
 * (…_or_reply), so the caller only returns. */
#include "api.h"

#include <stdlib.h>
#include <string.h>

void api_add_time(cJSON *obj, const char *key, const char *db_time)
{
	usec_t t;
	if (!db_time || clock_parse(db_time, &t) < 0) {
		cJSON_AddNullToObject(obj, key);
		return;
	}
	char buf[32];
	clock_fmt(t, buf);
	cJSON_AddStringToObject(obj, key, buf);
}

int api_id_param_or_reply(http_req *req, const char *name, long long *id)
{
	const char *s = http_param(req, name);
	if (!s || !*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s) || s[0] == '0') {
		http_problem(req, 404, "not_found", "there is no such resource");
		return -1;
	}
	*id = strtoll(s, NULL, 10);
	return 0;
}

db_conn *api_db_or_reply(http_req *req)
{
	db_conn *c = db_get();
	if (!c)
		http_problem_db(req, DB_DOWN);
	return c;
}

int api_rc_or_reply(http_req *req, int rc)
{
	if (rc >= 0)
		return 0;
	http_problem_db(req, rc);
	return -1;
}

int api_found_or_reply(http_req *req, int rc, const char *missing)
{
	if (rc > 0)
		return 0;
	if (rc == 0)
		http_problem(req, 404, "not_found", "%s", missing);
	else
		http_problem_db(req, rc);
	return -1;
}

db_res *api_rows_or_reply(http_req *req, db_conn *c, const char *sql, const db_param *p, int np)
{
	db_res *r;
	int rc = db_query(c, sql, p, np, &r);
	return api_rc_or_reply(req, rc) < 0 ? NULL : r;
}

void api_subpage_or_reply(http_req *req, tx_fn fn)
{
	api_subpage q = { 0 };
	if (api_id_param_or_reply(req, "id", &q.id) < 0 || http_page_num_or_reply(req, &q.limit, &q.after, 0) < 0)
		return;
	tx_read_or_reply(req, fn, &q);
}
