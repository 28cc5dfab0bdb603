// api/openapi.json and the routing table describe the same API, and the daemon serves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startDaemon, ROOT, BIN } from '../lib/daemon.mjs';

const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'api/openapi.json'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

test('api/openapi.json is the join of api/openapi/*.json', () => {
  execFileSync('node', [path.join(ROOT, 'scripts/openapi.mjs'), '--check']);
});

test('every route is documented, and every documented operation is routed', () => {
  const routes = execFileSync(BIN, ['routes'], { encoding: 'utf8', env: { PATH: process.env.PATH } })
    .trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
  const documented = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) documented.push(`${m.toUpperCase()} ${p}`);
  }
  const missingInDoc = routes.filter((r) => !documented.includes(r));
  const missingInRoutes = documented.filter((r) => !routes.includes(r));
  assert.deepEqual(missingInDoc, [], 'routes without documentation');
  assert.deepEqual(missingInRoutes, [], 'documented operations without a route');
});

test('the document is OpenAPI 3.1 and every operation says what it answers', () => {
  assert.equal(doc.openapi, '3.1.0');
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      if (!item[m]) continue;
      assert.ok(item[m].summary, `${m} ${p} has a summary`);
      assert.ok(Object.keys(item[m].responses || {}).length, `${m} ${p} has responses`);
    }
  }
  // Every $ref resolves.
  const refs = JSON.stringify(doc).match(/"\$ref":"#\/[^"]+"/g) || [];
  for (const r of new Set(refs)) {
    const parts = r.slice(10, -1).split('/');
    let node = doc;
    for (const k of parts) node = node?.[k];
    assert.ok(node, `unresolved ${r}`);
  }
});

test('the daemon serves the same document', async () => {
  const d = await startDaemon();
  try {
    const r = await d.api('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, doc);
  } finally { await d.stop(); }
});
