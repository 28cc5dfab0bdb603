// registry.mjs — organizations for the integration tests of the register: CSV files for
// `sanzhid import orgs`, and organizations registered the way the bureau does it (application →
// documents → submit → accept → approve) when a test needs an owner, an ID number or a change.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildUscc, usccCheck, CATEGORY_DIGIT, csvLine, HEADER, FIELDS } from './gen-orgs.mjs';

export { buildUscc, usccCheck, csvLine, HEADER, FIELDS };

// Serial numbers for codes made up by the tests: high enough never to meet the ones the daemon
// issues at approval (those count from 1).
let serial = 400000000 + Math.floor(Math.random() * 1e6) * 100;
export const nextSerial = () => serial++;

// An import row, valid unless the caller spoils it.
export function row(over = {}) {
  const legal_form = over.legal_form || 'social_group';
  const region_code = over.region_code || '330424';
  return {
    uscc: buildUscc(CATEGORY_DIGIT[legal_form] || '1', region_code, nextSerial()),
    name: `海盐县${crypto.randomBytes(3).toString('hex')}协会`,
    legal_form,
    category: 'community_service',
    region_code,
    domicile: '海盐县武原街道新桥北路1号',
    business_scope: '开展交流、培训与咨询服务',
    legal_representative_name: '张三',
    registered_at: '2015-06-01',
    status: 'registered',
    ...over,
  };
}

// Writes rows (objects, or raw CSV lines as strings) under the header; returns the path.
export function writeCsv(dir, rows, { bom = false, crlf = false, header = HEADER, name } = {}) {
  const eol = crlf ? '\r\n' : '\n';
  const lines = [header, ...rows.map((r) => (typeof r === 'string' ? r : csvLine(FIELDS.map((f) => r[f]))))];
  const file = path.join(dir, name || `orgs-${crypto.randomBytes(4).toString('hex')}.csv`);
  fs.writeFileSync(file, (bom ? '\uFEFF' : '') + lines.join(eol) + eol);
  return file;
}

// Imports rows through the CLI; asserts the exit code when one is expected.
export function importRows(d, rows, { args = [], expect = 0, ...csv } = {}) {
  const file = writeCsv(d.dir, rows, csv);
  const r = d.cli(['import', 'orgs', file, ...args]);
  if (expect !== null) assert.equal(r.code, expect, `import exit ${r.code}: ${r.stderr}\n${r.stdout}`);
  return r;
}

// A valid 18-character resident ID (GB 11643).
export function idNumber(birth = '19800101', seq = 123) {
  const s = `330424${birth}${String(seq % 1000).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * w[i];
  return s + '10X98765432'[sum % 11];
}

// A user of the role, signed in: { username, id, token, refresh() }.
export async function actor(d, role) {
  const username = `${role}_${crypto.randomBytes(4).toString('hex')}`;
  const id = await d.addUser({ username, role, department: role === 'purchaser' ? '海盐县民政局' : undefined });
  const a = { username, id, token: await d.login(username) };
  a.refresh = async () => { a.token = await d.login(username); return a; };
  return a;
}

const DOCS = ['application_letter', 'charter', 'domicile_proof', 'fund_verification', 'legal_rep_id'];
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from([0, 0xff, 0xfe, 0x80]), crypto.randomBytes(64)]);

// Distinct field words for distinct names (names may not repeat among registered organizations).
const STEMS = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉';
let stem = Math.floor(Math.random() * 300);
export const fieldWord = () => {
  const n = stem++;
  return STEMS[Math.floor(n / 20) % 20] + STEMS[n % 20];
};

// Registers a social group through the whole application workflow; returns { uscc, name, idNumber }.
export async function approvedOrg(d, applicant, registrar, over = {}) {
  const body = {
    kind: 'establish', legal_form: 'social_group', category: 'community_service',
    name: `海盐县${fieldWord()}养老服务协会`, region_code: '330424', domicile: '海盐县武原街道新桥北路1号',
    business_scope: '养老服务交流、培训、咨询', activity_area: '海盐县', funds_fen: 3000000,
    legal_representative: { name: '张三', id_number: idNumber('19800101', Math.floor(Math.random() * 1000)) },
    members: { individual: 60, unit: 0 },
    contact: { name: '李四', phone: '13812345678', email: 'lisi@example.cn' },
    ...over,
  };
  let r = await d.api('POST', '/api/v1/applications', { token: applicant.token, body });
  assert.equal(r.status, 201, r.text);
  const id = r.json.data.id;
  for (const kind of DOCS) {
    r = await d.api('POST', `/api/v1/applications/${id}/documents?kind=${kind}&name=${kind}.pdf`,
      { token: applicant.token, raw: pdf(), headers: { 'Content-Type': 'application/pdf' } });
    assert.equal(r.status, 201, r.text);
  }
  await act(d, applicant, id, 'submit');
  await act(d, registrar, id, 'accept');
  const a = await act(d, registrar, id, 'approve');
  return { uscc: a.org_uscc, name: body.name, idNumber: body.legal_representative.id_number, body };
}

async function act(d, who, id, action, body) {
  const r = await d.api('POST', `/api/v1/applications/${id}/${action}`, { token: who.token, body });
  assert.equal(r.status, 200, `${action}: ${r.text}`);
  return r.json.data;
}

// A change application carried through to approval (changes: {name, domicile, legal_representative, …}).
export async function approvedChange(d, applicant, registrar, uscc, changes) {
  const r = await d.api('POST', '/api/v1/applications', { token: applicant.token, body: { kind: 'change', org_uscc: uscc, changes } });
  assert.equal(r.status, 201, r.text);
  const id = r.json.data.id;
  await act(d, applicant, id, 'submit');
  await act(d, registrar, id, 'accept');
  await act(d, registrar, id, 'approve');
}

// A deregistration carried through to approval.
export async function approvedDeregistration(d, applicant, registrar, uscc, reason = '会员大会决议解散') {
  const r = await d.api('POST', '/api/v1/applications', { token: applicant.token, body: { kind: 'deregister', org_uscc: uscc, reason } });
  assert.equal(r.status, 201, r.text);
  const id = r.json.data.id;
  await act(d, applicant, id, 'submit');
  await act(d, registrar, id, 'accept');
  await act(d, registrar, id, 'approve');
}
