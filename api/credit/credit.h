/* credit.h — the credit of social organizations (SPEC §5, Appendix B), over HTTP:
 *
 *   grades.c          POST /api/v1/orgs/{uscc}/grade (registrar): a grade from an evaluation score
 *   credit_events.c   POST /api/v1/orgs/{uscc}/credit-events (registrar): inspections, penalties
 *                     (which list the organization, in the event's own transaction), commendations
 *   list_entries.c    POST /api/v1/orgs/{uscc}/list-entries and …/{id}/remove (registrar); the
 *                     public lists GET /api/v1/credit-lists/abnormal and …/serious
 *   credit.c          GET /api/v1/orgs/{uscc}/credit (public): grade, lists, history, events,
 *                     can_bid; and the checks the writers share
 *
 * The workflow of a list entry is list_entry_flow.c; whether an organization may bid is
 * eligibility.c. Every change is audited, adds to the organization's public history (org_events)
 * and drops its cached profile in the same transaction.
 *
 * Problem codes (besides the dispatcher's):
 *   not_found (404)                  no such organization or entry
 *   org_deregistered (409)           the organization is deregistered
 *   validation_failed (422)          field errors: required, type, not_integer, out_of_range,
 *                                    invalid_choice, invalid_date, date_in_future, unknown_field
 *   registered_too_recently, listed (422)  the organization cannot be graded
 *   too_early (422)                  removal from the serious list before its years
 *   already_removed (409)            the entry was removed before
 */
#ifndef SANZHI_CREDIT_H
#define SANZHI_CREDIT_H

#include "api.h"
#include "org_row.h"

#include <stdint.h>

extern const route grades_routes[];
/* The sweep's job: takes off the grades whose validity ended before today (SPEC §5). */
int grades_expire_run(cJSON *report);
extern const route credit_events_routes[];
extern const route list_entries_routes[];
extern const route credit_routes[];

enum {
	CREDIT_TEXT_MAX_CHARS = 2000,  /* basis, evidence, reasons */
	CREDIT_NAME_MAX_CHARS = 200,   /* authority, title */
	CREDIT_NUMBER_MAX_CHARS = 100, /* decision_number */
};

/* A date member key of body ("YYYY-MM-DD"), not after today by the daemon's clock, into *day.
 * 1 stored, 0 absent and optional, -1 an error recorded in v (required, type, invalid_date,
 * date_in_future). */
int credit_get_date(const cJSON *body, const char *key, int64_t today, int required, int64_t *day, verr *v);
/* A text member: 1–max characters, not blank; names and numbers (max up to CREDIT_NAME_MAX_CHARS)
 * are one line of visible text (invalid_text). 1 stored, 0 absent, -1 an error. */
int credit_get_text(const cJSON *body, const char *key, size_t max, int required, const char **out, verr *v);

/* Inside a tx function: locks the organization uscc for a credit change; refuses 404 when there
 * is none and 409 org_deregistered when it is deregistered. 0 (o filled; org_row_free it), or
 * for fn to return, TX_REFUSED or a DB_ code. */
int credit_org_lock_or_refuse(tx *t, const char *uscc, org_row *o);

/* The credit_events row: its columns, their enum, and the event as answered (kind's fields only). */
#define CREDIT_EVENT_COLUMNS                                                                                           \
	"id, uscc, kind, conclusion, penalty_type, fine_fen, decision_number, title, authority, basis, decided_on, "   \
	"created_at, contract_id, score"
enum credit_event_col {
	CE_ID,
	CE_USCC,
	CE_KIND,
	CE_CONCLUSION,
	CE_PENALTY_TYPE,
	CE_FINE,
	CE_DECISION_NUMBER,
	CE_TITLE,
	CE_AUTHORITY,
	CE_BASIS,
	CE_DECIDED,
	CE_CREATED,
	CE_CONTRACT,
	CE_SCORE,
};
cJSON *credit_event_json(const db_res *r, int row);

/* Inside a transaction: the performance credit event of a contract's review (SPEC §6: a
 * performance review is a credit event of the supplier), with the rules that follow an event.
 * Locks the organization (404/409 as credit_org_lock_or_refuse). *event receives the event as
 * answered (with consequences; the caller owns it). 0, TX_REFUSED or a DB_ code. */
int credit_event_performance(tx *t, const char *uscc, long long contract_id, int score, const char *summary,
                             cJSON **event);

/* The organization's own history: a row of org_events (type "grade", "listing", "delisting")
 * with [{field, old, new}] as changes. Also bumps the organization's version (its profile
 * changed) and calls orgs_touch. 0 or a DB_ code. */
int credit_org_event(tx *t, const char *uscc, const char *type, int64_t effective, const char *reason,
                     const cJSON *changes);

/* The number of current list entries of uscc into *n. 0 or a DB_ code. */
int credit_listings(db_conn *c, const char *uscc, long long *n);

#endif
