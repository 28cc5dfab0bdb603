/* notices.c — the notices of the decisions on an application: issuing one in the decision's
 * transaction, listing them, and rendering one as a PDF from its stored fields (see notices.h). */
#include "notices.h"
#include "application_flow.h"
#include "buf.h"
#include "field_labels.h"
#include "registry_rules.h"
#include "pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTICE_FORMAT "sanzhi.notice.v1"
#define NOTICE_TEXT_MAX (4u << 20)

/* By enum notice_kind: the wire name, the document's title, and its number's word (文号). */
static const struct {
	const char *name, *title, *word;
} kinds[] = {
	[NOTICE_ACCEPTANCE] = { "acceptance", "受理通知书", "民社受字" },
	[NOTICE_SUPPLEMENT] = { "supplement", "补正告知书", "民社补字" },
	[NOTICE_APPROVAL] = { "approval", "准予登记决定书", "民社准字" },
	[NOTICE_REJECTION] = { "rejection", "不予登记决定书", "民社不准字" },
};

/* By enum app_kind. */
static const char *const app_kind_names[] = { "成立登记", "变更登记", "注销登记" };

/* --- issuing ------------------------------------------------------------------------- */

/* The local date of a DB time, or "" when NULL. */
static void local_date_of(const char *db_time, char out[16])
{
	usec_t t;
	*out = 0;
	if (db_time && clock_parse(db_time, &t) == 0)
		clock_fmt_date(clock_local_day(t), out);
}

/* The next number of kind in year: the counter row, locked until the transaction ends. */
static int next_seq(db_conn *c, const char *kind, int year, long long *seq)
{
	int rc = db_exec(c,
	                 "INSERT INTO notice_counters (kind, year, last_seq) VALUES (?, ?, 1) "
	                 "ON DUPLICATE KEY UPDATE last_seq = last_seq + 1",
	                 DBP(DBS(kind), DBI(year)), NULL, NULL);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(c, "SELECT last_seq FROM notice_counters WHERE kind = ? AND year = ?", DBP(DBS(kind), DBI(year)),
	              &r);
	if (rc)
		return rc;
	*seq = r->nrows == 1 ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return *seq > 0 ? 0 : DB_ERROR;
}

int notices_issue(db_conn *c, enum notice_kind kind, const db_res *app, cJSON *extra, cJSON *summary)
{
	usec_t now = clock_now();
	int64_t today = clock_local_day(now);
	int year, month, day;
	clock_civil_from_days(today, &year, &month, &day);
	const char *name = kinds[kind].name;
	long long seq = 0;
	int rc = next_seq(c, name, year, &seq);
	if (rc) {
		cJSON_Delete(extra);
		return rc;
	}
	char number[96], now_rfc[32], now_db[32], today_s[16], submitted[16], bureau[256];
	snprintf(number, sizeof number, "%s〔%d〕第%06lld号", kinds[kind].word, year, seq);
	clock_fmt(now, now_rfc);
	clock_fmt_db(now, now_db);
	clock_fmt_date(today, today_s);
	local_date_of(db_val(app, 0, AC_FIRST_SUBMITTED), submitted);
	if (*cfg.bureau_name)
		snprintf(bureau, sizeof bureau, "%s", cfg.bureau_name);
	else
		registry_authority(db_val(app, 0, AC_REGION) ? db_val(app, 0, AC_REGION) : "", bureau, sizeof bureau);
	enum app_kind ak = app_kind_of(app, 0);

	cJSON *f = extra && cJSON_IsObject(extra) ? extra : cJSON_CreateObject();
	if (f != extra)
		cJSON_Delete(extra);
	cJSON_AddStringToObject(f, "format", NOTICE_FORMAT);
	cJSON_AddStringToObject(f, "kind", name);
	cJSON_AddStringToObject(f, "title", kinds[kind].title);
	cJSON_AddStringToObject(f, "number", number);
	cJSON_AddStringToObject(f, "bureau", bureau);
	cJSON_AddStringToObject(f, "addressee", db_val(app, 0, AC_NAME) ? db_val(app, 0, AC_NAME) : "");
	cJSON_AddNumberToObject(f, "application_id", (double)db_int(app, 0, AC_ID));
	cJSON_AddStringToObject(f, "application_kind", app_kinds[ak]);
	cJSON_AddStringToObject(f, "application_kind_name", app_kind_names[ak]);
	json_add_str_or_null(f, "legal_form", db_val(app, 0, AC_LEGAL_FORM));
	cJSON_AddStringToObject(f, "submitted_on", submitted);
	cJSON_AddStringToObject(f, "issued_at", now_rfc);
	cJSON_AddStringToObject(f, "issued_on", today_s);
	char *text = json_print(f);
	cJSON_Delete(f);
	if (!text)
		return DB_ERROR;
	unsigned long long id = 0;
	rc = db_exec(
	        c,
	        "INSERT INTO notices (application_id, kind, year, seq, number, issued_at, fields) "
	        "VALUES (?, ?, ?, ?, ?, ?, ?)",
	        DBP(DBI(db_int(app, 0, AC_ID)), DBS(name), DBI(year), DBI(seq), DBS(number), DBS(now_db), DBS(text)),
	        NULL, &id);
	free(text);
	if (rc)
		return rc;
	cJSON *s = cJSON_AddObjectToObject(summary, "notice");
	cJSON_AddNumberToObject(s, "id", (double)id);
	cJSON_AddStringToObject(s, "kind", name);
	cJSON_AddStringToObject(s, "number", number);
	return 0;
}

/* --- the document ------------------------------------------------------------------- */

static const char *str_of(const cJSON *f, const char *key)
{
	const char *s = json_str_member(f, key);
	return s ? s : "";
}

/* "2026-12-03" → "2026年12月3日" (as dates are written in official documents). */
static void date_cn(const char *iso, char *out, size_t len)
{
	int y, m, d;
	if (sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3)
		snprintf(out, len, "%d年%d月%d日", y, m, d);
	else
		snprintf(out, len, "%s", iso);
}

/* The regulation an approval cites, by legal form. */
static const char *regulation_of(const char *legal_form)
{
	if (legal_form && !strcmp(legal_form, "foundation"))
		return "《基金会管理条例》";
	if (legal_form && !strcmp(legal_form, "social_service_institution"))
		return "《民办非企业单位登记管理暂行条例》";
	return "《社会团体登记管理条例》";
}

#define PARA "\u3000\u3000" /* two full-width spaces: a paragraph's indent */

/* The body of the notice, paragraphs separated by newlines, from the fields alone. */
static void body_text(const cJSON *f, dynbuf *b)
{
	const char *kind = str_of(f, "kind");
	char submitted[40], d1[40], d2[40];
	date_cn(str_of(f, "submitted_on"), submitted, sizeof submitted);
	const cJSON *idj = cJSON_GetObjectItemCaseSensitive(f, "application_id");
	long long app_id = cJSON_IsNumber(idj) ? (long long)idj->valuedouble : 0;
	buf_addf(b, PARA "你（单位）于%s提交的%s申请（申请编号：%lld）", submitted, str_of(f, "application_kind_name"),
	         app_id);
	if (!strcmp(kind, "acceptance")) {
		date_cn(str_of(f, "accepted_on"), d1, sizeof d1);
		date_cn(str_of(f, "decision_due"), d2, sizeof d2);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "deemed")))
			buf_addf(b,
			         "，本机关未在法定期限内一次告知需要补正的全部内容。根据《中华人民共和国行政许可法》"
			         "第三十二条第一款第（四）项的规定，自%s起即为受理。",
			         d1);
		else
			buf_addf(b,
			         "，申请材料齐全、符合法定形式。根据《中华人民共和国行政许可法》第三十二条的规定，"
			         "本机关决定予以受理，受理日期为%s。",
			         d1);
		buf_addf(b, "\n" PARA "本机关将于%s前作出是否准予登记的决定。", d2);
	} else if (!strcmp(kind, "supplement")) {
		buf_adds(b, "，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款"
		            "第（四）项的规定，现一次告知需要补正的全部内容如下：");
		const cJSON *it;
		int i = 0;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(f, "items"))
			buf_addf(b, "\n" PARA "%d. %s：%s", ++i, app_field_label(str_of(it, "field")),
			         str_of(it, "message"));
		buf_adds(b, "\n" PARA "请按上述内容补正后重新提交申请材料。");
	} else if (!strcmp(kind, "approval")) {
		const char *ak = str_of(f, "application_kind");
		buf_addf(b, "，经审查，符合%s规定的条件。本机关决定准予%s。",
		         regulation_of(json_str_member(f, "legal_form")),
		         !strcmp(ak, "deregister") ? "注销登记"
		         : !strcmp(ak, "change")   ? "变更登记"
		                                   : "登记");
		buf_addf(b, "\n" PARA "社会组织名称：%s", str_of(f, "addressee"));
		buf_addf(b, "\n" PARA "统一社会信用代码：%s", str_of(f, "uscc"));
		if (!strcmp(ak, "establish"))
			buf_adds(b, "\n" PARA "请凭本决定书领取登记证书。");
	} else {
		buf_addf(b, "，经审查，本机关决定不予登记。理由如下：\n" PARA "%s", str_of(f, "reason"));
		/* 行政复议法 Art. 20: sixty days; 行政诉讼法 Art. 46: six months. */
		buf_adds(b, "\n" PARA "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到"
		            "本决定书之日起六个月内依法提起行政诉讼。");
	}
}

typedef struct notice_doc {
	const cJSON *fields;
	const char *body;
} notice_doc;

static int draw_notice(pdf *p, void *arg)
{
	const notice_doc *n = arg;
	const cJSON *f = n->fields;
	char issued[40];
	date_cn(str_of(f, "issued_on"), issued, sizeof issued);
	/* The masthead in red, as the bureau's documents are printed. */
	pdf_color(p, 0.78, 0.06, 0.06);
	pdf_text(p, PDF_FONT " Bold 22", PDF_CENTER, str_of(f, "bureau"));
	pdf_gap(p, 3);
	pdf_rule(p, 0.8);
	pdf_color(p, 0, 0, 0);
	pdf_gap(p, 10);
	pdf_text(p, PDF_TITLE, PDF_CENTER, str_of(f, "title"));
	pdf_gap(p, 3);
	pdf_text(p, PDF_BODY, PDF_CENTER, str_of(f, "number"));
	pdf_gap(p, 10);
	char to[640];
	snprintf(to, sizeof to, "%s：", str_of(f, "addressee"));
	pdf_text(p, PDF_BODY, PDF_LEFT, to);
	pdf_gap(p, 2);
	pdf_text(p, PDF_BODY, PDF_LEFT, n->body);
	if (!strcmp(str_of(f, "kind"), "supplement")) {
		char on[80];
		snprintf(on, sizeof on, PARA "告知日期：%s", issued);
		pdf_gap(p, 2);
		pdf_text(p, PDF_BODY, PDF_LEFT, on);
	}
	pdf_gap(p, 18);
	pdf_need(p, 16);
	pdf_text_in(p, PDF_BODY, PDF_CENTER, 110, 75, str_of(f, "bureau"));
	pdf_gap(p, 1);
	pdf_text_in(p, PDF_BODY, PDF_CENTER, 110, 75, issued);
	return 0;
}

/* The PDF of a notice's fields (malloc'd). 0 or -1. */
static int notice_pdf(const cJSON *fields, char **out, size_t *len)
{
	dynbuf b;
	buf_init(&b, NOTICE_TEXT_MAX);
	body_text(fields, &b);
	char *body = buf_take(&b, NULL);
	if (!body)
		return -1;
	/* The document's date is its issue's, so the same notice is always the same bytes. */
	notice_doc n = { fields, body };
	/* A notice never changes: its number (unique) names its document. */
	char key[64];
	snprintf(key, sizeof key, "notice:%s", str_of(fields, "number"));
	int rc = pdf_render(key, str_of(fields, "title"), str_of(fields, "issued_at"), draw_notice, &n, out, len);
	free(body);
	return rc;
}

/* --- routes ------------------------------------------------------------------------- */

static int list_tx(tx *t, void *arg)
{
	long long id = *(const long long *)arg;
	int rc = app_visible_or_refuse(t, id);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(t->c, "SELECT id, kind, number, issued_at FROM notices WHERE application_id = ? ORDER BY id",
	              DBP(DBI(id)), &r);
	if (rc)
		return rc;
	cJSON *items = cJSON_CreateArray();
	for (int i = 0; i < r->nrows; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)db_int(r, i, 0));
		cJSON_AddStringToObject(o, "kind", db_val(r, i, 1));
		cJSON_AddStringToObject(o, "number", db_val(r, i, 2));
		api_add_time(o, "issued_at", db_val(r, i, 3));
		cJSON_AddItemToArray(items, o);
	}
	db_res_free(r);
	tx_answer_list(t, items, NULL);
	return 0;
}

static void notices_list(http_req *req)
{
	long long id;
	if (api_id_param_or_reply(req, "id", &id) < 0)
		return;
	tx_read_or_reply(req, list_tx, &id);
}

typedef struct notice_ref {
	long long app_id, notice_id;
} notice_ref;

static int pdf_tx(tx *t, void *arg)
{
	const notice_ref *n = arg;
	db_res *r;
	int rc = app_item_or_refuse(t, n->app_id, "SELECT fields FROM notices WHERE id = ? AND application_id = ?",
	                            n->notice_id, "this application has no such notice", &r);
	if (rc)
		return rc;
	cJSON *fields = cJSON_Parse(db_val(r, 0, 0));
	db_res_free(r);
	char *doc = NULL;
	size_t len = 0;
	if (!fields || notice_pdf(fields, &doc, &len) < 0) {
		cJSON_Delete(fields);
		char nid[24];
		snprintf(nid, sizeof nid, "%lld", n->notice_id);
		log_kv(LOG_ERROR, "a notice could not be rendered", "notice_id", nid, NULL);
		return DB_ERROR;
	}
	cJSON_Delete(fields);
	char headers[160];
	snprintf(headers, sizeof headers,
	         "Content-Disposition: inline; filename=\"notice-%lld.pdf\"\r\nCache-Control: private, no-store\r\n",
	         n->notice_id);
	tx_answer_raw(t, 200, "application/pdf", doc, len, headers);
	free(doc);
	return 0;
}

static void notices_pdf(http_req *req)
{
	notice_ref n;
	if (api_id_param_or_reply(req, "id", &n.app_id) < 0 ||
	    api_id_param_or_reply(req, "notice_id", &n.notice_id) < 0)
		return;
	tx_read_or_reply(req, pdf_tx, &n);
}

const route notices_routes[] = {
	{ "GET", "/api/v1/applications/{id}/notices", notices_list, ROLE_APPLICANT | ROLE_REGISTRAR, 0 },
	{ "GET", "/api/v1/applications/{id}/notices/{notice_id}.pdf", notices_pdf, ROLE_APPLICANT | ROLE_REGISTRAR, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
