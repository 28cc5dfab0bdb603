// The HTTP layer (SPEC §2): problem+json for every error, body limits, hostile input,
// request ids, keep-alive, ETag/If-Match, HEAD, the static UI, TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import https from 'node:https';
import tls from 'node:tls';
import { startDaemon } from '../lib/daemon.mjs';

let d;
before(async () => { d = await startDaemon({ tls: true, env: { SANZHI_BODY_LIMIT: '4096' } }); });
after(async () => { await d.stop(); });

// Sends raw bytes and returns the raw response (status line, headers, body).
function rawRequest(port, bytes) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    s.on('data', (b) => { buf = Buffer.concat([buf, b]); });
    s.on('end', () => resolve(buf.toString('utf8')));
    s.on('error', reject);
    s.setTimeout(5000, () => { s.destroy(); resolve(buf.toString('utf8')); });
    s.write(bytes);
  });
}
const statusOf = (raw) => Number(raw.split(' ')[1]);
const bodyOf = (raw) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));

function assertProblem(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.equal(r.json.code, code);
  assert.equal(r.json.type, `/problems/${code}`);
  assert.ok(r.json.title && r.json.detail);
}

test('unknown routes are 404 problem+json; wrong methods 405 with Allow', async () => {
  assertProblem(await d.api('GET', '/api/v1/nothing-here'), 404, 'not_found');
  const r = await d.api('DELETE', '/api/v1/me');
  assertProblem(r, 405, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'GET');
  const p = await d.api('GET', '/api/v1/auth/login');
  assert.equal(p.headers.get('allow'), 'POST');
});

test('bodies: 415 without JSON content type, 411 without length, 413 over the limit, 400 malformed', async () => {
  assertProblem(await d.api('POST', '/api/v1/auth/login', { body: '{"username":"a","password":"b"}',
    headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
  assertProblem(await d.api('POST', '/api/v1/auth/login', { body: '{"a":1}',
    headers: { 'Content-Type': 'application/json; charset=latin1' } }), 415, 'unsupported_media_type');
  const chunked = await rawRequest(d.port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    + 'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{"a":\r\n0\r\n\r\n');
  assert.equal(statusOf(chunked), 411);
  assert.equal(bodyOf(chunked).code, 'length_required');
  const noLen = await rawRequest(d.port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n');
  assert.equal(statusOf(noLen), 411);
  assertProblem(await d.api('POST', '/api/v1/auth/login', { body: JSON.stringify({ username: 'x'.repeat(5000), password: 'y' }) }),
    413, 'body_too_large');
  assertProblem(await d.api('POST', '/api/v1/auth/login', { body: '{"username": "a",' }), 400, 'malformed_json');
  assertProblem(await d.api('POST', '/api/v1/auth/login', { body: '{"username":"a"} trailing' }), 400, 'malformed_json');
  assertProblem(await d.api('POST', '/api/v1/auth/login', { body: '[1,2]' }), 400, 'body_not_object');
  // A member named twice would be read one way here and another way by the client.
  assertProblem(await d.api('POST', '/api/v1/auth/login', { body: '{"username":"a","password":"b","username":"c"}' }),
    400, 'duplicate_member');
  assertProblem(await d.api('POST', '/api/v1/auth/login', { body: '' }), 400, 'body_required');
});

test('hostile JSON: invalid UTF-8, deep nesting, NUL bytes, huge numbers, wrong types', async () => {
  const bad = Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","password":"x"}')]);
  assertProblem(await d.api('POST', '/api/v1/auth/login', { raw: bad, headers: { 'Content-Type': 'application/json' } }),
    400, 'invalid_utf8');
  const overlong = Buffer.concat([Buffer.from('{"u":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
  assertProblem(await d.api('POST', '/api/v1/auth/login', { raw: overlong, headers: { 'Content-Type': 'application/json' } }),
    400, 'invalid_utf8');
  const deep = '{"a":' + '['.repeat(200) + ']'.repeat(200) + '}';
  assertProblem(await d.api('POST', '/api/v1/auth/login', { body: deep }), 400, 'too_deep');
  // \u0000 would end the string in C: "nuldn\u0000zzz" must not sign in as nuldn.
  const nul = Buffer.from('{"username":"a\u0000b","password":"x"}'.replace('\u0000', '\\u0000'));
  const r = await d.api('POST', '/api/v1/auth/login', { raw: nul, headers: { 'Content-Type': 'application/json' } });
  assertProblem(r, 400, 'nul_character');
  // An escaped backslash before u0000 is a backslash, not a NUL.
  const notNul = await d.api('POST', '/api/v1/auth/login', { raw: Buffer.from('{"username":"a\\\\u0000","password":"long-enough-pw"}'),
    headers: { 'Content-Type': 'application/json' } });
  assert.equal(notNul.status, 401, notNul.text);
  const types = await d.api('POST', '/api/v1/accounts', { body: { username: 42, password: ['x'], display_name: { a: 1 } } });
  assertProblem(types, 422, 'validation_failed');
  assert.deepEqual(types.json.errors.filter((e) => e.code === 'type').map((e) => e.field).sort(), ['display_name', 'password', 'username']);
  const admin = await d.as('admin');
  const big = await d.api('PATCH', '/api/v1/users/1e400', { token: admin, body: { display_name: 'x' } });
  assertProblem(big, 404, 'not_found');
});

test('SQL metacharacters are data, never code', async () => {
  const name = "o'brien\"; DROP TABLE users; --";
  const r = await d.api('POST', '/api/v1/auth/login', { body: { username: name, password: "' OR '1'='1" } });
  assertProblem(r, 401, 'invalid_credentials');
  const s = await d.api('POST', '/api/v1/accounts', { body: { username: "a' OR 1=1 --", password: 'long-enough-pw', display_name: "x'); DROP TABLE users;--", phone: '13800138000' } });
  assertProblem(s, 422, 'validation_failed');
  const ok = await d.api('POST', '/api/v1/accounts', { body: { username: 'robert_tables', password: 'long-enough-pw', display_name: "Robert'); DROP TABLE users;--", phone: '13800138000' } });
  assert.equal(ok.status, 201);
  assert.equal(ok.json.data.display_name, "Robert'); DROP TABLE users;--");
  const admin = await d.as('admin');
  const list = await d.api('GET', "/api/v1/users?role=admin'%20OR%20'1'='1", { token: admin });
  assertProblem(list, 400, 'invalid_role');
});

test('requests CivetWeb itself refuses are problem+json too', async () => {
  for (const [bytes, status] of [
    [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`, 400],
    ['GARBAGE\r\n\r\n', 400],
    ['GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', 505],
  ]) {
    const raw = await rawRequest(d.port, bytes);
    assert.equal(statusOf(raw), status, raw);
    assert.match(raw, /Content-Type: application\/problem\+json/);
    assert.equal(bodyOf(raw).status, status);
  }
});

test('answers carry the server\'s date, from its one clock (the test clock here)', async () => {
  const admin = await d.as('admin');
  await d.setClock('2030-05-31T16:30:00Z', admin);
  const r = await d.api('GET', '/healthz');
  assert.match(r.headers.get('date'), /^Fri, 31 May 2030 16:3\d:\d\d GMT$/);
});

test('every answer carries X-Request-Id; a sane incoming id is echoed; errors leak no internals', async () => {
  const a = await d.api('GET', '/healthz');
  assert.match(a.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  const b = await d.api('GET', '/healthz', { headers: { 'X-Request-Id': 'trace-abc-123' } });
  assert.equal(b.headers.get('x-request-id'), 'trace-abc-123');
  const c = await d.api('GET', '/healthz', { headers: { 'X-Request-Id': 'bad id with spaces and <script>' } });
  assert.notEqual(c.headers.get('x-request-id'), 'bad id with spaces and <script>');
  const e = await d.api('GET', '/api/v1/users/abc', { token: await d.as('admin') });
  assert.ok(!/SELECT|mysql|mariadb|\.c:|\/work\//i.test(e.text));
  assert.ok(d.logs.includes('"request_id":"trace-abc-123"'));
});

test('encoded NULs and controls never cut a path or a parameter short; bodies only where they belong', async () => {
  const admin = await d.as('admin');
  assertProblem(await d.api('GET', '/api/v1/me%00.json', { token: admin }), 400, 'invalid_path');
  assertProblem(await d.api('GET', '/api/v1/users/1%00abc', { token: admin }), 400, 'invalid_path');
  assertProblem(await d.api('GET', '/healthz%00'), 400, 'invalid_path');
  assertProblem(await d.api('GET', '/api/v1/uscc/53640000MJX1736997%0a'), 400, 'invalid_path');
  assertProblem(await d.api('GET', '/api/v1/uscc/%zz'), 400, 'invalid_path');
  // Escapes that are characters still work: a USCC typed with %-escapes, a Chinese query.
  assert.equal((await d.api('GET', '/api/v1/uscc/53640000MJX173699%37')).json.data.valid, true);
  assertProblem(await d.api('GET', '/api/v1/users?limit=5%00', { token: admin }), 400, 'invalid_limit');
  assertProblem(await d.api('GET', `/api/v1/orgs?q=${encodeURIComponent('养老')}%00`), 400, 'invalid_q');
  // GET takes no body.
  const get = await rawRequest(d.port, 'GET /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n'
    + 'Content-Length: 3\r\nConnection: close\r\n\r\nabc');
  assert.equal(statusOf(get), 415, get);
  // A Content-Length CivetWeb cannot read is a bad request, not a missing length.
  const badLen = await rawRequest(d.port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
  assert.equal(statusOf(badLen), 400, badLen);
});

test('pagination: limit bounds and opaque cursors', async () => {
  const admin = await d.as('admin');
  for (let i = 0; i < 5; i++) await d.addUser({ username: `page_user_${i}`, role: 'registrar' });
  assertProblem(await d.api('GET', '/api/v1/users?limit=0', { token: admin }), 400, 'invalid_limit');
  assertProblem(await d.api('GET', '/api/v1/users?limit=201', { token: admin }), 400, 'invalid_limit');
  assertProblem(await d.api('GET', '/api/v1/users?cursor=%%%', { token: admin }), 400, 'invalid_cursor');
  const seen = new Set();
  let cursor = null;
  let pages = 0;
  do {
    const r = await d.api('GET', `/api/v1/users?role=registrar&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
    assert.equal(r.status, 200);
    for (const u of r.json.data) { assert.ok(!seen.has(u.id)); seen.add(u.id); }
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor && pages < 20);
  assert.ok(seen.size >= 5);
  assert.ok(pages >= 3);
});

test('keep-alive: many requests on one connection, HEAD has no body', async () => {
  const raw = await rawRequest(d.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
    + 'HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(raw.match(/HTTP\/1\.1 200/g).length, 3);
  assert.equal(raw.match(/\{"status":"ok"\}/g).length, 2);
  assert.match(raw, /Connection: keep-alive/);
});

test('the admin UI is served with a strict CSP; / redirects to it; no path traversal', async () => {
  const r = await fetch(d.url + '/', { redirect: 'manual' });
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), '/admin/');
  const ui = await fetch(d.url + '/admin/');
  assert.equal(ui.status, 200);
  assert.match(ui.headers.get('content-type'), /text\/html/);
  assert.match(ui.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal(ui.headers.get('x-frame-options'), 'DENY');
  const trav = await rawRequest(d.port, 'GET /admin/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.ok(!trav.includes('root:x:0:0'));
  const enc = await rawRequest(d.port, 'GET /admin/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.ok(!enc.includes('root:x:0:0'));
  assert.equal((await fetch(d.url + '/admin/no-such-file.js')).status, 404);
});

test('HTTPS listener: TLS 1.2+ only, same API', async () => {
  const get = (opts) => new Promise((resolve, reject) => {
    const req = https.get(d.tlsUrl + '/healthz', { rejectUnauthorized: false, ...opts }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body, hsts: res.headers['strict-transport-security'] }));
    });
    req.on('error', reject);
  });
  const ok = await get({});
  assert.equal(ok.status, 200);
  assert.match(ok.hsts || '', /max-age=\d+/);
  assert.equal(ok.body, '{"status":"ok"}');
  const r12 = await get({ maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2' });
  assert.equal(r12.status, 200);
  const old = await new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port: d.tlsPort, rejectUnauthorized: false, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
    s.on('secureConnect', () => { s.destroy(); resolve('connected'); });
    s.on('error', () => resolve('refused'));
  });
  assert.equal(old, 'refused');
  // Several HTTPS requests in a row (a crash here is what Debian's prebuilt libcivetweb does).
  for (let i = 0; i < 20; i++) assert.equal((await get({})).status, 200);
});

test('concurrent requests are all answered', async () => {
  const token = await d.as('admin');
  const rs = await Promise.all(Array.from({ length: 60 }, (_, i) =>
    d.api('GET', i % 2 ? '/api/v1/me' : '/api/v1/users?limit=5', { token })));
  for (const r of rs) assert.equal(r.status, 200);
});
