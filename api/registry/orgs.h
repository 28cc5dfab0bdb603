/* orgs.h — one organization of the public register (SPEC §4): how a request names it (its USCC,
 * or the org-id form CN-USCI-<code>), its profile and its history; and the bump that keeps every
 * instance's profile cache coherent when a transaction changes a profile.
 *
 * The profile is read far more than anything else: it is answered from the profile cache
 * (server/cache.h) when that holds the current rendering, else read outside any transaction
 * through the public gate (org_gate.h) and cached.
 *
 * The rest of the register lives beside it, each in its own module with its own routes:
 * org_search.h (search), org_owner.h (who acts for an organization), certificates.h,
 * annual_reports.h, uscc_api.h; the row itself in org_row.h.
 *
 * Problem codes (besides the dispatcher's):
 *   not_found (404)          no such organization, or a path that cannot be a USCC
 *   invalid_cursor, invalid_limit (400)
 */
#ifndef SANZHI_ORGS_H
#define SANZHI_ORGS_H

#include "api.h"
#include "org_row.h"
#include "tx.h"
#include "uscc.h"
/* api/main.c finds the import command through this header. */
#include "import.h"

/* GET /api/v1/orgs/{uscc}, GET /api/v1/orgs/{uscc}/history (public). */
extern const route orgs_routes[];

/* What a 404 for an unknown organization says. */
#define ORGS_UNKNOWN "there is no organization with this code"

/* 0 when s may be a USCC (18 digits or letters, either case), written upper-cased into out;
 * else -1. */
int orgs_uscc_parse(const char *s, char out[USCC_LEN + 1]);
/* Reads {uscc} from the path, upper-cased, also given as CN-USCI-<code>; answers 404 and returns
 * -1 for anything that cannot be a code. */
int orgs_path_uscc_or_reply(http_req *req, char out[USCC_LEN + 1]);
/* Inside a tx function: the refusal for a code that names no organization (404), to return. */
int orgs_refuse_unknown(tx *t);
/* Inside a tx function: reads the organization uscc into *o, locked (FOR UPDATE) until the
 * transaction ends. 0; or, for fn to return, the 404 refusal when there is none, or a DB_ code
 * (o is then empty). */
int orgs_lock_or_refuse(tx *t, const char *uscc, org_row *o);
/* The same, and a deregistered organization refused 409 with code and the detail fmt (which
 * writes may not touch one: its certificate, its owner, its credit). */
int orgs_lock_registered_or_refuse(tx *t, const char *uscc, org_row *o, const char *code, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
/* Inside a tx function: the one row sql (one ? for the code) finds for uscc into *r, or the 404
 * refusal when it finds none; a DB_ code else. */
int orgs_row_or_refuse(tx *t, const char *sql, const char *uscc, db_res **r);

/* Inside the transaction that changes an existing organization's public profile (its row, its
 * names, its grade or list entries): bumps the register generation so every instance's profile
 * cache drops what it holds (server/cache.h). 0 or a DB_ code. */
int orgs_touch(db_conn *c);
/* Who writes a profile's current list entries (a JSON array) into w: the credit module, set at
 * start (api/jobs.c), so that the register does not depend on credit. Without one: []. */
typedef int (*orgs_lists_fn)(db_conn *c, const char *uscc, jw *w);
void orgs_lists_source(orgs_lists_fn fn);

#endif
