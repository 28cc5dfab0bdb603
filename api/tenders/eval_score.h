/* eval_score.h — the arithmetic of an evaluation result (SPEC §6, Appendix B), pure: no database,
 * no clock, no floating point.
 *
 * Inputs are integers: each member's criterion total for each bid in tenths of a point (the
 * criterion scores are entered with one decimal and stored as tenths), prices in fen, the tender's
 * price points. For a comprehensive evaluation, per valid bid:
 *
 *     criteria = mean of the members' totals (the highest and the lowest dropped, one each, when
 *                trimming applies: the rule says so and there are at least trim_min members)
 *              = S / (10 k)            S the sum of the k totals kept, in tenths
 *     price    = lowest valid price / price × price_points
 *     total    = criteria + price      = (S · price + 10 k · price_points · lowest) / (10 k · price)
 *
 * each an exact fraction of 128-bit integers, rounded once, to hundredths, half up (away from
 * zero: every value is positive), when it is published: the total is rounded from its exact value,
 * not summed from the rounded parts, so it may differ from their sum by 0.01. Valid bids are ranked
 * by the published (rounded) total, highest first; equal totals by the lower price, then the
 * earlier submission, then the lower bid id. A lowest_price evaluation ranks valid bids by price,
 * lowest first (then submission, then id); the scores are computed the same way, for the record.
 * Invalid bids (at the opening, or by a rejected justification) get no scores and no rank, and
 * follow the ranked ones in bid order. */
#ifndef SANZHI_EVAL_SCORE_H
#define SANZHI_EVAL_SCORE_H

enum eval_method { EVAL_COMPREHENSIVE, EVAL_LOWEST_PRICE };

typedef struct eval_bid_in {
	long long bid_id;
	long long price_fen;    /* > 0 for a valid bid */
	long long submitted_us; /* the receipt's time, for ties */
	int valid;
	const int *member_tenths; /* nmembers totals, in tenths; read for valid bids only */
} eval_bid_in;

typedef struct eval_in {
	int method; /* enum eval_method */
	long long price_points;
	int nmembers;
	int trim;     /* the rule trims the highest and the lowest total */
	int trim_min; /* … when at least this many members */
	int nbids;
	const eval_bid_in *bids;
} eval_in;

/* One bid of the result; the scores in hundredths of a point (rank 0 and scores -1 when invalid). */
typedef struct eval_row {
	int index; /* into eval_in.bids */
	long long bid_id, price_fen;
	int valid;
	long long criteria_c, price_c, total_c;
	int rank;
} eval_row;

/* Computes the result into out (nbids rows, in the published order: ranked bids by rank, then
 * the invalid ones). *trimmed says whether the highest and lowest totals were dropped. 0, or -1
 * when the input cannot be computed (no members, a valid bid without a price, a total out of
 * range). */
int eval_compute(const eval_in *in, eval_row *out, int *trimmed);

/* n/d rounded to hundredths, half up (n >= 0, d > 0): the number of hundredths. */
long long eval_round_c(__int128 n, __int128 d);

#endif
