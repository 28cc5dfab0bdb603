/* import.c — `sanzhid import orgs FILE.csv [--strict] [--threads N]`: bulk import of organizations
 * registered before this system (SPEC Appendix A).
 *
 * The file is UTF-8 CSV (RFC 4180: quoted fields, "" inside quotes, line breaks inside quotes,
 * CRLF or LF, an optional BOM) with exactly the header
 *     uscc,name,legal_form,category,region_code,domicile,business_scope,legal_representative_name,registered_at,status
 *
 * The first pass over the mapped file validates every row — code check digits, the authority and
 * category digits against the legal form, enums, region, date, status, lengths, duplicates within
 * the file (the USCC; the name among registered rows) and against the database (USCC in orgs,
 * name in name_claims, a thousand rows to a query) — and reports each bad row on stderr with its
 * line number and a stable reason code. With --strict it stops at the first bad row and nothing
 * is imported.
 *
 * Then the good rows are loaded, in two phases, each on --threads connections that take
 * contiguous shares, and each writing in primary-key order, so that inserts land next to each
 * other instead of all over multi-million-row B-trees (in file order, a million rows took eight
 * minutes on a 512 MB buffer pool; this way, about 35 seconds):
 *   1. the character bigrams of every name, sorted by (gram, USCC), INSERT IGNORE. They go first:
 *      a gram whose organization is not there (yet) is harmless, as every search confirms the
 *      name itself, while an organization without its grams could not be found.
 *   2. the organizations in USCC order, re-read from the file: one transaction per batch filling
 *      orgs, name_claims (registered rows), org_names and org_events ('establish', reason
 *      'imported'; 'deregister' too for deregistered rows), with one audit entry per batch naming
 *      its count, its lines and its USCC range. A batch that meets a code or a name registered
 *      meanwhile by someone else is retried row by row, and the rows that collide are reported.
 * Each table is filled by one prepared INSERT … SELECT over JSON_TABLE(?) with the batch bound as
 * a single JSON parameter: the statements are fixed, and no SQL is ever built from data.
 *
 * Exit: 0 all rows imported; 1 a row was skipped or --strict stopped; 2 usage, I/O or database.
 */
#include "api.h"
#include "import.h"
#include "orgs_index.h"
#include "region.h"
#include "registry_rules.h"
#include "uscc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NFIELDS 10
#define MAX_FIELDS 64
#define MAX_RECORD (1u << 20)     /* one record's bytes */
#define BATCH_ROWS 5000          /* organizations per transaction */
#define GRAM_BATCH 50000         /* bigrams per statement */
#define CHECK_ROWS 1000           /* rows per duplicate check against the database */
#define MAX_THREADS 8
#define JSON_MAX ((size_t)256 << 20)

static const char *const header[NFIELDS] = { "uscc", "name", "legal_form", "category", "region_code", "domicile",
                                             "business_scope", "legal_representative_name", "registered_at",
                                             "status" };
enum { F_USCC, F_NAME, F_FORM, F_CATEGORY, F_REGION, F_DOMICILE, F_SCOPE, F_REP, F_DATE, F_STATUS };

/* --- growable text with a hard maximum ---------------------------------------------- */

typedef struct buf {
	char *p;
	size_t len, cap;
	int failed;
} buf;

static void buf_put(buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *np = cap <= JSON_MAX ? realloc(b->p, cap) : NULL;
		if (!np) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void buf_str(buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* A JSON string (the text is valid UTF-8 by then). */
static void buf_json(buf *b, const char *s)
{
	buf_put(b, "\"", 1);
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		buf_put(b, run, (size_t)((const char *)p - run));
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			buf_put(b, esc, 2);
		} else {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			buf_put(b, esc, 6);
		}
		run = (const char *)p + 1;
	}
	buf_str(b, run);
	buf_put(b, "\"", 1);
}

/* --- CSV (RFC 4180) -------------------------------------------------------------------- */

typedef struct csv {
	const char *p, *end;
	long line;                  /* line of the next character */
} csv;

typedef struct record {
	long line;                  /* where it starts */
	int nfields;
	char *field[MAX_FIELDS];
	char *scratch;              /* unescaped fields, NUL-separated */
	size_t cap;
	const char *error;          /* a record that cannot be read */
} record;

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

/* Reads one record. 1 read (rec->error set if malformed), 0 at the end. A record longer than the
 * scratch buffer is read to its end and reported, not split. */
static int csv_next(csv *s, record *rec)
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
#define PUT(ch)                                 \
	do {                                    \
		if (o + 2 < rec->cap)           \
			rec->scratch[o++] = (ch); \
		else                            \
			overflow = 1;           \
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
			if (p < s->end && *p != ',' && *p != '\n' && !(*p == '\r' && (p + 1 == s->end || p[1] == '\n'))) {
				rec->error = "malformed_quotes: text after a closing quote";
				p = skip_line(s, p);
				rec->scratch[o++] = 0;
				break;
			}
			continue;
		}
		if (ch == ',') {
			rec->scratch[o++] = 0;
			if (rec->nfields == MAX_FIELDS) {
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

/* Blanks around a field (ASCII and the ideographic space U+3000) are not part of it, and codes
 * are written in capitals: "51330424mj…" is the same code. Done to every record as it is read,
 * in both passes, so that what was validated is what is loaded. */
static void record_tidy(record *r)
{
	if (r->error)
		return;
	for (int i = 0; i < r->nfields; i++)
		r->field[i] = json_trim(r->field[i]);
	if (r->nfields == NFIELDS)
		for (char *c = r->field[F_USCC]; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
}

static int record_blank(const record *r)
{
	return !r->error && r->nfields == 1 && r->field[0][0] == 0;
}

/* --- validation ------------------------------------------------------------------------ */

static int in_list(const char *s, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

/* 0 if s is clean text of at most max characters (newlines and tabs allowed when multiline). */
static int text_ok(const char *s, size_t max, int multiline)
{
	if (json_utf8_len(s) > max)
		return -1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7F)
			return -2;
	return 0;
}

/* Whether a code's region (positions 3-8) fits the organization's region: the same, or one above
 * or below it (a prefecture's bureau registers for its counties too). A region abolished since the
 * code was issued is no longer in the table; the code then only has to be of the same province. */
static int uscc_region_fits(const char *code, const region *reg)
{
	char cr[REGION_CODE_LEN + 1];
	memcpy(cr, code + 2, REGION_CODE_LEN);
	cr[REGION_CODE_LEN] = 0;
	const region *issued = region_find(cr);
	if (!issued)
		return !strncmp(cr, reg->code, 2);
	return region_contains(issued, reg) || region_contains(reg, issued);
}

/* Checks one data record; NULL when good, else "code: message" in why. */
static const char *row_check(const record *r, int64_t today, char *why, size_t len)
{
	if (r->error)
		return snprintf(why, len, "%s", r->error), why;
	if (r->nfields != NFIELDS)
		return snprintf(why, len, "fields: expected %d fields, found %d", NFIELDS, r->nfields), why;
	for (int i = 0; i < NFIELDS; i++)
		if (!json_utf8_valid(r->field[i], strlen(r->field[i])))
			return snprintf(why, len, "invalid_utf8: %s is not valid UTF-8", header[i]), why;
	const char *u = r->field[F_USCC];
	const char *reason = NULL;
	if (uscc_check(u, NULL, &reason) < 0)
		return snprintf(why, len, "invalid_uscc: %s is not a valid code (%s)", u, reason), why;
	if (u[0] != '5')
		return snprintf(why, len, "uscc_authority: %s is not a civil-affairs code (it must begin with 5)", u), why;
	const char *form = r->field[F_FORM];
	if (!in_list(form, registry_legal_forms))
		return snprintf(why, len, "invalid_legal_form: %.40s is not social_group, social_service_institution or foundation",
		                form), why;
	if (uscc_category_for_form(form) != u[1])
		return snprintf(why, len, "uscc_category: the code's category %c does not fit the legal form %s", u[1], form),
		       why;
	const char *name = r->field[F_NAME];
	if (!*name)
		return snprintf(why, len, "name_required: the name is empty"), why;
	if (json_utf8_len(name) < 2)
		return snprintf(why, len, "invalid_name: a name has at least two characters"), why;
	if (text_ok(name, 200, 0) < 0)
		return snprintf(why, len, "invalid_name: the name has more than 200 characters or a control character"), why;
	const char *cat = r->field[F_CATEGORY];
	if (*cat && !in_list(cat, registry_categories))
		return snprintf(why, len, "invalid_category: %.40s is not a direct-registration category", cat), why;
	const region *reg = region_find(r->field[F_REGION]);
	if (!reg)
		return snprintf(why, len, "unknown_region: %.20s is not a current GB/T 2260 region", r->field[F_REGION]),
		       why;
	if (!uscc_region_fits(u, reg))
		return snprintf(why, len, "uscc_region: the code's region %.6s is not %s's region or one above or below it",
		                u + 2, r->field[F_REGION]), why;
	static const struct {
		int field;
		const char *code;
	} required[] = { { F_DOMICILE, "domicile_required" }, { F_SCOPE, "business_scope_required" },
		             { F_REP, "legal_representative_name_required" } };
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!*r->field[required[i].field])
			return snprintf(why, len, "%s: %s is empty (it is on the certificate)", required[i].code,
			                header[required[i].field]), why;
	if (text_ok(r->field[F_DOMICILE], 500, 0) < 0)
		return snprintf(why, len, "invalid_domicile: more than 500 characters or a control character"), why;
	if (text_ok(r->field[F_SCOPE], 5000, 1) < 0)
		return snprintf(why, len, "invalid_business_scope: more than 5000 characters or a control character"), why;
	if (text_ok(r->field[F_REP], 100, 0) < 0)
		return snprintf(why, len, "invalid_legal_representative_name: more than 100 characters or a control character"),
		       why;
	const char *d = r->field[F_DATE];
	int64_t day;
	if (strlen(d) != 10 || d[4] != '-' || d[7] != '-' || clock_parse_date(d, &day) < 0)
		return snprintf(why, len, "invalid_date: registered_at %.20s is not a date YYYY-MM-DD", d), why;
	if (day > today)
		return snprintf(why, len, "date_in_future: registered_at %s is after today", d), why;
	if (day < clock_days_from_civil(1949, 10, 1))
		return snprintf(why, len, "invalid_date: registered_at %s is before 1949-10-01", d), why;
	const char *st = r->field[F_STATUS];
	if (strcmp(st, "registered") && strcmp(st, "deregistered"))
		return snprintf(why, len, "invalid_status: %.20s is not registered or deregistered", st), why;
	return NULL;
}

/* --- strings kept for the whole import -------------------------------------------------- */

typedef struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	char data[];
} arena_block;

typedef struct arena {
	arena_block *blocks;
} arena;

static const char *arena_dup(arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	arena_block *b = a->blocks;
	if (!b || b->used + n > b->cap) {
		size_t cap = n > (1u << 20) ? n : (1u << 20);
		b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->next = a->blocks;
		b->used = 0;
		b->cap = cap;
		a->blocks = b;
	}
	char *d = b->data + b->used;
	memcpy(d, s, n);
	b->used += n;
	return d;
}

static void arena_free(arena *a)
{
	while (a->blocks) {
		arena_block *n = a->blocks->next;
		free(a->blocks);
		a->blocks = n;
	}
}

/* --- a set of strings, exact ------------------------------------------------------------ */

typedef struct set_entry {
	uint64_t hash;
	const char *key;
	long line;
} set_entry;

typedef struct strset {
	set_entry *e;
	size_t cap, n;
	arena keys;
} strset;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ (h >> 29);
}

/* The line of an earlier equal key, 0 if none (then s is added), -1 when out of memory. */
static long set_add(strset *set, const char *s, long line)
{
	if (set->n * 2 >= set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 1024;
		set_entry *ne = calloc(cap, sizeof *ne);
		if (!ne)
			return -1;
		for (size_t i = 0; i < set->cap; i++) {
			if (!set->e[i].key)
				continue;
			size_t k = set->e[i].hash & (cap - 1);
			while (ne[k].key)
				k = (k + 1) & (cap - 1);
			ne[k] = set->e[i];
		}
		free(set->e);
		set->e = ne;
		set->cap = cap;
	}
	uint64_t h = hash_str(s);
	size_t k = h & (set->cap - 1);
	while (set->e[k].key) {
		if (set->e[k].hash == h && !strcmp(set->e[k].key, s))
			return set->e[k].line;
		k = (k + 1) & (set->cap - 1);
	}
	const char *key = arena_dup(&set->keys, s);
	if (!key)
		return -1;
	set->e[k] = (set_entry){ h, key, line };
	set->n++;
	return 0;
}

static void set_free(strset *set)
{
	free(set->e);
	arena_free(&set->keys);
	memset(set, 0, sizeof *set);
}

/* --- the bigram postings ----------------------------------------------------------------- */

/* Every gram of every good row, as lists of row numbers per gram. Written to org_name_grams in
 * (gram, uscc) order, the order of its primary key, the inserts land next to each other instead of
 * all over a ten-million-row B-tree: several times faster. */
typedef struct posting {
	char gram[ORGS_GRAM_SIZE];
	uint32_t *ids;
	uint32_t n, cap;
} posting;

typedef struct postings {
	posting *p;
	size_t n, cap;
	uint32_t *slot;           /* open addressing: index + 1 into p, 0 empty */
	size_t nslots;
	long long pairs;
} postings;

static int postings_add(postings *ps, const char *gram, uint32_t id)
{
	if (ps->n * 2 >= ps->nslots) {
		size_t ns = ps->nslots ? ps->nslots * 2 : 4096;
		uint32_t *nslot = calloc(ns, sizeof *nslot);
		if (!nslot)
			return -1;
		for (size_t i = 0; i < ps->n; i++) {
			size_t k = hash_str(ps->p[i].gram) & (ns - 1);
			while (nslot[k])
				k = (k + 1) & (ns - 1);
			nslot[k] = (uint32_t)i + 1;
		}
		free(ps->slot);
		ps->slot = nslot;
		ps->nslots = ns;
	}
	size_t k = hash_str(gram) & (ps->nslots - 1);
	while (ps->slot[k] && strcmp(ps->p[ps->slot[k] - 1].gram, gram))
		k = (k + 1) & (ps->nslots - 1);
	if (!ps->slot[k]) {
		if (ps->n == ps->cap) {
			size_t cap = ps->cap ? ps->cap * 2 : 1024;
			posting *np = realloc(ps->p, cap * sizeof *np);
			if (!np)
				return -1;
			ps->p = np;
			ps->cap = cap;
		}
		posting *e = &ps->p[ps->n];
		memset(e, 0, sizeof *e);
		size_t gl = strnlen(gram, ORGS_GRAM_SIZE - 1);
		memcpy(e->gram, gram, gl);
		e->gram[gl] = 0;
		ps->slot[k] = (uint32_t)++ps->n;
	}
	posting *e = &ps->p[ps->slot[k] - 1];
	if (e->n == e->cap) {
		uint32_t cap = e->cap ? e->cap * 2 : 8;
		uint32_t *ni = realloc(e->ids, cap * sizeof *ni);
		if (!ni)
			return -1;
		e->ids = ni;
		e->cap = cap;
	}
	e->ids[e->n++] = id;
	ps->pairs++;
	return 0;
}

static int posting_cmp(const void *a, const void *b)
{
	return strcmp(((const posting *)a)->gram, ((const posting *)b)->gram);
}

static void postings_free(postings *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->p[i].ids);
	free(ps->p);
	free(ps->slot);
	memset(ps, 0, sizeof *ps);
}

/* --- bad rows -------------------------------------------------------------------------- */

typedef struct bad_row {
	long line;
	char *why;
} bad_row;

typedef struct bad_list {
	bad_row *rows;
	size_t n, cap;
	pthread_mutex_t mu;
} bad_list;

static int bad_add(bad_list *b, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad_add(bad_list *b, long line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&b->mu);
	int rc = 0;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		bad_row *nr = realloc(b->rows, cap * sizeof *nr);
		if (!nr) {
			rc = -1;
			goto out;
		}
		b->rows = nr;
		b->cap = cap;
	}
	b->rows[b->n].line = line;
	b->rows[b->n].why = strdup(msg);
	if (!b->rows[b->n].why) {
		rc = -1;
		goto out;
	}
	b->n++;
out:
	pthread_mutex_unlock(&b->mu);
	return rc;
}

static int bad_cmp(const void *a, const void *b)
{
	long x = ((const bad_row *)a)->line, y = ((const bad_row *)b)->line;
	return x < y ? -1 : x > y;
}

/* --- progress ------------------------------------------------------------------------- */

typedef struct progress {
	int tty;
	const char *phase;
	long total;
	double t0, last;
} progress;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_start(progress *p, const char *phase, long total)
{
	p->phase = phase;
	p->total = total;
	p->t0 = p->last = now_s();
}

/* A bar on a terminal (redrawn at most 10 times a second), a plain line every 5 s otherwise. */
static void progress_show(progress *p, long done, double fraction, int final)
{
	double t = now_s();
	if (!final && t - p->last < (p->tty ? 0.1 : 5.0))
		return;
	p->last = t;
	double el = t - p->t0;
	double rate = el > 0 ? (double)done / el : 0;
	int pct = (int)(100.0 * fraction);
	if (pct > 100)
		pct = 100;
	char of[32] = "";
	if (p->total > 0)
		snprintf(of, sizeof of, "/%ld", p->total);
	if (p->tty) {
		char bar[31];
		int fill = pct * 30 / 100;
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = 0;
		fprintf(stderr, "\r%-10s [%s] %3d%% %ld%s rows %.0f rows/s %.1fs \033[K%s", p->phase, bar, pct, done, of, rate,
		        el, final ? "\n" : "");
	} else {
		fprintf(stderr, "%s: %ld%s rows (%d%%), %.0f rows/s, %.1fs\n", p->phase, done, of, pct, rate, el);
	}
	fflush(stderr);
}

/* --- the statements -------------------------------------------------------------------- */

/* rows JSON: [[uscc, name, legal_form, category, region_code, domicile, business_scope, rep, date, status], …] */
#define ROWS_TABLE                                                                                     \
	"JSON_TABLE(?, '$[*]' COLUMNS (uscc CHAR(18) CHARACTER SET ascii COLLATE ascii_bin PATH '$[0]', "   \
	"name VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$[1]', "                        \
	"legal_form VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin PATH '$[2]', "                       \
	"category VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin PATH '$[3]', "                         \
	"region_code CHAR(6) CHARACTER SET ascii COLLATE ascii_bin PATH '$[4]', "                          \
	"domicile VARCHAR(500) CHARACTER SET utf8mb4 PATH '$[5]', scope TEXT CHARACTER SET utf8mb4 PATH '$[6]', " \
	"rep VARCHAR(100) CHARACTER SET utf8mb4 PATH '$[7]', registered_at DATE PATH '$[8]', "            \
	"status VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin PATH '$[9]')) j"
/* names JSON: [[uscc, name, date, status], …] */
#define NAMES_TABLE                                                                                    \
	"JSON_TABLE(?, '$[*]' COLUMNS (uscc CHAR(18) CHARACTER SET ascii COLLATE ascii_bin PATH '$[0]', "   \
	"name VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$[1]', registered_at DATE PATH '$[2]', " \
	"status VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin PATH '$[3]')) j"
/* grams JSON: [[gram, [uscc, …]], …] in (gram, uscc) order */
#define GRAMS_TABLE                                                                                    \
	"JSON_TABLE(?, '$[*]' COLUMNS (gram VARCHAR(2) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$[0]', " \
	"NESTED PATH '$[1][*]' COLUMNS (uscc CHAR(18) CHARACTER SET ascii COLLATE ascii_bin PATH '$'))) j"

/* In USCC order, the order of the primary key. */
static const char sql_orgs[] =
	"INSERT INTO orgs (uscc, name, legal_form, category, region_code, domicile, business_scope, legal_rep_name, "
	"registered_at, status, source, created_at, updated_at) SELECT j.uscc, j.name, j.legal_form, "
	"NULLIF(j.category, ''), j.region_code, j.domicile, j.scope, j.rep, j.registered_at, j.status, 'import', ?, ? "
	"FROM " ROWS_TABLE " ORDER BY j.uscc";
static const char sql_names[] =
	"INSERT INTO org_names (uscc, name, from_date) SELECT j.uscc, j.name, j.registered_at FROM " NAMES_TABLE;
static const char sql_claims[] =
	"INSERT INTO name_claims (name, uscc) SELECT j.name, j.uscc FROM " NAMES_TABLE " WHERE j.status = 'registered'";
static const char sql_establish[] =
	"INSERT INTO org_events (uscc, type, at, effective_date, reason) SELECT j.uscc, 'establish', ?, "
	"j.registered_at, 'imported' FROM " NAMES_TABLE;
static const char sql_deregister[] =
	"INSERT INTO org_events (uscc, type, at, effective_date, reason) SELECT j.uscc, 'deregister', ?, NULL, "
	"'imported as deregistered; the date of deregistration was not recorded' FROM " NAMES_TABLE
	" WHERE j.status = 'deregistered'";
/* IGNORE: grams left by an import that stopped half-way are simply there already. */
static const char sql_grams[] = "INSERT IGNORE INTO org_name_grams (gram, uscc) SELECT j.gram, j.uscc FROM " GRAMS_TABLE;

/* Duplicate checks: [uscc, …] against orgs, [name, …] against name_claims. */
static const char sql_dup_uscc[] =
	"SELECT o.uscc FROM JSON_TABLE(?, '$[*]' COLUMNS (u CHAR(18) CHARACTER SET ascii COLLATE ascii_bin PATH '$')) j "
	"JOIN orgs o ON o.uscc = j.u";
static const char sql_dup_name[] =
	"SELECT c.name FROM JSON_TABLE(?, '$[*]' COLUMNS (n VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) j "
	"JOIN name_claims c ON c.name = j.n";

/* --- loading ----------------------------------------------------------------------------- */

/* What pass 1 keeps of each row for the loading phases. */
typedef struct row_key {
	char uscc[USCC_LEN + 1];
	const char *name;          /* in the names arena; NULL for a bad row */
	size_t off;                /* where the record starts in the file */
	long line;
} row_key;

/* Shared by the loader threads of a phase. */
typedef struct loader {
	const char *file;
	char now_db[32], today[16];
	const char *map, *end;          /* the file */
	const row_key *keys;
	const uint32_t *order;          /* good rows in USCC order */
	const postings *ps;
	atomic_long done;               /* rows imported, or gram pairs written */
	atomic_int failed;              /* a DB_ code (or DB_ERROR for memory) once something could not be loaded */
	bad_list *bad;
} loader;

/* One thread's share: a contiguous run of the sorted rows or gram pairs. Each thread writes its
 * own part of every B-tree, so the threads do not fight over the same pages. */
typedef struct share {
	loader *L;
	long begin, end;
	pthread_t tid;
	atomic_int finished;
} share;

static int fail(loader *L, int rc)
{
	int zero = 0;
	atomic_compare_exchange_strong(&L->failed, &zero, rc ? rc : DB_ERROR);
	return -1;
}

/* An org batch: the rows and their names/dates as JSON, with what the audit entry says. */
typedef struct org_batch {
	loader *L;
	buf rows, names;
	int n, has_deregistered;
	long min_line, max_line;
	char first[USCC_LEN + 1], last[USCC_LEN + 1];
} org_batch;

static int org_tx(db_conn *c, void *arg)
{
	org_batch *b = arg;
	loader *L = b->L;
	int rc = db_exec(c, sql_orgs, DBP(DBS(L->now_db), DBS(L->now_db), DBS(b->rows.p)), NULL, NULL);
	if (!rc)
		rc = db_exec(c, sql_claims, DBP(DBS(b->names.p)), NULL, NULL);
	if (!rc)
		rc = db_exec(c, sql_names, DBP(DBS(b->names.p)), NULL, NULL);
	if (!rc)
		rc = db_exec(c, sql_establish, DBP(DBS(L->now_db), DBS(b->names.p)), NULL, NULL);
	if (!rc && b->has_deregistered)
		rc = db_exec(c, sql_deregister, DBP(DBS(L->now_db), DBS(b->names.p)), NULL, NULL);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "file", L->file);
	cJSON_AddNumberToObject(s, "count", b->n);
	cJSON_AddNumberToObject(s, "first_line", (double)b->min_line);
	cJSON_AddNumberToObject(s, "last_line", (double)b->max_line);
	cJSON_AddStringToObject(s, "first_uscc", b->first);
	cJSON_AddStringToObject(s, "last_uscc", b->last);
	char id[64];
	snprintf(id, sizeof id, "%s..%s", b->first, b->last);
	rc = audit_append(c, NULL, "org.import", "import", id, s);
	cJSON_Delete(s);
	return rc;
}

static void org_batch_reset(org_batch *b)
{
	b->rows.len = b->names.len = 0;
	b->rows.failed = b->names.failed = 0;
	b->n = b->has_deregistered = 0;
	b->min_line = b->max_line = 0;
	buf_str(&b->rows, "[");
	buf_str(&b->names, "[");
}

static void org_batch_add(org_batch *b, const record *r)
{
	if (b->n) {
		buf_str(&b->rows, ",");
		buf_str(&b->names, ",");
	} else {
		snprintf(b->first, sizeof b->first, "%s", r->field[F_USCC]);
		b->min_line = b->max_line = r->line;
	}
	snprintf(b->last, sizeof b->last, "%s", r->field[F_USCC]);
	if (r->line < b->min_line)
		b->min_line = r->line;
	if (r->line > b->max_line)
		b->max_line = r->line;
	b->has_deregistered |= !strcmp(r->field[F_STATUS], "deregistered");
	buf_str(&b->rows, "[");
	for (int i = 0; i < NFIELDS; i++) {
		if (i)
			buf_str(&b->rows, ",");
		buf_json(&b->rows, r->field[i]);
	}
	buf_str(&b->rows, "]");
	buf_str(&b->names, "[");
	buf_json(&b->names, r->field[F_USCC]);
	buf_str(&b->names, ",");
	buf_json(&b->names, r->field[F_NAME]);
	buf_str(&b->names, ",");
	buf_json(&b->names, r->field[F_DATE]);
	buf_str(&b->names, ",");
	buf_json(&b->names, r->field[F_STATUS]);
	buf_str(&b->names, "]");
	b->n++;
}

/* Reads the record of a good row again, from its place in the file. */
static int reread(const loader *L, uint32_t id, record *rec)
{
	const row_key *k = &L->keys[id];
	csv s = { L->map + k->off, L->end, k->line };
	if (csv_next(&s, rec) != 1)
		return -1;
	record_tidy(rec);
	return !rec->error && rec->nfields == NFIELDS ? 0 : -1;
}

/* Commits one batch; on a duplicate that appeared since the check, row by row. */
static int org_batch_commit(org_batch *b, share *sh, long from, long to, record *rec)
{
	loader *L = sh->L;
	buf_str(&b->rows, "]");
	buf_str(&b->names, "]");
	if (b->rows.failed || b->names.failed)
		return fail(L, DB_ERROR);
	int rc = db_tx(org_tx, b);
	if (rc == 0) {
		atomic_fetch_add(&L->done, b->n);
		return 0;
	}
	if (rc != DB_DUP)
		return fail(L, rc);
	for (long i = from; i < to; i++) {
		if (reread(L, L->order[i], rec) < 0)
			return fail(L, DB_ERROR);
		org_batch_reset(b);
		org_batch_add(b, rec);
		buf_str(&b->rows, "]");
		buf_str(&b->names, "]");
		rc = b->rows.failed || b->names.failed ? DB_ERROR : db_tx(org_tx, b);
		if (rc == 0)
			atomic_fetch_add(&L->done, 1);
		else if (rc == DB_DUP)
			bad_add(L->bad, rec->line, "duplicate: the code or the name was registered meanwhile");
		else
			return fail(L, rc);
	}
	return 0;
}

static void *org_thread(void *arg)
{
	share *sh = arg;
	loader *L = sh->L;
	record rec = { 0 };
	rec.cap = MAX_RECORD;
	rec.scratch = malloc(rec.cap + MAX_FIELDS + 2);
	org_batch b = { 0 };
	b.L = L;
	if (!rec.scratch) {
		fail(L, DB_ERROR);
		goto out;
	}
	org_batch_reset(&b);
	long from = sh->begin;
	for (long i = sh->begin; i < sh->end && !atomic_load(&L->failed); i++) {
		if (reread(L, L->order[i], &rec) < 0) {
			fail(L, DB_ERROR);
			break;
		}
		org_batch_add(&b, &rec);
		if (b.n == BATCH_ROWS) {
			if (org_batch_commit(&b, sh, from, i + 1, &rec) < 0)
				break;
			org_batch_reset(&b);
			from = i + 1;
		}
	}
	if (b.n && !atomic_load(&L->failed))
		org_batch_commit(&b, sh, from, sh->end, &rec);
out:
	free(rec.scratch);
	free(b.rows.p);
	free(b.names.p);
	db_release();
	atomic_store(&sh->finished, 1);
	return NULL;
}

static int grams_tx(db_conn *c, void *arg)
{
	return db_exec(c, sql_grams, DBP(DBS((const char *)arg)), NULL, NULL);
}

/* Writes gram pairs [begin, end) of the sorted postings, GRAM_BATCH to a statement. */
static void *gram_thread(void *arg)
{
	share *sh = arg;
	loader *L = sh->L;
	const postings *ps = L->ps;
	buf b = { 0 };
	/* Find the posting holding pair number begin. */
	size_t p = 0;
	long at = 0;
	while (p < ps->n && at + (long)ps->p[p].n <= sh->begin)
		at += ps->p[p++].n;
	long j = sh->begin - at, pair = sh->begin;
	while (pair < sh->end && !atomic_load(&L->failed)) {
		b.len = 0;
		b.failed = 0;
		int n = 0;
		buf_str(&b, "[");
		while (pair < sh->end && n < GRAM_BATCH) {
			const posting *e = &ps->p[p];
			buf_str(&b, n ? ",[" : "[");
			buf_json(&b, e->gram);
			buf_str(&b, ",[");
			int first = 1;
			for (; j < (long)e->n && pair < sh->end && n < GRAM_BATCH; j++, pair++, n++) {
				if (!first)
					buf_str(&b, ",");
				first = 0;
				buf_json(&b, L->keys[e->ids[j]].uscc);
			}
			buf_str(&b, "]]");
			if (j == (long)e->n) {
				p++;
				j = 0;
			}
		}
		buf_str(&b, "]");
		if (b.failed) {
			fail(L, DB_ERROR);
			break;
		}
		int rc = db_tx(grams_tx, b.p);
		if (rc) {
			fail(L, rc);
			break;
		}
		atomic_fetch_add(&L->done, n);
	}
	free(b.p);
	db_release();
	atomic_store(&sh->finished, 1);
	return NULL;
}

/* Runs fn on threads over [0, total) cut in equal runs of at least per_thread items (a small file
 * is one batch on one thread), showing progress until they finish. */
static int run_shares(loader *L, void *(*fn)(void *), int threads, long total, long per_thread, progress *pg,
                      const char *phase)
{
	share sh[MAX_THREADS];
	int started = 0;
	if (threads > (total + per_thread - 1) / per_thread)
		threads = (int)((total + per_thread - 1) / per_thread);
	if (threads < 1)
		threads = 1;
	atomic_store(&L->done, 0);
	progress_start(pg, phase, total);
	for (int t = 0; t < threads; t++) {
		sh[t].L = L;
		sh[t].begin = total * t / threads;
		sh[t].end = total * (t + 1) / threads;
		atomic_store(&sh[t].finished, 0);
		if (pthread_create(&sh[t].tid, NULL, fn, &sh[t]) != 0) {
			fail(L, DB_ERROR);
			break;
		}
		started++;
	}
	/* The threads work; this one reports. */
	for (;;) {
		int running = 0;
		for (int t = 0; t < started; t++)
			running += !atomic_load(&sh[t].finished);
		if (!running)
			break;
		long done = atomic_load(&L->done);
		progress_show(pg, done, total ? (double)done / (double)total : 1.0, 0);
		usleep(50000);
	}
	for (int t = 0; t < started; t++)
		pthread_join(sh[t].tid, NULL);
	long done = atomic_load(&L->done);
	progress_show(pg, done, total ? (double)done / (double)total : 1.0, 1);
	return atomic_load(&L->failed) ? -1 : 0;
}

/* --- pass 1: the duplicate check against the database ---------------------------------- */

typedef struct pending {
	long recno[CHECK_ROWS], line[CHECK_ROWS];
	char uscc[CHECK_ROWS][USCC_LEN + 1];
	const char *name[CHECK_ROWS];   /* registered rows only, else NULL */
	int n;
} pending;

/* Marks the pending rows whose code or name the database already holds. 0 or a DB_ code. */
static int pending_flush(db_conn *c, pending *pd, unsigned char *bad, bad_list *bl, long *nbad)
{
	if (!pd->n)
		return 0;
	buf u = { 0 }, nm = { 0 };
	buf_str(&u, "[");
	buf_str(&nm, "[");
	int nn = 0;
	for (int i = 0; i < pd->n; i++) {
		if (i)
			buf_str(&u, ",");
		buf_json(&u, pd->uscc[i]);
		if (pd->name[i]) {
			if (nn++)
				buf_str(&nm, ",");
			buf_json(&nm, pd->name[i]);
		}
	}
	buf_str(&u, "]");
	buf_str(&nm, "]");
	int rc = DB_ERROR;
	db_res *r = NULL, *rn = NULL;
	if (u.failed || nm.failed)
		goto out;
	rc = db_query(c, sql_dup_uscc, DBP(DBS(u.p)), &r);
	if (rc)
		goto out;
	if (nn) {
		rc = db_query(c, sql_dup_name, DBP(DBS(nm.p)), &rn);
		if (rc)
			goto out;
	}
	/* Few rows come back: match them to the pending rows directly. */
	for (int k = 0; k < r->nrows; k++)
		for (int i = 0; i < pd->n; i++)
			if (!bad[pd->recno[i]] && !strcmp(pd->uscc[i], db_val(r, k, 0))) {
				bad[pd->recno[i]] = 1;
				(*nbad)++;
				bad_add(bl, pd->line[i], "uscc_exists: %s is in the register already", pd->uscc[i]);
			}
	for (int k = 0; rn && k < rn->nrows; k++)
		for (int i = 0; i < pd->n; i++)
			if (!bad[pd->recno[i]] && pd->name[i] && !strcmp(pd->name[i], db_val(rn, k, 0))) {
				bad[pd->recno[i]] = 1;
				(*nbad)++;
				bad_add(bl, pd->line[i], "name_taken: the name is held by a registered organization or an application");
			}
	rc = 0;
out:
	db_res_free(r);
	db_res_free(rn);
	free(u.p);
	free(nm.p);
	pd->n = 0;
	return rc;
}

/* --- the command ----------------------------------------------------------------------- */

static const row_key *sort_keys;
static int by_uscc(const void *a, const void *b)
{
	return strcmp(sort_keys[*(const uint32_t *)a].uscc, sort_keys[*(const uint32_t *)b].uscc);
}

static void print_bad(bad_list *bl, size_t limit)
{
	if (bl->n)
		qsort(bl->rows, bl->n, sizeof *bl->rows, bad_cmp);
	for (size_t i = 0; i < bl->n && i < limit; i++)
		fprintf(stderr, "line %ld: %s\n", bl->rows[i].line, bl->rows[i].why);
}

static void bad_free(bad_list *bl)
{
	for (size_t i = 0; i < bl->n; i++)
		free(bl->rows[i].why);
	free(bl->rows);
	bl->rows = NULL;
	bl->n = bl->cap = 0;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "sanzhid import orgs: %s\nusage: sanzhid import orgs FILE.csv [--strict] [--threads N]\n", msg);
	return 2;
}

/* The good rows in USCC order (*out, malloc'd) and the postings of their names. -1 out of memory. */
static int plan_load(const row_key *keys, long nrec, const unsigned char *bad, uint32_t **out, long *ngood,
                     postings *ps)
{
	long n = 0;
	for (long i = 0; i < nrec; i++)
		n += !bad[i] && keys[i].name;
	uint32_t *order = malloc((size_t)(n ? n : 1) * sizeof *order);
	if (!order)
		return -1;
	long k = 0;
	for (long i = 0; i < nrec; i++)
		if (!bad[i] && keys[i].name)
			order[k++] = (uint32_t)i;
	sort_keys = keys;
	if (n)
		qsort(order, (size_t)n, sizeof *order, by_uscc);
	/* Rows in USCC order make every posting list come out sorted. */
	for (long i = 0; i < n; i++) {
		char grams[ORGS_MAX_GRAMS][ORGS_GRAM_SIZE];
		int ng = orgs_grams(keys[order[i]].name, grams, ORGS_MAX_GRAMS);
		for (int g = 0; g < ng; g++)
			if (postings_add(ps, grams[g], order[i]) < 0) {
				free(order);
				return -1;
			}
	}
	if (ps->n)
		qsort(ps->p, ps->n, sizeof *ps->p, posting_cmp);
	*out = order;
	*ngood = n;
	return 0;
}

int cli_import_orgs(int argc, char **argv)
{
	const char *path = NULL;
	int strict = 0, threads = 3;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--strict")) {
			strict = 1;
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			threads = atoi(argv[++i]);
			if (threads < 1 || threads > MAX_THREADS)
				return usage_error("--threads must be 1 to 8");
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "sanzhid import orgs: unknown option %s\n", argv[i]);
			return 2;
		} else if (!path) {
			path = argv[i];
		} else {
			return usage_error("give one file");
		}
	}
	if (!path)
		return usage_error("give the CSV file to import");

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "sanzhid import orgs: cannot read %s: %s\n", path, fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return 2;
	}
	size_t size = (size_t)st.st_size;
	const char *map = NULL;
	if (size > 0) {
		map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			fprintf(stderr, "sanzhid import orgs: cannot map %s: %s\n", path, strerror(errno));
			close(fd);
			return 2;
		}
	}
	close(fd);

	int exit_code = 2;
	record rec = { 0 };
	rec.cap = MAX_RECORD;
	/* Room past cap for the field terminators, which are written even after an overflow. */
	rec.scratch = malloc(rec.cap + MAX_FIELDS + 2);
	unsigned char *bad = NULL;
	row_key *keys = NULL;
	uint32_t *order = NULL;
	size_t rec_cap = 0;
	strset usccs = { 0 }, names = { 0 };
	arena name_store = { 0 };
	postings ps = { 0 };
	bad_list bl = { 0 };
	pthread_mutex_init(&bl.mu, NULL);
	pending *pd = calloc(1, sizeof *pd);
	long nrec = 0, nbad = 0, good = 0;
	progress pg = { isatty(2), NULL, 0, 0, 0 };
	loader L;
	memset(&L, 0, sizeof L);
	db_conn *c = NULL;
	if (!rec.scratch || !pd) {
		fprintf(stderr, "sanzhid import orgs: out of memory\n");
		goto out;
	}

	csv s = { map, map + size, 1 };
	if (size >= 3 && !memcmp(map, "\xEF\xBB\xBF", 3))
		s.p += 3;
	/* The header, exactly. */
	if (!csv_next(&s, &rec) || rec.error || rec.nfields != NFIELDS) {
		fprintf(stderr, "sanzhid import orgs: line 1: the header must be exactly: "
		                "uscc,name,legal_form,category,region_code,domicile,business_scope,legal_representative_name,"
		                "registered_at,status\n");
		goto out;
	}
	for (int i = 0; i < NFIELDS; i++)
		if (strcmp(rec.field[i], header[i])) {
			fprintf(stderr, "sanzhid import orgs: line 1: column %d is \"%.40s\", expected \"%s\"\n", i + 1,
			        rec.field[i], header[i]);
			goto out;
		}

	c = db_get();
	if (!c) {
		fprintf(stderr, "sanzhid import orgs: cannot connect to the database\n");
		goto out;
	}
	usec_t now = clock_now();
	int64_t today = clock_local_day(now);

	/* Pass 1: validate every row. */
	progress_start(&pg, "validating", 0);
	int stop = 0;
	for (;;) {
		size_t off = (size_t)(s.p - map);
		if (stop || !csv_next(&s, &rec))
			break;
		record_tidy(&rec);
		if (record_blank(&rec))
			continue;
		if ((size_t)nrec >= rec_cap) {
			size_t cap = rec_cap ? rec_cap * 2 : 65536;
			unsigned char *nb = cap <= UINT32_MAX ? realloc(bad, cap) : NULL;
			if (nb)
				bad = nb;
			row_key *nk = nb ? realloc(keys, cap * sizeof *nk) : NULL;
			if (!nk) {
				fprintf(stderr, "sanzhid import orgs: out of memory\n");
				goto out;
			}
			keys = nk;
			memset(bad + rec_cap, 0, cap - rec_cap);
			memset(keys + rec_cap, 0, (cap - rec_cap) * sizeof *keys);
			rec_cap = cap;
		}
		long recno = nrec++;
		char why[512];
		const char *reason = row_check(&rec, today, why, sizeof why);
		long dup = 0;
		if (!reason) {
			dup = set_add(&usccs, rec.field[F_USCC], rec.line);
			if (dup > 0)
				reason = (snprintf(why, sizeof why, "duplicate_uscc: %s is also on line %ld", rec.field[F_USCC], dup),
				          why);
		}
		if (!reason && !strcmp(rec.field[F_STATUS], "registered")) {
			dup = set_add(&names, rec.field[F_NAME], rec.line);
			if (dup > 0)
				reason = (snprintf(why, sizeof why, "duplicate_name: a registered organization on line %ld has this name",
				                   dup),
				          why);
		}
		if (dup < 0) {
			fprintf(stderr, "sanzhid import orgs: out of memory\n");
			goto out;
		}
		if (reason) {
			/* Under --strict the rows before this one may still fail against the database: they come first. */
			if (strict && pending_flush(c, pd, bad, &bl, &nbad)) {
				fprintf(stderr, "sanzhid import orgs: the database refused the duplicate check\n");
				goto out;
			}
			bad[recno] = 1;
			nbad++;
			bad_add(&bl, rec.line, "%s", reason);
			stop = strict;
			continue;
		}
		row_key *k = &keys[recno];
		memcpy(k->uscc, rec.field[F_USCC], USCC_LEN + 1);
		k->name = arena_dup(&name_store, rec.field[F_NAME]);
		k->off = off;
		k->line = rec.line;
		if (!k->name) {
			fprintf(stderr, "sanzhid import orgs: out of memory\n");
			goto out;
		}
		int n = pd->n++;
		pd->recno[n] = recno;
		pd->line[n] = rec.line;
		memcpy(pd->uscc[n], k->uscc, USCC_LEN + 1);
		pd->name[n] = strcmp(rec.field[F_STATUS], "registered") ? NULL : k->name;
		if (pd->n == CHECK_ROWS) {
			if (pending_flush(c, pd, bad, &bl, &nbad)) {
				fprintf(stderr, "sanzhid import orgs: the database refused the duplicate check\n");
				goto out;
			}
			stop = strict && nbad;
		}
		progress_show(&pg, nrec, size ? (double)(s.p - map) / (double)size : 1.0, 0);
	}
	if (!stop && pending_flush(c, pd, bad, &bl, &nbad)) {
		fprintf(stderr, "sanzhid import orgs: the database refused the duplicate check\n");
		goto out;
	}
	progress_show(&pg, nrec, 1.0, 1);
	set_free(&usccs);
	set_free(&names);

	if (strict && nbad) {
		print_bad(&bl, 1);
		printf("imported 0, skipped 0: --strict stopped at the first bad row; nothing was imported\n");
		exit_code = 1;
		goto out;
	}
	print_bad(&bl, bl.n);
	bad_free(&bl);

	double t0 = now_s();
	if (plan_load(keys, nrec, bad, &order, &good, &ps) < 0) {
		fprintf(stderr, "sanzhid import orgs: out of memory\n");
		goto out;
	}
	arena_free(&name_store);  /* the postings hold what was needed of the names */
	const char *base = strrchr(path, '/');
	L.file = base ? base + 1 : path;
	clock_fmt_db(now, L.now_db);
	clock_fmt_date(today, L.today);
	L.map = map;
	L.end = map + size;
	L.keys = keys;
	L.order = order;
	L.ps = &ps;
	L.bad = &bl;

	/* Loading, phase 1: the bigrams, before the organizations they point to. A gram whose
	 * organization is not there (yet) is harmless: every search confirms the name itself. */
	if (good > 0 && run_shares(&L, gram_thread, threads, (long)ps.pairs, GRAM_BATCH, &pg, "indexing") < 0) {
		int rc = atomic_load(&L.failed);
		fprintf(stderr, "sanzhid import orgs: %s while indexing the names; no organization was imported\n",
		        rc == DB_DOWN ? "the database went away" : "the database refused a batch");
		printf("imported 0, skipped %ld (stopped early)\n", nbad);
		goto out;
	}
	postings_free(&ps);

	/* Phase 2: the organizations, their names and events, in USCC order, one audited
	 * transaction per batch. */
	int failed = good > 0 && run_shares(&L, org_thread, threads, good, BATCH_ROWS, &pg, "importing") < 0;
	long imported = atomic_load(&L.done);
	if (good == 0)
		imported = 0;
	print_bad(&bl, bl.n);
	long skipped = nbad + (long)bl.n;
	double secs = now_s() - t0;
	if (failed) {
		int rc = atomic_load(&L.failed);
		fprintf(stderr, "sanzhid import orgs: %s; %ld rows were imported before it stopped\n",
		        rc == DB_DOWN ? "the database went away" : "the database refused a batch", imported);
		printf("imported %ld, skipped %ld (stopped early)\n", imported, skipped);
		goto out;
	}
	printf("imported %ld, skipped %ld (%.1f s, %.0f rows/s)\n", imported, skipped, secs,
	       secs > 0 ? (double)imported / secs : 0.0);
	exit_code = skipped ? 1 : 0;
out:
	free(pd);
	set_free(&usccs);
	set_free(&names);
	arena_free(&name_store);
	postings_free(&ps);
	bad_free(&bl);
	pthread_mutex_destroy(&bl.mu);
	free(order);
	free(bad);
	free(keys);
	free(rec.scratch);
	if (map)
		munmap((void *)map, size);
	db_release();
	return exit_code;
}
