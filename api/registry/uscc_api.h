/* uscc_api.h — GET /api/v1/uscc/{code} (public): checks any code against GB 32100 / GB 11714 and
 * decodes its parts (server/uscc.h does the arithmetic). */
#ifndef SANZHI_USCC_API_H
#define SANZHI_USCC_API_H

#include "api.h"

extern const route uscc_routes[];

#endif
