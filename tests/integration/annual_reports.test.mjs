// Annual reports (年度工作报告, SPEC §4): the owner files last year's report by its due date
// (31 May, configurable); organizations registered in the last 6 months of a year are exempt;
// a registrar concludes each report pass | basic_pass | fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { actor, approvedOrg, approvedDeregistration } from '../bench/registry.mjs';

let d, admin, registrar, owner, stranger, orgA, orgB;

// Beijing 10:00 on a date.
const at = (date) => new Date(Date.parse(`${date}T10:00:00+08:00`)).toISOString();
async function clock(date) {
  await admin.refresh();
  await d.setClock(at(date), admin.token);
  for (const a of [admin, registrar, owner, stranger]) await a.refresh();
}

const report = (over = {}) => ({
  year: 2024, assets_fen: 12345600, liabilities_fen: 100000, income_fen: 5000000, expense_fen: 4000000,
  public_welfare_expense_fen: 3000000, activities: '开展养老服务培训12次，服务老人3000人次', staff: 6, ...over,
});
const file = (who, uscc, body, headers) => d.api('POST', `/api/v1/orgs/${uscc}/annual-reports`, { token: who && who.token, body, headers });
const conclude = (who, uscc, year, body, ifMatch) => d.api('POST', `/api/v1/orgs/${uscc}/annual-reports/${year}/conclusion`,
  { token: who && who.token, body, headers: ifMatch ? { 'If-Match': ifMatch } : {} });

before(async () => {
  d = await startDaemon();
  admin = await actor(d, 'admin');
  registrar = await actor(d, 'registrar');
  owner = await actor(d, 'applicant');
  stranger = await actor(d, 'applicant');
  await clock('2024-03-01');
  orgA = await approvedOrg(d, owner, registrar);   // registered 2024-03-01: reports for 2024
  await clock('2024-09-02');
  orgB = await approvedOrg(d, owner, registrar);   // registered 2024-09-02: exempt for 2024
  await clock('2025-03-10');
});
after(async () => { await d.stop(); });

test('the owner files last year\'s report; it is due on 31 May of this year', async () => {
  const r = await file(owner, orgA.uscc, report());
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.deepEqual({ ...r.json.data, filed_at: undefined }, {
    uscc: orgA.uscc, year: 2024, assets_fen: 12345600, liabilities_fen: 100000, income_fen: 5000000, expense_fen: 4000000,
    public_welfare_expense_fen: 3000000, activities: '开展养老服务培训12次，服务老人3000人次', staff: 6, filed_at: undefined,
    due_date: '2025-05-31', late: false, exempt: false, conclusion: null, conclusion_note: null, concluded_at: null, version: 1,
  });
  assert.equal(r.json.data.filed_at, at('2025-03-10').replace('.000', ''));
  assert.equal(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'annual_report.file' AND object_id = '${orgA.uscc}'`).trim(), '1');
});

test('only the organization\'s own account files', async () => {
  let r = await file(stranger, orgB.uscc, report());
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'not_owner');
  r = await file(registrar, orgB.uscc, report());
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'forbidden_role');
  assert.equal((await file(null, orgB.uscc, report())).status, 401);
  r = await file(owner, '53640000MJX1736997', report());
  assert.equal(r.status, 404);
  assert.equal((await file(owner, 'not-a-code', report())).status, 404);
});

test('only the previous year, and only once', async () => {
  for (const year of [2025, 2023, 2026]) {
    const r = await file(owner, orgA.uscc, report({ year }));
    assert.equal(r.status, 422, String(year));
    assert.equal(r.json.code, 'wrong_year');
    assert.deepEqual(r.json.errors.map((e) => `${e.field}:${e.code}`), ['year:wrong_year']);
  }
  const r = await file(owner, orgA.uscc, report());
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'report_exists');
});

test('amounts are whole fen, not negative; every field is required; nothing else is taken', async () => {
  const fields = (r) => r.json.errors.map((e) => `${e.field}:${e.code}`).sort();
  let r = await file(owner, orgB.uscc, report({ assets_fen: -1, income_fen: 1.5, staff: 'six', extra: 1 }));
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['assets_fen:out_of_range', 'extra:unknown_field', 'income_fen:not_integer', 'staff:type']);
  r = await file(owner, orgB.uscc, { year: 2024 });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['activities:required', 'assets_fen:required', 'expense_fen:required', 'income_fen:required',
    'liabilities_fen:required', 'public_welfare_expense_fen:required', 'staff:required']);
  r = await file(owner, orgB.uscc, report({ activities: '' }));
  assert.deepEqual(fields(r), ['activities:required']);
  r = await file(owner, orgB.uscc, report({ activities: ' \u3000 ' }));
  assert.deepEqual(fields(r), ['activities:required']);
  // Too large to be money, and public-welfare spending beyond all spending.
  r = await file(owner, orgB.uscc, report({ assets_fen: 1e20, income_fen: 1000000000000000 }));
  assert.deepEqual(fields(r), ['assets_fen:out_of_range', 'income_fen:out_of_range']);
  r = await file(owner, orgB.uscc, report({ public_welfare_expense_fen: 5000000, expense_fen: 4000000 }));
  assert.deepEqual(fields(r), ['public_welfare_expense_fen:exceeds_expense']);
  r = await d.api('POST', `/api/v1/orgs/${orgB.uscc}/annual-reports`, { token: owner.token, body: '[1]' });
  assert.equal(r.status, 400);
});

test('an organization registered in the last 6 months of the year is exempt, and may still file', async () => {
  const r = await file(owner, orgB.uscc, report());
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.exempt, true);
  assert.equal(r.json.data.late, false);
});

test('a report filed after the due date is late', async () => {
  await clock('2026-06-01');
  const r = await file(owner, orgA.uscc, report({ year: 2025 }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.due_date, '2026-05-31');
  assert.equal(r.json.data.late, true);
  assert.equal(r.json.data.exempt, false);
  // The day itself is still on time.
  await clock('2026-05-31');
  const x = await file(owner, orgB.uscc, report({ year: 2025 }));
  assert.equal(x.status, 201, x.text);
  assert.equal(x.json.data.late, false);
});

test('the public sees that a report was filed and its conclusion; the owner and registrars see it all', async () => {
  const pub = await d.api('GET', `/api/v1/orgs/${orgA.uscc}/annual-reports`);
  assert.equal(pub.status, 200);
  assert.deepEqual(pub.json.data.map((x) => x.year), [2025, 2024]);
  for (const x of pub.json.data) {
    assert.equal(x.assets_fen, undefined);
    assert.equal(x.activities, undefined);
    assert.ok('conclusion' in x && 'late' in x && 'due_date' in x && 'filed_at' in x);
  }
  for (const who of [owner, registrar]) {
    const r = await d.api('GET', `/api/v1/orgs/${orgA.uscc}/annual-reports`, { token: who.token });
    assert.equal(r.json.data[1].assets_fen, 12345600);
  }
  const other = await d.api('GET', `/api/v1/orgs/${orgA.uscc}/annual-reports`, { token: stranger.token });
  assert.equal(other.json.data[0].assets_fen, undefined);
  const one = await d.api('GET', `/api/v1/orgs/${orgA.uscc}/annual-reports/2024`);
  assert.equal(one.status, 200);
  assert.equal(one.json.data.year, 2024);
  assert.equal(one.json.data.assets_fen, undefined);
  assert.equal((await d.api('GET', `/api/v1/orgs/${orgA.uscc}/annual-reports/2019`)).status, 404);
  assert.equal((await d.api('GET', `/api/v1/orgs/${orgA.uscc}/annual-reports/20x4`)).status, 404);
  const paged = await d.api('GET', `/api/v1/orgs/${orgA.uscc}/annual-reports?limit=1`);
  assert.deepEqual(paged.json.data.map((x) => x.year), [2025]);
  const next = await d.api('GET', `/api/v1/orgs/${orgA.uscc}/annual-reports?limit=1&cursor=${paged.json.next_cursor}`);
  assert.deepEqual(next.json.data.map((x) => x.year), [2024]);
  assert.equal(next.json.next_cursor, null);
  assert.equal((await d.api('GET', '/api/v1/orgs/53640000MJX1736997/annual-reports')).status, 404);
});

test('a registrar concludes a report once, against its version', async () => {
  let r = await conclude(registrar, orgA.uscc, 2024, { conclusion: 'pass', note: '材料齐全' }, '"7"');
  assert.equal(r.status, 412);
  assert.equal(r.json.code, 'version_mismatch');
  r = await conclude(owner, orgA.uscc, 2024, { conclusion: 'pass' }, '"1"');
  assert.equal(r.status, 403);
  r = await conclude(registrar, orgA.uscc, 2024, { conclusion: 'excellent' }, '"1"');
  assert.equal(r.status, 422);
  r = await conclude(registrar, orgA.uscc, 2024, { conclusion: 'pass', extra: 1 }, '"1"');
  assert.deepEqual([r.status, r.json.errors.map((e) => `${e.field}:${e.code}`)], [422, ['extra:unknown_field']]);
  r = await conclude(registrar, orgA.uscc, 2024, { conclusion: 'fail' }, '"1"');
  assert.equal(r.status, 422);
  assert.deepEqual(r.json.errors.map((e) => `${e.field}:${e.code}`), ['note:required']);
  r = await conclude(registrar, orgA.uscc, 2024, { conclusion: 'basic_pass', note: '财务报表需补充说明' }, '"1"');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.json.data.conclusion, 'basic_pass');
  assert.equal(r.json.data.conclusion_note, '财务报表需补充说明');
  assert.equal(r.json.data.version, 2);
  assert.ok(r.json.data.concluded_at);
  r = await conclude(registrar, orgA.uscc, 2024, { conclusion: 'pass' }, '"2"');
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'already_concluded');
  r = await conclude(registrar, orgA.uscc, 2024, { conclusion: 'pass' });
  assert.equal(r.status, 409);
  assert.equal((await conclude(registrar, orgA.uscc, 2019, { conclusion: 'pass' })).status, 404);
  const pub = await d.api('GET', `/api/v1/orgs/${orgA.uscc}/annual-reports/2024`);
  assert.equal(pub.json.data.conclusion, 'basic_pass');
  assert.equal(pub.json.data.conclusion_note, undefined);
  assert.equal(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'annual_report.conclude' AND object_id = '${orgA.uscc}'`).trim(), '1');
  // The chain stays intact.
  assert.equal(d.cli(['audit', 'verify']).code, 0);
});

test('a deregistered organization files no more reports', async () => {
  await clock('2027-03-01');
  await approvedDeregistration(d, owner, registrar, orgB.uscc);
  const r = await file(owner, orgB.uscc, report({ year: 2026 }));
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'org_deregistered');
});
