/* orgs.h — the public register (SPEC §4): search, profile and history of registered social
 * organizations; the bigram index behind Chinese substring search; the USCC check; annual reports;
 * and the bulk import of organizations registered before this system.
 *
 * Search. InnoDB FULLTEXT does not split Chinese and MariaDB has no ngram parser, so every current
 * and former name is cut into its character bigrams (org_name_grams, PRIMARY KEY (gram, uscc)).
 * A query q of two or more characters is answered from the bigrams of q: the rarest one (by the
 * optimizer's index-dive estimate, remembered a while) drives — its primary-key range is already
 * in USCC order, the keyset order — the next two rarest are intersected by primary-key lookups,
 * and `name LIKE '%q%'` (%, _ escaped) over the current and former names confirms the substring.
 * When a region filter names fewer organizations than the rarest gram has rows, the region's
 * index drives instead. A one-character Chinese q is refused (422 q_too_short): bigrams cannot
 * answer it without scanning, and one character is no useful search. A q of letters and digits
 * also matches USCC prefixes through the primary key (one letter or digit is a prefix search).
 * Exact matches (a name, current or former, or the USCC, equal to q) come first; then the rest
 * in USCC order; the cursor knows which of the two a page is in. Reads of the register pass a
 * first-come-first-served gate of a few database connections (see orgs.c).
 *
 * Problem codes (besides the dispatcher's and the json.h getters'):
 *   not_found (404)          no such organization, report, or a path that cannot be a USCC
 *   q_too_short (422)        one non-alphanumeric character
 *   q_too_long (422)         more than 100 characters
 *   invalid_q (400)          not UTF-8, or a control character
 *   invalid_legal_form, invalid_category, invalid_status, invalid_grade (400)
 *   invalid_region (400)     not 6 digits;  unknown_region (400) not a current GB/T 2260 code
 *   invalid_cursor, invalid_limit (400)
 *   no_certificate (404)     no electronic certificate was ever issued (imported organizations)
 *   org_deregistered (409)   a deregistered organization gets no certificate, files no report
 *   validation_failed (422)  field errors (certificate verification, reports, conclusions)
 *   not_owner (403)          an annual report filed for someone else's organization
 *   wrong_year (422)         a report for any year but the previous one
 *   not_registered_that_year (422)  registered after that year ended
 *   report_exists (409)      the year's report was filed already
 *   already_concluded (409)  a report is concluded once
 *   version_mismatch (412)   If-Match against a report's version
 */
#ifndef SANZHI_ORGS_H
#define SANZHI_ORGS_H

#include "api.h"
#include "uscc.h"

/* Every route of the register, certificates, the USCC check and annual reports. */
extern const route orgs_routes[];

/* A gram is one or two UTF-8 code points: at most 8 bytes and the NUL. */
#define ORGS_GRAM_SIZE 9
/* Names are at most 200 characters, so at most 199 bigrams. */
#define ORGS_MAX_GRAMS 200

/* Cuts a UTF-8 name into its distinct character bigrams, in order of first appearance: "养老协会"
 * gives 养老, 老协, 协会; a one-character name gives that character; "" gives none. Returns the
 * number of grams written (at most max), or -1 when name is not valid UTF-8 or has more than
 * max distinct grams. */
int orgs_grams(const char *name, char (*grams)[ORGS_GRAM_SIZE], int max);

/* Adds the bigrams of name to org_name_grams for uscc (INSERT IGNORE: idempotent), inside the
 * caller's transaction. Call it for every name an organization takes, so that its current and
 * former names stay searchable. 0 or a DB_ code (DB_ERROR for a name that is not valid UTF-8). */
int orgs_index_name(db_conn *c, const char *uscc, const char *name);
/* Inside the transaction that changes an existing organization's public profile (its row, its
 * names, its grade or list entries): bumps the register generation so every instance's profile
 * cache drops what it holds (server/cache.h). 0 or a DB_ code. */
int orgs_touch(db_conn *c);

/* Reads {uscc} from the path, upper-cased, also given as CN-USCI-<code>; answers 404 and returns
 * -1 for anything that cannot be a code. */
int orgs_path_uscc(http_req *req, char out[USCC_LEN + 1]);

/* Handlers (orgs.c). */
void orgs_search(http_req *req);
void orgs_get(http_req *req);
void orgs_history(http_req *req);

/* uscc_api.c — GET /api/v1/uscc/{code}: validates any code and decodes its parts. */
void uscc_get(http_req *req);

/* annual_reports.c — 年度工作报告 (SPEC §4). */
void annual_reports_file(http_req *req);
void annual_reports_list(http_req *req);
void annual_reports_get(http_req *req);
void annual_reports_conclude(http_req *req);

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

/* import.c — `sanzhid import orgs FILE.csv [--strict]` (SPEC Appendix A). argv are the
 * arguments after "import orgs". The database must be configured (setup_db). Exit code:
 * 0 every row imported, 1 some row skipped (or --strict stopped), 2 usage, I/O or database error. */
int cli_import_orgs(int argc, char **argv);

#endif
