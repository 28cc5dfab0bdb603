/* auth.h — who is asking: the roles, the signed-in user, and bearer tokens (stored only as
 * SHA-256). Knows nothing of HTTP: the dispatcher hands it the Authorization header. */
#ifndef SANZHI_AUTH_H
#define SANZHI_AUTH_H

enum role_bit {
	ROLE_APPLICANT = 1 << 0,
	ROLE_REGISTRAR = 1 << 1,
	ROLE_PURCHASER = 1 << 2,
	ROLE_EVALUATOR = 1 << 3,
	ROLE_ADMIN = 1 << 4,
};
#define ROLES_ANY (ROLE_APPLICANT | ROLE_REGISTRAR | ROLE_PURCHASER | ROLE_EVALUATOR | ROLE_ADMIN)
#define ROLES_PUBLIC 0

typedef struct auth_user {
	long long id;
	char username[65];
	char role[16];
	unsigned role_bit;
	char display_name[129];
	char department[129];
	int expert;
	char token_hash[65];
} auth_user;

/* The name of a role bit ("registrar"), and back; 0 for an unknown name. */
const char *auth_role_name(unsigned bit);
unsigned auth_role_bit(const char *name);

/* Resolves "Bearer <token>" into *u. 1 valid, 0 invalid/expired/revoked, or a DB_ code. */
int auth_lookup(const char *authorization, auth_user *u);

#endif
