/* tenders.h — government purchase of services (SPEC §6, Appendix B) over HTTP: the routes of
 * tender notices and of the actions that answer the tender (tenders.c), and of their enquiries
 * (questions.c). The workflow (states, transitions, timers, checks) is tender_flow.h; sealed bids
 * (bids.c) are bid_flow.h and bid_seal.h; the opening is opening.h; the award, challenges and
 * contract are award.h (award.c, contracts.c). */
#ifndef SANZHI_TENDERS_H
#define SANZHI_TENDERS_H

#include "tender_flow.h"

/* The routes (api/routes.c joins them); bids.c's are bids_routes. */
extern const route tenders_routes[];
extern const route questions_routes[];
extern const route bids_routes[];

/* Inside a transaction or a read: answers tender id with status as t->user may see it (404 for
 * a draft that is not the caller's). 0, TX_REFUSED or a DB_ code. */
int tenders_answer(tx *t, long long id, int status);

#endif
