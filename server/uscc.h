/* uscc.h — Unified Social Credit Code (GB 32100-2015) and organization code (GB 11714).
 *
 * An 18-character USCC: [1] registration authority, [2] category, [3-8] region code,
 * [9-17] organization code (8 body characters + GB 11714 check), [18] check character.
 */
#ifndef SANZHI_USCC_H
#define SANZHI_USCC_H

#include <stddef.h>

#define USCC_LEN 18

typedef struct uscc_parts {
	char authority[2]; /* "5" = civil affairs */
	char category[2];  /* "1" social group, "2" social service institution, "3" foundation, "9" other */
	char region_code[7];
	char org_code[10]; /* 9 characters: 8 body + check */
} uscc_parts;

/* Validates a code. Returns 0 when valid and fills parts (may be NULL).
 * Otherwise returns a negative value and points *reason (may be NULL) at a static
 * snake_case reason: "length", "charset", "org_code_check", "check_character" (the check
 * characters), then "authority" and "category" (not in GB 32100 Table 1), "region" (positions 3-8
 * not a GB/T 2260 province's code, nor 100000 for national registrations). */
int uscc_check(const char *code, uscc_parts *parts, const char **reason);

/* GB 32100 Table 1 names: of an authority character ("民政" for '5'), and of a category under it
 * ("基金会" for '5','3'); NULL when the table has none. */
const char *uscc_authority_name(char authority);
const char *uscc_category_name(char authority, char category);

/* GB 11714 check character for an 8-character body (0-9, A-Z). Returns the check
 * character ('0'..'9' or 'X'), or 0 if the body is invalid. */
char uscc_org_code_check(const char body[8]);

/* GB 32100 check character for the first 17 characters, or 0 if any is outside the alphabet. */
char uscc_check_char(const char first17[17]);

/* Builds a valid code from authority ('5'), category ('1','2','3','9'), a 6-digit region and a
 * serial number. The 8-character organization-code body is "MJ" (the prefix civil-affairs
 * registrations carry) followed by the serial in 6 base-31 digits over the USCC alphabet
 * (0-9 A-H J-N P-R T U W-Y), so distinct serials give distinct codes; serial < 31^6.
 * out receives 18 chars + NUL. -1 on bad input. */
int uscc_build(char authority, char category, const char region[6], unsigned long long serial, char out[USCC_LEN + 1]);

/* Category digit for a legal form name ("social_group" -> '1', "social_service_institution" -> '2',
 * "foundation" -> '3'); 0 for anything else. */
char uscc_category_for_form(const char *legal_form);

#endif
