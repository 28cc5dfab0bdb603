/* fsm.h — state machines as data, and the one executor every change of state goes through.
 *
 * A workflow (applications today; credit entries, tenders, bids, challenges and contracts next)
 * declares:
 *   - its states and actions, as an enum from a .def file (STATE(x) and ACTION(x, "wire-name")
 *     lines, expanded with FSM_ENUM_STATES / FSM_ENUM_ACTIONS / FSM_NAMES below);
 *   - its transitions: rows {from, action, to, roles, guard, effect, audit action};
 *   - its timers: in state S the system takes action A at a time computed from the row
 *     (a deadline), written to the deadlines table by the transaction that enters S;
 *   - how to lock, move and show its rows (SQL text, column numbers, who may see a row).
 *
 * fsm_exec() then does, inside the caller's transaction (server/tx.h): lock the row; 404 unless
 * the caller may see it; If-Match against its version (412); every time-driven move that is due
 * (as the system, audited); the transition for (state, action, the caller's role) or 409 with
 * the current state and the actions allowed from it; the guard; the effect; the new state, the
 * version bump and the deadlines of the new state; the audit entry. Nothing else sets a status.
 *
 * Reads never write: fsm_effective() projects the state a row is in once its due deadlines are
 * counted, so no answer shows a state whose deadline has passed; the scheduler (server/scheduler.h)
 * makes them real through fsm_settle(), re-checking under the row lock, so a deadline fires once
 * however many instances run (on Galera too: the row lock, or a certification conflict and a
 * retry that finds the move made).
 *
 * From the same table: the allowed actions in answers (fsm_allowed), the 409 bodies
 * (fsm_conflict), the sets of states used in SQL (fsm_state_set), and the description in the
 * OpenAPI document (fsm_describe; `sanzhid states`). */
#ifndef SANZHI_FSM_H
#define SANZHI_FSM_H

#include "clock.h"
#include "tx.h"

#include <cjson/cJSON.h>

/* The .def file: STATE(name), STATE_NAMED(name, "wire-name") (a state whose name is not a C
 * identifier: "active.enquiries") and ACTION(name, "wire-name") lines. The workflow's header
 * expands them into its enums (see application_flow.h, tender_flow.h); server/fsm_names.h into
 * the name tables. */
/* Not a user's role: the system itself (deadlines). */
#define FSM_SYSTEM (1u << 30)
#define FSM_MAX_ACTIONS 16

typedef struct fsm_run fsm_run;
/* Guards and effects: 0, TX_REFUSED after tx_refuse/fsm_conflict, or a DB_ code. */
typedef int (*fsm_fn)(fsm_run *r);

typedef struct fsm_transition {
	int from, action, to;
	unsigned roles;    /* role bits that may take it; FSM_SYSTEM for timers */
	fsm_fn guard;      /* may refuse; NULL: none */
	fsm_fn effect;     /* what the move does besides state and version; NULL: nothing */
	const char *audit; /* the audit action; NULL: "<object>.<action>" */
} fsm_transition;

typedef struct fsm_timer {
	const char *rule; /* its name in the sweep's report: "deemed_acceptance" */
	int state;        /* while a row is in this state, */
	int action;       /* the system takes this action */
	/* at this time, computed from the row (row 0 of r); 0 when this row has no such deadline. */
	usec_t (*due)(const db_res *r, int row);
} fsm_timer;

typedef struct fsm_def {
	const char *object; /* audit object type, deadlines.object_type: "application" */
	/* "SELECT <columns> FROM <table> WHERE id = ?" and the same "… FOR UPDATE" */
	const char *sql_read, *sql_lock;
	/* "UPDATE <table> SET status = ?, version = version + 1, updated_at = ? WHERE id = ?" */
	const char *sql_move;
	/* "SELECT id FROM <table> WHERE status = ? AND id > ? ORDER BY id LIMIT ?": the rows in a
	 * state, so that at start every row in a state with a timer gets its deadline as the rules
	 * now compute it (rows made before deadlines were rows, rules changed since); NULL without
	 * timers. */
	const char *sql_in_state;
	int col_id, col_status, col_version;
	const char *const *states;
	int nstates;
	const char *const *actions;
	int nactions;
	const fsm_transition *transitions;
	int ntransitions;
	const fsm_timer *timers;
	int ntimers;
	/* 1 when user may see the row (404 otherwise); NULL: everyone. The system sees all. */
	int (*visible)(const auth_user *user, const db_res *r, int row);
	/* When no transition fits: answer the 409 (fsm_conflict) with a workflow's own words;
	 * NULL or returning 0: the generic invalid_transition. */
	int (*refuse)(fsm_run *r, int state);
	/* After every move (r->tr is the transition made), inside the transaction: what follows
	 * any change of the workflow's rows wherever it comes from, user or timer (the open-data
	 * feed, server/feed.h); NULL: nothing. 0, TX_REFUSED or a DB_ code. */
	int (*moved)(fsm_run *r);
	const char *what; /* "application", in messages */
	/* The resource's path: an action A is POST <path>/<wire name of A> (the OpenAPI document
	 * describes each such operation's transitions); "/api/v1/applications/{id}". */
	const char *path;
} fsm_def;

struct fsm_run {
	tx *t;
	const fsm_def *def;
	const fsm_transition *tr; /* the move being made (NULL in def->refuse) */
	int action;               /* what was asked */
	long long id;
	db_res *row;       /* the locked row as it was before the move */
	cJSON *summary;    /* the audit entry's summary: effects add to it */
	void *arg;         /* the caller's */
	const char *audit; /* an effect may name the audit action itself (one action, several kinds
	                            * of edit); NULL: the transition's */
	/* Where the move leads: the transition's to, unless the effect chooses another state that the
	 * table also lists for the same from and action (a tender's opening leads to its evaluation,
	 * or to unsuccessful when too few bids are valid); any other choice fails the move. */
	int to;
};

/* Makes the workflow known to the scheduler (its deadlines) and to `sanzhid states`. At start,
 * before the scheduler runs. */
void fsm_register(const fsm_def *d);

/* A guard or an effect that a module above the workflow provides. The table names the slot
 * (fsm_bound_guard, fsm_bound_effect in a row), the module's function fills it at start
 * (fsm_bind), so a table depends on no module above it: the tender's table has the opening's
 * effect without including opening.h. Each calls what is bound for r's action. */
int fsm_bound_guard(fsm_run *r);
int fsm_bound_effect(fsm_run *r);
/* At start, before any request: guard and effect (NULL: none) fill the bound slots of every row of
 * action in d's table. 0; or -1, logged, when the action is bound already, when a function is given
 * that no row of the action asks for, or when one that a row asks for is missing. */
int fsm_bind(const fsm_def *d, int action, fsm_fn guard, fsm_fn effect);
/* 0 when every bound slot of every registered workflow is filled; else -1, each empty one logged.
 * The daemon does not start with a table whose move would fail for want of its effect. */
int fsm_check(void);
const fsm_def *fsm_find(const char *object);
/* The registered workflows (for documentation): NULL after the last. */
const fsm_def *fsm_registered(int i);

/* State and action numbers by name, and back; -1 / NULL when unknown. */
int fsm_state(const fsm_def *d, const char *name);
const char *fsm_state_name(const fsm_def *d, int state);
int fsm_action(const fsm_def *d, const char *name);
const char *fsm_action_name(const fsm_def *d, int action);

/* The transition (from, action) that a caller with role bits may take, or NULL. */
const fsm_transition *fsm_find_transition(const fsm_def *d, int from, int action, unsigned roles);
/* The actions roles may take from state, table order, each once: how many written to out. */
int fsm_allowed(const fsm_def *d, int state, unsigned roles, int *out, int max);
/* The state row r is in at now, its due deadlines counted, one after another when the state a
 * timer leads to has a due timer of its own (reads). */
int fsm_effective(const fsm_def *d, const db_res *r, int row, usec_t now);
/* The time-driven action due on row r at now, or -1. */
int fsm_due_action(const fsm_def *d, const db_res *r, int row, usec_t now);
/* Comma-separated names of the states in mask (bit i = state i), for FIND_IN_SET(status, ?). */
void fsm_state_set(const fsm_def *d, unsigned mask, char *out, size_t outlen);
/* Bit mask of the states from which no transition leads elsewhere (the end states). */
unsigned fsm_final_states(const fsm_def *d);

/* Inside a transaction: lock row id, and take action on it for t->user (see above). arg reaches
 * the guard and the effect. On success *out (if given) holds the row as it is after the move
 * (free with db_res_free). */
int fsm_exec(tx *t, const fsm_def *d, long long id, int action, void *arg, db_res **out);
/* Inside a transaction: lock row id and make every due time-driven move (the scheduler);
 * by_action[a] (FSM_MAX_ACTIONS of them, or NULL) counts the moves by action. 0 also when there
 * is no such row. */
int fsm_settle(tx *t, const fsm_def *d, long long id, long long *by_action);
/* The 409 of a state conflict: code, the current state and what the caller may do from it. */
int fsm_conflict(fsm_run *r, int state, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The scheduler's job (a sched_fn): makes every due deadline real, each object in a transaction
 * of its own, after arming rows made before their deadlines were rows; reports the moves made
 * per timer rule ({rule, changed}, every timer listed). */
int fsm_run_deadlines(cJSON *report);

/* {"<object>": {"path", "states": [...], "transitions": [{from, action, to, roles: [...]}, …],
 * "timers": [{state, action, rule}]}} for every registered workflow. */
cJSON *fsm_describe(void);

#endif
