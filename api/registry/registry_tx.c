/* registry_tx.c — what approving an application does to the register (SPEC §4): one transaction
 * creates or versions the organization, issues its USCC, records its names and history, and
 * (re)issues its certificate. Nothing here commits; the caller's transaction does, or rolls
 * everything back, so no approved application exists without its organization. */
#include "registry_tx.h"
#include "certificates.h"
#include "org_row.h"
#include "feed.h"
#include "orgs.h"
#include "orgs_index.h"
#include "uscc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tries before giving up on finding an unused code (only imported codes can collide). */
#define USCC_ISSUE_ATTEMPTS 32

/* What the public history says (org_events.reason). */
#define REASON_ESTABLISH "准予成立登记"
#define REASON_CHANGE "准予变更登记"

/* --- organizations and names ------------------------------------------------------------ */

int registry_name_taken(db_conn *c, const char *name, long long application_id, const char *own_uscc)
{
	db_res *r;
	int rc = db_query(c, "SELECT uscc, application_id FROM name_claims WHERE name = ? FOR UPDATE", DBP(DBS(name)),
	                  &r);
	if (rc)
		return rc;
	int taken = 0;
	if (r->nrows == 1) {
		const char *uscc = db_val(r, 0, 0);
		if (uscc)
			taken = !own_uscc || strcmp(uscc, own_uscc);
		else
			taken = db_int(r, 0, 1) != application_id;
	}
	db_res_free(r);
	if (taken)
		return 1;
	/* Organizations imported or registered before claims existed hold their current names too
	 * (org_names has every organization's current name, to_date NULL). */
	rc = db_query(c,
	              "SELECT o.uscc FROM org_names n JOIN orgs o ON o.uscc = n.uscc WHERE n.name = ? "
	              "AND n.to_date IS NULL AND o.status = 'registered' AND (? IS NULL OR o.uscc <> ?) LIMIT 1",
	              DBP(DBS(name), DBS(own_uscc), DBS(own_uscc)), &r);
	if (rc)
		return rc;
	taken = r->nrows > 0;
	db_res_free(r);
	return taken;
}

int registry_claim_name(db_conn *c, const char *name, long long application_id, const char *own_uscc)
{
	int taken = registry_name_taken(c, name, application_id, own_uscc);
	if (taken)
		return taken;
	int rc = db_exec(c, "INSERT INTO name_claims (name, uscc, application_id) VALUES (?, NULL, ?)",
	                 DBP(DBS(name), DBI(application_id)), NULL, NULL);
	if (rc != DB_DUP)
		return rc;
	/* Already ours, or another application's that committed since we looked. */
	return registry_name_taken(c, name, application_id, own_uscc);
}

int registry_release_claims(db_conn *c, long long application_id, const char *keep)
{
	return db_exec(c,
	               "DELETE FROM name_claims WHERE application_id = ? AND uscc IS NULL AND (? IS NULL OR name <> ?)",
	               DBP(DBI(application_id), DBS(keep), DBS(keep)), NULL, NULL);
}

/* The application's claim on name becomes the organization's. 1 if someone else holds it. */
static int claim_for_org(db_conn *c, const char *name, long long application_id, const char *uscc)
{
	db_res *r;
	int rc = db_query(c, "SELECT uscc, application_id FROM name_claims WHERE name = ? FOR UPDATE", DBP(DBS(name)),
	                  &r);
	if (rc)
		return rc;
	int exists = r->nrows == 1;
	int ours = exists && db_isnull(r, 0, 0) && db_int(r, 0, 1) == application_id;
	int same_org = exists && db_val(r, 0, 0) && !strcmp(db_val(r, 0, 0), uscc);
	db_res_free(r);
	if (exists && !ours && !same_org)
		return 1;
	if (exists)
		return db_exec(c, "UPDATE name_claims SET uscc = ?, application_id = ? WHERE name = ?",
		               DBP(DBS(uscc), DBI(application_id), DBS(name)), NULL, NULL);
	rc = db_exec(c, "INSERT INTO name_claims (name, uscc, application_id) VALUES (?, ?, ?)",
	             DBP(DBS(name), DBS(uscc), DBI(application_id)), NULL, NULL);
	return rc == DB_DUP ? 1 : rc;
}

/* --- the unified social credit code ----------------------------------------------------- */

/* GB 32100: the serial comes from uscc_issued's AUTO_INCREMENT, so no two approvals share one
 * and none is ever reused (rows are never deleted; a rolled-back serial is skipped). The row is
 * inserted under a placeholder ('~' is outside the USCC alphabet, so it is never a code) and
 * given its code in the same transaction. A code an imported organization already holds spends
 * its serial on that organization, and the next serial is tried. */
static int issue_uscc(db_conn *c, long long application_id, const char *legal_form, const char *region, const char *now,
                      char out[USCC_LEN + 1])
{
	char category = uscc_category_for_form(legal_form);
	if (!category || !region || strlen(region) != 6)
		return DB_ERROR;
	for (int attempt = 0; attempt < USCC_ISSUE_ATTEMPTS; attempt++) {
		char placeholder[48];
		snprintf(placeholder, sizeof placeholder, "~%015llu%02d",
		         (unsigned long long)application_id % 1000000000000000ULL, attempt % 100);
		unsigned long long serial = 0;
		int rc = db_exec(c, "INSERT INTO uscc_issued (uscc, issued_at) VALUES (?, ?)",
		                 DBP(DBS(placeholder), DBS(now)), NULL, &serial);
		if (rc)
			return rc;
		char code[USCC_LEN + 1];
		if (uscc_build('5', category, region, serial, code) < 0 || uscc_check(code, NULL, NULL) < 0) {
			log_kv(LOG_ERROR, "no valid USCC for this serial (serials exhausted?)", NULL);
			return DB_ERROR;
		}
		db_res *r;
		if ((rc = db_query(c, "SELECT 1 FROM orgs WHERE uscc = ?", DBP(DBS(code)), &r)))
			return rc;
		int held = r->nrows > 0;
		db_res_free(r);
		rc = db_exec(c, "UPDATE uscc_issued SET uscc = ? WHERE serial = ?", DBP(DBS(code), DBI(serial)), NULL,
		             NULL);
		if (rc == DB_DUP || (!rc && held))
			continue;
		if (rc)
			return rc;
		memcpy(out, code, sizeof code);
		return 0;
	}
	log_kv(LOG_ERROR, "no unused USCC after repeated attempts", NULL);
	return DB_ERROR;
}

/* --- history ---------------------------------------------------------------------------- */

static int add_event(db_conn *c, const char *uscc, const char *type, const char *now, const char *today,
                     const char *reason, const cJSON *changes, long long application_id, const auth_user *who)
{
	char *ch = changes ? json_print(changes) : NULL;
	if (changes && !ch)
		return DB_ERROR;
	int rc = db_exec(
	        c,
	        "INSERT INTO org_events (uscc, type, at, effective_date, reason, changes, application_id, actor_id) "
	        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	        DBP(DBS(uscc), DBS(type), DBS(now), DBS(today), DBS(reason), DBS(ch), DBI(application_id),
	            DBI(who->id)),
	        NULL, NULL);
	free(ch);
	/* The public history is the register's public change (feed.h). */
	return rc ? rc : feed_add(c, "org", uscc, type, NULL);
}

static void add_change(cJSON *diff, const char *field, cJSON *old, cJSON *nv)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "field", field);
	cJSON_AddItemToObject(e, "old", old);
	cJSON_AddItemToObject(e, "new", nv);
	cJSON_AddItemToArray(diff, e);
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

cJSON *registry_change_diff(const org_row *org, const cJSON *changes)
{
	const struct {
		const char *field, *old;
	} texts[] = {
		{ "name", org->name },
		{ "domicile", org->domicile },
		{ "business_scope", org->business_scope },
		{ "activity_area", org->activity_area },
	};
	cJSON *diff = cJSON_CreateArray();
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *nv = json_str_member(changes, texts[i].field), *old = texts[i].old;
		if (nv && (!old || strcmp(nv, old)))
			add_change(diff, texts[i].field, str_or_null(old), cJSON_CreateString(nv));
	}
	const cJSON *funds = cJSON_GetObjectItemCaseSensitive(changes, "funds_fen");
	if (cJSON_IsNumber(funds) && (!org->has_funds || (double)org->funds_fen != funds->valuedouble))
		add_change(diff, "funds_fen",
		           org->has_funds ? cJSON_CreateNumber((double)org->funds_fen) : cJSON_CreateNull(),
		           cJSON_CreateNumber(funds->valuedouble));
	/* The representative by name only: ID numbers are never public. */
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(changes, "legal_representative");
	const char *name = json_str_member(rep, "name"), *id = json_str_member(rep, "id_number");
	const char *old_name = org->legal_rep_name, *old_id = org->legal_rep_id_number;
	if (name && ((!old_name || strcmp(name, old_name)) || (id && (!old_id || strcmp(id, old_id)))))
		add_change(diff, "legal_representative", str_or_null(old_name), cJSON_CreateString(name));
	return diff;
}

/* --- approval --------------------------------------------------------------------------- */

typedef struct approval {
	db_conn *c;
	tx *t;
	const registry_decision *d;
	long long app_id;
	cJSON *body;
	cJSON *summary;
	char now[32], today[16];
} approval;

static int name_taken_problem(approval *a, const char *name)
{
	return tx_refuse(a->t, 409, "name_taken", "%s is already held by another organization or application", name);
}

static int org_gone_problem(approval *a, const char *uscc, const org_row *org)
{
	return tx_refuse(a->t, 409, "org_not_registered", "%s is %s; the application can only be rejected", uscc,
	                 org->res ? org_status_names[org->status] : "not in the register");
}

static int approve_establish(approval *a, char uscc[USCC_LEN + 1])
{
	db_conn *c = a->c;
	const cJSON *b = a->body;
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(b, "legal_representative");
	const cJSON *funds = cJSON_GetObjectItemCaseSensitive(b, "funds_fen");
	const char *name = json_str_member(b, "name"), *form = json_str_member(b, "legal_form"),
	           *region = json_str_member(b, "region_code");
	if (!name || !form || !region)
		return DB_ERROR; /* submission checked these; a row without them was tampered with */
	const auth_user *who = a->t->user;
	int rc = issue_uscc(c, a->app_id, form, region, a->now, uscc);
	if (rc)
		return rc;
	rc = db_exec(
	        c,
	        "INSERT INTO orgs (uscc, name, legal_form, category, scope, fundraising, region_code, domicile, "
	        "business_scope, activity_area, funds_fen, legal_rep_name, legal_rep_id_number, registered_at, status, "
	        "owner_user_id, source, version, created_at, updated_at) "
	        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?, 'application', 1, ?, ?)",
	        DBP(DBS(uscc), DBS(name), DBS(form), DBS(json_str_member(b, "category")),
	            DBS(json_str_member(b, "scope") ? json_str_member(b, "scope") : "local"),
	            DBS(!strcmp(form, "foundation")
	                        ? (json_str_member(b, "fundraising") ? json_str_member(b, "fundraising") : "none")
	                        : NULL),
	            DBS(region), DBS(json_str_member(b, "domicile") ? json_str_member(b, "domicile") : ""),
	            DBS(json_str_member(b, "business_scope") ? json_str_member(b, "business_scope") : ""),
	            DBS(json_str_member(b, "activity_area")),
	            cJSON_IsNumber(funds) ? DBI((long long)funds->valuedouble) : DBNULL,
	            DBS(json_str_member(rep, "name") ? json_str_member(rep, "name") : ""),
	            DBS(json_str_member(rep, "id_number")), DBS(a->today), DBI(a->d->applicant_id), DBS(a->now),
	            DBS(a->now)),
	        NULL, NULL);
	if (rc)
		return rc;
	if ((rc = claim_for_org(c, name, a->app_id, uscc)))
		return rc == 1 ? name_taken_problem(a, name) : rc;
	rc = db_exec(c, "INSERT INTO org_names (uscc, name, from_date, to_date) VALUES (?, ?, ?, NULL)",
	             DBP(DBS(uscc), DBS(name), DBS(a->today)), NULL, NULL);
	if (rc || (rc = orgs_index_name(c, uscc, name)))
		return rc;
	if ((rc = add_event(c, uscc, "establish", a->now, a->today, REASON_ESTABLISH, NULL, a->app_id, who)))
		return rc;
	if ((rc = certificates_issue(c, uscc, who)))
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "name", name);
	cJSON_AddStringToObject(s, "legal_form", form);
	cJSON_AddStringToObject(s, "region_code", region);
	cJSON_AddStringToObject(s, "registered_at", a->today);
	cJSON_AddNumberToObject(s, "application_id", (double)a->app_id);
	rc = audit_append(c, who, "org.establish", "org", uscc, s);
	cJSON_Delete(s);
	return rc;
}

static int approve_change(approval *a, const char *uscc)
{
	db_conn *c = a->c;
	const auth_user *who = a->t->user;
	org_row org_, *org = &org_;
	cJSON *diff = NULL;
	int rc = org_row_get(c, uscc, 1, org);
	if (rc < 0)
		return rc;
	if (!rc || org->status != ORG_REGISTERED) {
		rc = org_gone_problem(a, uscc, org);
		goto out;
	}
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(a->body, "changes");
	diff = registry_change_diff(org, ch);
	const cJSON *funds = cJSON_GetObjectItemCaseSensitive(ch, "funds_fen");
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(ch, "legal_representative");
	const char *name = json_str_member(ch, "name"), *old_name = org->name;
	int renamed = name && strcmp(name, old_name);
	rc = db_exec(c,
	             "UPDATE orgs SET name = COALESCE(?, name), domicile = COALESCE(?, domicile), "
	             "business_scope = COALESCE(?, business_scope), activity_area = COALESCE(?, activity_area), "
	             "funds_fen = IF(?, ?, funds_fen), legal_rep_name = COALESCE(?, legal_rep_name), "
	             "legal_rep_id_number = COALESCE(?, legal_rep_id_number), version = version + 1, updated_at = ? "
	             "WHERE uscc = ?",
	             DBP(DBS(name), DBS(json_str_member(ch, "domicile")), DBS(json_str_member(ch, "business_scope")),
	                 DBS(json_str_member(ch, "activity_area")), DBI(cJSON_IsNumber(funds)),
	                 DBI(cJSON_IsNumber(funds) ? (long long)funds->valuedouble : 0),
	                 DBS(json_str_member(rep, "name")), DBS(json_str_member(rep, "id_number")), DBS(a->now),
	                 DBS(uscc)),
	             NULL, NULL);
	if (rc)
		goto out;
	if ((rc = orgs_touch(c)))
		goto out;
	if (renamed) {
		/* The old name becomes a former name; the new one is claimed, current and searchable. */
		if ((rc = claim_for_org(c, name, a->app_id, uscc))) {
			if (rc == 1)
				rc = name_taken_problem(a, name);
			goto out;
		}
		rc = db_exec(c, "DELETE FROM name_claims WHERE name = ? AND uscc = ?", DBP(DBS(old_name), DBS(uscc)),
		             NULL, NULL);
		if (!rc)
			rc = db_exec(c, "UPDATE org_names SET to_date = ? WHERE uscc = ? AND to_date IS NULL",
			             DBP(DBS(a->today), DBS(uscc)), NULL, NULL);
		if (!rc)
			rc = db_exec(c, "INSERT INTO org_names (uscc, name, from_date, to_date) VALUES (?, ?, ?, NULL)",
			             DBP(DBS(uscc), DBS(name), DBS(a->today)), NULL, NULL);
		if (!rc)
			rc = orgs_index_name(c, uscc, name);
		if (rc)
			goto out;
	}
	if ((rc = add_event(c, uscc, "change", a->now, a->today, REASON_CHANGE, diff, a->app_id, who)))
		goto out;
	if ((rc = certificates_issue(c, uscc, who)))
		goto out;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "application_id", (double)a->app_id);
	cJSON_AddItemToObject(s, "changes", cJSON_Duplicate(diff, 1));
	cJSON_AddNumberToObject(s, "version", (double)(org->version + 1));
	rc = audit_append(c, who, "org.change", "org", uscc, s);
	cJSON_Delete(s);
	cJSON_AddItemToObject(a->summary, "changes", cJSON_Duplicate(diff, 1));
out:
	cJSON_Delete(diff);
	org_row_free(org);
	return rc;
}

static int approve_deregister(approval *a, const char *uscc)
{
	db_conn *c = a->c;
	const auth_user *who = a->t->user;
	org_row org;
	int rc = org_row_get(c, uscc, 1, &org);
	if (rc < 0)
		return rc;
	if (!rc || org.status != ORG_REGISTERED) {
		rc = org_gone_problem(a, uscc, &org);
		org_row_free(&org);
		return rc;
	}
	long long version = org.version;
	org_row_free(&org);
	const char *reason = json_str_member(a->body, "reason");
	rc = db_exec(
	        c,
	        "UPDATE orgs SET status = 'deregistered', deregistered_at = ?, version = version + 1, updated_at = ? "
	        "WHERE uscc = ?",
	        DBP(DBS(a->today), DBS(a->now), DBS(uscc)), NULL, NULL);
	if (!rc)
		rc = orgs_touch(c);
	/* A deregistered organization stays in the register; its certificate is no longer current and
	 * its name is free again (names are unique among registered organizations). */
	if (!rc)
		rc = db_exec(c, "UPDATE certificates SET superseded_at = ? WHERE uscc = ? AND superseded_at IS NULL",
		             DBP(DBS(a->now), DBS(uscc)), NULL, NULL);
	if (!rc)
		rc = db_exec(c, "DELETE FROM name_claims WHERE uscc = ?", DBP(DBS(uscc)), NULL, NULL);
	if (!rc)
		rc = add_event(c, uscc, "deregister", a->now, a->today, reason, NULL, a->app_id, who);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "application_id", (double)a->app_id);
	cJSON_AddStringToObject(s, "deregistered_at", a->today);
	cJSON_AddNumberToObject(s, "version", (double)(version + 1));
	rc = audit_append(c, who, "org.deregister", "org", uscc, s);
	cJSON_Delete(s);
	return rc;
}

int registry_approve(tx *t, const registry_decision *d, cJSON *summary, char uscc[19])
{
	approval a = { t->c, t, d, d->application_id, cJSON_Parse(d->body ? d->body : ""), summary, "", "" };
	if (!a.body || !t->user)
		return DB_ERROR;
	usec_t now = clock_now();
	clock_fmt_db(now, a.now);
	clock_fmt_date(clock_local_day(now), a.today);
	int rc;
	if (d->kind == REGISTRY_ESTABLISH) {
		rc = approve_establish(&a, uscc);
	} else {
		const char *target = d->org_uscc;
		if (!target || strlen(target) != USCC_LEN) {
			cJSON_Delete(a.body);
			return DB_ERROR;
		}
		memcpy(uscc, target, USCC_LEN + 1);
		rc = d->kind == REGISTRY_CHANGE ? approve_change(&a, uscc) : approve_deregister(&a, uscc);
	}
	cJSON_Delete(a.body);
	return rc;
}
