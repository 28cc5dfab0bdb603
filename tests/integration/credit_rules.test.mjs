// The automatic credit rules (SPEC §5, Appendix B): annual_report_late and its lapse once the report
// is filed, repeated_penalties (in the penalty's own transaction and in the sweep),
// abnormal_two_years; each at its boundaries (the day before and the day, 29 February), idempotent
// (a second sweep at the same clock changes nothing), with its rule and evidence, audited, shown
// at once in the cached profile; annual_reports_missing from the later of registration and arrival.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { actor, row, importRows } from '../bench/registry.mjs';

let d, admin, registrar, owner, today;

// Beijing 10:00 on a date.
const at = (date) => new Date(Date.parse(`${date}T10:00:00+08:00`)).toISOString();
async function clock(date) {
  today = date;
  await d.setClock(at(date));
  for (const a of [admin, registrar, owner]) await a.refresh();
}

// An organization in the register, registered on registered_at, that arrived on the platform on
// `arrived` (its import, by default today; Beijing 10:00), owned by `owner` for filing reports.
function org({ registered_at = '2015-06-01', arrived = today, ...over } = {}) {
  const r = row({ registered_at, ...over });
  importRows(d, [r]);
  const utc = new Date(Date.parse(`${arrived}T10:00:00+08:00`)).toISOString().replace('T', ' ').replace('Z', '');
  d.sql(`UPDATE orgs SET created_at = '${utc}', owner_user_id = ${owner.id} WHERE uscc = '${r.uscc}'`);
  return r.uscc;
}

const post = (who, p, body) => d.api('POST', p, { token: who && who.token, body });
const event = (uscc, body) => post(registrar, `/api/v1/orgs/${uscc}/credit-events`, body);
const credit = async (uscc) => {
  const r = await d.api('GET', `/api/v1/orgs/${uscc}/credit`);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
};
const profile = async (uscc) => (await d.api('GET', `/api/v1/orgs/${uscc}`)).json.data;
const warning = (decided_on, over = {}) => ({ kind: 'penalty', penalty_type: 'warning', decision_number: `盐民罚〔${decided_on}〕号`,
  basis: '《社会团体登记管理条例》第三十条', authority: '海盐县民政局', decided_on, ...over });

// Runs the sweep; { rule: changed } of the credit rules.
async function sweep() {
  const r = await post(admin, '/api/v1/admin/sweep');
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.json.data.rules.map((x) => [x.rule, x.changed]));
}
const CREDIT_RULES = ['annual_report_late_lapse', 'annual_report_late', 'repeated_penalties', 'abnormal_two_years'];
async function sweepTwice() {
  const first = await sweep();
  const second = await sweep();
  for (const rule of CREDIT_RULES) assert.equal(second[rule], 0, `second sweep, ${rule}: ${JSON.stringify(second)}`);
  return first;
}
const entries = (c, rule) => c.history.filter((e) => e.rule === rule);

before(async () => {
  // China's 2025 National Day: 1–8 October off, Sunday 28 September and Saturday 11 October worked
  d = await startDaemon({ env: {
    SANZHI_HOLIDAYS: '2025-10-01,2025-10-02,2025-10-03,2025-10-06,2025-10-07,2025-10-08',
    SANZHI_WORKDAYS: '2025-09-28,2025-10-11',
  } });
  admin = await actor(d, 'admin');
  registrar = await actor(d, 'registrar');
  owner = await actor(d, 'applicant');
});
after(async () => { await d.stop(); });

test('the sweep reports every credit rule', async () => {
  await clock('2024-01-15');
  const s = await sweep();
  for (const rule of CREDIT_RULES) assert.equal(typeof s[rule], 'number', rule);
});

test('two warnings within 3 years list on the serious list in the second one\'s transaction; 3 years and a day do not', async () => {
  await clock('2027-03-10');
  const within = org(), outside = org(), leap = org(), leapOut = org(), big = org();
  // the window is inclusive: decided 2023-03-01 and 2026-03-01
  let r = await event(within, warning('2023-03-01'));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.data.consequences.map((e) => e.reason), ['small_penalty']);
  const first = r.json.data.id;
  r = await event(within, warning('2026-03-01'));
  assert.equal(r.status, 201, r.text);
  const cons = r.json.data.consequences;
  assert.deepEqual(cons.map((e) => `${e.list}:${e.reason}:${e.rule}`),
    ['abnormal:small_penalty:small_penalty', 'serious:repeated_penalties:repeated_penalties']);
  assert.deepEqual(cons[1].evidence, { event_ids: [first, r.json.data.id] });
  assert.equal(cons[1].listed_on, '2027-03-10');
  assert.deepEqual((await profile(within)).lists.map((e) => e.reason).sort(), ['repeated_penalties', 'small_penalty', 'small_penalty']);

  // a day past the window: each is only a small penalty
  await event(outside, warning('2023-03-01'));
  r = await event(outside, warning('2026-03-02'));
  assert.deepEqual(r.json.data.consequences.map((e) => e.reason), ['small_penalty']);

  // 29 February: 2024-02-29 + 3 years ends on 2027-02-28
  await event(leap, warning('2024-02-29', { penalty_type: 'fine', fine_fen: 4999999 }));
  r = await event(leap, warning('2027-02-28'));
  assert.deepEqual(r.json.data.consequences.map((e) => e.reason), ['small_penalty', 'repeated_penalties']);
  await event(leapOut, warning('2024-02-29'));
  r = await event(leapOut, warning('2027-03-01'));
  assert.deepEqual(r.json.data.consequences.map((e) => e.reason), ['small_penalty']);

  // a fine at the limit is a large fine: it does not count
  await event(big, warning('2026-01-01'));
  r = await event(big, warning('2026-02-01', { penalty_type: 'fine', fine_fen: 5000000 }));
  assert.deepEqual(r.json.data.consequences.map((e) => e.reason), ['large_fine']);

  // the sweep finds nothing the transactions did not do
  const s = await sweepTwice();
  assert.equal(s.repeated_penalties, 0);
  for (const u of [outside, leapOut, big]) assert.equal(entries(await credit(u), 'repeated_penalties').length, 0);

  // a third warning is new grounds: a new entry, with the window's penalties as evidence
  r = await event(within, warning('2027-03-05'));
  assert.deepEqual(r.json.data.consequences.map((e) => e.reason), ['small_penalty', 'repeated_penalties']);
  assert.equal(r.json.data.consequences[1].evidence.event_ids.length, 2);   // 2023-03-01 is out of this one's window
  assert.equal(entries(await credit(within), 'repeated_penalties').length, 2);
  assert.equal(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'credit_rule.list' AND object_id = 'repeated_penalties'`).trim(), '3');
});

test('the sweep applies repeated_penalties to penalties recorded before the rule counted them', async () => {
  await clock('2027-03-10');
  const u = org();
  await event(u, warning('2026-01-01'));
  await event(u, warning('2026-02-01'));
  // as if recorded before the rule: take away the entry the transaction made
  const id = d.sql(`SELECT id FROM list_entries WHERE uscc = '${u}' AND rule = 'repeated_penalties'`).trim();
  d.sql(`DELETE FROM list_entries WHERE id = ${id}`);
  const s = await sweepTwice();
  assert.equal(s.repeated_penalties, 1);
  const [e] = entries(await credit(u), 'repeated_penalties');
  assert.equal(e.list, 'serious');
  assert.equal(e.evidence.event_ids.length, 2);
  assert.deepEqual((await profile(u)).lists.map((x) => x.reason).sort(), ['repeated_penalties', 'small_penalty', 'small_penalty']);
});

test('annual_report_late: listed the day after the due day, once, from the later of registration and arrival', async () => {
  await clock('2024-01-10');
  const a = org({ registered_at: '2010-05-01', arrived: '2024-01-10' });  // owes 2024 (arrived in it)
  const exemptEdge = org({ registered_at: '2024-07-01', arrived: '2024-07-01' });  // < 6 months before year end
  const owesEdge = org({ registered_at: '2024-06-30', arrived: '2024-06-30' });
  const lateArrival = org({ registered_at: '2010-05-01', arrived: '2024-08-01' });  // 2024 exempt, older years legacy
  const filed = org({ registered_at: '2024-01-01', arrived: '2024-01-01' });
  const gone = org({ registered_at: '2010-05-01', arrived: '2024-01-10', status: 'deregistered' });
  const fixes = org({ registered_at: '2024-03-01', arrived: '2024-03-01' });

  await clock('2025-03-01');
  assert.equal((await post(owner, `/api/v1/orgs/${filed}/annual-reports`, report(2024))).status, 201);
  await clock('2025-05-31');
  let s = await sweepTwice();
  assert.equal(s.annual_report_late, 0);
  assert.deepEqual((await credit(a)).annual_reports_missing, []);
  assert.deepEqual((await profile(a)).lists, []);   // cached now

  await clock('2025-06-01');
  s = await sweepTwice();
  assert.ok(s.annual_report_late >= 3, JSON.stringify(s));
  assert.equal(entries(await credit(a), 'annual_report_late')[0].removal_due_on, null, 'the cause is not fixed yet');
  for (const u of [a, owesEdge, fixes]) {
    const c = await credit(u);
    assert.deepEqual(c.annual_reports_missing, [2024], u);
    const [e] = entries(c, 'annual_report_late');
    assert.equal(e.list, 'abnormal');
    assert.equal(e.reason, 'annual_report_late');
    assert.equal(e.listed_on, '2025-06-01');
    assert.deepEqual(e.evidence, { years: [2024] });
    assert.equal(c.can_bid, false);
    assert.deepEqual(c.can_bid_reasons, ['listed']);
    const p = await profile(u);
    assert.deepEqual(p.lists.map((x) => x.reason), ['annual_report_late'], 'the cached profile shows it');
    const h = (await d.api('GET', `/api/v1/orgs/${u}/history`)).json.data.filter((x) => x.type === 'listing');
    assert.equal(h.length, 1);
    assert.equal(h[0].effective_date, '2025-06-01');
  }
  for (const u of [exemptEdge, lateArrival, filed, gone]) {
    const c = await credit(u);
    assert.deepEqual(entries(c, 'annual_report_late'), [], u);
    assert.deepEqual(c.annual_reports_missing, [], u);
  }
  const audit = d.sql(`SELECT summary FROM audit_log WHERE action = 'credit_rule.list' AND object_id = 'annual_report_late'`);
  assert.ok(audit.includes(a) && audit.includes(owesEdge));
  assert.equal(d.cli(['audit', 'verify']).code, 0);

  // Filing late does not undo the listing; six months after the listing, the sweep lapses it.
  await clock('2025-07-01');
  let r = await post(owner, `/api/v1/orgs/${a}/annual-reports`, report(2024));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.late, true);
  s = await sweepTwice();
  assert.deepEqual((await credit(a)).annual_reports_missing, []);
  assert.equal((await credit(a)).lists.length, 1);
  // Filed on the eve of the National Day holidays: the registrar removes it within 5 working days,
  // counted on the working-day calendar (the holidays skipped, the make-up Saturday counted).
  await clock('2025-09-30');
  r = await post(owner, `/api/v1/orgs/${fixes}/annual-reports`, report(2024));
  assert.equal(r.status, 201, r.text);
  const [fx] = (await credit(fixes)).lists;
  assert.equal(fx.cause_fixed_on, '2025-09-30');
  assert.equal(fx.removal_due_on, '2025-10-14');
  assert.equal((await profile(fixes)).lists[0].removal_due_on, '2025-10-14', 'the cached profile shows it');
  await clock('2025-10-13');
  r = await post(registrar, `/api/v1/orgs/${fixes}/list-entries/${fx.id}/remove`, { reason: '已补报年度工作报告，移出活动异常名录' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.removed_on, '2025-10-13');
  assert.equal(r.json.data.removal_due_on, '2025-10-14');
  assert.equal(r.json.data.removal_rule, null);

  await clock('2025-11-30');
  s = await sweepTwice();
  assert.equal((await credit(a)).lists.length, 1, 'not before six months');
  await clock('2025-12-01');
  s = await sweepTwice();
  assert.ok(s.annual_report_late_lapse >= 1);
  let c = await credit(a);
  assert.deepEqual(c.lists, []);
  const [e] = entries(c, 'annual_report_late');
  assert.equal(e.status, 'removed');
  assert.equal(e.removed_on, '2025-12-01');
  assert.match(e.removal_reason, /2025-07-01补报/);
  assert.equal(e.removal_rule, 'annual_report_late_lapse');
  assert.equal(c.can_bid, true);
  assert.deepEqual((await profile(a)).lists, []);
  const h = (await d.api('GET', `/api/v1/orgs/${a}/history`)).json.data.filter((x) => x.type === 'delisting');
  assert.equal(h.length, 1);
  assert.equal(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'list_entry.lapse' AND object_id = '${e.id}'`).trim(), '1');
  // owesEdge never filed: still listed
  assert.equal((await credit(owesEdge)).lists.length, 1);

  // A listing a registrar removed is not made again by the sweep.
  const [oe] = (await credit(owesEdge)).lists;
  r = await post(registrar, `/api/v1/orgs/${owesEdge}/list-entries/${oe.id}/remove`, { reason: '已补报，经核实移出' });
  assert.equal(r.status, 200, r.text);
  s = await sweepTwice();
  assert.deepEqual((await credit(owesEdge)).lists, []);
  assert.deepEqual((await credit(owesEdge)).annual_reports_missing, [2024]);
});

test('abnormal_two_years: on the abnormal list two full years moves to the serious list, on that day', async () => {
  await clock('2026-05-10');
  const u = org({ registered_at: '2010-01-01', arrived: '2026-05-10' });
  let r = await post(registrar, `/api/v1/orgs/${u}/list-entries`, { list: 'abnormal', reason: 'unreachable', evidence: '通过登记的住所无法联系' });
  assert.equal(r.status, 201, r.text);
  const abnormal = r.json.data.id;
  await clock('2028-05-09');
  let s = await sweepTwice();
  assert.deepEqual(entries(await credit(u), 'abnormal_two_years'), []);
  await clock('2028-05-10');
  s = await sweepTwice();
  assert.ok(s.abnormal_two_years >= 1);
  const [e] = entries(await credit(u), 'abnormal_two_years');
  assert.equal(e.list, 'serious');
  assert.equal(e.listed_on, '2028-05-10');
  assert.deepEqual(e.evidence, { list_entry_ids: [abnormal] });
  assert.deepEqual((await profile(u)).lists.map((x) => x.reason).filter((x) => x !== 'annual_report_late').sort(),
    ['abnormal_two_years', 'unreachable']);

  // 29 February: listed 2028-02-29, two years are full on 2030-02-28
  await clock('2028-02-29');
  const leap = org({ registered_at: '2010-01-01', arrived: '2028-02-29' });
  r = await post(registrar, `/api/v1/orgs/${leap}/list-entries`, { list: 'abnormal', reason: 'rectification_incomplete', evidence: '逾期未整改' });
  assert.equal(r.status, 201, r.text);
  await clock('2030-02-27');
  await sweepTwice();
  assert.deepEqual(entries(await credit(leap), 'abnormal_two_years'), []);
  await clock('2030-02-28');
  await sweepTwice();
  const [l] = entries(await credit(leap), 'abnormal_two_years');
  assert.equal(l.listed_on, '2030-02-28');
});

test('an organization that arrives later owes nothing for the years before, and a new one makes the sweep look again', async () => {
  await clock('2031-06-10');
  await sweepTwice();
  // registered long ago, imported now: the late years belong to the legacy register
  const u = org({ registered_at: '2001-03-01', arrived: '2031-06-10' });
  assert.deepEqual((await credit(u)).annual_reports_missing, []);
  // one that owes a year already swept (arrived as the clock had been set back) makes the sweep look again
  const back = org({ registered_at: '2026-03-01', arrived: '2030-03-01' });
  const s = await sweepTwice();
  assert.ok(s.annual_report_late >= 1);
  assert.deepEqual(entries(await credit(back), 'annual_report_late').map((e) => e.evidence), [{ years: [2030] }]);
  assert.deepEqual(entries(await credit(u), 'annual_report_late'), []);
});

function report(year) {
  return { year, assets_fen: 100000, liabilities_fen: 0, income_fen: 50000, expense_fen: 40000,
    public_welfare_expense_fen: 30000, activities: '开展社区服务', staff: 3 };
}
