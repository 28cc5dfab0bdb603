// Methods the API does not have (issue 6): a path asked with a method it lacks is 405 with Allow;
// a method the server does not implement at all (TRACE, CONNECT to a host, made-up ones) is 501;
// never 400, always problem+json, and each answer is one api/openapi.json describes. fetch()
// refuses to send TRACE and CONNECT, so these go over a raw socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startDaemon, checkAnswer } from '../lib/daemon.mjs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

// Sends one request line (and Host) and parses the answer.
function send(method, target) {
  return new Promise((resolve, reject) => {
    const s = net.connect(d.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    s.on('data', (b) => { buf = Buffer.concat([buf, b]); });
    s.on('error', reject);
    s.on('end', () => {
      const raw = buf.toString('utf8');
      const [head, body] = [raw.slice(0, raw.indexOf('\r\n\r\n')), raw.slice(raw.indexOf('\r\n\r\n') + 4)];
      const lines = head.split('\r\n');
      const headers = new Headers();
      for (const l of lines.slice(1)) headers.append(l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim());
      resolve({ status: Number(lines[0].split(' ')[1]), headers, text: body, json: JSON.parse(body) });
    });
    s.setTimeout(5000, () => { s.destroy(new Error('no answer')); });
    s.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

function assertProblem(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.equal(r.json.code, code);
  assert.equal(r.json.type, `/problems/${code}`);
}

test('TRACE, CONNECT to a host and unknown methods are 501 problem+json, never 400', async () => {
  for (const [method, target] of [['TRACE', '/api/v1/me'], ['TRACE', '/'], ['CONNECT', '127.0.0.1:443'],
    ['FROB', '/api/v1/orgs'], ['get', '/api/v1/orgs'], ['M-SEARCH', '*']]) {
    const r = await send(method, target);
    assertProblem(r, 501, 'method_not_implemented');
    assert.ok(r.json.request_id, `${method} ${target}: request_id`);
    checkAnswer(method, target.startsWith('/') ? target : '/', r.status, r.headers, r.text);
  }
});

test('methods the server knows but a path lacks are 405 with Allow naming the path\'s methods', async () => {
  for (const [method, target, allow] of [['CONNECT', '/api/v1/me', 'GET'], ['OPTIONS', '/api/v1/users/1', 'GET, PATCH'],
    ['PROPFIND', '/api/v1/applications', 'GET, POST'], ['DELETE', '/api/v1/orgs/91330424MA2B3C4D5E', 'GET']]) {
    const r = await send(method, target);
    assertProblem(r, 405, 'method_not_allowed');
    assert.equal(r.headers.get('allow'), allow, `${method} ${target}`);
    checkAnswer(method, target, r.status, r.headers, r.text);
  }
});

test('a request line that is not HTTP is still 400', async () => {
  const r = await send('GET', '/api/v1/me HTTP/1.1 extra');
  assertProblem(r, 400, 'bad_request');
});

test('the check refuses an answer the document does not describe', () => {
  const problem = (status, code) => JSON.stringify({ type: `/problems/${code}`, title: 'x', status, code, detail: 'd', request_id: 'abcdefgh' });
  const h = (o) => new Headers({ 'content-type': 'application/problem+json', ...o });
  // TRACE answered 400, as before issue 6.
  assert.throws(() => checkAnswer('TRACE', '/api/v1/me', 400, h(), problem(400, 'bad_request')), /TRACE \/api\/v1\/me → 400/);
  // 405 whose Allow names a method the document does not have.
  assert.throws(() => checkAnswer('DELETE', '/api/v1/me', 405, h({ allow: 'GET, DELETE' }), problem(405, 'method_not_allowed')), /Allow/);
  // A status the operation does not list.
  assert.throws(() => checkAnswer('GET', '/api/v1/me', 409, h(), problem(409, 'conflict')), /status 409 is not listed/);
  // A problem without its code.
  assert.throws(() => checkAnswer('GET', '/api/v1/me', 401, h({ 'www-authenticate': 'Bearer' }),
    JSON.stringify({ type: '/problems/x', title: 'x', status: 401, detail: 'd', request_id: 'abcdefgh' })), /must have required property 'code'/);
  // A success body that breaks its schema.
  assert.throws(() => checkAnswer('GET', '/api/v1/admin/clock', 200, new Headers({ 'content-type': 'application/json' }),
    '{"data": {"now": "yesterday", "test_clock": true}}'), /must match format "date-time"/);
  // A body where the document describes none.
  assert.throws(() => checkAnswer('GET', '/api/v1/orgs/91330424MA2B3C4D5E', 304, new Headers(), 'x'), /no body/);
});
