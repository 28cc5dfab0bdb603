/* certificates.c — signed registration certificates: the canonical form they are signed in,
 * issuing one, and the public routes that show and verify them (see certificates.h; the key
 * itself is registry_key.c). */
#include "certificates.h"
#include "buf.h"
#include "feed.h"
#include "org_row.h"
#include "orgs.h"
#include "registry_key.h"
#include "registry_rules.h"
#include "tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CANON_MAX (1u << 20)
#define CERT_FORMAT "sanzhi.certificate.v1"

/* --- canonical form ------------------------------------------------------------------ */

/* The text being written, and whether the value can have a canonical form at all. */
typedef struct canon {
	dynbuf out;
	int refused; /* a fraction, a huge number, too deep, or not JSON */
} canon;

static int key_cmp(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static void canon_value(canon *k, const cJSON *v, int depth)
{
	dynbuf *b = &k->out;
	if (k->refused || b->failed)
		return;
	if (depth > JSON_MAX_DEPTH) {
		k->refused = 1;
		return;
	}
	if (cJSON_IsString(v)) {
		buf_add_json_string(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d != (double)(long long)d || d > 9007199254740992.0 || d < -9007199254740992.0) {
			k->refused = 1;
			return;
		}
		buf_addf(b, "%lld", (long long)d);
	} else if (cJSON_IsBool(v)) {
		buf_adds(b, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsNull(v)) {
		buf_adds(b, "null");
	} else if (cJSON_IsArray(v)) {
		buf_adds(b, "[");
		const cJSON *it;
		int first = 1;
		cJSON_ArrayForEach(it, v) {
			if (!first)
				buf_adds(b, ",");
			first = 0;
			canon_value(k, it, depth + 1);
		}
		buf_adds(b, "]");
	} else if (cJSON_IsObject(v)) {
		int n = cJSON_GetArraySize(v);
		const cJSON **kids = calloc((size_t)(n ? n : 1), sizeof *kids);
		if (!kids) {
			k->refused = 1;
			return;
		}
		int m = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, v)
			kids[m++] = it;
		qsort(kids, (size_t)m, sizeof *kids, key_cmp);
		buf_adds(b, "{");
		for (int i = 0; i < m; i++) {
			if (i)
				buf_adds(b, ",");
			buf_add_json_string(b, kids[i]->string);
			buf_adds(b, ":");
			canon_value(k, kids[i], depth + 1);
		}
		buf_adds(b, "}");
		free(kids);
	} else {
		k->refused = 1;
	}
}

char *certificates_canonical(const cJSON *v)
{
	canon k = { .refused = 0 };
	/* The longest text the old fixed buffer took: a megabyte with its NUL. */
	buf_init(&k.out, CANON_MAX - 1);
	canon_value(&k, v, 0);
	char *text = buf_take(&k.out, NULL);
	if (k.refused) {
		free(text);
		return NULL;
	}
	return text;
}

/* --- issuing ----------------------------------------------------------------------- */

/* What each legal form's certificate is called. */
static const struct {
	const char *form_name, *title;
} forms[] = {
	[FORM_SOCIAL_GROUP] = { "社会团体", "社会团体法人登记证书" },
	[FORM_SOCIAL_SERVICE_INSTITUTION] = { "社会服务机构", "社会服务机构登记证书" },
	[FORM_FOUNDATION] = { "基金会", "基金会法人登记证书" },
};

/* The certificate of org, numbered serial, issued now (not yet signed). */
static cJSON *certificate_build(const org_row *org, long long serial, usec_t now)
{
	char now_rfc[32], today[16], no[40], org_id[40], authority[160];
	clock_fmt(now, now_rfc);
	clock_fmt_date(clock_local_day(now), today);
	snprintf(no, sizeof no, "%s-%lld", org->uscc, serial);
	snprintf(org_id, sizeof org_id, "CN-USCI-%s", org->uscc);
	registry_authority(org->region_code, authority, sizeof authority);
	int known = (int)org->form >= 0 && (size_t)org->form < sizeof forms / sizeof forms[0];
	const char *form_name = known ? forms[org->form].form_name : org->legal_form;
	const char *title = known ? forms[org->form].title : "登记证书";

	cJSON *cert = cJSON_CreateObject();
	cJSON_AddStringToObject(cert, "format", CERT_FORMAT);
	cJSON_AddStringToObject(cert, "title", title);
	cJSON_AddStringToObject(cert, "certificate_no", no);
	cJSON_AddStringToObject(cert, "uscc", org->uscc);
	cJSON_AddStringToObject(cert, "org_id", org_id);
	cJSON_AddStringToObject(cert, "name", org->name);
	cJSON_AddStringToObject(cert, "legal_form", org->legal_form);
	cJSON_AddStringToObject(cert, "legal_form_name", form_name);
	if (org->category)
		cJSON_AddStringToObject(cert, "category", org->category);
	cJSON_AddStringToObject(cert, "region_code", org->region_code);
	cJSON_AddStringToObject(cert, "domicile", org->domicile);
	cJSON_AddStringToObject(cert, "business_scope", org->business_scope);
	/* As the paper certificate prints them: 活动地域, 注册资金. */
	if (org->activity_area)
		cJSON_AddStringToObject(cert, "activity_area", org->activity_area);
	if (org->has_funds)
		cJSON_AddNumberToObject(cert, "funds_fen", (double)org->funds_fen);
	cJSON_AddStringToObject(cert, "legal_representative_name", org->legal_rep_name);
	cJSON_AddStringToObject(cert, "registered_at", org->registered_at);
	cJSON_AddStringToObject(cert, "issue_date", today);
	cJSON_AddStringToObject(cert, "issued_at", now_rfc);
	cJSON_AddStringToObject(cert, "authority", authority);
	/* The registration authority: the reviewer's name or login is not the public's business. */
	cJSON_AddStringToObject(cert, "registrar", authority);
	cJSON_AddStringToObject(cert, "key_id", registry_key_id());
	return cert;
}

int certificates_issue(db_conn *c, const char *uscc, const auth_user *who)
{
	int rc = registry_key_ensure();
	if (rc)
		return rc;
	org_row org;
	char *canonical = NULL, *sig_b64 = NULL;
	cJSON *cert = NULL, *summary = NULL;
	rc = org_row_get(c, uscc, 1, &org);
	if (rc <= 0)
		return rc ? rc : DB_ERROR;
	if (org.status != ORG_REGISTERED) {
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
	char now_db[32];
	clock_fmt_db(now, now_db);
	cert = certificate_build(&org, serial, now);
	canonical = certificates_canonical(cert);
	unsigned char sig[CRYPTO_ED25519_SIG_LEN];
	if (!canonical || registry_key_sign(canonical, strlen(canonical), sig) < 0) {
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
	             DBP(DBS(uscc), DBS(canonical), DBS(sig_b64), DBS(registry_key_id()), DBS(now_db)), NULL, NULL);
	if (rc)
		goto out;
	char digest[CRYPTO_SHA256_HEX_LEN + 1];
	crypto_sha256_hex(canonical, strlen(canonical), digest);
	summary = cJSON_CreateObject();
	cJSON_AddStringToObject(summary, "certificate_no",
	                        cJSON_GetObjectItemCaseSensitive(cert, "certificate_no")->valuestring);
	cJSON_AddStringToObject(summary, "key_id", registry_key_id());
	cJSON_AddStringToObject(summary, "sha256", digest);
	rc = audit_append(c, who, "certificate.issue", "org", uscc, summary);
out:
	org_row_free(&org);
	cJSON_Delete(cert);
	cJSON_Delete(summary);
	free(canonical);
	free(sig_b64);
	return rc;
}

/* --- showing ---------------------------------------------------------------------- */

/* A certificate's standing: the organization's current one, replaced by a later one, or
 * withdrawn (缴销) with the organization's deregistration. */
enum cert_status { CERT_CURRENT, CERT_SUPERSEDED, CERT_REVOKED, CERT_UNKNOWN };
static const char *const cert_status_names[] = { "current", "superseded", "revoked", "unknown" };

#define LATEST_COLUMNS "o.status, c.payload, c.signature, c.key_id, c.issued_at, c.id"
enum latest_col { LC_ORG_STATUS, LC_PAYLOAD, LC_SIGNATURE, LC_KEY_ID, LC_ISSUED, LC_ID };

int certificates_latest_or_refuse(tx *t, const char *uscc, cert_latest *out)
{
	memset(out, 0, sizeof *out);
	db_res *r;
	int rc = orgs_row_or_refuse(t,
	                            "SELECT " LATEST_COLUMNS " FROM orgs o LEFT JOIN certificates c ON c.id = "
	                            "(SELECT MAX(id) FROM certificates WHERE uscc = o.uscc) WHERE o.uscc = ?",
	                            uscc, &r);
	if (rc)
		return rc;
	cJSON *cert = db_val(r, 0, LC_PAYLOAD) ? cJSON_Parse(db_val(r, 0, LC_PAYLOAD)) : NULL;
	if (!cert) {
		db_res_free(r);
		return tx_refuse(t, 404, "no_certificate",
		                 "no electronic certificate has been issued to this organization");
	}
	out->r = r;
	out->cert = cert;
	out->payload = db_val(r, 0, LC_PAYLOAD);
	out->signature = db_val(r, 0, LC_SIGNATURE);
	out->key_id = db_val(r, 0, LC_KEY_ID);
	out->issued_at = db_val(r, 0, LC_ISSUED);
	out->id = db_int(r, 0, LC_ID);
	out->revoked = org_status_of(db_val(r, 0, LC_ORG_STATUS)) != ORG_REGISTERED;
	return 0;
}

void certificates_latest_free(cert_latest *l)
{
	db_res_free(l->r);
	cJSON_Delete(l->cert);
	memset(l, 0, sizeof *l);
}

/* Answers (with status) the latest certificate of an organization, as {certificate, signature,
 * key_id, algorithm, status, issued_at}; status is "current", or "revoked" once the organization
 * is deregistered. Refuses 404 when there is no such organization or no certificate. */
static int latest_answer(tx *t, const char *uscc, int status)
{
	cert_latest l;
	int rc = certificates_latest_or_refuse(t, uscc, &l);
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "certificate", l.cert);
	l.cert = NULL;
	cJSON_AddStringToObject(o, "signature", l.signature);
	cJSON_AddStringToObject(o, "key_id", l.key_id);
	cJSON_AddStringToObject(o, "algorithm", "Ed25519");
	cJSON_AddStringToObject(o, "status", cert_status_names[l.revoked ? CERT_REVOKED : CERT_CURRENT]);
	api_add_time(o, "issued_at", l.issued_at);
	certificates_latest_free(&l);
	tx_answer(t, status, o, 0);
	return 0;
}

static int latest(tx *t, void *arg)
{
	return latest_answer(t, arg, 200);
}

static void certificates_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	tx_read_or_reply(req, latest, uscc);
}

/* --- re-issuing ----------------------------------------------------------------------- */

typedef struct reissue_args {
	const char *uscc;
	const char *reason;
} reissue_args;

static int reissue(tx *t, void *arg)
{
	const reissue_args *a = arg;
	org_row org;
	int rc = orgs_lock_registered_or_refuse(t, a->uscc, &org, "org_deregistered",
	                                        "a deregistered organization gets no certificate");
	if (rc)
		return rc;
	org_row_free(&org);
	if ((rc = certificates_issue(t->c, a->uscc, t->user)) ||
	    (rc = feed_add(t->c, "org", a->uscc, "certificate", NULL)))
		return rc;
	if (a->reason) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "reason", a->reason);
		rc = audit_append(t->c, t->user, "certificate.reissue", "org", a->uscc, s);
		cJSON_Delete(s);
		if (rc)
			return rc;
	}
	return latest_answer(t, a->uscc, 201);
}

/* Issues a fresh certificate: for organizations imported from before this system, after a
 * correction, or to replace a lost one. The previous one is marked superseded. */
static void certificates_reissue(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	verr v = { 0 };
	reissue_args a = { uscc, NULL };
	if (req->json) {
		static const char *const allowed[] = { "reason", NULL };
		json_get_str(req->json, "reason", &a.reason, &v, "reason", JSON_OPTIONAL, 0, 500);
		json_only_fields(req->json, allowed, &v, NULL);
	}
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the request is not valid", &v);
		return;
	}
	tx_run_or_reply(req, reissue, &a);
}

/* --- standing ---------------------------------------------------------------------- */

/* The standing of a certificate whose signature is this registry's: found by its exact text. */
static int standing(db_conn *c, const cJSON *cert, const char *canonical, enum cert_status *out)
{
	const char *uscc = json_str_member(cert, "uscc");
	db_res *r;
	int rc = db_query(c,
	                  "SELECT c.superseded_at IS NULL, o.status FROM certificates c JOIN orgs o ON o.uscc = c.uscc "
	                  "WHERE c.uscc = ? AND c.payload = ? ORDER BY c.id DESC LIMIT 1",
	                  DBP(DBS(uscc ? uscc : ""), DBS(canonical)), &r);
	if (rc)
		return rc;
	*out = CERT_UNKNOWN;
	if (r->nrows == 1)
		*out = org_status_of(db_val(r, 0, 1)) != ORG_REGISTERED ? CERT_REVOKED
		       : db_int(r, 0, 0)                                ? CERT_CURRENT
		                                                        : CERT_SUPERSEDED;
	db_res_free(r);
	return 0;
}

/* --- the compact form (QR codes) --------------------------------------------------- */

#define QR_PREFIX "SZC1."
#define QR_TEXT_MAX 8000          /* far more than a QR code holds */
#define QR_CANON_MAX (256u << 10) /* what one inflates to at most */

char *certificates_qr(const char *canonical, const char *sig_b64)
{
	size_t siglen = 0, n = strlen(canonical);
	unsigned char *sig = crypto_unbase64(sig_b64, strlen(sig_b64), &siglen);
	uLongf zlen = compressBound((uLong)n);
	unsigned char *z = malloc(zlen);
	char *out = NULL;
	if (!sig || siglen != CRYPTO_ED25519_SIG_LEN || !z ||
	    compress2(z, &zlen, (const unsigned char *)canonical, (uLong)n, Z_BEST_COMPRESSION) != Z_OK)
		goto out;
	size_t cap = sizeof QR_PREFIX + (zlen + 2) / 3 * 4 + 1 + (siglen + 2) / 3 * 4 + 1;
	if (!(out = malloc(cap)))
		goto out;
	memcpy(out, QR_PREFIX, sizeof QR_PREFIX - 1);
	char *p = out + sizeof QR_PREFIX - 1;
	crypto_base64url(z, zlen, p);
	p += strlen(p);
	*p++ = '.';
	crypto_base64url(sig, siglen, p);
out:
	free(sig);
	free(z);
	return out;
}

/* base64url without padding, n characters of s, into a malloc'd buffer; NULL when malformed. */
static unsigned char *unbase64url(const char *s, size_t n, size_t *outlen)
{
	if (n % 4 == 1 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < n)
		return NULL;
	char *std = malloc(n + 3);
	if (!std)
		return NULL;
	size_t k = 0;
	for (; k < n; k++)
		std[k] = s[k] == '-' ? '+' : s[k] == '_' ? '/' : s[k];
	while (k % 4)
		std[k++] = '=';
	unsigned char *out = crypto_unbase64(std, k, outlen);
	free(std);
	return out;
}

/* The certificate and signature a QR string holds: 0, or -1 when it is not one in this form. */
static int qr_decode(const char *qr, cJSON **cert, unsigned char sig[CRYPTO_ED25519_SIG_LEN])
{
	*cert = NULL;
	size_t plen = sizeof QR_PREFIX - 1;
	if (strncmp(qr, QR_PREFIX, plen))
		return -1;
	const char *body = qr + plen, *dot = strchr(body, '.');
	if (!dot || strchr(dot + 1, '.'))
		return -1;
	size_t zlen = 0, siglen = 0;
	unsigned char *z = unbase64url(body, (size_t)(dot - body), &zlen);
	unsigned char *s = unbase64url(dot + 1, strlen(dot + 1), &siglen);
	unsigned char *text = malloc(QR_CANON_MAX + 1);
	uLongf tlen = QR_CANON_MAX;
	int rc = -1;
	if (z && s && text && siglen == CRYPTO_ED25519_SIG_LEN && zlen &&
	    uncompress(text, &tlen, z, (uLong)zlen) == Z_OK && json_utf8_valid((const char *)text, tlen)) {
		text[tlen] = 0;
		const char *why = NULL;
		*cert = json_parse((const char *)text, tlen, &why);
		if (cJSON_IsObject(*cert)) {
			memcpy(sig, s, siglen);
			rc = 0;
		} else {
			cJSON_Delete(*cert);
			*cert = NULL;
		}
	}
	free(z);
	free(s);
	free(text);
	return rc;
}

/* --- verifying ---------------------------------------------------------------------- */

/* The verdict on cert signed with sig under key_id: the signature, then whether it is still the
 * organization's certificate. */
static void verdict_reply(http_req *req, const cJSON *cert, const unsigned char *sig, size_t siglen, const char *key_id)
{
	if (api_rc_or_reply(req, registry_key_ensure()) < 0)
		return;
	const char *reason = NULL;
	char *canonical = certificates_canonical(cert);
	const char *inner_kid = json_str_member(cert, "key_id");
	if (strcmp(key_id, registry_key_id()))
		reason = "unknown_key";
	else if (!inner_kid || strcmp(inner_kid, key_id))
		reason = "key_id_mismatch";
	else if (!canonical)
		reason = "not_canonical";
	else if (!registry_key_verify(canonical, strlen(canonical), sig, siglen))
		reason = "signature_mismatch";
	/* valid: signed by this registry and still the organization's certificate. An authentic
	 * certificate that was replaced (superseded) or whose organization was deregistered (revoked)
	 * is no longer valid; signature_valid and status say which part failed. */
	enum cert_status status = CERT_UNKNOWN;
	if (!reason) {
		db_conn *c = api_db_or_reply(req);
		if (!c || api_rc_or_reply(req, standing(c, cert, canonical, &status)) < 0) {
			free(canonical);
			return;
		}
	}
	free(canonical);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddBoolToObject(out, "valid", !reason && status == CERT_CURRENT);
	cJSON_AddBoolToObject(out, "signature_valid", reason == NULL);
	cJSON_AddStringToObject(out, "key_id", registry_key_id());
	if (reason) {
		cJSON_AddStringToObject(out, "reason", reason);
	} else {
		json_add_str_or_null(out, "reason", status == CERT_CURRENT ? NULL : cert_status_names[status]);
		cJSON_AddStringToObject(out, "status", cert_status_names[status]);
	}
	http_reply_data(req, 200, out, 0);
}

/* {"qr": "<the string of the certificate's QR code>"}: the same verdict as the JSON form. */
static void verify_qr(http_req *req)
{
	verr v = { 0 };
	const char *qr = NULL;
	static const char *const allowed[] = { "qr", NULL };
	json_only_fields(req->json, allowed, &v, NULL);
	cJSON *cert = NULL;
	unsigned char sig[CRYPTO_ED25519_SIG_LEN];
	if (json_get_str(req->json, "qr", &qr, &v, "qr", JSON_REQUIRED, 1, QR_TEXT_MAX) == 1 && !v.count &&
	    qr_decode(qr, &cert, sig) < 0)
		verr_add(&v, "qr", "invalid_qr",
		         "qr must be the text of a certificate's QR code: " QR_PREFIX
		         "<base64url of the deflated certificate>.<base64url of its signature>");
	if (v.count) {
		cJSON_Delete(cert);
		http_problem_fields(req, 422, "validation_failed", "this is not the QR code of a signed certificate",
		                    &v);
		return;
	}
	const char *kid = json_str_member(cert, "key_id");
	verdict_reply(req, cert, sig, sizeof sig, kid ? kid : "");
	cJSON_Delete(cert);
}

static void certificates_verify(http_req *req)
{
	if (cJSON_GetObjectItemCaseSensitive(req->json, "qr")) {
		verify_qr(req);
		return;
	}
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
			verr_add(&v, "signature", "invalid_signature",
			         "signature must be the base64 of a 64-byte Ed25519 signature");
	}
	if (v.count) {
		free(sig);
		http_problem_fields(req, 422, "validation_failed", "this is not a signed certificate", &v);
		return;
	}
	verdict_reply(req, cert, sig, siglen, key_id);
	free(sig);
}

/* --- status (for someone holding only the paper) ------------------------------------ */

static int status_tx(tx *t, void *arg)
{
	cert_latest l;
	int rc = certificates_latest_or_refuse(t, arg, &l);
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", cert_status_names[l.revoked ? CERT_REVOKED : CERT_CURRENT]);
	json_add_str_or_null(o, "certificate_no", json_str_member(l.cert, "certificate_no"));
	api_add_time(o, "issued_at", l.issued_at);
	certificates_latest_free(&l);
	tx_answer(t, 200, o, 0);
	return 0;
}

static void certificates_status(http_req *req)
{
	char q[64] = "", uscc[USCC_LEN + 1];
	int got = http_query(req, "uscc", q, sizeof q);
	const char *code = !strncmp(q, "CN-USCI-", 8) ? q + 8 : q;
	verr v = { 0 };
	if (got == 0 || (got == 1 && !*q))
		verr_add(&v, "uscc", "required",
		         "give the organization's 18-character unified social credit code as ?uscc=");
	else if (got < 0 || orgs_uscc_parse(code, uscc) < 0 || uscc_check(uscc, NULL, NULL) < 0)
		verr_add(&v, "uscc", "invalid_uscc", "uscc must be a valid 18-character unified social credit code");
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the code is not valid", &v);
		return;
	}
	tx_read_or_reply(req, status_tx, uscc);
}

static void certificates_public_key(http_req *req)
{
	if (api_rc_or_reply(req, registry_key_ensure()) < 0)
		return;
	const char *accept = http_header(req, "Accept");
	if (accept && strstr(accept, "application/json")) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key_id", registry_key_id());
		cJSON_AddStringToObject(o, "algorithm", "Ed25519");
		cJSON_AddStringToObject(o, "public_key_pem", registry_key_public_pem());
		http_reply_data(req, 200, o, 0);
		return;
	}
	char hdr[128];
	snprintf(hdr, sizeof hdr, "Key-Id: %s\r\nCache-Control: public, max-age=300\r\n", registry_key_id());
	const char *pem = registry_key_public_pem();
	http_reply_raw(req, 200, "application/x-pem-file", pem, strlen(pem), hdr);
}

/* --- routes ----------------------------------------------------------------------- */

const route certificates_routes[] = {
	{ "GET", "/api/v1/orgs/{uscc}/certificate", certificates_get, ROLES_PUBLIC, 0 },
	{ "POST", "/api/v1/orgs/{uscc}/certificate", certificates_reissue, ROLE_REGISTRAR, R_JSON_OPT | R_IDEMPOTENT },
	{ "POST", "/api/v1/certificates/verify", certificates_verify, ROLES_PUBLIC, R_JSON | R_BODY_KIB(64) },
	{ "GET", "/api/v1/certificates/public-key", certificates_public_key, ROLES_PUBLIC, 0 },
	{ "GET", "/api/v1/certificates/status", certificates_status, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
