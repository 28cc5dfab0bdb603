/* credit_common.c — the checks and writes every credit writer shares (see credit.h): dates and
 * texts in bodies, the organization locked and registered, its public history. */
#include "credit.h"
#include "feed.h"
#include "orgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- what the writers share -------------------------------------------------------------- */

int credit_get_date(const cJSON *body, const char *key, int64_t today, int required, int64_t *day, verr *v)
{
	const char *s = NULL;
	/* Any text that is not a date is an invalid_date, however long. */
	int got = json_get_str(body, key, &s, v, key, required, 0, CREDIT_TEXT_MAX_CHARS);
	if (got != 1)
		return got;
	if (strlen(s) != 10 || clock_parse_date(s, day) < 0) {
		verr_add(v, key, "invalid_date", "%s must be a date YYYY-MM-DD", key);
		return -1;
	}
	if (*day > today) {
		verr_add(v, key, "date_in_future", "%s (%s) is after today", key, s);
		return -1;
	}
	return 1;
}

int credit_get_text(const cJSON *body, const char *key, size_t max, int required, const char **out, verr *v)
{
	int got = json_get_str(body, key, out, v, key, required, 1, max);
	if (got != 1)
		return got;
	if (json_blank(*out)) {
		verr_add(v, key, "required", "%s must say something", key);
		return -1;
	}
	/* A name or a number is one line of visible text; a basis or evidence may run over lines. */
	if (max <= CREDIT_NAME_MAX_CHARS && !json_text_clean(*out, 1)) {
		verr_add(v, key, "invalid_text", "%s must be one line of visible text", key);
		return -1;
	}
	return 1;
}

int credit_org_lock_or_refuse(tx *t, const char *uscc, org_row *o)
{
	return orgs_lock_registered_or_refuse(t, uscc, o, "org_deregistered",
	                                      "%s is deregistered; its credit no longer changes", uscc);
}

/* --- the organization's history ---------------------------------------------------------- */

int credit_org_event(tx *t, const char *uscc, const char *type, int64_t effective, const char *reason,
                     const cJSON *changes)
{
	char now[32], day[16];
	clock_fmt_db(clock_now(), now);
	clock_fmt_date(effective, day);
	char *ch = changes ? json_print(changes) : NULL;
	if (changes && !ch)
		return DB_ERROR;
	int rc = db_exec(t->c,
	                 "INSERT INTO org_events (uscc, type, at, effective_date, reason, changes, actor_id) "
	                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
	                 DBP(DBS(uscc), DBS(type), DBS(now), DBS(day), DBS(reason), DBS(ch),
	                     t->user ? DBI(t->user->id) : DBNULL),
	                 NULL, NULL);
	free(ch);
	/* The profile changed: a new version (its ETag) and every instance's cache dropped. */
	if (!rc)
		rc = db_exec(t->c, "UPDATE orgs SET version = version + 1, updated_at = ? WHERE uscc = ?",
		             DBP(DBS(now), DBS(uscc)), NULL, NULL);
	if (!rc)
		rc = feed_add(t->c, "org", uscc, type, NULL);
	return rc ? rc : orgs_touch(t->c);
}
