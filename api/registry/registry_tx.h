/* registry_tx.h — what a decision on an application does to the register, inside the deciding
 * transaction: names claimed and released, organizations created, changed and deregistered, USCCs
 * issued, history recorded, certificates issued (SPEC §4). All or nothing: the caller's
 * transaction commits every piece or none. */
#ifndef SANZHI_REGISTRY_TX_H
#define SANZHI_REGISTRY_TX_H

#include "api.h"
#include "org_row.h"
#include "tx.h"

/* Name uniqueness among registered organizations and pending applications (SPEC §4), held by
 * the primary key of name_claims. Claims name for application_id (own_uscc: the organization
 * a change application is for, whose own name does not count against it). Returns 0 when the
 * claim is held (new or already ours), 1 when the name is taken, or a DB_ code. */
int registry_claim_name(db_conn *c, const char *name, long long application_id, const char *own_uscc);
/* 1 if name is taken for application_id (as above) without claiming it; 0 free; DB_ code. */
int registry_name_taken(db_conn *c, const char *name, long long application_id, const char *own_uscc);
/* Releases the pending claims of an application (withdrawn, rejected, renamed). keep: a name
 * to keep, or NULL. */
int registry_release_claims(db_conn *c, long long application_id, const char *keep);

/* The public difference a change application makes to org (a row of ORG_COLUMNS, org_row.h):
 * [{field, old, new}] for every field whose value changes. ID numbers never appear. */
cJSON *registry_change_diff(const org_row *org, const cJSON *changes);

/* What an approved application asks of the register (read from its row by the caller). */
enum registry_kind { REGISTRY_ESTABLISH, REGISTRY_CHANGE, REGISTRY_DEREGISTER };
typedef struct registry_decision {
	long long application_id;
	enum registry_kind kind;
	const char *body;       /* the application's JSON */
	long long applicant_id; /* becomes the owner of an established organization */
	const char *org_uscc;   /* change and deregistration */
} registry_decision;

/* Approves d inside the caller's transaction, as t->user: establish creates the organization
 * with a new USCC, its name, history event and certificate; change versions the organization and
 * reissues the certificate; deregister ends it. uscc receives the organization's code; summary
 * receives what the audit entry should say. Refuses (TX_REFUSED, 409) when the register cannot
 * take it (the organization is no longer registered, the name was taken). */
int registry_approve(tx *t, const registry_decision *d, cJSON *summary, char uscc[19]);

#endif
