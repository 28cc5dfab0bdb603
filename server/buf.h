/* buf.h — a growable byte buffer with a hard maximum (after curl's dynbuf): every growth is
 * bounded, and the first failure (out of memory, over the maximum) frees the buffer and makes
 * every later call fail, so a writer checks once, at the end. (The type is dynbuf, as curl's:
 * a type named buf would be shadowed by every local variable of that name.)
 *
 *     dynbuf b;
 *     buf_init(&b, 1 << 20);
 *     buf_addf(&b, "%d rows\n", n);
 *     size_t len;
 *     char *text = buf_take(&b, &len);    // NULL if anything failed; the caller frees it
 */
#ifndef SANZHI_BUF_H
#define SANZHI_BUF_H

#include <stddef.h>

typedef struct dynbuf {
	char *p; /* NUL-terminated while not failed */
	size_t len, cap, max;
	int failed;
} dynbuf;

void buf_init(dynbuf *b, size_t max);
/* 0, or -1 once failed. */
int buf_add(dynbuf *b, const void *data, size_t n);
int buf_adds(dynbuf *b, const char *s);
int buf_addf(dynbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quotes included: " \ and control characters escaped as
 * JSON.stringify does (\b \f \n \r \t, else \u00XX); everything else, valid UTF-8, as it is.
 * The one JSON string escaper of the daemon. */
int buf_add_json_string(dynbuf *b, const char *s);
/* The text (NUL-terminated, malloc'd) and its length; NULL when the buffer failed. The buffer
 * is empty afterwards. */
char *buf_take(dynbuf *b, size_t *len);
void buf_free(dynbuf *b);

#endif
