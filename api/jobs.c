/* jobs.c — every workflow and every periodic job of the daemon, in one list (as routes.c is for
 * routes). A new workflow is registered here, so that its deadlines run and `sanzhid states`
 * describes it. */
#include "api.h"
#include "annual_reports.h"
#include "application_flow.h"
#include "bid_flow.h"
#include "cache.h"
#include "credit.h"
#include "feed.h"
#include "credit_rules.h"
#include "fsm.h"
#include "list_entry_flow.h"
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
	return fsm_check();
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
