// Deadlines on Galera (server/fsm.c, server/scheduler.c): two daemons on two nodes of a 3-node
// cluster both run the scheduler every second over the same deadlines. GET_LOCK does not work
// on Galera; the row re-check under the object's lock (and, across nodes, the certification
// conflict and the retry that then finds the move made) must make each deadline fire once.
// Run with `make test-galera` (not part of make test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startDaemon, ROOT } from '../lib/daemon.mjs';
import { submittedApplication } from '../lib/fixtures.mjs';
import { row, importRows } from '../bench/registry.mjs';

const galera = (...args) => execFileSync(path.join(ROOT, 'scripts/galera.sh'), args, { encoding: 'utf8' });
function nodeEnv(k) {
  const env = { SANZHI_DB_SOCKET: '', SANZHI_SWEEP_SECONDS: '1' };
  for (const m of galera('env', String(k)).matchAll(/(SANZHI_DB_[A-Z_]+)=(\S+)/g)) env[m[1]] = m[2];
  return env;
}

// What the cluster holds, read on node 1 after every earlier commit anywhere (wsrep_sync_wait).
const gsql = (q) => galera('root-sql', '1', '--batch', '--skip-column-names', DB, '-e', `SET SESSION wsrep_sync_wait = 1; ${q}`).trim();

const DB = `sanzhi_deadlines_${Date.now().toString(36)}`;
let a, b;
before(async () => {
  galera('start', '3');
  // A database of its own each run: the registry's signing key is sealed with the master key of
  // the run that made it, and every run's daemons get a new one.
  galera('root-sql', '1', '-e', `CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`);
  a = await startDaemon({ database: DB, env: { ...nodeEnv(1), SANZHI_DB_NAME: DB } });
  // Instances of one deployment share the master key (the audit MACs, the sealed signing key).
  b = await startDaemon({ database: DB, env: { ...nodeEnv(2), SANZHI_DB_NAME: DB, SANZHI_MASTER_KEY_FILE: a.env.SANZHI_MASTER_KEY_FILE }, skipMigrate: true });
});
after(async () => {
  await a?.stop();
  await b?.stop();
  galera('root-sql', '1', '-e', `DROP DATABASE IF EXISTS ${DB}`);
});

const submitted = submittedApplication;

test('two schedulers on two nodes: every deadline fires once', async () => {
  const start = '2027-01-04T01:00:00Z';
  await a.setClock(start);
  await b.setClock(start);
  const ta = await a.as('applicant');
  const tb = await b.as('applicant');
  const ids = [];
  for (let i = 0; i < 12; i++) ids.push(await submitted(i % 2 ? a : b, i % 2 ? ta : tb));
  const list = ids.join(',');
  // Past the window on both instances at once: both schedulers find the same deadlines due.
  const later = '2027-01-20T01:00:00Z';
  await Promise.all([a.setClock(later), b.setClock(later)]);
  const end = Date.now() + 30000;
  let accepted = 0;
  while (Date.now() < end) {
    accepted = Number(gsql(`SELECT COUNT(*) FROM applications WHERE id IN (${list}) AND status = 'accepted'`));
    if (accepted === ids.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(accepted, ids.length, 'not every deadline fired');
  // Let both schedulers run a few more times: nothing fires twice.
  await new Promise((r) => setTimeout(r, 3000));
  const counts = gsql(`SELECT object_id, COUNT(*) FROM audit_log WHERE action = 'application.deem' AND object_id IN (${ids.map((x) => `'${x}'`).join(',')}) GROUP BY object_id`)
    .split('\n').map((l) => l.split('\t'));
  assert.equal(counts.length, ids.length);
  for (const [id, n] of counts) assert.equal(n, '1', `application ${id} was deemed ${n} times`);
  assert.equal(gsql(`SELECT COUNT(*) FROM deadlines WHERE object_type = 'application' AND object_id IN (${list})`), '0');
  assert.equal(a.cli(['audit', 'verify']).code, 0);
});

test('two sweepers on two nodes: the credit rules list each organization once for its late report', async () => {
  const rows = Array.from({ length: 300 }, () => row({ registered_at: '2015-06-01' }));
  importRows(a, rows);
  // arrived on the platform in 2027: the report for 2027 is due on 2028-05-31
  const list = rows.map((r) => `'${r.uscc}'`).join(',');
  gsql(`UPDATE orgs SET created_at = '2027-01-04 01:00:00' WHERE uscc IN (${list})`);
  const later = '2028-06-02T02:00:00Z';
  await Promise.all([a.setClock(later), b.setClock(later)]);
  const end = Date.now() + 60000;
  let listed = 0;
  while (Date.now() < end) {
    listed = Number(gsql(`SELECT COUNT(DISTINCT uscc) FROM list_entries WHERE rule = 'annual_report_late' AND uscc IN (${list})`));
    if (listed === rows.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(listed, rows.length, 'not every late organization was listed');
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(gsql(`SELECT COUNT(*) FROM list_entries WHERE rule = 'annual_report_late' AND uscc IN (${list})`), String(rows.length));
  assert.equal(gsql(`SELECT COUNT(*) FROM org_events WHERE type = 'listing' AND uscc IN (${list})`), String(rows.length));
  assert.equal(a.cli(['audit', 'verify']).code, 0);
});
