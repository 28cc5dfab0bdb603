/* tender_flow.h — the life of a tender (SPEC §6, Appendix B) as data on the executor of
 * server/fsm.h:
 *
 *     draft ─publish→ active.enquiries ─(enquiry_end)→ active.tendering ─(bid_deadline)→ active.opening
 *       edit            questions, answer                answer                               │ open
 *                                                       active.evaluation, or unsuccessful ←──┘ (opening.h)
 *     active.evaluation ─award→ active.awarded ─(challenge_until)→ active.contracting ─contract→ complete
 *                               challenges, challenge-answer          challenge-answer (award.h)
 *     challenge-answer upheld: active.awarded | active.contracting → active.evaluation (award cleared)
 *     cancel {reason}: draft | any active.* → cancelled (SPEC §6: any time before the contract)
 *
 * The two time-driven moves are timers (deadlines rows): the sweeper makes them when due, any
 * write to the tender makes them first (fsm_exec), and every read shows the state they lead to
 * (fsm_effective), so no answer shows active.tendering after the bid deadline.
 *
 * Publication checks the notice against the daemon's clock (the bid deadline at least the rule's
 * days after publication for the method; the enquiry period still ahead); creation, editing and
 * publication check everything else (tender_check.h, and the invited organizations against the
 * register).
 *
 * Who: the purchaser who created a tender owns it (edit, publish, answer, cancel: 403
 * not_tender_owner for another purchaser); a draft is seen only by its owner (404 for anyone else);
 * a published tender is public. Any signed-in applicant may ask during the enquiry period.
 *
 * The row: TENDER_COLUMNS and enum tender_col are the one decoding of a tenders row. */
#ifndef SANZHI_TENDER_FLOW_H
#define SANZHI_TENDER_FLOW_H

#include "api.h"
#include "fsm.h"
#include "tender_check.h"

enum tender_state {
#define STATE(x) TS_##x,
#define STATE_NAMED(x, wire) TS_##x,
#define ACTION(x, wire)
#include "tender.def"
#undef STATE
#undef STATE_NAMED
#undef ACTION
	TS_NSTATES
};

enum tender_action {
#define STATE(x)
#define STATE_NAMED(x, wire)
#define ACTION(x, wire) TA_##x,
#include "tender.def"
#undef STATE
#undef STATE_NAMED
#undef ACTION
	TA_NACTIONS
};

/* The workflow (registered at start in api/jobs.c). */
extern const fsm_def tender_flow;

#define TENDER_COLUMNS                                                                                                 \
	"id, status, purchaser_id, department, title, description, service_category, budget_fen, method, "             \
	"evaluation_method, criteria, price_points, eligibility, enquiry_end, bid_deadline, contract_months, "         \
	"published_at, cancelled_at, cancel_reason, version, created_at, updated_at, award_bid_id, award_rank, "       \
	"award_reason, awarded_at, challenge_until, award_org_uscc, award_org_name, award_price_fen"

enum tender_col {
	TC_ID,
	TC_STATUS,
	TC_PURCHASER,
	TC_DEPARTMENT,
	TC_TITLE,
	TC_DESCRIPTION,
	TC_SERVICE_CATEGORY,
	TC_BUDGET,
	TC_METHOD,
	TC_EVALUATION_METHOD,
	TC_CRITERIA,
	TC_PRICE_POINTS,
	TC_ELIGIBILITY,
	TC_ENQUIRY_END,
	TC_BID_DEADLINE,
	TC_CONTRACT_MONTHS,
	TC_PUBLISHED,
	TC_CANCELLED,
	TC_CANCEL_REASON,
	TC_VERSION,
	TC_CREATED,
	TC_UPDATED,
	TC_AWARD_BID,
	TC_AWARD_RANK,
	TC_AWARD_REASON,
	TC_AWARDED,
	TC_CHALLENGE_UNTIL,
	TC_AWARD_USCC,
	TC_AWARD_NAME,
	TC_AWARD_PRICE,
	TC_NCOLS,
};

/* 1 when u may see the tender in row r (published: everyone; a draft: its owner). */
int tender_visible(const auth_user *u, const db_res *r, int row);
/* 1 when u is the purchaser who owns the tender in row r. */
int tender_owned(const auth_user *u, const db_res *r, int row);
/* Inside a read: tender id (TENDER_COLUMNS) into *out, or the 404 not_found for a tender t->user
 * may not see (a draft not its own). 0, TX_REFUSED or a DB_ code; *out NULL unless 0. */
int tender_read_or_refuse(tx *t, long long id, db_res **out);

/* The timers' times: the enquiry end, the bid deadline and the end of the challenge period of
 * row r (0 when unreadable, or without an award). */
usec_t tender_enquiry_end(const db_res *r, int row);
usec_t tender_bid_deadline(const db_res *r, int row);
usec_t tender_challenge_until(const db_res *r, int row);

/* What the actions take (the arg of fsm_exec). */
typedef struct tender_args {
	const char *reason;   /* cancel */
	const char *question; /* ask */
	long long question_id;
	const char *answer;  /* answer */
	const cJSON *patch;  /* edit: a merge patch (RFC 7386) of the tender as created */
	long long result_id; /* ask, challenge, contract: the new row's id */
	long long bid_id;    /* award, challenge */
	const char *text;    /* challenge */
	long long challenge_id;
	int upheld;           /* answer_challenge (answer is the answer's text) */
	long long amount_fen; /* contract (reason: its reason, for a term over the rule's years) */
	int64_t start, end;   /* contract: local days */
} tender_args;

/* Inside a transaction: the tender as the body of a create or a PATCH gives it (tender_check.h),
 * checked against the register too (invited organizations exist and are registered) and against
 * the user (department): refuses 422 with every field error at once. On success *in is filled
 * (pointers into body). */
int tender_check_or_refuse(tx *t, const cJSON *body, tender_in *in);
/* Inside a transaction: writes the columns and invitations of tender id from in. */
int tender_store(tx *t, long long id, const tender_in *in);
/* The tender of row r as its creator gave it (the input shape), invited_orgs read from c; for
 * merge patches. NULL when out of memory or the database fails. */
cJSON *tender_input_json(db_conn *c, const db_res *r, int row);

#endif
