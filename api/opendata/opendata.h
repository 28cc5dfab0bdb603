/* opendata.h — the open data (SPEC §6 "Open data", Appendix B), public, no sign-in:
 *
 *   GET /api/v1/feed?after=<seq>&limit=   every public change once, in the order it became
 *                                         visible (feed.c; the rows and their sequencer are
 *                                         server/feed.h)
 *   GET /api/v1/tenders/{id}/ocds         a published tender as an OCDS 1.1 release package,
 *                                         one release per stage event (ocds.c)
 *
 * Nothing sealed is in either: a feed row names an object and what happened to it; an OCDS
 * package shows bidders and prices only from the opening's published record on. */
#ifndef SANZHI_OPENDATA_H
#define SANZHI_OPENDATA_H

#include "api.h"

/* The feed's page size: ?limit= 1–FEED_LIMIT_MAX, FEED_LIMIT_DEFAULT without. */
#define FEED_LIMIT_DEFAULT 100
#define FEED_LIMIT_MAX 1000

extern const route feed_routes[];
extern const route ocds_routes[];

#endif
