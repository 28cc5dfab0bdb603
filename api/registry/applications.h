/* applications.h — registration applications (SPEC §4, Appendix A) over HTTP: their routes, and
 * their documents. The workflow (states, transitions, clocks, checks) is application_flow.h. */
#ifndef SANZHI_APPLICATIONS_H
#define SANZHI_APPLICATIONS_H

#include "application_flow.h"

/* The routes of applications (api/routes.c joins them). */
extern const route applications_routes[];

/* documents.c: the routes of an application's documents, and their metadata as a JSON array. */
extern const route documents_routes[];
cJSON *documents_json(db_conn *c, long long application_id);

#endif
