/* org_row.c — the organization row decoded in one place (see org_row.h). */
#include "org_row.h"
#include "json.h"
#include "region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const org_status_names[] = { "registered", "deregistered", NULL };

int org_status_of(const char *s)
{
	return registry_choice(org_status_names, s);
}

int org_row_get(db_conn *c, const char *uscc, int lock, org_row *o)
{
	memset(o, 0, sizeof *o);
	db_res *r;
	int rc = lock ? db_query(c, "SELECT " ORG_COLUMNS " FROM orgs WHERE uscc = ? FOR UPDATE", DBP(DBS(uscc)), &r)
	              : db_query(c, "SELECT " ORG_COLUMNS " FROM orgs WHERE uscc = ?", DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return 0;
	}
	o->res = r;
	o->uscc = db_val(r, 0, OC_USCC);
	o->name = db_val(r, 0, OC_NAME);
	o->legal_form = db_val(r, 0, OC_LEGAL_FORM);
	o->category = db_val(r, 0, OC_CATEGORY);
	o->region_code = db_val(r, 0, OC_REGION);
	o->domicile = db_val(r, 0, OC_DOMICILE);
	o->business_scope = db_val(r, 0, OC_SCOPE);
	o->activity_area = db_val(r, 0, OC_AREA);
	o->has_funds = !db_isnull(r, 0, OC_FUNDS);
	o->funds_fen = o->has_funds ? db_int(r, 0, OC_FUNDS) : 0;
	o->legal_rep_name = db_val(r, 0, OC_REP_NAME);
	o->legal_rep_id_number = db_val(r, 0, OC_REP_ID);
	o->owner_user_id = db_isnull(r, 0, OC_OWNER) ? 0 : db_int(r, 0, OC_OWNER);
	o->version = db_int(r, 0, OC_VERSION);
	o->scope = db_val(r, 0, OC_SCOPE_KIND);
	o->fundraising = db_val(r, 0, OC_FUNDRAISING);
	o->registered_at = db_val(r, 0, OC_REGISTERED);
	/* The columns are ENUMs of exactly these names. */
	o->form = (enum registry_form)registry_choice(registry_legal_forms, o->legal_form);
	o->status = org_status_of(db_val(r, 0, OC_STATUS)) == ORG_REGISTERED ? ORG_REGISTERED : ORG_DEREGISTERED;
	return 1;
}

void org_row_free(org_row *o)
{
	db_res_free(o->res);
	memset(o, 0, sizeof *o);
}

void org_item_fields(jw *w, const db_res *r, int i)
{
	const char *uscc = db_val(r, i, OI_USCC);
	char org_id[40];
	snprintf(org_id, sizeof org_id, "CN-USCI-%s", uscc);
	jw_kstr(w, "uscc", uscc);
	jw_kstr(w, "org_id", org_id);
	jw_kstr(w, "name", db_val(r, i, OI_NAME));
	jw_kstr(w, "legal_form", db_val(r, i, OI_FORM));
	jw_kstr(w, "category", db_val(r, i, OI_CATEGORY));
	const char *rc = db_val(r, i, OI_REGION);
	jw_kstr(w, "region_code", rc);
	const region *reg = region_find(rc);
	jw_kstr(w, "region_name", reg ? region_name(reg) : NULL);
	jw_kstr(w, "domicile", db_val(r, i, OI_DOMICILE));
	jw_kstr(w, "legal_representative_name", db_val(r, i, OI_REP));
	jw_kstr(w, "registered_at", db_val(r, i, OI_REGISTERED));
	jw_kstr(w, "status", db_val(r, i, OI_STATUS));
	jw_kstr(w, "grade", db_val(r, i, OI_GRADE));
	jw_kstr(w, "grade_valid_until", db_val(r, i, OI_GRADE_UNTIL));
	jw_kint(w, "version", db_int(r, i, OI_VERSION));
}

void org_items(jw *w, const db_res *r, int limit)
{
	for (int i = 0; i < r->nrows && i < limit; i++) {
		jw_obj(w);
		org_item_fields(w, r, i);
		jw_obj_end(w);
	}
}
