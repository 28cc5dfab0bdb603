/* annual_report_reminders.c — the owner of an organization that owes its annual report is told
 * annual_report_reminder_days before the due day (SPEC §4, Appendix C "Mail"): a scheduled job
 * (in the sweep), once per organization and year (the notification's dedupe key), however many
 * instances run it. Only organizations that owe the report (annual_reports_required, from their
 * start day on) and have an owner, and have not filed it, are told. */
#include "annual_reports.h"
#include "notifications.h"
#include "scheduler.h"

#include <stdio.h>
#include <string.h>

enum { REMIND_BATCH = 200 };

typedef struct remind {
	const char *uscc, *name;
	long long owner;
	int year;
	char due[16];
	int told;
} remind;

static int remind_tx(db_conn *c, void *arg)
{
	remind *m = arg;
	char key[80], subject[300], body[2048];
	snprintf(key, sizeof key, "annual_report_due:%s:%d", m->uscc, m->year);
	snprintf(subject, sizeof subject, "【年度工作报告】%s %d 年度工作报告请于 %s 前报送", m->name, m->year, m->due);
	snprintf(body, sizeof body,
	         "您好：\n\n您所代表的社会组织“%s”（统一社会信用代码：%s）尚未报送 %d 年度工作报告，截止日期为 %s。\n\n"
	         "下一步：请在截止日期前登录平台，在该组织的“年度工作报告”中填写资产、负债、收入、支出、"
	         "公益支出、业务活动和人员情况并提交。逾期未报送的，将依照规定列入活动异常名录。\n\n"
	         "（本通知由社会组织登记管理平台自动发送，请勿直接回复。）\n",
	         m->name, m->uscc, m->year, m->due);
	notice n = { m->owner, "annual_report.due", "org", m->uscc, subject, body, key };
	int rc = notify(c, &n);
	if (rc < 0)
		return rc;
	m->told = rc == 0;
	return 0;
}

int annual_reports_remind(cJSON *report)
{
	db_conn *c = db_get();
	if (!c)
		return DB_DOWN;
	int64_t today = clock_local_day(clock_now());
	int y, mo, dd;
	clock_civil_from_days(today, &y, &mo, &dd);
	int year = y - 1;
	int64_t due = annual_reports_due_day(year);
	long long told = 0;
	int rc = 0;
	if (today >= due - rule(RULE_annual_report_reminder_days) && today <= due) {
		char due_s[16], cutoff[16], after[24] = "", prefix[40];
		clock_fmt_date(due, due_s);
		clock_fmt_date(annual_reports_cutoff_day(year), cutoff);
		snprintf(prefix, sizeof prefix, ":%d", year);
		for (;;) {
			db_res *r;
			rc = db_query(
			        c,
			        "SELECT o.uscc, o.name, o.owner_user_id, o.registered_at, o.created_at FROM orgs o "
			        "LEFT JOIN annual_reports r ON r.uscc = o.uscc AND r.year = ? "
			        "LEFT JOIN notifications n ON n.dedupe_key = CONCAT('annual_report_due:', o.uscc, ?) "
			        "WHERE o.status = 'registered' AND o.owner_user_id IS NOT NULL AND o.registered_at <= "
			        "? "
			        "AND r.id IS NULL AND n.id IS NULL AND o.uscc > ? ORDER BY o.uscc LIMIT ?",
			        DBP(DBI(year), DBS(prefix), DBS(cutoff), DBS(after), DBI(REMIND_BATCH)), &r);
			if (rc)
				break;
			for (int i = 0; i < r->nrows && !rc; i++) {
				int64_t registered = 0;
				usec_t arrived = 0;
				clock_parse_date(db_val(r, i, 3), &registered);
				clock_parse(db_val(r, i, 4), &arrived);
				/* Owed from the later of registration and arrival on the platform (Appendix B). */
				if (!annual_reports_required(year, annual_reports_start_day(registered, arrived)))
					continue;
				remind m = { db_val(r, i, 0), db_val(r, i, 1), db_int(r, i, 2), year, "", 0 };
				snprintf(m.due, sizeof m.due, "%s", due_s);
				rc = db_tx(remind_tx, &m);
				told += m.told;
			}
			int n = r->nrows;
			if (n)
				snprintf(after, sizeof after, "%s", db_val(r, n - 1, 0));
			db_res_free(r);
			if (rc || n < REMIND_BATCH)
				break;
		}
	}
	sched_report(report, "annual_report_reminder", told);
	return rc;
}
