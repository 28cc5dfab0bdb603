// The evaluation committee and its scoring (SPEC §6 "Evaluation committee", Appendix B; issue 10
// items 1–4): the committee's size and expert share at their boundaries, declarations and recusal
// (declared, or an affiliation with a bidder within 3 years, to the day), replacement, score
// sheets (one decimal, 0..max, complete before submission), blind visibility for each role at
// each stage, abnormally low prices (justification, the chair's decision, a rejected bid not
// scored nor ranked), and the result against figures computed by hand, trimmed and untrimmed,
// with ties; the committee report in the audit trail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';
import { actor, row, importRows } from '../bench/registry.mjs';

let d, admin, purchaser, other, registrar, alice, bob;
let orgs; // six organizations: bob acts for orgs[4] and orgs[5], alice for the others
let ev = []; // evaluators: ev[0..5] experts, ev[6], ev[7] not

const DAY = 86400e3;
const T0 = '2026-03-10T02:00:00Z';
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const plus = (base, days) => iso(Date.parse(base) + days * DAY);
const DEADLINE = plus(T0, 25); // 2026-04-04T02:00:00Z, 2026-04-04 in China

const api = (who, method, p, body) => d.api(method, p, { token: who && who.token, body });
const post = (who, p, body) => api(who, 'POST', p, body);
const put = (who, p, body) => api(who, 'PUT', p, body);
const get = (who, p) => api(who, 'GET', p);

async function clock(when) {
  await d.setClock(when, undefined, { frozen: true });
  for (const a of [admin, purchaser, other, registrar, alice, bob, ...ev]) await a.refresh();
}

async function evaluator(expert) {
  const username = `eval_${crypto.randomBytes(4).toString('hex')}`;
  const id = await d.addUser({ username, role: 'evaluator', expert });
  const a = { username, id, token: await d.login(username) };
  a.refresh = async () => { a.token = await d.login(username); return a; };
  return a;
}

async function tender(over = {}) {
  const body = {
    title: '海盐县社区养老服务项目', description: '社区居家养老服务。', service_category: 'elderly_care',
    budget_fen: 120000000, method: 'open', evaluation_method: 'comprehensive',
    criteria: [{ id: 'plan', name: '服务方案', max_points: 40 }, { id: 'team', name: '团队', max_points: 30 }],
    price_points: 30, eligibility: {}, enquiry_end: plus(T0, 10), bid_deadline: DEADLINE, contract_months: 12, ...over,
  };
  const c = await post(purchaser, '/api/v1/tenders', body);
  assert.equal(c.status, 201, c.text);
  const p = await post(purchaser, `/api/v1/tenders/${c.json.data.id}/publish`);
  assert.equal(p.status, 200, p.text);
  return p.json.data.id;
}

const owner = (i) => (i === 4 || i === 5 ? bob : alice);
async function bid(tid, i, price) {
  const r = await post(owner(i), `/api/v1/tenders/${tid}/bids`, { org_uscc: orgs[i], price_fen: price, technical_proposal: `方案 ${i}` });
  assert.equal(r.status, 201, r.text);
  return r.json.data.id;
}
const flip = (where) => d.sql(`UPDATE bids SET sealed = CONCAT(LEFT(sealed, 20), CHAR(ASCII(SUBSTRING(sealed, 21, 1)) ^ 1), SUBSTRING(sealed, 22)) WHERE ${where}`);

async function openAt(tid) {
  await clock(DEADLINE);
  const r = await post(purchaser, `/api/v1/tenders/${tid}/open`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'active.evaluation');
  return r.json.data.opening;
}

const committee = (who, tid, members, chair) => put(who, `/api/v1/tenders/${tid}/committee`, { members: members.map((m) => m.id ?? m), chair: chair.id ?? chair });
const declare = (who, tid, conflict = false, statement) => post(who, `/api/v1/tenders/${tid}/declarations`, statement === undefined ? { conflict } : { conflict, statement });
const score = (who, tid, bidId, scores, comment = '方案完整，团队稳定。') => put(who, `/api/v1/tenders/${tid}/scores/${bidId}`, { scores, comment });
const submit = (who, tid) => post(who, `/api/v1/tenders/${tid}/scoresheet/submit`);
function expectProblem(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.code, code, r.text);
}

before(async () => {
  d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600' } });
  admin = await actor(d, 'admin');
  purchaser = await actor(d, 'purchaser');
  other = await actor(d, 'purchaser');
  registrar = await actor(d, 'registrar');
  alice = await actor(d, 'applicant');
  bob = await actor(d, 'applicant');
  for (let i = 0; i < 8; i++) ev.push(await evaluator(i < 6));
  const rows = [row(), row(), row(), row(), row(), row()];
  importRows(d, rows);
  orgs = rows.map((r) => r.uscc);
  await clock(T0);
  for (const [i, uscc] of orgs.entries()) {
    const r = await put(registrar, `/api/v1/orgs/${uscc}/owner`, { user_id: owner(i).id });
    assert.equal(r.status, 200, r.text);
  }
});
after(async () => { await d.stop(); });

test('committee size and expert share at their boundaries; who may appoint', async () => {
  await clock(T0);
  const open = await tender(); // open, ¥1,200,000: 5 at least
  const [e0, e1, e2, e3, e4, e5, n6, n7] = ev;
  expectProblem(await committee(purchaser, open, [e0, e1, e2, e3], e0), 422, 'committee_size');
  expectProblem(await committee(purchaser, open, [e0, e1, e2, e3, e4, e5], e0), 422, 'committee_size'); // even
  // 3 experts of 5: 9 < 10 (2/3 of 5 is 3.33)
  const share = await committee(purchaser, open, [e0, e1, e2, n6, n7], e0);
  expectProblem(share, 422, 'expert_share');
  assert.deepEqual(share.json.errors.map((e) => e.code), ['expert_share']);
  const notEval = await committee(purchaser, open, [e0, e1, e2, e3, alice], e0);
  expectProblem(notEval, 422, 'not_evaluator');
  assert.equal(notEval.json.errors[0].field, 'members[4]');
  expectProblem(await committee(purchaser, open, [e0, e1, e2, e3, 99999999], e0), 422, 'not_evaluator');
  expectProblem(await committee(purchaser, open, [e0, e1, e2, e3, e4], n6), 422, 'chair_not_member');
  expectProblem(await committee(purchaser, open, [e0, e1, e2, e3, e3], e0), 422, 'duplicate');
  expectProblem(await put(purchaser, `/api/v1/tenders/${open}/committee`, { members: [1.5], chair: 1 }), 422, 'validation_failed');
  // Who: anonymous 401, other roles 403, another purchaser 403.
  assert.equal((await committee(null, open, [e0, e1, e2, e3, e4], e0)).status, 401);
  for (const who of [alice, e0, registrar, admin]) expectProblem(await committee(who, open, [e0, e1, e2, e3, e4], e0), 403, 'forbidden_role');
  expectProblem(await committee(other, open, [e0, e1, e2, e3, e4], e0), 403, 'not_tender_owner');
  // 4 experts of 5 (12 ≥ 10), one non-expert: seated.
  const ok = await committee(purchaser, open, [e0, e1, e2, e3, n6], e0);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.data.chair, e0.id);
  assert.deepEqual(ok.json.data.members.map((m) => m.user_id).sort(), [e0, e1, e2, e3, n6].map((m) => m.id).sort());
  assert.equal(ok.json.data.members.find((m) => m.user_id === n6.id).expert, false);
  const audit = d.sql(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'tender' AND object_id = '${open}' AND action = 'tender.committee'`).trim();
  assert.equal(audit, '1');

  // At the large-budget line (¥10,000,000 = 1,000,000,000 fen) 7; one fen below, 5.
  const large = await tender({ budget_fen: 1000000000 });
  expectProblem(await committee(purchaser, large, [e0, e1, e2, e3, e4], e0), 422, 'committee_size');
  // 4 experts of 7: 12 < 14.
  const n8 = await evaluator(false);
  expectProblem(await committee(purchaser, large, [e0, e1, e2, e3, n6, n7, n8], e0), 422, 'expert_share');
  const sevenOk = await committee(purchaser, large, [e0, e1, e2, e3, e4, n6, n7], e0); // 5 of 7: 15 ≥ 14
  assert.equal(sevenOk.status, 200, sevenOk.text);
  const below = await tender({ budget_fen: 999999999 });
  assert.equal((await committee(purchaser, below, [e0, e1, e2, e3, n6], e0)).status, 200);

  // Other methods: 3 at least, 2 experts of 3 exactly 2/3.
  const cons = await tender({ method: 'competitive_consultation' });
  expectProblem(await committee(purchaser, cons, [e0], e0), 422, 'committee_size');
  expectProblem(await committee(purchaser, cons, [e0, n6, n7], e0), 422, 'expert_share');
  assert.equal((await committee(purchaser, cons, [e0, e1, n6], e0)).status, 200);

  // The tender's ETag: a stale If-Match is 412 and changes nothing.
  const cur = await get(purchaser, `/api/v1/tenders/${cons}`);
  const stale = await d.api('PUT', `/api/v1/tenders/${cons}/committee`, { token: purchaser.token, headers: { 'If-Match': '"1"' }, body: { members: [e0.id, e2.id, n6.id], chair: e0.id } });
  expectProblem(stale, 412, 'version_mismatch');
  assert.equal((await get(purchaser, `/api/v1/tenders/${cons}`)).json.data.version, cur.json.data.version);
  assert.deepEqual((await get(purchaser, `/api/v1/tenders/${cons}/committee`)).json.data.members.map((m) => m.user_id).sort(), [e0.id, e1.id, n6.id].sort());

  // Seen by the owner and the members only.
  assert.equal((await get(purchaser, `/api/v1/tenders/${open}/committee`)).status, 200);
  assert.equal((await get(n6, `/api/v1/tenders/${open}/committee`)).status, 200);
  expectProblem(await get(e4, `/api/v1/tenders/${open}/committee`), 403, 'not_committee_member');
  expectProblem(await get(other, `/api/v1/tenders/${open}/committee`), 403, 'not_tender_owner');
  expectProblem(await get(alice, `/api/v1/tenders/${open}/committee`), 403, 'forbidden_role');
  // A cancelled tender takes no committee.
  assert.equal((await post(purchaser, `/api/v1/tenders/${below}/cancel`, { reason: '预算调整' })).status, 200);
  expectProblem(await committee(purchaser, below, [e0, e1, e2, e3, n6], e0), 409, 'committee_closed');
});

test('the whole evaluation: recusal and replacement, scoring rules, blind sheets, a rejected justification, the result by hand (trimmed)', async () => {
  await clock(T0);
  const tid = await tender();
  const b0 = await bid(tid, 0, 100000000);
  const b1 = await bid(tid, 1, 90000000);
  const b2 = await bid(tid, 2, 110000000);
  const b3 = await bid(tid, 3, 60000000); // below 80 % of the others' mean (100,000,000)
  const b4 = await bid(tid, 4, 95000000);
  flip(`id = ${b4}`); // its seal no longer opens: invalid at the opening
  const [e0, e1, e2, e3, e4, e5, n6, n7] = ev;
  // Appointed before the opening; declarations wait for the evaluation.
  assert.equal((await committee(purchaser, tid, [e0, e1, e2, e3, n6], e0)).status, 200);
  const early = await declare(e1, tid);
  expectProblem(early, 409, 'not_in_evaluation');
  assert.equal(early.json.current_status, 'active.enquiries');

  const rec = await openAt(tid);
  const flags = Object.fromEntries(rec.bids.map((b) => [b.bid_id, [b.valid, b.abnormally_low]]));
  assert.deepEqual(flags, { [b0]: [true, false], [b1]: [true, false], [b2]: [true, false], [b3]: [true, true], [b4]: [false, false] });

  // Affiliations (China's calendar, today 2026-04-04, 3 years: since 2023-04-04): e4 left orgs[2]
  // on 2023-04-04 (within), e5 on 2023-04-03 (outside), e3 works for an organization that did not bid.
  d.sql(`INSERT INTO user_affiliations (user_id, org_uscc, org_name, from_date, to_date) VALUES
    (${e4.id}, '${orgs[2]}', '甲', '2018-01-01', '2023-04-04'),
    (${e5.id}, '${orgs[2]}', '甲', '2018-01-01', '2023-04-03'),
    (${e3.id}, '${orgs[5]}', '乙', '2020-01-01', NULL)`);

  // Declarations: non-members 403; a conflict needs a statement; once each.
  expectProblem(await declare(e4, tid), 403, 'not_committee_member');
  expectProblem(await declare(alice, tid), 403, 'forbidden_role');
  expectProblem(await declare(n6, tid, true), 422, 'validation_failed');
  for (const e of [e0, e1, e2, e3]) {
    const r = await declare(e, tid);
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([r.json.data.recused, r.json.data.reason], [false, null]);
  }
  expectProblem(await declare(e0, tid), 409, 'already_declared');
  // Before declaring a member cannot score; after a declared conflict, never.
  expectProblem(await score(n6, tid, b0, { plan: 30 }), 409, 'not_declared');
  const conflict = await declare(n6, tid, true, '本人曾为投标人提供咨询服务');
  assert.equal(conflict.status, 201, conflict.text);
  assert.deepEqual([conflict.json.data.recused, conflict.json.data.reason], [true, 'declared_conflict']);
  expectProblem(await score(n6, tid, b0, { plan: 30 }), 403, 'recused');
  expectProblem(await submit(n6, tid), 403, 'recused');

  // A recused member cannot be kept; replaced by e4, who is recused by the affiliation whatever he declares.
  const keep = await committee(purchaser, tid, [e0, e1, e2, e3, n6], e0);
  expectProblem(keep, 422, 'recused_member');
  assert.equal((await committee(purchaser, tid, [e0, e1, e2, e3, e4], e0)).status, 200);
  const aff = await declare(e4, tid, false);
  assert.deepEqual([aff.json.data.recused, aff.json.data.reason, aff.json.data.affiliated_bidders], [true, 'affiliation', [orgs[2]]]);
  expectProblem(await get(n6, `/api/v1/tenders/${tid}/committee`), 403, 'not_committee_member');
  // e5's affiliation ended a day too early to count.
  expectProblem(await committee(purchaser, tid, [e0, e1, e2, e3, e4], e0), 422, 'recused_member');
  assert.equal((await committee(purchaser, tid, [e0, e1, e2, e3, e5], e0)).status, 200);
  const clean = await declare(e5, tid, false);
  assert.deepEqual([clean.json.data.recused, clean.json.data.affiliated_bidders], [false, []]);
  const seated = (await get(purchaser, `/api/v1/tenders/${tid}/committee`)).json.data;
  assert.deepEqual(seated.members.map((m) => [m.user_id, m.declared, m.recused]).sort((a, b) => a[0] - b[0]),
    [e0, e1, e2, e3, e5].map((m) => [m.id, true, false]).sort((a, b) => a[0] - b[0]));

  // Score validation at the field.
  const tooFine = await score(e0, tid, b0, { plan: 35.55, team: 24 });
  expectProblem(tooFine, 422, 'validation_failed');
  assert.deepEqual(tooFine.json.errors.map((e) => [e.field, e.code]), [['scores.plan', 'too_many_decimals']]);
  const range = await score(e0, tid, b0, { plan: 40.1, team: -1, cost: 3 });
  assert.deepEqual(range.json.errors.map((e) => [e.field, e.code]), [['scores.plan', 'out_of_range'], ['scores.team', 'out_of_range'], ['scores.cost', 'unknown_criterion']]);
  expectProblem(await put(e0, `/api/v1/tenders/${tid}/scores/${b0}`, { scores: { plan: 30 } }), 422, 'validation_failed'); // no comment
  expectProblem(await score(e0, tid, b4, { plan: 30 }), 409, 'bid_invalid');
  expectProblem(await score(e0, tid, 99999999, { plan: 30 }), 404, 'not_found');
  const edge = await score(e0, tid, b0, { plan: 40, team: 0 }); // both ends
  assert.equal(edge.status, 200, edge.text);
  assert.deepEqual([edge.json.data.scores, edge.json.data.total], [{ plan: 40, team: 0 }, 40]);
  expectProblem(await score(e4, tid, b0, { plan: 30 }), 403, 'not_committee_member');

  // Abnormally low: the bidder alone justifies, once; the chair alone decides.
  const jpath = `/api/v1/tenders/${tid}/bids/${b3}/justification`;
  expectProblem(await post(bob, jpath, { text: '成本说明' }), 404, 'not_found');
  expectProblem(await post(alice, `/api/v1/tenders/${tid}/bids/${b0}/justification`, { text: '成本说明' }), 409, 'not_abnormally_low');
  const filed = await post(alice, jpath, { text: '我方以志愿者承担部分服务，成本较低。' });
  assert.equal(filed.status, 201, filed.text);
  assert.equal(filed.json.data.accepted, null);
  expectProblem(await post(alice, jpath, { text: '再说明' }), 409, 'justification_exists');
  assert.equal((await get(e1, jpath)).json.data.text, '我方以志愿者承担部分服务，成本较低。');
  assert.equal((await get(purchaser, jpath)).status, 200);
  expectProblem(await get(bob, jpath), 404, 'not_found');
  expectProblem(await post(e1, `${jpath}/decision`, { accepted: false, reason: '不合理' }), 403, 'not_chair');
  expectProblem(await post(purchaser, `${jpath}/decision`, { accepted: false, reason: '不合理' }), 403, 'forbidden_role');

  // Scores (plan max 40, team max 30), member totals:
  //          e0     e1     e2     e3     e5
  //   b0   59.5   55.0   66.5   55.0   30.0   trimmed: (59.5 + 55 + 55) / 3 = 56.50
  //   b1   50.0   53.0   52.0   70.0   50.0   trimmed: (53 + 52 + 50) / 3 = 51.666… → 51.67
  //   b2   62.0   59.5   62.0   63.1   59.0   trimmed: (62 + 59.5 + 62) / 3 = 61.166… → 61.17
  //   b3   scored by e0 only, then rejected: not counted
  const S = {
    [e0.id]: { [b0]: { plan: 35.5, team: 24 }, [b1]: { plan: 30, team: 20 }, [b2]: { plan: 36, team: 26 } },
    [e1.id]: { [b0]: { plan: 30, team: 25 }, [b1]: { plan: 32, team: 21 }, [b2]: { plan: 34, team: 25.5 } },
    [e2.id]: { [b0]: { plan: 38, team: 28.5 }, [b1]: { plan: 31.5, team: 20.5 }, [b2]: { plan: 35, team: 27 } },
    [e3.id]: { [b0]: { plan: 33, team: 22 }, [b1]: { plan: 40, team: 30 }, [b2]: { plan: 37, team: 26.1 } },
    [e5.id]: { [b0]: { plan: 20, team: 10 }, [b1]: { plan: 25, team: 25 }, [b2]: { plan: 33, team: 26 } },
  };
  // e0 scores b0 (replacing the edge scores) and b1, and b3 while it is undecided; b2 only half.
  assert.equal((await score(e0, tid, b0, S[e0.id][b0])).status, 200);
  assert.equal((await score(e0, tid, b1, S[e0.id][b1])).status, 200);
  assert.equal((await score(e0, tid, b3, { plan: 39, team: 29 })).status, 200);
  assert.equal((await score(e0, tid, b2, { plan: 36 })).status, 200);
  const incomplete = await submit(e0, tid);
  expectProblem(incomplete, 409, 'sheet_incomplete');
  assert.deepEqual(incomplete.json.missing, [{ bid_id: b2, criteria: ['team'] }]);
  assert.equal((await score(e0, tid, b2, S[e0.id][b2])).status, 200);
  // The flagged bid is undecided: it must be scored too.
  expectProblem(await submit(e1, tid), 409, 'sheet_incomplete');

  // Blind: before any submission nobody sees another's sheet.
  expectProblem(await get(e0, `/api/v1/tenders/${tid}/scoresheets`), 409, 'scores_hidden');
  expectProblem(await get(purchaser, `/api/v1/tenders/${tid}/scoresheets`), 409, 'scores_hidden');
  const own = await get(e0, `/api/v1/tenders/${tid}/scoresheet`);
  assert.equal(own.status, 200, own.text);
  assert.deepEqual(own.json.data.bids.map((b) => [b.bid_id, b.scores, b.total]),
    [[b0, { plan: 35.5, team: 24 }, 59.5], [b1, { plan: 30, team: 20 }, 50], [b2, { plan: 36, team: 26 }, 62], [b3, { plan: 39, team: 29 }, 68]].sort((a, b) => a[0] - b[0]));
  assert.equal(own.json.data.submitted_at, null);
  expectProblem(await get(purchaser, `/api/v1/tenders/${tid}/scoresheet`), 403, 'forbidden_role');
  expectProblem(await get(e4, `/api/v1/tenders/${tid}/scoresheet`), 403, 'not_committee_member');
  expectProblem(await get(e4, `/api/v1/tenders/${tid}/scoresheets`), 403, 'not_committee_member');
  expectProblem(await get(other, `/api/v1/tenders/${tid}/scoresheets`), 403, 'not_tender_owner');
  expectProblem(await get(alice, `/api/v1/tenders/${tid}/scoresheets`), 403, 'forbidden_role');
  expectProblem(await get(admin, `/api/v1/tenders/${tid}/scoresheets`), 403, 'forbidden_role');
  assert.equal((await get(null, `/api/v1/tenders/${tid}/scoresheets`)).status, 401);
  // A draft sheet's points are nowhere but the sheet: the audit names the criteria only.
  const scoreAudit = d.sql(`SELECT summary FROM audit_log WHERE object_type = 'tender' AND object_id = '${tid}' AND action = 'evaluation.score'`).trim().split('\n');
  assert.ok(scoreAudit.length >= 5);
  for (const line of scoreAudit) assert.deepEqual(Object.keys(JSON.parse(line)).sort(), ['bid_id', 'criteria']);

  // The chair rejects the justification: b3 is no longer scored (nor needed on a sheet).
  const rejected = await post(e0, `${jpath}/decision`, { accepted: false, reason: '成本说明不足以证明能履约' });
  assert.equal(rejected.status, 200, rejected.text);
  assert.deepEqual([rejected.json.data.accepted, rejected.json.data.evaluation_complete], [false, false]);
  expectProblem(await post(e0, `${jpath}/decision`, { accepted: true, reason: '改判' }), 409, 'already_decided');
  expectProblem(await post(alice, jpath, { text: '补充' }), 409, 'already_decided');
  expectProblem(await score(e1, tid, b3, { plan: 30 }), 409, 'bid_invalid');

  // e0 submits: locked; sees the submitted sheets (its own only, so far), not e1's draft.
  const sub = await submit(e0, tid);
  assert.equal(sub.status, 200, sub.text);
  assert.ok(sub.json.data.submitted_at);
  assert.equal(sub.json.data.evaluation_complete, false);
  expectProblem(await submit(e0, tid), 409, 'sheet_submitted');
  expectProblem(await score(e0, tid, b0, { plan: 1 }), 409, 'sheet_submitted');
  for (const b of [b0, b1, b2]) assert.equal((await score(e1, tid, b, S[e1.id][b])).status, 200);
  let seen = await get(e0, `/api/v1/tenders/${tid}/scoresheets`);
  assert.equal(seen.status, 200, seen.text);
  assert.deepEqual(seen.json.data.map((s) => s.user_id), [e0.id]);
  expectProblem(await get(e1, `/api/v1/tenders/${tid}/scoresheets`), 409, 'scores_hidden');
  expectProblem(await get(purchaser, `/api/v1/tenders/${tid}/scoresheets`), 409, 'scores_hidden');
  const ev409 = await get(purchaser, `/api/v1/tenders/${tid}/evaluation`);
  expectProblem(ev409, 409, 'evaluation_incomplete');
  assert.deepEqual([ev409.json.reason, ev409.json.pending], ['sheets_pending', 4]);
  expectProblem(await get(e0, `/api/v1/tenders/${tid}/evaluation`), 409, 'evaluation_incomplete');

  // e1 submits: now e0 sees both, e1 sees both; the purchaser still none.
  assert.equal((await submit(e1, tid)).status, 200);
  seen = await get(e1, `/api/v1/tenders/${tid}/scoresheets`);
  assert.deepEqual(seen.json.data.map((s) => s.user_id).sort(), [e0.id, e1.id].sort());
  assert.deepEqual(seen.json.data.find((s) => s.user_id === e0.id).bids.find((b) => b.bid_id === b0).scores, { plan: 35.5, team: 24 });
  expectProblem(await get(purchaser, `/api/v1/tenders/${tid}/scoresheets`), 409, 'scores_hidden');
  expectProblem(await get(e2, `/api/v1/tenders/${tid}/scoresheets`), 409, 'scores_hidden');

  for (const e of [e2, e3]) {
    for (const b of [b0, b1, b2]) assert.equal((await score(e, tid, b, S[e.id][b])).status, 200);
    assert.equal((await submit(e, tid)).status, 200);
  }
  for (const b of [b0, b1, b2]) assert.equal((await score(e5, tid, b, S[e5.id][b])).status, 200);
  expectProblem(await committee(purchaser, tid, [e0, e1, e2, e4, e5], e0), 422, 'recused_member');
  // A member whose sheet is in stays: e3 cannot be taken off.
  expectProblem(await committee(purchaser, tid, [e0, e1, e2, n7, e5], e0), 409, 'member_submitted');
  const last = await submit(e5, tid);
  assert.equal(last.status, 200, last.text);
  assert.equal(last.json.data.evaluation_complete, true);

  // Complete: the purchaser sees every sheet; the result by hand.
  const all = await get(purchaser, `/api/v1/tenders/${tid}/scoresheets`);
  assert.equal(all.status, 200, all.text);
  assert.equal(all.json.data.length, 5);
  const r = await get(purchaser, `/api/v1/tenders/${tid}/evaluation`);
  assert.equal(r.status, 200, r.text);
  const res = r.json.data;
  assert.equal(res.trimmed, true);
  assert.equal(res.members, 5);
  // price: lowest valid 90,000,000 (b3 rejected, b4 invalid)
  //   b0 90/100 × 30 = 27.00, total 83.50
  //   b1 30.00, total 81.666… → 81.67
  //   b2 90/110 × 30 = 24.5454… → 24.55, total 85.7121… → 85.71 (the rounded parts would give 85.72)
  assert.deepEqual(res.bids.map((b) => [b.bid_id, b.org_uscc, b.price_fen, b.criteria_score, b.price_score, b.total, b.rank, b.valid]), [
    [b2, orgs[2], 110000000, 61.17, 24.55, 85.71, 1, true],
    [b0, orgs[0], 100000000, 56.5, 27, 83.5, 2, true],
    [b1, orgs[1], 90000000, 51.67, 30, 81.67, 3, true],
    [b3, orgs[3], 60000000, null, null, null, null, false],
    [b4, orgs[4], null, null, null, null, null, false],
  ]);
  // Members see it too; nobody else.
  assert.deepEqual((await get(e3, `/api/v1/tenders/${tid}/evaluation`)).json.data.bids, res.bids);
  expectProblem(await get(e4, `/api/v1/tenders/${tid}/evaluation`), 403, 'not_committee_member');
  expectProblem(await get(other, `/api/v1/tenders/${tid}/evaluation`), 403, 'not_tender_owner');
  expectProblem(await get(alice, `/api/v1/tenders/${tid}/evaluation`), 403, 'forbidden_role');
  assert.equal((await get(null, `/api/v1/tenders/${tid}/evaluation`)).status, 401);

  // The committee report: once, in the audit trail, with its digest; the committee is closed.
  const reports = d.sql(`SELECT summary FROM audit_log WHERE object_type = 'tender' AND object_id = '${tid}' AND action = 'evaluation.report'`).trim().split('\n');
  assert.equal(reports.length, 1);
  const report = JSON.parse(reports[0]);
  assert.deepEqual(report.bids, res.bids);
  assert.equal(report.report_sha256, res.report_sha256);
  assert.equal(d.sql(`SELECT SHA2(report, 256) = CONVERT(report_sha256 USING utf8mb4) FROM tender_evaluations WHERE tender_id = ${tid}`).trim(), '1');
  expectProblem(await committee(purchaser, tid, [e0, e1, e2, e3, e5], e0), 409, 'evaluation_complete');
  expectProblem(await declare(e5, tid), 409, 'evaluation_complete');
  const v = await get(admin, '/api/v1/audit/verify');
  assert.equal(v.json.data.valid, true);
});

test('untrimmed with ties: three members, equal totals ranked by price, then by the earlier submission; an accepted justification', async () => {
  await clock(T0);
  const tid = await tender({ method: 'competitive_consultation', criteria: [{ id: 'plan', name: '服务方案', max_points: 70 }] });
  const x = await bid(tid, 0, 100000);
  await clock(plus(T0, 1));
  const y = await bid(tid, 1, 100000);
  const z = await bid(tid, 2, 120000);
  const w = await bid(tid, 5, 60000); // bob: abnormally low (below 80 % of 106,667)
  await clock(plus(T0, 2));
  // x replaced later: its submission is now the latest, whatever its id.
  assert.equal((await put(alice, `/api/v1/tenders/${tid}/bids/${x}`, { price_fen: 100000, technical_proposal: '方案 0 修订' })).status, 200);
  const [e0, e1, , , , , n6] = ev;
  assert.equal((await committee(purchaser, tid, [e0, e1, n6], e1)).status, 200);
  const rec = await openAt(tid);
  assert.deepEqual(rec.bids.filter((b) => b.abnormally_low).map((b) => b.bid_id), [w]);
  for (const e of [e0, e1, n6]) assert.equal((await declare(e, tid)).status, 201);
  // Scores (plan max 70): x and y 50.0 from each → 50.00 + 30 × 60,000 / 100,000 = 18.00 → 68.00;
  // z 55.5, 54.6, 54.9 → 165 / 3 = 55.00 + 30 × 60,000 / 120,000 = 15.00 → 70.00;
  // w 41.0, 40.5, 40.6 → 122.1 / 3 = 40.70 + 30.00 = 70.70.
  const plan = { [x]: [50, 50, 50], [y]: [50, 50, 50], [z]: [55.5, 54.6, 54.9], [w]: [41, 40.5, 40.6] };
  for (const [k, e] of [e0, e1, n6].entries()) {
    for (const b of [x, y, z, w]) assert.equal((await score(e, tid, b, { plan: plan[b][k] })).status, 200);
    assert.equal((await submit(e, tid)).status, 200);
  }
  const pending = await get(purchaser, `/api/v1/tenders/${tid}/evaluation`);
  expectProblem(pending, 409, 'evaluation_incomplete');
  assert.equal(pending.json.reason, 'justification_pending');
  // The chair cannot accept what was never filed; the bidder files, the chair accepts: complete.
  const jpath = `/api/v1/tenders/${tid}/bids/${w}/justification`;
  expectProblem(await post(e1, `${jpath}/decision`, { accepted: true, reason: '合理' }), 409, 'no_justification');
  assert.equal((await post(bob, jpath, { text: '已有场地与设备，成本低。' })).status, 201);
  const dec = await post(e1, `${jpath}/decision`, { accepted: true, reason: '说明充分' });
  assert.equal(dec.status, 200, dec.text);
  assert.equal(dec.json.data.evaluation_complete, true);
  const res = (await get(purchaser, `/api/v1/tenders/${tid}/evaluation`)).json.data;
  assert.equal(res.trimmed, false);
  assert.deepEqual(res.bids.map((b) => [b.bid_id, b.criteria_score, b.price_score, b.total, b.rank]), [
    [w, 40.7, 30, 70.7, 1],
    [z, 55, 15, 70, 2],
    [y, 50, 18, 68, 3], // equal to x, same price, submitted earlier
    [x, 50, 18, 68, 4],
  ]);
});

test('lowest price: ranked by price whatever the scores; the last two sheets submitted at once write one report', async () => {
  await clock(T0);
  const tid = await tender({ method: 'competitive_consultation', evaluation_method: 'lowest_price', criteria: [{ id: 'plan', name: '服务方案', max_points: 70 }] });
  const x = await bid(tid, 0, 100000);
  const y = await bid(tid, 1, 95000);
  const z = await bid(tid, 2, 99000);
  const [e0, e1, e2] = ev;
  assert.equal((await committee(purchaser, tid, [e0, e1, e2], e0)).status, 200);
  await openAt(tid);
  for (const e of [e0, e1, e2]) {
    assert.equal((await declare(e, tid)).status, 201);
    for (const [b, p] of [[x, 70], [y, 10], [z, 40]]) assert.equal((await score(e, tid, b, { plan: p })).status, 200);
  }
  assert.equal((await submit(e0, tid)).status, 200);
  const both = await Promise.all([submit(e1, tid), submit(e2, tid)]);
  assert.deepEqual(both.map((r) => r.status), [200, 200]);
  assert.deepEqual(both.map((r) => r.json.data.evaluation_complete).sort(), [false, true]);
  assert.equal(d.sql(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'tender' AND object_id = '${tid}' AND action = 'evaluation.report'`).trim(), '1');
  const res = (await get(e2, `/api/v1/tenders/${tid}/evaluation`)).json.data;
  assert.equal(res.evaluation_method, 'lowest_price');
  // y 95,000 < z 99,000 < x 100,000, although x scored best; scores shown for the record:
  // x 70.00 + 30 × 95/100 = 28.50 → 98.50; y 10.00 + 30.00 = 40.00; z 40.00 + 30 × 95/99 = 28.7878… → 28.79, 68.79.
  assert.deepEqual(res.bids.map((b) => [b.bid_id, b.rank, b.criteria_score, b.price_score, b.total]),
    [[y, 1, 10, 30, 40], [z, 2, 40, 28.79, 68.79], [x, 3, 70, 28.5, 98.5]]);
});
