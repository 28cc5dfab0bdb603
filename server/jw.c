/* jw.c — the JSON writer (see jw.h). */
#include "jw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(jw *w, size_t max)
{
	memset(w, 0, sizeof *w);
	buf_init(&w->b, max);
	w->fresh[0] = 1;
}

void jw_free(jw *w)
{
	buf_free(&w->b);
}

char *jw_take(jw *w, size_t *len)
{
	char *s = NULL;
	if (!w->failed && !w->depth)
		s = buf_take(&w->b, len);
	else if (len)
		*len = 0;
	jw_free(w);
	return s;
}

static void put(jw *w, const char *s, size_t n)
{
	if (!w->failed && buf_add(&w->b, s, n) < 0)
		w->failed = 1;
}

static void put_string(jw *w, const char *s)
{
	if (!w->failed && buf_add_json_string(&w->b, s) < 0)
		w->failed = 1;
}

char *jw_take_line(jw *w, size_t *len)
{
	if (!w->depth)
		put(w, "\n", 1);
	return jw_take(w, len);
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

void jw_obj(jw *w)
{
	open(w, '{');
}
void jw_obj_end(jw *w)
{
	close_(w, '}');
}
void jw_arr(jw *w)
{
	open(w, '[');
}
void jw_arr_end(jw *w)
{
	close_(w, ']');
}

void jw_key(jw *w, const char *key)
{
	sep(w);
	put_string(w, key);
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
	put_string(w, s);
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
		v = 0, decimals = 0; /* not finite or absurd: JSON has no NaN */
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
