/* certificate_pdf.c — the registration certificate on paper (SPEC Appendix C):
 * GET /api/v1/orgs/{uscc}/certificate.pdf (public), A4, the certificate's fields in Chinese and a
 * QR code holding the signed certificate itself in its compact form (certificates.h), so that the
 * paper verifies offline with the registry's public key. Rendered from the stored certificate:
 * the same certificate is always the same document. */
#include "certificate_pdf.h"
#include "certificates.h"
#include "orgs.h"
#include "pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_W 42.0 /* millimetres of the labels' column */
#define QR_SIZE 62.0 /* millimetres, quiet zone included */

typedef struct cert_doc {
	const cJSON *cert;
	const char *qr;
	int revoked;
} cert_doc;

static const char *str_of(const cJSON *c, const char *key)
{
	const char *s = json_str_member(c, key);
	return s ? s : "";
}

/* "2026-12-03" → "2026年12月3日". */
static void date_cn(const char *iso, char *out, size_t len)
{
	int y, m, d;
	if (sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3)
		snprintf(out, len, "%d年%d月%d日", y, m, d);
	else
		snprintf(out, len, "%s", iso);
}

/* 注册资金 as the paper certificate writes it: 3000000 fen → "人民币30000.00元". */
static void funds_cn(const cJSON *c, char *out, size_t len)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(c, "funds_fen");
	if (!cJSON_IsNumber(f)) {
		*out = 0;
		return;
	}
	long long fen = (long long)f->valuedouble;
	snprintf(out, len, "人民币%lld.%02lld元", fen / 100, (fen < 0 ? -fen : fen) % 100);
}

static int draw_certificate(pdf *p, void *arg)
{
	const cert_doc *d = arg;
	const cJSON *c = d->cert;
	pdf_gap(p, 6);
	pdf_text(p, PDF_FONT " Bold 24", PDF_CENTER, str_of(c, "title"));
	pdf_gap(p, 4);
	char no[96];
	snprintf(no, sizeof no, "证书编号：%s", str_of(c, "certificate_no"));
	pdf_text(p, PDF_SMALL, PDF_CENTER, no);
	if (d->revoked) {
		pdf_gap(p, 3);
		pdf_color(p, 0.78, 0.06, 0.06);
		pdf_text(p, PDF_HEADING, PDF_CENTER, "本证书已缴销（该社会组织已注销登记），不再有效");
		pdf_color(p, 0, 0, 0);
	}
	pdf_gap(p, 8);
	pdf_rule(p, 0.4);
	pdf_gap(p, 6);

	char registered[40], issued[40], funds[64];
	date_cn(str_of(c, "registered_at"), registered, sizeof registered);
	date_cn(str_of(c, "issue_date"), issued, sizeof issued);
	funds_cn(c, funds, sizeof funds);
	const struct {
		const char *label, *value;
	} rows[] = {
		{ "名　　称", str_of(c, "name") },
		{ "统一社会信用代码", str_of(c, "uscc") },
		{ "类　　型", str_of(c, "legal_form_name") },
		{ "业务范围", str_of(c, "business_scope") },
		{ "住　　所", str_of(c, "domicile") },
		{ "活动地域", str_of(c, "activity_area") },
		{ "注册资金", funds },
		{ "法定代表人", str_of(c, "legal_representative_name") },
		{ "登记日期", registered },
		{ "登记管理机关", str_of(c, "authority") },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (!*rows[i].value)
			continue;
		pdf_field(p, rows[i].label, LABEL_W, rows[i].value);
		pdf_gap(p, 3);
	}
	pdf_gap(p, 4);
	pdf_need(p, QR_SIZE + 24);
	double top = pdf_y(p);
	if (pdf_qr(p, PDF_MARGIN_X, QR_SIZE, d->qr) < 0)
		return -1;
	double below = pdf_y(p);
	/* Beside the QR code: what it holds and who issued the paper. */
	const double x = PDF_MARGIN_X + QR_SIZE + 6, w = PDF_PAGE_W - PDF_MARGIN_X - x;
	char key[96];
	snprintf(key, sizeof key, "签名密钥：Ed25519 %s", str_of(c, "key_id"));
	pdf_set_y(p, top + 4);
	pdf_text_in(p, PDF_SMALL, PDF_LEFT, x, w,
	            "二维码载有经登记管理机关签名的本证书全文，可使用公布的公钥离线核验，"
	            "或提交至 /api/v1/certificates/verify 在线核验；现行状态可在 /api/v1/certificates/status 查询。");
	pdf_gap(p, 2);
	pdf_text_in(p, PDF_SMALL, PDF_LEFT, x, w, key);
	pdf_gap(p, 12);
	pdf_text_in(p, PDF_BODY, PDF_CENTER, x, w, str_of(c, "authority"));
	pdf_gap(p, 1);
	char on[64];
	snprintf(on, sizeof on, "发证日期：%s", issued);
	pdf_text_in(p, PDF_BODY, PDF_CENTER, x, w, on);
	if (pdf_y(p) < below)
		pdf_set_y(p, below);
	return 0;
}

static int pdf_tx(tx *t, void *arg)
{
	const char *uscc = arg;
	cert_latest l;
	int rc = certificates_latest_or_refuse(t, uscc, &l);
	if (rc)
		return rc;
	char *qr = certificates_qr(l.payload, l.signature);
	char *doc = NULL;
	size_t len = 0;
	cert_doc d = { l.cert, qr, l.revoked };
	/* The document's date is the certificate's own, so it is always the same bytes; a certificate
	 * row never changes, its organization's deregistration aside. */
	char key[64];
	snprintf(key, sizeof key, "certificate:%lld:%d", l.id, l.revoked);
	if (!qr || pdf_render(key, str_of(l.cert, "title"), str_of(l.cert, "issued_at"), draw_certificate, &d, &doc,
	                      &len) < 0) {
		log_kv(LOG_ERROR, "a certificate could not be rendered", "uscc", uscc, NULL);
		rc = DB_ERROR;
	} else {
		char headers[200];
		snprintf(headers, sizeof headers,
		         "Content-Disposition: inline; filename=\"certificate-%s.pdf\"\r\nCache-Control: no-cache\r\n",
		         uscc);
		tx_answer_raw(t, 200, "application/pdf", doc, len, headers);
	}
	free(doc);
	free(qr);
	certificates_latest_free(&l);
	return rc;
}

static void certificate_pdf_get(http_req *req)
{
	char uscc[USCC_LEN + 1];
	if (orgs_path_uscc_or_reply(req, uscc) < 0)
		return;
	tx_read_or_reply(req, pdf_tx, uscc);
}

const route certificate_pdf_routes[] = {
	{ "GET", "/api/v1/orgs/{uscc}/certificate.pdf", certificate_pdf_get, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
