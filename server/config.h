/* config.h — the daemon's configuration: an ini file (--config FILE) with every key
 * overridable from the environment as SANZHI_<KEY>; [rules] keys as SANZHI_RULE_<NAME>.
 * Unknown keys and bad values stop start-up with a message naming them. */
#ifndef SANZHI_CONFIG_H
#define SANZHI_CONFIG_H

#include <stddef.h>

typedef struct config {
	char listen[512];
	char db_host[256];
	int db_port;
	char db_socket[512];
	char db_name[65];
	char db_user[81];
	char db_password[256]; /* secret: never logged */
	char master_key_file[512];
	char tls_cert[512];
	int threads;
	int test_clock;
	char admin_ui_dir[512];
	char data_dir[512]; /* signing key and other daemon state */
	/* The registration authority people deal with (GET /api/v1/bureau: the applicant's pages
	 * name it). "" leaves a part unsaid. */
	char bureau_name[256]; /* e.g. 海盐县民政局; also who signs notices (发文机关) */
	char bureau_phone[64];
	char bureau_address[256];
	char bureau_hours[256]; /* e.g. 工作日 8:30–17:00 */
	long long body_limit;
	long long document_limit;
	char log_level[16];
	char holidays[8192];   /* comma-separated YYYY-MM-DD, non-working days */
	char workdays[2048];   /* comma-separated YYYY-MM-DD weekend days worked (调休) */
	int tz_offset_minutes; /* for calendar dates: 480 = China Standard Time */
	int password_cost;     /* scrypt log2(N) for new hashes */
	int db_connect_timeout;
	int db_read_timeout; /* seconds a statement's answer may take before 503 (a frozen server) */
	int shutdown_timeout;
	int request_timeout_ms;
	int header_timeout_ms;           /* request line and headers must arrive within it */
	long long body_min_rate;         /* bytes per second a body must keep up, after a grace */
	int request_deadline_ms;         /* the whole request (headers and body) must arrive within it */
	int max_connections_per_address; /* open connections one client address may hold; 0: no cap */
	long long body_memory;           /* bytes request bodies (and their parsed JSON) may hold together */
	int sweep_seconds;               /* period of the time-driven rules and housekeeping */
	int audit_chains;                /* audit chains a process appends to, one per thread (server/audit.c) */
	char ocds_prefix[33];            /* OCDS: ocid = ocds-<prefix>-<tender id> */
	char ocds_publisher[201];        /* OCDS: the publisher's name in release packages */
	char public_url[256];            /* the daemon's public base URL (open-data links); "": the Host */
	char smtp_url[512];              /* smtp://host:port or smtps://host:port; "": no mail */
	char smtp_user[256];
	char smtp_password[256];           /* secret: never logged */
	char mail_from[256];               /* the sender address ("Name <addr>" or addr) */
	int mail_poll_ms;                  /* period of the mail sender */
	int mail_max_attempts;             /* attempts before a message is a dead letter */
	int mail_retry_seconds;            /* first retry after this; doubles each attempt */
	char test_crash_after_commit[256]; /* tests only: "POST /api/v1/x" dies between COMMIT and answer */
	char test_crash_at[64];            /* tests only: a named point inside a transaction (tx_test_crash) */
	int test_unsealed_bids;            /* benchmarks only: bids stored as zeros of the sealed length, not sealed */
} config;

extern config cfg;

/* Loads defaults, then the file (may be NULL), then the environment; validates.
 * On failure writes a human message into err and returns -1. */
int config_load(const char *file, char *err, size_t errlen);

/* The master key (32 bytes) read from master_key_file; config_load_master_key checks
 * that the file exists, holds exactly 64 hex characters and is not readable by others. */
int config_load_master_key(char *err, size_t errlen);
const unsigned char *config_master_key(void);

#endif
