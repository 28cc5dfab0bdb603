/* config.c — ini + environment configuration, validated before anything starts. */
#include "config.h"
#include "clock.h"
#include "crypto.h"
#include "rules.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

config cfg;
static unsigned char master_key[32];
static int master_key_loaded;

enum ktype { K_STR, K_INT, K_BOOL, K_SIZE };

typedef struct key {
	const char *name;
	enum ktype type;
	size_t off;
	size_t size; /* for strings: buffer size */
	long long min, max;
} key;

#define S(n)                                                                                                           \
	{                                                                                                              \
#n, K_STR, offsetof(config, n), sizeof(((config *)0)->n), 0, 0                                         \
	}
#define I(n, lo, hi)                                                                                                   \
	{                                                                                                              \
#n, K_INT, offsetof(config, n), sizeof(int), lo, hi                                                    \
	}
#define B(n)                                                                                                           \
	{                                                                                                              \
#n, K_BOOL, offsetof(config, n), sizeof(int), 0, 1                                                     \
	}
#define Z(n, lo, hi)                                                                                                   \
	{                                                                                                              \
#n, K_SIZE, offsetof(config, n), sizeof(long long), lo, hi                                             \
	}

static const key keys[] = {
	S(listen),
	S(db_host),
	I(db_port, 1, 65535),
	S(db_socket),
	S(db_name),
	S(db_user),
	S(db_password),
	S(master_key_file),
	S(tls_cert),
	I(threads, 2, 16384),
	B(test_clock),
	S(admin_ui_dir),
	S(data_dir),
	S(bureau_name),
	S(bureau_phone),
	S(bureau_address),
	S(bureau_hours),
	Z(body_limit, 1024, 1LL << 30),
	Z(document_limit, 1024, 1LL << 30),
	S(log_level),
	S(ocds_prefix),
	S(ocds_publisher),
	S(public_url),
	S(holidays),
	S(workdays),
	I(tz_offset_minutes, -720, 840),
	I(password_cost, 10, 20),
	I(db_connect_timeout, 1, 60),
	I(db_read_timeout, 1, 3600),
	I(shutdown_timeout, 1, 600),
	I(request_timeout_ms, 1000, 600000),
	I(sweep_seconds, 1, 3600),
	I(audit_chains, 1, 64),
	S(smtp_url),
	S(smtp_user),
	S(smtp_password),
	S(mail_from),
	I(mail_poll_ms, 50, 3600000),
	I(mail_max_attempts, 1, 100),
	I(mail_retry_seconds, 1, 86400),
	I(header_timeout_ms, 1000, 600000),
	Z(body_min_rate, 1, 1LL << 30),
	I(request_deadline_ms, 1000, 3600000),
	I(max_connections_per_address, 0, 1000000),
	Z(body_memory, 1LL << 20, 1LL << 40),
	S(test_crash_after_commit),
	S(test_crash_at),
	B(test_unsealed_bids),
};
#define NKEYS (sizeof keys / sizeof keys[0])

static void defaults(void)
{
	memset(&cfg, 0, sizeof cfg);
	strcpy(cfg.listen, "127.0.0.1:8080");
	strcpy(cfg.db_host, "127.0.0.1");
	cfg.db_port = 3306;
	strcpy(cfg.db_name, "sanzhi");
	strcpy(cfg.db_user, "sanzhi");
	strcpy(cfg.master_key_file, "var/master.key");
	cfg.threads = 2048;
	strcpy(cfg.admin_ui_dir, "admin-ui");
	strcpy(cfg.data_dir, "var");
	cfg.body_limit = 1 << 20;
	cfg.document_limit = 20 << 20;
	strcpy(cfg.log_level, "info");
	strcpy(cfg.ocds_prefix, "sanzhi");
	strcpy(cfg.ocds_publisher, "sanzhi");
	cfg.tz_offset_minutes = 480;
	cfg.password_cost = 14;
	cfg.db_connect_timeout = 2;
	cfg.db_read_timeout = 15;
	cfg.shutdown_timeout = 20;
	cfg.request_timeout_ms = 30000;
	cfg.header_timeout_ms = 10000;
	cfg.body_min_rate = 4096;
	cfg.request_deadline_ms = 120000;
	cfg.max_connections_per_address = 64;
	cfg.body_memory = 64LL << 20;
	cfg.sweep_seconds = 60;
	cfg.audit_chains = 16;
	cfg.mail_poll_ms = 5000;
	cfg.mail_max_attempts = 8;
	cfg.mail_retry_seconds = 60;
}

static const key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int set_key(const key *k, const char *value, const char *where, char *err, size_t errlen)
{
	char *p = (char *)&cfg + k->off;
	if (k->type == K_STR) {
		if (strlen(value) >= k->size) {
			snprintf(err, errlen, "%s: %s is too long (at most %zu characters)", where, k->name,
			         k->size - 1);
			return -1;
		}
		strcpy(p, value);
		return 0;
	}
	if (k->type == K_BOOL) {
		int b;
		if (!strcmp(value, "1") || !strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
		    !strcasecmp(value, "on"))
			b = 1;
		else if (!strcmp(value, "0") || !strcasecmp(value, "false") || !strcasecmp(value, "no") ||
		         !strcasecmp(value, "off"))
			b = 0;
		else {
			snprintf(err, errlen, "%s: %s must be true or false, not \"%s\"", where, k->name, value);
			return -1;
		}
		*(int *)p = b;
		return 0;
	}
	/* Digits only (ini values arrive trimmed; the environment's must be as clean): strtoll alone
	 * would take " 4" and "+4" but not "4 ". */
	char *end = (char *)value;
	errno = 0;
	long long v = 0;
	if (*value >= '0' && *value <= '9')
		v = strtoll(value, &end, 10);
	if (k->type == K_SIZE && end != value) {
		if (*end == 'k' || *end == 'K') {
			v <<= 10;
			end++;
		} else if (*end == 'm' || *end == 'M') {
			v <<= 20;
			end++;
		} else if (*end == 'g' || *end == 'G') {
			v <<= 30;
			end++;
		}
	}
	if (errno || end == value || *end || v < k->min || v > k->max) {
		snprintf(err, errlen, "%s: %s must be a whole number from %lld to %lld, not \"%s\"", where, k->name,
		         k->min, k->max, value);
		return -1;
	}
	if (k->type == K_SIZE)
		*(long long *)p = v;
	else
		*(int *)p = (int)v;
	return 0;
}

/* Sets a rule; on failure writes "<where>: <message>" naming the rule and its range. */
static int set_rule(const char *name, const char *value, const char *where, char *err, size_t errlen)
{
	int r = rules_set(name, value);
	if (r == 0)
		return 0;
	if (r == -1) {
		snprintf(err, errlen, "%s: unknown rule \"%s\"", where, name);
		return -1;
	}
	const rule_info *ri = rules_info((rule_id)rules_find(name));
	snprintf(err, errlen, "%s: rule %s must be a whole number from %lld to %lld (%s), not \"%s\"", where, name,
	         ri->min, ri->max, ri->unit, value);
	return -1;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int load_file(const char *file, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open config file %s: %s", file, strerror(errno));
		return -1;
	}
	/* fopen takes a directory, and fgets then fails at once: without this the daemon would start
	 * as if the file were empty. */
	struct stat st;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read config file %s: %s", file,
		         S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
		fclose(f);
		return -1;
	}
	char line[9000], where[600];
	int lineno = 0, in_rules = 0, rc = 0;
	/* The line each key was set on, to refuse a second setting that would silently win. */
	int key_line[NKEYS] = { 0 }, rule_line[RULE__COUNT] = { 0 };
	while (fgets(line, sizeof line, f)) {
		lineno++;
		snprintf(where, sizeof where, "%s:%d", file, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s: line too long", where);
			rc = -1;
			break;
		}
		char *s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (!strcmp(s, "[rules]"))
				in_rules = 1;
			else if (!strcmp(s, "[sanzhi]") || !strcmp(s, "[server]"))
				in_rules = 0;
			else {
				snprintf(err, errlen, "%s: unknown section %s", where, s);
				rc = -1;
				break;
			}
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s: expected key = value", where);
			rc = -1;
			break;
		}
		*eq = 0;
		char *k = trim(s), *v = trim(eq + 1);
		size_t vl = strlen(v);
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v[vl - 1] = 0;
			v++;
		}
		if (in_rules) {
			int id = rules_find(k);
			if (id >= 0 && rule_line[id]) {
				snprintf(err, errlen, "%s: duplicate rule \"%s\" (already set on line %d)", where, k,
				         rule_line[id]);
				rc = -1;
				break;
			}
			if (set_rule(k, v, where, err, errlen) < 0) {
				rc = -1;
				break;
			}
			rule_line[id] = lineno;
			continue;
		}
		const key *kk = find_key(k);
		if (!kk) {
			snprintf(err, errlen, "%s: unknown key \"%s\"", where, k);
			rc = -1;
			break;
		}
		if (key_line[kk - keys]) {
			snprintf(err, errlen, "%s: duplicate key \"%s\" (already set on line %d)", where, k,
			         key_line[kk - keys]);
			rc = -1;
			break;
		}
		if (set_key(kk, v, where, err, errlen) < 0) {
			rc = -1;
			break;
		}
		key_line[kk - keys] = lineno;
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "cannot read config file %s: %s", file, strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}

extern char **environ;

/* Variables under SANZHI_ that tooling (not the daemon) reads. */
static int tooling_var(const char *name)
{
	return !strncmp(name, "SANZHI_DEVDB_", 13) || !strncmp(name, "SANZHI_BENCH_", 13) ||
	       !strncmp(name, "SANZHI_TEST_DB", 14) || !strcmp(name, "SANZHI_CONFIG");
}

static int load_env(char *err, size_t errlen)
{
	for (char **e = environ; *e; e++) {
		if (strncmp(*e, "SANZHI_", 7) != 0)
			continue;
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		char name[128];
		size_t n = (size_t)(eq - *e);
		if (n >= sizeof name)
			continue;
		memcpy(name, *e, n);
		name[n] = 0;
		if (tooling_var(name))
			continue;
		const char *v = eq + 1;
		char lower[128];
		if (!strncmp(name, "SANZHI_RULE_", 12)) {
			size_t i = 0;
			for (const char *p = name + 12; *p && i < sizeof lower - 1; p++)
				lower[i++] = (char)tolower((unsigned char)*p);
			lower[i] = 0;
			char where[160];
			snprintf(where, sizeof where, "environment %s", name);
			if (set_rule(lower, v, where, err, errlen) < 0)
				return -1;
			continue;
		}
		size_t i = 0;
		for (const char *p = name + 7; *p && i < sizeof lower - 1; p++)
			lower[i++] = (char)tolower((unsigned char)*p);
		lower[i] = 0;
		const key *k = find_key(lower);
		if (!k) {
			snprintf(err, errlen, "environment: unknown setting %s", name);
			return -1;
		}
		char where[160];
		snprintf(where, sizeof where, "environment %s", name);
		if (set_key(k, v, where, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Date lists: comma-separated YYYY-MM-DD, each a real calendar day; no empty entries. With
 * weekend set (workdays), each must fall on a Saturday or Sunday: a make-up day (调休) is a
 * weekend day worked, and a weekday in the list would mean nothing. */
static int check_dates(const char *list, const char *name, int weekend, char *err, size_t errlen)
{
	if (!*list)
		return 0;
	char buf[sizeof cfg.holidays];
	snprintf(buf, sizeof buf, "%s", list);
	int n = 0;
	for (char *p = buf, *next; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = 0;
		char *d = trim(p);
		int64_t day;
		n++;
		if (!*d) {
			snprintf(err, errlen, "%s: entry %d is empty (a stray comma?)", name, n);
			return -1;
		}
		if (clock_parse_date(d, &day) < 0) {
			snprintf(err, errlen, "%s: \"%.20s\" is not a calendar date YYYY-MM-DD", name, d);
			return -1;
		}
		int wd = (int)(((day % 7) + 7 + 3) % 7); /* 0 = Monday; 1970-01-01 was a Thursday */
		if (weekend && wd < 5) {
			snprintf(err, errlen, "%s: %s is a weekday; list only Saturdays and Sundays that are worked",
			         name, d);
			return -1;
		}
	}
	return 0;
}

/* A decimal number without sign or leading zeros within [lo, hi]; the text is [s, e). */
static int decimal_in(const char *s, const char *e, long lo, long hi)
{
	if (e <= s || e - s > 5 || (*s == '0' && e - s > 1))
		return 0;
	long v = 0;
	for (const char *p = s; p < e; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v >= lo && v <= hi;
}

static int ipv4_ok(const char *s, const char *e)
{
	for (int i = 0; i < 4; i++) {
		const char *dot = s;
		while (dot < e && *dot != '.')
			dot++;
		if (!decimal_in(s, dot, 0, 255) || (i < 3) != (dot < e))
			return 0;
		s = dot + 1;
	}
	return 1;
}

/* A host name as CivetWeb resolves it at start (RFC 952/1123: letters, digits, hyphens and dots,
 * beginning with a letter): localhost, api.example.cn. */
static int hostname_ok(const char *s, const char *e)
{
	if (e - s < 1 || e - s > 253 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (const char *p = s; p < e; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '.'))
			return 0;
	return e[-1] != '-' && e[-1] != '.';
}

/* One listener as CivetWeb takes it and we allow: PORT, A.B.C.D:PORT, [IPv6]:PORT or
 * HOSTNAME:PORT, with an optional trailing "s" for HTTPS. CivetWeb itself would read 999.1.1.1 as
 * 231.1.1.1 (the octet wraps), which is not what an operator means. */
static int listen_entry_ok(const char *t, int *https)
{
	size_t n = strlen(t);
	*https = n && t[n - 1] == 's';
	const char *end = t + n - (*https ? 1 : 0);
	const char *colon = NULL;
	for (const char *p = end; p > t; p--)
		if (p[-1] == ':') {
			colon = p - 1;
			break;
		}
	if (!colon)
		return decimal_in(t, end, 1, 65535);
	if (!decimal_in(colon + 1, end, 1, 65535))
		return 0;
	if (*t == '[') {
		if (colon < t + 2 || colon[-1] != ']' || colon - t - 2 >= 46)
			return 0;
		char a6[48];
		memcpy(a6, t + 1, (size_t)(colon - t - 2));
		a6[colon - t - 2] = 0;
		struct in6_addr tmp;
		return inet_pton(AF_INET6, a6, &tmp) == 1;
	}
	return ipv4_ok(t, colon) || hostname_ok(t, colon);
}

/* Validates every listen entry and rewrites the list without blanks, as CivetWeb reads it. */
static int check_listen(char *err, size_t errlen)
{
	char buf[sizeof cfg.listen], clean[sizeof cfg.listen] = "";
	strcpy(buf, cfg.listen);
	int https = 0, n = 0;
	for (char *p = buf, *next; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = 0;
		char *tok = trim(p);
		n++;
		if (!*tok) {
			snprintf(err, errlen,
			         "listen: entry %d is empty (a stray comma?); give host:port entries separated by "
			         "commas",
			         n);
			return -1;
		}
		int s = 0;
		if (!listen_entry_ok(tok, &s)) {
			snprintf(err, errlen,
			         "listen: \"%.80s\" is not PORT, A.B.C.D:PORT, [IPv6]:PORT or HOST:PORT with a port "
			         "from 1 to 65535 (octets 0 to 255; add a trailing s for HTTPS)",
			         tok);
			return -1;
		}
		https |= s;
		if (*clean)
			strcat(clean, ",");
		strcat(clean, tok);
	}
	strcpy(cfg.listen, clean);
	if (https && !*cfg.tls_cert) {
		snprintf(err, errlen, "listen has an HTTPS port but tls_cert (SANZHI_TLS_CERT) is not set");
		return -1;
	}
	if (https && access(cfg.tls_cert, R_OK) != 0) {
		snprintf(err, errlen, "tls_cert %s cannot be read: %s", cfg.tls_cert, strerror(errno));
		return -1;
	}
	return 0;
}

/* Mail (SPEC Appendix C): smtp_url unset means no mail; set, it needs a sender address. Only
 * printable ASCII without blanks in the URL and the address: they go into SMTP commands and
 * header lines, where a line break would inject others. */
static int printable_ascii(const char *s, int blanks)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || (!blanks && *s == ' '))
			return 0;
	return 1;
}

static int check_mail(char *err, size_t errlen)
{
	if (!*cfg.smtp_url)
		return 0;
	if ((strncmp(cfg.smtp_url, "smtp://", 7) && strncmp(cfg.smtp_url, "smtps://", 8)) ||
	    !printable_ascii(cfg.smtp_url, 0) || !strchr(cfg.smtp_url, ':')) {
		snprintf(err, errlen, "smtp_url must be smtp://host:port or smtps://host:port");
		return -1;
	}
	/* "Name <addr>": the name may be any UTF-8 text without control characters or quotes; the
	 * address (all of it, without a name) printable ASCII. */
	const char *addr = strchr(cfg.mail_from, '<'), *at = strchr(cfg.mail_from, '@');
	int name_ok = 1;
	for (const char *p = cfg.mail_from; addr && p < addr; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"')
			name_ok = 0;
	if (!*cfg.mail_from || !at || !name_ok || !printable_ascii(addr ? addr : cfg.mail_from, 1) ||
	    (addr && (at < addr || !strchr(addr, '>')))) {
		snprintf(err, errlen, "smtp_url is set: mail_from must be the sender's address (addr or Name <addr>)");
		return -1;
	}
	if (!printable_ascii(cfg.smtp_user, 0)) {
		snprintf(err, errlen, "smtp_user must be printable ASCII");
		return -1;
	}
	return 0;
}

int config_load(const char *file, char *err, size_t errlen)
{
	defaults();
	rules_reset();
	if (file && load_file(file, err, errlen) < 0)
		return -1;
	if (load_env(err, errlen) < 0)
		return -1;
	if (check_listen(err, errlen) < 0)
		return -1;
	if (rules_check(err, errlen) < 0)
		return -1;
	if (check_dates(cfg.holidays, "holidays", 0, err, errlen) < 0 ||
	    check_dates(cfg.workdays, "workdays", 1, err, errlen) < 0)
		return -1;
	if (strcmp(cfg.log_level, "debug") && strcmp(cfg.log_level, "info") && strcmp(cfg.log_level, "warn") &&
	    strcmp(cfg.log_level, "error")) {
		snprintf(err, errlen, "log_level must be debug, info, warn or error");
		return -1;
	}
	/* An OCDS prefix is the letters and digits the OCDS registry issues ("213czf"). */
	if (!*cfg.ocds_prefix ||
	    strspn(cfg.ocds_prefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") !=
	            strlen(cfg.ocds_prefix)) {
		snprintf(err, errlen, "ocds_prefix must be letters and digits");
		return -1;
	}
	if (!*cfg.ocds_publisher) {
		snprintf(err, errlen, "ocds_publisher must not be empty");
		return -1;
	}
	if (*cfg.public_url) {
		size_t n = strlen(cfg.public_url);
		while (n && cfg.public_url[n - 1] == '/')
			cfg.public_url[--n] = 0;
		int bad = strncmp(cfg.public_url, "http://", 7) && strncmp(cfg.public_url, "https://", 8);
		for (size_t i = 0; i < n && !bad; i++)
			bad = cfg.public_url[i] <= ' ' || cfg.public_url[i] >= 0x7f ||
			      strchr("\"<>\\^`{|}", cfg.public_url[i]);
		if (bad) {
			snprintf(err, errlen, "public_url must be an http:// or https:// URL");
			return -1;
		}
	}
	if (!*cfg.db_name || !*cfg.db_user) {
		snprintf(err, errlen, "db_name and db_user must be set");
		return -1;
	}
	if (*cfg.test_crash_after_commit && !cfg.test_clock) {
		snprintf(err, errlen, "test_crash_after_commit is for tests only: it needs test_clock");
		return -1;
	}
	if (cfg.test_unsealed_bids && !cfg.test_clock) {
		snprintf(err, errlen, "test_unsealed_bids is for benchmarks only: it needs test_clock");
		return -1;
	}
	if (*cfg.test_crash_at && !cfg.test_clock) {
		snprintf(err, errlen, "test_crash_at is for tests only: it needs test_clock");
		return -1;
	}
	return check_mail(err, errlen);
}

int config_load_master_key(char *err, size_t errlen)
{
	/* Symbolic links are followed (a key kept in a secrets mount, linked into place); what is
	 * checked is the file finally opened: fstat describes the target, not the link. */
	int fd = open(cfg.master_key_file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen,
		         "master key file %s cannot be opened: %s (make run creates one; or: umask 077; openssl rand "
		         "-hex 32 > %s)",
		         cfg.master_key_file, strerror(errno), cfg.master_key_file);
		return -1;
	}
	struct stat st;
	char buf[80];
	ssize_t n = -1;
	int rc = -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "master key file %s is not a regular file", cfg.master_key_file);
		goto out;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "master key file %s is readable by others (mode %03o); chmod 600 it",
		         cfg.master_key_file, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	n = read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		snprintf(err, errlen, "master key file %s cannot be read: %s", cfg.master_key_file, strerror(errno));
		goto out;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n != 64 || crypto_unhex(buf, 64, master_key, 32) < 0) {
		snprintf(err, errlen, "master key file %s must hold exactly 64 hex characters (32 random bytes)",
		         cfg.master_key_file);
		goto out;
	}
	/* A key of one repeated byte (all zeros from a failed generator, a placeholder) is no key. */
	int same = 1;
	for (int i = 1; i < 32; i++)
		same &= master_key[i] == master_key[0];
	if (same) {
		crypto_wipe(master_key, sizeof master_key);
		snprintf(err, errlen,
		         "master key file %s holds one byte repeated 32 times, not random bytes; "
		         "generate a key: openssl rand -hex 32",
		         cfg.master_key_file);
		goto out;
	}
	master_key_loaded = 1;
	rc = 0;
out:
	crypto_wipe(buf, sizeof buf);
	close(fd);
	return rc;
}

const unsigned char *config_master_key(void)
{
	return master_key_loaded ? master_key : NULL;
}
