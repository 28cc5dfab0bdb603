/* committee.h — the evaluation committee of a tender (SPEC §6 "Evaluation committee", Appendix B)
 * and what its modules share.
 *
 *   PUT  /tenders/{id}/committee {members, chair}   the owner purchaser, from publication until the
 *        evaluation is complete: the tender workflow's action "committee" (tender_flow.c), so the
 *        tender's row is locked, due deadlines are made first and the move is audited
 *        (tender.committee). An odd number of evaluators, at least committee_min_open for open and
 *        invited tenders (committee_min_large from committee_large_budget_fen), committee_min_other
 *        otherwise; experts at least committee_expert_share_num / _den of them: 422 committee_size,
 *        expert_share, not_evaluator, duplicate, chair_not_member, recused_member (a recused
 *        member cannot be kept: replacing one is the same PUT). Members who stay keep their
 *        declaration and scores; a member taken off keeps the row (removed_at) and is no longer
 *        counted; a member whose sheet is submitted cannot be taken off (409 member_submitted).
 *   GET  /tenders/{id}/committee                    the owner and the members.
 *   POST /tenders/{id}/declarations {conflict, statement}   each member once, while the tender is
 *        active.evaluation (the bidders known): recused when a conflict is declared, or when the
 *        member has an affiliation with the organization of any bid of the tender that lasted
 *        into the last affiliation_recusal_years years.
 *
 * Scoring is scores.c, abnormally low prices justifications.c, the result evaluation.h. */
#ifndef SANZHI_COMMITTEE_H
#define SANZHI_COMMITTEE_H

#include "api.h"
#include "fsm.h"

/* A committee member's row as committee_members keeps it. */
#define MEMBER_COLUMNS                                                                                                 \
	"user_id, chair, expert, seated_at, removed_at, declared_at, conflict, statement, recused, recusal_reason, "   \
	"recusal_orgs, submitted_at"
enum member_col {
	MC_USER,
	MC_CHAIR,
	MC_EXPERT,
	MC_SEATED,
	MC_REMOVED,
	MC_DECLARED,
	MC_CONFLICT,
	MC_STATEMENT,
	MC_RECUSED,
	MC_REASON,
	MC_ORGS,
	MC_SUBMITTED,
};

enum {
	COMMITTEE_MAX = 99,
	COMMITTEE_TEXT_MAX_CHARS = 2000,
	JUSTIFICATION_MAX_CHARS = 20000,
};

/* The effect of the tender workflow's action committee (the tender's row locked in run; the
 * arg a const cJSON * body already shaped by the handler). 0, TX_REFUSED or a DB_ code. */
int committee_effect(fsm_run *run);

/* What a member's action finds: the tender (TENDER_COLUMNS, locked for update), its state, and
 * the caller's current membership. */
typedef struct member_ctx {
	db_res *tender;
	db_res *member; /* MEMBER_COLUMNS of t->user, or NULL when not a current member */
	int state;
	int chair, declared, recused, submitted;
} member_ctx;

/* Reads tender id (404 when there is none or a draft not the caller's) — with lock, inside a
 * transaction, locked for update: every write of the committee's modules takes the tender's row
 * first, so they queue on it — and the caller's membership. 0, TX_REFUSED or a DB_ code; free
 * with member_ctx_free. */
int committee_tender_or_refuse(tx *t, long long tender_id, int lock, member_ctx *m);
void member_ctx_free(member_ctx *m);
/* Refusals in the order the rules put them: 403 not_committee_member; 409 not_in_evaluation
 * (with current_status) unless the tender is active.evaluation; 409 evaluation_complete once the
 * report is written; then, when need_declared, 409 not_declared and 403 recused. */
int committee_member_or_refuse(tx *t, member_ctx *m, long long tender_id, int need_declared);
/* 1 when the evaluation of tender id is complete (its report written), 0 not, or a DB_ code. */
int committee_evaluation_done(db_conn *c, long long tender_id);

/* The bids a member scores: valid at the opening and not made invalid by a rejected
 * justification. SQL selecting their ids in order (one parameter: the tender). */
#define COMMITTEE_SCORED_BIDS                                                                                          \
	"SELECT ob.bid_id FROM opening_bids ob LEFT JOIN bid_justifications j ON j.bid_id = ob.bid_id "                \
	"WHERE ob.tender_id = ? AND ob.valid = 1 AND NOT (ob.abnormally_low = 1 AND j.accepted <=> 0) ORDER BY "       \
	"ob.bid_id"

extern const route committee_routes[];
extern const route scores_routes[];
extern const route justifications_routes[];
extern const route evaluation_routes[];

#endif
