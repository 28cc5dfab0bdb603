/* test_config.c — configuration and rules checks (server/config.c, server/rules.c): every bad
 * value stops start-up with a message naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "rules.h"

extern char **environ;

static char dir[] = "/tmp/sanzhi-test-config-XXXXXX";
static char err[1024];

/* Leaves no SANZHI_ variable from the caller's shell (make unit after eval devdb env). */
static void clear_env(void)
{
	for (;;) {
		char name[128] = "";
		for (char **e = environ; *e; e++)
			if (!strncmp(*e, "SANZHI_", 7)) {
				size_t n = strcspn(*e, "=");
				snprintf(name, sizeof name, "%.*s", (int)n, *e);
				break;
			}
		if (!*name)
			return;
		unsetenv(name);
	}
}

static int load_env1(const char *name, const char *value)
{
	clear_env();
	setenv(name, value, 1);
	int rc = config_load(NULL, err, sizeof err);
	unsetenv(name);
	return rc;
}

static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
	return path;
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_defaults_load(void **state)
{
	(void)state;
	clear_env();
	assert_int_equal(config_load(NULL, err, sizeof err), 0);
	assert_string_equal(cfg.listen, "127.0.0.1:8080");
	assert_int_equal(rule(RULE_login_max_failures), 5);
}

static void test_rule_ranges(void **state)
{
	(void)state;
	/* Every rule's default lies within its own range. */
	for (int i = 0; i < RULE__COUNT; i++) {
		const rule_info *ri = rules_info((rule_id)i);
		assert_true(ri->min <= ri->def && ri->def <= ri->max);
	}
	struct {
		const char *name, *value, *want;
	} bad[] = {
		{ "SANZHI_RULE_PASSWORD_MIN_LENGTH", "4", "password_min_length must be a whole number from 10 to 128" },
		{ "SANZHI_RULE_TOKEN_TTL_HOURS", "0", "token_ttl_hours must be a whole number from 1" },
		{ "SANZHI_RULE_LOGIN_LOCK_MINUTES", "0", "login_lock_minutes must be a whole number from 1" },
		{ "SANZHI_RULE_LOGIN_MAX_FAILURES", "0", "login_max_failures must be a whole number from 1" },
		{ "SANZHI_RULE_ANNUAL_REPORT_DUE_MONTH", "13",
		  "annual_report_due_month must be a whole number from 1 to 12" },
		{ "SANZHI_RULE_ABNORMALLY_LOW_PERCENT", "150",
		  "abnormally_low_percent must be a whole number from 1 to 100" },
		{ "SANZHI_RULE_DECISION_DAYS", "-3", "decision_days must be a whole number from 1 to 365" },
		{ "SANZHI_RULE_DECISION_DAYS", " 30", "decision_days must be a whole number" },
		{ "SANZHI_RULE_DECISION_DAYS", "+30", "decision_days must be a whole number" },
		{ "SANZHI_RULE_DECISION_DAYS", "", "decision_days must be a whole number" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(load_env1(bad[i].name, bad[i].value), -1);
		if (!strstr(err, bad[i].want))
			fail_msg("%s=%s: \"%s\" lacks \"%s\"", bad[i].name, bad[i].value, err, bad[i].want);
	}
	assert_int_equal(load_env1("SANZHI_RULE_DECISION_DAYS", "45"), 0);
	assert_int_equal(rule(RULE_decision_days), 45);
	/* The next load starts from the defaults again. */
	clear_env();
	assert_int_equal(config_load(NULL, err, sizeof err), 0);
	assert_int_equal(rule(RULE_decision_days), 60);
}

static void test_rule_consistency(void **state)
{
	(void)state;
	struct {
		const char *name, *value, *want;
	} bad[] = {
		{ "SANZHI_RULE_PRICE_POINTS_MIN", "40", "price_points_min (40) and price_points_max (30) disagree" },
		{ "SANZHI_RULE_GRADE_4A_MIN", "950", "grade_4a_min (950) and grade_5a_min (900) disagree" },
		{ "SANZHI_RULE_GRADE_2A_MIN", "700", "grade_2a_min (700) and grade_3a_min (700) disagree" },
		{ "SANZHI_RULE_COMMITTEE_EXPERT_SHARE_NUM", "4",
		  "committee_expert_share_num (4) and committee_expert_share_den (3)" },
		{ "SANZHI_RULE_FOUNDATION_MIN_DIRECTORS", "30",
		  "foundation_min_directors (30) and foundation_max_directors (25)" },
		{ "SANZHI_RULE_ANNUAL_REPORT_DUE_DAY", "31", NULL }, /* with month 5: fine */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = load_env1(bad[i].name, bad[i].value);
		if (!bad[i].want) {
			assert_int_equal(rc, 0);
			continue;
		}
		assert_int_equal(rc, -1);
		if (!strstr(err, bad[i].want))
			fail_msg("%s=%s: \"%s\" lacks \"%s\"", bad[i].name, bad[i].value, err, bad[i].want);
	}
	clear_env();
	setenv("SANZHI_RULE_ANNUAL_REPORT_DUE_MONTH", "2", 1);
	setenv("SANZHI_RULE_ANNUAL_REPORT_DUE_DAY", "30", 1);
	assert_int_equal(config_load(NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "that month has 28 days"));
	setenv("SANZHI_RULE_ANNUAL_REPORT_DUE_DAY", "28", 1);
	assert_int_equal(config_load(NULL, err, sizeof err), 0);
	clear_env();
}

static void test_listen(void **state)
{
	(void)state;
	const char *good[] = { "127.0.0.1:8080",
		               "0.0.0.0:1",
		               "8080",
		               "[::1]:8080",
		               "[::]:443s",
		               "127.0.0.1:80, 127.0.0.1:8081",
		               "255.255.255.255:65535",
		               "localhost:8080",
		               "api.example.cn:8443s" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (load_env1("SANZHI_LISTEN", good[i]) != 0 && !strstr(err, "tls_cert"))
			fail_msg("%s refused: %s", good[i], err);
	assert_int_equal(load_env1("SANZHI_LISTEN", "127.0.0.1:80, 127.0.0.1:8081"), 0);
	assert_string_equal(cfg.listen, "127.0.0.1:80,127.0.0.1:8081");
	const char *bad[] = { "999.1.1.1:8080",
		              "256.0.0.1:80",
		              "1.2.3:80",
		              "1.2.3.4.5:80",
		              "127.0.0.1:0",
		              "127.0.0.1:65536",
		              "127.0.0.1:8080,",
		              ",127.0.0.1:8080",
		              "127.0.0.1:8080,,127.0.0.1:8081",
		              "",
		              "-host:8080",
		              "host-:80",
		              "ho_st:80",
		              "[::1:8080",
		              "[fe80::zz]:80",
		              "::1:8080",
		              "127.0.0.1:08080",
		              "127.0.0.01:8080",
		              "127.0.0.1:+80",
		              "127.0.0.1:80x",
		              "127.0.0.1:",
		              ":8080",
		              "s" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (load_env1("SANZHI_LISTEN", bad[i]) == 0)
			fail_msg("listen \"%s\" accepted", bad[i]);
		assert_non_null(strstr(err, "listen"));
	}
	assert_int_equal(load_env1("SANZHI_LISTEN", "127.0.0.1:8443s"), -1);
	assert_non_null(strstr(err, "tls_cert"));
}

static void test_dates(void **state)
{
	(void)state;
	assert_int_equal(load_env1("SANZHI_HOLIDAYS", "2025-01-01,2025-10-01"), 0);
	const char *bad[] = { "2025-02-30", "2025-13-01", "2025-1-01", "2025-01-01,", "2025-01-01,,2025-01-02",
		              "tomorrow",   "2025-01-01x" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (load_env1("SANZHI_HOLIDAYS", bad[i]) == 0)
			fail_msg("holidays \"%s\" accepted", bad[i]);
		assert_non_null(strstr(err, "holidays"));
	}
	/* 2025-01-26 was a Sunday, 2025-02-08 a Saturday (调休); 2025-02-30 does not exist. */
	assert_int_equal(load_env1("SANZHI_WORKDAYS", "2025-01-26,2025-02-08"), 0);
	assert_int_equal(load_env1("SANZHI_WORKDAYS", "2025-02-30"), -1);
	assert_non_null(strstr(err, "workdays"));
	assert_int_equal(load_env1("SANZHI_WORKDAYS", "2025-01-27"), -1);
	assert_non_null(strstr(err, "weekday"));
}

static void test_numbers_and_booleans(void **state)
{
	(void)state;
	assert_int_equal(load_env1("SANZHI_THREADS", "4"), 0);
	assert_int_equal(cfg.threads, 4);
	const char *bad[] = { " 4", "4 ", "+4", "4x", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (load_env1("SANZHI_THREADS", bad[i]) == 0)
			fail_msg("threads \"%s\" accepted", bad[i]);
		assert_non_null(strstr(err, "threads must be a whole number"));
	}
	assert_int_equal(load_env1("SANZHI_BODY_LIMIT", "2M"), 0);
	assert_int_equal(cfg.body_limit, 2 << 20);
	assert_int_equal(load_env1("SANZHI_TEST_CLOCK", ""), -1);
	assert_non_null(strstr(err, "test_clock must be true or false"));
	assert_int_equal(load_env1("SANZHI_TEST_CLOCK", "1"), 0);
	assert_int_equal(cfg.test_clock, 1);
	assert_int_equal(load_env1("SANZHI_TEST_CLOCK", "off"), 0);
	assert_int_equal(cfg.test_clock, 0);
}

static void test_ini_file(void **state)
{
	(void)state;
	clear_env();
	const char *ini = write_file("a.ini", "listen = 127.0.0.1:9000\n[rules]\ndecision_days = 45\n", 0600);
	assert_int_equal(config_load(ini, err, sizeof err), 0);
	assert_string_equal(cfg.listen, "127.0.0.1:9000");
	assert_int_equal(rule(RULE_decision_days), 45);

	ini = write_file("dup.ini", "threads = 4\n# comment\nthreads = 8\n", 0600);
	assert_int_equal(config_load(ini, err, sizeof err), -1);
	assert_non_null(strstr(err, "dup.ini:3: duplicate key \"threads\" (already set on line 1)"));

	ini = write_file("duprule.ini", "[rules]\ndecision_days = 45\ndecision_days = 50\n", 0600);
	assert_int_equal(config_load(ini, err, sizeof err), -1);
	assert_non_null(strstr(err, "duprule.ini:3: duplicate rule \"decision_days\" (already set on line 2)"));

	ini = write_file("range.ini", "[rules]\nabnormally_low_percent = 101\n", 0600);
	assert_int_equal(config_load(ini, err, sizeof err), -1);
	assert_non_null(strstr(err, "range.ini:2: rule abnormally_low_percent must be a whole number from 1 to 100"));

	ini = write_file("empty.ini", "test_clock =\n", 0600);
	assert_int_equal(config_load(ini, err, sizeof err), -1);
	assert_non_null(strstr(err, "test_clock"));

	/* A directory is not a configuration file. */
	assert_int_equal(config_load(dir, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot read config file"));
	char missing[300];
	snprintf(missing, sizeof missing, "%s/missing.ini", dir);
	assert_int_equal(config_load(missing, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot open config file"));
}

static int load_key(const char *path)
{
	clear_env();
	setenv("SANZHI_MASTER_KEY_FILE", path, 1);
	assert_int_equal(config_load(NULL, err, sizeof err), 0);
	unsetenv("SANZHI_MASTER_KEY_FILE");
	return config_load_master_key(err, sizeof err);
}

static void test_master_key(void **state)
{
	(void)state;
	const char *hex = "3f1c0a9e5b7d2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f1a3c5e7b9d0f\n";
	char good[300], link[300], open_link[300];
	snprintf(good, sizeof good, "%s", write_file("good.key", hex, 0600));
	assert_int_equal(load_key(good), 0);
	assert_non_null(config_master_key());

	/* A symbolic link to a 0600 file is followed; the target's mode is what counts. */
	snprintf(link, sizeof link, "%s/link.key", dir);
	assert_int_equal(symlink(good, link), 0);
	if (load_key(link) != 0)
		fail_msg("symlink refused: %s", err);
	char loose[300];
	snprintf(loose, sizeof loose, "%s", write_file("loose.key", hex, 0640));
	snprintf(open_link, sizeof open_link, "%s/open-link.key", dir);
	assert_int_equal(symlink(loose, open_link), 0);
	assert_int_equal(load_key(open_link), -1);
	assert_non_null(strstr(err, "readable by others"));
	assert_int_equal(load_key(loose), -1);

	assert_int_equal(
	        load_key(write_file("zero.key", "0000000000000000000000000000000000000000000000000000000000000000\n",
	                            0600)),
	        -1);
	assert_non_null(strstr(err, "not random"));
	assert_int_equal(load_key(write_file("short.key", "abcd\n", 0600)), -1);
	assert_non_null(strstr(err, "64 hex characters"));
	assert_int_equal(load_key(dir), -1);
	assert_non_null(strstr(err, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_load),
		cmocka_unit_test(test_rule_ranges),
		cmocka_unit_test(test_rule_consistency),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_numbers_and_booleans),
		cmocka_unit_test(test_ini_file),
		cmocka_unit_test(test_master_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
