/* org_owner.h — who acts for an organization: the applicant account that files its changes, its
 * deregistration and its annual reports.
 *
 * Approval makes the applicant who applied its owner; an organization imported from before this
 * system has none until a registrar, having checked who the account belongs to (as for any
 * filing), binds one; staff change, and a registrar moves it.
 *
 *   GET /api/v1/me/orgs             (applicant) the organizations the caller acts for
 *   GET /api/v1/orgs/{uscc}/owner   (registrar) who acts for it
 *   PUT /api/v1/orgs/{uscc}/owner   (registrar) {"user_id": N | null} or {"username": "…"}
 *
 * Problem codes (besides the dispatcher's):
 *   not_found (404)            no such organization
 *   org_not_registered (409)   a deregistered organization gets no owner
 *   validation_failed (422)    invalid_owner: no such user, not an applicant, disabled
 *   invalid_cursor (400)
 */
#ifndef SANZHI_ORG_OWNER_H
#define SANZHI_ORG_OWNER_H

#include "api.h"

extern const route org_owner_routes[];

#endif
