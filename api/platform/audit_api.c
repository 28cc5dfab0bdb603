/* audit_api.c — reading and verifying the audit chains.
 * Admins read everything; registrars read the trail of one object at a time. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *entry_json(const db_res *r, int i)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)db_int(r, i, 0));
	api_add_time(o, "at", db_val(r, i, 1));
	cJSON_AddStringToObject(o, "actor", db_val(r, i, 2));
	cJSON_AddStringToObject(o, "role", db_val(r, i, 3));
	cJSON_AddStringToObject(o, "action", db_val(r, i, 4));
	cJSON_AddStringToObject(o, "object_type", db_val(r, i, 5));
	cJSON_AddStringToObject(o, "object_id", db_val(r, i, 6));
	cJSON *summary = cJSON_ParseWithLength(db_val(r, i, 7), db_len(r, i, 7));
	cJSON_AddItemToObject(o, "summary", summary ? summary : cJSON_CreateObject());
	cJSON_AddStringToObject(o, "prev_hash", db_val(r, i, 8));
	cJSON_AddStringToObject(o, "hash", db_val(r, i, 9));
	/* Its place in the chain of the instance that wrote it (server/audit.h). */
	cJSON_AddNumberToObject(o, "chain", (double)db_int(r, i, 10));
	cJSON_AddNumberToObject(o, "chain_seq", (double)db_int(r, i, 11));
	return o;
}

/* The query parameters GET /audit understands; any other is refused, so that a filter that is
 * misspelt or not offered never silently returns everything. */
static const char *const list_params[] = { "object_type", "object_id", "action", "actor", "from", "to", "limit",
	                                   "cursor", NULL };

static int unknown_param(const char *query, char *name, size_t len)
{
	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		size_t n = strcspn(p, "=&");
		if (n == 0)
			continue;
		int known = 0;
		for (int i = 0; list_params[i]; i++)
			known |= strlen(list_params[i]) == n && !strncmp(list_params[i], p, n);
		if (!known) {
			/* Echo the name only when it is plain, never hostile text. */
			if (n < len && strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789") >= n)
				snprintf(name, len, "%.*s", (int)n, p);
			else
				snprintf(name, len, "(a parameter)");
			return 1;
		}
	}
	return 0;
}

/* ?from= / ?to=: RFC 3339 into the DB form; "" when absent. -1 (answered) when malformed. */
static int time_param_or_reply(http_req *req, const char *name, char out[32])
{
	char buf[64];
	out[0] = 0;
	int r = http_query(req, name, buf, sizeof buf);
	if (r == 0)
		return 0;
	usec_t t;
	if (r < 0 || clock_parse(buf, &t) < 0) {
		http_problem(req, 400, "invalid_time", "%s must be an RFC 3339 time such as 2026-01-05T09:00:00Z", name);
		return -1;
	}
	clock_fmt_db(t, out);
	return 0;
}

void audit_list(http_req *req)
{
	int limit;
	long long before;
	char type[40] = "", id[80] = "", action[80] = "", actor[80] = "", from[32], to[32], bad[40];
	if (unknown_param(http_query_string(req), bad, sizeof bad)) {
		http_problem(req, 400, "unknown_parameter",
		             "unknown query parameter %s; filters are object_type, object_id, action, actor, from and to "
		             "(with limit and cursor)", bad);
		return;
	}
	if (http_page_num_or_reply(req, &limit, &before, 1LL << 62) < 0)
		return;
	if (http_query(req, "object_type", type, sizeof type) < 0 || http_query(req, "object_id", id, sizeof id) < 0 ||
	    http_query(req, "action", action, sizeof action) < 0 || http_query(req, "actor", actor, sizeof actor) < 0) {
		http_problem(req, 400, "invalid_filter", "a filter is too long");
		return;
	}
	if (time_param_or_reply(req, "from", from) < 0 || time_param_or_reply(req, "to", to) < 0)
		return;
	if (req->user.role_bit == ROLE_REGISTRAR && (!*type || !*id)) {
		http_problem(req, 403, "object_filter_required",
		                 "registrars read the audit trail of one object: give object_type and object_id");
		return;
	}
	/* Registrars see the registry's objects, never accounts or sign-in events. */
	if (req->user.role_bit == ROLE_REGISTRAR && (!strcmp(type, "user") || !strcmp(type, "ip"))) {
		http_problem(req, 403, "forbidden_object", "registrars cannot read the trail of accounts");
		return;
	}
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	db_res *r;
	/* from is inclusive, to exclusive: consecutive ranges do not overlap. */
	r = api_rows_or_reply(req, c,
	                  "SELECT seq, at, actor, role, action, object_type, object_id, summary, prev_hash, hash, chain_id, "
	                  "chain_seq "
	                  "FROM audit_log WHERE seq < ? AND (? = '' OR object_type = ?) AND (? = '' OR object_id = ?) "
	                  "AND (? = '' OR action = ?) AND (? = '' OR actor = ?) AND (? = '' OR at >= ?) "
	                  "AND (? = '' OR at < ?) ORDER BY seq DESC LIMIT ?",
	                  DBP(DBI(before), DBS(type), DBS(type), DBS(id), DBS(id), DBS(action), DBS(action), DBS(actor),
	                      DBS(actor), DBS(from), DBS(from), DBS(to), DBS(to), DBI(limit + 1)));
	if (!r)
		return;
	http_reply_rows(req, r, limit, entry_json, 0);
	db_res_free(r);
}

void audit_verify_get(http_req *req)
{
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	audit_report rep;
	int rc = audit_verify(c, &rep);
	if (api_rc_or_reply(req, rc) < 0)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "valid", rc == 0);
	cJSON_AddNumberToObject(o, "entries", (double)rep.entries);
	cJSON_AddNumberToObject(o, "chains", (double)rep.chains);
	/* A chain cut short with no entry left has no bad entry to name, only a chain and place. */
	if (rc && rep.first_bad_seq)
		cJSON_AddNumberToObject(o, "first_bad_seq", (double)rep.first_bad_seq);
	else
		cJSON_AddNullToObject(o, "first_bad_seq");
	if (rc && rep.bad_chain >= 0) {
		cJSON_AddNumberToObject(o, "bad_chain", (double)rep.bad_chain);
		cJSON_AddNumberToObject(o, "bad_chain_seq", (double)rep.bad_chain_seq);
	} else {
		cJSON_AddNullToObject(o, "bad_chain");
		cJSON_AddNullToObject(o, "bad_chain_seq");
	}
	json_add_str_or_null(o, "reason", rc ? rep.reason : NULL);
	http_reply_data(req, 200, o, 0);
}
