// Who reads which audit trail (issue 7, item 5; api/platform/audit_api.c). object_type is one of
// a fixed list, compared exactly: MariaDB ignores trailing blanks when it compares strings, so
// "user " once slipped past the refusal of "user" and showed registrars sign-ins with their IP
// addresses. And a registrar reads an object's trail only when its own route shows the object:
// an application once it was submitted, as GET /applications/{id} (a draft is a 404 there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { socialGroupApplication, pdf } from '../lib/fixtures.mjs';

let d, admin, registrar, applicant, userId;
const REQUIRED_KINDS = ['application_letter', 'charter', 'domicile_proof', 'fund_verification', 'legal_rep_id'];

before(async () => {
  d = await startDaemon();
  admin = await d.as('admin');
  registrar = await d.as('registrar');
  applicant = await d.as('applicant');
  userId = (await d.api('GET', '/api/v1/me', { token: applicant })).json.data.id;
});
after(async () => { await d?.stop(); });

const audit = (token, query) => d.api('GET', `/api/v1/audit?${query}`, { token });

async function draft() {
  const r = await d.api('POST', '/api/v1/applications', { token: applicant, body: socialGroupApplication() });
  assert.equal(r.status, 201, r.text);
  const id = r.json.data.id;
  for (const kind of REQUIRED_KINDS) {
    const u = await d.api('POST', `/api/v1/applications/${id}/documents?kind=${kind}&name=${kind}.pdf`,
      { token: applicant, raw: pdf(), headers: { 'Content-Type': 'application/pdf' } });
    assert.equal(u.status, 201, u.text);
  }
  return id;
}

test('object_type must be one of the known types, exactly: a trailing blank or another case is refused', async () => {
  // The sign-in entries exist, and admins read them.
  const own = await audit(admin, `object_type=user&object_id=${userId}`);
  assert.equal(own.status, 200);
  assert.ok(own.json.data.some((e) => e.action === 'auth.login'), 'the applicant\'s sign-in is there');
  for (const type of ['user%20', 'user%20%20', 'User', 'USER', 'ip%20', 'user%09', 'application%20', 'nonsense', '%20']) {
    for (const token of [registrar, admin]) {
      const r = await audit(token, `object_type=${type}&object_id=${userId}`);
      assert.equal(r.status, 400, `${type}: ${r.text}`);
      assert.equal(r.json.code, 'invalid_filter');
    }
  }
});

test('registrars never read the trail of accounts or sign-ins, however the filter is written', async () => {
  for (const type of ['user', 'ip', 'clock']) {
    const r = await audit(registrar, `object_type=${type}&object_id=${userId}`);
    assert.equal(r.status, 403, `${type}: ${r.text}`);
    assert.equal(r.json.code, 'forbidden_object');
  }
  const padded = await audit(registrar, `object_type=user%20&object_id=${userId}`);
  assert.notEqual(padded.status, 200);
  assert.ok(!/client_ip|auth\.login/.test(padded.text), 'no sign-in entry leaks');
});

test('a registrar reads an application\'s trail only once it was submitted, as at GET /applications/{id}', async () => {
  const id = await draft();
  // The applicant's draft: the route says 404, so does its trail.
  assert.equal((await d.api('GET', `/api/v1/applications/${id}`, { token: registrar })).status, 404);
  const hidden = await audit(registrar, `object_type=application&object_id=${id}`);
  assert.equal(hidden.status, 404, hidden.text);
  assert.equal(hidden.json.code, 'not_found');
  // Not by another spelling of its id either.
  for (const other of [`${id}%20`, `0${id}`, `${id}.0`, `+${id}`]) {
    assert.equal((await audit(registrar, `object_type=application&object_id=${other}`)).status, 404, other);
  }
  // Admins read it all along.
  const all = await audit(admin, `object_type=application&object_id=${id}`);
  assert.equal(all.status, 200);
  assert.ok(all.json.data.some((e) => e.action === 'application.create'));

  const s = await d.api('POST', `/api/v1/applications/${id}/submit`, { token: applicant });
  assert.equal(s.status, 200, s.text);
  assert.equal((await d.api('GET', `/api/v1/applications/${id}`, { token: registrar })).status, 200);
  const seen = await audit(registrar, `object_type=application&object_id=${id}`);
  assert.equal(seen.status, 200, seen.text);
  assert.ok(seen.json.data.length >= 2);
  assert.ok(seen.json.data.every((e) => e.object_type === 'application' && e.object_id === String(id)));
  // An application that does not exist is no different from a draft.
  assert.equal((await audit(registrar, 'object_type=application&object_id=99999999')).status, 404);
});

test('registrars still read the trail of an organization', async () => {
  const r = await audit(registrar, 'object_type=org&object_id=51330424MJ0000001X');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, []);
});

test('the credit objects\' trails are filters too, and registrars read them (they are public)', async () => {
  for (const type of ['credit_event', 'list_entry']) {
    for (const token of [registrar, admin]) {
      const r = await audit(token, `object_type=${type}&object_id=1`);
      assert.equal(r.status, 200, `${type}: ${r.text}`);
    }
  }
});
