// evaluation.mjs — `make bench` (scripts/bench.sh; BENCH_ONLY=evaluation runs it alone): the
// evaluation result of SPEC §9, 500 bids × 9 members × 10 criteria, in under 100 ms.
//
// On a daemon of its own (its own database on the private MariaDB, the test clock): a purchaser
// publishes an open tender with 10 criteria; 500 bids and their opening (all valid, none
// abnormally low) are written with SQL, as the opening would have left them (500 sealed bids and
// an opening through the API would be the bench's whole run, and are measured elsewhere); a
// committee of 9 (experts) is appointed and declares through the API; their 45,000 scores and
// 4,500 entries (comments and totals) are written with SQL; each member submits through the API (the last submission
// computes the result and writes the committee report). Then GET /api/v1/tenders/{id}/evaluation
// is timed BENCH_EVAL_RUNS times (default 50, after 5 warm-up requests), one at a time, checking
// every answer is the full ranked result. Prints
//   EVALUATION <bids> <members> <criteria> <p50 ms> <p99 ms> <max ms> <last submission ms>
// Environment: SANZHI_DB_* as for the tests (scripts/devdb.sh env).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { startDaemon, ROOT } from '../lib/daemon.mjs';
import { buildUscc } from './gen-orgs.mjs';

const BIDS = Number(process.env.BENCH_EVAL_BIDS ?? 500);
const MEMBERS = 9;
const CRITERIA = 10;
const RUNS = Number(process.env.BENCH_EVAL_RUNS ?? 50);
const say = (...a) => console.error('bench: evaluation:', ...a);

const T0 = '2026-03-10T02:00:00Z';
const plus = (days) => new Date(Date.parse(T0) + days * 86400e3).toISOString().replace('.000Z', 'Z');

function rootSql(db, text) {
  return execFileSync(path.join(ROOT, 'scripts/devdb.sh'), ['root-sql', '--batch', '--skip-column-names', db],
    { input: text, encoding: 'utf8', maxBuffer: 64 << 20 });
}

async function call(d, token, method, p, body) {
  const r = await fetch(d.url + p, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return JSON.parse(text);
}

const d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600', SANZHI_THREADS: '16' } });
try {
  const user = async (role, extra = {}) => {
    const username = `${role}_${crypto.randomBytes(4).toString('hex')}`;
    const id = await d.addUser({ username, role, ...extra });
    return { id, username, token: await d.login(username) };
  };
  await d.setClock(T0, undefined, { frozen: true });
  const purchaser = await user('purchaser', { department: '海盐县民政局' });
  const members = [];
  for (let i = 0; i < MEMBERS; i++) members.push(await user('evaluator', { expert: true }));

  const criteria = Array.from({ length: CRITERIA }, (_, i) => ({ id: `c${i}`, name: `评分项${i}`, max_points: 7 }));
  const t = await call(d, purchaser.token, 'POST', '/api/v1/tenders', {
    title: '海盐县社区养老服务项目（基准）', description: '基准测试。', service_category: 'elderly_care', budget_fen: 120000000,
    method: 'open', evaluation_method: 'comprehensive', criteria, price_points: 30, eligibility: {},
    enquiry_end: plus(10), bid_deadline: plus(25), contract_months: 12,
  });
  const tid = t.data.id;
  await call(d, purchaser.token, 'POST', `/api/v1/tenders/${tid}/publish`);
  await call(d, purchaser.token, 'PUT', `/api/v1/tenders/${tid}/committee`,
    { members: members.map((m) => m.id), chair: members[0].id });

  say(`${BIDS} bids and their opening (SQL)`);
  const bids = [], opening = [];
  const at = '2026-03-20 02:00:00.000000';
  const first = Number(rootSql(d.database, 'SELECT COALESCE(MAX(id), 0) + 1 FROM bids').trim());
  for (let i = 0; i < BIDS; i++) {
    const id = first + i;
    const uscc = buildUscc('1', '330424', 700000000 + i);
    // Prices from 80,000,000 to 119,999,999 fen: none below 80 % of the others' mean.
    const price = 80000000 + ((i * 7919) % 40000000);
    bids.push(`(${id}, ${tid}, '${uscc}', ${purchaser.id}, 'submitted', '', '${'0'.repeat(64)}', '${at}', '${at}', '${at}')`);
    opening.push(`(${id}, ${tid}, '${uscc}', ${price}, '${'0'.repeat(64)}', 1, '', 0)`);
  }
  rootSql(d.database, `INSERT INTO bids (id, tender_id, org_uscc, bidder_id, status, sealed, sha256, submitted_at, created_at, updated_at) VALUES ${bids.join(',')};
INSERT INTO opening_bids (bid_id, tender_id, org_uscc, price_fen, sha256, valid, invalid_reasons, abnormally_low) VALUES ${opening.join(',')};
UPDATE tenders SET status = 'active.evaluation' WHERE id = ${tid};
DELETE FROM deadlines WHERE object_type = 'tender' AND object_id = ${tid};`);
  await d.setClock(plus(26), undefined, { frozen: true });
  for (const u of [purchaser, ...members]) u.token = await d.login(u.username); // the clock moved past their tokens
  for (const m of members) await call(d, m.token, 'POST', `/api/v1/tenders/${tid}/declarations`, { conflict: false });

  say(`${BIDS * MEMBERS * CRITERIA} scores (SQL)`);
  let sql = '';
  for (const m of members) {
    const scores = [], comments = [];
    for (let i = 0; i < BIDS; i++) {
      let total = 0;
      for (let c = 0; c < CRITERIA; c++) {
        const tenths = (m.id * 31 + i * 17 + c * 7) % 71;
        total += tenths;
        scores.push(`(${tid}, ${m.id}, ${first + i}, 'c${c}', ${tenths})`);
      }
      comments.push(`(${tid}, ${m.id}, ${first + i}, '评审意见', ${total}, '${at}')`);
    }
    sql += `INSERT INTO evaluation_scores (tender_id, user_id, bid_id, criterion, tenths) VALUES ${scores.join(',')};\n`;
    sql += `INSERT INTO evaluation_entries (tender_id, user_id, bid_id, comment, total_tenths, updated_at) VALUES ${comments.join(',')};\n`;
  }
  rootSql(d.database, sql);

  say('the members submit their sheets');
  let lastMs = 0;
  for (const [k, m] of members.entries()) {
    const t0 = performance.now();
    const s = await call(d, m.token, 'POST', `/api/v1/tenders/${tid}/scoresheet/submit`);
    if (k === MEMBERS - 1) {
      lastMs = performance.now() - t0;
      if (!s.data.evaluation_complete) throw new Error('the last sheet did not complete the evaluation');
    }
  }

  say(`GET /api/v1/tenders/${tid}/evaluation × ${RUNS}`);
  const times = [];
  for (let i = 0; i < RUNS + 5; i++) {
    const t0 = performance.now();
    const r = await call(d, purchaser.token, 'GET', `/api/v1/tenders/${tid}/evaluation`);
    const ms = performance.now() - t0;
    if (r.data.bids.length !== BIDS || r.data.bids[BIDS - 1].rank !== BIDS || r.data.trimmed !== true) throw new Error('not the full result');
    if (i >= 5) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
  console.log(`EVALUATION ${BIDS} ${MEMBERS} ${CRITERIA} ${q(0.5)} ${q(0.99)} ${times[times.length - 1].toFixed(1)} ${lastMs.toFixed(1)}`);
} finally {
  await d.stop();
}
