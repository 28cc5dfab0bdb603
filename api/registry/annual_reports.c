/* annual_reports.c — 年度工作报告 (SPEC §4; see annual_reports.h).
 *
 * Decisions:
 * - Only the previous year (by the clock) can be filed; earlier years are closed (422 wrong_year).
 * - An organization registered less than rule(annual_report_exempt_months) months before the end
 *   of the year is exempt; it may still file voluntarily. Such a report says "exempt": true and is
 *   never late. An organization registered after the year ended has nothing to report (422).
 * - Visibility: the owner, registrars and admins see the whole report; everyone else sees the
 *   year, filing and due dates, the late and exempt flags and the conclusion — not the accounts.
 */
#include "annual_reports.h"
#include "org_row.h"
#include "feed.h"
#include "orgs.h"
#include "registry_rules.h"
#include "tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_REPORT "there is no report for this year"

int64_t annual_reports_due_day(int year)
{
	int month = (int)rule(RULE_annual_report_due_month), day = (int)rule(RULE_annual_report_due_day);
	if (month < 1)
		month = 1;
	if (month > 12)
		month = 12;
	if (day < 1)
		day = 1;
	int64_t first = clock_days_from_civil(year + 1, month, 1);
	int64_t last = clock_add_months(first, 1) - 1;
	int64_t due = first + day - 1;
	return due > last ? last : due;
}

int64_t annual_reports_cutoff_day(int year)
{
	return clock_add_months(clock_days_from_civil(year, 12, 31), -(int)rule(RULE_annual_report_exempt_months));
}

int annual_reports_required(int year, int64_t registered_day)
{
	return registered_day <= annual_reports_cutoff_day(year);
}

int64_t annual_reports_start_day(int64_t registered_day, usec_t arrived_at)
{
	int64_t arrived = clock_local_day(arrived_at);
	return arrived > registered_day ? arrived : registered_day;
}

static int path_year_or_reply(http_req *req, int *year)
{
	const char *s = http_param(req, "year");
	if (!s || strlen(s) != 4 || strspn(s, "0123456789") != 4) {
		http_problem(req, 404, "not_found", NO_REPORT);
		return -1;
	}
	*year = atoi(s);
	return 0;
}

static int64_t date_day(const char *s)
{
	int64_t d = 0;
	if (!s || clock_parse_date(s, &d) < 0)
		return 0;
	return d;
}

/* --- the report row ----------------------------------------------------------------- */

#define REPORT_COLUMNS                                                                                                 \
	"r.year, r.assets_fen, r.liabilities_fen, r.income_fen, r.expense_fen, "                                       \
	"r.public_welfare_expense_fen, r.activities, r.staff, r.filed_at, r.due_date, r.late, "                        \
	"r.conclusion, r.conclusion_note, r.concluded_at, r.version, o.registered_at, r.uscc, o.owner_user_id"
enum report_col {
	RC_YEAR,
	RC_MONEY, /* five amounts from here, in the order of money_fields */
	RC_ACTIVITIES = RC_MONEY + 5,
	RC_STAFF,
	RC_FILED,
	RC_DUE,
	RC_LATE,
	RC_CONCLUSION,
	RC_NOTE,
	RC_CONCLUDED,
	RC_VERSION,
	RC_REGISTERED,
	RC_USCC,
	RC_OWNER,
};

static const char *const money_fields[] = { "assets_fen", "liabilities_fen", "income_fen", "expense_fen",
	                                    "public_welfare_expense_fen" };
enum { MONEY_EXPENSE = 3, MONEY_PUBLIC_WELFARE = 4 };

static const char *const conclusions[] = { "pass", "basic_pass", "fail", NULL };
enum report_conclusion { CONCLUSION_PASS, CONCLUSION_BASIC_PASS, CONCLUSION_FAIL };

static cJSON *report_json(const db_res *r, int i, int full)
{
	cJSON *o = cJSON_CreateObject();
	int year = (int)db_int(r, i, RC_YEAR);
	cJSON_AddStringToObject(o, "uscc", db_val(r, i, RC_USCC));
	cJSON_AddNumberToObject(o, "year", year);
	if (full) {
		for (int k = 0; k < 5; k++)
			cJSON_AddNumberToObject(o, money_fields[k], (double)db_int(r, i, RC_MONEY + k));
		cJSON_AddStringToObject(o, "activities", db_val(r, i, RC_ACTIVITIES));
		cJSON_AddNumberToObject(o, "staff", (double)db_int(r, i, RC_STAFF));
	}
	api_add_time(o, "filed_at", db_val(r, i, RC_FILED));
	cJSON_AddStringToObject(o, "due_date", db_val(r, i, RC_DUE));
	cJSON_AddBoolToObject(o, "late", db_int(r, i, RC_LATE) != 0);
	cJSON_AddBoolToObject(o, "exempt", !annual_reports_required(year, date_day(db_val(r, i, RC_REGISTERED))));
	json_add_str_or_null(o, "conclusion", db_val(r, i, RC_CONCLUSION));
	if (full)
		json_add_str_or_null(o, "conclusion_note", db_val(r, i, RC_NOTE));
	api_add_time(o, "concluded_at", db_val(r, i, RC_CONCLUDED));
	cJSON_AddNumberToObject(o, "version", (double)db_int(r, i, RC_VERSION));
	return o;
}

/* Whether u (NULL: not signed in) sees whole reports of an organization owned by owner_id (0:
 * nobody). */
static int sees_all(const auth_user *u, long long owner_id)
{
	if (!u)
		return 0;
	if (u->role_bit & (ROLE_REGISTRAR | ROLE_ADMIN))
		return 1;
	return (u->role_bit & ROLE_APPLICANT) && owner_id && owner_id == u->id;
}

/* Answers (with status) one report, as the caller may see it. */
static int report_answer(tx *t, const char *uscc, int year, int status)
{
	db_res *r;
	int rc = db_query(t->c,
	                  "SELECT " REPORT_COLUMNS " FROM annual_reports r JOIN orgs o ON o.uscc = r.uscc "
	                  "WHERE r.uscc = ? AND r.year = ?",
	                  DBP(DBS(uscc), DBI(year)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", NO_REPORT);
	}
	long long owner = db_isnull(r, 0, RC_OWNER) ? 0 : db_int(r, 0, RC_OWNER);
	cJSON *o = report_json(r, 0, sees_all(t->user, owner));
	long long version = db_int(r, 0, RC_VERSION);
	db_res_free(r);
	tx_answer(t, status, o, version);
	return 0;
}

/* --- filing ------------------------------------------------------------------------ */

typedef struct filing {
	const char *uscc;
	long long year, money[5], staff;
	const char *activities;
} filing;

static int file_report(tx *t, void *arg)
{
	const filing *a = arg;
	org_row org;
	int rc = orgs_lock_or_refuse(t, a->uscc, &org);
	if (rc)
		return rc;
	int owns = org.owner_user_id && t->user && org.owner_user_id == t->user->id;
	int registered = org.status == ORG_REGISTERED;
	int64_t reg_day = date_day(org.registered_at);
	org_row_free(&org);
	if (!owns)
		return tx_refuse(t, 403, "not_owner",
		                 "only the account that acts for this organization files its reports");
	if (!registered)
		return tx_refuse(t, 409, "org_deregistered", "a deregistered organization files no reports");
	usec_t now = clock_now();
	int64_t today = clock_local_day(now);
	int y, m, d;
	clock_civil_from_days(today, &y, &m, &d);
	verr v = { 0 };
	if (a->year != y - 1) {
		verr_add(&v, "year", "wrong_year", "the report filed now is the one for %d", y - 1);
		return tx_refuse_fields(t, 422, "wrong_year", "only last year's report can be filed", &v);
	}
	if (reg_day > clock_days_from_civil((int)a->year, 12, 31)) {
		verr_add(&v, "year", "not_registered_that_year", "the organization was registered after %lld", a->year);
		return tx_refuse_fields(t, 422, "not_registered_that_year", "there is nothing to report for that year",
		                        &v);
	}
	db_res *r;
	rc = db_query(t->c, "SELECT 1 FROM annual_reports WHERE uscc = ? AND year = ?", DBP(DBS(a->uscc), DBI(a->year)),
	              &r);
	if (rc)
		return rc;
	int exists = r->nrows > 0;
	db_res_free(r);
	if (exists)
		return tx_refuse(t, 409, "report_exists", "the report for %lld has been filed already", a->year);
	int64_t due = annual_reports_due_day((int)a->year);
	int required = annual_reports_required((int)a->year, reg_day);
	int late = required && today > due;
	char now_db[32], due_s[16];
	clock_fmt_db(now, now_db);
	clock_fmt_date(due, due_s);
	rc = db_exec(t->c,
	             "INSERT INTO annual_reports (uscc, year, assets_fen, liabilities_fen, income_fen, expense_fen, "
	             "public_welfare_expense_fen, activities, staff, filed_at, filed_by, due_date, late) "
	             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	             DBP(DBS(a->uscc), DBI(a->year), DBI(a->money[0]), DBI(a->money[1]), DBI(a->money[2]),
	                 DBI(a->money[3]), DBI(a->money[4]), DBS(a->activities), DBI(a->staff), DBS(now_db),
	                 DBI(t->user->id), DBS(due_s), DBI(late)),
	             NULL, NULL);
	if (rc == DB_DUP)
		return tx_refuse(t, 409, "report_exists", "the report for %lld has been filed already", a->year);
	/* The profile changed: a listing for this year's lateness now has its cause fixed (and the
	 * day by which a registrar removes it). A new version, every instance's cache dropped. */
	if (!rc)
		rc = db_exec(t->c, "UPDATE orgs SET version = version + 1, updated_at = ? WHERE uscc = ?",
		             DBP(DBS(now_db), DBS(a->uscc)), NULL, NULL);
	if (!rc)
		rc = orgs_touch(t->c);
	if (!rc)
		rc = feed_add(t->c, "org", a->uscc, "annual_report", NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "year", (double)a->year);
	cJSON_AddStringToObject(s, "due_date", due_s);
	cJSON_AddBoolToObject(s, "late", late);
	cJSON_AddBoolToObject(s, "exempt", !required);
	rc = audit_append(t->c, t->user, "annual_report.file", "org", a->uscc, s);
	cJSON_Delete(s);
	return rc ? rc : report_answer(t, a->uscc, (int)a->year, 201);
}

static void annual_reports_file(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	filing a = { 0 };
	a.uscc = uscc;
	verr v = { 0 };
	json_get_int(req->json, "year", &a.year, &v, "year", JSON_REQUIRED, 1949, 9999);
	for (int i = 0; i < 5; i++)
		json_get_int(req->json, money_fields[i], &a.money[i], &v, money_fields[i], JSON_REQUIRED, 0,
		             JSON_FEN_MAX);
	json_get_str(req->json, "activities", &a.activities, &v, "activities", JSON_REQUIRED, 1, 20000);
	json_get_int(req->json, "staff", &a.staff, &v, "staff", JSON_REQUIRED, 0, 10000000);
	static const char *const allowed[] = { "year",       "assets_fen",  "liabilities_fen",
		                               "income_fen", "expense_fen", "public_welfare_expense_fen",
		                               "activities", "staff",       NULL };
	json_only_fields(req->json, allowed, &v, NULL);
	/* Public-welfare spending is part of all spending (民政部 年度工作报告: 公益事业支出 ≤ 总支出). */
	if (a.money[MONEY_PUBLIC_WELFARE] > a.money[MONEY_EXPENSE] && !v.count)
		verr_add(&v, "public_welfare_expense_fen", "exceeds_expense",
		         "public_welfare_expense_fen (%lld) cannot be more than expense_fen (%lld)",
		         a.money[MONEY_PUBLIC_WELFARE], a.money[MONEY_EXPENSE]);
	if (a.activities && json_blank(a.activities))
		verr_add(&v, "activities", "required", "activities must say what the organization did");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the report is not valid", &v);
		return;
	}
	tx_run_or_reply(req, file_report, &a);
}

/* --- reading ----------------------------------------------------------------------- */

static void annual_reports_list(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	int limit;
	long long before;
	if (http_page_num_or_reply(req, &limit, &before, 100000) < 0)
		return;
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	org_row org;
	if (api_found_or_reply(req, org_row_get(c, uscc, 0, &org), ORGS_UNKNOWN) < 0)
		return;
	int full = sees_all(req->authed ? &req->user : NULL, org.owner_user_id);
	org_row_free(&org);
	db_res *r = api_rows_or_reply(req, c,
	                              "SELECT " REPORT_COLUMNS " FROM annual_reports r JOIN orgs o ON o.uscc = r.uscc "
	                              "WHERE r.uscc = ? AND r.year < ? ORDER BY r.year DESC LIMIT ?",
	                              DBP(DBS(uscc), DBI(before), DBI(limit + 1)));
	if (!r)
		return;
	cJSON *items = cJSON_CreateArray();
	int n = r->nrows > limit ? limit : r->nrows;
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(items, report_json(r, i, full));
	char next[32] = "";
	if (r->nrows > limit)
		http_cursor_encode(db_val(r, limit - 1, RC_YEAR), next, sizeof next);
	db_res_free(r);
	http_reply_list(req, items, *next ? next : NULL);
}

typedef struct report_key {
	const char *uscc;
	int year;
} report_key;

static int report_get(tx *t, void *arg)
{
	const report_key *k = arg;
	return report_answer(t, k->uscc, k->year, 200);
}

static void annual_reports_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	report_key k = { uscc, 0 };
	if (orgs_path_uscc_or_reply(req, uscc) < 0 || path_year_or_reply(req, &k.year) < 0)
		return;
	tx_read_or_reply(req, report_get, &k);
}

/* --- conclusion ---------------------------------------------------------------------- */

typedef struct conclusion {
	const char *uscc;
	int year;
	const char *conclusion, *note;
} conclusion;

static int conclude(tx *t, void *arg)
{
	const conclusion *a = arg;
	db_res *r;
	int rc = db_query(t->c, "SELECT version, conclusion FROM annual_reports WHERE uscc = ? AND year = ? FOR UPDATE",
	                  DBP(DBS(a->uscc), DBI(a->year)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", NO_REPORT);
	}
	long long version = db_int(r, 0, 0);
	int concluded = !db_isnull(r, 0, 1);
	db_res_free(r);
	if ((rc = tx_if_match(t, version)))
		return rc;
	if (concluded)
		return tx_refuse(t, 409, "already_concluded", "this report has been concluded already");
	char now[32];
	clock_fmt_db(clock_now(), now);
	rc = db_exec(
	        t->c,
	        "UPDATE annual_reports SET conclusion = ?, conclusion_note = ?, concluded_at = ?, concluded_by = ?, "
	        "version = version + 1 WHERE uscc = ? AND year = ?",
	        DBP(DBS(a->conclusion), DBS(a->note), DBS(now), DBI(t->user->id), DBS(a->uscc), DBI(a->year)), NULL,
	        NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "year", a->year);
	cJSON_AddStringToObject(s, "conclusion", a->conclusion);
	cJSON_AddNumberToObject(s, "version", (double)(version + 1));
	rc = audit_append(t->c, t->user, "annual_report.conclude", "org", a->uscc, s);
	cJSON_Delete(s);
	return rc ? rc : report_answer(t, a->uscc, a->year, 200);
}

static void annual_reports_conclude(http_req *req)
{
	char uscc[USCC_LEN + 1];
	conclusion a = { uscc, 0, NULL, NULL };
	if (orgs_path_uscc_or_reply(req, uscc) < 0 || path_year_or_reply(req, &a.year) < 0)
		return;
	verr v = { 0 };
	json_get_enum(req->json, "conclusion", &a.conclusion, conclusions, &v, "conclusion", JSON_REQUIRED);
	json_get_str(req->json, "note", &a.note, &v, "note", JSON_OPTIONAL, 0, 2000);
	static const char *const allowed[] = { "conclusion", "note", NULL };
	json_only_fields(req->json, allowed, &v, NULL);
	/* A failing report says why. */
	if (registry_choice(conclusions, a.conclusion) == CONCLUSION_FAIL && !(a.note && *a.note))
		verr_add(&v, "note", "required", "a failing conclusion needs a note saying why");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the conclusion is not valid", &v);
		return;
	}
	tx_run_or_reply(req, conclude, &a);
}

/* --- for the credit rules -------------------------------------------------------------- */

int annual_reports_missing_years(db_conn *c, const char *uscc, int *years, int max, int *n)
{
	*n = 0;
	db_res *r;
	int rc = db_query(c, "SELECT registered_at, created_at, deregistered_at, status FROM orgs WHERE uscc = ?",
	                  DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return 0;
	}
	usec_t arrived = 0;
	clock_parse(db_val(r, 0, 1), &arrived);
	int64_t start = annual_reports_start_day(date_day(db_val(r, 0, 0)), arrived);
	/* A deregistered organization owes what fell due before it left the register; one whose
	 * date of leaving was not recorded (imported so) owes nothing here. */
	int64_t until = clock_local_day(clock_now());
	if (strcmp(db_val(r, 0, 3), "registered"))
		until = db_val(r, 0, 2) ? date_day(db_val(r, 0, 2)) : start;
	db_res_free(r);
	int y0, y1, m, d;
	clock_civil_from_days(start, &y0, &m, &d);
	clock_civil_from_days(until, &y1, &m, &d);
	if (y1 - y0 > ANNUAL_MISSING_MAX)
		y0 = y1 - ANNUAL_MISSING_MAX;
	if ((rc = db_query(c, "SELECT year FROM annual_reports WHERE uscc = ? AND year >= ? ORDER BY year",
	                   DBP(DBS(uscc), DBI(y0)), &r)))
		return rc;
	int k = 0;
	for (int y = y0; y < y1 && *n < max; y++) {
		if (annual_reports_due_day(y) >= until || !annual_reports_required(y, start))
			continue;
		while (k < r->nrows && db_int(r, k, 0) < y)
			k++;
		if (k < r->nrows && db_int(r, k, 0) == y)
			continue;
		years[(*n)++] = y;
	}
	db_res_free(r);
	return 0;
}

/* --- routes ----------------------------------------------------------------------- */

const route annual_reports_routes[] = {
	{ "GET", "/api/v1/orgs/{uscc}/annual-reports", annual_reports_list, ROLES_PUBLIC, 0 },
	{ "POST", "/api/v1/orgs/{uscc}/annual-reports", annual_reports_file, ROLE_APPLICANT, R_JSON | R_IDEMPOTENT },
	{ "GET", "/api/v1/orgs/{uscc}/annual-reports/{year}", annual_reports_get, ROLES_PUBLIC, 0 },
	{ "POST", "/api/v1/orgs/{uscc}/annual-reports/{year}/conclusion", annual_reports_conclude, ROLE_REGISTRAR,
	  R_JSON },
	{ NULL, NULL, NULL, 0, 0 },
};
