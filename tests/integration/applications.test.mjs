// Registration applications (SPEC §4, Appendix A): the state machine, submission checks, names,
// the statutory clocks (行政许可法 Art. 32), approval with USCC issuance, change and deregistration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';

// A valid 18-character resident ID (GB 11643) born on birth (YYYYMMDD).
function idNumber(birth = '19800101', seq = 123) {
  const s = `330424${birth}${String(seq % 1000).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * w[i];
  return s + '10X98765432'[sum % 11];
}

// Distinct field words for distinct names: 甲甲, 甲乙, …
const STEMS = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉';
let nameCounter = Math.floor(Math.random() * 50);
function tag() {
  const n = nameCounter++;
  return STEMS[Math.floor(n / STEMS.length) % STEMS.length] + STEMS[n % STEMS.length];
}

function socialGroup(over = {}) {
  return {
    kind: 'establish', legal_form: 'social_group', category: 'community_service',
    name: `海盐县${tag()}养老服务协会`, region_code: '330424', domicile: '海盐县武原街道新桥北路1号',
    business_scope: '养老服务交流、培训、咨询', activity_area: '海盐县', funds_fen: 3000000,
    legal_representative: { name: '张三', id_number: idNumber() },
    members: { individual: 60, unit: 0 },
    contact: { name: '李四', phone: '13812345678', email: 'lisi@example.cn' },
    ...over,
  };
}

function foundation(over = {}) {
  const directors = [];
  for (let i = 1; i <= 5; i++) directors.push({ name: `理事${i}`, id_number: idNumber('19750505', i) });
  return {
    kind: 'establish', legal_form: 'foundation', category: 'public_welfare',
    name: `海盐县${tag()}慈善基金会`, region_code: '330424', domicile: '海盐县武原街道海滨东路8号',
    business_scope: '资助扶贫济困', activity_area: '海盐县', funds_fen: 200000000,
    legal_representative: { name: '王五', id_number: idNumber('19700707', 9) },
    directors,
    contact: { name: '赵六', phone: '0573-86123456' },
    ...over,
  };
}

function institution(over = {}) {
  return {
    kind: 'establish', legal_form: 'social_service_institution', category: 'science_technology',
    name: `海盐县${tag()}科技服务中心`, region_code: '330424', domicile: '海盐县秦山街道1号',
    business_scope: '科技咨询', activity_area: '海盐县', funds_fen: 100000,
    legal_representative: { name: '钱七', id_number: idNumber('19900909', 7) },
    contact: { name: '孙八', phone: '13912345678' },
    ...over,
  };
}

const REQUIRED_KINDS = ['application_letter', 'charter', 'domicile_proof', 'fund_verification', 'legal_rep_id'];

// Content with the right first bytes, then bytes that are not text (NUL, invalid UTF-8).
const pdf = (n = 200) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from([0, 0xff, 0xfe, 0x80, 0xc3]),
  crypto.randomBytes(n)]);
const png = (n = 200) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  crypto.randomBytes(n)]);
const jpeg = (n = 200) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(n)]);
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

// GB 32100-2015 and GB 11714, written independently of server/uscc.c.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const W18 = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const W9 = [3, 7, 9, 10, 5, 8, 4, 2];
function orgCodeCheck(body8) {
  let s = 0;
  for (let i = 0; i < 8; i++) {
    const ch = body8[i];
    const v = ch >= '0' && ch <= '9' ? Number(ch) : ch.charCodeAt(0) - 55;
    s += v * W9[i];
  }
  const c = 11 - (s % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}
function usccCheckChar(first17) {
  let t = 0;
  for (let i = 0; i < 17; i++) t += ALPHABET.indexOf(first17[i]) * W18[i];
  const k = 31 - (t % 31);
  return ALPHABET[k === 31 ? 0 : k];
}
function usccValid(code) {
  if (typeof code !== 'string' || code.length !== 18) return false;
  for (const ch of code) if (!ALPHABET.includes(ch)) return false;
  return orgCodeCheck(code.slice(8, 16)) === code[16] && usccCheckChar(code.slice(0, 17)) === code[17];
}

// An account of a role whose token can be renewed after the test clock moves past its expiry.
async function actor(d, role) {
  const username = `${role}_${crypto.randomBytes(4).toString('hex')}`;
  const id = await d.addUser({ username, role, department: role === 'purchaser' ? '海盐县民政局' : undefined });
  const a = { username, id, token: await d.login(username) };
  a.refresh = async () => { a.token = await d.login(username); return a; };
  return a;
}

// Beijing calendar date (YYYY-MM-DD) of an instant, and a date n days after another.
function localDate(iso) {
  return new Date(Date.parse(iso) + 8 * 3600e3).toISOString().slice(0, 10);
}
function addDays(date, n) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400e3).toISOString().slice(0, 10);
}

// --- the daemon, the clock and the people ---------------------------------------------------

// Monday 2 March 2026, 10:00 in Beijing: submission day D of every clock test.
const D = '2026-03-02';
const atDay = (n, hour = 10) => new Date(Date.parse(`${D}T00:00:00+08:00`) + n * 86400e3 + hour * 3600e3).toISOString();

let d, admin, registrar, registrar2;
const actors = [];

async function person(role) {
  const a = await actor(d, role);
  actors.push(a);
  return a;
}

// Moves the test clock; tokens issued before may have expired, so everyone signs in again.
async function clock(iso) {
  await admin.refresh();
  await d.setClock(iso, admin.token);
  await admin.refresh();
  for (const a of actors) await a.refresh();
}

before(async () => {
  // The tests that count what a sweep changed run it themselves: the scheduler's own run (every
  // sweep_seconds) must not get there first (scheduler.test.mjs shows that it does fire by itself).
  d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600' } });
  admin = await actor(d, 'admin');
  await d.setClock(atDay(0), admin.token);
  registrar = await person('registrar');
  registrar2 = await person('registrar');
});
after(async () => { await d.stop(); });

// --- API helpers ----------------------------------------------------------------------------

const create = (a, body, headers) => d.api('POST', '/api/v1/applications', { token: a.token, body, headers });
const get = (a, id) => d.api('GET', `/api/v1/applications/${id}`, { token: a.token });
const patch = (a, id, body, headers) => d.api('PATCH', `/api/v1/applications/${id}`, { token: a.token, body, headers });
const act = (a, id, action, body, headers) =>
  d.api('POST', `/api/v1/applications/${id}/${action}`, { token: a.token, body, headers });
const list = (a, query = '') => d.api('GET', `/api/v1/applications${query}`, { token: a.token });

function upload(a, id, kind, buf = pdf(), type = 'application/pdf', name = `${kind}.pdf`) {
  return d.api('POST', `/api/v1/applications/${id}/documents?kind=${kind}&name=${encodeURIComponent(name)}`,
    { token: a.token, raw: buf, headers: { 'Content-Type': type } });
}

async function draft(a, body = socialGroup(), kinds = REQUIRED_KINDS) {
  const r = await create(a, body);
  assert.equal(r.status, 201, r.text);
  const id = r.json.data.id;
  for (const k of kinds) assert.equal((await upload(a, id, k)).status, 201);
  return id;
}

async function submitted(a, body) {
  const id = await draft(a, body);
  const r = await act(a, id, 'submit');
  assert.equal(r.status, 200, r.text);
  return id;
}

async function accepted(a, body) {
  const id = await submitted(a, body);
  const r = await act(registrar, id, 'accept');
  assert.equal(r.status, 200, r.text);
  return id;
}

async function approved(a, body) {
  const id = await accepted(a, body);
  const r = await act(registrar, id, 'approve');
  assert.equal(r.status, 200, r.text);
  return { id, uscc: r.json.data.org_uscc, app: r.json.data };
}

const fields = (r) => (r.json.errors || []).map((e) => `${e.field}:${e.code}`);
const one = (q) => d.sql(q).trim();

// The public history of an organization (GET /api/v1/orgs/{uscc}/history).
async function history(uscc) {
  const r = await d.api('GET', `/api/v1/orgs/${uscc}/history`);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

// --- the happy path ---------------------------------------------------------------------------

test('establish: draft → submit → accept → approve issues a valid USCC, the organization, history and certificate', async () => {
  const a = await person('applicant');
  const body = socialGroup();
  const c = await create(a, body);
  assert.equal(c.status, 201, c.text);
  assert.equal(c.headers.get('etag'), '"1"');
  const app = c.json.data;
  assert.equal(app.status, 'draft');
  assert.equal(app.kind, 'establish');
  assert.equal(app.version, 1);
  assert.equal(app.applicant_id, a.id);
  assert.equal(app.name, body.name);
  assert.equal(app.legal_representative.id_number, body.legal_representative.id_number);
  assert.deepEqual(app.documents, []);
  assert.equal(app.submitted_at, null);
  assert.equal(app.decision_due, null);
  assert.equal(app.overdue, false);
  assert.deepEqual(app.allowed_actions, ['edit', 'submit', 'withdraw', 'delete']);

  for (const k of REQUIRED_KINDS) assert.equal((await upload(a, app.id, k)).status, 201);
  const s = await act(a, app.id, 'submit');
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.data.status, 'submitted');
  assert.ok(s.json.data.submitted_at);
  assert.equal(s.json.data.first_submitted_at, s.json.data.submitted_at);
  assert.equal(s.json.data.supplement_window_ends, addDays(D, 7), 'five working days: Monday to Monday');
  assert.equal(s.json.data.documents.length, 5);
  assert.equal(s.headers.get('etag'), `"${s.json.data.version}"`);

  // Registrars see everything filed, ID numbers included (never public).
  const seen = await get(registrar, app.id);
  assert.equal(seen.status, 200);
  assert.equal(seen.json.data.legal_representative.id_number, body.legal_representative.id_number);
  assert.deepEqual(seen.json.data.allowed_actions, ['request-supplement', 'accept']);

  const acc = await act(registrar, app.id, 'accept');
  assert.equal(acc.status, 200, acc.text);
  assert.equal(acc.json.data.status, 'accepted');
  assert.equal(acc.json.data.deemed_accepted, false);
  assert.equal(acc.json.data.decision_due, addDays(D, 60));
  assert.equal(acc.json.data.overdue, false);
  assert.ok(acc.json.data.accepted_at);

  const ap = await act(registrar, app.id, 'approve');
  assert.equal(ap.status, 200, ap.text);
  const uscc = ap.json.data.org_uscc;
  assert.equal(ap.json.data.status, 'approved');
  assert.ok(ap.json.data.decided_at);
  assert.ok(usccValid(uscc), uscc);
  assert.equal(uscc.slice(0, 8), '51330424');  // civil affairs, social group, 海盐县
  assert.equal(uscc.slice(8, 10), 'MJ');
  assert.deepEqual(ap.json.data.allowed_actions, []);

  // The organization, in one transaction with everything that belongs to it.
  assert.equal(one(`SELECT CONCAT_WS('|', name, legal_form, status, owner_user_id, source, registered_at, legal_rep_name)
    FROM orgs WHERE uscc = '${uscc}'`), `${body.name}|social_group|registered|${a.id}|application|${D}|张三`);
  assert.equal(one(`SELECT CONCAT_WS('|', uscc, application_id) FROM name_claims WHERE name = '${body.name}'`), `${uscc}|${app.id}`);
  assert.equal(one(`SELECT COUNT(*) FROM org_names WHERE uscc = '${uscc}' AND to_date IS NULL AND name = '${body.name}'`), '1');
  assert.equal(one(`SELECT CONCAT_WS('|', type, effective_date, application_id) FROM org_events WHERE uscc = '${uscc}'`),
    `establish|${D}|${app.id}`);
  assert.equal(one(`SELECT COUNT(*) FROM certificates WHERE uscc = '${uscc}' AND superseded_at IS NULL`), '1');
  assert.ok(Number(one(`SELECT COUNT(*) FROM org_name_grams WHERE uscc = '${uscc}'`)) >= 5);
  assert.equal(one(`SELECT uscc FROM uscc_issued WHERE uscc = '${uscc}'`), uscc);
  const profile = await d.api('GET', `/api/v1/orgs/${uscc}`);
  assert.equal(profile.status, 200, profile.text);
  assert.equal(profile.json.data.name, body.name);
  assert.equal(profile.json.data.status, 'registered');
  assert.ok(!profile.text.includes(body.legal_representative.id_number));
  const cert = await d.api('GET', `/api/v1/orgs/${uscc}/certificate`);
  assert.equal(cert.status, 200, cert.text);
  assert.equal(cert.json.data.certificate.uscc, uscc);
  const check = await d.api('GET', `/api/v1/uscc/${uscc}`);
  assert.equal(check.json.data.valid, true);

  // Every step audited, the chain intact.
  const actions = d.sql(`SELECT action FROM audit_log WHERE object_type = 'application' AND object_id = '${app.id}' ORDER BY seq`)
    .trim().split('\n');
  assert.deepEqual(actions.filter((x) => !x.startsWith('application.document')),
    ['application.create', 'application.submit', 'application.accept', 'application.approve']);
  assert.equal(actions.filter((x) => x === 'application.document_add').length, 5);
  assert.equal(one(`SELECT COUNT(*) FROM audit_log WHERE action = 'org.establish' AND object_id = '${uscc}'`), '1');
  const v = await d.api('GET', '/api/v1/audit/verify', { token: admin.token });
  assert.equal(v.status, 200);
  assert.equal(v.json.data.valid, true);

  // The applicant reads the outcome.
  const mine = await get(a, app.id);
  assert.equal(mine.json.data.status, 'approved');
  assert.equal(mine.json.data.org_uscc, uscc);
});

test('USCCs are valid and unique across approvals of every legal form, even approved at once', async () => {
  const a = await person('applicant');
  const bodies = [socialGroup(), socialGroup(), foundation(), institution(), socialGroup()];
  const ids = [];
  for (const b of bodies) ids.push(await accepted(a, b));
  const rs = await Promise.all(ids.map((id, i) => act(i % 2 ? registrar : registrar2, id, 'approve')));
  const codes = rs.map((r) => { assert.equal(r.status, 200, r.text); return r.json.data.org_uscc; });
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.ok(usccValid(code), code);
  assert.deepEqual(codes.map((c) => c[1]), ['1', '1', '3', '2', '1']);
  for (const code of codes) {
    assert.equal(code.slice(2, 8), '330424');
    assert.equal(one(`SELECT COUNT(*) FROM orgs WHERE uscc = '${code}'`), '1');
  }
  assert.equal(one("SELECT COUNT(*) FROM uscc_issued WHERE uscc LIKE '~%'"), '0');
  assert.equal(one('SELECT COUNT(*) FROM uscc_issued'), one('SELECT COUNT(DISTINCT uscc) FROM uscc_issued'));
});

// --- submission checks ------------------------------------------------------------------------

test('submission lists every missing document, threshold and name problem at once (422), and nothing moves', async () => {
  const a = await person('applicant');
  const id = await draft(a, socialGroup({ members: { individual: 49, unit: 0 } }), ['application_letter', 'charter']);
  const r = await act(a, id, 'submit');
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.code, 'validation_failed');
  const f = fields(r);
  for (const k of ['domicile_proof', 'fund_verification', 'legal_rep_id']) assert.ok(f.includes(`documents.${k}:required`), f.join());
  assert.ok(!f.some((x) => x.startsWith('documents.charter')));
  assert.ok(f.includes('members.individual:too_few_members'), f.join());
  const still = await get(a, id);
  assert.equal(still.json.data.status, 'draft');
  assert.equal(still.json.data.submitted_at, null);

  // Name rules, one edit at a time.
  const cases = [
    ['杭州市养老服务协会', 'name_region_prefix'],
    ['海盐县养老服务中心', 'name_form_word'],
    ['海盐县中国养老协会', 'name_banned_word'],
    ['海盐县第一养老协会', 'name_banned_word'],
  ];
  for (const [name, code] of cases) {
    assert.equal((await patch(a, id, { name })).status, 200);
    const s = await act(a, id, 'submit');
    assert.equal(s.status, 422);
    assert.ok(fields(s).includes(`name:${code}`), `${name}: ${fields(s).join()}`);
  }
});

test('thresholds: foundations need 5–25 directors and the original fund; ID birth dates must be past', async () => {
  const a = await person('applicant');
  const f = foundation({ funds_fen: 199999999 });
  f.directors = f.directors.slice(0, 4);
  const id = await draft(a, f);
  const r = await act(a, id, 'submit');
  assert.equal(r.status, 422);
  assert.ok(fields(r).includes('directors:too_few_directors'), fields(r).join());
  assert.ok(fields(r).includes('funds_fen:funds_below_minimum'), fields(r).join());

  const g = await draft(a, socialGroup({ legal_representative: { name: '未来', id_number: idNumber('20991231') } }));
  const s = await act(a, g, 'submit');
  assert.equal(s.status, 422);
  assert.deepEqual(fields(s), ['legal_representative.id_number:birth_date_in_future']);

  // 民法典 Art. 17: the legal representative and the directors are adults — 18 on the day of submission.
  await clock(atDay(0));  // 2026-03-02
  const minor = await draft(a, socialGroup({ legal_representative: { name: '少年', id_number: idNumber('20080303') } }));
  assert.deepEqual(fields(await act(a, minor, 'submit')).filter((f) => f.includes('id_number')),
    ['legal_representative.id_number:not_adult']);
  const f2 = foundation();
  f2.directors[2] = { name: '少年', id_number: idNumber('20100101', 77) };
  const young = await draft(a, f2);
  assert.deepEqual(fields(await act(a, young, 'submit')).filter((f) => f.includes('id_number')),
    ['directors[2].id_number:not_adult']);
  const eighteen = await draft(a, socialGroup({ legal_representative: { name: '成年', id_number: idNumber('20080302') } }));
  assert.deepEqual(fields(await act(a, eighteen, 'submit')).filter((f) => f.includes('id_number')), []);
  // Born on 29 February 2008: of age on 1 March 2026, a common year.
  const leap = await draft(a, socialGroup({ legal_representative: { name: '闰日', id_number: idNumber('20080229') } }));
  await clock(atDay(-2));  // 2026-02-28
  assert.deepEqual(fields(await act(a, leap, 'submit')).filter((f) => f.includes('id_number')),
    ['legal_representative.id_number:not_adult']);
  await clock(atDay(-1));  // 2026-03-01
  assert.deepEqual(fields(await act(a, leap, 'submit')).filter((f) => f.includes('id_number')), []);
  await clock(atDay(0));
});

test('a draft is checked for shape: unknown fields, bad codes and wrong types are 422 on create', async () => {
  const a = await person('applicant');
  let r = await create(a, { ...socialGroup(), status: 'approved' });
  assert.equal(r.status, 422);
  assert.ok(fields(r).includes('status:unknown_field'));
  r = await create(a, socialGroup({ region_code: 'abc', funds_fen: 'lots' }));
  assert.equal(r.status, 422);
  assert.ok(fields(r).includes('region_code:invalid_format'), fields(r).join());
  assert.ok(fields(r).includes('funds_fen:type'), fields(r).join());
  r = await create(a, { kind: 'merge' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['kind:invalid_choice']);
  // Inside the nested objects too.
  const nested = socialGroup();
  nested.members.foo = 1;
  nested.legal_representative.x = 1;
  nested.contact.wechat = 'abc';
  r = await create(a, nested);
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r).sort(), ['contact.wechat:unknown_field', 'legal_representative.x:unknown_field',
    'members.foo:unknown_field']);
  r = await create(a, { kind: 'change', org_uscc: 'not-a-code' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['org_uscc:invalid_uscc']);
  // A partial draft is fine: submission is where completeness is required.
  r = await create(a, { kind: 'establish', name: '海盐县养老' });
  assert.equal(r.status, 201, r.text);
  assert.equal((await d.api('POST', '/api/v1/applications', { token: a.token, body: '[1]' })).status, 400);
  assert.equal((await d.api('POST', '/api/v1/applications', { token: a.token, body: '{"kind":' })).status, 400);
});

test('names are unique among pending applications and registered organizations (name_claims)', async () => {
  const a = await person('applicant');
  const b = await person('applicant');
  const name = socialGroup().name;
  const first = await submitted(a, socialGroup({ name }));
  const second = await draft(b, socialGroup({ name }));
  let r = await act(b, second, 'submit');
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['name:name_taken']);
  // Withdrawing releases the claim.
  assert.equal((await act(a, first, 'withdraw')).status, 200);
  r = await act(b, second, 'submit');
  assert.equal(r.status, 200, r.text);
  assert.equal((await act(registrar, second, 'accept')).status, 200);
  const ap = await act(registrar, second, 'approve');
  assert.equal(ap.status, 200);
  // Registered now: still taken.
  const third = await draft(a, socialGroup({ name }));
  r = await act(a, third, 'submit');
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['name:name_taken']);
});

test('two applicants submitting one name at once: exactly one holds it', async () => {
  const a = await person('applicant');
  const b = await person('applicant');
  const name = socialGroup().name;
  const ia = await draft(a, socialGroup({ name }));
  const ib = await draft(b, socialGroup({ name }));
  const rs = await Promise.all([act(a, ia, 'submit'), act(b, ib, 'submit')]);
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 422]);
  assert.equal(one(`SELECT COUNT(*) FROM name_claims WHERE name = '${name}'`), '1');
});

// --- who may do what --------------------------------------------------------------------------

test('roles: applicants file, registrars decide; anything else is 403', async () => {
  const a = await person('applicant');
  const purchaser = await person('purchaser');
  const id = await submitted(a, socialGroup());
  assert.equal((await create(registrar, socialGroup())).status, 403);
  for (const action of ['accept', 'approve', 'request-supplement']) {
    const r = await act(a, id, action, action === 'request-supplement' ? { items: [{ field: 'x', message: 'y' }] } : undefined);
    assert.equal(r.status, 403, action);
    assert.equal(r.json.code, 'forbidden_role');
  }
  assert.equal((await act(a, id, 'reject', { reason: 'no' })).status, 403);
  for (const action of ['submit', 'withdraw']) assert.equal((await act(registrar, id, action)).status, 403, action);
  assert.equal((await patch(registrar, id, { domicile: 'x' })).status, 403);
  assert.equal((await list(purchaser)).status, 403);
  assert.equal((await get(admin, id)).status, 403);
  assert.equal((await d.api('GET', `/api/v1/applications/${id}`)).status, 401);
});

test("another applicant's application is not found (404), never forbidden; drafts are not the registrars'", async () => {
  const a = await person('applicant');
  const other = await person('applicant');
  const id = await draft(a, socialGroup());
  const docs = (await get(a, id)).json.data.documents;
  const checks = [
    await get(other, id),
    await patch(other, id, { domicile: '别处' }),
    await act(other, id, 'submit'),
    await act(other, id, 'withdraw'),
    await d.api('GET', `/api/v1/applications/${id}/documents`, { token: other.token }),
    await d.api('GET', `/api/v1/applications/${id}/documents/${docs[0].id}`, { token: other.token }),
    await d.api('DELETE', `/api/v1/applications/${id}/documents/${docs[0].id}`, { token: other.token }),
    await upload(other, id, 'charter'),
    await get(registrar, id),
    await act(registrar, id, 'accept'),
  ];
  for (const r of checks) {
    assert.equal(r.status, 404, r.text);
    assert.equal(r.json.code, 'not_found');
  }
  // A missing id looks exactly the same.
  const missing = await get(other, 987654321);
  assert.equal(missing.status, 404);
  assert.deepEqual(Object.keys(missing.json).sort(), Object.keys(checks[0].json).sort());
  assert.equal(missing.json.detail, checks[0].json.detail);
  for (const bad of ['abc', '0', '-1', '99999999999999999999', '1e3']) assert.equal((await get(a, bad)).status, 404);
  // Nothing changed.
  assert.equal((await get(a, id)).json.data.version, 1 + REQUIRED_KINDS.length);
});

// --- the state machine ------------------------------------------------------------------------

test('invalid transitions are 409 invalid_transition naming the status and the allowed actions', async () => {
  const a = await person('applicant');
  const id = await submitted(a, socialGroup());
  let r = await act(registrar, id, 'approve');
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'invalid_transition');
  assert.equal(r.json.current_status, 'submitted');
  assert.deepEqual(r.json.allowed_actions, ['request-supplement', 'accept']);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  r = await act(a, id, 'submit');
  assert.equal(r.status, 409);
  assert.deepEqual(r.json.allowed_actions, ['withdraw']);
  r = await patch(a, id, { domicile: '改了' });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'not_editable');
  assert.equal((await act(registrar, id, 'reject', { reason: '不符合' })).status, 409);
  assert.equal((await act(registrar, id, 'accept')).status, 200);
  r = await act(a, id, 'withdraw');
  assert.equal(r.status, 409);
  assert.equal(r.json.current_status, 'accepted');
  assert.deepEqual(r.json.allowed_actions, []);
  assert.equal((await act(registrar, id, 'accept')).status, 409);
  assert.equal((await act(registrar, id, 'approve')).status, 200);
  for (const action of ['approve', 'accept']) {
    r = await act(registrar, id, action);
    assert.equal(r.status, 409);
    assert.equal(r.json.current_status, 'approved');
  }
  r = await act(registrar, id, 'reject', { reason: '晚了' });
  assert.equal(r.status, 409);
});

test('If-Match: a stale version is 412 and changes nothing; ETag follows every change', async () => {
  const a = await person('applicant');
  const c = await create(a, socialGroup());
  const id = c.json.data.id;
  let r = await patch(a, id, { domicile: '海盐县甲地' }, { 'If-Match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  r = await patch(a, id, { domicile: '海盐县乙地' }, { 'If-Match': '"1"' });
  assert.equal(r.status, 412);
  assert.equal(r.json.code, 'version_mismatch');
  assert.equal((await get(a, id)).json.data.domicile, '海盐县甲地');
  for (const k of REQUIRED_KINDS) await upload(a, id, k);
  const v = (await get(a, id)).json.data.version;
  assert.equal((await act(a, id, 'submit', undefined, { 'If-Match': `"${v - 1}"` })).status, 412);
  r = await act(a, id, 'submit', undefined, { 'If-Match': `"${v}"` });
  assert.equal(r.status, 200);
  assert.equal((await act(registrar, id, 'accept', undefined, { 'If-Match': `"${v}"` })).status, 412);
  assert.equal((await get(a, id)).json.data.status, 'submitted');
});

test('two registrars approving at once: exactly one wins, the other gets 409 (or 412 with If-Match)', async () => {
  const a = await person('applicant');
  const id = await accepted(a, socialGroup());
  let rs = await Promise.all([act(registrar, id, 'approve'), act(registrar2, id, 'approve')]);
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409]);
  assert.equal(one(`SELECT COUNT(*) FROM orgs WHERE owner_user_id = ${a.id}`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM audit_log WHERE action = 'application.approve' AND object_id = '${id}'`), '1');

  const id2 = await accepted(a, socialGroup());
  const v = (await get(registrar, id2)).json.data.version;
  const h = { 'If-Match': `"${v}"` };
  rs = await Promise.all([act(registrar, id2, 'approve', undefined, h), act(registrar2, id2, 'reject', { reason: '同时' }, h)]);
  const st = rs.map((r) => r.status).sort();
  assert.equal(st[0], 200);
  assert.ok(st[1] === 409 || st[1] === 412, String(st));
  const final = (await get(a, id2)).json.data.status;
  assert.ok(final === 'approved' || final === 'rejected');
  assert.equal(one(`SELECT COUNT(*) FROM orgs WHERE owner_user_id = ${a.id}`), final === 'approved' ? '2' : '1');
});

test('reject needs a written reason, shown to the applicant; the name is released', async () => {
  const a = await person('applicant');
  const b = await person('applicant');
  const body = socialGroup();
  const id = await accepted(a, body);
  let r = await act(registrar, id, 'reject');
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['reason:required']);
  r = await act(registrar, id, 'reject', { reason: '   ' });
  assert.equal(r.status, 422);
  r = await act(registrar, id, 'reject', { reason: 42 });
  assert.equal(r.status, 422);
  r = await act(registrar, id, 'reject', { reason: '章程草案与业务范围不符' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'rejected');
  const mine = await get(a, id);
  assert.equal(mine.json.data.reject_reason, '章程草案与业务范围不符');
  assert.ok(mine.json.data.decided_at);
  assert.equal(one(`SELECT COUNT(*) FROM name_claims WHERE name = '${body.name}'`), '0');
  await submitted(b, socialGroup({ name: body.name }));
});

test('withdraw: from draft or submitted, by the applicant; final afterwards', async () => {
  const a = await person('applicant');
  const c = await create(a, socialGroup());
  let r = await act(a, c.json.data.id, 'withdraw');
  assert.equal(r.status, 200);
  assert.equal(r.json.data.status, 'withdrawn');
  const body = socialGroup();
  const id = await submitted(a, body);
  r = await act(a, id, 'withdraw');
  assert.equal(r.status, 200);
  assert.equal(one(`SELECT COUNT(*) FROM name_claims WHERE name = '${body.name}'`), '0');
  r = await act(a, id, 'withdraw');
  assert.equal(r.status, 409);
  assert.equal(r.json.current_status, 'withdrawn');
  // A withdrawn draft was never filed: registrars do not see it; a withdrawn submission they do.
  assert.equal((await get(registrar, c.json.data.id)).status, 404);
  assert.equal((await get(registrar, id)).json.data.status, 'withdrawn');
});

test('删除草稿: the applicant deletes a draft (DELETE); only a draft, only its own; gone from lists and reads, documents removed, audited', async () => {
  const a = await person('applicant');
  const other = await person('applicant');
  const del = (who, id, headers) => d.api('DELETE', `/api/v1/applications/${id}`, { token: who.token, headers });
  const id = await draft(a);
  assert.equal(one(`SELECT COUNT(*) FROM application_documents WHERE application_id = ${id}`), '5');
  // Someone else's draft does not exist for them; registrars may not delete at all.
  assert.equal((await del(other, id)).status, 404);
  assert.equal((await del(registrar, id)).status, 403);
  // If-Match is honoured.
  assert.equal((await del(a, id, { 'If-Match': '"999"' })).status, 412);
  const version = (await get(a, id)).json.data.version;
  let r = await del(a, id, { 'If-Match': `"${version}"` });
  assert.equal(r.status, 204, r.text);
  assert.equal((await get(a, id)).status, 404);
  assert.ok(!(await list(a)).json.data.some((x) => x.id === id), 'not listed');
  assert.equal((await list(a, '?status=deleted')).status, 400);
  assert.equal(one(`SELECT COUNT(*) FROM application_documents WHERE application_id = ${id}`), '0');
  assert.equal(one(`SELECT status FROM applications WHERE id = ${id}`), 'deleted');
  const summary = JSON.parse(one(`SELECT summary FROM audit_log WHERE action = 'application.delete' AND object_id = '${id}'`));
  assert.equal(summary.documents_deleted, 5);
  // Gone for good: another delete, an edit or a submit finds nothing.
  assert.equal((await del(a, id)).status, 404);
  assert.equal((await act(a, id, 'submit')).status, 404);
  assert.equal((await patch(a, id, { activity_area: 'x' })).status, 404);
  // A submitted application is withdrawn, not deleted: 409 with the status it is in.
  const sub = await submitted(a, socialGroup());
  r = await del(a, sub);
  assert.equal(r.status, 409);
  assert.equal(r.json.current_status, 'submitted');
  assert.ok(r.json.allowed_actions.includes('withdraw'));
  assert.ok(!(await get(a, sub)).json.data.allowed_actions.includes('delete'));
});

test('PATCH merges fields (RFC 7386) and re-validates; kind and org cannot change', async () => {
  const a = await person('applicant');
  const body0 = socialGroup();
  const c = await create(a, body0);
  const id = c.json.data.id;
  let r = await patch(a, id, { contact: { phone: '13900000000' }, members: null, activity_area: '海盐县全域' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data.contact, { name: '李四', phone: '13900000000', email: 'lisi@example.cn' });
  assert.equal(r.json.data.members, undefined);
  assert.equal(r.json.data.activity_area, '海盐县全域');
  assert.equal(r.json.data.version, 2);
  r = await patch(a, id, { contact: { phone: '123' } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['contact.phone:invalid_phone']);
  r = await patch(a, id, { kind: 'deregister' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['kind:not_editable']);
  r = await patch(a, id, { grade: '5A' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['grade:unknown_field']);
  const now = await get(a, id);
  assert.equal(now.json.data.version, 2);
  assert.equal(now.json.data.contact.phone, '13900000000');

  // The audit entry of an edit names what changed, not every field sent: a form sends the whole
  // application each time.
  const sent = { ...body0, contact: { ...body0.contact, phone: '13900000000' }, activity_area: '海盐县全域',
    domicile: '海盐县武原街道新桥北路2号', members: null };
  delete sent.kind;
  r = await patch(a, id, sent);
  assert.equal(r.status, 200, r.text);
  const edits = await d.api('GET', `/api/v1/audit?object_type=application&object_id=${id}&limit=50`, { token: admin.token });
  assert.equal(edits.status, 200, edits.text);
  const changed = edits.json.data.filter((e) => Array.isArray(e.summary.fields)).map((e) => [...e.summary.fields].sort());
  assert.deepEqual(changed.slice(-2).sort((x, y) => x.length - y.length),
    [['domicile'], ['activity_area', 'contact.phone', 'members']], JSON.stringify(changed));
});

test('lists: applicants see their own; registrars what was filed, filtered by status and kind', async () => {
  const a = await person('applicant');
  const b = await person('applicant');
  const mineDraft = (await create(a, socialGroup())).json.data.id;
  const mineFiled = await submitted(a, socialGroup());
  const theirs = await submitted(b, socialGroup());
  let r = await list(a);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.data.map((x) => x.id).sort((x, y) => x - y), [mineDraft, mineFiled]);
  r = await list(a, '?status=draft');
  assert.deepEqual(r.json.data.map((x) => x.id), [mineDraft]);
  r = await list(registrar, '?status=submitted,draft&limit=200');
  const ids = r.json.data.map((x) => x.id);
  assert.ok(ids.includes(mineFiled) && ids.includes(theirs));
  assert.ok(!ids.includes(mineDraft));
  assert.ok(r.json.data.every((x) => x.status === 'submitted'));
  assert.ok(r.json.data.every((x) => typeof x.overdue === 'boolean'));
  r = await list(registrar, '?kind=deregister&status=submitted');
  assert.ok(r.json.data.every((x) => x.kind === 'deregister'));
  for (const q of ['?status=approvedd', '?status=,', '?kind=merge', '?limit=0', '?cursor=%%%', '?cursor=bm9waXBl']) {
    r = await list(registrar, q);
    assert.equal(r.status, 400, q);
  }
});

test('Idempotency-Key on create: a retry returns the first answer and creates nothing', async () => {
  const a = await person('applicant');
  const body = socialGroup();
  const r1 = await create(a, body, { 'Idempotency-Key': 'app-create-1' });
  const r2 = await create(a, body, { 'Idempotency-Key': 'app-create-1' });
  assert.equal(r1.status, 201);
  assert.equal(r2.status, 201);
  assert.equal(r2.json.data.id, r1.json.data.id);
  assert.equal(r2.headers.get('idempotent-replayed'), 'true');
  assert.equal(one(`SELECT COUNT(*) FROM applications WHERE applicant_id = ${a.id}`), '1');
  const r3 = await create(a, socialGroup(), { 'Idempotency-Key': 'app-create-1' });
  assert.equal(r3.status, 422);
  assert.equal(r3.json.code, 'idempotency_key_reused');
  // Another user's same key is theirs alone.
  const b = await person('applicant');
  const r4 = await create(b, body, { 'Idempotency-Key': 'app-create-1' });
  assert.equal(r4.status, 201);
  assert.notEqual(r4.json.data.id, r1.json.data.id);
});

// --- change and deregistration -----------------------------------------------------------------

test('a change of funds is held to the organization\'s own minimum (a public-fundraising foundation)', async () => {
  const a = await person('applicant');
  const { uscc } = await approved(a, foundation({ fundraising: 'local_public', funds_fen: 400000000 }));
  assert.equal(one(`SELECT CONCAT_WS('|', scope, fundraising) FROM orgs WHERE uscc = '${uscc}'`), 'local|local_public');
  let r = await create(a, { kind: 'change', org_uscc: uscc, changes: { funds_fen: 250000000 } });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['changes.funds_fen:funds_below_minimum']);
  r = await create(a, { kind: 'change', org_uscc: uscc, changes: { funds_fen: 450000000 } });
  assert.equal(r.status, 201, r.text);
});

test('an applicant\'s organizations, what a change changes, and one pending change at a time', async () => {
  const a = await person('applicant');
  const other = await person('applicant');
  const body = socialGroup();
  const { uscc, id: establishId } = await approved(a, body);
  await approved(other, socialGroup());
  // The profile shows what the paper certificate prints: activity area and funds.
  const profile = (await d.api('GET', `/api/v1/orgs/${uscc}`)).json.data;
  assert.deepEqual([profile.activity_area, profile.funds_fen], [body.activity_area, body.funds_fen]);
  const cert = (await d.api('GET', `/api/v1/orgs/${uscc}/certificate`)).json.data.certificate;
  assert.deepEqual([cert.activity_area, cert.funds_fen], [body.activity_area, body.funds_fen]);
  let r = await d.api('GET', '/api/v1/me/orgs', { token: a.token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data.map((o) => o.uscc), [uscc]);
  assert.equal(r.json.data[0].name, body.name);
  assert.ok(!r.text.includes('id_number'));
  assert.equal((await d.api('GET', '/api/v1/me/orgs')).status, 401);
  assert.equal((await d.api('GET', '/api/v1/me/orgs', { token: registrar.token })).status, 403);

  const c = await create(a, { kind: 'change', org_uscc: uscc, changes: { domicile: '海盐县武原街道新址9号' } });
  assert.equal(c.status, 201, c.text);
  r = await get(a, c.json.data.id);
  assert.equal(r.json.data.region_name, '海盐县');
  assert.deepEqual(r.json.data.change_diff, [{ field: 'domicile', old: body.domicile, new: '海盐县武原街道新址9号' }]);
  assert.equal((await act(a, c.json.data.id, 'submit')).status, 200);
  // While it is being decided, another change cannot even be drafted.
  r = await create(a, { kind: 'deregister', org_uscc: uscc, reason: '会员大会决议解散' });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'application_pending');
  // The organization's applications, for its page.
  r = await d.api('GET', `/api/v1/applications?org_uscc=${uscc.toLowerCase()}`, { token: a.token });
  assert.deepEqual(r.json.data.map((x) => x.id).sort((x, y) => x - y), [establishId, c.json.data.id]);
  assert.equal((await d.api('GET', '/api/v1/applications?org_uscc=nope', { token: a.token })).status, 400);
  assert.equal((await act(registrar, c.json.data.id, 'accept')).status, 200);
  assert.equal((await act(registrar, c.json.data.id, 'approve')).status, 200);
  // Once approved, the difference is the one recorded, not the (now empty) one against the register.
  r = await get(registrar, c.json.data.id);
  assert.deepEqual(r.json.data.change_diff, [{ field: 'domicile', old: body.domicile, new: '海盐县武原街道新址9号' }]);
});

test('change: approval versions the organization; history shows old and new values; the old name is free', async () => {
  const a = await person('applicant');
  const stranger = await person('applicant');
  const body = socialGroup();
  const { uscc } = await approved(a, body);
  const newName = socialGroup().name;
  const rep = { name: '李雷', id_number: idNumber('19850505', 55) };

  // Refusals first.
  let r = await create(stranger, { kind: 'change', org_uscc: uscc, changes: { domicile: '别处' } });
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'not_org_owner');
  r = await create(a, { kind: 'change', org_uscc: '53640000MJX1736997', changes: { domicile: '别处' } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['org_uscc:unknown_org']);
  r = await create(a, { kind: 'change', org_uscc: uscc, changes: { legal_form: 'foundation' } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['changes.legal_form:not_changeable']);
  r = await create(a, { kind: 'change', org_uscc: uscc, changes: { name: '杭州市养老协会' } });
  assert.equal(r.status, 422);
  assert.ok(fields(r).includes('changes.name:name_region_prefix'), fields(r).join());
  const same = await create(a, { kind: 'change', org_uscc: uscc, changes: { domicile: body.domicile } });
  assert.equal(same.status, 201);
  r = await act(a, same.json.data.id, 'submit');
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['changes:no_changes']);

  const c = await create(a, { kind: 'change', org_uscc: uscc,
    changes: { name: newName, domicile: '海盐县武原街道新址2号', legal_representative: rep } });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.data.org_uscc, uscc);
  assert.equal(c.json.data.name, newName);
  assert.equal(c.json.data.legal_form, 'social_group');
  const id = c.json.data.id;
  r = await act(a, id, 'submit');
  assert.equal(r.status, 200, r.text);
  // One live change per organization: no new draft, and a draft made before cannot be submitted.
  const second = await create(a, { kind: 'change', org_uscc: uscc, changes: { business_scope: '另一项' } });
  assert.equal(second.status, 409);
  assert.equal(second.json.code, 'application_pending');
  r = await act(a, same.json.data.id, 'submit');
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'application_pending');
  assert.equal((await act(registrar, id, 'accept')).status, 200);
  r = await act(registrar, id, 'approve');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.org_uscc, uscc);

  assert.equal(one(`SELECT CONCAT_WS('|', name, domicile, legal_rep_name, legal_rep_id_number, version) FROM orgs WHERE uscc = '${uscc}'`),
    `${newName}|海盐县武原街道新址2号|李雷|${rep.id_number}|2`);
  const h = await history(uscc);
  assert.deepEqual(h.map((e) => e.type), ['establish', 'change']);
  const changes = Object.fromEntries(h[1].changes.map((x) => [x.field, [x.old, x.new]]));
  assert.deepEqual(changes.name, [body.name, newName]);
  assert.deepEqual(changes.domicile, [body.domicile, '海盐县武原街道新址2号']);
  assert.deepEqual(changes.legal_representative, ['张三', '李雷']);
  assert.ok(!JSON.stringify(h).includes(rep.id_number));
  assert.equal(one(`SELECT COUNT(*) FROM org_names WHERE uscc = '${uscc}' AND to_date IS NOT NULL AND name = '${body.name}'`), '1');
  assert.equal(one(`SELECT name FROM org_names WHERE uscc = '${uscc}' AND to_date IS NULL`), newName);
  assert.equal(one(`SELECT COUNT(*) FROM certificates WHERE uscc = '${uscc}'`), '2');
  assert.equal(one(`SELECT COUNT(*) FROM certificates WHERE uscc = '${uscc}' AND superseded_at IS NULL`), '1');
  assert.equal(one(`SELECT uscc FROM name_claims WHERE name = '${newName}'`), uscc);
  const profile = await d.api('GET', `/api/v1/orgs/${uscc}`);
  assert.equal(profile.status, 200, profile.text);
  assert.equal(profile.json.data.name, newName);
  assert.ok(JSON.stringify(profile.json.data.former_names).includes(body.name));
  // The former name is free for others.
  await submitted(stranger, socialGroup({ name: body.name }));
});

test('deregister: a reason is required; approval ends the organization, supersedes its certificate, frees its name', async () => {
  const a = await person('applicant');
  const body = socialGroup();
  const { uscc } = await approved(a, body);
  const c = await create(a, { kind: 'deregister', org_uscc: uscc });
  assert.equal(c.status, 201);
  const id = c.json.data.id;
  let r = await act(a, id, 'submit');
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['reason:required']);
  assert.equal((await patch(a, id, { reason: '会员大会决议解散' })).status, 200);
  assert.equal((await act(a, id, 'submit')).status, 200);
  assert.equal((await act(registrar, id, 'accept')).status, 200);
  r = await act(registrar, id, 'approve');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'approved');
  assert.equal(one(`SELECT CONCAT_WS('|', status, deregistered_at, version) FROM orgs WHERE uscc = '${uscc}'`), `deregistered|${D}|2`);
  assert.equal(one(`SELECT COUNT(*) FROM certificates WHERE uscc = '${uscc}' AND superseded_at IS NULL`), '0');
  const h = await history(uscc);
  assert.deepEqual(h.map((e) => e.type), ['establish', 'deregister']);
  assert.equal(h[1].reason, '会员大会决议解散');
  // Stays in the register; can no longer change; its name is free.
  r = await create(a, { kind: 'change', org_uscc: uscc, changes: { domicile: '别处' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'org_not_registered');
  await submitted(a, socialGroup({ name: body.name }));
});

// --- the statutory clocks (行政许可法 Art. 32) --------------------------------------------------

test('supplements: within 5 working days of the first submission, every item at once, once; the day after is 409', async () => {
  await clock(atDay(0));
  const a = await person('applicant');
  const early = await submitted(a, socialGroup());
  const late = await submitted(a, socialGroup());
  let r = await act(registrar, early, 'request-supplement', { items: [] });
  assert.equal(r.status, 422);
  r = await act(registrar, early, 'request-supplement', {});
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['items:required']);
  r = await act(registrar, early, 'request-supplement', { items: [{ field: 'charter' }] });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['items[0].message:required']);

  // 行政许可法 Art. 82: working days. Submitted Monday 2 March; the fifth working day after is
  // Monday 9 March (day 7): late that evening in Beijing (15:30 UTC is 23:30 local), still in time.
  await clock(new Date(Date.parse(atDay(7, 23)) + 30 * 60e3).toISOString());
  const items = [{ field: 'documents.charter', message: '章程草案缺少会员大会表决条款' },
    { field: 'domicile', message: '住所证明与申请地址不一致' }];
  r = await act(registrar, early, 'request-supplement', { items });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'supplement_requested');
  assert.deepEqual(r.json.data.supplement_items, items);
  const mine = await get(a, early);
  assert.deepEqual(mine.json.data.supplement_items, items);
  assert.deepEqual(mine.json.data.allowed_actions, ['edit', 'submit', 'withdraw']);
  assert.equal((await act(registrar, early, 'request-supplement', { items })).status, 409);
  // The applicant supplements and resubmits; the window was the first submission's, and spent.
  assert.equal((await patch(a, early, { domicile: '海盐县武原街道新桥北路1号（补正）' })).status, 200);
  assert.equal((await upload(a, early, 'charter')).status, 201);
  r = await act(a, early, 'submit');
  assert.equal(r.status, 200);
  assert.equal(r.json.data.status, 'submitted');
  assert.notEqual(r.json.data.submitted_at, r.json.data.first_submitted_at);
  r = await act(registrar, early, 'request-supplement', { items });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'supplement_already_requested');

  // Tuesday 10 March in Beijing (16:00 UTC on day 7 is midnight local): too late, and the other
  // application counts as accepted from its submission date — on read, before any sweep.
  await clock(atDay(8, 0));
  r = await act(registrar, late, 'request-supplement', { items });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'supplement_window_closed');
  assert.equal(r.json.current_status, 'accepted');
  const seen = await get(registrar, late);
  assert.equal(seen.json.data.status, 'accepted');
  assert.equal(seen.json.data.deemed_accepted, true);
  assert.equal(seen.json.data.accepted_at, seen.json.data.first_submitted_at);
  assert.equal(seen.json.data.decision_due, addDays(D, 60));
  assert.deepEqual(seen.json.data.allowed_actions, ['approve', 'reject']);
  // Resubmitted after a request: not deemed, the registrar accepts it.
  assert.equal((await get(registrar, early)).json.data.status, 'submitted');
  assert.equal((await act(registrar, early, 'accept')).status, 200);
  // The deemed one is decided like any accepted application.
  r = await act(registrar, late, 'approve');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.deemed_accepted, true);
  await clock(atDay(0));
});

test('deemed acceptance: the sweep records it (as the system, accepted from the submission date), once', async () => {
  await clock(atDay(0));
  const a = await person('applicant');
  const id = await submitted(a, socialGroup());
  const first = (await get(a, id)).json.data.first_submitted_at;
  // Saturday and Sunday are not working days: on day 6 (Sunday) the window is still open.
  await clock(atDay(6, 9));
  let r = await d.api('POST', '/api/v1/admin/sweep', { token: admin.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(one(`SELECT status FROM applications WHERE id = ${id}`), 'submitted');
  assert.equal((await get(a, id)).json.data.status, 'submitted');
  await clock(atDay(8, 9));
  r = await d.api('POST', '/api/v1/admin/sweep', { token: admin.token });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.data.rules.some((x) => x.rule === 'deemed_acceptance'));
  assert.equal(one(`SELECT CONCAT_WS('|', status, deemed_accepted, decision_due) FROM applications WHERE id = ${id}`),
    `accepted|1|${addDays(D, 60)}`);
  const app = (await get(a, id)).json.data;
  assert.equal(app.accepted_at, first);
  assert.equal(app.deemed_accepted, true);
  assert.equal(one(`SELECT CONCAT_WS('|', actor, role) FROM audit_log WHERE action = 'application.deem' AND object_id = '${id}'`),
    'system|system');
  r = await d.api('POST', '/api/v1/admin/sweep', { token: admin.token });
  assert.equal(r.json.data.rules.find((x) => x.rule === 'deemed_acceptance').changed, 0);
  assert.equal(one(`SELECT COUNT(*) FROM audit_log WHERE action = 'application.deem' AND object_id = '${id}'`), '1');
  // Applicants no longer withdraw what counts as accepted.
  r = await act(a, id, 'withdraw');
  assert.equal(r.status, 409);
  assert.equal(r.json.current_status, 'accepted');
  await clock(atDay(0));
});

test('after supplements come in, the registrar has the window again; then it counts as accepted from the resubmission', async () => {
  await clock(atDay(0));
  const a = await person('applicant');
  const id = await submitted(a, socialGroup());
  await clock(atDay(1));
  assert.equal((await act(registrar, id, 'request-supplement', { items: [{ field: 'domicile', message: '请补充住所证明' }] })).status, 200);
  await clock(atDay(2));
  assert.equal((await upload(a, id, 'domicile_proof')).status, 201);
  let r = await act(a, id, 'submit');
  assert.equal(r.status, 200, r.text);
  const resubmitted = r.json.data.submitted_at;
  // Resubmitted Wednesday 4 March: the fifth working day after is Wednesday 11 (day 9), still
  // the registrar's to accept.
  await clock(atDay(9, 20));
  assert.equal((await get(registrar, id)).json.data.status, 'submitted');
  await clock(atDay(10, 9));
  const seen = (await get(registrar, id)).json.data;
  assert.deepEqual([seen.status, seen.deemed_accepted, seen.accepted_at, seen.decision_due],
    ['accepted', true, resubmitted, addDays(D, 2 + 60)]);
  r = await d.api('POST', '/api/v1/admin/sweep', { token: admin.token });
  assert.ok(r.json.data.rules.find((x) => x.rule === 'deemed_acceptance').changed >= 1);
  assert.equal(one(`SELECT status FROM applications WHERE id = ${id}`), 'accepted');
  const audit = JSON.parse(one(`SELECT summary FROM audit_log WHERE action = 'application.deem' AND object_id = '${id}'`));
  assert.equal(audit.after_supplement, true);
  assert.equal((await get(a, id)).json.data.accepted_at, resubmitted);
  await clock(atDay(0));
});

test('decision due 60 days after acceptance (30 for public_welfare); overdue after; the queue sorts by it', async () => {
  await clock(atDay(0));
  const a = await person('applicant');
  const group = await accepted(a, socialGroup());
  const charity = await accepted(a, foundation());
  assert.equal((await get(registrar, group)).json.data.decision_due, addDays(D, 60));
  assert.equal((await get(registrar, charity)).json.data.decision_due, addDays(D, 30));

  const queue = async () => {
    const items = [];
    let cursor = null;
    do {
      const r = await list(registrar, `?status=accepted&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, r.text);
      items.push(...r.json.data);
      cursor = r.json.next_cursor;
    } while (cursor);
    return items;
  };
  let items = await queue();
  const full = (await list(registrar, '?status=accepted&limit=200')).json.data;
  assert.deepEqual(items.map((x) => x.id), full.map((x) => x.id));
  assert.equal(new Set(items.map((x) => x.id)).size, items.length);
  const dues = items.map((x) => x.decision_due);
  assert.deepEqual([...dues].sort(), dues);
  assert.ok(items.findIndex((x) => x.id === charity) < items.findIndex((x) => x.id === group));

  const overdue = async (id) => (await get(registrar, id)).json.data.overdue;
  await clock(atDay(30, 23));
  assert.equal(await overdue(charity), false);
  await clock(atDay(31, 0));
  assert.equal(await overdue(charity), true);
  assert.equal(await overdue(group), false);
  items = (await list(registrar, '?status=accepted&limit=200')).json.data;
  assert.equal(items.find((x) => x.id === charity).overdue, true);
  await clock(atDay(61, 9));
  assert.equal(await overdue(group), true);
  // Deciding ends it.
  const r = await act(registrar, group, 'approve');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.overdue, false);
  await clock(atDay(0));
});
