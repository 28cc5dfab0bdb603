// The opening of sealed bids (SPEC §6, Appendix B; issue 9 item 4): the owner opens at or after
// the bid deadline, to the microsecond by the daemon's clock; every bid is decrypted and verified
// against its receipt (a tampered seal is integrity_failed and the opening goes on); eligibility
// again (listed since the bid); abnormally low prices flagged; the record public and audited;
// too few valid bids → unsuccessful; a kill in the middle leaves no opening; two at once, one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startDaemon, ROOT } from '../lib/daemon.mjs';
import { actor, row, importRows } from '../bench/registry.mjs';

let d, admin, purchaser, other, registrar, alice, bob;
let orgs; // seven organizations: bob acts for orgs[4] and orgs[5], alice for the others (orgs[6] gets listed)

const DAY = 86400e3;
const T0 = '2026-03-10T02:00:00Z';
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const plus = (base, days) => iso(Date.parse(base) + days * DAY);
const DEADLINE = plus(T0, 25);
const JUST_BEFORE = new Date(Date.parse(DEADLINE) - 1).toISOString().replace('Z', '999Z'); // deadline − 1 µs
const MARKER = 'OPENING-PROPOSAL-MARKER-2b7d';
const DOC_MARKER = 'OPENING-DOCUMENT-MARKER-93ae';

const post = (who, p, body, headers = {}) => d.api('POST', p, { token: who && who.token, body, headers });
const get = (who, p) => d.api('GET', p, { token: who && who.token });
const open = (who, tid, headers = {}) => post(who, `/api/v1/tenders/${tid}/open`, undefined, headers);
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(`${DOC_MARKER}\n`), crypto.randomBytes(64)]);

async function clock(when, dd = d, people = [admin, purchaser, other, registrar, alice, bob]) {
  await dd.setClock(when, undefined, { frozen: true });
  for (const a of people) await a.refresh();
}

async function tender(over = {}, who = purchaser, dd = d) {
  const body = {
    title: '海盐县社区养老服务项目', description: '社区居家养老服务。', service_category: 'elderly_care',
    budget_fen: 120000000, method: 'open', evaluation_method: 'comprehensive',
    criteria: [{ id: 'plan', name: '服务方案', max_points: 70 }], price_points: 30,
    eligibility: {}, enquiry_end: plus(T0, 10), bid_deadline: DEADLINE, contract_months: 12, ...over,
  };
  const c = await dd.api('POST', '/api/v1/tenders', { token: who.token, body });
  assert.equal(c.status, 201, c.text);
  const p = await dd.api('POST', `/api/v1/tenders/${c.json.data.id}/publish`, { token: who.token });
  assert.equal(p.status, 200, p.text);
  return p.json.data.id;
}

// Bids of orgs[i] at prices[i] (null: no bid); returns the receipts.
async function bids(tid, prices) {
  const out = [];
  for (const [i, price] of prices.entries()) {
    if (price === null) { out.push(null); continue; }
    const who = owner(i);
    const r = await post(who, `/api/v1/tenders/${tid}/bids`, { org_uscc: orgs[i], price_fen: price, technical_proposal: `${MARKER} 方案 ${i}` });
    assert.equal(r.status, 201, r.text);
    out.push(r.json.data);
  }
  return out;
}

const owner = (i) => (i === 4 || i === 5 ? bob : alice);
const flip = (table, where) => d.sql(`UPDATE ${table} SET sealed = CONCAT(LEFT(sealed, 20), CHAR(ASCII(SUBSTRING(sealed, 21, 1)) ^ 1), SUBSTRING(sealed, 22)) WHERE ${where}`);

before(async () => {
  d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600' } });
  admin = await actor(d, 'admin');
  purchaser = await actor(d, 'purchaser');
  other = await actor(d, 'purchaser');
  registrar = await actor(d, 'registrar');
  alice = await actor(d, 'applicant');
  bob = await actor(d, 'applicant');
  const rows = [row(), row(), row(), row(), row(), row(), row()];
  importRows(d, rows);
  orgs = rows.map((r) => r.uscc);
  await clock(T0);
  for (const [i, uscc] of orgs.entries()) {
    const r = await d.api('PUT', `/api/v1/orgs/${uscc}/owner`, { token: registrar.token, body: { user_id: owner(i).id } });
    assert.equal(r.status, 200, r.text);
  }
});
after(async () => { await d.stop(); });

test('the owner opens at the deadline: every bid with its price and digest, the abnormally low flagged, the record public and audited', async () => {
  await clock(T0);
  const tid = await tender();
  const rc = await bids(tid, [100000000, 98000000, 102000000, null, 70000000]);
  await clock(JUST_BEFORE);
  const early = await open(purchaser, tid);
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.code, 'deadline_not_reached');
  assert.equal(early.json.current_status, 'active.tendering');
  assert.equal(early.json.bid_deadline, DEADLINE);
  const notYet = await get(null, `/api/v1/tenders/${tid}/opening`);
  assert.equal(notYet.status, 409);
  assert.equal(notYet.json.code, 'not_opened');
  assert.equal(notYet.json.current_status, 'active.tendering');

  await clock(DEADLINE);
  assert.equal((await get(null, `/api/v1/tenders/${tid}/opening`)).json.current_status, 'active.opening');
  const r = await open(purchaser, tid);
  assert.equal(r.status, 200, r.text);
  const t = r.json.data;
  assert.equal(t.status, 'active.evaluation');
  const rec = t.opening;
  assert.equal(rec.opened_at, DEADLINE);
  assert.equal(rec.outcome, 'active.evaluation');
  assert.equal(rec.valid_bids, 4);
  assert.equal(rec.min_valid_bids, 3);
  assert.deepEqual(rec.bids.map((b) => b.bid_id), rc.filter(Boolean).map((b) => b.id));
  const byOrg = Object.fromEntries(rec.bids.map((b) => [b.org_uscc, b]));
  // 70,000,000 is below 80 % of the mean of the other three (100,000,000): flagged, still valid.
  assert.deepEqual(byOrg[orgs[4]], { bid_id: rc[4].id, org_uscc: orgs[4], org_name: byOrg[orgs[4]].org_name, price_fen: 70000000,
    sha256: rc[4].sha256, submitted_at: T0, valid: true, invalid_reasons: [], abnormally_low: true });
  for (const i of [0, 1, 2]) {
    assert.equal(byOrg[orgs[i]].price_fen, [100000000, 98000000, 102000000][i]);
    assert.equal(byOrg[orgs[i]].sha256, rc[i].sha256);
    assert.equal(byOrg[orgs[i]].abnormally_low, false);
    assert.equal(byOrg[orgs[i]].valid, true);
  }
  assert.match(byOrg[orgs[0]].org_name, /^海盐县/);

  // Public: the same record for anyone, and in the tender.
  const pub = await get(null, `/api/v1/tenders/${tid}/opening`);
  assert.equal(pub.status, 200, pub.text);
  assert.deepEqual(pub.json.data, rec);
  const detail = (await get(null, `/api/v1/tenders/${tid}`)).json.data;
  assert.equal(detail.status, 'active.evaluation');
  assert.deepEqual(detail.opening, rec);
  // The proposal is not part of what is published; the bidder still reads its own bid alone.
  assert.ok(!pub.text.includes(MARKER));
  assert.equal((await get(purchaser, `/api/v1/tenders/${tid}/bids/${rc[0].id}`)).status, 404);
  assert.equal((await get(alice, `/api/v1/tenders/${tid}/bids/${rc[0].id}`)).json.data.technical_proposal, `${MARKER} 方案 0`);

  // Audited: the move with the record's digest and bids; the record as stored hashes to it.
  const audit = d.sql(`SELECT summary FROM audit_log WHERE object_type = 'tender' AND object_id = '${tid}' AND action = 'tender.open'`).trim().split('\n');
  assert.equal(audit.length, 1);
  const summary = JSON.parse(audit[0]);
  assert.equal(summary.record_sha256, rec.record_sha256);
  assert.equal(summary.from, 'active.opening');
  assert.equal(summary.to, 'active.evaluation');
  assert.deepEqual(summary.bids, rec.bids);
  assert.equal(d.sql(`SELECT SHA2(record, 256) = CONVERT(record_sha256 USING utf8mb4) FROM tender_openings WHERE tender_id = ${tid}`).trim(), '1');
  const v = await get(admin, '/api/v1/audit/verify');
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.data.valid, true);

  // Once.
  const again = await open(purchaser, tid);
  assert.equal(again.status, 409);
  assert.equal(again.json.code, 'already_opened');
  assert.equal(again.json.current_status, 'active.evaluation');
});

test('refusals: anonymous 401, other roles 403, another purchaser 403, a draft, a cancelled tender, no such tender', async () => {
  await clock(T0);
  const tid = await tender();
  await bids(tid, [100000000]);
  assert.equal((await open(null, tid)).status, 401);
  for (const who of [alice, registrar, admin]) {
    const r = await open(who, tid);
    assert.equal(r.status, 403, `${who.username}: ${r.text}`);
    assert.equal(r.json.code, 'forbidden_role');
  }
  // Another purchaser: 403 before the deadline as after it (ownership before the clock).
  for (const when of [T0, DEADLINE]) {
    await clock(when);
    const r = await open(other, tid);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.code, 'not_tender_owner');
  }
  await clock(T0);
  const early = await open(purchaser, tid);
  assert.equal(early.status, 409);
  assert.equal(early.json.code, 'deadline_not_reached');
  assert.equal(early.json.current_status, 'active.enquiries');

  const draft = await post(purchaser, '/api/v1/tenders', {
    title: '草稿', description: '草稿', service_category: 'x', budget_fen: 1, method: 'open', evaluation_method: 'comprehensive',
    criteria: [{ id: 'a', name: '甲', max_points: 70 }], price_points: 30, enquiry_end: plus(T0, 10), bid_deadline: DEADLINE, contract_months: 1 });
  const did = draft.json.data.id;
  const rd = await open(purchaser, did);
  assert.equal(rd.status, 409);
  assert.equal(rd.json.code, 'not_published');
  assert.equal((await open(other, did)).status, 404);
  assert.equal((await get(null, `/api/v1/tenders/${did}/opening`)).status, 404);
  assert.equal((await get(purchaser, `/api/v1/tenders/${did}/opening`)).json.code, 'not_opened');

  const cancelled = await tender();
  assert.equal((await post(purchaser, `/api/v1/tenders/${cancelled}/cancel`, { reason: '预算调整' })).status, 200);
  await clock(DEADLINE);
  const rc = await open(purchaser, cancelled);
  assert.equal(rc.status, 409);
  assert.equal(rc.json.code, 'tender_cancelled');
  assert.equal((await open(purchaser, 99999999)).status, 404);
  assert.equal((await get(null, '/api/v1/tenders/99999999/opening')).status, 404);
  // A stale If-Match is 412; nothing opened.
  const stale = await open(purchaser, tid, { 'If-Match': '"1"' });
  assert.equal(stale.status, 412, stale.text);
  assert.equal(d.sql(`SELECT COUNT(*) FROM tender_openings WHERE tender_id IN (${tid}, ${did}, ${cancelled})`).trim(), '0');
  await clock(T0);
});

test('a tampered seal, a tampered document, a digest changed and an organization listed since its bid: invalid with reasons, the others open; too few valid → unsuccessful', async () => {
  await clock(T0);
  const tid = await tender();
  const rc = await bids(tid, [100000000, 90000000, null, 97000000, 99000000, null, 95000000]);
  rc[2] = rc[6];
  const doc = await d.api('POST', `/api/v1/tenders/${tid}/bids/${rc[1].id}/documents?name=x.pdf`,
    { token: alice.token, raw: pdf(), headers: { 'Content-Type': 'application/pdf' } });
  assert.equal(doc.status, 201, doc.text);
  const docSha = doc.json.data.sha256;
  // Listed on the abnormal list after bidding: eligibility is checked again at the opening.
  assert.equal((await post(registrar, `/api/v1/orgs/${orgs[6]}/list-entries`, { list: 'abnormal', reason: 'unreachable', evidence: '无法联系' })).status, 201);
  flip('bids', `id = ${rc[0].id}`);
  flip('bid_documents', `bid_id = ${rc[1].id}`);
  d.sql(`UPDATE bids SET sha256 = '${'0'.repeat(64)}' WHERE id = ${rc[3].id}`);

  await clock(DEADLINE);
  const r = await open(purchaser, tid);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'unsuccessful');
  const rec = r.json.data.opening;
  assert.equal(rec.outcome, 'unsuccessful');
  assert.equal(rec.valid_bids, 1);
  const by = Object.fromEntries(rec.bids.map((b) => [b.bid_id, b]));
  assert.deepEqual([by[rc[0].id].valid, by[rc[0].id].invalid_reasons, by[rc[0].id].price_fen], [false, ['integrity_failed'], null]);
  assert.deepEqual([by[rc[1].id].valid, by[rc[1].id].invalid_reasons, by[rc[1].id].sha256], [false, ['integrity_failed'], docSha]);
  assert.deepEqual([by[rc[2].id].valid, by[rc[2].id].invalid_reasons, by[rc[2].id].price_fen], [false, ['listed'], 95000000]);
  assert.deepEqual([by[rc[3].id].valid, by[rc[3].id].invalid_reasons], [false, ['integrity_failed']]);
  assert.deepEqual([by[rc[4].id].valid, by[rc[4].id].invalid_reasons, by[rc[4].id].price_fen, by[rc[4].id].abnormally_low],
    [true, [], 99000000, false]);
  assert.equal((await get(null, `/api/v1/tenders/${tid}`)).json.data.status, 'unsuccessful');
  assert.equal(d.sql(`SELECT COUNT(*) FROM opening_bids WHERE tender_id = ${tid} AND valid = 1`).trim(), '1');
  // Unsuccessful is an end: nothing more to open or cancel.
  assert.equal((await open(purchaser, tid)).json.code, 'already_opened');
  await clock(T0);
});

test('the same with fewer than three bids, all valid: unsuccessful for an open tender; one valid bid is enough for single source', async () => {
  await clock(T0);
  const two = await tender();
  await bids(two, [100000000, 100000000]);
  const single = await tender({ method: 'single_source', invited_orgs: [orgs[5]], evaluation_method: 'lowest_price' });
  await bids(single, [null, null, null, null, null, 50000000]);
  const none = await tender();
  await clock(DEADLINE);
  const r2 = await open(purchaser, two);
  assert.equal(r2.json.data.status, 'unsuccessful');
  assert.equal(r2.json.data.opening.valid_bids, 2);
  const rs = await open(purchaser, single);
  assert.equal(rs.status, 200, rs.text);
  assert.equal(rs.json.data.status, 'active.evaluation');
  assert.equal(rs.json.data.opening.min_valid_bids, 1);
  // A lone valid bid has no others to be compared with: never abnormally low.
  assert.equal(rs.json.data.opening.bids[0].abnormally_low, false);
  const rn = await open(purchaser, none);
  assert.equal(rn.json.data.status, 'unsuccessful');
  assert.deepEqual(rn.json.data.opening.bids, []);
  await clock(T0);
});

test('before the opening nothing sealed is in the database dump or the log; after it the prices are public and the proposals still sealed', async () => {
  await clock(T0);
  const PRICES = [123456781, 123456782, 123456783];
  const tid = await tender();
  const rc = await bids(tid, PRICES);
  assert.equal((await d.api('POST', `/api/v1/tenders/${tid}/bids/${rc[0].id}/documents?name=${DOC_MARKER}.pdf`,
    { token: alice.token, raw: pdf(), headers: { 'Content-Type': 'application/pdf' } })).status, 201);
  const dump = () => execFileSync('mariadb-dump', [`--defaults-file=${path.join(ROOT, 'var/mariadb/root.cnf')}`, '--skip-extended-insert',
    d.database], { maxBuffer: 256 * 1024 * 1024 });
  await clock(DEADLINE);
  const before_ = dump();
  assert.ok(before_.includes(Buffer.from('INSERT INTO `bids`')));
  for (const needle of [...PRICES.map(String), MARKER, DOC_MARKER]) {
    assert.ok(!before_.includes(Buffer.from(needle, 'utf8')), `${needle} is in the dump before the opening`);
    assert.ok(!d.logs.includes(needle), `${needle} is in the log before the opening`);
  }
  assert.equal((await open(purchaser, tid)).status, 200);
  const after_ = dump();
  for (const p of PRICES) assert.ok(after_.includes(Buffer.from(String(p))), `${p} is published`);
  for (const needle of [MARKER, DOC_MARKER]) {
    assert.ok(!after_.includes(Buffer.from(needle, 'utf8')), `${needle} is in the dump after the opening`);
    assert.ok(!d.logs.includes(needle), `${needle} is in the log after the opening`);
  }
  await clock(T0);
});

test('two openings at once: one opens, the other is 409 already_opened; with one Idempotency-Key the same answer', async () => {
  await clock(T0);
  const a = await tender();
  const b = await tender();
  await bids(a, [100000000, 101000000, 102000000]);
  await bids(b, [100000000, 101000000, 102000000]);
  await clock(DEADLINE);
  const race = await Promise.all([open(purchaser, a), open(purchaser, a), open(other, a)]);
  assert.deepEqual(race.map((r) => r.status).sort(), [200, 403, 409]);
  assert.equal(race.find((r) => r.status === 409).json.code, 'already_opened');
  assert.equal(d.sql(`SELECT COUNT(*) FROM tender_openings WHERE tender_id = ${a}`).trim(), '1');
  assert.equal(d.sql(`SELECT COUNT(*) FROM opening_bids WHERE tender_id = ${a}`).trim(), '3');
  assert.equal(d.sql(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'tender' AND object_id = '${a}' AND action = 'tender.open'`).trim(), '1');

  const key = { 'Idempotency-Key': `open-${b}` };
  const same = await Promise.all([open(purchaser, b, key), open(purchaser, b, key)]);
  for (const r of same) assert.ok(r.status === 200 || (r.status === 409 && r.json.code === 'request_in_progress'), r.text);
  const first = same.find((r) => r.status === 200);
  const retry = await open(purchaser, b, key);
  assert.equal(retry.status, 200);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(retry.json.data.opening, first.json.data.opening);
  assert.equal(d.sql(`SELECT COUNT(*) FROM tender_openings WHERE tender_id = ${b}`).trim(), '1');
  await clock(T0);
});

test('killed in the middle of the opening (half the bids decrypted): no opening at all; opened again, the whole record', async () => {
  const e = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600', SANZHI_TEST_CRASH_AT: 'opening_half' } });
  try {
    const p = await actor(e, 'purchaser');
    const reg = await actor(e, 'registrar');
    const a = await actor(e, 'applicant');
    const people = [p, reg, a];
    const rows = [row(), row(), row(), row()];
    importRows(e, rows);
    await clock(T0, e, people);
    for (const r of rows) assert.equal((await e.api('PUT', `/api/v1/orgs/${r.uscc}/owner`, { token: reg.token, body: { user_id: a.id } })).status, 200);
    const tid = await tender({}, p, e);
    for (const [i, r] of rows.entries()) {
      const x = await e.api('POST', `/api/v1/tenders/${tid}/bids`, { token: a.token, body: { org_uscc: r.uscc, price_fen: 100000000 + i, technical_proposal: MARKER } });
      assert.equal(x.status, 201, x.text);
    }
    await clock(DEADLINE, e, people);
    await assert.rejects(e.api('POST', `/api/v1/tenders/${tid}/open`, { token: p.token }));
    await e.exited;
    assert.match(e.logs, /test crash inside a transaction/);
    assert.equal(e.sql(`SELECT COUNT(*) FROM tender_openings WHERE tender_id = ${tid}`).trim(), '0');
    assert.equal(e.sql(`SELECT COUNT(*) FROM opening_bids WHERE tender_id = ${tid}`).trim(), '0');
    assert.equal(e.sql(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'tender' AND object_id = '${tid}' AND action = 'tender.open'`).trim(), '0');
    assert.notEqual(e.sql(`SELECT status FROM tenders WHERE id = ${tid}`).trim(), 'active.evaluation');

    delete e.env.SANZHI_TEST_CRASH_AT;
    await e.start();
    await clock(DEADLINE, e, people);
    const before_ = await e.api('GET', `/api/v1/tenders/${tid}/opening`);
    assert.equal(before_.status, 409);
    assert.equal(before_.json.current_status, 'active.opening');
    const r = await e.api('POST', `/api/v1/tenders/${tid}/open`, { token: p.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.status, 'active.evaluation');
    assert.deepEqual(r.json.data.opening.bids.map((b) => b.price_fen), [100000000, 100000001, 100000002, 100000003]);
    assert.ok(r.json.data.opening.bids.every((b) => b.valid));
    assert.equal(e.sql(`SELECT COUNT(*) FROM opening_bids WHERE tender_id = ${tid}`).trim(), '4');
    assert.equal(e.cli(['audit', 'verify']).code, 0);
  } finally {
    await e.stop();
  }
});
