/* test_fsm.c — guards and effects bound to a workflow's table at start (server/fsm.c: fsm_bind,
 * fsm_check), on a table of its own and on the daemon's workflows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api.h"
#include "fsm.h"

/* A door: opened by a bound effect, locked behind a bound guard and effect, shut by its own. */
enum { DOOR_SHUT, DOOR_OPEN };
enum { DOOR_DO_OPEN, DOOR_DO_LOCK, DOOR_DO_SHUT };
static const char *const door_states[] = { "shut", "open", NULL };
static const char *const door_actions[] = { "open", "lock", "shut", NULL };

static int shut_effect(fsm_run *r)
{
	(void)r;
	return 0;
}

static const fsm_transition door_transitions[] = {
	{ DOOR_SHUT, DOOR_DO_OPEN, DOOR_OPEN, ROLE_ADMIN, NULL, fsm_bound_effect, NULL },
	{ DOOR_SHUT, DOOR_DO_LOCK, DOOR_SHUT, ROLE_ADMIN, fsm_bound_guard, fsm_bound_effect, NULL },
	{ DOOR_OPEN, DOOR_DO_SHUT, DOOR_SHUT, ROLE_ADMIN, NULL, shut_effect, NULL },
};

static const fsm_def door = {
	.object = "door",
	.states = door_states,
	.nstates = 2,
	.actions = door_actions,
	.nactions = 3,
	.transitions = door_transitions,
	.ntransitions = sizeof door_transitions / sizeof door_transitions[0],
	.what = "door",
};

static int opened, guarded, locked;

static int open_effect(fsm_run *r)
{
	(void)r;
	opened++;
	return 0;
}

static int lock_guard(fsm_run *r)
{
	(void)r;
	guarded++;
	return 0;
}

static int lock_effect(fsm_run *r)
{
	(void)r;
	locked++;
	return 0;
}

/* A registered workflow with a slot left empty does not pass the check the daemon starts with. */
static void test_an_empty_slot_fails_the_check(void **state)
{
	(void)state;
	fsm_register(&door);
	assert_int_equal(fsm_check(), -1);
}

static void test_bind_refuses_what_the_table_does_not_ask_for(void **state)
{
	(void)state;
	/* open names no bound guard; shut brings its own effect; lock needs both. */
	assert_int_equal(fsm_bind(&door, DOOR_DO_OPEN, lock_guard, open_effect), -1);
	assert_int_equal(fsm_bind(&door, DOOR_DO_SHUT, NULL, open_effect), -1);
	assert_int_equal(fsm_bind(&door, DOOR_DO_LOCK, NULL, lock_effect), -1);
	assert_int_equal(fsm_bind(&door, DOOR_DO_LOCK, lock_guard, NULL), -1);
	assert_int_equal(fsm_bind(&door, 7, NULL, open_effect), -1);
}

static void test_every_slot_bound_passes_once(void **state)
{
	(void)state;
	assert_int_equal(fsm_bind(&door, DOOR_DO_OPEN, NULL, open_effect), 0);
	assert_int_equal(fsm_check(), -1); /* lock still empty */
	assert_int_equal(fsm_bind(&door, DOOR_DO_LOCK, lock_guard, lock_effect), 0);
	assert_int_equal(fsm_check(), 0);
	/* An action is bound once. */
	assert_int_equal(fsm_bind(&door, DOOR_DO_OPEN, NULL, open_effect), -1);
}

/* The slots call what was bound for the action of the move being made. */
static void test_slots_call_the_binding(void **state)
{
	(void)state;
	fsm_run run = { .def = &door, .tr = &door_transitions[0] };
	opened = guarded = locked = 0;
	assert_int_equal(fsm_bound_effect(&run), 0);
	run.tr = &door_transitions[1];
	assert_int_equal(fsm_bound_guard(&run), 0);
	assert_int_equal(fsm_bound_effect(&run), 0);
	assert_int_equal(opened, 1);
	assert_int_equal(guarded, 1);
	assert_int_equal(locked, 1);
}

/* The daemon's own workflows, as it registers them at start: every slot filled. */
static void test_the_daemon_binds_every_slot(void **state)
{
	(void)state;
	assert_int_equal(api_workflows_register(), 0);
	int slots = 0;
	for (int k = 0; fsm_registered(k); k++)
		for (int i = 0; i < fsm_registered(k)->ntransitions; i++) {
			const fsm_transition *t = &fsm_registered(k)->transitions[i];
			slots += t->guard == fsm_bound_guard || t->effect == fsm_bound_effect;
		}
	assert_true(slots > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_empty_slot_fails_the_check),
		cmocka_unit_test(test_bind_refuses_what_the_table_does_not_ask_for),
		cmocka_unit_test(test_every_slot_bound_passes_once),
		cmocka_unit_test(test_slots_call_the_binding),
		cmocka_unit_test(test_the_daemon_binds_every_slot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
