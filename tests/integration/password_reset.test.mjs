// Password reset (SPEC Appendix C): 202 whatever the login names; a single-use token valid 30
// minutes, by mail through a real SMTP server (aiosmtpd); the password policy; every session
// ends; limits per login and per address without telling who exists; audit entries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';
import { startSmtp, mailEnv } from '../lib/smtp.mjs';

let d, smtp, admin;
before(async () => {
  smtp = await startSmtp();
  d = await startDaemon({ env: mailEnv(smtp.url, { SANZHI_RULE_PASSWORD_RESETS_PER_IP_PER_HOUR: '1000' }) });
  admin = await d.as('admin');
});
after(async () => {
  await d.stop();
  await smtp.stop();
  smtp.remove();
});

async function account(e = d) {
  const username = `ngo_${crypto.randomBytes(4).toString('hex')}`;
  const email = `${username}@Example.cn`;
  const r = await e.api('POST', '/api/v1/accounts', { body: { username, password: 'first-password-1', display_name: '赵六', email } });
  assert.equal(r.status, 201, r.text);
  return { username, email, id: r.json.data.id };
}

const ask = (login, e = d) => e.api('POST', '/api/v1/auth/password-reset', { body: { login } });
const confirm = (token, password, e = d) => e.api('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password } });

// The reset mails sink has received for email; the token of the latest.
async function tokenFor(email, count = 1, sink = smtp) {
  const ms = (await sink.waitFor((m) => m.filter((x) => x.rcpt_to === email && /密码重置/.test(x.subject)).length >= count,
    { what: `reset mail ${count} to ${email}` })).filter((x) => x.rcpt_to === email && /密码重置/.test(x.subject));
  const m = ms[ms.length - 1];
  const t = m.body.match(/令牌是：\s+([A-Za-z0-9_-]{43})/);
  assert.ok(t, m.body);
  return { token: t[1], mail: m };
}

test('a reset by username: the mail carries a token; the new password works, the old does not, every session ends', async () => {
  const u = await account();
  const s1 = await d.login(u.username, 'first-password-1');
  const s2 = await d.login(u.username, 'first-password-1');
  const r = await ask(u.username.toUpperCase());
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.data.status, 'accepted');
  const { token, mail } = await tokenFor(u.email);
  assert.equal(mail.subject, '【社会组织登记管理平台】密码重置');
  assert.match(mail.body, /30 分钟内/);
  assert.match(mail.body, new RegExp(`用户名：${u.username}`));
  // The token is stored only as its hash; the queued body is sealed, and wiped once sent.
  assert.equal(d.sql(`SELECT COUNT(*) FROM password_resets WHERE token_hash = '${crypto.createHash('sha256').update(token).digest('hex')}'`).trim(), '1');
  assert.equal(d.sql(`SELECT COUNT(*) FROM password_resets WHERE token_hash = '${token}'`).trim(), '0');
  assert.doesNotMatch(d.sql(`SELECT body FROM mail_outbox WHERE user_id = ${u.id}`), new RegExp(token));

  // The policy applies, at the field; a bad attempt spends nothing.
  const weak = await confirm(token, 'short');
  assert.equal(weak.status, 422);
  assert.equal(weak.json.errors[0].field, 'password');
  assert.equal(weak.json.errors[0].code, 'too_short');
  const same = await confirm(token, u.username);
  assert.equal(same.status, 422);
  assert.equal(same.json.errors[0].code, 'same_as_username');

  assert.equal((await confirm(token, 'second-password-2')).status, 204);
  for (const s of [s1, s2]) assert.equal((await d.api('GET', '/api/v1/me', { token: s })).status, 401, 'sessions end');
  assert.equal((await d.api('POST', '/api/v1/auth/login', { body: { username: u.username, password: 'first-password-1' } })).status, 401);
  const s3 = await d.login(u.username, 'second-password-2');
  assert.equal((await d.api('GET', '/api/v1/me', { token: s3 })).status, 200);

  // Single use.
  const again = await confirm(token, 'third-password-3');
  assert.equal(again.status, 410);
  assert.equal(again.json.code, 'reset_token_used');
  assert.equal((await confirm('x'.repeat(43), 'third-password-3')).json.code, 'invalid_reset_token');

  // The user is told the password changed; the audit trail has both steps, never the token.
  const n = await d.api('GET', '/api/v1/me/notifications', { token: s3 });
  assert.equal(n.json.data[0].kind, 'account.password_changed');
  await smtp.waitFor((m) => m.some((x) => x.rcpt_to === u.email && /密码已修改/.test(x.subject)));
  const audit = await d.api('GET', `/api/v1/audit?object_type=user&object_id=${u.id}`, { token: admin });
  const actions = audit.json.data.map((x) => x.action);
  assert.ok(actions.includes('auth.password_reset_requested'), actions.join());
  assert.ok(actions.includes('auth.password_reset'), actions.join());
  assert.doesNotMatch(audit.text, new RegExp(token));
});

test('a reset by email address (any case); a newer token spends the older ones when used', async () => {
  const u = await account();
  assert.equal((await ask(u.email.toLowerCase())).status, 202);
  const first = (await tokenFor(u.email, 1)).token;
  assert.equal((await ask(`  ${u.email.toUpperCase()} `)).status, 202);
  const second = (await tokenFor(u.email, 2)).token;
  assert.notEqual(first, second);
  assert.equal((await confirm(second, 'fresh-password-22')).status, 204);
  const old = await confirm(first, 'fresh-password-33');
  assert.equal(old.status, 410);
  assert.equal(old.json.code, 'reset_token_used');
});

test('the token expires after 30 minutes (the daemon clock)', async () => {
  const u = await account();
  const t0 = new Date(Date.now() + 86400e3 * 2);
  await d.setClock(t0.toISOString());
  assert.equal((await ask(u.username)).status, 202);
  const { token } = await tokenFor(u.email);
  await d.setClock(new Date(t0.getTime() + 31 * 60e3).toISOString());
  const r = await confirm(token, 'late-password-44');
  assert.equal(r.status, 410);
  assert.equal(r.json.code, 'reset_token_expired');
  assert.equal((await d.api('POST', '/api/v1/auth/login', { body: { username: u.username, password: 'first-password-1' } })).status, 200);
  // Within the 30 minutes it works.
  assert.equal((await ask(u.username)).status, 202);
  const { token: t2 } = await tokenFor(u.email, 2);
  await d.setClock(new Date(t0.getTime() + 31 * 60e3 + 29 * 60e3).toISOString());
  assert.equal((await confirm(t2, 'late-password-55')).status, 204);
});

test('no enumeration: an unknown login gets the same answer, and the same limit', async () => {
  const u = await account();
  const known = await ask(u.username);
  const unknown = await ask(`nobody_${crypto.randomBytes(4).toString('hex')}`);
  assert.equal(known.status, 202);
  assert.equal(unknown.status, 202);
  assert.deepEqual(unknown.json, known.json);
  assert.deepEqual([...unknown.headers.keys()].filter((k) => !['date', 'x-request-id', 'content-length'].includes(k)).sort(),
    [...known.headers.keys()].filter((k) => !['date', 'x-request-id', 'content-length'].includes(k)).sort());
  const nobody = `nobody_${crypto.randomBytes(4).toString('hex')}@example.cn`;
  // Three an hour per login, for existing and unknown logins alike.
  for (let i = 0; i < 2; i++) {
    assert.equal((await ask(u.username)).status, 202);
  }
  for (let i = 0; i < 3; i++) assert.equal((await ask(nobody)).status, 202);
  const k4 = await ask(u.username), n4 = await ask(nobody);
  for (const r of [k4, n4]) {
    assert.equal(r.status, 429);
    assert.equal(r.json.code, 'too_many_reset_requests');
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(wait > 0 && wait <= 3600, String(wait));
  }
  assert.equal(k4.json.detail, n4.json.detail);
  assert.equal(d.sql(`SELECT COUNT(*) FROM password_resets WHERE user_id = ${u.id}`).trim(), '3');
  assert.equal((await d.api('POST', '/api/v1/auth/password-reset', { body: {} })).status, 422);
  assert.equal((await d.api('POST', '/api/v1/auth/password-reset', { body: { login: 7 } })).status, 422);
  assert.equal((await d.api('POST', '/api/v1/auth/password-reset/confirm', { body: { token: 'abc' } })).status, 422);
});

test('requests from one address are limited too', async () => {
  const e = await startDaemon({ env: mailEnv(smtp.url, { SANZHI_RULE_PASSWORD_RESETS_PER_IP_PER_HOUR: '2' }) });
  try {
    assert.equal((await ask('someone_a', e)).status, 202);
    assert.equal((await ask('someone_b', e)).status, 202);
    const r = await ask('someone_c', e);
    assert.equal(r.status, 429);
    assert.equal(r.json.code, 'too_many_reset_requests_from_address');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  } finally {
    await e.stop();
  }
});

test('a reset lifts a sign-in lock', async () => {
  const u = await account();
  for (let i = 0; i < 5; i++) {
    await d.api('POST', '/api/v1/auth/login', { body: { username: u.username, password: 'wrong-password-x' } });
  }
  assert.equal((await d.api('POST', '/api/v1/auth/login', { body: { username: u.username, password: 'first-password-1' } })).status, 429);
  assert.equal((await ask(u.username)).status, 202);
  const { token } = await tokenFor(u.email);
  assert.equal((await confirm(token, 'unlocked-password-1')).status, 204);
  assert.equal((await d.api('POST', '/api/v1/auth/login', { body: { username: u.username, password: 'unlocked-password-1' } })).status, 200);
});
