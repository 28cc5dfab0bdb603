/* tender_check.c — the rules of a tender notice that need no database (see tender_check.h). */
#include "tender_check.h"
#include "orgs.h"
#include "registry_rules.h"
#include "rules.h"
#include "uscc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tender_methods[] = {
	"open", "invited", "competitive_consultation", "competitive_negotiation", "single_source", "inquiry", NULL
};
const char *const tender_evaluation_methods[] = { "comprehensive", "lowest_price", NULL };
const char *const tender_grades[] = { "1A", "2A", "3A", "4A", "5A", NULL };

static const char *const body_fields[] = {
	"title",        "description",       "service_category", "department",      "budget_fen",
	"method",       "evaluation_method", "criteria",         "price_points",    "eligibility",
	"invited_orgs", "enquiry_end",       "bid_deadline",     "contract_months", NULL
};
static const char *const criterion_fields[] = { "id", "name", "max_points", NULL };
static const char *const eligibility_fields[] = { "min_grade", "min_years_registered", "legal_forms", "categories",
	                                          NULL };

/* The times a tender may name: before the year 3000, as the test clock (server/clock.h). */
#define TENDER_TIME_MAX CLOCK_SET_MAX

static int index_of(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

/* [a-z][a-z0-9_]* of at most max characters. */
static int snake_name(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n >= 1 && n <= max && s[0] >= 'a' && s[0] <= 'z' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* A one-line text member: 1–max characters, not blank, visible. */
static int get_line(const cJSON *o, const char *key, const char *field, size_t max, const char **out, verr *v)
{
	int got = json_get_str(o, key, out, v, field, JSON_REQUIRED, 1, max);
	if (got != 1)
		return got;
	if (json_blank(*out)) {
		verr_add(v, field, "required", "%s must say something", field);
		return -1;
	}
	if (!json_text_clean(*out, 1)) {
		verr_add(v, field, "invalid_text", "%s must be one line of visible text", field);
		return -1;
	}
	return 1;
}

/* An RFC 3339 time in whole seconds, before the year 3000. */
static void get_time(const cJSON *o, const char *key, usec_t *out, verr *v)
{
	const char *s = NULL;
	if (json_get_str(o, key, &s, v, key, JSON_REQUIRED, 1, 40) != 1)
		return;
	usec_t t;
	if (clock_parse(s, &t) < 0 || t < 0 || t > TENDER_TIME_MAX || t % USEC_PER_SEC) {
		verr_add(v, key, "invalid_time", "%s must be an RFC 3339 time in whole seconds (2026-04-25T09:00:00Z)",
		         key);
		return;
	}
	*out = t;
}

static void check_criteria(const cJSON *body, tender_in *in, verr *v)
{
	const cJSON *criteria = NULL;
	if (json_get_array(body, "criteria", &criteria, v, "criteria", JSON_REQUIRED, TENDER_CRITERIA_MAX) != 1)
		return;
	in->criteria = criteria;
	long long points = 0;
	int i = 0, bad = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, criteria) {
		char f[48], fid[48], fname[48], fmax[48];
		snprintf(f, sizeof f, "criteria[%d]", i);
		snprintf(fid, sizeof fid, "criteria[%d].id", i);
		snprintf(fname, sizeof fname, "criteria[%d].name", i);
		snprintf(fmax, sizeof fmax, "criteria[%d].max_points", i);
		i++;
		if (!cJSON_IsObject(c)) {
			verr_add(v, f, "type", "each criterion is an object {id, name, max_points}");
			bad = 1;
			continue;
		}
		json_only_fields(c, criterion_fields, v, f);
		const char *id = NULL, *name = NULL;
		long long max = 0;
		if (json_get_str(c, "id", &id, v, fid, JSON_REQUIRED, 1, TENDER_CRITERION_ID_MAX_CHARS) == 1) {
			if (!snake_name(id, TENDER_CRITERION_ID_MAX_CHARS)) {
				verr_add(v, fid, "invalid_format",
				         "a criterion id is a snake_case name (plan, team_experience)");
			} else {
				/* Unique: the scores of each bid are keyed by them. */
				for (int k = 0; k < i - 1; k++) {
					const char *other = json_str_member(cJSON_GetArrayItem(criteria, k), "id");
					if (other && !strcmp(other, id)) {
						verr_add(v, fid, "duplicate", "criterion id %s is given twice", id);
						break;
					}
				}
			}
		}
		get_line(c, "name", fname, TENDER_CRITERION_NAME_MAX_CHARS, &name, v);
		if (json_get_int(c, "max_points", &max, v, fmax, JSON_REQUIRED, 1, 100) == 1)
			points += max;
		else
			bad = 1;
	}
	in->price_points = -1;
	long long price = 0;
	long long lo = rule(RULE_price_points_min), hi = rule(RULE_price_points_max);
	if (json_get_int(body, "price_points", &price, v, "price_points", JSON_REQUIRED, 0, 100) == 1) {
		if (price < lo || price > hi)
			verr_add(v, "price_points", "out_of_range",
			         "price points for services must be from %lld to %lld (rules price_points_min, "
			         "price_points_max)",
			         lo, hi);
		else
			in->price_points = price;
		if (!bad && points + price != 100)
			verr_add(
			        v, "criteria", "points_not_100",
			        "the criteria's max_points (%lld) and price_points (%lld) must add up to 100, not %lld",
			        points, price, points + price);
	}
}

/* A list of distinct choices: legal forms or categories. */
static void check_choices(const cJSON *elig, const char *key, const char *const *choices, int max, const cJSON **out,
                          verr *v)
{
	char field[48];
	snprintf(field, sizeof field, "eligibility.%s", key);
	const cJSON *a = NULL;
	if (json_get_array(elig, key, &a, v, field, JSON_OPTIONAL, max) != 1)
		return;
	int i = 0, ok = 1;
	const cJSON *it;
	cJSON_ArrayForEach(it, a) {
		char f[64];
		snprintf(f, sizeof f, "%s[%d]", field, i);
		if (!cJSON_IsString(it) || index_of(choices, it->valuestring) < 0) {
			verr_add(v, f, "invalid_choice", "%s must be one of the known values", f);
			ok = 0;
		} else {
			for (int k = 0; k < i; k++) {
				const cJSON *o = cJSON_GetArrayItem(a, k);
				if (cJSON_IsString(o) && !strcmp(o->valuestring, it->valuestring)) {
					verr_add(v, f, "duplicate", "%s is given twice", it->valuestring);
					ok = 0;
					break;
				}
			}
		}
		i++;
	}
	if (ok)
		*out = a;
}

static void check_eligibility(const cJSON *body, tender_in *in, verr *v)
{
	const cJSON *e = NULL;
	if (json_get_object(body, "eligibility", &e, v, "eligibility", JSON_OPTIONAL) != 1)
		return;
	json_only_fields(e, eligibility_fields, v, "eligibility");
	const char *grade = NULL;
	if (json_get_enum(e, "min_grade", &grade, tender_grades, v, "eligibility.min_grade", JSON_OPTIONAL) == 1)
		in->min_grade = index_of(tender_grades, grade) + 1;
	json_get_int(e, "min_years_registered", &in->min_years_registered, v, "eligibility.min_years_registered",
	             JSON_OPTIONAL, 0, TENDER_YEARS_MAX);
	check_choices(e, "legal_forms", registry_legal_forms, 3, &in->legal_forms, v);
	check_choices(e, "categories", registry_categories, 4, &in->categories, v);
}

/* SPEC §6: invited tenders name at least invited_min_orgs organizations, single source exactly
 * one, the other methods none. Whether they are registered is the register's to say. */
static void check_invited(const cJSON *body, tender_in *in, verr *v)
{
	const cJSON *a = NULL;
	int got = json_get_array(body, "invited_orgs", &a, v, "invited_orgs", JSON_OPTIONAL, TENDER_INVITED_MAX);
	if (got < 0)
		return;
	int n = 0, i = 0, ok = 1; /* n: distinct valid codes, the ones that count */
	char seen[TENDER_INVITED_MAX][USCC_LEN + 1];
	const cJSON *it;
	cJSON_ArrayForEach(it, a) {
		char f[40];
		snprintf(f, sizeof f, "invited_orgs[%d]", i);
		char code[USCC_LEN + 1] = "";
		if (!cJSON_IsString(it) || orgs_uscc_parse(it->valuestring, code) < 0 ||
		    uscc_check(code, NULL, NULL) < 0) {
			verr_add(v, f, "invalid_uscc", "%s must be a valid 18-character unified social credit code", f);
			ok = 0;
		} else {
			int dup = 0;
			for (int k = 0; k < i && !dup; k++)
				dup = !strcmp(seen[k], code);
			if (dup) {
				verr_add(v, f, "duplicate", "%s is invited twice", code);
				ok = 0;
			} else {
				n++;
			}
		}
		memcpy(seen[i], code, sizeof seen[i]);
		i++;
	}
	if (in->method == TM_INVITED && n < rule(RULE_invited_min_orgs))
		verr_add(v, "invited_orgs", "too_few_invited",
		         "an invited tender names at least %lld organizations (rule invited_min_orgs); %d named",
		         rule(RULE_invited_min_orgs), n);
	else if (in->method == TM_SINGLE_SOURCE && n != 1)
		verr_add(v, "invited_orgs", "single_source_one",
		         "a single-source tender names exactly one organization; %d named", n);
	else if (in->method >= 0 && in->method != TM_INVITED && in->method != TM_SINGLE_SOURCE && n > 0)
		verr_add(v, "invited_orgs", "not_allowed", "only invited and single-source tenders name organizations");
	if (ok)
		in->invited_orgs = a;
}

void tender_check_body(const cJSON *body, tender_in *in, verr *v)
{
	memset(in, 0, sizeof *in);
	in->method = in->evaluation_method = -1;
	json_only_fields(body, body_fields, v, NULL);

	get_line(body, "title", "title", TENDER_TITLE_MAX_CHARS, &in->title, v);
	if (json_get_str(body, "description", &in->description, v, "description", JSON_REQUIRED, 1,
	                 TENDER_DESCRIPTION_MAX_CHARS) == 1 &&
	    json_blank(in->description))
		verr_add(v, "description", "required", "description must say something");
	if (json_get_str(body, "service_category", &in->service_category, v, "service_category", JSON_REQUIRED, 1,
	                 TENDER_CATEGORY_MAX_CHARS) == 1 &&
	    !snake_name(in->service_category, TENDER_CATEGORY_MAX_CHARS))
		verr_add(v, "service_category", "invalid_format",
		         "service_category is a snake_case name (elderly_care)");
	if (cJSON_GetObjectItemCaseSensitive(body, "department") &&
	    get_line(body, "department", "department", TENDER_DEPARTMENT_MAX_CHARS, &in->department, v) != 1)
		in->department = NULL;
	json_get_int(body, "budget_fen", &in->budget_fen, v, "budget_fen", JSON_REQUIRED, 1, JSON_FEN_MAX);

	const char *s = NULL;
	if (json_get_enum(body, "method", &s, tender_methods, v, "method", JSON_REQUIRED) == 1)
		in->method = index_of(tender_methods, s);
	if (json_get_enum(body, "evaluation_method", &s, tender_evaluation_methods, v, "evaluation_method",
	                  JSON_REQUIRED) == 1)
		in->evaluation_method = index_of(tender_evaluation_methods, s);

	check_criteria(body, in, v);
	check_eligibility(body, in, v);
	check_invited(body, in, v);

	get_time(body, "enquiry_end", &in->enquiry_end, v);
	get_time(body, "bid_deadline", &in->bid_deadline, v);
	if (in->enquiry_end && in->bid_deadline && in->enquiry_end >= in->bid_deadline)
		verr_add(v, "enquiry_end", "not_before_deadline",
		         "the enquiry period must end before the bid deadline");
	json_get_int(body, "contract_months", &in->contract_months, v, "contract_months", JSON_REQUIRED, 1,
	             12 * rule(RULE_contract_max_years_reasoned));
}

long long tender_min_days(int method)
{
	switch (method) {
	case TM_OPEN:
	case TM_INVITED:
		/* 政府采购法实施条例 / 招标投标法 Art. 24: 20 days from the notice to the deadline. */
		return rule(RULE_open_tender_min_days);
	case TM_CONSULTATION:
		return rule(RULE_consultation_min_days);
	default:
		return 0;
	}
}

void tender_check_publication(usec_t enquiry_end, usec_t bid_deadline, int method, usec_t now, verr *v)
{
	char when[32];
	if (enquiry_end <= now) {
		clock_fmt(enquiry_end, when);
		verr_add(v, "enquiry_end", "in_the_past", "the enquiry period ended at %s, before publication", when);
	}
	long long days = tender_min_days(method);
	usec_t earliest = now + days * USEC_PER_DAY;
	if (bid_deadline < earliest || bid_deadline <= now) {
		clock_fmt(earliest, when);
		verr_add(v, "bid_deadline", "too_soon",
		         "with method %s the bid deadline is at least %lld days after publication: %s at the earliest",
		         method >= 0 ? tender_methods[method] : "?", days, when);
	}
}

char *tender_eligibility_text(const tender_in *in)
{
	cJSON *e = cJSON_CreateObject();
	if (!e)
		return NULL;
	cJSON_AddItemToObject(e, "min_grade",
	                      in->min_grade > 0 ? cJSON_CreateString(tender_grades[in->min_grade - 1])
	                                        : cJSON_CreateNull());
	cJSON_AddNumberToObject(e, "min_years_registered", (double)in->min_years_registered);
	cJSON_AddItemToObject(e, "legal_forms",
	                      in->legal_forms ? cJSON_Duplicate(in->legal_forms, 1) : cJSON_CreateArray());
	cJSON_AddItemToObject(e, "categories",
	                      in->categories ? cJSON_Duplicate(in->categories, 1) : cJSON_CreateArray());
	char *text = json_print(e);
	cJSON_Delete(e);
	return text;
}
