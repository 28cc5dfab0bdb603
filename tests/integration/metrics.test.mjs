// /metrics (SPEC §3): the Prometheus text is whole, every family in it, never cut short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';

const FAMILIES = [
  ['sanzhi_http_requests_total', 'counter'],
  ['sanzhi_http_request_duration_seconds', 'histogram'],
  ['sanzhi_http_errors_total', 'counter'],
  ['sanzhi_http_in_flight', 'gauge'],
  ['sanzhi_db_connections', 'gauge'],
  ['sanzhi_cache_lookups_total', 'counter'],
  ['sanzhi_cache_bytes', 'gauge'],
  ['sanzhi_mail_sent_total', 'counter'],
  ['sanzhi_mail_failed_total', 'counter'],
  ['sanzhi_mail_dead_total', 'counter'],
];

test('the metrics text is complete: every family in order, every line whole, ending with the last family', async () => {
  const d = await startDaemon();
  try {
    // Many series: every route of the API description, called anonymously (200, 401, 404, 405, …).
    const spec = (await d.api('GET', '/api/v1/openapi.json')).json;
    const routes = [];
    for (const [p, ops] of Object.entries(spec.paths)) {
      for (const method of Object.keys(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        routes.push([method.toUpperCase(), p.replace(/\{[^}]+\}/g, 'x')]);
      }
    }
    assert.ok(routes.length > 20, `${routes.length} routes`);
    for (const [method, p] of routes) {
      await d.api(method, p, method === 'GET' ? {} : { body: {} });
      await d.api('GET', `${p}/unmatched-${routes.length}`);
    }
    const m = await d.api('GET', '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const text = m.text;
    assert.ok(text.length > 4096, `${text.length} bytes: enough series to grow the buffer several times`);
    assert.match(text, /\nsanzhi_mail_dead_total \d+\n$/, 'ends with the last family, whole');
    const lines = text.slice(0, -1).split('\n');
    let at = -1;
    for (const [name, type] of FAMILIES) {
      const help = lines.findIndex((l) => l.startsWith(`# HELP ${name} `));
      assert.ok(help > at, `${name} after the family before it`);
      assert.equal(lines[help + 1], `# TYPE ${name} ${type}`);
      at = help;
    }
    for (const l of lines) {
      if (l.startsWith('#')) continue;
      assert.match(l, /^sanzhi_[a-z_]+(\{[a-z_]+="[^"\n]*"(,[a-z_]+="[^"\n]*")*\})? \d+(\.\d+)?$/, l);
    }
    // Every route called has its series.
    const series = lines.filter((l) => l.startsWith('sanzhi_http_requests_total{'));
    assert.ok(series.length >= routes.length, `${series.length} series for ${routes.length} routes`);
    assert.ok(series.some((l) => l.startsWith('sanzhi_http_requests_total{route="unmatched",status="404"}')));
    const buckets = lines.filter((l) => l.startsWith('sanzhi_http_request_duration_seconds_bucket'));
    assert.equal(buckets.length, 14);
    assert.match(buckets.at(-1), /le="\+Inf"/);
  } finally { await d.stop(); }
});
