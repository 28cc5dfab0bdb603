/* eligibility.c — every reason an organization may not bid (see eligibility.h). */
#include "eligibility.h"
#include "clock.h"
#include "list_entry_flow.h"

#include <string.h>

int credit_grade_rank(const char *grade)
{
	if (grade && grade[0] >= '1' && grade[0] <= '5' && grade[1] == 'A' && !grade[2])
		return grade[0] - '0';
	return 0;
}

int credit_eligibility_check(const credit_facts *f, const credit_requirements *req, int64_t today, verr *reasons)
{
	static const credit_requirements none = { 0 };
	if (!req)
		req = &none;
	int n = 0;
	if (!f->found || !f->registered) {
		verr_add(reasons, "org", "not_registered", "the organization is not registered");
		n++;
	}
	if (f->listings > 0) {
		verr_add(reasons, "org", "listed", "the organization is on a credit list");
		n++;
	}
	if (req->min_grade > 0) {
		/* An expired grade is no grade. */
		int grade = f->grade && f->grade_valid_until >= today ? f->grade : 0;
		if (grade < req->min_grade) {
			verr_add(reasons, "org", "grade_too_low", "a valid grade of at least %dA is required",
			         req->min_grade);
			n++;
		}
	}
	if (req->min_years_registered > 0 && f->found &&
	    clock_add_months(f->registered_on, 12 * req->min_years_registered) > today) {
		verr_add(reasons, "org", "registered_too_recently", "at least %d years of registration are required",
		         req->min_years_registered);
		n++;
	}
	if (req->legal_forms && f->found && !str_in_list(req->legal_forms, f->legal_form)) {
		verr_add(reasons, "org", "legal_form_not_allowed", "this legal form may not bid");
		n++;
	}
	if (req->categories && f->found && !str_in_list(req->categories, f->category)) {
		verr_add(reasons, "org", "category_not_allowed", "this category may not bid");
		n++;
	}
	return n;
}

int credit_eligibility(db_conn *c, const char *uscc, const credit_requirements *req, int64_t today, verr *reasons,
                       long long *owner_id)
{
	db_res *r;
	int rc = db_query(c,
	                  "SELECT o.status, o.registered_at, o.grade, o.grade_valid_until, o.legal_form, o.category, "
	                  "(SELECT COUNT(*) FROM list_entries e WHERE e.uscc = o.uscc AND e.status = ?), "
	                  "COALESCE(o.owner_user_id, 0) FROM orgs o WHERE o.uscc = ?",
	                  DBP(DBS(fsm_state_name(&list_entry_flow, LE_listed)), DBS(uscc)), &r);
	if (rc)
		return rc;
	credit_facts f = { 0 };
	if (r->nrows == 1) {
		f.found = 1;
		f.registered = db_val(r, 0, 0) && !strcmp(db_val(r, 0, 0), "registered");
		clock_parse_date(db_val(r, 0, 1), &f.registered_on);
		f.grade = credit_grade_rank(db_val(r, 0, 2));
		if (!db_val(r, 0, 3) || clock_parse_date(db_val(r, 0, 3), &f.grade_valid_until) < 0)
			f.grade = 0;
		f.legal_form = db_val(r, 0, 4);
		f.category = db_val(r, 0, 5);
		f.listings = (int)db_int(r, 0, 6);
	}
	if (owner_id)
		*owner_id = f.found ? db_int(r, 0, 7) : -1;
	int n = credit_eligibility_check(&f, req, today, reasons);
	db_res_free(r);
	return n;
}
