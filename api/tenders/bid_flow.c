/* bid_flow.c — the workflow of sealed bids (SPEC §6): the transition table, the tender's
 * deadline as every bid transaction sees it, eligibility at submission, and the sealing of a
 * bid's content. The routes are bids.c. */
#include "bid_flow.h"
#include "bid_seal.h"
#include "config.h"
#include "tender_flow.h"
#include "uploads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP ROLE_APPLICANT

#define FSM_DEF_FILE "bid.def"
#include "fsm_names.h"

enum { NONCE_BYTES = 16 };

static int bid_visible(const auth_user *u, const db_res *r, int row)
{
	return u && db_int(r, row, BC_BIDDER) == u->id;
}

/* --- the tender's deadline ------------------------------------------------------------------- */

/* The 409 for a tender that takes no bids now, with the state it is in. */
static int refuse_closed(tx *t, int state, const char *deadline)
{
	int rc;
	if (state == TS_cancelled)
		rc = tx_refuse(t, 409, "tender_cancelled", "the tender was cancelled; it takes no bids");
	else if (state == TS_active_enquiries || state == TS_active_tendering)
		return 0;
	else if (state == TS_draft || state == TS_complete || state == TS_unsuccessful)
		rc = tx_refuse(t, 409, "tender_closed", "the tender takes no bids");
	else
		rc = tx_refuse(t, 409, "deadline_passed", "the bid deadline (%s) has passed", deadline ? deadline : "");
	tx_problem_add(t, "current_status", cJSON_CreateString(fsm_state_name(&tender_flow, state)));
	return rc;
}

int bid_tender_open_or_refuse(tx *t, long long tender_id, db_res **tender)
{
	if (tender)
		*tender = NULL;
	db_res *r;
	/* Shared: bids go in side by side; the move to the opening takes the row for update and so
	 * waits for every bid decided before the deadline. */
	int rc = db_query(t->c, "SELECT " TENDER_COLUMNS " FROM tenders WHERE id = ? LOCK IN SHARE MODE",
	                  DBP(DBI(tender_id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1 || !tender_visible(t->user, r, 0) ||
	    fsm_state(&tender_flow, db_val(r, 0, TC_STATUS)) == TS_draft) {
		db_res_free(r);
		return tx_refuse(t, 404, "not_found", "there is no such tender");
	}
	char deadline[32];
	clock_fmt(tender_bid_deadline(r, 0), deadline);
	rc = refuse_closed(t, fsm_effective(&tender_flow, r, 0, clock_now()), deadline);
	if (rc || !tender)
		db_res_free(r);
	else
		*tender = r;
	return rc;
}

int bid_deadline_recheck(tx *t, const db_res *tender)
{
	char deadline[32];
	clock_fmt(tender_bid_deadline(tender, 0), deadline);
	return refuse_closed(t, fsm_effective(&tender_flow, tender, 0, clock_now()), deadline);
}

/* --- eligibility -------------------------------------------------------------------------------- */

/* A NULL-terminated list of the strings of array a (at most max), or NULL for none or empty:
 * an empty list in a tender's eligibility means any. */
static const char *const *choices(const cJSON *a, const char **buf, int max)
{
	int n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
		if (cJSON_IsString(it) && n < max)
			buf[n++] = it->valuestring;
	buf[n] = NULL;
	return n ? buf : NULL;
}

int bid_eligibility(tx *t, const db_res *tender, const char *uscc, verr *v)
{
	return bid_eligibility_owner(t, tender, uscc, v, NULL);
}

int bid_eligibility_owner(tx *t, const db_res *tender, const char *uscc, verr *v, long long *owner_id)
{
	cJSON *e = cJSON_Parse(db_val(tender, 0, TC_ELIGIBILITY));
	const char *forms[8], *cats[8];
	credit_requirements req = { 0 };
	req.min_grade = credit_grade_rank(json_str_member(e, "min_grade"));
	const cJSON *years = cJSON_GetObjectItemCaseSensitive(e, "min_years_registered");
	req.min_years_registered = cJSON_IsNumber(years) ? years->valueint : 0;
	req.legal_forms = choices(cJSON_GetObjectItemCaseSensitive(e, "legal_forms"), forms, 7);
	req.categories = choices(cJSON_GetObjectItemCaseSensitive(e, "categories"), cats, 7);
	int n = credit_eligibility(t->c, uscc, &req, clock_local_day(clock_now()), v, owner_id);
	cJSON_Delete(e);
	if (n < 0)
		return n;
	/* Invited and single-source tenders take bids from the organizations they name only. */
	const char *method = db_val(tender, 0, TC_METHOD);
	if (method &&
	    (!strcmp(method, tender_methods[TM_INVITED]) || !strcmp(method, tender_methods[TM_SINGLE_SOURCE]))) {
		db_res *r;
		int rc = db_query(t->c, "SELECT 1 FROM tender_invitations WHERE tender_id = ? AND uscc = ?",
		                  DBP(DBI(db_int(tender, 0, TC_ID)), DBS(uscc)), &r);
		if (rc)
			return rc;
		if (!r->nrows)
			verr_add(v, "org", "not_invited", "the tender does not invite this organization");
		db_res_free(r);
	}
	return v->count;
}

int bid_eligible_or_refuse(tx *t, const db_res *tender, const char *uscc)
{
	verr v = { 0 };
	long long owner = 0;
	int n = bid_eligibility_owner(t, tender, uscc, &v, &owner);
	if (n < 0) {
		verr_free(&v);
		return n;
	}
	/* Not acting for the organization comes first; one not in the register is not_registered. */
	if (owner >= 0 && owner != t->user->id) {
		verr_free(&v);
		return tx_refuse(t, 403, "not_org_owner", "only the account that acts for %s may bid for it", uscc);
	}
	if (v.count)
		return tx_refuse_fields(t, 422, "not_eligible", "the organization may not bid on this tender", &v);
	return 0;
}

/* --- sealing ---------------------------------------------------------------------------------------- */

/* The plaintext of a bid: its identity, a random nonce, its content and its documents'
 * metadata ({id, name, media_type, size, sha256} each). */
static char *plaintext(long long tender_id, long long id, const char *uscc, const bid_content *content,
                       const cJSON *documents)
{
	unsigned char nonce[NONCE_BYTES];
	char nonce_s[2 * NONCE_BYTES + 1];
	if (crypto_random(nonce, sizeof nonce) < 0)
		return NULL;
	crypto_hex(nonce, sizeof nonce, nonce_s);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "v", 1);
	cJSON_AddNumberToObject(o, "tender_id", (double)tender_id);
	cJSON_AddNumberToObject(o, "bid_id", (double)id);
	cJSON_AddStringToObject(o, "org_uscc", uscc);
	cJSON_AddStringToObject(o, "nonce", nonce_s);
	cJSON_AddNumberToObject(o, "price_fen", (double)content->price_fen);
	cJSON_AddStringToObject(o, "technical_proposal", content->technical_proposal);
	cJSON_AddItemToObject(o, "documents", documents ? cJSON_Duplicate(documents, 1) : cJSON_CreateArray());
	char *text = json_print(o);
	cJSON_Delete(o);
	return text;
}

int bid_seal_store(tx *t, long long tender_id, long long id, const char *uscc, const bid_content *content,
                   const cJSON *documents, const char *kind, const char *at, char sha256[CRYPTO_SHA256_HEX_LEN + 1])
{
	unsigned char key[CRYPTO_AES_KEY_LEN], *sealed = NULL;
	size_t sealed_len = 0, n = 0;
	char *plain = NULL;
	/* The benchmark's comparison (make bench): the same row without the sealing — no key
	 * unwrapped, no AES — zeros of the sealed length instead. Needs the test clock: never in
	 * production. */
	int unsealed = cfg.test_clock && cfg.test_unsealed_bids;
	int rc = unsealed ? 0 : bid_key_load(t->c, tender_id, key);
	if (rc)
		return rc < 0 ? rc : DB_ERROR;
	rc = DB_ERROR;
	if (!(plain = plaintext(tender_id, id, uscc, content, documents)))
		goto out;
	n = strlen(plain);
	crypto_sha256_hex(plain, n, sha256);
	if (unsealed) {
		sealed_len = n + CRYPTO_SEAL_OVERHEAD;
		if (!(sealed = calloc(1, sealed_len)))
			goto out;
	} else if (bid_seal(key, tender_id, id, uscc, 0, plain, n, &sealed, &sealed_len) < 0) {
		goto out;
	}
	rc = db_exec(t->c, "UPDATE bids SET sealed = ?, sha256 = ?, submitted_at = ? WHERE id = ?",
	             DBP(DBB(sealed, sealed_len), DBS(sha256), DBS(at), DBI(id)), NULL, NULL);
	if (!rc)
		rc = db_exec(t->c, "INSERT INTO bid_receipts (bid_id, kind, sha256, at) VALUES (?, ?, ?, ?)",
		             DBP(DBI(id), DBS(kind), DBS(sha256), DBS(at)), NULL, NULL);
out:
	crypto_wipe(key, sizeof key);
	if (plain) {
		crypto_wipe(plain, n);
		free(plain);
	}
	free(sealed);
	return rc;
}

/* Opens the one sealed value sql (with one ? for id) selects, as the bid's part doc_id. */
static int read_sealed(tx *t, const db_res *bid, const char *sql, long long id, long long doc_id, char **out,
                       size_t *len)
{
	*out = NULL;
	long long tender_id = db_int(bid, 0, BC_TENDER), bid_id = db_int(bid, 0, BC_ID);
	unsigned char key[CRYPTO_AES_KEY_LEN];
	int rc = bid_key_load(t->c, tender_id, key);
	if (rc)
		return rc < 0 ? rc : 0;
	db_res *r;
	rc = db_query(t->c, sql, DBP(DBI(id)), &r);
	if (!rc) {
		if (r->nrows == 1 && bid_open(key, tender_id, bid_id, db_val(bid, 0, BC_USCC), doc_id,
		                              (const unsigned char *)db_val(r, 0, 0), db_len(r, 0, 0), out, len) < 0)
			*out = NULL;
		db_res_free(r);
	}
	crypto_wipe(key, sizeof key);
	return rc;
}

int bid_read_plain(tx *t, const db_res *bid, char **plain, size_t *len)
{
	return read_sealed(t, bid, "SELECT sealed FROM bids WHERE id = ?", db_int(bid, 0, BC_ID), 0, plain, len);
}

int bid_read_document(tx *t, const db_res *bid, long long doc_id, char **data, size_t *len)
{
	db_res *r;
	int rc = db_query(t->c, "SELECT bid_id FROM bid_documents WHERE id = ?", DBP(DBI(doc_id)), &r);
	if (rc)
		return rc;
	int ours = r->nrows == 1 && db_int(r, 0, 0) == db_int(bid, 0, BC_ID);
	db_res_free(r);
	*data = NULL;
	return ours ? read_sealed(t, bid, "SELECT sealed FROM bid_documents WHERE id = ?", doc_id, doc_id, data, len)
	            : 0;
}

/* The bid's plaintext as JSON, or NULL (*rc 0) when it no longer opens. */
static cJSON *current(tx *t, const db_res *bid, int *rc)
{
	char *plain = NULL;
	size_t len = 0;
	*rc = bid_read_plain(t, bid, &plain, &len);
	cJSON *o = plain ? cJSON_Parse(plain) : NULL;
	if (plain) {
		crypto_wipe(plain, len);
		free(plain);
	}
	return o;
}

/* --- guards and effects --------------------------------------------------------------------------- */

/* The bidder must still act for the organization. */
static int guard_owner(fsm_run *run)
{
	db_res *r;
	const char *uscc = db_val(run->row, 0, BC_USCC);
	int rc = db_query(run->t->c, "SELECT owner_user_id FROM orgs WHERE uscc = ?", DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	int owned = r->nrows == 1 && db_int(r, 0, 0) == run->t->user->id;
	db_res_free(r);
	return owned ? 0
	             : tx_refuse(run->t, 403, "not_org_owner", "only the account that acts for %s may do this", uscc);
}

/* A replacement is a new submission: eligible again, sealed again, a new receipt. */
static int effect_replace(fsm_run *run)
{
	const db_res *b = run->row;
	long long tender_id = db_int(b, 0, BC_TENDER);
	db_res *tender;
	int rc = db_query(run->t->c, tender_flow.sql_read, DBP(DBI(tender_id)), &tender);
	if (rc)
		return rc;
	const char *uscc = db_val(b, 0, BC_USCC);
	char sha[CRYPTO_SHA256_HEX_LEN + 1];
	rc = tender->nrows == 1 ? bid_eligible_or_refuse(run->t, tender, uscc) : DB_ERROR;
	db_res_free(tender);
	/* The documents stay with the bid (the ones of a seal that no longer opens are lost). */
	cJSON *now = rc ? NULL : current(run->t, b, &rc);
	char at[32];
	clock_fmt_db(clock_now(), at);
	if (!rc)
		rc = bid_seal_store(run->t, tender_id, run->id, uscc, run->arg,
		                    cJSON_GetObjectItemCaseSensitive(now, "documents"), "replace", at, sha);
	cJSON_Delete(now);
	if (!rc) {
		cJSON_AddNumberToObject(run->summary, "tender_id", (double)tender_id);
		cJSON_AddStringToObject(run->summary, "org_uscc", uscc);
		cJSON_AddStringToObject(run->summary, "sha256", sha);
	}
	return rc;
}

static int effect_withdraw(fsm_run *run)
{
	const db_res *b = run->row;
	char now[32];
	clock_fmt_db(clock_now(), now);
	int rc = db_exec(run->t->c, "UPDATE bids SET withdrawn_at = ? WHERE id = ?", DBP(DBS(now), DBI(run->id)), NULL,
	                 NULL);
	if (!rc)
		rc = db_exec(run->t->c,
		             "INSERT INTO bid_receipts (bid_id, kind, sha256, at) VALUES (?, 'withdraw', ?, ?)",
		             DBP(DBI(run->id), DBS(db_val(b, 0, BC_SHA256)), DBS(now)), NULL, NULL);
	cJSON_AddNumberToObject(run->summary, "tender_id", (double)db_int(b, 0, BC_TENDER));
	cJSON_AddStringToObject(run->summary, "org_uscc", db_val(b, 0, BC_USCC));
	return rc;
}

/* A document joins the bid: sealed on its own, its metadata in the bid's plaintext, which is
 * sealed again (a new receipt). */
static int effect_add_document(fsm_run *run)
{
	tx *t = run->t;
	const db_res *b = run->row;
	bid_document *d = run->arg;
	const upload *f = d->file;
	long long tender_id = db_int(b, 0, BC_TENDER);
	const char *uscc = db_val(b, 0, BC_USCC);
	db_res *r;
	int rc = db_query(t->c, "SELECT COUNT(*) FROM bid_documents WHERE bid_id = ?", DBP(DBI(run->id)), &r);
	if (rc)
		return rc;
	long long have = db_int(r, 0, 0);
	db_res_free(r);
	if (have >= BID_DOCUMENTS_MAX)
		return tx_refuse(t, 409, "too_many_documents", "a bid holds at most %d documents", BID_DOCUMENTS_MAX);
	cJSON *now = current(t, b, &rc);
	if (rc)
		return rc;
	if (!now)
		return tx_refuse(t, 409, "bid_integrity_failed",
		                 "the stored bid no longer opens; replace it (PUT) before adding documents");
	unsigned char key[CRYPTO_AES_KEY_LEN], *sealed = NULL;
	size_t sealed_len = 0;
	char now_s[32], sha[CRYPTO_SHA256_HEX_LEN + 1];
	clock_fmt_db(clock_now(), now_s);
	unsigned long long id = 0;
	if ((rc = bid_key_load(t->c, tender_id, key)))
		goto out;
	rc = db_exec(t->c, "INSERT INTO bid_documents (bid_id, sealed, created_at) VALUES (?, '', ?)",
	             DBP(DBI(run->id), DBS(now_s)), NULL, &id);
	if (rc)
		goto out;
	d->id = (long long)id;
	rc = DB_ERROR;
	if (bid_seal(key, tender_id, run->id, uscc, d->id, f->body, f->len, &sealed, &sealed_len) < 0)
		goto out;
	if ((rc = db_exec(t->c, "UPDATE bid_documents SET sealed = ? WHERE id = ?",
	                  DBP(DBB(sealed, sealed_len), DBI(d->id)), NULL, NULL)))
		goto out;
	cJSON *docs = cJSON_GetObjectItemCaseSensitive(now, "documents");
	if (!cJSON_IsArray(docs)) {
		cJSON_DeleteItemFromObjectCaseSensitive(now, "documents");
		docs = cJSON_AddArrayToObject(now, "documents");
	}
	cJSON *m = cJSON_CreateObject();
	cJSON_AddNumberToObject(m, "id", (double)d->id);
	cJSON_AddStringToObject(m, "name", f->name);
	cJSON_AddStringToObject(m, "media_type", f->media_type);
	cJSON_AddNumberToObject(m, "size", (double)f->len);
	cJSON_AddStringToObject(m, "sha256", f->sha256);
	cJSON_AddItemToArray(docs, m);
	const cJSON *price = cJSON_GetObjectItemCaseSensitive(now, "price_fen");
	bid_content c = { cJSON_IsNumber(price) ? (long long)price->valuedouble : 0,
		          json_str_member(now, "technical_proposal") };
	if (!c.technical_proposal) {
		rc = DB_ERROR;
		goto out;
	}
	rc = bid_seal_store(t, tender_id, run->id, uscc, &c, docs, "document", now_s, sha);
	cJSON_AddNumberToObject(run->summary, "tender_id", (double)tender_id);
	cJSON_AddStringToObject(run->summary, "org_uscc", uscc);
	cJSON_AddNumberToObject(run->summary, "document_id", (double)d->id);
	cJSON_AddStringToObject(run->summary, "sha256", sha);
out:
	crypto_wipe(key, sizeof key);
	free(sealed);
	cJSON_Delete(now);
	return rc < 0 ? rc : rc ? DB_ERROR : 0;
}

static int refuse(fsm_run *run, int state)
{
	if (state == BS_withdrawn)
		return fsm_conflict(run, state, "bid_withdrawn", "this bid was withdrawn; submit a new one");
	return 0;
}

/* --- the table -------------------------------------------------------------------------------------- */

static const fsm_transition transitions[] = {
	{ BS_submitted, BA_replace, BS_submitted, APP, guard_owner, effect_replace, NULL },
	{ BS_submitted, BA_withdraw, BS_withdrawn, APP, guard_owner, effect_withdraw, NULL },
	{ BS_submitted, BA_add_document, BS_submitted, APP, guard_owner, effect_add_document, "bid.document_add" },
};

const fsm_def bid_flow = {
	.object = "bid",
	.sql_read = "SELECT " BID_COLUMNS " FROM bids WHERE id = ?",
	.sql_lock = "SELECT " BID_COLUMNS " FROM bids WHERE id = ? FOR UPDATE",
	.sql_move = "UPDATE bids SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
	.sql_in_state = NULL,
	.col_id = BC_ID,
	.col_status = BC_STATUS,
	.col_version = BC_VERSION,
	.states = state_names,
	.nstates = BS_NSTATES,
	.actions = action_names,
	.nactions = BA_NACTIONS,
	.transitions = transitions,
	.ntransitions = sizeof transitions / sizeof transitions[0],
	.timers = NULL,
	.ntimers = 0,
	.visible = bid_visible,
	.refuse = refuse,
	.what = "bid",
	.path = "/api/v1/tenders/{id}/bids/{bid_id}",
};
