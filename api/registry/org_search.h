/* org_search.h — GET /api/v1/orgs?q=&legal_form=&category=&region=&status=&grade=&listed= (SPEC §4):
 * the public search of the register.
 *
 * A query q of two or more characters is answered from the bigrams of q (orgs_index.h): the
 * rarest one (by the optimizer's index-dive estimate, remembered a while) drives — its
 * primary-key range is already in USCC order, the keyset order — the next rarest is intersected
 * by primary-key lookups, and `name LIKE '%q%'` (%, _ escaped) over the current and former names
 * confirms the substring. When a region filter names fewer organizations than the rarest gram has
 * rows, the region's index drives instead. A one-character Chinese q is refused (422
 * q_too_short): bigrams cannot answer it without scanning, and one character is no useful search.
 * A q of letters and digits also matches USCC prefixes through the primary key (one letter or
 * digit is a prefix search). Exact matches (a name, current or former, or the USCC, equal to q)
 * come first; then the rest in USCC order; the cursor knows which of the two a page is in.
 * Without q the register is browsed by the filters. Searches pass the public gate (org_gate.h).
 *
 * grade=1A..5A finds the organizations whose current grade is that one and still valid (through
 * grade_valid_until by the daemon's clock: an expired grade is no grade, as for bidding);
 * grade=none those without a valid grade. An entry shows its last grade and its validity as the
 * profile does. listed=abnormal|serious finds the organizations with a current entry on that
 * list, listed=none those on neither: org_lists (sql/0016), which the credit module keeps with
 * its entries. A list drives a browse (its primary key is in USCC order), and drives the name
 * stream when it is rarer than q's rarest gram.
 *
 * Problem codes (besides the dispatcher's):
 *   q_too_short (422)        one non-alphanumeric character
 *   q_too_long (422)         more than 100 characters
 *   invalid_q (400)          not UTF-8, or a control character
 *   invalid_legal_form, invalid_category, invalid_status, invalid_grade, invalid_listed (400)
 *   invalid_region (400)     not 6 digits;  unknown_region (400) not a current GB/T 2260 code
 *                            (each with the field in errors, code invalid_choice)
 *   invalid_cursor, invalid_limit (400)
 */
#ifndef SANZHI_ORG_SEARCH_H
#define SANZHI_ORG_SEARCH_H

#include "api.h"

extern const route org_search_routes[];

#endif
