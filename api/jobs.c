/* jobs.c — every workflow and every periodic job of the daemon, in one list (as routes.c is for
 * routes). A new workflow is registered here, so that its deadlines run and `sanzhid states`
 * describes it; so are the guards and effects other modules bind to a workflow's table. */
#include "api.h"
#include "annual_reports.h"
#include "application_decisions.h"
#include "application_flow.h"
#include "award.h"
#include "bid_flow.h"
#include "cache.h"
#include "committee.h"
#include "credit.h"
#include "feed.h"
#include "credit_rules.h"
#include "fsm.h"
#include "list_entry_flow.h"
#include "opening.h"
#include "orgs.h"
#include "outbox.h"
#include "scheduler.h"
#include "tender_flow.h"

static const fsm_def *const workflows[] = {
	&app_flow,
	&list_entry_flow,
	&tender_flow,
	&bid_flow,
};

/* The guards and effects that modules above a workflow bring to its table (fsm_bind): the table
 * names the slot, so it depends on none of them. A slot left empty stops the daemon at start. The
 * bureau's decisions on an application issue its notices and mail; the tender's opening,
 * committee, award and contract are modules of their own. */
static const struct {
	const fsm_def *def;
	int action;
	fsm_fn guard, effect;
} bindings[] = {
	{ &app_flow, APP_DO_request_supplement, NULL, app_decide_request_supplement },
	{ &app_flow, APP_DO_accept, NULL, app_decide_accept },
	{ &app_flow, APP_DO_deem, NULL, app_decide_deem },
	{ &app_flow, APP_DO_approve, NULL, app_decide_approve },
	{ &app_flow, APP_DO_reject, NULL, app_decide_reject },
	{ &tender_flow, TA_open, NULL, opening_effect },
	{ &tender_flow, TA_committee, NULL, committee_effect },
	{ &tender_flow, TA_award, NULL, award_effect },
	{ &tender_flow, TA_challenge, award_challenge_guard, award_challenge_effect },
	{ &tender_flow, TA_answer_challenge, NULL, award_answer_effect },
	{ &tender_flow, TA_contract, NULL, contract_effect },
};

/* The profile cache follows changes other instances make (server/cache.h). */
static int cache_poll(cJSON *report)
{
	(void)report;
	db_conn *c = db_get();
	db_res *r;
	if (!c)
		return DB_DOWN;
	int rc = db_query(c, "SELECT gen FROM register_generation WHERE id = 1", DBNONE, &r);
	if (rc)
		return rc;
	if (r->nrows == 1)
		cache_observe((uint64_t)db_int(r, 0, 0));
	db_res_free(r);
	return 0;
}

/* Signed checkpoints of the audit chains: at least one a minute (README, "Audit trail"). */
#define AUDIT_CHECKPOINT_MS 60000

/* Periods in ms; -1: mail_poll_ms; 0: the sweep period (sweep_seconds, default a minute: the latency of a
 * time-driven rule, SPEC §6). */
static const sched_job jobs[] = {
	{ "housekeeping", 0, housekeeping_run, 1 },
	{ "deadlines", 0, fsm_run_deadlines, 1 },
	{ "credit_rules", 0, credit_rules_run, 1 },
	{ "grade_expiry", 0, grades_expire_run, 1 },
	{ "register_cache", CACHE_POLL_MS, cache_poll, 0 },
	{ "audit_checkpoint", AUDIT_CHECKPOINT_MS, audit_checkpoint_run, 0 },
	/* Feed rows whose writer's own sequencer step did not run (server/feed.h). */
	{ "feed_sequence", FEED_SEQUENCE_MS, feed_sequence_run, 0 },
	{ "annual_report_reminders", 0, annual_reports_remind, 1 },
	{ "mail", -1, outbox_run, 0 },
};

int api_workflows_register(void)
{
	orgs_lists_source(le_current_write);
	for (size_t i = 0; i < sizeof workflows / sizeof workflows[0]; i++)
		fsm_register(workflows[i]);
	int rc = 0;
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (fsm_bind(bindings[i].def, bindings[i].action, bindings[i].guard, bindings[i].effect) < 0)
			rc = -1;
	return fsm_check() < 0 ? -1 : rc;
}

void api_jobs_register(void)
{
	for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
		sched_job j = jobs[i];
		if (!j.period_ms)
			j.period_ms = cfg.sweep_seconds * 1000;
		else if (j.period_ms < 0) /* -1: the mail sender's own period */
			j.period_ms = cfg.mail_poll_ms;
		sched_add(&j);
	}
}

int sweep_run(cJSON *report)
{
	return sched_sweep(report);
}
