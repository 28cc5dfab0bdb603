// The test clock (SPEC §2): PUT /api/v1/admin/clock moves "now" once its audit entry is
// committed, before it answers; a refused change moves nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';

test('setting the test clock: answered with the new time, in effect for the very next request, audited once', async () => {
  const d = await startDaemon();
  try {
    await d.addUser({ username: 'clock_admin', role: 'admin' });
    const admin = await d.login('clock_admin');
    const entries = () => Number(d.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'clock.set'").trim());
    const target = new Date(Date.now() + 3 * 3600e3);
    target.setUTCMilliseconds(0);
    const iso = target.toISOString().replace('.000Z', 'Z');
    const r = await d.api('PUT', '/api/v1/admin/clock', { token: admin, body: { now: iso } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.now, iso);
    assert.equal(r.json.data.test_clock, true);
    assert.equal(entries(), 1);
    // The very next request already sees the new time.
    const g = await d.api('GET', '/api/v1/admin/clock', { token: admin });
    const now = Date.parse(g.json.data.now);
    assert.ok(now >= target.getTime() && now < target.getTime() + 60e3, g.json.data.now);

    // A bad time is refused with its field and changes nothing.
    const bad = await d.api('PUT', '/api/v1/admin/clock', { token: admin, body: { now: 'tomorrow' } });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.json.errors.map((e) => [e.field, e.code]), [['now', 'invalid_time']]);
    assert.equal(entries(), 1);
    const still = Date.parse((await d.api('GET', '/api/v1/admin/clock', { token: admin })).json.data.now);
    assert.ok(still >= target.getTime() && still < target.getTime() + 60e3);
  } finally { await d.stop(); }
});

test('without SANZHI_TEST_CLOCK the clock cannot be set, and nothing is audited', async () => {
  const d = await startDaemon({ env: { SANZHI_TEST_CLOCK: '0' } });
  try {
    await d.addUser({ username: 'clock_admin', role: 'admin' });
    const admin = await d.login('clock_admin');
    const r = await d.api('PUT', '/api/v1/admin/clock', { token: admin, body: { now: '2031-01-01T00:00:00Z' } });
    assert.equal(r.status, 409);
    assert.equal(r.json.code, 'test_clock_disabled');
    assert.equal(d.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'clock.set'").trim(), '0');
    const g = await d.api('GET', '/api/v1/admin/clock', { token: admin });
    assert.equal(g.json.data.test_clock, false);
    assert.ok(Math.abs(Date.parse(g.json.data.now) - Date.now()) < 60e3);
  } finally { await d.stop(); }
});

test('a frozen test clock stands still until it is set again; null sets it running on the real time', async () => {
  const d = await startDaemon();
  try {
    await d.addUser({ username: 'clock_admin', role: 'admin' });
    const admin = await d.login('clock_admin');
    const put = (body) => d.api('PUT', '/api/v1/admin/clock', { token: admin, body });
    const r = await put({ now: '2026-04-25T08:59:59.999999Z', frozen: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.frozen, true);
    assert.equal(d.sql("SELECT JSON_VALUE(summary, '$.frozen') FROM audit_log WHERE action = 'clock.set' ORDER BY seq DESC LIMIT 1").trim(), '1');
    await new Promise((res) => setTimeout(res, 1200));
    const g = await d.api('GET', '/api/v1/admin/clock', { token: admin });
    assert.equal(g.json.data.now, '2026-04-25T08:59:59Z');  // not a microsecond later
    assert.equal(g.json.data.frozen, true);
    // Set without frozen: it runs on.
    assert.equal((await put({ now: '2026-04-25T09:00:00Z' })).json.data.frozen, false);
    await new Promise((res) => setTimeout(res, 1200));
    assert.notEqual((await d.api('GET', '/api/v1/admin/clock', { token: admin })).json.data.now, '2026-04-25T09:00:00Z');
    await put({ now: '2026-04-25T09:00:00Z', frozen: true });
    const back = await put({ now: null });
    assert.equal(back.json.data.frozen, false);
    assert.equal((await d.api('GET', '/api/v1/admin/clock', { token: admin })).json.data.frozen, false);
    const bad = await put({ now: '2026-04-25T09:00:00Z', frozen: 'yes', later: 1 });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.json.errors.map((e) => `${e.field}:${e.code}`).sort(), ['frozen:type', 'later:unknown_field']);
  } finally { await d.stop(); }
});
