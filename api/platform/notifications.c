/* notifications.c — in-app notifications and their mail (see notifications.h). */
#include "notifications.h"
#include "outbox.h"

#include <stdio.h>
#include <string.h>

int notify(db_conn *c, const notice *n)
{
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long added = 0;
	int rc = db_exec(c,
	                 "INSERT IGNORE INTO notifications (user_id, kind, object_type, object_id, subject, body, "
	                 "dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                 DBP(DBI(n->user_id), DBS(n->kind), DBS(n->object_type), DBS(n->object_id), DBS(n->subject),
	                     DBS(n->body), DBS(n->dedupe_key), DBS(now)),
	                 &added, NULL);
	if (rc)
		return rc;
	if (!added)
		return 1; /* told before (dedupe_key) */
	db_res *r;
	if ((rc = db_query(c, "SELECT email, disabled FROM users WHERE id = ?", DBP(DBI(n->user_id)), &r)))
		return rc;
	if (r->nrows == 1 && !db_isnull(r, 0, 0) && !db_int(r, 0, 1)) {
		outbox_msg m = { n->user_id, n->kind, db_val(r, 0, 0), n->subject, n->body, 0 };
		rc = outbox_enqueue(c, &m);
	}
	db_res_free(r);
	if (!rc)
		tx_test_crash("notify_written"); /* tests: the change and its mail stand or fall together */
	return rc;
}

/* --- the user's own list -------------------------------------------------------------------- */

#define NOTE_COLUMNS "id, kind, object_type, object_id, subject, body, created_at, read_at"
enum { NC_ID, NC_KIND, NC_OTYPE, NC_OID, NC_SUBJECT, NC_BODY, NC_CREATED, NC_READ };

static cJSON *note_json(const db_res *r, int i)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(r, i, NC_ID));
	cJSON_AddStringToObject(o, "kind", db_val(r, i, NC_KIND));
	json_add_str_or_null(o, "object_type", db_val(r, i, NC_OTYPE));
	json_add_str_or_null(o, "object_id", db_val(r, i, NC_OID));
	cJSON_AddStringToObject(o, "subject", db_val(r, i, NC_SUBJECT));
	cJSON_AddStringToObject(o, "body", db_val(r, i, NC_BODY));
	api_add_time(o, "created_at", db_val(r, i, NC_CREATED));
	api_add_time(o, "read_at", db_val(r, i, NC_READ));
	cJSON_AddBoolToObject(o, "read", !db_isnull(r, i, NC_READ));
	return o;
}

/* GET /api/v1/me/notifications?unread=true: newest first, with how many are unread. */
static void notes_list(http_req *req)
{
	char unread[8] = "";
	int got = http_query(req, "unread", unread, sizeof unread);
	if (got < 0 || (got > 0 && strcmp(unread, "true") && strcmp(unread, "false"))) {
		http_problem(req, 400, "invalid_unread", "unread is true or false");
		return;
	}
	int only_unread = got > 0 && !strcmp(unread, "true");
	int limit;
	long long before;
	if (http_page_num_or_reply(req, &limit, &before, 1LL << 62) < 0)
		return;
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	db_res *r = api_rows_or_reply(req, c,
	                              "SELECT " NOTE_COLUMNS " FROM notifications WHERE user_id = ? AND id < ? "
	                              "AND (? = 0 OR read_at IS NULL) ORDER BY id DESC LIMIT ?",
	                              DBP(DBI(req->user.id), DBI(before), DBI(only_unread), DBI(limit + 1)));
	if (!r)
		return;
	db_res *n =
	        api_rows_or_reply(req, c, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
	                          DBP(DBI(req->user.id)));
	if (!n) {
		db_res_free(r);
		return;
	}
	cJSON *body = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(body, "data");
	int shown = r->nrows > limit ? limit : r->nrows;
	for (int i = 0; i < shown; i++)
		cJSON_AddItemToArray(items, note_json(r, i));
	if (r->nrows > limit) {
		char key[24], next[64];
		snprintf(key, sizeof key, "%lld", db_int(r, limit - 1, NC_ID));
		http_cursor_encode(key, next, sizeof next);
		cJSON_AddStringToObject(body, "next_cursor", next);
	} else {
		cJSON_AddNullToObject(body, "next_cursor");
	}
	cJSON_AddNumberToObject(body, "unread_count", (double)db_int(n, 0, 0));
	db_res_free(n);
	db_res_free(r);
	http_reply_json(req, 200, body);
}

typedef struct mark {
	long long id; /* 0: all */
} mark;

static int mark_tx(tx *t, void *arg)
{
	const mark *m = arg;
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long changed = 0;
	if (m->id) {
		db_res *r;
		int rc = db_query(t->c, "SELECT read_at FROM notifications WHERE id = ? AND user_id = ? FOR UPDATE",
		                  DBP(DBI(m->id), DBI(t->user->id)), &r);
		if (rc)
			return rc;
		int found = r->nrows == 1;
		db_res_free(r);
		if (!found)
			return tx_refuse(t, 404, "not_found", "you have no such notification");
		rc = db_exec(t->c, "UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ?",
		             DBP(DBS(now), DBI(m->id)), NULL, NULL);
		if (rc)
			return rc;
		tx_answer_empty(t, 204);
		return 0;
	}
	int rc = db_exec(t->c, "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
	                 DBP(DBS(now), DBI(t->user->id)), &changed, NULL);
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "marked", (double)changed);
	tx_answer(t, 200, o, 0);
	return 0;
}

/* POST /api/v1/me/notifications/{id}/read */
static void notes_read_one(http_req *req)
{
	mark m;
	if (api_id_param_or_reply(req, "id", &m.id) < 0)
		return;
	tx_run_or_reply(req, mark_tx, &m);
}

/* POST /api/v1/me/notifications/read: every unread one. */
static void notes_read_all(http_req *req)
{
	mark m = { 0 };
	tx_run_or_reply(req, mark_tx, &m);
}

const route notifications_routes[] = {
	{ "GET", "/api/v1/me/notifications", notes_list, ROLES_ANY, 0 },
	{ "POST", "/api/v1/me/notifications/read", notes_read_all, ROLES_ANY, R_JSON_OPT | R_BODY_KIB(1) },
	{ "POST", "/api/v1/me/notifications/{id}/read", notes_read_one, ROLES_ANY, R_JSON_OPT | R_BODY_KIB(1) },
	{ NULL, NULL, NULL, 0, 0 },
};
