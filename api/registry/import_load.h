/* import_load.h — the loading phases of `sanzhid import orgs`, after every row was validated.
 *
 * The good rows are loaded in two phases, each on several connections that take contiguous
 * shares, and each writing in primary-key order, so that inserts land next to each other instead
 * of all over multi-million-row B-trees (in file order, a million rows took eight minutes on a
 * 512 MB buffer pool; this way, about 35 seconds):
 *   1. the character bigrams of every name, sorted by (gram, USCC), INSERT IGNORE. They go first:
 *      a gram whose organization is not there (yet) is harmless, as every search confirms the
 *      name itself, while an organization without its grams could not be found.
 *   2. the organizations in USCC order, re-read from the file: one transaction per batch filling
 *      orgs, name_claims (registered rows), org_names and org_events ('establish' on the
 *      registration day; 'deregister', day not recorded, for deregistered rows; then 'import', the
 *      day the import entered it), with one audit entry per batch naming
 *      its count, its lines and its USCC range. A batch that meets a code or a name registered
 *      meanwhile by someone else is retried row by row, and the rows that collide are reported.
 * Each table is filled by one prepared INSERT … SELECT over JSON_TABLE(?) with the batch bound as
 * a single JSON parameter: the statements are fixed, and no SQL is ever built from data. */
#ifndef SANZHI_IMPORT_LOAD_H
#define SANZHI_IMPORT_LOAD_H

#include "clock.h"
#include "import_report.h"
#include "import_rows.h"
#include "orgs_index.h"
#include "uscc.h"

#include <stddef.h>
#include <stdint.h>

#define IMPORT_MAX_THREADS 8

/* What pass 1 keeps of each row for the loading phases. */
typedef struct row_key {
	char uscc[USCC_LEN + 1];
	const char *name; /* kept by pass 1 until the plan is made; NULL for a bad row */
	size_t off;       /* where the record starts in the file */
	long line;
} row_key;

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
	uint32_t *slot; /* open addressing: index + 1 into p, 0 empty */
	size_t nslots;
	long long pairs;
} postings;

/* What is loaded: the good rows in USCC order, and the postings of their names in gram order. */
typedef struct import_plan {
	uint32_t *order;
	long ngood;
	postings ps;
} import_plan;

/* Where the rows come from and where the phases report. */
typedef struct import_source {
	const char *file;      /* its base name, for the audit entries */
	const char *map, *end; /* the mapped file */
	usec_t now;
	const row_key *keys;
	bad_list *bad; /* rows that collide while loading are added */
	progress *pg;
	int threads; /* 1 .. IMPORT_MAX_THREADS */
} import_source;

/* The hash of the importer's string tables. */
uint64_t import_hash(const char *s);

/* Plans the load of the rows of keys that bad does not mark. The names are no longer needed
 * afterwards. 0, or -1 out of memory. */
int import_plan_make(const row_key *keys, long nrec, const unsigned char *bad, import_plan *plan);
/* The postings, once phase 1 is done with them. */
void import_plan_drop_grams(import_plan *plan);
void import_plan_free(import_plan *plan);

/* Phase 1, the bigrams: 0, or the DB_ code (DB_ERROR for memory) that stopped it. */
int import_load_grams(const import_source *src, const import_plan *plan);
/* Phase 2, the organizations: 0, or the DB_ code that stopped it; *imported how many landed. */
int import_load_orgs(const import_source *src, const import_plan *plan, long *imported);

#endif
