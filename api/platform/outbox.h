/* outbox.h — mail waiting to be sent (SPEC Appendix C "Mail").
 *
 * A change that tells someone something writes the message here in its own transaction
 * (outbox_enqueue), so a change that rolls back sends nothing and one that commits sends once it
 * can. The mail job (outbox_run, a scheduled job) claims one due row at a time under a lease
 * (SELECT … FOR UPDATE SKIP LOCKED, then lease_owner/lease_until set, in a transaction of its
 * own), sends it over SMTP outside any transaction, and records the outcome only while it still
 * holds the lease: two instances never send the same message (one that dies between sending and
 * recording leaves the lease to expire, and the message goes again: at least once, with the same
 * Message-ID). A failure waits mail_retry_seconds, doubling each attempt; after mail_max_attempts
 * (or a permanent refusal) the message is a dead letter that admins list and send again. */
#ifndef SANZHI_OUTBOX_H
#define SANZHI_OUTBOX_H

#include "api.h"
#include "buf.h"

typedef struct outbox_msg {
	long long user_id; /* 0: none */
	const char *kind;  /* "application.accepted", "password_reset", … */
	const char *rcpt, *subject, *body;
	int sealed; /* the body holds a secret (a reset token): stored encrypted, wiped once sent */
} outbox_msg;

/* Inside the caller's transaction: queues m. Nothing when mail is not configured (0) or the
 * address cannot be used (0, logged). 0 or a DB_ code. */
int outbox_enqueue(db_conn *c, const outbox_msg *m);

/* The mail job (a sched_fn): sends what is due. 0 or a DB_ code. */
int outbox_run(cJSON *report);

/* The mail counters for /metrics, appended to b. */
void outbox_metrics(dynbuf *b);

/* GET /api/v1/admin/mail, POST /api/v1/admin/mail/{id}/retry */
extern const route outbox_routes[];

#endif
