/* uscc_api.c — GET /api/v1/uscc/{code}: checks any code against GB 32100 / GB 11714 and decodes
 * its parts. Every answer about a code is a 200: an invalid code is {"valid": false, "reason"}. */
#include "uscc_api.h"
#include "region.h"
#include "uscc.h"

#include <string.h>

static void uscc_get(http_req *req)
{
	const char *raw = http_param(req, "code");
	size_t n = raw ? strlen(raw) : 0;
	cJSON *o = cJSON_CreateObject();
	char code[USCC_LEN + 1] = "";
	const char *reason = NULL;
	int charset_ok = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)raw[i];
		if (ch < 0x21 || ch > 0x7E)
			charset_ok = 0;
	}
	if (!charset_ok) {
		reason = "charset";
	} else if (n != USCC_LEN) {
		reason = "length";
	} else {
		/* Codes are written in capitals; a code typed in lower case is the same code. */
		for (int i = 0; i < USCC_LEN; i++)
			code[i] = (raw[i] >= 'a' && raw[i] <= 'z') ? (char)(raw[i] - 'a' + 'A') : raw[i];
		code[USCC_LEN] = 0;
		uscc_parts parts;
		if (uscc_check(code, &parts, &reason) == 0)
			reason = NULL;
	}
	cJSON_AddBoolToObject(o, "valid", reason == NULL);
	json_add_str_or_null(o, "reason", reason);
	if (*code) {
		/* The parts are read from the code as written even when a check fails, so a reader can see
		 * which part is off. */
		char a[2] = { code[0], 0 }, c[2] = { code[1], 0 }, rcode[7], org[10];
		memcpy(rcode, code + 2, 6);
		rcode[6] = 0;
		memcpy(org, code + 8, 9);
		org[9] = 0;
		cJSON_AddStringToObject(o, "code", code);
		cJSON_AddStringToObject(o, "authority", a);
		json_add_str_or_null(o, "authority_name", uscc_authority_name(code[0]));
		cJSON_AddStringToObject(o, "category", c);
		json_add_str_or_null(o, "category_name", uscc_category_name(code[0], code[1]));
		cJSON_AddStringToObject(o, "region_code", rcode);
		const region *r = region_find(rcode);
		/* 100000: registered nationally, by a ministry (民政部 for social organizations). */
		json_add_str_or_null(o, "region_name", r ? region_name(r) : !strcmp(rcode, "100000") ? "全国" : NULL);
		cJSON_AddStringToObject(o, "org_code", org);
		cJSON_AddStringToObject(o, "check_character", (char[2]){ code[17], 0 });
	} else {
		cJSON_AddNullToObject(o, "code");
		cJSON_AddNullToObject(o, "authority");
		cJSON_AddNullToObject(o, "category");
		cJSON_AddNullToObject(o, "region_code");
		cJSON_AddNullToObject(o, "org_code");
	}
	http_reply_data(req, 200, o, 0);
}

const route uscc_routes[] = {
	{ "GET", "/api/v1/uscc/{code}", uscc_get, ROLES_PUBLIC, R_NO_DB },
	{ NULL, NULL, NULL, 0, 0 },
};
