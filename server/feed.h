/* feed.h — the open-data feed: every public change, once, in the order it became visible
 * (SPEC §6 "Open data", Appendix B: GET /api/v1/feed?after=<seq>).
 *
 * Why a sequencer. AUTO_INCREMENT numbers are handed out at INSERT, not at COMMIT: a transaction
 * that took id 7 may commit after the one that took id 8, so a reader paging "id > 8" would never
 * see 7. So the change's transaction only writes its row (feed_add, seq NULL) and a separate step
 * numbers the rows after they are committed (feed_sequence):
 *
 *   1. lock the one row of feed_sequencer (SELECT … FOR UPDATE): sequencers run one at a time;
 *   2. read the committed rows still without a number (READ COMMITTED: a fresh snapshot taken
 *      after the lock, so it holds everything committed before this step began);
 *   3. give them last_seq + 1, + 2, … in id order, store the new last_seq, commit.
 *
 * Readers see numbered rows only (WHERE seq > ?). A step's numbers are all above every number
 * committed before it, and become visible at once with its commit; a row committed late is simply
 * numbered by a later step, above everything already visible. So a reader that was answered
 * next_after = N never later finds a row at or below N, and every committed row gets a number.
 * Over Galera the row lock is local to a node, but two steps on two nodes both write the sequencer
 * row: certification lets one commit and the other retries (reading the winner's last_seq), and
 * every node applies the commits in the same total order, so a reader on any node sees a prefix.
 * Rows numbered in one step are ordered by id; changes to one object are ordered by the object's
 * row lock, so their ids, and their numbers, follow their commits.
 *
 * The step runs after the commit of every transaction that wrote a feed row (db_after_commit:
 * the writer's answer comes after its row is numbered) and every second as a job (rows whose
 * after-commit step did not run: a crash between commit and step, a lost connection, rows another
 * process wrote). Nothing sealed ever goes in: a row names only the object and what happened. */
#ifndef SANZHI_FEED_H
#define SANZHI_FEED_H

#include "db.h"

#include <cjson/cJSON.h>

#define FEED_SEQUENCE_MS 1000
/* Rows one sequencer step numbers (the next step takes the rest). */
#define FEED_SEQUENCE_BATCH 1000

/* Inside the change's transaction: one public change of object id of type ("org", "credit",
 * "tender"): action (what happened, a workflow action or an event type) and the workflow state
 * after it (or NULL). Registers the sequencer step for after the commit. 0 or a DB_ code. */
int feed_add(db_conn *c, const char *type, const char *id, const char *action, const char *state);

/* The columns of an INSERT … SELECT of several rows at once (batches): the caller's statement
 * starts with FEED_INSERT and selects (at, type, object_id, action, state); then feed_written(). */
#define FEED_INSERT "INSERT INTO feed_events (at, type, object_id, action, state) "
void feed_written(void);

/* Numbers the rows committed and not yet numbered, in steps of FEED_SEQUENCE_BATCH; *n (or
 * NULL) counts them. 0 or a DB_ code. */
int feed_sequence(long long *n);
/* The periodic job (a sched_fn). */
int feed_sequence_run(cJSON *report);

#endif
