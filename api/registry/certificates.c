/* certificates.c — the registry's signing key and its signed registration certificates
 * (see certificates.h for the canonical form and the key's storage). */
#include "certificates.h"
#include "orgs.h"
#include "region.h"
#include "uscc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_SETTING "registry_signing_key"
#define KEY_AAD_PREFIX "sanzhi " KEY_SETTING " "
#define KEY_ID_LEN 16
#define CANON_MAX (1u << 20)
#define CERT_FORMAT "sanzhi.certificate.v1"

/* --- canonical form ------------------------------------------------------------------ */

typedef struct canon {
	char *buf;
	size_t len, cap;
	int failed;
} canon;

static void canon_put(canon *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > CANON_MAX) {
			b->failed = 1;
			return;
		}
		char *nb = realloc(b->buf, cap);
		if (!nb) {
			b->failed = 1;
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = 0;
}

/* JSON.stringify's string escaping: " \ and control characters; all else as UTF-8. */
static void canon_string(canon *b, const char *s)
{
	canon_put(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		switch (*p) {
		case '"': canon_put(b, "\\\"", 2); break;
		case '\\': canon_put(b, "\\\\", 2); break;
		case '\b': canon_put(b, "\\b", 2); break;
		case '\f': canon_put(b, "\\f", 2); break;
		case '\n': canon_put(b, "\\n", 2); break;
		case '\r': canon_put(b, "\\r", 2); break;
		case '\t': canon_put(b, "\\t", 2); break;
		default:
			if (*p < 0x20) {
				snprintf(esc, sizeof esc, "\\u%04x", *p);
				canon_put(b, esc, 6);
			} else {
				canon_put(b, (const char *)p, 1);
			}
		}
	}
	canon_put(b, "\"", 1);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static void canon_value(canon *b, const cJSON *v, int depth)
{
	if (b->failed)
		return;
	if (depth > JSON_MAX_DEPTH) {
		b->failed = 1;
		return;
	}
	if (cJSON_IsString(v)) {
		canon_string(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d != (double)(long long)d || d > 9007199254740992.0 || d < -9007199254740992.0) {
			b->failed = 1;
			return;
		}
		char num[32];
		snprintf(num, sizeof num, "%lld", (long long)d);
		canon_put(b, num, strlen(num));
	} else if (cJSON_IsBool(v)) {
		canon_put(b, cJSON_IsTrue(v) ? "true" : "false", cJSON_IsTrue(v) ? 4 : 5);
	} else if (cJSON_IsNull(v)) {
		canon_put(b, "null", 4);
	} else if (cJSON_IsArray(v)) {
		canon_put(b, "[", 1);
		const cJSON *it;
		int first = 1;
		cJSON_ArrayForEach(it, v)
		{
			if (!first)
				canon_put(b, ",", 1);
			first = 0;
			canon_value(b, it, depth + 1);
		}
		canon_put(b, "]", 1);
	} else if (cJSON_IsObject(v)) {
		int n = cJSON_GetArraySize(v);
		const cJSON **kids = calloc((size_t)(n ? n : 1), sizeof *kids);
		if (!kids) {
			b->failed = 1;
			return;
		}
		int k = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, v)
			kids[k++] = it;
		qsort(kids, (size_t)k, sizeof *kids, key_cmp);
		canon_put(b, "{", 1);
		for (int i = 0; i < k; i++) {
			if (i)
				canon_put(b, ",", 1);
			canon_string(b, kids[i]->string);
			canon_put(b, ":", 1);
			canon_value(b, kids[i], depth + 1);
		}
		canon_put(b, "}", 1);
		free(kids);
	} else {
		b->failed = 1;
	}
}

char *certificates_canonical(const cJSON *v)
{
	canon b = { 0 };
	canon_value(&b, v, 0);
	if (b.failed || !b.buf) {
		free(b.buf);
		return NULL;
	}
	return b.buf;
}

/* --- the signing key --------------------------------------------------------------- */

typedef struct signing_key {
	int loaded;
	char *priv_pem;   /* secret: wiped at exit */
	char *pub_pem;
	char key_id[KEY_ID_LEN + 1];
} signing_key;

static signing_key skey;
static pthread_mutex_t skey_mu = PTHREAD_MUTEX_INITIALIZER;

static void key_id_of(const char *pub_pem, char out[KEY_ID_LEN + 1])
{
	char hex[CRYPTO_SHA256_HEX_LEN + 1];
	crypto_sha256_hex(pub_pem, strlen(pub_pem), hex);
	memcpy(out, hex, KEY_ID_LEN);
	out[KEY_ID_LEN] = 0;
}

static void key_wipe(void)
{
	pthread_mutex_lock(&skey_mu);
	if (skey.priv_pem) {
		crypto_wipe(skey.priv_pem, strlen(skey.priv_pem));
		free(skey.priv_pem);
	}
	free(skey.pub_pem);
	memset(&skey, 0, sizeof skey);
	pthread_mutex_unlock(&skey_mu);
}

/* The stored form: {"alg":"Ed25519","key_id":…,"public_key_pem":…,"private_key_sealed":base64(iv‖ct‖tag)}
 * with the key_id as additional data, so a sealed key cannot be passed off under another id. */
static char *key_new_setting(const unsigned char *mk)
{
	char *priv = NULL, *pub = NULL, *b64 = NULL, *out = NULL;
	unsigned char *sealed = NULL;
	if (crypto_ed25519_generate(&priv, &pub) < 0)
		return NULL;
	char kid[KEY_ID_LEN + 1], aad[80];
	key_id_of(pub, kid);
	snprintf(aad, sizeof aad, KEY_AAD_PREFIX "%s", kid);
	size_t n = strlen(priv);
	sealed = malloc(n + CRYPTO_SEAL_OVERHEAD);
	if (!sealed || crypto_seal(mk, aad, strlen(aad), priv, n, sealed) < 0)
		goto out;
	b64 = crypto_base64(sealed, n + CRYPTO_SEAL_OVERHEAD);
	if (!b64)
		goto out;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "alg", "Ed25519");
	cJSON_AddStringToObject(o, "key_id", kid);
	cJSON_AddStringToObject(o, "public_key_pem", pub);
	cJSON_AddStringToObject(o, "private_key_sealed", b64);
	char at[32];
	clock_fmt(clock_now(), at);
	cJSON_AddStringToObject(o, "created_at", at);
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
out:
	crypto_wipe(priv, n);
	free(priv);
	free(pub);
	free(sealed);
	free(b64);
	return out;
}

/* Opens the stored setting into skey; -1 when it does not hold together. */
static int key_open_setting(const char *text, const unsigned char *mk)
{
	int rc = -1;
	unsigned char *sealed = NULL, *plain = NULL;
	char *derived = NULL;
	size_t slen = 0;
	cJSON *o = cJSON_Parse(text);
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(o, "key_id");
	const cJSON *pub = cJSON_GetObjectItemCaseSensitive(o, "public_key_pem");
	const cJSON *sl = cJSON_GetObjectItemCaseSensitive(o, "private_key_sealed");
	if (!cJSON_IsString(kid) || !cJSON_IsString(pub) || !cJSON_IsString(sl))
		goto out;
	char want[KEY_ID_LEN + 1], aad[80];
	key_id_of(pub->valuestring, want);
	if (strcmp(want, kid->valuestring))
		goto out;
	sealed = crypto_unbase64(sl->valuestring, strlen(sl->valuestring), &slen);
	if (!sealed || slen <= CRYPTO_SEAL_OVERHEAD)
		goto out;
	size_t plen = slen - CRYPTO_SEAL_OVERHEAD;
	plain = malloc(plen + 1);
	snprintf(aad, sizeof aad, KEY_AAD_PREFIX "%s", want);
	if (!plain || crypto_open(mk, aad, strlen(aad), sealed, slen, plain) < 0)
		goto out;
	plain[plen] = 0;
	/* The private key must be the public key's. */
	derived = crypto_ed25519_public_pem((const char *)plain);
	if (!derived || strcmp(derived, pub->valuestring))
		goto out;
	skey.priv_pem = (char *)plain;
	skey.pub_pem = strdup(pub->valuestring);
	if (!skey.pub_pem) {
		skey.priv_pem = NULL;
		goto out;
	}
	plain = NULL;
	memcpy(skey.key_id, want, sizeof skey.key_id);
	skey.loaded = 1;
	rc = 0;
out:
	if (plain) {
		crypto_wipe(plain, slen - CRYPTO_SEAL_OVERHEAD);
		free(plain);
	}
	free(sealed);
	free(derived);
	cJSON_Delete(o);
	return rc;
}

typedef struct key_job {
	const unsigned char *mk;
	char *setting;  /* the committed setting text */
	int rc;
} key_job;

static int key_tx(db_conn *c, void *arg)
{
	key_job *j = arg;
	free(j->setting);
	j->setting = NULL;
	db_res *r;
	int rc = db_query(c, "SELECT value FROM settings WHERE name = ?", DBP(DBS(KEY_SETTING)), &r);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		db_res_free(r);
		char *fresh = key_new_setting(j->mk);
		if (!fresh)
			return DB_ERROR;
		/* Two instances racing: the first insert wins, both then read the winner. */
		rc = db_exec(c, "INSERT IGNORE INTO settings (name, value) VALUES (?, ?)", DBP(DBS(KEY_SETTING), DBS(fresh)),
		             NULL, NULL);
		free(fresh);
		if (rc)
			return rc;
		rc = db_query(c, "SELECT value FROM settings WHERE name = ?", DBP(DBS(KEY_SETTING)), &r);
		if (rc)
			return rc;
	}
	if (r->nrows == 1)
		j->setting = strdup(db_val(r, 0, 0));
	db_res_free(r);
	return j->setting ? 0 : DB_ERROR;
}

/* On its own thread, hence its own connection: the key commits by itself, never as part of
 * (and never rolled back with) the transaction of whoever first needed it. */
static void *key_thread(void *arg)
{
	key_job *j = arg;
	j->rc = db_tx(key_tx, j);
	db_release();
	return NULL;
}

/* Loads (making it on first use) the signing key into skey. 0, or a DB_ code. */
static int key_ensure(void)
{
	pthread_mutex_lock(&skey_mu);
	if (skey.loaded) {
		pthread_mutex_unlock(&skey_mu);
		return 0;
	}
	const unsigned char *mk = config_master_key();
	if (!mk) {
		pthread_mutex_unlock(&skey_mu);
		log_kv(LOG_ERROR, "the registry signing key needs the master key", NULL);
		return DB_ERROR;
	}
	key_job j = { mk, NULL, DB_ERROR };
	pthread_t t;
	if (pthread_create(&t, NULL, key_thread, &j) != 0) {
		pthread_mutex_unlock(&skey_mu);
		return DB_ERROR;
	}
	pthread_join(t, NULL);
	int rc = j.rc;
	if (rc == 0 && key_open_setting(j.setting, mk) < 0) {
		log_kv(LOG_ERROR, "the stored registry signing key does not open with this master key", NULL);
		rc = DB_ERROR;
	}
	free(j.setting);
	if (rc == 0) {
		static int registered;
		if (!registered++)
			atexit(key_wipe);
	}
	pthread_mutex_unlock(&skey_mu);
	return rc;
}

/* --- issuing ----------------------------------------------------------------------- */

static const struct {
	const char *form, *form_name, *title;
} forms[] = {
	{ "social_group", "社会团体", "社会团体法人登记证书" },
	{ "social_service_institution", "社会服务机构", "社会服务机构登记证书" },
	{ "foundation", "基金会", "基金会法人登记证书" },
};

/* The registration authority: the civil-affairs department of the organization's region
 * (a province's is a 厅, every other a 局). */
static void authority_of(const char *region_code, char *out, size_t len)
{
	const region *r = region_find(region_code);
	if (!r) {
		snprintf(out, len, "民政部门");
		return;
	}
	const char *name = region_name(r);
	size_t n = strlen(name);
	int ting = region_level(r) == REGION_PROVINCE &&
	           ((n >= 3 && !strcmp(name + n - 3, "省")) || (n >= 9 && !strcmp(name + n - 9, "自治区")));
	snprintf(out, len, "%s%s", name, ting ? "民政厅" : "民政局");
}

int certificates_issue(db_conn *c, const char *uscc, const auth_user *who)
{
	int rc = key_ensure();
	if (rc)
		return rc;
	db_res *r = NULL;
	char *canonical = NULL, *sig_b64 = NULL;
	cJSON *cert = NULL, *summary = NULL;
	rc = db_query(c,
	              "SELECT name, legal_form, category, region_code, domicile, business_scope, legal_rep_name, "
	              "registered_at, status, activity_area, funds_fen FROM orgs WHERE uscc = ? FOR UPDATE",
	              DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1 || strcmp(db_val(r, 0, 8), "registered")) {
		rc = DB_ERROR;
		goto out;
	}
	db_res *cnt;
	rc = db_query(c, "SELECT COUNT(*) FROM certificates WHERE uscc = ?", DBP(DBS(uscc)), &cnt);
	if (rc)
		goto out;
	long long serial = db_int(cnt, 0, 0) + 1;
	db_res_free(cnt);

	usec_t now = clock_now();
	char now_rfc[32], now_db[32], today[16], no[40], org_id[40], authority[160];
	clock_fmt(now, now_rfc);
	clock_fmt_db(now, now_db);
	clock_fmt_date(clock_local_day(now), today);
	snprintf(no, sizeof no, "%s-%lld", uscc, serial);
	snprintf(org_id, sizeof org_id, "CN-USCI-%s", uscc);
	authority_of(db_val(r, 0, 3), authority, sizeof authority);
	const char *form = db_val(r, 0, 1), *form_name = form, *title = "登记证书";
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
		if (!strcmp(forms[i].form, form)) {
			form_name = forms[i].form_name;
			title = forms[i].title;
		}

	cert = cJSON_CreateObject();
	cJSON_AddStringToObject(cert, "format", CERT_FORMAT);
	cJSON_AddStringToObject(cert, "title", title);
	cJSON_AddStringToObject(cert, "certificate_no", no);
	cJSON_AddStringToObject(cert, "uscc", uscc);
	cJSON_AddStringToObject(cert, "org_id", org_id);
	cJSON_AddStringToObject(cert, "name", db_val(r, 0, 0));
	cJSON_AddStringToObject(cert, "legal_form", form);
	cJSON_AddStringToObject(cert, "legal_form_name", form_name);
	if (db_val(r, 0, 2))
		cJSON_AddStringToObject(cert, "category", db_val(r, 0, 2));
	cJSON_AddStringToObject(cert, "region_code", db_val(r, 0, 3));
	cJSON_AddStringToObject(cert, "domicile", db_val(r, 0, 4));
	cJSON_AddStringToObject(cert, "business_scope", db_val(r, 0, 5));
	/* As the paper certificate prints them: 活动地域, 注册资金. */
	if (db_val(r, 0, 9))
		cJSON_AddStringToObject(cert, "activity_area", db_val(r, 0, 9));
	if (db_val(r, 0, 10))
		cJSON_AddNumberToObject(cert, "funds_fen", (double)db_int(r, 0, 10));
	cJSON_AddStringToObject(cert, "legal_representative_name", db_val(r, 0, 6));
	cJSON_AddStringToObject(cert, "registered_at", db_val(r, 0, 7));
	cJSON_AddStringToObject(cert, "issue_date", today);
	cJSON_AddStringToObject(cert, "issued_at", now_rfc);
	cJSON_AddStringToObject(cert, "authority", authority);
	/* The registration authority: the reviewer's name or login is not the public's business. */
	cJSON_AddStringToObject(cert, "registrar", authority);
	cJSON_AddStringToObject(cert, "key_id", skey.key_id);

	canonical = certificates_canonical(cert);
	unsigned char sig[CRYPTO_ED25519_SIG_LEN];
	if (!canonical || crypto_ed25519_sign(skey.priv_pem, canonical, strlen(canonical), sig) < 0) {
		rc = DB_ERROR;
		goto out;
	}
	sig_b64 = crypto_base64(sig, sizeof sig);
	if (!sig_b64) {
		rc = DB_ERROR;
		goto out;
	}
	rc = db_exec(c, "UPDATE certificates SET superseded_at = ? WHERE uscc = ? AND superseded_at IS NULL",
	             DBP(DBS(now_db), DBS(uscc)), NULL, NULL);
	if (rc)
		goto out;
	rc = db_exec(c, "INSERT INTO certificates (uscc, payload, signature, key_id, issued_at) VALUES (?, ?, ?, ?, ?)",
	             DBP(DBS(uscc), DBS(canonical), DBS(sig_b64), DBS(skey.key_id), DBS(now_db)), NULL, NULL);
	if (rc)
		goto out;
	char digest[CRYPTO_SHA256_HEX_LEN + 1];
	crypto_sha256_hex(canonical, strlen(canonical), digest);
	summary = cJSON_CreateObject();
	cJSON_AddStringToObject(summary, "certificate_no", no);
	cJSON_AddStringToObject(summary, "key_id", skey.key_id);
	cJSON_AddStringToObject(summary, "sha256", digest);
	rc = audit_append(c, who, "certificate.issue", "org", uscc, summary);
out:
	db_res_free(r);
	cJSON_Delete(cert);
	cJSON_Delete(summary);
	free(canonical);
	free(sig_b64);
	return rc;
}

/* --- handlers --------------------------------------------------------------------- */

/* The latest certificate of an organization, as {certificate, signature, key_id, status, …};
 * answers 404 itself and returns NULL when there is none. status: "current", or "revoked" once
 * the organization is deregistered (its certificate is withdrawn, 缴销). */
static cJSON *latest_certificate(http_req *req, db_conn *c, const char *uscc)
{
	db_res *r;
	int rc = db_query(c,
	                  "SELECT o.status, c.payload, c.signature, c.key_id, c.issued_at FROM orgs o LEFT JOIN "
	                  "certificates c ON c.id = (SELECT MAX(id) FROM certificates WHERE uscc = o.uscc) WHERE o.uscc = ?",
	                  DBP(DBS(uscc)), &r);
	if (rc) {
		http_problem_db(req, rc);
		return NULL;
	}
	if (r->nrows != 1) {
		db_res_free(r);
		http_problem(req, 404, "not_found", "there is no organization with this code");
		return NULL;
	}
	cJSON *cert = db_val(r, 0, 1) ? cJSON_Parse(db_val(r, 0, 1)) : NULL;
	if (!cert) {
		db_res_free(r);
		http_problem(req, 404, "no_certificate", "no electronic certificate has been issued to this organization");
		return NULL;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "certificate", cert);
	cJSON_AddStringToObject(o, "signature", db_val(r, 0, 2));
	cJSON_AddStringToObject(o, "key_id", db_val(r, 0, 3));
	cJSON_AddStringToObject(o, "algorithm", "Ed25519");
	cJSON_AddStringToObject(o, "status", strcmp(db_val(r, 0, 0), "registered") ? "revoked" : "current");
	api_add_time(o, "issued_at", db_val(r, 0, 4));
	db_res_free(r);
	return o;
}

void certificates_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc(req, uscc) < 0)
		return;
	db_conn *c = api_db(req);
	if (!c)
		return;
	cJSON *o = latest_certificate(req, c, uscc);
	if (o)
		http_reply_data(req, 200, o, 0);
}

typedef struct reissue_tx {
	http_req *req;
	const char *uscc;
	const char *reason;
} reissue_tx;

static int reissue_run(db_conn *c, void *arg)
{
	reissue_tx *t = arg;
	db_res *r;
	int rc = db_query(c, "SELECT status FROM orgs WHERE uscc = ? FOR UPDATE", DBP(DBS(t->uscc)), &r);
	if (rc)
		return rc;
	int found = r->nrows == 1, registered = found && !strcmp(db_val(r, 0, 0), "registered");
	db_res_free(r);
	if (!found) {
		http_problem(t->req, 404, "not_found", "there is no organization with this code");
		return DB_APP;
	}
	if (!registered) {
		http_problem(t->req, 409, "org_deregistered", "a deregistered organization gets no certificate");
		return DB_APP;
	}
	rc = certificates_issue(c, t->uscc, &t->req->user);
	if (rc)
		return rc;
	if (t->reason) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "reason", t->reason);
		rc = audit_append(c, &t->req->user, "certificate.reissue", "org", t->uscc, s);
		cJSON_Delete(s);
	}
	return rc;
}

/* Issues a fresh certificate: for organizations imported from before this system, after a
 * correction, or to replace a lost one. The previous one is marked superseded. */
void certificates_reissue(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc(req, uscc) < 0)
		return;
	verr v = { 0 };
	reissue_tx t = { req, uscc, NULL };
	if (req->json) {
		static const char *const allowed[] = { "reason", NULL };
		json_get_str(req->json, "reason", &t.reason, &v, "reason", JSON_OPTIONAL, 0, 500);
		json_only_fields(req->json, allowed, &v, NULL);
	}
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the request is not valid", &v);
		return;
	}
	int rc = db_tx(reissue_run, &t);
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	db_conn *c = api_db(req);
	if (!c)
		return;
	cJSON *o = latest_certificate(req, c, uscc);
	if (o)
		http_reply_data(req, 201, o, 0);
}

void certificates_verify(http_req *req)
{
	verr v = { 0 };
	const cJSON *cert = NULL;
	const char *sig_b64 = NULL, *key_id = NULL;
	json_get_object(req->json, "certificate", &cert, &v, "certificate", JSON_REQUIRED);
	json_get_str(req->json, "signature", &sig_b64, &v, "signature", JSON_REQUIRED, 1, 200);
	json_get_str(req->json, "key_id", &key_id, &v, "key_id", JSON_REQUIRED, 1, 64);
	unsigned char *sig = NULL;
	size_t siglen = 0;
	if (sig_b64) {
		sig = crypto_unbase64(sig_b64, strlen(sig_b64), &siglen);
		if (!sig || siglen != CRYPTO_ED25519_SIG_LEN)
			verr_add(&v, "signature", "invalid_signature", "signature must be the base64 of a 64-byte Ed25519 signature");
	}
	if (v.count) {
		free(sig);
		http_problem_fields(req, 422, "validation_failed", "this is not a signed certificate", &v);
		return;
	}
	int rc = key_ensure();
	if (rc) {
		free(sig);
		http_problem_db(req, rc);
		return;
	}
	cJSON *out = cJSON_CreateObject();
	const char *reason = NULL;
	char *canonical = certificates_canonical(cert);
	const cJSON *inner_kid = cJSON_GetObjectItemCaseSensitive(cert, "key_id");
	if (strcmp(key_id, skey.key_id))
		reason = "unknown_key";
	else if (!cJSON_IsString(inner_kid) || strcmp(inner_kid->valuestring, key_id))
		reason = "key_id_mismatch";
	else if (!canonical)
		reason = "not_canonical";
	else if (crypto_ed25519_verify(skey.pub_pem, canonical, strlen(canonical), sig, siglen) != 1)
		reason = "signature_mismatch";
	free(sig);
	/* valid: signed by this registry and still the organization's certificate. An authentic
	 * certificate that was replaced (superseded) or whose organization was deregistered (revoked)
	 * is no longer valid; signature_valid and status say which part failed. */
	cJSON_AddBoolToObject(out, "valid", 0);
	cJSON_AddBoolToObject(out, "signature_valid", reason == NULL);
	cJSON_AddStringToObject(out, "key_id", skey.key_id);
	if (reason) {
		json_add_str_or_null(out, "reason", reason);
		free(canonical);
		http_reply_data(req, 200, out, 0);
		return;
	}
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(cert, "uscc");
	const char *status = "unknown";
	db_conn *c = db_get();
	if (!c) {
		free(canonical);
		cJSON_Delete(out);
		http_problem_db(req, DB_DOWN);
		return;
	}
	db_res *r;
	rc = db_query(c,
	              "SELECT c.superseded_at IS NULL, o.status FROM certificates c JOIN orgs o ON o.uscc = c.uscc "
	              "WHERE c.uscc = ? AND c.payload = ? ORDER BY c.id DESC LIMIT 1",
	              DBP(DBS(cJSON_IsString(u) ? u->valuestring : ""), DBS(canonical)), &r);
	free(canonical);
	if (rc) {
		cJSON_Delete(out);
		http_problem_db(req, rc);
		return;
	}
	if (r->nrows == 1)
		status = strcmp(db_val(r, 0, 1), "registered") ? "revoked" : db_int(r, 0, 0) ? "current" : "superseded";
	db_res_free(r);
	int current = !strcmp(status, "current");
	cJSON_ReplaceItemInObjectCaseSensitive(out, "valid", cJSON_CreateBool(current));
	json_add_str_or_null(out, "reason", current ? NULL : status);
	cJSON_AddStringToObject(out, "status", status);
	http_reply_data(req, 200, out, 0);
}

void certificates_public_key(http_req *req)
{
	int rc = key_ensure();
	if (rc) {
		http_problem_db(req, rc);
		return;
	}
	const char *accept = http_header(req, "Accept");
	if (accept && strstr(accept, "application/json")) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key_id", skey.key_id);
		cJSON_AddStringToObject(o, "algorithm", "Ed25519");
		cJSON_AddStringToObject(o, "public_key_pem", skey.pub_pem);
		http_reply_data(req, 200, o, 0);
		return;
	}
	char hdr[128];
	snprintf(hdr, sizeof hdr, "Key-Id: %s\r\nCache-Control: public, max-age=300\r\n", skey.key_id);
	http_reply_raw(req, 200, "application/x-pem-file", skey.pub_pem, strlen(skey.pub_pem), hdr);
}
