/* migrate.h — applies the numbered sql/ migrations compiled into the binary. */
#ifndef SANZHI_MIGRATE_H
#define SANZHI_MIGRATE_H

#include "db.h"
#include <stddef.h>

/* Applies pending migrations in order, each recorded in schema_migrations. Needs a
 * connection opened with multi_statements. 0, or -1 with a message. */
int migrate_run(db_conn *c, int verbose, char *err, size_t errlen);
/* Pending migrations (0 when current), or a negative DB_ code. */
int migrate_pending(db_conn *c);

#endif
