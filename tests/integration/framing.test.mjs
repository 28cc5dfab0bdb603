// HTTP/1.1 framing (RFC 9112 §6.3, §3.2.2; issue 7 item 3): a request whose length a proxy in
// front could read differently is refused and its connection closed; "Connection: close" really
// closes; absolute-form targets are answered; CivetWeb's own answers look like the daemon's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { startDaemon } from '../lib/daemon.mjs';

let d;
before(async () => { d = await startDaemon({ tls: true }); });
after(async () => { await d.stop(); });

// Writes raw bytes on one socket and collects everything until the server closes it (closed:
// true) or, when it keeps the socket open, until quietMs pass without data (closed: false).
function exchange(bytes, { port = d.port, secure = false, quietMs = 1500 } = {}) {
  return new Promise((resolve, reject) => {
    const s = secure
      ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let done = false;
    let timer;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ text: buf.toString('utf8'), closed });
    };
    const quiet = () => { clearTimeout(timer); timer = setTimeout(() => finish(false), quietMs); };
    s.on('data', (b) => { buf = Buffer.concat([buf, b]); quiet(); });
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', (e) => { if (buf.length) finish(true); else reject(e); });
    s.once(secure ? 'secureConnect' : 'connect', () => { s.write(bytes); quiet(); });
  });
}

// Splits a raw stream into its answers: [{status, headers (lower-case names), body}].
function answers(text) {
  const out = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const headEnd = rest.indexOf('\r\n\r\n');
    assert.ok(headEnd > 0, `incomplete head: ${rest}`);
    const lines = rest.slice(0, headEnd).split('\r\n');
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const len = Number(headers['content-length'] || 0);
    const body = rest.slice(headEnd + 4, headEnd + 4 + len);
    out.push({ status: Number(lines[0].split(' ')[1]), headers, body });
    rest = rest.slice(headEnd + 4 + len);
  }
  assert.equal(rest, '', `bytes after the last answer: ${rest}`);
  return out;
}

function assertProblemAnswer(a, status, code) {
  assert.equal(a.status, status, JSON.stringify(a));
  assert.match(a.headers['content-type'], /^application\/problem\+json/);
  const p = JSON.parse(a.body);
  assert.equal(p.status, status);
  if (code) assert.equal(p.code, code);
  assert.equal(p.type, `/problems/${p.code}`);
  assert.ok(p.title && p.detail);
  return p;
}

// What every answer carries, the daemon's and CivetWeb's alike.
function assertSecurityHeaders(a, { secure = false } = {}) {
  assert.equal(a.headers['x-content-type-options'], 'nosniff', JSON.stringify(a.headers));
  assert.equal(a.headers['cache-control'], 'no-store', JSON.stringify(a.headers));
  assert.match(a.headers['x-request-id'] || '', /^[A-Za-z0-9._-]{8,64}$/);
  if (secure) assert.match(a.headers['strict-transport-security'] || '', /max-age=\d+/);
}

const NEXT = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';

test('two different Content-Length fields: 400, and nothing after them is read as a request', async () => {
  // A proxy that takes the second length forwards "GET /healthz…" as this request's body; one that
  // takes the first sees it as the next request. Either way, the two disagree: refuse.
  const r = await exchange('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    + `Content-Length: 2\r\nContent-Length: ${2 + NEXT.length}\r\n\r\n{}${NEXT}`);
  const as = answers(r.text);
  assert.equal(as.length, 1, r.text);
  assertProblemAnswer(as[0], 400, 'conflicting_content_length');
  assert.equal(as[0].headers.connection, 'close');
  assert.ok(r.closed, 'the connection is closed');

  const g = answers((await exchange(`GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n${NEXT}`)).text);
  assert.equal(g.length, 1);
  assertProblemAnswer(g[0], 400, 'conflicting_content_length');
});

test('a Content-Length that is not one plain number is refused', async () => {
  for (const v of ['+0', '0x0', '0abc', '0, 0', '-0']) {
    const as = answers((await exchange(`GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: ${v}\r\n\r\n`)).text);
    assert.equal(as.length, 1, v);
    assert.equal(as[0].status, 400, `Content-Length: ${v}`);
    assertProblemAnswer(as[0], 400);
  }
  // The same length twice is one length (RFC 9110 §8.6); leading zeros are the same number.
  const same = answers((await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 00\r\n'
    + 'Connection: close\r\n\r\n')).text);
  assert.equal(same[0].status, 200);
});

test('Content-Length with Transfer-Encoding: 400 and closed (RFC 9112 §6.3)', async () => {
  const post = await exchange('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    + `Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${NEXT}`);
  const as = answers(post.text);
  assert.equal(as.length, 1, post.text);
  assertProblemAnswer(as[0], 400, 'content_length_with_transfer_encoding');
  assert.ok(post.closed);
  const get = answers((await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
    + `Content-Length: 0\r\n\r\n0\r\n\r\n${NEXT}`)).text);
  assert.equal(get.length, 1);
  assertProblemAnswer(get[0], 400, 'content_length_with_transfer_encoding');
  // Transfer-Encoding twice (identity, then chunked): CivetWeb would read the first, a proxy the last.
  const twice = answers((await exchange('GET /admin/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n'
    + `Transfer-Encoding: chunked\r\n\r\n${NEXT.length.toString(16)}\r\n${NEXT}\r\n0\r\n\r\n`)).text);
  assert.equal(twice.length, 1);
  assertProblemAnswer(twice[0], 400, 'invalid_transfer_encoding');
});

test('after an answer with Connection: close, a pipelined request gets no answer', async () => {
  // 415: the body is refused unread.
  const r415 = await exchange('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n'
    + `Content-Length: 5\r\n\r\nhello${NEXT}`);
  const a = answers(r415.text);
  assert.equal(a.length, 1, r415.text);
  assertProblemAnswer(a[0], 415, 'unsupported_media_type');
  assert.equal(a[0].headers.connection, 'close');
  assert.ok(r415.closed, 'the connection is closed');
  // 400: the body was read whole, and still the answer said close.
  const r400 = await exchange('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    + `Content-Length: 3\r\n\r\n{"a${NEXT}`);
  const b = answers(r400.text);
  assert.equal(b.length, 1, r400.text);
  assertProblemAnswer(b[0], 400, 'malformed_json');
  assert.ok(r400.closed);
  // GET with a body: 415, unread.
  const g = answers((await exchange(`GET /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc${NEXT}`)).text);
  assert.equal(g.length, 1);
  assert.equal(g[0].status, 415);
  // And a keep-alive answer still keeps the connection: two answers.
  const ka = answers((await exchange(`${NEXT}${NEXT}`)).text);
  assert.deepEqual(ka.map((x) => x.status), [200, 200]);
});

test('absolute-form targets are answered: routed by their path on this port, 400 otherwise', async () => {
  const r = answers((await exchange(`GET http://127.0.0.1:${d.port}/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n`
    + 'Connection: close\r\n\r\n')).text);
  assert.equal(r.length, 1);
  assert.equal(r[0].status, 200);
  assert.equal(r[0].body, '{"status":"ok"}');
  // The query string travels with it, and any host name for this port is this server.
  const q = answers((await exchange(`GET http://localhost:${d.port}/api/v1/uscc/53640000MJX1736997?x=1 HTTP/1.1\r\n`
    + 'Host: localhost\r\nConnection: close\r\n\r\n')).text);
  assert.equal(q[0].status, 200, q[0].body);
  assert.equal(JSON.parse(q[0].body).data.valid, true);
  // Another port (here the default, 80) is not this listener: a clear refusal, not silence.
  for (const target of ['http://example.org/healthz', '*']) {
    const o = await exchange(`${target === '*' ? 'OPTIONS' : 'GET'} ${target} HTTP/1.1\r\nHost: example.org\r\n`
      + 'X-Request-Id: absolute-form-1\r\n\r\n');
    const as = answers(o.text);
    assert.equal(as.length, 1, `${target}: ${o.text}`);
    assertProblemAnswer(as[0], 400, 'unroutable_target');
    assertSecurityHeaders(as[0]);
    assert.equal(as[0].headers['x-request-id'], 'absolute-form-1');
    assert.ok(o.closed);
  }
});

test("CivetWeb's own errors are problem+json with the daemon's security headers", async () => {
  const cases = [
    ['a malformed request line', 'GARBAGE\r\n\r\n', 400],
    // CivetWeb says 400 for this (it cannot tell it from a header block cut short by a timeout).
    ['headers over max_request_size', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`, 400],
    ['an unknown HTTP version', 'GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n', 505],
    ['a transfer coding it cannot read', 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n', 400],
  ];
  for (const secure of [false, true]) {
    for (const [what, bytes, status] of cases) {
      const r = await exchange(bytes, { secure, port: secure ? d.tlsPort : d.port });
      const as = answers(r.text);
      assert.equal(as.length, 1, `${what}: ${r.text}`);
      assertProblemAnswer(as[0], status);
      assertSecurityHeaders(as[0], { secure });
      assert.equal(as[0].headers.connection, 'close', what);
      assert.ok(r.closed, what);
    }
  }
  // When CivetWeb got as far as the headers, the client's request id comes back, as elsewhere.
  const echo = answers((await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: civet-error-42\r\n'
    + 'Transfer-Encoding: gzip\r\n\r\n')).text);
  assert.equal(echo[0].headers['x-request-id'], 'civet-error-42');
  assert.equal(JSON.parse(echo[0].body).request_id, 'civet-error-42');
});

test('more header fields than CivetWeb keeps: 431, since a dropped one could be a Content-Length', async () => {
  const many = Array.from({ length: 70 }, (_, i) => `X-F${i}: ${i}\r\n`).join('');
  const r = await exchange(`GET /healthz HTTP/1.1\r\nHost: x\r\n${many}Content-Length: ${NEXT.length}\r\n\r\n${NEXT}`);
  const as = answers(r.text);
  assert.equal(as.length, 1, r.text);
  assertProblemAnswer(as[0], 431, 'too_many_headers');
  assert.ok(r.closed);
  // 60 fields are fine.
  const few = Array.from({ length: 60 }, (_, i) => `X-F${i}: ${i}\r\n`).join('');
  const ok = answers((await exchange(`GET /healthz HTTP/1.1\r\nHost: x\r\n${few}Connection: close\r\n\r\n`)).text);
  assert.equal(ok[0].status, 200);
});
