/* buf.c — bounded growable buffer (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_FIRST 256

void buf_init(dynbuf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void buf_free(dynbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static int fail(dynbuf *b)
{
	buf_free(b);
	b->failed = 1;
	return -1;
}

/* Room for n more bytes and the NUL. */
static int reserve(dynbuf *b, size_t n)
{
	if (b->failed)
		return -1;
	if (n > b->max || b->len + n + 1 > b->max + 1)
		return fail(b);
	size_t want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : BUF_FIRST;
	while (cap < want)
		cap = cap > (SIZE_MAX / 2) ? want : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	char *np = realloc(b->p, cap);
	if (!np)
		return fail(b);
	b->p = np;
	b->cap = cap;
	return 0;
}

int buf_add(dynbuf *b, const void *data, size_t n)
{
	if (reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

int buf_adds(dynbuf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addf(dynbuf *b, const char *fmt, ...)
{
	if (b->failed)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, (size_t)n) < 0)
		return n < 0 ? fail(b) : -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_add_json_string(dynbuf *b, const char *s)
{
	if (buf_add(b, "\"", 1) < 0)
		return -1;
	const unsigned char *p = (const unsigned char *)s, *run = p;
	for (; *p; p++) {
		const char *esc = NULL;
		char u[8];
		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			if (*p < 0x20) {
				snprintf(u, sizeof u, "\\u%04x", *p);
				esc = u;
			}
		}
		if (!esc)
			continue;
		buf_add(b, run, (size_t)(p - run));
		buf_adds(b, esc);
		run = p + 1;
	}
	buf_add(b, run, (size_t)(p - run));
	return buf_add(b, "\"", 1);
}

char *buf_take(dynbuf *b, size_t *len)
{
	if (b->failed) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (!b->p && buf_add(b, "", 0) < 0)
		return NULL;
	char *p = b->p;
	if (len)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}
