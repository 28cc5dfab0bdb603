/* credit_events.c — inspections, penalties and commendations a registrar records (SPEC §5,
 * Appendix B). A penalty lists the organization in the event's own transaction:
 *     warning, or a fine below abnormal_small_fine_limit_fen  → abnormal list, small_penalty
 *     a fine at or above it                                  → serious list, large_fine
 *     suspension / revocation                                → serious list, suspension / revocation
 * Project performance events come from contracts (§6), never from this route. */
#include "credit.h"
#include "credit_rules.h"
#include "feed.h"
#include "list_entry_flow.h"
#include "orgs.h"

#include <stdio.h>
#include <string.h>

enum ev_kind { EV_INSPECTION, EV_PENALTY, EV_COMMENDATION };
static const char *const kinds[] = { "inspection", "penalty", "commendation", NULL };
static const char *const conclusions[] = { "pass", "basic_pass", "fail", NULL };
enum penalty { P_WARNING, P_FINE, P_SUSPENSION, P_REVOCATION };
static const char *const penalty_types[] = { "warning", "fine", "suspension", "revocation", NULL };

/* The fields each kind takes. */
static const char *const inspection_fields[] = { "kind", "conclusion", "decided_on", "basis", NULL };
static const char *const penalty_fields[] = { "kind",  "penalty_type", "fine_fen",   "decision_number",
	                                      "basis", "authority",    "decided_on", NULL };
static const char *const commendation_fields[] = { "kind", "title", "authority", "decided_on", "basis", NULL };

cJSON *credit_event_json(const db_res *r, int row)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(r, row, CE_ID));
	cJSON_AddStringToObject(o, "org_uscc", db_val(r, row, CE_USCC));
	cJSON_AddStringToObject(o, "kind", db_val(r, row, CE_KIND));
	static const struct {
		const char *key;
		int col;
	} text[] = {
		{ "conclusion", CE_CONCLUSION },
		{ "penalty_type", CE_PENALTY_TYPE },
		{ "decision_number", CE_DECISION_NUMBER },
		{ "title", CE_TITLE },
		{ "authority", CE_AUTHORITY },
		{ "basis", CE_BASIS },
	};
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		if (db_val(r, row, text[i].col))
			cJSON_AddStringToObject(o, text[i].key, db_val(r, row, text[i].col));
	if (db_val(r, row, CE_FINE))
		cJSON_AddNumberToObject(o, "fine_fen", (double)db_int(r, row, CE_FINE));
	if (db_val(r, row, CE_CONTRACT))
		cJSON_AddNumberToObject(o, "contract_id", (double)db_int(r, row, CE_CONTRACT));
	if (db_val(r, row, CE_SCORE))
		cJSON_AddNumberToObject(o, "score", (double)db_int(r, row, CE_SCORE));
	cJSON_AddStringToObject(o, "decided_on", db_val(r, row, CE_DECIDED));
	api_add_time(o, "created_at", db_val(r, row, CE_CREATED));
	return o;
}

typedef struct event_args {
	char uscc[USCC_LEN + 1];
	enum ev_kind kind;
	const char *conclusion, *penalty_type, *decision_number, *title, *authority, *basis;
	long long fine_fen;
	int has_fine;
	int64_t decided_on;
} event_args;

/* The list and reason a penalty leads to; 0 when it lists nothing. */
static int penalty_listing(const event_args *a, enum le_list *list, const char **reason)
{
	if (a->kind != EV_PENALTY)
		return 0;
	if (!strcmp(a->penalty_type, penalty_types[P_WARNING]) ||
	    (!strcmp(a->penalty_type, penalty_types[P_FINE]) &&
	     a->fine_fen < rule(RULE_abnormal_small_fine_limit_fen))) {
		*list = LE_ABNORMAL;
		*reason = "small_penalty";
	} else if (!strcmp(a->penalty_type, penalty_types[P_FINE])) {
		*list = LE_SERIOUS;
		*reason = "large_fine";
	} else {
		*list = LE_SERIOUS;
		*reason = !strcmp(a->penalty_type, penalty_types[P_SUSPENSION]) ? "suspension" : "revocation";
	}
	return 1;
}

/* The entry id as answered, onto consequences. */
static int credit_consequence(tx *t, long long id, cJSON *consequences)
{
	db_res *r;
	int rc = db_query(t->c, list_entry_flow.sql_read, DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows == 1)
		cJSON_AddItemToArray(consequences, le_json(r, 0));
	db_res_free(r);
	return 0;
}

/* The new event id as answered, with the list of what it causes (consequences, empty) for the
 * caller to fill. 0 or a DB_ code. */
static int event_read(db_conn *c, unsigned long long id, cJSON **d, cJSON **consequences)
{
	db_res *r;
	int rc = db_query(c, "SELECT " CREDIT_EVENT_COLUMNS " FROM credit_events WHERE id = ?", DBP(DBI(id)), &r);
	if (rc)
		return rc;
	*d = credit_event_json(r, 0);
	db_res_free(r);
	*consequences = cJSON_AddArrayToObject(*d, "consequences");
	return 0;
}

/* The event's audit entry: the event as answered, consequences and all. */
static int event_audit(tx *t, unsigned long long id, const cJSON *d)
{
	cJSON *s = cJSON_Duplicate(d, 1);
	char ids[24];
	snprintf(ids, sizeof ids, "%llu", id);
	int rc = audit_append(t->c, t->user, "credit_event.create", "credit_event", ids, s);
	cJSON_Delete(s);
	return rc;
}

static int event_tx(tx *t, void *arg)
{
	const event_args *a = arg;
	org_row o;
	int rc = credit_org_lock_or_refuse(t, a->uscc, &o);
	if (rc)
		return rc;
	org_row_free(&o);
	char now[32], day[16];
	clock_fmt_db(clock_now(), now);
	clock_fmt_date(a->decided_on, day);
	unsigned long long id = 0;
	rc = db_exec(
	        t->c,
	        "INSERT INTO credit_events (uscc, kind, conclusion, penalty_type, fine_fen, decision_number, title, "
	        "authority, basis, decided_on, actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	        DBP(DBS(a->uscc), DBS(kinds[a->kind]), DBS(a->conclusion), DBS(a->penalty_type),
	            a->has_fine ? DBI(a->fine_fen) : DBNULL, DBS(a->decision_number), DBS(a->title), DBS(a->authority),
	            DBS(a->basis), DBS(day), DBI(t->user->id), DBS(now)),
	        NULL, &id);
	/* The organization's public credit changed (feed.h); a listing it causes is a row of its own. */
	if (!rc)
		rc = feed_add(t->c, "org", a->uscc, "credit_event", NULL);
	cJSON *d, *consequences;
	if (rc || (rc = event_read(t->c, id, &d, &consequences)))
		return rc;
	enum le_list list;
	const char *reason;
	if (penalty_listing(a, &list, &reason)) {
		char evidence[64], key[24];
		snprintf(evidence, sizeof evidence, "{\"event_ids\":[%llu]}", id);
		snprintf(key, sizeof key, "%llu", id);
		/* The rule that listed it is the penalty's consequence, named as its reason. */
		le_listing l = { .list = list,
			         .reason = reason,
			         .rule = reason,
			         .rule_key = key,
			         .evidence = evidence,
			         .on = clock_local_day(clock_now()) };
		long long entry = 0;
		rc = le_insert(t, a->uscc, &l, &entry);
		if (!rc)
			rc = credit_consequence(t, entry, consequences);
	}
	/* And what the event completes with the penalties before it (repeated_penalties). */
	if (!rc && a->kind == EV_PENALTY)
		rc = credit_rules_after_event(t, a->uscc, consequences);
	if (!rc)
		rc = event_audit(t, id, d);
	if (rc) {
		cJSON_Delete(d);
		return rc;
	}
	tx_answer(t, 201, d, 0);
	return 0;
}

int credit_event_performance(tx *t, const char *uscc, long long contract_id, int score, const char *summary,
                             cJSON **event)
{
	*event = NULL;
	org_row o;
	int rc = credit_org_lock_or_refuse(t, uscc, &o);
	if (rc)
		return rc;
	org_row_free(&o);
	char now[32], day[16];
	clock_fmt_db(clock_now(), now);
	clock_fmt_date(clock_local_day(clock_now()), day);
	unsigned long long id = 0;
	rc = db_exec(
	        t->c,
	        "INSERT INTO credit_events (uscc, kind, basis, decided_on, actor_id, created_at, contract_id, score) "
	        "VALUES (?, 'performance', ?, ?, ?, ?, ?, ?)",
	        DBP(DBS(uscc), DBS(summary), DBS(day), DBI(t->user->id), DBS(now), DBI(contract_id), DBI(score)), NULL,
	        &id);
	cJSON *d, *consequences;
	if (rc || (rc = event_read(t->c, id, &d, &consequences)))
		return rc;
	rc = credit_rules_after_event(t, uscc, consequences);
	if (!rc)
		rc = event_audit(t, id, d);
	if (rc) {
		cJSON_Delete(d);
		return rc;
	}
	*event = d;
	return 0;
}

static void credit_events_post(http_req *req)
{
	event_args a = { 0 };
	if (orgs_path_uscc_or_reply(req, a.uscc) < 0)
		return;
	const cJSON *b = req->json;
	verr v = { 0 };
	const char *kind = NULL;
	if (json_get_enum(b, "kind", &kind, kinds, &v, "kind", JSON_REQUIRED) != 1) {
		http_problem_fields(
		        req, 422, "validation_failed",
		        "kind must be inspection, penalty or commendation (performance comes from contracts)", &v);
		return;
	}
	for (int i = 0; kinds[i]; i++)
		if (!strcmp(kinds[i], kind))
			a.kind = (enum ev_kind)i;
	int64_t today = clock_local_day(clock_now());
	credit_get_date(b, "decided_on", today, JSON_REQUIRED, &a.decided_on, &v);
	switch (a.kind) {
	case EV_INSPECTION:
		json_only_fields(b, inspection_fields, &v, NULL);
		json_get_enum(b, "conclusion", &a.conclusion, conclusions, &v, "conclusion", JSON_REQUIRED);
		credit_get_text(b, "basis", CREDIT_TEXT_MAX_CHARS, JSON_OPTIONAL, &a.basis, &v);
		break;
	case EV_PENALTY:
		json_only_fields(b, penalty_fields, &v, NULL);
		if (json_get_enum(b, "penalty_type", &a.penalty_type, penalty_types, &v, "penalty_type",
		                  JSON_REQUIRED) == 1) {
			int fine = !strcmp(a.penalty_type, penalty_types[P_FINE]);
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(b, "fine_fen");
			if (fine)
				a.has_fine = json_get_int(b, "fine_fen", &a.fine_fen, &v, "fine_fen", JSON_REQUIRED, 1,
				                          JSON_FEN_MAX) == 1;
			else if (f && !cJSON_IsNull(f))
				verr_add(&v, "fine_fen", "not_allowed", "only a fine has an amount");
		}
		credit_get_text(b, "decision_number", CREDIT_NUMBER_MAX_CHARS, JSON_REQUIRED, &a.decision_number, &v);
		credit_get_text(b, "basis", CREDIT_TEXT_MAX_CHARS, JSON_REQUIRED, &a.basis, &v);
		credit_get_text(b, "authority", CREDIT_NAME_MAX_CHARS, JSON_REQUIRED, &a.authority, &v);
		break;
	case EV_COMMENDATION:
		json_only_fields(b, commendation_fields, &v, NULL);
		credit_get_text(b, "title", CREDIT_NAME_MAX_CHARS, JSON_REQUIRED, &a.title, &v);
		credit_get_text(b, "authority", CREDIT_NAME_MAX_CHARS, JSON_REQUIRED, &a.authority, &v);
		credit_get_text(b, "basis", CREDIT_TEXT_MAX_CHARS, JSON_OPTIONAL, &a.basis, &v);
		break;
	}
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the credit event is not valid", &v);
		return;
	}
	tx_run_or_reply(req, event_tx, &a);
}

const route credit_events_routes[] = {
	{ "POST", "/api/v1/orgs/{uscc}/credit-events", credit_events_post, ROLE_REGISTRAR, R_JSON | R_IDEMPOTENT },
	{ NULL, NULL, NULL, 0, 0 },
};
