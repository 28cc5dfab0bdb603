// Bulk import (SPEC Appendix A): `sanzhid import orgs FILE.csv [--strict]` — RFC 4180 CSV,
// every row validated, bad rows reported with their line numbers and skipped (or nothing imported
// with --strict), good rows in audited batches, then searchable like any organization.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startDaemon, BIN } from '../lib/daemon.mjs';
import { row, writeCsv, importRows, usccCheck, buildUscc, nextSerial, csvLine, FIELDS, HEADER } from '../bench/registry.mjs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const count = (where = '1') => Number(d.sql(`SELECT COUNT(*) FROM orgs WHERE ${where}`).trim());
const line = (o) => csvLine(FIELDS.map((f) => o[f]));
// "line N: code" pairs from the report on stderr.
const reported = (stderr) => [...stderr.matchAll(/^line (\d+): ([a-z_]+)/gm)].map((m) => `${m[1]}:${m[2]}`);
const summary = (stdout) => stdout.match(/imported (\d+), skipped (\d+)/).slice(1).map(Number);

test('a good file: every row imported, with its history, names and audit', async () => {
  const rows = [row({ name: '海盐县导入甲协会' }), row({ name: '海盐县导入乙基金会', legal_form: 'foundation', category: '' }),
    row({ name: '海盐县导入丙服务中心', legal_form: 'social_service_institution', status: 'deregistered' })];
  const r = importRows(d, rows);
  assert.deepEqual(summary(r.stdout), [3, 0]);
  assert.equal(reported(r.stderr).length, 0);
  const p = await d.api('GET', `/api/v1/orgs/${rows[1].uscc}`);
  assert.equal(p.status, 200);
  assert.equal(p.json.data.name, '海盐县导入乙基金会');
  assert.equal(p.json.data.category, null, 'an empty category is none');
  assert.equal(p.json.data.legal_form, 'foundation');
  assert.equal(d.sql(`SELECT source FROM orgs WHERE uscc = '${rows[0].uscc}'`).trim(), 'import');
  const h = await d.api('GET', `/api/v1/orgs/${rows[2].uscc}/history`);
  // Established on the register's day (midnight in Beijing: the file gives no hour), deregistered on a
  // day the file does not give, then entered into this system: three events, no English reasons.
  assert.deepEqual(h.json.data.map((e) => [e.type, e.reason]), [['establish', null], ['deregister', null], ['import', null]]);
  assert.equal(h.json.data[0].effective_date, rows[2].registered_at);
  assert.equal(h.json.data[0].at, new Date(Date.parse(`${rows[2].registered_at}T00:00:00+08:00`)).toISOString().replace('.000Z', 'Z'));
  // The file does not say when it was deregistered: the history does not invent a date.
  assert.equal(h.json.data[1].effective_date, null);
  assert.ok(Date.parse(h.json.data[2].at) > Date.parse(h.json.data[0].at), 'the import comes after');
  const dereg = (await d.api('GET', `/api/v1/orgs/${rows[2].uscc}`)).json.data;
  assert.equal(dereg.status, 'deregistered');
  assert.equal(dereg.deregistered_at, null);
  // A registered organization holds its name; a deregistered one does not.
  assert.equal(d.sql(`SELECT uscc FROM name_claims WHERE name = '海盐县导入甲协会'`).trim(), rows[0].uscc);
  assert.equal(d.sql(`SELECT COUNT(*) FROM name_claims WHERE name = '海盐县导入丙服务中心'`).trim(), '0');
  assert.equal(d.sql(`SELECT COUNT(*) FROM org_names WHERE uscc = '${rows[0].uscc}' AND to_date IS NULL`).trim(), '1');
  // One audit entry for the batch, naming its count and lines; the chain intact.
  const audit = d.sql("SELECT summary FROM audit_log WHERE action = 'org.import' ORDER BY seq DESC LIMIT 1").trim();
  const s = JSON.parse(audit);
  assert.equal(s.count, 3);
  assert.equal(s.first_line, 2);
  assert.equal(s.last_line, 4);
  assert.match(s.file, /\.csv$/);
  assert.equal(d.cli(['audit', 'verify']).code, 0);
});

test('imported organizations are searchable at once', async () => {
  const rows = [row({ name: '海盐县检索测试围棋协会' }), row({ name: '海盐县检索测试象棋协会' })];
  importRows(d, rows);
  let r = await d.api('GET', `/api/v1/orgs?q=${encodeURIComponent('检索测试')}`);
  assert.deepEqual(r.json.data.map((o) => o.name).sort(), ['海盐县检索测试围棋协会', '海盐县检索测试象棋协会']);
  r = await d.api('GET', `/api/v1/orgs?q=${encodeURIComponent('围棋')}`);
  assert.ok(r.json.data.some((o) => o.uscc === rows[0].uscc));
  r = await d.api('GET', `/api/v1/orgs?q=${rows[1].uscc.slice(0, 12)}`);
  assert.ok(r.json.data.some((o) => o.uscc === rows[1].uscc));
});

// A file where every kind of mistake sits on a known line.
function badFile() {
  const good1 = row({ name: '海盐县好行一协会' });
  const good2 = row({ name: '海盐县好行二协会' });
  const bad = (over) => row(over);
  const wrongCheck = row({ name: '海盐县校验错协会' });
  wrongCheck.uscc = wrongCheck.uscc.slice(0, 17) + (wrongCheck.uscc[17] === '0' ? '1' : '0');
  const notCivil = row({ name: '海盐县工商协会' });
  const first17 = `9${notCivil.uscc.slice(1, 17)}`;
  notCivil.uscc = first17 + usccCheck(first17);
  const lines = [
    line(good1),                                                            // 2
    line(wrongCheck),                                                       // 3
    line(bad({ region_code: '330499', name: '海盐县区划错协会' })),          // 4
    line(bad({ legal_form: 'company', name: '海盐县形式错协会' })),          // 5
    line(bad({ registered_at: '2023-02-30', name: '海盐县日期错协会' })),    // 6
    line(bad({ registered_at: '2999-01-01', name: '海盐县未来协会' })),      // 7
    line(bad({ status: 'active', name: '海盐县状态错协会' })),               // 8
    line(bad({ name: '' })),                                                // 9
    'a,b,c',                                                                // 10
    line(bad({ legal_form: 'foundation', uscc: good1.uscc.replace(/^51/, '51'), name: '海盐县类别错基金会' })), // 11
    line({ ...good2 }),                                                     // 12
    line({ ...good2, name: '海盐县重复代码协会' }),                          // 13 duplicate uscc
    line({ ...row(), name: '海盐县好行一协会' }),                            // 14 duplicate name
    line(notCivil),                                                         // 15
    line(bad({ category: 'sports', name: '海盐县类别名错协会' })),           // 16
    line(bad({ registered_at: '2020/01/01', name: '海盐县斜杠日期协会' })),  // 17
    line(bad({ name: '海盐县控制\u0001字符协会' })),                          // 18
  ];
  return { lines, good: [good1, good2] };
}
const EXPECTED_BAD = ['3:invalid_uscc', '4:unknown_region', '5:invalid_legal_form', '6:invalid_date', '7:date_in_future',
  '8:invalid_status', '9:name_required', '10:fields', '11:uscc_category', '13:duplicate_uscc', '14:duplicate_name',
  '15:uscc_authority', '16:invalid_category', '17:invalid_date', '18:invalid_name'];

test('codes must fit the row; certificate fields and real dates are required; blanks and case are tidied', async () => {
  const withChecks = (first17) => first17 + usccCheck(first17);
  const base = row({ name: '海盐县整理甲协会' });
  const other9 = row({ name: '海盐县其他类别协会' });
  other9.uscc = withChecks(`59330424${other9.uscc.slice(8, 17)}`);
  const letterRegion = row({ name: '海盐县区划字母协会' });
  letterRegion.uscc = withChecks(`5133042A${letterRegion.uscc.slice(8, 17)}`);
  const lines = [
    line({ ...base, uscc: base.uscc.toLowerCase(), name: `  ${base.name}　` }),  // 2 tidied, imported
    line(other9),                                                                    // 3
    line(letterRegion),                                                              // 4
    line(row({ name: '海盐县区划不符协会', region_code: '330481', uscc: row().uscc })), // 5 code of 330424
    line(row({ name: '海盐县无住所协会', domicile: ' ' })),                           // 6
    line(row({ name: '海盐县无法人协会', legal_representative_name: '' })),            // 7
    line(row({ name: '海盐县无业务协会', business_scope: '' })),                       // 8
    line(row({ name: '会' })),                                                        // 9
    line(row({ name: '海盐县太早协会', registered_at: '1900-01-01' })),                // 10
    line(row({ name: '海盐县市级登记协会', uscc: buildUscc('1', '330400', nextSerial()) })), // 11 prefecture's code: fits
    // A code keeps the region it was issued in: 下城区 (330103, merged into 拱墅区 in 2021) fits a row
    // of 拱墅区; 崇文区 (110103, gone since 2010) is Beijing's, not Zhejiang's.
    line(row({ name: '杭州市拱墅区旧码协会', region_code: '330105', uscc: buildUscc('1', '330103', nextSerial()) })), // 12
    line(row({ name: '海盐县外省旧码协会', uscc: buildUscc('1', '110103', nextSerial()) })),      // 13
  ];
  const r = importRows(d, lines, { expect: 1 });
  assert.deepEqual(reported(r.stderr), ['3:uscc_category', '4:invalid_uscc', '5:uscc_region', '6:domicile_required',
    '7:legal_representative_name_required', '8:business_scope_required', '9:invalid_name', '10:invalid_date',
    '13:uscc_region']);
  assert.deepEqual(summary(r.stdout), [3, 9]);
  const p = (await d.api('GET', `/api/v1/orgs/${base.uscc}`)).json.data;
  assert.equal(p.name, base.name);
  const s = await d.api('GET', `/api/v1/orgs?q=${encodeURIComponent(base.name)}`);
  assert.equal(s.json.data[0].uscc, base.uscc);
  assert.equal(s.json.data[0].exact, true);
});

test('--strict: the first bad row stops the import and nothing is imported', async () => {
  const before_ = count();
  const { lines } = badFile();
  const r = importRows(d, lines, { args: ['--strict'], expect: 1 });
  assert.deepEqual(reported(r.stderr), ['3:invalid_uscc']);
  assert.match(r.stdout, /imported 0/);
  assert.equal(count(), before_);
});

test('bad rows are reported with their line numbers and reasons and skipped; good rows land', async () => {
  const before_ = count();
  const { lines, good } = badFile();
  const r = importRows(d, lines, { expect: 1 });
  assert.deepEqual(reported(r.stderr), EXPECTED_BAD);
  assert.deepEqual(summary(r.stdout), [2, EXPECTED_BAD.length]);
  assert.equal(count(), before_ + 2);
  for (const o of good) assert.equal((await d.api('GET', `/api/v1/orgs/${o.uscc}`)).status, 200);
  assert.match(r.stderr, /line 13: duplicate_uscc: .* also on line 12/);
  assert.match(r.stderr, /line 14: duplicate_name: .*line 2/);
});

test('rows already in the register are duplicates: the same code, or a name a registered organization holds', async () => {
  const o = row({ name: '海盐县已在册协会' });
  importRows(d, [o]);
  let r = importRows(d, [o], { expect: 1 });
  assert.deepEqual(reported(r.stderr), ['2:uscc_exists']);
  assert.deepEqual(summary(r.stdout), [0, 1]);
  r = importRows(d, [row({ name: '海盐县已在册协会' })], { expect: 1 });
  assert.deepEqual(reported(r.stderr), ['2:name_taken']);
  // A deregistered organization may share a name.
  r = importRows(d, [row({ name: '海盐县已在册协会', status: 'deregistered' })]);
  assert.deepEqual(summary(r.stdout), [1, 0]);
  // --strict also checks the database before importing anything.
  const n = count();
  r = importRows(d, [row({ name: '海盐县新的一家协会' }), o], { args: ['--strict'], expect: 1 });
  assert.deepEqual(reported(r.stderr), ['3:uscc_exists']);
  assert.equal(count(), n);
});

test('RFC 4180: BOM, CRLF, quoted commas, doubled quotes and line breaks inside quotes', async () => {
  const tricky = row({ name: '海盐县"引号",逗号协会', business_scope: '第一行\n第二行，含"引号"与,逗号', domicile: '海盐县,武原街道' });
  const after_ = row({ name: '海盐县换行之后协会' });
  const bad = row({ name: '海盐县换行后坏行协会', region_code: '330499' });
  const r = importRows(d, [tricky, after_, bad], { bom: true, crlf: true, expect: 1 });
  // The quoted field spans lines 2-3, so the rows after it are on lines 4 and 5.
  assert.deepEqual(reported(r.stderr), ['5:unknown_region']);
  const p = await d.api('GET', `/api/v1/orgs/${tricky.uscc}`);
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.data.name, '海盐县"引号",逗号协会');
  assert.equal(p.json.data.business_scope, '第一行\n第二行，含"引号"与,逗号');
  assert.equal(p.json.data.domicile, '海盐县,武原街道');
  assert.equal((await d.api('GET', `/api/v1/orgs/${after_.uscc}`)).status, 200);
  const s = await d.api('GET', `/api/v1/orgs?q=${encodeURIComponent('"引号",逗')}`);
  assert.deepEqual(s.json.data.map((o) => o.uscc), [tricky.uscc]);
  // CRLF inside the quotes is kept as written; blank lines are skipped.
  const file = path.join(d.dir, 'blank.csv');
  const o = row({ name: '海盐县空行协会', business_scope: 'a\r\nb' });
  fs.writeFileSync(file, `${HEADER}\r\n\r\n${line(o)}\r\n\r\n`);
  const x = d.cli(['import', 'orgs', file]);
  assert.equal(x.code, 0, x.stderr);
  assert.equal((await d.api('GET', `/api/v1/orgs/${o.uscc}`)).json.data.business_scope, 'a\r\nb');
});

test('malformed CSV: stray and unterminated quotes are bad rows with their lines', async () => {
  const ok = row({ name: '海盐县引号前协会' });
  const r = importRows(d, [line(ok), `${row().uscc},海盐县坏"引号协会,social_group,,330424,x,y,z,2015-01-01,registered`,
    `"${row().uscc}"x,海盐县坏二协会,social_group,,330424,x,y,z,2015-01-01,registered`,
    `${row().uscc},"海盐县未闭合协会,social_group,,330424,x,y,z,2015-01-01,registered`], { expect: 1 });
  assert.deepEqual(reported(r.stderr), ['3:malformed_quotes', '4:malformed_quotes', '5:unterminated_quote']);
  assert.deepEqual(summary(r.stdout), [1, 3]);
});

test('usage and file errors exit 2 and import nothing', async () => {
  const n = count();
  let r = d.cli(['import', 'orgs']);
  assert.equal(r.code, 2);
  r = d.cli(['import', 'orgs', path.join(d.dir, 'missing.csv')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read/);
  r = d.cli(['import', 'orgs', writeCsv(d.dir, [row()], { header: 'uscc,name' })]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /header/);
  r = d.cli(['import', 'orgs', writeCsv(d.dir, [row()], { header: HEADER.replace('status', 'state') })]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /column 10/);
  r = d.cli(['import', 'orgs', writeCsv(d.dir, []), '--bogus']);
  assert.equal(r.code, 2);
  r = d.cli(['import', 'orgs', d.dir]);
  assert.equal(r.code, 2);
  fs.writeFileSync(path.join(d.dir, 'empty.csv'), '');
  r = d.cli(['import', 'orgs', path.join(d.dir, 'empty.csv')]);
  assert.equal(r.code, 2);
  assert.equal(count(), n);
  // A header and nothing else is an empty, successful import.
  r = d.cli(['import', 'orgs', writeCsv(d.dir, [])]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(summary(r.stdout), [0, 0]);
});

test('a larger file lands in several batches, each audited, on several threads', async () => {
  const rows = [];
  for (let i = 0; i < 12000; i++) rows.push(row({ name: `海盐县批量${i}号协会` }));
  const seqBefore = Number(d.sql('SELECT COALESCE(MAX(seq), 0) FROM audit_log').trim());
  // stderr is a pipe here: progress comes as plain lines.
  const r = spawnSync(BIN, ['import', 'orgs', writeCsv(d.dir, rows), '--threads', '3'], { env: d.env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(summary(r.stdout), [12000, 0]);
  assert.match(r.stderr, /^importing: 12000\/12000 rows \(100%\)/m, r.stderr);
  assert.ok(!r.stderr.includes('\r'), 'no bar redrawn on a pipe');
  const batches = d.sql(`SELECT summary FROM audit_log WHERE action = 'org.import' AND seq > ${seqBefore}`).trim().split('\n')
    .map((s) => JSON.parse(s));
  assert.ok(batches.length >= 3, `${batches.length} batches`);
  assert.equal(batches.reduce((a, b) => a + b.count, 0), 12000);
  assert.equal(count(`name LIKE '海盐县批量%'`), 12000);
  const s = await d.api('GET', `/api/v1/orgs?q=${encodeURIComponent('批量11999号')}`);
  assert.deepEqual(s.json.data.map((o) => o.name), ['海盐县批量11999号协会']);
  assert.equal(d.cli(['audit', 'verify']).code, 0);
});
