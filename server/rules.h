/* rules.h — the one table of named, configurable domain rules (see rules.def). */
#ifndef SANZHI_RULES_H
#define SANZHI_RULES_H

typedef enum rule_id {
#define RULE(name, def, unit, desc) RULE_##name,
#include "rules.def"
#undef RULE
	RULE__COUNT
} rule_id;

typedef struct rule_info {
	const char *name;
	long long def;
	const char *unit;
	const char *description;
} rule_info;

/* Current value of a rule. */
long long rule(rule_id id);
/* Set a rule by name from configuration text; -1 unknown name, -2 bad value. */
int rules_set(const char *name, const char *value);
const rule_info *rules_info(rule_id id);
/* Look up a rule id by name; -1 if unknown. */
int rules_find(const char *name);

#endif
