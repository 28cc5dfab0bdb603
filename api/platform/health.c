/* health.c — liveness, readiness, metrics, and the API description. */
#include "api.h"
#include "embedded.h"
#include "migrate.h"
#include "outbox.h"

#include <stdlib.h>
#include <string.h>

void health_healthz(http_req *req)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ok");
	http_reply_json(req, 200, o);
}

void health_readyz(http_req *req)
{
	db_conn *c = db_get();
	if (!c) {
		http_problem_hdr(req, 503, "database_unavailable", "Retry-After: 5\r\n", "the database is unreachable");
		return;
	}
	int pending = migrate_pending(c);
	if (pending == DB_DOWN) {
		http_problem_hdr(req, 503, "database_unavailable", "Retry-After: 5\r\n",
		                 "the database does not answer");
		return;
	}
	if (pending < 0) {
		http_problem_hdr(req, 503, "migrations_pending", "Retry-After: 30\r\n",
		                 "the database has no schema yet: run sanzhid migrate");
		return;
	}
	if (pending > 0) {
		http_problem_hdr(req, 503, "migrations_pending", "Retry-After: 30\r\n",
		                 "%d migration(s) not applied: run sanzhid migrate", pending);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ready");
	http_reply_json(req, 200, o);
}

void health_metrics(http_req *req)
{
	char *http_text = http_metrics_render(), *text = NULL;
	if (http_text) {
		dynbuf b;
		buf_init(&b, strlen(http_text) + 4096);
		buf_adds(&b, http_text);
		outbox_metrics(&b);
		text = buf_take(&b, NULL);
		free(http_text);
	}
	if (!text) {
		/* Never a truncated text: a scraper would take the missing series for gone. */
		http_problem_hdr(req, 503, "metrics_unavailable", "Retry-After: 5\r\n",
		                 "the metrics could not be rendered now; retry shortly");
		return;
	}
	http_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text),
	               "Cache-Control: no-store\r\n");
	free(text);
}

void health_openapi(http_req *req)
{
	http_reply_raw(req, 200, "application/json; charset=utf-8", openapi_files[0].data, openapi_files[0].len,
	               "Cache-Control: no-cache\r\n");
}
