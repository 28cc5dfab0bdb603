/* org_gate.h — the first-come-first-served gate in front of the public register's reads.
 *
 * Reads of the public register (profiles that miss the cache, history, search) hold at most a
 * few database connections at once and wait their turn in arrival order. A burst of anonymous
 * traffic cannot take every connection from registrars and applicants, and the database runs a
 * few queries at a time instead of dozens of threads fighting over its CPUs. */
#ifndef SANZHI_ORG_GATE_H
#define SANZHI_ORG_GATE_H

/* Waits for a slot; every org_gate_enter is followed by exactly one org_gate_leave. */
void org_gate_enter(void);
void org_gate_leave(void);

#endif
