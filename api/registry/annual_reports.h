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

/* Who was required to file for year and did not file on time: every organization still
 * registered that annual_reports_required() names for year, with no report for year, or (when
 * include_late) one filed after the due day. Calls fn for each, in USCC order, reading the
 * register in keyset pages; fn returns 0 to go on, anything else stops the walk and is returned.
 * Before the due day has passed (by the clock) nobody has missed it and fn is never called.
 * Returns 0, fn's code, or a DB_ code. */
typedef int (*annual_missing_fn)(db_conn *c, const char *uscc, int filed_late, void *arg);
int annual_reports_missing(db_conn *c, int year, int include_late, annual_missing_fn fn, void *arg);

#endif
