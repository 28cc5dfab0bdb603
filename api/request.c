/* helpers.c — small pieces every handler uses. */
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

int api_id_param(http_req *req, const char *name, long long *id)
{
	const char *s = http_param(req, name);
	if (!s || !*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s) || s[0] == '0') {
		http_problem(req, 404, "not_found", "there is no such resource");
		return -1;
	}
	*id = strtoll(s, NULL, 10);
	return 0;
}

db_conn *api_db(http_req *req)
{
	db_conn *c = db_get();
	if (!c)
		http_problem_db(req, DB_DOWN);
	return c;
}
