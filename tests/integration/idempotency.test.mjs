// Exactly-once creation (server/tx.c): the Idempotency-Key is claimed and its answer recorded in
// the transaction that makes the change, so a crash between the COMMIT and the answer loses
// nothing: the client's retry gets the first answer back, never a second resource.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { socialGroupApplication } from '../lib/fixtures.mjs';

const daemons = [];
after(async () => { for (const d of daemons) await d.stop(); });

test('killed between the commit and the answer: the retry gets the first answer, not a second resource', async () => {
  const d = await startDaemon({ env: { SANZHI_TEST_CRASH_AFTER_COMMIT: 'POST /api/v1/applications' } });
  daemons.push(d);
  const token = await d.as('applicant');
  const body = socialGroupApplication();
  const headers = { 'Idempotency-Key': 'crash-1' };
  // The daemon commits, then dies before it answers: the client sees the connection drop.
  await assert.rejects(d.api('POST', '/api/v1/applications', { token, body, headers }));
  await d.exited;
  assert.equal(d.sql(`SELECT COUNT(*) FROM applications WHERE name = '${body.name}'`).trim(), '1');
  delete d.env.SANZHI_TEST_CRASH_AFTER_COMMIT;
  await d.start();
  const r = await d.api('POST', '/api/v1/applications', { token, body, headers });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('idempotent-replayed'), 'true');
  assert.equal(r.json.data.name, body.name);
  assert.equal(d.sql(`SELECT COUNT(*) FROM applications WHERE name = '${body.name}'`).trim(), '1');
  assert.equal(String(r.json.data.id), d.sql(`SELECT id FROM applications WHERE name = '${body.name}'`).trim());
  // The same key for another request is refused, even after the crash.
  const other = await d.api('POST', '/api/v1/applications', { token, body: socialGroupApplication(), headers });
  assert.equal(other.status, 422);
  assert.equal(other.json.code, 'idempotency_key_reused');
});

test('concurrent retries with one key make one resource; a refusal is answered again, not retried', async () => {
  const d = await startDaemon();
  daemons.push(d);
  const token = await d.as('applicant');
  const body = socialGroupApplication();
  const headers = { 'Idempotency-Key': 'burst-1' };
  const answers = await Promise.all(Array.from({ length: 8 }, () => d.api('POST', '/api/v1/applications', { token, body, headers })));
  for (const a of answers) assert.equal(a.status, 201, a.text);
  assert.equal(new Set(answers.map((a) => a.json.data.id)).size, 1);
  assert.equal(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true').length, 1);
  assert.equal(d.sql(`SELECT COUNT(*) FROM applications WHERE name = '${body.name}'`).trim(), '1');
  assert.equal(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'application.create' AND summary LIKE '%${body.name}%'`).trim(), '1');

  // Refused inside the transaction (a change for an organization that does not exist): the
  // refusal is recorded and replayed; nothing is left pending.
  const bad = { kind: 'change', org_uscc: '53640000MJX1736997', changes: { domicile: '海盐县某路1号' } };
  const k = { 'Idempotency-Key': 'refused-1' };
  const first = await d.api('POST', '/api/v1/applications', { token, body: bad, headers: k });
  assert.equal(first.status, 422, first.text);
  const again = await d.api('POST', '/api/v1/applications', { token, body: bad, headers: k });
  assert.equal(again.status, 422);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.json.code, first.json.code);
  assert.equal(d.sql("SELECT COUNT(*) FROM idempotency WHERE state = 'pending'").trim(), '0');
});

test('the request a key is bound to is kept as a keyed digest: two daemons with two master keys keep two', async () => {
  // A sealed bid's body holds its price: a bare SHA-256 of it in the table could be matched
  // against guessed prices. The same request to two instances with different master keys (each
  // startDaemon makes its own) must leave different digests, each still binding its key.
  const body = { username: 'same_person', password: 'correct-horse-9', display_name: '同一个人', phone: '13700137009' };
  const hashes = [];
  for (let i = 0; i < 2; i++) {
    const d = await startDaemon();
    daemons.push(d);
    const headers = { 'Idempotency-Key': 'signup-digest' };
    assert.equal((await d.api('POST', '/api/v1/accounts', { body, headers })).status, 201);
    const again = await d.api('POST', '/api/v1/accounts', { body, headers });
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await d.api('POST', '/api/v1/accounts', { body: { ...body, display_name: '另一个人' }, headers });
    assert.equal(other.status, 422);
    assert.equal(other.json.code, 'idempotency_key_reused');
    hashes.push(d.sql('SELECT request_hash FROM idempotency').trim());
  }
  assert.match(hashes[0], /^[0-9a-f]{64}$/);
  assert.notEqual(hashes[0], hashes[1]);
});
