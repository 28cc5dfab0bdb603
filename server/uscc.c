/* uscc.c — Unified Social Credit Code (GB 32100-2015) and its embedded organization code (GB 11714). */
#include "uscc.h"

#include <string.h>

/* GB 32100 alphabet: digits and capitals without I, O, S, V, Z; a character's value is its index. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
#define USCC_RADIX 31

static const int uscc_weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
static const int org_weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };

/* Every body we issue starts with "MJ", the prefix civil-affairs registrations carry, so our
 * serials never collide with legacy GB 11714 codes held by organizations registered before 2015. */
#define USCC_ISSUE_PREFIX "MJ"
#define USCC_SERIAL_DIGITS 6

/* Value of c in the USCC alphabet, or -1. */
static int uscc_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Y') {
		const char *p = strchr(uscc_alphabet + 10, c);
		return p ? (int)(p - uscc_alphabet) : -1;
	}
	return -1;
}

/* GB 11714 value: 0-9 then A-Z as 10-35, or -1. */
static int org_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* GB 32100-2015 Table 1: the registration authorities and the categories each may issue. */
static const struct {
	char authority;
	const char *name;
	const char *categories; /* the category characters, in order */
	const char *category_names[6];
} authorities[] = {
	{ '1', "机构编制", "1239", { "机关", "事业单位", "中央编办直接管理机构编制的群众团体", "其他" } },
	{ '2', "外交", "19", { "外国常驻新闻机构", "其他" } },
	{ '3',
	  "司法行政",
	  "123459",
	  { "律师执业机构", "公证处", "基层法律服务所", "司法鉴定机构", "仲裁委员会", "其他" } },
	{ '4', "文化", "19", { "外国在华文化中心", "其他" } },
	{ '5', "民政", "1239", { "社会团体", "民办非企业单位", "基金会", "其他" } },
	{ '6', "旅游", "129", { "外国旅游部门常驻代表机构", "港澳台地区旅游部门常驻内地（大陆）代表机构", "其他" } },
	{ '7', "宗教", "129", { "宗教活动场所", "宗教院校", "其他" } },
	{ '8', "工会", "19", { "基层工会", "其他" } },
	{ '9', "工商", "123", { "企业", "个体工商户", "农民专业合作社" } },
	{ 'A', "中央军委改革和编制办公室", "19", { "军队事业单位", "其他" } },
	{ 'N', "农业", "1239", { "组级集体经济组织", "村级集体经济组织", "乡镇级集体经济组织", "其他" } },
	{ 'Y', "其他", "1", { "其他" } },
};

const char *uscc_authority_name(char authority)
{
	for (size_t i = 0; i < sizeof authorities / sizeof authorities[0]; i++)
		if (authorities[i].authority == authority)
			return authorities[i].name;
	return NULL;
}

const char *uscc_category_name(char authority, char category)
{
	for (size_t i = 0; i < sizeof authorities / sizeof authorities[0]; i++) {
		if (authorities[i].authority != authority)
			continue;
		const char *c = category ? strchr(authorities[i].categories, category) : NULL;
		return c ? authorities[i].category_names[c - authorities[i].categories] : NULL;
	}
	return NULL;
}

/* GB/T 2260 province-level codes (the first two digits of every region code), and 10 for the
 * national registrations of the ministries (100000). The county part is not checked against
 * today's table: a code keeps the region it was issued in after that region is abolished. */
static int region_part_ok(const char *r)
{
	static const char *const provinces[] = { "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
		                                 "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
		                                 "53", "54", "61", "62", "63", "64", "65", "71", "81", "82" };
	for (int i = 0; i < 6; i++)
		if (!is_digit(r[i]))
			return 0;
	if (!strncmp(r, "100000", 6))
		return 1;
	for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
		if (!strncmp(r, provinces[i], 2))
			return 1;
	return 0;
}

char uscc_org_code_check(const char body[8])
{
	if (!body)
		return 0;
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		int v = org_value(body[i]);
		if (v < 0)
			return 0;
		sum += v * org_weights[i];
	}
	int c = 11 - sum % 11;
	if (c == 10)
		return 'X';
	if (c == 11)
		return '0';
	return (char)('0' + c);
}

char uscc_check_char(const char first17[17])
{
	if (!first17)
		return 0;
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		int v = uscc_value(first17[i]);
		if (v < 0)
			return 0;
		sum += v * uscc_weights[i];
	}
	int c = USCC_RADIX - sum % USCC_RADIX;
	return uscc_alphabet[c == USCC_RADIX ? 0 : c];
}

int uscc_check(const char *code, uscc_parts *parts, const char **reason)
{
	const char *why = NULL;

	/* strnlen: a hostile caller's string is never read past USCC_LEN + 1 bytes. */
	if (!code || strnlen(code, USCC_LEN + 1) != USCC_LEN) {
		why = "length";
		goto out;
	}
	for (int i = 0; i < USCC_LEN; i++) {
		if (uscc_value(code[i]) < 0) {
			why = "charset";
			goto out;
		}
	}
	if (uscc_org_code_check(code + 8) != code[16]) {
		why = "org_code_check";
		goto out;
	}
	if (uscc_check_char(code) != code[17]) {
		why = "check_character";
		goto out;
	}
	/* The check characters prove the code was copied right, not that it can exist. */
	if (!uscc_authority_name(code[0])) {
		why = "authority";
		goto out;
	}
	if (!uscc_category_name(code[0], code[1])) {
		why = "category";
		goto out;
	}
	if (!region_part_ok(code + 2)) {
		why = "region";
		goto out;
	}
	if (parts) {
		memset(parts, 0, sizeof(*parts));
		parts->authority[0] = code[0];
		parts->category[0] = code[1];
		memcpy(parts->region_code, code + 2, 6);
		memcpy(parts->org_code, code + 8, 9);
	}
out:
	if (reason)
		*reason = why;
	return why ? -1 : 0;
}

int uscc_build(char authority, char category, const char region[6], unsigned long long serial, char out[USCC_LEN + 1])
{
	if (!region || !out)
		return -1;
	/* Only civil-affairs codes are issued here; the category digits are GB 32100's for authority 5. */
	if (authority != '5')
		return -1;
	if (category != '1' && category != '2' && category != '3' && category != '9')
		return -1;
	for (int i = 0; i < 6; i++)
		if (!is_digit(region[i]))
			return -1;

	unsigned long long limit = 1;
	for (int i = 0; i < USCC_SERIAL_DIGITS; i++)
		limit *= USCC_RADIX;
	if (serial >= limit)
		return -1;

	char code[USCC_LEN + 1];
	code[0] = authority;
	code[1] = category;
	memcpy(code + 2, region, 6);
	memcpy(code + 8, USCC_ISSUE_PREFIX, 2);
	for (int i = 8 + 2 + USCC_SERIAL_DIGITS - 1; i >= 8 + 2; i--) {
		code[i] = uscc_alphabet[serial % USCC_RADIX];
		serial /= USCC_RADIX;
	}
	code[16] = uscc_org_code_check(code + 8);
	/* The org check may be 'X' (in the alphabet) or a digit, so the code stays in the USCC alphabet. */
	code[17] = uscc_check_char(code);
	code[18] = '\0';
	if (!code[16] || !code[17])
		return -1;
	memcpy(out, code, sizeof(code));
	return 0;
}

char uscc_category_for_form(const char *legal_form)
{
	static const struct {
		const char *form;
		char category;
	} forms[] = {
		{ "social_group", '1' },
		{ "social_service_institution", '2' },
		{ "foundation", '3' },
	};
	if (!legal_form)
		return 0;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(legal_form, forms[i].form) == 0)
			return forms[i].category;
	return 0;
}
