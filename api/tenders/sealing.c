/* sealing.c — tender data keys and sealed bid parts (see sealing.h). */
#include "sealing.h"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key-encryption key: its own HKDF label, so it says nothing of the master key or of the
 * keys derived for other purposes (the audit MACs). */
static int kek(unsigned char out[CRYPTO_AES_KEY_LEN])
{
	const unsigned char *mk = config_master_key();
	if (!mk)
		return -1;
	return crypto_hkdf_sha256(mk, CRYPTO_AES_KEY_LEN, NULL, 0, "sanzhi tender data key wrap v1", out,
	                          CRYPTO_AES_KEY_LEN) < 0
	               ? -1
	               : 0;
}

static int key_aad(long long tender_id, char *aad, size_t n)
{
	return snprintf(aad, n, "sanzhi tender key|tender:%lld", tender_id);
}

int seal_key_new(long long tender_id, unsigned char key[CRYPTO_AES_KEY_LEN],
                 unsigned char wrapped[SEAL_KEY_WRAPPED_LEN])
{
	unsigned char k[CRYPTO_AES_KEY_LEN];
	char aad[64];
	int rc = -1;
	if (kek(k) < 0 || crypto_random(key, CRYPTO_AES_KEY_LEN) < 0)
		goto out;
	int n = key_aad(tender_id, aad, sizeof aad);
	if (crypto_seal(k, aad, (size_t)n, key, CRYPTO_AES_KEY_LEN, wrapped) < 0)
		goto out;
	rc = 0;
out:
	crypto_wipe(k, sizeof k);
	if (rc)
		crypto_wipe(key, CRYPTO_AES_KEY_LEN);
	return rc;
}

int seal_key_unwrap(long long tender_id, const unsigned char *wrapped, size_t len,
                    unsigned char key[CRYPTO_AES_KEY_LEN])
{
	unsigned char k[CRYPTO_AES_KEY_LEN];
	char aad[64];
	int rc = -1;
	if (len != SEAL_KEY_WRAPPED_LEN || kek(k) < 0)
		goto out;
	int n = key_aad(tender_id, aad, sizeof aad);
	rc = crypto_open(k, aad, (size_t)n, wrapped, len, key) < 0 ? -1 : 0;
out:
	crypto_wipe(k, sizeof k);
	if (rc)
		crypto_wipe(key, CRYPTO_AES_KEY_LEN);
	return rc;
}

static int part_aad(const seal_ctx *c, char *aad, size_t n)
{
	int len = snprintf(aad, n, "sanzhi bid|tender:%lld|bid:%lld|org:%s|part:%s", c->tender_id, c->bid_id,
	                   c->org_uscc ? c->org_uscc : "", c->part ? c->part : "");
	return len < 0 || (size_t)len >= n ? -1 : len;
}

int seal_part(const unsigned char key[CRYPTO_AES_KEY_LEN], const seal_ctx *ctx, const void *plain, size_t n,
              unsigned char **out, size_t *outlen)
{
	char aad[160];
	int alen = part_aad(ctx, aad, sizeof aad);
	*out = NULL;
	if (alen < 0)
		return -1;
	unsigned char *o = malloc(n + CRYPTO_SEAL_OVERHEAD);
	if (!o || crypto_seal(key, aad, (size_t)alen, plain, n, o) < 0) {
		free(o);
		return -1;
	}
	*out = o;
	*outlen = n + CRYPTO_SEAL_OVERHEAD;
	return 0;
}

int seal_open_part(const unsigned char key[CRYPTO_AES_KEY_LEN], const seal_ctx *ctx, const unsigned char *in,
                   size_t inlen, unsigned char **plain, size_t *n)
{
	char aad[160];
	int alen = part_aad(ctx, aad, sizeof aad);
	*plain = NULL;
	if (alen < 0 || inlen < CRYPTO_SEAL_OVERHEAD)
		return -1;
	size_t pn = inlen - CRYPTO_SEAL_OVERHEAD;
	unsigned char *p = malloc(pn + 1);
	if (!p)
		return -1;
	if (crypto_open(key, aad, (size_t)alen, in, inlen, p) < 0) {
		crypto_wipe(p, pn);
		free(p);
		return -1;
	}
	p[pn] = 0;
	*plain = p;
	*n = pn;
	return 0;
}
