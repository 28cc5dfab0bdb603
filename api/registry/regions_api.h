/* regions_api.h — the GB/T 2260 regions by name (SPEC Appendix C), public:
 *   GET /api/v1/regions?q=&limit=   regions whose name, or whose full name from any level down
 *                                   (浙江省嘉兴市海盐县, 嘉兴市海盐县; also without the level
 *                                   words: 嘉兴海盐), begins with q; or whose code begins with q
 *                                   when q is digits. Exact names first, then by level and code.
 *   GET /api/v1/regions/{code}      one region.
 * Each is {code, name, full_name, level, parent_code, current}. The table (server/region.h) holds
 * the codes in force, so every region it answers is current: true; a code the table does not know
 * (abolished, or never one) is 404. */
#ifndef SANZHI_REGIONS_API_H
#define SANZHI_REGIONS_API_H

#include "api.h"

extern const route regions_routes[];

#endif
