// chaos.mjs — `make chaos` (never part of make test): mixed load for a few minutes while the
// daemon and the database are killed (-9) at random moments, then the invariants:
//   - every write acknowledged with 2xx is there;
//   - no half-done change: no approved application without its organization, certificate and
//     history event; no organization without its audit entry; no submitted application without
//     its documents;
//   - an idempotent retry after a fault is answered once: one resource per key;
//   - the audit chain verifies.
// Prints the figures: requests, faults injected, acknowledged writes, anything lost (must be 0).
// CHAOS_SECONDS (default 180) sets the length; the exit code is 1 when anything was lost.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, ROOT } from '../lib/daemon.mjs';
import { pdf, png, jpeg, socialGroupApplication } from '../lib/fixtures.mjs';

const SECONDS = Number(process.env.CHAOS_SECONDS || 180);
const WORKERS = 6;
const devdb = (...args) => execFileSync(path.join(ROOT, 'scripts/devdb.sh'), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rand = (n) => crypto.randomInt(0, n);

const stats = { requests: 0, answered: 0, networkErrors: 0, status5xx: 0, daemonKills: 0, dbKills: 0, retries: 0 };
const acked = { signups: [], applications: [], documents: [], submitted: [], approved: [], idempotent: [] };
let stopping = false;

const d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '5', SANZHI_THREADS: '32' } });
const admin = await d.as('admin');
const registrarName = `chaos_reg_${crypto.randomBytes(3).toString('hex')}`;
await d.addUser({ username: registrarName, role: 'registrar' });

// One request, retried with the same Idempotency-Key (when it has one) through faults until it is
// answered: a 5xx or a dropped connection is what a fault looks like from outside.
async function call(method, p, opts = {}, { tries = 40 } = {}) {
  for (let i = 0; i < tries && !(stopping && i > 0 && !opts.mustFinish); i++) {
    stats.requests++;
    try {
      const r = await d.api(method, p, opts);
      if (r.status >= 500) {
        stats.status5xx++;
      } else {
        stats.answered++;
        return r;
      }
    } catch {
      stats.networkErrors++;
    }
    if (i > 0) stats.retries++;
    await sleep(200 + rand(300));
  }
  return null;
}

let registrarToken = null;
async function registrar() {
  if (!registrarToken) registrarToken = await d.login(registrarName).catch(() => null);
  return registrarToken;
}

async function signUp() {
  const username = `chaos_${crypto.randomBytes(5).toString('hex')}`;
  const key = crypto.randomUUID();
  const body = { username, password: 'long-enough-pw', display_name: '混沌', phone: '13800138000' };
  const r = await call('POST', '/api/v1/accounts', { body, headers: { 'Idempotency-Key': key } });
  if (r?.status === 201) {
    acked.signups.push({ username, id: r.json.data.id });
    acked.idempotent.push({ kind: 'user', username });
    return { username, token: null };
  }
  return null;
}

async function tokenOf(u) {
  if (!u.token) {
    const r = await call('POST', '/api/v1/auth/login', { body: { username: u.username, password: 'long-enough-pw' } });
    if (r?.status === 200) u.token = r.json.data.token;
  }
  return u.token;
}

async function apply(u) {
  const token = await tokenOf(u);
  if (!token) return;
  const mark = crypto.randomBytes(6).toString('hex');  // names repeat among drafts; this does not
  const body = socialGroupApplication({ domicile: `海盐县武原街道新桥北路${mark}号` });
  const r = await call('POST', '/api/v1/applications', { token, body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
  if (r?.status !== 201) return;
  const id = r.json.data.id;
  acked.applications.push({ id, mark });
  acked.idempotent.push({ kind: 'application', mark });
  const docs = [['application_letter', pdf, 'application/pdf'], ['charter', pdf, 'application/pdf'],
    ['domicile_proof', jpeg, 'image/jpeg'], ['fund_verification', pdf, 'application/pdf'], ['legal_rep_id', png, 'image/png']];
  for (const [kind, make, type] of docs) {
    const u2 = await call('POST', `/api/v1/applications/${id}/documents?kind=${kind}&name=${kind}.bin`,
      { token, raw: make(2000), headers: { 'Content-Type': type, 'Idempotency-Key': crypto.randomUUID() } });
    if (u2?.status !== 201) return;
    acked.documents.push({ app: id, doc: u2.json.data.id });
  }
  const s = await call('POST', `/api/v1/applications/${id}/submit`, { token });
  if (s?.status === 200 || (s?.status === 409 && s.json?.current_status === 'submitted')) acked.submitted.push(id);
}

async function decide() {
  const token = await registrar();
  if (!token) return;
  const q = await call('GET', '/api/v1/applications?status=submitted,accepted&limit=5', { token });
  if (q?.status === 401) { registrarToken = null; return; }
  for (const a of q?.json?.data || []) {
    if (a.status === 'submitted') await call('POST', `/api/v1/applications/${a.id}/accept`, { token });
    const r = await call('POST', `/api/v1/applications/${a.id}/approve`, { token });
    if (r?.status === 200) acked.approved.push({ id: a.id, uscc: r.json.data.org_uscc });
  }
}

async function search() {
  await call('GET', `/api/v1/orgs?q=${encodeURIComponent(['养老', '助老', '服务', '协会'][rand(4)])}&limit=10`);
}

async function worker() {
  const people = [];
  while (!stopping) {
    const dice = rand(10);
    try {
      if (dice < 2 || people.length === 0) {
        const u = await signUp();
        if (u) people.push(u);
      } else if (dice < 6) {
        await apply(people[rand(people.length)]);
      } else if (dice < 8) {
        await decide();
      } else {
        await search();
      }
    } catch (e) {
      console.error('worker:', e.message);
    }
  }
}

async function waitReady(ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(d.url + '/readyz');
      if (r.status === 200) return true;
    } catch { /* not yet */ }
    await sleep(200);
  }
  return false;
}

async function faults() {
  while (!stopping) {
    await sleep(8000 + rand(12000));
    if (stopping) break;
    if (rand(3) < 2) {
      stats.daemonKills++;
      await d.kill9();
      await sleep(rand(1500));
      await d.start({ waitReady: false });
    } else {
      stats.dbKills++;
      const pid = Number(fs.readFileSync(path.join(ROOT, 'var/mariadb/mysqld.pid'), 'utf8').trim());
      if (pid) process.kill(pid, 'SIGKILL');
      await sleep(rand(1500));
      devdb('start');
    }
    await waitReady();
  }
}

console.log(`chaos: ${SECONDS} s of mixed load with ${WORKERS} workers; killing the daemon and the database at random`);
const started = Date.now();
const runners = [...Array.from({ length: WORKERS }, worker), faults()];
await sleep(SECONDS * 1000);
stopping = true;
await Promise.all(runners);
if (!(await waitReady())) {
  await d.kill9();
  await d.start();
}

// --- the invariants -----------------------------------------------------------------------
const one = (q) => d.sql(q).trim();
const set = (q) => new Set(d.sql(q).trim().split('\n').filter(Boolean));
const lost = [];
const users = set("SELECT username FROM users WHERE username LIKE 'chaos\\_%'");
for (const u of acked.signups) if (!users.has(u.username)) lost.push(`sign-up ${u.username}`);
const apps = set('SELECT id FROM applications');
for (const a of acked.applications) if (!apps.has(String(a.id))) lost.push(`application ${a.id}`);
const docs = set('SELECT id FROM application_documents');
for (const x of acked.documents) if (!docs.has(String(x.doc))) lost.push(`document ${x.doc} of application ${x.app}`);
const notDraft = set("SELECT id FROM applications WHERE status <> 'draft'");
for (const id of acked.submitted) if (!notDraft.has(String(id))) lost.push(`submission of application ${id}`);
const approved = set("SELECT CONCAT(a.id, '|', o.uscc) FROM applications a JOIN orgs o ON o.uscc = a.org_uscc WHERE a.status = 'approved'");
for (const x of acked.approved) if (!approved.has(`${x.id}|${x.uscc}`)) lost.push(`approval of application ${x.id}`);

const halfDone = [];
const orphanApprovals = one(`SELECT COUNT(*) FROM applications a WHERE a.status = 'approved' AND a.kind = 'establish' AND (
  NOT EXISTS (SELECT 1 FROM orgs o WHERE o.uscc = a.org_uscc)
  OR NOT EXISTS (SELECT 1 FROM certificates c WHERE c.uscc = a.org_uscc)
  OR NOT EXISTS (SELECT 1 FROM org_events e WHERE e.uscc = a.org_uscc AND e.type = 'establish'))`);
if (orphanApprovals !== '0') halfDone.push(`${orphanApprovals} approved applications without organization, certificate or history`);
const unaudited = one(`SELECT COUNT(*) FROM orgs o WHERE o.source = 'application' AND NOT EXISTS
  (SELECT 1 FROM audit_log l WHERE l.action = 'org.establish' AND l.object_id = o.uscc)`);
if (unaudited !== '0') halfDone.push(`${unaudited} organizations without their audit entry`);
const docless = one(`SELECT COUNT(*) FROM applications a WHERE a.status <> 'draft' AND a.status <> 'withdrawn' AND a.kind = 'establish'
  AND (SELECT COUNT(DISTINCT kind) FROM application_documents x WHERE x.application_id = a.id) < 5`);
if (docless !== '0') halfDone.push(`${docless} submitted applications without their documents`);

const twice = [];
for (const x of acked.idempotent.filter((i) => i.kind === 'application')) {
  const n = one(`SELECT COUNT(*) FROM applications WHERE body LIKE '%${x.mark}%'`);
  if (n !== '1') twice.push(`application marked ${x.mark}: ${n}`);
}
const verify = d.cli(['audit', 'verify']);
await d.stop();

const secs = ((Date.now() - started) / 1000).toFixed(0);
const writes = acked.signups.length + acked.applications.length + acked.documents.length + acked.submitted.length + acked.approved.length;
console.log('\n| figure | value |\n|---|---|');
for (const [k, v] of Object.entries({
  seconds: secs, requests: stats.requests, answered: stats.answered, 'dropped connections': stats.networkErrors,
  '5xx answers (during faults)': stats.status5xx, 'daemon kills (-9)': stats.daemonKills, 'database kills (-9)': stats.dbKills,
  'acknowledged writes': writes, 'sign-ups': acked.signups.length, applications: acked.applications.length,
  documents: acked.documents.length, submissions: acked.submitted.length, approvals: acked.approved.length,
  'lost acknowledged writes': lost.length, 'half-done changes': halfDone.length, 'idempotent retries answered twice': twice.length,
  'audit chain': verify.code === 0 ? 'intact' : 'BROKEN',
})) console.log(`| ${k} | ${v} |`);
for (const l of [...lost, ...halfDone, ...twice]) console.log(`LOST: ${l}`);
if (verify.code !== 0) console.log(verify.stdout, verify.stderr);
const bad = lost.length + halfDone.length + twice.length + (verify.code !== 0 ? 1 : 0) + (stats.daemonKills + stats.dbKills === 0 ? 1 : 0);
process.exit(bad ? 1 : 0);
