/* notifications.h — what the platform tells a user: in the app (GET /api/v1/me/notifications)
 * and, when mail is configured and the user has an address, by mail (outbox.h). Written inside
 * the transaction of the change that causes it (SPEC Appendix C "Mail"). */
#ifndef SANZHI_NOTIFICATIONS_H
#define SANZHI_NOTIFICATIONS_H

#include "api.h"

typedef struct notice {
	long long user_id;
	const char *kind;                    /* "application.accepted", "credit.listed", … */
	const char *object_type, *object_id; /* what it is about, or NULL */
	const char *subject, *body;          /* Chinese, UTF-8 */
	const char *dedupe_key;              /* NULL, or a key that makes it once only */
} notice;

/* Inside the caller's transaction: the notification and its mail. 0, 1 when dedupe_key was
 * used before (nothing written), or a DB_ code. */
int notify(db_conn *c, const notice *n);

/* GET /api/v1/me/notifications, POST …/{id}/read, POST …/read */
extern const route notifications_routes[];

#endif
