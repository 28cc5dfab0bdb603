/* credit_rules.c — the automatic rules of the credit lists: the table, and the one way each kind
 * of rule is applied (see credit_rules.h). */
#include "credit_rules.h"
#include "annual_reports.h"
#include "credit.h"
#include "feed.h"
#include "list_entry_flow.h"
#include "orgs.h"
#include "scheduler.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Organizations a listing transaction takes at most, and entries a lapse transaction. */
enum { LIST_BATCH = 5000, LAPSE_BATCH = 200, EVENT_BATCH = 100 };

/* Above every USCC (its alphabet ends at Y). */
static const char uscc_end[] = "ZZZZZZZZZZZZZZZZZZ";

/* Where a rule looks: organizations from..to (inclusive, in USCC order), at most limit rows;
 * year for the rules that run per report year; the day. */
typedef struct rule_scope {
	const char *from, *to;
	int year;
	int64_t today;
	int limit;
} rule_scope;

/* The values a rule's SQL is bound to live here while it runs. */
enum { BIND_MAX = 16 };
typedef struct rule_bind {
	db_param p[BIND_MAX];
	int n;
	char text[6][64];
} rule_bind;

typedef struct credit_rule credit_rule;
struct credit_rule {
	const char *name;
	enum le_list list; /* what it lists under: list and reason */
	const char *reason;
	/* What it selects, in USCC order: uscc, rule_key, evidence (JSON), listed_on; or for a rule
	 * that lapses entries: id, listed_on, the report's filed_at. */
	const char *select;
	void (*bind)(const credit_rule *r, const rule_scope *s, rule_bind *b);
	/* What else a batch of its listings changes, bound to the batch (BATCH_TABLE) and the rule's
	 * name; NULL: nothing. */
	const char *then;
	int lapses;   /* removes instead of lists */
	int per_year; /* runs once per report year, over the whole register, and marks it done */
	int on_event; /* also in a penalty's own transaction */
};

static const char *st_listed(void)
{
	return fsm_state_name(&list_entry_flow, LE_listed);
}

static const char *bind_text(rule_bind *b, int k, const char *fmt, long long v)
{
	snprintf(b->text[k], sizeof b->text[k], fmt, v);
	return b->text[k];
}

static const char *bind_day(rule_bind *b, int k, int64_t day)
{
	clock_fmt_date(day, b->text[k]);
	return b->text[k];
}

#define BIND(x) (b->p[b->n++] = (x))

/* [[uscc, rule_key, evidence, listed_on], …] */
#define BATCH_TABLE                                                                                                    \
	"JSON_TABLE(?, '$[*]' COLUMNS (uscc CHAR(18) CHARACTER SET ascii COLLATE ascii_bin PATH '$[0]', "              \
	"rule_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin PATH '$[1]', "                                     \
	"evidence TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$[2]', listed_on DATE PATH '$[3]')) j"

/* --- annual_report_late ------------------------------------------------------------------ */

/* SPEC §4, Appendix B: owed for a year by an organization registered, from the later of its
 * registration and its arrival, by the year's cutoff (annual_report_exempt_months before year
 * end); not filed by the due day (none, or one filed late). */
static const char sql_annual_late[] =
        "SELECT o.uscc, ?, ?, ? FROM orgs o LEFT JOIN annual_reports r ON r.uscc = o.uscc AND r.year = ? "
        "WHERE o.uscc >= ? AND o.uscc <= ? AND o.status = 'registered' AND o.registered_at <= ? "
        "AND o.created_at < ? AND (r.id IS NULL OR r.late = 1) "
        "AND NOT EXISTS (SELECT 1 FROM list_entries le WHERE le.uscc = o.uscc AND le.rule = ? AND le.rule_key = ?) "
        "ORDER BY o.uscc LIMIT ?";

static void bind_annual_late(const credit_rule *r, const rule_scope *s, rule_bind *b)
{
	int64_t cutoff = annual_reports_cutoff_day(s->year);
	const char *key = bind_text(b, 0, "%lld", s->year);
	bind_text(b, 1, "{\"years\":[%lld]}", s->year);
	BIND(DBS(key));
	BIND(DBS(b->text[1]));
	BIND(DBS(bind_day(b, 2, annual_reports_due_day(s->year) + 1)));
	BIND(DBI(s->year));
	BIND(DBS(s->from));
	BIND(DBS(s->to));
	BIND(DBS(bind_day(b, 3, cutoff)));
	/* arrived by the end of the cutoff day, the daemon's local day */
	clock_fmt_db(clock_local_midnight(cutoff + 1), b->text[4]);
	BIND(DBS(b->text[4]));
	BIND(DBS(r->name));
	BIND(DBS(key));
	BIND(DBI(s->limit));
}

/* --- annual_report_late_lapse ------------------------------------------------------------ */

/* SPEC §5: removed automatically abnormal_auto_removal_months after listing when the cause was
 * only the late report and it has since been filed. */
static const char sql_annual_lapse[] =
        "SELECT le.id, le.listed_on, r.filed_at FROM annual_reports r JOIN list_entries le ON le.uscc = r.uscc "
        "AND le.rule = ? AND le.rule_key = CAST(r.year AS CHAR) WHERE r.late = 1 AND le.status = ? "
        "AND le.listed_on + INTERVAL ? MONTH <= ? AND r.uscc >= ? AND r.uscc <= ? ORDER BY le.id LIMIT ?";

static void bind_annual_lapse(const credit_rule *r, const rule_scope *s, rule_bind *b)
{
	(void)r;
	BIND(DBS("annual_report_late"));
	BIND(DBS(st_listed()));
	BIND(DBI(rule(RULE_abnormal_auto_removal_months)));
	BIND(DBS(bind_day(b, 0, s->today)));
	BIND(DBS(s->from));
	BIND(DBS(s->to));
	BIND(DBI(s->limit));
}

/* --- repeated_penalties ------------------------------------------------------------------ */

/* A penalty counts when it is a warning or a fine below abnormal_small_fine_limit_fen. For each
 * counting penalty e, the counting penalties decided within the window before it (e itself, and
 * those decided the same day recorded before it); where they reach the count, the latest such e
 * of the organization that no entry of the rule stands for yet (rule_key: a later penalty than
 * any before) lists it. */
#define COUNTS_E "(e.penalty_type = 'warning' OR (e.penalty_type = 'fine' AND e.fine_fen < ?))"
#define COUNTS_E2 "(e2.penalty_type = 'warning' OR (e2.penalty_type = 'fine' AND e2.fine_fen < ?))"
/* each counting penalty e with the counting penalties of its window up to it */
#define WINDOWS                                                                                                        \
	"SELECT e.uscc, e.id, GROUP_CONCAT(e2.id ORDER BY e2.decided_on, e2.id) AS ids, COUNT(*) AS n "                \
	"FROM credit_events e JOIN credit_events e2 ON e2.uscc = e.uscc AND e2.kind = 'penalty' AND " COUNTS_E2        \
	" AND e2.decided_on >= e.decided_on - INTERVAL ? YEAR "                                                        \
	"AND (e2.decided_on < e.decided_on OR (e2.decided_on = e.decided_on AND e2.id <= e.id)) "                      \
	"WHERE e.kind = 'penalty' AND " COUNTS_E                                                                       \
	" AND e.uscc >= ? AND e.uscc <= ? GROUP BY e.uscc, e.id HAVING n >= ?"
/* of those that reach the count, the latest of each organization after any the rule listed for */
#define LATEST_NEW                                                                                                     \
	"SELECT w.uscc, w.id, w.ids, ROW_NUMBER() OVER (PARTITION BY w.uscc ORDER BY w.id DESC) AS rn "                \
	"FROM (" WINDOWS ") w WHERE w.id > (SELECT COALESCE(MAX(CAST(le.rule_key AS UNSIGNED)), 0) "                   \
	"FROM list_entries le WHERE le.uscc = w.uscc AND le.rule = ?)"
static const char sql_repeated[] = "SELECT x.uscc, x.id, CONCAT('{\"event_ids\":[', x.ids, ']}'), ? FROM (" LATEST_NEW
                                   ") x JOIN orgs o ON o.uscc = x.uscc AND o.status = 'registered' "
                                   "WHERE x.rn = 1 ORDER BY x.uscc LIMIT ?";

static void bind_repeated(const credit_rule *r, const rule_scope *s, rule_bind *b)
{
	BIND(DBS(bind_day(b, 0, s->today)));
	BIND(DBI(rule(RULE_abnormal_small_fine_limit_fen)));
	BIND(DBI(rule(RULE_serious_warnings_window_years)));
	BIND(DBI(rule(RULE_abnormal_small_fine_limit_fen)));
	BIND(DBS(s->from));
	BIND(DBS(s->to));
	BIND(DBI(rule(RULE_serious_warnings_count)));
	BIND(DBS(r->name));
	BIND(DBI(s->limit));
}

/* --- abnormal_two_years ------------------------------------------------------------------ */

/* SPEC §5: on the abnormal list serious_after_abnormal_years → serious, on the day they are full. */
static const char sql_abnormal_two[] =
        "SELECT a.uscc, CAST(a.id AS CHAR), CONCAT('{\"list_entry_ids\":[', a.id, ']}'), "
        "a.listed_on + INTERVAL ? MONTH FROM list_entries a JOIN orgs o ON o.uscc = a.uscc AND "
        "o.status = 'registered' WHERE a.list = ? AND a.status = ? AND a.followed_by IS NULL AND a.listed_on <= ? "
        "AND a.listed_on + INTERVAL ? MONTH <= ? AND a.uscc >= ? AND a.uscc <= ? "
        "AND NOT EXISTS (SELECT 1 FROM list_entries s WHERE s.uscc = a.uscc AND s.rule = ? "
        "AND s.rule_key = CAST(a.id AS CHAR)) ORDER BY a.uscc, a.id LIMIT ?";

static void bind_abnormal_two(const credit_rule *r, const rule_scope *s, rule_bind *b)
{
	long long months = 12 * rule(RULE_serious_after_abnormal_years);
	BIND(DBI(months));
	BIND(DBS(le_lists[LE_ABNORMAL]));
	BIND(DBS(st_listed()));
	BIND(DBS(bind_day(b, 0, clock_add_months(s->today, -(int)months) + 3)));
	BIND(DBI(months));
	BIND(DBS(bind_day(b, 1, s->today)));
	BIND(DBS(s->from));
	BIND(DBS(s->to));
	BIND(DBS(r->name));
	BIND(DBI(s->limit));
}

/* The abnormal entries the batch followed up (rule_key: their ids) point to their serious entry. */
static const char sql_abnormal_followed[] =
        "UPDATE list_entries a JOIN " BATCH_TABLE " ON a.id = CAST(j.rule_key AS UNSIGNED) JOIN list_entries s "
        "ON s.uscc = j.uscc AND s.rule = ? AND s.rule_key = j.rule_key SET a.followed_by = s.id";

/* --- the table ----------------------------------------------------------------------------- */

/* In the order they run: a lapse before the listings (an entry that lapses today does not count
 * towards two years), the year's listings before the two years that build on them. */
static const credit_rule rules[] = {
	{ "annual_report_late_lapse", LE_ABNORMAL, "annual_report_late", sql_annual_lapse, bind_annual_lapse, NULL, 1,
	  0, 0 },
	{ "annual_report_late", LE_ABNORMAL, "annual_report_late", sql_annual_late, bind_annual_late, NULL, 0, 1, 0 },
	{ "repeated_penalties", LE_SERIOUS, "repeated_penalties", sql_repeated, bind_repeated, NULL, 0, 0, 1 },
	{ "abnormal_two_years", LE_SERIOUS, "abnormal_two_years", sql_abnormal_two, bind_abnormal_two,
	  sql_abnormal_followed, 0, 0, 0 },
};

static int rule_select(db_conn *c, const credit_rule *r, const rule_scope *s, db_res **out)
{
	rule_bind b = { .n = 0 };
	r->bind(r, s, &b);
	return db_query(c, r->select, b.p, b.n, out);
}

/* --- listing a batch ----------------------------------------------------------------------- */

static char *batch_json(const db_res *c, const char *const *keep)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; a && i < c->nrows; i++) {
		if (keep && !keep[i])
			continue;
		cJSON *row = cJSON_CreateArray();
		for (int k = 0; k < 4; k++)
			cJSON_AddItemToArray(row, cJSON_CreateString(db_val(c, i, k) ? db_val(c, i, k) : ""));
		cJSON_AddItemToArray(a, row);
	}
	char *s = a ? json_print(a) : NULL;
	cJSON_Delete(a);
	return s;
}

static int row_in(const db_res *r, const char *uscc, const char *key)
{
	for (int i = 0; i < r->nrows; i++)
		if (!strcmp(db_val(r, i, 0), uscc) && (!key || !strcmp(db_val(r, i, 1), key)))
			return 1;
	return 0;
}

/* Inside a transaction: lists the candidates cand (rows of the rule's select) that are still to
 * be listed: their organizations locked and registered, no entry of the rule for the fact yet.
 * Then each listing's history, the organizations' versions, the cache, and one audit entry.
 * *changed: how many it listed; their entries appended to consequences when not NULL. */
static int list_batch(tx *t, const credit_rule *r, const db_res *cand, cJSON *consequences, long long *changed)
{
	*changed = 0;
	if (!cand->nrows)
		return 0;
	char *all = batch_json(cand, NULL), *todo = NULL;
	const char **keep = calloc((size_t)cand->nrows, sizeof *keep);
	db_res *locked = NULL, *done = NULL, *made = NULL;
	cJSON *summary = NULL;
	int rc = DB_ERROR;
	if (!all || !keep)
		goto out;
	if ((rc = db_query(t->c,
	                   "SELECT o.uscc FROM " BATCH_TABLE " JOIN orgs o ON o.uscc = j.uscc WHERE o.status = "
	                   "'registered' ORDER BY o.uscc FOR UPDATE",
	                   DBP(DBS(all)), &locked)))
		goto out;
	if ((rc = db_query(t->c,
	                   "SELECT x.uscc, x.rule_key FROM " BATCH_TABLE
	                   " JOIN list_entries x ON x.uscc = j.uscc AND x.rule = ? AND x.rule_key = j.rule_key",
	                   DBP(DBS(all), DBS(r->name)), &done)))
		goto out;
	int n = 0;
	for (int i = 0; i < cand->nrows; i++)
		if (row_in(locked, db_val(cand, i, 0), NULL) && !row_in(done, db_val(cand, i, 0), db_val(cand, i, 1)))
			keep[i] = "", n++;
	if (!n) {
		rc = 0;
		goto out;
	}
	rc = DB_ERROR;
	if (!(todo = batch_json(cand, keep)))
		goto out;
	char now[32];
	clock_fmt_db(clock_now(), now);
	if ((rc = db_exec(t->c,
	                  "INSERT INTO list_entries (uscc, list, reason, rule, rule_key, evidence, listed_on, status, "
	                  "version, actor_id, created_at, updated_at) SELECT j.uscc, ?, ?, ?, j.rule_key, j.evidence, "
	                  "j.listed_on, ?, 1, NULL, ?, ? FROM " BATCH_TABLE,
	                  DBP(DBS(le_lists[r->list]), DBS(r->reason), DBS(r->name), DBS(st_listed()), DBS(now),
	                      DBS(now), DBS(todo)),
	                  NULL, NULL)))
		goto out;
	/* The register's org_lists, as le_insert keeps it (sql/0016). */
	if ((rc = db_exec(t->c, "INSERT IGNORE INTO org_lists (list, uscc) SELECT DISTINCT ?, j.uscc FROM " BATCH_TABLE,
	                  DBP(DBS(le_lists[r->list]), DBS(todo)), NULL, NULL)))
		goto out;
	/* The public history: as le_insert writes it, [{field: "lists.<list>", old: null, new: reason}]. */
	char changes[160];
	snprintf(changes, sizeof changes, "[{\"field\":\"lists.%s\",\"old\":null,\"new\":\"%s\"}]", le_lists[r->list],
	         r->reason);
	if ((rc = db_exec(t->c,
	                  "INSERT INTO org_events (uscc, type, at, effective_date, reason, changes, actor_id) "
	                  "SELECT j.uscc, 'listing', ?, j.listed_on, ?, ?, NULL FROM " BATCH_TABLE,
	                  DBP(DBS(now), DBS(r->reason), DBS(changes), DBS(todo)), NULL, NULL)))
		goto out;
	/* The open data (feed.h): each organization's history, and each new entry of the list. */
	if ((rc = db_exec(t->c, FEED_INSERT "SELECT ?, 'org', j.uscc, 'listing', NULL FROM " BATCH_TABLE,
	                  DBP(DBS(now), DBS(todo)), NULL, NULL)) ||
	    (rc = db_exec(t->c,
	                  FEED_INSERT
	                  "SELECT ?, 'credit', x.id, 'list', ? FROM " BATCH_TABLE
	                  " JOIN list_entries x ON x.uscc = j.uscc AND x.rule = ? AND x.rule_key = j.rule_key "
	                  "ORDER BY x.id",
	                  DBP(DBS(now), DBS(st_listed()), DBS(todo), DBS(r->name)), NULL, NULL)))
		goto out;
	feed_written();
	if (r->then && (rc = db_exec(t->c, r->then, DBP(DBS(todo), DBS(r->name)), NULL, NULL)))
		goto out;
	if ((rc = db_exec(t->c,
	                  "UPDATE orgs o JOIN (SELECT DISTINCT j.uscc FROM " BATCH_TABLE
	                  ") b ON b.uscc = o.uscc SET o.version = o.version + 1, o.updated_at = ?",
	                  DBP(DBS(todo), DBS(now)), NULL, NULL)))
		goto out;
	/* What was made: as answered when a penalty's transaction asks, else what the audit names. */
	if ((rc = db_query(t->c,
	                   consequences ? "SELECT " LE_COLUMNS
	                                  " FROM list_entries WHERE id IN (SELECT x.id FROM " BATCH_TABLE
	                                  " JOIN list_entries x ON x.uscc = j.uscc AND x.rule = ? AND x.rule_key = "
	                                  "j.rule_key) ORDER BY uscc, id"
	                                : "SELECT x.id, x.uscc, x.rule_key, x.listed_on FROM " BATCH_TABLE
	                                  " JOIN list_entries x ON x.uscc = j.uscc AND x.rule = ? AND x.rule_key = "
	                                  "j.rule_key ORDER BY x.uscc, x.id",
	                   DBP(DBS(todo), DBS(r->name)), &made)))
		goto out;
	rc = DB_ERROR;
	summary = cJSON_CreateObject();
	cJSON *entries = cJSON_AddArrayToObject(summary, "entries");
	if (!entries)
		goto out;
	cJSON_AddStringToObject(summary, "rule", r->name);
	cJSON_AddStringToObject(summary, "list", le_lists[r->list]);
	cJSON_AddStringToObject(summary, "reason", r->reason);
	for (int i = 0; i < made->nrows; i++) {
		cJSON *e = cJSON_CreateObject();
		int full = consequences != NULL;
		cJSON_AddNumberToObject(e, "id", (double)db_int(made, i, full ? LC_ID : 0));
		cJSON_AddStringToObject(e, "org_uscc", db_val(made, i, full ? LC_USCC : 1));
		cJSON_AddStringToObject(e, "rule_key", db_val(made, i, full ? LC_RULE_KEY : 2));
		cJSON_AddStringToObject(e, "listed_on", db_val(made, i, full ? LC_LISTED : 3));
		cJSON_AddItemToArray(entries, e);
		if (full)
			cJSON_AddItemToArray(consequences, le_json(made, i));
	}
	cJSON_AddNumberToObject(summary, "count", made->nrows);
	/* Last, so that parallel batches queue on the shared rows (the cache generation, the
	 * audit chain's head) only for the end of their transactions. */
	if ((rc = audit_append(t->c, t->user, "credit_rule.list", "credit_rule", r->name, summary)) ||
	    (rc = orgs_touch(t->c)))
		goto out;
	*changed = made->nrows;
out:
	cJSON_Delete(summary);
	db_res_free(made);
	db_res_free(done);
	db_res_free(locked);
	free(keep);
	free(todo);
	free(all);
	return rc;
}

typedef struct batch_call {
	const credit_rule *rule;
	const db_res *cand;
	long long changed;
} batch_call;

static int list_batch_tx(tx *t, void *arg)
{
	batch_call *b = arg;
	return list_batch(t, b->rule, b->cand, NULL, &b->changed);
}

/* --- lapsing a batch ----------------------------------------------------------------------- */

/* The day a lapse takes effect: the rule's months after the listing, or the filing if later. */
static int64_t lapse_day(const db_res *cand, int i)
{
	int64_t listed = 0;
	usec_t filed = 0;
	clock_parse_date(db_val(cand, i, 1), &listed);
	clock_parse(db_val(cand, i, 2), &filed);
	int64_t due = clock_add_months(listed, (int)rule(RULE_abnormal_auto_removal_months));
	int64_t f = clock_local_day(filed);
	return f > due ? f : due;
}

static int lapse_batch_tx(tx *t, void *arg)
{
	batch_call *b = arg;
	b->changed = 0;
	for (int i = 0; i < b->cand->nrows; i++) {
		char reason[200], filed[16];
		int64_t on = lapse_day(b->cand, i);
		usec_t at = 0;
		clock_parse(db_val(b->cand, i, 2), &at);
		clock_fmt_date(clock_local_day(at), filed);
		snprintf(reason, sizeof reason, "年度工作报告已于%s补报，列入满%lld个月后自动移出", filed,
		         rule(RULE_abnormal_auto_removal_months));
		le_args a = { .reason = reason, .rule = b->rule->name, .on = on };
		/* Removed meanwhile (by a registrar, by another instance): nothing left to do. */
		db_res *cur;
		int rc = db_query(t->c, "SELECT status FROM list_entries WHERE id = ? FOR UPDATE",
		                  DBP(DBI(db_int(b->cand, i, 0))), &cur);
		if (rc)
			return rc;
		int listed = cur->nrows == 1 && !strcmp(db_val(cur, 0, 0), st_listed());
		db_res_free(cur);
		if (!listed)
			continue;
		if ((rc = fsm_exec(t, &list_entry_flow, db_int(b->cand, i, 0), LE_DO_lapse, &a, NULL)))
			return rc;
		b->changed++;
	}
	return 0;
}

/* --- the sweep ----------------------------------------------------------------------------- */

/* Runs rule r over the organizations from..to (inclusive) in batches, each in a transaction of
 * its own. */
static int rule_pass(const credit_rule *r, int year, int64_t today, const char *from, const char *to,
                     long long *changed)
{
	char after[USCC_LEN + 1];
	snprintf(after, sizeof after, "%s", from);
	int limit = r->lapses ? LAPSE_BATCH : LIST_BATCH;
	for (;;) {
		db_conn *c = db_get();
		if (!c)
			return DB_DOWN;
		rule_scope s = { .from = after, .to = to, .year = year, .today = today, .limit = limit };
		db_res *cand;
		int rc = rule_select(c, r, &s, &cand);
		if (rc)
			return rc;
		int n = cand->nrows;
		batch_call b = { .rule = r, .cand = cand };
		tx t;
		rc = n ? tx_run(NULL, r->lapses ? lapse_batch_tx : list_batch_tx, &b, &t) : 0;
		if (n)
			tx_done(&t);
		/* Onwards from the last organization seen: its rows are in the batch, or left for the
		 * next, which the select then finds again (it skips what is done). */
		char last[USCC_LEN + 1] = "";
		if (n && !r->lapses)
			snprintf(last, sizeof last, "%s", db_val(cand, n - 1, 0));
		db_res_free(cand);
		if (rc)
			return rc;
		*changed += b.changed;
		if (n < limit)
			return 0;
		if (r->lapses) {
			/* lapsed entries leave the select; one that would not lapse stops the pass */
			if (!b.changed)
				return 0;
			continue;
		}
		if (!strcmp(last, after) && !b.changed)
			return 0; /* nothing moves: do not loop */
		snprintf(after, sizeof after, "%s", last);
	}
}

/* A pass over the whole register runs in parts this many at once, on ranges of organizations of
 * equal size: the database does the work, and it has more than one core. */
enum { PASS_PARTS = 2 };

typedef struct pass_part {
	const credit_rule *r;
	int year;
	int64_t today;
	char from[USCC_LEN + 1], to[USCC_LEN + 1];
	long long changed;
	int rc;
	pthread_t tid;
} pass_part;

static void pass_part_run(pass_part *p)
{
	p->rc = rule_pass(p->r, p->year, p->today, p->from, p->to, &p->changed);
}

static void *pass_part_thread(void *arg)
{
	pass_part_run(arg);
	db_release();
	return NULL;
}

/* Rule r over the whole register (orgs organizations), in up to PASS_PARTS ranges at once. */
static int register_pass(const credit_rule *r, int year, int64_t today, long long orgs, long long *changed)
{
	pass_part parts[PASS_PARTS];
	int nparts = orgs >= 2 * LIST_BATCH ? PASS_PARTS : 1;
	for (int i = 0; i < PASS_PARTS; i++)
		parts[i] = (pass_part){ .r = r, .year = year, .today = today };
	for (int i = 1; i < nparts; i++) {
		/* two organizations in a row: the last of the part before, the first of this one */
		db_res *res;
		db_conn *c = db_get();
		if (!c)
			return DB_DOWN;
		int rc = db_query(c, "SELECT uscc FROM orgs ORDER BY uscc LIMIT 2 OFFSET ?",
		                  DBP(DBI(orgs * i / nparts - 1)), &res);
		if (rc)
			return rc;
		if (res->nrows < 2) {
			db_res_free(res);
			nparts = i;
			break;
		}
		snprintf(parts[i - 1].to, sizeof parts[i - 1].to, "%s", db_val(res, 0, 0));
		snprintf(parts[i].from, sizeof parts[i].from, "%s", db_val(res, 1, 0));
		db_res_free(res);
	}
	snprintf(parts[nparts - 1].to, sizeof parts[nparts - 1].to, "%s", uscc_end);
	/* The first part in this thread, the others each in a thread of its own; a part whose
	 * thread cannot be made runs here after it. */
	int threaded[PASS_PARTS] = { 0 };
	for (int i = 1; i < nparts; i++)
		threaded[i] = pthread_create(&parts[i].tid, NULL, pass_part_thread, &parts[i]) == 0;
	pass_part_run(&parts[0]);
	int rc = parts[0].rc;
	for (int i = 1; i < nparts; i++) {
		if (threaded[i])
			pthread_join(parts[i].tid, NULL);
		else
			pass_part_run(&parts[i]);
		if (parts[i].rc && !rc)
			rc = parts[i].rc;
	}
	for (int i = 0; i < nparts; i++)
		*changed += parts[i].changed;
	return rc;
}

/* The rule values a per-year pass depends on. */
static void year_params(char *out, size_t n)
{
	snprintf(out, n, "due=%lld-%lld;exempt=%lld", rule(RULE_annual_report_due_month),
	         rule(RULE_annual_report_due_day), rule(RULE_annual_report_exempt_months));
}

/* A per-year rule: every year from the first any organization can owe to the last whose due day
 * has passed, unless a mark says all of them were done with this many organizations and these
 * rule values (see sql/0014_credit_rules.sql). */
static int per_year_pass(const credit_rule *r, int64_t today, long long *changed)
{
	int y, m, d;
	clock_civil_from_days(today, &y, &m, &d);
	int last = today > annual_reports_due_day(y - 1) ? y - 1 : y - 2;
	char params[120], through[16];
	year_params(params, sizeof params);
	snprintf(through, sizeof through, "%d", last);
	db_conn *c = db_get();
	if (!c)
		return DB_DOWN;
	db_res *res;
	int rc = db_query(c,
	                  "SELECT COUNT(*), (SELECT orgs FROM credit_rule_marks WHERE rule = ? AND through >= ? AND "
	                  "params = ?) FROM orgs",
	                  DBP(DBS(r->name), DBI(last), DBS(params)), &res);
	if (rc)
		return rc;
	long long orgs = db_int(res, 0, 0);
	int marked = db_val(res, 0, 1) && db_int(res, 0, 1) == orgs;
	db_res_free(res);
	if (marked || !orgs)
		return 0;
	/* No organization owes for a year before the first arrival on the platform. */
	if ((rc = db_query(c, "SELECT MIN(created_at) FROM orgs", DBNONE, &res)))
		return rc;
	usec_t first_at = 0;
	if (db_val(res, 0, 0))
		clock_parse(db_val(res, 0, 0), &first_at);
	db_res_free(res);
	int first;
	clock_civil_from_days(clock_local_day(first_at), &first, &m, &d);
	for (int year = first; year <= last; year++)
		if ((rc = register_pass(r, year, today, orgs, changed)))
			return rc;
	char now[32];
	clock_fmt_db(clock_now(), now);
	return db_exec(c,
	               "INSERT INTO credit_rule_marks (rule, through, orgs, params, done_at) VALUES (?, ?, ?, ?, ?) "
	               "ON DUPLICATE KEY UPDATE through = VALUES(through), orgs = VALUES(orgs), params = "
	               "VALUES(params), done_at = VALUES(done_at)",
	               DBP(DBS(r->name), DBI(last), DBI(orgs), DBS(params), DBS(now)), NULL, NULL);
}

int credit_rules_run(cJSON *report)
{
	int64_t today = clock_local_day(clock_now());
	int first_rc = 0;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		long long changed = 0;
		int rc = rules[i].per_year ? per_year_pass(&rules[i], today, &changed)
		                           : rule_pass(&rules[i], 0, today, "", uscc_end, &changed);
		sched_report(report, rules[i].name, changed);
		if (rc && !first_rc)
			first_rc = rc;
	}
	return first_rc;
}

int credit_rules_after_event(tx *t, const char *uscc, cJSON *consequences)
{
	int64_t today = clock_local_day(clock_now());
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		if (!rules[i].on_event)
			continue;
		rule_scope s = { .from = uscc, .to = uscc, .today = today, .limit = EVENT_BATCH };
		db_res *cand;
		int rc = rule_select(t->c, &rules[i], &s, &cand);
		if (rc)
			return rc;
		long long changed;
		rc = list_batch(t, &rules[i], cand, consequences, &changed);
		db_res_free(cand);
		if (rc)
			return rc;
	}
	return 0;
}
