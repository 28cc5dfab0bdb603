// The public register (SPEC §4, Appendix A): search by Chinese substring, USCC prefix and former
// names; filters; keyset pagination; the profile; the history; and GET /api/v1/uscc/{code}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { row, importRows, actor, approvedOrg, approvedChange, buildUscc, fieldWord, idNumber } from '../bench/registry.mjs';
import { orgCheck, usccCheck } from '../bench/gen-orgs.mjs';

let d, registrar, applicant;
const rows = {};

const search = (query) => d.api('GET', `/api/v1/orgs?${query}`);
const q = (text, extra = '') => search(`q=${encodeURIComponent(text)}${extra}`);
const names = (r) => r.json.data.map((o) => o.name);

// Every page of a search, following next_cursor.
async function walk(query, limit) {
  const seen = [];
  let cursor = null;
  for (let pages = 0; pages < 1000; pages++) {
    const r = await search(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.data.length <= limit);
    seen.push(...r.json.data);
    cursor = r.json.next_cursor;
    if (!cursor) return seen;
    assert.equal(r.json.data.length, limit, 'only the last page may be short');
  }
  throw new Error('too many pages');
}

before(async () => {
  d = await startDaemon();
  registrar = await actor(d, 'registrar');
  applicant = await actor(d, 'applicant');
  const set = [
    // The exact name is given a later code than one that merely contains it.
    row({ name: '海盐县养老服务协会联合会', uscc: buildUscc('1', '330424', 410000001) }),
    row({ name: '海盐县养老服务协会', uscc: buildUscc('1', '330424', 410000009), category: 'public_welfare' }),
    row({ name: '海盐县书法家协会', category: 'science_technology' }),
    row({ name: '海盐县青少年发展基金会', legal_form: 'foundation', category: 'public_welfare' }),
    row({ name: '海盐县武原街道社区服务中心', legal_form: 'social_service_institution' }),
    row({ name: '嘉兴市养老护理学会', region_code: '330400' }),
    row({ name: '杭州市西湖区养老志愿者协会', region_code: '330106' }),
    row({ name: '海盐县旧城养老协会', status: 'deregistered' }),
    row({ name: '海盐县100%公益协会' }),
    row({ name: '海盐县100元公益协会' }),
    row({ name: '海盐县A_B科技学会' }),
    row({ name: '海盐县AxB科技学会' }),
    row({ name: "海盐县'OR 1=1--协会" }),
  ];
  for (const r of set) rows[r.name] = r;
  // Enough 养老 organizations for several pages.
  for (let i = 0; i < 120; i++) set.push(row({ name: `海盐县养老互助第${i}服务社`, legal_form: 'social_service_institution' }));
  importRows(d, set);
});
after(async () => { await d.stop(); });

test('a Chinese substring finds names: 养老 finds 海盐县养老服务协会', async () => {
  const r = await q('养老', '&limit=200');
  assert.equal(r.status, 200, r.text);
  const found = names(r);
  assert.ok(found.includes('海盐县养老服务协会'));
  assert.ok(found.includes('嘉兴市养老护理学会'));
  assert.ok(found.includes('海盐县旧城养老协会'), 'deregistered organizations stay in the register');
  assert.ok(!found.includes('海盐县书法家协会'));
  assert.equal(found.length, 125);
  for (const o of r.json.data) assert.ok(o.name.includes('养老'));
  // Three and four characters, and a string spanning the region's name.
  assert.deepEqual(names(await q('书法家')), ['海盐县书法家协会']);
  assert.deepEqual(names(await q('少年发展')), ['海盐县青少年发展基金会']);
  assert.deepEqual(names(await q('县书法')), ['海盐县书法家协会']);
  assert.deepEqual(names(await q('没有这样')), []);
  // Blanks around q do not matter.
  assert.deepEqual(names(await q('  书法家　')), ['海盐县书法家协会']);
});

test('an exact name ranks first, then the others in USCC order', async () => {
  const r = await q('海盐县养老服务协会');
  assert.equal(r.status, 200);
  assert.deepEqual(names(r), ['海盐县养老服务协会', '海盐县养老服务协会联合会']);
  assert.equal(r.json.data[0].exact, true);
  assert.equal(r.json.data[1].exact, false);
  // Without the exact match the order is the USCC's.
  const all = (await q('养老', '&limit=200')).json.data.map((o) => o.uscc);
  assert.deepEqual(all, [...all].sort());
});

test('USCC prefixes and whole codes', async () => {
  const code = rows['海盐县书法家协会'].uscc;
  let r = await q(code);
  assert.equal(r.status, 200);
  assert.equal(r.json.data[0].uscc, code);
  assert.equal(r.json.data[0].exact, true);
  r = await q(code.toLowerCase());
  assert.equal(r.json.data[0].uscc, code);
  r = await q('52330424', '&limit=200');
  assert.ok(r.json.data.length > 100);
  for (const o of r.json.data) assert.ok(o.uscc.startsWith('52330424'), o.uscc);
  // Letters and digits search codes by prefix and names by substring.
  r = await q('53');
  assert.deepEqual(names(r), ['海盐县养老互助第53服务社', '海盐县青少年发展基金会']);
  for (const o of r.json.data) assert.ok(o.uscc.startsWith('53') || o.name.includes('53'));
  // One letter or digit is a prefix search too.
  r = await q('5', '&limit=5');
  assert.equal(r.status, 200);
  assert.equal(r.json.data.length, 5);
  assert.deepEqual(names(await q('ZZZZ')), []);
});

test('former names are searchable and listed with their dates', async () => {
  await d.setClock('2024-03-01T02:00:00Z');
  await applicant.refresh();
  await registrar.refresh();
  // In 海宁市, away from the organizations the other tests count.
  const org = await approvedOrg(d, applicant, registrar, { region_code: '330481', name: `海宁市${fieldWord()}养老服务协会` });
  await d.setClock('2025-07-15T02:00:00Z');
  await applicant.refresh();
  await registrar.refresh();
  const renamed = org.name.replace('养老服务协会', '敬老协会');
  await approvedChange(d, applicant, registrar, org.uscc, { name: renamed });
  await d.setClock(new Date().toISOString());
  await applicant.refresh();
  await registrar.refresh();

  let r = await q(org.name);
  assert.deepEqual(r.json.data.map((o) => o.uscc), [org.uscc], 'the whole former name finds it, as an exact match');
  assert.equal(r.json.data[0].name, renamed);
  assert.equal(r.json.data[0].exact, true);
  const part = org.name.slice(3, 7);  // the field word and 养老, only in the former name
  r = await q(part);
  assert.ok(r.json.data.some((o) => o.uscc === org.uscc), part);
  r = await q('敬老');
  assert.ok(r.json.data.some((o) => o.uscc === org.uscc));

  const p = await d.api('GET', `/api/v1/orgs/${org.uscc}`);
  assert.equal(p.status, 200);
  assert.equal(p.json.data.name, renamed);
  assert.deepEqual(p.json.data.former_names, [{ name: org.name, from: '2024-03-01', to: '2025-07-15' }]);
  assert.ok(!p.text.includes(org.idNumber));
});

test('filters combine, and bad ones are refused with a code', async () => {
  let r = await search('legal_form=foundation&region=330424');
  assert.deepEqual(names(r), ['海盐县青少年发展基金会']);
  r = await q('养老', '&region=330424&legal_form=social_group&limit=200');
  assert.deepEqual(names(r).sort(), ['海盐县养老服务协会', '海盐县养老服务协会联合会', '海盐县旧城养老协会'].sort());
  r = await q('养老', '&region=330424&legal_form=social_group&status=registered&category=public_welfare');
  assert.deepEqual(names(r), ['海盐县养老服务协会']);
  r = await q('养老', '&status=deregistered');
  assert.deepEqual(names(r), ['海盐县旧城养老协会']);
  // A province or prefecture covers the regions under it.
  r = await q('养老', '&region=330000&limit=200');
  assert.ok(names(r).includes('杭州市西湖区养老志愿者协会'));
  assert.ok(names(r).includes('嘉兴市养老护理学会'));
  r = await q('养老', '&region=330400&limit=200');
  assert.ok(names(r).includes('嘉兴市养老护理学会'));
  assert.ok(names(r).includes('海盐县养老服务协会'));
  assert.ok(!names(r).includes('杭州市西湖区养老志愿者协会'));
  r = await q('养老', '&grade=5A');
  assert.deepEqual(names(r), []);
  // A region smaller than the gram's list drives the search; the answers are the same.
  r = await q('协会', '&region=330106');
  assert.deepEqual(names(r), ['杭州市西湖区养老志愿者协会']);
  r = await q('杭州市西湖区养老志愿者协会', '&region=330106');
  assert.deepEqual(names(r), ['杭州市西湖区养老志愿者协会']);
  assert.equal(r.json.data[0].exact, true);
  r = await q('协会', '&region=330424&limit=200');
  assert.ok(names(r).includes('海盐县书法家协会'));
  for (const o of r.json.data) assert.ok(o.name.includes('协会') && o.region_code === '330424');

  for (const [query, code] of [
    ['legal_form=company', 'invalid_legal_form'], ['category=sports', 'invalid_category'],
    ['status=active', 'invalid_status'], ['grade=6A', 'invalid_grade'], ['grade=a', 'invalid_grade'],
    ['region=33042', 'invalid_region'], ['region=33042x', 'invalid_region'], ['region=999999', 'unknown_region'],
    ['limit=0', 'invalid_limit'], ['limit=201', 'invalid_limit'], ['cursor=%%%', 'invalid_cursor'],
    ['cursor=eDEyMw', 'invalid_cursor'],
  ]) {
    r = await search(query);
    assert.equal(r.status, 400, query);
    assert.equal(r.json.code, code, query);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  }
});

test('pagination: the cursor walks every page once, without duplicates or gaps', async () => {
  const all = (await q('养老', '&limit=200')).json.data.map((o) => o.uscc);
  for (const limit of [1, 7, 50]) {
    const walked = (await walk(`q=${encodeURIComponent('养老')}`, limit)).map((o) => o.uscc);
    assert.deepEqual(walked, all, `limit ${limit}`);
  }
  // Exact matches first across pages too.
  const exact = (await walk(`q=${encodeURIComponent('海盐县养老服务协会')}`, 1)).map((o) => o.name);
  assert.deepEqual(exact, ['海盐县养老服务协会', '海盐县养老服务协会联合会']);
  // Browsing without q, by filters.
  const browse = (await walk('legal_form=social_service_institution', 13)).map((o) => o.uscc);
  assert.ok(browse.length >= 121);
  assert.deepEqual(browse, [...browse].sort());
  assert.equal(new Set(browse).size, browse.length);
});

test('% and _ in q are literal characters, not wildcards', async () => {
  assert.deepEqual(names(await q('100%')), ['海盐县100%公益协会']);
  assert.deepEqual(names(await q('0%公')), ['海盐县100%公益协会']);
  assert.deepEqual(names(await q('A_B')), ['海盐县A_B科技学会']);
  assert.deepEqual(names(await q('_B科')), ['海盐县A_B科技学会']);
  assert.deepEqual(names(await q('%%')), []);
  assert.deepEqual(names(await q('__')), []);
  assert.deepEqual(names(await q('!%')), []);
});

test('SQL metacharacters and hostile input are harmless', async () => {
  assert.deepEqual(names(await q("'OR 1=1--")), ["海盐县'OR 1=1--协会"]);
  for (const text of ["' OR '1'='1", '"; DROP TABLE orgs; --', '\\%', "\\'", '`id`', '协会\'; --', '𠮷𠮷', '\u00e9\u00e9',
    'a'.repeat(100), '养'.repeat(100)]) {
    const r = await q(text);
    assert.equal(r.status, 200, `${text}: ${r.text}`);
  }
  assert.equal((await q('x'.repeat(101))).json.code, 'q_too_long');
  assert.equal((await q('养'.repeat(101))).json.code, 'q_too_long');
  assert.equal((await q('x'.repeat(500))).status, 422);
  let r = await search('q=%FF%FE');
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'invalid_q');
  r = await search('q=%01%02');
  assert.equal(r.status, 400);
  for (const one of ['养', '\\', '%', "'"]) {
    r = await q(one);
    assert.equal(r.status, 422, one);
    assert.equal(r.json.code, 'q_too_short');
  }
  assert.ok(Number(d.sql('SELECT COUNT(*) FROM orgs')) > 100, 'the table is still there');
});

test('the profile: every field of Appendix A, ETag, conditional GET, and never an ID number', async () => {
  const code = rows['海盐县青少年发展基金会'].uscc;
  const r = await d.api('GET', `/api/v1/orgs/${code}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  const o = r.json.data;
  assert.deepEqual({ ...o, lists: undefined }, {
    uscc: code, org_id: `CN-USCI-${code}`, name: '海盐县青少年发展基金会', former_names: [], legal_form: 'foundation',
    category: 'public_welfare', region_code: '330424', region_name: '海盐县', domicile: '海盐县武原街道新桥北路1号',
    business_scope: '开展交流、培训与咨询服务', legal_representative_name: '张三', registered_at: '2015-06-01',
    status: 'registered', deregistered_at: null, grade: null, grade_valid_until: null, lists: undefined, version: 1,
    // Imported without them: the file has no activity area or funds.
    activity_area: null, funds_fen: null,
    // 登记管理机关: the civil-affairs department of the region, as a certificate names it.
    registration_authority: '海盐县民政局',
  });
  assert.deepEqual(o.lists, []);
  assert.equal((await d.api('GET', `/api/v1/orgs/${code}`, { headers: { 'If-None-Match': '"1"' } })).status, 304);
  assert.equal((await d.api('GET', `/api/v1/orgs/${code}`, { headers: { 'If-None-Match': '"2"' } })).status, 200);
  assert.equal((await d.api('GET', `/api/v1/orgs/${code.toLowerCase()}`)).json.data.uscc, code);
  for (const bad of ['53640000MJX1736997', 'nope', '5'.repeat(19), '%E4%B8%AD'.repeat(6)]) {
    const x = await d.api('GET', `/api/v1/orgs/${bad}`);
    assert.equal(x.status, 404, bad);
    assert.equal(x.json.code, 'not_found');
  }
  assert.equal((await d.api('DELETE', `/api/v1/orgs/${code}`)).status, 405);
});

test('history: every event, oldest first, with dates, reasons and changes', async () => {
  const code = rows['海盐县书法家协会'].uscc;
  let r = await d.api('GET', `/api/v1/orgs/${code}/history`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data.map((x) => x.type), ['establish', 'import']);
  const e = r.json.data[0];
  assert.equal(e.type, 'establish');
  assert.equal(e.effective_date, '2015-06-01');
  assert.equal(e.at, '2015-05-31T16:00:00Z', 'midnight in Beijing on the registration day');
  assert.equal(e.reason, null);
  assert.deepEqual(e.changes, []);
  assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  r = await d.api('GET', `/api/v1/orgs/${rows['海盐县旧城养老协会'].uscc}/history`);
  assert.deepEqual(r.json.data.map((x) => x.type), ['establish', 'deregister', 'import']);

  // Through the workflow: establish, then a change of name and legal representative.
  const org = await approvedOrg(d, applicant, registrar);
  const rep = { name: '李雷', id_number: idNumber('19850202', 77) };
  await approvedChange(d, applicant, registrar, org.uscc, { domicile: '海盐县秦山街道2号', legal_representative: rep });
  r = await d.api('GET', `/api/v1/orgs/${org.uscc}/history`);
  assert.deepEqual(r.json.data.map((x) => x.type), ['establish', 'change']);
  const changes = Object.fromEntries(r.json.data[1].changes.map((c) => [c.field, [c.old, c.new]]));
  assert.deepEqual(changes.domicile, ['海盐县武原街道新桥北路1号', '海盐县秦山街道2号']);
  assert.ok(!r.text.includes(rep.id_number), 'the new representative\'s ID number is not public');
  assert.ok(!r.text.includes(org.idNumber));
  // Paged like every list.
  const p1 = await d.api('GET', `/api/v1/orgs/${org.uscc}/history?limit=1`);
  assert.equal(p1.json.data[0].type, 'establish');
  const p2 = await d.api('GET', `/api/v1/orgs/${org.uscc}/history?limit=1&cursor=${p1.json.next_cursor}`);
  assert.equal(p2.json.data[0].type, 'change');
  assert.equal(p2.json.next_cursor, null);
  assert.equal((await d.api('GET', '/api/v1/orgs/53640000MJX1736997/history')).status, 404);
});

test('no public answer carries the legal representative\'s ID number', async () => {
  const org = await approvedOrg(d, applicant, registrar);
  assert.equal(d.sql(`SELECT legal_rep_id_number FROM orgs WHERE uscc = '${org.uscc}'`).trim(), org.idNumber);
  const answers = [
    await d.api('GET', `/api/v1/orgs/${org.uscc}`),
    await d.api('GET', `/api/v1/orgs/${org.uscc}/history`),
    await d.api('GET', `/api/v1/orgs/${org.uscc}/certificate`),
    await q(org.name),
    await q('养老', '&limit=200'),
    await search('limit=200'),
  ];
  for (const a of answers) {
    assert.equal(a.status, 200, a.text);
    assert.ok(!a.text.includes(org.idNumber));
    assert.ok(!a.text.includes('id_number'));
  }
});

test('a registrar binds the account that acts for an imported organization; it can then apply for it', async () => {
  const o = row({ name: '海盐县认领测试协会' });
  importRows(d, [o]);
  const registrar = await actor(d, 'registrar');
  const staff = await actor(d, 'applicant');
  const put = (who, body) => d.api('PUT', `/api/v1/orgs/${o.uscc}/owner`, { token: who && who.token, body });
  // Nobody acts for it yet.
  let r = await d.api('POST', '/api/v1/applications', { token: staff.token, body: { kind: 'change', org_uscc: o.uscc, changes: { domicile: '别处1号' } } });
  assert.equal(r.status, 403);
  assert.equal((await put(staff, { user_id: staff.id })).status, 403);
  assert.equal((await put(null, { user_id: staff.id })).status, 401);
  r = await put(registrar, { user_id: registrar.id });
  assert.deepEqual([r.status, r.json.errors && r.json.errors[0].code], [422, 'invalid_owner']);
  assert.equal((await put(registrar, {})).status, 422);
  assert.equal((await d.api('PUT', '/api/v1/orgs/53640000MJX1736997/owner', { token: registrar.token, body: { user_id: staff.id } })).status, 404);
  assert.deepEqual((await d.api('GET', `/api/v1/orgs/${o.uscc}/owner`, { token: registrar.token })).json.data,
    { uscc: o.uscc, owner_user_id: null, owner: null });
  assert.equal((await d.api('GET', `/api/v1/orgs/${o.uscc}/owner`, { token: staff.token })).status, 403);
  r = await put(registrar, { user_id: staff.id });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.owner_user_id, staff.id);
  assert.equal(r.json.data.owner.username, staff.username);
  assert.equal((await d.api('GET', `/api/v1/orgs/${o.uscc}/owner`, { token: registrar.token })).json.data.owner.id, staff.id);
  assert.deepEqual((await d.api('GET', '/api/v1/me/orgs', { token: staff.token })).json.data.map((x) => x.uscc), [o.uscc]);
  r = await d.api('POST', '/api/v1/applications', { token: staff.token, body: { kind: 'change', org_uscc: o.uscc, changes: { domicile: '别处1号' } } });
  assert.equal(r.status, 201, r.text);
  const audit = JSON.parse(d.sql(`SELECT summary FROM audit_log WHERE action = 'org.owner' AND object_id = '${o.uscc}'`).trim());
  assert.deepEqual(audit, { from_user_id: null, to_user_id: staff.id });
  // Unbound again: the account no longer acts for it.
  assert.deepEqual((await put(registrar, { user_id: null })).json.data, { uscc: o.uscc, owner_user_id: null, owner: null });
  assert.deepEqual((await d.api('GET', '/api/v1/me/orgs', { token: staff.token })).json.data, []);
  // Registrars do not list users: the staff give their login, in any case.
  r = await put(registrar, { username: staff.username.toUpperCase() });
  assert.deepEqual([r.status, r.json.data && r.json.data.owner_user_id], [200, staff.id]);
  r = await put(registrar, { username: 'no_such_login' });
  assert.deepEqual([r.status, r.json.errors[0].field, r.json.errors[0].code], [422, 'username', 'invalid_owner']);
  assert.equal((await put(registrar, { username: staff.username, user_id: staff.id })).status, 422);
  // A disabled account acts for nobody; a deregistered organization gets no new owner.
  const gone = await actor(d, 'applicant');
  const admin = await actor(d, 'admin');
  assert.equal((await d.api('PATCH', `/api/v1/users/${gone.id}`, { token: admin.token, body: { disabled: true } })).status, 200);
  r = await put(registrar, { username: gone.username });
  assert.deepEqual([r.status, r.json.errors[0].code], [422, 'invalid_owner']);
  const ended = row({ name: '海盐县已注销认领协会', status: 'deregistered' });
  importRows(d, [ended]);
  r = await d.api('PUT', `/api/v1/orgs/${ended.uscc}/owner`, { token: registrar.token, body: { user_id: staff.id } });
  assert.deepEqual([r.status, r.json.code], [409, 'org_not_registered']);
});

test('an organization is found by its org-id form too (CN-USCI-<code>)', async () => {
  const [o] = [row({ name: '海盐县组织标识测试协会' })];
  importRows(d, [o]);
  const r = await d.api('GET', `/api/v1/orgs/CN-USCI-${o.uscc}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.org_id, `CN-USCI-${o.uscc}`);
  assert.equal((await d.api('GET', `/api/v1/orgs/CN-USCI-${o.uscc}/history`)).status, 200);
  assert.equal((await d.api('GET', '/api/v1/orgs/CN-USCI-')).status, 404);
});

test('GET /api/v1/uscc/{code}: the worked example, and every way a code can be wrong', async () => {
  let r = await d.api('GET', '/api/v1/uscc/53640000MJX1736997');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.data, {
    valid: true, reason: null, code: '53640000MJX1736997', authority: '5', authority_name: '民政', category: '3',
    category_name: '基金会', region_code: '640000', region_name: '宁夏回族自治区', org_code: 'MJX173699',
    check_character: '7',
  });
  const reason = async (code) => {
    const x = await d.api('GET', `/api/v1/uscc/${code}`);
    assert.equal(x.status, 200, `${code}: ${x.text}`);
    assert.equal(x.json.data.valid, false, code);
    return x.json.data.reason;
  };
  assert.equal(await reason('53640000MJX1736998'), 'check_character');
  assert.equal(await reason('53640000MJX1736897'), 'org_code_check');
  assert.equal(await reason('53640000MJX17369'), 'length');
  assert.equal(await reason('53640000MJX17369977'), 'length');
  assert.equal(await reason('53640000MJI1736997'), 'charset');
  assert.equal(await reason('%E4%B8%AD%E5%9B%BD'), 'charset');
  assert.equal(await reason('%20'.repeat(18)), 'charset');
  assert.equal(await reason('X'.repeat(150)), 'length');
  // Right check characters, impossible parts (GB 32100 Table 1; a region of no province).
  const withChecks = (first16) => { const f17 = first16 + orgCheck(first16.slice(8, 16)); return f17 + usccCheck(f17); };
  assert.equal(await reason(withChecks('01330424MJ000001')), 'authority');
  assert.equal(await reason(withChecks('54330424MJ000001')), 'category');
  assert.equal(await reason(withChecks('5133042AMJ000001')), 'region');
  assert.equal(await reason(withChecks('51999999MJ000001')), 'region');
  // Codes of other authorities are codes too, decoded by name.
  r = await d.api('GET', '/api/v1/uscc/91310115591693856A');
  assert.deepEqual([r.json.data.valid, r.json.data.authority_name, r.json.data.category_name], [true, '工商', '企业']);
  r = await d.api('GET', '/api/v1/uscc/51100000500002862F');
  assert.deepEqual([r.json.data.valid, r.json.data.region_name], [true, '全国']);
  r = await d.api('GET', '/api/v1/uscc/53640000MJX1736998');
  assert.equal(r.json.data.region_code, '640000', 'the parts are shown even for an invalid code');
  // Lower case is the same code.
  r = await d.api('GET', '/api/v1/uscc/53640000mjx1736997');
  assert.equal(r.json.data.valid, true);
  // A code made here, and its region's name.
  r = await d.api('GET', `/api/v1/uscc/${rows['海盐县书法家协会'].uscc}`);
  assert.equal(r.json.data.valid, true);
  assert.equal(r.json.data.region_name, '海盐县');
  assert.equal(r.json.data.category_name, '社会团体');
});
