// The test clock's bounds (issue 7, item 6): a clock set to 9999-12-31 made every audited write
// fail with 500 (deadlines and expiries computed after "now" fall off DATETIME(6)'s end),
// including the PUT that would have set it back. Now the clock takes times from 1970 to
// 2999-12-31T23:59:59Z only (422 with a field error beyond), and {"now": null} returns it to the
// real time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';

test('the test clock refuses times the database cannot carry, and null returns it to the real time', async () => {
  const d = await startDaemon();
  try {
    await d.addUser({ username: 'clock_admin', role: 'admin' });
    let admin = await d.login('clock_admin');
    const entries = () => Number(d.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'clock.set'").trim());
    const clockNow = async () => Date.parse((await d.api('GET', '/api/v1/admin/clock', { token: admin })).json.data.now);

    for (const now of ['9999-12-31T23:59:59Z', '3000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '1900-01-01T00:00:00Z']) {
      const r = await d.api('PUT', '/api/v1/admin/clock', { token: admin, body: { now } });
      assert.equal(r.status, 422, `${now}: ${r.text}`);
      assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['now', 'out_of_range']], now);
    }
    assert.equal(entries(), 0, 'a refused time is not audited');
    assert.ok(Math.abs((await clockNow()) - Date.now()) < 60e3, 'a refused time moves nothing');

    // The last second allowed: set, and audited writes still work there (a new user is audited,
    // its token expires 12 hours later, past 2999).
    const last = await d.api('PUT', '/api/v1/admin/clock', { token: admin, body: { now: '2999-12-31T23:59:59Z' } });
    assert.equal(last.status, 200, last.text);
    assert.equal(last.json.data.now.slice(0, 16), '2999-12-31T23:59');
    await d.addUser({ username: 'late_user', role: 'registrar' });
    const late = await d.login('late_user');
    const me = await d.api('GET', '/api/v1/me', { token: late });
    assert.equal(me.status, 200, me.text);
    admin = await d.login('clock_admin');  // the jump expired the first token
    const ok = await d.api('PUT', '/api/v1/admin/clock', { token: admin, body: { now: '1970-01-01T00:00:00Z' } });
    assert.equal(ok.status, 200, ok.text);
    assert.ok((await clockNow()) < 60e3 * 5);

    // null: back to the system's time, audited like any other move.
    const before = entries();
    const back = await d.api('PUT', '/api/v1/admin/clock', { token: admin, body: { now: null } });
    assert.equal(back.status, 200, back.text);
    assert.ok(Math.abs(Date.parse(back.json.data.now) - Date.now()) < 60e3, back.json.data.now);
    assert.ok(Math.abs((await clockNow()) - Date.now()) < 60e3);
    assert.equal(entries(), before + 1);
    const summary = JSON.parse(d.sql("SELECT summary FROM audit_log WHERE action = 'clock.set' ORDER BY seq DESC LIMIT 1").trim());
    assert.equal(summary.real_time, true);
    assert.equal(summary.old.slice(0, 4), '1970');

    // A wrong type is still a field error, not a reset.
    const num = await d.api('PUT', '/api/v1/admin/clock', { token: admin, body: { now: 5 } });
    assert.equal(num.status, 422);
    assert.deepEqual(num.json.errors.map((e) => [e.field, e.code]), [['now', 'type']]);
  } finally { await d.stop(); }
});
