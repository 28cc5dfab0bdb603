/* application_flow.c — the workflow of registration applications (SPEC §4): the transition
 * table, the guards and the applicant's effects, the statutory clocks, and the checks a draft and
 * a submission must pass. The handlers are in applications.c. The bureau's decisions (their
 * notices, the applicant's mail, the register) are application_decisions.c: the table names
 * their slots and api/jobs.c binds them at start, so this file depends on none of that. */
#include "application_flow.h"
#include "org_row.h"
#include "region.h"
#include "registry_rules.h"
#include "registry_tx.h"
#include "uscc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP ROLE_APPLICANT
#define REG ROLE_REGISTRAR

enum {
	REASON_MAX_CHARS = 2000,
	NAME_CLAIM_MAX_CHARS = 200, /* name_claims.name */
};

#define FSM_DEF_FILE "application.def"
#include "fsm_names.h"

const char *const app_kinds[] = { "establish", "change", "deregister", NULL };

/* The five an establishment needs (APP_REQUIRED_DOCUMENTS), then the optional. */
const char *const app_document_kinds[] = {
	"application_letter", "charter", "domicile_proof", "fund_verification", "legal_rep_id", "other", NULL
};

enum app_kind app_kind_of(const db_res *r, int row)
{
	const char *k = db_val(r, row, AC_KIND);
	for (int i = 0; app_kinds[i]; i++)
		if (k && !strcmp(app_kinds[i], k))
			return (enum app_kind)i;
	return APP_ESTABLISH;
}

int app_visible(const auth_user *u, const db_res *r, int row)
{
	if (fsm_state(&app_flow, db_val(r, row, AC_STATUS)) == APP_deleted)
		return 0;
	if (u->role_bit & ROLE_APPLICANT)
		return db_int(r, row, AC_APPLICANT) == u->id;
	if (u->role_bit & ROLE_REGISTRAR)
		return !db_isnull(r, row, AC_FIRST_SUBMITTED);
	return 0;
}

int app_visible_or_refuse(tx *t, long long id)
{
	db_res *r;
	int rc = db_query(t->c, app_flow.sql_read, DBP(DBI(id)), &r);
	if (rc)
		return rc;
	int ok = r->nrows == 1 && app_visible(t->user, r, 0);
	db_res_free(r);
	return ok ? 0 : tx_refuse(t, 404, "not_found", "there is no such application");
}

int app_item_or_refuse(tx *t, long long app_id, const char *sql, long long item_id, const char *missing, db_res **out)
{
	*out = NULL;
	int rc = app_visible_or_refuse(t, app_id);
	if (rc || (rc = db_query(t->c, sql, DBP(DBI(item_id), DBI(app_id)), out)))
		return rc;
	if ((*out)->nrows == 1)
		return 0;
	db_res_free(*out);
	*out = NULL;
	return tx_refuse(t, 404, "not_found", "%s", missing);
}

/* --- the statutory clocks ------------------------------------------------------------ */

int64_t app_supplement_window_end(usec_t first_submitted)
{
	/* 行政许可法 Art. 32: within 5 days of receipt, the day of receipt not counted; Art. 82: the
	 * law's periods are working days, without public holidays (the holiday calendar). */
	return clock_add_working_days(clock_local_day(first_submitted), (int)rule(RULE_supplement_window_days));
}

static usec_t row_time(const db_res *r, int row, int col)
{
	usec_t t = 0;
	const char *s = db_val(r, row, col);
	if (!s || clock_parse(s, &t) < 0)
		return 0;
	return t;
}

usec_t app_deem_since(const db_res *r, int row)
{
	return row_time(r, row, db_isnull(r, row, AC_SUPPLEMENT_REQUESTED) ? AC_FIRST_SUBMITTED : AC_SUBMITTED);
}

usec_t app_deem_at(const db_res *r, int row)
{
	usec_t since = app_deem_since(r, row);
	return since ? clock_local_midnight(app_supplement_window_end(since) + 1) : 0;
}

int64_t app_decision_due(int64_t accepted_day, const char *category)
{
	int charity = category && !strcmp(category, "public_welfare");
	long long n = rule(charity ? RULE_decision_days_charity : RULE_decision_days);
	return rule(RULE_decision_days_working) ? clock_add_working_days(accepted_day, (int)n) : accepted_day + n;
}

/* --- checks a draft must pass ---------------------------------------------------------- */

static const char *const establish_keys[] = { "kind",           "legal_form",    "category",    "scope",
	                                      "fundraising",    "name",          "region_code", "domicile",
	                                      "business_scope", "activity_area", "funds_fen",   "legal_representative",
	                                      "members",        "directors",     "contact",     NULL };
static const char *const change_keys[] = { "kind", "org_uscc", "changes", NULL };
static const char *const deregister_keys[] = { "kind", "org_uscc", "reason", NULL };

/* Only the fields of the kind, each of the right shape; nothing about the database. */
static void check_shape(const cJSON *body, enum app_kind kind, verr *v)
{
	const char *const *keys = kind == APP_ESTABLISH ? establish_keys
	                          : kind == APP_CHANGE  ? change_keys
	                                                : deregister_keys;
	const cJSON *it;
	cJSON_ArrayForEach(it, body) {
		if (str_in_list(keys, it->string))
			continue;
		const char *k = it->string ? it->string : "";
		size_t n = strlen(k);
		int plain = n > 0 && n <= 40 && strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
		verr_add(v, plain ? k : "body", "unknown_field", "%s is not a field of a %s application",
		         plain ? k : "a key", app_kinds[kind]);
	}
	if (kind == APP_ESTABLISH) {
		registry_check_establish(body, 0, v);
		return;
	}
	const char *uscc = NULL;
	if (json_get_str(body, "org_uscc", &uscc, v, "org_uscc", JSON_REQUIRED, 1, 18) == 1 &&
	    uscc_check(uscc, NULL, NULL) < 0)
		verr_add(v, "org_uscc", "invalid_uscc",
		         "org_uscc must be a valid 18-character unified social credit code");
	if (kind == APP_CHANGE) {
		const cJSON *ch = NULL;
		json_get_object(body, "changes", &ch, v, "changes", JSON_OPTIONAL);
	} else {
		const char *reason = NULL;
		json_get_str(body, "reason", &reason, v, "reason", JSON_OPTIONAL, 0, REASON_MAX_CHARS);
	}
}

/* The organization of a change or deregistration: it must exist, be the applicant's and be
 * registered. Refuses (403, 409) or records a field error (unknown); *org on success. */
static int org_owned(tx *t, const char *uscc, int lock, verr *v, org_row *org)
{
	int rc = org_row_get(t->c, uscc, lock, org);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		verr_add(v, "org_uscc", "unknown_org", "there is no registered organization %s", uscc);
		return 0;
	}
	if (org->owner_user_id != t->user->id)
		rc = tx_refuse(t, 403, "not_org_owner", "only the account that acts for %s may apply for it", uscc);
	else if (org->status != ORG_REGISTERED)
		rc = tx_refuse(t, 409, "org_not_registered",
		               "%s is %s; only registered organizations can change or deregister", uscc,
		               org_status_names[org->status]);
	else
		return 0;
	org_row_free(org);
	return rc;
}

static void check_change(const cJSON *ch, const org_row *org, verr *v)
{
	registry_check_change(ch, org->legal_form, org->region_code, org->scope, org->fundraising, v);
}

int app_check_draft(tx *t, enum app_kind kind, const cJSON *body, org_row *org)
{
	verr v = { 0 };
	memset(org, 0, sizeof *org);
	check_shape(body, kind, &v);
	int rc = 0;
	const char *uscc = json_str_member(body, "org_uscc");
	if (kind != APP_ESTABLISH && !v.count && uscc) {
		rc = org_owned(t, uscc, 0, &v, org);
		if (rc) {
			verr_free(&v);
			return rc;
		}
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(body, "changes");
		if (org->res && ch)
			check_change(ch, org, &v);
	}
	if (v.count) {
		org_row_free(org);
		return tx_refuse_fields(t, 422, "validation_failed", "the application is not valid", &v);
	}
	return 0;
}

int app_check_one_pending(tx *t, const char *uscc, long long id)
{
	/* Pending: filed and not yet decided, i.e. neither a draft nor in an end state. */
	char live[128];
	fsm_state_set(&app_flow, ~(fsm_final_states(&app_flow) | 1u << APP_draft), live, sizeof live);
	db_res *r;
	int rc = db_query(
	        t->c,
	        "SELECT id FROM applications WHERE org_uscc = ? AND id <> ? AND kind IN ('change', 'deregister') "
	        "AND FIND_IN_SET(status, ?) > 0 LIMIT 1",
	        DBP(DBS(uscc), DBI(id), DBS(live)), &r);
	if (rc)
		return rc;
	long long other = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	if (other)
		return tx_refuse(t, 409, "application_pending",
		                 "application %lld for %s is still being decided; wait for it or withdraw it", other,
		                 uscc);
	return 0;
}

app_cols app_columns(enum app_kind kind, const cJSON *body, const org_row *org)
{
	app_cols k = { 0 };
	if (kind == APP_ESTABLISH) {
		k.legal_form = json_str_member(body, "legal_form");
		k.category = json_str_member(body, "category");
		k.name = json_str_member(body, "name");
		k.region_code = json_str_member(body, "region_code");
		return k;
	}
	k.org_uscc = json_str_member(body, "org_uscc");
	if (org && org->res) {
		k.legal_form = org->legal_form;
		k.category = org->category;
		k.name = org->name;
		k.region_code = org->region_code;
	}
	const char *renamed = json_str_member(cJSON_GetObjectItemCaseSensitive(body, "changes"), "name");
	if (renamed && *renamed)
		k.name = renamed;
	return k;
}

/* --- checks a submission must pass ----------------------------------------------------- */

/* Birth dates in ID numbers must lie in the past (registry_rules.c has no clock). */
static void check_birth_date(const cJSON *person, const char *field, int64_t today, verr *v)
{
	const char *id = json_str_member(person, "id_number");
	if (!id || !registry_id_number_valid(id))
		return;
	char date[11];
	snprintf(date, sizeof date, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
	int64_t day;
	if (clock_parse_date(date, &day) < 0)
		return;
	if (day > today) {
		verr_add(v, field, "birth_date_in_future", "%s has a birth date (%s) in the future", field, date);
		return;
	}
	/* 民法典 Art. 17-18: only an adult (18) has full civil capacity, which a legal representative
	 * (社会团体登记管理条例 Art. 13) and a director take on. */
	char adult_on[32];
	snprintf(adult_on, sizeof adult_on, "%04d-%.2s-%.2s", (atoi(date) + 18) % 10000, id + 10, id + 12);
	int64_t adult_day;
	int bad = clock_parse_date(adult_on, &adult_day);
	if (bad && !strcmp(adult_on + 5, "02-29")) {
		memcpy(adult_on + 5, "03-01", 5); /* born on 29 February: of age on 1 March of a common year */
		bad = clock_parse_date(adult_on, &adult_day);
	}
	if (!bad && adult_day > today)
		verr_add(v, field, "not_adult", "%s belongs to someone under 18 (born %s)", field, date);
}

static void check_birth_dates(const cJSON *body, int64_t today, verr *v)
{
	check_birth_date(cJSON_GetObjectItemCaseSensitive(body, "legal_representative"),
	                 "legal_representative.id_number", today, v);
	const cJSON *d;
	int i = 0;
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(body, "directors")) {
		char f[48];
		snprintf(f, sizeof f, "directors[%d].id_number", i++);
		check_birth_date(d, f, today, v);
	}
}

/* Every required document kind present (SPEC §4). */
static int check_documents(db_conn *c, long long id, verr *v)
{
	db_res *r;
	int rc = db_query(c, "SELECT DISTINCT kind FROM application_documents WHERE application_id = ?", DBP(DBI(id)),
	                  &r);
	if (rc)
		return rc;
	for (int k = 0; k < APP_REQUIRED_DOCUMENTS; k++) {
		int have = 0;
		for (int i = 0; i < r->nrows; i++)
			have |= !strcmp(db_val(r, i, 0), app_document_kinds[k]);
		if (!have) {
			char f[64];
			snprintf(f, sizeof f, "documents.%s", app_document_kinds[k]);
			verr_add(v, f, "required", "upload the %s document (PDF, JPEG or PNG) before submitting",
			         app_document_kinds[k]);
		}
	}
	db_res_free(r);
	return 0;
}

/* --- guards and effects ------------------------------------------------------------------ */

static long long row_id(const fsm_run *r)
{
	return db_int(r->row, 0, AC_ID);
}

static const app_args *args_of(const fsm_run *r)
{
	static const app_args none = { 0 };
	return r->arg ? r->arg : &none;
}

static int now_db(char out[32])
{
	clock_fmt_db(clock_now(), out);
	return 0;
}

/* Everything a submission must satisfy, then the name claimed and the submission recorded. */
static int effect_submit(fsm_run *run)
{
	tx *t = run->t;
	const db_res *r = run->row;
	long long id = row_id(run);
	enum app_kind kind = app_kind_of(r, 0);
	int64_t today = clock_local_day(clock_now());
	cJSON *body = cJSON_Parse(db_val(r, 0, AC_BODY));
	org_row org_ = { 0 }, *org = &org_;
	verr v = { 0 };
	const char *claim = NULL, *claim_field = "name", *own_uscc = NULL;
	int rc = 0;
	if (!body)
		return DB_ERROR;

	if (kind == APP_ESTABLISH) {
		registry_check_establish(body, 1, &v);
		check_birth_dates(body, today, &v);
		if ((rc = check_documents(t->c, id, &v)))
			goto out;
		claim = json_str_member(body, "name");
	} else {
		const char *uscc = db_val(r, 0, AC_ORG_USCC);
		if ((rc = org_owned(t, uscc, 1, &v, org)))
			goto out;
		if (!org->res)
			goto refuse;
		own_uscc = uscc;
		if ((rc = app_check_one_pending(t, uscc, id)))
			goto out;
		if (kind == APP_CHANGE) {
			const cJSON *ch = cJSON_GetObjectItemCaseSensitive(body, "changes");
			check_change(ch, org, &v);
			check_birth_date(cJSON_GetObjectItemCaseSensitive(ch, "legal_representative"),
			                 "changes.legal_representative.id_number", today, &v);
			if (!v.count) {
				cJSON *diff = registry_change_diff(org, ch);
				if (!cJSON_GetArraySize(diff))
					verr_add(&v, "changes", "no_changes",
					         "every value given is already the organization's");
				cJSON_Delete(diff);
			}
			const char *renamed = json_str_member(ch, "name");
			if (renamed && strcmp(renamed, org->name)) {
				claim = renamed;
				claim_field = "changes.name";
			}
		} else {
			const char *reason = NULL;
			if (json_get_str(body, "reason", &reason, &v, "reason", JSON_REQUIRED, 1, REASON_MAX_CHARS) ==
			            1 &&
			    json_blank(reason))
				verr_add(&v, "reason", "required", "give the reason for deregistration");
		}
	}
	/* The name last, so a 422 lists it with everything else (a name too long for any rule was
	 * refused above and is not looked up). */
	if (claim && (!*claim || json_utf8_len(claim) > NAME_CLAIM_MAX_CHARS))
		claim = NULL;
	if (claim) {
		int taken = registry_name_taken(t->c, claim, id, own_uscc);
		if (taken < 0) {
			rc = taken;
			goto out;
		}
		if (taken)
			verr_add(&v, claim_field, "name_taken",
			         "%s is the name of a registered organization or of an application being decided",
			         claim);
	}
refuse:
	if (v.count) {
		rc = tx_refuse_fields(t, 422, "validation_failed", "the application cannot be submitted as it is", &v);
		goto out;
	}
	if (claim) {
		rc = registry_claim_name(t->c, claim, id, own_uscc);
		if (rc == 1) {
			verr_add(&v, claim_field, "name_taken", "%s was claimed by another application a moment ago",
			         claim);
			rc = tx_refuse_fields(t, 422, "validation_failed",
			                      "the application cannot be submitted as it is", &v);
		}
		if (rc)
			goto out;
	}
	/* A renamed resubmission gives up the name it held before. */
	if ((rc = registry_release_claims(t->c, id, claim)))
		goto out;
	char now[32];
	now_db(now);
	app_cols k = app_columns(kind, body, org);
	rc = db_exec(
	        t->c,
	        "UPDATE applications SET submitted_at = ?, first_submitted_at = COALESCE(first_submitted_at, ?), "
	        "legal_form = ?, category = ?, name = ?, region_code = ? WHERE id = ?",
	        DBP(DBS(now), DBS(now), DBS(k.legal_form), DBS(k.category), DBS(k.name), DBS(k.region_code), DBI(id)),
	        NULL, NULL);
	cJSON_AddBoolToObject(run->summary, "resubmission", !db_isnull(r, 0, AC_FIRST_SUBMITTED));
	if (claim)
		cJSON_AddStringToObject(run->summary, "name_claimed", claim);
out:
	verr_free(&v);
	org_row_free(org);
	cJSON_Delete(body);
	return rc;
}

static int effect_withdraw(fsm_run *run)
{
	return registry_release_claims(run->t->c, row_id(run), NULL);
}

/* 删除草稿: a draft never reached the bureau, so its applicant deletes it rather than withdrawing
 * it: its documents go (content and all), any name it claimed is released, and the row stays in
 * the state deleted, which no list or read shows, for the audit entries that name it. */
static int effect_delete(fsm_run *run)
{
	long long id = row_id(run);
	db_res *r;
	int rc = db_query(run->t->c, "SELECT COUNT(*) FROM application_documents WHERE application_id = ?",
	                  DBP(DBI(id)), &r);
	if (rc)
		return rc;
	cJSON_AddNumberToObject(run->summary, "documents_deleted", (double)db_int(r, 0, 0));
	db_res_free(r);
	rc = db_exec(run->t->c, "DELETE FROM application_documents WHERE application_id = ?", DBP(DBI(id)), NULL, NULL);
	return rc ? rc : registry_release_claims(run->t->c, id, NULL);
}

/* 行政许可法 Art. 32: one request listing every missing item, within the window. */
static int guard_request_supplement(fsm_run *run)
{
	if (db_isnull(run->row, 0, AC_SUPPLEMENT_REQUESTED))
		return 0;
	return fsm_conflict(
	        run, APP_submitted, "supplement_already_requested",
	        "supplements were already requested for this application; each application gets one request "
	        "listing every item");
}

/* An edit is whatever change the caller brings (PATCH, a document), audited under its name. */
static int effect_edit(fsm_run *run)
{
	const app_args *a = args_of(run);
	if (a->audit)
		run->audit = a->audit;
	return a->edit ? a->edit(run) : 0;
}

/* When no transition fits: the application's own words for two common cases. */
static int refuse(fsm_run *run, int state)
{
	int action = run->action;
	if (action == APP_DO_edit)
		return fsm_conflict(
		        run, state, "not_editable",
		        "an application can be edited only as a draft or when supplements were requested; this one "
		        "is %s",
		        state_names[state]);
	if (action == APP_DO_request_supplement && state == APP_accepted && db_int(run->row, 0, AC_DEEMED)) {
		if (!db_isnull(run->row, 0, AC_SUPPLEMENT_REQUESTED))
			return fsm_conflict(
			        run, state, "supplement_already_requested",
			        "supplements were already requested for this application; each application gets one "
			        "request listing every item");
		char end[16];
		clock_fmt_date(app_supplement_window_end(row_time(run->row, 0, AC_FIRST_SUBMITTED)), end);
		return fsm_conflict(run, state, "supplement_window_closed",
		                    "supplements may be requested only within %lld working days of the first "
		                    "submission (until %s); "
		                    "the application counts as accepted from its submission date",
		                    rule(RULE_supplement_window_days), end);
	}
	return 0;
}

/* --- the table ------------------------------------------------------------------------------ */

/* SPEC §4 States. The bound effects are the decisions (application_decisions.h). */
static const fsm_transition transitions[] = {
	{ APP_draft, APP_DO_edit, APP_draft, APP, NULL, effect_edit, NULL },
	{ APP_draft, APP_DO_submit, APP_submitted, APP, NULL, effect_submit, NULL },
	{ APP_draft, APP_DO_withdraw, APP_withdrawn, APP, NULL, effect_withdraw, NULL },
	{ APP_draft, APP_DO_delete, APP_deleted, APP, NULL, effect_delete, NULL },
	{ APP_submitted, APP_DO_request_supplement, APP_supplement_requested, REG, guard_request_supplement,
	  fsm_bound_effect, NULL },
	{ APP_submitted, APP_DO_accept, APP_accepted, REG, NULL, fsm_bound_effect, NULL },
	{ APP_submitted, APP_DO_deem, APP_accepted, FSM_SYSTEM, NULL, fsm_bound_effect, NULL },
	{ APP_submitted, APP_DO_withdraw, APP_withdrawn, APP, NULL, effect_withdraw, NULL },
	{ APP_supplement_requested, APP_DO_edit, APP_supplement_requested, APP, NULL, effect_edit, NULL },
	{ APP_supplement_requested, APP_DO_submit, APP_submitted, APP, NULL, effect_submit, NULL },
	{ APP_supplement_requested, APP_DO_withdraw, APP_withdrawn, APP, NULL, effect_withdraw, NULL },
	{ APP_accepted, APP_DO_approve, APP_approved, REG, NULL, fsm_bound_effect, NULL },
	{ APP_accepted, APP_DO_reject, APP_rejected, REG, NULL, fsm_bound_effect, NULL },
};

static const fsm_timer timers[] = {
	/* 行政许可法 Art. 32: no request for supplements within the window → accepted. */
	{ "deemed_acceptance", APP_submitted, APP_DO_deem, app_deem_at },
};

const fsm_def app_flow = {
	.object = "application",
	.sql_read = "SELECT " APP_COLUMNS " FROM applications WHERE id = ?",
	.sql_lock = "SELECT " APP_COLUMNS " FROM applications WHERE id = ? FOR UPDATE",
	.sql_move = "UPDATE applications SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
	.sql_in_state = "SELECT id FROM applications WHERE status = ? AND id > ? ORDER BY id LIMIT ?",
	.col_id = AC_ID,
	.col_status = AC_STATUS,
	.col_version = AC_VERSION,
	.states = state_names,
	.nstates = APP_NSTATES,
	.actions = action_names,
	.nactions = APP_NACTIONS,
	.transitions = transitions,
	.ntransitions = sizeof transitions / sizeof transitions[0],
	.timers = timers,
	.ntimers = sizeof timers / sizeof timers[0],
	.visible = app_visible,
	.refuse = refuse,
	.what = "application",
	.path = "/api/v1/applications/{id}",
};
