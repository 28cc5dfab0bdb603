// The register search by credit (SPEC §4, §5): grade= counts a grade only while it is valid,
// grade=none finds those without a valid grade; listed=abnormal|serious finds the organizations
// on that list now, listed=none those on neither. The filters combine with q and the others and
// page by keyset; a bad value is 400 with the filter's code and field; and a new grade, listing or
// removal shows at once in the cached profile and in the search.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';
import { actor, row, importRows } from '../bench/registry.mjs';

let d, registrar;
const o = {};   // name → uscc

const at = (date) => new Date(Date.parse(`${date}T10:00:00+08:00`)).toISOString();
async function clock(date) {
  await d.setClock(at(date));
  await registrar.refresh();
}

const post = (p, body) => d.api('POST', p, { token: registrar.token, body });
async function ok(pending, status = 201) {
  const r = await pending;
  assert.equal(r.status, status, r.text);
  return r.json.data;
}
const grade = (uscc, score, decided_on = '2026-03-01') => ok(post(`/api/v1/orgs/${uscc}/grade`, { score, decided_on, basis: '社会组织评估' }));
const listing = (uscc, list, reason) => ok(post(`/api/v1/orgs/${uscc}/list-entries`, { list, reason, evidence: '核查记录' }));
const removal = (uscc, id) => ok(post(`/api/v1/orgs/${uscc}/list-entries/${id}/remove`, { reason: '已整改' }), 200);
const warning = (uscc) => ok(post(`/api/v1/orgs/${uscc}/credit-events`, { kind: 'penalty', penalty_type: 'warning',
  decision_number: '盐民罚〔2026〕7号', basis: '《社会团体登记管理条例》第三十条', authority: '海盐县民政局', decided_on: '2026-03-02' }));

const search = async (query) => {
  const r = await d.api('GET', `/api/v1/orgs?${query}`);
  assert.equal(r.status, 200, `${query}: ${r.text}`);
  return r.json;
};
// The names a search finds (one page of up to 200), sorted.
const found = async (query) => (await search(`${query}&limit=200`)).data.map((x) => x.name).sort();
const Q = `q=${encodeURIComponent('信评')}`;
const profile = async (uscc) => (await d.api('GET', `/api/v1/orgs/${uscc}`)).json.data;

// Every page of a search, following next_cursor.
async function walk(query, limit) {
  const seen = [];
  let cursor = null;
  for (let pages = 0; pages < 500; pages++) {
    const page = await search(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.data.map((x) => x.uscc));
    cursor = page.next_cursor;
    if (!cursor) return seen;
    assert.equal(page.data.length, limit, 'only the last page may be short');
  }
  throw new Error('too many pages');
}

// Names carry the bigram 信评, so q=信评 finds exactly these; the letter is the role in the tests.
const NAMES = {
  A: '海盐县信评甲协会',        // 5A, valid
  B: '海盐县信评乙协会',        // 4A of 2020, expired 2025-02-28
  C: '海盐县信评丙协会',        // 4A, valid
  D: '海盐县信评丁协会',        // abnormal (unreachable)
  E: '海盐县信评戊协会',        // serious (court_dishonest)
  F: '海盐县信评己协会',        // abnormal and serious
  G: '海盐县信评庚协会',        // abnormal twice
  H: '海盐县信评辛协会',        // nothing
  J: '杭州市西湖区信评壬协会',  // serious, another region
  K: '海盐县信评癸基金会',      // 5A foundation, abnormal by a penalty's consequence
};
const n = (...letters) => letters.map((l) => NAMES[l]).sort();
const entries = {};   // letter → [list entry ids]

before(async () => {
  d = await startDaemon();
  registrar = await actor(d, 'registrar');
  const rows = Object.entries(NAMES).map(([letter, name]) => {
    const r = row({ name, registered_at: '2015-06-01',
      ...(letter === 'J' ? { region_code: '330106' } : {}), ...(letter === 'K' ? { legal_form: 'foundation' } : {}) });
    o[letter] = r.uscc;
    return r;
  });
  importRows(d, rows);
  await clock('2026-03-10');
  await grade(o.A, 950);
  await grade(o.B, 850, '2020-03-01');
  await grade(o.C, 820);
  await grade(o.K, 930);
  entries.D = [(await listing(o.D, 'abnormal', 'unreachable')).id];
  entries.E = [(await listing(o.E, 'serious', 'court_dishonest')).id];
  entries.F = [(await listing(o.F, 'abnormal', 'unreachable')).id, (await listing(o.F, 'serious', 'court_dishonest')).id];
  entries.G = [(await listing(o.G, 'abnormal', 'unreachable')).id, (await listing(o.G, 'abnormal', 'rectification_incomplete')).id];
  entries.J = [(await listing(o.J, 'serious', 'other')).id];
  const w = await warning(o.K);
  assert.deepEqual(w.consequences.map((e) => `${e.list}:${e.reason}`), ['abnormal:small_penalty']);
});
after(async () => { await d.stop(); });

test('grade= counts a grade only while it is valid; grade=none finds the rest', async () => {
  assert.equal((await profile(o.B)).grade_valid_until, '2025-02-28');
  assert.deepEqual(await found(`${Q}&grade=5A`), n('A', 'K'));
  assert.deepEqual(await found(`${Q}&grade=4A`), n('C'), 'the expired 4A is not a 4A');
  assert.deepEqual(await found(`${Q}&grade=3A`), []);
  assert.deepEqual(await found(`${Q}&grade=none`), n('B', 'D', 'E', 'F', 'G', 'H', 'J'));
  // Without q: the register browsed by grade.
  assert.deepEqual(await found('grade=5A'), n('A', 'K'));
  assert.deepEqual(await found('grade=4A'), n('C'));
  assert.deepEqual(await found('grade=none'), n('B', 'D', 'E', 'F', 'G', 'H', 'J'));
  // An entry shows its last grade and when it ran out, as the profile does.
  const b = (await search(`${Q}&grade=none&limit=200`)).data.find((x) => x.uscc === o.B);
  assert.deepEqual([b.grade, b.grade_valid_until], ['4A', '2025-02-28']);
  // Combined with the other filters.
  assert.deepEqual(await found(`${Q}&grade=5A&legal_form=foundation`), n('K'));
  assert.deepEqual(await found(`grade=5A&legal_form=social_group`), n('A'));
  assert.deepEqual(await found(`${Q}&grade=none&region=330106`), n('J'));
  assert.deepEqual(await found(`${Q}&grade=5A&status=deregistered`), []);
});

test('listed= finds the organizations on a list now, or on none; each once', async () => {
  assert.deepEqual(await found(`${Q}&listed=abnormal`), n('D', 'F', 'G', 'K'));
  assert.deepEqual(await found(`${Q}&listed=serious`), n('E', 'F', 'J'));
  assert.deepEqual(await found(`${Q}&listed=none`), n('A', 'B', 'C', 'H'));
  for (const list of ['abnormal', 'serious', 'none']) {
    assert.deepEqual(await found(`listed=${list}`), await found(`${Q}&listed=${list}`), `browse listed=${list}`);
  }
  // G has two current entries on the abnormal list: one organization, found once.
  const g = (await search('listed=abnormal&limit=200')).data.filter((x) => x.uscc === o.G);
  assert.equal(g.length, 1);
  // Combined with q (a whole name: its grams drive, the list confirms), the other filters and grade.
  assert.deepEqual(await found(`q=${encodeURIComponent(NAMES.F)}&listed=serious`), n('F'));
  assert.deepEqual(await found(`q=${encodeURIComponent(NAMES.F)}&listed=none`), []);
  assert.deepEqual(await found(`q=${encodeURIComponent('戊协')}&listed=serious`), n('E'));
  assert.deepEqual(await found(`${Q}&listed=serious&region=330106`), n('J'));
  assert.deepEqual(await found(`listed=serious&region=330424`), n('E', 'F'));
  // A browse where a county or a grade has fewer organizations than the list: they drive, the list confirms.
  assert.deepEqual(await found(`listed=serious&region=330106`), n('J'));
  assert.deepEqual(await found(`listed=abnormal&region=330106`), []);
  assert.deepEqual(await found(`listed=abnormal&grade=5A`), n('K'));
  assert.deepEqual(await found(`listed=serious&grade=5A`), []);
  assert.deepEqual(await found(`${Q}&listed=abnormal&grade=5A`), n('K'));
  assert.deepEqual(await found(`listed=abnormal&legal_form=foundation`), n('K'));
  assert.deepEqual(await found(`${Q}&listed=none&grade=none`), n('B', 'H'));
  assert.deepEqual(await found(`${Q}&listed=abnormal&category=science_technology`), []);
  // An exact name comes first, and the filters hold for it too.
  let r = await search(`q=${encodeURIComponent(NAMES.E)}&listed=serious`);
  assert.deepEqual(r.data.map((x) => [x.name, x.exact]), [[NAMES.E, true]]);
  r = await search(`q=${encodeURIComponent(NAMES.E)}&listed=abnormal`);
  assert.deepEqual(r.data, []);
});

test('keyset pages over the filters: every organization once, in USCC order', async () => {
  for (const query of ['listed=abnormal', 'listed=serious', 'listed=none', 'grade=none', 'grade=5A',
    `${Q}&listed=abnormal`, `${Q}&listed=none`, `${Q}&grade=none&listed=none`]) {
    const all = (await search(`${query}&limit=200`)).data.map((x) => x.uscc);
    assert.deepEqual(all, [...all].sort(), query);
    for (const limit of [1, 2, 3]) assert.deepEqual(await walk(query, limit), all, `${query} by ${limit}`);
  }
});

test('a bad grade or listed is 400 with its code and field; an empty one is no filter', async () => {
  for (const [query, code, field] of [
    ['grade=6A', 'invalid_grade', 'grade'], ['grade=None', 'invalid_grade', 'grade'], ['grade=5a', 'invalid_grade', 'grade'],
    ['grade=5A,4A', 'invalid_grade', 'grade'], ['listed=yes', 'invalid_listed', 'listed'],
    ['listed=ABNORMAL', 'invalid_listed', 'listed'], ['listed=abnormal,serious', 'invalid_listed', 'listed'],
    ['listed=' + 'x'.repeat(100), 'invalid_listed', 'listed'], ['listed=%00', 'invalid_listed', 'listed'],
    [`${Q}&listed=1`, 'invalid_listed', 'listed'], ['region=12345', 'invalid_region', 'region'],
  ]) {
    const r = await d.api('GET', `/api/v1/orgs?${query}`);
    assert.equal(r.status, 400, query);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(r.json.code, code, query);
    assert.deepEqual(r.json.errors.map((e) => `${e.field}:${e.code}`), [`${field}:invalid_choice`], query);
  }
  assert.deepEqual(await found(`${Q}&listed=&grade=`), await found(Q));
});

test('a new grade, listing or removal shows at once in the cached profile and in the search', async () => {
  const r = row({ name: `海盐县核验${crypto.randomBytes(2).toString('hex')}协会`, registered_at: '2015-06-01' });
  importRows(d, [r]);
  const uscc = r.uscc, mine = `q=${encodeURIComponent(r.name)}`;
  const has = async (query) => (await search(`${mine}&${query}`)).data.some((x) => x.uscc === uscc);
  const browses = async (query) => (await walk(query, 200)).includes(uscc);
  let p = await profile(uscc);   // now cached
  assert.deepEqual([p.grade, p.lists], [null, []]);
  assert.equal(await has('grade=none'), true);
  assert.equal(await has('listed=none'), true);

  await grade(uscc, 905);
  p = await profile(uscc);
  assert.deepEqual([p.grade, p.grade_valid_until], ['5A', '2031-02-28']);
  assert.equal(await has('grade=5A'), true);
  assert.equal(await has('grade=none'), false);
  assert.equal(await browses('grade=5A'), true);

  const e1 = await listing(uscc, 'abnormal', 'unreachable');
  p = await profile(uscc);
  assert.deepEqual(p.lists.map((x) => x.id), [e1.id]);
  assert.equal(await has('listed=abnormal'), true);
  assert.equal(await has('listed=none'), false);
  assert.equal(await browses('listed=abnormal'), true);
  // A penalty's consequence lists too; two entries on one list now.
  const w = await warning(uscc);
  const e2 = w.consequences[0];
  assert.equal((await profile(uscc)).lists.length, 2);

  // Removing one of two entries leaves the organization on the list; removing the last takes it off.
  await removal(uscc, e1.id);
  p = await profile(uscc);
  assert.deepEqual(p.lists.map((x) => x.id), [e2.id]);
  assert.equal(await has('listed=abnormal'), true);
  assert.equal(await browses('listed=abnormal'), true);
  await removal(uscc, e2.id);
  p = await profile(uscc);
  assert.deepEqual(p.lists, []);
  assert.equal(await has('listed=abnormal'), false);
  assert.equal(await has('listed=none'), true);
  assert.equal(await browses('listed=abnormal'), false);
  assert.equal(await browses('listed=none'), true);
  assert.equal(d.sql(`SELECT COUNT(*) FROM org_lists WHERE uscc = '${uscc}'`).trim(), '0');
});

test('org_lists holds exactly the current list entries, per organization and list', async () => {
  const drift = d.sql(`SELECT COUNT(*) FROM (
      SELECT list, uscc FROM org_lists
      UNION ALL SELECT DISTINCT list, uscc FROM list_entries WHERE status = 'listed') x
    GROUP BY list, uscc HAVING COUNT(*) <> 2`).trim();
  assert.equal(drift, '');
});

test('the sweep\'s automatic listings keep org_lists too: a late report is found by listed=abnormal', async () => {
  const admin = await actor(d, 'admin');
  const r = row({ name: `海盐县迟报${crypto.randomBytes(2).toString('hex')}协会`, registered_at: '2015-06-01' });
  importRows(d, [r]);
  // On the platform since 2024: its 2024 report was due 2025-05-31 and never came.
  d.sql(`UPDATE orgs SET created_at = '2024-01-02 02:00:00' WHERE uscc = '${r.uscc}'`);
  const mine = `q=${encodeURIComponent(r.name)}`;
  assert.deepEqual((await search(`${mine}&listed=abnormal`)).data, []);
  const sw = await d.api('POST', '/api/v1/admin/sweep', { token: admin.token });
  assert.equal(sw.status, 200, sw.text);
  const late = sw.json.data.rules.filter((x) => x.rule === 'annual_report_late').reduce((a, x) => a + x.changed, 0);
  assert.ok(late >= 1, sw.text);
  assert.deepEqual((await search(`${mine}&listed=abnormal`)).data.map((x) => x.uscc), [r.uscc]);
  assert.deepEqual((await search(`${mine}&listed=none`)).data, []);
  assert.ok((await walk('listed=abnormal', 200)).includes(r.uscc));
  assert.equal((await profile(r.uscc)).lists[0].reason, 'annual_report_late');
  const drift = d.sql(`SELECT COUNT(*) FROM (
      SELECT list, uscc FROM org_lists
      UNION ALL SELECT DISTINCT list, uscc FROM list_entries WHERE status = 'listed') x
    GROUP BY list, uscc HAVING COUNT(*) <> 2`).trim();
  assert.equal(drift, '');
});

// Last: it moves the clock on.
test('a grade that runs out leaves grade= on the day after its validity, with no write', async () => {
  await clock('2031-02-28');
  assert.deepEqual(await found(`${Q}&grade=5A`), n('A', 'K'), 'valid through its last day');
  await clock('2031-03-01');
  assert.deepEqual(await found(`${Q}&grade=5A`), []);
  assert.deepEqual(await found(`${Q}&grade=4A`), []);
  assert.ok((await found(`${Q}&grade=none`)).includes(NAMES.A));
  assert.deepEqual(await found('grade=5A'), []);
});
