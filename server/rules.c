/* rules.c — values of the domain rules, defaults from rules.def, overridden by configuration. */
#include "rules.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const rule_info infos[RULE__COUNT] = {
#define RULE(name, def, unit, desc) { #name, def, #unit, desc },
#include "rules.def"
#undef RULE
};

static long long values[RULE__COUNT] = {
#define RULE(name, def, unit, desc) def,
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

int rules_set(const char *name, const char *value)
{
	int id = rules_find(name);
	if (id < 0)
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	/* Every rule is a non-negative whole number. */
	if (errno || end == value || *end || v < 0)
		return -2;
	values[id] = v;
	return 0;
}
