// Regions by name (SPEC Appendix C): GET /regions?q= finds a region by the start of its name, of
// its full name from any level down (with or without 省/市/县), or of its code; GET /regions/{code}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const search = (q, extra = '') => d.api('GET', `/api/v1/regions?q=${encodeURIComponent(q)}${extra}`);
const codes = (r) => r.json.data.map((x) => x.code);

test('a county by the start of its name, with its full name and level; no sign-in needed', async () => {
  const r = await search('海盐');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data[0], {
    code: '330424', name: '海盐县', full_name: '浙江省嘉兴市海盐县', level: 'county', parent_code: '330400', current: true,
  });
  const exact = await search('海盐县');
  assert.equal(exact.json.data[0].code, '330424');
});

test('a city finds itself first, then what lies in it by its full name', async () => {
  const r = await search('嘉兴', '&limit=100');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data[0].code, '330400', 'the city whose name it is comes first');
  assert.equal(r.json.data[0].level, 'prefecture');
  for (const c of ['330424', '330402', '330481']) assert.ok(codes(r).includes(c), `${c} in ${codes(r)}`);
  assert.ok(r.json.data.every((x) => x.full_name.includes('嘉兴')), 'nothing outside 嘉兴');
});

test('province and city prefixes work, written in full or as people type them', async () => {
  for (const q of ['浙江省嘉兴市海盐', '嘉兴市海盐县', '嘉兴海盐', '浙江嘉兴海盐', '嘉兴 海盐']) {
    const r = await search(q);
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    assert.deepEqual(codes(r), ['330424'], q);
  }
  const zj = await search('浙江', '&limit=5');
  assert.equal(zj.json.data[0].code, '330000');
  assert.equal(zj.json.data[0].parent_code, null);
  assert.equal(zj.json.data[0].level, 'province');
  assert.equal(zj.json.data.length, 5, 'limit caps the answer');
});

test('digits are a code prefix; exactly the code comes first', async () => {
  const r = await search('3304', '&limit=100');
  assert.ok(r.json.data.length > 5);
  assert.ok(codes(r).every((c) => c.startsWith('3304')));
  assert.equal((await search('330424')).json.data.length, 1);
  assert.deepEqual((await search('999')).json.data, [], 'no region: an empty list, not an error');
  assert.deepEqual((await search('火星')).json.data, []);
});

test('one region by code; unknown codes are 404; bad queries are 422 at the parameter', async () => {
  const r = await d.api('GET', '/api/v1/regions/330424');
  assert.equal(r.status, 200);
  assert.equal(r.json.data.full_name, '浙江省嘉兴市海盐县');
  for (const bad of ['330499', '33042', 'abcdef', '3304240']) {
    const x = await d.api('GET', `/api/v1/regions/${bad}`);
    assert.equal(x.status, 404, bad);
    assert.equal(x.json.code, 'not_found');
  }
  const cases = [['', 'q', 'required'], ['%20', 'q', 'required'], ['3304241', 'q', 'invalid_code'],
    ['海'.repeat(30), 'q', 'too_long']];
  for (const [q, field, code] of cases) {
    const x = await d.api('GET', `/api/v1/regions?q=${encodeURIComponent(q).replace('%2520', '%20')}`);
    assert.equal(x.status, 422, `${q}: ${x.text}`);
    assert.deepEqual(x.json.errors.map((e) => [e.field, e.code]), [[field, code]], q);
  }
  assert.equal((await d.api('GET', '/api/v1/regions')).status, 422);
  for (const l of ['0', '101', 'x', '5.5']) {
    const x = await search('海盐', `&limit=${l}`);
    assert.equal(x.status, 422, l);
    assert.equal(x.json.errors[0].field, 'limit');
  }
});
