/* audit_api.c — reading and verifying the audit chains.
 * Admins read everything; registrars read the trail of one object at a time. */
#include "api.h"
#include "log.h"
#include "registry_key.h"
#include "scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *entry_json(const db_res *r, int i)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)db_int(r, i, 0));
	api_add_time(o, "at", db_val(r, i, 1));
	cJSON_AddStringToObject(o, "actor", db_val(r, i, 2));
	cJSON_AddStringToObject(o, "role", db_val(r, i, 3));
	cJSON_AddStringToObject(o, "action", db_val(r, i, 4));
	cJSON_AddStringToObject(o, "object_type", db_val(r, i, 5));
	cJSON_AddStringToObject(o, "object_id", db_val(r, i, 6));
	cJSON *summary = cJSON_ParseWithLength(db_val(r, i, 7), db_len(r, i, 7));
	cJSON_AddItemToObject(o, "summary", summary ? summary : cJSON_CreateObject());
	cJSON_AddStringToObject(o, "prev_hash", db_val(r, i, 8));
	cJSON_AddStringToObject(o, "hash", db_val(r, i, 9));
	/* Its place in the chain of the instance that wrote it (server/audit.h). */
	cJSON_AddNumberToObject(o, "chain", (double)db_int(r, i, 10));
	cJSON_AddNumberToObject(o, "chain_seq", (double)db_int(r, i, 11));
	return o;
}

/* The query parameters GET /audit understands; any other is refused, so that a filter that is
 * misspelt or not offered never silently returns everything. */
static const char *const list_params[] = { "object_type", "object_id", "action", "actor", "from",
	                                   "to",          "limit",     "cursor", NULL };

static int unknown_param(const char *query, char *name, size_t len)
{
	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		size_t n = strcspn(p, "=&");
		if (n == 0)
			continue;
		int known = 0;
		for (int i = 0; list_params[i]; i++)
			known |= strlen(list_params[i]) == n && !strncmp(list_params[i], p, n);
		if (!known) {
			/* Echo the name only when it is plain, never hostile text. */
			if (n < len && strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789") >= n)
				snprintf(name, len, "%.*s", (int)n, p);
			else
				snprintf(name, len, "(a parameter)");
			return 1;
		}
	}
	return 0;
}

/* The object types the audit log knows, exactly as they are written (a filter is compared
 * exactly here: MariaDB would let "user " match "user", its PAD SPACE collations ignoring trailing
 * blanks), with who besides admins may read their trails. visible_sql: a registrar reads an
 * object's trail only when this finds the object (its own route's rule); NULL: every one. */
typedef struct object_rule {
	const char *type;
	int registrar;
	const char *visible_sql;
} object_rule;

static const object_rule object_rules[] = {
	/* GET /applications/{id}: registrars see an application once it was submitted. */
	{ "application", 1, "SELECT 1 FROM applications WHERE id = ? AND first_submitted_at IS NOT NULL" },
	{ "org", 1, NULL },
	{ "import", 1, NULL },
	{ "user", 0, NULL },
	{ "ip", 0, NULL },
	{ "clock", 0, NULL },
	/* Credit events and list entries are public (GET /orgs/{uscc}/credit). */
	{ "credit_event", 1, NULL },
	{ "list_entry", 1, NULL },
};

static const object_rule *object_rule_of(const char *type)
{
	for (size_t i = 0; i < sizeof object_rules / sizeof object_rules[0]; i++)
		if (!strcmp(object_rules[i].type, type))
			return &object_rules[i];
	return NULL;
}

/* ?from= / ?to=: RFC 3339 into the DB form; "" when absent. -1 (answered) when malformed. */
static int time_param_or_reply(http_req *req, const char *name, char out[32])
{
	char buf[64];
	out[0] = 0;
	int r = http_query(req, name, buf, sizeof buf);
	if (r == 0)
		return 0;
	usec_t t;
	if (r < 0 || clock_parse(buf, &t) < 0) {
		http_problem(req, 400, "invalid_time", "%s must be an RFC 3339 time such as 2026-01-05T09:00:00Z",
		             name);
		return -1;
	}
	clock_fmt_db(t, out);
	return 0;
}

void audit_list(http_req *req)
{
	int limit;
	long long before;
	char type[40] = "", id[80] = "", action[80] = "", actor[80] = "", from[32], to[32], bad[40];
	if (unknown_param(http_query_string(req), bad, sizeof bad)) {
		http_problem(
		        req, 400, "unknown_parameter",
		        "unknown query parameter %s; filters are object_type, object_id, action, actor, from and to "
		        "(with limit and cursor)",
		        bad);
		return;
	}
	if (http_page_num_or_reply(req, &limit, &before, 1LL << 62) < 0)
		return;
	if (http_query(req, "object_type", type, sizeof type) < 0 || http_query(req, "object_id", id, sizeof id) < 0 ||
	    http_query(req, "action", action, sizeof action) < 0 || http_query(req, "actor", actor, sizeof actor) < 0) {
		http_problem(req, 400, "invalid_filter", "a filter is too long");
		return;
	}
	if (time_param_or_reply(req, "from", from) < 0 || time_param_or_reply(req, "to", to) < 0)
		return;
	const object_rule *rule = NULL;
	if (*type && !(rule = object_rule_of(type))) {
		http_problem(req, 400, "invalid_filter",
		             "object_type must be one of application, org, import, user, ip, clock");
		return;
	}
	if (req->user.role_bit == ROLE_REGISTRAR && (!*type || !*id)) {
		http_problem(req, 403, "object_filter_required",
		             "registrars read the audit trail of one object: give object_type and object_id");
		return;
	}
	/* Registrars see the registry's objects, never accounts, sign-in events or the test clock. */
	if (req->user.role_bit == ROLE_REGISTRAR && !rule->registrar) {
		http_problem(req, 403, "forbidden_object", "registrars cannot read the trail of accounts");
		return;
	}
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	/* And only of objects they may see at their own route: an application once submitted. */
	if (req->user.role_bit == ROLE_REGISTRAR && rule->visible_sql) {
		char *end;
		long long oid = strtoll(id, &end, 10);
		int found = 0;
		if (*id >= '1' && *id <= '9' && !*end) {
			db_res *v = api_rows_or_reply(req, c, rule->visible_sql, DBP(DBI(oid)));
			if (!v)
				return;
			found = v->nrows == 1;
			db_res_free(v);
		}
		if (!found) {
			http_problem(req, 404, "not_found", "there is no such %s", type);
			return;
		}
	}
	db_res *r;
	/* from is inclusive, to exclusive: consecutive ranges do not overlap. */
	r = api_rows_or_reply(
	        req, c,
	        "SELECT seq, at, actor, role, action, object_type, object_id, summary, prev_hash, hash, chain_id, "
	        "chain_seq "
	        "FROM audit_log WHERE seq < ? AND (? = '' OR object_type = ?) AND (? = '' OR object_id = ?) "
	        "AND (? = '' OR action = ?) AND (? = '' OR actor = ?) AND (? = '' OR at >= ?) "
	        "AND (? = '' OR at < ?) ORDER BY seq DESC LIMIT ?",
	        DBP(DBI(before), DBS(type), DBS(type), DBS(id), DBS(id), DBS(action), DBS(action), DBS(actor),
	            DBS(actor), DBS(from), DBS(from), DBS(to), DBS(to), DBI(limit + 1)));
	if (!r)
		return;
	http_reply_rows(req, r, limit, entry_json, 0);
	db_res_free(r);
}

void audit_verify_get(http_req *req)
{
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	audit_report rep;
	int rc = audit_verify_checkpointed(c, NULL, &rep);
	if (api_rc_or_reply(req, rc) < 0)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "valid", rc == 0);
	cJSON_AddNumberToObject(o, "entries", (double)rep.entries);
	cJSON_AddNumberToObject(o, "chains", (double)rep.chains);
	/* A chain cut short with no entry left has no bad entry to name, only a chain and place. */
	if (rc && rep.first_bad_seq)
		cJSON_AddNumberToObject(o, "first_bad_seq", (double)rep.first_bad_seq);
	else
		cJSON_AddNullToObject(o, "first_bad_seq");
	if (rc && rep.bad_chain >= 0) {
		cJSON_AddNumberToObject(o, "bad_chain", (double)rep.bad_chain);
		cJSON_AddNumberToObject(o, "bad_chain_seq", (double)rep.bad_chain_seq);
	} else {
		cJSON_AddNullToObject(o, "bad_chain");
		cJSON_AddNullToObject(o, "bad_chain_seq");
	}
	json_add_str_or_null(o, "reason", rc ? rep.reason : NULL);
	http_reply_data(req, 200, o, 0);
}

/* --- checkpoints ---------------------------------------------------------------------- */
/* A checkpoint binds every chain's head at one moment (hash = audit_heads_digest of heads), signed
 * with the registry's Ed25519 key (GET /api/v1/certificates/public-key) over
 *   "sanzhi-audit-checkpoint-v1\nseq=<seq>\nat=<at>\nhash=<hash>\n"
 * with at as served (RFC 3339, whole seconds). Whoever keeps one can later prove that the chains
 * still reach those heads (sanzhid audit verify --checkpoint FILE): a tail cut off since, with its
 * head rewound, no longer does; the signature cannot be made without the master key, which seals
 * the registry key. */
#define CHECKPOINT_HEADS_MAX 100000

static void checkpoint_message(long long seq, const char *at, const char *hash, char *out, size_t len)
{
	snprintf(out, len, "sanzhi-audit-checkpoint-v1\nseq=%lld\nat=%s\nhash=%s\n", seq, at, hash);
}

static cJSON *heads_json(const audit_head *h, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "chain", (double)h[i].chain);
		cJSON_AddNumberToObject(o, "seq", (double)h[i].seq);
		cJSON_AddStringToObject(o, "hash", h[i].hash);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* heads as a checkpoint holds them; -1 when they are not that shape. *out malloc'd. */
static int heads_parse(const cJSON *a, audit_head **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int k = cJSON_GetArraySize(a);
	if (!cJSON_IsArray(a) || k > CHECKPOINT_HEADS_MAX)
		return -1;
	audit_head *h = calloc(k ? (size_t)k : 1, sizeof *h);
	if (!h)
		return -1;
	int i = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, a) {
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, "chain");
		const cJSON *sq = cJSON_GetObjectItemCaseSensitive(o, "seq");
		const cJSON *hs = cJSON_GetObjectItemCaseSensitive(o, "hash");
		if (!cJSON_IsNumber(ch) || !cJSON_IsNumber(sq) || !cJSON_IsString(hs) ||
		    strlen(hs->valuestring) != CRYPTO_SHA256_HEX_LEN || ch->valuedouble < 0 || sq->valuedouble < 1) {
			free(h);
			return -1;
		}
		h[i].chain = (long long)ch->valuedouble;
		h[i].seq = (long long)sq->valuedouble;
		snprintf(h[i].hash, sizeof h[i].hash, "%s", hs->valuestring);
		i++;
	}
	*out = h;
	*n = (size_t)i;
	return 0;
}

/* A checkpoint as served: {seq, hash, at, signature, key_id, heads}. */
static cJSON *checkpoint_json(long long seq, const char *at, const char *hash, const char *sig, const char *key_id,
                              cJSON *heads)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)seq);
	cJSON_AddStringToObject(o, "hash", hash);
	cJSON_AddStringToObject(o, "at", at);
	cJSON_AddStringToObject(o, "signature", sig);
	cJSON_AddStringToObject(o, "key_id", key_id);
	cJSON_AddItemToObject(o, "heads", heads);
	return o;
}

/* Checks a checkpoint (signature under the registry key, hash over its heads) and hands out its
 * heads. 0, or -1 with why. */
static int checkpoint_check(const cJSON *cp, audit_head **heads, size_t *n, char *why, size_t whylen)
{
	*heads = NULL;
	*n = 0;
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(cp, "seq");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(cp, "at");
	const cJSON *hash = cJSON_GetObjectItemCaseSensitive(cp, "hash");
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(cp, "signature");
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(cp, "key_id");
	const cJSON *hs = cJSON_GetObjectItemCaseSensitive(cp, "heads");
	if (!cJSON_IsNumber(seq) || !cJSON_IsString(at) || !cJSON_IsString(hash) || !cJSON_IsString(sig) ||
	    !cJSON_IsString(kid) || strlen(at->valuestring) > 40 ||
	    strlen(hash->valuestring) != CRYPTO_SHA256_HEX_LEN) {
		snprintf(why, whylen, "the checkpoint is not one GET /api/v1/audit/checkpoint serves");
		return -1;
	}
	if (strcmp(kid->valuestring, registry_key_id()) != 0) {
		snprintf(why, whylen, "the checkpoint was signed with another key (%.16s), not this registry's",
		         kid->valuestring);
		return -1;
	}
	char msg[256];
	checkpoint_message((long long)seq->valuedouble, at->valuestring, hash->valuestring, msg, sizeof msg);
	size_t slen = 0;
	unsigned char *raw = crypto_unbase64(sig->valuestring, strlen(sig->valuestring), &slen);
	int ok = raw && registry_key_verify(msg, strlen(msg), raw, slen);
	free(raw);
	if (!ok) {
		snprintf(why, whylen, "checkpoint %lld: its signature does not verify", (long long)seq->valuedouble);
		return -1;
	}
	if (heads_parse(hs, heads, n) < 0) {
		snprintf(why, whylen, "checkpoint %lld does not list its heads", (long long)seq->valuedouble);
		return -1;
	}
	char digest[CRYPTO_SHA256_HEX_LEN + 1];
	audit_heads_digest(*heads, *n, digest);
	if (strcmp(digest, hash->valuestring) != 0) {
		free(*heads);
		*heads = NULL;
		snprintf(why, whylen, "checkpoint %lld: its heads are not the ones it signed",
		         (long long)seq->valuedouble);
		return -1;
	}
	return 0;
}

typedef struct checkpoint_made {
	int only_if_moved; /* GET: a new one only when the heads moved since the latest */
	int made;
	cJSON *answer; /* the checkpoint (fresh or latest) */
} checkpoint_made;

static cJSON *checkpoint_row_json(const db_res *r)
{
	char at[32];
	usec_t t;
	if (clock_parse(db_val(r, 0, 1), &t) < 0)
		return NULL;
	clock_fmt(t, at);
	cJSON *heads = cJSON_ParseWithLength(db_val(r, 0, 3), db_len(r, 0, 3));
	if (!heads)
		heads = cJSON_CreateArray();
	return checkpoint_json(db_int(r, 0, 0), at, db_val(r, 0, 2), db_val(r, 0, 4), db_val(r, 0, 5), heads);
}

static int checkpoint_take(db_conn *c, checkpoint_made *m)
{
	audit_head *h = NULL;
	size_t n = 0;
	db_res *r = NULL;
	char *heads_text = NULL, *sig64 = NULL;
	cJSON_Delete(m->answer);
	m->answer = NULL;
	m->made = 0;
	int rc = audit_heads(c, &h, &n);
	if (rc)
		return rc;
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	audit_heads_digest(h, n, hash);
	/* Serialised on the newest checkpoint (every instance takes them). */
	rc = db_query(c,
	              "SELECT seq, at, hash, heads, signature, key_id FROM audit_checkpoints "
	              "ORDER BY seq DESC LIMIT 1 FOR UPDATE",
	              DBNONE, &r);
	if (rc)
		goto out;
	if (r->nrows == 1 && m->only_if_moved && !strcmp(db_val(r, 0, 2), hash)) {
		m->answer = checkpoint_row_json(r);
		rc = m->answer ? 0 : DB_ERROR;
		goto out;
	}
	long long seq = r->nrows == 1 ? db_int(r, 0, 0) + 1 : 1;
	usec_t now = clock_now();
	now -= now % 1000000; /* whole seconds: at is signed as served */
	char at[32], at_db[32], msg[256];
	clock_fmt(now, at);
	clock_fmt_db(now, at_db);
	checkpoint_message(seq, at, hash, msg, sizeof msg);
	unsigned char sig[CRYPTO_ED25519_SIG_LEN];
	if (registry_key_sign(msg, strlen(msg), sig) < 0 || !(sig64 = crypto_base64(sig, sizeof sig))) {
		rc = DB_ERROR;
		goto out;
	}
	cJSON *heads = heads_json(h, n);
	heads_text = cJSON_PrintUnformatted(heads);
	m->answer = checkpoint_json(seq, at, hash, sig64, registry_key_id(), heads);
	if (!heads_text || !m->answer) {
		rc = DB_ERROR;
		goto out;
	}
	rc = db_exec(
	        c, "INSERT INTO audit_checkpoints (seq, at, hash, heads, signature, key_id) VALUES (?, ?, ?, ?, ?, ?)",
	        DBP(DBI(seq), DBS(at_db), DBS(hash), DBS(heads_text), DBS(sig64), DBS(registry_key_id())), NULL, NULL);
	if (!rc)
		m->made = 1;
out:
	free(h);
	free(heads_text);
	free(sig64);
	db_res_free(r);
	return rc;
}

/* Two instances taking the same seq: the second insert finds the first one's, and takes the next
 * seq after it (a failed statement leaves the transaction usable). */
static int checkpoint_take_next(db_conn *c, checkpoint_made *m)
{
	int rc = checkpoint_take(c, m);
	for (int i = 0; i < 3 && rc == DB_DUP; i++)
		rc = checkpoint_take(c, m);
	return rc;
}

static int checkpoint_tx(db_conn *c, void *arg)
{
	return checkpoint_take_next(c, arg);
}

static void checkpoint_log(const checkpoint_made *m)
{
	if (!m->made || !m->answer)
		return;
	char seq[24];
	snprintf(seq, sizeof seq, "%.0f", cJSON_GetObjectItemCaseSensitive(m->answer, "seq")->valuedouble);
	log_kv(LOG_INFO, "audit checkpoint", "seq", seq, "hash",
	       cJSON_GetObjectItemCaseSensitive(m->answer, "hash")->valuestring, "at",
	       cJSON_GetObjectItemCaseSensitive(m->answer, "at")->valuestring, "key_id", registry_key_id(), NULL);
}

int audit_checkpoint_run(cJSON *report)
{
	if (!db_get())
		return DB_DOWN;
	int rc = registry_key_ensure();
	if (rc)
		return rc;
	checkpoint_made m = { 0, 0, NULL };
	rc = db_tx(checkpoint_tx, &m);
	if (!rc) {
		checkpoint_log(&m);
		sched_report(report, "audit_checkpoint", m.made);
	}
	cJSON_Delete(m.answer);
	return rc;
}

static int checkpoint_get_tx(tx *t, void *arg)
{
	checkpoint_made *m = arg;
	int rc = checkpoint_take_next(t->c, m);
	if (rc)
		return rc;
	tx_answer(t, 200, m->answer, 0);
	m->answer = NULL;
	return 0;
}

/* Public: the latest checkpoint, or a new one when the log moved since (so what is served binds
 * every entry committed so far; writes happen at most once per audited change). */
void audit_checkpoint_get(http_req *req)
{
	if (api_rc_or_reply(req, registry_key_ensure()) < 0)
		return;
	checkpoint_made m = { 1, 0, NULL };
	tx_run_or_reply(req, checkpoint_get_tx, &m);
	cJSON_Delete(m.answer);
}

/* The newest stored checkpoint, checked (its heads into *heads), or none. 0, 1 when it does not
 * hold (why says so), DB_ code. */
static int latest_checkpoint(db_conn *c, audit_head **heads, size_t *n, char *why, size_t whylen)
{
	*heads = NULL;
	*n = 0;
	db_res *r;
	int rc = db_query(c,
	                  "SELECT seq, at, hash, heads, signature, key_id FROM audit_checkpoints "
	                  "ORDER BY seq DESC LIMIT 1",
	                  DBNONE, &r);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		db_res_free(r);
		return 0;
	}
	cJSON *cp = checkpoint_row_json(r);
	db_res_free(r);
	rc = !cp || checkpoint_check(cp, heads, n, why, whylen) < 0 ? 1 : 0;
	if (!cp)
		snprintf(why, whylen, "the latest stored checkpoint is unreadable");
	cJSON_Delete(cp);
	return rc;
}

int audit_verify_checkpointed(db_conn *c, const char *checkpoint_text, audit_report *rep)
{
	audit_head *stored = NULL, *given = NULL, *all = NULL;
	size_t ns = 0, ng = 0;
	char why[200] = "";
	cJSON *doc = NULL;
	int rc = registry_key_ensure();
	if (rc)
		return rc;
	if (checkpoint_text) {
		doc = cJSON_Parse(checkpoint_text);
		const cJSON *cp = cJSON_GetObjectItemCaseSensitive(doc, "data");
		if (!cp)
			cp = doc;
		if (!cJSON_IsObject(cp) || checkpoint_check(cp, &given, &ng, why, sizeof why) < 0) {
			if (!why[0])
				snprintf(why, sizeof why, "the checkpoint file does not hold a checkpoint");
			goto broken;
		}
	}
	rc = latest_checkpoint(c, &stored, &ns, why, sizeof why);
	if (rc < 0)
		goto out;
	if (rc == 1)
		goto broken;
	all = calloc(ns + ng + 1, sizeof *all);
	if (!all) {
		rc = DB_ERROR;
		goto out;
	}
	if (ns)
		memcpy(all, stored, ns * sizeof *all);
	if (ng)
		memcpy(all + ns, given, ng * sizeof *all);
	rc = audit_verify(c, all, ns + ng, rep);
	goto out;
broken:
	memset(rep, 0, sizeof *rep);
	rep->bad_chain = -1;
	snprintf(rep->reason, sizeof rep->reason, "%s", why);
	rc = 1;
out:
	free(stored);
	free(given);
	free(all);
	cJSON_Delete(doc);
	return rc;
}
