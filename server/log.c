/* log.c — structured logging: one JSON object per line, written with one write(2). */
#include "log.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int min_level = LOG_INFO;
static const char *names[] = { "debug", "info", "warn", "error" };

void log_set_level(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, names[i]))
			min_level = i;
}

static cJSON *base(int level, const char *msg)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char ts[96];
	snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "ts", ts);
	cJSON_AddStringToObject(o, "level", names[level]);
	cJSON_AddStringToObject(o, "msg", msg);
	return o;
}

static void emit(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		return;
	size_t n = strlen(s);
	s[n] = '\n';  /* replaces the NUL; write() takes the length */
	ssize_t w = write(2, s, n + 1);
	(void)w;
	free(s);
}

void log_kv(int level, const char *msg, ...)
{
	if (level < min_level)
		return;
	cJSON *o = base(level, msg);
	va_list ap;
	va_start(ap, msg);
	for (;;) {
		const char *k = va_arg(ap, const char *);
		if (!k)
			break;
		const char *v = va_arg(ap, const char *);
		cJSON_AddStringToObject(o, k, v ? v : "");
	}
	va_end(ap);
	emit(o);
}

void log_request(const char *request_id, const char *method, const char *path, const char *route,
                 int status, double ms, const char *user, const char *ip)
{
	int level = status >= 500 ? LOG_ERROR : LOG_INFO;
	if (level < min_level)
		return;
	cJSON *o = base(level, "request");
	cJSON_AddStringToObject(o, "request_id", request_id);
	cJSON_AddStringToObject(o, "method", method);
	cJSON_AddStringToObject(o, "path", path);
	if (route)
		cJSON_AddStringToObject(o, "route", route);
	cJSON_AddNumberToObject(o, "status", status);
	cJSON_AddNumberToObject(o, "ms", (double)((long long)(ms * 1000)) / 1000.0);
	if (user)
		cJSON_AddStringToObject(o, "user", user);
	if (ip)
		cJSON_AddStringToObject(o, "ip", ip);
	emit(o);
}
