/* annual_reports.h — 年度工作报告 (SPEC §4): the owning applicant files the report for the previous
 * year, due rule(annual_report_due_month)/rule(annual_report_due_day) of the following year; a
 * registrar concludes it pass | basic_pass | fail.
 *
 *   POST /api/v1/orgs/{uscc}/annual-reports                     (applicant, the owner) Idempotency-Key
 *   GET  /api/v1/orgs/{uscc}/annual-reports[/{year}]            (public; the accounts for the owner and staff)
 *   POST /api/v1/orgs/{uscc}/annual-reports/{year}/conclusion   (registrar) If-Match
 *
 * Problem codes (besides the dispatcher's and the json.h getters'):
 *   not_found (404)          no such organization or report
 *   not_owner (403)          a report filed for someone else's organization
 *   org_deregistered (409)   a deregistered organization files no report
 *   wrong_year (422)         a report for any year but the previous one
 *   not_registered_that_year (422)  registered after that year ended
 *   report_exists (409)      the year's report was filed already
 *   already_concluded (409)  a report is concluded once
 *   version_mismatch (412)   If-Match against a report's version
 *   validation_failed (422)
 */
#ifndef SANZHI_ANNUAL_REPORTS_H
#define SANZHI_ANNUAL_REPORTS_H

#include "api.h"

#include <stdint.h>

extern const route annual_reports_routes[];

/* The day (days since 1970-01-01) the report for year is due: rule annual_report_due_month /
 * annual_report_due_day of the following year (a day past the month's end is its last day). */
int64_t annual_reports_due_day(int year);
/* 1 when an organization registered on registered_day must file a report for year: it was
 * registered on or before year-end minus rule annual_report_exempt_months months. */
int annual_reports_required(int year, int64_t registered_day);

/* The last day of registration that owes a report for year: year end minus rule
 * annual_report_exempt_months (organizations registered after it are exempt). */
int64_t annual_reports_cutoff_day(int year);

/* The day from which an organization owes reports (Appendix B): the later of its registration
 * and its arrival on the platform (created_at: the import, or the approval), so that the years of
 * a legacy register are never counted as missing. */
int64_t annual_reports_start_day(int64_t registered_day, usec_t arrived_at);

/* The years uscc owes and has not filed, oldest first: each year whose due day has passed (by the
 * clock) while the organization was registered, from its start day on, unless the exemption rule
 * spares it. At most max into years, *n how many. 0, or a DB_ code (no such organization: *n 0). */
enum { ANNUAL_MISSING_MAX = 64 };
/* The scheduled job (annual_report_reminders.c): tells each owner whose organization owes the
 * previous year's report, from annual_report_reminder_days before the due day, once. */
int annual_reports_remind(cJSON *report);
int annual_reports_missing_years(db_conn *c, const char *uscc, int *years, int max, int *n);

#endif
