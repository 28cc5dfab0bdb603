/* scheduler.h — periodic work, each job on its own period (as pgbouncer's janitor and Redis's
 * run_with_period): time-driven moves of every workflow (deadlines are rows in the database,
 * server/fsm.h, so a restart loses none and a deadline that fell while the daemon was down is
 * made real at start), housekeeping, the profile cache's coherence poll.
 *
 * Every instance runs every job; a job must therefore be safe to run twice at once on two
 * instances (deadlines re-check under the row lock; deletes of expired rows are idempotent).
 * Nothing here takes GET_LOCK, which Galera does not support. (Not named sched.h: that is the C
 * library's header, which pthread.h includes.) */
#ifndef SANZHI_SCHEDULER_H
#define SANZHI_SCHEDULER_H

#include <cjson/cJSON.h>

/* A job appends what it did to report ([{rule, changed}], may be NULL) and returns 0 or a
 * DB_ code. */
typedef int (*sched_fn)(cJSON *report);

typedef struct sched_job {
	const char *name;
	int period_ms;
	sched_fn fn;
	int in_sweep; /* also run by POST /api/v1/admin/sweep */
} sched_job;

#define SCHED_MAX_JOBS 16

/* Before sched_start. */
void sched_add(const sched_job *j);
/* One thread per job; each job runs once at once, then every period. -1 when a thread cannot
 * be made. */
int sched_start(void);
/* Asks every job to stop and waits for it (a running job finishes its pass). */
void sched_stop(void);
/* Runs every in_sweep job once now, in the calling thread, in the order added. */
int sched_sweep(cJSON *report);
/* {rule, changed} onto report (when not NULL). */
void sched_report(cJSON *report, const char *rule, long long changed);

#endif
