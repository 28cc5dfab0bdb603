/* tender_flow.c — the workflow of tenders (SPEC §6): the transition table, the guards and
 * effects of the notice itself, the timers, the refusals, and the checks of a notice against the
 * register and the clock. The handlers are tenders.c (the notice) and questions.c (the
 * enquiries). The opening, the committee, the award and the contract bring their own guards and
 * effects: the table names their slots (fsm_bound_guard, fsm_bound_effect), api/jobs.c binds them
 * at start, so this file depends on none of them. */
#include "tender_flow.h"
#include "bid_seal.h"
#include "feed.h"
#include "org_row.h"
#include "orgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUR ROLE_PURCHASER
#define APP ROLE_APPLICANT

#define FSM_DEF_FILE "tender.def"
#include "fsm_names.h"

/* Questions one applicant may ask about one tender: bounded, as everything is. */
enum { QUESTIONS_PER_ASKER_MAX = 50 };

int tender_owned(const auth_user *u, const db_res *r, int row)
{
	return u && (u->role_bit & ROLE_PURCHASER) && db_int(r, row, TC_PURCHASER) == u->id;
}

int tender_visible(const auth_user *u, const db_res *r, int row)
{
	if (fsm_state(&tender_flow, db_val(r, row, TC_STATUS)) != TS_draft)
		return 1;
	return tender_owned(u, r, row);
}

int tender_read_or_refuse(tx *t, long long id, db_res **out)
{
	int rc = db_query(t->c, tender_flow.sql_read, DBP(DBI(id)), out);
	if (rc)
		return rc;
	if ((*out)->nrows == 1 && tender_visible(t->user, *out, 0))
		return 0;
	db_res_free(*out);
	*out = NULL;
	return tx_refuse(t, 404, "not_found", "there is no such tender");
}

static usec_t row_time(const db_res *r, int row, int col)
{
	usec_t t = 0;
	const char *s = db_val(r, row, col);
	if (!s || clock_parse(s, &t) < 0)
		return 0;
	return t;
}

usec_t tender_enquiry_end(const db_res *r, int row)
{
	return row_time(r, row, TC_ENQUIRY_END);
}

usec_t tender_bid_deadline(const db_res *r, int row)
{
	return row_time(r, row, TC_BID_DEADLINE);
}

usec_t tender_challenge_until(const db_res *r, int row)
{
	return row_time(r, row, TC_CHALLENGE_UNTIL);
}

/* --- the notice against the register ------------------------------------------------------- */

/* Every invited organization is in the register and registered. */
static int check_invited_registered(tx *t, const cJSON *invited, verr *v)
{
	int i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, invited) {
		char code[USCC_LEN + 1], f[40];
		snprintf(f, sizeof f, "invited_orgs[%d]", i++);
		if (!cJSON_IsString(it) || orgs_uscc_parse(it->valuestring, code) < 0)
			continue;
		db_res *r;
		int rc = db_query(t->c, "SELECT status FROM orgs WHERE uscc = ?", DBP(DBS(code)), &r);
		if (rc)
			return rc;
		int registered = r->nrows == 1 && org_status_of(db_val(r, 0, 0)) == ORG_REGISTERED;
		db_res_free(r);
		if (!registered)
			verr_add(v, f, "unknown_org", "%s is not a registered organization", code);
	}
	return 0;
}

/* Every rule of the body, the purchaser's department and the register, into v. 0 or a DB_ code. */
static int check_fields(tx *t, const cJSON *body, tender_in *in, verr *v)
{
	tender_check_body(body, in, v);
	const char *own = t->user && *t->user->department ? t->user->department : NULL;
	if (!in->department)
		in->department = own;
	else if (!own || strcmp(in->department, own))
		verr_add(v, "department", "not_your_department", "a purchaser buys for its own department (%s)",
		         own ? own : "none recorded");
	if (!in->department && !v->count)
		verr_add(v, "department", "required", "the purchaser has no department; an admin must record it");
	return in->invited_orgs ? check_invited_registered(t, in->invited_orgs, v) : 0;
}

int tender_check_or_refuse(tx *t, const cJSON *body, tender_in *in)
{
	verr v = { 0 };
	int rc = check_fields(t, body, in, &v);
	if (rc) {
		verr_free(&v);
		return rc;
	}
	if (v.count)
		return tx_refuse_fields(t, 422, "validation_failed", "the tender is not valid", &v);
	return 0;
}

int tender_store(tx *t, long long id, const tender_in *in)
{
	char *criteria = json_print(in->criteria), *elig = tender_eligibility_text(in);
	char enq[32], dl[32];
	clock_fmt_db(in->enquiry_end, enq);
	clock_fmt_db(in->bid_deadline, dl);
	int rc = DB_ERROR;
	if (!criteria || !elig)
		goto out;
	rc = db_exec(t->c,
	             "UPDATE tenders SET department = ?, title = ?, description = ?, service_category = ?, "
	             "budget_fen = ?, method = ?, evaluation_method = ?, criteria = ?, price_points = ?, "
	             "eligibility = ?, enquiry_end = ?, bid_deadline = ?, contract_months = ? WHERE id = ?",
	             DBP(DBS(in->department), DBS(in->title), DBS(in->description), DBS(in->service_category),
	                 DBI(in->budget_fen), DBS(tender_methods[in->method]),
	                 DBS(tender_evaluation_methods[in->evaluation_method]), DBS(criteria), DBI(in->price_points),
	                 DBS(elig), DBS(enq), DBS(dl), DBI(in->contract_months), DBI(id)),
	             NULL, NULL);
	if (rc)
		goto out;
	rc = db_exec(t->c, "DELETE FROM tender_invitations WHERE tender_id = ?", DBP(DBI(id)), NULL, NULL);
	const cJSON *it;
	cJSON_ArrayForEach(it, in->invited_orgs) {
		char code[USCC_LEN + 1];
		if (rc || !cJSON_IsString(it) || orgs_uscc_parse(it->valuestring, code) < 0)
			break;
		rc = db_exec(t->c, "INSERT INTO tender_invitations (tender_id, uscc) VALUES (?, ?)",
		             DBP(DBI(id), DBS(code)), NULL, NULL);
	}
out:
	free(criteria);
	free(elig);
	return rc;
}

cJSON *tender_input_json(db_conn *c, const db_res *r, int row)
{
	db_res *inv = NULL;
	if (db_query(c, "SELECT uscc FROM tender_invitations WHERE tender_id = ? ORDER BY uscc",
	             DBP(DBI(db_int(r, row, TC_ID))), &inv))
		return NULL;
	cJSON *o = cJSON_CreateObject();
	static const struct {
		const char *key;
		int col;
	} text[] = {
		{ "title", TC_TITLE },
		{ "description", TC_DESCRIPTION },
		{ "service_category", TC_SERVICE_CATEGORY },
		{ "department", TC_DEPARTMENT },
		{ "method", TC_METHOD },
		{ "evaluation_method", TC_EVALUATION_METHOD },
	};
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		cJSON_AddStringToObject(o, text[i].key, db_val(r, row, text[i].col));
	cJSON_AddNumberToObject(o, "budget_fen", (double)db_int(r, row, TC_BUDGET));
	cJSON_AddNumberToObject(o, "price_points", (double)db_int(r, row, TC_PRICE_POINTS));
	cJSON_AddNumberToObject(o, "contract_months", (double)db_int(r, row, TC_CONTRACT_MONTHS));
	cJSON *criteria = cJSON_Parse(db_val(r, row, TC_CRITERIA));
	cJSON_AddItemToObject(o, "criteria", criteria ? criteria : cJSON_CreateArray());
	cJSON *elig = cJSON_Parse(db_val(r, row, TC_ELIGIBILITY));
	cJSON_AddItemToObject(o, "eligibility", elig ? elig : cJSON_CreateObject());
	cJSON *invited = cJSON_AddArrayToObject(o, "invited_orgs");
	for (int i = 0; i < inv->nrows; i++)
		cJSON_AddItemToArray(invited, cJSON_CreateString(db_val(inv, i, 0)));
	char when[32];
	clock_fmt(tender_enquiry_end(r, row), when);
	cJSON_AddStringToObject(o, "enquiry_end", when);
	clock_fmt(tender_bid_deadline(r, row), when);
	cJSON_AddStringToObject(o, "bid_deadline", when);
	db_res_free(inv);
	return o;
}

/* --- guards and effects ------------------------------------------------------------------------ */

static const tender_args *args_of(const fsm_run *r)
{
	static const tender_args none = { 0 };
	return r->arg ? r->arg : &none;
}

/* The purchaser's actions are the owner's: a tender is public, its management is not shared. */
static int guard_owner(fsm_run *run)
{
	if (tender_owned(run->t->user, run->row, 0))
		return 0;
	return tx_refuse(run->t, 403, "not_tender_owner", "only the purchaser who created this tender may do this");
}

/* PATCH: a merge patch of the tender as created, checked whole. */
static int effect_edit(fsm_run *run)
{
	tx *t = run->t;
	const cJSON *patch = args_of(run)->patch;
	cJSON *body = json_merge_patch(tender_input_json(t->c, run->row, 0), patch);
	if (!body)
		return DB_ERROR;
	tender_in in;
	int rc = tender_check_or_refuse(t, body, &in);
	if (!rc)
		rc = tender_store(t, run->id, &in);
	if (!rc) {
		cJSON *fields = cJSON_AddArrayToObject(run->summary, "fields");
		const cJSON *it;
		cJSON_ArrayForEach(it, patch)
			cJSON_AddItemToArray(fields, cJSON_CreateString(it->string));
	}
	cJSON_Delete(body);
	return rc;
}

/* SPEC §6: everything again (the register may have changed since the draft was saved), and the
 * deadlines against the daemon's clock at this moment, which becomes the publication time. */
static int effect_publish(fsm_run *run)
{
	tx *t = run->t;
	cJSON *body = tender_input_json(t->c, run->row, 0);
	if (!body)
		return DB_ERROR;
	tender_in in;
	verr v = { 0 };
	int rc = check_fields(t, body, &in, &v);
	if (rc) {
		verr_free(&v);
		goto out;
	}
	usec_t now = clock_now();
	if (in.enquiry_end && in.bid_deadline)
		tender_check_publication(in.enquiry_end, in.bid_deadline, in.method, now, &v);
	if (v.count) {
		rc = tx_refuse_fields(t, 422, "validation_failed", "the tender cannot be published as it is", &v);
		goto out;
	}
	char now_db[32], now_s[32];
	clock_fmt_db(now, now_db);
	clock_fmt(now, now_s);
	rc = db_exec(t->c, "UPDATE tenders SET published_at = ? WHERE id = ?", DBP(DBS(now_db), DBI(run->id)), NULL,
	             NULL);
	/* The key its bids will be sealed under. */
	if (!rc)
		rc = bid_key_create(t->c, run->id);
	cJSON_AddStringToObject(run->summary, "published_at", now_s);
	cJSON_AddStringToObject(run->summary, "enquiry_end", json_str_member(body, "enquiry_end"));
	cJSON_AddStringToObject(run->summary, "bid_deadline", json_str_member(body, "bid_deadline"));
	cJSON_AddNumberToObject(run->summary, "min_days", (double)tender_min_days(in.method));
out:
	cJSON_Delete(body);
	return rc;
}

static int effect_cancel(fsm_run *run)
{
	const char *reason = args_of(run)->reason;
	char now[32];
	clock_fmt_db(clock_now(), now);
	cJSON_AddStringToObject(run->summary, "reason", reason ? reason : "");
	return db_exec(run->t->c, "UPDATE tenders SET cancelled_at = ?, cancel_reason = ? WHERE id = ?",
	               DBP(DBS(now), DBS(reason), DBI(run->id)), NULL, NULL);
}

/* Bounded: one applicant asks at most QUESTIONS_PER_ASKER_MAX questions about one tender. */
static int guard_ask(fsm_run *run)
{
	db_res *r;
	int rc = db_query(run->t->c, "SELECT COUNT(*) FROM tender_questions WHERE tender_id = ? AND asker_id = ?",
	                  DBP(DBI(run->id), DBI(run->t->user->id)), &r);
	if (rc)
		return rc;
	long long n = db_int(r, 0, 0);
	db_res_free(r);
	if (n < QUESTIONS_PER_ASKER_MAX)
		return 0;
	return tx_refuse(run->t, 422, "too_many_questions", "you have asked %d questions about this tender already",
	                 QUESTIONS_PER_ASKER_MAX);
}

static int effect_ask(fsm_run *run)
{
	tender_args *a = run->arg;
	char now[32];
	clock_fmt_db(clock_now(), now);
	unsigned long long id = 0;
	int rc = db_exec(run->t->c,
	                 "INSERT INTO tender_questions (tender_id, asker_id, question, asked_at) VALUES (?, ?, ?, ?)",
	                 DBP(DBI(run->id), DBI(run->t->user->id), DBS(a->question), DBS(now)), NULL, &id);
	a->result_id = (long long)id;
	cJSON_AddNumberToObject(run->summary, "question_id", (double)id);
	return rc;
}

/* The question must be this tender's, and answered once (an answer is a public statement; a
 * correction is a new question's answer or a new notice). */
static int guard_answer(fsm_run *run)
{
	int rc = guard_owner(run);
	if (rc)
		return rc;
	db_res *r;
	rc = db_query(run->t->c, "SELECT answered_at FROM tender_questions WHERE id = ? AND tender_id = ? FOR UPDATE",
	              DBP(DBI(args_of(run)->question_id), DBI(run->id)), &r);
	if (rc)
		return rc;
	int found = r->nrows == 1, answered = found && !db_isnull(r, 0, 0);
	db_res_free(r);
	if (!found)
		return tx_refuse(run->t, 404, "not_found", "this tender has no such question");
	if (answered)
		return tx_refuse(run->t, 409, "already_answered", "this question was answered already");
	return 0;
}

static int effect_answer(fsm_run *run)
{
	const tender_args *a = args_of(run);
	char now[32];
	clock_fmt_db(clock_now(), now);
	cJSON_AddNumberToObject(run->summary, "question_id", (double)a->question_id);
	return db_exec(run->t->c,
	               "UPDATE tender_questions SET answer = ?, answered_at = ?, answered_by = ? WHERE id = ?",
	               DBP(DBS(a->answer), DBS(now), DBI(run->t->user->id), DBI(a->question_id)), NULL, NULL);
}

/* The system's moves: the summary names the deadline that fell and when. */
static int effect_deadline(fsm_run *run, const char *rule_name, usec_t at)
{
	char when[32];
	clock_fmt(at, when);
	cJSON_AddStringToObject(run->summary, "rule", rule_name);
	cJSON_AddStringToObject(run->summary, "due_at", when);
	return 0;
}

static int effect_close_enquiries(fsm_run *run)
{
	return effect_deadline(run, "enquiry_end", tender_enquiry_end(run->row, 0));
}

static int effect_close_bidding(fsm_run *run)
{
	return effect_deadline(run, "bid_deadline", tender_bid_deadline(run->row, 0));
}

static int effect_end_challenge(fsm_run *run)
{
	return effect_deadline(run, "challenge_working_days", tender_challenge_until(run->row, 0));
}

/* Every move of a published tender is public (feed.h): publication, questions and answers, the
 * deadlines, the opening, cancellation and what follows. A draft's edits and its cancellation
 * never were. */
static int moved(fsm_run *run)
{
	if (run->tr->from == TS_draft && run->tr->action != TA_publish)
		return 0;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", run->id);
	return feed_add(run->t->c, "tender", ids, fsm_action_name(run->def, run->tr->action),
	                fsm_state_name(run->def, run->tr->to));
}

/* Opening is the owner's: another purchaser is told so whatever the state (403). */
static int refuse_open(fsm_run *run, int state)
{
	tx *t = run->t;
	if (!tender_owned(t->user, run->row, 0))
		return tx_refuse(t, 403, "not_tender_owner",
		                 "only the purchaser who created this tender may open its bids");
	switch (state) {
	case TS_active_enquiries:
	case TS_active_tendering: {
		char deadline[32];
		clock_fmt(tender_bid_deadline(run->row, 0), deadline);
		int rc = fsm_conflict(run, state, "deadline_not_reached",
		                      "the bids are opened at the bid deadline (%s) or after; this tender is %s",
		                      deadline, state_names[state]);
		tx_problem_add(t, "bid_deadline", cJSON_CreateString(deadline));
		return rc;
	}
	case TS_draft:
		return fsm_conflict(run, state, "not_published", "a draft has no bids to open");
	case TS_cancelled:
		return fsm_conflict(run, state, "tender_cancelled",
		                    "the tender was cancelled; its bids are never opened");
	default:
		return fsm_conflict(run, state, "already_opened", "the bids of this tender have been opened; it is %s",
		                    state_names[state]);
	}
}

/* The award and after, from the wrong state. */
static int refuse_award(fsm_run *run, int state)
{
	const char *name = state_names[state];
	switch (run->action) {
	case TA_award:
		return fsm_conflict(run, state, "not_in_evaluation",
		                    "a tender is awarded from active.evaluation only; this tender is %s", name);
	case TA_challenge:
		if (state == TS_active_contracting || state == TS_complete)
			return fsm_conflict(run, state, "challenge_period_over", "the challenge period is over");
		return fsm_conflict(run, state, "not_awarded",
		                    "challenges are filed against an award; this tender is %s", name);
	case TA_answer_challenge:
		return fsm_conflict(run, state, "not_awarded", "this tender is %s", name);
	case TA_contract:
		if (state == TS_active_awarded)
			return fsm_conflict(run, state, "challenge_period",
			                    "the contract is signed after the challenge period");
		return fsm_conflict(run, state, "not_awarded", "a contract follows an award; this tender is %s", name);
	default:
		return 0;
	}
}

/* When no transition fits: the tender's own words for the common cases. */
static int refuse(fsm_run *run, int state)
{
	switch (run->action) {
	case TA_edit:
		return fsm_conflict(run, state, "not_editable", "only a draft can be edited; this tender is %s",
		                    state_names[state]);
	case TA_ask:
		return fsm_conflict(run, state, "enquiries_closed",
		                    "questions are taken during the enquiry period only; this tender is %s",
		                    state_names[state]);
	case TA_answer:
		return fsm_conflict(run, state, "enquiries_closed",
		                    "questions are answered until the bid deadline only; this tender is %s",
		                    state_names[state]);
	case TA_publish:
		return fsm_conflict(run, state, "not_a_draft", "only a draft can be published; this tender is %s",
		                    state_names[state]);
	case TA_open:
		return refuse_open(run, state);
	case TA_committee:
		return fsm_conflict(run, state, "committee_closed",
		                    "a committee is appointed from publication until the evaluation; this tender is %s",
		                    state_names[state]);
	default:
		return refuse_award(run, state);
	}
}

/* --- the table -------------------------------------------------------------------------------- */

/* SPEC §6 States. Cancellation: any time before the contract (complete). */
static const fsm_transition transitions[] = {
	{ TS_draft, TA_edit, TS_draft, PUR, guard_owner, effect_edit, NULL },
	{ TS_draft, TA_publish, TS_active_enquiries, PUR, guard_owner, effect_publish, NULL },
	{ TS_draft, TA_cancel, TS_cancelled, PUR, guard_owner, effect_cancel, NULL },
	{ TS_active_enquiries, TA_ask, TS_active_enquiries, APP, guard_ask, effect_ask, "tender.ask" },
	{ TS_active_enquiries, TA_answer, TS_active_enquiries, PUR, guard_answer, effect_answer, NULL },
	{ TS_active_enquiries, TA_close_enquiries, TS_active_tendering, FSM_SYSTEM, NULL, effect_close_enquiries,
	  NULL },
	{ TS_active_enquiries, TA_cancel, TS_cancelled, PUR, guard_owner, effect_cancel, NULL },
	{ TS_active_tendering, TA_answer, TS_active_tendering, PUR, guard_answer, effect_answer, NULL },
	{ TS_active_tendering, TA_close_bidding, TS_active_opening, FSM_SYSTEM, NULL, effect_close_bidding, NULL },
	{ TS_active_tendering, TA_cancel, TS_cancelled, PUR, guard_owner, effect_cancel, NULL },
	/* The opening chooses where it leads (opening.c): the evaluation, or unsuccessful when fewer
	 * bids are valid than the rule asks. */
	{ TS_active_opening, TA_open, TS_active_evaluation, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_opening, TA_open, TS_unsuccessful, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_opening, TA_cancel, TS_cancelled, PUR, guard_owner, effect_cancel, NULL },
	{ TS_active_evaluation, TA_cancel, TS_cancelled, PUR, guard_owner, effect_cancel, NULL },
	/* SPEC §6 Evaluation committee: appointed, and recused members replaced, until the evaluation
	 * is complete (committee.c refuses after). */
	{ TS_active_enquiries, TA_committee, TS_active_enquiries, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_tendering, TA_committee, TS_active_tendering, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_opening, TA_committee, TS_active_opening, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_evaluation, TA_committee, TS_active_evaluation, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_awarded, TA_cancel, TS_cancelled, PUR, guard_owner, effect_cancel, NULL },
	{ TS_active_contracting, TA_cancel, TS_cancelled, PUR, guard_owner, effect_cancel, NULL },
	/* SPEC §6 Award and after (award.h): the award from a complete evaluation; challenges during
	 * the challenge period; its end (a timer); answers, upheld ones back to the evaluation (the
	 * effect chooses); the contract once the period is over and no challenge is open. */
	{ TS_active_evaluation, TA_award, TS_active_awarded, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_awarded, TA_challenge, TS_active_awarded, APP, fsm_bound_guard, fsm_bound_effect,
	  "tender.challenge" },
	{ TS_active_awarded, TA_end_challenge, TS_active_contracting, FSM_SYSTEM, NULL, effect_end_challenge, NULL },
	{ TS_active_awarded, TA_answer_challenge, TS_active_awarded, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_awarded, TA_answer_challenge, TS_active_evaluation, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_contracting, TA_answer_challenge, TS_active_contracting, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_contracting, TA_answer_challenge, TS_active_evaluation, PUR, guard_owner, fsm_bound_effect, NULL },
	/* A challenge of an award an earlier upheld one cancelled is still answered. */
	{ TS_active_evaluation, TA_answer_challenge, TS_active_evaluation, PUR, guard_owner, fsm_bound_effect, NULL },
	{ TS_active_contracting, TA_contract, TS_complete, PUR, guard_owner, fsm_bound_effect, NULL },
};

static const fsm_timer timers[] = {
	/* The enquiry period ends: questions close, bidding goes on. */
	{ "tender_enquiry_end", TS_active_enquiries, TA_close_enquiries, tender_enquiry_end },
	/* The bid deadline: bids close, the tender waits for its opening. */
	{ "tender_bid_deadline", TS_active_tendering, TA_close_bidding, tender_bid_deadline },
	/* The challenge period ends: the purchaser may sign the contract (open challenges still block it). */
	{ "challenge_working_days", TS_active_awarded, TA_end_challenge, tender_challenge_until },
};

const fsm_def tender_flow = {
	.object = "tender",
	.sql_read = "SELECT " TENDER_COLUMNS " FROM tenders WHERE id = ?",
	.sql_lock = "SELECT " TENDER_COLUMNS " FROM tenders WHERE id = ? FOR UPDATE",
	.sql_move = "UPDATE tenders SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
	.sql_in_state = "SELECT id FROM tenders WHERE status = ? AND id > ? ORDER BY id LIMIT ?",
	.col_id = TC_ID,
	.col_status = TC_STATUS,
	.col_version = TC_VERSION,
	.states = state_names,
	.nstates = TS_NSTATES,
	.actions = action_names,
	.nactions = TA_NACTIONS,
	.transitions = transitions,
	.ntransitions = sizeof transitions / sizeof transitions[0],
	.timers = timers,
	.ntimers = sizeof timers / sizeof timers[0],
	.visible = tender_visible,
	.refuse = refuse,
	.moved = moved,
	.what = "tender",
	.path = "/api/v1/tenders/{id}",
};
