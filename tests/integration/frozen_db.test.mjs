// A database that stops answering (issue 7 item 6), and the private MariaDB's port.
//
// These tests run their own private MariaDB: scripts/devdb.sh copied into a scratch checkout, so
// that it keeps its server under <scratch>/var/mariadb. Freezing the shared one (SIGSTOP) would
// fail whichever test file runs beside this one: its daemon's new connections time out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { ROOT, startDaemon } from '../lib/daemon.mjs';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sz-db-'));
const devdb = path.join(scratch, 'scripts/devdb.sh');
const pidFile = path.join(scratch, 'var/mariadb/mysqld.pid');
let started = false;

// Runs the scratch devdb.sh; never throws: {code, stdout, stderr}.
function runDevdb(args, env = {}) {
  const base = { ...process.env };
  delete base.SANZHI_DEVDB_PORT;
  return new Promise((resolve) => {
    execFile(devdb, args, { env: { ...base, ...env }, encoding: 'utf8', timeout: 120000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

function parseEnv(out) {
  const env = {};
  for (const m of out.matchAll(/(SANZHI_DB_[A-Z_]+)=(\S+)/g)) env[m[1]] = m[2];
  return env;
}

// Listens on port (resolves to the server) or resolves to null when something else holds it.
async function hold(port) {
  const srv = net.createServer((s) => s.destroy());
  srv.listen(port, '127.0.0.1');
  try {
    await Promise.race([once(srv, 'listening'), once(srv, 'error').then(([e]) => { throw e; })]);
    return srv;
  } catch (e) {
    if (e.code === 'EADDRINUSE') return null;
    throw e;
  }
}

async function release(srv) {
  if (!srv) return;
  srv.close();
  await once(srv, 'close');
}

function serverPid() {
  return Number(fs.readFileSync(pidFile, 'utf8').trim());
}

before(() => {
  fs.mkdirSync(path.dirname(devdb), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'scripts/devdb.sh'), devdb);
  fs.chmodSync(devdb, 0o755);
});

after(async () => {
  if (started) {
    try { process.kill(serverPid(), 'SIGCONT'); } catch { /* not running */ }
    await runDevdb(['stop']);
  }
  fs.rmSync(scratch, { recursive: true, force: true });
});

test('devdb start: a taken SANZHI_DEVDB_PORT stops it with how to choose; unset, a free port is picked and remembered', async () => {
  // 3307, the first port tried, is held (here or by another checkout's MariaDB).
  const first = await hold(3307);
  const taken = await hold(0);
  const takenPort = taken.address().port;
  try {
    const refused = await runDevdb(['start'], { SANZHI_DEVDB_PORT: String(takenPort) });
    assert.notEqual(refused.code, 0, refused.stderr);
    assert.match(refused.stderr, new RegExp(`port ${takenPort} .*taken`));
    assert.match(refused.stderr, /unset SANZHI_DEVDB_PORT/);
    assert.match(refused.stderr, /SANZHI_DEVDB_PORT=\d+ scripts\/devdb\.sh start/);
    assert.ok(!fs.existsSync(pidFile) || (await runDevdb(['status'])).code !== 0, 'no server was left running');

    const r = await runDevdb(['start']);
    assert.equal(r.code, 0, r.stderr);
    started = true;
    const env = parseEnv((await runDevdb(['env'])).stdout);
    const port = Number(env.SANZHI_DB_PORT);
    assert.ok(port > 0 && port !== 3307 && port !== takenPort, `picked ${port}`);
    assert.equal(fs.readFileSync(path.join(scratch, 'var/mariadb/port'), 'utf8').trim(), String(port));
    assert.equal(env.SANZHI_DB_SOCKET, path.join(scratch, 'var/mariadb/mysqld.sock'));
    // The server really is on that port.
    const s = net.connect(port, '127.0.0.1');
    await once(s, 'connect');
    s.destroy();
    // env keeps its one-line format (tools outside the repository read it).
    assert.match((await runDevdb(['env'])).stdout,
      /^export SANZHI_DB_SOCKET=\S+ SANZHI_DB_HOST=127\.0\.0\.1 SANZHI_DB_PORT=\d+ SANZHI_DB_NAME=sanzhi SANZHI_DB_USER=sanzhi SANZHI_DB_PASSWORD=\S+\n$/);
  } finally {
    await release(first);
    await release(taken);
  }
});

test('a frozen database: 503 with Retry-After within db_read_timeout, and the daemon heals when it thaws', async (t) => {
  if (!started) {
    const r = await runDevdb(['start']);
    assert.equal(r.code, 0, r.stderr);
    started = true;
  }
  const e = parseEnv((await runDevdb(['env'])).stdout);
  const readTimeout = 2;
  const connectTimeout = 1;
  const d = await startDaemon({
    database: 'sanzhi',
    env: {
      SANZHI_DB_SOCKET: e.SANZHI_DB_SOCKET,
      SANZHI_DB_PASSWORD: e.SANZHI_DB_PASSWORD,
      SANZHI_DB_READ_TIMEOUT: String(readTimeout),
      SANZHI_DB_CONNECT_TIMEOUT: String(connectTimeout),
      SANZHI_THREADS: '2',
    },
  });
  const pid = serverPid();
  try {
    const token = await d.as('admin');
    // Every worker holds an open connection: the freeze then meets a statement in flight, not a
    // connect (which db_connect_timeout bounds anyway).
    for (const r of await Promise.all(Array.from({ length: 6 }, () => d.api('GET', '/api/v1/me', { token })))) {
      assert.equal(r.status, 200, r.text);
    }
    // A bound well under the 30 s the daemon used to wait, with room for a slow shared machine:
    // one read timeout plus one reconnect attempt, plus slack.
    const boundMs = (readTimeout + connectTimeout + 10) * 1000;
    process.kill(pid, 'SIGSTOP');
    const t0 = Date.now();
    try {
      const rs = await Promise.all(Array.from({ length: 2 }, () =>
        fetch(`${d.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(boundMs) })));
      for (const r of rs) {
        assert.equal(r.status, 503);
        assert.match(r.headers.get('retry-after') || '', /^\d+$/);
        assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
        assert.equal((await r.json()).code, 'database_unavailable');
      }
      t.diagnostic(`frozen: answered in ${Date.now() - t0} ms`);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const t1 = Date.now();
    // Thawed: the same requests succeed again without a restart.
    let last;
    for (let i = 0; i < 100; i++) {
      last = await d.api('GET', '/api/v1/me', { token });
      if (last.status === 200) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(last.status, 200, last.text);
    t.diagnostic(`thawed: healed in ${Date.now() - t1} ms`);
    for (let i = 0; i < 4; i++) assert.equal((await d.api('GET', '/api/v1/me', { token })).status, 200);
    assert.equal((await d.api('GET', '/readyz')).status, 200);
  } finally {
    try { process.kill(pid, 'SIGCONT'); } catch { /* gone */ }
    await d.stop();
  }
});
