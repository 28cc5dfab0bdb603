/* jw.h — a JSON writer for answers on hot paths (register search, profiles).
 *
 * Building a cJSON tree for fifty organizations costs a thousand small allocations, their frees,
 * and a print that walks it all again; writing the text straight into one growing buffer costs a
 * few reallocations. The buffer has a hard maximum: past it (or when memory runs out) the writer
 * fails once, stays failed, and jw_take returns NULL, so callers check once at the end.
 * Commas between members and elements are the writer's business. */
#ifndef SANZHI_JW_H
#define SANZHI_JW_H

#include "buf.h"

#include <stddef.h>

#define JW_DEPTH 16

typedef struct jw {
	dynbuf b; /* the text */
	int failed;
	int depth;
	unsigned char fresh[JW_DEPTH]; /* per open container: nothing written in it yet */
	unsigned char keyed;           /* a key was just written: the value takes no comma */
} jw;

void jw_init(jw *w, size_t max);
/* The text (malloc'd, NUL-terminated) and its length; NULL when the writer failed. Resets w. */
char *jw_take(jw *w, size_t *len);
/* The same with a newline after the document (a log line, written with one write(2)). */
char *jw_take_line(jw *w, size_t *len);
void jw_free(jw *w);

void jw_obj(jw *w);
void jw_obj_end(jw *w);
void jw_arr(jw *w);
void jw_arr_end(jw *w);
void jw_key(jw *w, const char *key);
/* A string value (escaped), or null when s is NULL. */
void jw_str(jw *w, const char *s);
void jw_int(jw *w, long long v);
void jw_bool(jw *w, int v);
void jw_null(jw *w);
/* A number with a fixed count of decimals (0-9), e.g. 1.250 for a latency in ms. */
void jw_fixed(jw *w, double v, int decimals);

/* key and value in one call. */
void jw_kstr(jw *w, const char *key, const char *s);
void jw_kint(jw *w, const char *key, long long v);

#endif
