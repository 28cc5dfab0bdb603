// daemon.mjs — starts the real sanzhid on a free port against its own fresh database in the
// private MariaDB (scripts/devdb.sh), and talks to it over HTTP. Every test file gets its own.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.SANZHI_BIN || path.join(ROOT, 'build/sanzhid');

let dbEnvCache;
export function dbEnv() {
  if (dbEnvCache) return dbEnvCache;
  const out = execFileSync(path.join(ROOT, 'scripts/devdb.sh'), ['env'], { encoding: 'utf8' });
  const env = {};
  for (const m of out.matchAll(/(SANZHI_DB_[A-Z_]+)=(\S+)/g)) env[m[1]] = m[2];
  dbEnvCache = env;
  return env;
}

export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

// Runs SQL on a database as the sanzhi user (tests use it to tamper, never to set up state
// the API could set up).
export function sql(database, query) {
  const e = dbEnv();
  return execFileSync('mariadb', ['--socket', e.SANZHI_DB_SOCKET, '-u', e.SANZHI_DB_USER,
    `-p${e.SANZHI_DB_PASSWORD}`, '--batch', '--skip-column-names', database, '-e', query],
  { encoding: 'utf8' });
}

let counter = 0;
function newDatabaseName() {
  return `sanzhi_t${process.pid}_${++counter}_${crypto.randomBytes(3).toString('hex')}`;
}

export function selfSignedCert(dir) {
  const pem = path.join(dir, 'tls.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  fs.writeFileSync(pem, fs.readFileSync(path.join(dir, 'key.pem')) + fs.readFileSync(path.join(dir, 'cert.pem')));
  return pem;
}

export async function startDaemon(opts = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanzhi-'));
  const keyFile = path.join(dir, 'master.key');
  fs.writeFileSync(keyFile, crypto.randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  const database = opts.database || newDatabaseName();
  const port = opts.port || await freePort();
  let listen = `127.0.0.1:${port}`;
  let tlsPort;
  const extra = {};
  if (opts.tls) {
    tlsPort = await freePort();
    listen += `,127.0.0.1:${tlsPort}s`;
    extra.SANZHI_TLS_CERT = selfSignedCert(dir);
  }
  const e = dbEnv();
  const env = {
    PATH: process.env.PATH,
    ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0',
    UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
    SANZHI_DB_SOCKET: e.SANZHI_DB_SOCKET,
    SANZHI_DB_NAME: database,
    SANZHI_DB_USER: e.SANZHI_DB_USER,
    SANZHI_DB_PASSWORD: e.SANZHI_DB_PASSWORD,
    SANZHI_MASTER_KEY_FILE: keyFile,
    SANZHI_LISTEN: listen,
    SANZHI_TEST_CLOCK: '1',
    SANZHI_THREADS: '16',
    SANZHI_PASSWORD_COST: '10',
    SANZHI_DATA_DIR: dir,
    SANZHI_ADMIN_UI_DIR: path.join(ROOT, 'admin-ui'),
    ...extra,
    ...(opts.env || {}),
  };
  if (!opts.database) sql('', `CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`);
  const d = new Daemon({ dir, database, port, tlsPort, env, keepDatabase: !!opts.database });
  d.readyTimeoutMs = opts.readyTimeoutMs;
  d.cliEnv = opts.migrateEnv || {};
  if (!opts.skipMigrate) {
    const m = d.cli(['migrate']);
    if (m.code !== 0) throw new Error(`migrate failed: ${m.stderr}`);
  }
  await d.start({ waitReady: !opts.skipMigrate });
  return d;
}

export class Daemon {
  constructor({ dir, database, port, tlsPort, env, keepDatabase }) {
    Object.assign(this, { dir, database, port, tlsPort, env, keepDatabase });
    this.url = `http://127.0.0.1:${port}`;
    this.tlsUrl = tlsPort ? `https://127.0.0.1:${tlsPort}` : null;
    this.logs = '';
    this.proc = null;
  }

  async start({ waitReady = true } = {}) {
    this.proc = spawn(BIN, ['serve'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (b) => { this.logs += b; });
    this.proc.stderr.on('data', (b) => { this.logs += b; });
    this.exited = once(this.proc, 'exit');
    const deadline = Date.now() + (this.readyTimeoutMs || 20000);
    const path_ = waitReady ? '/readyz' : '/healthz';
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`sanzhid exited: ${this.logs}`);
      try {
        const r = await fetch(this.url + path_);
        if (r.status === 200) return;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) {
        this.proc.kill('SIGKILL');
        await this.exited;
        throw new Error(`sanzhid not ready: ${this.logs}`);
      }
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  async api(method, p, { body, token, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let payload;
    if (raw !== undefined) payload = raw;
    else if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
    }
    const r = await fetch(this.url + p, { method, headers: h, body: payload });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: r.status, headers: r.headers, json, text };
  }

  cli(args, { stdin = '', env = {} } = {}) {
    try {
      const stdout = execFileSync(BIN, args, { env: { ...this.env, ...this.cliEnv, ...env }, input: stdin, encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'] });
      return { code: 0, stdout, stderr: '' };
    } catch (err) {
      return { code: err.status, stdout: err.stdout || '', stderr: err.stderr || '' };
    }
  }

  async addUser({ username, password = 'correct-horse-9', role, display_name, department, expert } = {}) {
    const args = ['user', 'add', '--username', username, '--role', role];
    if (display_name) args.push('--display-name', display_name);
    if (department) args.push('--department', department);
    if (expert) args.push('--expert');
    const r = this.cli(args, { stdin: password + '\n' });
    if (r.code !== 0) throw new Error(`user add failed: ${r.stderr}`);
    return Number(r.stdout.trim());
  }

  async login(username, password = 'correct-horse-9') {
    const r = await this.api('POST', '/api/v1/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
    return r.json.data.token;
  }

  // Creates a user of the role and signs in; returns the token.
  async as(role, extra = {}) {
    const username = extra.username || `${role}_${crypto.randomBytes(4).toString('hex')}`;
    await this.addUser({ username, role, department: role === 'purchaser' ? '海盐县民政局' : undefined, ...extra });
    return this.login(username, extra.password);
  }

  // Moves the daemon's test clock. Uses a clock admin of its own, signing in again when a
  // jump in time has expired its token.
  async setClock(iso, adminToken) {
    if (!this.clockAdmin) {
      this.clockAdmin = `clock_admin_${crypto.randomBytes(3).toString('hex')}`;
      await this.addUser({ username: this.clockAdmin, role: 'admin' });
    }
    let token = adminToken || this.adminToken || (this.adminToken = await this.login(this.clockAdmin));
    let r = await this.api('PUT', '/api/v1/admin/clock', { token, body: { now: iso } });
    if (r.status === 401 && !adminToken) {
      token = this.adminToken = await this.login(this.clockAdmin);
      r = await this.api('PUT', '/api/v1/admin/clock', { token, body: { now: iso } });
    }
    if (r.status !== 200) throw new Error(`set clock failed: ${r.text}`);
  }

  sql(query) { return sql(this.database, query); }

  async restart() {
    await this.stop({ keep: true });
    await this.start();
  }

  async stop({ keep = false } = {}) {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await this.exited;
    }
    this.exitCode = this.proc ? this.proc.exitCode : null;
    if (!keep) {
      if (!this.keepDatabase) {
        try { sql('', `DROP DATABASE IF EXISTS ${this.database}`); } catch { /* server gone */ }
      }
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
    return this.exitCode;
  }

  async kill9() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }
}
