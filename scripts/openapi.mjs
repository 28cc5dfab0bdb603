#!/usr/bin/env node
// openapi.mjs — builds api/openapi.json from the per-module fragments api/openapi/*.json and the
// routing table (`sanzhid routes --json`).
//   node scripts/openapi.mjs          write api/openapi.json
//   node scripts/openapi.mjs --check  exit 1 if api/openapi.json is not up to date
// The fragments say what each handler does: its parameters, bodies, successes and the refusals
// only it makes (409 state conflicts, 412, 422 field errors, …). The answers the dispatcher gives
// on its own are generated here from what the route table knows, so nobody writes them by hand:
//   roles              → 401 (no or bad token), 403 (forbidden_role) unless every role may call it
//   body flags         → 400 (malformed body), 411, 413, 415; 422 for JSON bodies
//   no body flag       → 415 (a body was sent)
//   R_IDEMPOTENT       → 400 invalid_idempotency_key, 409 request_in_progress, 422 idempotency_key_reused
//   path parameters    → 404 (no such resource), 400 invalid_path
//   every route        → 503 (database down, or shutting down) with Retry-After
// Requests with a method a path does not have are 405 with Allow (components.responses.MethodNotAllowed),
// methods the server does not implement 501, paths nothing is routed to 404.
// The workflows' state machines (`sanzhid states`) are written whole as x-state-machines, and each
// operation that takes an action (POST <path>/<action>, or DELETE <path> for delete) gets x-transitions:
// the moves it makes.
// The binary is build/sanzhid, or $SANZHI_BIN.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'api/openapi');
const bin = process.env.SANZHI_BIN || path.join(root, 'build/sanzhid');
const ALL_ROLES = ['applicant', 'registrar', 'purchaser', 'evaluator', 'admin'];
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

function fail(msg) {
  console.error(`openapi.mjs: ${msg}`);
  process.exit(1);
}

// --- the fragments, joined ---------------------------------------------------------------------
const doc = {
  openapi: '3.1.0',
  info: {
    title: 'sanzhi',
    version: '1.0.0',
    description: 'Civil-affairs platform for social organizations: registry, government purchase of services, credit. '
      + 'Success bodies are {"data": …}; lists add next_cursor; errors are RFC 9457 application/problem+json with a stable code. '
      + 'Besides the answers listed for each operation: a method a path does not have is 405 with Allow '
      + '(components.responses.MethodNotAllowed); a method the server does not implement (TRACE, CONNECT, unknown) is 501 '
      + '(components.responses.NotImplemented); a path nothing is routed to is 404 (components.responses.NoSuchResource). '
      + 'The error answers the dispatcher gives (401, 403, 400, 411, 413, 415, 404, 503, Idempotency-Key refusals) are '
      + 'generated from the routing table by scripts/openapi.mjs; x-roles lists the roles that may call an operation; public ones have none.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  paths: {},
  components: { securitySchemes: {}, headers: {}, parameters: {}, responses: {}, schemas: {} },
};
for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const frag = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  for (const [p, item] of Object.entries(frag.paths || {})) {
    if (doc.paths[p]) {
      for (const [m, op] of Object.entries(item)) {
        if (doc.paths[p][m]) throw new Error(`${f}: ${m.toUpperCase()} ${p} is described twice`);
        doc.paths[p][m] = op;
      }
    } else doc.paths[p] = item;
  }
  for (const [kind, items] of Object.entries(frag.components || {})) {
    doc.components[kind] = doc.components[kind] || {};
    for (const [name, v] of Object.entries(items)) {
      if (doc.components[kind][name] && JSON.stringify(doc.components[kind][name]) !== JSON.stringify(v)) {
        throw new Error(`${f}: components.${kind}.${name} differs from an earlier fragment`);
      }
      doc.components[kind][name] = v;
    }
  }
}

// --- the routing table -------------------------------------------------------------------------
let routes;
try {
  routes = JSON.parse(execFileSync(bin, ['routes', '--json'], { encoding: 'utf8', env: { PATH: process.env.PATH } }));
} catch (err) {
  fail(`cannot read the routing table from ${bin} routes --json (run make first): ${err.message}`);
}

// --- the state machines --------------------------------------------------------------------------
let machines;
try {
  machines = JSON.parse(execFileSync(bin, ['states'], { encoding: 'utf8', env: { PATH: process.env.PATH } }));
} catch (err) {
  fail(`cannot read the state machines from ${bin} states (run make first): ${err.message}`);
}
doc['x-state-machines'] = machines;
for (const [object, m] of Object.entries(machines)) {
  const actions = new Set(m.transitions.map((t) => t.action));
  for (const a of actions) {
    // The action delete is the resource's own DELETE; every other one is POST <path>/<action>.
    const op = a === 'delete' ? doc.paths[m.path]?.delete : doc.paths[`${m.path}/${a}`]?.post;
    if (!op) continue;  // edits and the system's moves have no action route of their own
    op['x-transitions'] = m.transitions.filter((t) => t.action === a).map(({ from, to, roles }) => ({ from, to, roles }));
    const article = /^[aeiou]/.test(object) ? 'An' : 'A';
    op.description = `${op.description ? op.description + ' ' : ''}${article} ${object} moves ${op['x-transitions']
      .map((t) => `${t.from} → ${t.to}`).join(', ')} (x-transitions); from any other state the answer is 409 `
      + 'invalid_transition with current_status and allowed_actions.';
  }
}

const documented = new Set();
for (const [p, item] of Object.entries(doc.paths)) {
  for (const m of METHODS) if (item[m]) documented.add(`${m.toUpperCase()} ${p}`);
}
const routed = new Set(routes.map((r) => `${r.method} ${r.pattern}`));
const undocumented = [...routed].filter((r) => !documented.has(r));
const unrouted = [...documented].filter((r) => !routed.has(r));
if (undocumented.length) fail(`routes without a description in api/openapi/*.json: ${undocumented.join(', ')}`);
if (unrouted.length) fail(`operations in api/openapi/*.json without a route: ${unrouted.join(', ')}`);

// --- the answers the dispatcher gives ---------------------------------------------------------
const RETRY_AFTER = { description: 'seconds to wait before retrying', required: true, schema: { type: 'integer', minimum: 0 } };
const WWW_AUTHENTICATE = { description: 'Bearer', required: true, schema: { type: 'string', const: 'Bearer' } };

// What a route's table entry makes the dispatcher answer, by status: [codes, headers].
function generated(r, pattern) {
  const out = {};
  const add = (status, text, headers) => {
    const o = out[status] || (out[status] = { texts: [], headers: {} });
    o.texts.push(text);
    Object.assign(o.headers, headers || {});
  };
  const flags = new Set(r.flags);
  const hasParams = pattern.includes('{');
  const bodyMethod = ['POST', 'PUT', 'PATCH'].includes(r.method);

  if (r.public) {
    add(401, 'invalid_token: an Authorization header was sent with a token that is invalid, expired or revoked '
      + '(this operation needs none)', { 'WWW-Authenticate': WWW_AUTHENTICATE });
  } else {
    add(401, 'unauthenticated: no Authorization: Bearer token; invalid_token: the token is invalid, expired or revoked',
      { 'WWW-Authenticate': WWW_AUTHENTICATE });
    if (ALL_ROLES.some((role) => !r.roles.includes(role))) {
      add(403, `forbidden_role: only ${r.roles.join(', ')} may call this`);
    }
  }
  if (hasParams) {
    add(400, 'invalid_path: the path has a bad percent-escape or an encoded control character');
    add(404, 'not_found: no such resource (also for a path parameter that is not one)');
  }
  if (flags.has('json') || flags.has('json_opt')) {
    add(400, 'malformed_json, invalid_utf8, too_deep, nul_character, duplicate_member, body_not_object: the body is not '
      + 'a well-formed JSON object; incomplete_body: it ended before Content-Length bytes'
      + (flags.has('json') ? '; body_required: there is none' : ''));
    add(411, flags.has('json')
      ? 'length_required: the body has no Content-Length (chunked or absent)'
      : 'length_required: a chunked body without Content-Length');
    add(413, 'body_too_large: the body is over body_limit (1 MiB by default)');
    add(415, 'unsupported_media_type: the body is not Content-Type: application/json (UTF-8)');
    add(422, 'validation_failed and other field errors: errors[] names each field, its code and a message');
  } else if (flags.has('raw')) {
    add(400, 'incomplete_body: the body ended before Content-Length bytes');
    add(411, 'length_required: the body has no Content-Length');
    add(413, 'body_too_large: the body is over document_limit (20 MiB by default)');
    add(415, 'unsupported_media_type: the file is not of an accepted media type');
  } else if (bodyMethod) {
    add(411, 'length_required: a chunked body (this operation takes none)');
    add(415, 'unsupported_media_type: this operation takes no body');
  } else {
    add(415, 'unsupported_media_type: a body was sent; this operation takes none');
  }
  if (flags.has('idempotent')) {
    add(400, 'invalid_idempotency_key: Idempotency-Key is empty, longer than 128 bytes or not UTF-8');
    add(409, 'request_in_progress: a request with this Idempotency-Key is still being processed', { 'Retry-After': { ...RETRY_AFTER, required: false } });
    add(422, 'idempotency_key_reused: this Idempotency-Key was used for a different request');
  }
  add(503, flags.has('no_db')
    ? 'shutting_down: this instance is draining; database_unavailable: a token was sent and the database that checks it is down'
    : 'database_unavailable: the database is down or migrations are pending; shutting_down: this instance is draining',
  { 'Retry-After': RETRY_AFTER });
  return out;
}

// The usual meaning of a status a handler declares, when the fragment does not say more.
const DEFAULT_TEXT = {
  400: 'bad request (see code)', 401: 'unauthenticated', 403: 'forbidden (see code)', 404: 'not_found: no such resource',
  409: 'conflict: the resource is not in a state that allows this (see code); conflict or duplicate when a concurrent change got there first',
  412: 'version_mismatch: If-Match (or version) names another version than the current one',
  422: 'validation failed: errors[] names each field, its code and a message',
  429: 'rate-limited (see code); Retry-After says when to retry', 503: 'unavailable; Retry-After says when to retry',
};

const isProblemRef = (resp) => resp && (resp.$ref === '#/components/responses/Problem' || resp.$ref === '#/components/responses/Unavailable');

for (const r of routes) {
  const item = doc.paths[r.pattern];
  const op = item[r.method.toLowerCase()];
  const pathParams = [...r.pattern.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const declared = [...(item.parameters || []), ...(op.parameters || [])].filter((p) => p.in === 'path').map((p) => p.name);
  for (const name of pathParams) {
    if (!declared.includes(name)) fail(`${r.method} ${r.pattern}: path parameter ${name} is not described`);
  }
  // Public operations take no token, but check one that is sent.
  if (r.public) op.security = [{}, { bearer: [] }];
  else op['x-roles'] = r.roles;

  const gen = generated(r, r.pattern);
  const responses = {};
  const statuses = new Set([...Object.keys(op.responses || {}), ...Object.keys(gen)]);
  for (const s of [...statuses].sort()) {
    const frag = op.responses?.[s];
    const g = gen[s];
    if (frag && !isProblemRef(frag)) {
      // A handler's own answer (success, 304, or a problem the fragment spelled out).
      if (g) fail(`${r.method} ${r.pattern}: ${s} is generated; declare it as {"$ref": "#/components/responses/Problem"} (with a description of the handler's codes)`);
      responses[s] = frag;
      continue;
    }
    const texts = [];
    if (frag?.description) texts.push(frag.description);
    if (g) texts.push(...g.texts);
    if (!texts.length) texts.push(DEFAULT_TEXT[s] || 'see code');
    const headers = { ...(g?.headers || {}) };
    if (s === '429' || s === '503') headers['Retry-After'] = RETRY_AFTER;
    const resp = { description: texts.join('. '), content: PROBLEM };
    if (Object.keys(headers).length) resp.headers = headers;
    responses[s] = resp;
  }
  op.responses = responses;
}

// Answers that belong to no operation.
Object.assign(doc.components.responses, {
  MethodNotAllowed: { description: 'method_not_allowed: the path exists, the method does not; Allow lists the methods it has',
    headers: { Allow: { required: true, schema: { type: 'string', examples: ['GET, PATCH'] } } }, content: PROBLEM },
  NotImplemented: { description: 'method_not_implemented: the server does not implement this method (TRACE, CONNECT, unknown methods)',
    content: PROBLEM },
  NoSuchResource: { description: 'not_found: nothing is routed to this path; invalid_path (400): the path has a bad percent-escape or an encoded control character',
    content: PROBLEM },
});

const text = JSON.stringify(doc, null, 1) + '\n';
const out = path.join(root, 'api/openapi.json');
if (process.argv.includes('--check')) {
  const cur = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  if (cur !== text) {
    console.error('api/openapi.json is not up to date: run node scripts/openapi.mjs');
    process.exit(1);
  }
} else {
  fs.writeFileSync(out, text);
}
