/* main.c — sanzhid: the daemon and its operator commands (SPEC §1). */
#include "api.h"
#include "mail.h"
#include "cache.h"
#include "fsm.h"
#include "migrate.h"
#include "scheduler.h"
#include "orgs.h"
#include "pdf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_seed(void);

static void usage(void)
{
	fprintf(stderr,
	        "usage: sanzhid [--config FILE] COMMAND\n"
	        "  serve                      run the daemon\n"
	        "  migrate                    apply pending sql/ migrations\n"
	        "  user add --username U --role R [--display-name N] [--expert] [--department D]\n"
	        "                             create a user; the password is read from stdin\n"
	        "  audit verify [--checkpoint FILE]\n"
	        "                             verify the audit hash chains and their MACs, reaching the latest\n"
	        "                             stored checkpoint and FILE's (exit 1 when broken)\n"
	        "  import orgs FILE.csv [--strict] [--threads N]\n"
	        "                             bulk import of registered organizations (exit 1 if a row was skipped)\n"
	        "  seed                       create demo accounts and data (development)\n"
	        "  routes [--json]            list the API routes with their roles (--json: with their\n"
	        "                             body flags too, for scripts/openapi.mjs)\n"
	        "  states                     the workflows' states and transitions, as JSON\n");
}

/* The daemon answers 503 once a statement waits db_read_timeout on a frozen server; the
 * operator's commands (migrations, imports, verification of a long log) may run long statements
 * and wait up to an hour. */
#define CLI_DB_RW_TIMEOUT 3600

static void setup_db(int multi, int rw_timeout)
{
	db_settings s = { cfg.db_host, cfg.db_socket,          cfg.db_name, cfg.db_user, cfg.db_password,
		          cfg.db_port, cfg.db_connect_timeout, multi,       rw_timeout };
	db_configure(&s);
}

/* --- serve ----------------------------------------------------------------------- */
static void *watchdog(void *arg)
{
	(void)arg;
	sleep((unsigned)cfg.shutdown_timeout);
	log_kv(LOG_WARN, "shutdown took too long; exiting with requests still running", NULL);
	_exit(0);
}

static int cmd_serve(void)
{
	char err[512];
	if (config_load_master_key(err, sizeof err) < 0) {
		fprintf(stderr, "sanzhid: %s\n", err);
		return 2;
	}
	setup_db(0, cfg.db_read_timeout);
	/* Signals are taken by sigwait in this thread only; every other thread inherits the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	http_options o = { api_routes,           cfg.listen,     cfg.tls_cert,       cfg.threads,
		           cfg.admin_ui_dir,     cfg.body_limit, cfg.document_limit, cfg.request_timeout_ms,
		           tx_replay_or_continue };
	if (http_start(&o, err, sizeof err) < 0) {
		fprintf(stderr, "sanzhid: %s\n", err);
		return 2;
	}
	/* Time-driven moves fire when due even if nobody asks (SPEC §6), also those that fell due
	 * while the daemon was down: every job runs once at start. */
	api_jobs_register();
	if (sched_start() < 0) {
		fprintf(stderr, "sanzhid: cannot start the scheduler's threads\n");
		http_stop();
		return 2;
	}
	char threads[16];
	snprintf(threads, sizeof threads, "%d", cfg.threads);
	log_kv(LOG_INFO, "sanzhid serving", "listen", cfg.listen, "threads", threads, "test_clock",
	       cfg.test_clock ? "on" : "off", NULL);
	if (db_get() == NULL) {
		log_kv(LOG_WARN, "database unreachable at start; serving 503 until it returns", NULL);
	} else if (audit_chain_open() == 0) {
		/* This instance's own audit chain (server/audit.h); else the first audited write opens it. */
		char chain[24];
		snprintf(chain, sizeof chain, "%lld", audit_chain_id());
		log_kv(LOG_INFO, "audit chain open", "chain", chain, NULL);
	}

	int sig = 0;
	sigwait(&set, &sig);
	log_kv(LOG_INFO, "shutting down", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
	pthread_t wd;
	pthread_create(&wd, NULL, watchdog, NULL);
	pthread_detach(wd);
	http_drain(cfg.shutdown_timeout * 1000 - 1000);
	http_stop();
	sched_stop();
	cache_clear();
	pdf_cleanup();
	db_release();
	log_kv(LOG_INFO, "stopped", NULL);
	return 0;
}

/* --- migrate ------------------------------------------------------------------- */
static int cmd_migrate(void)
{
	setup_db(1, CLI_DB_RW_TIMEOUT);
	db_conn *c = db_get();
	if (!c) {
		fprintf(stderr, "sanzhid migrate: cannot connect to the database\n");
		return 2;
	}
	char err[512];
	if (migrate_run(c, 1, err, sizeof err) < 0) {
		fprintf(stderr, "sanzhid migrate: %s\n", err);
		return 1;
	}
	fprintf(stderr, "migrations current\n");
	db_release();
	return 0;
}

/* --- user add -------------------------------------------------------------------- */

static int cmd_user_add(int argc, char **argv)
{
	user_new u = { 0 };
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--username") && next) {
			u.username = next;
			i++;
		} else if (!strcmp(a, "--role") && next) {
			u.role = next;
			i++;
		} else if (!strcmp(a, "--display-name") && next) {
			u.display_name = next;
			i++;
		} else if (!strcmp(a, "--department") && next) {
			u.department = next;
			i++;
		} else if (!strcmp(a, "--phone") && next) {
			u.phone = next;
			i++;
		} else if (!strcmp(a, "--email") && next) {
			u.email = next;
			i++;
		} else if (!strcmp(a, "--expert")) {
			u.expert = 1;
		} else {
			fprintf(stderr, "sanzhid user add: unexpected argument %s\n", a);
			return 2;
		}
	}
	if (!u.username || !u.role) {
		fprintf(stderr, "sanzhid user add: --username and --role are required\n");
		return 2;
	}
	if (!auth_role_bit(u.role)) {
		fprintf(stderr,
		        "sanzhid user add: --role must be applicant, registrar, purchaser, evaluator or admin\n");
		return 2;
	}
	if (!u.display_name)
		u.display_name = u.username;
	if (u.expert && strcmp(u.role, "evaluator")) {
		fprintf(stderr, "sanzhid user add: --expert is for evaluators\n");
		return 2;
	}
	char pw[300];
	if (isatty(0))
		fprintf(stderr, "password: ");
	if (!fgets(pw, sizeof pw, stdin)) {
		fprintf(stderr, "sanzhid user add: no password on stdin\n");
		return 2;
	}
	pw[strcspn(pw, "\r\n")] = 0;
	u.password = pw;
	/* The same limits the API's JSON getters apply, then the same users_validate_new. Arguments
	 * are bytes, not JSON: they must be UTF-8 before any character is looked at. */
	verr v = { 0 };
	const struct {
		const char *field, *value;
		size_t min, max;
	} texts[] = { { "username", u.username, 3, 64 },      { "display_name", u.display_name, 1, 128 },
		      { "department", u.department, 0, 128 }, { "phone", u.phone, 0, 32 },
		      { "email", u.email, 0, 254 },           { "password", u.password, 0, 256 } };
	int texts_ok = 1;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *t = texts[i].value;
		if (!t)
			continue;
		if (!json_utf8_valid(t, strlen(t))) {
			verr_add(&v, texts[i].field, "invalid_utf8", "%s is not valid UTF-8", texts[i].field);
			texts_ok = 0;
		} else if (json_utf8_len(t) < texts[i].min || json_utf8_len(t) > texts[i].max) {
			verr_add(&v, texts[i].field, "length", "%s must have %zu to %zu characters", texts[i].field,
			         texts[i].min, texts[i].max);
			texts_ok = 0;
		}
	}
	if (texts_ok)
		users_validate_new(&u, 0, &v);
	if (v.count) {
		cJSON *l = verr_take(&v);
		const cJSON *e;
		cJSON_ArrayForEach(e, l) {
			fprintf(stderr, "sanzhid user add: %s: %s\n", cJSON_GetObjectItem(e, "field")->valuestring,
			        cJSON_GetObjectItem(e, "message")->valuestring);
		}
		cJSON_Delete(l);
		crypto_wipe(pw, sizeof pw);
		return 2;
	}
	char hash[CRYPTO_PWHASH_MAX];
	int rc = crypto_password_hash(pw, strlen(pw), hash);
	crypto_wipe(pw, sizeof pw);
	if (rc < 0)
		return 1;
	setup_db(0, CLI_DB_RW_TIMEOUT);
	long long id = 0;
	rc = users_create(NULL, &u, hash, &id);
	if (rc == DB_DUP) {
		fprintf(stderr, "sanzhid user add: username %s is taken\n", u.username);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "sanzhid user add: the database refused (%s)\n",
		        rc == DB_DOWN ? "unreachable" : "error");
		return 1;
	}
	printf("%lld\n", id);
	db_release();
	return 0;
}

/* --- audit verify ------------------------------------------------------------------- */
/* A kept checkpoint (GET /api/v1/audit/checkpoint) is at most this large. */
#define CHECKPOINT_FILE_MAX (16 << 20)

static char *read_small_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(CHECKPOINT_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, CHECKPOINT_FILE_MAX + 1, f) : 0;
	int bad = !buf || ferror(f) || n > CHECKPOINT_FILE_MAX;
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

static int cmd_audit_verify(const char *checkpoint_file)
{
	char err[512];
	/* The MACs and the checkpoints' key need the master key. */
	if (config_load_master_key(err, sizeof err) < 0) {
		fprintf(stderr, "sanzhid audit verify: %s\n", err);
		return 2;
	}
	char *checkpoint = NULL;
	if (checkpoint_file && !(checkpoint = read_small_file(checkpoint_file))) {
		fprintf(stderr, "sanzhid audit verify: cannot read the checkpoint file %s\n", checkpoint_file);
		return 2;
	}
	setup_db(0, CLI_DB_RW_TIMEOUT);
	db_conn *c = db_get();
	if (!c) {
		fprintf(stderr, "sanzhid audit verify: cannot connect to the database\n");
		free(checkpoint);
		return 2;
	}
	audit_report rep;
	int rc = audit_verify_checkpointed(c, checkpoint, &rep);
	free(checkpoint);
	db_release();
	if (rc < 0) {
		fprintf(stderr, "sanzhid audit verify: the database refused\n");
		return 2;
	}
	if (rc) {
		if (rep.first_bad_seq)
			printf("audit chain BROKEN at entry %lld: %s\n", rep.first_bad_seq, rep.reason);
		else
			printf("audit chain BROKEN: %s\n", rep.reason);
		return 1;
	}
	printf("audit chain intact: %lld entries in %lld chains%s\n", rep.entries, rep.chains,
	       checkpoint_file ? ", reaching the checkpoint" : "");
	return 0;
}

/* The route table as scripts/openapi.mjs reads it: each route's roles and flags are what the
 * dispatcher answers 401, 403, 400, 411, 413, 415 and 409/422 (Idempotency-Key) from. */
static int cmd_routes_json(void)
{
	static const struct {
		unsigned bit;
		const char *name;
	} flags[] = {
		{ R_JSON, "json" },   { R_JSON_OPT, "json_opt" }, { R_RAW, "raw" }, { R_IDEMPOTENT, "idempotent" },
		{ R_NO_DB, "no_db" },
	};
	cJSON *all = cJSON_CreateArray();
	for (const route *r = api_routes; r->method; r++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "method", r->method);
		cJSON_AddStringToObject(o, "pattern", r->pattern);
		cJSON_AddBoolToObject(o, "public", r->roles == ROLES_PUBLIC);
		cJSON *roles = cJSON_AddArrayToObject(o, "roles");
		for (unsigned b = 1; b <= ROLE_ADMIN; b <<= 1)
			if (r->roles & b)
				cJSON_AddItemToArray(roles, cJSON_CreateString(auth_role_name(b)));
		cJSON *fl = cJSON_AddArrayToObject(o, "flags");
		for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
			if (r->flags & flags[i].bit)
				cJSON_AddItemToArray(fl, cJSON_CreateString(flags[i].name));
		cJSON_AddItemToArray(all, o);
	}
	char *s = cJSON_Print(all);
	cJSON_Delete(all);
	if (!s)
		return 1;
	printf("%s\n", s);
	free(s);
	return 0;
}

static int cmd_routes(void)
{
	for (const route *r = api_routes; r->method; r++) {
		printf("%s %s", r->method, r->pattern);
		if (r->roles == ROLES_PUBLIC)
			printf(" public");
		for (unsigned b = 1; b <= ROLE_ADMIN; b <<= 1)
			if (r->roles & b)
				printf(" %s", auth_role_name(b));
		printf("\n");
	}
	return 0;
}

/* The state machines as the OpenAPI document describes them (x-state-machines; a test compares). */
static int cmd_states(void)
{
	cJSON *d = fsm_describe();
	char *s = d ? cJSON_Print(d) : NULL;
	cJSON_Delete(d);
	if (!s)
		return 1;
	printf("%s\n", s);
	free(s);
	return 0;
}

int main(int argc, char **argv)
{
	const char *config_file = getenv("SANZHI_CONFIG");
	char *args[64];
	int n = 0;
	for (int i = 1; i < argc && n < 63; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config_file = argv[++i];
			continue;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return 0;
		}
		args[n++] = argv[i];
	}
	if (n == 0) {
		usage();
		return 2;
	}
	char err[1024];
	if (config_load(config_file, err, sizeof err) < 0) {
		fprintf(stderr, "sanzhid: configuration: %s\n", err);
		return 2;
	}
	log_set_level(cfg.log_level);
	clock_enable_test(cfg.test_clock);
	clock_load_calendar(cfg.holidays, cfg.workdays, cfg.tz_offset_minutes);
	crypto_password_set_cost(cfg.password_cost);
	mail_global_init(); /* before any thread: curl_global_init is not thread-safe */

	if (api_routes_build() < 0)
		return 1;
	if (api_workflows_register() < 0) {
		fprintf(stderr, "sanzhid: a workflow is missing a guard or an effect its table names (see the log)\n");
		return 1;
	}
	const char *cmd = args[0];
	if (!strcmp(cmd, "serve") && n == 1)
		return cmd_serve();
	if (!strcmp(cmd, "migrate") && n == 1)
		return cmd_migrate();
	if (!strcmp(cmd, "user") && n >= 2 && !strcmp(args[1], "add"))
		return cmd_user_add(n - 2, args + 2);
	if (!strcmp(cmd, "audit") && n == 2 && !strcmp(args[1], "verify"))
		return cmd_audit_verify(NULL);
	if (!strcmp(cmd, "audit") && n == 4 && !strcmp(args[1], "verify") && !strcmp(args[2], "--checkpoint"))
		return cmd_audit_verify(args[3]);
	if (!strcmp(cmd, "seed") && n == 1) {
		setup_db(0, CLI_DB_RW_TIMEOUT);
		return cli_seed();
	}
	if (!strcmp(cmd, "import") && n >= 2 && !strcmp(args[1], "orgs")) {
		setup_db(0, CLI_DB_RW_TIMEOUT);
		return cli_import_orgs(n - 2, args + 2);
	}
	if (!strcmp(cmd, "routes") && n == 1)
		return cmd_routes();
	if (!strcmp(cmd, "routes") && n == 2 && !strcmp(args[1], "--json"))
		return cmd_routes_json();
	if (!strcmp(cmd, "states") && n == 1)
		return cmd_states();
	usage();
	return 2;
}
