// Scale-out (SPEC §8): two daemons on two nodes of a 3-node Galera cluster share everything a
// user relies on — sessions, lockouts, the audit log — and concurrent writes on both nodes all
// land. Each daemon appends to audit chains of its own (server/audit.h), so audited writes on
// the two nodes no longer conflict over one head row; the log verifies as one from either side.
// Run with `make test-galera` (starts the cluster with scripts/galera.sh; not part of make test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startDaemon, ROOT } from '../lib/daemon.mjs';

const galera = (...args) => execFileSync(path.join(ROOT, 'scripts/galera.sh'), args, { encoding: 'utf8' });
function nodeEnv(k) {
  const env = { SANZHI_DB_SOCKET: '' };
  for (const m of galera('env', String(k)).matchAll(/(SANZHI_DB_[A-Z_]+)=(\S+)/g)) env[m[1]] = m[2];
  return env;
}

const DB = `sanzhi_scaleout_${Date.now().toString(36)}`;
let a, b;
before(async () => {
  galera('start', '3');
  // A database of its own each run: the registry's signing key is sealed with the master key of
  // the run that made it, and every run's daemons get a new one.
  galera('root-sql', '1', '-e', `CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`);
  const run = Date.now().toString(36);
  a = await startDaemon({ database: DB, env: { ...nodeEnv(1), SANZHI_DB_NAME: DB } });
  // Instances of one deployment share the master key (the audit MACs, the sealed signing key).
  b = await startDaemon({ database: DB, env: { ...nodeEnv(2), SANZHI_DB_NAME: DB, SANZHI_MASTER_KEY_FILE: a.env.SANZHI_MASTER_KEY_FILE }, skipMigrate: true });
  a.run = run;
});
after(async () => {
  await a?.stop();
  await b?.stop();
  galera('root-sql', '1', '-e', `DROP DATABASE IF EXISTS ${DB}`);
});

test('a token issued by one instance works on the other', async () => {
  const token = await a.as('admin');
  const me = await b.api('GET', '/api/v1/me', { token });
  assert.equal(me.status, 200);
  assert.equal((await b.api('POST', '/api/v1/auth/logout', { token })).status, 204);
  assert.equal((await a.api('GET', '/api/v1/me', { token })).status, 401);
});

test('concurrent writes on two nodes all land, each daemon in audit chains of its own, and the log stays intact', async () => {
  const ta = await a.as('admin');
  const tb = await b.login((await b.api('GET', '/api/v1/me', { token: ta })).json.data.username);
  const mk = (d, token, i) => d.api('POST', '/api/v1/users', { token, body: {
    username: `g_${a.run}_${i}`, password: 'long-enough-pw', role: 'registrar', display_name: `g${i}` } });
  const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => mk(i % 2 ? a : b, i % 2 ? ta : tb, i)));
  assert.deepEqual(rs.map((r) => r.status).filter((s) => s !== 201), []);
  // Which chain each daemon's entries went to, read on the other node.
  const chains = { a: new Set(), b: new Set() };
  const created = (await a.api('GET', '/api/v1/audit?action=user.create&limit=200', { token: ta })).json.data;
  for (let i = 0; i < 40; i++) {
    const e = created.find((x) => x.summary.username === `g_${a.run}_${i}`);
    assert.ok(e, `entry for g_${a.run}_${i}`);
    chains[i % 2 ? 'a' : 'b'].add(e.chain);
  }
  // A few chains per daemon (audit_chains, one per thread), never one shared by the two.
  assert.ok(chains.a.size >= 1 && chains.a.size <= 16 && chains.b.size >= 1 && chains.b.size <= 16);
  assert.deepEqual([...chains.a].filter((c) => chains.b.has(c)), []);
  const v = await b.api('GET', '/api/v1/audit/verify', { token: tb });
  assert.equal(v.json.data.valid, true, JSON.stringify(v.json));
  assert.equal(a.cli(['audit', 'verify']).code, 0);
});

test('a lockout on one instance holds on the other', async () => {
  const username = `lock_${a.run}`;
  await a.addUser({ username, role: 'applicant' });
  for (let i = 0; i < 5; i++) await a.api('POST', '/api/v1/auth/login', { body: { username, password: 'wrong-password' } });
  const r = await b.api('POST', '/api/v1/auth/login', { body: { username, password: 'correct-horse-9' } });
  assert.equal(r.status, 429);
});
