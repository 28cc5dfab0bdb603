/* applications.h — registration applications (SPEC §4, Appendix A): establish, change and
 * deregister an organization; documents; the statutory clocks; approval.
 *
 * The life of an application is one table of (from, action, to, roles), app_transitions:
 *
 *     draft ─submit→ submitted ─accept→ accepted ─approve→ approved
 *                     │   ↑  └─(5 days, no request: deemed)─┘  └─reject→ rejected
 *      request-supplement  submit
 *                     ↓   │
 *            supplement_requested          withdraw: draft | submitted | supplement_requested → withdrawn
 *
 * Every change of an application goes through app_begin (lock, ownership, If-Match, the table)
 * and app_finish (status, version, audit) inside one transaction. */
#ifndef SANZHI_APPLICATIONS_H
#define SANZHI_APPLICATIONS_H

#include "api.h"

#include <stdint.h>

/* The routes of applications and their documents (api/routes.c joins them). */
extern const route applications_routes[];

/* --- the state machine, as data ------------------------------------------------------ */

/* Not a user's role: the system itself (deemed acceptance under 行政许可法 Art. 32). */
#define APP_SYSTEM (1u << 30)

typedef struct app_transition {
	const char *from;
	const char *action;   /* "submit", "request-supplement", …; "edit" changes without moving */
	const char *to;
	unsigned roles;       /* role bits that may take it */
} app_transition;

/* The whole table, for tests and documentation. */
const app_transition *app_transitions(size_t *count);
/* The transition (from, action) that a caller with role_bit may take, or NULL. */
const app_transition *app_transition_find(const char *from, const char *action, unsigned role_bit);
/* The actions a caller with role_bit may take from a status (at most max, table order); returns
 * how many were written. */
int app_allowed_actions(const char *from, unsigned role_bit, const char **out, int max);
/* 1 if status is a known application status. */
int app_status_known(const char *status);

/* --- the statutory clocks ------------------------------------------------------------ */

/* 行政许可法 Art. 32: the last local day on which supplements may be requested. */
int64_t app_supplement_window_end(usec_t first_submitted);
/* 1 when a submitted application counts as accepted on day today: its window, running from since,
 * has passed. since is the first submission, or, once supplements were requested, the
 * resubmission that brought them (the one request is spent; the registrar must then accept).
 * since 0: never submitted. */
int app_deemed_due(const char *status, usec_t since, int64_t today);
/* The local day a decision is due for an application accepted on accepted_day. */
int64_t app_decision_due(int64_t accepted_day, const char *category);

/* The sweep rule: makes every deemed acceptance real (accepted_at = first submission, audited as
 * the system). Idempotent. */
int applications_sweep_deemed(db_conn *c, long long *changed);

/* --- shared by applications.c, documents.c and registry_tx.c ------------------------- */

#define APP_COLUMNS                                                                                          \
	"id, kind, status, applicant_id, org_uscc, legal_form, category, name, region_code, body, submitted_at, " \
	"first_submitted_at, supplement_requested_at, supplement_items, accepted_at, deemed_accepted, "          \
	"decision_due, decided_at, decided_by, reject_reason, version, created_at, updated_at"

enum app_col {
	AC_ID, AC_KIND, AC_STATUS, AC_APPLICANT, AC_ORG_USCC, AC_LEGAL_FORM, AC_CATEGORY, AC_NAME, AC_REGION,
	AC_BODY, AC_SUBMITTED, AC_FIRST_SUBMITTED, AC_SUPPLEMENT_REQUESTED, AC_SUPPLEMENT_ITEMS, AC_ACCEPTED,
	AC_DEEMED, AC_DECISION_DUE, AC_DECIDED, AC_DECIDED_BY, AC_REJECT_REASON, AC_VERSION, AC_CREATED,
	AC_UPDATED,
};

/* Document kinds an upload may name; the first APP_REQUIRED_DOCUMENTS are required for an
 * establishment. NULL-terminated. */
extern const char *const app_document_kinds[];
#define APP_REQUIRED_DOCUMENTS 5

/* 1 if the caller may see the application in row (the applicant its own; registrars what was
 * filed with them, i.e. submitted at least once). */
int app_visible(const auth_user *u, const db_res *r, int row);

/* Inside a transaction: locks application id, answers 404 unless visible, 412 on an If-Match
 * mismatch, makes a due deemed acceptance real, and checks (status, action) for the caller:
 * 409 otherwise. On 0, *row holds the locked row and *t the transition. DB_APP when answered. */
int app_begin(db_conn *c, http_req *req, long long id, const char *action, db_res **row,
              const app_transition **t);
/* Inside the same transaction: moves the application along t, bumps its version and appends the
 * audit entry audit_action (NULL: "application.<action>"; summary may be NULL, not taken over). */
int app_finish(db_conn *c, http_req *req, const db_res *row, const app_transition *t, const char *audit_action,
               const cJSON *summary);

/* documents.c */
void documents_upload(http_req *req);
void documents_list(http_req *req);
void documents_get(http_req *req);
void documents_delete(http_req *req);
/* The documents of an application as a JSON array (metadata only). */
cJSON *documents_json(db_conn *c, long long application_id);

#endif
