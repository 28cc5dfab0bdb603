// Accounts and security (SPEC §3): sign-up, login/logout/me, roles, lockout, users admin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
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
    // Each failure says how many remain before the lock (0: this one locked it).
    assert.equal(r.json.attempts_left, 4 - i, `attempt ${i + 1}`);
    assert.match(r.json.detail, i < 4 ? new RegExp(`${4 - i} more failed attempts? locks? the account`) : /now locked/);
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
  // attempts_left counts the same for a name without an account: it tells nothing.
  assert.equal(r.json.attempts_left, 4);
  await signup({ username: 'somebody-here', password: 'long-enough-pw', display_name: 's', phone: '13600136009' });
  const known = await d.api('POST', '/api/v1/auth/login', { body: { username: 'somebody-here', password: 'wrong-pw-123' } });
  assert.deepEqual(Object.keys(known.json).sort(), Object.keys(r.json).sort());
  assert.equal(known.json.attempts_left, 4);
  const again = await d.api('POST', '/api/v1/auth/login', { body: { username: 'nobody-here', password: 'whatever-pw' } });
  assert.equal(again.json.attempts_left, 3);
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

test('admins search accounts by a part of the username, display name or email, and by disabled', async () => {
  const admin = await d.as('admin');
  const tag = crypto.randomBytes(3).toString('hex');
  const mk = (username, display_name, email) => d.api('POST', '/api/v1/users', { token: admin,
    body: { username, password: 'long-enough-pw', role: 'applicant', display_name, email } });
  assert.equal((await mk(`find_${tag}_a`, '海盐县社工', `x${tag}@Mail.example`)).status, 201);
  const b = await mk(`find_${tag}_b`, `志愿者_${tag}`, `y@mail.example`);
  assert.equal(b.status, 201);
  const q = async (query) => {
    const r = await d.api('GET', `/api/v1/users?${query}`, { token: admin });
    assert.equal(r.status, 200, r.text);
    return r.json.data.map((u) => u.username).sort();
  };
  assert.deepEqual(await q(`q=FIND_${tag}`), [`find_${tag}_a`, `find_${tag}_b`]);
  assert.deepEqual(await q(`q=${encodeURIComponent(`者_${tag}`)}`), [`find_${tag}_b`], 'display name, _ literal');
  assert.deepEqual(await q(`q=X${tag}@mail`), [`find_${tag}_a`], 'email, any case');
  assert.deepEqual(await q(`q=${encodeURIComponent('%')}${tag}`), [], '% is literal');
  assert.equal((await d.api('PATCH', `/api/v1/users/${b.json.data.id}`, { token: admin, body: { disabled: true } })).status, 200);
  assert.deepEqual(await q(`q=find_${tag}&disabled=true`), [`find_${tag}_b`]);
  assert.deepEqual(await q(`q=find_${tag}&disabled=false`), [`find_${tag}_a`]);
  assert.equal((await d.api('GET', '/api/v1/users?disabled=maybe', { token: admin })).status, 400);
  assert.equal((await d.api('GET', `/api/v1/users?q=${'x'.repeat(65)}`, { token: admin })).status, 400);
});

test('an admin resets a password with must_change_password: the next sign-in must choose a new one', async () => {
  const admin = await d.as('admin');
  const tag = crypto.randomBytes(3).toString('hex');
  const u = await d.api('POST', '/api/v1/users', { token: admin,
    body: { username: `forgetful_${tag}`, password: 'first-password-1', role: 'registrar', display_name: '审核员' } });
  assert.equal(u.status, 201, u.text);
  assert.equal(u.json.data.must_change_password, false);
  const old = await d.login(`forgetful_${tag}`, 'first-password-1');
  const p = await d.api('PATCH', `/api/v1/users/${u.json.data.id}`, { token: admin,
    body: { password: 'temporary-pass-1', must_change_password: true } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.data.must_change_password, true);
  assert.equal((await d.api('GET', '/api/v1/me', { token: old })).status, 401, 'the reset ended the sessions');
  // The temporary password signs in nowhere but the change.
  const login = (password) => d.api('POST', '/api/v1/auth/login', { body: { username: `forgetful_${tag}`, password } });
  const change = (password, new_password) => d.api('POST', '/api/v1/auth/password-change',
    { body: { username: `forgetful_${tag}`, password, new_password } });
  const l = await login('temporary-pass-1');
  assert.equal(l.status, 403);
  assert.equal(l.json.code, 'password_change_required');
  const wrong = await change('not-the-password', 'chosen-password-2');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.code, 'invalid_credentials');
  assert.equal(wrong.json.attempts_left, 4);
  const weak = await change('temporary-pass-1', 'short');
  assert.equal(weak.status, 422);
  assert.equal(weak.json.errors[0].field, 'new_password');
  const same = await change('temporary-pass-1', 'temporary-pass-1');
  assert.equal(same.status, 422);
  assert.equal(same.json.errors[0].code, 'same_as_old');
  const ok = await change('temporary-pass-1', 'chosen-password-2');
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.data.user.must_change_password, false);
  assert.equal((await d.api('GET', '/api/v1/me', { token: ok.json.data.token })).status, 200);
  assert.equal((await login('temporary-pass-1')).status, 401);
  assert.equal((await login('chosen-password-2')).status, 200);
  const audit = await d.api('GET', `/api/v1/audit?object_type=user&object_id=${u.json.data.id}`, { token: admin });
  const change_ = audit.json.data.find((x) => x.action === 'auth.password_change');
  assert.ok(change_, audit.text);
  assert.equal(change_.summary.was_required, true);
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

test('public sign-up cannot take reserved names; admins can', async () => {
  for (const username of ['admin', 'Administrator', 'root', 'system', 'SYSTEM', 'sanzhi', 'registrar', 'anonymous', 'ad.min', 'sys_tem']) {
    const r = await signup({ username, password: 'long-enough-pw', display_name: 'x', phone: '13600136007' });
    assert.equal(r.status, 422, `${username}: ${r.text}`);
    assert.equal(r.json.errors[0].field, 'username');
    assert.equal(r.json.errors[0].code, 'reserved');
  }
  assert.equal((await signup({ username: 'adminton', password: 'long-enough-pw', display_name: 'x', phone: '13600136008' })).status, 201);
  const admin = await d.as('admin');
  const r = await d.api('POST', '/api/v1/users', { token: admin, body: { username: 'registrar', password: 'long-enough-pw', role: 'registrar', display_name: 'R' } });
  assert.equal(r.status, 201, r.text);
});

test('passwords, display names and departments: no blanks, no control or invisible characters, same on the CLI', async () => {
  const bad = [
    [{ password: ' '.repeat(12) }, 'password', 'blank'],
    [{ password: '\u3000'.repeat(10) }, 'password', 'blank'],
    [{ display_name: '   ' }, 'display_name', 'blank'],
    [{ display_name: 'a\nb' }, 'display_name', 'invalid_characters'],
    [{ display_name: 'abc\u202Egnp.exe' }, 'display_name', 'invalid_characters'],
    [{ display_name: '\u2066x\u2069' }, 'display_name', 'invalid_characters'],
    [{ display_name: 'a\u200Bb' }, 'display_name', 'invalid_characters'],
  ];
  for (const [over, field, code] of bad) {
    const r = await signup({ username: 'valid_name', password: 'long-enough-pw', display_name: '张三', phone: '13600136009', ...over });
    assert.equal(r.status, 422, JSON.stringify(over));
    assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [[field, code]], JSON.stringify(over));
  }
  const admin = await d.as('admin');
  const user = (body) => d.api('POST', '/api/v1/users', { token: admin, body: { password: 'long-enough-pw', display_name: 'D', ...body } });
  let r = await user({ username: 'dept_blank', role: 'purchaser', department: '   ' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['department', 'blank']]);
  r = await user({ username: 'dept_reg', role: 'registrar', department: '海盐县民政局' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['department', 'not_allowed']]);
  r = await user({ username: 'dept_ok', role: 'purchaser', department: '海盐县民政局' });
  assert.equal(r.status, 201, r.text);
  // PATCH: the same rules, and a department only for purchasers.
  const reg = (await user({ username: 'patch_reg', role: 'registrar' })).json.data.id;
  r = await d.api('PATCH', `/api/v1/users/${reg}`, { token: admin, body: { department: '某局' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].code, 'not_allowed');
  r = await d.api('PATCH', `/api/v1/users/${reg}`, { token: admin, body: { display_name: 'x\u202Ey' } });
  assert.equal(r.status, 422);
  r = await d.api('PATCH', `/api/v1/users/${reg}`, { token: admin, body: { password: ' '.repeat(10) } });
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].code, 'blank');
  r = await d.api('PATCH', `/api/v1/users/${reg}`, { token: admin, body: { department: '   ' } });
  assert.equal(r.status, 422);
  // The command line holds names to the same rules.
  const cli = (args, pw = 'long-enough-pw') => d.cli(['user', 'add', ...args], { stdin: pw + '\n' });
  let c = cli(['--username', 'cli_bell', '--role', 'registrar', '--display-name', 'a\x07b']);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /display_name/);
  c = cli(['--username', 'cli_bidi', '--role', 'registrar', '--display-name', 'a\u202Eb']);
  assert.equal(c.code, 2);
  c = cli(['--username', 'cli_dept', '--role', 'registrar', '--department', '某局']);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /department/);
  c = cli(['--username', 'cli_blank', '--role', 'registrar'], ' '.repeat(12));
  assert.equal(c.code, 2);
  assert.match(c.stderr, /password/);
});

test('evaluator affiliations: checked dates and codes; an admin replaces them with PATCH, audited and versioned', async () => {
  const admin = await d.as('admin');
  const base = { password: 'long-enough-pw', role: 'evaluator', display_name: '王', expert: true };
  const aff = (over) => ({ org_name: '海盐县养老服务协会', org_uscc: '53640000MJX1736997', from: '2020-01-01', to: '2022-06-30', ...over });
  const cases = [
    [aff({ from: '2023-01-01', to: '2022-01-01' }), 'affiliations[0].to', 'before_from'],
    [aff({ org_uscc: '53640000MJX1736998' }), 'affiliations[0].org_uscc', 'invalid_uscc'],
    [aff({ to: '9999-12-31' }), 'affiliations[0].to', 'in_future'],
    [aff({ from: '9999-01-01', to: undefined }), 'affiliations[0].from', 'in_future'],
    [aff({ from: '1949-09-30' }), 'affiliations[0].from', 'out_of_range'],
    [aff({ from: '2021-02-30' }), 'affiliations[0].from', 'invalid_date'],
    [aff({ org_name: '  ' }), 'affiliations[0].org_name', 'blank'],
    [aff({ boss: 'x' }), 'affiliations[0].boss', 'unknown_field'],
  ];
  for (const [a, field, code] of cases) {
    const r = await d.api('POST', '/api/v1/users', { token: admin, body: { ...base, username: 'aff_bad', affiliations: [a] } });
    assert.equal(r.status, 422, JSON.stringify(a));
    assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [[field, code]], JSON.stringify(a));
  }
  const ok = await d.api('POST', '/api/v1/users', { token: admin, body: { ...base, username: 'aff_ok', affiliations: [aff({ from: '1949-10-01' }), aff({ to: undefined })] } });
  assert.equal(ok.status, 201, ok.text);
  const id = ok.json.data.id;
  assert.equal(ok.json.data.affiliations.length, 2);
  assert.equal(ok.json.data.affiliations[1].to, null);

  let r = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { affiliations: [aff({ to: '2030-01-01' })] } });
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].code, 'in_future');
  r = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, headers: { 'If-Match': '"1"' },
    body: { affiliations: [{ org_name: '海盐县志愿者协会', from: '2019-03-01', to: '2021-03-01' }] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.version, 2);
  assert.deepEqual(r.json.data.affiliations, [{ org_uscc: null, org_name: '海盐县志愿者协会', from: '2019-03-01', to: '2021-03-01' }]);
  const audit = await d.api('GET', `/api/v1/audit?object_type=user&object_id=${id}&action=user.update`, { token: admin });
  assert.equal(audit.json.data[0].summary.affiliations[0].org_name, '海盐县志愿者协会');
  assert.equal(audit.json.data[0].summary.version, 2);
  r = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { affiliations: [] } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.data.affiliations, []);
  // Only evaluators have affiliations.
  const reg = (await d.api('POST', '/api/v1/users', { token: admin, body: { username: 'aff_reg', password: 'long-enough-pw', role: 'registrar', display_name: 'r' } })).json.data.id;
  r = await d.api('PATCH', `/api/v1/users/${reg}`, { token: admin, body: { affiliations: [aff({})] } });
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].code, 'not_allowed');
});

test('PATCH /users/{id} that changes nothing is 422 no_changes: no new version, no audit entry', async () => {
  const admin = await d.as('admin');
  const u = await d.api('POST', '/api/v1/users', { token: admin, body: { username: 'nochange', password: 'long-enough-pw', role: 'registrar', display_name: 'n' } });
  const id = u.json.data.id;
  const entries = () => Number(d.sql(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'user' AND object_id = '${id}'`).trim());
  const before = entries();
  for (const body of [{}, { version: 99 }, { version: 1 }]) {
    const r = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, body });
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.json.code, 'no_changes');
  }
  assert.equal(entries(), before);
  assert.equal((await d.api('GET', `/api/v1/users/${id}`, { token: admin })).json.data.version, 1);
  // A body version is a precondition, like If-Match.
  let r = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { display_name: 'm', version: 7 } });
  assert.equal(r.status, 412);
  r = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { display_name: 'm', version: 1 } });
  assert.equal(r.status, 200);
  assert.equal(r.json.data.version, 2);
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

// A request from another loopback address, as a second client behind another IP would send it.
async function signupFrom(localAddress, body, headers = {}) {
  const http = await import('node:http');
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${d.url}/api/v1/accounts`, { method: 'POST', localAddress,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test('Idempotency-Key: anonymous keys are scoped by address; the body is compared as JSON, not bytes', async () => {
  const a = await signupFrom('127.0.0.1', { username: 'idem_ip_a', password: 'long-enough-pw', display_name: 'a', phone: '13700137001' }, { 'Idempotency-Key': 'shared-key' });
  assert.equal(a.status, 201);
  const b = await signupFrom('127.0.0.2', { username: 'idem_ip_b', password: 'long-enough-pw', display_name: 'b', phone: '13700137002' }, { 'Idempotency-Key': 'shared-key' });
  assert.equal(b.status, 201, JSON.stringify(b.json));
  assert.notEqual(b.json.data.id, a.json.data.id);
  // The same address and key with the same JSON, members in another order and spaced: a replay.
  const raw = '{ "phone": "13700137001", "display_name": "a",\n "password": "long-enough-pw", "username": "idem_ip_a" }';
  const c = await d.api('POST', '/api/v1/accounts', { body: raw, headers: { 'Idempotency-Key': 'shared-key' } });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.data.id, a.json.data.id);
  assert.equal(c.headers.get('idempotent-replayed'), 'true');
  // A different value is still a different request.
  const e = await d.api('POST', '/api/v1/accounts', { body: raw.replace('"a"', '"A"'), headers: { 'Idempotency-Key': 'shared-key' } });
  assert.equal(e.status, 422);
  assert.equal(e.json.code, 'idempotency_key_reused');
});

test('Idempotency-Key records expire after 24 hours', async () => {
  const body = { username: 'idem_old', password: 'long-enough-pw', display_name: 'o', phone: '13700137003' };
  assert.equal((await signup(body, { 'Idempotency-Key': 'day-key' })).status, 201);
  await d.setClock(new Date(Date.now() + 25 * 3600e3).toISOString());
  try {
    const r = await signup({ ...body, username: 'idem_new' }, { 'Idempotency-Key': 'day-key' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.data.username, 'idem_new');
    assert.equal(r.headers.get('idempotent-replayed'), null);
  } finally { await d.setClock(new Date().toISOString()); }
});

test('a refused sign-in still counts: each 401 commits its failure, the one that completes the count its lock', async () => {
  const d2 = await startDaemon();
  try {
    await d2.addUser({ username: 'counted', role: 'registrar' });
    const failures = (name) => Number(d2.sql(`SELECT COUNT(*) FROM login_failures WHERE username = '${name}'`).trim());
    const locks = () => Number(d2.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'account.locked' AND object_id = 'counted'").trim());
    const attempt = (password, username = 'counted') => d2.api('POST', '/api/v1/auth/login', { body: { username, password } });
    for (let i = 1; i <= 2; i++) {
      const r = await attempt('wrong-password');
      assert.equal(r.status, 401);
      assert.equal(r.json.code, 'invalid_credentials');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
      assert.equal(failures('counted'), i);
    }
    // A success gives back its own slot only: the failures before it stay counted.
    assert.equal((await attempt('correct-horse-9')).status, 200);
    assert.equal(failures('counted'), 2);
    for (let i = 3; i <= 5; i++) assert.equal((await attempt('wrong-password')).status, 401);
    assert.equal(failures('counted'), 5);
    // The fifth failure locked the name in the transaction it committed with its 401.
    assert.equal(locks(), 1);
    const locked = await attempt('correct-horse-9');
    assert.equal(locked.status, 429);
    assert.equal(locked.json.code, 'account_locked');
    assert.equal(locked.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.ok(Number(locked.headers.get('retry-after')) > 800);
    assert.equal(failures('counted'), 5, 'a refusal before the check takes no slot');
    assert.equal(locks(), 1);
    // An unknown name fails like a wrong password, and its attempt counts for the address.
    assert.equal((await attempt('whatever-pw', 'ghost')).status, 401);
    assert.equal(failures('ghost'), 1);
  } finally { await d2.stop(); }
});
