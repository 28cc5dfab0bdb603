/* audit.c — hash chains, one per process: appends under the own chain's head row lock,
 * verification of every chain by replay in one snapshot. */
#include "audit.h"
#include "clock.h"
#include "crypto.h"
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define LEGACY_CHAIN 0

/* This process's chain, 0 until registered. A chain opened inside an audited transaction is
 * published only once that transaction commits (tls_pending_chain until then). */
static atomic_llong own_chain;
static _Thread_local long long tls_pending_chain;

long long audit_chain_id(void)
{
	return atomic_load(&own_chain);
}

/* Length-prefixed fields: no value can be confused with a field boundary. */
static void hash_fields(const char *prev_hash, const char *const *fields, size_t n, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	crypto_sha256_ctx *h = crypto_sha256_begin();
	crypto_sha256_update(h, prev_hash, strlen(prev_hash));
	for (size_t i = 0; i < n; i++) {
		char len[24];
		int k = snprintf(len, sizeof len, "%zu:", strlen(fields[i]));
		crypto_sha256_update(h, len, (size_t)k);
		crypto_sha256_update(h, fields[i], strlen(fields[i]));
		crypto_sha256_update(h, "\n", 1);
	}
	crypto_sha256_end_hex(h, out);
}

typedef struct audit_entry {
	long long seq, chain, chain_seq;
	const char *at, *actor_id, *actor, *role, *action, *object_type, *object_id, *summary;
} audit_entry;

/* The canonical entry. v1 is the single chain before 0011 (chain 0, where chain_seq = seq); v2
 * also binds the entry to its chain and place, and to its global seq, so no field of an entry can
 * be changed, and no entry moved within or between chains, without breaking its hash. */
static void entry_hash(const char *prev_hash, const audit_entry *e, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	char seq[24], chain[24], chain_seq[24];
	snprintf(seq, sizeof seq, "%lld", e->seq);
	snprintf(chain, sizeof chain, "%lld", e->chain);
	snprintf(chain_seq, sizeof chain_seq, "%lld", e->chain_seq);
	if (e->chain == LEGACY_CHAIN) {
		const char *v1[] = { "sanzhi-audit-v1", seq, e->at, e->actor_id, e->actor, e->role, e->action,
			             e->object_type, e->object_id, e->summary };
		hash_fields(prev_hash, v1, sizeof v1 / sizeof v1[0], out);
	} else {
		const char *v2[] = { "sanzhi-audit-v2", chain, chain_seq, seq, e->at, e->actor_id, e->actor, e->role,
			             e->action, e->object_type, e->object_id, e->summary };
		hash_fields(prev_hash, v2, sizeof v2 / sizeof v2[0], out);
	}
}

/* --- opening a chain ------------------------------------------------------------ */
static int chain_insert(db_conn *c, long long *id)
{
	/* Which process wrote a chain, for an operator reading audit_chains. */
	char host[64] = "?", instance[160], now[32];
	if (gethostname(host, sizeof host) < 0)
		snprintf(host, sizeof host, "?");
	host[sizeof host - 1] = 0;
	snprintf(instance, sizeof instance, "%s pid %ld", host, (long)getpid());
	clock_fmt_db(clock_now(), now);
	unsigned long long newid = 0;
	int rc = db_exec(c, "INSERT INTO audit_chains (instance, opened_at, seq, hash) VALUES (?, ?, 0, ?)",
	                 DBP(DBS(instance), DBS(now), DBS(GENESIS)), NULL, &newid);
	if (rc)
		return rc;
	*id = (long long)newid;
	return 0;
}

static int open_tx(db_conn *c, void *arg)
{
	return chain_insert(c, arg);
}

int audit_chain_open(void)
{
	if (atomic_load(&own_chain))
		return 0;
	long long id = 0;
	int rc = db_tx(open_tx, &id);
	if (rc)
		return rc;
	long long none = 0;
	/* Another thread may have opened one meanwhile: this one then stays empty, which verifies. */
	atomic_compare_exchange_strong(&own_chain, &none, id);
	return 0;
}

static void publish_pending_chain(void)
{
	long long none = 0;
	atomic_compare_exchange_strong(&own_chain, &none, tls_pending_chain);
	tls_pending_chain = 0;
}

/* The chain to append to, its head locked until the transaction ends. When the process has none
 * yet, opens one inside the caller's transaction: it exists only if that commits. */
static int lock_head(db_conn *c, long long *chain, long long *seq, char prev[CRYPTO_SHA256_HEX_LEN + 1])
{
	for (int opened = 0;; opened = 1) {
		long long id = atomic_load(&own_chain);
		if (!id)
			id = tls_pending_chain;
		if (id) {
			db_res *r;
			int rc = db_query(c, "SELECT seq, hash FROM audit_chains WHERE id = ? FOR UPDATE", DBP(DBI(id)), &r);
			if (rc)
				return rc;
			if (r->nrows == 1) {
				*chain = id;
				*seq = db_int(r, 0, 0);
				snprintf(prev, CRYPTO_SHA256_HEX_LEN + 1, "%s", db_val(r, 0, 1));
				db_res_free(r);
				return 0;
			}
			db_res_free(r);
			if (opened)
				return DB_ERROR;
			/* Not there: a chain opened by a transaction that rolled back (a retry starts
			 * over), or the process's own chain removed under it (tampering, or a restore):
			 * verification reports the latter; appends go on in a new chain. */
			if (id != tls_pending_chain) {
				char ids[24];
				snprintf(ids, sizeof ids, "%lld", id);
				log_kv(LOG_WARN, "audit chain vanished from audit_chains; opening another", "chain", ids, NULL);
				long long gone = id;
				atomic_compare_exchange_strong(&own_chain, &gone, 0);
			}
		}
		int rc = chain_insert(c, &tls_pending_chain);
		if (rc)
			return rc;
		db_after_commit(publish_pending_chain);
	}
}

int audit_append(db_conn *c, const auth_user *who, const char *action, const char *object_type,
                 const char *object_id, const cJSON *summary)
{
	long long chain, head_seq;
	char prev[CRYPTO_SHA256_HEX_LEN + 1];
	int rc = lock_head(c, &chain, &head_seq, prev);
	if (rc)
		return rc;

	char at[32], actor_id[24] = "";
	clock_fmt_db(clock_now(), at);
	if (who)
		snprintf(actor_id, sizeof actor_id, "%lld", who->id);
	char *sum = summary ? cJSON_PrintUnformatted(summary) : strdup("{}");
	if (!sum)
		return DB_ERROR;
	audit_entry e = { 0, chain, head_seq + 1, at, actor_id, who ? who->username : "system",
		          who ? who->role : "system", action, object_type, object_id, sum };
	/* The global seq comes from AUTO_INCREMENT and is part of the hash: insert, then seal the
	 * entry and move the head in one statement (the head stays locked for as few round trips as
	 * with one chain). The row is never seen unsealed: all happens in the caller's transaction. */
	unsigned long long seq = 0;
	rc = db_exec(c,
	             "INSERT INTO audit_log (chain_id, chain_seq, at, actor_id, actor, role, action, object_type, "
	             "object_id, summary, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
	             DBP(DBI(e.chain), DBI(e.chain_seq), DBS(at), who ? DBI(who->id) : DBNULL, DBS(e.actor), DBS(e.role),
	                 DBS(action), DBS(object_type), DBS(object_id), DBS(sum), DBS(prev)),
	             NULL, &seq);
	if (rc)
		goto out;
	e.seq = (long long)seq;
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	entry_hash(prev, &e, hash);
	unsigned long long changed = 0;
	rc = db_exec(c,
	             "UPDATE audit_log l, audit_chains h SET l.hash = ?, h.seq = ?, h.hash = ? "
	             "WHERE l.seq = ? AND h.id = ?",
	             DBP(DBS(hash), DBI(e.chain_seq), DBS(hash), DBI(e.seq), DBI(chain)), &changed, NULL);
	if (!rc && changed != 2)
		rc = DB_ERROR;
out:
	free(sum);
	return rc;
}

/* --- verification ------------------------------------------------------------- */
#define VERIFY_PAGE 2000
#define CHAIN_PAGE 500

/* Keeps the earliest problem by global seq; problems without an entry (a chain cut short with
 * nothing left) come after those with one. */
static void bad(audit_report *rep, long long seq, long long chain, long long chain_seq, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void bad(audit_report *rep, long long seq, long long chain, long long chain_seq, const char *fmt, ...)
{
	if (rep->reason[0]) {
		long long cur = rep->first_bad_seq;
		if (seq == 0 || (cur != 0 && cur <= seq))
			return;
	}
	rep->first_bad_seq = seq;
	rep->bad_chain = chain;
	rep->bad_chain_seq = chain_seq;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rep->reason, sizeof rep->reason, fmt, ap);
	va_end(ap);
}

/* One chain, from its first entry to its head. Stops at the chain's first problem: what follows
 * a broken link cannot be vouched for. */
static int verify_chain(db_conn *c, long long chain, long long head_seq, const char *head_hash, audit_report *rep)
{
	char prev[CRYPTO_SHA256_HEX_LEN + 1] = GENESIS;
	long long expect = 1, last_seq = 0, beyond_head = 0;
	for (;;) {
		db_res *r;
		int rc = db_query(c,
		                  "SELECT seq, chain_seq, at, COALESCE(actor_id, ''), actor, role, action, object_type, "
		                  "object_id, summary, prev_hash, hash FROM audit_log WHERE chain_id = ? AND chain_seq >= ? "
		                  "ORDER BY chain_seq LIMIT ?",
		                  DBP(DBI(chain), DBI(expect), DBI(VERIFY_PAGE)), &r);
		if (rc)
			return rc;
		for (int i = 0; i < r->nrows; i++) {
			audit_entry e = { db_int(r, i, 0), chain, db_int(r, i, 1), NULL, db_val(r, i, 3), db_val(r, i, 4),
				          db_val(r, i, 5), db_val(r, i, 6), db_val(r, i, 7), db_val(r, i, 8),
				          db_val(r, i, 9) };
			const char *why = NULL;
			char at[32], hash[CRYPTO_SHA256_HEX_LEN + 1], msg[160];
			usec_t t;
			if (e.chain_seq != expect) {
				if (last_seq)
					snprintf(msg, sizeof msg, "chain %lld is missing #%lld (between entries %lld and %lld)",
					         chain, expect, last_seq, e.seq);
				else
					snprintf(msg, sizeof msg, "chain %lld is missing #%lld (the chain starts at entry %lld)",
					         chain, expect, e.seq);
				why = msg;
			} else if (chain == LEGACY_CHAIN && e.seq != e.chain_seq) {
				why = "is out of place in the legacy chain";
			} else if (clock_parse(db_val(r, i, 2), &t) < 0) {
				why = "has an unreadable time";
			} else if (strcmp(db_val(r, i, 10), prev) != 0) {
				why = "does not link to the entry before it in its chain";
			} else {
				clock_fmt_db(t, at);
				e.at = at;
				entry_hash(prev, &e, hash);
				if (!crypto_equal(hash, CRYPTO_SHA256_HEX_LEN, db_val(r, i, 11), db_len(r, i, 11)))
					why = "was altered (its hash does not match)";
			}
			if (why) {
				if (why == msg)
					bad(rep, e.seq, chain, expect, "%s", msg);
				else
					bad(rep, e.seq, chain, e.chain_seq, "entry %lld (chain %lld #%lld) %s", e.seq, chain,
					    e.chain_seq, why);
				db_res_free(r);
				return 0;
			}
			memcpy(prev, hash, sizeof hash);
			last_seq = e.seq;
			if (e.chain_seq == head_seq + 1)
				beyond_head = e.seq;
			rep->entries++;
			expect++;
		}
		int n = r->nrows;
		db_res_free(r);
		if (n < VERIFY_PAGE)
			break;
	}
	/* The head records the last entry: removing entries from the end is caught here. */
	if (head_seq > expect - 1)
		bad(rep, last_seq, chain, expect,
		    "chain %lld ends at #%lld but its head records #%lld: entries were removed from its end", chain,
		    expect - 1, head_seq);
	else if (head_seq < expect - 1)
		bad(rep, beyond_head, chain, head_seq + 1,
		    "chain %lld goes on to #%lld but its head records #%lld: entries were added after it", chain,
		    expect - 1, head_seq);
	else if (strcmp(head_hash, prev) != 0)
		bad(rep, last_seq, chain, head_seq, "chain %lld: its head does not match its last entry (#%lld)", chain,
		    head_seq);
	return 0;
}

typedef struct verify_ctx {
	audit_report *rep;
} verify_ctx;

static void report_reset(audit_report *rep)
{
	memset(rep, 0, sizeof *rep);
	rep->bad_chain = -1;
}

static int verify_tx(db_conn *c, void *arg)
{
	audit_report *rep = ((verify_ctx *)arg)->rep;
	report_reset(rep);  /* a retried transaction starts over */
	/* Sessions read committed (server/db.c), where every statement sees the latest commits and
	 * an append landing between reading a head and walking its chain would pass for tampering.
	 * So the transaction db_tx opened, still empty, gives way to one snapshot for the whole walk. */
	int rc = db_raw(c, "COMMIT");
	if (!rc)
		rc = db_raw(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
	if (!rc)
		rc = db_raw(c, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
	if (rc)
		return rc;
	long long after = -1;
	for (;;) {
		db_res *ch;
		rc = db_query(c, "SELECT id, seq, hash FROM audit_chains WHERE id > ? ORDER BY id LIMIT ?",
		                  DBP(DBI(after), DBI(CHAIN_PAGE)), &ch);
		if (rc)
			return rc;
		for (int i = 0; i < ch->nrows; i++) {
			after = db_int(ch, i, 0);
			rc = verify_chain(c, after, db_int(ch, i, 1), db_val(ch, i, 2), rep);
			if (rc) {
				db_res_free(ch);
				return rc;
			}
			rep->chains++;
		}
		int n = ch->nrows;
		db_res_free(ch);
		if (n < CHAIN_PAGE)
			break;
	}
	/* Entries the walk cannot reach: in no registered chain, or at no place in one. */
	db_res *r;
	rc = db_query(c,
	                  "SELECT l.seq, l.chain_id, l.chain_seq FROM audit_log l LEFT JOIN audit_chains c "
	                  "ON c.id = l.chain_id WHERE c.id IS NULL OR l.chain_seq = 0 ORDER BY l.seq LIMIT 1",
	                  DBNONE, &r);
	if (rc)
		return rc;
	if (r->nrows == 1)
		bad(rep, db_int(r, 0, 0), db_int(r, 0, 1), db_int(r, 0, 2),
		    "entry %lld (chain %lld #%lld) is in no registered chain or at no place in one", db_int(r, 0, 0),
		    db_int(r, 0, 1), db_int(r, 0, 2));
	db_res_free(r);
	return 0;
}

int audit_verify(db_conn *c, audit_report *rep)
{
	/* db_tx runs on this thread's connection, which is c. */
	(void)c;
	verify_ctx ctx = { rep };
	int rc = db_tx(verify_tx, &ctx);
	if (rc)
		return rc;
	return rep->reason[0] ? 1 : 0;
}
