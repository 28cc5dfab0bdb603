/* orgs_index.c — names cut into character bigrams, and the bigrams stored (see orgs_index.h). */
#include "orgs_index.h"
#include "json.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Byte length of the UTF-8 sequence that starts with c (input already validated). */
static int u8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xF0)
		return 4;
	if (c >= 0xE0)
		return 3;
	return 2;
}

int orgs_grams(const char *name, char (*grams)[ORGS_GRAM_SIZE], int max)
{
	size_t len = strlen(name);
	if (!json_utf8_valid(name, len))
		return -1;
	int n = 0;
	const char *p = name;
	while (*p) {
		int a = u8_seq_len((unsigned char)*p);
		int b = p[a] ? u8_seq_len((unsigned char)p[a]) : 0;
		/* A one-character name is its own gram; otherwise only whole bigrams. */
		if (!b && p != name)
			break;
		char g[ORGS_GRAM_SIZE];
		memcpy(g, p, (size_t)(a + b));
		g[a + b] = 0;
		int seen = 0;
		for (int i = 0; i < n && !seen; i++)
			seen = !strcmp(grams[i], g);
		if (!seen) {
			if (n == max)
				return -1;
			memcpy(grams[n++], g, (size_t)(a + b + 1));
		}
		p += a;
	}
	return n;
}

int orgs_index_name(db_conn *c, const char *uscc, const char *name)
{
	char g[ORGS_MAX_GRAMS][ORGS_GRAM_SIZE];
	int n = orgs_grams(name, g, ORGS_MAX_GRAMS);
	if (n < 0)
		return DB_ERROR;
	if (n == 0)
		return 0;
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return DB_ERROR;
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(g[i]));
	char *json = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (!json)
		return DB_ERROR;
	int rc = db_exec(c,
	                 "INSERT IGNORE INTO org_name_grams (gram, uscc) SELECT j.g, ? FROM JSON_TABLE(?, '$[*]' "
	                 "COLUMNS (g VARCHAR(2) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) j",
	                 DBP(DBS(uscc), DBS(json)), NULL, NULL);
	free(json);
	return rc;
}
