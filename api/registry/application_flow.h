/* application_flow.h — the life of a registration application (SPEC §4, Appendix A) as data on
 * the executor of server/fsm.h:
 *
 *     draft ─submit→ submitted ─accept→ accepted ─approve→ approved
 *                     │   ↑  └─(window passed: deem)─┘  └─reject→ rejected
 *      request-supplement  submit
 *                     ↓   │
 *            supplement_requested          withdraw: draft | submitted | supplement_requested → withdrawn
 *
 * The statutory clocks: 行政许可法 Art. 32 gives the registrar a window after submission to ask,
 * once and listing every item, for supplements; without a request the application counts as
 * accepted from its submission (the "deem" timer, a deadline row); the decision is due a number
 * of days after acceptance.
 *
 * The row: APP_COLUMNS and enum app_col are the one decoding of an applications row. */
#ifndef SANZHI_APPLICATION_FLOW_H
#define SANZHI_APPLICATION_FLOW_H

#include "api.h"
#include "fsm.h"
#include "org_row.h"

#include <stdint.h>

enum app_state {
#define STATE(x) APP_##x,
#define ACTION(x, wire)
#include "application.def"
#undef STATE
#undef ACTION
	APP_NSTATES
};

enum app_action {
#define STATE(x)
#define ACTION(x, wire) APP_DO_##x,
#include "application.def"
#undef STATE
#undef ACTION
	APP_NACTIONS
};

/* The workflow (registered at start; the executor, the scheduler and `sanzhid states` read it). */
extern const fsm_def app_flow;

#define APP_COLUMNS                                                                                                    \
	"id, kind, status, applicant_id, org_uscc, legal_form, category, name, region_code, body, submitted_at, "      \
	"first_submitted_at, supplement_requested_at, supplement_items, accepted_at, deemed_accepted, "                \
	"decision_due, decided_at, decided_by, reject_reason, version, created_at, updated_at"

enum app_col {
	AC_ID,
	AC_KIND,
	AC_STATUS,
	AC_APPLICANT,
	AC_ORG_USCC,
	AC_LEGAL_FORM,
	AC_CATEGORY,
	AC_NAME,
	AC_REGION,
	AC_BODY,
	AC_SUBMITTED,
	AC_FIRST_SUBMITTED,
	AC_SUPPLEMENT_REQUESTED,
	AC_SUPPLEMENT_ITEMS,
	AC_ACCEPTED,
	AC_DEEMED,
	AC_DECISION_DUE,
	AC_DECIDED,
	AC_DECIDED_BY,
	AC_REJECT_REASON,
	AC_VERSION,
	AC_CREATED,
	AC_UPDATED,
};

enum app_kind { APP_ESTABLISH, APP_CHANGE, APP_DEREGISTER };
/* NULL-terminated, in enum app_kind order. */
extern const char *const app_kinds[];
/* The kind of row r; APP_ESTABLISH for anything unknown (the column is an ENUM). */
enum app_kind app_kind_of(const db_res *r, int row);

/* Document kinds an upload may name; the first APP_REQUIRED_DOCUMENTS are required for an
 * establishment. NULL-terminated. */
extern const char *const app_document_kinds[];
#define APP_REQUIRED_DOCUMENTS 5

/* 1 if the user may see the application in row (the applicant its own; registrars what was
 * filed with them, i.e. submitted at least once). */
int app_visible(const auth_user *u, const db_res *r, int row);
/* Inside a read: 0 when t->user may see application id; else the 404 not_found to return (or a
 * DB_ code). */
int app_visible_or_refuse(tx *t, long long id);
/* Inside a read, for what an application holds and whoever may see it reads (its documents, its
 * notices): app_visible_or_refuse, then the one row sql finds for (item_id, app_id) into *out, or
 * 404 not_found saying missing. 0, TX_REFUSED or a DB_ code; *out NULL unless 0. */
int app_item_or_refuse(tx *t, long long app_id, const char *sql, long long item_id, const char *missing, db_res **out);

/* --- the statutory clocks -------------------------------------------------------------- */

/* 行政许可法 Art. 32: the last local day on which supplements may be requested. */
int64_t app_supplement_window_end(usec_t first_submitted);
/* Where the deeming window of a row runs from: the first submission, or, once supplements were
 * requested, the resubmission that brought them (the one request is spent). 0: never submitted. */
usec_t app_deem_since(const db_res *r, int row);
/* The moment a submitted application counts as accepted: the start of the day after its window
 * (0 for a row not submitted). The deem timer. */
usec_t app_deem_at(const db_res *r, int row);
/* The local day a decision is due for an application accepted on accepted_day. */
int64_t app_decision_due(int64_t accepted_day, const char *category);

/* --- what the actions take (the arg of fsm_exec) --------------------------------------- */

typedef struct app_args {
	const cJSON *items; /* request-supplement */
	const char *reason; /* reject */
	/* edit: the change itself (PATCH, a document added or removed), inside the transaction */
	int (*edit)(fsm_run *r);
	void *edit_arg;
	const char *audit; /* edit: the audit action ("application.document_add"); NULL: edit */
} app_args;

/* The fields a draft may hold, each of the right shape, and what the database says of the
 * organization of a change or deregistration (owned by the caller, registered). Refuses
 * (TX_REFUSED) or fills *org (empty, org->res NULL, for an establishment; org_row_free it). */
int app_check_draft(tx *t, enum app_kind kind, const cJSON *body, org_row *org);
/* One live change or deregistration per organization: refuses 409 application_pending. */
int app_check_one_pending(tx *t, const char *uscc, long long id);

/* The columns the queue reads without parsing bodies. */
typedef struct app_cols {
	const char *legal_form, *category, *name, *region_code, *org_uscc;
} app_cols;
app_cols app_columns(enum app_kind kind, const cJSON *body, const org_row *org);

#endif
