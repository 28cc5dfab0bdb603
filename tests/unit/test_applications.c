/* test_applications.c — the application state machine as data, and the statutory clocks
 * (api/registry/application_flow.c on server/fsm.c, SPEC §4; 行政许可法 Art. 32). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "applications.h"

/* The table read through the executor's own functions, by name. */
#define APP_SYSTEM FSM_SYSTEM
typedef struct named {
	const char *from, *action, *to;
	unsigned roles;
} named;

static named rows[64];

static const named *app_transitions(size_t *n)
{
	for (int i = 0; i < app_flow.ntransitions; i++) {
		const fsm_transition *t = &app_flow.transitions[i];
		rows[i] = (named){ fsm_state_name(&app_flow, t->from), fsm_action_name(&app_flow, t->action),
			           fsm_state_name(&app_flow, t->to), t->roles };
	}
	*n = (size_t)app_flow.ntransitions;
	return rows;
}

static int app_status_known(const char *s)
{
	return fsm_state(&app_flow, s) >= 0;
}

static const named *app_transition_find(const char *from, const char *action, unsigned role)
{
	const fsm_transition *t =
	        fsm_find_transition(&app_flow, fsm_state(&app_flow, from), fsm_action(&app_flow, action), role);
	static named one;
	if (!t)
		return NULL;
	one = (named){ from, action, fsm_state_name(&app_flow, t->to), t->roles };
	return &one;
}

static int app_allowed_actions(const char *from, unsigned role, const char **out, int max)
{
	int acts[FSM_MAX_ACTIONS];
	int n = fsm_allowed(&app_flow, fsm_state(&app_flow, from), role, acts,
	                    max < FSM_MAX_ACTIONS ? max : FSM_MAX_ACTIONS);
	for (int i = 0; i < n; i++)
		out[i] = fsm_action_name(&app_flow, acts[i]);
	return n;
}

/* An applications row in a given status, submitted (first) at first and, after a supplement
 * request, resubmitted at again (0: none). */
static char *cells[AC_UPDATED + 1];
static db_res fake = { 1, AC_UPDATED + 1, cells, NULL, NULL };
static char t_first[32], t_again[32];

static const db_res *row_at(const char *status, usec_t first, usec_t again)
{
	memset(cells, 0, sizeof cells);
	cells[AC_STATUS] = (char *)status;
	if (first) {
		clock_fmt_db(first, t_first);
		cells[AC_FIRST_SUBMITTED] = t_first;
		cells[AC_SUBMITTED] = t_first;
	}
	if (again) {
		clock_fmt_db(again, t_again);
		cells[AC_SUBMITTED] = t_again;
		cells[AC_SUPPLEMENT_REQUESTED] = t_first;
	}
	return &fake;
}

/* The old question, through the timer: is the deem due on local day today for an application
 * in status first submitted at since? */
static int app_deemed_due(const char *status, usec_t since, int64_t today)
{
	const db_res *r = row_at(status, since, 0);
	return fsm_due_action(&app_flow, r, 0, clock_local_midnight(today) + 12 * 3600 * USEC_PER_SEC) == APP_DO_deem;
}

static const char *const all_statuses[] = { "draft",     "submitted", "supplement_requested",
	                                    "accepted",  "approved",  "rejected",
	                                    "withdrawn", "deleted" };
static const char *const all_actions[] = { "edit",   "submit", "withdraw", "delete", "request-supplement",
	                                   "accept", "deem",   "approve",  "reject" };
#define NSTATUS (sizeof all_statuses / sizeof all_statuses[0])
#define NACTION (sizeof all_actions / sizeof all_actions[0])

static unsigned roles_for(const char *from, const char *action)
{
	size_t n;
	const named *t = app_transitions(&n);
	unsigned roles = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].from, from) && !strcmp(t[i].action, action))
			roles |= t[i].roles;
	return roles;
}

static const char *to_of(const char *from, const char *action, unsigned role)
{
	const named *t = app_transition_find(from, action, role);
	return t ? t->to : NULL;
}

/* Every row names known statuses and actions; each (from, action) appears once, so the table
 * is a function; every role set is non-empty. */
static void test_table_well_formed(void **state)
{
	(void)state;
	size_t n;
	const named *t = app_transitions(&n);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		assert_true(app_status_known(t[i].from));
		assert_true(app_status_known(t[i].to));
		int known = 0;
		for (size_t a = 0; a < NACTION; a++)
			known |= !strcmp(all_actions[a], t[i].action);
		assert_true(known);
		assert_true(t[i].roles != 0);
		for (size_t j = i + 1; j < n; j++)
			assert_false(!strcmp(t[i].from, t[j].from) && !strcmp(t[i].action, t[j].action));
	}
	assert_false(app_status_known("approved "));
	assert_false(app_status_known(NULL));
}

/* SPEC §4 States, edge by edge. */
static void test_the_specified_edges(void **state)
{
	(void)state;
	assert_string_equal(to_of("draft", "submit", ROLE_APPLICANT), "submitted");
	assert_string_equal(to_of("submitted", "request-supplement", ROLE_REGISTRAR), "supplement_requested");
	assert_string_equal(to_of("supplement_requested", "submit", ROLE_APPLICANT), "submitted");
	assert_string_equal(to_of("submitted", "accept", ROLE_REGISTRAR), "accepted");
	assert_string_equal(to_of("submitted", "deem", APP_SYSTEM), "accepted");
	assert_string_equal(to_of("accepted", "approve", ROLE_REGISTRAR), "approved");
	assert_string_equal(to_of("accepted", "reject", ROLE_REGISTRAR), "rejected");
	assert_string_equal(to_of("draft", "edit", ROLE_APPLICANT), "draft");
	assert_string_equal(to_of("supplement_requested", "edit", ROLE_APPLICANT), "supplement_requested");
}

/* Withdrawal: by the applicant, from exactly draft, submitted and supplement_requested. */
static void test_withdraw(void **state)
{
	(void)state;
	for (size_t s = 0; s < NSTATUS; s++) {
		const char *st = all_statuses[s];
		int allowed = !strcmp(st, "draft") || !strcmp(st, "submitted") || !strcmp(st, "supplement_requested");
		assert_int_equal(to_of(st, "withdraw", ROLE_APPLICANT) != NULL, allowed);
		if (allowed)
			assert_string_equal(to_of(st, "withdraw", ROLE_APPLICANT), "withdrawn");
		assert_null(to_of(st, "withdraw", ROLE_REGISTRAR));
	}
}

/* 删除草稿: only a draft, only by its applicant, to the final state deleted. */
static void test_delete_only_drafts(void **state)
{
	(void)state;
	for (size_t s = 0; s < NSTATUS; s++) {
		const char *st = all_statuses[s];
		int allowed = !strcmp(st, "draft");
		assert_int_equal(to_of(st, "delete", ROLE_APPLICANT) != NULL, allowed);
		if (allowed)
			assert_string_equal(to_of(st, "delete", ROLE_APPLICANT), "deleted");
		assert_null(to_of(st, "delete", ROLE_REGISTRAR));
	}
}

/* Editing (PATCH, documents) only as a draft or after a supplement request. */
static void test_edit_only_when_editable(void **state)
{
	(void)state;
	for (size_t s = 0; s < NSTATUS; s++) {
		const char *st = all_statuses[s];
		int allowed = !strcmp(st, "draft") || !strcmp(st, "supplement_requested");
		assert_int_equal(to_of(st, "edit", ROLE_APPLICANT) != NULL, allowed);
		assert_null(to_of(st, "edit", ROLE_REGISTRAR));
	}
}

/* Who does what: applicants file, registrars decide, nobody but the system deems, admins and
 * other roles take no part. */
static void test_roles(void **state)
{
	(void)state;
	for (size_t s = 0; s < NSTATUS; s++) {
		for (size_t a = 0; a < NACTION; a++) {
			const char *act = all_actions[a];
			unsigned roles = roles_for(all_statuses[s], act);
			int applicant_action = !strcmp(act, "edit") || !strcmp(act, "submit") ||
			                       !strcmp(act, "withdraw") || !strcmp(act, "delete");
			int registrar_action = !strcmp(act, "request-supplement") || !strcmp(act, "accept") ||
			                       !strcmp(act, "approve") || !strcmp(act, "reject");
			if (roles) {
				if (applicant_action)
					assert_int_equal(roles, ROLE_APPLICANT);
				else if (registrar_action)
					assert_int_equal(roles, ROLE_REGISTRAR);
				else
					assert_int_equal(roles, APP_SYSTEM);
			}
			unsigned others = ROLE_ADMIN | ROLE_PURCHASER | ROLE_EVALUATOR;
			assert_null(app_transition_find(all_statuses[s], act, others));
		}
	}
}

/* approved, rejected, withdrawn and deleted are final. */
static void test_final_states(void **state)
{
	(void)state;
	static const char *const finals[] = { "approved", "rejected", "withdrawn", "deleted" };
	unsigned everyone = ROLE_APPLICANT | ROLE_REGISTRAR | ROLE_PURCHASER | ROLE_EVALUATOR | ROLE_ADMIN | APP_SYSTEM;
	for (size_t i = 0; i < sizeof finals / sizeof finals[0]; i++) {
		const char *out[16];
		assert_int_equal(app_allowed_actions(finals[i], everyone, out, 16), 0);
	}
}

/* Every status is reachable from draft. */
static void test_reachable(void **state)
{
	(void)state;
	size_t n;
	const named *t = app_transitions(&n);
	int seen[NSTATUS] = { 0 };
	seen[0] = 1;
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			size_t from = NSTATUS, to = NSTATUS;
			for (size_t s = 0; s < NSTATUS; s++) {
				if (!strcmp(all_statuses[s], t[i].from))
					from = s;
				if (!strcmp(all_statuses[s], t[i].to))
					to = s;
			}
			assert_true(from < NSTATUS && to < NSTATUS);
			if (seen[from] && !seen[to]) {
				seen[to] = 1;
				changed = 1;
			}
		}
	}
	for (size_t s = 0; s < NSTATUS; s++)
		assert_true(seen[s]);
}

/* The actions offered (and named in 409s) are those of the table, in its order. */
static void test_allowed_actions(void **state)
{
	(void)state;
	const char *out[16];
	int k = app_allowed_actions("draft", ROLE_APPLICANT, out, 16);
	assert_int_equal(k, 4);
	assert_string_equal(out[0], "edit");
	assert_string_equal(out[1], "submit");
	assert_string_equal(out[2], "withdraw");
	assert_string_equal(out[3], "delete");
	k = app_allowed_actions("submitted", ROLE_REGISTRAR, out, 16);
	assert_int_equal(k, 2);
	assert_string_equal(out[0], "request-supplement");
	assert_string_equal(out[1], "accept");
	k = app_allowed_actions("accepted", ROLE_APPLICANT, out, 16);
	assert_int_equal(k, 0);
	assert_int_equal(app_allowed_actions("accepted", ROLE_REGISTRAR, out, 1), 1);
}

/* Each action route admits exactly the roles the table gives that action. */
static void test_routes_match_table(void **state)
{
	(void)state;
	size_t n;
	const named *t = app_transitions(&n);
	int checked = 0;
	for (int k = 0; k < 2; k++)
		for (const route *r = k ? documents_routes : applications_routes; r->method; r++) {
			const char *last = strrchr(r->pattern, '/') + 1;
			const char *action = NULL;
			for (size_t a = 0; a < NACTION; a++)
				if (!strcmp(last, all_actions[a]))
					action = all_actions[a];
			if (!strcmp(r->method, "PATCH") || (!strcmp(last, "documents") && !strcmp(r->method, "POST")) ||
			    !strcmp(r->method, "DELETE"))
				action = "edit";
			/* DELETE of the application itself is the action delete (a document's is an edit). */
			if (!strcmp(r->method, "DELETE") && !strcmp(last, "{id}"))
				action = "delete";
			if (!action)
				continue;
			unsigned roles = 0;
			for (size_t i = 0; i < n; i++)
				if (!strcmp(t[i].action, action))
					roles |= t[i].roles;
			assert_int_equal(r->roles, roles);
			checked++;
		}
	assert_int_equal(checked, 10); /* 6 actions + delete + PATCH + document upload + document delete */
}

/* 行政许可法 Art. 32 in China's calendar days: submitted on day D, supplements may be asked up to
 * and including D + 5; from D + 6 the application counts as accepted from D. */
static void test_supplement_window(void **state)
{
	(void)state;
	usec_t t;
	/* 2026-03-02 23:30 in Beijing is 15:30 UTC: the local day is the 2nd, not the 3rd. */
	assert_int_equal(clock_parse("2026-03-02T15:30:00Z", &t), 0);
	int64_t d = clock_days_from_civil(2026, 3, 2);
	assert_int_equal(clock_local_day(t), d);
	/* Five working days (行政许可法 Art. 82), the day of receipt not counted: Monday 2 March to
	 * Monday 9 March, over the weekend. */
	assert_int_equal(app_supplement_window_end(t), d + 7);
	/* 16:30 UTC is already Tuesday the 3rd in Beijing: to Tuesday 10 March. */
	usec_t t2 = t + 3600 * USEC_PER_SEC;
	assert_int_equal(app_supplement_window_end(t2), d + 8);

	assert_false(app_deemed_due("submitted", t, d));
	assert_false(app_deemed_due("submitted", t, d + 5)); /* Saturday: no working day passed */
	assert_false(app_deemed_due("submitted", t, d + 7));
	assert_true(app_deemed_due("submitted", t, d + 8));
	assert_true(app_deemed_due("submitted", t, d + 400));
	/* Waiting for supplements, or any other status, is never deemed. */
	assert_false(app_deemed_due("supplement_requested", t, d + 8));
	assert_false(app_deemed_due("draft", t, d + 8));
	assert_false(app_deemed_due("accepted", t, d + 8));
	assert_false(app_deemed_due("submitted", 0, d + 8));
	/* The deadline itself: the start (local) of the day after the window. */
	assert_int_equal(app_deem_at(row_at("submitted", t, 0), 0), clock_local_midnight(d + 8));
	/* After supplements came in, the window runs again from the resubmission: Thursday 5 March,
	 * to Thursday 12 March. */
	usec_t again = t + 3 * USEC_PER_DAY;
	assert_int_equal(app_deem_at(row_at("submitted", t, again), 0), clock_local_midnight(d + 11));
	assert_int_equal(fsm_due_action(&app_flow, row_at("submitted", t, again), 0, clock_local_midnight(d + 10)), -1);
	assert_int_equal(fsm_due_action(&app_flow, row_at("submitted", t, again), 0, clock_local_midnight(d + 11)),
	                 APP_DO_deem);
	assert_int_equal(fsm_effective(&app_flow, row_at("submitted", t, again), 0, clock_local_midnight(d + 11)),
	                 APP_accepted);
	assert_int_equal(fsm_effective(&app_flow, row_at("submitted", t, again), 0, clock_local_midnight(d + 11) - 1),
	                 APP_submitted);
}

/* The sets of states the SQL reads come from the table: the end states, and what is pending. */
static void test_state_sets(void **state)
{
	(void)state;
	char set[128];
	fsm_state_set(&app_flow, fsm_final_states(&app_flow), set, sizeof set);
	assert_string_equal(set, "approved,rejected,withdrawn,deleted");
	fsm_state_set(&app_flow, ~(fsm_final_states(&app_flow) | 1u << APP_draft), set, sizeof set);
	assert_string_equal(set, "submitted,supplement_requested,accepted");
}

static void test_decision_due(void **state)
{
	(void)state;
	int64_t d = clock_days_from_civil(2026, 1, 10);
	assert_int_equal(app_decision_due(d, "community_service"), d + 60);
	assert_int_equal(app_decision_due(d, "industry_association"), d + 60);
	assert_int_equal(app_decision_due(d, NULL), d + 60);
	assert_int_equal(app_decision_due(d, "public_welfare"), d + 30);
	/* The numbers are rules: configurable. */
	assert_int_equal(rules_set("decision_days", "45"), 0);
	assert_int_equal(app_decision_due(d, "science_technology"), d + 45);
	assert_int_equal(rules_set("decision_days", "60"), 0);
	/* The unit is configurable too: working days from the day after acceptance. Saturday 10 Jan
	 * 2026 + 60 working days (no holidays loaded here) is Friday 3 April. */
	assert_int_equal(rules_set("decision_days_working", "1"), 0);
	assert_int_equal(app_decision_due(d, "community_service"), clock_days_from_civil(2026, 4, 3));
	assert_int_equal(rules_set("decision_days_working", "0"), 0);
	/* The supplement window counts working days (行政许可法 Art. 82): submitted on Saturday 10
	 * January, 3 working days end on Wednesday 14 (d + 4), deemed accepted from Thursday 15. */
	assert_int_equal(rules_set("supplement_window_days", "3"), 0);
	usec_t t = clock_local_midnight(d) + 3600 * USEC_PER_SEC;
	assert_int_equal(app_supplement_window_end(t), d + 4);
	assert_false(app_deemed_due("submitted", t, d + 4));
	assert_true(app_deemed_due("submitted", t, d + 5));
	assert_int_equal(rules_set("supplement_window_days", "5"), 0);
	assert_int_equal(app_supplement_window_end(t), d + 6);
	assert_false(app_deemed_due("submitted", t, d + 6));
	assert_true(app_deemed_due("submitted", t, d + 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_well_formed),
		cmocka_unit_test(test_the_specified_edges),
		cmocka_unit_test(test_withdraw),
		cmocka_unit_test(test_delete_only_drafts),
		cmocka_unit_test(test_edit_only_when_editable),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_final_states),
		cmocka_unit_test(test_reachable),
		cmocka_unit_test(test_allowed_actions),
		cmocka_unit_test(test_routes_match_table),
		cmocka_unit_test(test_supplement_window),
		cmocka_unit_test(test_decision_due),
		cmocka_unit_test(test_state_sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
