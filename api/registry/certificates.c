/* certificates.c — signed registration certificates: the canonical form they are signed in,
 * issuing one, and the public routes that show and verify them (see certificates.h; the key
 * itself is registry_key.c). */
#include "certificates.h"
#include "buf.h"
#include "feed.h"
#include "org_row.h"
#include "orgs.h"
#include "region.h"
#include "registry_key.h"
#include "tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void certificates_authority(const char *region_code, char *out, size_t len)
{
	authority_of(region_code, out, len);
}

/* The certificate of org, numbered serial, issued now (not yet signed). */
static cJSON *certificate_build(const org_row *org, long long serial, usec_t now)
{
	char now_rfc[32], today[16], no[40], org_id[40], authority[160];
	clock_fmt(now, now_rfc);
	clock_fmt_date(clock_local_day(now), today);
	snprintf(no, sizeof no, "%s-%lld", org->uscc, serial);
	snprintf(org_id, sizeof org_id, "CN-USCI-%s", org->uscc);
	authority_of(org->region_code, authority, sizeof authority);
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

#define LATEST_COLUMNS "o.status, c.payload, c.signature, c.key_id, c.issued_at"
enum latest_col { LC_ORG_STATUS, LC_PAYLOAD, LC_SIGNATURE, LC_KEY_ID, LC_ISSUED };

/* Answers (with status) the latest certificate of an organization, as {certificate, signature,
 * key_id, algorithm, status, issued_at}; status is "current", or "revoked" once the organization
 * is deregistered. Refuses 404 when there is no such organization or no certificate. */
static int latest_answer(tx *t, const char *uscc, int status)
{
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
	int registered = org_status_of(db_val(r, 0, LC_ORG_STATUS)) == ORG_REGISTERED;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "certificate", cert);
	cJSON_AddStringToObject(o, "signature", db_val(r, 0, LC_SIGNATURE));
	cJSON_AddStringToObject(o, "key_id", db_val(r, 0, LC_KEY_ID));
	cJSON_AddStringToObject(o, "algorithm", "Ed25519");
	cJSON_AddStringToObject(o, "status", cert_status_names[registered ? CERT_CURRENT : CERT_REVOKED]);
	api_add_time(o, "issued_at", db_val(r, 0, LC_ISSUED));
	db_res_free(r);
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

/* --- verifying ---------------------------------------------------------------------- */

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

static void certificates_verify(http_req *req)
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
			verr_add(&v, "signature", "invalid_signature",
			         "signature must be the base64 of a 64-byte Ed25519 signature");
	}
	if (v.count) {
		free(sig);
		http_problem_fields(req, 422, "validation_failed", "this is not a signed certificate", &v);
		return;
	}
	if (api_rc_or_reply(req, registry_key_ensure()) < 0) {
		free(sig);
		return;
	}
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
	free(sig);
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
	{ NULL, NULL, NULL, 0, 0 },
};
