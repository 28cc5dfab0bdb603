/* fsm.c — the executor of state machines declared as data (see fsm.h). */
#include "fsm.h"
#include "audit.h"
#include "log.h"
#include "scheduler.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FSM_MAX_DEFS 16
#define FSM_MAX_BINDINGS 32
#define FSM_SETTLE_MAX 8 /* time-driven moves in a row on one object; a table's own bound */
#define DEADLINE_BATCH 200

static const fsm_def *defs[FSM_MAX_DEFS];
static int ndefs;
static atomic_int armed; /* every row's deadline written as this process's rules compute it */

void fsm_register(const fsm_def *d)
{
	for (int i = 0; i < ndefs; i++)
		if (defs[i] == d)
			return;
	if (ndefs < FSM_MAX_DEFS)
		defs[ndefs++] = d;
	else
		log_kv(LOG_ERROR, "too many workflows registered", "object", d->object, NULL);
}

const fsm_def *fsm_find(const char *object)
{
	for (int i = 0; i < ndefs; i++)
		if (object && !strcmp(defs[i]->object, object))
			return defs[i];
	return NULL;
}

const fsm_def *fsm_registered(int i)
{
	return i >= 0 && i < ndefs ? defs[i] : NULL;
}

/* --- bound guards and effects --------------------------------------------------------------- */

/* Written at start (fsm_bind), read only after. */
typedef struct binding {
	const fsm_def *d;
	int action;
	fsm_fn guard, effect;
} binding;

static binding bindings[FSM_MAX_BINDINGS];
static int nbindings;

static const binding *bound(const fsm_def *d, int action)
{
	for (int i = 0; i < nbindings; i++)
		if (bindings[i].d == d && bindings[i].action == action)
			return &bindings[i];
	return NULL;
}

/* The rows of action in d that name the slot: how many. */
static int slots(const fsm_def *d, int action, fsm_fn slot)
{
	int n = 0;
	for (int i = 0; i < d->ntransitions; i++)
		n += d->transitions[i].action == action &&
		     (slot == fsm_bound_guard ? d->transitions[i].guard : d->transitions[i].effect) == slot;
	return n;
}

static int bind_refused(const fsm_def *d, int action, const char *why)
{
	log_kv(LOG_ERROR, why, "object", d->object, "action", fsm_action_name(d, action), NULL);
	return -1;
}

int fsm_bind(const fsm_def *d, int action, fsm_fn guard, fsm_fn effect)
{
	if (!fsm_action_name(d, action))
		return bind_refused(d, action, "a binding for an action the workflow does not have");
	if (bound(d, action))
		return bind_refused(d, action, "an action bound twice");
	if (!guard != !slots(d, action, fsm_bound_guard))
		return bind_refused(d, action,
		                    guard ? "a guard bound where the table names its own or none"
		                          : "a bound guard missing");
	if (!effect != !slots(d, action, fsm_bound_effect))
		return bind_refused(d, action,
		                    effect ? "an effect bound where the table names its own or none"
		                           : "a bound effect missing");
	if (nbindings == FSM_MAX_BINDINGS)
		return bind_refused(d, action, "too many bindings");
	bindings[nbindings++] = (binding){ d, action, guard, effect };
	return 0;
}

int fsm_check(void)
{
	int rc = 0;
	for (int k = 0; k < ndefs; k++) {
		const fsm_def *d = defs[k];
		for (int i = 0; i < d->ntransitions; i++) {
			const fsm_transition *t = &d->transitions[i];
			const binding *b = bound(d, t->action);
			if (t->guard == fsm_bound_guard && !(b && b->guard))
				rc = bind_refused(d, t->action, "a bound guard was never bound");
			if (t->effect == fsm_bound_effect && !(b && b->effect))
				rc = bind_refused(d, t->action, "a bound effect was never bound");
		}
	}
	return rc;
}

int fsm_bound_guard(fsm_run *r)
{
	const binding *b = bound(r->def, r->tr->action);
	if (b && b->guard)
		return b->guard(r);
	bind_refused(r->def, r->tr->action, "a bound guard was never bound");
	return DB_ERROR;
}

int fsm_bound_effect(fsm_run *r)
{
	const binding *b = bound(r->def, r->tr->action);
	if (b && b->effect)
		return b->effect(r);
	bind_refused(r->def, r->tr->action, "a bound effect was never bound");
	return DB_ERROR;
}

/* --- the table ------------------------------------------------------------------------------ */

int fsm_state(const fsm_def *d, const char *name)
{
	for (int i = 0; name && i < d->nstates; i++)
		if (!strcmp(d->states[i], name))
			return i;
	return -1;
}

const char *fsm_state_name(const fsm_def *d, int state)
{
	return state >= 0 && state < d->nstates ? d->states[state] : NULL;
}

int fsm_action(const fsm_def *d, const char *name)
{
	for (int i = 0; name && i < d->nactions; i++)
		if (!strcmp(d->actions[i], name))
			return i;
	return -1;
}

const char *fsm_action_name(const fsm_def *d, int action)
{
	return action >= 0 && action < d->nactions ? d->actions[action] : NULL;
}

const fsm_transition *fsm_find_transition(const fsm_def *d, int from, int action, unsigned roles)
{
	for (int i = 0; i < d->ntransitions; i++) {
		const fsm_transition *t = &d->transitions[i];
		if (t->from == from && t->action == action && (t->roles & roles))
			return t;
	}
	return NULL;
}

int fsm_allowed(const fsm_def *d, int state, unsigned roles, int *out, int max)
{
	int n = 0;
	for (int i = 0; i < d->ntransitions && n < max; i++) {
		const fsm_transition *t = &d->transitions[i];
		if (t->from != state || !(t->roles & roles))
			continue;
		int seen = 0;
		for (int k = 0; k < n; k++)
			seen |= out[k] == t->action;
		if (!seen)
			out[n++] = t->action;
	}
	return n;
}

/* The time-driven action due at now on row r were it in state, or -1. */
static int due_in_state(const fsm_def *d, int state, const db_res *r, int row, usec_t now)
{
	for (int i = 0; i < d->ntimers; i++) {
		const fsm_timer *tm = &d->timers[i];
		if (tm->state != state)
			continue;
		usec_t at = tm->due(r, row);
		if (at > 0 && now >= at)
			return tm->action;
	}
	return -1;
}

int fsm_due_action(const fsm_def *d, const db_res *r, int row, usec_t now)
{
	return due_in_state(d, fsm_state(d, db_val(r, row, d->col_status)), r, row, now);
}

/* Timers may follow one another (a tender's enquiry end, then its bid deadline): every move due
 * by now is counted, as settle_locked makes them, up to the same bound. The times come from the
 * row as it is; a timer whose effect would change them is not followed correctly here. */
int fsm_effective(const fsm_def *d, const db_res *r, int row, usec_t now)
{
	int state = fsm_state(d, db_val(r, row, d->col_status));
	for (int i = 0; i < FSM_SETTLE_MAX; i++) {
		int action = due_in_state(d, state, r, row, now);
		const fsm_transition *t = action < 0 ? NULL : fsm_find_transition(d, state, action, FSM_SYSTEM);
		if (!t || t->to == state)
			break;
		state = t->to;
	}
	return state;
}

void fsm_state_set(const fsm_def *d, unsigned mask, char *out, size_t outlen)
{
	size_t k = 0;
	out[0] = 0;
	for (int i = 0; i < d->nstates && i < 32; i++) {
		if (!(mask & (1u << i)))
			continue;
		int n = snprintf(out + k, outlen - k, "%s%s", k ? "," : "", d->states[i]);
		if (n < 0 || (size_t)n >= outlen - k) {
			out[k] = 0;
			return;
		}
		k += (size_t)n;
	}
}

unsigned fsm_final_states(const fsm_def *d)
{
	unsigned mask = 0;
	for (int s = 0; s < d->nstates && s < 32; s++) {
		int leaves = 0;
		for (int i = 0; i < d->ntransitions; i++)
			leaves |= d->transitions[i].from == s && d->transitions[i].to != s;
		if (!leaves)
			mask |= 1u << s;
	}
	return mask;
}

/* --- the executor ----------------------------------------------------------------------------- */

int fsm_conflict(fsm_run *r, int state, const char *code, const char *fmt, ...)
{
	char detail[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	tx_refuse(r->t, 409, code, "%s", detail);
	tx_problem_add(r->t, "current_status", cJSON_CreateString(fsm_state_name(r->def, state)));
	int acts[FSM_MAX_ACTIONS];
	int n = fsm_allowed(r->def, state, r->t->user ? r->t->user->role_bit : FSM_SYSTEM, acts, FSM_MAX_ACTIONS);
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(fsm_action_name(r->def, acts[i])));
	tx_problem_add(r->t, "allowed_actions", a);
	return TX_REFUSED;
}

static int read_row(tx *t, const fsm_def *d, long long id, int lock, db_res **out)
{
	*out = NULL;
	db_res *r;
	int rc = db_query(t->c, lock ? d->sql_lock : d->sql_read, DBP(DBI(id)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		db_res_free(r);
		return 0;
	}
	*out = r;
	return 0;
}

/* The deadlines of the state row r is now in replace the ones it had. */
static int arm(tx *t, const fsm_def *d, long long id, const db_res *r)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", id);
	int rc = db_exec(t->c, "DELETE FROM deadlines WHERE object_type = ? AND object_id = ?",
	                 DBP(DBS(d->object), DBI(id)), NULL, NULL);
	if (rc)
		return rc;
	int state = fsm_state(d, db_val(r, 0, d->col_status));
	for (int i = 0; i < d->ntimers && rc == 0; i++) {
		const fsm_timer *tm = &d->timers[i];
		if (tm->state != state)
			continue;
		usec_t at = tm->due(r, 0);
		if (at <= 0)
			continue;
		char due[32];
		clock_fmt_db(at, due);
		rc = db_exec(t->c, "INSERT INTO deadlines (object_type, object_id, action, due_at) VALUES (?, ?, ?, ?)",
		             DBP(DBS(d->object), DBI(id), DBS(fsm_action_name(d, tm->action)), DBS(due)), NULL, NULL);
	}
	return rc;
}

/* Moves the locked row of run along run->tr: guard, effect, state and version, deadlines, audit.
 * *after receives the row as it now is. */
static int move(fsm_run *run, db_res **after)
{
	tx *t = run->t;
	const fsm_def *d = run->def;
	const fsm_transition *tr = run->tr;
	*after = NULL;
	int rc = tr->guard ? tr->guard(run) : 0;
	if (rc)
		return rc;
	if (tr->effect && (rc = tr->effect(run)))
		return rc;
	if (run->to != tr->to) {
		const fsm_transition *alt = NULL;
		for (int i = 0; i < d->ntransitions && !alt; i++) {
			const fsm_transition *x = &d->transitions[i];
			if (x->from == tr->from && x->action == tr->action && x->to == run->to &&
			    (x->roles & tr->roles))
				alt = x;
		}
		if (!alt) {
			log_kv(LOG_ERROR, "an effect chose a state its table does not list", "object", d->object, NULL);
			return DB_ERROR;
		}
		run->tr = tr = alt;
	}
	char now[32];
	clock_fmt_db(clock_now(), now);
	rc = db_exec(t->c, d->sql_move, DBP(DBS(fsm_state_name(d, tr->to)), DBS(now), DBI(run->id)), NULL, NULL);
	if (rc)
		return rc;
	if ((rc = read_row(t, d, run->id, 0, after)))
		return rc;
	if (!*after)
		return DB_ERROR;
	if (d->ntimers && (rc = arm(t, d, run->id, *after)))
		return rc;
	if (d->moved && (rc = d->moved(run)))
		return rc;
	if (tr->from != tr->to) {
		cJSON_AddStringToObject(run->summary, "from", fsm_state_name(d, tr->from));
		cJSON_AddStringToObject(run->summary, "to", fsm_state_name(d, tr->to));
	}
	cJSON_AddNumberToObject(run->summary, "version", (double)db_int(*after, 0, d->col_version));
	char action[96], ids[24];
	if (run->audit)
		snprintf(action, sizeof action, "%s", run->audit);
	else if (tr->audit)
		snprintf(action, sizeof action, "%s", tr->audit);
	else
		snprintf(action, sizeof action, "%s.%s", d->object, fsm_action_name(d, tr->action));
	snprintf(ids, sizeof ids, "%lld", run->id);
	return audit_append(t->c, t->user, action, d->object, ids, run->summary);
}

/* Every due time-driven move on the locked row *r (replaced by the row after them). */
static int settle_locked(tx *t, const fsm_def *d, long long id, db_res **r, long long *by_action)
{
	for (int i = 0; i < FSM_SETTLE_MAX; i++) {
		int action = fsm_due_action(d, *r, 0, clock_now());
		if (action < 0)
			return 0;
		int state = fsm_state(d, db_val(*r, 0, d->col_status));
		const fsm_transition *tr = fsm_find_transition(d, state, action, FSM_SYSTEM);
		if (!tr)
			return 0;
		/* The system's move: audited as the system, whoever's request found it due. */
		const auth_user *who = t->user;
		t->user = NULL;
		fsm_run run = { t, d, tr, action, id, *r, cJSON_CreateObject(), NULL, NULL, tr->to };
		db_res *after = NULL;
		int rc = run.summary ? move(&run, &after) : DB_ERROR;
		cJSON_Delete(run.summary);
		t->user = who;
		if (rc) {
			db_res_free(after);
			return rc;
		}
		db_res_free(*r);
		*r = after;
		if (by_action && action < FSM_MAX_ACTIONS)
			by_action[action]++;
	}
	return 0;
}

int fsm_settle(tx *t, const fsm_def *d, long long id, long long *by_action)
{
	db_res *r;
	int rc = read_row(t, d, id, 1, &r);
	if (rc)
		return rc;
	if (!r) /* the object is gone: so are its deadlines */
		return db_exec(t->c, "DELETE FROM deadlines WHERE object_type = ? AND object_id = ?",
		               DBP(DBS(d->object), DBI(id)), NULL, NULL);
	rc = settle_locked(t, d, id, &r, by_action);
	/* A row whose deadline was not due after all (the clock was set back) keeps it; a row
	 * whose state has no deadline any more loses the stale one. */
	if (!rc && d->ntimers)
		rc = arm(t, d, id, r);
	db_res_free(r);
	return rc;
}

int fsm_exec(tx *t, const fsm_def *d, long long id, int action, void *arg, db_res **out)
{
	if (out)
		*out = NULL;
	db_res *r;
	int rc = read_row(t, d, id, 1, &r);
	if (rc)
		return rc;
	if (!r || (t->user && d->visible && !d->visible(t->user, r, 0))) {
		db_res_free(r);
		/* Another's object is not found, not forbidden: existence is not leaked. */
		return tx_refuse(t, 404, "not_found", "there is no such %s", d->what);
	}
	if ((rc = tx_if_match(t, db_int(r, 0, d->col_version)))) {
		db_res_free(r);
		return rc;
	}
	if ((rc = settle_locked(t, d, id, &r, NULL))) {
		db_res_free(r);
		return rc;
	}
	int state = fsm_state(d, db_val(r, 0, d->col_status));
	unsigned roles = t->user ? t->user->role_bit : FSM_SYSTEM;
	fsm_run run = { t, d, fsm_find_transition(d, state, action, roles), action, id, r, NULL, arg, NULL, 0 };
	if (run.tr)
		run.to = run.tr->to;
	if (!run.tr) {
		rc = d->refuse ? d->refuse(&run, state) : 0;
		if (!rc)
			rc = fsm_conflict(&run, state, "invalid_transition", "%s is not possible: the %s is %s",
			                  fsm_action_name(d, action), d->what, fsm_state_name(d, state));
		db_res_free(r);
		return rc;
	}
	run.summary = cJSON_CreateObject();
	db_res *after = NULL;
	rc = run.summary ? move(&run, &after) : DB_ERROR;
	cJSON_Delete(run.summary);
	db_res_free(r);
	if (!rc && out)
		*out = after;
	else
		db_res_free(after);
	return rc;
}

/* --- deadlines ------------------------------------------------------------------------------ */

typedef struct deadline_job {
	const fsm_def *d;
	long long id;
	long long by_action[FSM_MAX_ACTIONS];
} deadline_job;

static int settle_one(tx *t, void *arg)
{
	deadline_job *j = arg;
	memset(j->by_action, 0, sizeof j->by_action);
	return fsm_settle(t, j->d, j->id, j->by_action);
}

/* Moves made by one job, added into the workflow's tally (by action). */
static long long tally(long long *sum, const deadline_job *j)
{
	long long n = 0;
	for (int a = 0; a < FSM_MAX_ACTIONS; a++) {
		sum[a] += j->by_action[a];
		n += j->by_action[a];
	}
	return n;
}

/* Once a process: every row in a state with a timer gets its deadline as the rules compute it
 * now (rows made before deadlines were rows get one; a rule changed since is followed), and what
 * is due fires. Keyset over ids. */
static int arm_all(db_conn *c, const fsm_def *d, long long *sum)
{
	for (int s = 0; s < d->nstates; s++) {
		int has_timer = 0;
		for (int i = 0; i < d->ntimers; i++)
			has_timer |= d->timers[i].state == s;
		if (!has_timer || !d->sql_in_state)
			continue;
		long long after = 0;
		for (;;) {
			db_res *r;
			int rc = db_query(c, d->sql_in_state, DBP(DBS(d->states[s]), DBI(after), DBI(DEADLINE_BATCH)),
			                  &r);
			if (rc)
				return rc;
			int n = r->nrows;
			for (int i = 0; i < n && rc == 0; i++) {
				deadline_job j = { d, db_int(r, i, 0), { 0 } };
				after = j.id;
				rc = tx_run(NULL, settle_one, &j, NULL);
				tally(sum, &j);
			}
			db_res_free(r);
			if (rc)
				return rc;
			if (n < DEADLINE_BATCH)
				break;
		}
	}
	return 0;
}

int fsm_run_deadlines(cJSON *report)
{
	long long sums[FSM_MAX_DEFS][FSM_MAX_ACTIONS];
	memset(sums, 0, sizeof sums);
	db_conn *c = db_get();
	if (!c)
		return DB_DOWN;
	int rc = 0;
	if (!atomic_load(&armed)) {
		for (int i = 0; i < ndefs && rc == 0; i++)
			if (defs[i]->ntimers)
				rc = arm_all(c, defs[i], sums[i]);
		if (!rc)
			atomic_store(&armed, 1);
	}
	while (rc == 0) {
		char now[32];
		clock_fmt_db(clock_now(), now);
		db_res *r;
		rc = db_query(c,
		              "SELECT object_type, object_id FROM deadlines WHERE due_at <= ? "
		              "GROUP BY object_type, object_id ORDER BY MIN(due_at) LIMIT ?",
		              DBP(DBS(now), DBI(DEADLINE_BATCH)), &r);
		if (rc)
			break;
		int n = r->nrows;
		long long moved = 0;
		for (int i = 0; i < n && rc == 0; i++) {
			int k = 0;
			while (k < ndefs && strcmp(defs[k]->object, db_val(r, i, 0)))
				k++;
			if (k == ndefs) {
				log_kv(LOG_WARN, "deadline of an unknown workflow", "object", db_val(r, i, 0), NULL);
				continue;
			}
			deadline_job j = { defs[k], db_int(r, i, 1), { 0 } };
			/* Re-checked under the row lock: another instance may have been first. */
			rc = tx_run(NULL, settle_one, &j, NULL);
			moved += tally(sums[k], &j);
		}
		db_res_free(r);
		if (n < DEADLINE_BATCH || moved == 0)
			break;
	}
	if (rc)
		return rc;
	for (int k = 0; k < ndefs; k++)
		for (int i = 0; i < defs[k]->ntimers; i++)
			sched_report(report, defs[k]->timers[i].rule, sums[k][defs[k]->timers[i].action]);
	return 0;
}

/* --- description ------------------------------------------------------------------------------ */

cJSON *fsm_describe(void)
{
	cJSON *all = cJSON_CreateObject();
	for (int k = 0; k < ndefs; k++) {
		const fsm_def *d = defs[k];
		cJSON *o = cJSON_AddObjectToObject(all, d->object);
		cJSON_AddStringToObject(o, "path", d->path ? d->path : "");
		cJSON *st = cJSON_AddArrayToObject(o, "states");
		for (int i = 0; i < d->nstates; i++)
			cJSON_AddItemToArray(st, cJSON_CreateString(d->states[i]));
		cJSON *tr = cJSON_AddArrayToObject(o, "transitions");
		for (int i = 0; i < d->ntransitions; i++) {
			const fsm_transition *t = &d->transitions[i];
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "from", d->states[t->from]);
			cJSON_AddStringToObject(e, "action", d->actions[t->action]);
			cJSON_AddStringToObject(e, "to", d->states[t->to]);
			cJSON *roles = cJSON_AddArrayToObject(e, "roles");
			if (t->roles & FSM_SYSTEM)
				cJSON_AddItemToArray(roles, cJSON_CreateString("system"));
			for (unsigned b = 1; b < FSM_SYSTEM; b <<= 1)
				if ((t->roles & b) && auth_role_name(b))
					cJSON_AddItemToArray(roles, cJSON_CreateString(auth_role_name(b)));
			cJSON_AddItemToArray(tr, e);
		}
		cJSON *tm = cJSON_AddArrayToObject(o, "timers");
		for (int i = 0; i < d->ntimers; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "state", d->states[d->timers[i].state]);
			cJSON_AddStringToObject(e, "action", d->actions[d->timers[i].action]);
			cJSON_AddStringToObject(e, "rule", d->timers[i].rule);
			cJSON_AddItemToArray(tm, e);
		}
	}
	return all;
}
