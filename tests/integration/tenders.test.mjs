// Tenders (SPEC §6, Appendix B): a purchaser's draft, checked field by field; publication against
// the daemon's clock; the enquiry end and the bid deadline moving the tender by themselves (the
// sweeper), before any write (the executor) and in every read (the projection); enquiries that
// never name the asker; cancellation with a reason; who may do what.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { actor, row, importRows, buildUscc, nextSerial } from '../bench/registry.mjs';

let d, admin, purchaser, other, applicant, applicant2, registrar;
let orgs; // three registered organizations
let deregistered;

const DAY = 86400e3;
const T0 = '2026-03-10T02:00:00Z';
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const plus = (base, days) => iso(Date.parse(base) + days * DAY);

// The clock stands still where a test puts it: publication times and deadlines to the microsecond.
async function clock(when) {
  await d.setClock(when, undefined, { frozen: true });
  for (const a of [admin, purchaser, other, applicant, applicant2, registrar]) await a.refresh();
}

function tender(over = {}) {
  return {
    title: '海盐县居家养老上门服务项目', description: '为全县居家老人提供上门助餐、助洁、助浴服务。',
    service_category: 'elderly_care', department: '海盐县民政局', budget_fen: 120000000, method: 'open',
    evaluation_method: 'comprehensive',
    criteria: [{ id: 'plan', name: '服务方案', max_points: 40 }, { id: 'team', name: '团队与经验', max_points: 30 }],
    price_points: 30,
    eligibility: { min_grade: '3A', min_years_registered: 2, legal_forms: ['social_group', 'social_service_institution'], categories: [] },
    invited_orgs: [], enquiry_end: plus(T0, 10), bid_deadline: plus(T0, 25), contract_months: 12,
    ...over,
  };
}

const post = (who, p, body, headers = {}) => d.api('POST', p, { token: who && who.token, body, headers });
const get = (who, p) => d.api('GET', p, { token: who && who.token });
const patch = (who, p, body, headers = {}) => d.api('PATCH', p, { token: who && who.token, body, headers });
const fields = (r) => (r.json.errors || []).map((e) => `${e.field}:${e.code}`).sort();
const audits = (action, id) => Number(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = '${action}' AND object_id = '${id}'`).trim());
const dbStatus = (id) => d.sql(`SELECT status FROM tenders WHERE id = ${id}`).trim();

async function create(over = {}, who = purchaser) {
  const r = await post(who, '/api/v1/tenders', tender(over));
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

async function published(over = {}) {
  const t = await create(over);
  const r = await post(purchaser, `/api/v1/tenders/${t.id}/publish`);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

before(async () => {
  d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600' } });
  admin = await actor(d, 'admin');
  purchaser = await actor(d, 'purchaser');
  registrar = await actor(d, 'registrar');
  applicant = await actor(d, 'applicant');
  applicant2 = await actor(d, 'applicant');
  // A purchaser of another department.
  const username = `purchaser_other_${Date.now()}`;
  const id = await d.addUser({ username, role: 'purchaser', department: '海盐县卫生健康局' });
  other = { username, id, token: await d.login(username) };
  other.refresh = async () => { other.token = await d.login(username); return other; };
  const rows = [row(), row(), row()];
  const dereg = row({ status: 'deregistered' });
  importRows(d, [...rows, dereg]);
  orgs = rows.map((r) => r.uscc);
  deregistered = dereg.uscc;
  await clock(T0);
});
after(async () => { await d.stop(); });

test('a purchaser creates a draft: 201, its own, audited; an Idempotency-Key creates it once', async () => {
  const r = await post(purchaser, '/api/v1/tenders', tender(), { 'Idempotency-Key': 'tender-create-1' });
  assert.equal(r.status, 201, r.text);
  const t = r.json.data;
  assert.equal(t.status, 'draft');
  assert.equal(t.version, 1);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(t.title, '海盐县居家养老上门服务项目');
  assert.equal(t.budget_fen, 120000000);
  assert.deepEqual(t.criteria, tender().criteria);
  assert.deepEqual(t.eligibility, { min_grade: '3A', min_years_registered: 2, legal_forms: ['social_group', 'social_service_institution'], categories: [] });
  assert.equal(t.enquiry_end, plus(T0, 10));
  assert.equal(t.bid_deadline, plus(T0, 25));
  assert.equal(t.published_at, null);
  assert.equal(t.bids_count, 0);
  assert.deepEqual(t.invited_orgs, []);
  assert.deepEqual(t.allowed_actions.sort(), ['cancel', 'edit', 'publish']);
  assert.equal(audits('tender.create', t.id), 1);
  const again = await post(purchaser, '/api/v1/tenders', tender(), { 'Idempotency-Key': 'tender-create-1' });
  assert.equal(again.status, 201);
  assert.equal(again.json.data.id, t.id);
  assert.equal(d.sql(`SELECT COUNT(*) FROM tenders WHERE id >= ${t.id}`).trim(), '1');
  // The department defaults to the purchaser's own.
  const nodept = tender();
  delete nodept.department;
  const r2 = await post(purchaser, '/api/v1/tenders', nodept);
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r2.json.data.department, '海盐县民政局');
});

test('only purchasers create; the public and other roles are refused', async () => {
  assert.equal((await post(null, '/api/v1/tenders', tender())).status, 401);
  for (const who of [applicant, registrar, admin]) {
    const r = await post(who, '/api/v1/tenders', tender());
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.code, 'forbidden_role');
  }
});

test('every rule of a notice is refused field by field', async () => {
  const cases = [
    [{ criteria: [{ id: 'plan', name: '方案', max_points: 40 }, { id: 'plan', name: '团队', max_points: 30 }] }, ['criteria[1].id:duplicate']],
    [{ criteria: [{ id: 'plan', name: '方案', max_points: 40 }, { id: 'team', name: '团队', max_points: 20 }] }, ['criteria:points_not_100']],
    [{ criteria: [{ id: 'plan', name: '方案', max_points: 95 }], price_points: 5 }, ['price_points:out_of_range']],
    [{ criteria: [{ id: 'plan', name: '方案', max_points: 65 }], price_points: 35 }, ['price_points:out_of_range']],
    [{ criteria: [{ id: 'Plan', name: '方案', max_points: 40 }, { id: 'team', name: '团队', max_points: 30 }] }, ['criteria[0].id:invalid_format']],
    [{ criteria: [{ id: 'plan', name: '方案', max_points: 0 }, { id: 'team', name: '团队', max_points: 70 }] }, ['criteria[0].max_points:out_of_range']],
    [{ criteria: [{ id: 'plan', name: '方案', max_points: 70, weight: 1 }] }, ['criteria[0].weight:unknown_field']],
    [{ criteria: 'plan' }, ['criteria:type']],
    [{ enquiry_end: plus(T0, 25) }, ['enquiry_end:not_before_deadline']],
    [{ enquiry_end: plus(T0, 30) }, ['enquiry_end:not_before_deadline']],
    [{ bid_deadline: '2026-04-04 09:00' }, ['bid_deadline:invalid_time']],
    [{ bid_deadline: '2026-04-04T09:00:00.5Z' }, ['bid_deadline:invalid_time']],
    [{ budget_fen: 0 }, ['budget_fen:out_of_range']],
    [{ budget_fen: -5 }, ['budget_fen:out_of_range']],
    [{ budget_fen: 1.5 }, ['budget_fen:not_integer']],
    [{ budget_fen: '100' }, ['budget_fen:type']],
    [{ method: 'auction' }, ['method:invalid_choice']],
    [{ evaluation_method: 'best' }, ['evaluation_method:invalid_choice']],
    [{ eligibility: { min_grade: '6A' } }, ['eligibility.min_grade:invalid_choice']],
    [{ eligibility: { legal_forms: ['company'] } }, ['eligibility.legal_forms[0]:invalid_choice']],
    [{ eligibility: { categories: ['public_welfare', 'public_welfare'] } }, ['eligibility.categories[1]:duplicate']],
    [{ eligibility: { min_years_registered: -1 } }, ['eligibility.min_years_registered:out_of_range']],
    [{ eligibility: { grade: '3A' } }, ['eligibility.grade:unknown_field']],
    [{ method: 'invited', invited_orgs: orgs.slice(0, 2) }, ['invited_orgs:too_few_invited']],
    [{ method: 'invited', invited_orgs: [orgs[0], orgs[1], orgs[0]] }, ['invited_orgs:too_few_invited', 'invited_orgs[2]:duplicate']],
    [{ method: 'invited', invited_orgs: [...orgs.slice(0, 2), 'ABC'] }, ['invited_orgs:too_few_invited', 'invited_orgs[2]:invalid_uscc']],
    [{ method: 'invited', invited_orgs: [...orgs.slice(0, 2), buildUscc('1', '330424', nextSerial())] }, ['invited_orgs[2]:unknown_org']],
    [{ method: 'invited', invited_orgs: [...orgs.slice(0, 2), deregistered] }, ['invited_orgs[2]:unknown_org']],
    [{ method: 'single_source', invited_orgs: orgs.slice(0, 2) }, ['invited_orgs:single_source_one']],
    [{ method: 'single_source', invited_orgs: [] }, ['invited_orgs:single_source_one']],
    [{ method: 'open', invited_orgs: orgs.slice(0, 1) }, ['invited_orgs:not_allowed']],
    [{ department: '海盐县卫生健康局' }, ['department:not_your_department']],
    [{ title: '  ' }, ['title:required']],
    [{ title: '标题\n第二行' }, ['title:invalid_text']],
    [{ service_category: 'Elderly Care' }, ['service_category:invalid_format']],
    [{ contract_months: 0 }, ['contract_months:out_of_range']],
    [{ status: 'active.tendering' }, ['status:unknown_field']],
  ];
  for (const [over, want] of cases) {
    const r = await post(purchaser, '/api/v1/tenders', tender(over));
    assert.equal(r.status, 422, `${JSON.stringify(over)}: ${r.text}`);
    assert.equal(r.json.code, 'validation_failed');
    assert.deepEqual(fields(r), want.sort(), JSON.stringify(over));
  }
  // Every problem at once.
  const all = await post(purchaser, '/api/v1/tenders', {});
  assert.equal(all.status, 422);
  assert.deepEqual(fields(all), ['bid_deadline:required', 'budget_fen:required', 'contract_months:required', 'criteria:required',
    'description:required', 'enquiry_end:required', 'evaluation_method:required', 'method:required', 'service_category:required',
    'title:required']);
  // Valid edge cases: price points at both ends of the rule, an invited tender of three, single source of one.
  await create({ criteria: [{ id: 'plan', name: '方案', max_points: 90 }], price_points: 10 });
  await create({ criteria: [{ id: 'plan', name: '方案', max_points: 70 }], price_points: 30 });
  const inv = await create({ method: 'invited', invited_orgs: orgs.map((u) => u.toLowerCase()) });
  assert.deepEqual(inv.invited_orgs, [...orgs].sort());
  assert.equal(inv.invited_orgs_count, 3);
  const single = await create({ method: 'single_source', invited_orgs: [orgs[0].toLowerCase()] });
  assert.deepEqual(single.invited_orgs, [orgs[0]]);
  assert.equal(d.sql('SELECT COUNT(*) FROM tenders').trim(), d.sql('SELECT COUNT(*) FROM audit_log WHERE action = \'tender.create\'').trim());
});

test('a draft is its owner\'s alone: edit with a merge patch, If-Match, 404 for everyone else', async () => {
  const t = await create();
  for (const who of [null, other, applicant, admin]) {
    assert.equal((await get(who, `/api/v1/tenders/${t.id}`)).status, 404);
    const list = await get(who, '/api/v1/tenders?limit=200');
    assert.equal(list.status, 200);
    assert.ok(!list.json.data.some((x) => x.id === t.id));
  }
  assert.ok((await get(purchaser, '/api/v1/tenders?mine=true&limit=200')).json.data.some((x) => x.id === t.id));
  assert.equal((await patch(other, `/api/v1/tenders/${t.id}`, { title: '别人的' })).status, 404);
  assert.equal((await post(other, `/api/v1/tenders/${t.id}/publish`)).status, 404);

  const r = await patch(purchaser, `/api/v1/tenders/${t.id}`, { title: '海盐县助餐服务项目', eligibility: { min_grade: null } },
    { 'If-Match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.title, '海盐县助餐服务项目');
  assert.equal(r.json.data.eligibility.min_grade, null);
  assert.equal(r.json.data.eligibility.min_years_registered, 2);  // merged, not replaced
  assert.equal(r.json.data.version, 2);
  assert.equal(audits('tender.edit', t.id), 1);
  const stale = await patch(purchaser, `/api/v1/tenders/${t.id}`, { title: '再改' }, { 'If-Match': '"1"' });
  assert.equal(stale.status, 412);
  const bad = await patch(purchaser, `/api/v1/tenders/${t.id}`, { price_points: 50, status: 'complete' });
  assert.equal(bad.status, 422);
  assert.deepEqual(fields(bad), ['criteria:points_not_100', 'price_points:out_of_range', 'status:unknown_field']);
  assert.equal((await get(purchaser, `/api/v1/tenders/${t.id}`)).json.data.version, 2);
});

test('publication checks the deadlines against the clock; then the notice is public and frozen', async () => {
  // Open: 20 days from publication at least.
  const soon = await create({ bid_deadline: plus(T0, 20 - 1 / 86400) });
  let r = await post(purchaser, `/api/v1/tenders/${soon.id}/publish`);
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['bid_deadline:too_soon']);
  const twenty = await create({ bid_deadline: plus(T0, 20) });
  r = await post(purchaser, `/api/v1/tenders/${twenty.id}/publish`);
  assert.equal(r.status, 200, r.text);
  // Invited: the same 20 days; competitive consultation 10; negotiation none beyond the future.
  const inv = await create({ method: 'invited', invited_orgs: orgs, enquiry_end: plus(T0, 5), bid_deadline: plus(T0, 15) });
  assert.deepEqual(fields(await post(purchaser, `/api/v1/tenders/${inv.id}/publish`)), ['bid_deadline:too_soon']);
  const cons = await create({ method: 'competitive_consultation', enquiry_end: plus(T0, 5), bid_deadline: plus(T0, 9) });
  assert.deepEqual(fields(await post(purchaser, `/api/v1/tenders/${cons.id}/publish`)), ['bid_deadline:too_soon']);
  assert.equal((await patch(purchaser, `/api/v1/tenders/${cons.id}`, { bid_deadline: plus(T0, 10) })).status, 200);
  assert.equal((await post(purchaser, `/api/v1/tenders/${cons.id}/publish`)).status, 200);
  const neg = await create({ method: 'competitive_negotiation', enquiry_end: plus(T0, 1), bid_deadline: plus(T0, 3) });
  assert.equal((await post(purchaser, `/api/v1/tenders/${neg.id}/publish`)).status, 200);
  // The enquiry period must still be ahead.
  const past = await create({ enquiry_end: plus(T0, -1) });
  assert.deepEqual(fields(await post(purchaser, `/api/v1/tenders/${past.id}/publish`)), ['enquiry_end:in_the_past']);
  // An invited organization deregistered since the draft: refused at publication.
  const extra = row();
  importRows(d, [extra]);
  // (Everything the publication finds, at once.)
  const inv2 = await create({ method: 'invited', invited_orgs: [...orgs.slice(0, 2), extra.uscc], bid_deadline: plus(T0, 19) });
  d.sql(`UPDATE orgs SET status = 'deregistered' WHERE uscc = '${extra.uscc}'`);
  assert.deepEqual(fields(await post(purchaser, `/api/v1/tenders/${inv2.id}/publish`)), ['bid_deadline:too_soon', 'invited_orgs[2]:unknown_org']);
  assert.equal(dbStatus(inv2.id), 'draft');

  const t = r.json.data;
  assert.equal(t.status, 'active.enquiries');
  assert.equal(t.published_at, T0);
  assert.equal(audits('tender.publish', t.id), 1);
  // Public now: anyone reads it, nobody but the owner sees whom it invites.
  const pub = await get(null, `/api/v1/tenders/${t.id}`);
  assert.equal(pub.status, 200);
  assert.deepEqual(pub.json.data.allowed_actions, []);
  assert.equal(pub.json.data.invited_orgs, undefined);
  assert.deepEqual((await get(applicant, `/api/v1/tenders/${t.id}`)).json.data.allowed_actions, ['questions']);
  assert.deepEqual((await get(other, `/api/v1/tenders/${t.id}`)).json.data.allowed_actions, []);
  assert.deepEqual((await get(purchaser, `/api/v1/tenders/${t.id}`)).json.data.allowed_actions.sort(), ['answer', 'cancel', 'committee']);
  // Frozen: no edit, no second publication; another purchaser owns nothing of it.
  const again = await post(purchaser, `/api/v1/tenders/${t.id}/publish`);
  assert.equal(again.status, 409);
  assert.equal(again.json.code, 'not_a_draft');
  assert.equal(again.json.current_status, 'active.enquiries');
  const edit = await patch(purchaser, `/api/v1/tenders/${t.id}`, { title: '改' });
  assert.equal(edit.status, 409);
  assert.equal(edit.json.code, 'not_editable');
  const foreign = await post(other, `/api/v1/tenders/${t.id}/cancel`, { reason: '不是我的' });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.code, 'not_tender_owner');
  assert.equal(dbStatus(t.id), 'active.enquiries');
});

test('enquiries: applicants ask, the owner answers once, everyone reads, nobody learns who asked', async () => {
  const t = await published();
  const draft = await create();
  assert.equal((await post(applicant, `/api/v1/tenders/${draft.id}/questions`, { question: '草稿?' })).status, 404);
  assert.equal((await post(purchaser, `/api/v1/tenders/${t.id}/questions`, { question: '?' })).status, 403);
  const blank = await post(applicant, `/api/v1/tenders/${t.id}/questions`, { question: '   ' });
  assert.equal(blank.status, 422);
  assert.deepEqual(fields(blank), ['question:required']);
  const q1 = await post(applicant, `/api/v1/tenders/${t.id}/questions`, { question: '服务对象的人数大约是多少？' });
  assert.equal(q1.status, 201, q1.text);
  const q2 = await post(applicant2, `/api/v1/tenders/${t.id}/questions`, { question: '是否接受联合体投标？' });
  assert.equal(q2.status, 201);
  assert.deepEqual(Object.keys(q1.json.data).sort(), ['answer', 'answered_at', 'asked_at', 'id', 'question', 'tender_id']);
  assert.equal(q1.json.data.answer, null);

  const foreign = await post(other, `/api/v1/tenders/${t.id}/questions/${q1.json.data.id}/answer`, { answer: '约500人' });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.code, 'not_tender_owner');
  const t2 = await published();
  const wrong = await post(purchaser, `/api/v1/tenders/${t2.id}/questions/${q1.json.data.id}/answer`, { answer: '约500人' });
  assert.equal(wrong.status, 404);
  const a = await post(purchaser, `/api/v1/tenders/${t.id}/questions/${q1.json.data.id}/answer`, { answer: '约500人。' });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.data.answer, '约500人。');
  assert.equal(a.json.data.answered_at, T0);
  const twice = await post(purchaser, `/api/v1/tenders/${t.id}/questions/${q1.json.data.id}/answer`, { answer: '改口' });
  assert.equal(twice.status, 409);
  assert.equal(twice.json.code, 'already_answered');

  const list = await get(null, `/api/v1/tenders/${t.id}/questions?limit=1`);
  assert.equal(list.status, 200);
  assert.equal(list.json.data.length, 1);
  assert.equal(list.json.data[0].answer, '约500人。');
  const next = await get(null, `/api/v1/tenders/${t.id}/questions?limit=1&cursor=${list.json.next_cursor}`);
  assert.equal(next.json.data[0].question, '是否接受联合体投标？');
  assert.equal(next.json.next_cursor, null);
  // Not in any answer, anyone's.
  for (const who of [null, applicant, purchaser, admin]) {
    const text = (await get(who, `/api/v1/tenders/${t.id}/questions`)).text;
    assert.ok(!text.includes(applicant.username) && !text.includes(applicant2.username) && !/asker|user|author/.test(text), text);
  }
  assert.equal((await get(null, `/api/v1/tenders/${draft.id}/questions`)).status, 404);
  // Each question and answer moved the tender's version and is audited.
  assert.equal((await get(null, `/api/v1/tenders/${t.id}`)).json.data.version, 5);
  assert.equal(audits('tender.ask', t.id), 2);
  assert.equal(audits('tender.answer', t.id), 1);
});

test('the enquiry end and the bid deadline: read shows them, a write makes them, the sweeper makes them', async () => {
  await clock(T0);
  const t = await published();
  const q = await post(applicant, `/api/v1/tenders/${t.id}/questions`, { question: '截止时间可以延长吗？' });
  assert.equal(d.sql(`SELECT CONCAT(action, '|', due_at) FROM deadlines WHERE object_type = 'tender' AND object_id = ${t.id}`).trim(),
    'close-enquiries|2026-03-20 02:00:00.000000');

  // One microsecond before the enquiry end: still enquiries.
  await clock('2026-03-20T01:59:59.999999Z');
  assert.equal((await get(null, `/api/v1/tenders/${t.id}`)).json.data.status, 'active.enquiries');
  // At it: every read shows tendering; nothing is written by reading.
  await clock('2026-03-20T02:00:00Z');
  const auditRows = d.sql('SELECT COUNT(*) FROM audit_log').trim();
  assert.equal((await get(null, `/api/v1/tenders/${t.id}`)).json.data.status, 'active.tendering');
  const byStatus = async (s) => (await get(null, `/api/v1/tenders?status=${s}&limit=200`)).json.data.map((x) => x.id);
  assert.ok((await byStatus('active.tendering')).includes(t.id));
  assert.ok(!(await byStatus('active.enquiries')).includes(t.id));
  assert.equal(dbStatus(t.id), 'active.enquiries');
  assert.equal(d.sql('SELECT COUNT(*) FROM audit_log').trim(), auditRows);
  // A write finds it due and makes it first, as the system, in the same transaction.
  const late = await post(applicant, `/api/v1/tenders/${t.id}/questions`, { question: '还能问吗？' });
  assert.equal(late.status, 409);
  assert.equal(late.json.code, 'enquiries_closed');
  assert.equal(late.json.current_status, 'active.tendering');
  // The refusal rolled back; the owner's answer (still allowed) commits the move.
  assert.equal(dbStatus(t.id), 'active.enquiries');
  const a = await post(purchaser, `/api/v1/tenders/${t.id}/questions/${q.json.data.id}/answer`, { answer: '不延长。' });
  assert.equal(a.status, 200, a.text);
  assert.equal(dbStatus(t.id), 'active.tendering');
  assert.equal(d.sql(`SELECT CONCAT(actor, '|', role) FROM audit_log WHERE action = 'tender.close-enquiries' AND object_id = '${t.id}'`).trim(),
    'system|system');
  assert.equal(d.sql(`SELECT CONCAT(action, '|', due_at) FROM deadlines WHERE object_type = 'tender' AND object_id = ${t.id}`).trim(),
    'close-bidding|2026-04-04 02:00:00.000000');

  // The bid deadline, to the microsecond.
  await clock('2026-04-04T01:59:59.999999Z');
  assert.equal((await get(null, `/api/v1/tenders/${t.id}`)).json.data.status, 'active.tendering');
  await clock('2026-04-04T02:00:00Z');
  assert.equal((await get(null, `/api/v1/tenders/${t.id}`)).json.data.status, 'active.opening');
  assert.ok((await byStatus('active.opening')).includes(t.id));
  assert.ok(!(await byStatus('active.tendering')).includes(t.id));
  // The sweeper makes it real, once.
  const s = await post(admin, '/api/v1/admin/sweep');
  assert.equal(s.status, 200, s.text);
  assert.ok(s.json.data.rules.find((x) => x.rule === 'tender_bid_deadline').changed >= 1);
  assert.equal(dbStatus(t.id), 'active.opening');
  const s2 = await post(admin, '/api/v1/admin/sweep');
  assert.equal(s2.json.data.rules.find((x) => x.rule === 'tender_bid_deadline').changed, 0);
  assert.equal(audits('tender.close-bidding', t.id), 1);
  assert.equal(d.sql(`SELECT COUNT(*) FROM deadlines WHERE object_type = 'tender' AND object_id = ${t.id}`).trim(), '0');
  const after = await post(purchaser, `/api/v1/tenders/${t.id}/questions/${q.json.data.id}/answer`, { answer: '再答' });
  assert.equal(after.status, 409);
  assert.equal(after.json.code, 'enquiries_closed');
  assert.equal(after.json.current_status, 'active.opening');
});

test('both deadlines passed at once: reads show the opening, the sweeper makes both moves in order', async () => {
  await clock(T0);
  const t = await published();
  await clock(plus(T0, 30));
  assert.equal((await get(null, `/api/v1/tenders/${t.id}`)).json.data.status, 'active.opening');
  assert.ok((await get(null, '/api/v1/tenders?status=active.opening&limit=200')).json.data.some((x) => x.id === t.id));
  assert.equal((await post(admin, '/api/v1/admin/sweep')).status, 200);
  assert.equal(dbStatus(t.id), 'active.opening');
  assert.deepEqual(d.sql(`SELECT action FROM audit_log WHERE object_type = 'tender' AND object_id = '${t.id}' ORDER BY seq`).trim().split('\n'),
    ['tender.create', 'tender.publish', 'tender.close-enquiries', 'tender.close-bidding']);
  await clock(T0);
});

test('cancel: a reason, public; any time before the contract; the deadlines go with it', async () => {
  await clock(T0);
  const t = await published();
  const none = await post(purchaser, `/api/v1/tenders/${t.id}/cancel`, {});
  assert.equal(none.status, 422);
  assert.deepEqual(fields(none), ['reason:required']);
  const blank = await post(purchaser, `/api/v1/tenders/${t.id}/cancel`, { reason: ' ' });
  assert.deepEqual(fields(blank), ['reason:required']);
  assert.equal((await post(applicant, `/api/v1/tenders/${t.id}/cancel`, { reason: 'x' })).status, 403);
  const stale = await post(purchaser, `/api/v1/tenders/${t.id}/cancel`, { reason: '预算调整' }, { 'If-Match': '"1"' });
  assert.equal(stale.status, 412);
  const r = await post(purchaser, `/api/v1/tenders/${t.id}/cancel`, { reason: '预算调整，项目取消。' }, { 'If-Match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.status, 'cancelled');
  assert.equal(r.json.data.cancel_reason, '预算调整，项目取消。');
  assert.equal(r.json.data.cancelled_at, T0);
  assert.equal((await get(null, `/api/v1/tenders/${t.id}`)).json.data.cancel_reason, '预算调整，项目取消。');
  assert.equal(d.sql(`SELECT COUNT(*) FROM deadlines WHERE object_type = 'tender' AND object_id = ${t.id}`).trim(), '0');
  const again = await post(purchaser, `/api/v1/tenders/${t.id}/cancel`, { reason: '再取消' });
  assert.equal(again.status, 409);
  assert.equal(again.json.code, 'invalid_transition');
  assert.equal(again.json.current_status, 'cancelled');
  assert.deepEqual(again.json.allowed_actions, []);
  // A cancelled tender stays cancelled when its dates pass.
  await clock(plus(T0, 40));
  assert.equal((await get(null, `/api/v1/tenders/${t.id}`)).json.data.status, 'cancelled');
  // A draft may be cancelled too; so may a tender waiting for its opening.
  await clock(T0);
  const draft = await create();
  assert.equal((await post(purchaser, `/api/v1/tenders/${draft.id}/cancel`, { reason: '不做了' })).json.data.status, 'cancelled');
  const late = await published();
  await clock(plus(T0, 26));
  const c = await post(purchaser, `/api/v1/tenders/${late.id}/cancel`, { reason: '无人投标' });
  assert.equal(c.status, 200);
  assert.deepEqual(d.sql(`SELECT action FROM audit_log WHERE object_type = 'tender' AND object_id = '${late.id}' ORDER BY seq`).trim().split('\n'),
    ['tender.create', 'tender.publish', 'tender.close-enquiries', 'tender.close-bidding', 'tender.cancel']);
  await clock(T0);
});

test('two cancellations at once: one wins, the other is told', async () => {
  await clock(T0);
  const t = await published();
  const rs = await Promise.all([1, 2].map((i) => post(purchaser, `/api/v1/tenders/${t.id}/cancel`, { reason: `理由${i}` }, { 'If-Match': '"2"' })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 412]);
  assert.equal(audits('tender.cancel', t.id), 1);
});

test('the public list: filters, keyset pages, bad filters refused', async () => {
  await clock(T0);
  const a = await published({ title: '海盐县社区矫正社会工作服务项目', method: 'open' });
  const b = await published({ title: '海盐县社区心理服务项目', method: 'competitive_consultation', enquiry_end: plus(T0, 3), bid_deadline: plus(T0, 12) });
  const ids = async (qs) => (await get(null, `/api/v1/tenders?limit=200&${qs}`)).json.data.map((x) => x.id);
  assert.ok((await ids('q=' + encodeURIComponent('社区'))).includes(a.id));
  assert.ok((await ids('q=' + encodeURIComponent('社区'))).includes(b.id));
  assert.ok(!(await ids('q=' + encodeURIComponent('矫正'))).includes(b.id));
  assert.ok((await ids('q=%25')).length === 0);  // a literal %, not a wildcard
  assert.ok((await ids('method=competitive_consultation')).includes(b.id));
  assert.ok(!(await ids('method=open')).includes(b.id));
  assert.ok((await ids('department=' + encodeURIComponent('海盐县民政局'))).includes(a.id));
  assert.deepEqual(await ids('department=' + encodeURIComponent('海盐县卫生健康局')), []);
  // Newest first, page by page, nothing twice.
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 100; i++) {
    const r = await get(null, `/api/v1/tenders?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    seen.push(...r.json.data.map((x) => x.id));
    if (!r.json.next_cursor) break;
    cursor = r.json.next_cursor;
  }
  assert.deepEqual(seen, [...seen].sort((x, y) => y - x));
  assert.equal(new Set(seen).size, seen.length);
  assert.equal(seen.length, Number(d.sql("SELECT COUNT(*) FROM tenders WHERE status <> 'draft'").trim()));
  for (const qs of ['status=open', 'status=active.tendering,bogus', 'method=auction', 'limit=0', 'cursor=!!', 'mine=yes', 'mine=true',
    'q=' + '长'.repeat(51)]) {
    const r = await get(null, `/api/v1/tenders?${qs}`);
    assert.equal(r.status, 400, `${qs}: ${r.text.slice(0, 300)}`);
  }
});

test('a deadline that fell while the daemon was down is honoured when it comes back', async () => {
  // Published two months before the real date: its deadlines lie in the real past, but the test
  // clock holds them off until the daemon restarts on the real clock.
  const e = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600' } });
  try {
    const start = iso(Math.floor((Date.now() - 60 * DAY) / 1000) * 1000);
    await e.setClock(start);
    const p = await actor(e, 'purchaser');
    const body = tender({ enquiry_end: plus(start, 10), bid_deadline: plus(start, 21) });
    const c = await e.api('POST', '/api/v1/tenders', { token: p.token, body });
    assert.equal(c.status, 201, c.text);
    const id = c.json.data.id;
    assert.equal((await e.api('POST', `/api/v1/tenders/${id}/publish`, { token: p.token })).status, 200);
    await e.kill9();
    assert.equal(e.sql(`SELECT status FROM tenders WHERE id = ${id}`).trim(), 'active.enquiries');
    await e.start();
    let status;
    for (let i = 0; i < 150; i++) {
      status = e.sql(`SELECT status FROM tenders WHERE id = ${id}`).trim();
      if (status === 'active.opening') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'active.opening');
    assert.equal(e.sql(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'tender' AND object_id = '${id}' AND actor = 'system'`).trim(), '2');
  } finally {
    await e.stop();
  }
});

test('the audit chain holds after all of it', async () => {
  assert.equal(d.cli(['audit', 'verify']).code, 0);
});
