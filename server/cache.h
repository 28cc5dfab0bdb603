/* cache.h — a bounded in-process cache of rendered public answers (organization profiles).
 *
 * Coherence comes from one number, the register generation: every transaction that changes a
 * public profile bumps it in the database (register_generation) and, once committed, in this
 * process (cache_invalidate via db_after_commit). A poller reads the database's number every
 * CACHE_POLL_MS and invalidates everything when another instance moved it, so an instance
 * serves a profile at most CACHE_POLL_MS older than a change made elsewhere, and never older
 * than its own changes. When the poller cannot reach the database the cache stops answering
 * after CACHE_FRESH_MS, and reads go to the database (and its 503s) again. */
#ifndef SANZHI_CACHE_H
#define SANZHI_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define CACHE_POLL_MS 100
#define CACHE_FRESH_MS 1000

/* The generation to tag a fresh rendering with: take it BEFORE reading the database. */
uint64_t cache_generation(void);
/* 1 and a malloc'd copy of the body when key is cached at the current generation, else 0. */
int cache_get(const char *key, char **body, size_t *len, long long *version);
/* Stores a rendering made from data read after cache_generation() returned gen. */
void cache_put(const char *key, uint64_t gen, const char *body, size_t len, long long version);
/* Everything cached so far is stale (this process changed the register). */
void cache_invalidate(void);
/* The poller: the database's generation now; invalidates when it moved; keeps the cache fresh. */
void cache_observe(uint64_t db_gen);
/* Lookups answered and not answered so far, and the bytes of bodies held (for /metrics). */
void cache_stats(uint64_t *hits, uint64_t *misses, size_t *bytes);
/* Drops every entry (tests, shutdown). */
void cache_clear(void);

#endif
