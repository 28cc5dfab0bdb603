/* fsm_names.h — the names of a workflow's states and actions, from its .def file, for its
 * fsm_def: define FSM_DEF_FILE as the file's name and include this once, in the workflow's .c.
 *
 *     #define FSM_DEF_FILE "application.def"
 *     #include "fsm_names.h"      // state_names[], action_names[], NULL-terminated
 *
 * (No include guard: each workflow's file includes it for its own .def.) */
#ifndef FSM_DEF_FILE
#error "define FSM_DEF_FILE as the workflow's .def file before including fsm_names.h"
#endif

static const char *const state_names[] = {
#define STATE(x) #x,
#define STATE_NAMED(x, wire) wire,
#define ACTION(x, wire)
#include FSM_DEF_FILE
#undef STATE
#undef STATE_NAMED
#undef ACTION
	NULL,
};

static const char *const action_names[] = {
#define STATE(x)
#define STATE_NAMED(x, wire)
#define ACTION(x, wire) wire,
#include FSM_DEF_FILE
#undef STATE
#undef STATE_NAMED
#undef ACTION
	NULL,
};

#undef FSM_DEF_FILE
