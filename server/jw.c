/* jw.c — the JSON writer (see jw.h). */
#include "jw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(jw *w, size_t max)
{
	memset(w, 0, sizeof *w);
	w->max = max;
	w->fresh[0] = 1;
}

void jw_free(jw *w)
{
	free(w->p);
	w->p = NULL;
	w->len = w->cap = 0;
}

char *jw_take(jw *w, size_t *len)
{
	char *p = w->failed || w->depth ? NULL : w->p;
	if (!p)
		free(w->p);
	else
		*len = w->len;
	w->p = NULL;
	w->len = w->cap = 0;
	return p;
}

static int grow(jw *w, size_t n)
{
	if (w->failed)
		return -1;
	if (w->len + n + 1 <= w->cap)
		return 0;
	size_t want = w->len + n + 1;
	if (want > w->max) {
		w->failed = 1;
		return -1;
	}
	size_t cap = w->cap ? w->cap : 1024;
	while (cap < want)
		cap *= 2;
	if (cap > w->max)
		cap = w->max;
	char *np = realloc(w->p, cap);
	if (!np) {
		w->failed = 1;
		return -1;
	}
	w->p = np;
	w->cap = cap;
	return 0;
}

static void put(jw *w, const char *s, size_t n)
{
	if (grow(w, n) < 0)
		return;
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = 0;
}

/* Before any value or key: the comma that separates it from the one before. */
static void sep(jw *w)
{
	if (w->keyed) {
		w->keyed = 0;
		return;
	}
	if (!w->fresh[w->depth])
		put(w, ",", 1);
	w->fresh[w->depth] = 0;
}

static void open(jw *w, char c)
{
	sep(w);
	if (w->depth + 1 >= JW_DEPTH) {
		w->failed = 1;
		return;
	}
	put(w, &c, 1);
	w->fresh[++w->depth] = 1;
}

static void close_(jw *w, char c)
{
	if (w->depth == 0) {
		w->failed = 1;
		return;
	}
	w->depth--;
	put(w, &c, 1);
}

void jw_obj(jw *w) { open(w, '{'); }
void jw_obj_end(jw *w) { close_(w, '}'); }
void jw_arr(jw *w) { open(w, '['); }
void jw_arr_end(jw *w) { close_(w, ']'); }

/* A JSON string: quotes, backslashes and control characters escaped; the rest (valid UTF-8 from
 * the database or from validated input) as it is. */
static void quoted(jw *w, const char *s)
{
	put(w, "\"", 1);
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		put(w, run, (size_t)((const char *)p - run));
		char esc[8];
		switch (*p) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			put(w, esc, 6);
		}
		run = (const char *)p + 1;
	}
	put(w, run, strlen(run));
	put(w, "\"", 1);
}

void jw_key(jw *w, const char *key)
{
	sep(w);
	quoted(w, key);
	put(w, ":", 1);
	w->keyed = 1;
}

void jw_str(jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	sep(w);
	quoted(w, s);
}

void jw_int(jw *w, long long v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", v);
	sep(w);
	put(w, num, (size_t)n);
}

void jw_bool(jw *w, int v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_fixed(jw *w, double v, int decimals)
{
	char num[48];
	if (decimals < 0 || decimals > 9 || !(v > -1e15 && v < 1e15))
		v = 0, decimals = 0;  /* not finite or absurd: JSON has no NaN */
	int n = snprintf(num, sizeof num, "%.*f", decimals, v);
	sep(w);
	put(w, num, (size_t)n);
}

void jw_null(jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void jw_kstr(jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}
