/* test_eval_score.c — the arithmetic of an evaluation result (api/tenders/eval_score.c, SPEC §6):
 * means of the members' totals with and without trimming, the price score, rounding once to
 * hundredths half up, ranks and their ties, lowest price, invalid bids. Every expected figure
 * below is computed by hand in the comment beside it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "eval_score.h"

static void test_rounding(void **state)
{
	(void)state;
	assert_int_equal(eval_round_c(1, 3), 33);      /* 0.333… */
	assert_int_equal(eval_round_c(2, 3), 67);      /* 0.666… */
	assert_int_equal(eval_round_c(1, 40), 3);      /* 0.025: half up */
	assert_int_equal(eval_round_c(1, 400), 0);     /* 0.0025 */
	assert_int_equal(eval_round_c(3, 400), 1);     /* 0.0075 */
	assert_int_equal(eval_round_c(401, 40), 1003); /* 10.025, which binary floating point holds as 10.02499… */
	assert_int_equal(eval_round_c(0, 7), 0);
	assert_int_equal(eval_round_c(100, 1), 10000);
}

/* Three members, no trimming; price points 30.
 *   B1 100,000 fen, totals 60.0 65.0 70.0: criteria 195/3 = 65.00, price 80,000/100,000 × 30 = 24.00,
 *      total 89.00
 *   B2  80,000 fen, totals 55.5 60.0 60.1: criteria 175.6/3 = 58.5333… → 58.53, price 30.00,
 *      total 88.5333… → 88.53
 *   B3  90,000 fen, totals 70 70 70: criteria 70.00, price 80/90 × 30 = 26.666… → 26.67,
 *      total 96.666… → 96.67
 * Ranks: B3, B1, B2. */
static void test_untrimmed(void **state)
{
	(void)state;
	int t1[] = { 600, 650, 700 }, t2[] = { 555, 600, 601 }, t3[] = { 700, 700, 700 };
	eval_bid_in b[] = {
		{ 1, 100000, 10, 1, t1 },
		{ 2, 80000, 20, 1, t2 },
		{ 3, 90000, 30, 1, t3 },
	};
	eval_in in = { EVAL_COMPREHENSIVE, 30, 3, 1, 5, 3, b };
	eval_row r[3];
	int trimmed = -1;
	assert_int_equal(eval_compute(&in, r, &trimmed), 0);
	assert_int_equal(trimmed, 0); /* 3 members: below trim_min */
	assert_int_equal(r[0].bid_id, 3);
	assert_int_equal(r[0].criteria_c, 7000);
	assert_int_equal(r[0].price_c, 2667);
	assert_int_equal(r[0].total_c, 9667);
	assert_int_equal(r[0].rank, 1);
	assert_int_equal(r[1].bid_id, 1);
	assert_int_equal(r[1].criteria_c, 6500);
	assert_int_equal(r[1].price_c, 2400);
	assert_int_equal(r[1].total_c, 8900);
	assert_int_equal(r[1].rank, 2);
	assert_int_equal(r[2].bid_id, 2);
	assert_int_equal(r[2].criteria_c, 5853);
	assert_int_equal(r[2].price_c, 3000);
	assert_int_equal(r[2].total_c, 8853);
	assert_int_equal(r[2].rank, 3);
}

/* Six members, trimming: the highest and the lowest total dropped (one each), the mean of four.
 *   B1 totals 10.0 10.1 10.0 10.0 0.0 20.0 → 10.0+10.1+10.0+10.0 = 40.1 / 4 = 10.025 → 10.03
 *      (half up), price 50,000 = lowest → 20.00 (price points 20), total 30.025 → 30.03
 *   B2 totals 30 30 30 30 30 30 → 30.00, price 60,000: 50/60 × 20 = 16.666… → 16.67,
 *      total 46.666… → 46.67
 * Without the rule (trim 0) B1 is the mean of six: 60.1 / 6 = 10.01666… → 10.02, total 30.02. */
static void test_trimmed(void **state)
{
	(void)state;
	int t1[] = { 100, 101, 100, 100, 0, 200 }, t2[] = { 300, 300, 300, 300, 300, 300 };
	eval_bid_in b[] = {
		{ 7, 50000, 1, 1, t1 },
		{ 8, 60000, 2, 1, t2 },
	};
	eval_in in = { EVAL_COMPREHENSIVE, 20, 6, 1, 5, 2, b };
	eval_row r[2];
	int trimmed = 0;
	assert_int_equal(eval_compute(&in, r, &trimmed), 0);
	assert_int_equal(trimmed, 1);
	assert_int_equal(r[0].bid_id, 8);
	assert_int_equal(r[0].criteria_c, 3000);
	assert_int_equal(r[0].price_c, 1667);
	assert_int_equal(r[0].total_c, 4667);
	assert_int_equal(r[1].bid_id, 7);
	assert_int_equal(r[1].criteria_c, 1003);
	assert_int_equal(r[1].price_c, 2000);
	assert_int_equal(r[1].total_c, 3003);

	in.trim = 0;
	assert_int_equal(eval_compute(&in, r, &trimmed), 0);
	assert_int_equal(trimmed, 0);
	assert_int_equal(r[1].bid_id, 7);
	assert_int_equal(r[1].criteria_c, 1002);
	assert_int_equal(r[1].total_c, 3002);

	/* Five members is the rule's least: still trimmed; with trim_min 7, not. */
	in = (eval_in){ EVAL_COMPREHENSIVE, 20, 5, 1, 5, 2, b };
	assert_int_equal(eval_compute(&in, r, &trimmed), 0);
	assert_int_equal(trimmed, 1);
	in.trim_min = 7;
	assert_int_equal(eval_compute(&in, r, &trimmed), 0);
	assert_int_equal(trimmed, 0);
}

/* Equal totals: the lower price first, then the earlier submission, then the lower id.
 * Price points 30, lowest price 100:
 *   X 100 fen, totals 50 50 50: 50.00 + 30.00 = 80.00, submitted at 5
 *   Y 100 fen, the same, submitted at 3
 *   Z 120 fen, totals 55 55 55: 55.00 + 100/120 × 30 = 25.00 → 80.00
 *   W invalid (not scored, no rank, last). */
static void test_ties_and_invalid(void **state)
{
	(void)state;
	int x[] = { 500, 500, 500 }, z[] = { 550, 550, 550 };
	eval_bid_in b[] = {
		{ 30, 0, 1, 0, NULL },
		{ 31, 120, 1, 1, z },
		{ 32, 100, 5, 1, x },
		{ 33, 100, 3, 1, x },
	};
	eval_in in = { EVAL_COMPREHENSIVE, 30, 3, 1, 5, 4, b };
	eval_row r[4];
	int trimmed;
	assert_int_equal(eval_compute(&in, r, &trimmed), 0);
	long long order[] = { 33, 32, 31, 30 };
	for (int i = 0; i < 4; i++)
		assert_int_equal(r[i].bid_id, order[i]);
	assert_int_equal(r[0].total_c, 8000);
	assert_int_equal(r[1].total_c, 8000);
	assert_int_equal(r[2].total_c, 8000);
	assert_int_equal(r[2].price_c, 2500);
	assert_int_equal(r[0].rank, 1);
	assert_int_equal(r[2].rank, 3);
	assert_int_equal(r[3].rank, 0);
	assert_int_equal(r[3].valid, 0);
	assert_int_equal(r[3].total_c, -1);
	assert_int_equal(r[3].criteria_c, -1);

	/* lowest_price: by price, whatever the scores; the same ties. */
	in.method = EVAL_LOWEST_PRICE;
	int hi[] = { 1000, 1000, 1000 };
	b[1].member_tenths = hi;
	assert_int_equal(eval_compute(&in, r, &trimmed), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(r[i].bid_id, order[i]);
}

/* Prices near the largest taken (10^15 fen) and full marks: no overflow, exact. 999,999,999,999,999
 * against a lowest of 1: price score 30 / 999,999,999,999,999 → 0.00; total 100.00 − 30 + 0 = 70.00. */
static void test_large(void **state)
{
	(void)state;
	int full[] = { 700, 700, 700, 700, 700, 700, 700, 700, 700 };
	eval_bid_in b[] = {
		{ 1, 999999999999999LL, 1, 1, full },
		{ 2, 1, 2, 1, full },
	};
	eval_in in = { EVAL_COMPREHENSIVE, 30, 9, 1, 5, 2, b };
	eval_row r[2];
	int trimmed;
	assert_int_equal(eval_compute(&in, r, &trimmed), 0);
	assert_int_equal(r[0].bid_id, 2);
	assert_int_equal(r[0].total_c, 10000);
	assert_int_equal(r[1].price_c, 0);
	assert_int_equal(r[1].total_c, 7000);
}

static void test_refusals(void **state)
{
	(void)state;
	eval_row r[1];
	int trimmed;
	eval_bid_in b[] = { { 1, 0, 1, 1, NULL } };
	eval_in in = { EVAL_COMPREHENSIVE, 30, 0, 1, 5, 1, b };
	assert_int_equal(eval_compute(&in, r, &trimmed), -1); /* no members */
	in.nmembers = 3;
	assert_int_equal(eval_compute(&in, r, &trimmed), -1); /* a valid bid without a price */
	in.nbids = 0;
	assert_int_equal(eval_compute(&in, r, &trimmed), 0); /* nothing to rank */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rounding), cmocka_unit_test(test_untrimmed),
		cmocka_unit_test(test_trimmed),  cmocka_unit_test(test_ties_and_invalid),
		cmocka_unit_test(test_large),    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
