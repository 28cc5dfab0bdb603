// Documents of an application (SPEC §4, Appendix A): PDF, JPEG or PNG checked by content,
// SHA-256, size and media type stored; upload/delete by the owner while editable; download by the
// owner and registrars. This daemon runs with a 64 KiB document limit (SANZHI_DOCUMENT_LIMIT).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';

const LIMIT = 65536;
let d, registrar, owner, other;

function idNumber(birth = '19800101', seq = 123) {
  const s = `330424${birth}${String(seq % 1000).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * w[i];
  return s + '10X98765432'[sum % 11];
}
const STEMS = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉';
let n = 0;
const application = () => ({
  kind: 'establish', legal_form: 'social_group', category: 'community_service',
  name: `海盐县${STEMS[Math.floor(n / 20) % 20]}${STEMS[n++ % 20]}文化交流协会`, region_code: '330424',
  domicile: '海盐县武原街道1号', business_scope: '文化交流', activity_area: '海盐县', funds_fen: 3000000,
  legal_representative: { name: '张三', id_number: idNumber() }, members: { individual: 60, unit: 0 },
  contact: { name: '李四', phone: '13812345678' },
});
const REQUIRED = ['application_letter', 'charter', 'domicile_proof', 'fund_verification', 'legal_rep_id'];

// Right first bytes, then bytes no text decoder survives (NUL, invalid UTF-8).
const pdf = (size = 300) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from([0, 0xff, 0xfe, 0x80, 0xc3, 0x28]),
  crypto.randomBytes(size)]);
const png = (size = 300) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(size)]);
const jpeg = (size = 300) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xdb]), crypto.randomBytes(size)]);
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

const docsUrl = (id, q = '') => `/api/v1/applications/${id}/documents${q}`;
function upload(token, id, { kind = 'charter', name = 'charter.pdf', body = pdf(), type = 'application/pdf', headers = {} } = {}) {
  const h = { ...headers };
  if (type !== null) h['Content-Type'] = type;
  const q = new URLSearchParams();
  if (kind !== null) q.set('kind', kind);
  if (name !== null) q.set('name', name);
  return d.api('POST', docsUrl(id, `?${q}`), { token, raw: body, headers: h });
}
async function download(token, id, docId) {
  const r = await fetch(`${d.url}${docsUrl(id)}/${docId}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}
async function newDraft(token = owner) {
  const r = await d.api('POST', '/api/v1/applications', { token, body: application() });
  assert.equal(r.status, 201, r.text);
  return r.json.data.id;
}

before(async () => {
  d = await startDaemon({ env: { SANZHI_DOCUMENT_LIMIT: String(LIMIT) } });
  registrar = await d.as('registrar');
  owner = await d.as('applicant');
  other = await d.as('applicant');
});
after(async () => { await d.stop(); });

test('PDF, JPEG and PNG are stored byte for byte with their SHA-256, size and media type', async () => {
  const id = await newDraft();
  const files = [['charter', 'charter.pdf', pdf(5000), 'application/pdf'], ['legal_rep_id', '身份证正面.jpg', jpeg(), 'image/jpeg'],
    ['domicile_proof', 'lease.png', png(), 'image/png']];
  const ids = [];
  for (const [kind, name, body, type] of files) {
    const r = await upload(owner, id, { kind, name, body, type });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual({ ...r.json.data, id: 0 }, { id: 0, application_id: id, kind, name, sha256: sha256(body), size: body.length,
      media_type: type });
    ids.push(r.json.data.id);
  }
  const listed = await d.api('GET', docsUrl(id), { token: owner });
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.json.data.map((x) => x.id), ids);
  assert.deepEqual(listed.json.data.map((x) => x.sha256), files.map((f) => sha256(f[2])));
  const app = await d.api('GET', `/api/v1/applications/${id}`, { token: owner });
  assert.equal(app.json.data.documents.length, 3);
  assert.equal(app.json.data.version, 4);

  for (let i = 0; i < files.length; i++) {
    const r = await download(owner, id, ids[i]);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(files[i][2]), `${files[i][1]} came back changed`);
    assert.equal(r.headers.get('content-type'), files[i][3]);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('content-disposition'), /^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''/);
  }
  const cd = (await download(owner, id, ids[1])).headers.get('content-disposition');
  assert.equal(decodeURIComponent(cd.split("filename*=UTF-8''")[1]), '身份证正面.jpg');
  assert.match(cd, /filename="_+\.jpg"/);
  assert.equal(d.sql(`SELECT SHA2(content, 256) FROM application_documents WHERE id = ${ids[0]}`).trim(), sha256(files[0][2]));
});

test('the content must be what Content-Type says: wrong type 415, mismatched magic bytes 422', async () => {
  const id = await newDraft();
  let r = await upload(owner, id, { type: 'text/plain', body: Buffer.from('hello') });
  assert.equal(r.status, 415);
  assert.equal(r.json.code, 'unsupported_media_type');
  r = await upload(owner, id, { type: 'application/octet-stream' });
  assert.equal(r.status, 415);
  r = await upload(owner, id, { type: 'image/gif', body: Buffer.from('GIF89a....') });
  assert.equal(r.status, 415);
  r = await upload(owner, id, { type: null, body: pdf() });
  assert.ok(r.status === 415, `no Content-Type: ${r.status}`);
  // A PNG sent as a PDF, an executable sent as a JPEG, text sent as a PNG.
  r = await upload(owner, id, { type: 'application/pdf', body: png() });
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'content_mismatch');
  assert.match(r.json.detail, /PNG/);
  r = await upload(owner, id, { type: 'image/jpeg', body: Buffer.concat([Buffer.from('MZ'), crypto.randomBytes(100)]) });
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'content_mismatch');
  r = await upload(owner, id, { type: 'image/png', name: 'x.png', body: Buffer.from('\x89PNG but not really') });
  assert.equal(r.status, 422);
  r = await upload(owner, id, { body: Buffer.from('%PD') });
  assert.equal(r.status, 422);
  r = await upload(owner, id, { body: Buffer.alloc(0) });
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'empty_document');
  // Parameters and case do not matter.
  r = await upload(owner, id, { type: 'Application/PDF; name=x' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.media_type, 'application/pdf');
  assert.equal(d.sql(`SELECT COUNT(*) FROM application_documents WHERE application_id = ${id}`).trim(), '1');
});

test('documents over the configured limit are 413; at the limit they are taken', async () => {
  const id = await newDraft();
  let r = await upload(owner, id, { body: pdf(LIMIT) });
  assert.equal(r.status, 413);
  const exact = Buffer.concat([Buffer.from('%PDF-'), crypto.randomBytes(LIMIT - 5)]);
  r = await upload(owner, id, { body: exact });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.size, LIMIT);
  assert.equal(r.json.data.sha256, sha256(exact));
});

test('kind from the fixed list; the name is required, reduced to its last component, without control characters', async () => {
  const id = await newDraft();
  let r = await upload(owner, id, { kind: 'selfie' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.json.errors.map((e) => `${e.field}:${e.code}`), ['kind:invalid_choice']);
  r = await upload(owner, id, { kind: null, name: null });
  assert.equal(r.status, 422);
  assert.deepEqual(r.json.errors.map((e) => `${e.field}:${e.code}`).sort(), ['kind:required', 'name:required']);
  for (const [given, stored] of [['../../etc/passwd.pdf', 'passwd.pdf'], ['C:\\fakepath\\章程.pdf', '章程.pdf'],
    ['a/b\\c.pdf', 'c.pdf']]) {
    r = await upload(owner, id, { name: given });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.data.name, stored);
  }
  for (const bad of ['dir/', '..', 'a\u0001b.pdf', 'x"y.pdf', `${'长'.repeat(86)}.pdf`]) {
    r = await upload(owner, id, { name: bad });
    assert.equal(r.status, 422, bad);
    assert.equal(r.json.errors[0].field, 'name');
  }
  r = await upload(owner, id, { kind: 'other', name: '补充说明.pdf' });
  assert.equal(r.status, 201);
});

test('download: the owner and registrars (once filed); another applicant and anonymous never', async () => {
  const id = await newDraft();
  const body = pdf(2000);
  const docId = (await upload(owner, id, { body })).json.data.id;
  // A draft is the applicant's alone.
  assert.equal((await download(registrar, id, docId)).status, 404);
  for (const k of REQUIRED) if (k !== 'charter') assert.equal((await upload(owner, id, { kind: k, name: `${k}.pdf` })).status, 201);
  const s = await d.api('POST', `/api/v1/applications/${id}/submit`, { token: owner });
  assert.equal(s.status, 200, s.text);
  const r = await download(registrar, id, docId);
  assert.equal(r.status, 200);
  assert.ok(r.body.equals(body));
  assert.equal(sha256(r.body), sha256(body));
  assert.equal((await d.api('GET', docsUrl(id), { token: registrar })).json.data.length, 5);
  const o = await download(other, id, docId);
  assert.equal(o.status, 404);
  assert.equal(o.body.includes(body.subarray(0, 32)), false);
  assert.equal((await d.api('GET', docsUrl(id), { token: other })).status, 404);
  assert.equal((await download(null, id, docId)).status, 401);
  // A document of another application under this one's path is not found either.
  const elsewhere = await newDraft(other);
  const theirs = (await upload(other, elsewhere)).json.data.id;
  assert.equal((await download(owner, id, theirs)).status, 404);
  assert.equal((await download(owner, id, 999999)).status, 404);
  assert.equal((await download(owner, id, 'x')).status, 404);
  // Registrars do not upload or delete; only the owner does.
  assert.equal((await upload(registrar, id)).status, 403);
  assert.equal((await d.api('DELETE', `${docsUrl(id)}/${docId}`, { token: registrar })).status, 403);
});

test('delete and upload only while editable (draft or supplement_requested)', async () => {
  const id = await newDraft();
  const ids = [];
  for (const k of REQUIRED) ids.push((await upload(owner, id, { kind: k, name: `${k}.pdf` })).json.data.id);
  const extra = (await upload(owner, id, { kind: 'other', name: 'x.pdf' })).json.data.id;
  let r = await d.api('DELETE', `${docsUrl(id)}/${extra}`, { token: owner });
  assert.equal(r.status, 204);
  assert.equal((await download(owner, id, extra)).status, 404);
  assert.equal((await d.api('DELETE', `${docsUrl(id)}/${extra}`, { token: owner })).status, 404);
  assert.equal((await d.api('DELETE', `${docsUrl(id)}/${ids[0]}`, { token: other })).status, 404);
  assert.equal((await d.api('POST', `/api/v1/applications/${id}/submit`, { token: owner })).status, 200);
  r = await d.api('DELETE', `${docsUrl(id)}/${ids[0]}`, { token: owner });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'not_editable');
  assert.equal(r.json.current_status, 'submitted');
  r = await upload(owner, id);
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'not_editable');
  // Supplements requested: editable again.
  r = await d.api('POST', `/api/v1/applications/${id}/request-supplement`,
    { token: registrar, body: { items: [{ field: 'documents.charter', message: '请上传盖章版章程' }] } });
  assert.equal(r.status, 200, r.text);
  r = await upload(owner, id, { name: '章程（盖章）.pdf' });
  assert.equal(r.status, 201);
  assert.equal((await d.api('DELETE', `${docsUrl(id)}/${ids[1]}`, { token: owner })).status, 204);
  const actions = d.sql(`SELECT action FROM audit_log WHERE object_type = 'application' AND object_id = '${id}' ORDER BY seq`);
  assert.equal(actions.match(/application\.document_delete/g).length, 2);
  assert.equal(actions.match(/application\.document_add/g).length, 7);
});

test('Idempotency-Key on upload: a retry stores nothing new', async () => {
  const id = await newDraft();
  const body = pdf();
  const headers = { 'Idempotency-Key': 'doc-1' };
  const a = await upload(owner, id, { body, headers });
  const b = await upload(owner, id, { body, headers });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(b.json.data.id, a.json.data.id);
  assert.equal(d.sql(`SELECT COUNT(*) FROM application_documents WHERE application_id = ${id}`).trim(), '1');
});
