// The database layer as a client sees it (SPEC §8): a connection killed under the daemon (a
// server restart, a proxy's idle timeout, an operator's KILL) costs no request a failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';

let d;
before(async () => { d = await startDaemon({ env: { SANZHI_THREADS: '4' } }); });
after(async () => { await d.stop(); });

// Kills every connection the daemon holds to its database; returns how many.
function killDaemonConnections() {
  const ids = d.sql(`SELECT id FROM information_schema.processlist WHERE db = '${d.database}' AND id <> CONNECTION_ID()`)
    .trim().split('\n').filter(Boolean);
  for (const id of ids) {
    try { d.sql(`KILL CONNECTION ${id}`); } catch { /* gone already */ }
  }
  return ids.length;
}

test('reads on connections killed while idle reconnect and answer at once', async () => {
  const token = await d.as('admin');
  // Warm every worker's connection.
  await Promise.all(Array.from({ length: 8 }, () => d.api('GET', '/api/v1/me', { token })));
  assert.ok(killDaemonConnections() >= 1);
  for (let i = 0; i < 8; i++) {
    const r = await d.api('GET', '/api/v1/me', { token });
    assert.equal(r.status, 200, r.text);
  }
  // And writes, which run in transactions, after a kill too.
  killDaemonConnections();
  const r = await d.api('POST', '/api/v1/users', { token, body: { username: 'after_kill', password: 'long-enough-pw', role: 'registrar', display_name: '审核员' } });
  assert.equal(r.status, 201, r.text);
});
