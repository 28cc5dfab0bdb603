/* list_entry_flow.h — the life of a credit-list entry (SPEC §5, Appendix B) as data on the
 * executor of server/fsm.h:
 *
 *     listed ─remove (registrar)→ removed
 *     listed ─lapse (the sweep)───→ removed
 *
 * Removal from the serious list is refused (422 too_early) until serious_removal_years have
 * passed without new grounds. The move closes the entry (removed_on, removal_reason), adds the
 * delisting to the organization's public history and drops its cached profile.
 *
 * Which lists an organization is on now is also kept in org_lists (sql/0016), for the register
 * search's listed= filter: le_insert adds the organization to the list, the removal of its last
 * current entry on a list takes it off. Whoever lists or removes goes through these two, or
 * org_lists drifts from list_entries.
 *
 * The row: LE_COLUMNS and enum le_col are the one decoding of a list_entries row. */
#ifndef SANZHI_LIST_ENTRY_FLOW_H
#define SANZHI_LIST_ENTRY_FLOW_H

#include "api.h"
#include "fsm.h"
#include "jw.h"

enum le_state {
#define STATE(x) LE_##x,
#define ACTION(x, wire)
#include "list_entry.def"
#undef STATE
#undef ACTION
	LE_NSTATES
};

enum le_action {
#define STATE(x)
#define ACTION(x, wire) LE_DO_##x,
#include "list_entry.def"
#undef STATE
#undef ACTION
	LE_NACTIONS
};

extern const fsm_def list_entry_flow;

#define LE_COLUMNS                                                                                                     \
	"id, uscc, list, reason, rule, evidence, listed_on, removed_on, removal_reason, status, version, "             \
	"created_at, updated_at, rule_key, removal_rule, "                                                             \
	"(SELECT r.filed_at FROM annual_reports r WHERE r.uscc = list_entries.uscc AND "                               \
	"list_entries.rule = 'annual_report_late' AND r.year = CAST(list_entries.rule_key AS UNSIGNED))"

enum le_col {
	LC_ID,
	LC_USCC,
	LC_LIST,
	LC_REASON,
	LC_RULE,
	LC_EVIDENCE,
	LC_LISTED,
	LC_REMOVED,
	LC_REMOVAL_REASON,
	LC_STATUS,
	LC_VERSION,
	LC_CREATED,
	LC_UPDATED,
	LC_RULE_KEY,
	LC_REMOVAL_RULE,
	LC_CAUSE_FIXED, /* when the cause is known to be fixed: the late report's filing */
	LC_NCOLS,       /* a query may select more after these */
};

/* The two lists, and the reasons each takes (Appendix B); NULL-terminated. */
enum le_list { LE_ABNORMAL, LE_SERIOUS };
extern const char *const le_lists[];
extern const char *const le_abnormal_reasons[];
extern const char *const le_serious_reasons[];
/* The reasons of list l. */
const char *const *le_reasons(enum le_list l);
/* The list named s, or -1. */
int le_list_of(const char *s);

/* What remove and lapse take (the arg of fsm_exec). */
typedef struct le_args {
	const char *reason;
	const char *rule; /* lapse: the rule that removes it */
	int64_t on;       /* the day of removal; 0: today */
} le_args;

/* An entry as answered: {id, list, reason, rule, evidence, listed_on, cause_fixed_on,
 * removal_due_on, removed_on, removal_reason, removal_rule, status, version}, into the object w has open.
 * removal_due_on: SPEC §5, a registrar removes an abnormal entry within
 * abnormal_removal_working_days working days after its cause is fixed; known for the late
 * report (its filing). */
void le_fields(jw *w, const db_res *r, int row);
cJSON *le_json(const db_res *r, int row);

/* What a listing is: the list and reason, the rule that made it and the fact it stands for
 * (rule_key; both NULL for a registrar's manual listing), its evidence (JSON text: a string, or
 * references {"event_ids", "years", "list_entry_ids"}), and its day. */
typedef struct le_listing {
	enum le_list list;
	const char *reason, *rule, *rule_key, *evidence;
	int64_t on;
} le_listing;

/* Inside a transaction that holds the organization's row lock: lists uscc as l says; adds the
 * listing to the public history, bumps the organization's version, drops its cached profile and
 * audits it. *id: the new entry. 0 or a DB_ code (DB_DUP: the rule listed it for that fact
 * before). */
int le_insert(tx *t, const char *uscc, const le_listing *l, long long *id);

/* The current entries of uscc (array value w is due). 0 or a DB_ code. */
int le_current_write(db_conn *c, const char *uscc, jw *w);

#endif
