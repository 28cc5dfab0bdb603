// Open data (SPEC §6 "Open data", Appendix B; issue 10 item 6): GET /tenders/{id}/ocds, an OCDS 1.1
// release package validated against the official 1.1.5 schemas (vendored unmodified in tests/ocds/)
// at every stage of a tender, nothing sealed before the opening; and GET /feed, every public change
// once in commit order, resumable, paged, refusing bad parameters, with two daemons writing at once
// while a reader pages, and a change that commits late still numbered after what was seen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { startDaemon, ROOT, sql } from '../lib/daemon.mjs';
import { actor, row, importRows } from '../bench/registry.mjs';

const schema = (n) => JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/ocds', n), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(schema('release-schema.json'));
const validatePackage = ajv.compile(schema('release-package-schema.json'));

function assertValid(pkg) {
  const ok = validatePackage(pkg);
  assert.ok(ok, `OCDS package invalid: ${JSON.stringify(validatePackage.errors, null, 1)}`);
}

let d, d2, purchaser, registrar, alice;
let orgs;

const DAY = 86400e3;
const T0 = '2026-05-11T02:00:00Z';
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const plus = (base, days) => iso(Date.parse(base) + days * DAY);
const DEADLINE = plus(T0, 25);
const MARKER = 'OCDS-SEALED-PROPOSAL-MARKER-61fe';
const PRICES = [100000050, 98000000, 102000000]; // fen: ¥1,000,000.50, ¥980,000, ¥1,020,000

const post = (who, p, body, dd = d) => dd.api('POST', p, { token: who && who.token, body });
const get = (p, dd = d) => dd.api('GET', p);

async function clock(when) {
  await d.setClock(when, undefined, { frozen: true });
  for (const a of [purchaser, registrar, alice]) await a.refresh();
}

async function draft(over = {}, who = purchaser, dd = d) {
  const body = {
    title: '海盐县社区养老服务项目', description: '社区居家养老服务。', service_category: 'elderly_care',
    budget_fen: 120000050, method: 'open', evaluation_method: 'comprehensive',
    criteria: [{ id: 'plan', name: '服务方案', max_points: 70 }], price_points: 30,
    eligibility: {}, enquiry_end: plus(T0, 10), bid_deadline: DEADLINE, contract_months: 12, ...over,
  };
  const c = await dd.api('POST', '/api/v1/tenders', { token: who.token, body });
  assert.equal(c.status, 201, c.text);
  return c.json.data.id;
}

async function publish(tid, who = purchaser, dd = d) {
  const p = await dd.api('POST', `/api/v1/tenders/${tid}/publish`, { token: who.token });
  assert.equal(p.status, 200, p.text);
}

async function ocds(tid, dd = d) {
  const r = await get(`/api/v1/tenders/${tid}/ocds`, dd);
  assert.equal(r.status, 200, r.text);
  assertValid(r.json);
  return r;
}

// The whole feed after `from`, in pages of `limit`.
async function feedAll(from = 0, limit = 1000, dd = d) {
  const out = [];
  let after_ = from;
  for (;;) {
    const r = await get(`/api/v1/feed?after=${after_}&limit=${limit}`, dd);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.data);
    if (!r.json.data.length) {
      assert.equal(r.json.next_after, after_);
      return { rows: out, next: after_ };
    }
    assert.equal(r.json.next_after, r.json.data.at(-1).seq);
    after_ = r.json.next_after;
  }
}

const feedMax = () => Number(sql(d.database, 'SELECT COALESCE(MAX(seq), 0) FROM feed_events').trim());

before(async () => {
  d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600' } });
  purchaser = await actor(d, 'purchaser');
  registrar = await actor(d, 'registrar');
  alice = await actor(d, 'applicant');
  const rows = [row(), row(), row(), row()];
  importRows(d, rows);
  orgs = rows.map((r) => r.uscc);
  await clock(T0);
  for (const uscc of orgs) {
    const r = await d.api('PUT', `/api/v1/orgs/${uscc}/owner`, { token: registrar.token, body: { user_id: alice.id } });
    assert.equal(r.status, 200, r.text);
  }
});
after(async () => {
  if (d2) await d2.stop({ keep: true });
  await d.stop();
});

test('a tender as an OCDS release package at each stage: valid, sealed until the opening, parties and amounts right', async () => {
  await clock(T0);
  const tid = await draft();
  const ocid = `ocds-sanzhi-${tid}`;
  // A draft is nobody's open data, its owner's neither.
  assert.equal((await get(`/api/v1/tenders/${tid}/ocds`)).status, 404);
  assert.equal((await d.api('GET', `/api/v1/tenders/${tid}/ocds`, { token: purchaser.token })).status, 404);
  assert.equal((await get('/api/v1/tenders/999999999/ocds')).status, 404);

  await publish(tid);
  let pkg = (await ocds(tid)).json;
  assert.equal(pkg.version, '1.1');
  assert.equal(pkg.uri, `${d.url}/api/v1/tenders/${tid}/ocds`);
  assert.equal(pkg.publisher.name, 'sanzhi');
  assert.equal(pkg.releases.length, 1);
  const [rel] = pkg.releases;
  assert.equal(rel.ocid, ocid);
  assert.equal(rel.id, `${ocid}-tender`);
  assert.deepEqual(rel.tag, ['tender']);
  assert.equal(rel.initiationType, 'tender');
  assert.equal(rel.date, T0);
  assert.equal(pkg.publishedDate, T0);
  assert.deepEqual(rel.parties, [{ id: 'buyer-海盐县民政局', name: '海盐县民政局', roles: ['buyer'] }]);
  assert.deepEqual(rel.buyer, { id: 'buyer-海盐县民政局', name: '海盐县民政局' });
  const t = rel.tender;
  assert.equal(t.id, String(tid));
  assert.equal(t.status, 'active');
  assert.deepEqual(t.value, { amount: 1200000.5, currency: 'CNY' });
  assert.match((await get(`/api/v1/tenders/${tid}/ocds`)).text, /"amount":1200000\.5,/);
  assert.equal(t.procurementMethod, 'open');
  assert.equal(t.procurementMethodDetails, '公开招标');
  assert.equal(t.awardCriteria, 'ratedCriteria');
  assert.deepEqual(t.tenderPeriod, { startDate: T0, endDate: DEADLINE });
  assert.deepEqual(t.enquiryPeriod, { startDate: T0, endDate: plus(T0, 10) });
  assert.equal(t.numberOfTenderers, undefined);
  assert.equal(t.tenderers, undefined);

  // An enquiry and its answer: a tenderUpdate, the asker never named.
  await clock(plus(T0, 1));
  const q = await post(alice, `/api/v1/tenders/${tid}/questions`, { question: '服务范围包括哪些社区?' });
  assert.equal(q.status, 201, q.text);
  await clock(plus(T0, 2));
  const a = await post(purchaser, `/api/v1/tenders/${tid}/questions/${q.json.data.id}/answer`, { answer: '全县所有社区。' });
  assert.equal(a.status, 200, a.text);
  pkg = (await ocds(tid)).json;
  assert.deepEqual(pkg.releases.map((r) => r.id), [`${ocid}-tender`, `${ocid}-enquiry-${q.json.data.id}`]);
  const enq = pkg.releases[1];
  assert.deepEqual(enq.tag, ['tenderUpdate']);
  assert.equal(enq.date, plus(T0, 2));
  assert.deepEqual(enq.tender.enquiries, [{ id: String(q.json.data.id), date: plus(T0, 1), description: '服务范围包括哪些社区?',
    answer: '全县所有社区。', dateAnswered: plus(T0, 2) }]);
  assert.doesNotMatch(JSON.stringify(pkg), new RegExp(alice.username));

  // Bids: nothing of them in the package (not even how many), and nothing new in the feed.
  await clock(plus(T0, 12));
  const feedBefore = feedMax();
  const receipts = [];
  for (const [i, price] of PRICES.entries()) {
    const r = await post(alice, `/api/v1/tenders/${tid}/bids`, { org_uscc: orgs[i], price_fen: price, technical_proposal: `${MARKER} ${i}` });
    assert.equal(r.status, 201, r.text);
    receipts.push(r.json.data);
  }
  // The enquiry end passed: the sweep makes it real (a public change), the bids are not.
  const sw = await d.api('POST', '/api/v1/admin/sweep', { token: (await actor(d, 'admin')).token });
  assert.equal(sw.status, 200, sw.text);
  const sealedFeed = (await feedAll(feedBefore)).rows;
  assert.deepEqual(sealedFeed.map((e) => [e.type, e.id, e.action]), [['tender', String(tid), 'close-enquiries']]);
  const before = await ocds(tid);
  pkg = before.json;
  for (const secret of [MARKER, ...orgs.slice(0, 3), ...PRICES.map(String), '1000000.5', '980000', 'tenderer', 'bids', ...receipts.map((r) => r.sha256)])
    assert.ok(!before.text.includes(secret), `sealed ${secret} in the package before the opening`);
  assert.deepEqual(pkg.releases.at(-1).tender, { id: String(tid), status: 'active' });
  assert.deepEqual(pkg.releases.at(-1).tag, ['tenderUpdate']);

  // The opening: tenderers, their identifiers and bids with yuan amounts.
  await clock(DEADLINE);
  const o = await post(purchaser, `/api/v1/tenders/${tid}/open`);
  assert.equal(o.status, 200, o.text);
  const after1 = await ocds(tid);
  pkg = after1.json;
  const ids = pkg.releases.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'release ids are unique');
  assert.deepEqual(pkg.releases.map((r) => r.tag[0]), ['tender', 'tenderUpdate', 'tenderUpdate', 'tenderUpdate', 'tenderUpdate']);
  assert.match(ids[2], new RegExp(`^${ocid}-close-enquiries-\\d+$`));
  assert.match(ids[3], new RegExp(`^${ocid}-close-bidding-\\d+$`));
  assert.equal(ids[4], `${ocid}-opening`);
  const op = pkg.releases[4];
  assert.equal(op.date, DEADLINE);
  assert.equal(pkg.publishedDate, DEADLINE);
  assert.equal(op.tender.status, 'active');
  assert.equal(op.tender.numberOfTenderers, 3);
  const names = Object.fromEntries(o.json.data.opening.bids.map((b) => [b.org_uscc, b.org_name]));
  assert.deepEqual(op.tender.tenderers, orgs.slice(0, 3).map((u) => ({ id: `CN-USCI-${u}`, name: names[u] })));
  assert.deepEqual(op.parties, orgs.slice(0, 3).map((u) => ({ id: `CN-USCI-${u}`, name: names[u],
    identifier: { scheme: 'CN-USCI', id: u, legalName: names[u] }, roles: ['tenderer'] })));
  assert.deepEqual(op.bids.details.map((b) => [b.id, b.status, b.value, b.tenderers[0].id]), receipts.map((r, i) =>
    [String(r.id), 'valid', { amount: PRICES[i] / 100, currency: 'CNY' }, `CN-USCI-${orgs[i]}`]));
  assert.match(after1.text, /"amount":1000000\.5,/);
  assert.ok(!after1.text.includes(MARKER), 'technical proposals stay sealed after the opening');

  // Stable: the same package again (ids, dates, contents).
  const again = await ocds(tid);
  assert.equal(again.text, after1.text);
});

test('methods and award criteria map to the OCDS codelists; cancellation is a tenderCancellation; the prefix is configurable', async () => {
  await clock(T0);
  const cases = [
    [{ method: 'competitive_negotiation', evaluation_method: 'lowest_price' }, 'limited', '竞争性谈判', 'priceOnly'],
    [{ method: 'competitive_consultation' }, 'limited', '竞争性磋商', 'ratedCriteria'],
    [{ method: 'inquiry', evaluation_method: 'lowest_price' }, 'limited', '询价', 'priceOnly'],
    [{ method: 'invited', invited_orgs: orgs.slice(0, 3) }, 'selective', '邀请招标', 'ratedCriteria'],
    [{ method: 'single_source', invited_orgs: [orgs[0]] }, 'direct', '单一来源', 'ratedCriteria'],
  ];
  for (const [over, code, details, crit] of cases) {
    const tid = await draft(over);
    await publish(tid);
    const t = (await ocds(tid)).json.releases[0].tender;
    assert.equal(t.procurementMethod, code);
    assert.equal(t.procurementMethodDetails, details);
    assert.equal(t.awardCriteria, crit);
    // Who is invited is the purchaser's to see, never open data.
    const text = (await get(`/api/v1/tenders/${tid}/ocds`)).text;
    for (const u of orgs) assert.ok(!text.includes(u), `${u} in the package`);
    const c = await post(purchaser, `/api/v1/tenders/${tid}/cancel`, { reason: '预算调整' });
    assert.equal(c.status, 200, c.text);
    const pkg = (await ocds(tid)).json;
    assert.deepEqual(pkg.releases.at(-1).tag, ['tenderCancellation']);
    assert.equal(pkg.releases.at(-1).tender.status, 'cancelled');
  }
  // A draft cancelled before publication never was public.
  const gone = await draft();
  assert.equal((await post(purchaser, `/api/v1/tenders/${gone}/cancel`, { reason: '重拟' })).status, 200);
  assert.equal((await get(`/api/v1/tenders/${gone}/ocds`)).status, 404);
  assert.ok(!(await feedAll()).rows.some((e) => e.type === 'tender' && e.id === String(gone)));
});

test('the feed: every public change once, in order, resumable, paged; bad parameters refused', async () => {
  await clock(T0);
  const start = feedMax();
  const tid = await draft();
  await publish(tid);
  const uscc = orgs[3];
  const l = await post(registrar, `/api/v1/orgs/${uscc}/list-entries`, { list: 'abnormal', reason: 'unreachable', evidence: '两次实地核查均无人' });
  assert.equal(l.status, 201, l.text);
  const rm = await post(registrar, `/api/v1/orgs/${uscc}/list-entries/${l.json.data.id}/remove`, { reason: '已整改' });
  assert.equal(rm.status, 200, rm.text);
  const c = await post(purchaser, `/api/v1/tenders/${tid}/cancel`, { reason: '预算调整' });
  assert.equal(c.status, 200, c.text);
  // A warning: the organization's credit changed, and it is listed as a consequence.
  const w = await post(registrar, `/api/v1/orgs/${orgs[2]}/credit-events`, { kind: 'penalty', penalty_type: 'warning',
    decision_number: '盐民罚〔2026〕7号', basis: '《社会团体登记管理条例》第三十条', authority: '海盐县民政局', decided_on: '2026-03-01' });
  assert.equal(w.status, 201, w.text);
  const wid = String(w.json.data.consequences[0].id);

  const { rows } = await feedAll(start);
  const eid = String(l.json.data.id);
  assert.deepEqual(rows.map((e) => [e.type, e.id, e.action]), [
    ['tender', String(tid), 'publish'],
    ['org', uscc, 'listing'], ['credit', eid, 'list'],
    ['org', uscc, 'delisting'], ['credit', eid, 'remove'],
    ['tender', String(tid), 'cancel'],
    ['org', orgs[2], 'credit_event'], ['org', orgs[2], 'listing'], ['credit', wid, 'list'],
  ]);
  assert.deepEqual(rows.map((e) => e.seq), rows.map((_, i) => start + 1 + i), 'numbers without gaps');
  for (const e of rows) assert.equal(e.at, T0);

  // From the start: the imported organizations first, every seq once, increasing.
  const all = (await feedAll(0)).rows;
  assert.deepEqual(all.slice(0, 4).map((e) => [e.type, e.id, e.action]), orgs.map((u) => ['org', u, 'establish']));
  assert.deepEqual(all.map((e) => e.seq), all.map((_, i) => i + 1));
  // Paged by 2 the same as at once; resumed from the middle, the rest.
  assert.deepEqual((await feedAll(0, 2)).rows, all);
  assert.deepEqual((await feedAll(all[6].seq, 3)).rows, all.slice(7));
  const dflt = await get('/api/v1/feed');
  assert.equal(dflt.status, 200);
  assert.deepEqual(dflt.json.data, all.slice(0, 100));
  const past = await get('/api/v1/feed?after=999999999');
  assert.deepEqual(past.json, { data: [], next_after: 999999999 });

  for (const [q, status, code] of [
    ['after=-1', 400, 'invalid_parameter'], ['after=abc', 400, 'invalid_parameter'], ['after=', 400, 'invalid_parameter'],
    ['after=1.5', 400, 'invalid_parameter'], ['limit=ten', 400, 'invalid_parameter'],
    ['limit=0', 422, 'validation_failed'], ['limit=1001', 422, 'validation_failed'],
    ['after=99999999999999999999', 422, 'validation_failed'],
  ]) {
    const r = await get(`/api/v1/feed?${q}`);
    assert.equal(r.status, status, `${q}: ${r.text}`);
    assert.equal(r.json.code, code, q);
    assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  }
  assert.equal((await get('/api/v1/feed?limit=1000')).status, 200);
});

test('a change that commits late is numbered after everything already seen', async () => {
  await clock(T0);
  const start = feedMax();
  // A transaction that writes its feed row first and commits three seconds later (the daemon's
  // sequencer job numbers it once committed): AUTO_INCREMENT gives it an id below the rows written
  // meanwhile, which a reader paging by id would skip for ever.
  const late = spawn(path.join(ROOT, 'scripts/devdb.sh'), ['root-sql', d.database, '-e',
    "START TRANSACTION; INSERT INTO feed_events (at, type, object_id, action) VALUES ('2026-05-11 02:00:00', 'org', 'LATECOMMIT', 'change'); DO SLEEP(3); COMMIT;"],
  { stdio: 'ignore' });
  const done = new Promise((res) => late.on('exit', res));
  // Written, not committed: wait until the row exists (read uncommitted).
  for (let i = 0; ; i++) {
    const n = sql(d.database, "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED; SELECT COUNT(*) FROM feed_events WHERE object_id = 'LATECOMMIT'").trim();
    if (n === '1') break;
    assert.ok(i < 100, 'the late transaction never wrote its row');
    await new Promise((res) => setTimeout(res, 50));
  }
  const tid = await draft();
  await publish(tid);
  const seen = await feedAll(start);
  assert.deepEqual(seen.rows.map((e) => e.action), ['publish'], 'the uncommitted row is not visible');
  assert.equal(await done, 0);
  let rest;
  for (let i = 0; i < 50; i++) { // the sequencer job runs every second
    rest = await feedAll(seen.next);
    if (rest.rows.length) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.deepEqual(rest.rows.map((e) => [e.id, e.seq]), [['LATECOMMIT', seen.next + 1]]);
  const ids = sql(d.database, "SELECT id FROM feed_events WHERE object_id IN ('LATECOMMIT', '" + tid + "') ORDER BY seq").trim().split('\n').map(Number);
  assert.ok(ids[1] < ids[0], 'the late row has the lower id and the higher seq');
  sql(d.database, "DELETE FROM feed_events WHERE object_id = 'LATECOMMIT'");
});

test('two daemons writing at once: a reader paging meanwhile gets every change once, without gaps', async () => {
  await clock(T0);
  d2 = await startDaemon({ database: d.database, skipMigrate: true,
    env: { SANZHI_SWEEP_SECONDS: '3600', SANZHI_MASTER_KEY_FILE: d.env.SANZHI_MASTER_KEY_FILE, SANZHI_OCDS_PREFIX: 'x9k2ab' } });
  // The test clock is each instance's own: both stand at T0 (the tokens' time).
  await d2.setClock(T0, undefined, { frozen: true });
  await clock(T0);
  const p2 = { token: await d2.login(purchaser.username) };
  const start = feedMax();
  const N = 24;
  const ids = [];
  for (let i = 0; i < N; i++) ids.push(await draft({}, i % 2 ? p2 : purchaser, i % 2 ? d2 : d));

  let writing = true;
  let pagesWhileWriting = 0;
  const seen = [];
  const reader = (async () => {
    let after_ = start;
    for (;;) {
      const stop = !writing;
      const r = await get(`/api/v1/feed?after=${after_}&limit=3`, seen.length % 2 ? d2 : d);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.data);
      if (writing && r.json.data.length) pagesWhileWriting++;
      after_ = r.json.next_after;
      if (stop && !r.json.data.length) return;
    }
  })();
  // Publications and questions on both instances at once.
  await Promise.all(ids.map(async (tid, i) => {
    const [who, dd] = i % 2 ? [p2, d2] : [purchaser, d];
    await publish(tid, who, dd);
    const q = await post(alice, `/api/v1/tenders/${tid}/questions`, { question: `问题 ${i}` }, i % 3 ? d : d2);
    assert.equal(q.status, 201, q.text);
  }));
  writing = false;
  await reader;
  assert.ok(pagesWhileWriting > 1, `the reader paged while the writes went on (${pagesWhileWriting} pages)`);

  const seqs = seen.map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => start + 1 + i), 'increasing, no gaps, no duplicates');
  const got = seen.map((e) => `${e.id}:${e.action}`).sort();
  const want = ids.flatMap((tid) => [`${tid}:publish`, `${tid}:questions`]).sort();
  assert.deepEqual(got, want);
  for (const tid of ids) {
    const mine = seen.filter((e) => e.id === String(tid)).map((e) => e.action);
    assert.deepEqual(mine, ['publish', 'questions'], 'an object\'s changes in the order they were made');
  }
  assert.equal(sql(d.database, 'SELECT COUNT(*) FROM feed_events WHERE seq IS NULL').trim(), '0');
  // The other instance's prefix.
  const pkg = (await ocds(ids[1], d2)).json;
  assert.equal(pkg.releases[0].ocid, `ocds-x9k2ab-${ids[1]}`);
});
