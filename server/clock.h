/* clock.h — the one clock all "now" comes from, and calendar arithmetic.
 *
 * Times are microseconds since the Unix epoch (UTC). Calendar dates are days since the
 * epoch in the bureau's local time (tz_offset_minutes, default UTC+8), because a statutory
 * "5 days" counts China's calendar days. With SANZHI_TEST_CLOCK=1 an admin may move the
 * clock (PUT /api/v1/admin/clock); it then runs on from the time set. */
#ifndef SANZHI_CLOCK_H
#define SANZHI_CLOCK_H

#include <stdint.h>

typedef int64_t usec_t;
#define USEC_PER_SEC 1000000LL
#define USEC_PER_DAY (86400LL * USEC_PER_SEC)

usec_t clock_now(void);
/* The times the test clock may be set to: from the epoch to 2999-12-31T23:59:59Z. Every "now"
 * is stored in DATETIME(6) columns, which end with 9999-12-31, and deadlines and expiries are
 * computed from it (12 hours, 60 days, a year, …): a clock near DATETIME's end made every audited
 * write fail, including the one that would have set the clock back. */
#define CLOCK_SET_MIN 0LL
#define CLOCK_SET_MAX (32503680000LL * USEC_PER_SEC - 1) /* 3000-01-01T00:00:00Z less 1 µs */
/* Test clock: 0 on success, -1 when the test clock is not enabled, -2 outside
 * [CLOCK_SET_MIN, CLOCK_SET_MAX]. */
int clock_set(usec_t now);
/* The same, with stop 1: the clock stands at now until set again (a deadline tested to the
 * microsecond); stop 0 is clock_set. */
int clock_set_frozen(usec_t now, int stop);
int clock_is_frozen(void);
/* The system's time, whatever the test clock says. */
usec_t clock_real_now(void);
/* Test clock: back to the real time (no offset); -1 when the test clock is not enabled. */
int clock_reset(void);
int clock_is_test(void);
void clock_enable_test(int on);

/* RFC 3339: "2026-11-25T10:00:00Z" (whole seconds; out >= 32 bytes). */
void clock_fmt(usec_t t, char *out);
/* "2026-11-25 10:00:00.123456" in UTC, the form DATETIME(6) columns take (out >= 32). */
void clock_fmt_db(usec_t t, char *out);
/* Parses RFC 3339 with Z or +hh:mm, optional fraction; also the DB form. -1 if malformed. */
int clock_parse(const char *s, usec_t *out);

/* Calendar days (days since 1970-01-01). */
int64_t clock_days_from_civil(int y, int m, int d);
void clock_civil_from_days(int64_t days, int *y, int *m, int *d);
/* Local calendar date of an instant. */
int64_t clock_local_day(usec_t t);
/* The first instant of a local day (midnight local, as UTC microseconds). */
usec_t clock_local_midnight(int64_t day);
/* "YYYY-MM-DD" <-> day. */
void clock_fmt_date(int64_t day, char *out);
int clock_parse_date(const char *s, int64_t *day);

/* Working days: Mon–Fri, minus configured holidays, plus configured make-up workdays. */
int clock_is_working_day(int64_t day);
/* The day that is n working days after day (n >= 0; n = 0 gives day itself). */
int64_t clock_add_working_days(int64_t day, int n);
/* Loads the holiday and make-up day lists from the configuration strings. */
void clock_load_calendar(const char *holidays, const char *workdays, int tz_offset_minutes);
/* Add calendar months, clamping to the month's end (Jan 31 + 1 month = Feb 28/29). */
int64_t clock_add_months(int64_t day, int months);

#endif
