/* api.h — the business side: one module per resource, each exposing its handlers here.
 * The route table (routes.c) is the single list of what the API offers and who may call it. */
#ifndef SANZHI_API_H
#define SANZHI_API_H

#include "audit.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "rules.h"
#include "tx.h"

#include <cjson/cJSON.h>

/* The joined route table; api_routes_build() makes it at start. */
extern const route *api_routes;
int api_routes_build(void);

/* health.c */
void health_healthz(http_req *req);
void health_readyz(http_req *req);
void health_metrics(http_req *req);
void health_openapi(http_req *req);

/* bureau.c — the registration authority's contact and the periods it keeps (public) */
extern const route bureau_routes[];

/* accounts.c — sign-up, sign-in, sign-out, me */
void accounts_signup(http_req *req);
void accounts_login(http_req *req);
void accounts_password_change(http_req *req);
void accounts_logout(http_req *req);
void accounts_me(http_req *req);

/* users.c — administration of accounts */
void users_list(http_req *req);
void users_post(http_req *req);
void users_get(http_req *req);
void users_patch(http_req *req);

typedef struct user_new {
	const char *username, *password, *role, *display_name, *phone, *email, *department;
	int expert;
	const cJSON *affiliations; /* evaluators: [{org_uscc?, org_name, from, to?}] */
} user_new;
/* A new user with the hash of its password, as a creating tx function takes it. */
typedef struct user_hashed {
	user_new u;
	char hash[CRYPTO_PWHASH_MAX];
} user_hashed;
/* Hashes password into hash; answers 500 and returns -1 when it cannot. */
int users_hash_or_reply(http_req *req, const char *password, char hash[CRYPTO_PWHASH_MAX]);
/* The password policy (at least password_min_length characters, not blank, not the username;
 * username may be NULL): field errors on field ("password") into v; 0 or -1. */
int users_check_password(const char *pw, const char *username, const char *field, verr *v);
/* Validates into v (field errors) without touching the database. */
void users_validate_new(const user_new *u, int public_signup, verr *v);
/* Inserts the user (and its affiliations) and audits it, inside the caller's transaction.
 * DB_DUP when the username is taken. */
int users_insert(db_conn *c, const auth_user *who, const user_new *u, const char *password_hash, long long *id);
/* users_insert in a transaction of its own. */
int users_create(const auth_user *who, const user_new *u, const char *password_hash, long long *id);
struct tx;
/* users_insert inside a tx function; a taken username refuses 409 username_taken. */
int users_insert_or_refuse(struct tx *t, const auth_user *who, const user_new *u, const char *password_hash,
                           long long *id);
/* The user as answered (USER_COLUMNS; with full, an evaluator's affiliations too) and its version;
 * *out NULL when there is no such user. 0 or a DB_ code. */
int users_read(db_conn *c, long long id, int full, cJSON **out, long long *version);
/* Inside a tx function: answers the user with status (ETag its version); 404 when there is none. */
int users_answer(struct tx *t, long long id, int full, int status);
/* Usernames are case-insensitive: the one form they are stored and compared in (lower case). */
void users_fold_username(const char *in, char *out, size_t outlen);
/* The public shape of a user row selected with USER_COLUMNS. */
#define USER_COLUMNS                                                                                                   \
	"id, username, role, display_name, phone, email, department, expert, disabled, version, created_at, "          \
	"must_change_password"
cJSON *users_json(const db_res *r, int row);

/* audit_api.c */
void audit_list(http_req *req);
void audit_verify_get(http_req *req);
void audit_checkpoint_get(http_req *req);
/* The scheduled job: a signed checkpoint of every chain's head, a row and a log line. */
int audit_checkpoint_run(cJSON *report);
/* Verifies the chains, reaching the latest stored checkpoint (whose signature must hold) and,
 * when checkpoint_json is not NULL, the heads of that checkpoint as GET /audit/checkpoint serves
 * it (with or without its {"data": …}). 0 intact, 1 broken (rep says why), DB_ code on error. */
int audit_verify_checkpointed(db_conn *c, const char *checkpoint_json, audit_report *rep);

/* admin.c — the test clock and the rule sweep */
void admin_clock_get(http_req *req);
void admin_clock_put(http_req *req);
void admin_sweep(http_req *req);
/* jobs.c — the workflows and the periodic jobs. Runs every sweeping job once now (time-driven
 * rules, housekeeping); report receives one {rule, changed} per rule. 0 or DB_ code. */
int sweep_run(cJSON *report);
/* At start: every workflow registered, the guards and effects of modules above a workflow bound to
 * its table (fsm_bind); -1 when a table names one that is not bound (fsm_check). */
int api_workflows_register(void);
void api_jobs_register(void);
/* housekeeping.c — a scheduled job (server/scheduler.h). */
int housekeeping_run(cJSON *report);

/* Helpers shared by handlers. */
/* Copies a DB DATETIME text into RFC 3339 on obj[key] (null when NULL). */
void api_add_time(cJSON *obj, const char *key, const char *db_time);
/* Parses a decimal id path parameter; answers 404 and returns -1 if it is not one. */
int api_id_param_or_reply(http_req *req, const char *name, long long *id);
/* This thread's database connection, or NULL after answering 503 (the database is down). */
db_conn *api_db_or_reply(http_req *req);
/* For a read that returned rc (a DB_ code, or 0 / 1 for nothing found / found): answers the
 * database's trouble (rc < 0), or 404 not_found saying missing (rc == 0), and returns -1; 0 when
 * rc > 0 and the caller answers. api_rc_or_reply is the same for a read that finds no resource
 * (0 is success). */
int api_found_or_reply(http_req *req, int rc, const char *missing);
int api_rc_or_reply(http_req *req, int rc);
/* The rows of one query, or NULL after answering the database's trouble. */
db_res *api_rows_or_reply(http_req *req, db_conn *c, const char *sql, const db_param *p, int np);

/* A page of what one resource holds (GET /tenders/{id}/questions): the resource's {id}, and the
 * items with ids above after (the cursor), at most limit. */
typedef struct api_subpage {
	long long id, after;
	int limit;
} api_subpage;
/* Reads them (404 for an {id} that is no id, 400 for a bad page) and runs fn on them in a read. */
void api_subpage_or_reply(http_req *req, tx_fn fn);

#endif
