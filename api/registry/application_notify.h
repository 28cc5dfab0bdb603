/* application_notify.h — what the applicant is told when its application moves (SPEC Appendix C
 * "Mail"): supplements requested (every item), accepted, deemed accepted, approved, rejected (the
 * reason). Called by the workflow's effects, inside the move's transaction, so the notification
 * and its mail exist exactly when the move does. */
#ifndef SANZHI_APPLICATION_NOTIFY_H
#define SANZHI_APPLICATION_NOTIFY_H

#include "fsm.h"

enum app_notice {
	APP_NOTICE_SUPPLEMENT, /* detail: NULL; items: [{field, message}] */
	APP_NOTICE_ACCEPTED,   /* detail: the decision's due date */
	APP_NOTICE_DEEMED,     /* detail: the decision's due date */
	APP_NOTICE_APPROVED,   /* detail: the organization's USCC */
	APP_NOTICE_REJECTED,   /* detail: the reason */
};

/* 0 or a DB_ code. */
int app_notify(fsm_run *run, enum app_notice what, const char *detail, const cJSON *items);

#endif
