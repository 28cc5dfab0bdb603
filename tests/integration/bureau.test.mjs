// The registration authority's contact and periods (GET /api/v1/bureau, public): what the
// applicant's pages say comes from the configuration and the rules the workflow runs with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';

let d;
before(async () => {
  d = await startDaemon({
    env: {
      SANZHI_BUREAU_NAME: '海盐县民政局', SANZHI_BUREAU_PHONE: '0573-86000000',
      SANZHI_BUREAU_ADDRESS: '海盐县武原街道枣园中路 1 号',
      // hours left unset; two rules moved from their defaults
      SANZHI_RULE_DECISION_DAYS: '45', SANZHI_RULE_DECISION_DAYS_WORKING: '1',
    },
  });
});
after(async () => { await d.stop(); });

test('GET /bureau: the configured contact (null where unset) and the rules\' periods, without a token', async () => {
  const r = await d.api('GET', '/api/v1/bureau');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, {
    name: '海盐县民政局', phone: '0573-86000000', address: '海盐县武原街道枣园中路 1 号', hours: null,
    periods: { supplement_window_working_days: 5, decision_days: 45, decision_days_charity: 30, decision_days_working: true },
  });
  assert.equal((await d.api('POST', '/api/v1/bureau', { body: {} })).status, 405);
});

