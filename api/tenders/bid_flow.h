/* bid_flow.h — the life of a sealed bid (SPEC §6, Appendix B) as data on the executor of
 * server/fsm.h:
 *
 *     submitted ─replace (PUT), documents→ submitted ─withdraw→ withdrawn
 *
 * Every move of a bid (and its submission, bids.c) takes its tender's row in share mode first
 * and is refused 409 deadline_passed once the daemon's clock, inside the transaction, is at the
 * bid deadline — checked again as the transaction's last step, so that the tender's move to its
 * opening (which takes the row for update) waits for any bid decided before the deadline and
 * sees every one of them. Only the applicant who submitted a bid sees it (404 for anyone else),
 * and only while it still acts for the organization (403 not_org_owner).
 *
 * The row: BID_COLUMNS and enum bid_col are the one decoding of a bids row (never the sealed
 * bytes, which bid_read_plain fetches and opens). */
#ifndef SANZHI_BID_FLOW_H
#define SANZHI_BID_FLOW_H

#include "api.h"
#include "eligibility.h"
#include "fsm.h"

enum bid_state {
#define STATE(x) BS_##x,
#define STATE_NAMED(x, wire) BS_##x,
#define ACTION(x, wire)
#include "bid.def"
#undef STATE
#undef STATE_NAMED
#undef ACTION
	BS_NSTATES
};

enum bid_action {
#define STATE(x)
#define STATE_NAMED(x, wire)
#define ACTION(x, wire) BA_##x,
#include "bid.def"
#undef STATE
#undef STATE_NAMED
#undef ACTION
	BA_NACTIONS
};

extern const fsm_def bid_flow;

#define BID_COLUMNS                                                                                                    \
	"id, tender_id, org_uscc, bidder_id, status, sha256, submitted_at, withdrawn_at, version, created_at, "        \
	"updated_at"
enum bid_col {
	BC_ID,
	BC_TENDER,
	BC_USCC,
	BC_BIDDER,
	BC_STATUS,
	BC_SHA256,
	BC_SUBMITTED,
	BC_WITHDRAWN,
	BC_VERSION,
	BC_CREATED,
	BC_UPDATED,
};

enum {
	BID_PROPOSAL_MAX_CHARS = 100000,
	BID_DOCUMENTS_MAX = 20,
};

/* What a submission or a replacement seals (the arg of fsm_exec for replace). */
typedef struct bid_content {
	long long price_fen;
	const char *technical_proposal;
} bid_content;

/* A document being added (the arg of fsm_exec for add_document): the file, checked
 * (uploads.h), and the document's id once stored. */
struct upload;
typedef struct bid_document {
	const struct upload *file;
	long long id;
} bid_document;

/* Inside a transaction: takes tender_id's row in share mode and refuses unless bids are taken
 * now (404 no such tender or a draft; 409 deadline_passed from the bid deadline on; 409
 * tender_cancelled, tender_closed). *tender receives the row (TENDER_COLUMNS; free it) when
 * given. 0, TX_REFUSED or a DB_ code. */
int bid_tender_open_or_refuse(tx *t, long long tender_id, db_res **tender);
/* The deadline again, as a bid transaction's last step, by the clock now on the row
 * bid_tender_open_or_refuse gave (held in share mode: only the clock can have moved it). */
int bid_deadline_recheck(tx *t, const db_res *tender);

/* Inside a transaction: every reason the organization may not bid on the tender in row tender
 * (credit, the tender's requirements, the invitation), 422 with each in errors[]; and 403
 * not_org_owner unless t->user acts for it (one read of the organization for both). 0,
 * TX_REFUSED or a DB_ code. */
int bid_eligible_or_refuse(tx *t, const db_res *tender, const char *uscc);
/* The same rules without the ownership, as the opening checks them again: every reason into v
 * (field "org", the codes above); how many, or a DB_ code. */
int bid_eligibility(tx *t, const db_res *tender, const char *uscc, verr *v);
/* The same, and *owner_id the account acting for the organization (0: none; -1: no such
 * organization in the register). */
int bid_eligibility_owner(tx *t, const db_res *tender, const char *uscc, verr *v, long long *owner_id);

/* Inside a transaction: seals content and the documents' metadata (a JSON array, NULL: none)
 * as bid id's new plaintext (a fresh nonce and IV), writes it with its SHA-256 and the submission
 * time at (clock_fmt_db), and records the receipt of kind. sha256 receives the digest. 0 or a
 * DB_ code. */
int bid_seal_store(tx *t, long long tender_id, long long id, const char *uscc, const bid_content *content,
                   const cJSON *documents, const char *kind, const char *at, char sha256[CRYPTO_SHA256_HEX_LEN + 1]);
/* Inside a transaction: the plaintext of the bid in row bid (the JSON text it was sealed from;
 * malloc'd, wipe and free it), NULL on *plain when it does not open. 0 or a DB_ code. */
int bid_read_plain(tx *t, const db_res *bid, char **plain, size_t *len);
/* The same for its document doc_id (the file's bytes); NULL when there is none such or it does
 * not open. */
int bid_read_document(tx *t, const db_res *bid, long long doc_id, char **data, size_t *len);

#endif
