// Award, challenge, contract and performance (SPEC §6 "Award and after", Appendix B; issue 10
// item 5): the award of rank 1 and of another rank with and without a reason, the challenge
// period in working days across a holiday (the last working day and the instant after), answer
// due and overdue, an upheld challenge back to the evaluation and a new award, the open challenge
// that blocks the contract, the contract's day 30 and 31, its amount and term at their limits,
// the performance review as a credit event of the supplier; who may do each, and the timer that
// ends the challenge period with no one asking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { actor, row, importRows } from '../bench/registry.mjs';
import { tendering, expectProblem, plus } from '../lib/tendering.mjs';

let d, t, admin, purchaser, other, registrar, alice, bob, carol, orgs, ev = [];

const T0 = '2026-03-10T02:00:00Z';
const DEADLINE = plus(T0, 25); // Saturday 2026-04-04, 10:00 in China
// Tuesday 2026-04-07, 10:00 in China. With the holiday on Thursday 2026-04-09 the 7th working day
// after it is Friday 2026-04-17; the period ends at its local midnight.
const AWARD = '2026-04-07T02:00:00Z';
const CHALLENGE_UNTIL = '2026-04-17T16:00:00Z';

before(async () => {
  d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600', SANZHI_HOLIDAYS: '2026-04-09' } });
  admin = await actor(d, 'admin');
  purchaser = await actor(d, 'purchaser');
  other = await actor(d, 'purchaser');
  registrar = await actor(d, 'registrar');
  alice = await actor(d, 'applicant');
  bob = await actor(d, 'applicant');
  carol = await actor(d, 'applicant');
  const everyone = () => [admin, purchaser, other, registrar, alice, bob, carol, ...ev];
  t = tendering(d, { purchaser, refresh: async () => { for (const a of everyone()) await a.refresh(); } });
  for (let i = 0; i < 3; i++) ev.push(await t.evaluator(true));
  const rows = [row(), row(), row(), row()];
  importRows(d, rows);
  orgs = rows.map((r) => r.uscc);
  await t.clock(T0);
  for (const [i, uscc] of orgs.entries()) {
    const r = await t.put(registrar, `/api/v1/orgs/${uscc}/owner`, { user_id: (i === 2 ? bob : i === 3 ? carol : alice).id });
    assert.equal(r.status, 200, r.text);
  }
});
after(async () => { await d.stop(); });

// A tender evaluated by lowest price: x (alice, 100,000) rank 3, y (alice, 90,000) rank 1,
// z (bob, 95,000) rank 2.
async function evaluated({ beforeComplete } = {}) {
  const tid = await t.tender(T0, DEADLINE);
  const x = await t.bid(tid, alice, orgs[0], 100000);
  const y = await t.bid(tid, alice, orgs[1], 90000);
  const z = await t.bid(tid, bob, orgs[2], 95000);
  await t.appoint(tid, ev);
  await t.open(tid, DEADLINE);
  if (beforeComplete) await beforeComplete(tid, y);
  const res = await t.evaluate(tid, ev, [x, y, z], [60, 50, 55]);
  assert.deepEqual(res.bids.map((b) => [b.bid_id, b.rank]), [[y, 1], [z, 2], [x, 3]]);
  return { tid, x, y, z };
}

const audits = (tid, action) => Number(d.sql(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'tender' AND object_id = '${tid}' AND action = '${action}'`).trim());

test('award, challenges, an upheld challenge and a new award, the period across a holiday, the contract, the review', async () => {
  const { tid, x, y, z } = await evaluated({
    beforeComplete: async (id, yid) => {
      expectProblem(await t.post(purchaser, `/api/v1/tenders/${id}/award`, { bid_id: yid }), 409, 'evaluation_incomplete');
    },
  });
  const T = `/api/v1/tenders/${tid}`;
  await t.clock(AWARD);

  // Nothing before the award.
  expectProblem(await t.post(alice, `${T}/challenges`, { bid_id: x, text: '评审不公。' }), 409, 'not_awarded');
  expectProblem(await t.post(purchaser, `${T}/contract`, { amount_fen: 90000, start: '2026-05-01', end: '2027-04-30' }), 409, 'not_awarded');

  // Who may award, and what.
  expectProblem(await t.post(other, `${T}/award`, { bid_id: y }), 403, 'not_tender_owner');
  assert.equal((await t.post(alice, `${T}/award`, { bid_id: y })).status, 403);
  assert.equal((await t.post(null, `${T}/award`, { bid_id: y })).status, 401);
  let r = await t.post(purchaser, `${T}/award`, { bid_id: 99999999 });
  expectProblem(r, 422, 'validation_failed');
  assert.equal(r.json.errors[0].field, 'bid_id');
  assert.equal(r.json.errors[0].code, 'not_ranked');
  r = await t.post(purchaser, `${T}/award`, { bid_id: z });
  expectProblem(r, 422, 'validation_failed');
  assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['reason', 'required']]);
  r = await t.post(purchaser, `${T}/award`, { bid_id: z, reason: '   ' });
  assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['reason', 'required']]);
  r = await t.post(purchaser, `${T}/award`, { bid_id: 'z' });
  assert.equal(r.json.errors[0].field, 'bid_id');

  // Rank 2 with a written reason.
  r = await t.post(purchaser, `${T}/award`, { bid_id: z, reason: '第一名服务网点不足。' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'active.awarded');
  assert.equal(r.json.data.challenge_until, CHALLENGE_UNTIL);
  assert.deepEqual(r.json.data.award, {
    bid_id: z, org_uscc: orgs[2], org_name: r.json.data.award.org_name, price_fen: 95000, rank: 2,
    reason: '第一名服务网点不足。', awarded_at: AWARD,
  });
  assert.ok(r.json.data.award.org_name.length > 0);
  expectProblem(await t.post(purchaser, `${T}/award`, { bid_id: y }), 409, 'not_in_evaluation');
  // The notice is public.
  let pub = (await t.get(null, T)).json.data;
  assert.equal(pub.award.bid_id, z);
  assert.equal(pub.challenge_until, CHALLENGE_UNTIL);
  assert.equal(audits(tid, 'tender.award'), 1);

  // Challenges: the bidder of an opened bid of this tender, not of the winning bid.
  expectProblem(await t.post(bob, `${T}/challenges`, { bid_id: z, text: '自己的？' }), 422, 'validation_failed');
  expectProblem(await t.post(bob, `${T}/challenges`, { bid_id: x, text: '不是我的投标。' }), 403, 'not_bidder');
  expectProblem(await t.post(carol, `${T}/challenges`, { bid_id: x, text: '我没有投标。' }), 403, 'not_bidder');
  assert.equal((await t.post(purchaser, `${T}/challenges`, { bid_id: x, text: '采购人' })).status, 403);
  assert.equal((await t.post(null, `${T}/challenges`, { bid_id: x, text: '公众' })).status, 401);
  r = await t.post(alice, `${T}/challenges`, { bid_id: x, text: '' });
  assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['text', 'required']]);
  r = await t.post(alice, `${T}/challenges`, { bid_id: x, text: '第二名的服务方案评分过高。' });
  assert.equal(r.status, 201, r.text);
  const c1 = r.json.data;
  assert.equal(c1.bid_id, x);
  assert.equal(c1.status, 'open');
  assert.equal(c1.filed_at, AWARD);
  assert.equal(c1.answer_due, CHALLENGE_UNTIL); // the same 7 working days from the same day
  assert.equal(c1.overdue, false);

  // During the challenge period there is no contract.
  expectProblem(await t.post(purchaser, `${T}/contract`, { amount_fen: 90000, start: '2026-05-01', end: '2027-04-30' }), 409, 'challenge_period');

  // Answers: the owner's only, upheld → back to the evaluation, the award cleared.
  const A = `${T}/challenges/${c1.id}/answer`;
  expectProblem(await t.post(other, A, { answer: '不成立', upheld: false }), 403, 'not_tender_owner');
  assert.equal((await t.post(alice, A, { answer: '成立', upheld: true })).status, 403);
  r = await t.post(purchaser, A, { answer: '成立' });
  assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['upheld', 'required']]);
  expectProblem(await t.post(purchaser, `${T}/challenges/99999999/answer`, { answer: '成立', upheld: true }), 404, 'not_found');
  r = await t.post(purchaser, A, { answer: '经复核，质疑成立，重新确定中标人。', upheld: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'upheld');
  assert.equal(r.json.data.upheld, true);
  pub = (await t.get(null, T)).json.data;
  assert.equal(pub.status, 'active.evaluation');
  assert.equal(pub.award, null);
  assert.equal(pub.challenge_until, null);
  assert.equal(pub.challenges_count, 1);
  expectProblem(await t.post(purchaser, A, { answer: '再答', upheld: false }), 409, 'already_answered');

  // A new award: rank 1 needs no reason.
  r = await t.post(purchaser, `${T}/award`, { bid_id: y });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.award.rank, 1);
  assert.equal(r.json.data.award.reason, null);
  assert.equal(r.json.data.challenge_until, CHALLENGE_UNTIL);

  // The last instant of the last working day: bob challenges; answer due 7 working days later
  // (Mon 20 … Tue 28 April), at its local midnight.
  await t.clock('2026-04-17T15:59:59Z');
  r = await t.post(bob, `${T}/challenges`, { bid_id: z, text: '中标人业绩材料不实。' });
  assert.equal(r.status, 201, r.text);
  const c2 = r.json.data;
  assert.equal(c2.answer_due, '2026-04-28T16:00:00Z');
  // The period is over at the next instant: the tender is contracting.
  await t.clock(CHALLENGE_UNTIL);
  expectProblem(await t.post(alice, `${T}/challenges`, { bid_id: x, text: '迟到的质疑。' }), 409, 'challenge_period_over');
  assert.equal((await t.get(null, T)).json.data.status, 'active.contracting');

  // Who sees the challenges: the owner all, a bidder its own, anyone else none.
  assert.deepEqual((await t.get(purchaser, `${T}/challenges`)).json.data.map((c) => [c.id, c.status]), [[c1.id, 'upheld'], [c2.id, 'open']]);
  assert.deepEqual((await t.get(bob, `${T}/challenges`)).json.data.map((c) => c.id), [c2.id]);
  assert.deepEqual((await t.get(alice, `${T}/challenges`)).json.data.map((c) => c.id), [c1.id]);
  assert.deepEqual((await t.get(carol, `${T}/challenges`)).json.data, []);
  assert.deepEqual((await t.get(other, `${T}/challenges`)).json.data, []);
  assert.deepEqual((await t.get(null, `${T}/challenges`)).json.data, []);
  assert.equal((await t.get(null, T)).json.data.challenges_count, 2);

  // The open challenge blocks the contract.
  const good = { amount_fen: 90000, start: '2026-05-10', end: '2027-05-09' };
  expectProblem(await t.post(purchaser, `${T}/contract`, good), 409, 'open_challenge');
  // Overdue from answer_due on, while unanswered.
  await t.clock('2026-04-28T15:59:59Z');
  assert.equal((await t.get(purchaser, `${T}/challenges`)).json.data[1].overdue, false);
  await t.clock('2026-04-28T16:00:00Z');
  assert.equal((await t.get(purchaser, `${T}/challenges`)).json.data[1].overdue, true);
  r = await t.post(purchaser, `${T}/challenges/${c2.id}/answer`, { answer: '经核实材料真实，质疑不成立。', upheld: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'dismissed');
  assert.equal(r.json.data.overdue, false);
  assert.equal((await t.get(null, T)).json.data.status, 'active.contracting');

  // The contract's rules at their limits.
  const C = `${T}/contract`;
  const fieldErr = async (body, field, code) => {
    const x2 = await t.post(purchaser, C, body);
    expectProblem(x2, 422, 'validation_failed');
    assert.deepEqual(x2.json.errors.map((e) => [e.field, e.code]), [[field, code]], x2.text);
  };
  await fieldErr({ ...good, amount_fen: 90001 }, 'amount_fen', 'amount_above_award');
  await fieldErr({ ...good, amount_fen: 0 }, 'amount_fen', 'out_of_range');
  await fieldErr({ ...good, start: '2026-05-10', end: '2026-05-09' }, 'end', 'end_before_start');
  await fieldErr({ ...good, end: '2027-05-10' }, 'reason', 'term_needs_reason'); // a year and a day
  await fieldErr({ ...good, end: '2029-05-10', reason: '三年期服务' }, 'end', 'term_too_long');
  await fieldErr({ ...good, start: '2026-02-30' }, 'start', 'invalid_date');
  expectProblem(await t.post(other, C, good), 403, 'not_tender_owner');
  assert.equal((await t.post(alice, C, good)).status, 403);
  // Day 31 after the award's day (7 April → 8 May): too late.
  await t.clock('2026-05-08T02:00:00Z');
  expectProblem(await t.post(purchaser, C, good), 409, 'contract_period_over');
  // Day 30 (7 May): a three-year term with its reason, the amount equal to the award.
  await t.clock('2026-05-07T02:00:00Z');
  r = await t.post(purchaser, C, { amount_fen: 90000, start: '2026-05-10', end: '2029-05-09', reason: '服务需连续三年' });
  assert.equal(r.status, 201, r.text);
  const k = r.json.data;
  assert.deepEqual([k.tender_id, k.org_uscc, k.amount_fen, k.start, k.end], [tid, orgs[1], 90000, '2026-05-10', '2029-05-09']);
  pub = (await t.get(null, T)).json.data;
  assert.equal(pub.status, 'complete');
  assert.equal(pub.contract.id, k.id);
  assert.equal(pub.contract.amount_fen, 90000);
  const pk = await t.get(null, `/api/v1/contracts/${k.id}`);
  assert.equal(pk.status, 200, pk.text);
  assert.equal(pk.json.data.org_uscc, orgs[1]);
  expectProblem(await t.get(null, '/api/v1/contracts/99999999'), 404, 'not_found');
  expectProblem(await t.post(purchaser, C, good), 409, 'not_awarded');
  assert.equal((await t.post(purchaser, `${T}/cancel`, { reason: '太晚' })).status, 409);
  assert.equal(audits(tid, 'tender.contract'), 1);

  // Performance review → a performance credit event of the supplier.
  const P = `/api/v1/contracts/${k.id}/performance`;
  const review = { score: 100, dimensions: { 服务质量: 100, 'on time': 0 }, summary: '服务到位，群众满意。' };
  const reviewErr = async (body, field) => {
    const x2 = await t.post(purchaser, P, body);
    expectProblem(x2, 422, 'validation_failed');
    assert.deepEqual(x2.json.errors.map((e) => e.field), [field], x2.text);
  };
  await reviewErr({ ...review, score: 101 }, 'score');
  await reviewErr({ ...review, score: -1 }, 'score');
  await reviewErr({ ...review, score: 80.5 }, 'score');
  await reviewErr({ ...review, dimensions: { 服务质量: 101 } }, 'dimensions.服务质量');
  await reviewErr({ ...review, dimensions: [] }, 'dimensions');
  await reviewErr({ score: 90, dimensions: {} }, 'summary');
  expectProblem(await t.post(other, P, review), 403, 'not_tender_owner');
  assert.equal((await t.post(alice, P, review)).status, 403);
  assert.equal((await t.post(null, P, review)).status, 401);
  expectProblem(await t.post(purchaser, '/api/v1/contracts/99999999/performance', review), 404, 'not_found');
  r = await t.post(purchaser, P, review);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.credit_event.kind, 'performance');
  r = await t.post(purchaser, P, { ...review, score: 0, summary: '第二年：未按时提供服务。' });
  assert.equal(r.status, 201, r.text);
  const credit = (await t.get(null, `/api/v1/orgs/${orgs[1]}/credit`)).json.data;
  const perf = credit.events.filter((e) => e.kind === 'performance');
  assert.deepEqual(perf.map((e) => [e.contract_id, e.score]), [[k.id, 100], [k.id, 0]]);
  assert.equal(perf[0].basis, '服务到位，群众满意。');
  assert.equal(Number(d.sql(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'contract' AND object_id = '${k.id}' AND action = 'contract.performance'`).trim()), 2);
});

test('the challenge period ends by the timer with no one asking; cancellation while awarded and while contracting', async () => {
  const a = await evaluated();
  await t.clock(AWARD);
  assert.equal((await t.post(purchaser, `/api/v1/tenders/${a.tid}/award`, { bid_id: a.y })).status, 200);
  const b = await evaluated();
  await t.clock(AWARD);
  assert.equal((await t.post(purchaser, `/api/v1/tenders/${b.tid}/award`, { bid_id: b.y })).status, 200);
  // Cancelled during the challenge period, with its reason.
  let r = await t.post(purchaser, `/api/v1/tenders/${b.tid}/cancel`, { reason: '预算调整' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'cancelled');

  await t.clock(CHALLENGE_UNTIL);
  r = await t.post(admin, '/api/v1/admin/sweep');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.data.rules.find((x) => x.rule === 'challenge_working_days').changed >= 1, r.text);
  assert.equal(d.sql(`SELECT status FROM tenders WHERE id = ${a.tid}`).trim(), 'active.contracting');
  assert.equal(audits(a.tid, 'tender.end-challenge'), 1);
  r = await t.post(purchaser, `/api/v1/tenders/${a.tid}/cancel`, { reason: '项目取消' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'cancelled');
});

test('a bid whose seal failed at the opening is not ranked and cannot be awarded', async () => {
  const tid = await t.tender(T0, DEADLINE);
  const x = await t.bid(tid, alice, orgs[0], 100000);
  const y = await t.bid(tid, alice, orgs[1], 90000);
  const z = await t.bid(tid, bob, orgs[2], 95000);
  const w = await t.bid(tid, carol, orgs[3], 92000);
  d.sql(`UPDATE bids SET sealed = CONCAT(LEFT(sealed, 20), CHAR(ASCII(SUBSTRING(sealed, 21, 1)) ^ 1), SUBSTRING(sealed, 22)) WHERE id = ${w}`);
  await t.appoint(tid, ev);
  const rec = await t.open(tid, DEADLINE);
  assert.equal(rec.bids.find((b) => b.bid_id === w).valid, false);
  await t.evaluate(tid, ev, [x, y, z], [60, 50, 55]);
  await t.clock(AWARD);
  for (const reason of [undefined, '理由']) {
    const r = await t.post(purchaser, `/api/v1/tenders/${tid}/award`, reason ? { bid_id: w, reason } : { bid_id: w });
    expectProblem(r, 422, 'validation_failed');
    assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['bid_id', 'not_ranked']]);
  }
  // Its bidder may still challenge the award of another bid; a retry with the same
  // Idempotency-Key gets the first answer and files nothing more.
  assert.equal((await t.post(purchaser, `/api/v1/tenders/${tid}/award`, { bid_id: y, reason: '第一名' })).status, 200);
  const once = () => d.api('POST', `/api/v1/tenders/${tid}/challenges`, {
    token: carol.token, headers: { 'Idempotency-Key': `challenge-${tid}` }, body: { bid_id: w, text: '我的投标文件被误判无效。' },
  });
  const c = await once();
  assert.equal(c.status, 201, c.text);
  const again = await once();
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.data.id, c.json.data.id);
  assert.equal(d.sql(`SELECT COUNT(*) FROM tender_challenges WHERE tender_id = ${tid}`).trim(), '1');
});
