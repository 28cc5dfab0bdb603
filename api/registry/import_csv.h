/* import_csv.h — the importer's CSV reader (RFC 4180): quoted fields, "" inside quotes, line
 * breaks inside quotes, CRLF or LF. It reads records out of a mapped file in place, one at a
 * time, keeping each record's first line number; a malformed record is reported, not guessed at. */
#ifndef SANZHI_IMPORT_CSV_H
#define SANZHI_IMPORT_CSV_H

#include <stddef.h>

#define IMPORT_MAX_FIELDS 64
#define IMPORT_MAX_RECORD (1u << 20) /* one record's bytes */

typedef struct csv {
	const char *p, *end;
	long line; /* line of the next character */
} csv;

typedef struct record {
	long line; /* where it starts */
	int nfields;
	char *field[IMPORT_MAX_FIELDS];
	char *scratch; /* unescaped fields, NUL-separated */
	size_t cap;
	const char *error; /* "code: message" for a record that cannot be read, else NULL */
} record;

/* A record with room for IMPORT_MAX_RECORD bytes. 0, or -1 out of memory. */
int record_init(record *rec);
void record_free(record *rec);

/* Reads one record. 1 read (rec->error set if malformed), 0 at the end. A record longer than the
 * scratch buffer is read to its end and reported, not split. */
int csv_next(csv *s, record *rec);

#endif
