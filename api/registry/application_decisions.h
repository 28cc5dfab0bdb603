/* application_decisions.h — what the bureau's decisions on an application do (SPEC §4, Appendix
 * C): the effects of the workflow's actions request-supplement, accept, deem (the law's acceptance,
 * 行政许可法 Art. 32), approve and reject. The workflow's table (application_flow.c) names their
 * slots and api/jobs.c binds these at start, so the workflow depends on none of what a decision
 * brings: each writes the decision's columns, issues its notice (notices.h) and tells the
 * applicant (application_notify.h), in the move's transaction; approval changes the register
 * (registry_tx.h). 0, TX_REFUSED or a DB_ code. */
#ifndef SANZHI_APPLICATION_DECISIONS_H
#define SANZHI_APPLICATION_DECISIONS_H

#include "fsm.h"

/* 补正告知书: every item at once (the arg's items). */
int app_decide_request_supplement(fsm_run *run);
/* 受理通知书, with the day the decision is due. */
int app_decide_accept(fsm_run *run);
int app_decide_deem(fsm_run *run);
/* 准予登记决定书: the register changed, the organization's USCC. */
int app_decide_approve(fsm_run *run);
/* 不予登记决定书, with the reason (the arg's). */
int app_decide_reject(fsm_run *run);

#endif
