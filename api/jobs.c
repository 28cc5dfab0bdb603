/* jobs.c — every workflow and every periodic job of the daemon, in one list (as routes.c is for
 * routes). A new workflow is registered here, so that its deadlines run and `sanzhid states`
 * describes it. */
#include "api.h"
#include "application_flow.h"
#include "cache.h"
#include "fsm.h"
#include "scheduler.h"

#define SWEEP_PERIOD_MS 60000   /* time-driven rules: a minute's latency at most (SPEC §6) */

static const fsm_def *const workflows[] = {
	&app_flow,
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

static const sched_job jobs[] = {
	{ "housekeeping", SWEEP_PERIOD_MS, housekeeping_run, 1 },
	{ "deadlines", SWEEP_PERIOD_MS, fsm_run_deadlines, 1 },
	{ "register_cache", CACHE_POLL_MS, cache_poll, 0 },
};

void api_workflows_register(void)
{
	for (size_t i = 0; i < sizeof workflows / sizeof workflows[0]; i++)
		fsm_register(workflows[i]);
}

void api_jobs_register(void)
{
	for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
		sched_add(&jobs[i]);
}

int sweep_run(cJSON *report)
{
	return sched_sweep(report);
}
