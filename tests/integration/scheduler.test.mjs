// The scheduler (server/scheduler.c) and deadlines as rows (server/fsm.c): a deadline fires when
// it is due whether or not anyone asks, once, as the system; one that fell while the daemon was
// down fires when it comes back; rows made before deadlines were rows are armed at start.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { submittedApplication } from '../lib/fixtures.mjs';

const daemons = [];
after(async () => { for (const d of daemons) await d.stop(); });

async function daemon(env) {
  const d = await startDaemon({ env });
  daemons.push(d);
  return d;
}

async function poll(fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const submitted = submittedApplication;

test('a due deadline fires without any request, once, as the system', async () => {
  const d = await daemon({ SANZHI_SWEEP_SECONDS: '1' });
  await d.setClock('2026-03-02T01:00:00Z');
  const a = await d.as('applicant');
  const id = await submitted(d, a);
  assert.equal(d.sql(`SELECT CONCAT(action, '|', due_at) FROM deadlines WHERE object_type = 'application' AND object_id = ${id}`).trim(),
    'deem|2026-03-09 16:00:00.000000');  // the start of 10 March in China: the day after the window (5 working days)
  // The day the window ends: nothing happens.
  await d.setClock('2026-03-09T15:00:00Z');
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(d.sql(`SELECT status FROM applications WHERE id = ${id}`).trim(), 'submitted');
  // The next day: the scheduler makes it accepted, nobody asking.
  await d.setClock('2026-03-09T16:00:01Z');
  const status = await poll(() => d.sql(`SELECT status FROM applications WHERE id = ${id}`).trim() === 'accepted');
  assert.ok(status, 'the deem deadline did not fire by itself');
  assert.equal(d.sql(`SELECT CONCAT(actor, '|', role) FROM audit_log WHERE action = 'application.deem' AND object_id = '${id}'`).trim(),
    'system|system');
  assert.equal(d.sql(`SELECT COUNT(*) FROM deadlines WHERE object_type = 'application' AND object_id = ${id}`).trim(), '0');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'application.deem' AND object_id = '${id}'`).trim(), '1');
});

test('leaving the state drops its deadline; a read never writes', async () => {
  const d = await daemon({ SANZHI_SWEEP_SECONDS: '3600' });
  await d.setClock('2026-03-02T01:00:00Z');
  const a = await d.as('applicant');
  const id = await submitted(d, a);
  const withdrawn = await submitted(d, a);
  assert.equal((await d.api('POST', `/api/v1/applications/${withdrawn}/withdraw`, { token: a })).status, 200);
  assert.equal(d.sql(`SELECT COUNT(*) FROM deadlines WHERE object_type = 'application' AND object_id = ${withdrawn}`).trim(), '0');
  await d.setClock('2026-03-10T01:00:00Z');
  const registrar = await d.as('registrar');
  const before = d.sql('SELECT COUNT(*) FROM audit_log').trim();
  // Reads show the deemed acceptance (and the queue filters by it) without making it.
  assert.equal((await d.api('GET', `/api/v1/applications/${id}`, { token: registrar })).json.data.status, 'accepted');
  const q = await d.api('GET', '/api/v1/applications?status=accepted', { token: registrar });
  assert.ok(q.json.data.some((x) => x.id === id));
  const q2 = await d.api('GET', '/api/v1/applications?status=submitted', { token: registrar });
  assert.ok(!q2.json.data.some((x) => x.id === id));
  assert.equal(d.sql(`SELECT status FROM applications WHERE id = ${id}`).trim(), 'submitted');
  assert.equal(d.sql('SELECT COUNT(*) FROM audit_log').trim(), before);
  // A write finds it due and makes it real first, in the same transaction.
  const r = await d.api('POST', `/api/v1/applications/${id}/approve`, { token: registrar });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(d.sql(`SELECT action FROM audit_log WHERE object_type = 'application' AND object_id = '${id}' ORDER BY seq DESC LIMIT 2`).trim().split('\n'),
    ['application.approve', 'application.deem']);
});

test('a deadline that fell while the daemon was down fires when it comes back; old rows are armed', async () => {
  const d = await daemon({ SANZHI_SWEEP_SECONDS: '3600' });
  // Submitted a month before the real date: the window has long passed in real time, but the
  // daemon's test clock holds it back until the daemon restarts (the test clock is per process).
  const monthAgo = new Date(Date.now() - 30 * 86400e3).toISOString();
  await d.setClock(monthAgo);
  const a = await d.as('applicant');
  const id = await submitted(d, a);
  const old = await submitted(d, a);
  await d.kill9();
  assert.equal(d.sql(`SELECT status FROM applications WHERE id = ${id}`).trim(), 'submitted');
  // As if made before deadlines were rows.
  d.sql(`DELETE FROM deadlines WHERE object_id = ${old}`);
  await d.start();
  const done = await poll(() => d.sql(`SELECT COUNT(*) FROM applications WHERE id IN (${id}, ${old}) AND status = 'accepted' AND deemed_accepted = 1`).trim() === '2');
  assert.ok(done, 'the deadlines that fell during the outage did not fire at start');
  assert.equal(d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'application.deem' AND object_id IN ('${id}', '${old}')`).trim(), '2');
});

test('at start every deadline is written as the rules now compute it', async () => {
  const d = await daemon({ SANZHI_SWEEP_SECONDS: '3600' });
  // Submitted in the (test clock's) future, so that after a restart on the real clock it is not due.
  // A Monday: five working days after it end on the next Monday, three on the Thursday.
  const day = new Date(Date.now() + 40 * 86400e3);
  day.setUTCHours(1, 0, 0, 0);
  while (day.getUTCDay() !== 1) day.setUTCDate(day.getUTCDate() + 1);
  await d.setClock(day.toISOString());
  const a = await d.as('applicant');
  const id = await submitted(d, a);
  const dueAt = () => d.sql(`SELECT due_at FROM deadlines WHERE object_type = 'application' AND object_id = ${id}`).trim();
  // Due at the start (China time, 16:00 UTC) of the day after the window.
  const before = dueAt();
  assert.equal(before.slice(11), '16:00:00.000000');
  await d.kill9();
  d.env.SANZHI_RULE_SUPPLEMENT_WINDOW_DAYS = '3';
  await d.start();
  const moved = await poll(() => dueAt() !== before && dueAt());
  assert.ok(moved, 'the deadline kept the old rule');
  assert.equal((Date.parse(before.replace(' ', 'T') + 'Z') - Date.parse(moved.replace(' ', 'T') + 'Z')) / 86400e3, 4);
  assert.equal(d.sql(`SELECT status FROM applications WHERE id = ${id}`).trim(), 'submitted');
});
