/* bid_seal.c — per-tender data keys and the sealing of bids (see bid_seal.h). */
#include "bid_seal.h"
#include "clock.h"
#include "config.h"
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* HKDF labels: a key derived for one purpose says nothing of the master key or the others. */
#define KEK_INFO "sanzhi tender data key wrap v1"
#define KEY_AAD "sanzhi-tender-key-v1|tender=%lld"
#define BID_AAD "sanzhi-bid-v1|tender=%lld|bid=%lld|org=%s"
#define DOC_AAD BID_AAD "|doc=%lld"
#define WRAPPED_LEN (CRYPTO_AES_KEY_LEN + CRYPTO_SEAL_OVERHEAD)

static int kek_derive(unsigned char kek[CRYPTO_AES_KEY_LEN])
{
	const unsigned char *mk = config_master_key();
	if (!mk)
		return -1;
	return crypto_hkdf_sha256(mk, 32, NULL, 0, KEK_INFO, kek, CRYPTO_AES_KEY_LEN);
}

int bid_key_create(db_conn *c, long long tender_id)
{
	unsigned char key[CRYPTO_AES_KEY_LEN], kek[CRYPTO_AES_KEY_LEN], wrapped[WRAPPED_LEN];
	char aad[64], now[32];
	int rc = DB_ERROR;
	snprintf(aad, sizeof aad, KEY_AAD, tender_id);
	if (crypto_random(key, sizeof key) < 0 || kek_derive(kek) < 0 ||
	    crypto_seal(kek, aad, strlen(aad), key, sizeof key, wrapped) < 0) {
		log_kv(LOG_ERROR, "a tender's data key could not be made", NULL);
		goto out;
	}
	clock_fmt_db(clock_now(), now);
	rc = db_exec(c, "INSERT INTO tender_keys (tender_id, wrapped, created_at) VALUES (?, ?, ?)",
	             DBP(DBI(tender_id), DBB(wrapped, sizeof wrapped), DBS(now)), NULL, NULL);
out:
	crypto_wipe(key, sizeof key);
	crypto_wipe(kek, sizeof kek);
	return rc;
}

/* The wrapped data keys last read, by tender (a row of tender_keys is written once, at the
 * publication, and never changed or deleted): a bid's transaction then needs no read for its
 * key. Only the wrapped form is kept; it opens with the master key alone. */
enum { KEY_SLOTS = 64 };
static struct {
	long long tender_id;
	unsigned char wrapped[WRAPPED_LEN];
} key_slots[KEY_SLOTS];
static pthread_mutex_t key_slots_lock = PTHREAD_MUTEX_INITIALIZER;

static int wrapped_cached(long long tender_id, unsigned char wrapped[WRAPPED_LEN])
{
	int hit = 0;
	pthread_mutex_lock(&key_slots_lock);
	if (key_slots[tender_id % KEY_SLOTS].tender_id == tender_id) {
		memcpy(wrapped, key_slots[tender_id % KEY_SLOTS].wrapped, WRAPPED_LEN);
		hit = 1;
	}
	pthread_mutex_unlock(&key_slots_lock);
	return hit;
}

static void wrapped_keep(long long tender_id, const unsigned char wrapped[WRAPPED_LEN])
{
	pthread_mutex_lock(&key_slots_lock);
	key_slots[tender_id % KEY_SLOTS].tender_id = tender_id;
	memcpy(key_slots[tender_id % KEY_SLOTS].wrapped, wrapped, WRAPPED_LEN);
	pthread_mutex_unlock(&key_slots_lock);
}

int bid_key_load(db_conn *c, long long tender_id, unsigned char key[CRYPTO_AES_KEY_LEN])
{
	unsigned char wrapped[WRAPPED_LEN], kek[CRYPTO_AES_KEY_LEN];
	int cached = tender_id > 0 && wrapped_cached(tender_id, wrapped);
	if (!cached) {
		db_res *r;
		int rc = db_query(c, "SELECT wrapped FROM tender_keys WHERE tender_id = ?", DBP(DBI(tender_id)), &r);
		if (rc)
			return rc;
		int found = r->nrows == 1 && db_len(r, 0, 0) == WRAPPED_LEN;
		if (found)
			memcpy(wrapped, db_val(r, 0, 0), WRAPPED_LEN);
		db_res_free(r);
		if (!found) {
			log_kv(LOG_ERROR, "a tender's data key is missing", NULL);
			return 1;
		}
	}
	char aad[64];
	snprintf(aad, sizeof aad, KEY_AAD, tender_id);
	int rc = 1;
	if (kek_derive(kek) == 0 && crypto_open(kek, aad, strlen(aad), wrapped, WRAPPED_LEN, key) == 0)
		rc = 0;
	crypto_wipe(kek, sizeof kek);
	if (rc)
		log_kv(LOG_ERROR, "a tender's data key does not unwrap", NULL);
	else if (!cached && tender_id > 0)
		wrapped_keep(tender_id, wrapped);
	return rc;
}

void bid_seal_aad(long long tender_id, long long bid_id, const char *uscc, long long doc_id, char *out, size_t outlen)
{
	if (doc_id)
		snprintf(out, outlen, DOC_AAD, tender_id, bid_id, uscc ? uscc : "", doc_id);
	else
		snprintf(out, outlen, BID_AAD, tender_id, bid_id, uscc ? uscc : "");
}

int bid_seal(const unsigned char key[CRYPTO_AES_KEY_LEN], long long tender_id, long long bid_id, const char *uscc,
             long long doc_id, const void *plain, size_t n, unsigned char **out, size_t *outlen)
{
	char aad[128];
	bid_seal_aad(tender_id, bid_id, uscc, doc_id, aad, sizeof aad);
	*out = malloc(n + CRYPTO_SEAL_OVERHEAD);
	if (!*out)
		return -1;
	if (crypto_seal(key, aad, strlen(aad), plain, n, *out) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*outlen = n + CRYPTO_SEAL_OVERHEAD;
	return 0;
}

int bid_open(const unsigned char key[CRYPTO_AES_KEY_LEN], long long tender_id, long long bid_id, const char *uscc,
             long long doc_id, const unsigned char *sealed, size_t n, char **out, size_t *outlen)
{
	*out = NULL;
	if (n < CRYPTO_SEAL_OVERHEAD)
		return -1;
	char aad[128];
	bid_seal_aad(tender_id, bid_id, uscc, doc_id, aad, sizeof aad);
	size_t len = n - CRYPTO_SEAL_OVERHEAD;
	char *p = malloc(len + 1);
	if (!p)
		return -1;
	if (crypto_open(key, aad, strlen(aad), sealed, n, (unsigned char *)p) < 0) {
		crypto_wipe(p, len);
		free(p);
		return -1;
	}
	p[len] = 0;
	*out = p;
	*outlen = len;
	return 0;
}
