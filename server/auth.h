/* auth.h — bearer tokens and who is asking. Tokens are stored only as SHA-256. */
#ifndef SANZHI_AUTH_H
#define SANZHI_AUTH_H

#include "db.h"
#include "http.h"

/* Resolves "Bearer <token>" into req->user. 1 valid, 0 invalid/expired/revoked, or a DB_ code. */
int auth_lookup(http_req *req, const char *authorization);

#endif
