/* audit.h — the append-only, hash-chained audit log.
 *
 * Each entry: seq, at, actor, role, action, object type and id, a JSON summary of the change,
 * prev_hash, and hash = SHA-256(prev_hash ‖ canonical entry). Appends happen inside the
 * transaction that makes the change, so a change and its entry commit together or not at all.
 *
 * The log is several chains, a few per process: a daemon (or a CLI run that changes something)
 * opens chains of its own, each a row in audit_chains that holds the chain's head, and links each
 * entry to the previous one of its chain. Appends of different instances never touch the same
 * row, so on Galera writes on several nodes do not conflict over the audit log. Within a process
 * each thread appends to one of its audit_chains chains (configuration, default 16; a CLI run
 * writes one), so that concurrent audited transactions do not all queue on one head row through
 * their commits. seq is a global order for reading (AUTO_INCREMENT);
 * chain_id and chain_seq place an entry in its chain. Chain 0 holds the entries written before
 * chains existed (sql/0011_audit_chains.sql).
 *
 * Hashes show changes only to whoever cannot recompute them. From sql/0012 on, every entry and
 * every chain head also carries an HMAC-SHA256 under a key derived (HKDF) from the master key,
 * which the database does not hold; the chains from before keep their hashes, and a line sealed
 * at the first start (audit_mac_line) binds their heads. Signed checkpoints of every head are
 * api/platform/audit_api.c's. Needs the master key: commands other than serve load it here. */
#ifndef SANZHI_AUDIT_H
#define SANZHI_AUDIT_H

#include "auth.h"
#include "crypto.h"
#include "db.h"

#include <cjson/cJSON.h>

/* Opens this process's chains now (all audit_chains of them), each in a transaction of its own:
 * the daemon at start, so that no request pays for it and threads never race to open one.
 * Without it (the CLI, a database down at start) the first append of a stripe opens its chain.
 * Idempotent. 0, or a DB_ code (the next append tries again). */
int audit_chain_open(void);

/* This process's chain, 0 until one is open (logs). */
long long audit_chain_id(void);

/* who NULL means the system itself (sweeps, CLI). summary is not taken over. */
int audit_append(db_conn *c, const auth_user *who, const char *action, const char *object_type, const char *object_id,
                 const cJSON *summary);

typedef struct audit_report {
	long long entries;       /* entries verified */
	long long chains;        /* chains verified, the legacy chain 0 included */
	long long first_bad_seq; /* 0 when intact; the bad entry's seq, or for a chain cut short the
	                           * seq of its last remaining entry (0 if none remains) */
	long long bad_chain;     /* the broken chain, -1 when intact or the entry has no chain */
	long long bad_chain_seq; /* the first bad position in that chain, 0 when unknown */
	char reason[200];
} audit_report;

/* A chain's head: its last entry's place and hash. */
typedef struct audit_head {
	long long chain, seq;
	char hash[65];
} audit_head;

/* Walks every chain, in one consistent snapshot: each entry must be in a registered chain, at the
 * position after its predecessor, linked to it and hashed right, and each chain must end where its
 * head says. From the line where MACs begin (sql/0012) every entry and head must carry its MAC
 * (under a key derived from the master key, so rows rewritten with their hashes recomputed fail),
 * and the chains from before the line must be as they were when it was sealed. reach (nreach
 * heads, may be NULL): the heads of a checkpoint, each of which must still be in its chain (a
 * tail cut off after the checkpoint, head rewound with it, fails). 0 when intact, 1 when broken
 * (report says where: the earliest bad entry by seq), DB_ code on error (also without the master
 * key). c is the caller's connection, outside any transaction. */
int audit_verify(db_conn *c, const audit_head *reach, size_t nreach, audit_report *rep);

/* The heads of every chain that has entries, by chain id, in one statement (one moment): *out
 * malloc'd. 0 or a DB_ code. */
int audit_heads(db_conn *c, audit_head **out, size_t *n);
/* SHA-256 hex over "sanzhi-audit-heads-v1\n" and a line "<chain> <seq> <hash>\n" per head. */
void audit_heads_digest(const audit_head *h, size_t n, char out[CRYPTO_SHA256_HEX_LEN + 1]);

/* Wipes the derived MAC key (at exit). */
void audit_mac_key_wipe(void);

#endif
