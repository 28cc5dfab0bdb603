/* migrate.c — ordered, recorded, idempotent schema migrations.
 * MariaDB commits DDL implicitly, so a migration is atomic only as far as its statements
 * allow; each is wrapped in a transaction anyway, recorded with its checksum, and a changed
 * already-applied migration stops the run. */
#include "migrate.h"
#include "clock.h"
#include "crypto.h"
#include "embedded.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ensure_table(db_conn *c)
{
	return db_raw(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                 " version INT UNSIGNED NOT NULL PRIMARY KEY,"
	                 " name VARCHAR(200) NOT NULL,"
	                 " checksum CHAR(64) NOT NULL,"
	                 " applied_at DATETIME(6) NOT NULL"
	                 ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
}

int migrate_pending(db_conn *c)
{
	db_res *r;
	int rc = db_query(c, "SELECT COUNT(*) FROM schema_migrations", DBNONE, &r);
	if (rc)
		return rc;
	int applied = (int)db_int(r, 0, 0);
	db_res_free(r);
	return migrations_count - applied;
}

int migrate_run(db_conn *c, int verbose, char *err, size_t errlen)
{
	if (ensure_table(c)) {
		snprintf(err, errlen, "cannot create schema_migrations: %s", db_raw_error(c));
		return -1;
	}
	/* One migrator at a time, across instances. */
	db_res *lk;
	if (db_query(c, "SELECT GET_LOCK('sanzhi_migrate', 60)", DBNONE, &lk) || db_int(lk, 0, 0) != 1) {
		snprintf(err, errlen, "another migration is running");
		return -1;
	}
	db_res_free(lk);
	int rc = -1;
	for (int i = 0; i < migrations_count; i++) {
		const struct embedded_file *m = &migrations_files[i];
		int version = atoi(m->name);
		if (version <= 0) {
			snprintf(err, errlen, "migration %s: the name must start with its number", m->name);
			goto out;
		}
		char sum[CRYPTO_SHA256_HEX_LEN + 1];
		crypto_sha256_hex(m->data, m->len, sum);
		db_res *r;
		if (db_query(c, "SELECT checksum FROM schema_migrations WHERE version = ?", DBP(DBI(version)), &r)) {
			snprintf(err, errlen, "cannot read schema_migrations");
			goto out;
		}
		int applied = r->nrows == 1;
		int changed = applied && strcmp(db_val(r, 0, 0), sum) != 0;
		db_res_free(r);
		if (changed) {
			snprintf(err, errlen,
			         "migration %s was changed after it was applied; add a new migration instead", m->name);
			goto out;
		}
		if (applied)
			continue;
		if (verbose)
			fprintf(stderr, "applying %s\n", m->name);
		if (db_raw(c, "START TRANSACTION") || db_raw(c, m->data)) {
			snprintf(err, errlen, "migration %s failed: %s", m->name, db_raw_error(c));
			db_raw(c, "ROLLBACK");
			goto out;
		}
		char now[32];
		clock_fmt_db(clock_now(), now);
		if (db_exec(c,
		            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
		            DBP(DBI(version), DBS(m->name), DBS(sum), DBS(now)), NULL, NULL) ||
		    db_raw(c, "COMMIT")) {
			snprintf(err, errlen, "migration %s could not be recorded: %s", m->name, db_raw_error(c));
			goto out;
		}
	}
	rc = 0;
out:
	if (db_query(c, "SELECT RELEASE_LOCK('sanzhi_migrate')", DBNONE, &lk) == 0)
		db_res_free(lk);
	return rc;
}
