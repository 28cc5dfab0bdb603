/* registry_read.c — reads answered like writes, without a transaction (see registry_read.h). */
#include "registry_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply_problem(http_req *req, tx_problem *p)
{
	cJSON *errors = p->fields.count ? verr_take(&p->fields) : NULL;
	char *body = http_problem_text(req, p->status, p->code, p->detail, errors, p->ext);
	p->ext = NULL;
	if (!body) {
		http_problem(req, 500, "internal", "the request could not be completed");
		return;
	}
	char headers[sizeof HTTP_API_HEADERS + sizeof p->headers];
	snprintf(headers, sizeof headers, HTTP_API_HEADERS "%s", p->headers);
	http_reply_raw(req, p->status, HTTP_PROBLEM_TYPE, body, strlen(body), headers);
	free(body);
}

void registry_read_or_reply(http_req *req, tx_fn fn, void *arg)
{
	db_conn *c = api_db(req);
	if (!c)
		return;
	tx t;
	memset(&t, 0, sizeof t);
	t.c = c;
	t.user = req->authed ? &req->user : NULL;
	t.client_ip = req->client_ip;
	t.if_match = http_header(req, "If-Match");
	int rc = fn(&t, arg);
	if (rc == 0 && t.empty) {
		http_reply_empty(req, t.status);
	} else if (rc == 0) {
		http_reply_data(req, t.status ? t.status : 200, t.data, t.version);
		t.data = NULL;
	} else if (rc == TX_REFUSED && t.prob.status) {
		reply_problem(req, &t.prob);
	} else {
		http_problem_db(req, rc == TX_REFUSED ? DB_ERROR : rc);
	}
	tx_done(&t);
}

int registry_db_or_reply(http_req *req, int rc)
{
	if (rc >= 0)
		return 0;
	http_problem_db(req, rc);
	return -1;
}

int registry_found_or_reply(http_req *req, int rc, const char *missing)
{
	if (rc > 0)
		return 0;
	if (rc == 0)
		http_problem(req, 404, "not_found", "%s", missing);
	else
		http_problem_db(req, rc);
	return -1;
}

db_res *registry_rows_or_reply(http_req *req, db_conn *c, const char *sql, const db_param *p, int np)
{
	db_res *r;
	int rc = db_query(c, sql, p, np, &r);
	return registry_db_or_reply(req, rc) < 0 ? NULL : r;
}
