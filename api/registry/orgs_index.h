/* orgs_index.h — the character-bigram index of organization names (table org_name_grams).
 *
 * InnoDB FULLTEXT does not split Chinese and MariaDB has no ngram parser, so every current and
 * former name is cut into its character bigrams (org_name_grams, PRIMARY KEY (gram, uscc)); the
 * search (org_search.c) answers a substring from the bigrams of the query, and the importer
 * (import_load.c) fills the index in bulk. */
#ifndef SANZHI_ORGS_INDEX_H
#define SANZHI_ORGS_INDEX_H

#include "db.h"

/* A gram is one or two UTF-8 code points: at most 8 bytes and the NUL. */
#define ORGS_GRAM_SIZE 9
/* Names are at most 200 characters, so at most 199 bigrams. */
#define ORGS_MAX_GRAMS 200

/* Cuts a UTF-8 name into its distinct character bigrams, in order of first appearance: "养老协会"
 * gives 养老, 老协, 协会; a one-character name gives that character; "" gives none. Returns the
 * number of grams written (at most max), or -1 when name is not valid UTF-8 or has more than
 * max distinct grams. */
int orgs_grams(const char *name, char (*grams)[ORGS_GRAM_SIZE], int max);

/* Adds the bigrams of name to org_name_grams for uscc (INSERT IGNORE: idempotent), inside the
 * caller's transaction. Call it for every name an organization takes, so that its current and
 * former names stay searchable. 0 or a DB_ code (DB_ERROR for a name that is not valid UTF-8). */
int orgs_index_name(db_conn *c, const char *uscc, const char *name);

#endif
