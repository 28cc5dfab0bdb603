/* opening.c — the opening of a tender's sealed bids (see opening.h): the effect of the tender
 * workflow's action open, and the published record with its route. */
#include "opening.h"
#include "bid_flow.h"
#include "bid_seal.h"
#include "rules.h"
#include "tender_flow.h"
#include "uscc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A live bid as the opening finds it. */
typedef struct opened {
	long long id;
	char uscc[USCC_LEN + 1];
	char sha256[CRYPTO_SHA256_HEX_LEN + 1];
	long long price; /* when intact */
	int intact;      /* the seal opened and matched its receipt */
	int valid, low;
	cJSON *reasons; /* codes */
} opened;

/* The live bids of a tender, with what the record shows of each. */
#define LIVE_COLUMNS "b.id, b.org_uscc, b.sha256, b.submitted_at, o.name"
enum { LC_ID, LC_USCC, LC_SHA256, LC_SUBMITTED, LC_NAME };

/* --- verification -------------------------------------------------------------------------- */

/* Each document the plaintext lists opens, as this bid's, with the size and digest listed. */
static int documents_intact(tx *t, const unsigned char *key, long long tender_id, const opened *b, const cJSON *docs,
                            int *ok)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, docs) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id"),
		            *size = cJSON_GetObjectItemCaseSensitive(it, "size");
		const char *want = json_str_member(it, "sha256");
		if (!cJSON_IsNumber(id) || !cJSON_IsNumber(size) || !want) {
			*ok = 0;
			return 0;
		}
		long long doc_id = (long long)id->valuedouble;
		db_res *r;
		int rc = db_query(t->c, "SELECT sealed FROM bid_documents WHERE id = ? AND bid_id = ?",
		                  DBP(DBI(doc_id), DBI(b->id)), &r);
		if (rc)
			return rc;
		char *data = NULL;
		size_t len = 0;
		if (r->nrows != 1 || bid_open(key, tender_id, b->id, b->uscc, doc_id,
		                              (const unsigned char *)db_val(r, 0, 0), db_len(r, 0, 0), &data, &len) < 0)
			*ok = 0;
		db_res_free(r);
		if (data) {
			char got[CRYPTO_SHA256_HEX_LEN + 1];
			crypto_sha256_hex(data, len, got);
			if (strcmp(got, want) || (double)len != size->valuedouble)
				*ok = 0;
			crypto_wipe(data, len);
			free(data);
		}
		if (!*ok)
			return 0;
	}
	return 0;
}

/* Opens bid b and checks it against its receipt: b->intact and b->price. 0 or a DB_ code. */
static int verify(tx *t, const unsigned char *key, long long tender_id, opened *b)
{
	b->intact = 0;
	db_res *r;
	int rc = db_query(t->c,
	                  "SELECT b.sealed, (SELECT r.sha256 FROM bid_receipts r WHERE r.bid_id = b.id "
	                  "ORDER BY r.id DESC LIMIT 1) FROM bids b WHERE b.id = ?",
	                  DBP(DBI(b->id)), &r);
	if (rc)
		return rc;
	char *plain = NULL;
	size_t len = 0;
	/* The latest receipt given is the digest the bid is held to. */
	int receipted = r->nrows == 1 && db_val(r, 0, 1) && !strcmp(db_val(r, 0, 1), b->sha256);
	if (receipted && bid_open(key, tender_id, b->id, b->uscc, 0, (const unsigned char *)db_val(r, 0, 0),
	                          db_len(r, 0, 0), &plain, &len) < 0)
		plain = NULL;
	db_res_free(r);
	if (!plain)
		return 0;
	char got[CRYPTO_SHA256_HEX_LEN + 1];
	crypto_sha256_hex(plain, len, got);
	cJSON *p = strcmp(got, b->sha256) ? NULL : cJSON_Parse(plain);
	crypto_wipe(plain, len);
	free(plain);
	const cJSON *tid = cJSON_GetObjectItemCaseSensitive(p, "tender_id"),
	            *bid = cJSON_GetObjectItemCaseSensitive(p, "bid_id"),
	            *price = cJSON_GetObjectItemCaseSensitive(p, "price_fen");
	const char *uscc = json_str_member(p, "org_uscc");
	int ok = p && cJSON_IsNumber(tid) && (long long)tid->valuedouble == tender_id && cJSON_IsNumber(bid) &&
	         (long long)bid->valuedouble == b->id && uscc && !strcmp(uscc, b->uscc) && cJSON_IsNumber(price) &&
	         price->valuedouble >= 1 && price->valuedouble <= (double)JSON_FEN_MAX;
	if (ok)
		rc = documents_intact(t, key, tender_id, b, cJSON_GetObjectItemCaseSensitive(p, "documents"), &ok);
	if (!rc && ok) {
		b->intact = 1;
		b->price = (long long)price->valuedouble;
	}
	cJSON_Delete(p);
	return rc;
}

/* SPEC §6: a price below the rule's share of the mean of the OTHER valid bids is abnormally low.
 * In integers: price · 100 · (m − 1) < percent · (sum − price); 128 bits, as prices reach 10^15. */
static void flag_abnormally_low(opened *bs, int n)
{
	__extension__ typedef __int128 i128;
	i128 sum = 0;
	long long m = 0;
	for (int i = 0; i < n; i++)
		if (bs[i].valid) {
			sum += bs[i].price;
			m++;
		}
	if (m < 2)
		return;
	i128 pct = rule(RULE_abnormally_low_percent);
	for (int i = 0; i < n; i++)
		if (bs[i].valid)
			bs[i].low = (i128)bs[i].price * 100 * (m - 1) < pct * (sum - bs[i].price);
}

/* SPEC §6: unsuccessful with fewer valid bids than the rule for open, invited and
 * competitive-consultation tenders; the other methods (negotiation, single source, inquiry) need
 * one valid bid to have anything to evaluate. */
static long long min_valid(const db_res *tender)
{
	const char *m = db_val(tender, 0, TC_METHOD);
	if (m && (!strcmp(m, tender_methods[TM_OPEN]) || !strcmp(m, tender_methods[TM_INVITED]) ||
	          !strcmp(m, tender_methods[TM_CONSULTATION])))
		return rule(RULE_min_valid_bids);
	return 1;
}

/* --- the effect ------------------------------------------------------------------------------- */

static cJSON *reasons_of(verr *v)
{
	cJSON *codes = cJSON_CreateArray();
	const cJSON *it;
	cJSON_ArrayForEach(it, v->list) {
		const char *code = json_str_member(it, "code");
		if (code)
			cJSON_AddItemToArray(codes, cJSON_CreateString(code));
	}
	verr_free(v);
	return codes;
}

/* The codes as the opening_bids column keeps them: "integrity_failed,listed". */
static void reasons_text(const cJSON *codes, char *out, size_t outlen)
{
	size_t k = 0;
	out[0] = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, codes) {
		int w = snprintf(out + k, outlen - k, "%s%s", k ? "," : "", it->valuestring);
		if (w < 0 || (size_t)w >= outlen - k)
			break;
		k += (size_t)w;
	}
}

/* Opens every live bid of the locked tender, one at a time (a bid and its documents in memory at
 * once, never all of them). */
static int open_all(tx *t, const db_res *tender, const unsigned char *key, const db_res *live, opened *bs)
{
	long long tender_id = db_int(tender, 0, TC_ID);
	int n = live->nrows;
	for (int i = 0; i < n; i++) {
		opened *b = &bs[i];
		b->id = db_int(live, i, LC_ID);
		snprintf(b->uscc, sizeof b->uscc, "%s", db_val(live, i, LC_USCC));
		snprintf(b->sha256, sizeof b->sha256, "%s", db_val(live, i, LC_SHA256));
		int rc = verify(t, key, tender_id, b);
		if (rc)
			return rc;
		/* Eligibility again, on the opening day (SPEC §6): listed since, deregistered, a grade
		 * lapsed. */
		verr v = { 0 };
		int bad = bid_eligibility(t, tender, b->uscc, &v);
		if (bad < 0) {
			verr_free(&v);
			return bad;
		}
		b->reasons = cJSON_CreateArray();
		if (!b->intact)
			cJSON_AddItemToArray(b->reasons, cJSON_CreateString("integrity_failed"));
		cJSON *codes = reasons_of(&v), *it;
		cJSON_ArrayForEach(it, codes)
			cJSON_AddItemToArray(b->reasons, cJSON_CreateString(it->valuestring));
		cJSON_Delete(codes);
		b->valid = b->intact && !bad;
		char reasons[400];
		reasons_text(b->reasons, reasons, sizeof reasons);
		rc = db_exec(t->c,
		             "INSERT INTO opening_bids (bid_id, tender_id, org_uscc, price_fen, sha256, valid, "
		             "invalid_reasons, abnormally_low) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
		             DBP(DBI(b->id), DBI(tender_id), DBS(b->uscc), b->intact ? DBI(b->price) : DBNULL,
		                 DBS(b->sha256), DBI(b->valid), DBS(reasons)),
		             NULL, NULL);
		if (rc)
			return rc;
		if (i + 1 == (n + 1) / 2)
			tx_test_crash("opening_half");
	}
	return 0;
}

/* The record as published (Appendix B), bids in the order they came. */
static cJSON *record_json(long long tender_id, const char *opened_at, const char *outcome, long long min,
                          const db_res *live, opened *bs)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "tender_id", (double)tender_id);
	cJSON_AddStringToObject(o, "opened_at", opened_at);
	cJSON_AddStringToObject(o, "outcome", outcome);
	cJSON_AddNumberToObject(o, "min_valid_bids", (double)min);
	cJSON_AddNumberToObject(o, "abnormally_low_percent", (double)rule(RULE_abnormally_low_percent));
	int valid = 0;
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < live->nrows; i++) {
		opened *b = &bs[i];
		valid += b->valid;
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "bid_id", (double)b->id);
		cJSON_AddStringToObject(e, "org_uscc", b->uscc);
		json_add_str_or_null(e, "org_name", db_val(live, i, LC_NAME));
		if (b->intact)
			cJSON_AddNumberToObject(e, "price_fen", (double)b->price);
		else
			cJSON_AddNullToObject(e, "price_fen");
		cJSON_AddStringToObject(e, "sha256", b->sha256);
		api_add_time(e, "submitted_at", db_val(live, i, LC_SUBMITTED));
		cJSON_AddBoolToObject(e, "valid", b->valid);
		cJSON_AddItemToObject(e, "invalid_reasons", b->reasons);
		b->reasons = NULL;
		cJSON_AddBoolToObject(e, "abnormally_low", b->low);
		cJSON_AddItemToArray(a, e);
	}
	cJSON_AddNumberToObject(o, "valid_bids", valid);
	cJSON_AddItemToObject(o, "bids", a);
	return o;
}

int opening_effect(fsm_run *run)
{
	tx *t = run->t;
	long long tender_id = run->id;
	unsigned char key[CRYPTO_AES_KEY_LEN];
	/* A data key that does not unwrap (the wrong master key) is the platform's fault, not the
	 * bidders': no opening, nothing marked invalid, the purchaser may try again once fixed. */
	int rc = bid_key_load(t->c, tender_id, key);
	if (rc)
		return rc < 0 ? rc : DB_ERROR;
	db_res *live = NULL;
	opened *bs = NULL;
	cJSON *record = NULL;
	char *text = NULL;
	rc = db_query(t->c,
	              "SELECT " LIVE_COLUMNS " FROM bids b LEFT JOIN orgs o ON o.uscc = b.org_uscc "
	              "WHERE b.tender_id = ? AND b.status = ? ORDER BY b.id",
	              DBP(DBI(tender_id), DBS(fsm_state_name(&bid_flow, BS_submitted))), &live);
	if (rc)
		goto out;
	int n = live->nrows;
	rc = DB_ERROR;
	if (!(bs = calloc(n ? (size_t)n : 1, sizeof *bs)))
		goto out;
	if ((rc = open_all(t, run->row, key, live, bs)))
		goto out;
	flag_abnormally_low(bs, n);
	int valid = 0, low = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		valid += bs[i].valid;
		low += bs[i].low;
		if (bs[i].low)
			rc = db_exec(t->c, "UPDATE opening_bids SET abnormally_low = 1 WHERE bid_id = ?",
			             DBP(DBI(bs[i].id)), NULL, NULL);
	}
	if (rc)
		goto out;
	long long min = min_valid(run->row);
	run->to = valid < min ? TS_unsuccessful : TS_active_evaluation;
	usec_t now = clock_now();
	char opened_at[32], opened_db[32], sha[CRYPTO_SHA256_HEX_LEN + 1];
	clock_fmt(now, opened_at);
	clock_fmt_db(now, opened_db);
	record = record_json(tender_id, opened_at, fsm_state_name(&tender_flow, run->to), min, live, bs);
	rc = DB_ERROR;
	if (!record || !(text = json_print(record)))
		goto out;
	crypto_sha256_hex(text, strlen(text), sha);
	rc = db_exec(t->c,
	             "INSERT INTO tender_openings (tender_id, opened_at, opened_by, valid_bids, record, record_sha256) "
	             "VALUES (?, ?, ?, ?, ?, ?)",
	             DBP(DBI(tender_id), DBS(opened_db), DBI(t->user->id), DBI(valid), DBS(text), DBS(sha)), NULL,
	             NULL);
	if (rc == DB_DUP) /* the tender's row lock makes this unreachable; the key makes it certain */
		rc = tx_refuse(t, 409, "already_opened", "the bids of this tender have been opened");
	if (rc)
		goto out;
	/* The record belongs to the audit trail: its digest and its bids, chained with the move. */
	cJSON_AddStringToObject(run->summary, "opened_at", opened_at);
	cJSON_AddNumberToObject(run->summary, "bids_count", n);
	cJSON_AddNumberToObject(run->summary, "valid_bids", valid);
	cJSON_AddNumberToObject(run->summary, "abnormally_low", low);
	cJSON_AddNumberToObject(run->summary, "min_valid_bids", (double)min);
	cJSON_AddStringToObject(run->summary, "record_sha256", sha);
	cJSON_AddItemToObject(run->summary, "bids",
	                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(record, "bids"), 1));
out:
	crypto_wipe(key, sizeof key);
	for (int i = 0; bs && live && i < live->nrows; i++)
		cJSON_Delete(bs[i].reasons);
	free(bs);
	free(text);
	cJSON_Delete(record);
	db_res_free(live);
	return rc;
}

int opening_record(db_conn *c, long long tender_id, cJSON **out)
{
	*out = NULL;
	db_res *r;
	int rc = db_query(c, "SELECT record, record_sha256 FROM tender_openings WHERE tender_id = ?",
	                  DBP(DBI(tender_id)), &r);
	if (rc)
		return rc;
	if (r->nrows == 1) {
		*out = cJSON_Parse(db_val(r, 0, 0));
		if (*out)
			cJSON_AddStringToObject(*out, "record_sha256", db_val(r, 0, 1));
		else
			rc = DB_ERROR;
	}
	db_res_free(r);
	return rc;
}

/* --- routes ------------------------------------------------------------------------------------ */

static int get_tx(tx *t, void *arg)
{
	long long id = *(const long long *)arg;
	db_res *r;
	int rc = tender_read_or_refuse(t, id, &r);
	if (rc)
		return rc;
	cJSON *rec = NULL;
	if ((rc = opening_record(t->c, id, &rec)) == 0) {
		if (rec) {
			tx_answer(t, 200, rec, 0);
		} else {
			int state = fsm_effective(&tender_flow, r, 0, clock_now());
			rc = tx_refuse(t, 409, "not_opened", "the bids of this tender have not been opened; it is %s",
			               fsm_state_name(&tender_flow, state));
			tx_problem_add(t, "current_status", cJSON_CreateString(fsm_state_name(&tender_flow, state)));
		}
	}
	db_res_free(r);
	return rc;
}

static void opening_get(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, get_tx, &id);
}

const route opening_routes[] = {
	{ "GET", "/api/v1/tenders/{id}/opening", opening_get, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
