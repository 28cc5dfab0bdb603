// The private MariaDB's port (issue 7 item 6).
//
// These tests run their own private MariaDB: scripts/devdb.sh copied into a scratch checkout, so
// that it keeps its server under <scratch>/var/mariadb.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { ROOT } from '../lib/daemon.mjs';

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
