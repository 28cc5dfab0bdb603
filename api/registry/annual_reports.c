/* annual_reports.c — 年度工作报告 (SPEC §4): the owning applicant files the report for the previous
 * year, due rule(annual_report_due_month)/rule(annual_report_due_day) of the following year; a
 * registrar concludes it pass | basic_pass | fail.
 *
 * Decisions:
 * - Only the previous year (by the clock) can be filed; earlier years are closed (422 wrong_year).
 * - An organization registered less than rule(annual_report_exempt_months) months before the end
 *   of the year is exempt; it may still file voluntarily. Such a report says "exempt": true and is
 *   never late. An organization registered after the year ended has nothing to report (422).
 * - Visibility: the owner, registrars and admins see the whole report; everyone else sees the
 *   year, filing and due dates, the late and exempt flags and the conclusion — not the accounts.
 */
#include "orgs.h"
#include "uscc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int annual_reports_required(int year, int64_t registered_day)
{
	int64_t cutoff = clock_add_months(clock_days_from_civil(year, 12, 31), -(int)rule(RULE_annual_report_exempt_months));
	return registered_day <= cutoff;
}

static int path_year(http_req *req, int *year)
{
	const char *s = http_param(req, "year");
	if (!s || strlen(s) != 4 || strspn(s, "0123456789") != 4) {
		http_problem(req, 404, "not_found", "there is no report for this year");
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

#define REPORT_COLS                                                                                  \
	"r.year, r.assets_fen, r.liabilities_fen, r.income_fen, r.expense_fen, "                        \
	"r.public_welfare_expense_fen, r.activities, r.staff, r.filed_at, r.due_date, r.late, "       \
	"r.conclusion, r.conclusion_note, r.concluded_at, r.version, o.registered_at, r.uscc"

static cJSON *report_json(const db_res *r, int i, int full)
{
	cJSON *o = cJSON_CreateObject();
	int year = (int)db_int(r, i, 0);
	cJSON_AddStringToObject(o, "uscc", db_val(r, i, 16));
	cJSON_AddNumberToObject(o, "year", year);
	if (full) {
		static const char *const money[] = { "assets_fen", "liabilities_fen", "income_fen", "expense_fen",
		                                     "public_welfare_expense_fen" };
		for (int k = 0; k < 5; k++)
			cJSON_AddNumberToObject(o, money[k], (double)db_int(r, i, 1 + k));
		cJSON_AddStringToObject(o, "activities", db_val(r, i, 6));
		cJSON_AddNumberToObject(o, "staff", (double)db_int(r, i, 7));
	}
	api_add_time(o, "filed_at", db_val(r, i, 8));
	cJSON_AddStringToObject(o, "due_date", db_val(r, i, 9));
	cJSON_AddBoolToObject(o, "late", db_int(r, i, 10) != 0);
	cJSON_AddBoolToObject(o, "exempt", !annual_reports_required(year, date_day(db_val(r, i, 15))));
	json_add_str_or_null(o, "conclusion", db_val(r, i, 11));
	if (full)
		json_add_str_or_null(o, "conclusion_note", db_val(r, i, 12));
	api_add_time(o, "concluded_at", db_val(r, i, 13));
	cJSON_AddNumberToObject(o, "version", (double)db_int(r, i, 14));
	return o;
}

/* Whether the caller sees whole reports of an organization owned by owner_id (NULL: none). */
static int sees_all(const http_req *req, const char *owner_id)
{
	if (!req->authed)
		return 0;
	if (req->user.role_bit & (ROLE_REGISTRAR | ROLE_ADMIN))
		return 1;
	return (req->user.role_bit & ROLE_APPLICANT) && owner_id && strtoll(owner_id, NULL, 10) == req->user.id;
}

/* Answers with one report (status 200 or 201). */
static void reply_report(http_req *req, const char *uscc, int year, int status)
{
	db_conn *c = api_db(req);
	if (!c)
		return;
	db_res *r;
	int rc = db_query(c,
	                  "SELECT " REPORT_COLS ", o.owner_user_id FROM annual_reports r JOIN orgs o ON o.uscc = r.uscc "
	                  "WHERE r.uscc = ? AND r.year = ?",
	                  DBP(DBS(uscc), DBI(year)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	if (r->nrows != 1) {
		db_res_free(r);
		http_problem(req, 404, "not_found", "there is no report for this year");
		return;
	}
	cJSON *o = report_json(r, 0, sees_all(req, db_val(r, 0, 17)));
	long long version = db_int(r, 0, 14);
	db_res_free(r);
	http_reply_data(req, status, o, version);
}

/* --- filing ------------------------------------------------------------------------ */

typedef struct file_tx {
	http_req *req;
	const char *uscc;
	long long year, money[5], staff;
	const char *activities;
} file_tx;

static int file_run(db_conn *c, void *arg)
{
	file_tx *t = arg;
	db_res *r;
	int rc = db_query(c, "SELECT owner_user_id, status, registered_at FROM orgs WHERE uscc = ? FOR UPDATE",
	                  DBP(DBS(t->uscc)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		http_problem(t->req, 404, "not_found", "there is no organization with this code");
		return DB_APP;
	}
	const char *owner = db_val(r, 0, 0);
	int owns = owner && strtoll(owner, NULL, 10) == t->req->user.id;
	int registered = !strcmp(db_val(r, 0, 1), "registered");
	int64_t reg_day = date_day(db_val(r, 0, 2));
	db_res_free(r);
	if (!owns) {
		http_problem(t->req, 403, "not_owner", "only the account that acts for this organization files its reports");
		return DB_APP;
	}
	if (!registered) {
		http_problem(t->req, 409, "org_deregistered", "a deregistered organization files no reports");
		return DB_APP;
	}
	usec_t now = clock_now();
	int64_t today = clock_local_day(now);
	int y, m, d;
	clock_civil_from_days(today, &y, &m, &d);
	verr v = { 0 };
	if (t->year != y - 1) {
		verr_add(&v, "year", "wrong_year", "the report filed now is the one for %d", y - 1);
		http_problem_fields(t->req, 422, "wrong_year", "only last year's report can be filed", &v);
		return DB_APP;
	}
	if (reg_day > clock_days_from_civil((int)t->year, 12, 31)) {
		verr_add(&v, "year", "not_registered_that_year", "the organization was registered after %lld", t->year);
		http_problem_fields(t->req, 422, "not_registered_that_year", "there is nothing to report for that year", &v);
		return DB_APP;
	}
	rc = db_query(c, "SELECT 1 FROM annual_reports WHERE uscc = ? AND year = ?", DBP(DBS(t->uscc), DBI(t->year)), &r);
	if (rc)
		return rc;
	int exists = r->nrows > 0;
	db_res_free(r);
	if (exists) {
		http_problem(t->req, 409, "report_exists", "the report for %lld has been filed already", t->year);
		return DB_APP;
	}
	int64_t due = annual_reports_due_day((int)t->year);
	int required = annual_reports_required((int)t->year, reg_day);
	int late = required && today > due;
	char now_db[32], due_s[16];
	clock_fmt_db(now, now_db);
	clock_fmt_date(due, due_s);
	rc = db_exec(c,
	             "INSERT INTO annual_reports (uscc, year, assets_fen, liabilities_fen, income_fen, expense_fen, "
	             "public_welfare_expense_fen, activities, staff, filed_at, filed_by, due_date, late) "
	             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	             DBP(DBS(t->uscc), DBI(t->year), DBI(t->money[0]), DBI(t->money[1]), DBI(t->money[2]),
	                 DBI(t->money[3]), DBI(t->money[4]), DBS(t->activities), DBI(t->staff), DBS(now_db),
	                 DBI(t->req->user.id), DBS(due_s), DBI(late)),
	             NULL, NULL);
	if (rc == DB_DUP) {
		http_problem(t->req, 409, "report_exists", "the report for %lld has been filed already", t->year);
		return DB_APP;
	}
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "year", (double)t->year);
	cJSON_AddStringToObject(s, "due_date", due_s);
	cJSON_AddBoolToObject(s, "late", late);
	cJSON_AddBoolToObject(s, "exempt", !required);
	rc = audit_append(c, &t->req->user, "annual_report.file", "org", t->uscc, s);
	cJSON_Delete(s);
	return rc;
}

void annual_reports_file(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc(req, uscc) < 0)
		return;
	file_tx t = { 0 };
	t.req = req;
	t.uscc = uscc;
	verr v = { 0 };
	static const char *const money[] = { "assets_fen", "liabilities_fen", "income_fen", "expense_fen",
	                                     "public_welfare_expense_fen" };
	json_get_int(req->json, "year", &t.year, &v, "year", JSON_REQUIRED, 1949, 9999);
	for (int i = 0; i < 5; i++)
		json_get_int(req->json, money[i], &t.money[i], &v, money[i], JSON_REQUIRED, 0, JSON_FEN_MAX);
	json_get_str(req->json, "activities", &t.activities, &v, "activities", JSON_REQUIRED, 1, 20000);
	json_get_int(req->json, "staff", &t.staff, &v, "staff", JSON_REQUIRED, 0, 10000000);
	static const char *const allowed[] = { "year", "assets_fen", "liabilities_fen", "income_fen", "expense_fen",
	                                       "public_welfare_expense_fen", "activities", "staff", NULL };
	json_only_fields(req->json, allowed, &v, NULL);
	/* Public-welfare spending is part of all spending (民政部 年度工作报告: 公益事业支出 ≤ 总支出). */
	if (t.money[4] > t.money[3] && !v.count)
		verr_add(&v, "public_welfare_expense_fen", "exceeds_expense",
		         "public_welfare_expense_fen (%lld) cannot be more than expense_fen (%lld)", t.money[4], t.money[3]);
	if (t.activities && json_blank(t.activities))
		verr_add(&v, "activities", "required", "activities must say what the organization did");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the report is not valid", &v);
		return;
	}
	int rc = db_tx(file_run, &t);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	reply_report(req, uscc, (int)t.year, 201);
}

/* --- reading ----------------------------------------------------------------------- */

void annual_reports_list(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc(req, uscc) < 0)
		return;
	int limit;
	long long before;
	if (http_page_num(req, &limit, &before, 100000) < 0)
		return;
	db_conn *c = api_db(req);
	if (!c)
		return;
	db_res *r;
	int rc = db_query(c, "SELECT owner_user_id FROM orgs WHERE uscc = ?", DBP(DBS(uscc)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	if (r->nrows != 1) {
		db_res_free(r);
		http_problem(req, 404, "not_found", "there is no organization with this code");
		return;
	}
	int full = sees_all(req, db_val(r, 0, 0));
	db_res_free(r);
	rc = db_query(c,
	              "SELECT " REPORT_COLS " FROM annual_reports r JOIN orgs o ON o.uscc = r.uscc WHERE r.uscc = ? "
	              "AND r.year < ? ORDER BY r.year DESC LIMIT ?",
	              DBP(DBS(uscc), DBI(before), DBI(limit + 1)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	cJSON *items = cJSON_CreateArray();
	int n = r->nrows > limit ? limit : r->nrows;
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(items, report_json(r, i, full));
	char next[32] = "";
	if (r->nrows > limit)
		http_cursor_encode(db_val(r, limit - 1, 0), next, sizeof next);
	db_res_free(r);
	http_reply_list(req, items, *next ? next : NULL);
}

void annual_reports_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	int year;
	if (orgs_path_uscc(req, uscc) < 0 || path_year(req, &year) < 0)
		return;
	reply_report(req, uscc, year, 200);
}

/* --- conclusion ---------------------------------------------------------------------- */

typedef struct conclude_tx {
	http_req *req;
	const char *uscc;
	int year;
	const char *conclusion, *note;
} conclude_tx;

static int conclude_run(db_conn *c, void *arg)
{
	conclude_tx *t = arg;
	db_res *r;
	int rc = db_query(c, "SELECT version, conclusion FROM annual_reports WHERE uscc = ? AND year = ? FOR UPDATE",
	                  DBP(DBS(t->uscc), DBI(t->year)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		http_problem(t->req, 404, "not_found", "there is no report for this year");
		return DB_APP;
	}
	long long version = db_int(r, 0, 0);
	int concluded = !db_isnull(r, 0, 1);
	db_res_free(r);
	if (http_if_match(t->req, version) < 0)
		return DB_APP;
	if (concluded) {
		http_problem(t->req, 409, "already_concluded", "this report has been concluded already");
		return DB_APP;
	}
	char now[32];
	clock_fmt_db(clock_now(), now);
	rc = db_exec(c,
	             "UPDATE annual_reports SET conclusion = ?, conclusion_note = ?, concluded_at = ?, concluded_by = ?, "
	             "version = version + 1 WHERE uscc = ? AND year = ?",
	             DBP(DBS(t->conclusion), DBS(t->note), DBS(now), DBI(t->req->user.id), DBS(t->uscc), DBI(t->year)),
	             NULL, NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "year", t->year);
	cJSON_AddStringToObject(s, "conclusion", t->conclusion);
	cJSON_AddNumberToObject(s, "version", (double)(version + 1));
	rc = audit_append(c, &t->req->user, "annual_report.conclude", "org", t->uscc, s);
	cJSON_Delete(s);
	return rc;
}

void annual_reports_conclude(http_req *req)
{
	char uscc[USCC_LEN + 1];
	int year;
	if (orgs_path_uscc(req, uscc) < 0 || path_year(req, &year) < 0)
		return;
	static const char *const conclusions[] = { "pass", "basic_pass", "fail", NULL };
	conclude_tx t = { req, uscc, year, NULL, NULL };
	verr v = { 0 };
	json_get_enum(req->json, "conclusion", &t.conclusion, conclusions, &v, "conclusion", JSON_REQUIRED);
	json_get_str(req->json, "note", &t.note, &v, "note", JSON_OPTIONAL, 0, 2000);
	static const char *const allowed[] = { "conclusion", "note", NULL };
	json_only_fields(req->json, allowed, &v, NULL);
	/* A failing report says why. */
	if (t.conclusion && !strcmp(t.conclusion, "fail") && !(t.note && *t.note))
		verr_add(&v, "note", "required", "a failing conclusion needs a note saying why");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the conclusion is not valid", &v);
		return;
	}
	int rc = db_tx(conclude_run, &t);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	reply_report(req, uscc, year, 200);
}

/* --- for the credit rules -------------------------------------------------------------- */

int annual_reports_missing(db_conn *c, int year, int include_late, annual_missing_fn fn, void *arg)
{
	if (clock_local_day(clock_now()) <= annual_reports_due_day(year))
		return 0;
	int64_t cutoff = clock_add_months(clock_days_from_civil(year, 12, 31), -(int)rule(RULE_annual_report_exempt_months));
	char cutoff_s[16], after[USCC_LEN + 1] = "";
	clock_fmt_date(cutoff, cutoff_s);
	for (;;) {
		db_res *r;
		int rc = db_query(c,
		                  "SELECT o.uscc, r.late FROM orgs o LEFT JOIN annual_reports r ON r.uscc = o.uscc AND r.year = ? "
		                  "WHERE o.uscc > ? AND o.status = 'registered' AND o.registered_at <= ? "
		                  "AND (r.id IS NULL OR (? AND r.late = 1)) ORDER BY o.uscc LIMIT 1000",
		                  DBP(DBI(year), DBS(after), DBS(cutoff_s), DBI(include_late ? 1 : 0)), &r);
		if (rc)
			return rc;
		int n = r->nrows;
		for (int i = 0; i < n; i++) {
			rc = fn(c, db_val(r, i, 0), !db_isnull(r, i, 1), arg);
			if (rc) {
				db_res_free(r);
				return rc;
			}
		}
		if (n)
			snprintf(after, sizeof after, "%s", db_val(r, n - 1, 0));
		db_res_free(r);
		if (n < 1000)
			return 0;
	}
}
