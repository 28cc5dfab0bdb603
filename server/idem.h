/* idem.h — Idempotency-Key for creating POSTs: a retry with the same key by the same
 * user gets the first answer again and creates nothing new. */
#ifndef SANZHI_IDEM_H
#define SANZHI_IDEM_H

#include "http.h"

/* Before the handler: 0 to go on (the answer will be recorded), 1 when already answered
 * (a replay, a conflict, or an error). */
int idem_begin(http_req *req);
/* After the handler: records the answer (2xx–4xx) or forgets the key (5xx). */
void idem_finish(http_req *req);

#endif
