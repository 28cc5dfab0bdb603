/* org_gate.c — at most PUBLIC_DB_SLOTS public reads at the database at once, in arrival order
 * (see org_gate.h). */
#include "org_gate.h"

#include <pthread.h>

/* Reads of the public register hold at most PUBLIC_DB_SLOTS database connections at once, and
 * wait their turn first come, first served. A burst of anonymous traffic cannot take every
 * connection from registrars and applicants, and the database runs a few queries at a time
 * instead of dozens of threads fighting over its CPUs: on two cores, 64 lookups at once lose
 * throughput and have a p99 ten times as long. A FIFO rather than a semaphore, so no request
 * waits behind luckier late-comers (the p99 is what the waiting costs). */
#define PUBLIC_DB_SLOTS 4
#define GATE_WAITERS 256 /* condition variables, one per ticket modulo this */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv[GATE_WAITERS];
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static unsigned long gate_tail, gate_done; /* tickets handed out, and returned */

static void gate_init(void)
{
	for (int i = 0; i < GATE_WAITERS; i++)
		pthread_cond_init(&gate_cv[i], NULL);
}

void org_gate_enter(void)
{
	pthread_once(&gate_once, gate_init);
	pthread_mutex_lock(&gate_mu);
	unsigned long t = gate_tail++;
	while (t >= gate_done + PUBLIC_DB_SLOTS)
		pthread_cond_wait(&gate_cv[t % GATE_WAITERS], &gate_mu);
	pthread_mutex_unlock(&gate_mu);
}

void org_gate_leave(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_done++;
	/* The ticket that may enter now (a broadcast: with more waiters than variables, a later
	 * ticket may share the variable, and it simply waits again). */
	pthread_cond_broadcast(&gate_cv[(gate_done + PUBLIC_DB_SLOTS - 1) % GATE_WAITERS]);
	pthread_mutex_unlock(&gate_mu);
}
