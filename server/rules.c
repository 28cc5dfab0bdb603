/* rules.c — values of the domain rules, defaults from rules.def, overridden by configuration. */
#include "rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rule_info infos[RULE__COUNT] = {
#define RULE(name, def, lo, hi, unit, desc) { #name, def, lo, hi, #unit, desc },
#include "rules.def"
#undef RULE
};

static long long values[RULE__COUNT] = {
#define RULE(name, def, lo, hi, unit, desc) def,
#include "rules.def"
#undef RULE
};

long long rule(rule_id id)
{
	return values[id];
}

const rule_info *rules_info(rule_id id)
{
	return &infos[id];
}

int rules_find(const char *name)
{
	for (int i = 0; i < RULE__COUNT; i++)
		if (strcmp(infos[i].name, name) == 0)
			return i;
	return -1;
}

void rules_reset(void)
{
	for (int i = 0; i < RULE__COUNT; i++)
		values[i] = infos[i].def;
}

int rules_set(const char *name, const char *value)
{
	int id = rules_find(name);
	if (id < 0)
		return -1;
	/* Digits only: strtoll alone would take " 4", "+4" and "-0". */
	size_t n = strlen(value);
	if (n == 0 || n > 18 || strspn(value, "0123456789") != n)
		return -2;
	errno = 0;
	long long v = strtoll(value, NULL, 10);
	if (errno)
		return -2;
	if (v < infos[id].min || v > infos[id].max)
		return -3;
	values[id] = v;
	return 0;
}

/* Pairs of rules where the first must not exceed the second (strictly less when strict). */
static const struct {
	rule_id lo, hi;
	int strict;
	const char *why;
} orders[] = {
	{ RULE_social_group_min_funds_local_fen, RULE_social_group_min_funds_national_fen, 0,
	  "a local social group cannot need more funds than a national one" },
	{ RULE_foundation_min_fund_fen, RULE_foundation_min_fund_local_public_fen, 0,
	  "public fundraising cannot need less than non-public" },
	{ RULE_foundation_min_fund_local_public_fen, RULE_foundation_min_fund_national_public_fen, 0,
	  "local public fundraising cannot need more than national" },
	{ RULE_foundation_min_directors, RULE_foundation_max_directors, 0,
	  "the fewest directors cannot exceed the most" },
	{ RULE_grade_2a_min, RULE_grade_3a_min, 1, "grade cut-offs must descend from 5A to 2A" },
	{ RULE_grade_3a_min, RULE_grade_4a_min, 1, "grade cut-offs must descend from 5A to 2A" },
	{ RULE_grade_4a_min, RULE_grade_5a_min, 1, "grade cut-offs must descend from 5A to 2A" },
	{ RULE_price_points_min, RULE_price_points_max, 0, "the fewest price points cannot exceed the most" },
	{ RULE_committee_min_open, RULE_committee_min_large, 0,
	  "a large-budget committee cannot be smaller than an ordinary open-tender one" },
	{ RULE_committee_expert_share_num, RULE_committee_expert_share_den, 0,
	  "the experts' share is a fraction: numerator at most denominator" },
	{ RULE_contract_max_years, RULE_contract_max_years_reasoned, 0,
	  "a term with a reason cannot be shorter than one without" },
};

int rules_check(char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++) {
		long long a = values[orders[i].lo], b = values[orders[i].hi];
		if (orders[i].strict ? a < b : a <= b)
			continue;
		snprintf(err, errlen, "rules %s (%lld) and %s (%lld) disagree: %s must be %s %s (%s)",
		         infos[orders[i].lo].name, a, infos[orders[i].hi].name, b, infos[orders[i].lo].name,
		         orders[i].strict ? "below" : "at most", infos[orders[i].hi].name, orders[i].why);
		return -1;
	}
	/* The due date is a day of the following year's month: February is held to 28 so that the
	 * deadline exists every year. */
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long long m = values[RULE_annual_report_due_month], d = values[RULE_annual_report_due_day];
	if (d > mdays[m - 1]) {
		snprintf(err, errlen,
		         "rules annual_report_due_month (%lld) and annual_report_due_day (%lld) disagree: "
		         "that month has %d days",
		         m, d, mdays[m - 1]);
		return -1;
	}
	return 0;
}
