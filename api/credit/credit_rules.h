/* credit_rules.h — the automatic rules of the credit lists (SPEC §5, Appendix B).
 *
 * Each rule is one entry of the table in credit_rules.c: its name, the list and reason it lists
 * under, the SQL that selects what it lists (organization, the fact the entry stands for, the
 * evidence, the day), or, for the one rule that removes, the entries it lapses. The sweep runs
 * them every sweep_seconds and on POST /api/v1/admin/sweep:
 *
 *   annual_report_late          abnormal: the year's report not filed by its due day (one entry
 *                               per organization and year; evidence {"years": [y]})
 *   repeated_penalties          serious: serious_warnings_count warnings or small fines within
 *                               serious_warnings_window_years (evidence {"event_ids": […]});
 *                               also in the penalty's own transaction
 *   abnormal_two_years          serious: on the abnormal list serious_after_abnormal_years
 *                               (evidence {"list_entry_ids": [the abnormal entry]})
 *   annual_report_late_lapse    removes an annual_report_late entry abnormal_auto_removal_months
 *                               after its listing once that year's report is filed
 *
 * Every listing is keyed by its fact (list_entries.rule_key, unique with the organization and the
 * rule), so a second run at the same clock changes nothing, two instances sweeping at once list
 * once, and an entry a registrar removed is not made again. Listings are set-based, a batch of
 * organizations per transaction, with one audit entry per batch; removals go through the
 * list_entry workflow, one audit entry each. */
#ifndef SANZHI_CREDIT_RULES_H
#define SANZHI_CREDIT_RULES_H

#include "api.h"

/* The scheduler's job (a sched_fn): every rule once; {rule, changed} for each onto report. */
int credit_rules_run(cJSON *report);

/* Inside a penalty's transaction, which holds the organization's row lock: the rules a penalty
 * can complete (repeated_penalties), for that organization; the entries they create are appended
 * to consequences (as answered). 0 or a DB_ code. */
int credit_rules_after_event(tx *t, const char *uscc, cJSON *consequences);

#endif
