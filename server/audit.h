/* audit.h — the append-only, hash-chained audit log.
 *
 * Each entry: seq, at, actor, role, action, object type and id, a JSON summary of the change,
 * prev_hash, and hash = SHA-256(prev_hash ‖ canonical entry). Appends happen inside the
 * transaction that makes the change, so a change and its entry commit together or not at all.
 *
 * The log is several chains, one per process: a daemon (or a CLI run that changes something)
 * opens a chain of its own, a row in audit_chains that holds the chain's head, and links each of
 * its entries to its previous one. Appends of different instances never touch the same row, so
 * on Galera writes on several nodes do not conflict over the audit log; appends within one
 * process still queue on their chain's head. seq is a global order for reading (AUTO_INCREMENT);
 * chain_id and chain_seq place an entry in its chain. Chain 0 holds the entries written before
 * chains existed (sql/0011_audit_chains.sql). */
#ifndef SANZHI_AUDIT_H
#define SANZHI_AUDIT_H

#include "auth.h"
#include "db.h"

#include <cjson/cJSON.h>

/* Opens this process's chain now, in a transaction of its own (the daemon at start, so the
 * first audited request does not pay for it). Without it the first append opens the chain.
 * Idempotent. 0, or a DB_ code (the next append tries again). */
int audit_chain_open(void);

/* This process's chain, 0 until one is open (logs). */
long long audit_chain_id(void);

/* who NULL means the system itself (sweeps, CLI). summary is not taken over. */
int audit_append(db_conn *c, const auth_user *who, const char *action, const char *object_type,
                 const char *object_id, const cJSON *summary);

typedef struct audit_report {
	long long entries;        /* entries verified */
	long long chains;         /* chains verified, the legacy chain 0 included */
	long long first_bad_seq;  /* 0 when intact; the bad entry's seq, or for a chain cut short the
	                           * seq of its last remaining entry (0 if none remains) */
	long long bad_chain;      /* the broken chain, -1 when intact or the entry has no chain */
	long long bad_chain_seq;  /* the first bad position in that chain, 0 when unknown */
	char reason[200];
} audit_report;

/* Walks every chain, in one consistent snapshot: each entry must be in a registered chain, at the
 * position after its predecessor, linked to it and hashed right, and each chain must end where its
 * head says. 0 when intact, 1 when broken (report says where: the earliest bad entry by seq), DB_
 * code on error. c is the caller's connection, outside any transaction. */
int audit_verify(db_conn *c, audit_report *rep);

#endif
