/* eligibility.h — whether an organization may bid (SPEC §5, §6): every reason it may not, at
 * once, as codes. GET …/credit asks with no requirements (can_bid speaks of the organization
 * alone: registered, not deregistered, on no list); a tender asks with its own (grade, years
 * registered, legal forms, categories) when a bid comes in.
 *
 * Reasons (verr codes, field "org"):
 *   not_registered            deregistered, or not in the register
 *   listed                    on the abnormal or the serious list now
 *   grade_too_low             no valid grade, or one below the required
 *   registered_too_recently   registered fewer years than required
 *   legal_form_not_allowed, category_not_allowed
 */
#ifndef SANZHI_ELIGIBILITY_H
#define SANZHI_ELIGIBILITY_H

#include "db.h"
#include "json.h"

#include <stdint.h>

typedef struct credit_requirements {
	int min_grade;                  /* 0: none; 1–5 for 1A–5A */
	int min_years_registered;       /* 0: none */
	const char *const *legal_forms; /* NULL-terminated; NULL: any */
	const char *const *categories;  /* NULL-terminated; NULL: any */
} credit_requirements;

/* What the register says of the organization, for the pure check. */
typedef struct credit_facts {
	int found;                         /* in the register */
	int registered;                    /* status registered */
	int64_t registered_on;             /* day */
	int grade;                         /* 0 none, 1–5 */
	int64_t grade_valid_until;         /* day; the grade counts through this day */
	int listings;                      /* current list entries */
	const char *legal_form, *category; /* category may be NULL */
} credit_facts;

/* The grade "1A"–"5A" as 1–5; 0 for anything else (NULL too). */
int credit_grade_rank(const char *grade);

/* The pure part: every reason f fails req on day today, added to reasons. Returns how many. */
int credit_eligibility_check(const credit_facts *f, const credit_requirements *req, int64_t today, verr *reasons);

/* Reads the facts of uscc on c and checks them: the number of reasons (0: may bid), or a DB_ code.
 * req NULL: no requirements. owner_id, when given, receives the account acting for the
 * organization from the same read (0: none; -1: not in the register), for a bid's check. */
int credit_eligibility(db_conn *c, const char *uscc, const credit_requirements *req, int64_t today, verr *reasons,
                       long long *owner_id);

#endif
