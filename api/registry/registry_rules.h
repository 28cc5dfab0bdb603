/* registry_rules.h — what a registration application must satisfy (SPEC §4, Appendix A).
 *
 * Pure validation: no database, no clock. Every problem becomes one verr entry with the field
 * path ("members.individual", "directors[3].id_number", "changes.name"), a stable snake_case code
 * and an English message that names the numbers, so a 422 lists everything at once.
 *
 * Codes, besides the json.h getters' ("required", "type", "too_short", "too_long",
 * "out_of_range", "not_integer", "invalid_choice", "too_many", "control_character"):
 *   invalid_format        region_code is not 6 digits
 *   unknown_region        region_code is not a current GB/T 2260 region
 *   invalid_id_number     not a valid 18-character resident ID (GB 11643 check, birth date)
 *   duplicate_id_number   the same person twice among the directors
 *   invalid_phone         neither a mainland mobile nor a landline with area code
 *   invalid_email
 *   too_few_members       social group below the member minimums
 *   funds_below_minimum   funds below the minimum for the form, scope and fundraising
 *   too_few_directors, too_many_directors   foundation board size
 *   invalid_for_scope     national public fundraising asked by a local foundation
 *   invalid_for_legal_form  industry_association that is not a social group
 *   name_region_prefix    name does not begin with the region's name
 *   name_form_word        name does not end with a form word of its legal form
 *   name_field_words      nothing between the region's name and the form word
 *   name_banned_word      name contains a word it may not use
 *   no_changes            a change application that changes nothing
 *   not_changeable        a change to a field that a change application cannot change
 */
#ifndef SANZHI_REGISTRY_RULES_H
#define SANZHI_REGISTRY_RULES_H

#include "json.h"

/* NULL-terminated choices, for handlers and the OpenAPI document; each enum indexes its list. */
extern const char *const registry_legal_forms[]; /* social_group, social_service_institution, foundation */
extern const char
        *const registry_categories[]; /* industry_association, science_technology, public_welfare, community_service */
extern const char *const registry_scopes[];       /* local, national */
extern const char *const registry_fundraisings[]; /* none, local_public, national_public (foundations) */

enum registry_form { FORM_SOCIAL_GROUP, FORM_SOCIAL_SERVICE_INSTITUTION, FORM_FOUNDATION };
enum registry_category {
	CATEGORY_INDUSTRY_ASSOCIATION,
	CATEGORY_SCIENCE_TECHNOLOGY,
	CATEGORY_PUBLIC_WELFARE,
	CATEGORY_COMMUNITY_SERVICE,
};
enum registry_scope { SCOPE_LOCAL, SCOPE_NATIONAL };
enum registry_fundraising { FUNDRAISING_NONE, FUNDRAISING_LOCAL_PUBLIC, FUNDRAISING_NATIONAL_PUBLIC };

/* The index of s in a NULL-terminated list of choices (its enum value), or -1 when s is not one
 * of them (NULL too). */
int registry_choice(const char *const *list, const char *s);

/* Checks an establishment application body (Appendix A). for_submission 0 (saving a draft):
 * only the shape of what is present: types, lengths, enums, and the format of region codes, ID
 * numbers, phones and emails. for_submission 1: also every required field and every submission
 * rule (members, funds, directors, name). */
void registry_check_establish(const cJSON *app, int for_submission, verr *v);

/* Checks the "changes" object of a change application for an organization of this legal form
 * registered in region_code (NULL: a national organization, no region prefix required). Fields:
 * name, domicile, business_scope, activity_area, funds_fen, legal_representative; at least one.
 * Funds are held to the minimum of the organization's scope ("local" | "national") and, for a
 * foundation, its fundraising ("none" | "local_public" | "national_public"; NULL: none).
 * Errors are reported as "changes.<field>". */
void registry_check_change(const cJSON *changes, const char *legal_form, const char *region_code, const char *scope,
                           const char *fundraising, verr *v);

/* 1 if id is an 18-character PRC resident ID number with a valid birth date and ISO 7064
 * MOD 11-2 check character (digit or capital X), else 0. Whether the date lies in the past is
 * the caller's question: this module has no clock. */
int registry_id_number_valid(const char *id);
/* 1 for a mainland mobile (1[3-9] and 9 digits, optionally after +86) or a landline with its
 * area code (0573-86123456, 010-12345678, optional -extension), else 0. */
int registry_phone_valid(const char *phone);
/* 1 for a plain ASCII address local@domain.tld, else 0. */
int registry_email_valid(const char *email);

/* The registration authority of an organization registered in region_code: the civil-affairs
 * department of the region (a province's is a 厅, every other a 局; 海盐县民政局 for 330424),
 * "民政部门" for an unknown code. Printed on certificates and notices, shown on profiles. */
void registry_authority(const char *region_code, char *out, size_t len);

#endif
