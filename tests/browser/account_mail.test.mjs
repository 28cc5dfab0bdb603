// Account pages that rest on mail: a forgotten password reset end to end through a real SMTP
// sink (aiosmtpd) with its failure paths (a token used twice, never issued, expired), the
// password change an administrator's password requires, and the notifications page with an
// approval notice; on a phone and on a desktop, and in English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';
import { startSmtp, mailEnv } from '../lib/smtp.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn, overflow, PHONE, DESKTOP } from './browser.mjs';
import { signUpApplicant, fileEstablishment } from './fixtures.mjs';

let d, smtp, b;

before(async () => {
	smtp = await startSmtp();
	d = await startDaemon({ env: mailEnv(smtp.url, { SANZHI_RULE_PASSWORD_RESETS_PER_IP_PER_HOUR: '1000' }) });
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
	await smtp?.stop();
	smtp?.remove();
});

const tag = () => crypto.randomBytes(4).toString('hex');

async function tokenFor(email, count = 1) {
	const pick = (m) => m.filter((x) => x.rcpt_to === email && /密码重置/.test(x.subject));
	const ms = pick(await smtp.waitFor((m) => pick(m).length >= count, { what: `reset mail to ${email}` }));
	const m = ms[ms.length - 1].body.match(/令牌是：\s+([A-Za-z0-9_-]{43})/);
	assert.ok(m, ms[ms.length - 1].body);
	return m[1];
}

// On a phone here; matrix.test.mjs runs the forgotten password at both sizes in both languages.
test('forgotten password: ask, get the mail, set a new password, sign in; the token works once (phone)', async () => {
	const username = `forgot_${tag()}`;
	const email = `${username}@example.cn`;
	await signUpApplicant(d, { username, password: 'first-password-1', display_name: '周忘记', email });
	await withPage(b, 'forgot-phone', async (page) => {
		await page.goto(`${d.url}/admin/#/login`);
		await page.getByRole('link', { name: '忘记密码？' }).click();
		await waitForRoute(page, '#/forgot');
		// Nothing given: said at the field.
		await page.getByRole('button', { name: '发送重置邮件' }).click();
		await waitForText(page.locator('[data-field="login"] .field-error'), '必填');
		await page.getByLabel('用户名或邮箱').fill(username);
		await page.getByRole('button', { name: '发送重置邮件' }).click();
		await waitForText(page.getByTestId('messages'), '如果该用户名或邮箱对应一个已登记邮箱的账户');
		await waitForText(page.getByTestId('messages'), '30 分钟内有效');
		// The same words for a login that matches nobody.
		await page.getByLabel('用户名或邮箱').fill(`nobody_${tag()}`);
		await page.getByRole('button', { name: '发送重置邮件' }).click();
		await waitForText(page.getByTestId('messages'), '如果该用户名或邮箱对应一个已登记邮箱的账户');
		assert.ok(await overflow(page) <= 0, 'nothing sticks out');

		const token = await tokenFor(email);
		await page.getByRole('link', { name: '已收到令牌？去重置密码' }).click();
		await waitForRoute(page, '#/reset');
		await page.getByLabel('重置令牌').fill(token);
		// The policy, in words at the field (the daemon's 422).
		await page.getByLabel('新密码', { exact: true }).fill(username + 'x');
		await page.getByLabel('确认密码').fill(username + 'y');
		await page.getByRole('button', { name: '设置新密码' }).click();
		await waitForText(page.locator('[data-field="password_confirm"] .field-error'), '两次输入的密码不一致');
		await page.getByLabel('新密码', { exact: true }).fill(username);
		await page.getByLabel('确认密码').fill(username);
		await page.getByRole('button', { name: '设置新密码' }).click();
		await waitForText(page.locator('[data-field="password"] .field-error'), '密码不能与用户名相同');
		await page.getByLabel('新密码', { exact: true }).fill('second-password-2');
		await page.getByLabel('确认密码').fill('second-password-2');
		await page.getByRole('button', { name: '设置新密码' }).click();
		await waitForText(page.getByTestId('messages'), '密码已重置');
		assert.ok(await overflow(page) <= 0, 'nothing sticks out');
		await page.getByTestId('reset-sign-in').click();
		await waitForRoute(page, '#/login');
		await signIn(page, d.url, username, 'second-password-2');
		await waitForRoute(page, '#/my/applications');

		// A second use of the token is refused, in words, at the token field.
		await page.goto(`${d.url}/admin/#/reset?token=${token}`);
		await page.reload();
		assert.equal(await page.getByLabel('重置令牌').inputValue(), token, 'the token from the address is filled in');
		await page.getByLabel('新密码', { exact: true }).fill('third-password-3');
		await page.getByLabel('确认密码').fill('third-password-3');
		await page.getByRole('button', { name: '设置新密码' }).click();
		await waitForText(page.locator('[data-field="token"] .field-error'), '该令牌已经使用过，请重新申请重置邮件');
		// A token that was never issued.
		await page.getByLabel('重置令牌').fill('x'.repeat(43));
		await page.getByRole('button', { name: '设置新密码' }).click();
		await waitForText(page.locator('[data-field="token"] .field-error'), '令牌无效');
	}, { viewport: PHONE });
});

// On a desktop here; matrix.test.mjs runs the notifications at both sizes in both languages.
test('notifications: the approval notice in the bell and the list, marked read one by one and all at once (desktop)', async () => {
	const username = `notes_${tag()}`;
	const applicant = await signUpApplicant(d, { username, password: 'notes-password-1', display_name: '吴通知', email: `${username}@example.cn` });
	const registrar = `reg_${tag()}`;
	await d.addUser({ username: registrar, role: 'registrar', password: 'registrar-pass-1' });
	const id = await fileEstablishment(d, applicant, '海盐县乙通知测试协会');
	// The registrar accepts and approves on the application page; the page says the applicant
	// was notified because the daemon's answer says so (notified).
	await withPage(b, 'notes-registrar-desktop', async (page) => {
		await signIn(page, d.url, registrar, 'registrar-pass-1');
		await page.goto(`${d.url}/admin/#/applications/${id}`);
		await page.locator('button[data-action="accept"]').click();
		await page.getByRole('dialog').getByRole('button', { name: '受理', exact: true }).click();
		await waitForText(page.getByTestId('messages'), '已受理。申请人已收到站内通知');
		await page.locator('button[data-action="approve"]').click();
		await page.getByRole('dialog').getByRole('button', { name: '准予登记', exact: true }).click();
		// The approval's banner says it, once: no second banner.
		await waitForText(page.getByTestId('decision'), '申请人已收到站内通知');
		assert.equal(await page.locator('main .flash-ok').count(), 1);
	}, { viewport: DESKTOP });
	await withPage(b, 'notes-desktop', async (page) => {
		await signIn(page, d.url, username, 'notes-password-1');
		const bell = page.getByTestId('bell');
		await waitForText(bell.locator('.bell-count'), '2');
		assert.equal(await bell.getAttribute('aria-label'), '消息通知（2 条未读）');
		await bell.click();
		await waitForRoute(page, '#/me/notifications');
		const notes = page.getByTestId('notifications').locator('li.note');
		await waitForText(notes.first(), '准予登记');
		assert.equal(await notes.count(), 2);
		// Newest first: the approval, then the acceptance; both unread.
		assert.match(await notes.nth(0).textContent(), /【准予登记】成立登记申请/);
		assert.match(await notes.nth(1).textContent(), /【受理通知】/);
		assert.equal(await page.locator('li.note-unread').count(), 2);
		await waitForText(page.getByTestId('unread-count'), '2 条未读');
		assert.ok(await overflow(page) <= 0, 'nothing sticks out');

		await notes.nth(0).getByRole('button', { name: '标为已读' }).click();
		await waitForText(page.getByTestId('unread-count'), '1 条未读');
		await waitForText(bell.locator('.bell-count'), '1');
		assert.equal(await notes.nth(0).getAttribute('data-read'), 'true');
		assert.equal(await notes.nth(0).getByRole('button', { name: '标为已读' }).count(), 0);
		assert.equal((await d.api('GET', '/api/v1/me/notifications', { token: applicant })).json.unread_count, 1, 'the daemon has it read');

		await page.getByRole('button', { name: '全部标为已读' }).click();
		await waitForText(page.getByTestId('unread-count'), '没有未读通知');
		assert.equal(await page.locator('li.note-unread').count(), 0);
		assert.equal(await bell.locator('.bell-count').isHidden(), true);
		assert.equal((await d.api('GET', '/api/v1/me/notifications', { token: applicant })).json.unread_count, 0);
	}, { viewport: DESKTOP });
});

test('too many reset requests for one login: the refusal says how long to wait', async () => {
	const login = `often_${tag()}`;
	await withPage(b, 'forgot-429', async (page) => {
		await page.goto(`${d.url}/admin/#/forgot`);
		await page.getByLabel('用户名或邮箱').fill(login);
		// Three an hour per login (rule password_resets_per_login_per_hour); the fourth is refused.
		for (let i = 0; i < 3; i++) {
			await page.getByRole('button', { name: '发送重置邮件' }).click();
			await waitForText(page.getByTestId('messages'), '如果该用户名或邮箱对应');
			await page.evaluate(() => document.querySelector('[data-testid=messages]').replaceChildren());
		}
		await page.getByRole('button', { name: '发送重置邮件' }).click();
		const text = await waitForText(page.getByTestId('messages'), '该账户的密码重置申请过于频繁');
		assert.match(text, /未能发送重置邮件/);
		assert.match(text, /请在 60 分钟后重试/);
	});
});

test('a password an administrator set: the sign-in page asks for a new one and signs in', async () => {
	const username = `temp_${tag()}`;
	await d.addUser({ username, role: 'registrar', password: 'first-password-1' });
	const admin = await d.as('admin');
	const id = (await d.api('GET', `/api/v1/users?q=${username}`, { token: admin })).json.data.find((u) => u.username === username)?.id;
	assert.ok(id, 'the user is listed');
	const p = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { password: 'temporary-pass-1', must_change_password: true } });
	assert.equal(p.status, 200, p.text);
	await withPage(b, 'password-change', async (page) => {
		await page.goto(`${d.url}/admin/#/login`);
		await page.getByLabel('用户名').fill(username);
		await page.getByLabel('密码', { exact: true }).fill('temporary-pass-1');
		await page.getByRole('button', { name: '登录', exact: true }).click();
		await page.getByTestId('password-change').waitFor();
		await page.getByLabel('新密码', { exact: true }).fill('temporary-pass-1');
		await page.getByLabel('确认新密码').fill('temporary-pass-1');
		await page.getByRole('button', { name: '设置新密码并登录' }).click();
		await waitForText(page.locator('[data-field="new_password"] .field-error'), '新密码不能与原密码相同');
		await page.getByLabel('新密码', { exact: true }).fill('chosen-password-2');
		await page.getByLabel('确认新密码').fill('chosen-password-2');
		await page.getByRole('button', { name: '设置新密码并登录' }).click();
		await waitForRoute(page, '#/queue');
		await page.getByTestId('current-user').waitFor();
	});
	assert.equal((await d.api('POST', '/api/v1/auth/login', { body: { username, password: 'chosen-password-2' } })).status, 200);
});

test('in English: the forgotten password page and its answer', async () => {
	await withPage(b, 'forgot-en', async (page) => {
		await page.goto(`${d.url}/admin/#/login`);
		await page.getByTestId('lang-toggle').click();
		await page.getByRole('link', { name: 'Forgot your password?' }).click();
		await waitForRoute(page, '#/forgot');
		await page.getByRole('heading', { name: 'Forgotten password' }).waitFor();
		await page.getByLabel('Username or email').fill(`nobody_${tag()}`);
		await page.getByRole('button', { name: 'Send the reset mail' }).click();
		await waitForText(page.getByTestId('messages'), 'If an account with a mail address matches, a password reset mail has been sent');
		await waitForText(page.getByTestId('messages'), 'valid for 30 minutes');
	});
});

// Last in the file: it moves the daemon's clock on by half an hour.
test('a reset token older than 30 minutes is refused in words at the token field, in Chinese and in English', async () => {
	const username = `late_${tag()}`;
	const email = `${username}@example.cn`;
	await signUpApplicant(d, { username, password: 'first-password-1', display_name: '郑迟到', email });
	assert.equal((await d.api('POST', '/api/v1/auth/password-reset', { body: { login: username } })).status, 202);
	const token = await tokenFor(email);
	// Rule password_reset_ttl_minutes (30): a second past it by the daemon's clock.
	await d.setClock(new Date(Date.now() + 30 * 60e3 + 1000).toISOString());
	await withPage(b, 'reset-expired', async (page) => {
		const tryReset = async (labels) => {
			assert.equal(await page.getByLabel(labels.token).inputValue(), token, 'the token from the address is filled in');
			await page.getByLabel(labels.password, { exact: true }).fill('second-password-2');
			await page.getByLabel(labels.confirm).fill('second-password-2');
			await page.getByRole('button', { name: labels.submit }).click();
			const error = page.locator('[data-field="token"] .field-error');
			await waitForText(error, labels.expired);
			// The summary says it too, and its line leads to the field.
			const alert = page.getByTestId('messages').locator('.problem');
			await waitForText(alert.locator('.problem-title'), labels.title);
			await alert.locator('li[data-error-field="token"]').getByRole('link').click();
			await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'token');
			await page.getByRole('link', { name: labels.again, exact: true }).waitFor();
		};
		await page.goto(`${d.url}/admin/#/reset?token=${token}`);
		await tryReset({
			token: '重置令牌', password: '新密码', confirm: '确认密码', submit: '设置新密码', title: '密码未能重置',
			expired: '该令牌已过期（30 分钟内有效），请重新申请重置邮件。', again: '重新申请重置邮件',
		});
		await page.getByTestId('lang-toggle').click();
		await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
		await tryReset({
			token: 'Reset token', password: 'New password', confirm: 'Confirm password', submit: 'Set the new password', title: 'The password was not reset',
			expired: 'This token has expired (it is valid for 30 minutes); ask for a new reset mail.', again: 'Ask for a new reset mail',
		});
		assert.ok(await overflow(page) <= 0, 'nothing sticks out');
	});
	// The password is the old one still.
	assert.equal((await d.api('POST', '/api/v1/auth/login', { body: { username, password: 'first-password-1' } })).status, 200);
});
