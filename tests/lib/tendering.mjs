// Taking tenders through their stages in integration tests: a published tender, sealed bids,
// the opening at the deadline, a committee of experts that declares, scores and submits (a
// complete evaluation). Used by award.test.mjs; the shapes are Appendix B's.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

const DAY = 86400e3;
export const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
export const plus = (base, days) => iso(Date.parse(base) + days * DAY);

export function expectProblem(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.code, code, r.text);
}

// t: {d, purchaser, refresh: () => Promise} — refresh re-signs everyone in after the clock moved.
export function tendering(d, { purchaser, refresh }) {
  const api = (who, method, p, body) => d.api(method, p, { token: who && who.token, body });
  const post = (who, p, body) => api(who, 'POST', p, body);
  const put = (who, p, body) => api(who, 'PUT', p, body);
  const get = (who, p) => api(who, 'GET', p);

  async function clock(when) {
    await d.setClock(when, undefined, { frozen: true });
    await refresh();
  }

  async function evaluator(expert = true) {
    const username = `eval_${crypto.randomBytes(4).toString('hex')}`;
    const id = await d.addUser({ username, role: 'evaluator', expert });
    const a = { username, id, token: await d.login(username) };
    a.refresh = async () => { a.token = await d.login(username); return a; };
    return a;
  }

  // A published tender (competitive consultation by default: three bids and three members do).
  async function tender(publishAt, deadline, over = {}) {
    await clock(publishAt);
    const body = {
      title: '海盐县社区养老服务项目', description: '社区居家养老服务。', service_category: 'elderly_care',
      budget_fen: 120000000, method: 'competitive_consultation', evaluation_method: 'lowest_price',
      criteria: [{ id: 'plan', name: '服务方案', max_points: 70 }], price_points: 30, eligibility: {},
      enquiry_end: plus(publishAt, 5), bid_deadline: deadline, contract_months: 12, ...over,
    };
    const c = await post(purchaser, '/api/v1/tenders', body);
    assert.equal(c.status, 201, c.text);
    const p = await post(purchaser, `/api/v1/tenders/${c.json.data.id}/publish`);
    assert.equal(p.status, 200, p.text);
    return p.json.data.id;
  }

  async function bid(tid, who, uscc, price) {
    const r = await post(who, `/api/v1/tenders/${tid}/bids`, { org_uscc: uscc, price_fen: price, technical_proposal: `方案 ${uscc}` });
    assert.equal(r.status, 201, r.text);
    return r.json.data.id;
  }

  async function open(tid, deadline) {
    await clock(deadline);
    const r = await post(purchaser, `/api/v1/tenders/${tid}/open`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.status, 'active.evaluation');
    return r.json.data.opening;
  }

  async function appoint(tid, members) {
    const r = await put(purchaser, `/api/v1/tenders/${tid}/committee`, { members: members.map((m) => m.id), chair: members[0].id });
    assert.equal(r.status, 200, r.text);
  }

  // Every member declares no conflict, scores every bid (scores[i] for bids[i]) and submits.
  async function evaluate(tid, members, bids, scores) {
    for (const e of members) {
      assert.equal((await post(e, `/api/v1/tenders/${tid}/declarations`, { conflict: false })).status, 201);
      for (const [i, b] of bids.entries()) {
        const r = await put(e, `/api/v1/tenders/${tid}/scores/${b}`, { scores: { plan: scores[i] }, comment: '方案完整。' });
        assert.equal(r.status, 200, r.text);
      }
      assert.equal((await post(e, `/api/v1/tenders/${tid}/scoresheet/submit`)).status, 200);
    }
    const r = await get(purchaser, `/api/v1/tenders/${tid}/evaluation`);
    assert.equal(r.status, 200, r.text);
    return r.json.data;
  }

  return { api, post, put, get, clock, evaluator, tender, bid, open, appoint, evaluate };
}
