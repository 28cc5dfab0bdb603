/* import.c — `sanzhid import orgs FILE.csv [--strict] [--threads N]`: bulk import of organizations
 * registered before this system (SPEC Appendix A). The command and its first pass; the CSV
 * reader is import_csv.c, the row format and its checks import_rows.c, the loading phases
 * import_load.c, progress and bad rows import_report.c.
 *
 * The file is UTF-8 CSV (RFC 4180, an optional BOM) with exactly the header of import_rows.h.
 *
 * The first pass over the mapped file validates every row — each row by itself
 * (import_row_check), then duplicates within the file (the USCC; the name among registered rows)
 * and against the database (USCC in orgs, name in name_claims, a thousand rows to a query) — and
 * reports each bad row on stderr with its line number and a stable reason code. With --strict it
 * stops at the first bad row and nothing is imported. Then the good rows are loaded
 * (import_load.h).
 *
 * Exit: 0 all rows imported; 1 a row was skipped or --strict stopped; 2 usage, I/O or database.
 */
#include "import.h"
#include "buf.h"
#include "clock.h"
#include "db.h"
#include "import_csv.h"
#include "import_load.h"
#include "import_report.h"
#include "import_rows.h"
#include "org_row.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK_ROWS 1000 /* rows per duplicate check against the database */
#define JSON_MAX ((size_t)256 << 20)

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
	uint64_t h = import_hash(s);
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

/* Duplicate checks: [uscc, …] against orgs, [name, …] against name_claims. */
static const char sql_dup_uscc[] = "SELECT o.uscc FROM JSON_TABLE(?, '$[*]' COLUMNS (u CHAR(18) CHARACTER SET ascii "
                                   "COLLATE ascii_bin PATH '$')) j "
                                   "JOIN orgs o ON o.uscc = j.u";
static const char sql_dup_name[] = "SELECT c.name FROM JSON_TABLE(?, '$[*]' COLUMNS (n VARCHAR(200) CHARACTER SET "
                                   "utf8mb4 COLLATE utf8mb4_bin PATH '$')) j "
                                   "JOIN name_claims c ON c.name = j.n";

/* --- pass 1: the duplicate check against the database ---------------------------------- */

typedef struct pending {
	long recno[CHECK_ROWS], line[CHECK_ROWS];
	char uscc[CHECK_ROWS][USCC_LEN + 1];
	const char *name[CHECK_ROWS]; /* registered rows only, else NULL */
	int n;
} pending;

/* Marks the pending rows whose code or name the database already holds. 0 or a DB_ code. */
static int pending_flush(db_conn *c, pending *pd, unsigned char *bad, bad_list *bl, long *nbad)
{
	if (!pd->n)
		return 0;
	dynbuf u, nm;
	buf_init(&u, JSON_MAX);
	buf_init(&nm, JSON_MAX);
	buf_adds(&u, "[");
	buf_adds(&nm, "[");
	int nn = 0;
	for (int i = 0; i < pd->n; i++) {
		if (i)
			buf_adds(&u, ",");
		buf_add_json_string(&u, pd->uscc[i]);
		if (pd->name[i]) {
			if (nn++)
				buf_adds(&nm, ",");
			buf_add_json_string(&nm, pd->name[i]);
		}
	}
	buf_adds(&u, "]");
	buf_adds(&nm, "]");
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
				bad_add(bl, pd->line[i],
				        "name_taken: the name is held by a registered organization or an application");
			}
	rc = 0;
out:
	db_res_free(r);
	db_res_free(rn);
	buf_free(&u);
	buf_free(&nm);
	pd->n = 0;
	return rc;
}

/* --- the command ----------------------------------------------------------------------- */

static int usage_error(const char *msg)
{
	fprintf(stderr, "sanzhid import orgs: %s\nusage: sanzhid import orgs FILE.csv [--strict] [--threads N]\n", msg);
	return 2;
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
			if (threads < 1 || threads > IMPORT_MAX_THREADS)
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
		fprintf(stderr, "sanzhid import orgs: cannot read %s: %s\n", path,
		        fd < 0 ? strerror(errno) : "not a regular file");
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
	record rec;
	int rec_ok = record_init(&rec) == 0;
	unsigned char *bad = NULL;
	row_key *keys = NULL;
	size_t rec_cap = 0;
	strset usccs = { 0 }, names = { 0 };
	arena name_store = { 0 };
	import_plan plan = { 0 };
	bad_list bl = { 0 };
	pthread_mutex_init(&bl.mu, NULL);
	pending *pd = calloc(1, sizeof *pd);
	long nrec = 0, nbad = 0;
	progress pg = { isatty(2), NULL, 0, 0, 0 };
	db_conn *c = NULL;
	if (!rec_ok || !pd) {
		fprintf(stderr, "sanzhid import orgs: out of memory\n");
		goto out;
	}

	csv s = { map, map + size, 1 };
	if (size >= 3 && !memcmp(map, "\xEF\xBB\xBF", 3))
		s.p += 3;
	/* The header, exactly. */
	if (!csv_next(&s, &rec) || rec.error || rec.nfields != IMPORT_NFIELDS) {
		fprintf(stderr,
		        "sanzhid import orgs: line 1: the header must be exactly: "
		        "uscc,name,legal_form,category,region_code,domicile,business_scope,legal_representative_name,"
		        "registered_at,status\n");
		goto out;
	}
	for (int i = 0; i < IMPORT_NFIELDS; i++)
		if (strcmp(rec.field[i], import_header[i])) {
			fprintf(stderr, "sanzhid import orgs: line 1: column %d is \"%.40s\", expected \"%s\"\n", i + 1,
			        rec.field[i], import_header[i]);
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
		import_row_tidy(&rec);
		if (import_row_blank(&rec))
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
		const char *reason = import_row_check(&rec, today, why, sizeof why);
		long dup = 0;
		if (!reason) {
			dup = set_add(&usccs, rec.field[F_USCC], rec.line);
			if (dup > 0)
				reason = (snprintf(why, sizeof why, "duplicate_uscc: %s is also on line %ld",
				                   rec.field[F_USCC], dup),
				          why);
		}
		int registered = org_status_of(rec.field[F_STATUS]) == ORG_REGISTERED;
		if (!reason && registered) {
			dup = set_add(&names, rec.field[F_NAME], rec.line);
			if (dup > 0)
				reason =
				        (snprintf(why, sizeof why,
				                  "duplicate_name: a registered organization on line %ld has this name",
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
		pd->name[n] = registered ? k->name : NULL;
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
		bad_print(&bl, 1);
		printf("imported 0, skipped 0: --strict stopped at the first bad row; nothing was imported\n");
		exit_code = 1;
		goto out;
	}
	bad_print(&bl, bl.n);
	bad_free(&bl);

	double t0 = import_now();
	if (import_plan_make(keys, nrec, bad, &plan) < 0) {
		fprintf(stderr, "sanzhid import orgs: out of memory\n");
		goto out;
	}
	arena_free(&name_store); /* the postings hold what was needed of the names */
	const char *base = strrchr(path, '/');
	import_source src = { base ? base + 1 : path, map, map + size, now, keys, &bl, &pg, threads };

	/* Loading, phase 1: the bigrams, before the organizations they point to. A gram whose
	 * organization is not there (yet) is harmless: every search confirms the name itself. */
	int rc = import_load_grams(&src, &plan);
	if (rc) {
		fprintf(stderr, "sanzhid import orgs: %s while indexing the names; no organization was imported\n",
		        rc == DB_DOWN ? "the database went away" : "the database refused a batch");
		printf("imported 0, skipped %ld (stopped early)\n", nbad);
		goto out;
	}
	import_plan_drop_grams(&plan);

	/* Phase 2: the organizations, their names and events, in USCC order, one audited
	 * transaction per batch. */
	long imported;
	rc = import_load_orgs(&src, &plan, &imported);
	bad_print(&bl, bl.n);
	long skipped = nbad + (long)bl.n;
	double secs = import_now() - t0;
	if (rc) {
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
	import_plan_free(&plan);
	bad_free(&bl);
	pthread_mutex_destroy(&bl.mu);
	free(bad);
	free(keys);
	record_free(&rec);
	if (map)
		munmap((void *)map, size);
	db_release();
	return exit_code;
}
