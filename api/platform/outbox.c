/* outbox.c — the mail outbox: queued with the change, sent by the mail job, dead letters for
 * admins (see outbox.h). */
#include "outbox.h"
#include "mail.h"
#include "scheduler.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	LEASE_SECONDS = 300,  /* longer than one transfer may take (mail.c: 10 s + 60 s) */
	PASS_MAX = 50,        /* messages one pass of the job sends at most */
	MAX_BACKOFF_S = 86400 /* retries wait at most a day */
};

static atomic_ullong m_sent, m_failed, m_dead;

/* --- the sealed bodies -------------------------------------------------------------------- */

/* The key that seals bodies with a secret in them, derived from the master key. */
static int seal_key(unsigned char key[CRYPTO_AES_KEY_LEN])
{
	const unsigned char *mk = config_master_key();
	if (!mk)
		return -1;
	return crypto_hkdf_sha256(mk, 32, NULL, 0, "sanzhi-mail-outbox-v1", key, CRYPTO_AES_KEY_LEN);
}

/* base64(AES-256-GCM(body)), the Message-ID as associated data; malloc'd or NULL. */
static char *seal_body(const char *body, const char *message_id)
{
	unsigned char key[CRYPTO_AES_KEY_LEN];
	size_t n = strlen(body);
	unsigned char *out = malloc(n + CRYPTO_SEAL_OVERHEAD);
	char *text = NULL;
	if (out && seal_key(key) == 0 && crypto_seal(key, message_id, strlen(message_id), body, n, out) == 0)
		text = crypto_base64(out, n + CRYPTO_SEAL_OVERHEAD);
	crypto_wipe(key, sizeof key);
	free(out);
	return text;
}

static char *open_body(const char *sealed, const char *message_id)
{
	unsigned char key[CRYPTO_AES_KEY_LEN];
	size_t n = 0;
	unsigned char *in = crypto_unbase64(sealed, strlen(sealed), &n);
	char *plain = NULL;
	if (in && n > CRYPTO_SEAL_OVERHEAD && (plain = malloc(n - CRYPTO_SEAL_OVERHEAD + 1)) && seal_key(key) == 0 &&
	    crypto_open(key, message_id, strlen(message_id), in, n, (unsigned char *)plain) == 0) {
		plain[n - CRYPTO_SEAL_OVERHEAD] = 0;
	} else {
		free(plain);
		plain = NULL;
	}
	crypto_wipe(key, sizeof key);
	free(in);
	return plain;
}

/* --- queueing ------------------------------------------------------------------------------ */

int outbox_enqueue(db_conn *c, const outbox_msg *m)
{
	if (!mail_enabled() || !m->rcpt || !*m->rcpt)
		return 0;
	if (!mail_address_ok(m->rcpt)) {
		log_kv(LOG_WARN, "mail not queued: the recipient's address cannot be used", "kind", m->kind, NULL);
		return 0;
	}
	char mid[MAIL_MESSAGE_ID_MAX], now[32];
	mail_message_id(mid);
	clock_fmt_db(clock_now(), now);
	char *sealed = NULL;
	if (m->sealed && !(sealed = seal_body(m->body, mid)))
		return DB_ERROR;
	int rc = db_exec(c,
	                 "INSERT INTO mail_outbox (user_id, kind, rcpt, subject, body, sealed, message_id, status, "
	                 "attempts, next_attempt_at, created_at, updated_at) "
	                 "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
	                 DBP(m->user_id ? DBI(m->user_id) : DBNULL, DBS(m->kind), DBS(m->rcpt), DBS(m->subject),
	                     DBS(sealed ? sealed : m->body), DBI(m->sealed ? 1 : 0), DBS(mid), DBS(now), DBS(now),
	                     DBS(now)),
	                 NULL, NULL);
	free(sealed);
	return rc;
}

/* --- the job ------------------------------------------------------------------------------- */

/* This process's name on the leases it takes. */
static char owner[64];
static pthread_once_t owner_once = PTHREAD_ONCE_INIT;

static void owner_make(void)
{
	char host[32] = "";
	unsigned char r[6];
	gethostname(host, sizeof host - 1);
	crypto_random(r, sizeof r);
	snprintf(owner, sizeof owner, "%.24s:%d:%02x%02x%02x%02x%02x%02x", host, (int)getpid(), r[0], r[1], r[2], r[3],
	         r[4], r[5]);
}

#define CLAIM_COLUMNS "id, rcpt, subject, body, sealed, message_id, created_at, attempts, kind"
enum { CL_ID, CL_RCPT, CL_SUBJECT, CL_BODY, CL_SEALED, CL_MID, CL_CREATED, CL_ATTEMPTS, CL_KIND };

typedef struct claim {
	db_res *row; /* NULL: nothing due */
} claim;

/* One due message, leased to this process; rows another sender holds are skipped. */
static int claim_tx(db_conn *c, void *arg)
{
	claim *cl = arg;
	db_res_free(cl->row);
	cl->row = NULL;
	usec_t now_t = clock_now();
	char now[32], until[32];
	clock_fmt_db(now_t, now);
	clock_fmt_db(now_t + LEASE_SECONDS * USEC_PER_SEC, until);
	db_res *r;
	int rc = db_query(c,
	                  "SELECT " CLAIM_COLUMNS " FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= ? "
	                  "AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, id LIMIT 1 "
	                  "FOR UPDATE SKIP LOCKED",
	                  DBP(DBS(now), DBS(now)), &r);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		db_res_free(r);
		return 0;
	}
	rc = db_exec(c,
	             "UPDATE mail_outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, "
	             "updated_at = ? WHERE id = ?",
	             DBP(DBS(owner), DBS(until), DBS(now), DBI(db_int(r, 0, CL_ID))), NULL, NULL);
	if (rc) {
		db_res_free(r);
		return rc;
	}
	cl->row = r;
	return 0;
}

/* Records the outcome while the lease is still this process's. */
static int record(db_conn *c, long long id, int outcome, long long attempts, const char *err)
{
	usec_t now_t = clock_now();
	char now[32], next[32];
	clock_fmt_db(now_t, now);
	if (outcome == MAIL_SENT)
		return db_exec(
		        c,
		        "UPDATE mail_outbox SET status = 'sent', sent_at = ?, updated_at = ?, lease_owner = NULL, "
		        "lease_until = NULL, last_error = NULL, body = IF(sealed, '', body), version = version + 1 "
		        "WHERE id = ? AND lease_owner = ?",
		        DBP(DBS(now), DBS(now), DBI(id), DBS(owner)), NULL, NULL);
	int dead = outcome == MAIL_PERMANENT || attempts >= cfg.mail_max_attempts;
	long long wait = cfg.mail_retry_seconds;
	for (long long i = 1; i < attempts && wait < MAX_BACKOFF_S; i++)
		wait *= 2;
	if (wait > MAX_BACKOFF_S)
		wait = MAX_BACKOFF_S;
	clock_fmt_db(now_t + wait * USEC_PER_SEC, next);
	return db_exec(c,
	               "UPDATE mail_outbox SET status = IF(?, 'dead', 'pending'), next_attempt_at = ?, last_error = ?, "
	               "updated_at = ?, lease_owner = NULL, lease_until = NULL, version = version + 1 "
	               "WHERE id = ? AND lease_owner = ?",
	               DBP(DBI(dead), DBS(next), DBS(err), DBS(now), DBI(id), DBS(owner)), NULL, NULL);
}

static int send_one(db_res *r, int *outcome)
{
	long long id = db_int(r, 0, CL_ID), attempts = db_int(r, 0, CL_ATTEMPTS) + 1;
	int sealed = db_int(r, 0, CL_SEALED) != 0;
	const char *mid = db_val(r, 0, CL_MID);
	char *opened = sealed ? open_body(db_val(r, 0, CL_BODY), mid) : NULL;
	char err[400] = "";
	usec_t created = 0;
	clock_parse(db_val(r, 0, CL_CREATED), &created);
	if (sealed && !opened) {
		*outcome = MAIL_PERMANENT;
		snprintf(err, sizeof err, "the sealed body cannot be opened (another master key?)");
	} else {
		mail_msg m = { db_val(r, 0, CL_RCPT), db_val(r, 0, CL_SUBJECT), sealed ? opened : db_val(r, 0, CL_BODY),
			       mid, created };
		*outcome = mail_send(&m, err, sizeof err);
	}
	if (opened) {
		crypto_wipe(opened, strlen(opened));
		free(opened);
	}
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", id);
	if (*outcome == MAIL_SENT) {
		atomic_fetch_add(&m_sent, 1);
	} else {
		atomic_fetch_add(&m_failed, 1);
		int dead = *outcome == MAIL_PERMANENT || attempts >= cfg.mail_max_attempts;
		if (dead)
			atomic_fetch_add(&m_dead, 1);
		log_kv(dead ? LOG_ERROR : LOG_WARN, dead ? "mail is a dead letter" : "mail not sent; will retry", "id",
		       ids, "kind", db_val(r, 0, CL_KIND), "error", err, NULL);
	}
	db_conn *c = db_get();
	if (!c)
		return DB_DOWN; /* the lease runs out and the message goes again */
	return record(c, id, *outcome, attempts, err);
}

int outbox_run(cJSON *report)
{
	if (!mail_enabled())
		return 0;
	pthread_once(&owner_once, owner_make);
	long long sent = 0;
	int rc = 0;
	for (int i = 0; i < PASS_MAX; i++) {
		claim cl = { NULL };
		rc = db_tx(claim_tx, &cl);
		if (rc || !cl.row) {
			db_res_free(cl.row);
			break;
		}
		int outcome;
		rc = send_one(cl.row, &outcome);
		db_res_free(cl.row);
		if (rc)
			break;
		if (outcome == MAIL_SENT)
			sent++;
		else if (outcome == MAIL_TEMPORARY)
			break; /* the server is in trouble: the next pass tries again */
	}
	sched_report(report, "mail", sent);
	return rc;
}

void outbox_metrics(dynbuf *b)
{
	buf_addf(b,
	         "# HELP sanzhi_mail_sent_total Messages handed to the SMTP server.\n"
	         "# TYPE sanzhi_mail_sent_total counter\nsanzhi_mail_sent_total %llu\n"
	         "# HELP sanzhi_mail_failed_total Attempts to send a message that failed.\n"
	         "# TYPE sanzhi_mail_failed_total counter\nsanzhi_mail_failed_total %llu\n"
	         "# HELP sanzhi_mail_dead_total Messages given up on (dead letters).\n"
	         "# TYPE sanzhi_mail_dead_total counter\nsanzhi_mail_dead_total %llu\n",
	         atomic_load(&m_sent), atomic_load(&m_failed), atomic_load(&m_dead));
}

/* --- administration ------------------------------------------------------------------------ */

#define ADMIN_COLUMNS                                                                                                  \
	"id, kind, user_id, rcpt, subject, status, attempts, next_attempt_at, last_error, created_at, sent_at, "       \
	"version"
enum {
	AM_ID,
	AM_KIND,
	AM_USER,
	AM_RCPT,
	AM_SUBJECT,
	AM_STATUS,
	AM_ATTEMPTS,
	AM_NEXT,
	AM_ERROR,
	AM_CREATED,
	AM_SENT,
	AM_VERSION
};

/* The body is never shown: it may hold a reset token. */
static cJSON *mail_json(const db_res *r, int i)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(r, i, AM_ID));
	cJSON_AddStringToObject(o, "kind", db_val(r, i, AM_KIND));
	if (db_isnull(r, i, AM_USER))
		cJSON_AddNullToObject(o, "user_id");
	else
		cJSON_AddNumberToObject(o, "user_id", (double)db_int(r, i, AM_USER));
	cJSON_AddStringToObject(o, "to", db_val(r, i, AM_RCPT));
	cJSON_AddStringToObject(o, "subject", db_val(r, i, AM_SUBJECT));
	cJSON_AddStringToObject(o, "status", db_val(r, i, AM_STATUS));
	cJSON_AddNumberToObject(o, "attempts", (double)db_int(r, i, AM_ATTEMPTS));
	api_add_time(o, "next_attempt_at", db_val(r, i, AM_NEXT));
	json_add_str_or_null(o, "last_error", db_val(r, i, AM_ERROR));
	api_add_time(o, "created_at", db_val(r, i, AM_CREATED));
	api_add_time(o, "sent_at", db_val(r, i, AM_SENT));
	cJSON_AddNumberToObject(o, "version", (double)db_int(r, i, AM_VERSION));
	return o;
}

static const char *const statuses[] = { "pending", "sent", "dead", NULL };

/* GET /api/v1/admin/mail?status=dead: the outbox, newest first. */
static void mail_list(http_req *req)
{
	char status[16] = "";
	int got = http_query(req, "status", status, sizeof status);
	int known = got <= 0;
	for (int i = 0; got > 0 && statuses[i]; i++)
		known |= !strcmp(statuses[i], status);
	if (!known) {
		http_problem(req, 400, "invalid_status", "status is pending, sent or dead");
		return;
	}
	int limit;
	long long before;
	if (http_page_num_or_reply(req, &limit, &before, 1LL << 62) < 0)
		return;
	db_conn *c = api_db_or_reply(req);
	if (!c)
		return;
	db_res *r =
	        api_rows_or_reply(req, c,
	                          "SELECT " ADMIN_COLUMNS " FROM mail_outbox WHERE (? = '' OR status = ?) AND id < ? "
	                          "ORDER BY id DESC LIMIT ?",
	                          DBP(DBS(status), DBS(status), DBI(before), DBI(limit + 1)));
	if (!r)
		return;
	http_reply_rows(req, r, limit, mail_json, AM_ID);
	db_res_free(r);
}

static int retry_tx(tx *t, void *arg)
{
	long long id = *(long long *)arg;
	db_res *r;
	int rc = db_query(t->c, "SELECT " ADMIN_COLUMNS " FROM mail_outbox WHERE id = ? FOR UPDATE", DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such message");
	}
	long long version = db_int(r, 0, AM_VERSION);
	int dead = !strcmp(db_val(r, 0, AM_STATUS), "dead");
	char status[16];
	snprintf(status, sizeof status, "%s", db_val(r, 0, AM_STATUS));
	long long attempts = db_int(r, 0, AM_ATTEMPTS);
	db_res_free(r);
	if ((rc = tx_if_match(t, version)))
		return rc;
	if (!dead) {
		rc = tx_refuse(t, 409, "not_dead", "only a dead letter is sent again; this message is %s", status);
		tx_problem_add(t, "current_status", cJSON_CreateString(status));
		return rc;
	}
	char now[32];
	clock_fmt_db(clock_now(), now);
	rc = db_exec(t->c,
	             "UPDATE mail_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?, "
	             "version = version + 1 WHERE id = ?",
	             DBP(DBS(now), DBS(now), DBI(id)), NULL, NULL);
	if (rc)
		return rc;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", id);
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "attempts_before", (double)attempts);
	rc = audit_append(t->c, t->user, "mail.retry", "mail", ids, s);
	cJSON_Delete(s);
	if (rc)
		return rc;
	if ((rc = db_query(t->c, "SELECT " ADMIN_COLUMNS " FROM mail_outbox WHERE id = ?", DBP(DBI(id)), &r)))
		return rc;
	cJSON *o = mail_json(r, 0);
	version = db_int(r, 0, AM_VERSION);
	db_res_free(r);
	tx_answer(t, 200, o, version);
	return 0;
}

/* POST /api/v1/admin/mail/{id}/retry: a dead letter goes again, from its first attempt. */
static void mail_retry(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_run_or_reply(req, retry_tx, &id);
}

const route outbox_routes[] = {
	{ "GET", "/api/v1/admin/mail", mail_list, ROLE_ADMIN, 0 },
	{ "POST", "/api/v1/admin/mail/{id}/retry", mail_retry, ROLE_ADMIN, R_JSON_OPT | R_BODY_KIB(1) },
	{ NULL, NULL, NULL, 0, 0 },
};
