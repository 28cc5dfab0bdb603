/* rules.h — the one table of named, configurable domain rules (see rules.def). */
#ifndef SANZHI_RULES_H
#define SANZHI_RULES_H

#include <stddef.h>

/* Money rules stay within what the API takes and prints exactly (JSON_FEN_MAX in json.h). */
#define RULE_FEN_MAX 999999999999999LL

typedef enum rule_id {
#define RULE(name, def, lo, hi, unit, desc) RULE_##name,
#include "rules.def"
#undef RULE
	RULE__COUNT
} rule_id;

typedef struct rule_info {
	const char *name;
	long long def;
	long long min, max; /* the allowed range, inclusive */
	const char *unit;
	const char *description;
} rule_info;

/* Current value of a rule. */
long long rule(rule_id id);
/* Set a rule by name from configuration text: a plain decimal whole number (no sign, blanks
 * or suffix) within the rule's range. -1 unknown name, -2 not a whole number, -3 out of range. */
int rules_set(const char *name, const char *value);
const rule_info *rules_info(rule_id id);
/* Look up a rule id by name; -1 if unknown. */
int rules_find(const char *name);
/* Checks that the rules agree with each other (every minimum at most its maximum, grade cut-offs
 * descending, the annual-report due day exists in its month, …). 0, or -1 with a message naming
 * the rules in err. */
int rules_check(char *err, size_t errlen);
/* Back to the defaults (tests). */
void rules_reset(void);

#endif
