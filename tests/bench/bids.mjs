// bids.mjs — `make bench` (scripts/bench.sh): the setup of the sealed-bid benchmark and the timing
// of a bid with a 1 MiB document. The load itself is wrk with tests/bench/bids.lua.
//
//   node bids.mjs setup BASE_URL SANZHID OUT_DIR
//     Against a daemon on the bench database (the 1,000,000 imported organizations): makes a
//     purchaser and BENCH_BID_OWNERS applicant accounts (default 8), gives BENCH_BID_ORGS
//     registered organizations on no credit list (default 60,000) to them round robin (SQL: the
//     owner column, as a registrar's assignment would set it; 60,000 assignments through the API
//     would be the bench's whole run), and publishes four open tenders at the real time (enquiries
//     open, so bids are taken). Writes OUT_DIR/bid-orgs.txt ("uscc owner" lines, owner 1-based),
//     OUT_DIR/bid-tokens.txt (one bearer token a line) and prints
//       TENDERS <warm-up sealed> <sealed> <warm-up unsealed> <unsealed>
//       PURCHASER <token>
//   node bids.mjs document BASE_URL OUT_DIR PURCHASER_TOKEN
//     On a fresh tender: BENCH_DOC_BIDS (default 5) bids by organizations of the list, each then
//     given a 1 MiB PDF (POST …/documents: the file sealed, the bid's plaintext sealed again, a new
//     receipt), one after another. Prints
//       DOCUMENT <n> <bid p50 ms> <document p50 ms> <document max ms>
// Environment: SANZHI_DB_* (the bench database) and SANZHI_MASTER_KEY_FILE, for `sanzhid user add`.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const [mode, base, ...rest] = process.argv.slice(2);
const ORGS = Number(process.env.BENCH_BID_ORGS ?? 60000);
const OWNERS = Number(process.env.BENCH_BID_OWNERS ?? 8);
const DOC_BIDS = Number(process.env.BENCH_DOC_BIDS ?? 5);
const say = (...a) => console.error('bench: bids:', ...a);

function sql(query) {
  const e = process.env;
  return execFileSync('mariadb', ['--socket', e.SANZHI_DB_SOCKET, '-u', e.SANZHI_DB_USER, `-p${e.SANZHI_DB_PASSWORD}`,
    '--batch', '--skip-column-names', e.SANZHI_DB_NAME, '-e', query], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
}

function api(method, p, { token, body, raw, type } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const payload = raw || (body === undefined ? null : Buffer.from(JSON.stringify(body)));
  if (payload) {
    headers['content-type'] = type || 'application/json';
    headers['content-length'] = payload.length;
  }
  return new Promise((resolve, reject) => {
    const req = http.request(base + p, { method, headers, agent: false }, (res) => {
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

async function user(BIN, role) {
  const username = `bench_${role}_${crypto.randomBytes(3).toString('hex')}`;
  const password = crypto.randomBytes(12).toString('hex');
  const args = ['user', 'add', '--username', username, '--role', role];
  if (role === 'purchaser') args.push('--department', '海盐县民政局');
  const id = Number(execFileSync(BIN, args, { input: `${password}\n`, encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'] }).trim());
  const r = await api('POST', '/api/v1/auth/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${role}: ${r.text}`);
  return { id, token: r.json.data.token };
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function tender(token, title) {
  const now = Date.now();
  const c = await api('POST', '/api/v1/tenders', { token, body: {
    title, description: '基准测试：居家养老上门服务。', service_category: 'elderly_care', budget_fen: 120000000,
    method: 'open', evaluation_method: 'comprehensive', criteria: [{ id: 'plan', name: '服务方案', max_points: 70 }],
    price_points: 30, eligibility: {}, enquiry_end: iso(now + 10 * 86400e3), bid_deadline: iso(now + 25 * 86400e3),
    contract_months: 12 } });
  if (c.status !== 201) throw new Error(`tender: ${c.text}`);
  const p = await api('POST', `/api/v1/tenders/${c.json.data.id}/publish`, { token });
  if (p.status !== 200) throw new Error(`publish: ${p.text}`);
  return c.json.data.id;
}

async function setup(BIN, out) {
  const purchaser = await user(BIN, 'purchaser');
  const owners = [];
  for (let i = 0; i < OWNERS; i++) owners.push(await user(BIN, 'applicant'));
  const codes = sql(`SELECT o.uscc FROM orgs o WHERE o.status = 'registered' AND NOT EXISTS
    (SELECT 1 FROM list_entries e WHERE e.uscc = o.uscc AND e.status = 'listed') ORDER BY o.uscc LIMIT ${ORGS}`).split('\n');
  if (codes.length < ORGS) throw new Error(`only ${codes.length} organizations may bid`);
  for (let k = 0; k < OWNERS; k++) {
    const mine = codes.filter((_, i) => i % OWNERS === k);
    for (let j = 0; j < mine.length; j += 5000) {
      sql(`UPDATE orgs SET owner_user_id = ${owners[k].id} WHERE uscc IN (${mine.slice(j, j + 5000).map((c) => `'${c}'`).join(',')})`);
    }
  }
  fs.writeFileSync(path.join(out, 'bid-orgs.txt'), codes.map((c, i) => `${c} ${(i % OWNERS) + 1}`).join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'bid-tokens.txt'), owners.map((o) => o.token).join('\n') + '\n');
  const ids = [];
  for (const t of ['预热（密封）', '密封投标', '预热（不密封）', '不密封投标']) ids.push(await tender(purchaser.token, `基准测试 ${t}`));
  say(`${ORGS} organizations for ${OWNERS} applicants; tenders ${ids.join(', ')}`);
  console.log(`TENDERS ${ids.join(' ')}`);
  console.log(`PURCHASER ${purchaser.token}`);
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function document(out, purchaserToken) {
  const lines = fs.readFileSync(path.join(out, 'bid-orgs.txt'), 'utf8').trim().split('\n');
  const tokens = fs.readFileSync(path.join(out, 'bid-tokens.txt'), 'utf8').trim().split('\n');
  const tid = await tender(purchaserToken, '基准测试 1 MiB 文件');
  const file = Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes((1 << 20) - 9)]);
  const bidMs = [], docMs = [];
  for (let i = 0; i < DOC_BIDS; i++) {
    const [uscc, owner] = lines[i].split(' ');
    const token = tokens[Number(owner) - 1];
    let t0 = process.hrtime.bigint();
    const b = await api('POST', `/api/v1/tenders/${tid}/bids`, { token, body: { org_uscc: uscc, price_fen: 100000000 + i,
      technical_proposal: '服务方案'.repeat(500) } });
    bidMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (b.status !== 201) throw new Error(`bid: ${b.text}`);
    t0 = process.hrtime.bigint();
    const d = await api('POST', `/api/v1/tenders/${tid}/bids/${b.json.data.id}/documents?name=proposal.pdf`,
      { token, raw: file, type: 'application/pdf' });
    docMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (d.status !== 201) throw new Error(`document: ${d.text}`);
  }
  console.log(`DOCUMENT ${DOC_BIDS} ${median(bidMs).toFixed(1)} ${median(docMs).toFixed(1)} ${Math.max(...docMs).toFixed(1)}`);
}

if (mode === 'setup') await setup(rest[0], rest[1]);
else if (mode === 'document') await document(rest[0], rest[1]);
else throw new Error('usage: bids.mjs setup BASE_URL SANZHID OUT_DIR | document BASE_URL OUT_DIR PURCHASER_TOKEN');
