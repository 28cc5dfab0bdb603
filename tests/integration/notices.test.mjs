// Notices of the decisions on applications and the certificate on paper (SPEC Appendix C): each
// decision issues a numbered notice in its own transaction, served as a PDF whose text (Chinese
// included: the font is embedded with its ToUnicode map) reads back with pdftotext; the
// certificate PDF's QR code decodes (pdftoppm + zbarimg) to a string that verifies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { startDaemon } from '../lib/daemon.mjs';
import { submittedApplication } from '../lib/fixtures.mjs';
import { actor, approvedOrg, approvedDeregistration } from '../bench/registry.mjs';

let d, admin, registrar, applicant, other;

// Monday 2 March 2026, 10:00 in Beijing.
const D = '2026-03-02';
const atDay = (n, hour = 10) => new Date(Date.parse(`${D}T00:00:00+08:00`) + n * 86400e3 + hour * 3600e3).toISOString();

async function clock(iso) {
  await admin.refresh();
  await d.setClock(iso, admin.token);
  for (const a of [admin, registrar, applicant, other]) await a.refresh();
}

before(async () => {
  // The sweep runs when a test asks for it (deemed acceptance), not on its own.
  d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600' } });
  admin = await actor(d, 'admin');
  registrar = await actor(d, 'registrar');
  applicant = await actor(d, 'applicant');
  other = await actor(d, 'applicant');
  await clock(atDay(0));
});
after(async () => { await d.stop(); });

const act = (who, id, action, body) => d.api('POST', `/api/v1/applications/${id}/${action}`, { token: who.token, body });
async function ok(who, id, action, body) {
  const r = await act(who, id, action, body);
  assert.equal(r.status, 200, `${action}: ${r.text}`);
  return r.json.data;
}
const notices = (who, id) => d.api('GET', `/api/v1/applications/${id}/notices`, { token: who?.token });

async function fetchPdf(p, token) {
  const res = await fetch(d.url + p, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), buf };
}
const noticePdf = (who, id, nid) => fetchPdf(`/api/v1/applications/${id}/notices/${nid}.pdf`, who?.token);

// The text of a PDF as pdftotext reads it (UTF-8), spaces and line breaks removed so that a
// wrapped line does not split what a test looks for.
function pdfFile(buf) {
  const file = path.join(d.dir, `${crypto.randomBytes(4).toString('hex')}.pdf`);
  fs.writeFileSync(file, buf);
  return file;
}
const pdfText = (buf) => execFileSync('pdftotext', ['-enc', 'UTF-8', pdfFile(buf), '-'], { encoding: 'utf8' }).replace(/\s+/g, '');

const seqOf = (number) => Number(/第(\d{6})号$/.exec(number)[1]);

test('each decision issues its numbered notice; the PDF reads back with the name, number, items and reason', async () => {
  const id = await submittedApplication(d, applicant.token);
  const name = (await d.api('GET', `/api/v1/applications/${id}`, { token: applicant.token })).json.data.name;
  let r = await notices(applicant, id);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, [], 'a submission is not a decision');

  const items = [{ field: 'documents.charter', message: '缺少会员大会职权条款' },
    { field: 'legal_representative.id_number', message: '与身份证复印件不一致' }];
  await ok(registrar, id, 'request-supplement', { items });
  await ok(applicant, id, 'submit');
  await ok(registrar, id, 'accept');
  const approved = await ok(registrar, id, 'approve');

  r = await notices(applicant, id);
  assert.equal(r.status, 200);
  const list = r.json.data;
  assert.deepEqual(list.map((n) => n.kind), ['supplement', 'acceptance', 'approval']);
  assert.match(list[0].number, /^民社补字〔2026〕第\d{6}号$/);
  assert.match(list[1].number, /^民社受字〔2026〕第\d{6}号$/);
  assert.match(list[2].number, /^民社准字〔2026〕第\d{6}号$/);
  for (const n of list) assert.equal(n.issued_at.slice(0, 13), atDay(0).slice(0, 13));
  assert.deepEqual((await notices(registrar, id)).json.data, list, 'registrars see the same notices');

  const texts = {};
  for (const n of list) {
    const p = await noticePdf(applicant, id, n.id);
    assert.equal(p.status, 200);
    assert.equal(p.type, 'application/pdf');
    assert.equal(p.buf.subarray(0, 5).toString(), '%PDF-');
    texts[n.kind] = pdfText(p.buf);
    assert.ok(texts[n.kind].includes(name), `${n.kind}: the addressee`);
    assert.ok(texts[n.kind].includes(n.number), `${n.kind}: the number ${n.number} in ${texts[n.kind]}`);
    assert.ok(texts[n.kind].includes('海盐县民政局'), `${n.kind}: the bureau`);
    assert.ok(texts[n.kind].includes('2026年3月2日'), `${n.kind}: the date`);
  }
  assert.ok(texts.supplement.includes('补正告知书'));
  for (const it of items) assert.ok(texts.supplement.includes(it.message), `item ${it.message}`);
  // Each item by the name the applicant knows it by, not the API's field code.
  assert.ok(texts.supplement.includes('章程草案：缺少会员大会职权条款'), texts.supplement);
  assert.ok(texts.supplement.includes('法定代表人身份证号：与身份证复印件不一致'), texts.supplement);
  assert.ok(!/documents\.|legal_representative/.test(texts.supplement), texts.supplement);
  assert.ok(texts.supplement.includes('告知日期：2026年3月2日'));
  assert.ok(texts.acceptance.includes('受理通知书'));
  assert.ok(texts.acceptance.includes('决定予以受理'));
  assert.ok(texts.approval.includes('准予登记决定书'));
  assert.ok(texts.approval.includes(approved.org_uscc), 'the USCC issued');

  // The same notice is the same document, whenever it is asked for — rendered again by a
  // restarted daemon (no cache) on another day, byte for byte.
  const first = (await noticePdf(applicant, id, list[0].id)).buf;
  await d.restart();
  await clock(atDay(3));
  const again = await noticePdf(registrar, id, list[0].id);
  assert.ok(again.buf.equals(first), 'the same bytes');
  assert.equal(pdfText(again.buf), texts.supplement);
  await clock(atDay(0));

  // The decision's audit entry names its notice.
  const audit = d.sql(`SELECT summary FROM audit_log WHERE action = 'application.approve' AND object_id = '${id}'`);
  assert.ok(audit.includes(list[2].number), audit);
});

test('a rejection notice gives the reason; acceptance numbers follow one another', async () => {
  const a = await submittedApplication(d, applicant.token);
  const b = await submittedApplication(d, applicant.token);
  await ok(registrar, a, 'accept');
  await ok(registrar, b, 'accept');
  const reason = '拟任法定代表人不具备完全民事行为能力，且业务范围与城乡社区服务类不符';
  await ok(registrar, b, 'reject', { reason });
  const na = (await notices(applicant, a)).json.data;
  const nb = (await notices(applicant, b)).json.data;
  assert.deepEqual(nb.map((n) => n.kind), ['acceptance', 'rejection']);
  assert.equal(seqOf(nb[0].number), seqOf(na[0].number) + 1, `${na[0].number} then ${nb[0].number}`);
  assert.match(nb[1].number, /^民社不准字〔2026〕第000001号$/);
  const text = pdfText((await noticePdf(registrar, b, nb[1].id)).buf);
  assert.ok(text.includes('不予登记决定书'));
  assert.ok(text.includes(reason), text);
  assert.ok(text.includes('行政复议'));
});

test('notices are the applicant\'s and the registrars\' only', async () => {
  const id = await submittedApplication(d, applicant.token);
  await ok(registrar, id, 'accept');
  const [n] = (await notices(applicant, id)).json.data;
  assert.equal(n.kind, 'acceptance');

  let r = await notices(other, id);
  assert.equal(r.status, 404, 'another applicant does not learn that it exists');
  assert.equal((await noticePdf(other, id, n.id)).status, 404);
  assert.equal((await notices(null, id)).status, 401);
  assert.equal((await noticePdf(null, id, n.id)).status, 401);
  const purchaser = await actor(d, 'purchaser');
  assert.equal((await notices(purchaser, id)).status, 403);
  assert.equal((await noticePdf(purchaser, id, n.id)).status, 403);
  // A notice of another application is not this one's; unknown ids are 404.
  const mine = await submittedApplication(d, other.token);
  await ok(registrar, mine, 'accept');
  const [theirs] = (await notices(other, mine)).json.data;
  assert.equal((await noticePdf(applicant, id, theirs.id)).status, 404);
  assert.equal((await noticePdf(applicant, id, 999999)).status, 404);
  assert.equal((await noticePdf(applicant, id, 'x')).status, 404);
  r = await d.api('GET', `/api/v1/applications/${id}/notices/${n.id}`, { token: applicant.token });
  assert.equal(r.status, 404, 'the document is the .pdf');
});

test('approval numbers neither repeat nor skip under concurrent approvals', async () => {
  const ids = [];
  for (let i = 0; i < 8; i++) {
    const id = await submittedApplication(d, applicant.token);
    await ok(registrar, id, 'accept');
    ids.push(id);
  }
  const before = d.sql("SELECT COALESCE(MAX(last_seq), 0) FROM notice_counters WHERE kind = 'approval' AND year = 2026").trim();
  const results = await Promise.all(ids.map((id) => act(registrar, id, 'approve')));
  for (const r of results) assert.equal(r.status, 200, r.text);
  const seqs = [];
  for (const id of ids) {
    const approval = (await notices(applicant, id)).json.data.filter((n) => n.kind === 'approval');
    assert.equal(approval.length, 1);
    seqs.push(seqOf(approval[0].number));
  }
  seqs.sort((x, y) => x - y);
  const first = Number(before) + 1;
  assert.deepEqual(seqs, ids.map((_, i) => first + i), `consecutive from ${first}: ${seqs}`);
});

test('the sweep\'s deemed acceptance issues the acceptance notice, from the submission date', async () => {
  const id = await submittedApplication(d, applicant.token);
  // Five working days from Monday 2 March end on Monday 9 March: deemed from Tuesday 10 March.
  await clock(atDay(8, 9));
  const r = await d.api('POST', '/api/v1/admin/sweep', { token: admin.token });
  assert.equal(r.status, 200, r.text);
  const list = (await notices(applicant, id)).json.data;
  assert.deepEqual(list.map((n) => n.kind), ['acceptance']);
  assert.equal(list[0].issued_at.slice(0, 13), atDay(8, 9).slice(0, 13), 'issued by the sweep');
  const text = pdfText((await noticePdf(applicant, id, list[0].id)).buf);
  assert.ok(text.includes('即为受理'), text);
  assert.ok(text.includes('自2026年3月2日起即为受理'), text);
  assert.ok(text.includes('2026年3月10日'), 'issued on the day of the sweep');
  await clock(atDay(0));
});

// --- the certificate on paper --------------------------------------------------------------

// The text a QR code on the PDF decodes to: the first page at 150 dpi, read by zbarimg.
function qrOf(buf) {
  const base = path.join(d.dir, `cert-${crypto.randomBytes(4).toString('hex')}`);
  fs.writeFileSync(`${base}.pdf`, buf);
  execFileSync('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', '-singlefile', `${base}.pdf`, base]);
  return execFileSync('zbarimg', ['--raw', '-q', `${base}.png`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

const b64url = (buf) => buf.toString('base64url');
const verifyQr = (qr) => d.api('POST', '/api/v1/certificates/verify', { body: { qr } });

test('the certificate PDF: its fields in Chinese, and a QR code that verifies online and offline', async () => {
  const org = await approvedOrg(d, applicant, registrar);
  const json = (await d.api('GET', `/api/v1/orgs/${org.uscc}/certificate`)).json.data;
  const p = await fetchPdf(`/api/v1/orgs/${org.uscc}/certificate.pdf`);
  assert.equal(p.status, 200);
  assert.equal(p.type, 'application/pdf');
  const text = pdfText(p.buf);
  for (const s of ['社会团体法人登记证书', org.name, org.uscc, '张三', '海盐县民政局', json.certificate.certificate_no,
    '人民币30000.00元', '养老服务交流、培训、咨询']) assert.ok(text.includes(s), `${s} in ${text}`);
  assert.ok(!text.includes(org.idNumber), 'never the ID number');
  // The font is embedded (a subset), not merely named.
  const fonts = execFileSync('pdffonts', [pdfFile(p.buf)], { encoding: 'utf8' });
  assert.match(fonts, /NotoSansCJK/);
  for (const line of fonts.split('\n').slice(2).filter(Boolean)) assert.match(line, /\syes\s+yes\s+yes\s/, line);
  assert.ok((await fetchPdf(`/api/v1/orgs/${org.uscc.toLowerCase()}/certificate.pdf`)).buf.equals(p.buf), 'the same bytes');

  const qr = qrOf(p.buf);
  assert.match(qr, /^SZC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  let r = await verifyQr(qr);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, { valid: true, signature_valid: true, reason: null, key_id: json.key_id, status: 'current' });

  // Offline: inflate, then the published key.
  const [, z, sig] = qr.split('.');
  const canonical = zlib.inflateSync(Buffer.from(z, 'base64url'));
  assert.deepEqual(JSON.parse(canonical), json.certificate);
  const pem = (await d.api('GET', '/api/v1/certificates/public-key')).text;
  assert.equal(crypto.verify(null, canonical, crypto.createPublicKey(pem), Buffer.from(sig, 'base64url')), true);

  // Tampered: another name under the same signature; a flipped signature byte.
  const forged = JSON.stringify({ ...JSON.parse(canonical), name: '海盐县冒名服务协会' });
  r = await verifyQr(`SZC1.${b64url(zlib.deflateSync(Buffer.from(forged)))}.${sig}`);
  assert.equal(r.status, 200);
  assert.deepEqual([r.json.data.valid, r.json.data.reason], [false, 'signature_mismatch']);
  const flipped = Buffer.from(sig, 'base64url');
  flipped[5] ^= 1;
  r = await verifyQr(`SZC1.${z}.${b64url(flipped)}`);
  assert.deepEqual([r.json.data.valid, r.json.data.signature_valid], [false, false]);
  for (const bad of ['', 'SZC1.', `SZC2.${z}.${sig}`, `SZC1.${z}`, `SZC1.${z}.${sig}.x`, `SZC1.${z}!.${sig}`,
    `SZC1.${b64url(Buffer.from('not deflated'))}.${sig}`, `SZC1.${z}.${b64url(Buffer.alloc(32))}`, 42]) {
    r = await verifyQr(bad);
    assert.equal(r.status, 422, `${bad}: ${r.text}`);
    assert.ok(r.json.errors.some((e) => e.field === 'qr'), r.text);
  }
  r = await d.api('POST', '/api/v1/certificates/verify', { body: { qr, key_id: json.key_id } });
  assert.equal(r.status, 422, 'one form or the other');

  // For someone holding only the paper.
  r = await d.api('GET', `/api/v1/certificates/status?uscc=${org.uscc}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, { status: 'current', certificate_no: json.certificate.certificate_no, issued_at: json.issued_at });
  const unknown = '53640000MJX1736997';
  assert.equal((await d.api('GET', `/api/v1/certificates/status?uscc=${unknown}`)).status, 404);
  for (const q of ['', '?uscc=', '?uscc=53640000MJX1736998', '?uscc=5364', '?uscc=%E6%B5%B7', `?uscc=${'5'.repeat(300)}`]) {
    r = await d.api('GET', `/api/v1/certificates/status${q}`);
    assert.equal(r.status, 422, `${q}: ${r.text}`);
    assert.equal(r.json.errors[0].field, 'uscc');
  }
  assert.equal((await fetchPdf(`/api/v1/orgs/${unknown}/certificate.pdf`)).status, 404);

  // Deregistered: the paper says so, its QR code no longer verifies as valid, the status is revoked.
  await approvedDeregistration(d, applicant, registrar, org.uscc);
  const revoked = await fetchPdf(`/api/v1/orgs/${org.uscc}/certificate.pdf`);
  assert.ok(pdfText(revoked.buf).includes('本证书已缴销'));
  r = await verifyQr(qr);
  assert.deepEqual([r.json.data.valid, r.json.data.signature_valid, r.json.data.status], [false, true, 'revoked']);
  r = await d.api('GET', `/api/v1/certificates/status?uscc=CN-USCI-${org.uscc}`);
  assert.equal(r.json.data.status, 'revoked');
});

test('bureau_name names who issues the notices', async () => {
  const e = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600', SANZHI_BUREAU_NAME: '嘉兴市民政局行政审批科' } });
  try {
    const reg = await actor(e, 'registrar');
    const a = await actor(e, 'applicant');
    const id = await submittedApplication(e, a.token);
    const r = await e.api('POST', `/api/v1/applications/${id}/accept`, { token: reg.token });
    assert.equal(r.status, 200, r.text);
    const [n] = (await e.api('GET', `/api/v1/applications/${id}/notices`, { token: a.token })).json.data;
    const res = await fetch(`${e.url}/api/v1/applications/${id}/notices/${n.id}.pdf`, { headers: { Authorization: `Bearer ${a.token}` } });
    const text = pdfText(Buffer.from(await res.arrayBuffer()));
    assert.ok(text.includes('嘉兴市民政局行政审批科'), text);
    assert.ok(!text.includes('海盐县民政局'));
  } finally {
    await e.stop();
  }
});
