/* log.c — structured logging: one JSON object per line, written with one write(2). */
#include "log.h"

#include "jw.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES (64u << 10) /* a longer line is dropped, never cut */

static int min_level = LOG_INFO;
static const char *names[] = { "debug", "info", "warn", "error" };

void log_set_level(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, names[i]))
			min_level = i;
}

/* Opens the line's object with its time, level and message. */
static void base(jw *w, int level, const char *msg)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char ts[96];
	snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
	jw_init(w, LINE_MAX_BYTES);
	jw_obj(w);
	jw_kstr(w, "ts", ts);
	jw_kstr(w, "level", names[level]);
	jw_kstr(w, "msg", msg);
}

/* Closes the object and writes the line, newline included, with one write(2). */
static void emit(jw *w)
{
	jw_obj_end(w);
	size_t n;
	char *line = jw_take_line(w, &n);
	if (!line)
		return;
	ssize_t wr = write(2, line, n);
	(void)wr;
	free(line);
}

void log_kv(int level, const char *msg, ...)
{
	if (level < min_level)
		return;
	jw w;
	base(&w, level, msg);
	va_list ap;
	va_start(ap, msg);
	for (;;) {
		const char *k = va_arg(ap, const char *);
		if (!k)
			break;
		const char *v = va_arg(ap, const char *);
		jw_kstr(&w, k, v ? v : "");
	}
	va_end(ap);
	emit(&w);
}

void log_request(const char *request_id, const char *method, const char *path, const char *route, int status, double ms,
                 const char *user, const char *ip)
{
	int level = status >= 500 ? LOG_ERROR : LOG_INFO;
	if (level < min_level)
		return;
	jw w;
	base(&w, level, "request");
	jw_kstr(&w, "request_id", request_id);
	jw_kstr(&w, "method", method);
	jw_kstr(&w, "path", path);
	if (route)
		jw_kstr(&w, "route", route);
	jw_kint(&w, "status", status);
	jw_key(&w, "ms");
	jw_fixed(&w, ms, 3);
	if (user)
		jw_kstr(&w, "user", user);
	if (ip)
		jw_kstr(&w, "ip", ip);
	emit(&w);
}
