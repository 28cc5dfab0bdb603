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

test('every operation lists the answers its route table entry makes the dispatcher give', () => {
  const routes = JSON.parse(execFileSync(BIN, ['routes', '--json'], { encoding: 'utf8', env: { PATH: process.env.PATH } }));
  assert.ok(routes.length >= 40);
  const problem = (op, status, where) => {
    const r = op.responses[status];
    assert.ok(r, `${where} lists ${status}`);
    assert.deepEqual(r.content?.['application/problem+json']?.schema, { $ref: '#/components/schemas/Problem' },
      `${where} ${status} is problem+json with the Problem schema`);
    return r;
  };
  for (const r of routes) {
    const where = `${r.method} ${r.pattern}`;
    const op = doc.paths[r.pattern][r.method.toLowerCase()];
    const flags = new Set(r.flags);
    assert.ok(problem(op, '401', where).headers['WWW-Authenticate'].required, `${where} 401 has WWW-Authenticate`);
    if (r.public) {
      assert.deepEqual(op.security, [{}, { bearer: [] }], `${where} is public`);
    } else {
      assert.deepEqual(op['x-roles'], r.roles, `${where} x-roles`);
      if (r.roles.length < 5) problem(op, '403', where);
    }
    if (r.pattern.includes('{')) { problem(op, '404', where); problem(op, '400', where); }
    if (flags.has('json') || flags.has('json_opt')) for (const s of ['400', '411', '413', '415', '422']) problem(op, s, where);
    if (flags.has('raw')) for (const s of ['400', '411', '413', '415']) problem(op, s, where);
    if (!flags.has('json') && !flags.has('json_opt') && !flags.has('raw')) problem(op, '415', where);
    if (flags.has('idempotent')) for (const s of ['400', '409', '422']) problem(op, s, where);
    assert.ok(problem(op, '503', where).headers['Retry-After'].required, `${where} 503 has Retry-After`);
    for (const [status, resp] of Object.entries(op.responses)) {
      if (Number(status) >= 400) problem(op, status, where);
    }
  }
  const p = doc.components.schemas.Problem;
  assert.deepEqual(p.required, ['type', 'title', 'status', 'code', 'detail', 'request_id']);
  for (const m of ['instance', 'errors', 'current_status', 'allowed_actions']) assert.ok(p.properties[m], `Problem.${m}`);
  assert.ok(doc.components.responses.MethodNotAllowed.headers.Allow.required);
});

test('the daemon serves the same document', async () => {
  const d = await startDaemon();
  try {
    const r = await d.api('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, doc);
  } finally { await d.stop(); }
});

test('the workflows in the document are the executor\'s tables, and each action operation lists its moves', () => {
  const machines = JSON.parse(execFileSync(BIN, ['states'], { encoding: 'utf8', env: { PATH: process.env.PATH } }));
  assert.deepEqual(doc['x-state-machines'], machines);
  const app = machines.application;
  assert.ok(app, 'applications are a registered workflow');
  assert.deepEqual(app.timers, [{ state: 'submitted', action: 'deem', rule: 'deemed_acceptance' }]);
  let described = 0;
  for (const action of new Set(app.transitions.map((t) => t.action))) {
    const op = action === 'delete' ? doc.paths[app.path]?.delete : doc.paths[`${app.path}/${action}`]?.post;
    const moves = app.transitions.filter((t) => t.action === action);
    if (!op) {
      // Only edits (PATCH, documents) and the system's own moves have no action route.
      assert.ok(action === 'edit' || moves.every((t) => t.roles.includes('system')), `POST ${app.path}/${action} is documented`);
      continue;
    }
    assert.deepEqual(op['x-transitions'], moves.map(({ from, to, roles }) => ({ from, to, roles })));
    assert.deepEqual([...new Set(moves.flatMap((t) => t.roles))].sort(), [...op['x-roles']].sort(),
      `${action}: the route admits exactly the roles the table gives it`);
    assert.ok(op.responses['409'], `${action} documents its 409`);
    described++;
  }
  assert.equal(described, 7);  // submit, withdraw, request-supplement, accept, approve, reject; delete (DELETE)
});
