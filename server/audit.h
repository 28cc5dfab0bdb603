/* audit.h — the append-only, hash-chained audit log.
 *
 * Each entry: seq, at, actor, role, action, object type and id, a JSON summary of the change,
 * prev_hash, and hash = SHA-256(prev_hash ‖ canonical entry). Appends happen inside the
 * transaction that makes the change, so a change and its entry commit together or not at all. */
#ifndef SANZHI_AUDIT_H
#define SANZHI_AUDIT_H

#include "db.h"
#include "http.h"

#include <cjson/cJSON.h>

/* who NULL means the system itself (sweeps, CLI). summary is not taken over. */
int audit_append(db_conn *c, const auth_user *who, const char *action, const char *object_type,
                 const char *object_id, const cJSON *summary);

typedef struct audit_report {
	long long entries;
	long long first_bad_seq;  /* 0 when intact */
	char reason[160];
} audit_report;

/* Walks the whole chain. 0 when intact, 1 when broken (report says where), DB_ code on error. */
int audit_verify(db_conn *c, audit_report *rep);

#endif
