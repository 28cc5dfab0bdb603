/* opening.h — the opening of a tender's sealed bids (SPEC §6, Appendix B).
 *
 * POST /tenders/{id}/open (the purchaser who owns the tender, from the bid deadline on, while the
 * tender is active.opening; its route is tenders.c's, as it answers the tender) runs as the tender
 * workflow's action "open" (tender_flow.c), in one
 * transaction with the tender's row locked: every live bid is opened with the tender's data key
 * and verified (the seal opens, the plaintext names this tender, bid and organization, its SHA-256
 * is the bid's latest receipt, each document opens and has the digest the plaintext gives); the
 * organization's eligibility is checked again as at submission (credit, the tender's
 * requirements, the invitation); prices below the rule abnormally_low_percent of the mean of the
 * other valid bids are flagged. A bid that fails the verification is valid: false with
 * integrity_failed and the opening goes on; an ineligible one is valid: false with the rules'
 * codes. The record is written once (tender_openings, opening_bids), its SHA-256 and its bids in
 * the tender's audit entry (tender.open), and the tender moves to active.evaluation — or to
 * unsuccessful when fewer bids are valid than the rule min_valid_bids for an open, invited or
 * competitive-consultation tender (SPEC §6), or when none is valid for the other methods.
 *
 * A crash anywhere before the commit leaves no opening (the transaction rolls back: no record,
 * no audit entry, the tender still active.opening); two openings at once queue on the tender's
 * row and the second finds the tender opened (409 already_opened), or with the same
 * Idempotency-Key gets the first answer back.
 *
 * What becomes public: the record (bidders, names, prices, digests, validity, reasons, flags),
 * from GET /tenders/{id}/opening and inside GET /tenders/{id}. Technical proposals and documents
 * stay sealed at rest and shown to their bidder only; the committee reads them in the evaluation
 * (a later issue). */
#ifndef SANZHI_OPENING_H
#define SANZHI_OPENING_H

#include "api.h"
#include "fsm.h"

/* The effect of the action open (the tender's row locked in run; bound at start, api/jobs.c):
 * opens, verifies, records, and sets run->to. 0, TX_REFUSED or a DB_ code. The refusals from
 * another state are the table's (tender_flow.c). */
int opening_effect(fsm_run *run);

/* The published record of tender id (the parsed JSON, caller frees), or NULL in *out when it
 * has not been opened. 0 or a DB_ code. */
int opening_record(db_conn *c, long long tender_id, cJSON **out);

/* GET /tenders/{id}/opening: the record, 409 not_opened before (api/routes.c joins it). */
extern const route opening_routes[];

#endif
