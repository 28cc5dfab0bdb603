/* grades.c — a registrar grades an organization from its evaluation score (SPEC §5): 1A–5A by
 * configurable cut-offs, valid grade_valid_years. Organizations registered fewer than
 * grade_min_years_registered years, or on either list, cannot be graded. A new grade is a new
 * row (history is never overwritten); the organization's current grade is updated with it. */
#include "credit.h"
#include "orgs.h"
#include "scheduler.h"

#include <stdio.h>
#include <string.h>

enum { SCORE_MAX = 1000 };

/* The grade a score earns under the rules' cut-offs. */
static const char *grade_of(long long score)
{
	if (score >= rule(RULE_grade_5a_min))
		return "5A";
	if (score >= rule(RULE_grade_4a_min))
		return "4A";
	if (score >= rule(RULE_grade_3a_min))
		return "3A";
	if (score >= rule(RULE_grade_2a_min))
		return "2A";
	return "1A";
}

typedef struct grade_args {
	char uscc[USCC_LEN + 1];
	long long score;
	int64_t decided_on;
	const char *basis;
} grade_args;

static cJSON *grade_change(const char *field, const char *old, const char *nv)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "field", field);
	json_add_str_or_null(e, "old", old);
	json_add_str_or_null(e, "new", nv);
	return e;
}

static int grade_tx(tx *t, void *arg)
{
	const grade_args *a = arg;
	org_row o;
	int rc = credit_org_lock_or_refuse(t, a->uscc, &o);
	if (rc)
		return rc;
	int64_t registered = 0;
	clock_parse_date(o.registered_at, &registered);
	int64_t old_enough = clock_add_months(registered, (int)(12 * rule(RULE_grade_min_years_registered)));
	char day[16], until_s[16], since[16];
	clock_fmt_date(a->decided_on, day);
	db_res *cur = NULL;
	long long listed = 0;
	cJSON *changes = NULL;
	if (old_enough > a->decided_on) {
		clock_fmt_date(old_enough, since);
		rc = tx_refuse(t, 422, "registered_too_recently",
		               "an organization is graded only after %lld years of registration (from %s)",
		               rule(RULE_grade_min_years_registered), since);
		goto out;
	}
	if ((rc = credit_listings(t->c, a->uscc, &listed)))
		goto out;
	if (listed) {
		rc = tx_refuse(t, 422, "listed",
		               "an organization on the abnormal or the serious list cannot be graded");
		goto out;
	}
	const char *grade = grade_of(a->score);
	/* Valid grade_valid_years: through the day before the anniversary of the decision. */
	int64_t until = clock_add_months(a->decided_on, (int)(12 * rule(RULE_grade_valid_years))) - 1;
	clock_fmt_date(until, until_s);
	if ((rc = db_query(t->c, "SELECT grade, grade_valid_until FROM orgs WHERE uscc = ?", DBP(DBS(a->uscc)), &cur)))
		goto out;
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long id = 0;
	rc = db_exec(
	        t->c,
	        "INSERT INTO credit_grades (uscc, score, grade, decided_on, valid_until, basis, actor_id, created_at) "
	        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	        DBP(DBS(a->uscc), DBI(a->score), DBS(grade), DBS(day), DBS(until_s), DBS(a->basis), DBI(t->user->id),
	            DBS(now)),
	        NULL, &id);
	if (!rc)
		rc = db_exec(t->c, "UPDATE orgs SET grade = ?, grade_valid_until = ? WHERE uscc = ?",
		             DBP(DBS(grade), DBS(until_s), DBS(a->uscc)), NULL, NULL);
	if (rc)
		goto out;
	changes = cJSON_CreateArray();
	cJSON_AddItemToArray(changes, grade_change("grade", db_val(cur, 0, 0), grade));
	cJSON_AddItemToArray(changes, grade_change("grade_valid_until", db_val(cur, 0, 1), until_s));
	if ((rc = credit_org_event(t, a->uscc, "grade", a->decided_on, a->basis, changes)))
		goto out;

	cJSON *d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "id", (double)id);
	cJSON_AddStringToObject(d, "uscc", a->uscc);
	cJSON_AddStringToObject(d, "grade", grade);
	cJSON_AddNumberToObject(d, "score", (double)a->score);
	cJSON_AddStringToObject(d, "decided_on", day);
	cJSON_AddStringToObject(d, "valid_until", until_s);
	cJSON_AddStringToObject(d, "basis", a->basis);
	cJSON *s = cJSON_Duplicate(d, 1);
	cJSON_AddItemToObject(s, "changes", cJSON_Duplicate(changes, 1));
	rc = audit_append(t->c, t->user, "org.grade", "org", a->uscc, s);
	cJSON_Delete(s);
	if (rc) {
		cJSON_Delete(d);
		goto out;
	}
	tx_answer(t, 201, d, 0);
out:
	cJSON_Delete(changes);
	db_res_free(cur);
	org_row_free(&o);
	return rc;
}

/* --- expiry -------------------------------------------------------------------------------- */

/* A grade is valid through grade_valid_until (SPEC §5): the day after, the register no longer
 * shows it. The sweep takes it off the organization (its grade history stays in credit_grades),
 * in batches, each one transaction: a history event per organization (the grade and its date
 * going to none), a new profile version, the caches of every instance dropped, one audit entry
 * naming the organizations. Idempotent: what it changed no longer matches. */
#define EXPIRE_BATCH 500

typedef struct expire_batch {
	char today[16];
	long long changed;
} expire_batch;

static int expire_tx(tx *t, void *arg)
{
	expire_batch *b = arg;
	db_res *r;
	int rc = db_query(t->c,
	                  "SELECT uscc, grade, grade_valid_until FROM orgs WHERE grade IS NOT NULL AND "
	                  "grade_valid_until < ? ORDER BY uscc LIMIT ? FOR UPDATE",
	                  DBP(DBS(b->today), DBI(EXPIRE_BATCH)), &r);
	if (rc)
		return rc;
	b->changed = r->nrows;
	int64_t today;
	clock_parse_date(b->today, &today);
	cJSON *orgs = cJSON_CreateArray();
	for (int i = 0; i < r->nrows && !rc; i++) {
		const char *uscc = db_val(r, i, 0);
		rc = db_exec(t->c, "UPDATE orgs SET grade = NULL, grade_valid_until = NULL WHERE uscc = ?",
		             DBP(DBS(uscc)), NULL, NULL);
		cJSON *changes = cJSON_CreateArray();
		cJSON_AddItemToArray(changes, grade_change("grade", db_val(r, i, 1), NULL));
		cJSON_AddItemToArray(changes, grade_change("grade_valid_until", db_val(r, i, 2), NULL));
		if (!rc)
			rc = credit_org_event(t, uscc, "grade", today, "评估等级有效期届满", changes);
		cJSON_Delete(changes);
		cJSON_AddItemToArray(orgs, cJSON_CreateString(uscc));
	}
	db_res_free(r);
	if (!rc && b->changed) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "day", b->today);
		cJSON_AddNumberToObject(s, "count", (double)b->changed);
		cJSON_AddItemToObject(s, "orgs", orgs);
		orgs = NULL;
		rc = audit_append(t->c, NULL, "credit_grade.expire", "credit_rule", "grade_expiry", s);
		cJSON_Delete(s);
	}
	cJSON_Delete(orgs);
	return rc;
}

int grades_expire_run(cJSON *report)
{
	expire_batch b = { 0 };
	clock_fmt_date(clock_local_day(clock_now()), b.today);
	long long total = 0;
	int rc = 0;
	do {
		tx t;
		rc = tx_run(NULL, expire_tx, &b, &t);
		if (rc == TX_REFUSED)
			tx_done(&t);
		if (rc)
			break;
		total += b.changed;
	} while (b.changed == EXPIRE_BATCH);
	sched_report(report, "grade_expiry", total);
	return rc;
}

static void grades_post(http_req *req)
{
	grade_args a = { 0 };
	if (orgs_path_uscc_or_reply(req, a.uscc) < 0)
		return;
	static const char *const fields[] = { "score", "decided_on", "basis", NULL };
	verr v = { 0 };
	json_only_fields(req->json, fields, &v, NULL);
	json_get_int(req->json, "score", &a.score, &v, "score", JSON_REQUIRED, 0, SCORE_MAX);
	credit_get_date(req->json, "decided_on", clock_local_day(clock_now()), JSON_REQUIRED, &a.decided_on, &v);
	credit_get_text(req->json, "basis", CREDIT_TEXT_MAX_CHARS, JSON_REQUIRED, &a.basis, &v);
	if (v.count) {
		http_problem_fields(req, 422, "validation_failed", "the grade is not valid", &v);
		return;
	}
	tx_run_or_reply(req, grade_tx, &a);
}

const route grades_routes[] = {
	{ "POST", "/api/v1/orgs/{uscc}/grade", grades_post, ROLE_REGISTRAR, R_JSON | R_IDEMPOTENT },
	{ NULL, NULL, NULL, 0, 0 },
};
