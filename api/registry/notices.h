/* notices.h — the official notices of the decisions on an application (SPEC Appendix C):
 *
 *   acceptance  受理通知书      accept, and the deemed acceptance of the sweep (行政许可法 Art. 32)
 *   supplement  补正告知书      request-supplement: every item at once, and the date
 *   approval    准予登记决定书  approve
 *   rejection   不予登记决定书  reject, with the reason
 *
 * The deemed acceptance's notice is issued when the move is made (the sweep, or the next action on
 * the application), not when a read first shows the application as accepted.
 *
 * Each is issued by the effect of its transition, in the decision's transaction, and numbered
 * per kind and year (民社受字〔2026〕第000123号) from a counter row that transaction locks: the
 * numbers neither repeat nor skip. A notice is stored as data (its fields as JSON, the bureau
 * and every date fixed at issuance); its PDF is rendered from them on request, the same bytes
 * every time.
 *
 *   GET /api/v1/applications/{id}/notices                    [{id, kind, number, issued_at}]
 *   GET /api/v1/applications/{id}/notices/{notice_id}.pdf    the notice, A4 PDF
 *
 * Both for the applicant who owns the application and registrars (once it was submitted); 404
 * for anyone else, as GET /applications/{id}.
 *
 * Problem codes (besides the dispatcher's): not_found (404). */
#ifndef SANZHI_NOTICES_H
#define SANZHI_NOTICES_H

#include "api.h"

extern const route notices_routes[];

enum notice_kind { NOTICE_ACCEPTANCE, NOTICE_SUPPLEMENT, NOTICE_APPROVAL, NOTICE_REJECTION };

/* Inside the decision's transaction: issues the notice of kind for the application app (a row of
 * APP_COLUMNS, row 0, as it was before the move), numbered now. extra (taken over, may be NULL):
 * the fields of the kind — acceptance {accepted_on, deemed, decision_due}, supplement {items},
 * approval {uscc}, rejection {reason}. Adds {id, number} as "notice" to summary (the audit entry).
 * 0 or a DB_ code. */
int notices_issue(db_conn *c, enum notice_kind kind, const db_res *app, cJSON *extra, cJSON *summary);

#endif
