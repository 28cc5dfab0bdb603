// Sealed bids (SPEC §6, Appendix B): a receipt with the SHA-256 of the sealed plaintext; one live
// bid per organization, by the database; every eligibility rule at once; replace and withdraw
// until the deadline, decided by the daemon's clock to the microsecond; nothing in clear in the
// database, the logs or anyone's answers but the bidder's; a tampered seal shows as such.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startDaemon, ROOT } from '../lib/daemon.mjs';
import { actor, row, importRows } from '../bench/registry.mjs';

let d, admin, purchaser, registrar, alice, bob;
let o1, o2, o3, listed, young, dereg; // organizations; alice acts for o1, o2, listed, young, dereg; bob for o3

const DAY = 86400e3;
const T0 = '2026-03-10T02:00:00Z';
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const plus = (base, days) => iso(Date.parse(base) + days * DAY);
const DEADLINE = plus(T0, 25);
const PRICE = 118765432;               // distinctive: searched for in the dump and the logs
const MARKER = 'PROPOSAL-MARKER-7f3a9c'; // likewise
const DOC_MARKER = 'DOCUMENT-MARKER-51c2e8';
const pdf = (text = DOC_MARKER) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(`${text} 资质证明\n`), crypto.randomBytes(64)]);
const upload = (who, tid, bidId, body, name = '资质证明.pdf', type = 'application/pdf', headers = {}) => d.api('POST',
  `/api/v1/tenders/${tid}/bids/${bidId}/documents?name=${encodeURIComponent(name)}`,
  { token: who && who.token, raw: body, headers: { 'Content-Type': type, ...headers } });

async function clock(when) {
  await d.setClock(when, undefined, { frozen: true });
  for (const a of [admin, purchaser, registrar, alice, bob]) await a.refresh();
}

const post = (who, p, body, headers = {}) => d.api('POST', p, { token: who && who.token, body, headers });
const put = (who, p, body, headers = {}) => d.api('PUT', p, { token: who && who.token, body, headers });
const get = (who, p) => d.api('GET', p, { token: who && who.token });
const fields = (r) => (r.json.errors || []).map((e) => `${e.field}:${e.code}`).sort();

async function tender(over = {}) {
  const body = {
    title: '海盐县社区养老服务项目', description: '社区居家养老服务。', service_category: 'elderly_care',
    budget_fen: 120000000, method: 'open', evaluation_method: 'comprehensive',
    criteria: [{ id: 'plan', name: '服务方案', max_points: 70 }], price_points: 30,
    eligibility: {}, enquiry_end: plus(T0, 10), bid_deadline: DEADLINE, contract_months: 12, ...over,
  };
  const c = await post(purchaser, '/api/v1/tenders', body);
  assert.equal(c.status, 201, c.text);
  const p = await post(purchaser, `/api/v1/tenders/${c.json.data.id}/publish`);
  assert.equal(p.status, 200, p.text);
  return p.json.data.id;
}

const bid = (who, tid, over = {}, headers = {}) => post(who, `/api/v1/tenders/${tid}/bids`,
  { org_uscc: o1, price_fen: PRICE, technical_proposal: `${MARKER} 服务方案全文`, ...over }, headers);

before(async () => {
  d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600' } });
  admin = await actor(d, 'admin');
  purchaser = await actor(d, 'purchaser');
  registrar = await actor(d, 'registrar');
  alice = await actor(d, 'applicant');
  bob = await actor(d, 'applicant');
  const rows = {
    o1: row(), o2: row(), o3: row(), listed: row(),
    young: row({ legal_form: 'foundation', registered_at: '2025-06-01' }), dereg: row(),
  };
  importRows(d, Object.values(rows));
  ({ o1, o2, o3, listed, young, dereg } = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.uscc])));
  await clock(T0);
  for (const [uscc, who] of [[o1, alice], [o2, alice], [listed, alice], [young, alice], [dereg, alice], [o3, bob]]) {
    const r = await put(registrar, `/api/v1/orgs/${uscc}/owner`, { user_id: who.id });
    assert.equal(r.status, 200, r.text);
  }
  assert.equal((await post(registrar, `/api/v1/orgs/${o1}/grade`, { score: 750, decided_on: '2026-03-01', basis: '2025年度评估' })).status, 201);
  assert.equal((await post(registrar, `/api/v1/orgs/${listed}/list-entries`, { list: 'abnormal', reason: 'unreachable', evidence: '无法联系' })).status, 201);
  // Deregistration goes through a whole application; the refusal is what is tested here.
  d.sql(`UPDATE orgs SET status = 'deregistered' WHERE uscc = '${dereg}'`);
});
after(async () => { await d.stop(); });

test('a bid is sealed and answered with a receipt; its bidder alone reads it back and can check the digest', async () => {
  const tid = await tender();
  const r = await bid(alice, tid, {}, { 'Idempotency-Key': 'bid-1' });
  assert.equal(r.status, 201, r.text);
  const rc = r.json.data;
  assert.deepEqual(Object.keys(rc).sort(), ['id', 'org_uscc', 'sha256', 'status', 'submitted_at', 'tender_id', 'version', 'withdrawn_at']);
  assert.equal(rc.status, 'submitted');
  assert.equal(rc.org_uscc, o1);
  assert.equal(rc.submitted_at, T0);
  assert.match(rc.sha256, /^[0-9a-f]{64}$/);
  assert.ok(!r.text.includes(String(PRICE)) && !r.text.includes(MARKER));
  // A retry with the key gets the same receipt; nothing new.
  const again = await bid(alice, tid, {}, { 'Idempotency-Key': 'bid-1' });
  assert.equal(again.status, 201);
  assert.deepEqual(again.json.data, rc);
  assert.equal(d.sql(`SELECT COUNT(*) FROM bids WHERE tender_id = ${tid}`).trim(), '1');
  // The tender shows a number only.
  assert.equal((await get(null, `/api/v1/tenders/${tid}`)).json.data.bids_count, 1);

  const own = await get(alice, `/api/v1/tenders/${tid}/bids/${rc.id}`);
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.data.price_fen, PRICE);
  assert.equal(own.json.data.technical_proposal, `${MARKER} 服务方案全文`);
  assert.equal(own.json.data.intact, true);
  const plain = own.json.data.sealed_plaintext;
  assert.equal(crypto.createHash('sha256').update(plain, 'utf8').digest('hex'), rc.sha256);
  const parsed = JSON.parse(plain);
  assert.equal(parsed.tender_id, tid);
  assert.equal(parsed.bid_id, rc.id);
  assert.equal(parsed.org_uscc, o1);
  assert.match(parsed.nonce, /^[0-9a-f]{32}$/);
  for (const who of [null, bob, purchaser, admin, registrar]) {
    const x = await get(who, `/api/v1/tenders/${tid}/bids/${rc.id}`);
    assert.equal(x.status, 404, `${who && who.username}`);
    assert.ok(!x.text.includes(String(PRICE)));
  }
  assert.equal((await get(alice, `/api/v1/tenders/${tid + 1000}/bids/${rc.id}`)).status, 404);
  assert.equal(d.sql(`SELECT CONCAT(action, '|', summary) FROM audit_log WHERE object_type = 'bid' AND object_id = '${rc.id}'`).includes(rc.sha256), true);
});

test('one live bid per organization: 409 bid_exists, also when two race', async () => {
  const tid = await tender();
  const first = await bid(alice, tid);
  assert.equal(first.status, 201);
  const dup = await bid(alice, tid, { price_fen: 1 });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.code, 'bid_exists');
  assert.equal(dup.json.bid_id, first.json.data.id, 'the live bid to replace or withdraw');
  // The bidder lists its own bids on the tender; nobody else's, and nobody else sees them.
  const mine = await get(alice, `/api/v1/tenders/${tid}/bids`);
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.json.data.map((x) => [x.id, x.org_uscc, x.status]), [[first.json.data.id, o1, 'submitted']]);
  assert.ok(!mine.text.includes(String(PRICE)), 'receipts only: no price');
  assert.deepEqual((await get(bob, `/api/v1/tenders/${tid}/bids`)).json.data, []);
  assert.equal((await get(purchaser, `/api/v1/tenders/${tid}/bids`)).status, 403);
  assert.equal((await get(null, `/api/v1/tenders/${tid}/bids`)).status, 401);
  assert.equal((await get(alice, `/api/v1/tenders/${tid + 100000}/bids`)).status, 404);
  const race = await Promise.all([1, 2, 3].map((i) => bid(bob, tid, { org_uscc: o3, price_fen: 100000000 + i })));
  assert.deepEqual(race.map((r) => r.status).sort(), [201, 409, 409]);
  assert.ok(race.filter((r) => r.status === 409).every((r) => r.json.code === 'bid_exists'));
  assert.deepEqual((await get(bob, `/api/v1/tenders/${tid}/bids`)).json.data.map((x) => x.org_uscc), [o3]);
  assert.equal(d.sql(`SELECT COUNT(*) FROM bids WHERE tender_id = ${tid}`).trim(), '2');
  // The database itself refuses a second live bid, whatever a handler does.
  assert.throws(() => d.sql(`INSERT INTO bids (tender_id, org_uscc, bidder_id, status, sealed, sha256, submitted_at, created_at, updated_at)
    SELECT tender_id, org_uscc, bidder_id, status, sealed, sha256, submitted_at, created_at, updated_at FROM bids WHERE tender_id = ${tid} LIMIT 1`), /Duplicate/);
});

test('eligibility: every failing rule at once, each with its code; ownership first', async () => {
  const strict = await tender({ eligibility: { min_grade: '5A', min_years_registered: 20, legal_forms: ['foundation'], categories: ['science_technology'] } });
  const r = await bid(alice, strict);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.code, 'not_eligible');
  assert.deepEqual(fields(r), ['org:category_not_allowed', 'org:grade_too_low', 'org:legal_form_not_allowed', 'org:registered_too_recently']);
  const open = await tender({ eligibility: { min_grade: '3A', min_years_registered: 2 } });
  assert.equal((await bid(alice, open)).status, 201);  // o1: 3A, registered 2015
  assert.deepEqual(fields(await bid(alice, open, { org_uscc: o2 })), ['org:grade_too_low']);
  assert.deepEqual(fields(await bid(alice, open, { org_uscc: young })), ['org:grade_too_low', 'org:registered_too_recently']);
  const any = await tender();
  assert.deepEqual(fields(await bid(alice, any, { org_uscc: listed })), ['org:listed']);
  assert.deepEqual(fields(await bid(alice, any, { org_uscc: dereg })), ['org:not_registered']);
  const invited = await tender({ method: 'invited', invited_orgs: [o2, o3, listed] });
  assert.deepEqual(fields(await bid(alice, invited)), ['org:not_invited']);
  assert.equal((await bid(alice, invited, { org_uscc: o2 })).status, 201);
  assert.deepEqual(fields(await bid(alice, invited, { org_uscc: listed })), ['org:listed']);
  // Another's organization: 403 before anything else.
  const theirs = await bid(bob, any);
  assert.equal(theirs.status, 403);
  assert.equal(theirs.json.code, 'not_org_owner');
  assert.equal(d.sql(`SELECT COUNT(*) FROM bids WHERE tender_id IN (${strict}, ${any})`).trim(), '0');
});

test('bad bodies, other roles and unpublished tenders are refused', async () => {
  const tid = await tender();
  const bad = await post(alice, `/api/v1/tenders/${tid}/bids`, { org_uscc: 'X', price_fen: 0, technical_proposal: ' ', extra: 1 });
  assert.equal(bad.status, 422);
  assert.deepEqual(fields(bad), ['extra:unknown_field', 'org_uscc:invalid_uscc', 'price_fen:out_of_range', 'technical_proposal:required']);
  assert.deepEqual(fields(await post(alice, `/api/v1/tenders/${tid}/bids`, {})), ['org_uscc:required', 'price_fen:required', 'technical_proposal:required']);
  assert.deepEqual(fields(await bid(alice, tid, { price_fen: 12.5 })), ['price_fen:not_integer']);
  for (const who of [purchaser, registrar, admin]) assert.equal((await bid(who, tid)).status, 403);
  assert.equal((await bid(null, tid)).status, 401);
  const draft = await post(purchaser, '/api/v1/tenders', {
    title: '草稿', description: '草稿', service_category: 'x', budget_fen: 1, method: 'open', evaluation_method: 'comprehensive',
    criteria: [{ id: 'a', name: '甲', max_points: 70 }], price_points: 30, enquiry_end: plus(T0, 10), bid_deadline: DEADLINE, contract_months: 1 });
  assert.equal((await bid(alice, draft.json.data.id)).status, 404);
  assert.equal((await bid(alice, 999999)).status, 404);
  const cancelled = await tender();
  assert.equal((await post(purchaser, `/api/v1/tenders/${cancelled}/cancel`, { reason: '取消' })).status, 200);
  const c = await bid(alice, cancelled);
  assert.equal(c.status, 409);
  assert.equal(c.json.code, 'tender_cancelled');
});

test('replace and withdraw: new receipts, If-Match, the bidder only; a withdrawn bid frees the organization', async () => {
  const tid = await tender();
  const first = (await bid(alice, tid)).json.data;
  assert.equal((await put(bob, `/api/v1/tenders/${tid}/bids/${first.id}`, { price_fen: 5, technical_proposal: 'x' })).status, 404);
  const stale = await put(alice, `/api/v1/tenders/${tid}/bids/${first.id}`, { price_fen: 99000000, technical_proposal: '新方案' }, { 'If-Match': '"7"' });
  assert.equal(stale.status, 412);
  const r = await put(alice, `/api/v1/tenders/${tid}/bids/${first.id}`, { price_fen: 99000000, technical_proposal: '新方案' }, { 'If-Match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.version, 2);
  assert.notEqual(r.json.data.sha256, first.sha256);
  const own = (await get(alice, `/api/v1/tenders/${tid}/bids/${first.id}`)).json.data;
  assert.equal(own.price_fen, 99000000);
  assert.equal(own.technical_proposal, '新方案');
  assert.deepEqual(fields(await put(alice, `/api/v1/tenders/${tid}/bids/${first.id}`, { price_fen: -1, technical_proposal: 'x', org_uscc: o2 })),
    ['org_uscc:unknown_field', 'price_fen:out_of_range']);
  assert.equal((await post(bob, `/api/v1/tenders/${tid}/bids/${first.id}/withdraw`)).status, 404);
  const w = await post(alice, `/api/v1/tenders/${tid}/bids/${first.id}/withdraw`);
  assert.equal(w.status, 200, w.text);
  assert.equal(w.json.data.status, 'withdrawn');
  assert.equal(w.json.data.withdrawn_at, T0);
  assert.equal((await get(null, `/api/v1/tenders/${tid}`)).json.data.bids_count, 0);
  const after = await put(alice, `/api/v1/tenders/${tid}/bids/${first.id}`, { price_fen: 1, technical_proposal: 'x' });
  assert.equal(after.status, 409);
  assert.equal(after.json.code, 'bid_withdrawn');
  assert.equal(after.json.current_status, 'withdrawn');
  assert.deepEqual(d.sql(`SELECT kind FROM bid_receipts WHERE bid_id = ${first.id} ORDER BY id`).trim().split('\n'), ['submit', 'replace', 'withdraw']);
  const again = await bid(alice, tid);
  assert.equal(again.status, 201, again.text);
  assert.equal((await get(null, `/api/v1/tenders/${tid}`)).json.data.bids_count, 1);
  assert.deepEqual(d.sql(`SELECT action FROM audit_log WHERE object_type = 'bid' AND object_id = '${first.id}' ORDER BY seq`).trim().split('\n'),
    ['bid.submit', 'bid.replace', 'bid.withdraw']);
});

test('the bid deadline, to the microsecond, by the daemon\'s clock', async () => {
  await clock(T0);
  const tid = await tender();
  const early = (await bid(alice, tid)).json.data;
  await clock(new Date(Date.parse(DEADLINE) - 1).toISOString().replace('Z', '999Z'));  // deadline − 1 µs
  const last = await bid(bob, tid, { org_uscc: o3 });
  assert.equal(last.status, 201, last.text);
  assert.equal((await put(alice, `/api/v1/tenders/${tid}/bids/${early.id}`, { price_fen: 7, technical_proposal: 'x' })).status, 200);
  await clock(DEADLINE);
  const late = await bid(alice, tid, { org_uscc: o2 });
  assert.equal(late.status, 409);
  assert.equal(late.json.code, 'deadline_passed');
  assert.equal(late.json.current_status, 'active.opening');
  const rep = await put(alice, `/api/v1/tenders/${tid}/bids/${early.id}`, { price_fen: 8, technical_proposal: 'y' });
  assert.equal(rep.status, 409);
  assert.equal(rep.json.code, 'deadline_passed');
  const wd = await post(alice, `/api/v1/tenders/${tid}/bids/${early.id}/withdraw`);
  assert.equal(wd.status, 409);
  assert.equal(wd.json.code, 'deadline_passed');
  assert.equal((await get(alice, `/api/v1/tenders/${tid}/bids/${early.id}`)).json.data.price_fen, 7);
  assert.equal((await get(null, `/api/v1/tenders/${tid}`)).json.data.bids_count, 2);
  await clock(T0);
});

test('a stored seal that was altered, or moved to another bid, no longer opens', async () => {
  const tid = await tender();
  const a = (await bid(alice, tid)).json.data;
  const b = (await bid(bob, tid, { org_uscc: o3 })).json.data;
  // One bit of the ciphertext flipped.
  d.sql(`UPDATE bids SET sealed = CONCAT(LEFT(sealed, 20), CHAR(ASCII(SUBSTRING(sealed, 21, 1)) ^ 1), SUBSTRING(sealed, 22)) WHERE id = ${a.id}`);
  const ra = (await get(alice, `/api/v1/tenders/${tid}/bids/${a.id}`)).json.data;
  assert.equal(ra.intact, false);
  assert.equal(ra.price_fen, null);
  assert.equal(ra.sealed_plaintext, null);
  // A whole valid seal moved onto another bid: the additional data (tender, bid, organization) differs.
  const c = (await bid(alice, tid, { org_uscc: o2 })).json.data;
  d.sql(`UPDATE bids t JOIN bids s ON s.id = ${b.id} SET t.sealed = s.sealed WHERE t.id = ${c.id}`);
  assert.equal((await get(alice, `/api/v1/tenders/${tid}/bids/${c.id}`)).json.data.intact, false);
  assert.equal((await get(bob, `/api/v1/tenders/${tid}/bids/${b.id}`)).json.data.intact, true);
});

test('documents: sealed one by one, each a new receipt; the bidder alone downloads them; a replacement keeps them', async () => {
  await clock(T0);
  const tid = await tender();
  const b = (await bid(alice, tid)).json.data;
  const file = pdf();
  const r = await upload(alice, tid, b.id, file);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.version, 2);
  assert.notEqual(r.json.data.sha256, b.sha256);
  assert.deepEqual(r.json.data.document, { id: r.json.data.document.id, media_type: 'application/pdf',
    size: file.length, sha256: crypto.createHash('sha256').update(file).digest('hex') });
  const own = (await get(alice, `/api/v1/tenders/${tid}/bids/${b.id}`)).json.data;
  const meta = { ...r.json.data.document, name: '资质证明.pdf' };
  assert.deepEqual(own.documents, [meta]);
  assert.equal(crypto.createHash('sha256').update(own.sealed_plaintext, 'utf8').digest('hex'), r.json.data.sha256);
  const dl = await fetch(`${d.url}/api/v1/tenders/${tid}/bids/${b.id}/documents/${r.json.data.document.id}`,
    { headers: { Authorization: `Bearer ${alice.token}` } });
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'application/pdf');
  assert.deepEqual(Buffer.from(await dl.arrayBuffer()), file);
  for (const who of [bob, purchaser, admin]) {
    const x = await fetch(`${d.url}/api/v1/tenders/${tid}/bids/${b.id}/documents/${r.json.data.document.id}`,
      { headers: { Authorization: `Bearer ${who.token}` } });
    assert.equal(x.status, 404);
  }
  assert.equal((await upload(bob, tid, b.id, pdf())).status, 404);
  const mismatch = await upload(alice, tid, b.id, pdf(), 'x.png', 'image/png');
  assert.equal(mismatch.status, 422);
  assert.equal(mismatch.json.code, 'content_mismatch');
  assert.equal((await upload(alice, tid, b.id, pdf(), 'x.txt', 'text/plain')).status, 415);
  // A replacement keeps the documents, under a new seal.
  const rep = await put(alice, `/api/v1/tenders/${tid}/bids/${b.id}`, { price_fen: 5000000, technical_proposal: '第二版' });
  assert.equal(rep.status, 200);
  assert.deepEqual((await get(alice, `/api/v1/tenders/${tid}/bids/${b.id}`)).json.data.documents, [meta]);
  assert.deepEqual(d.sql(`SELECT kind FROM bid_receipts WHERE bid_id = ${b.id} ORDER BY id`).trim().split('\n'), ['submit', 'document', 'replace']);
  await clock(DEADLINE);
  const late = await upload(alice, tid, b.id, pdf());
  assert.equal(late.status, 409);
  assert.equal(late.json.code, 'deadline_passed');
  await clock(T0);
});

test('nothing in clear: not in the database dump, the logs or the audit trail', async () => {
  const tid = await tender();
  const r = await bid(alice, tid, {}, { 'Idempotency-Key': 'clear-check' });
  assert.equal(r.status, 201);
  assert.equal((await put(alice, `/api/v1/tenders/${tid}/bids/${r.json.data.id}`, { price_fen: PRICE + 1, technical_proposal: `${MARKER} v2` })).status, 200);
  assert.equal((await upload(alice, tid, r.json.data.id, pdf(), `${DOC_MARKER}.pdf`, 'application/pdf', { 'Idempotency-Key': 'doc-clear' })).status, 201);
  const dump = execFileSync('mariadb-dump', [`--defaults-file=${path.join(ROOT, 'var/mariadb/root.cnf')}`, '--skip-extended-insert',
    d.database], { maxBuffer: 256 * 1024 * 1024 });
  const hex = dump.toString('latin1');
  for (const needle of [String(PRICE), String(PRICE + 1), MARKER, '服务方案全文', DOC_MARKER, '资质证明']) {
    assert.ok(!dump.includes(Buffer.from(needle, 'utf8')), `${needle} is in the database dump`);
    assert.ok(!d.logs.includes(needle), `${needle} is in the daemon's log`);
  }
  assert.ok(hex.includes('INSERT INTO `bids`'), 'the dump has the bids');
  const audit = d.sql("SELECT summary FROM audit_log WHERE object_type = 'bid'");
  assert.ok(!audit.includes(String(PRICE)) && !audit.includes(MARKER));
  // The tender's data key is stored wrapped only: 12 + 32 + 16 bytes, never the key itself.
  assert.equal(d.sql(`SELECT LENGTH(wrapped) FROM tender_keys WHERE tender_id = ${tid}`).trim(), '60');
});

test('killed between the commit and the answer: the retry gets the same receipt; the bid, its seal and its receipt are whole', async () => {
  const e = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600', SANZHI_TEST_CRASH_AFTER_COMMIT: 'POST /api/v1/tenders/{id}/bids' } });
  // On the real time: the restarted daemon's clock is the real one again, and at start its sweep
  // makes due deadlines and drops day-old Idempotency-Keys.
  const now = iso(Math.floor(Date.now() / 1000) * 1000);
  try {
    const p = await actor(e, 'purchaser');
    const reg = await actor(e, 'registrar');
    const a = await actor(e, 'applicant');
    const org = row();
    importRows(e, [org]);
    assert.equal((await e.api('PUT', `/api/v1/orgs/${org.uscc}/owner`, { token: reg.token, body: { user_id: a.id } })).status, 200);
    const c = await e.api('POST', '/api/v1/tenders', { token: p.token, body: {
      title: '海盐县助餐服务项目', description: '助餐。', service_category: 'elderly_care', budget_fen: 5000000, method: 'open',
      evaluation_method: 'lowest_price', criteria: [{ id: 'plan', name: '方案', max_points: 70 }], price_points: 30,
      enquiry_end: plus(now, 10), bid_deadline: plus(now, 25), contract_months: 6 } });
    const tid = c.json.data.id;
    assert.equal((await e.api('POST', `/api/v1/tenders/${tid}/publish`, { token: p.token })).status, 200);
    const req = { token: a.token, body: { org_uscc: org.uscc, price_fen: PRICE, technical_proposal: MARKER }, headers: { 'Idempotency-Key': 'crash-bid' } };
    await assert.rejects(e.api('POST', `/api/v1/tenders/${tid}/bids`, req));
    await e.exited;
    assert.equal(e.sql(`SELECT COUNT(*) FROM bids WHERE tender_id = ${tid}`).trim(), '1');
    assert.equal(e.sql(`SELECT COUNT(*) FROM bid_receipts r JOIN bids b ON b.id = r.bid_id WHERE b.tender_id = ${tid}`).trim(), '1');
    delete e.env.SANZHI_TEST_CRASH_AFTER_COMMIT;
    await e.start();
    const token = await e.login(a.username);
    const r = await e.api('POST', `/api/v1/tenders/${tid}/bids`, { ...req, token });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('idempotent-replayed'), 'true');
    assert.equal(r.json.data.sha256, e.sql(`SELECT sha256 FROM bids WHERE tender_id = ${tid}`).trim());
    assert.equal(e.sql(`SELECT COUNT(*) FROM bids WHERE tender_id = ${tid}`).trim(), '1');
    const own = await e.api('GET', `/api/v1/tenders/${tid}/bids/${r.json.data.id}`, { token });
    assert.equal(own.json.data.price_fen, PRICE);
    assert.equal(own.json.data.intact, true);
  } finally {
    await e.stop();
  }
});
