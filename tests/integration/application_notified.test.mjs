// The answer for one application says whether its applicant has been sent the notice of the
// status it is in (notified): the registrar's UI says "the applicant was notified" only then.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';
import { submittedApplication } from '../lib/fixtures.mjs';

let d, registrar;
before(async () => {
  d = await startDaemon();
  registrar = await d.as('registrar');
});
after(async () => {
  await d.stop();
});

async function applicant() {
  const username = `ngo_${crypto.randomBytes(4).toString('hex')}`;
  const r = await d.api('POST', '/api/v1/accounts', { body: { username, password: 'long-enough-pw', display_name: '王五', email: `${username}@ngo.example.cn` } });
  assert.equal(r.status, 201, r.text);
  return d.login(username, 'long-enough-pw');
}

const act = async (token, id, action, body = {}) => {
  const r = await d.api('POST', `/api/v1/applications/${id}/${action}`, { token, body });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
};
const read = async (token, id) => (await d.api('GET', `/api/v1/applications/${id}`, { token })).json.data;

test('notified follows the notice of the current status: supplement, acceptance, approval', async () => {
  const a = await applicant();
  const id = await submittedApplication(d, a);
  assert.equal((await read(a, id)).notified, false, 'a submitted application has no notice');
  const s = await act(registrar, id, 'request-supplement', { items: [{ field: 'charter', message: '章程缺少议事规则' }] });
  assert.equal(s.status, 'supplement_requested');
  assert.equal(s.notified, true, 'the action answer says so');
  assert.equal((await read(registrar, id)).notified, true);
  assert.equal((await read(a, id)).notified, true, 'the applicant sees the same');
  const again = await act(a, id, 'submit');
  assert.equal(again.notified, false, 'resubmitted: nothing to tell');
  assert.equal((await act(registrar, id, 'accept')).notified, true);
  const ok = await act(registrar, id, 'approve');
  assert.equal(ok.status, 'approved');
  assert.equal(ok.notified, true);
  // The field comes from the notice itself: without it, the answer does not claim one.
  d.sql(`DELETE FROM notifications WHERE object_type = 'application' AND object_id = '${id}' AND kind = 'application.approved'`);
  assert.equal((await read(registrar, id)).notified, false);
  // Lists do not carry it (one query per row would be too dear there).
  const list = (await d.api('GET', '/api/v1/applications', { token: registrar })).json.data;
  assert.ok(list.length > 0);
  assert.equal('notified' in list[0], false);
});

test('a rejection is notified', async () => {
  const a = await applicant();
  const id = await submittedApplication(d, a);
  await act(registrar, id, 'accept');
  const r = await act(registrar, id, 'reject', { reason: '拟任负责人不符合条件' });
  assert.equal(r.status, 'rejected');
  assert.equal(r.notified, true);
});
