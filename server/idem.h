/* idem.h — Idempotency-Key for creating POSTs: a retry with the same key by the same user gets
 * the first answer again and creates nothing new (SPEC §2). The HTTP side is in tx.c; this is
 * the record: claimed and answered inside the transaction that makes the change.
 *
 * - Scope: a signed-in user's keys are theirs (user_id). Anonymous requests (sign-up) are scoped
 *   by client address as well: stored under user_id 0 as "anon:" + SHA-256(address, key).
 * - Content: the method, the path, the query parameters in sorted order and, for a JSON body,
 *   the parsed document printed canonically (members sorted by name, no white space); raw
 *   uploads are compared byte for byte. The same key for another request is refused.
 * - Lifetime: IDEM_TTL_HOURS; the housekeeping job deletes records a day old. */
#ifndef SANZHI_IDEM_H
#define SANZHI_IDEM_H

#include "clock.h"
#include "db.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define IDEM_TTL_HOURS 24

typedef struct idem_request {
	const char *method, *path, *query;
	const cJSON *json; /* the parsed body, or NULL */
	const char *body;  /* the raw body (uploads), or NULL */
	size_t body_len;
	long long user_id; /* 0: anonymous */
	const char *client_ip;
	const char *key; /* the Idempotency-Key header */
} idem_request;

typedef struct idem_key {
	long long user_id;
	char key[129];
	char hash[65];
} idem_key;

typedef struct idem_answer {
	int status;
	char content_type[96];
	char headers[1280];
	char *body; /* malloc'd by idem_lookup */
	size_t len;
} idem_answer;

enum { IDEM_NONE = 0, IDEM_FOUND = 1, IDEM_REUSED = 2 };

void idem_key_make(idem_key *k, const idem_request *q);
/* The recorded answer for k: IDEM_FOUND (out filled; free out->body), IDEM_NONE, IDEM_REUSED
 * (the key answered another request), or a DB_ code. */
int idem_lookup(db_conn *c, const idem_key *k, idem_answer *out);
/* Inside the changing transaction, first: claims k. DB_DUP when another request holds it
 * (committed meanwhile: look it up again). */
int idem_claim(db_conn *c, const idem_key *k);
/* Records the answer: claimed 1 inside the claiming transaction; 0 for a refusal, after its
 * transaction rolled back (kept only if no answer was recorded meanwhile). */
int idem_record(db_conn *c, const idem_key *k, const idem_answer *a, int claimed);

#endif
