/* audit.c — hash chains, a few per process (audit_chains of them): appends under the head row lock
 * of the chain of the calling thread, verification of every chain by replay in one snapshot. */
#include "audit.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define LEGACY_CHAIN 0

/* This process's chains, 0 until registered. Each thread appends to one of them (its stripe,
 * given round robin at its first append), so that concurrent audited transactions do not all
 * queue on one head row until their commit (the disk's flush included): with one chain a process
 * commits its audited writes one at a time, however many connections it has. A chain opened
 * inside an audited transaction is published only once that transaction commits
 * (tls_pending_chain until then). */
#define AUDIT_CHAINS_MAX 64
static atomic_llong own_chain[AUDIT_CHAINS_MAX];
static atomic_int next_stripe;
static _Thread_local long long tls_pending_chain;
static _Thread_local int tls_stripe = -1;

static int stripes(void)
{
	return cfg.audit_chains < 1 ? 1 : cfg.audit_chains > AUDIT_CHAINS_MAX ? AUDIT_CHAINS_MAX : cfg.audit_chains;
}

static atomic_llong *own(void)
{
	if (tls_stripe < 0)
		tls_stripe = atomic_fetch_add(&next_stripe, 1) % stripes();
	return &own_chain[tls_stripe];
}

long long audit_chain_id(void)
{
	return atomic_load(&own_chain[0]);
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
		const char *v1[] = { "sanzhi-audit-v1", seq,       e->at,          e->actor_id,  e->actor,
			             e->role,           e->action, e->object_type, e->object_id, e->summary };
		hash_fields(prev_hash, v1, sizeof v1 / sizeof v1[0], out);
	} else {
		const char *v2[] = { "sanzhi-audit-v2", chain,     chain_seq, seq,       e->at,
			             e->actor_id,       e->actor,  e->role,   e->action, e->object_type,
			             e->object_id,      e->summary };
		hash_fields(prev_hash, v2, sizeof v2 / sizeof v2[0], out);
	}
}

/* --- MACs ------------------------------------------------------------------------ */
/* The hashes show a change only to whoever cannot recompute them, and anyone who can write the
 * tables can. The MACs cannot be recomputed without the master key, which the database does not
 * hold: every entry of a chain opened after sql/0012 carries HMAC-SHA256 of its hash, every such
 * chain's head one of (chain, seq, hash), under a key of their own derived with HKDF (never the
 * master key itself, which seals other things). */
#define MAC_KEY_INFO "sanzhi audit mac v1"

static unsigned char mac_key[CRYPTO_SHA256_LEN];
static int mac_key_ok;
static pthread_once_t mac_key_once = PTHREAD_ONCE_INIT;

static void mac_key_derive(void)
{
	const unsigned char *mk = config_master_key();
	char err[512];
	/* Commands other than serve (user add, import) load the master key only when they audit. */
	if (!mk && config_load_master_key(err, sizeof err) == 0)
		mk = config_master_key();
	if (!mk) {
		log_kv(LOG_ERROR, "the audit log needs the master key (SANZHI_MASTER_KEY_FILE)", NULL);
		return;
	}
	mac_key_ok = crypto_hkdf_sha256(mk, 32, NULL, 0, MAC_KEY_INFO, mac_key, sizeof mac_key) == 0;
	if (mac_key_ok) {
		static int registered;
		if (!registered++)
			atexit(audit_mac_key_wipe);
	}
}

void audit_mac_key_wipe(void)
{
	crypto_wipe(mac_key, sizeof mac_key);
	mac_key_ok = 0;
}

static int mac_ready(void)
{
	pthread_once(&mac_key_once, mac_key_derive);
	return mac_key_ok ? 0 : DB_ERROR;
}

/* Labels keep an entry's MAC from passing for a head's or the line's. */
static int mac_of(char out[CRYPTO_SHA256_HEX_LEN + 1], const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int mac_of(char out[CRYPTO_SHA256_HEX_LEN + 1], const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof msg || mac_ready())
		return DB_ERROR;
	return crypto_hmac_sha256_hex(mac_key, sizeof mac_key, msg, (size_t)n, out) ? DB_ERROR : 0;
}

static int entry_mac(const char *hash, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	return mac_of(out, "sanzhi-audit-entry-v1\n%s", hash);
}

static int head_mac(long long chain, long long seq, const char *hash, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	return mac_of(out, "sanzhi-audit-head-v1\n%lld\n%lld\n%s", chain, seq, hash);
}

static int line_mac(long long first_mac_chain, const char *legacy_digest, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	return mac_of(out, "sanzhi-audit-line-v1\n%lld\n%s", first_mac_chain, legacy_digest);
}

static int mac_matches(const char *want, const char *mac, size_t maclen)
{
	return mac && crypto_equal(want, CRYPTO_SHA256_HEX_LEN, mac, maclen);
}

/* The heads of the chains older than the line (sql/0012), which never grow again. */
static int legacy_digest(db_conn *c, long long first_mac_chain, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	db_res *r;
	int rc = db_query(c, "SELECT id, seq, hash FROM audit_chains WHERE id < ? ORDER BY id",
	                  DBP(DBI(first_mac_chain)), &r);
	if (rc)
		return rc;
	crypto_sha256_ctx *h = crypto_sha256_begin();
	crypto_sha256_update(h, "sanzhi-audit-legacy-heads-v1\n", strlen("sanzhi-audit-legacy-heads-v1\n"));
	for (int i = 0; i < r->nrows; i++) {
		char line[128];
		int k = snprintf(line, sizeof line, "%lld %lld %s\n", db_int(r, i, 0), db_int(r, i, 1),
		                 db_val(r, i, 2));
		crypto_sha256_update(h, line, (size_t)k);
	}
	crypto_sha256_end_hex(h, out);
	db_res_free(r);
	return 0;
}

/* Seals the line where MACs begin, once: at the first chain opened after sql/0012, before any
 * MACed chain exists. A line found unsealed after that is left so, for verification to report.
 * Every later chain open only reads it; and a process that finds another one sealing it right
 * now leaves it to that one rather than queue behind it. */
static int line_seal(db_conn *c)
{
	db_res *r;
	int rc = db_query(c, "SELECT mac IS NULL FROM audit_mac_line WHERE id = 1", DBNONE, &r);
	if (rc)
		return rc;
	int missing = r->nrows != 1, unsealed = !missing && db_int(r, 0, 0);
	db_res_free(r);
	if (missing)
		log_kv(LOG_ERROR, "audit_mac_line is missing: the audit log was tampered with", NULL);
	if (!unsealed)
		return 0;
	rc = db_query(c,
	              "SELECT first_mac_chain, mac IS NULL, "
	              "EXISTS (SELECT 1 FROM audit_chains WHERE id >= first_mac_chain) "
	              "FROM audit_mac_line WHERE id = 1 FOR UPDATE NOWAIT",
	              DBNONE, &r);
	if (rc == DB_RETRY)
		return 0; /* locked: being sealed by another process */
	if (rc)
		return rc;
	if (r->nrows != 1 || !db_int(r, 0, 1)) {
		db_res_free(r);
		return 0;
	}
	long long first = db_int(r, 0, 0);
	int macd = (int)db_int(r, 0, 2);
	db_res_free(r);
	if (macd) {
		log_kv(LOG_ERROR,
		       "audit_mac_line is unsealed while MACed chains exist: the audit log was tampered with", NULL);
		return 0;
	}
	char digest[CRYPTO_SHA256_HEX_LEN + 1], mac[CRYPTO_SHA256_HEX_LEN + 1], now[32];
	if ((rc = legacy_digest(c, first, digest)) || (rc = line_mac(first, digest, mac)))
		return rc;
	clock_fmt_db(clock_now(), now);
	return db_exec(c, "UPDATE audit_mac_line SET legacy_digest = ?, sealed_at = ?, mac = ? WHERE id = 1",
	               DBP(DBS(digest), DBS(now), DBS(mac)), NULL, NULL);
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
	int rc = mac_ready();
	if (!rc)
		rc = line_seal(c);
	if (rc)
		return rc;
	unsigned long long newid = 0;
	rc = db_exec(c, "INSERT INTO audit_chains (instance, opened_at, seq, hash) VALUES (?, ?, 0, ?)",
	             DBP(DBS(instance), DBS(now), DBS(GENESIS)), NULL, &newid);
	if (rc)
		return rc;
	/* Even the empty head is MACed: a chain emptied and rewound to its start is no chain of ours. */
	char mac[CRYPTO_SHA256_HEX_LEN + 1];
	if ((rc = head_mac((long long)newid, 0, GENESIS, mac)))
		return rc;
	rc = db_exec(c, "UPDATE audit_chains SET mac = ? WHERE id = ?", DBP(DBS(mac), DBI((long long)newid)), NULL,
	             NULL);
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
	/* Every stripe's chain before the first request: threads of one stripe that found it
	 * unopened at once would each open one, and the process would write more chains than
	 * audit_chains (each whole, but more). */
	for (int i = 0; i < stripes(); i++) {
		if (atomic_load(&own_chain[i]))
			continue;
		long long id = 0;
		int rc = db_tx(open_tx, &id);
		if (rc)
			return rc;
		long long none = 0;
		/* Another thread may have opened one meanwhile: this one then stays empty, which verifies. */
		atomic_compare_exchange_strong(&own_chain[i], &none, id);
	}
	return 0;
}

static void publish_pending_chain(void)
{
	long long none = 0;
	atomic_compare_exchange_strong(own(), &none, tls_pending_chain);
	tls_pending_chain = 0;
}

/* The chain to append to, its head locked until the transaction ends. When the process has none
 * yet, opens one inside the caller's transaction: it exists only if that commits. */
static int lock_head(db_conn *c, long long *chain, long long *seq, char prev[CRYPTO_SHA256_HEX_LEN + 1])
{
	for (int opened = 0;; opened = 1) {
		long long id = atomic_load(own());
		if (!id)
			id = tls_pending_chain;
		if (id) {
			db_res *r;
			int rc = db_query(c, "SELECT seq, hash FROM audit_chains WHERE id = ? FOR UPDATE", DBP(DBI(id)),
			                  &r);
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
				log_kv(LOG_WARN, "audit chain vanished from audit_chains; opening another", "chain",
				       ids, NULL);
				long long gone = id;
				atomic_compare_exchange_strong(own(), &gone, 0);
			}
		}
		int rc = chain_insert(c, &tls_pending_chain);
		if (rc)
			return rc;
		db_after_commit(publish_pending_chain);
	}
}

int audit_append(db_conn *c, const auth_user *who, const char *action, const char *object_type, const char *object_id,
                 const cJSON *summary)
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
	audit_entry e = { 0,
		          chain,
		          head_seq + 1,
		          at,
		          actor_id,
		          who ? who->username : "system",
		          who ? who->role : "system",
		          action,
		          object_type,
		          object_id,
		          sum };
	/* The global seq comes from AUTO_INCREMENT and is part of the hash: insert, then seal the
	 * entry and move the head in one statement (the head stays locked for as few round trips as
	 * with one chain). The row is never seen unsealed: all happens in the caller's transaction. */
	unsigned long long seq = 0;
	rc = db_exec(c,
	             "INSERT INTO audit_log (chain_id, chain_seq, at, actor_id, actor, role, action, object_type, "
	             "object_id, summary, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
	             DBP(DBI(e.chain), DBI(e.chain_seq), DBS(at), who ? DBI(who->id) : DBNULL, DBS(e.actor),
	                 DBS(e.role), DBS(action), DBS(object_type), DBS(object_id), DBS(sum), DBS(prev)),
	             NULL, &seq);
	if (rc)
		goto out;
	e.seq = (long long)seq;
	char hash[CRYPTO_SHA256_HEX_LEN + 1], mac[CRYPTO_SHA256_HEX_LEN + 1], hmac[CRYPTO_SHA256_HEX_LEN + 1];
	entry_hash(prev, &e, hash);
	if ((rc = entry_mac(hash, mac)) || (rc = head_mac(chain, e.chain_seq, hash, hmac)))
		goto out;
	unsigned long long changed = 0;
	rc = db_exec(c,
	             "UPDATE audit_log l, audit_chains h SET l.hash = ?, l.mac = ?, h.seq = ?, h.hash = ?, h.mac = ? "
	             "WHERE l.seq = ? AND h.id = ?",
	             DBP(DBS(hash), DBS(mac), DBI(e.chain_seq), DBS(hash), DBS(hmac), DBI(e.seq), DBI(chain)), &changed,
	             NULL);
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
 * a broken link cannot be vouched for. macd: a chain from the line on (sql/0012), whose every
 * entry and head must carry its MAC. */
static int verify_chain(db_conn *c, long long chain, long long head_seq, const char *head_hash, int macd,
                        const char *head_mac_val, audit_report *rep)
{
	char prev[CRYPTO_SHA256_HEX_LEN + 1] = GENESIS;
	long long expect = 1, last_seq = 0, beyond_head = 0;
	for (;;) {
		db_res *r;
		int rc = db_query(
		        c,
		        "SELECT seq, chain_seq, at, COALESCE(actor_id, ''), actor, role, action, object_type, "
		        "object_id, summary, prev_hash, hash, mac FROM audit_log WHERE chain_id = ? AND chain_seq >= ? "
		        "ORDER BY chain_seq LIMIT ?",
		        DBP(DBI(chain), DBI(expect), DBI(VERIFY_PAGE)), &r);
		if (rc)
			return rc;
		for (int i = 0; i < r->nrows; i++) {
			audit_entry e = { db_int(r, i, 0), chain,           db_int(r, i, 1), NULL,
				          db_val(r, i, 3), db_val(r, i, 4), db_val(r, i, 5), db_val(r, i, 6),
				          db_val(r, i, 7), db_val(r, i, 8), db_val(r, i, 9) };
			const char *why = NULL;
			char at[32], hash[CRYPTO_SHA256_HEX_LEN + 1], mac[CRYPTO_SHA256_HEX_LEN + 1], msg[160];
			usec_t t;
			if (e.chain_seq != expect) {
				if (last_seq)
					snprintf(msg, sizeof msg,
					         "chain %lld is missing #%lld (between entries %lld and %lld)", chain,
					         expect, last_seq, e.seq);
				else
					snprintf(msg, sizeof msg,
					         "chain %lld is missing #%lld (the chain starts at entry %lld)", chain,
					         expect, e.seq);
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
				else if (macd && (rc = entry_mac(hash, mac)) != 0) {
					db_res_free(r);
					return rc;
				} else if (macd && !mac_matches(mac, db_val(r, i, 12), db_len(r, i, 12)))
					why = "was not written by sanzhi (its MAC is missing or wrong: forged, or "
					      "rewritten "
					      "with its hashes recomputed)";
			}
			if (why) {
				if (why == msg)
					bad(rep, e.seq, chain, expect, "%s", msg);
				else
					bad(rep, e.seq, chain, e.chain_seq, "entry %lld (chain %lld #%lld) %s", e.seq,
					    chain, e.chain_seq, why);
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
	else if (macd) {
		/* A head rewound to an earlier entry, with that entry's hash, lacks the head MAC. */
		char mac[CRYPTO_SHA256_HEX_LEN + 1];
		int rc = head_mac(chain, head_seq, head_hash, mac);
		if (rc)
			return rc;
		if (!mac_matches(mac, head_mac_val, head_mac_val ? strlen(head_mac_val) : 0))
			bad(rep, last_seq, chain, head_seq,
			    "chain %lld: its head (#%lld) was not written by sanzhi (its MAC is missing or wrong: the "
			    "head was moved)",
			    chain, head_seq);
	}
	return 0;
}

typedef struct verify_ctx {
	const audit_head *reach;
	size_t nreach;
	audit_report *rep;
} verify_ctx;

static void report_reset(audit_report *rep)
{
	memset(rep, 0, sizeof *rep);
	rep->bad_chain = -1;
}

/* The line where MACs begin (sql/0012): it must be there, sealed once MACed chains exist, and the
 * chains older than it must be as they were when it was sealed. *first: the first MACed chain. */
static int verify_line(db_conn *c, audit_report *rep, long long *first)
{
	db_res *r;
	int rc = db_query(c,
	                  "SELECT first_mac_chain, COALESCE(legacy_digest, ''), mac, "
	                  "EXISTS (SELECT 1 FROM audit_chains WHERE id >= first_mac_chain) "
	                  "FROM audit_mac_line WHERE id = 1",
	                  DBNONE, &r);
	if (rc)
		return rc;
	*first = 0; /* without a line, every chain is held to the MACs */
	if (r->nrows != 1) {
		bad(rep, 0, -1, 0, "the line where MACs begin (audit_mac_line) was removed: the log was rewritten");
		db_res_free(r);
		return 0;
	}
	*first = db_int(r, 0, 0);
	const char *digest = db_val(r, 0, 1), *mac = db_val(r, 0, 2);
	int macd_exist = (int)db_int(r, 0, 3);
	char want[CRYPTO_SHA256_HEX_LEN + 1], now_digest[CRYPTO_SHA256_HEX_LEN + 1];
	if (!mac) {
		/* Sealed at the first start after the migration; until then no chain has MACs. */
		if (macd_exist)
			bad(rep, 0, -1, 0, "the line where MACs begin was unsealed: the log was rewritten");
		db_res_free(r);
		return 0;
	}
	if ((rc = line_mac(*first, digest, want)) || (rc = legacy_digest(c, *first, now_digest))) {
		db_res_free(r);
		return rc;
	}
	if (!mac_matches(want, mac, strlen(mac)))
		bad(rep, 0, -1, 0, "the line where MACs begin was moved (its MAC is wrong)");
	else if (strcmp(digest, now_digest) != 0)
		bad(rep, 0, -1, 0,
		    "the chains from before the MACs (ids below %lld) were changed, removed or "
		    "extended since the MACs began",
		    *first);
	db_res_free(r);
	return 0;
}

/* Each head of a checkpoint must still be in its chain: an entry at that place with that hash. */
static int verify_reach(db_conn *c, const audit_head *reach, size_t n, audit_report *rep)
{
	for (size_t i = 0; i < n; i++) {
		db_res *r;
		int rc = db_query(c, "SELECT hash FROM audit_log WHERE chain_id = ? AND chain_seq = ?",
		                  DBP(DBI(reach[i].chain), DBI(reach[i].seq)), &r);
		if (rc)
			return rc;
		if (r->nrows != 1 || strcmp(db_val(r, 0, 0), reach[i].hash) != 0)
			bad(rep, 0, reach[i].chain, reach[i].seq,
			    "chain %lld no longer reaches #%lld, its head at the checkpoint: entries were removed or "
			    "rewritten since",
			    reach[i].chain, reach[i].seq);
		db_res_free(r);
	}
	return 0;
}

static int verify_tx(db_conn *c, void *arg)
{
	verify_ctx *ctx = arg;
	audit_report *rep = ctx->rep;
	report_reset(rep); /* a retried transaction starts over */
	int rc = mac_ready();
	if (rc)
		return rc;
	/* Sessions read committed (server/db.c), where every statement sees the latest commits and
	 * an append landing between reading a head and walking its chain would pass for tampering.
	 * So the transaction db_tx opened, still empty, gives way to one snapshot for the whole walk. */
	rc = db_raw(c, "COMMIT");
	if (!rc)
		rc = db_raw(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
	if (!rc)
		rc = db_raw(c, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
	if (rc)
		return rc;
	long long first;
	if ((rc = verify_line(c, rep, &first)))
		return rc;
	long long after = -1;
	for (;;) {
		db_res *ch;
		rc = db_query(c, "SELECT id, seq, hash, mac FROM audit_chains WHERE id > ? ORDER BY id LIMIT ?",
		              DBP(DBI(after), DBI(CHAIN_PAGE)), &ch);
		if (rc)
			return rc;
		for (int i = 0; i < ch->nrows; i++) {
			after = db_int(ch, i, 0);
			rc = verify_chain(c, after, db_int(ch, i, 1), db_val(ch, i, 2), after >= first,
			                  db_val(ch, i, 3), rep);
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
	return verify_reach(c, ctx->reach, ctx->nreach, rep);
}

int audit_verify(db_conn *c, const audit_head *reach, size_t nreach, audit_report *rep)
{
	/* db_tx runs on this thread's connection, which is c. */
	(void)c;
	verify_ctx ctx = { reach, nreach, rep };
	int rc = db_tx(verify_tx, &ctx);
	if (rc)
		return rc;
	return rep->reason[0] ? 1 : 0;
}

/* --- heads, for checkpoints ------------------------------------------------------- */
int audit_heads(db_conn *c, audit_head **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	db_res *r;
	int rc = db_query(c, "SELECT id, seq, hash FROM audit_chains WHERE seq > 0 ORDER BY id", DBNONE, &r);
	if (rc)
		return rc;
	audit_head *h = calloc(r->nrows ? (size_t)r->nrows : 1, sizeof *h);
	if (!h) {
		db_res_free(r);
		return DB_ERROR;
	}
	for (int i = 0; i < r->nrows; i++) {
		h[i].chain = db_int(r, i, 0);
		h[i].seq = db_int(r, i, 1);
		snprintf(h[i].hash, sizeof h[i].hash, "%s", db_val(r, i, 2));
	}
	*n = (size_t)r->nrows;
	*out = h;
	db_res_free(r);
	return 0;
}

void audit_heads_digest(const audit_head *h, size_t n, char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	crypto_sha256_ctx *d = crypto_sha256_begin();
	crypto_sha256_update(d, "sanzhi-audit-heads-v1\n", strlen("sanzhi-audit-heads-v1\n"));
	for (size_t i = 0; i < n; i++) {
		char line[128];
		int k = snprintf(line, sizeof line, "%lld %lld %s\n", h[i].chain, h[i].seq, h[i].hash);
		crypto_sha256_update(d, line, (size_t)k);
	}
	crypto_sha256_end_hex(d, out);
}
