/* seed.c — demo accounts (and, as modules arrive, demo data) for `make run`.
 * Development only: the passwords are printed. Running it again changes nothing. */
#include "api.h"

#include <stdio.h>
#include <string.h>

typedef struct demo_user {
	const char *username, *role, *display_name, *department;
	int expert;
	const char *email; /* where the applicant's mail goes: make run's local sink takes any address */
} demo_user;

static const demo_user demo[] = {
	{ "admin", "admin", "平台管理员", NULL, 0, NULL },
	{ "registrar", "registrar", "海盐县民政局 审核员", NULL, 0, NULL },
	{ "purchaser", "purchaser", "海盐县民政局 采购员", "海盐县民政局", 0, NULL },
	{ "expert1", "evaluator", "评审专家一", NULL, 1, NULL },
	{ "expert2", "evaluator", "评审专家二", NULL, 1, NULL },
	{ "expert3", "evaluator", "评审专家三", NULL, 1, NULL },
	{ "expert4", "evaluator", "评审专家四", NULL, 1, NULL },
	{ "rep1", "evaluator", "采购人代表", NULL, 0, NULL },
	{ "ngo", "applicant", "海盐县养老服务协会 经办人", NULL, 0, "ngo@example.com" },
};

#define DEMO_PASSWORD_SUFFIX "-demo-2026"

int cli_seed(void)
{
	printf("demo accounts (development only):\n");
	for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++) {
		char pw[80];
		snprintf(pw, sizeof pw, "%s%s", demo[i].username, DEMO_PASSWORD_SUFFIX);
		user_new u = { demo[i].username,
			       pw,
			       demo[i].role,
			       demo[i].display_name,
			       NULL,
			       demo[i].email,
			       demo[i].department,
			       demo[i].expert,
			       NULL };
		char hash[CRYPTO_PWHASH_MAX];
		if (crypto_password_hash(pw, strlen(pw), hash) < 0)
			return 1;
		long long id;
		int rc = users_create(NULL, &u, hash, &id);
		if (rc && rc != DB_DUP) {
			fprintf(stderr, "sanzhid seed: the database refused (%s)\n",
			        rc == DB_DOWN ? "unreachable" : "error");
			return 1;
		}
		printf("  %-10s %-10s password %s%s\n", demo[i].username, demo[i].role, pw,
		       rc == DB_DUP ? "  (already there)" : "");
	}
	db_release();
	return 0;
}
