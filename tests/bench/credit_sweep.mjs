// credit_sweep.mjs — `make bench` (scripts/bench.sh): the credit sweep (POST /api/v1/admin/sweep)
// over the whole register, and the register search by credit once the lists are full.
//
// Against a daemon started with SANZHI_TEST_CLOCK=1 on the bench database (1,000,000
// organizations, imported in the current year), as realistic work:
//   1. sweeps at the real time until a sweep changes nothing (whatever was due already);
//   2. files the annual report of year Y for all but BENCH_SWEEP_LATE_PCT % (default 10) of the
//      registered organizations, on time, straight into annual_reports (a million filings through
//      the API would be the bench's whole hour; the sweep only reads them). Y is the year after
//      the latest listing day already in the database (so a kept database gets fresh work), and
//      at least next year: the organizations arrived on the platform this year;
//   3. grades BENCH_SWEEP_GRADES organizations (default 500) and records BENCH_SWEEP_PENALTIES
//      warnings (default 3000) through the API: a third of the organizations get two (the
//      repeated_penalties rule's two within 3 years), the rest one; each lists its organization on
//      the abnormal list at once, as a warning does;
//   4. moves the test clock to 15 June of Y + 1, after the 31 May due day of Y's report;
//   5. times a sweep (the annual_report_late rule now has BENCH_SWEEP_LATE_PCT % of the register
//      to list), then, at once, a second one that must find nothing to do;
//   6. times GET /api/v1/orgs with the credit filters (grade=, listed=, alone and with q and
//      region), single requests one after another.
// Prints three lines (bench.sh parses them):
//   SWEEP1 <seconds> <rule:changed,...>
//   SWEEP2 <seconds> <rule:changed,...>
//   FILTERS <requests> <p50_ms> <p99_ms> <max_ms> <non-200>
// Usage: node credit_sweep.mjs BASE_URL QUERIES_FILE SANZHID
//   (environment: SANZHI_DB_* and SANZHI_MASTER_KEY_FILE, for `sanzhid user add` and the filings)
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

const [base, queriesFile, BIN] = process.argv.slice(2);
const LATE_PCT = Number(process.env.BENCH_SWEEP_LATE_PCT ?? 10);
const GRADES = Number(process.env.BENCH_SWEEP_GRADES ?? 500);
const PENALTIES = Number(process.env.BENCH_SWEEP_PENALTIES ?? 3000);
const CONCURRENCY = 8;

const say = (...a) => console.error('bench: sweep:', ...a);
function sql(query) {
  const e = process.env;
  return execFileSync('mariadb', ['--socket', e.SANZHI_DB_SOCKET, '-u', e.SANZHI_DB_USER, `-p${e.SANZHI_DB_PASSWORD}`,
    '--batch', '--skip-column-names', e.SANZHI_DB_NAME, '-e', query], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
}

// One request on a connection of its own: the daemon closes idle keep-alive connections, and a
// pooled one reused after the minutes of filing would fail.
function api(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;
  }
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, json, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function user(role) {
  const username = `bench_${role}_${crypto.randomBytes(3).toString('hex')}`;
  const password = crypto.randomBytes(12).toString('hex');
  execFileSync(BIN, ['user', 'add', '--username', username, '--role', role], { input: `${password}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
  const r = await api('POST', '/api/v1/auth/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${role}: ${r.text}`);
  return { username, password, token: r.json.data.token };
}
// A jump of the clock expires the tokens issued before it.
async function relogin(u) {
  const r = await api('POST', '/api/v1/auth/login', { body: { username: u.username, password: u.password } });
  if (r.status !== 200) throw new Error(`login again: ${r.text}`);
  u.token = r.json.data.token;
}

async function sweep(admin) {
  const t0 = process.hrtime.bigint();
  const r = await api('POST', '/api/v1/admin/sweep', { token: admin.token });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 200) throw new Error(`sweep: ${r.status} ${r.text}`);
  const byRule = new Map();
  for (const { rule, changed } of r.json.data.rules) byRule.set(rule, (byRule.get(rule) || 0) + changed);
  const total = [...byRule.values()].reduce((a, b) => a + b, 0);
  return { seconds, total, summary: [...byRule].map(([k, v]) => `${k}:${v}`).join(',') || '-' };
}

// Runs fn over items, CONCURRENCY at a time; the number of answers that were not expected.
async function pool(items, fn) {
  let next = 0, bad = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) if (!(await fn(items[next++]))) bad++;
  }));
  return bad;
}

const day = (y, m, d) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

async function main() {
  const admin = await user('admin');
  const registrar = await user('registrar');

  // 1. What is due at the real time, done first: the timed sweep is only the new work.
  for (let i = 0; i < 5; i++) {
    const s = await sweep(admin);
    say(`settling at the real time: ${s.summary} in ${s.seconds.toFixed(1)} s`);
    if (s.total === 0) break;
  }

  // 2. The year whose reports fall due: after every listing already made, and not before next year.
  const thisYear = new Date().getUTCFullYear();
  const lastListed = sql('SELECT COALESCE(YEAR(MAX(listed_on)), 0) FROM list_entries');
  const Y = Math.max(thisYear + 1, Number(lastListed));
  const registered = Number(sql("SELECT COUNT(*) FROM orgs WHERE status = 'registered'"));
  say(`${registered} registered organizations; filing ${100 - LATE_PCT} % of the reports for ${Y}`);
  let t0 = Date.now();
  sql(`INSERT IGNORE INTO annual_reports (uscc, year, assets_fen, liabilities_fen, income_fen, expense_fen,
         public_welfare_expense_fen, activities, staff, filed_at, filed_by, due_date, late)
       SELECT uscc, ${Y}, 120000000, 30000000, 80000000, 70000000, 50000000, '开展年度活动', 5,
              '${day(Y + 1, 4, 15)} 02:00:00', ${Number(sql(`SELECT id FROM users WHERE username = '${registrar.username}'`))},
              '${day(Y + 1, 5, 31)}', 0
         FROM orgs WHERE status = 'registered' AND CRC32(uscc) % 100 >= ${LATE_PCT}`);
  say(`filed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // 3. Grades and penalties through the API, at a day of Y + 1 before the due day.
  let r = await api('PUT', '/api/v1/admin/clock', { token: admin.token, body: { now: `${day(Y + 1, 5, 20)}T02:00:00Z` } });
  if (r.status !== 200) throw new Error(`clock: ${r.text}`);
  await relogin(admin);
  await relogin(registrar);
  const picked = sql(`SELECT uscc FROM orgs WHERE status = 'registered' AND CRC32(uscc) % 100 < ${LATE_PCT}
                      ORDER BY CRC32(CONCAT('b', uscc)) LIMIT ${GRADES + PENALTIES}`).split('\n').filter(Boolean);
  const graded = picked.slice(0, GRADES);
  const punished = picked.slice(GRADES);
  t0 = Date.now();
  let bad = await pool(graded, async (uscc) => (await api('POST', `/api/v1/orgs/${uscc}/grade`, { token: registrar.token,
    body: { score: 550 + Math.floor(Math.random() * 450), decided_on: day(Y + 1, 3, 1), basis: '社会组织等级评估' } })).status === 201);
  say(`${graded.length} grades in ${((Date.now() - t0) / 1000).toFixed(1)} s (${bad} refused)`);
  const twice = Math.floor(PENALTIES / 3 / 2);
  const penalties = [];
  for (let i = 0; i < punished.length && penalties.length < PENALTIES; i++) {
    penalties.push([punished[i], day(Y + 1, 2, 10)]);
    if (i < twice) penalties.push([punished[i], day(Y + 1, 4, 20)]);
  }
  t0 = Date.now();
  bad = await pool(penalties, async ([uscc, decided_on]) => (await api('POST', `/api/v1/orgs/${uscc}/credit-events`, {
    token: registrar.token,
    body: { kind: 'penalty', penalty_type: 'warning', decision_number: `盐民罚〔${Y + 1}〕${crypto.randomInt(1e6)}号`,
      basis: '《社会团体登记管理条例》第三十条', authority: '民政局', decided_on } })).status === 201);
  say(`${penalties.length} warnings in ${((Date.now() - t0) / 1000).toFixed(1)} s (${bad} refused)`);

  // 4. After the due day of Y's report.
  r = await api('PUT', '/api/v1/admin/clock', { token: admin.token, body: { now: `${day(Y + 1, 6, 15)}T02:00:00Z` } });
  if (r.status !== 200) throw new Error(`clock: ${r.text}`);
  await relogin(admin);

  // 5. The sweep with work, and the one right after it.
  const s1 = await sweep(admin);
  const s2 = await sweep(admin);
  say(`sweep with work: ${s1.summary}; the next: ${s2.summary}`);
  console.log(`SWEEP1 ${s1.seconds.toFixed(2)} ${s1.summary}`);
  console.log(`SWEEP2 ${s2.seconds.toFixed(2)} ${s2.summary}`);

  // 6. The search by credit over the full lists.
  const qs = fs.readFileSync(queriesFile, 'utf8').split('\n').filter(Boolean).slice(0, 20);
  const filters = ['grade=5A', 'grade=none', 'listed=abnormal', 'listed=serious', 'listed=none',
    'listed=abnormal&region=330424', 'listed=serious&legal_form=foundation', 'listed=none&grade=none&category=public_welfare',
    'grade=4A&listed=none'];
  const queries = [...filters];
  for (const q of qs) for (const f of ['listed=abnormal', 'listed=serious', 'listed=none', 'grade=none']) queries.push(`q=${encodeURIComponent(q)}&${f}`);
  const times = [], slow = [];
  let non200 = 0;
  for (let round = 0; round < 3; round++) {
    for (const q of queries) {
      const t = process.hrtime.bigint();
      const a = await api('GET', `/api/v1/orgs?${q}`);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      slow.push([times[times.length - 1], q]);
      if (a.status !== 200) non200++;
      // The second page too, by its cursor: keyset, never an offset.
      if (round === 0 && a.json && a.json.next_cursor) {
        const t2 = process.hrtime.bigint();
        const b = await api('GET', `/api/v1/orgs?${q}&cursor=${a.json.next_cursor}`);
        times.push(Number(process.hrtime.bigint() - t2) / 1e6);
        if (b.status !== 200) non200++;
      }
    }
  }
  times.sort((a, b) => a - b);
  slow.sort((a, b) => b[0] - a[0]);
  say(`slowest searches: ${slow.slice(0, 5).map(([ms, q]) => `${decodeURIComponent(q)} ${ms.toFixed(1)} ms`).join('; ')}`);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
  console.log(`FILTERS ${times.length} ${pct(0.5)} ${pct(0.99)} ${times[times.length - 1].toFixed(2)} ${non200}`);
}

main().catch((e) => { say(e.stack || String(e)); process.exit(1); });
