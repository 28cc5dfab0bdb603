/* tender_check.h — what a tender notice must satisfy (SPEC §6, Appendix B).
 *
 * Pure validation: no database; the clock only as an argument. Every problem becomes one verr
 * entry with the field path ("criteria[2].id", "eligibility.legal_forms[0]"), a stable code and a
 * message naming the numbers, so a 422 lists everything at once.
 *
 * Codes, besides the json.h getters' ("required", "type", "too_short", "too_long",
 * "out_of_range", "not_integer", "invalid_choice", "unknown_field"):
 *   invalid_format       service_category or a criterion id is not a snake_case name
 *   invalid_text         a title or name that is not one line of visible text
 *   invalid_time         not an RFC 3339 time in whole seconds before the year 3000
 *   duplicate            a criterion id, invited organization, form or category given twice
 *   points_not_100       the criteria's max_points and price_points do not add up to 100
 *   not_before_deadline  enquiry_end is not before bid_deadline
 *   invalid_uscc         an invited organization's code does not check
 *   too_few_invited      an invited tender names fewer than invited_min_orgs organizations
 *   single_source_one    a single-source tender does not name exactly one organization
 *   not_allowed          invited_orgs given for a method that invites nobody
 *   in_the_past          (publication) the enquiry period has already ended
 *   too_soon             (publication) the bid deadline is closer than the method's minimum
 * and, checked against the register (tender_flow.c):
 *   unknown_org          an invited organization is not registered
 *   not_your_department  department is not the purchaser's own
 */
#ifndef SANZHI_TENDER_CHECK_H
#define SANZHI_TENDER_CHECK_H

#include "clock.h"
#include "json.h"

/* NULL-terminated; each enum indexes its list. */
extern const char *const tender_methods[];
enum tender_method {
	TM_OPEN,
	TM_INVITED,
	TM_CONSULTATION,
	TM_NEGOTIATION,
	TM_SINGLE_SOURCE,
	TM_INQUIRY,
};
extern const char *const tender_evaluation_methods[]; /* comprehensive, lowest_price */
extern const char *const tender_grades[];             /* 1A … 5A */

enum {
	TENDER_TITLE_MAX_CHARS = 200,
	TENDER_DESCRIPTION_MAX_CHARS = 20000,
	TENDER_CATEGORY_MAX_CHARS = 64,
	TENDER_DEPARTMENT_MAX_CHARS = 128,
	TENDER_CRITERIA_MAX = 30,
	TENDER_CRITERION_ID_MAX_CHARS = 32,
	TENDER_CRITERION_NAME_MAX_CHARS = 100,
	TENDER_INVITED_MAX = 100,
	TENDER_YEARS_MAX = 50,
	TENDER_TEXT_MAX_CHARS = 2000, /* cancel reasons, questions, answers */
};

/* A tender as a create or PATCH body gives it; pointers into the body. */
typedef struct tender_in {
	const char *title, *description, *service_category, *department; /* department may be NULL */
	long long budget_fen, price_points, contract_months;
	int method, evaluation_method; /* enum tender_method; index into tender_evaluation_methods */
	const cJSON *criteria;         /* [{id, name, max_points}] */
	int min_grade;                 /* 0: none; 1–5 */
	long long min_years_registered;
	const cJSON *legal_forms, *categories; /* arrays (may be empty: any), or NULL */
	const cJSON *invited_orgs;             /* array of codes (upper-cased by the caller), or NULL */
	usec_t enquiry_end, bid_deadline;
} tender_in;

/* Every rule of a tender body that needs neither clock nor database, into v; *in receives what
 * is valid (the caller looks at v->count before trusting it). */
void tender_check_body(const cJSON *body, tender_in *in, verr *v);

/* The least whole days from publication to the bid deadline for a method (rules: open and
 * invited tenders open_tender_min_days, competitive consultation consultation_min_days); 0 where
 * the rules set none. */
long long tender_min_days(int method);

/* Publication at now: the enquiry period is still ahead, and the bid deadline at least
 * tender_min_days after now (calendar days of 24 hours, SPEC §2). */
void tender_check_publication(usec_t enquiry_end, usec_t bid_deadline, int method, usec_t now, verr *v);

/* The eligibility object as stored and shown: {min_grade (null or "3A"), min_years_registered,
 * legal_forms, categories}; malloc'd JSON text, NULL when out of memory. */
char *tender_eligibility_text(const tender_in *in);

#endif
