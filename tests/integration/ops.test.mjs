// Operations (SPEC §1, §3, §8): health, readiness, metrics, audit chain and tampering,
// configuration checks, master key checks, graceful SIGTERM, database outages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startDaemon, dbEnv, freePort, BIN, ROOT } from '../lib/daemon.mjs';

test('healthz, readyz and metrics', async () => {
  const d = await startDaemon();
  try {
    assert.equal((await d.api('GET', '/healthz')).json.status, 'ok');
    assert.equal((await d.api('GET', '/readyz')).json.status, 'ready');
    await d.api('GET', '/api/v1/me');
    const m = await d.api('GET', '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    assert.match(m.text, /sanzhi_http_requests_total\{route="GET \/api\/v1\/me",status="401"\} 1/);
    assert.match(m.text, /sanzhi_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
    assert.match(m.text, /sanzhi_db_connections \d+/);
    assert.match(m.text, /sanzhi_http_errors_total \d+/);
  } finally { await d.stop(); }
});

test('readyz fails until migrations are applied', async () => {
  const d = await startDaemon({ skipMigrate: true });
  try {
    const r = await d.api('GET', '/readyz');
    assert.equal(r.status, 503);
    assert.equal(r.json.code, 'migrations_pending');
    assert.ok(r.headers.get('retry-after'));
    assert.equal(d.cli(['migrate']).code, 0);
    assert.equal(d.cli(['migrate']).code, 0, 'migrate is idempotent');
    assert.equal((await d.api('GET', '/readyz')).status, 200);
    const applied = d.sql('SELECT COUNT(*) FROM schema_migrations').trim();
    assert.equal(Number(applied), fs.readdirSync(path.join(ROOT, 'sql')).filter((f) => f.endsWith('.sql')).length);
  } finally { await d.stop(); }
});

test('audit: every change is chained; any altered, removed or inserted row is detected', async () => {
  // One chain (audit_chains = 1): consecutive entries link to each other.
  const d = await startDaemon({ env: { SANZHI_AUDIT_CHAINS: '1' } });
  try {
    const admin = await d.as('admin');
    for (let i = 0; i < 4; i++) await d.api('POST', '/api/v1/users', { token: admin, body: { username: `aud${i}`, password: 'long-enough-pw', role: 'registrar', display_name: `r${i}` } });
    const list = await d.api('GET', '/api/v1/audit?limit=3', { token: admin });
    assert.equal(list.status, 200);
    assert.equal(list.json.data.length, 3);
    const e = list.json.data[0];
    assert.equal(e.action, 'user.create');
    assert.equal(e.actor, list.json.data[0].actor);
    assert.match(e.hash, /^[0-9a-f]{64}$/);
    assert.equal(list.json.data[0].prev_hash, list.json.data[1].hash);
    assert.ok(list.json.next_cursor);

    const registrar = await d.as('registrar');
    assert.equal((await d.api('GET', '/api/v1/audit', { token: registrar })).status, 403);
    const byObj = await d.api('GET', `/api/v1/audit?object_type=user&object_id=1`, { token: registrar });
    assert.equal(byObj.status, 403);
    assert.equal((await d.api('GET', '/api/v1/audit', { token: await d.as('applicant') })).status, 403);

    const ok = await d.api('GET', '/api/v1/audit/verify', { token: admin });
    assert.equal(ok.json.data.valid, true);
    const n = ok.json.data.entries;
    assert.ok(n >= 8);
    assert.equal(d.cli(['audit', 'verify']).code, 0);

    // Altered.
    d.sql(`UPDATE audit_log SET summary = '{"username":"forged"}' WHERE seq = 3`);
    let v = await d.api('GET', '/api/v1/audit/verify', { token: admin });
    assert.equal(v.json.data.valid, false);
    assert.equal(v.json.data.first_bad_seq, 3);
    const cli = d.cli(['audit', 'verify']);
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /entry 3/);
    // Repair by re-chaining is impossible without the hash: restore the original text instead.
    d.sql(`UPDATE audit_log SET summary = (SELECT summary FROM (SELECT summary FROM audit_log WHERE seq = 4) x) WHERE seq = 3`);
    v = await d.api('GET', '/api/v1/audit/verify', { token: admin });
    assert.equal(v.json.data.valid, false);
  } finally { await d.stop(); }
});

test('audit: removed and inserted rows are detected', async () => {
  const d = await startDaemon();
  try {
    const admin = await d.as('admin');
    for (let i = 0; i < 3; i++) await d.api('POST', '/api/v1/users', { token: admin, body: { username: `xuser${i}`, password: 'long-enough-pw', role: 'registrar', display_name: `r${i}` } });
    const total = Number(d.sql('SELECT MAX(seq) FROM audit_log').trim());
    d.sql('CREATE TABLE audit_copy AS SELECT * FROM audit_log');
    d.sql('DELETE FROM audit_log WHERE seq = 2');
    let v = d.cli(['audit', 'verify']);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /chain \d+ is missing #\d+/);
    d.sql('INSERT INTO audit_log SELECT * FROM audit_copy WHERE seq = 2');
    assert.equal(d.cli(['audit', 'verify']).code, 0);
    // Removing the newest entry: the head still remembers it.
    d.sql(`DELETE FROM audit_log WHERE seq = ${total}`);
    v = d.cli(['audit', 'verify']);
    assert.equal(v.code, 1);
    d.sql(`INSERT INTO audit_log SELECT * FROM audit_copy WHERE seq = ${total}`);
    // Inserting a forged entry in the middle shifts the chain (entries carry their place in the
    // chain of the instance that wrote them: shift that too).
    d.sql(`UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3 ORDER BY seq DESC`);
    const [chain, place] = d.sql('SELECT chain_id, chain_seq FROM audit_copy WHERE seq = 3').trim().split('\t');
    d.sql(`UPDATE audit_log SET chain_seq = chain_seq + 1 WHERE chain_id = ${chain} AND chain_seq >= ${place} ORDER BY chain_seq DESC`);
    d.sql(`INSERT INTO audit_log (seq, chain_id, chain_seq, at, actor_id, actor, role, action, object_type, object_id, summary, prev_hash, hash)
      SELECT 3, chain_id, chain_seq, at, actor_id, actor, role, 'user.forged', object_type, object_id, summary, prev_hash, hash FROM audit_copy WHERE seq = 3`);
    v = d.cli(['audit', 'verify']);
    assert.equal(v.code, 1);
  } finally { await d.stop(); }
});

test('configuration: unknown keys, bad values and a bad master key stop start-up with a clear message', async () => {
  const d = await startDaemon();
  try {
    const run = (env, args = ['serve']) => {
      try {
        execFileSync(BIN, args, { env: { ...d.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
        return { code: 0, stderr: '' };
      } catch (e) { return { code: e.status, stderr: e.stderr }; }
    };
    let r = run({ SANZHI_LISTN: '1.2.3.4:5' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown setting SANZHI_LISTN/);
    r = run({ SANZHI_THREADS: 'many' });
    assert.match(r.stderr, /threads must be a whole number/);
    r = run({ SANZHI_LISTEN: 'nonsense' });
    assert.match(r.stderr, /listen/);
    r = run({ SANZHI_LISTEN: '127.0.0.1:1s' });
    assert.match(r.stderr, /tls_cert/);
    r = run({ SANZHI_RULE_DECISION_DAYS: '-3' });
    assert.match(r.stderr, /decision_days/);
    r = run({ SANZHI_RULE_NO_SUCH_RULE: '3' });
    assert.match(r.stderr, /unknown rule/);
    // Ranges and consistency of rules, listeners, dates, numbers (each case: tests/unit/test_config.c).
    r = run({ SANZHI_RULE_PASSWORD_MIN_LENGTH: '4' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /rule password_min_length must be a whole number from 10 to 128/);
    r = run({ SANZHI_RULE_GRADE_4A_MIN: '950' });
    assert.match(r.stderr, /grade_4a_min \(950\) and grade_5a_min \(900\) disagree/);
    r = run({ SANZHI_LISTEN: '999.1.1.1:8080' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /listen: "999\.1\.1\.1:8080" is not/);
    r = run({ SANZHI_LISTEN: `127.0.0.1:${d.port + 1},` });
    assert.match(r.stderr, /listen: entry 2 is empty/);
    r = run({ SANZHI_HOLIDAYS: '2025-02-30' });
    assert.match(r.stderr, /holidays: "2025-02-30" is not a calendar date/);
    r = run({ SANZHI_THREADS: ' 4' });
    assert.match(r.stderr, /threads must be a whole number/);
    r = run({ SANZHI_TEST_CLOCK: '' });
    assert.match(r.stderr, /test_clock must be true or false/);
    r = run({}, ['--config', d.dir, 'serve']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read config file/);
    const dup = path.join(d.dir, 'dup.ini');
    fs.writeFileSync(dup, 'threads = 4\nthreads = 8\n');
    r = run({}, ['--config', dup, 'serve']);
    assert.match(r.stderr, /dup\.ini:2: duplicate key "threads" \(already set on line 1\)/);
    const ini = path.join(d.dir, 'bad.ini');
    fs.writeFileSync(ini, 'listen = 127.0.0.1:1\nfavourite_colour = blue\n');
    r = run({}, ['--config', ini, 'serve']);
    assert.match(r.stderr, /bad\.ini:2: unknown key "favourite_colour"/);

    const key = path.join(d.dir, 'k.key');
    fs.writeFileSync(key, 'ab'.repeat(32), { mode: 0o644 });
    fs.chmodSync(key, 0o644);
    r = run({ SANZHI_MASTER_KEY_FILE: key });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /readable by others/);
    fs.chmodSync(key, 0o600);
    fs.writeFileSync(key, 'zz'.repeat(32));
    r = run({ SANZHI_MASTER_KEY_FILE: key });
    assert.match(r.stderr, /64 hex characters/);
    r = run({ SANZHI_MASTER_KEY_FILE: path.join(d.dir, 'missing.key') });
    assert.match(r.stderr, /cannot be opened/);
    fs.writeFileSync(key, '00'.repeat(32));
    r = run({ SANZHI_MASTER_KEY_FILE: key });
    assert.match(r.stderr, /not random/);
    // A symbolic link to a 0600 key is followed: the daemon gets past the key and serves.
    const link = path.join(d.dir, 'link.key');
    fs.symlinkSync(d.env.SANZHI_MASTER_KEY_FILE, link);
    const d2 = await startDaemon({ env: { SANZHI_MASTER_KEY_FILE: link } });
    await d2.stop();
    // Secrets are never echoed.
    r = run({ SANZHI_DB_PASSWORD: 'hunter2-secret', SANZHI_THREADS: 'x' });
    assert.ok(!r.stderr.includes('hunter2-secret'));
  } finally { await d.stop(); }
});

test('SIGTERM: in-flight requests finish, the daemon exits 0', async () => {
  // A costly password hash makes the sign-up slow enough to be caught in flight.
  const d = await startDaemon({ env: { SANZHI_PASSWORD_COST: '16' } });
  const token = await d.as('applicant');
  const inflight = d.api('POST', '/api/v1/accounts', { body: { username: 'late_one', password: 'long-enough-pw', display_name: 'x', phone: '13800138000' } });
  await new Promise((r) => setTimeout(r, 60));
  d.proc.kill('SIGTERM');
  const r = await inflight;
  assert.equal(r.status, 201);
  const [code] = await d.exited;
  assert.equal(code, 0);
  assert.match(d.logs, /"msg":"stopped"/);
  void token;
  await d.stop();
});

// A TCP proxy in front of MariaDB that can be switched off and on.
function dbProxy(targetPort) {
  const sockets = new Set();
  let server;
  const up = () => new Promise((res) => {
    server = net.createServer((c) => {
      const u = net.connect(targetPort, '127.0.0.1');
      sockets.add(c); sockets.add(u);
      c.pipe(u); u.pipe(c);
      const end = () => { c.destroy(); u.destroy(); sockets.delete(c); sockets.delete(u); };
      c.on('error', end); u.on('error', end); c.on('close', end); u.on('close', end);
    });
    server.listen(proxy.port, '127.0.0.1', res);
  });
  const down = () => new Promise((res) => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    server ? server.close(() => res()) : res();
    server = null;
  });
  const proxy = { port: 0, up, down };
  return proxy;
}

test('the daemon starts with the database down, answers 503 + Retry-After, and recovers by itself', async () => {
  const e = dbEnv();
  const proxy = dbProxy(Number(e.SANZHI_DB_PORT));
  proxy.port = await freePort();
  // Migrate through the real socket first, then run the daemon through the (down) proxy.
  const d = await startDaemon({ env: { SANZHI_DB_SOCKET: '', SANZHI_DB_HOST: '127.0.0.1', SANZHI_DB_PORT: String(proxy.port) },
    skipMigrate: true });
  const down = await d.api('GET', '/readyz');
  assert.equal(down.status, 503);
  assert.equal(down.json.code, 'database_unavailable');
  await d.stop();
  await proxy.up();
  // (The proxy lives in this process: migrate, which blocks it, goes through the socket.)
  const d2 = await startDaemon({ env: { SANZHI_DB_SOCKET: '', SANZHI_DB_HOST: '127.0.0.1', SANZHI_DB_PORT: String(proxy.port) },
    migrateEnv: { SANZHI_DB_SOCKET: e.SANZHI_DB_SOCKET } });
  try {
    const token = await d2.as('admin');
    await proxy.down();
    await d2.stop({ keep: true });
    await d2.start({ waitReady: false });
    assert.equal((await d2.api('GET', '/healthz')).status, 200);
    const ready = await d2.api('GET', '/readyz');
    assert.equal(ready.status, 503);
    const r = await d2.api('GET', '/api/v1/me', { token });
    assert.equal(r.status, 503);
    assert.equal(r.json.code, 'database_unavailable');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    await proxy.up();
    let back = false;
    for (let i = 0; i < 50 && !back; i++) {
      await new Promise((res) => setTimeout(res, 100));
      back = (await d2.api('GET', '/api/v1/me', { token })).status === 200;
    }
    assert.ok(back, 'recovered after the database returned');
    // A connection lost mid-flight: kill it under the daemon, the next request reconnects.
    await proxy.down();
    await proxy.up();
    let ok = 0;
    for (let i = 0; i < 10; i++) if ((await d2.api('GET', '/api/v1/me', { token })).status === 200) ok++;
    assert.ok(ok >= 8, `after a dropped connection ${ok}/10 succeeded`);
  } finally {
    await proxy.down();
    await d2.stop();
  }
});

test('kill -9 under load: every acknowledged write survives, nothing half-done, the chain verifies', async () => {
  const d = await startDaemon();
  try {
    const acked = [];
    let n = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const username = `crash_${n++}`;
        try {
          const r = await d.api('POST', '/api/v1/accounts', { body: { username, password: 'long-enough-pw', display_name: 'c', phone: '13800138000' } });
          if (r.status === 201) acked.push(username);
        } catch { /* the connection died with the daemon */ }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    // Killed mid-load, once enough writes were acknowledged to say something (sign-ups hash a
    // password each: on a loaded machine that takes a while, so the test waits for them, not a time).
    const t0 = Date.now();
    while (acked.length < 12 && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 50));
    await d.kill9();
    stop = true;
    await Promise.all(workers);
    assert.ok(acked.length > 5, `only ${acked.length} sign-ups were acknowledged`);
    await d.start();
    const users = new Set(d.sql("SELECT username FROM users WHERE username LIKE 'crash\\_%'").trim().split('\n'));
    for (const u of acked) assert.ok(users.has(u), `${u} was acknowledged but is gone`);
    // Each user has its audit entry (the two commit together or not at all).
    const audited = Number(d.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'user.create'").trim());
    assert.equal(audited, Number(d.sql('SELECT COUNT(*) FROM users').trim()));
    assert.equal(d.cli(['audit', 'verify']).code, 0);
  } finally { await d.stop(); }
});

test('audit: setting the test clock is audited with the old and new time', async () => {
  const d = await startDaemon();
  try {
    await d.addUser({ username: 'clock_setter', role: 'admin' });
    const admin = await d.login('clock_setter');
    const before = Date.now();
    const r = await d.api('PUT', '/api/v1/admin/clock', { token: admin, body: { now: '2031-03-04T05:06:07Z' } });
    assert.equal(r.status, 200);
    // (The jump expired the token.)
    const list = await d.api('GET', '/api/v1/audit?action=clock.set', { token: await d.login('clock_setter') });
    assert.equal(list.json.data.length, 1);
    const e = list.json.data[0];
    assert.equal(e.object_type, 'clock');
    assert.equal(e.summary.new, '2031-03-04T05:06:07Z');
    assert.ok(Math.abs(Date.parse(e.summary.old) - before) < 60e3, e.summary.old);
    assert.equal(d.cli(['audit', 'verify']).code, 0);
  } finally { await d.stop(); }
});

test('audit: filters by actor and time; unknown query parameters are 400 naming them', async () => {
  const d = await startDaemon();
  try {
    await d.addUser({ username: 'audit_boss', role: 'admin' });
    const create = async (username) => {
      const r = await d.api('POST', '/api/v1/users', { token: await d.login('audit_boss'), body: { username, password: 'long-enough-pw', role: 'registrar', display_name: 'x' } });
      assert.equal(r.status, 201, r.text);
    };
    await d.setClock('2030-01-01T00:00:00Z');
    await create('early');
    await d.setClock('2030-06-01T00:00:00Z');
    await create('late');
    const admin = await d.login('audit_boss');
    const q = async (query) => d.api('GET', `/api/v1/audit?${query}`, { token: admin });
    let r = await q('actor=audit_boss&action=user.create');
    assert.deepEqual(r.json.data.map((e) => e.summary.username), ['late', 'early']);
    r = await q('actor=system&action=user.create');
    assert.ok(r.json.data.every((e) => e.actor === 'system'));
    assert.ok(!r.json.data.some((e) => e.summary.username === 'late'));
    r = await q('action=user.create&from=2030-03-01T00:00:00Z');
    assert.deepEqual(r.json.data.map((e) => e.summary.username), ['late']);
    r = await q('action=user.create&from=2029-12-31T00:00:00Z&to=2030-03-01T00:00:00Z');
    assert.deepEqual(r.json.data.map((e) => e.summary.username), ['early']);
    for (const bad of ['after=5', 'actr=x', 'object_type=user&sort=asc']) {
      r = await q(bad);
      assert.equal(r.status, 400, bad);
      assert.equal(r.json.code, 'unknown_parameter');
      assert.match(r.json.detail, new RegExp(bad.split('&').pop().split('=')[0]));
    }
    r = await q('from=yesterday');
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'invalid_time');
  } finally { await d.stop(); }
});
