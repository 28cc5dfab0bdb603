/* feed.c — the feed's rows and their sequencer (feed.h says why it is built this way). */
#include "feed.h"
#include "clock.h"
#include "log.h"
#include "scheduler.h"

#include <stdio.h>

static void sequence_after_commit(void)
{
	/* The job numbers what this step could not (the database went away in between). */
	int rc = feed_sequence(NULL);
	if (rc)
		log_kv(LOG_WARN, "feed rows left for the sequencer job", NULL);
}

void feed_written(void)
{
	db_after_commit(sequence_after_commit);
}

int feed_add(db_conn *c, const char *type, const char *id, const char *action, const char *state)
{
	char now[32];
	clock_fmt_db(clock_now(), now);
	int rc = db_exec(c, FEED_INSERT "VALUES (?, ?, ?, ?, ?)",
	                 DBP(DBS(now), DBS(type), DBS(id), DBS(action), DBS(state)), NULL, NULL);
	if (!rc)
		feed_written();
	return rc;
}

typedef struct step {
	long long numbered;
	int full; /* the step took a whole batch: there may be more */
} step;

static int sequence_tx(db_conn *c, void *arg)
{
	step *s = arg;
	s->numbered = 0;
	s->full = 0;
	db_res *lk = NULL, *todo = NULL;
	int rc = db_query(c, "SELECT last_seq FROM feed_sequencer WHERE id = 1 FOR UPDATE", DBNONE, &lk);
	if (rc)
		return rc;
	if (lk->nrows != 1) {
		db_res_free(lk);
		log_kv(LOG_ERROR, "feed_sequencer has no row", NULL);
		return DB_ERROR;
	}
	long long last = db_int(lk, 0, 0);
	db_res_free(lk);
	/* A statement of its own after the lock: its snapshot holds every row committed before. */
	if ((rc = db_query(c, "SELECT id FROM feed_events WHERE seq IS NULL ORDER BY id LIMIT ?",
	                   DBP(DBI(FEED_SEQUENCE_BATCH)), &todo)))
		return rc;
	/* Row by row, by primary key: a statement that scanned for unnumbered rows (a join, a range)
	 * would wait on the row lock of a transaction still holding an uncommitted feed row, and with
	 * it the writer whose answer waits for this step. */
	for (int i = 0; i < todo->nrows && !rc; i++) {
		unsigned long long changed = 0;
		rc = db_exec(c, "UPDATE feed_events SET seq = ? WHERE id = ? AND seq IS NULL",
		             DBP(DBI(last + 1), DBI(db_int(todo, i, 0))), &changed, NULL);
		/* Numbered meanwhile by a step on another Galera node: this step starts again. */
		if (!rc && changed != 1)
			rc = DB_RETRY;
		if (!rc)
			last++;
	}
	if (!rc && todo->nrows)
		rc = db_exec(c, "UPDATE feed_sequencer SET last_seq = ? WHERE id = 1", DBP(DBI(last)), NULL, NULL);
	if (!rc) {
		s->numbered = todo->nrows;
		s->full = todo->nrows == FEED_SEQUENCE_BATCH;
	}
	db_res_free(todo);
	return rc;
}

int feed_sequence(long long *n)
{
	if (n)
		*n = 0;
	step s;
	do {
		int rc = db_tx(sequence_tx, &s);
		if (rc)
			return rc;
		if (n)
			*n += s.numbered;
	} while (s.full);
	return 0;
}

int feed_sequence_run(cJSON *report)
{
	db_conn *c = db_get();
	if (!c)
		return DB_DOWN;
	db_res *r;
	int rc = db_query(c, "SELECT 1 FROM feed_events WHERE seq IS NULL LIMIT 1", DBNONE, &r);
	if (rc)
		return rc;
	int pending = r->nrows > 0;
	db_res_free(r);
	long long n = 0;
	if (pending && (rc = feed_sequence(&n)))
		return rc;
	sched_report(report, "feed_sequence", n);
	return 0;
}
