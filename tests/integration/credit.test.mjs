// Credit (SPEC §5, Appendix B): grades from a score with configurable cut-offs, credit events
// whose penalties list the organization, manual listing and removal (serious: only after 2 years),
// the public lists, GET …/credit with can_bid, and the profile showing it all at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { actor, row, importRows } from '../bench/registry.mjs';

let d, admin, registrar, applicant;

// Beijing 10:00 on a date.
const at = (date) => new Date(Date.parse(`${date}T10:00:00+08:00`)).toISOString();
async function clock(date) {
  await d.setClock(at(date));
  for (const a of [admin, registrar, applicant]) await a.refresh();
}

// An organization in the register, imported (registered on registered_at); its code.
function org(over = {}) {
  const r = row({ registered_at: '2015-06-01', ...over });
  importRows(d, [r]);
  return r.uscc;
}

const post = (who, p, body, headers = {}) => d.api('POST', p, { token: who && who.token, body, headers });
const grade = (uscc, body, who = registrar) => post(who, `/api/v1/orgs/${uscc}/grade`, body);
const event = (uscc, body, who = registrar) => post(who, `/api/v1/orgs/${uscc}/credit-events`, body);
const list = (uscc, body, who = registrar) => post(who, `/api/v1/orgs/${uscc}/list-entries`, body);
const remove = (uscc, id, body, who = registrar) => post(who, `/api/v1/orgs/${uscc}/list-entries/${id}/remove`, body);
const profile = async (uscc) => (await d.api('GET', `/api/v1/orgs/${uscc}`)).json.data;
const credit = async (uscc) => {
  const r = await d.api('GET', `/api/v1/orgs/${uscc}/credit`);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
};
const fields = (r) => r.json.errors.map((e) => `${e.field}:${e.code}`).sort();
const audits = (action, id) => Number(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = '${action}' AND object_id = '${id}'`).trim());
const penalty = (over = {}) => ({ kind: 'penalty', penalty_type: 'warning', decision_number: '盐民罚〔2026〕1号',
  basis: '《社会团体登记管理条例》第三十条', authority: '海盐县民政局', decided_on: '2026-03-01', ...over });

before(async () => {
  d = await startDaemon();
  admin = await actor(d, 'admin');
  registrar = await actor(d, 'registrar');
  applicant = await actor(d, 'applicant');
  await clock('2026-03-10');
});
after(async () => { await d.stop(); });

test('a score gives its grade by the cut-offs, valid 5 years; the profile shows it at once', async () => {
  const uscc = org();
  assert.equal((await profile(uscc)).grade, null);   // cached now
  const cases = [[0, '1A'], [599, '1A'], [600, '2A'], [699, '2A'], [700, '3A'], [799, '3A'], [800, '4A'], [899, '4A'],
    [900, '5A'], [1000, '5A']];
  for (const [score, expect] of cases) {
    const r = await grade(uscc, { score, decided_on: '2026-03-01', basis: '2025年度社会组织评估' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.data.grade, expect, String(score));
    assert.equal(r.json.data.score, score);
    assert.equal(r.json.data.decided_on, '2026-03-01');
    assert.equal(r.json.data.valid_until, '2031-02-28');
    const p = await profile(uscc);
    assert.equal(p.grade, expect, `profile after ${score}`);
    assert.equal(p.grade_valid_until, '2031-02-28');
  }
  // History is never overwritten: one record per grade, one history event and audit entry each.
  assert.equal(d.sql(`SELECT COUNT(*) FROM credit_grades WHERE uscc = '${uscc}'`).trim(), String(cases.length));
  assert.equal(audits('org.grade', uscc), cases.length);
  const h = (await d.api('GET', `/api/v1/orgs/${uscc}/history?limit=200`)).json.data.filter((e) => e.type === 'grade');
  assert.equal(h.length, cases.length);
  assert.deepEqual(h[1].changes[0], { field: 'grade', old: '1A', new: '1A' });
  assert.deepEqual(h[2].changes[0], { field: 'grade', old: '1A', new: '2A' });
  const c = await credit(uscc);
  assert.equal(c.grade, '5A');
  assert.equal(c.score, 1000);
  assert.equal(c.grade_valid_until, '2031-02-28');
  assert.equal(d.cli(['audit', 'verify']).code, 0);
});

test('a grade refuses every bad value field by field', async () => {
  const uscc = org();
  const bad = async (body, expect) => {
    const r = await grade(uscc, body);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.json.code, 'validation_failed');
    assert.deepEqual(fields(r), expect, JSON.stringify(body));
  };
  const ok = { score: 850, decided_on: '2026-03-01', basis: '评估' };
  await bad({ ...ok, score: 1001 }, ['score:out_of_range']);
  await bad({ ...ok, score: -1 }, ['score:out_of_range']);
  await bad({ ...ok, score: 850.5 }, ['score:not_integer']);
  await bad({ ...ok, score: '850' }, ['score:type']);
  await bad({ decided_on: '2026-03-01', basis: '评估' }, ['score:required']);
  await bad({ ...ok, decided_on: '2026-02-30' }, ['decided_on:invalid_date']);
  await bad({ ...ok, decided_on: '1 March 2026' }, ['decided_on:invalid_date']);
  await bad({ ...ok, decided_on: '2026-03-11' }, ['decided_on:date_in_future']);
  await bad({ ...ok, basis: '  ' }, ['basis:required']);
  await bad({ ...ok, grade: '5A' }, ['grade:unknown_field']);
  assert.equal(d.sql(`SELECT COUNT(*) FROM credit_grades WHERE uscc = '${uscc}'`).trim(), '0');
});

test('only registrars grade; unknown organizations are 404, deregistered ones 409', async () => {
  const uscc = org();
  const body = { score: 850, decided_on: '2026-03-01', basis: '评估' };
  assert.equal((await grade(uscc, body, null)).status, 401);
  let r = await grade(uscc, body, applicant);
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'forbidden_role');
  assert.equal((await grade(uscc, body, admin)).status, 403);
  r = await grade('53640000MJX1736997', body);
  assert.equal(r.status, 404);
  const gone = org({ status: 'deregistered' });
  r = await grade(gone, body);
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'org_deregistered');
  r = await event(gone, penalty());
  assert.equal(r.status, 409);
  r = await list(gone, { list: 'abnormal', reason: 'unreachable', evidence: '查无此址' });
  assert.equal(r.status, 409);
  const c = await credit(gone);
  assert.equal(c.can_bid, false);
  assert.deepEqual(c.can_bid_reasons, ['not_registered']);
  assert.equal((await d.api('GET', '/api/v1/orgs/53640000MJX1736997/credit')).status, 404);
});

test('registered fewer than 2 years on the decision day: registered_too_recently', async () => {
  const uscc = org({ registered_at: '2024-03-02' });
  let r = await grade(uscc, { score: 850, decided_on: '2026-03-01', basis: '评估' });
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'registered_too_recently');
  r = await grade(uscc, { score: 850, decided_on: '2026-03-02', basis: '评估' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.grade, '4A');
});

test('penalties list the organization in their own transaction; the profile shows it at once', async () => {
  const uscc = org();
  assert.deepEqual((await profile(uscc)).lists, []);
  let r = await event(uscc, penalty());
  assert.equal(r.status, 201, r.text);
  const warning = r.json.data;
  assert.equal(warning.kind, 'penalty');
  assert.equal(warning.penalty_type, 'warning');
  assert.equal(warning.fine_fen, undefined);
  assert.equal(warning.consequences.length, 1);
  assert.deepEqual({ ...warning.consequences[0], id: undefined }, {
    id: undefined, list: 'abnormal', reason: 'small_penalty', rule: 'small_penalty', evidence: { event_ids: [warning.id] },
    listed_on: '2026-03-10', cause_fixed_on: null, removal_due_on: null, removed_on: null, removal_reason: null, removal_rule: null, status: 'listed', version: 1,
  });
  let p = await profile(uscc);
  assert.deepEqual(p.lists.map((e) => `${e.list}:${e.reason}`), ['abnormal:small_penalty']);

  const consequence = async (over) => {
    const x = await event(uscc, penalty(over));
    assert.equal(x.status, 201, x.text);
    return x.json.data.consequences.map((e) => `${e.list}:${e.reason}:${e.rule}`);
  };
  // the second small penalty within 3 years also lists on the serious list (repeated_penalties)
  assert.deepEqual(await consequence({ penalty_type: 'fine', fine_fen: 4999999 }),
    ['abnormal:small_penalty:small_penalty', 'serious:repeated_penalties:repeated_penalties']);
  assert.deepEqual(await consequence({ penalty_type: 'fine', fine_fen: 5000000 }), ['serious:large_fine:large_fine']);
  assert.deepEqual(await consequence({ penalty_type: 'suspension' }), ['serious:suspension:suspension']);
  assert.deepEqual(await consequence({ penalty_type: 'revocation' }), ['serious:revocation:revocation']);
  p = await profile(uscc);
  assert.equal(p.lists.length, 6);
  r = await event(uscc, { kind: 'inspection', conclusion: 'basic_pass', decided_on: '2026-03-02', basis: '年度检查：\n一、财务制度不健全；\n二、限期整改。' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.data.consequences, []);
  r = await event(uscc, { kind: 'commendation', title: '先进社会组织', authority: '海盐县人民政府', decided_on: '2026-01-05' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.data.consequences, []);

  const c = await credit(uscc);
  assert.equal(c.lists.length, 6);
  assert.equal(c.history.length, 6);
  assert.deepEqual(c.events.map((e) => e.kind), ['penalty', 'penalty', 'penalty', 'penalty', 'penalty', 'inspection', 'commendation']);
  assert.equal(c.events[1].fine_fen, 4999999);
  assert.equal(c.can_bid, false);
  assert.deepEqual(c.can_bid_reasons, ['listed']);
  // A listed organization cannot be graded.
  r = await grade(uscc, { score: 950, decided_on: '2026-03-01', basis: '评估' });
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'listed');
  assert.equal(audits('credit_event.create', String(warning.id)), 1);
  assert.equal(audits('list_entry.create', String(warning.consequences[0].id)), 1);
  const h = (await d.api('GET', `/api/v1/orgs/${uscc}/history?limit=200`)).json.data.filter((e) => e.type === 'listing');
  assert.equal(h.length, 6);
  assert.deepEqual(h[0].changes, [{ field: 'lists.abnormal', old: null, new: 'small_penalty' }]);
});

test('a credit event refuses every bad value field by field', async () => {
  const uscc = org();
  const bad = async (body, expect) => {
    const r = await event(uscc, body);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.deepEqual(fields(r), expect, JSON.stringify(body));
  };
  await bad(penalty({ penalty_type: 'fine' }), ['fine_fen:required']);
  await bad(penalty({ penalty_type: 'fine', fine_fen: -100 }), ['fine_fen:out_of_range']);
  await bad(penalty({ penalty_type: 'fine', fine_fen: 0 }), ['fine_fen:out_of_range']);
  await bad(penalty({ penalty_type: 'fine', fine_fen: 10.5 }), ['fine_fen:not_integer']);
  await bad(penalty({ fine_fen: 100 }), ['fine_fen:not_allowed']);
  await bad(penalty({ penalty_type: 'caution' }), ['penalty_type:invalid_choice']);
  await bad(penalty({ decision_number: undefined, authority: undefined }), ['authority:required', 'decision_number:required']);
  await bad(penalty({ decided_on: '2026-03-11' }), ['decided_on:date_in_future']);
  await bad(penalty({ decided_on: '20260301' }), ['decided_on:invalid_date']);
  await bad(penalty({ colour: 'red' }), ['colour:unknown_field']);
  await bad({ ...penalty(), kind: 'reprimand' }, ['kind:invalid_choice']);
  await bad({ kind: 'performance', decided_on: '2026-03-01' }, ['kind:invalid_choice']);
  await bad({ kind: 'inspection', conclusion: 'excellent', decided_on: '2026-03-01' }, ['conclusion:invalid_choice']);
  await bad({ kind: 'commendation', decided_on: '2026-03-01' }, ['authority:required', 'title:required']);
  await bad(penalty({ authority: '海盐县\u200b民政局' }), ['authority:invalid_text']);
  assert.equal(d.sql(`SELECT COUNT(*) FROM credit_events WHERE uscc = '${uscc}'`).trim(), '0');
  assert.equal((await event(uscc, penalty(), applicant)).status, 403);
  assert.equal((await event(uscc, penalty(), null)).status, 401);
  assert.equal((await event('53640000MJX1736997', penalty())).status, 404);
});

test('manual listing and removal from the abnormal list; the public list follows', async () => {
  const uscc = org();
  const other = org();
  await profile(uscc);
  let r = await list(uscc, { list: 'abnormal', reason: 'unreachable', evidence: '两次实地核查均无人' });
  assert.equal(r.status, 201, r.text);
  const e = r.json.data;
  assert.equal(r.headers.get('etag'), '"1"');
  assert.deepEqual({ ...e, id: undefined }, { id: undefined, list: 'abnormal', reason: 'unreachable', rule: null,
    evidence: '两次实地核查均无人', listed_on: '2026-03-10', cause_fixed_on: null, removal_due_on: null, removed_on: null, removal_reason: null, removal_rule: null, status: 'listed', version: 1,
    org_uscc: uscc });
  assert.deepEqual((await profile(uscc)).lists.map((x) => x.id), [e.id]);
  let pub = await d.api('GET', '/api/v1/credit-lists/abnormal?limit=200');
  assert.equal(pub.status, 200);
  const mine = pub.json.data.find((x) => x.id === e.id);
  assert.equal(mine.org_uscc, uscc);
  assert.match(mine.org_name, /^海盐县/);
  assert.equal((await d.api('GET', '/api/v1/credit-lists/serious?limit=200')).json.data.some((x) => x.id === e.id), false);

  // Field errors: reasons belong to their list.
  r = await list(uscc, { list: 'abnormal', reason: 'large_fine', evidence: 'x' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['reason:invalid_choice']);
  r = await list(uscc, { list: 'grey', reason: 'other' });
  assert.deepEqual(fields(r), ['evidence:required', 'list:invalid_choice']);
  assert.equal((await list(uscc, { list: 'abnormal', reason: 'other', evidence: 'x' }, applicant)).status, 403);

  // Removal: only this organization's entry, with a reason, once.
  assert.equal((await remove(other, e.id, { reason: '已整改' })).status, 404);
  r = await remove(uscc, e.id, {});
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['reason:required']);
  assert.equal((await remove(uscc, e.id, { reason: '已整改' }, applicant)).status, 403);
  r = await remove(uscc, e.id, { reason: '已取得联系并核实住所' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'removed');
  assert.equal(r.json.data.removed_on, '2026-03-10');
  assert.equal(r.json.data.removal_reason, '已取得联系并核实住所');
  assert.equal(r.headers.get('etag'), '"2"');
  r = await remove(uscc, e.id, { reason: '再次' });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'already_removed');
  assert.deepEqual((await profile(uscc)).lists, []);
  const c = await credit(uscc);
  assert.deepEqual(c.lists, []);
  assert.deepEqual(c.history.map((x) => `${x.id}:${x.status}`), [`${e.id}:removed`]);
  assert.equal(c.can_bid, true);
  assert.deepEqual(c.can_bid_reasons, []);
  pub = await d.api('GET', '/api/v1/credit-lists/abnormal?limit=200');
  assert.equal(pub.json.data.some((x) => x.id === e.id), false);
  assert.equal(audits('list_entry.remove', String(e.id)), 1);
  const h = (await d.api('GET', `/api/v1/orgs/${uscc}/history`)).json.data.map((x) => x.type);
  assert.deepEqual(h, ['establish', 'import', 'listing', 'delisting']);
});

test('the public lists are keyset pages', async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const r = await list(org(), { list: 'serious', reason: 'court_dishonest', evidence: `(2026)浙0424执${i}号` });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.data.id);
  }
  const seen = [];
  let cursor = null;
  for (let n = 0; n < 100; n++) {
    const r = await d.api('GET', `/api/v1/credit-lists/serious?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.data.length <= 2);
    seen.push(...r.json.data.map((x) => x.id));
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  for (const id of ids) assert.ok(seen.includes(id));
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
  assert.equal((await d.api('GET', '/api/v1/credit-lists/serious?limit=0')).status, 400);
});

test('the serious list is left only on the 2-year anniversary of the last listing', async () => {
  const uscc = org();
  const r = await list(uscc, { list: 'serious', reason: 'court_dishonest', evidence: '(2026)浙0424执1号' });
  assert.equal(r.status, 201, r.text);
  const id = r.json.data.id;
  await clock('2028-03-09');
  let x = await remove(uscc, id, { reason: '两年内无新的失信行为' });
  assert.equal(x.status, 422, x.text);
  assert.equal(x.json.code, 'too_early');
  assert.equal(x.json.earliest_removal, '2028-03-10');
  assert.equal((await profile(uscc)).lists.length, 1);
  await clock('2028-03-10');
  x = await remove(uscc, id, { reason: '两年内无新的失信行为' });
  assert.equal(x.status, 200, x.text);
  assert.equal(x.json.data.removed_on, '2028-03-10');
  assert.deepEqual((await profile(uscc)).lists, []);
  assert.equal((await credit(uscc)).can_bid, true);
});

test('a retried event with its Idempotency-Key creates nothing new; a removal honours If-Match; two removals race, one wins', async () => {
  const uscc = org();
  const headers = { 'Idempotency-Key': `credit-${Date.now()}` };
  const a = await post(registrar, `/api/v1/orgs/${uscc}/credit-events`, penalty(), headers);
  assert.equal(a.status, 201, a.text);
  const b = await post(registrar, `/api/v1/orgs/${uscc}/credit-events`, penalty(), headers);
  assert.equal(b.status, 201);
  assert.equal(b.json.data.id, a.json.data.id);
  assert.equal(d.sql(`SELECT COUNT(*) FROM credit_events WHERE uscc = '${uscc}'`).trim(), '1');
  assert.equal(d.sql(`SELECT COUNT(*) FROM list_entries WHERE uscc = '${uscc}'`).trim(), '1');
  const id = a.json.data.consequences[0].id;

  let r = await post(registrar, `/api/v1/orgs/${uscc}/list-entries/${id}/remove`, { reason: '已整改' }, { 'If-Match': '"7"' });
  assert.equal(r.status, 412);
  const e2 = (await list(uscc, { list: 'abnormal', reason: 'rectification_incomplete', evidence: '逾期未整改' })).json.data;
  const both = await Promise.all([remove(uscc, e2.id, { reason: '已整改' }), remove(uscc, e2.id, { reason: '已整改' })]);
  assert.deepEqual(both.map((x) => x.status).sort(), [200, 409]);
  assert.equal(audits('list_entry.remove', String(e2.id)), 1);
});

test('a removed organization may be graded again; a later listing is a new ground that restarts the 2 years', async () => {
  const uscc = org();
  const first = (await list(uscc, { list: 'serious', reason: 'other', evidence: '其他严重失信行为' })).json.data;
  await clock('2029-03-10');
  const second = (await list(uscc, { list: 'abnormal', reason: 'unreachable', evidence: '查无此址' })).json.data;
  await clock('2030-03-10');   // two years after the first listing, one after the second
  let r = await remove(uscc, first.id, { reason: '两年内无新的失信行为' });
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'too_early');
  assert.equal(r.json.earliest_removal, '2031-03-10');
  r = await remove(uscc, second.id, { reason: '已核实住所' });
  assert.equal(r.status, 200, r.text);
  await clock('2031-03-10');
  r = await remove(uscc, first.id, { reason: '两年内无新的失信行为' });
  assert.equal(r.status, 200, r.text);
  r = await grade(uscc, { score: 905, decided_on: '2031-03-10', basis: '评估' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.grade, '5A');
  assert.equal(r.json.data.valid_until, '2036-03-09');
  const p = await profile(uscc);
  assert.equal(p.grade, '5A');
  assert.deepEqual(p.lists, []);
  const c = await credit(uscc);
  assert.equal(c.can_bid, true);
  assert.deepEqual(c.history.map((x) => x.status), ['removed', 'removed']);
});

test('a grade ends with its validity: the sweep takes it off the profile the day after, once, in the history', async () => {
  const uscc = org();
  const r = await grade(uscc, { score: 820, decided_on: '2021-03-15', basis: '2020年度社会组织评估' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.valid_until, '2026-03-14');
  const sweep = async () => {
    const s = await post(admin, '/api/v1/admin/sweep', {});
    assert.equal(s.status, 200, s.text);
    return s.json.data.rules.find((x) => x.rule === 'grade_expiry');
  };
  try {
    // The last day of its validity: still 4A.
    await clock('2026-03-14');
    await sweep();
    assert.equal((await profile(uscc)).grade, '4A');
    const v = (await profile(uscc)).version;
    // The day after: gone from the profile (a new version) and from the grade filter.
    await clock('2026-03-15');
    assert.ok((await sweep()).changed >= 1);
    const p = await profile(uscc);
    assert.deepEqual([p.grade, p.grade_valid_until], [null, null]);
    assert.ok(p.version > v);
    assert.equal((await credit(uscc)).grade, null);
    const h = (await d.api('GET', `/api/v1/orgs/${uscc}/history?limit=200`)).json.data.filter((e) => e.type === 'grade');
    assert.deepEqual(h.at(-1).changes, [{ field: 'grade', old: '4A', new: null },
      { field: 'grade_valid_until', old: '2026-03-14', new: null }]);
    assert.equal(h.at(-1).effective_date, '2026-03-15');
    // Once: a second sweep changes nothing; the record of the grade stays.
    assert.equal((await sweep()).changed, 0);
    assert.equal(d.sql(`SELECT COUNT(*) FROM org_events WHERE uscc = '${uscc}' AND type = 'grade'`).trim(), '2');
    assert.equal(d.sql(`SELECT COUNT(*) FROM credit_grades WHERE uscc = '${uscc}'`).trim(), '1');
    assert.ok(Number(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'credit_grade.expire' AND summary LIKE '%${uscc}%'`).trim()) === 1);
    assert.equal(d.cli(['audit', 'verify']).code, 0);
  } finally {
    await clock('2026-03-10');
  }
});
