// Mail and in-app notifications (SPEC Appendix C "Mail"): every message is written to the outbox
// in the transaction of the change that causes it and delivered by the mail job over SMTP to a
// real SMTP server (aiosmtpd, tests/lib/smtp.mjs), with retries, dead letters and a lease that
// makes two instances send each message once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startDaemon, freePort } from '../lib/daemon.mjs';
import { submittedApplication } from '../lib/fixtures.mjs';
import { row, importRows } from '../bench/registry.mjs';
import { startSmtp, SmtpSink, mailEnv } from '../lib/smtp.mjs';

let d, smtp, registrar, admin;
before(async () => {
  smtp = await startSmtp();
  d = await startDaemon({ env: mailEnv(smtp.url) });
  registrar = await d.as('registrar');
  admin = await d.as('admin');
});
after(async () => {
  await d.stop();
  await smtp.stop();
  smtp.remove();
});

let seq = 0;
// An applicant with an email address (public sign-up), signed in.
async function applicant(e = d) {
  const username = `ngo_${crypto.randomBytes(4).toString('hex')}`;
  const email = `${username}.${++seq}@ngo.example.cn`;
  const r = await e.api('POST', '/api/v1/accounts', { body: { username, password: 'long-enough-pw', display_name: '王五', email } });
  assert.equal(r.status, 201, r.text);
  return { username, email, id: r.json.data.id, token: await e.login(username, 'long-enough-pw') };
}

const act = (e, token, id, action, body) => e.api('POST', `/api/v1/applications/${id}/${action}`, { token, body });
const to = (email) => (ms) => ms.filter((m) => m.rcpt_to === email);

test('each decision on an application mails its applicant, in Chinese, as a proper RFC 5322 message', async () => {
  const a = await applicant();
  const id = await submittedApplication(d, a.token);
  const items = [{ field: 'documents.charter', message: '章程草案缺少会员大会议事规则' }, { field: 'changes.domicile', message: '住所证明已过期，请重新提供' },
    { field: '其他', message: '请补充理事名单' }];
  assert.equal((await act(d, registrar, id, 'request-supplement', { items })).status, 200);

  let ms = to(a.email)(await smtp.waitFor((m) => to(a.email)(m).length === 1, { what: 'the supplement notice' }));
  const m = ms[0];
  assert.equal(m.mail_from, 'noreply@minzheng.example');
  assert.equal(m.to, a.email);
  assert.match(m.from, /noreply@minzheng\.example/);
  assert.match(m.from, /海盐县民政局/, 'the sender name is an encoded-word, decoded by the client');
  assert.match(m.raw_subject, /^=\?UTF-8\?B\?/, 'the subject goes as RFC 2047 encoded-words');
  assert.equal(m.subject, `【补正告知】成立登记申请（编号 ${id}）`);
  assert.equal(m.content_type, 'text/plain');
  assert.equal(m.charset, 'utf-8');
  assert.equal(m.transfer_encoding, 'base64');
  assert.equal(m.mime_version, '1.0');
  assert.match(m.message_id, /^<[0-9a-f]{32}\.sanzhi@minzheng\.example>$/);
  assert.ok(Math.abs(Date.parse(m.date) - Date.now()) < 120000, m.date);
  assert.deepEqual(m.defects, []);
  assert.match(m.body, new RegExp(`申请编号：${id}`));
  // Each item by the name the applicant knows it by; a registrar's own words stay as written.
  assert.match(m.body, /1\. 章程草案：章程草案缺少会员大会议事规则/);
  assert.match(m.body, /2\. 住所：住所证明已过期，请重新提供/);
  assert.match(m.body, /3\. 其他：请补充理事名单/);
  assert.match(m.body, /下一步：请登录平台/);

  // The same notice in the app, unread until marked.
  let n = await d.api('GET', '/api/v1/me/notifications', { token: a.token });
  assert.equal(n.status, 200, n.text);
  assert.equal(n.json.unread_count, 1);
  assert.equal(n.json.data[0].kind, 'application.supplement_requested');
  assert.equal(n.json.data[0].object_id, String(id));
  assert.equal(n.json.data[0].subject, m.subject);
  assert.equal(n.json.data[0].read, false);
  const nid = n.json.data[0].id;

  // Resubmitted, accepted, approved: a mail for each move the applicant must know of.
  assert.equal((await act(d, a.token, id, 'submit')).status, 200);
  assert.equal((await act(d, registrar, id, 'accept')).status, 200);
  ms = to(a.email)(await smtp.waitFor((x) => to(a.email)(x).length === 2, { what: 'the acceptance notice' }));
  const acc = ms.find((x) => x.subject.startsWith('【受理通知】'));
  assert.ok(acc, JSON.stringify(ms.map((x) => x.subject)));
  const app = await d.api('GET', `/api/v1/applications/${id}`, { token: a.token });
  assert.match(acc.body, new RegExp(`将在 ${app.json.data.decision_due} 前作出决定`));
  const ap = await act(d, registrar, id, 'approve');
  assert.equal(ap.status, 200, ap.text);
  const uscc = ap.json.data.org_uscc;
  ms = to(a.email)(await smtp.waitFor((x) => to(a.email)(x).length === 3, { what: 'the approval notice' }));
  const appr = ms.find((x) => x.subject.startsWith('【准予登记】'));
  assert.match(appr.body, new RegExp(`统一社会信用代码：${uscc}`));
  assert.match(appr.body, /下一步：请登录平台查看并下载登记证书/);
  assert.equal(new Set(ms.map((x) => x.message_id)).size, 3);

  n = await d.api('GET', '/api/v1/me/notifications?unread=true&limit=2', { token: a.token });
  assert.equal(n.json.unread_count, 3, 'the supplement, acceptance and approval notices');
  assert.equal(n.json.data.length, 2);
  assert.ok(n.json.next_cursor);
  const rest = await d.api('GET', `/api/v1/me/notifications?unread=true&limit=2&cursor=${encodeURIComponent(n.json.next_cursor)}`, { token: a.token });
  assert.ok(rest.json.data.length >= 1);
  assert.ok(rest.json.data.every((x) => x.id < n.json.data[1].id));

  assert.equal((await d.api('POST', `/api/v1/me/notifications/${nid}/read`, { token: a.token })).status, 204);
  n = await d.api('GET', '/api/v1/me/notifications', { token: a.token });
  assert.equal(n.json.data.find((x) => x.id === nid).read, true);
  assert.equal(n.json.unread_count, n.json.data.filter((x) => !x.read).length);
  // Someone else's notification is not the caller's to mark.
  const b = await applicant();
  assert.equal((await d.api('POST', `/api/v1/me/notifications/${nid}/read`, { token: b.token })).status, 404);
  const all = await d.api('POST', '/api/v1/me/notifications/read', { token: a.token });
  assert.equal(all.status, 200);
  assert.ok(all.json.data.marked >= 1);
  assert.equal((await d.api('GET', '/api/v1/me/notifications', { token: a.token })).json.unread_count, 0);
});

test('a rejection mails the reason; a refused action mails nothing', async () => {
  const a = await applicant();
  const id = await submittedApplication(d, a.token);
  // Refused moves (an applicant cannot accept; a registrar cannot approve before acceptance).
  assert.equal((await act(d, a.token, id, 'accept')).status, 403);
  assert.equal((await act(d, registrar, id, 'approve')).status, 409);
  assert.equal((await act(d, registrar, id, 'accept')).status, 200);
  const reason = '拟登记名称与已登记的社会组织名称近似，不符合《社会团体登记管理条例》的规定';
  assert.equal((await act(d, registrar, id, 'reject', { reason })).status, 200);
  const ms = to(a.email)(await smtp.waitFor((x) => to(a.email)(x).length === 2, { what: 'two notices' }));
  assert.deepEqual(ms.map((x) => x.subject.slice(0, 6)).sort(), ['【不予登记】', '【受理通知】'].sort());
  const rej = ms.find((x) => x.subject.startsWith('【不予登记】'));
  assert.match(rej.body, new RegExp(`理由：${reason}`));
  assert.match(rej.body, /行政复议/);
  // Nothing else was queued for the application: the refusals rolled back before any notice.
  assert.equal(d.sql(`SELECT COUNT(*) FROM mail_outbox WHERE user_id = ${a.id}`).trim(), '2');
});

test('a credit listing and an annual report falling due tell the applicant acting for the organization, once', async () => {
  const a = await applicant();
  const org = row({ registered_at: '2015-06-01' });
  importRows(d, [org]);
  assert.equal((await d.api('PUT', `/api/v1/orgs/${org.uscc}/owner`, { token: registrar, body: { user_id: a.id } })).status, 200);
  const l = await d.api('POST', `/api/v1/orgs/${org.uscc}/list-entries`, { token: registrar,
    body: { list: 'abnormal', reason: 'unreachable', evidence: '2026年11月两次实地核查，登记住所无人办公' } });
  assert.equal(l.status, 201, l.text);
  let ms = to(a.email)(await smtp.waitFor((x) => to(a.email)(x).length === 1, { what: 'the listing notice' }));
  assert.equal(ms[0].subject, `【信用信息】${org.name}被列入活动异常名录`);
  assert.match(ms[0].body, new RegExp(`统一社会信用代码：${org.uscc}`));
  assert.match(ms[0].body, /列入事由：通过登记的住所无法与其取得联系/);
  assert.match(ms[0].body, /下一步：/);

  // The 2027 report is due 2028-05-31: from 30 days before, the owner is told, once, however
  // many sweeps run; filed reports and organizations without an owner are not reminded.
  const filed = row({ registered_at: '2015-06-01' });
  importRows(d, [filed]);
  assert.equal((await d.api('PUT', `/api/v1/orgs/${filed.uscc}/owner`, { token: registrar, body: { user_id: a.id } })).status, 200);
  await d.setClock('2028-04-20T02:00:00Z');
  let adminTok = await d.login(d.clockAdmin);
  let sw = await d.api('POST', '/api/v1/admin/sweep', { token: adminTok });
  assert.equal(sw.status, 200, sw.text);
  assert.equal(sw.json.data.rules.find((x) => x.rule === 'annual_report_reminder').changed, 0, 'not yet: 41 days before');
  await d.setClock('2028-05-02T02:00:00Z');
  const aTok = await d.login(a.username, 'long-enough-pw');
  adminTok = await d.login(d.clockAdmin); // the jump expired the token
  const rep = await d.api('POST', `/api/v1/orgs/${filed.uscc}/annual-reports`, { token: aTok, body: {
    year: 2027, assets_fen: 100000, liabilities_fen: 0, income_fen: 50000, expense_fen: 40000,
    public_welfare_expense_fen: 30000, activities: '开展养老服务培训 3 次', staff: 4 } });
  assert.equal(rep.status, 201, rep.text);
  sw = await d.api('POST', '/api/v1/admin/sweep', { token: adminTok });
  assert.ok(sw.json.data.rules.find((x) => x.rule === 'annual_report_reminder').changed >= 1);
  sw = await d.api('POST', '/api/v1/admin/sweep', { token: adminTok });
  assert.equal(sw.json.data.rules.find((x) => x.rule === 'annual_report_reminder').changed, 0, 'once');
  ms = to(a.email)(await smtp.waitFor((x) => to(a.email)(x).length === 2, { what: 'the annual report reminder' }));
  const rem = ms.find((x) => x.subject.startsWith('【年度工作报告】'));
  assert.equal(rem.subject, `【年度工作报告】${org.name} 2027 年度工作报告请于 2028-05-31 前报送`);
  assert.match(rem.body, /下一步：请在截止日期前登录平台/);
  assert.ok(!ms.some((x) => x.subject.includes(filed.name)), 'the filed report is not reminded');
  const n = await d.api('GET', '/api/v1/me/notifications', { token: aTok });
  assert.equal(n.json.data[0].kind, 'annual_report.due');
  assert.equal(n.json.data[0].object_id, org.uscc);
  await d.setClock(new Date().toISOString());
});

test('outbox is transactional: a change that dies before its commit leaves no notice and sends no mail', async () => {
  const sink = await startSmtp();
  const e = await startDaemon({ env: { ...mailEnv(sink.url), SANZHI_TEST_CRASH_AT: 'notify_written' } });
  try {
    const a = await applicant(e);
    const reg = await e.as('registrar');
    const id = await submittedApplication(e, a.token);
    await assert.rejects(act(e, reg, id, 'accept'));
    await e.exited;
    assert.match(e.logs, /test crash inside a transaction/);
    delete e.env.SANZHI_TEST_CRASH_AT;
    await e.start();
    const app = await e.api('GET', `/api/v1/applications/${id}`, { token: a.token });
    assert.equal(app.json.data.status, 'submitted');
    assert.equal(e.sql('SELECT COUNT(*) FROM mail_outbox').trim(), '0');
    assert.equal((await e.api('GET', '/api/v1/me/notifications', { token: a.token })).json.unread_count, 0);
    await new Promise((r) => setTimeout(r, 1000)); // several passes of the mail job
    assert.deepEqual(sink.messages(), []);
    // Done again, the acceptance and its mail go together.
    assert.equal((await act(e, reg, id, 'accept')).status, 200);
    await sink.waitFor((m) => m.length === 1 && m[0].rcpt_to === a.email);
  } finally {
    await e.stop();
    await sink.stop();
    sink.remove();
  }
});

test('SMTP down: retries with backoff, then a dead letter admins see and send again once it is back', async () => {
  const port = await freePort();
  const sink = new SmtpSink(port); // not started: nothing listens
  // Retries after 2 s, then 4 s: the third and last attempt comes 6 s after the first, time
  // enough for the sink to come back in the second part even on a loaded machine.
  const e = await startDaemon({ env: mailEnv(sink.url, { SANZHI_MAIL_MAX_ATTEMPTS: '3', SANZHI_MAIL_RETRY_SECONDS: '2' }) });
  try {
    const ad = await e.as('admin');
    const a = await applicant(e);
    assert.equal((await e.api('POST', '/api/v1/auth/password-reset', { body: { login: a.username } })).status, 202);
    let dead;
    for (const until = Date.now() + 20000; Date.now() < until;) {
      dead = await e.api('GET', '/api/v1/admin/mail?status=dead', { token: ad });
      assert.equal(dead.status, 200, dead.text);
      if (dead.json.data.length) break;
      const p = await e.api('GET', '/api/v1/admin/mail?status=pending', { token: ad });
      if (p.json.data.length) assert.ok(p.json.data[0].attempts < 3);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(dead.json.data.length, 1, 'given up after three attempts');
    const m = dead.json.data[0];
    assert.equal(m.attempts, 3);
    assert.equal(m.to, a.email);
    assert.equal(m.kind, 'password_reset');
    assert.match(m.last_error, /connect/i);
    assert.equal(m.body, undefined, 'bodies are never shown');
    assert.equal((await e.api('GET', '/api/v1/admin/mail?status=dead', { token: a.token })).status, 403);
    const metrics = await (await fetch(`${e.url}/metrics`)).text();
    assert.match(metrics, /^sanzhi_mail_dead_total 1$/m);
    assert.match(metrics, /^sanzhi_mail_failed_total 3$/m);

    // The server is back: a retry of the dead letter is delivered; a second send refused (409).
    await sink.start();
    const r = await e.api('POST', `/api/v1/admin/mail/${m.id}/retry`, { token: ad, headers: { 'If-Match': `"${m.version}"` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.status, 'pending');
    assert.equal(r.json.data.attempts, 0);
    const got = await sink.waitFor((x) => x.length === 1);
    assert.equal(got[0].rcpt_to, a.email);
    assert.match(got[0].body, /密码重置令牌/);
    const sent = await e.api('GET', '/api/v1/admin/mail?status=sent', { token: ad });
    assert.equal(sent.json.data[0].id, m.id);
    assert.ok(sent.json.data[0].sent_at);
    assert.equal(e.sql(`SELECT body FROM mail_outbox WHERE id = ${m.id}`).trim(), '', 'a sealed body is wiped once sent');
    const again = await e.api('POST', `/api/v1/admin/mail/${m.id}/retry`, { token: ad });
    assert.equal(again.status, 409);
    assert.equal(again.json.current_status, 'sent');
    assert.equal((await e.api('POST', '/api/v1/admin/mail/999999/retry', { token: ad })).status, 404);
    const audit = await e.api('GET', '/api/v1/audit?action=mail.retry', { token: ad });
    assert.equal(audit.status, 200, audit.text);
    assert.deepEqual(audit.json.data.map((x) => [x.object_type, x.object_id]), [['mail', String(m.id)]]);
    assert.match(await (await fetch(`${e.url}/metrics`)).text(), /^sanzhi_mail_sent_total 1$/m);

    // Down again for a while, then back: the pending message goes on its own (no admin).
    await sink.stop();
    const b = await applicant(e);
    assert.equal((await e.api('POST', '/api/v1/auth/password-reset', { body: { login: b.email } })).status, 202);
    let p;
    for (const until = Date.now() + 10000; Date.now() < until;) {
      p = await e.api('GET', '/api/v1/admin/mail?status=pending', { token: ad });
      // A claimed row counts its attempt before the connection fails: wait for the failure too.
      if (p.json.data.length && p.json.data[0].attempts >= 1 && p.json.data[0].last_error) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(p.json.data.length, 1);
    assert.ok(p.json.data[0].attempts >= 1, 'it was tried and failed');
    assert.ok(p.json.data[0].last_error);
    await sink.start();
    await sink.waitFor((x) => x.some((y) => y.rcpt_to === b.email), { timeoutMs: 20000 });
  } finally {
    await e.stop();
    await sink.stop();
    sink.remove();
  }
});

test('two instances over one database send each message once', async () => {
  const port = await freePort();
  const sink = new SmtpSink(port);
  const env = mailEnv(sink.url, { SANZHI_MAIL_POLL_MS: '50', SANZHI_RULE_PASSWORD_RESETS_PER_IP_PER_HOUR: '1000' });
  const e1 = await startDaemon({ env });
  const e2 = await startDaemon({ database: e1.database, skipMigrate: true,
    env: { ...env, SANZHI_MASTER_KEY_FILE: e1.env.SANZHI_MASTER_KEY_FILE } });
  try {
    // Messages pile up while the SMTP server is down, then both instances race for them.
    const people = [];
    for (let i = 0; i < 8; i++) people.push(await applicant(i % 2 ? e1 : e2));
    for (const [i, p] of people.entries()) {
      for (let k = 0; k < 3; k++) {
        const r = await (i % 2 ? e2 : e1).api('POST', '/api/v1/auth/password-reset', { body: { login: p.username } });
        assert.equal(r.status, 202, r.text);
      }
    }
    assert.equal(e1.sql("SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending'").trim(), '24');
    await sink.start();
    await sink.waitFor((m) => m.length >= 24, { timeoutMs: 30000 });
    await new Promise((r) => setTimeout(r, 1000)); // a second copy would have come by now
    const got = sink.messages();
    assert.equal(got.length, 24);
    assert.equal(new Set(got.map((m) => m.message_id)).size, 24, 'no message twice');
    for (const p of people) assert.equal(got.filter((m) => m.rcpt_to === p.email).length, 3);
    assert.equal(e1.sql("SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent'").trim(), '24');
    // Both instances did some of the work (each reports its own counter).
    const sent = async (x) => Number((await (await fetch(`${x.url}/metrics`)).text()).match(/^sanzhi_mail_sent_total (\d+)$/m)[1]);
    const [s1, s2] = [await sent(e1), await sent(e2)];
    assert.equal(s1 + s2, 24);
  } finally {
    await e2.stop();
    await e1.stop();
    await sink.stop();
    sink.remove();
  }
});

test('without smtp_url there is no mail, only the in-app notifications', async () => {
  const e = await startDaemon();
  try {
    const a = await applicant(e);
    const reg = await e.as('registrar');
    const id = await submittedApplication(e, a.token);
    assert.equal((await act(e, reg, id, 'accept')).status, 200);
    const n = await e.api('GET', '/api/v1/me/notifications', { token: a.token });
    assert.equal(n.json.unread_count, 1);
    assert.equal(n.json.data[0].kind, 'application.accepted');
    assert.equal(e.sql('SELECT COUNT(*) FROM mail_outbox').trim(), '0');
    assert.equal((await e.api('GET', '/api/v1/me/notifications?unread=maybe', { token: a.token })).status, 400);
    assert.equal((await e.api('GET', '/api/v1/me/notifications')).status, 401);
  } finally {
    await e.stop();
  }
});

test('a bad smtp_url or a missing sender stops start-up with a message', async () => {
  const bad = d.cli(['migrate'], { env: { SANZHI_SMTP_URL: 'http://mail.example:25' } });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /smtp_url must be smtp:\/\/host:port or smtps:\/\/host:port/);
  const nofrom = d.cli(['migrate'], { env: { SANZHI_SMTP_URL: 'smtp://127.0.0.1:25', SANZHI_MAIL_FROM: '' } });
  assert.notEqual(nofrom.code, 0);
  assert.match(nofrom.stderr, /mail_from/);
});
