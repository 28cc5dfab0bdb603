/* scheduler.c — the periodic jobs' threads (see scheduler.h). */
#include "scheduler.h"
#include "db.h"
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static sched_job jobs[SCHED_MAX_JOBS];
static pthread_t threads[SCHED_MAX_JOBS];
static int njobs, nthreads;
static atomic_int stopping;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

void sched_add(const sched_job *j)
{
	if (njobs < SCHED_MAX_JOBS)
		jobs[njobs++] = *j;
	else
		log_kv(LOG_ERROR, "too many scheduled jobs", "job", j->name, NULL);
}

void sched_report(cJSON *report, const char *rule, long long changed)
{
	if (!report)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "rule", rule);
	cJSON_AddNumberToObject(o, "changed", (double)changed);
	cJSON_AddItemToArray(report, o);
}

static void *job_thread(void *arg)
{
	const sched_job *j = arg;
	while (!atomic_load(&stopping)) {
		int rc = j->fn(NULL);
		if (rc && rc != DB_DOWN && rc != DB_RETRY)
			log_kv(LOG_WARN, "scheduled job failed", "job", j->name, NULL);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += j->period_ms / 1000;
		until.tv_nsec += (long)(j->period_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&lock);
		while (!atomic_load(&stopping) && pthread_cond_timedwait(&wake, &lock, &until) == 0)
			;
		pthread_mutex_unlock(&lock);
	}
	db_release();
	return NULL;
}

int sched_start(void)
{
	atomic_store(&stopping, 0);
	for (int i = 0; i < njobs; i++) {
		if (pthread_create(&threads[i], NULL, job_thread, &jobs[i]) != 0) {
			sched_stop();
			return -1;
		}
		nthreads = i + 1;
	}
	return 0;
}

void sched_stop(void)
{
	pthread_mutex_lock(&lock);
	atomic_store(&stopping, 1);
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}

int sched_sweep(cJSON *report)
{
	for (int i = 0; i < njobs; i++) {
		if (!jobs[i].in_sweep)
			continue;
		int rc = jobs[i].fn(report);
		if (rc)
			return rc;
	}
	return 0;
}
