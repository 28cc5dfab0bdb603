// Registration certificates (SPEC §4, Appendix A): signed with the registry's Ed25519 key, the key
// stored sealed under the master key, verifiable through the API and offline with the public key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';
import { row, importRows, actor, approvedOrg, approvedChange, approvedDeregistration } from '../bench/registry.mjs';

let d, registrar, applicant;

// The canonical form (api/certificates.h): JSON.stringify with every object's keys sorted.
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
const shuffled = (o) => Object.fromEntries(Object.entries(o).reverse());
const verify = (body) => d.api('POST', '/api/v1/certificates/verify', { body });

before(async () => {
  d = await startDaemon();
  registrar = await actor(d, 'registrar');
  applicant = await actor(d, 'applicant');
});
after(async () => { await d.stop(); });

test('approval issues a signed certificate that anyone can verify offline with the public key', async () => {
  const org = await approvedOrg(d, applicant, registrar);
  const r = await d.api('GET', `/api/v1/orgs/${org.uscc}/certificate`);
  assert.equal(r.status, 200, r.text);
  const { certificate: cert, signature, key_id: keyId, status } = r.json.data;
  assert.equal(status, 'current');
  assert.equal(cert.uscc, org.uscc);
  assert.equal(cert.org_id, `CN-USCI-${org.uscc}`);
  assert.equal(cert.name, org.name);
  assert.equal(cert.legal_form, 'social_group');
  assert.equal(cert.title, '社会团体法人登记证书');
  assert.equal(cert.legal_representative_name, '张三');
  assert.equal(cert.domicile, org.body.domicile);
  assert.equal(cert.business_scope, org.body.business_scope);
  assert.match(cert.issue_date, /^\d{4}-\d\d-\d\d$/);
  assert.equal(cert.authority, '海盐县民政局');
  assert.equal(cert.registrar, '海盐县民政局', 'the authority, never a reviewer\'s login');
  assert.ok(!r.text.includes(registrar.username));
  assert.equal(cert.key_id, keyId);
  assert.equal(cert.certificate_no, `${org.uscc}-1`);
  assert.ok(!r.text.includes(org.idNumber));
  assert.match(keyId, /^[0-9a-f]{16}$/);
  assert.equal(Buffer.from(signature, 'base64').length, 64);

  // The published key: PEM, with its id; the id is the start of SHA-256 of that PEM.
  const pk = await d.api('GET', '/api/v1/certificates/public-key');
  assert.equal(pk.status, 200);
  assert.equal(pk.headers.get('content-type'), 'application/x-pem-file');
  assert.equal(pk.headers.get('key-id'), keyId);
  assert.match(pk.text, /^-----BEGIN PUBLIC KEY-----\n/);
  assert.ok(!pk.text.includes('PRIVATE'));
  assert.equal(crypto.createHash('sha256').update(pk.text).digest('hex').slice(0, 16), keyId);
  const pkJson = await d.api('GET', '/api/v1/certificates/public-key', { headers: { Accept: 'application/json' } });
  assert.deepEqual(pkJson.json.data, { key_id: keyId, algorithm: 'Ed25519', public_key_pem: pk.text });

  // Offline: only node:crypto and the public key.
  const key = crypto.createPublicKey(pk.text);
  assert.equal(key.asymmetricKeyType, 'ed25519');
  const sig = Buffer.from(signature, 'base64');
  assert.equal(crypto.verify(null, Buffer.from(canonical(cert)), key, sig), true);
  assert.equal(crypto.verify(null, Buffer.from(canonical({ ...cert, name: `${cert.name}X` })), key, sig), false);
  assert.equal(crypto.verify(null, Buffer.from(canonical(shuffled(cert))), key, sig), true, 'key order does not matter');
});

test('POST /certificates/verify: genuine, tampered, wrong key, malformed', async () => {
  const org = await approvedOrg(d, applicant, registrar);
  const got = (await d.api('GET', `/api/v1/orgs/${org.uscc}/certificate`)).json.data;
  const signed = { certificate: got.certificate, signature: got.signature, key_id: got.key_id };

  let r = await verify(signed);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, { valid: true, signature_valid: true, reason: null, key_id: got.key_id, status: 'current' });
  r = await verify({ ...signed, certificate: shuffled(signed.certificate) });
  assert.equal(r.json.data.valid, true, 'the order of the keys does not matter');

  for (const tamper of [{ name: '海盐县别的协会' }, { legal_representative_name: '李四' }, { issue_date: '2000-01-01' },
    { extra: 'x' }, { uscc: '53640000MJX1736997' }]) {
    r = await verify({ ...signed, certificate: { ...signed.certificate, ...tamper } });
    assert.equal(r.status, 200);
    assert.equal(r.json.data.valid, false, JSON.stringify(tamper));
    assert.equal(r.json.data.reason, 'signature_mismatch');
  }
  const { domicile, ...without } = signed.certificate;
  assert.ok(domicile);
  assert.equal((await verify({ ...signed, certificate: without })).json.data.valid, false);
  const flipped = Buffer.from(signed.signature, 'base64');
  flipped[10] ^= 1;
  assert.equal((await verify({ ...signed, signature: flipped.toString('base64') })).json.data.valid, false);
  r = await verify({ ...signed, key_id: '0123456789abcdef' });
  assert.deepEqual([r.json.data.valid, r.json.data.reason], [false, 'unknown_key']);
  r = await verify({ ...signed, certificate: { ...signed.certificate, key_id: '0123456789abcdef' } });
  assert.equal(r.json.data.valid, false);
  r = await verify({ ...signed, certificate: { ...signed.certificate, staff: 1.5 } });
  assert.equal(r.json.data.valid, false);

  for (const [body, field] of [
    [{ signature: signed.signature, key_id: signed.key_id }, 'certificate'],
    [{ ...signed, certificate: 'text' }, 'certificate'],
    [{ ...signed, certificate: [1, 2] }, 'certificate'],
    [{ certificate: signed.certificate, key_id: signed.key_id }, 'signature'],
    [{ ...signed, signature: 'not base64!' }, 'signature'],
    [{ ...signed, signature: Buffer.alloc(32).toString('base64') }, 'signature'],
    [{ ...signed, signature: 42 }, 'signature'],
    [{ certificate: signed.certificate, signature: signed.signature }, 'key_id'],
  ]) {
    r = await verify(body);
    assert.equal(r.status, 422, `${field}: ${r.text}`);
    assert.ok(r.json.errors.some((e) => e.field === field), r.text);
  }
  r = await d.api('POST', '/api/v1/certificates/verify', { body: '{"certificate": ' });
  assert.equal(r.status, 400);
  r = await d.api('POST', '/api/v1/certificates/verify', { raw: JSON.stringify(signed), headers: { 'Content-Type': 'text/plain' } });
  assert.equal(r.status, 415);
});

test('a change issues a new certificate; the old one stays genuine but is no longer valid', async () => {
  const org = await approvedOrg(d, applicant, registrar);
  const first = (await d.api('GET', `/api/v1/orgs/${org.uscc}/certificate`)).json.data;
  await approvedChange(d, applicant, registrar, org.uscc, { domicile: '海盐县秦山街道9号' });
  const second = (await d.api('GET', `/api/v1/orgs/${org.uscc}/certificate`)).json.data;
  assert.equal(second.certificate.domicile, '海盐县秦山街道9号');
  assert.equal(second.certificate.certificate_no, `${org.uscc}-2`);
  let r = await verify({ certificate: first.certificate, signature: first.signature, key_id: first.key_id });
  assert.deepEqual([r.json.data.valid, r.json.data.signature_valid, r.json.data.status, r.json.data.reason],
    [false, true, 'superseded', 'superseded']);
  r = await verify({ certificate: second.certificate, signature: second.signature, key_id: second.key_id });
  assert.deepEqual([r.json.data.valid, r.json.data.status], [true, 'current']);

  // Deregistered: the last certificate is still shown, marked revoked; no new one can be issued.
  await approvedDeregistration(d, applicant, registrar, org.uscc);
  const last = await d.api('GET', `/api/v1/orgs/${org.uscc}/certificate`);
  assert.equal(last.status, 200);
  assert.equal(last.json.data.status, 'revoked');
  r = await verify({ certificate: second.certificate, signature: second.signature, key_id: second.key_id });
  assert.deepEqual([r.json.data.valid, r.json.data.signature_valid, r.json.data.status], [false, true, 'revoked']);
  r = await d.api('POST', `/api/v1/orgs/${org.uscc}/certificate`, { token: registrar.token });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'org_deregistered');
});

test('imported organizations get an electronic certificate when a registrar issues one', async () => {
  const o = row({ name: '海盐县电子证书测试协会' });
  importRows(d, [o]);
  let r = await d.api('GET', `/api/v1/orgs/${o.uscc}/certificate`);
  assert.equal(r.status, 404);
  assert.equal(r.json.code, 'no_certificate');
  assert.equal((await d.api('GET', '/api/v1/orgs/53640000MJX1736997/certificate')).json.code, 'not_found');
  assert.equal((await d.api('POST', `/api/v1/orgs/${o.uscc}/certificate`)).status, 401);
  assert.equal((await d.api('POST', `/api/v1/orgs/${o.uscc}/certificate`, { token: applicant.token })).status, 403);
  r = await d.api('POST', `/api/v1/orgs/${o.uscc}/certificate`, { token: registrar.token, body: { reason: '补发电子证书' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.certificate.name, '海盐县电子证书测试协会');
  assert.equal(r.json.data.certificate.registered_at, o.registered_at);
  // A retry with the same Idempotency-Key issues nothing more; unknown members are refused.
  const again = { token: registrar.token, body: { reason: '遗失补发' }, headers: { 'Idempotency-Key': `reissue-${o.uscc}` } };
  const k1 = await d.api('POST', `/api/v1/orgs/${o.uscc}/certificate`, again);
  const k2 = await d.api('POST', `/api/v1/orgs/${o.uscc}/certificate`, again);
  assert.equal(k1.status, 201);
  assert.equal(k2.text, k1.text);
  assert.equal(k1.json.data.certificate.certificate_no, `${o.uscc}-2`);
  r = await d.api('POST', `/api/v1/orgs/${o.uscc}/certificate`, { token: registrar.token, body: { reason: 'x', foo: 1 } });
  assert.deepEqual([r.status, r.json.errors[0].field, r.json.errors[0].code], [422, 'foo', 'unknown_field']);
  r = await d.api('GET', `/api/v1/orgs/${o.uscc}/certificate`);
  assert.equal(r.status, 200);
  const v = await verify({ certificate: r.json.data.certificate, signature: r.json.data.signature, key_id: r.json.data.key_id });
  assert.equal(v.json.data.valid, true);
  assert.equal((await d.api('POST', '/api/v1/orgs/53640000MJX1736997/certificate', { token: registrar.token })).status, 404);
  const audit = d.sql(`SELECT action FROM audit_log WHERE object_type = 'org' AND object_id = '${o.uscc}' ORDER BY seq`).trim().split('\n');
  assert.deepEqual(audit, ['certificate.issue', 'certificate.reissue', 'certificate.issue', 'certificate.reissue']);
});

test('the signing key: made once, sealed under the master key, the same for every instance', async () => {
  // mariadb --batch writes a backslash as two.
  const stored = d.sql("SELECT value FROM settings WHERE name = 'registry_signing_key'").trim().replace(/\\\\/g, '\\');
  const setting = JSON.parse(stored);
  assert.equal(setting.alg, 'Ed25519');
  assert.ok(!stored.includes('PRIVATE KEY'), 'the private key is not stored in clear');
  assert.ok(setting.private_key_sealed.length > 100);
  const pem = (await d.api('GET', '/api/v1/certificates/public-key')).text;
  assert.equal(setting.public_key_pem, pem);
  assert.equal(d.sql("SELECT COUNT(*) FROM settings WHERE name = 'registry_signing_key'").trim(), '1');

  // A second instance over the same database and master key uses the same key.
  const { startDaemon: start } = await import('../lib/daemon.mjs');
  const other = await start({ database: d.database, skipMigrate: true,
    env: { SANZHI_MASTER_KEY_FILE: d.env.SANZHI_MASTER_KEY_FILE } });
  try {
    assert.equal((await other.api('GET', '/api/v1/certificates/public-key')).text, pem);
    // And after a restart.
    await d.restart();
    assert.equal((await d.api('GET', '/api/v1/certificates/public-key')).text, pem);
  } finally {
    await other.stop();
  }
});
