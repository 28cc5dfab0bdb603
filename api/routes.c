/* routes.c — every route of the API, who may call it, and what body it takes.
 * Each resource module keeps its own table; api_routes_build joins them into the one table
 * the dispatcher reads. api/openapi.json describes the same set; a test checks they agree. */
#include "api.h"
#include "annual_reports.h"
#include "applications.h"
#include "certificate_pdf.h"
#include "award.h"
#include "certificates.h"
#include "committee.h"
#include "credit.h"
#include "opendata.h"
#include "notifications.h"
#include "notices.h"
#include "opening.h"
#include "org_owner.h"
#include "org_search.h"
#include "orgs.h"
#include "outbox.h"
#include "password_reset.h"
#include "tenders.h"
#include "regions_api.h"
#include "uscc_api.h"

#include <stdlib.h>
#include <string.h>

#define ANY ROLES_ANY
#define PUB ROLES_PUBLIC
#define ADMIN ROLE_ADMIN
#define REG ROLE_REGISTRAR

static const route core_routes[] = {
	/* operations */
	{ "GET", "/healthz", health_healthz, PUB, R_NO_DB },
	{ "GET", "/readyz", health_readyz, PUB, 0 },
	{ "GET", "/metrics", health_metrics, PUB, R_NO_DB },
	{ "GET", "/api/v1/openapi.json", health_openapi, PUB, R_NO_DB },

	/* accounts */
	{ "POST", "/api/v1/accounts", accounts_signup, PUB, R_JSON | R_IDEMPOTENT | R_BODY_KIB(16) },
	{ "POST", "/api/v1/auth/login", accounts_login, PUB, R_JSON | R_BODY_KIB(8) },
	{ "POST", "/api/v1/auth/password-change", accounts_password_change, PUB, R_JSON | R_BODY_KIB(8) },
	{ "POST", "/api/v1/auth/logout", accounts_logout, ANY, R_JSON_OPT | R_BODY_KIB(1) },
	{ "GET", "/api/v1/me", accounts_me, ANY, 0 },
	{ "GET", "/api/v1/users", users_list, ADMIN, 0 },
	{ "POST", "/api/v1/users", users_post, ADMIN, R_JSON | R_IDEMPOTENT },
	{ "GET", "/api/v1/users/{id}", users_get, ADMIN, 0 },
	{ "PATCH", "/api/v1/users/{id}", users_patch, ADMIN, R_JSON },

	/* audit */
	{ "GET", "/api/v1/audit", audit_list, ADMIN | REG, 0 },
	{ "GET", "/api/v1/audit/verify", audit_verify_get, ADMIN | REG, 0 },
	{ "GET", "/api/v1/audit/checkpoint", audit_checkpoint_get, PUB, 0 },

	/* administration */
	{ "GET", "/api/v1/admin/clock", admin_clock_get, ADMIN, 0 },
	{ "PUT", "/api/v1/admin/clock", admin_clock_put, ADMIN, R_JSON | R_BODY_KIB(1) },
	{ "POST", "/api/v1/admin/sweep", admin_sweep, ADMIN, R_JSON_OPT | R_BODY_KIB(1) },

	{ NULL, NULL, NULL, 0, 0 },
};

/* Every module's table, in matching order (first match wins). Each module declares its
 * table in its own header. */
static const route *const tables[] = {
	core_routes,          org_search_routes,    orgs_routes,           certificates_routes, annual_reports_routes,
	uscc_routes,          org_owner_routes,     applications_routes,   documents_routes,    credit_routes,
	grades_routes,        credit_events_routes, list_entries_routes,   tenders_routes,      questions_routes,
	bids_routes,          opening_routes,       committee_routes,      scores_routes,       justifications_routes,
	evaluation_routes,    regions_routes,       bureau_routes,         ocds_routes,         feed_routes,
	notifications_routes, outbox_routes,        password_reset_routes, notices_routes,      certificate_pdf_routes,
	award_routes,         contracts_routes,
};

const route *api_routes;

int api_routes_build(void)
{
	size_t n = 0;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const route *r = tables[t]; r->method; r++)
			n++;
	route *all = calloc(n + 1, sizeof *all);
	if (!all)
		return -1;
	size_t k = 0;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const route *r = tables[t]; r->method; r++)
			all[k++] = *r;
	api_routes = all;
	return 0;
}
