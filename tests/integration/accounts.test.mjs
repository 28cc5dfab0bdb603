// Accounts and security (SPEC §3): sign-up, login/logout/me, roles, lockout, users admin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const signup = (body, headers) => d.api('POST', '/api/v1/accounts', { body, headers });

test('public sign-up creates an applicant who can sign in, see me, and sign out', async () => {
  const r = await signup({ username: 'ngo_zhang', password: 'long-enough-pw', display_name: '张三', phone: '13800138000' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.role, 'applicant');
  assert.equal(r.json.data.username, 'ngo_zhang');
  assert.equal(r.json.data.password_hash, undefined);
  assert.equal(r.headers.get('etag'), '"1"');

  const login = await d.api('POST', '/api/v1/auth/login', { body: { username: 'ngo_zhang', password: 'long-enough-pw' } });
  assert.equal(login.status, 200);
  const { token, expires_at, user } = login.json.data;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(Date.parse(expires_at) > Date.now() + 11 * 3600e3);
  assert.equal(user.role, 'applicant');

  const me = await d.api('GET', '/api/v1/me', { token });
  assert.equal(me.status, 200);
  assert.equal(me.json.data.display_name, '张三');

  assert.equal((await d.api('POST', '/api/v1/auth/logout', { token })).status, 204);
  const after_ = await d.api('GET', '/api/v1/me', { token });
  assert.equal(after_.status, 401);
  assert.equal(after_.json.code, 'invalid_token');
});

test('tokens are stored only as SHA-256 hashes', async () => {
  await signup({ username: 'hashcheck', password: 'long-enough-pw', display_name: 'h', email: 'h@example.cn' });
  const token = await d.login('hashcheck', 'long-enough-pw');
  const rows = d.sql('SELECT token_hash FROM sessions');
  assert.ok(!rows.includes(token));
  const hash = (await import('node:crypto')).createHash('sha256').update(token).digest('hex');
  assert.ok(rows.includes(hash));
  const pw = d.sql("SELECT password_hash FROM users WHERE username = 'hashcheck'");
  assert.match(pw, /^scrypt\$/);
  assert.ok(!pw.includes('long-enough-pw'));
});

test('sign-up refuses bad input with field errors', async () => {
  const r = await signup({ username: 'x', password: 'short', display_name: '', email: 'not-an-email', role: 'admin' });
  assert.equal(r.status, 422);
  assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const fields = r.json.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['display_name', 'email', 'password', 'role', 'username']);
  for (const e of r.json.errors) assert.match(e.code, /^[a-z_]+$/);
});

test('a taken username is a 409 and nothing changes', async () => {
  await signup({ username: 'dupe', password: 'long-enough-pw', display_name: 'a', phone: '13900139000' });
  const r = await signup({ username: 'dupe', password: 'other-long-pw', display_name: 'b', phone: '13900139001' });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'username_taken');
  await d.login('dupe', 'long-enough-pw');
});

test('Idempotency-Key: a retried sign-up returns the first answer and creates nothing', async () => {
  const body = { username: 'idem_user', password: 'long-enough-pw', display_name: 'i', phone: '13700137000' };
  const a = await signup(body, { 'Idempotency-Key': 'k-1' });
  const b = await signup(body, { 'Idempotency-Key': 'k-1' });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(b.json.data.id, a.json.data.id);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.equal(d.sql("SELECT COUNT(*) FROM users WHERE username = 'idem_user'").trim(), '1');
  const c = await signup({ ...body, username: 'idem_other' }, { 'Idempotency-Key': 'k-1' });
  assert.equal(c.status, 422);
  assert.equal(c.json.code, 'idempotency_key_reused');
});

test('five failed logins lock the username for 15 minutes (429), even with the right password', async () => {
  await signup({ username: 'locky', password: 'long-enough-pw', display_name: 'l', phone: '13600136000' });
  for (let i = 0; i < 5; i++) {
    const r = await d.api('POST', '/api/v1/auth/login', { body: { username: 'locky', password: 'wrong-password' } });
    assert.equal(r.status, 401, `attempt ${i + 1}`);
    assert.equal(r.json.code, 'invalid_credentials');
  }
  const locked = await d.api('POST', '/api/v1/auth/login', { body: { username: 'locky', password: 'long-enough-pw' } });
  assert.equal(locked.status, 429);
  assert.equal(locked.json.code, 'account_locked');
  const retry = Number(locked.headers.get('retry-after'));
  assert.ok(retry > 800 && retry <= 900, `Retry-After ${retry}`);
  // Other accounts are unaffected.
  await signup({ username: 'notlocked', password: 'long-enough-pw', display_name: 'n', phone: '13600136001' });
  await d.login('notlocked', 'long-enough-pw');
  // After 15 minutes (test clock) the lock is gone.
  await d.setClock(new Date(Date.now() + 16 * 60e3).toISOString());
  const ok = await d.api('POST', '/api/v1/auth/login', { body: { username: 'locky', password: 'long-enough-pw' } });
  assert.equal(ok.status, 200);
  await d.setClock(new Date().toISOString());
});

test('unknown usernames fail exactly like wrong passwords', async () => {
  const r = await d.api('POST', '/api/v1/auth/login', { body: { username: 'nobody-here', password: 'whatever-pw' } });
  assert.equal(r.status, 401);
  assert.equal(r.json.code, 'invalid_credentials');
});

test('roles: every route checks them server-side', async () => {
  const applicant = await d.as('applicant');
  const registrar = await d.as('registrar');
  const admin = await d.as('admin');
  assert.equal((await d.api('GET', '/api/v1/users')).status, 401);
  assert.equal((await d.api('GET', '/api/v1/users', { token: applicant })).status, 403);
  assert.equal((await d.api('GET', '/api/v1/users', { token: registrar })).json.code, 'forbidden_role');
  assert.equal((await d.api('GET', '/api/v1/users', { token: admin })).status, 200);
  assert.equal((await d.api('PUT', '/api/v1/admin/clock', { token: registrar, body: { now: '2026-01-01T00:00:00Z' } })).status, 403);
  assert.equal((await d.api('GET', '/api/v1/me', { token: 'x'.repeat(43) })).status, 401);
  assert.equal((await d.api('GET', '/api/v1/me', { headers: { Authorization: 'Basic abc' } })).status, 401);
});

test('admins create users of every role; purchasers need a department; disabling revokes sessions', async () => {
  const admin = await d.as('admin');
  const bad = await d.api('POST', '/api/v1/users', { token: admin, body: { username: 'buyer1', password: 'long-enough-pw', role: 'purchaser', display_name: 'B' } });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.errors[0].field, 'department');
  const ev = await d.api('POST', '/api/v1/users', { token: admin, body: {
    username: 'expert_li', password: 'long-enough-pw', role: 'evaluator', display_name: '李', expert: true,
    affiliations: [{ org_name: '海盐县养老服务协会', org_uscc: '53640000MJX1736997', from: '2022-01-01', to: '2024-06-30' }] } });
  assert.equal(ev.status, 201, ev.text);
  assert.equal(ev.json.data.expert, true);
  assert.equal(ev.json.data.affiliations[0].org_name, '海盐县养老服务协会');
  const id = ev.json.data.id;
  const t = await d.login('expert_li', 'long-enough-pw');
  // Stale If-Match is refused.
  const stale = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, headers: { 'If-Match': '"7"' }, body: { disabled: true } });
  assert.equal(stale.status, 412);
  const dis = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, headers: { 'If-Match': '"1"' }, body: { disabled: true } });
  assert.equal(dis.status, 200, dis.text);
  assert.equal(dis.json.data.version, 2);
  assert.equal((await d.api('GET', '/api/v1/me', { token: t })).status, 401);
  const login = await d.api('POST', '/api/v1/auth/login', { body: { username: 'expert_li', password: 'long-enough-pw' } });
  assert.equal(login.status, 401);
});

test('user add on the command line: password from stdin, validated', async () => {
  const ok = d.cli(['user', 'add', '--username', 'cli_reg', '--role', 'registrar', '--display-name', '审核员'], { stdin: 'cli-password-1\n' });
  assert.equal(ok.code, 0, ok.stderr);
  await d.login('cli_reg', 'cli-password-1');
  const short = d.cli(['user', 'add', '--username', 'cli_short', '--role', 'registrar'], { stdin: 'short\n' });
  assert.notEqual(short.code, 0);
  assert.match(short.stderr, /password/);
  const role = d.cli(['user', 'add', '--username', 'cli_role', '--role', 'king'], { stdin: 'long-enough-pw\n' });
  assert.notEqual(role.code, 0);
  const dup = d.cli(['user', 'add', '--username', 'cli_reg', '--role', 'registrar'], { stdin: 'cli-password-1\n' });
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /taken/);
});

test('secrets never reach the logs', async () => {
  await signup({ username: 'logcheck', password: 'very-secret-pw-123', display_name: 'x', phone: '13500135000' });
  const token = await d.login('logcheck', 'very-secret-pw-123');
  await d.api('GET', '/api/v1/me', { token });
  assert.ok(!d.logs.includes('very-secret-pw-123'));
  assert.ok(!d.logs.includes(token));
  assert.ok(!d.logs.includes(d.env.SANZHI_DB_PASSWORD));
});

test('two concurrent conflicting changes: exactly one wins, the other gets 412', async () => {
  const admin = await d.as('admin');
  const u = await d.api('POST', '/api/v1/users', { token: admin, body: { username: 'race_user', password: 'long-enough-pw', role: 'registrar', display_name: 'r' } });
  const id = u.json.data.id;
  const rs = await Promise.all(['甲', '乙', '丙', '丁'].map((name) =>
    d.api('PATCH', `/api/v1/users/${id}`, { token: admin, headers: { 'If-Match': '"1"' }, body: { display_name: name } })));
  const codes = rs.map((r) => r.status).sort();
  assert.deepEqual(codes, [200, 412, 412, 412]);
  const now = await d.api('GET', `/api/v1/users/${id}`, { token: admin });
  assert.equal(now.json.data.version, 2);
  assert.equal(now.headers.get('etag'), '"2"');
});

test('failed sign-ins are limited per IP address too', async () => {
  const d2 = await startDaemon({ env: { SANZHI_RULE_IP_LOGIN_FAILURES_PER_WINDOW: '3' } });
  try {
    for (let i = 0; i < 3; i++) {
      const r = await d2.api('POST', '/api/v1/auth/login', { body: { username: `someone${i}`, password: 'wrong-password' } });
      assert.equal(r.status, 401);
    }
    const r = await d2.api('POST', '/api/v1/auth/login', { body: { username: 'someone_else', password: 'wrong-password' } });
    assert.equal(r.status, 429);
    assert.equal(r.json.code, 'too_many_failures_from_address');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  } finally { await d2.stop(); }
});

test('expired tokens are refused', async () => {
  const token = await d.as('applicant');
  await d.setClock(new Date(Date.now() + 13 * 3600e3).toISOString());
  try {
    const r = await d.api('GET', '/api/v1/me', { token });
    assert.equal(r.status, 401);
  } finally { await d.setClock(new Date().toISOString()); }
});

const login = (username, password) => d.api('POST', '/api/v1/auth/login', { body: { username, password } });
const countBy = (rs) => rs.reduce((m, r) => { m[r.status] = (m[r.status] || 0) + 1; return m; }, {});
const lockEntries = (username) => Number(d.sql(
  `SELECT COUNT(*) FROM audit_log WHERE action = 'account.locked' AND object_id = '${username}'`).trim());

test('lockout is atomic: 30 concurrent wrong passwords get 5 checks, the rest 429, one lock entry', async () => {
  await signup({ username: 'racelock', password: 'long-enough-pw', display_name: 'r', phone: '13600136002' });
  const rs = await Promise.all(Array.from({ length: 30 }, () => login('racelock', 'wrong-password')));
  const by = countBy(rs);
  assert.equal(by[401], 5, JSON.stringify(by));
  assert.equal(by[429], 25, JSON.stringify(by));
  for (const r of rs.filter((x) => x.status === 429)) {
    assert.equal(r.json.code, 'account_locked');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  }
  assert.equal(lockEntries('racelock'), 1);
  const right = await login('racelock', 'long-enough-pw');
  assert.equal(right.status, 429);
  assert.equal(right.json.code, 'account_locked');
});

test('lockout race with the right password last: never more than 5 failed checks, and once locked, 429', async () => {
  await signup({ username: 'racelock2', password: 'long-enough-pw', display_name: 'r', phone: '13600136003' });
  const bodies = [...Array.from({ length: 29 }, () => 'wrong-password'), 'long-enough-pw'];
  const rs = await Promise.all(bodies.map((pw) => login('racelock2', pw)));
  const by = countBy(rs);
  assert.ok((by[401] || 0) <= 5, JSON.stringify(by));
  assert.equal((by[401] || 0) + (by[200] || 0) + (by[429] || 0), 30, JSON.stringify(by));
  // The right password succeeds only if it was checked before the fifth failure.
  if (by[401] === 5) assert.equal(lockEntries('racelock2'), 1);
  assert.ok(lockEntries('racelock2') <= 1);
  const wrongAfter = await login('racelock2', 'wrong-password');
  if (by[401] === 5) assert.equal(wrongAfter.status, 429);
});

test('the per-address failure limit is atomic too', async () => {
  const d2 = await startDaemon({ env: { SANZHI_RULE_IP_LOGIN_FAILURES_PER_WINDOW: '7' } });
  try {
    const rs = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      d2.api('POST', '/api/v1/auth/login', { body: { username: `spray${i}`, password: 'wrong-password' } })));
    const by = countBy(rs);
    assert.equal(by[401], 7, JSON.stringify(by));
    assert.equal(by[429], 23, JSON.stringify(by));
    assert.ok(rs.filter((r) => r.status === 429).every((r) => r.json.code === 'too_many_failures_from_address'));
  } finally { await d2.stop(); }
});

test('usernames are case-insensitive: stored in lower case, one account per name, sign-in in any case', async () => {
  const a = await signup({ username: 'MixCase', password: 'long-enough-pw', display_name: 'm', phone: '13600136004' });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.data.username, 'mixcase');
  const b = await signup({ username: 'mixcase', password: 'long-enough-pw', display_name: 'm', phone: '13600136005' });
  assert.equal(b.status, 409);
  assert.equal(b.json.code, 'username_taken');
  const admin = await d.as('admin');
  const c = await d.api('POST', '/api/v1/users', { token: admin, body: { username: 'MIXCASE', password: 'long-enough-pw', role: 'registrar', display_name: 'x' } });
  assert.equal(c.status, 409);
  const cli = d.cli(['user', 'add', '--username', 'mIxCaSe', '--role', 'registrar'], { stdin: 'long-enough-pw\n' });
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /taken/);
  for (const name of ['mixcase', 'MixCase', 'MIXCASE']) await d.login(name, 'long-enough-pw');
  // Failures in any case count against the one account.
  await signup({ username: 'casecount', password: 'long-enough-pw', display_name: 'c', phone: '13600136006' });
  for (const name of ['casecount', 'CaseCount', 'CASECOUNT', 'caseCount', 'Casecount']) {
    assert.equal((await login(name, 'wrong-password')).status, 401);
  }
  assert.equal((await login('casecount', 'long-enough-pw')).status, 429);
});

test('migration 0008 lowers the names already stored', async () => {
  const d2 = await startDaemon();
  try {
    await d2.addUser({ username: 'legacy_src', role: 'registrar' });
    d2.sql(`INSERT INTO users (username, password_hash, role, display_name, created_at, updated_at)
            SELECT 'LegacyName', password_hash, 'registrar', 'l', NOW(6), NOW(6) FROM users WHERE username = 'legacy_src'`);
    d2.sql('DELETE FROM schema_migrations WHERE version = 8');
    assert.equal(d2.cli(['migrate']).code, 0);
    assert.equal(d2.sql("SELECT username FROM users WHERE username LIKE 'legacy%' ORDER BY id").trim(), 'legacy_src\nlegacyname');
    await d2.login('LegacyName');
  } finally { await d2.stop(); }
});

test('auth.login and account.locked audit entries give times in RFC 3339 UTC', async () => {
  await signup({ username: 'auditime', password: 'long-enough-pw', display_name: 'a', phone: '13600136010' });
  await d.login('auditime', 'long-enough-pw');
  for (let i = 0; i < 5; i++) await login('auditime', 'wrong-password');
  const admin = await d.as('admin');
  const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
  const logins = await d.api('GET', '/api/v1/audit?action=auth.login&limit=200', { token: admin });
  assert.ok(logins.json.data.length > 0);
  for (const e of logins.json.data) assert.match(e.summary.expires_at, rfc3339);
  const locks = await d.api('GET', '/api/v1/audit?object_type=user&object_id=auditime&action=account.locked', { token: admin });
  assert.equal(locks.json.data.length, 1);
  assert.match(locks.json.data[0].summary.locked_until, rfc3339);
});
