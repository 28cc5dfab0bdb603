// The profile cache (server/cache.h) never shows a profile older than a change: at once on the
// instance that made it, within the poll interval on any other instance sharing the database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { actor, approvedOrg, approvedChange, approvedDeregistration, importRows, row } from '../bench/registry.mjs';

let a, b;
before(async () => {
  a = await startDaemon();
  // Instances of one deployment share the database and the master key.
  b = await startDaemon({ database: a.database, skipMigrate: true, env: { SANZHI_MASTER_KEY_FILE: a.env.SANZHI_MASTER_KEY_FILE } });
});
after(async () => {
  await b.stop();
  await a.stop();
});

const profile = async (d, uscc) => (await d.api('GET', `/api/v1/orgs/${uscc}`)).json.data;

test('a change and a deregistration show at once on the instance that approved them', async () => {
  const applicant = await actor(a, 'applicant');
  const registrar = await actor(a, 'registrar');
  const org = await approvedOrg(a, applicant, registrar);
  for (let i = 0; i < 3; i++) assert.equal((await profile(a, org.uscc)).name, org.name);
  const newName = org.name.replace('养老服务协会', '居家养老服务协会');
  await approvedChange(a, applicant, registrar, org.uscc, { name: newName });
  const p = await profile(a, org.uscc);
  assert.equal(p.name, newName);
  assert.deepEqual(p.former_names.map((f) => f.name), [org.name]);
  await approvedDeregistration(a, applicant, registrar, org.uscc);
  assert.equal((await profile(a, org.uscc)).status, 'deregistered');
});

test('a change made through another instance shows within the poll interval', async () => {
  const applicant = await actor(b, 'applicant');
  const registrar = await actor(b, 'registrar');
  const org = await approvedOrg(b, applicant, registrar);
  assert.equal((await profile(a, org.uscc)).name, org.name);  // now cached on a
  const newName = org.name.replace('养老服务协会', '助老服务协会');
  await approvedChange(b, applicant, registrar, org.uscc, { name: newName });
  const t0 = Date.now();
  let seen;
  while (Date.now() - t0 < 2000) {
    seen = (await profile(a, org.uscc)).name;
    if (seen === newName) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(seen, newName);
  assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
});

test('ETag and If-None-Match work from the cache too', async () => {
  const [r0] = [row()];
  importRows(a, [r0]);
  const first = await a.api('GET', `/api/v1/orgs/${r0.uscc}`);
  const again = await a.api('GET', `/api/v1/orgs/${r0.uscc}`);
  assert.equal(again.text, first.text);
  assert.equal(again.headers.get('etag'), '"1"');
  const nm = await a.api('GET', `/api/v1/orgs/${r0.uscc}`, { headers: { 'If-None-Match': '"1"' } });
  assert.equal(nm.status, 304);
  // The legal representative's ID number never appears, cached or not.
  assert.ok(!again.text.includes('id_number'));
});

test('with the database gone the cache stops answering', async () => {
  const [r0] = [row()];
  importRows(a, [r0]);
  assert.equal((await a.api('GET', `/api/v1/orgs/${r0.uscc}`)).status, 200);
  // Simulate losing the generation: the poller can no longer read it.
  a.sql('RENAME TABLE register_generation TO register_generation_gone');
  try {
    await new Promise((r) => setTimeout(r, 1300));
    a.sql(`UPDATE orgs SET name = '海盐县已改名协会' WHERE uscc = '${r0.uscc}'`);
    assert.equal((await profile(a, r0.uscc)).name, '海盐县已改名协会');
  } finally {
    a.sql('RENAME TABLE register_generation_gone TO register_generation');
  }
});
