/* award.h — award, challenge and contract of a tender (SPEC §6 "Award and after", Appendix B):
 * the guards and effects the tender workflow's table (tender_flow.c) runs for them (bound at start,
 * api/jobs.c), and the routes of the challenges.
 *
 *   POST /tenders/{id}/award {bid_id, reason}     owner; active.evaluation with a complete
 *        evaluation (409 evaluation_incomplete); the bid valid and ranked (422 bid_id not_ranked);
 *        reason required unless rank 1 (422 reason required) → active.awarded; challenge_until =
 *        the end (local midnight after) of the challenge_working_days-th working day after the
 *        award's day. Its route is tenders.c's: it answers the tender.
 *   POST /tenders/{id}/challenges {bid_id, text}  the applicant who submitted that bid of this
 *        tender (403 not_bidder), before challenge_until (409 challenge_period_over after) → 201
 *        {id, bid_id, text, filed_at, answer_due, status: "open", …}; answer_due the end of the
 *        challenge_answer_working_days-th working day after filing; overdue while unanswered
 *        from then on.
 *   GET /tenders/{id}/challenges                  the owner: every challenge; an applicant: the
 *        ones it filed; anyone else: none; everyone sees total (how many were filed).
 *   POST /tenders/{id}/challenges/{cid}/answer {answer, upheld}  owner; once (409
 *        already_answered); upheld against the current award cancels it: the tender goes back to
 *        active.evaluation, the award cleared, and the purchaser awards again.
 *   challenge_until passes: active.awarded → active.contracting (a timer). Open challenges are
 *        still answered there, and block the contract (409 open_challenge).
 *
 * The contract and its performance reviews are contracts.c (contract_effect, contract_guard). */
#ifndef SANZHI_AWARD_H
#define SANZHI_AWARD_H

#include "fsm.h"
#include "tender_flow.h"

/* The owner's actions are guarded by tender_flow.c (the owner); the effects check the rest. The
 * challenge period's end is the table's own timer (tender_challenge_until). */
int award_effect(fsm_run *run);
int award_challenge_guard(fsm_run *run);
int award_challenge_effect(fsm_run *run);
int award_answer_effect(fsm_run *run);
/* The end (the next local midnight) of the n-th working day after the local day of t. */
usec_t award_working_days_end(usec_t t, int n);
/* The number of challenges of tender id not yet answered, into *n. 0 or a DB_ code. */
int award_open_challenges(db_conn *c, long long tender_id, long long *n);

int contract_effect(fsm_run *run);
/* The contract of tender id as GET /tenders/{id} shows it, or NULL (none yet). 0 or a DB_ code. */
int contract_of_tender(db_conn *c, long long tender_id, cJSON **out);

extern const route award_routes[];
extern const route contracts_routes[];

#endif
