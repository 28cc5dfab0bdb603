/* eval_score.c — the arithmetic of an evaluation result (see eval_score.h). */
#include "eval_score.h"

#include <stdlib.h>

__extension__ typedef __int128 i128;

long long eval_round_c(i128 n, i128 d)
{
	/* floor(n · 100 / d + 1/2) = floor((200 n + d) / 2d) */
	return (long long)((n * 200 + d) / (2 * d));
}

/* A valid bid's exact figures: criteria = cn / cd, price = pn / pd, total = tn / td. */
typedef struct exact {
	i128 cn, cd, pn, pd, tn, td;
} exact;

typedef struct sort_item {
	eval_row *row;
	long long submitted_us;
	int method;
} sort_item;

static int cmp_ll(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

static int by_rank(const void *pa, const void *pb)
{
	const sort_item *a = pa, *b = pb;
	int c = 0;
	if (a->row->valid != b->row->valid)
		return b->row->valid - a->row->valid;
	if (!a->row->valid)
		return cmp_ll(a->row->bid_id, b->row->bid_id);
	if (a->method == EVAL_COMPREHENSIVE)
		c = cmp_ll(b->row->total_c, a->row->total_c);
	if (!c)
		c = cmp_ll(a->row->price_fen, b->row->price_fen);
	if (!c)
		c = cmp_ll(a->submitted_us, b->submitted_us);
	return c ? c : cmp_ll(a->row->bid_id, b->row->bid_id);
}

int eval_compute(const eval_in *in, eval_row *out, int *trimmed)
{
	if (in->nmembers < 1 || in->nbids < 0 || in->price_points < 0)
		return -1;
	int trim = in->trim && in->nmembers >= in->trim_min && in->nmembers >= 3;
	*trimmed = trim;
	long long lowest = 0;
	for (int i = 0; i < in->nbids; i++) {
		const eval_bid_in *b = &in->bids[i];
		if (!b->valid)
			continue;
		if (b->price_fen <= 0 || !b->member_tenths)
			return -1;
		if (!lowest || b->price_fen < lowest)
			lowest = b->price_fen;
	}
	size_t n = in->nbids > 0 ? (size_t)(unsigned)in->nbids : 1;
	sort_item *items = calloc(n, sizeof *items);
	if (!items)
		return -1;
	for (int i = 0; i < in->nbids; i++) {
		const eval_bid_in *b = &in->bids[i];
		eval_row *r = &out[i];
		*r = (eval_row){ .index = i,
			         .bid_id = b->bid_id,
			         .price_fen = b->price_fen,
			         .valid = b->valid,
			         .criteria_c = -1,
			         .price_c = -1,
			         .total_c = -1 };
		items[i] = (sort_item){ r, b->submitted_us, in->method };
		if (!b->valid)
			continue;
		i128 sum = 0;
		int hi = 0, lo = 0;
		for (int m = 0; m < in->nmembers; m++) {
			int t = b->member_tenths[m];
			if (t < 0) {
				free(items);
				return -1;
			}
			sum += t;
			if (t > b->member_tenths[hi])
				hi = m;
			if (t < b->member_tenths[lo])
				lo = m;
		}
		i128 k = in->nmembers;
		if (trim) {
			sum -= b->member_tenths[hi] + b->member_tenths[lo];
			k -= 2;
		}
		exact e;
		e.cn = sum;
		e.cd = 10 * k;
		e.pn = (i128)in->price_points * lowest;
		e.pd = b->price_fen;
		e.tn = sum * b->price_fen + 10 * k * in->price_points * (i128)lowest;
		e.td = 10 * k * (i128)b->price_fen;
		r->criteria_c = eval_round_c(e.cn, e.cd);
		r->price_c = eval_round_c(e.pn, e.pd);
		r->total_c = eval_round_c(e.tn, e.td);
	}
	qsort(items, (size_t)(unsigned)in->nbids, sizeof *items, by_rank);
	eval_row *sorted = calloc(n, sizeof *sorted);
	if (!sorted) {
		free(items);
		return -1;
	}
	int rank = 0;
	for (int i = 0; i < in->nbids; i++) {
		sorted[i] = *items[i].row;
		sorted[i].rank = sorted[i].valid ? ++rank : 0;
	}
	for (int i = 0; i < in->nbids; i++)
		out[i] = sorted[i];
	free(sorted);
	free(items);
	return 0;
}
