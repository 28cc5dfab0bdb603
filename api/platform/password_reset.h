/* password_reset.h — forgotten passwords (SPEC Appendix C "Password reset").
 *
 * POST /api/v1/auth/password-reset {"login"} (a username or an email address) answers 202
 * whatever the login names, after the same work (a counted request), so the answer tells nobody
 * whether an account exists; when it names enabled accounts with an address, each gets a mail
 * with a single-use token valid password_reset_ttl_minutes, stored only as its SHA-256 (and in
 * the outbox sealed under a key derived from the master key, wiped once sent). Requests are
 * limited per login and per address (429 with Retry-After), counted alike for logins that name
 * no one. POST /api/v1/auth/password-reset/confirm {"token", "password"} sets the password under
 * the password policy (422), spends every outstanding token of the account, ends all its
 * sessions and lifts a sign-in lock: 204. An unknown token is 400, a spent or expired one 410. */
#ifndef SANZHI_PASSWORD_RESET_H
#define SANZHI_PASSWORD_RESET_H

#include "api.h"

extern const route password_reset_routes[];

#endif
