/* registry_key.c — the registry's Ed25519 signing key: made once, sealed under the master key,
 * shared by every instance through the settings table (see registry_key.h). */
#include "registry_key.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_SETTING "registry_signing_key"
#define KEY_AAD_PREFIX "sanzhi " KEY_SETTING " "

typedef struct signing_key {
	int loaded;
	char *priv_pem; /* secret: wiped at exit */
	char *pub_pem;
	char key_id[KEY_ID_LEN + 1];
} signing_key;

static signing_key skey;
static pthread_mutex_t skey_mu = PTHREAD_MUTEX_INITIALIZER;

static void key_id_of(const char *pub_pem, char out[KEY_ID_LEN + 1])
{
	char hex[CRYPTO_SHA256_HEX_LEN + 1];
	crypto_sha256_hex(pub_pem, strlen(pub_pem), hex);
	memcpy(out, hex, KEY_ID_LEN);
	out[KEY_ID_LEN] = 0;
}

static void key_wipe(void)
{
	pthread_mutex_lock(&skey_mu);
	if (skey.priv_pem) {
		crypto_wipe(skey.priv_pem, strlen(skey.priv_pem));
		free(skey.priv_pem);
	}
	free(skey.pub_pem);
	memset(&skey, 0, sizeof skey);
	pthread_mutex_unlock(&skey_mu);
}

/* The stored form: {"alg":"Ed25519","key_id":…,"public_key_pem":…,"private_key_sealed":base64(iv‖ct‖tag)}
 * with the key_id as additional data, so a sealed key cannot be passed off under another id. */
static char *key_new_setting(const unsigned char *mk)
{
	char *priv = NULL, *pub = NULL, *b64 = NULL, *out = NULL;
	unsigned char *sealed = NULL;
	if (crypto_ed25519_generate(&priv, &pub) < 0)
		return NULL;
	char kid[KEY_ID_LEN + 1], aad[80];
	key_id_of(pub, kid);
	snprintf(aad, sizeof aad, KEY_AAD_PREFIX "%s", kid);
	size_t n = strlen(priv);
	sealed = malloc(n + CRYPTO_SEAL_OVERHEAD);
	if (!sealed || crypto_seal(mk, aad, strlen(aad), priv, n, sealed) < 0)
		goto out;
	b64 = crypto_base64(sealed, n + CRYPTO_SEAL_OVERHEAD);
	if (!b64)
		goto out;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "alg", "Ed25519");
	cJSON_AddStringToObject(o, "key_id", kid);
	cJSON_AddStringToObject(o, "public_key_pem", pub);
	cJSON_AddStringToObject(o, "private_key_sealed", b64);
	char at[32];
	clock_fmt(clock_now(), at);
	cJSON_AddStringToObject(o, "created_at", at);
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
out:
	crypto_wipe(priv, n);
	free(priv);
	free(pub);
	free(sealed);
	free(b64);
	return out;
}

/* Opens the stored setting into skey; -1 when it does not hold together. */
static int key_open_setting(const char *text, const unsigned char *mk)
{
	int rc = -1;
	unsigned char *sealed = NULL, *plain = NULL;
	char *derived = NULL;
	size_t slen = 0;
	cJSON *o = cJSON_Parse(text);
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(o, "key_id");
	const cJSON *pub = cJSON_GetObjectItemCaseSensitive(o, "public_key_pem");
	const cJSON *sl = cJSON_GetObjectItemCaseSensitive(o, "private_key_sealed");
	if (!cJSON_IsString(kid) || !cJSON_IsString(pub) || !cJSON_IsString(sl))
		goto out;
	char want[KEY_ID_LEN + 1], aad[80];
	key_id_of(pub->valuestring, want);
	if (strcmp(want, kid->valuestring))
		goto out;
	sealed = crypto_unbase64(sl->valuestring, strlen(sl->valuestring), &slen);
	if (!sealed || slen <= CRYPTO_SEAL_OVERHEAD)
		goto out;
	size_t plen = slen - CRYPTO_SEAL_OVERHEAD;
	plain = malloc(plen + 1);
	snprintf(aad, sizeof aad, KEY_AAD_PREFIX "%s", want);
	if (!plain || crypto_open(mk, aad, strlen(aad), sealed, slen, plain) < 0)
		goto out;
	plain[plen] = 0;
	/* The private key must be the public key's. */
	derived = crypto_ed25519_public_pem((const char *)plain);
	if (!derived || strcmp(derived, pub->valuestring))
		goto out;
	skey.priv_pem = (char *)plain;
	skey.pub_pem = strdup(pub->valuestring);
	if (!skey.pub_pem) {
		skey.priv_pem = NULL;
		goto out;
	}
	plain = NULL;
	memcpy(skey.key_id, want, sizeof skey.key_id);
	skey.loaded = 1;
	rc = 0;
out:
	if (plain) {
		crypto_wipe(plain, slen - CRYPTO_SEAL_OVERHEAD);
		free(plain);
	}
	free(sealed);
	free(derived);
	cJSON_Delete(o);
	return rc;
}

typedef struct key_job {
	const unsigned char *mk;
	char *setting; /* the committed setting text */
	int rc;
} key_job;

static int key_tx(db_conn *c, void *arg)
{
	key_job *j = arg;
	free(j->setting);
	j->setting = NULL;
	db_res *r;
	int rc = db_query(c, "SELECT value FROM settings WHERE name = ?", DBP(DBS(KEY_SETTING)), &r);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		db_res_free(r);
		char *fresh = key_new_setting(j->mk);
		if (!fresh)
			return DB_ERROR;
		/* Two instances racing: the first insert wins, both then read the winner. */
		rc = db_exec(c, "INSERT IGNORE INTO settings (name, value) VALUES (?, ?)",
		             DBP(DBS(KEY_SETTING), DBS(fresh)), NULL, NULL);
		free(fresh);
		if (rc)
			return rc;
		rc = db_query(c, "SELECT value FROM settings WHERE name = ?", DBP(DBS(KEY_SETTING)), &r);
		if (rc)
			return rc;
	}
	if (r->nrows == 1)
		j->setting = strdup(db_val(r, 0, 0));
	db_res_free(r);
	return j->setting ? 0 : DB_ERROR;
}

/* On its own thread, hence its own connection: the key commits by itself, never as part of
 * (and never rolled back with) the transaction of whoever first needed it. */
static void *key_thread(void *arg)
{
	key_job *j = arg;
	j->rc = db_tx(key_tx, j);
	db_release();
	return NULL;
}

int registry_key_ensure(void)
{
	pthread_mutex_lock(&skey_mu);
	if (skey.loaded) {
		pthread_mutex_unlock(&skey_mu);
		return 0;
	}
	const unsigned char *mk = config_master_key();
	if (!mk) {
		pthread_mutex_unlock(&skey_mu);
		log_kv(LOG_ERROR, "the registry signing key needs the master key", NULL);
		return DB_ERROR;
	}
	key_job j = { mk, NULL, DB_ERROR };
	pthread_t t;
	if (pthread_create(&t, NULL, key_thread, &j) != 0) {
		pthread_mutex_unlock(&skey_mu);
		return DB_ERROR;
	}
	pthread_join(t, NULL);
	int rc = j.rc;
	if (rc == 0 && key_open_setting(j.setting, mk) < 0) {
		log_kv(LOG_ERROR, "the stored registry signing key does not open with this master key", NULL);
		rc = DB_ERROR;
	}
	free(j.setting);
	if (rc == 0) {
		static int registered;
		if (!registered++)
			atexit(key_wipe);
	}
	pthread_mutex_unlock(&skey_mu);
	return rc;
}

const char *registry_key_id(void)
{
	return skey.key_id;
}

const char *registry_key_public_pem(void)
{
	return skey.pub_pem;
}

int registry_key_sign(const char *data, size_t len, unsigned char sig[CRYPTO_ED25519_SIG_LEN])
{
	return crypto_ed25519_sign(skey.priv_pem, data, len, sig);
}

int registry_key_verify(const char *data, size_t len, const unsigned char *sig, size_t siglen)
{
	return crypto_ed25519_verify(skey.pub_pem, data, len, sig, siglen) == 1;
}
