/* registry_read.h — how the register's reads answer, in one place.
 *
 * A read that answers one resource is written as a tx function, like a write: it reads through
 * t->c and ends with tx_answer() or returns tx_refuse(). The same function then serves both the
 * write that must answer the resource it changed (inside its transaction, tx_run_or_reply) and
 * the plain read (registry_read_or_reply: this thread's connection, no transaction — a read
 * needs none). Lists, which answer pages, read their rows with registry_rows_or_reply. */
#ifndef SANZHI_REGISTRY_READ_H
#define SANZHI_REGISTRY_READ_H

#include "api.h"
#include "tx.h"

/* Runs fn for req outside a transaction and answers what fn set: its answer, its refusal, or
 * the database's trouble (503 when it is down, else 500). The handler only returns afterwards. */
void registry_read_or_reply(http_req *req, tx_fn fn, void *arg);

/* For a read that returned rc (a DB_ code, or 0 / 1 for nothing found / found): answers the
 * database's trouble (rc < 0), or 404 not_found saying missing (rc == 0), and returns -1; 0 when
 * rc > 0 and the caller answers. registry_db_or_reply is the same for a read that finds no
 * resource (0 is success). */
int registry_found_or_reply(http_req *req, int rc, const char *missing);
int registry_db_or_reply(http_req *req, int rc);

/* The rows of one query, or NULL after answering the database's trouble. */
db_res *registry_rows_or_reply(http_req *req, db_conn *c, const char *sql, const db_param *p, int np);

#endif
