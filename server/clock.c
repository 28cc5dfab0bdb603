/* clock.c — one clock, RFC 3339, calendar and working-day arithmetic. */
#include "clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int test_enabled;
static usec_t offset; /* test clock: added to the real time */
static int frozen;    /* test clock: stopped at offset (then the time itself, not an offset) */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int tz_minutes = 480;

#define MAX_DAYS 1024
static int64_t holidays[MAX_DAYS], workdays[MAX_DAYS];
static int nholidays, nworkdays;

static usec_t real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (usec_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

usec_t clock_real_now(void)
{
	return real_now();
}

usec_t clock_now(void)
{
	if (!test_enabled)
		return real_now();
	pthread_mutex_lock(&lock);
	usec_t o = offset;
	int stopped = frozen;
	pthread_mutex_unlock(&lock);
	return stopped ? o : real_now() + o;
}

void clock_enable_test(int on)
{
	test_enabled = on;
}

int clock_is_test(void)
{
	return test_enabled;
}

int clock_set(usec_t now)
{
	return clock_set_frozen(now, 0);
}

int clock_set_frozen(usec_t now, int stop)
{
	if (!test_enabled)
		return -1;
	if (now < CLOCK_SET_MIN || now > CLOCK_SET_MAX)
		return -2;
	pthread_mutex_lock(&lock);
	frozen = stop != 0;
	offset = frozen ? now : now - real_now();
	pthread_mutex_unlock(&lock);
	return 0;
}

int clock_is_frozen(void)
{
	pthread_mutex_lock(&lock);
	int f = frozen;
	pthread_mutex_unlock(&lock);
	return f;
}

int clock_reset(void)
{
	if (!test_enabled)
		return -1;
	pthread_mutex_lock(&lock);
	offset = 0;
	frozen = 0;
	pthread_mutex_unlock(&lock);
	return 0;
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t clock_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void clock_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static void split(usec_t t, int *y, int *mo, int *d, int *h, int *mi, int *s, int *us)
{
	int64_t secs = floordiv(t, USEC_PER_SEC);
	*us = (int)(t - secs * USEC_PER_SEC);
	int64_t days = floordiv(secs, 86400);
	int64_t rem = secs - days * 86400;
	clock_civil_from_days(days, y, mo, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem % 3600 / 60);
	*s = (int)(rem % 60);
}

void clock_fmt(usec_t t, char *out)
{
	int y, mo, d, h, mi, s, us;
	split(t, &y, &mo, &d, &h, &mi, &s, &us);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
}

void clock_fmt_db(usec_t t, char *out)
{
	int y, mo, d, h, mi, s, us;
	split(t, &y, &mo, &d, &h, &mi, &s, &us);
	snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d.%06d", y, mo, d, h, mi, s, us);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int clock_parse(const char *s, usec_t *out)
{
	int y, mo, d, h, mi, sec;
	if (strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	const char *p = s + 19;
	long long frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (n < 6) {
				frac = frac * 10 + (*p - '0');
				n++;
			}
			p++;
		}
		if (n == 0)
			return -1;
		while (n++ < 6)
			frac *= 10;
	}
	long long tz = 0;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		int th, tm;
		if (digits(p + 1, 2, &th) || p[3] != ':' || digits(p + 4, 2, &tm) || th > 23 || tm > 59)
			return -1;
		tz = (th * 60 + tm) * 60LL * (*p == '+' ? 1 : -1);
		p += 6;
	} else if (s[10] != ' ')
		return -1; /* RFC 3339 requires an offset; the DB form has none and is UTC */
	if (*p)
		return -1;
	int64_t days = clock_days_from_civil(y, mo, d);
	*out = ((days * 86400 + h * 3600 + mi * 60 + sec) - tz) * USEC_PER_SEC + frac;
	return 0;
}

int64_t clock_local_day(usec_t t)
{
	return floordiv(t + (usec_t)tz_minutes * 60 * USEC_PER_SEC, USEC_PER_DAY);
}

usec_t clock_local_midnight(int64_t day)
{
	return day * USEC_PER_DAY - (usec_t)tz_minutes * 60 * USEC_PER_SEC;
}

void clock_fmt_date(int64_t day, char *out)
{
	int y, m, d;
	clock_civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

int clock_parse_date(const char *s, int64_t *day)
{
	int y, m, d;
	if (strlen(s) != 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*day = clock_days_from_civil(y, m, d);
	return 0;
}

static int day_listed(const int64_t *list, int n, int64_t day)
{
	for (int i = 0; i < n; i++)
		if (list[i] == day)
			return 1;
	return 0;
}

int clock_is_working_day(int64_t day)
{
	/* 1970-01-01 was a Thursday: weekday 0 = Monday. */
	int wd = (int)(((day % 7) + 7 + 3) % 7);
	if (day_listed(workdays, nworkdays, day))
		return 1;
	if (wd >= 5)
		return 0;
	return !day_listed(holidays, nholidays, day);
}

int64_t clock_add_working_days(int64_t day, int n)
{
	while (n > 0) {
		day++;
		if (clock_is_working_day(day))
			n--;
	}
	return day;
}

static int load_list(const char *s, int64_t *list)
{
	int n = 0;
	char buf[11];
	while (*s && n < MAX_DAYS) {
		while (*s == ' ' || *s == ',')
			s++;
		if (strlen(s) < 10)
			break;
		memcpy(buf, s, 10);
		buf[10] = 0;
		if (clock_parse_date(buf, &list[n]) == 0)
			n++;
		s += 10;
	}
	return n;
}

void clock_load_calendar(const char *hol, const char *work, int tz_offset_minutes)
{
	nholidays = load_list(hol, holidays);
	nworkdays = load_list(work, workdays);
	tz_minutes = tz_offset_minutes;
}

int64_t clock_add_months(int64_t day, int months)
{
	int y, m, d;
	clock_civil_from_days(day, &y, &m, &d);
	int total = y * 12 + (m - 1) + months;
	y = total / 12;
	m = total % 12 + 1;
	int dim = days_in_month(y, m);
	if (d > dim)
		d = dim;
	return clock_days_from_civil(y, m, d);
}
