/* import_csv.c — RFC 4180 records read in place from a mapped file (see import_csv.h). */
#include "import_csv.h"

#include <stdlib.h>
#include <string.h>

int record_init(record *rec)
{
	memset(rec, 0, sizeof *rec);
	rec->cap = IMPORT_MAX_RECORD;
	/* Room past cap for the field terminators, which are written even after an overflow. */
	rec->scratch = malloc(rec->cap + IMPORT_MAX_FIELDS + 2);
	return rec->scratch ? 0 : -1;
}

void record_free(record *rec)
{
	free(rec->scratch);
	rec->scratch = NULL;
}

/* Skips the rest of a physical line after a malformed record. */
static const char *skip_line(csv *s, const char *p)
{
	while (p < s->end && *p != '\n')
		p++;
	if (p < s->end) {
		p++;
		s->line++;
	}
	return p;
}

int csv_next(csv *s, record *rec)
{
	rec->nfields = 0;
	rec->error = NULL;
	rec->line = s->line;
	if (s->p >= s->end)
		return 0;
	size_t o = 0;
	int in_field = 0, overflow = 0;
	const char *p = s->p;
	rec->field[rec->nfields++] = rec->scratch;
#define PUT(ch)                                                                                                        \
	do {                                                                                                           \
		if (o + 2 < rec->cap)                                                                                  \
			rec->scratch[o++] = (ch);                                                                      \
		else                                                                                                   \
			overflow = 1;                                                                                  \
	} while (0)
	for (;;) {
		if (p >= s->end) {
			rec->scratch[o++] = 0;
			break;
		}
		char ch = *p;
		if (ch == '"' && !in_field) {
			/* A quoted field: "" is a quote, anything else (line breaks too) is text. */
			p++;
			int closed = 0;
			while (p < s->end) {
				if (*p == '"') {
					if (p + 1 < s->end && p[1] == '"') {
						PUT('"');
						p += 2;
						continue;
					}
					p++;
					closed = 1;
					break;
				}
				if (*p == '\n')
					s->line++;
				PUT(*p);
				p++;
			}
			if (!closed) {
				rec->error = "unterminated_quote: a quoted field is never closed";
				rec->scratch[o++] = 0;
				break;
			}
			in_field = 1;
			if (p < s->end && *p != ',' && *p != '\n' &&
			    !(*p == '\r' && (p + 1 == s->end || p[1] == '\n'))) {
				rec->error = "malformed_quotes: text after a closing quote";
				p = skip_line(s, p);
				rec->scratch[o++] = 0;
				break;
			}
			continue;
		}
		if (ch == ',') {
			rec->scratch[o++] = 0;
			if (rec->nfields == IMPORT_MAX_FIELDS) {
				rec->error = "too_many_fields: more than 64 fields";
				p = skip_line(s, p);
				break;
			}
			rec->field[rec->nfields++] = rec->scratch + o;
			in_field = 0;
			p++;
			continue;
		}
		if (ch == '\n' || (ch == '\r' && (p + 1 == s->end || p[1] == '\n'))) {
			rec->scratch[o++] = 0;
			if (ch == '\r')
				p++;
			if (p < s->end) {
				p++;
				s->line++;
			}
			break;
		}
		if (ch == '"') {
			rec->error = "malformed_quotes: a quote inside an unquoted field";
			p = skip_line(s, p);
			rec->scratch[o++] = 0;
			break;
		}
		in_field = 1;
		PUT(ch);
		p++;
	}
#undef PUT
	if (overflow && !rec->error)
		rec->error = "record_too_long: the record is longer than 1 MiB";
	s->p = p;
	return 1;
}
