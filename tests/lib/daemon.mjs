// daemon.mjs — starts the real sanzhid on a free port against its own fresh database in the
// private MariaDB (scripts/devdb.sh), and talks to it over HTTP. Every test file gets its own.
// Every answer a test receives from a daemon, through d.api() or fetch(), is checked against
// api/openapi.json (checkAnswer below): an answer the document does not describe fails the test
// that received it.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.SANZHI_BIN || path.join(ROOT, 'build/sanzhid');

// --- the document every answer must agree with --------------------------------------------------
// Operations are found as the dispatcher finds routes (a path template whose literal segments
// equal the path's, and whose {parameters} each take one non-empty segment). Then:
//   - the status must be one the operation lists, with the headers it marks required;
//   - a body must be of a media type the status lists (no body where it lists none), and a JSON
//     body (application/json, application/problem+json) must match the schema (JSON Schema
//     2020-12, formats checked);
//   - a path the document has, asked with a method it has not: 405 with Allow naming exactly
//     the documented methods (components.responses.MethodNotAllowed), or 501 for a method the
//     server does not implement; a path it has not: 404, or 400 invalid_path
//     (components.responses.NoSuchResource); draining: 503 shutting_down anywhere.
// Outside the document: / and /admin/… (the static UI, not the API).
// Not checked here: requests a test writes on a raw socket (net/tls: http.test.mjs, ops.test.mjs)
// or with node:http (accounts.test.mjs, to send from another address); the raw socket ones send
// what is not HTTP a document can describe (malformed request lines, trickled bodies, TLS 1.1).
export const OPENAPI = JSON.parse(fs.readFileSync(path.join(ROOT, 'api/openapi.json'), 'utf8'));
const SCHEMA_BASE = 'https://sanzhi.invalid/openapi/';
const API_METHODS = ['get', 'put', 'post', 'patch', 'delete'];
// Methods CivetWeb passes to the dispatcher (it answers every other one 501 itself).
const ROUTABLE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'PROPFIND', 'MKCOL',
  'LOCK', 'UNLOCK', 'PROPPATCH', 'REPORT'];

function makeAjv() {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, strictRequired: false,
    allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);  // OpenAPI: a file's bytes (never a JSON body)
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);  // OpenAPI annotations
  // "#/components/schemas/X" is a pointer into the document; each component is a schema of its own.
  const rewrite = (v) => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (!v || typeof v !== 'object') return v;
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      o[k] = k === '$ref' && typeof x === 'string' && x.startsWith('#/components/schemas/')
        ? SCHEMA_BASE + x.slice('#/components/schemas/'.length) : rewrite(x);
    }
    return o;
  };
  for (const [name, schema] of Object.entries(OPENAPI.components.schemas)) ajv.addSchema(rewrite(schema), SCHEMA_BASE + name);
  return { ajv, rewrite };
}
let validator;
const compiled = new Map();
function schemaCheck(key, schema, value) {
  validator ||= makeAjv();
  let v = compiled.get(key);
  if (!v) {
    v = validator.ajv.compile(validator.rewrite(schema));
    compiled.set(key, v);
  }
  if (v(value)) return null;
  return validator.ajv.errorsText(v.errors, { dataVar: 'body', separator: '; ' });
}

function deref(o) {
  while (o && o.$ref) {
    let node = OPENAPI;
    for (const k of o.$ref.slice(2).split('/')) node = node?.[k.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (!node) throw new Error(`openapi.json: unresolved ${o.$ref}`);
    o = node;
  }
  return o;
}

const templates = Object.keys(OPENAPI.paths).map((p) => ({
  path: p,
  re: new RegExp('^' + p.split(/\{[^}]+\}/).map((lit) => lit.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+') + '$'),
}));

// Every schema of every answer is compiled now, once per process: a schema the validator cannot
// read (a typo such as "minLenght", an unresolved $ref) fails every test file at once, even when
// no test receives that answer.
function responseSchemas(key, resp, out) {
  resp = deref(resp);
  for (const [type, media] of Object.entries(resp.content || {})) {
    if (media.schema && (type === 'application/json' || type.endsWith('+json') || type.startsWith('text/'))) out.push([`${key} ${type}`, media.schema]);
  }
}
{
  const all = [];
  for (const [p, item] of Object.entries(OPENAPI.paths)) {
    for (const m of API_METHODS) {
      for (const [status, resp] of Object.entries(item[m]?.responses || {})) responseSchemas(`${m} ${p} ${status}`, resp, all);
    }
  }
  responseSchemas('shutting_down', OPENAPI.paths['/healthz'].get.responses['503'], all);
  for (const name of ['NotImplemented', 'MethodNotAllowed', 'NoSuchResource']) responseSchemas(name, OPENAPI.components.responses[name], all);
  for (const [key, schema] of all) schemaCheck(key, schema, undefined);
}

const mediaType = (headers) => (headers.get('content-type') || '').split(';')[0].trim().toLowerCase();

// Checks one answer against the document; throws an Error naming method, path, status and what
// does not agree. headers: a fetch Headers object; text: the body as text ('' when none).
export function checkAnswer(method, pathAndQuery, status, headers, text) {
  const url = new URL(pathAndQuery, 'http://x');
  const p = url.pathname;
  if (p === '/' || p === '/admin' || p.startsWith('/admin/')) return;  // the static UI
  const where = `${method} ${pathAndQuery} → ${status}`;
  const fail = (why) => {
    const body = text && text.length > 600 ? text.slice(0, 600) + '…' : text;
    throw new Error(`answer not described by api/openapi.json: ${where}: ${why}\n  body: ${body}`);
  };
  const matches = templates.filter((t) => t.re.test(p));
  // Methods are case-sensitive: "get" is not GET.
  const opName = method === 'HEAD' ? 'get' : API_METHODS.find((m) => m.toUpperCase() === method);
  const hit = opName && matches.find((t) => OPENAPI.paths[t.path][opName]);
  let resp, key;
  const problemCode = () => { try { return JSON.parse(text).code; } catch { return undefined; } };
  if (hit) {
    const op = OPENAPI.paths[hit.path][opName];
    resp = op.responses[String(status)];
    if (!resp) fail(`status ${status} is not listed for ${opName.toUpperCase()} ${hit.path} (listed: ${Object.keys(op.responses).join(', ')})`);
    key = `${opName} ${hit.path} ${status}`;
  } else if (status === 503 && problemCode() === 'shutting_down') {
    resp = OPENAPI.paths['/healthz'].get.responses['503'];
    key = 'shutting_down';
  } else if (!ROUTABLE_METHODS.includes(method)) {
    if (status !== 501) fail(`${method} is not implemented: the document promises 501`);
    resp = OPENAPI.components.responses.NotImplemented;
    key = 'NotImplemented';
  } else if (matches.length) {
    if (status !== 405) fail(`${matches.map((t) => t.path).join(', ')} has no ${method}: the document promises 405`);
    const want = [...new Set(matches.flatMap((t) => API_METHODS.filter((m) => OPENAPI.paths[t.path][m]).map((m) => m.toUpperCase())))].sort();
    const allow = (headers.get('allow') || '').split(',').map((m) => m.trim()).filter(Boolean).sort();
    if (allow.join() !== want.join()) fail(`Allow is "${headers.get('allow')}", the document has ${want.join(', ')}`);
    resp = OPENAPI.components.responses.MethodNotAllowed;
    key = 'MethodNotAllowed';
  } else {
    if (status !== 404 && !(status === 400 && problemCode() === 'invalid_path')) fail('no path of the document matches: the document promises 404 (or 400 invalid_path)');
    resp = OPENAPI.components.responses.NoSuchResource;
    key = 'NoSuchResource';
  }
  resp = deref(resp);
  for (const [name, h] of Object.entries(resp.headers || {})) {
    if (deref(h).required && headers.get(name) === null) fail(`header ${name} is required and missing`);
  }
  if (method === 'HEAD' || status === 304 || status === 204) {
    if (text) fail('this answer has no body, yet one came');
    return;
  }
  const type = mediaType(headers);
  if (!resp.content) {
    if (text) fail(`a body of type ${type || '(none)'} came; the document describes none`);
    return;
  }
  const media = resp.content[type] || resp.content[type.replace(/\/.*/, '/*')] || resp.content['*/*'];
  if (!media) fail(`Content-Type ${type || '(none)'} is not among ${Object.keys(resp.content).join(', ')}`);
  if (!media.schema) return;
  if (type === 'application/json' || type.endsWith('+json')) {
    let value;
    try { value = JSON.parse(text); } catch { fail(`the ${type} body is not JSON`); }
    const err = schemaCheck(`${key} ${type}`, media.schema, value);
    if (err) fail(`the body does not match the schema: ${err}`);
  } else if (type.startsWith('text/')) {
    const err = schemaCheck(`${key} ${type}`, media.schema, text);
    if (err) fail(`the body does not match the schema: ${err}`);
  }
}

// fetch() to a daemon started here is checked too (tests download files and fetch the UI with it).
const daemonOrigins = new Set();
const rawFetch = globalThis.fetch;
globalThis.fetch = async function checkedFetch(input, init = {}) {
  const res = await rawFetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (daemonOrigins.has(url.origin)) {
    const method = (init.method || (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const text = method === 'HEAD' ? '' : await res.clone().text();
    checkAnswer(method, url.pathname + url.search, res.status, res.headers, text);
  }
  return res;
};

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

// Runs SQL on a database as the database's superuser (root over the socket, scripts/devdb.sh
// root-sql): tests use it to tamper, never to set up state the API could set up. The daemon's own
// account cannot change or remove audit rows (sql/0012); whoever holds the whole database can.
export function sql(database, query) {
  return execFileSync(path.join(ROOT, 'scripts/devdb.sh'), ['root-sql', '--batch', '--skip-column-names',
    ...(database ? [database] : []), '-e', query], { encoding: 'utf8' });
}

// The same as the daemon's account (SANZHI_DB_USER), to show what that account may not do.
export function sqlAsDaemon(database, query) {
  const e = dbEnv();
  return execFileSync('mariadb', ['--socket', e.SANZHI_DB_SOCKET, '-u', e.SANZHI_DB_USER,
    `-p${e.SANZHI_DB_PASSWORD}`, '--batch', '--skip-column-names', database, '-e', query],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
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
    daemonOrigins.add(new URL(this.url).origin);
    if (this.tlsUrl) daemonOrigins.add(new URL(this.tlsUrl).origin);
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
      let r, text;
      try {
        r = await rawFetch(this.url + path_);
        text = await r.text();
      } catch { /* not listening yet */ }
      if (r) checkAnswer('GET', path_, r.status, r.headers, text);
      if (r?.status === 200) return;
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
    let r;
    try {
      r = await rawFetch(this.url + p, { method, headers: h, body: payload });
    } catch (err) {
      // The daemon frees an idle keep-alive connection after 5 s. A test that held the event loop
      // that long (a CLI call, a big import) can send its next request on the pooled socket as it
      // closes: the request never reached the daemon, so it goes once more on a new connection.
      // Not when the daemon is gone (a crash test must see the failure).
      const code = err.cause?.code;
      if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') throw err;
      await new Promise((res) => setTimeout(res, 100));
      if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) throw err;
      r = await rawFetch(this.url + p, { method, headers: h, body: payload });
    }
    const text = await r.text();
    checkAnswer(method.toUpperCase(), p, r.status, r.headers, text);
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
  // frozen: the clock stands at iso until set again (deadlines tested to the microsecond).
  async setClock(iso, adminToken, { frozen = false } = {}) {
    if (!this.clockAdmin) {
      this.clockAdmin = `clock_admin_${crypto.randomBytes(3).toString('hex')}`;
      await this.addUser({ username: this.clockAdmin, role: 'admin' });
    }
    let token = adminToken || this.adminToken || (this.adminToken = await this.login(this.clockAdmin));
    const body = frozen ? { now: iso, frozen: true } : { now: iso };
    let r = await this.api('PUT', '/api/v1/admin/clock', { token, body });
    if (r.status === 401 && !adminToken) {
      token = this.adminToken = await this.login(this.clockAdmin);
      r = await this.api('PUT', '/api/v1/admin/clock', { token, body });
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
