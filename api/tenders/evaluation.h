/* evaluation.h — the result of a tender's evaluation (SPEC §6, Appendix B).
 *
 * The evaluation is complete when the tender has a committee, none of its current members is
 * recused (the purchaser replaces them), every member's sheet is submitted, and every abnormally
 * low bid's justification is decided. The transaction that completes it (the last sheet
 * submitted, or the last justification decided) writes the committee report — the result, as
 * GET /tenders/{id}/evaluation answers it — to tender_evaluations and to the audit trail
 * (evaluation.report, with its SHA-256).
 *
 * The arithmetic is eval_score.h (integers, exact fractions, rounded once to hundredths, half up).
 * For the award step: evaluation_result() inside its transaction gives the ranked result. */
#ifndef SANZHI_EVALUATION_H
#define SANZHI_EVALUATION_H

#include "api.h"
#include "eval_score.h"
#include "uscc.h"

/* evaluation_result() when the evaluation is not complete (out->incomplete says why). */
#define EVAL_INCOMPLETE 1

typedef struct eval_bid {
	long long bid_id;
	char org_uscc[USCC_LEN + 1];
	long long price_fen; /* -1 when the seal did not open */
	int valid;
	int rank;                               /* 1… for valid bids, 0 otherwise */
	long long criteria_c, price_c, total_c; /* hundredths of a point; -1 for invalid bids */
} eval_bid;

typedef struct eval_result {
	long long tender_id;
	int method; /* enum eval_method */
	int trimmed;
	int nmembers;
	int nbids;
	eval_bid *bids; /* in rank order, the invalid ones last */
	/* when incomplete: no_committee, recused_not_replaced, sheets_pending,
	 * justification_pending */
	char incomplete[32];
	int pending; /* sheets or justifications still awaited */
} eval_result;

/* The ranked result of tender id on c (inside the caller's transaction, or a read): 0 and *out
 * filled when complete; EVAL_INCOMPLETE with out->incomplete; or a DB_ code. Free with
 * evaluation_result_free (also after EVAL_INCOMPLETE and errors). */
int evaluation_result(db_conn *c, long long tender_id, eval_result *out);
void evaluation_result_free(eval_result *r);
/* {tender_id, evaluation_method, trimmed, members, rounding, bids: [{bid_id, org_uscc,
 * price_fen, criteria_score, price_score, total, rank, valid}]}. */
cJSON *evaluation_json(const eval_result *r);

/* Inside the transaction of a sheet's submission or a justification's decision: when that
 * completes the evaluation, writes the report and its audit entry. *completed (may be NULL) is
 * 1 then. 0 or a DB_ code. */
int evaluation_complete_if_ready(tx *t, long long tender_id, int *completed);

#endif
