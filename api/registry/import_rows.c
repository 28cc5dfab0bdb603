/* import_rows.c — the importer's row format and the checks one row must pass by itself (see
 * import_rows.h). */
#include "import_rows.h"
#include "clock.h"
#include "json.h"
#include "org_row.h"
#include "region.h"
#include "registry_rules.h"
#include "uscc.h"

#include <stdio.h>
#include <string.h>

const char *const import_header[IMPORT_NFIELDS] = { "uscc",           "name",
	                                            "legal_form",     "category",
	                                            "region_code",    "domicile",
	                                            "business_scope", "legal_representative_name",
	                                            "registered_at",  "status" };

void import_row_tidy(record *r)
{
	if (r->error)
		return;
	for (int i = 0; i < r->nfields; i++)
		r->field[i] = json_trim(r->field[i]);
	if (r->nfields == IMPORT_NFIELDS)
		for (char *c = r->field[F_USCC]; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
}

int import_row_blank(const record *r)
{
	return !r->error && r->nfields == 1 && r->field[0][0] == 0;
}

/* 0 if s is clean text of at most max characters (newlines and tabs allowed when multiline). */
static int text_ok(const char *s, size_t max, int multiline)
{
	if (json_utf8_len(s) > max)
		return -1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7F)
			return -2;
	return 0;
}

/* Whether a code's region (positions 3-8) fits the organization's region: the same, or one above
 * or below it (a prefecture's bureau registers for its counties too). A region abolished since the
 * code was issued is no longer in the table; the code then only has to be of the same province. */
static int uscc_region_fits(const char *code, const region *reg)
{
	char cr[REGION_CODE_LEN + 1];
	memcpy(cr, code + 2, REGION_CODE_LEN);
	cr[REGION_CODE_LEN] = 0;
	const region *issued = region_find(cr);
	if (!issued)
		return !strncmp(cr, reg->code, 2);
	return region_contains(issued, reg) || region_contains(reg, issued);
}

const char *import_row_check(const record *r, int64_t today, char *why, size_t len)
{
	if (r->error)
		return snprintf(why, len, "%s", r->error), why;
	if (r->nfields != IMPORT_NFIELDS)
		return snprintf(why, len, "fields: expected %d fields, found %d", IMPORT_NFIELDS, r->nfields), why;
	for (int i = 0; i < IMPORT_NFIELDS; i++)
		if (!json_utf8_valid(r->field[i], strlen(r->field[i])))
			return snprintf(why, len, "invalid_utf8: %s is not valid UTF-8", import_header[i]), why;
	const char *u = r->field[F_USCC];
	const char *reason = NULL;
	if (uscc_check(u, NULL, &reason) < 0)
		return snprintf(why, len, "invalid_uscc: %s is not a valid code (%s)", u, reason), why;
	if (u[0] != '5')
		return snprintf(why, len, "uscc_authority: %s is not a civil-affairs code (it must begin with 5)", u),
		       why;
	const char *form = r->field[F_FORM];
	if (!str_in_list(registry_legal_forms, form))
		return snprintf(why, len,
		                "invalid_legal_form: %.40s is not social_group, social_service_institution or "
		                "foundation",
		                form),
		       why;
	if (uscc_category_for_form(form) != u[1])
		return snprintf(why, len, "uscc_category: the code's category %c does not fit the legal form %s", u[1],
		                form),
		       why;
	const char *name = r->field[F_NAME];
	if (!*name)
		return snprintf(why, len, "name_required: the name is empty"), why;
	if (json_utf8_len(name) < 2)
		return snprintf(why, len, "invalid_name: a name has at least two characters"), why;
	if (text_ok(name, 200, 0) < 0)
		return snprintf(why, len, "invalid_name: the name has more than 200 characters or a control character"),
		       why;
	const char *cat = r->field[F_CATEGORY];
	if (*cat && !str_in_list(registry_categories, cat))
		return snprintf(why, len, "invalid_category: %.40s is not a direct-registration category", cat), why;
	const region *reg = region_find(r->field[F_REGION]);
	if (!reg)
		return snprintf(why, len, "unknown_region: %.20s is not a current GB/T 2260 region",
		                r->field[F_REGION]),
		       why;
	if (!uscc_region_fits(u, reg))
		return snprintf(why, len,
		                "uscc_region: the code's region %.6s is not %s's region or one above or below it",
		                u + 2, r->field[F_REGION]),
		       why;
	static const struct {
		int field;
		const char *code;
	} required[] = { { F_DOMICILE, "domicile_required" },
		         { F_SCOPE, "business_scope_required" },
		         { F_REP, "legal_representative_name_required" } };
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!*r->field[required[i].field])
			return snprintf(why, len, "%s: %s is empty (it is on the certificate)", required[i].code,
			                import_header[required[i].field]),
			       why;
	if (text_ok(r->field[F_DOMICILE], 500, 0) < 0)
		return snprintf(why, len, "invalid_domicile: more than 500 characters or a control character"), why;
	if (text_ok(r->field[F_SCOPE], 5000, 1) < 0)
		return snprintf(why, len, "invalid_business_scope: more than 5000 characters or a control character"),
		       why;
	if (text_ok(r->field[F_REP], 100, 0) < 0)
		return snprintf(why, len,
		                "invalid_legal_representative_name: more than 100 characters or a control character"),
		       why;
	const char *d = r->field[F_DATE];
	int64_t day;
	if (strlen(d) != 10 || d[4] != '-' || d[7] != '-' || clock_parse_date(d, &day) < 0)
		return snprintf(why, len, "invalid_date: registered_at %.20s is not a date YYYY-MM-DD", d), why;
	if (day > today)
		return snprintf(why, len, "date_in_future: registered_at %s is after today", d), why;
	if (day < clock_days_from_civil(1949, 10, 1))
		return snprintf(why, len, "invalid_date: registered_at %s is before 1949-10-01", d), why;
	const char *st = r->field[F_STATUS];
	if (org_status_of(st) < 0)
		return snprintf(why, len, "invalid_status: %.20s is not registered or deregistered", st), why;
	return NULL;
}
