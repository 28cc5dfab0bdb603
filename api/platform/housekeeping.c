/* housekeeping.c — expired sessions, stale idempotency records, old sign-in failures and
 * password reset requests and tokens are forgotten (a scheduled job; idempotent, so every
 * instance may run it). */
#include "api.h"
#include "idem.h"
#include "scheduler.h"

int housekeeping_run(cJSON *report)
{
	db_conn *c = db_get();
	if (!c)
		return DB_DOWN;
	char now[32], day_ago[32];
	usec_t t = clock_now();
	clock_fmt_db(t, now);
	clock_fmt_db(t - (usec_t)IDEM_TTL_HOURS * 3600 * USEC_PER_SEC, day_ago);
	unsigned long long a = 0, b = 0, d = 0, e = 0;
	int rc = db_exec(c, "DELETE FROM sessions WHERE expires_at < ? LIMIT 10000", DBP(DBS(day_ago)), &a, NULL);
	if (!rc)
		rc = db_exec(c, "DELETE FROM idempotency WHERE created_at < ? LIMIT 10000", DBP(DBS(day_ago)), &b,
		             NULL);
	if (!rc)
		rc = db_exec(c, "DELETE FROM login_failures WHERE at < ? LIMIT 10000", DBP(DBS(day_ago)), &d, NULL);
	if (!rc)
		rc = db_exec(c, "DELETE FROM login_locks WHERE locked_until < ? LIMIT 10000", DBP(DBS(now)), &e, NULL);
	/* Password reset requests count for an hour, tokens live 30 minutes: a day later neither
	 * matters. */
	unsigned long long f = 0, g = 0;
	if (!rc)
		rc = db_exec(c, "DELETE FROM password_reset_requests WHERE at < ? LIMIT 10000", DBP(DBS(day_ago)), &f,
		             NULL);
	if (!rc)
		rc = db_exec(c, "DELETE FROM password_resets WHERE expires_at < ? LIMIT 10000", DBP(DBS(day_ago)), &g,
		             NULL);
	if (!rc)
		sched_report(report, "housekeeping", (long long)(a + b + d + e + f + g));
	return rc;
}
