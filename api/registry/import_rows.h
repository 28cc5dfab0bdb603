/* import_rows.h — the rows `sanzhid import orgs` takes (SPEC Appendix A): the header, the fields,
 * how a record is tidied and what makes a row good.
 *
 * The file has exactly the header
 *     uscc,name,legal_form,category,region_code,domicile,business_scope,legal_representative_name,registered_at,status
 * A row is checked by itself here — code check digits, the authority and category digits against
 * the legal form, enums, region, date, status, lengths; duplicates within the file and against
 * the database are the command's (import.c). */
#ifndef SANZHI_IMPORT_ROWS_H
#define SANZHI_IMPORT_ROWS_H

#include "import_csv.h"

#include <stdint.h>

#define IMPORT_NFIELDS 10

extern const char *const import_header[IMPORT_NFIELDS];
enum import_field { F_USCC, F_NAME, F_FORM, F_CATEGORY, F_REGION, F_DOMICILE, F_SCOPE, F_REP, F_DATE, F_STATUS };

/* Blanks around a field (ASCII and the ideographic space U+3000) are not part of it, and codes
 * are written in capitals: "51330424mj…" is the same code. Done to every record as it is read,
 * in both passes, so that what was validated is what is loaded. */
void import_row_tidy(record *r);
/* 1 for an empty line. */
int import_row_blank(const record *r);
/* Checks one data record (tidied) as of day today; NULL when good, else "code: message" in why. */
const char *import_row_check(const record *r, int64_t today, char *why, size_t len);

#endif
