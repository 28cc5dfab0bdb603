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

test('the open-data feed: two nodes publishing at once, a reader paging on both meanwhile gets every change once, without gaps', async () => {
  const day = 86400e3;
  const when = (days) => new Date(Math.floor(Date.now() / 1000) * 1000 + days * day).toISOString().replace('.000Z', 'Z');
  const pa = await a.as('purchaser');
  const me = (await a.api('GET', '/api/v1/me', { token: pa })).json.data;
  const pb = await b.login(me.username);
  let from = 0;
  for (;;) { // the feed's end now, however long it is
    const r = (await a.api('GET', `/api/v1/feed?after=${from}&limit=1000`)).json;
    if (!r.data.length) break;
    from = r.next_after;
  }
  const N = 20;
  const mk = async (d, token, i) => {
    const c = await d.api('POST', '/api/v1/tenders', { token, body: {
      title: `集群项目 ${a.run} ${i}`, description: '服务。', service_category: 'elderly_care', budget_fen: 100000000,
      method: 'open', evaluation_method: 'comprehensive', criteria: [{ id: 'plan', name: '方案', max_points: 70 }],
      price_points: 30, eligibility: {}, enquiry_end: when(10), bid_deadline: when(25), contract_months: 12 } });
    assert.equal(c.status, 201, c.text);
    return c.json.data.id;
  };
  const ids = await Promise.all(Array.from({ length: N }, (_, i) => mk(i % 2 ? a : b, i % 2 ? pa : pb, i)));
  let writing = true;
  const seen = [];
  let pages = 0;
  let stoppedAt = 0;
  const reader = (async () => {
    let after_ = from;
    for (;;) {
      const stop = !writing;
      const r = await (pages++ % 2 ? b : a).api('GET', `/api/v1/feed?after=${after_}&limit=3`);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.data);
      after_ = r.json.next_after;
      // A node may lag the other: done once every publication was seen (or 20 s after the writes).
      if (stop && seen.length >= N) return;
      if (stop && !r.json.data.length) {
        stoppedAt ||= Date.now();
        assert.ok(Date.now() - stoppedAt < 20000, `only ${seen.length} of ${N} changes ever appeared`);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  })();
  const rs = await Promise.all(ids.map((id, i) => (i % 2 ? b : a).api('POST', `/api/v1/tenders/${id}/publish`, { token: i % 2 ? pb : pa })));
  assert.deepEqual(rs.map((r) => r.status).filter((s) => s !== 200), []);
  writing = false;
  await reader;
  const seqs = seen.map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => from + 1 + i), 'increasing, no gaps, no duplicates');
  assert.deepEqual(seen.map((e) => `${e.type}:${e.id}:${e.action}`).sort(), ids.map((id) => `tender:${id}:publish`).sort());
});
