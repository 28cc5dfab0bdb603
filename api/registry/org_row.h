/* org_row.h — the organization row (table orgs): its columns, their enum, their decoding, and the
 * public shape of a register entry, in one place. Whoever reads an organization reads it here.
 *
 * Two projections of the same row:
 *   ORG_COLUMNS       everything the register's own rules need (changes, deregistration,
 *                     certificates, owners, reports), ID number included; decoded into org_row.
 *   ORG_ITEM_COLUMNS  what the public may see of an entry (Appendix A), written by
 *                     org_item_fields(); the ID number is never selected, so never shown.
 */
#ifndef SANZHI_ORG_ROW_H
#define SANZHI_ORG_ROW_H

#include "db.h"
#include "jw.h"
#include "registry_rules.h"

/* --- the whole row ----------------------------------------------------------------------- */

#define ORG_COLUMNS                                                                                                    \
	"uscc, name, legal_form, category, region_code, domicile, business_scope, activity_area, funds_fen, "          \
	"legal_rep_name, legal_rep_id_number, status, owner_user_id, version, scope, fundraising, registered_at"

enum org_col {
	OC_USCC,
	OC_NAME,
	OC_LEGAL_FORM,
	OC_CATEGORY,
	OC_REGION,
	OC_DOMICILE,
	OC_SCOPE,
	OC_AREA,
	OC_FUNDS,
	OC_REP_NAME,
	OC_REP_ID,
	OC_STATUS,
	OC_OWNER,
	OC_VERSION,
	OC_SCOPE_KIND,
	OC_FUNDRAISING,
	OC_REGISTERED,
};

/* orgs.status; org_status_names[] holds the names as stored (NULL-terminated). */
enum org_status { ORG_REGISTERED, ORG_DEREGISTERED };
extern const char *const org_status_names[];
/* The status named s, or -1 for anything else (NULL too). */
int org_status_of(const char *s);

/* One organization, decoded. The text lives in res until org_row_free. */
typedef struct org_row {
	const char *uscc, *name, *category, *region_code, *domicile, *business_scope, *activity_area, *legal_rep_name,
	        *legal_rep_id_number, *scope, *fundraising, *registered_at;
	const char *legal_form; /* as stored; form is the same as an enum */
	enum registry_form form;
	enum org_status status;
	int has_funds;
	long long funds_fen;
	long long owner_user_id; /* 0: nobody acts for it */
	long long version;
	db_res *res;
} org_row;

/* Reads the organization uscc (lock: FOR UPDATE, inside the caller's transaction) into *o.
 * 1 found, 0 no such organization (o is empty), or a DB_ code. */
int org_row_get(db_conn *c, const char *uscc, int lock, org_row *o);
void org_row_free(org_row *o);

/* --- the public entry -------------------------------------------------------------------- */

/* Columns of a register entry of orgs o, in the order of enum org_item_col. */
#define ORG_ITEM_COLUMNS                                                                                               \
	"o.uscc, o.name, o.legal_form, o.category, o.region_code, o.domicile, o.legal_rep_name, "                      \
	"o.registered_at, o.status, o.grade, o.grade_valid_until, o.version"
enum org_item_col {
	OI_USCC,
	OI_NAME,
	OI_FORM,
	OI_CATEGORY,
	OI_REGION,
	OI_DOMICILE,
	OI_REP,
	OI_REGISTERED,
	OI_STATUS,
	OI_GRADE,
	OI_GRADE_UNTIL,
	OI_VERSION,
	OI_NCOLS, /* a query may select more after these */
};

/* The public shape of an entry (Appendix A), without what only the profile carries: its members,
 * written into the object w has open. */
void org_item_fields(jw *w, const db_res *r, int row);
/* The first limit rows of r (ORG_ITEM_COLUMNS) as list items. */
void org_items(jw *w, const db_res *r, int limit);

#endif
