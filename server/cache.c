/* cache.c — direct-mapped, generation-checked cache of rendered answers. */
#include "cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 32768         /* profiles are ~1 KB: at most ~32 MB */
#define STRIPES 64
#define KEY_MAX 32
#define BODY_MAX 16384      /* larger answers are not cached */

typedef struct slot {
	char key[KEY_MAX];
	uint64_t gen;
	long long version;
	char *body;
	size_t len;
} slot;

static slot slots[SLOTS];
static pthread_mutex_t stripes[STRIPES];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_uint_fast64_t generation = 1;
static atomic_uint_fast64_t last_db_gen = UINT64_MAX;
static atomic_llong fresh_until_ms;

static void init(void)
{
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&stripes[i], NULL);
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

uint64_t cache_generation(void)
{
	return atomic_load(&generation);
}

int cache_get(const char *key, char **body, size_t *len, long long *version)
{
	if (strlen(key) >= KEY_MAX || mono_ms() > atomic_load(&fresh_until_ms))
		return 0;
	pthread_once(&once, init);
	unsigned h = hash(key);
	slot *s = &slots[h % SLOTS];
	pthread_mutex_t *m = &stripes[h % STRIPES];
	int hit = 0;
	pthread_mutex_lock(m);
	if (s->body && s->gen == atomic_load(&generation) && !strcmp(s->key, key)) {
		*body = malloc(s->len + 1);
		if (*body) {
			memcpy(*body, s->body, s->len + 1);
			*len = s->len;
			*version = s->version;
			hit = 1;
		}
	}
	pthread_mutex_unlock(m);
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
	unsigned h = hash(key);
	slot *s = &slots[h % SLOTS];
	pthread_mutex_t *m = &stripes[h % STRIPES];
	pthread_mutex_lock(m);
	free(s->body);
	strcpy(s->key, key);
	s->gen = gen;
	s->version = version;
	s->body = copy;
	s->len = len;
	pthread_mutex_unlock(m);
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
	for (int i = 0; i < SLOTS; i++) {
		pthread_mutex_lock(&stripes[i % STRIPES]);
		free(slots[i].body);
		slots[i].body = NULL;
		pthread_mutex_unlock(&stripes[i % STRIPES]);
	}
}
