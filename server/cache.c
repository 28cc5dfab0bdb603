/* cache.c — set-associative, generation-checked cache of rendered answers.
 *
 * SETS sets of WAYS entries each (65,536 in all); a key lives in the set its hash names, and when
 * the set is full its least recently used entry goes. With eight ways a working set fits as long
 * as it is smaller than the table: a direct-mapped table of 32,768 entries lost a quarter of a
 * 10,000-key working set to collisions, four ways still a few percent (a set of five keys read in
 * rotation misses every time under LRU). The bodies held are bounded in bytes as well. */
#include "cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SETS 8192
#define WAYS 8
#define LOCKS 512 /* a lock guards every LOCKS-th set */
#define KEY_MAX 32
#define BODY_MAX 16384        /* larger answers are not cached */
#define BYTES_MAX (24u << 20) /* all bodies together; profiles are ~1 KB, so ~24,000 of them */

typedef struct entry {
	char key[KEY_MAX];
	uint64_t gen;
	uint64_t used; /* tick of the last hit or store: the set's LRU order */
	long long version;
	char *body;
	size_t len;
} entry;

static entry sets[SETS][WAYS];
static pthread_mutex_t locks[LOCKS];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_uint_fast64_t generation = 1;
static atomic_uint_fast64_t last_db_gen = UINT64_MAX;
static atomic_llong fresh_until_ms;
static atomic_size_t bytes_held;
static atomic_uint_fast64_t ticks;
static atomic_uint_fast64_t hits, misses;

static void init(void)
{
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_init(&locks[i], NULL);
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void drop(entry *e)
{
	if (!e->body)
		return;
	atomic_fetch_sub(&bytes_held, e->len);
	free(e->body);
	e->body = NULL;
	e->len = 0;
}

/* The way to fill in a set: the key's own, else an empty or stale one, else the least recently
 * used. */
static entry *pick_way(entry *set, const char *key, uint64_t gen)
{
	for (int w = 0; w < WAYS; w++)
		if (set[w].body && !strcmp(set[w].key, key))
			return &set[w];
	for (int w = 0; w < WAYS; w++)
		if (!set[w].body || set[w].gen != gen)
			return &set[w];
	entry *lru = &set[0];
	for (int w = 1; w < WAYS; w++)
		if (set[w].used < lru->used)
			lru = &set[w];
	return lru;
}

uint64_t cache_generation(void)
{
	return atomic_load(&generation);
}

int cache_get(const char *key, char **body, size_t *len, long long *version)
{
	if (strlen(key) >= KEY_MAX || mono_ms() > atomic_load(&fresh_until_ms))
		return 0;
	pthread_once(&once, init);
	unsigned h = hash(key) % SETS;
	pthread_mutex_t *m = &locks[h % LOCKS];
	uint64_t gen = atomic_load(&generation);
	int hit = 0;
	pthread_mutex_lock(m);
	for (int w = 0; w < WAYS && !hit; w++) {
		entry *e = &sets[h][w];
		if (!e->body || e->gen != gen || strcmp(e->key, key))
			continue;
		*body = malloc(e->len + 1);
		if (*body) {
			memcpy(*body, e->body, e->len + 1);
			*len = e->len;
			*version = e->version;
			e->used = atomic_fetch_add(&ticks, 1);
			hit = 1;
		}
	}
	pthread_mutex_unlock(m);
	atomic_fetch_add(hit ? &hits : &misses, 1);
	return hit;
}

void cache_put(const char *key, uint64_t gen, const char *body, size_t len, long long version)
{
	if (strlen(key) >= KEY_MAX || len > BODY_MAX || gen != atomic_load(&generation))
		return;
	pthread_once(&once, init);
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, body, len);
	copy[len] = 0;
	unsigned h = hash(key) % SETS;
	pthread_mutex_t *m = &locks[h % LOCKS];
	pthread_mutex_lock(m);
	entry *victim = pick_way(sets[h], key, gen);
	drop(victim);
	if (atomic_load(&bytes_held) + len > BYTES_MAX) {
		pthread_mutex_unlock(m);
		free(copy);
		return;
	}
	atomic_fetch_add(&bytes_held, len);
	strcpy(victim->key, key);
	victim->gen = gen;
	victim->version = version;
	victim->body = copy;
	victim->len = len;
	victim->used = atomic_fetch_add(&ticks, 1);
	pthread_mutex_unlock(m);
}

void cache_stats(uint64_t *hit_count, uint64_t *miss_count, size_t *bytes)
{
	*hit_count = atomic_load(&hits);
	*miss_count = atomic_load(&misses);
	*bytes = atomic_load(&bytes_held);
}

void cache_invalidate(void)
{
	atomic_fetch_add(&generation, 1);
}

void cache_observe(uint64_t db_gen)
{
	uint64_t last = atomic_exchange(&last_db_gen, db_gen);
	if (last != db_gen)
		cache_invalidate();
	atomic_store(&fresh_until_ms, mono_ms() + CACHE_FRESH_MS);
}

void cache_clear(void)
{
	pthread_once(&once, init);
	for (int s = 0; s < SETS; s++) {
		pthread_mutex_lock(&locks[s % LOCKS]);
		for (int w = 0; w < WAYS; w++)
			drop(&sets[s][w]);
		pthread_mutex_unlock(&locks[s % LOCKS]);
	}
}
