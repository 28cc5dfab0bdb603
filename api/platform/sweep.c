/* sweep.c — time-driven rules, run by the daemon's sweeper every minute and by
 * POST /api/v1/admin/sweep. Each rule is idempotent: running it twice changes nothing more. */
#include "api.h"
#include "applications.h"

#include <stdio.h>

typedef int (*sweep_fn)(db_conn *c, long long *changed);

/* Expired sessions, stale idempotency records and old failed-login rows are forgotten. */
static int sweep_housekeeping(db_conn *c, long long *changed)
{
	char now[32], day_ago[32];
	usec_t t = clock_now();
	clock_fmt_db(t, now);
	clock_fmt_db(t - USEC_PER_DAY, day_ago);
	unsigned long long a = 0, b = 0, d = 0, e = 0;
	int rc = db_exec(c, "DELETE FROM sessions WHERE expires_at < ? LIMIT 10000", DBP(DBS(day_ago)), &a, NULL);
	if (!rc)
		rc = db_exec(c, "DELETE FROM idempotency WHERE created_at < ? LIMIT 10000", DBP(DBS(day_ago)), &b, NULL);
	if (!rc)
		rc = db_exec(c, "DELETE FROM login_failures WHERE at < ? LIMIT 10000", DBP(DBS(day_ago)), &d, NULL);
	if (!rc)
		rc = db_exec(c, "DELETE FROM login_locks WHERE locked_until < ? LIMIT 10000", DBP(DBS(now)), &e, NULL);
	*changed = (long long)(a + b + d + e);
	return rc;
}

static const struct {
	const char *name;
	sweep_fn fn;
} sweeps[] = {
	{ "housekeeping", sweep_housekeeping },
	{ "deemed_acceptance", applications_sweep_deemed },
};

int sweep_run(cJSON *report)
{
	db_conn *c = db_get();
	if (!c)
		return DB_DOWN;
	/* One sweeper at a time across instances. */
	db_res *lk;
	int rc = db_query(c, "SELECT GET_LOCK('sanzhi_sweep', 10)", DBNONE, &lk);
	if (rc)
		return rc;
	int got = db_int(lk, 0, 0) == 1;
	db_res_free(lk);
	if (!got)
		return DB_RETRY;
	for (size_t i = 0; i < sizeof sweeps / sizeof sweeps[0]; i++) {
		long long changed = 0;
		rc = sweeps[i].fn(c, &changed);
		if (rc)
			break;
		if (report) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "rule", sweeps[i].name);
			cJSON_AddNumberToObject(o, "changed", (double)changed);
			cJSON_AddItemToArray(report, o);
		}
	}
	if (db_query(c, "SELECT RELEASE_LOCK('sanzhi_sweep')", DBNONE, &lk) == 0)
		db_res_free(lk);
	return rc;
}
