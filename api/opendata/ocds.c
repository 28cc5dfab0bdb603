/* ocds.c — GET /api/v1/tenders/{id}/ocds (public): a published tender as an OCDS 1.1 release
 * package (https://standard.open-contracting.org/1.1/; the schemas are vendored, unmodified, in
 * tests/ocds/ and the integration suite validates every package against them).
 *
 * One release per stage event, each built by a stage function from its own table:
 *
 *   stage_tender     tenders          the notice at publication                 tag tender
 *   stage_enquiries  tender_questions each answered enquiry                     tag tenderUpdate
 *   stage_updates    feed_events      the other public moves (the enquiry end,  tag tenderUpdate
 *                                     the bid deadline, a cancellation)         (tenderCancellation)
 *   stage_opening    tender_openings  the published opening record: tenderers,  tag tenderUpdate
 *                                     their bids and prices
 *
 * Releases are ordered by date; their ids are <ocid>-<what>[-<row id>], the same on every call.
 * Parties: the buyer (the purchasing department) from publication on; tenderers (CN-USCI
 * identifiers) only from the opening on. Before the opening nothing of a bid is in the package,
 * not even how many there are. Invited organizations are the purchaser's to see, never here.
 * Amounts are yuan (fen / 100, at most two decimals) in CNY. */
#include "opendata.h"
#include "opening.h"
#include "tender_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The extensions whose fields the releases use beyond the core schema: tender.enquiries and
 * bids.details. */
#define OCDS_EXT_ENQUIRIES                                                                                             \
	"https://raw.githubusercontent.com/open-contracting-extensions/ocds_enquiry_extension/master/extension.json"
#define OCDS_EXT_BIDS                                                                                                  \
	"https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/master/extension.json"

typedef struct ocds_ctx {
	db_conn *c;
	long long id;
	db_res *t; /* the tender's row (TENDER_COLUMNS) */
	char ocid[80];
	cJSON *releases;
} ocds_ctx;

/* --- codelists ------------------------------------------------------------------------------- */

/* tenderStatus: every active.* state is "active"; the end states are their own names. */
static const char *status_code(int state)
{
	switch (state) {
	case TS_complete:
		return "complete";
	case TS_cancelled:
		return "cancelled";
	case TS_unsuccessful:
		return "unsuccessful";
	case TS_draft:
		return "planning";
	default:
		return "active";
	}
}

/* method (closed codelist) with the method's own name kept in procurementMethodDetails:
 * 邀请招标 invites qualified suppliers (selective); the negotiated procedures and 询价 contact
 * suppliers the purchaser chooses (limited); 单一来源 is direct. */
static const struct {
	const char *method, *code, *details;
} methods[] = {
	{ "open", "open", "公开招标" },
	{ "invited", "selective", "邀请招标" },
	{ "competitive_consultation", "limited", "竞争性磋商" },
	{ "competitive_negotiation", "limited", "竞争性谈判" },
	{ "inquiry", "limited", "询价" },
	{ "single_source", "direct", "单一来源" },
};

/* awardCriteria (open codelist, 1.1.5): 综合评分法 rates criteria; 最低评标价法 is price only. */
static const struct {
	const char *method, *code, *details;
} criteria[] = {
	{ "comprehensive", "ratedCriteria", "综合评分法" },
	{ "lowest_price", "priceOnly", "最低评标价法" },
};

/* --- values ---------------------------------------------------------------------------------- */

/* {amount: yuan, currency: "CNY"}: written from the integer fen, so 1234.5 is exact. */
static cJSON *value_json(long long fen)
{
	char buf[40];
	snprintf(buf, sizeof buf, "%lld.%02lld", fen / 100, fen % 100);
	size_t n = strlen(buf);
	while (buf[n - 1] == '0')
		buf[--n] = 0;
	if (buf[n - 1] == '.')
		buf[--n] = 0;
	cJSON *v = cJSON_CreateObject();
	cJSON_AddItemToObject(v, "amount", cJSON_CreateRaw(buf));
	cJSON_AddStringToObject(v, "currency", "CNY");
	return v;
}

static void add_time(cJSON *o, const char *key, const char *db_time)
{
	if (db_time)
		api_add_time(o, key, db_time);
}

/* An organization of the register as a party, and its reference. */
static void org_party_id(const char *uscc, char *out, size_t len)
{
	snprintf(out, len, "CN-USCI-%s", uscc);
}

static cJSON *org_ref(const char *uscc, const char *name)
{
	char id[40];
	org_party_id(uscc, id, sizeof id);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	if (name)
		cJSON_AddStringToObject(o, "name", name);
	return o;
}

static cJSON *org_party(const char *uscc, const char *name, const char *role)
{
	cJSON *p = org_ref(uscc, name);
	cJSON *idf = cJSON_AddObjectToObject(p, "identifier");
	cJSON_AddStringToObject(idf, "scheme", "CN-USCI");
	cJSON_AddStringToObject(idf, "id", uscc);
	if (name)
		cJSON_AddStringToObject(idf, "legalName", name);
	cJSON *roles = cJSON_AddArrayToObject(p, "roles");
	cJSON_AddItemToArray(roles, cJSON_CreateString(role));
	return p;
}

/* The buyer: the purchasing department, named as the purchaser's account names it (the
 * register has no code for departments). */
static cJSON *buyer_ref(const ocds_ctx *x)
{
	const char *dept = db_val(x->t, 0, TC_DEPARTMENT);
	cJSON *o = cJSON_CreateObject();
	char id[200];
	snprintf(id, sizeof id, "buyer-%s", dept);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "name", dept);
	return o;
}

/* A release of this tender: id <ocid>-<suffix>, at db_time, one tag; its tender object (with the
 * tender's id) in *tender. */
static cJSON *release_new(ocds_ctx *x, const char *suffix, const char *db_time, const char *tag, cJSON **tender)
{
	cJSON *r = cJSON_CreateObject();
	char id[160];
	snprintf(id, sizeof id, "%s-%s", x->ocid, suffix);
	cJSON_AddStringToObject(r, "ocid", x->ocid);
	cJSON_AddStringToObject(r, "id", id);
	api_add_time(r, "date", db_time);
	cJSON *tags = cJSON_AddArrayToObject(r, "tag");
	cJSON_AddItemToArray(tags, cJSON_CreateString(tag));
	cJSON_AddStringToObject(r, "initiationType", "tender");
	cJSON_AddStringToObject(r, "language", "zh");
	cJSON *t = cJSON_AddObjectToObject(r, "tender");
	char tid[24];
	snprintf(tid, sizeof tid, "%lld", x->id);
	cJSON_AddStringToObject(t, "id", tid);
	*tender = t;
	cJSON_AddItemToArray(x->releases, r);
	return r;
}

/* --- stages ---------------------------------------------------------------------------------- */

/* The notice as published: it cannot change after publication (only drafts are edited). */
static int stage_tender(ocds_ctx *x)
{
	const db_res *t = x->t;
	cJSON *tender;
	cJSON *r = release_new(x, "tender", db_val(t, 0, TC_PUBLISHED), "tender", &tender);
	cJSON *parties = cJSON_AddArrayToObject(r, "parties");
	cJSON *buyer = buyer_ref(x);
	cJSON *bp = cJSON_Duplicate(buyer, 1);
	cJSON *roles = cJSON_AddArrayToObject(bp, "roles");
	cJSON_AddItemToArray(roles, cJSON_CreateString("buyer"));
	cJSON_AddItemToArray(parties, bp);
	cJSON_AddItemToObject(r, "buyer", buyer);

	cJSON_AddStringToObject(tender, "title", db_val(t, 0, TC_TITLE));
	cJSON_AddStringToObject(tender, "description", db_val(t, 0, TC_DESCRIPTION));
	cJSON_AddStringToObject(tender, "status", "active");
	cJSON_AddItemToObject(tender, "value", value_json(db_int(t, 0, TC_BUDGET)));
	const char *method = db_val(t, 0, TC_METHOD), *eval = db_val(t, 0, TC_EVALUATION_METHOD);
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (!strcmp(method, methods[i].method)) {
			cJSON_AddStringToObject(tender, "procurementMethod", methods[i].code);
			cJSON_AddStringToObject(tender, "procurementMethodDetails", methods[i].details);
		}
	cJSON_AddStringToObject(tender, "mainProcurementCategory", "services");
	for (size_t i = 0; i < sizeof criteria / sizeof criteria[0]; i++)
		if (!strcmp(eval, criteria[i].method)) {
			cJSON_AddStringToObject(tender, "awardCriteria", criteria[i].code);
			cJSON_AddStringToObject(tender, "awardCriteriaDetails", criteria[i].details);
		}
	cJSON *sub = cJSON_AddArrayToObject(tender, "submissionMethod");
	cJSON_AddItemToArray(sub, cJSON_CreateString("electronicSubmission"));
	cJSON *tp = cJSON_AddObjectToObject(tender, "tenderPeriod");
	add_time(tp, "startDate", db_val(t, 0, TC_PUBLISHED));
	add_time(tp, "endDate", db_val(t, 0, TC_BID_DEADLINE));
	cJSON *ep = cJSON_AddObjectToObject(tender, "enquiryPeriod");
	add_time(ep, "startDate", db_val(t, 0, TC_PUBLISHED));
	add_time(ep, "endDate", db_val(t, 0, TC_ENQUIRY_END));
	cJSON *cp = cJSON_AddObjectToObject(tender, "contractPeriod");
	cJSON_AddNumberToObject(cp, "durationInDays", (double)(db_int(t, 0, TC_CONTRACT_MONTHS) * 30));
	cJSON_AddItemToObject(tender, "procuringEntity", cJSON_Duplicate(cJSON_GetObjectItem(r, "buyer"), 1));
	return 0;
}

/* Each answered enquiry (public, the asker never named), as the enquiry extension shapes it. */
static int stage_enquiries(ocds_ctx *x)
{
	db_res *q;
	int rc = db_query(x->c,
	                  "SELECT id, question, asked_at, answer, answered_at FROM tender_questions "
	                  "WHERE tender_id = ? AND answered_at IS NOT NULL ORDER BY id",
	                  DBP(DBI(x->id)), &q);
	if (rc)
		return rc;
	for (int i = 0; i < q->nrows; i++) {
		char suffix[40];
		snprintf(suffix, sizeof suffix, "enquiry-%s", db_val(q, i, 0));
		cJSON *tender;
		release_new(x, suffix, db_val(q, i, 4), "tenderUpdate", &tender);
		cJSON_AddStringToObject(tender, "status", "active");
		cJSON_AddBoolToObject(tender, "hasEnquiries", 1);
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "id", db_val(q, i, 0));
		add_time(e, "date", db_val(q, i, 2));
		cJSON_AddStringToObject(e, "description", db_val(q, i, 1));
		cJSON_AddStringToObject(e, "answer", db_val(q, i, 3));
		add_time(e, "dateAnswered", db_val(q, i, 4));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(tender, "enquiries"), e);
	}
	db_res_free(q);
	return 0;
}

/* The tender's other public moves, from its rows in the feed: what the other stages do not
 * show in more detail (publication, enquiries, the opening). When the award, contract and
 * implementation stages arrive, their actions join shown_elsewhere. */
static int shown_elsewhere(int action)
{
	return action == TA_publish || action == TA_ask || action == TA_answer || action == TA_open;
}

static int stage_updates(ocds_ctx *x)
{
	char tid[24];
	snprintf(tid, sizeof tid, "%lld", x->id);
	db_res *f;
	int rc = db_query(x->c,
	                  "SELECT id, at, action, state FROM feed_events WHERE type = 'tender' AND object_id = ? "
	                  "ORDER BY id",
	                  DBP(DBS(tid)), &f);
	if (rc)
		return rc;
	for (int i = 0; i < f->nrows; i++) {
		const char *action = db_val(f, i, 2);
		int state = fsm_state(&tender_flow, db_val(f, i, 3));
		if (shown_elsewhere(fsm_action(&tender_flow, action)) || state < 0)
			continue;
		char suffix[64];
		snprintf(suffix, sizeof suffix, "%s-%s", action, db_val(f, i, 0));
		cJSON *tender;
		release_new(x, suffix, db_val(f, i, 1), state == TS_cancelled ? "tenderCancellation" : "tenderUpdate",
		            &tender);
		cJSON_AddStringToObject(tender, "status", status_code(state));
	}
	db_res_free(f);
	return 0;
}

/* The opening's published record: the tenderers, their bids (valid or disqualified) and prices. */
static int stage_opening(ocds_ctx *x)
{
	cJSON *rec = NULL;
	int rc = opening_record(x->c, x->id, &rec);
	if (rc || !rec)
		return rc;
	db_res *o;
	if ((rc = db_query(x->c, "SELECT opened_at FROM tender_openings WHERE tender_id = ?", DBP(DBI(x->id)), &o))) {
		cJSON_Delete(rec);
		return rc;
	}
	if (o->nrows == 1) {
		cJSON *tender;
		cJSON *r = release_new(x, "opening", db_val(o, 0, 0), "tenderUpdate", &tender);
		int state = fsm_state(&tender_flow, json_str_member(rec, "outcome"));
		cJSON_AddStringToObject(tender, "status", status_code(state < 0 ? TS_active_evaluation : state));
		cJSON *bids = cJSON_GetObjectItemCaseSensitive(rec, "bids");
		cJSON_AddNumberToObject(tender, "numberOfTenderers", cJSON_GetArraySize(bids));
		cJSON *tenderers = cJSON_AddArrayToObject(tender, "tenderers");
		cJSON *parties = cJSON_AddArrayToObject(r, "parties");
		cJSON *details = cJSON_AddArrayToObject(cJSON_AddObjectToObject(r, "bids"), "details");
		const cJSON *b;
		cJSON_ArrayForEach(b, bids) {
			const char *uscc = json_str_member(b, "org_uscc"), *name = json_str_member(b, "org_name");
			if (!uscc)
				continue;
			cJSON_AddItemToArray(tenderers, org_ref(uscc, name));
			cJSON_AddItemToArray(parties, org_party(uscc, name, "tenderer"));
			cJSON *d = cJSON_CreateObject();
			char bid[24];
			snprintf(bid, sizeof bid, "%.0f",
			         cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(b, "bid_id")));
			cJSON_AddStringToObject(d, "id", bid);
			const char *at = json_str_member(b, "submitted_at");
			if (at)
				cJSON_AddStringToObject(d, "date", at);
			cJSON_AddStringToObject(
			        d, "status",
			        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "valid")) ? "valid" : "disqualified");
			cJSON_AddItemToArray(cJSON_AddArrayToObject(d, "tenderers"), org_ref(uscc, name));
			const cJSON *price = cJSON_GetObjectItemCaseSensitive(b, "price_fen");
			if (cJSON_IsNumber(price))
				cJSON_AddItemToObject(d, "value", value_json((long long)price->valuedouble));
			cJSON_AddItemToArray(details, d);
		}
	}
	db_res_free(o);
	cJSON_Delete(rec);
	return 0;
}

/* In the order of the tender's life. The award (tag award, the supplier's party with role
 * supplier), the contract (tag contract) and the performance reviews (tag implementation) plug
 * in here, each a stage reading its own table, once those tables exist; until then a tender
 * has no such release. */
static int (*const stages[])(ocds_ctx *x) = {
	stage_tender,
	stage_enquiries,
	stage_updates,
	stage_opening,
};

/* --- the package ----------------------------------------------------------------------------- */

/* The releases in date order; at the same instant, the order the stages made them in. A tender
 * has tens of releases: an insertion sort, which is stable. */
static int sort_by_date(cJSON *releases)
{
	int n = cJSON_GetArraySize(releases);
	cJSON **v = calloc((size_t)n + 1, sizeof *v);
	if (!v)
		return DB_ERROR;
	for (int i = 0; i < n; i++)
		v[i] = cJSON_DetachItemFromArray(releases, 0);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(json_str_member(v[j - 1], "date"), json_str_member(v[j], "date")) > 0;
		     j--) {
			cJSON *tmp = v[j - 1];
			v[j - 1] = v[j];
			v[j] = tmp;
		}
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(releases, v[i]);
	free(v);
	return 0;
}

/* The package's uri: public_url when configured, else the Host the client asked (when it is a
 * plain host[:port]), else localhost. */
static void package_uri(http_req *req, long long id, char *out, size_t len)
{
	const char *host = http_header(req, "Host");
	if (!host || !*host || strlen(host) > 200 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != strlen(host))
		host = "localhost";
	if (*cfg.public_url)
		snprintf(out, len, "%s/api/v1/tenders/%lld/ocds", cfg.public_url, id);
	else
		snprintf(out, len, "http://%s/api/v1/tenders/%lld/ocds", host, id);
}

typedef struct ocds_req {
	long long id;
	char uri[512];
} ocds_req;

static int package_tx(tx *t, void *arg)
{
	const ocds_req *q = arg;
	ocds_ctx x = { t->c, q->id, NULL, "", NULL };
	int rc = db_query(t->c, tender_flow.sql_read, DBP(DBI(q->id)), &x.t);
	if (rc)
		return rc;
	/* Drafts, and drafts cancelled before publication, were never public. */
	if (x.t->nrows != 1 || db_isnull(x.t, 0, TC_PUBLISHED)) {
		db_res_free(x.t);
		return tx_refuse(t, 404, "not_found", "there is no such published tender");
	}
	snprintf(x.ocid, sizeof x.ocid, "ocds-%s-%lld", cfg.ocds_prefix, q->id);
	x.releases = cJSON_CreateArray();
	for (size_t i = 0; i < sizeof stages / sizeof stages[0] && !rc; i++)
		rc = stages[i](&x);
	if (!rc)
		rc = sort_by_date(x.releases);
	db_res_free(x.t);
	if (rc) {
		cJSON_Delete(x.releases);
		return rc;
	}
	cJSON *pkg = cJSON_CreateObject();
	cJSON_AddStringToObject(pkg, "uri", q->uri);
	cJSON_AddStringToObject(pkg, "version", "1.1");
	cJSON *ext = cJSON_AddArrayToObject(pkg, "extensions");
	cJSON_AddItemToArray(ext, cJSON_CreateString(OCDS_EXT_ENQUIRIES));
	cJSON_AddItemToArray(ext, cJSON_CreateString(OCDS_EXT_BIDS));
	/* Generated on demand: the date of the last change it holds (the OCDS package schema). */
	int n = cJSON_GetArraySize(x.releases);
	cJSON_AddStringToObject(pkg, "publishedDate", json_str_member(cJSON_GetArrayItem(x.releases, n - 1), "date"));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(pkg, "publisher"), "name", cfg.ocds_publisher);
	cJSON_AddItemToObject(pkg, "releases", x.releases);
	char *text = cJSON_PrintUnformatted(pkg);
	cJSON_Delete(pkg);
	if (!text)
		return DB_ERROR;
	tx_answer_raw(t, 200, HTTP_JSON_TYPE, text, strlen(text), HTTP_API_HEADERS);
	free(text);
	return 0;
}

static void ocds_get(http_req *req)
{
	ocds_req q;
	if (api_id_param_or_reply(req, "id", &q.id) < 0)
		return;
	package_uri(req, q.id, q.uri, sizeof q.uri);
	tx_read_or_reply(req, package_tx, &q);
}

const route ocds_routes[] = {
	{ "GET", "/api/v1/tenders/{id}/ocds", ocds_get, ROLES_PUBLIC, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
