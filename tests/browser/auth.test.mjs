// Sign-in, role navigation, sign-out, errors and language, clicked through in chromium against
// the real daemon.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn, signOut, chinaTime, overflow, PHONE } from './browser.mjs';

const ADMIN = { username: 'ui_admin', password: 'Admin-pass-2025', role: 'admin', display_name: '平台管理员' };
const REGISTRAR = { username: 'ui_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '李审查' };
const LOCKED = { username: 'ui_locked', password: 'Locked-pass-2025', role: 'registrar', display_name: '锁定测试' };

let d;
let b;

before(async () => {
	d = await startDaemon();
	await d.addUser(ADMIN);
	await d.addUser(REGISTRAR);
	await d.addUser(LOCKED);
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
});

const nav = (page) => page.locator('nav#main-nav');

test('an admin signs in, sees the admin navigation, and signs out', async () => {
	await withPage(b, 'admin-sign-in', async (page) => {
		await page.goto(`${d.url}/admin/`);
		// Signed out: the public register is the home page and the nav has only public entries.
		await waitForRoute(page, '#/register');
		assert.equal(await nav(page).getByRole('link', { name: '用户管理' }).count(), 0);
		await page.getByRole('link', { name: '登录', exact: true }).click();
		await waitForRoute(page, '#/login');

		await signIn(page, d.url, ADMIN.username, ADMIN.password);
		await waitForRoute(page, '#/admin/users');
		await nav(page).getByRole('link', { name: '用户管理' }).waitFor();
		await nav(page).getByRole('link', { name: '审计日志' }).waitFor();
		assert.equal(await nav(page).getByRole('link', { name: '审查队列' }).count(), 0, 'no registrar entries for an admin');
		assert.equal(await nav(page).getByRole('link', { name: '我的申请' }).count(), 0, 'no applicant entries for an admin');
		await waitForText(page.getByTestId('current-user'), ADMIN.display_name);
		await waitForText(page.getByTestId('current-user'), '系统管理员');
		// The users page lists the admin itself, from GET /api/v1/users; its status is a state
		// (正常), not the word of the button (启用).
		await page.getByRole('cell', { name: ADMIN.username, exact: true }).waitFor();
		const row = page.locator('tr', { has: page.getByRole('cell', { name: ADMIN.username, exact: true }) });
		await waitForText(row.locator('.badge'), '正常');
		assert.equal(await row.getByText('启用', { exact: true }).count(), 0);
		// Admins cannot read applications (the daemon refuses them): the UI does not go there.
		let appCalls = 0;
		page.on('request', (r) => { if (/\/api\/v1\/applications/.test(r.url())) appCalls += 1; });
		await page.goto(`${d.url}/admin/#/applications/1`);
		await page.getByRole('heading', { name: '无权访问' }).waitFor();
		assert.equal(appCalls, 0);
		await page.goto(`${d.url}/admin/#/admin/users`);
		await page.getByRole('cell', { name: ADMIN.username, exact: true }).waitFor();

		const token = await page.evaluate(() => sessionStorage.getItem('sanzhi.token'));
		assert.ok(token, 'the token is kept in sessionStorage');

		await signOut(page);
		await page.getByRole('heading', { name: '登录', exact: true }).waitFor();
		await waitForText(page.locator('.flash'), '您已退出登录');
		assert.equal(await page.evaluate(() => sessionStorage.getItem('sanzhi.token')), null);
		// Signing out revoked the token on the server.
		const status = await page.evaluate(async (t) => (await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${t}` } })).status, token);
		assert.equal(status, 401);
		// A page that needs a role now sends the visitor to sign in.
		await page.goto(`${d.url}/admin/#/admin/users`);
		await waitForRoute(page, '#/login');
	});
});

test('a wrong password is explained in Chinese, not in the server\'s English', async () => {
	await withPage(b, 'wrong-password', async (page) => {
		await page.goto(`${d.url}/admin/#/login`);
		await page.getByLabel('用户名').fill(ADMIN.username);
		await page.getByLabel('密码', { exact: true }).fill('not-the-password');
		const [resp] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
			page.getByRole('button', { name: '登录', exact: true }).click(),
		]);
		assert.equal(resp.status(), 401);
		const problem = await resp.json();
		assert.equal(problem.code, 'invalid_credentials');
		const alert = page.getByRole('alert');
		await waitForText(alert, '登录失败');
		await waitForText(alert, '用户名或密码不正确');
		const text = await alert.textContent();
		// Neither the HTTP reason phrase nor the English detail reaches the Chinese page.
		assert.ok(!text.includes(problem.title), `no "${problem.title}" in ${text}`);
		assert.ok(!text.includes(problem.detail), `no English detail in ${text}`);
		assert.doesNotMatch(text, /[A-Za-z]{4,}/, text);
		assert.equal(new URL(page.url()).hash, '#/login', 'still on the sign-in page');
		assert.equal(await page.getByLabel('密码', { exact: true }).inputValue(), '', 'the password field is cleared');
		assert.equal(await page.evaluate(() => sessionStorage.getItem('sanzhi.token')), null);
		// And in English when the reader chose English.
		await page.getByTestId('lang-toggle').click();
		await page.getByLabel('Username').fill(ADMIN.username);
		await page.getByLabel('Password', { exact: true }).fill('not-the-password-either');
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await waitForText(page.getByRole('alert'), 'The username or password is wrong');
		await page.getByTestId('lang-toggle').click();
	});
});

test('empty fields are flagged next to the field without calling the API', async () => {
	await withPage(b, 'empty-fields', async (page) => {
		let calls = 0;
		page.on('request', (r) => { if (r.url().includes('/auth/login')) calls += 1; });
		await page.goto(`${d.url}/admin/#/login`);
		await page.getByRole('button', { name: '登录', exact: true }).click();
		await page.locator('[data-field="username"] .field-error').waitFor();
		await page.locator('[data-field="password"] .field-error').waitFor();
		assert.equal(await page.getByLabel('用户名').getAttribute('aria-invalid'), 'true');
		assert.equal(calls, 0);
	});
});

test('repeated failures lock the username and the UI says when to retry', async () => {
	await withPage(b, 'lockout', async (page) => {
		await page.goto(`${d.url}/admin/#/login`);
		let retry = '';
		for (let i = 0; i < 8 && !retry; i++) {
			await page.getByLabel('用户名').fill(LOCKED.username);
			await page.getByLabel('密码', { exact: true }).fill(`wrong-password-${i}`);
			const [resp] = await Promise.all([
				page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
				page.getByRole('button', { name: '登录', exact: true }).click(),
			]);
			await page.getByRole('alert').waitFor();
			if (resp.status() === 429) {
				assert.match(resp.headers()['retry-after'] || '', /^\d+$/);
				retry = await waitForText(page.locator('.problem-retry'), /请在 \d+ 分钟后重试/);
				await waitForText(page.getByRole('alert'), '该账号已暂时锁定');
			}
		}
		assert.ok(retry, 'the fifth failure locks the username (429 with Retry-After)');
	});
});

test('the language toggle switches to English and is remembered', async () => {
	await withPage(b, 'language', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await waitForRoute(page, '#/queue');
		await page.getByTestId('lang-toggle').click();
		await waitForText(page.locator('html'), 'Sign out');
		assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
		await nav(page).getByRole('link', { name: 'Register search' }).waitFor();
		await page.reload();
		await page.getByRole('button', { name: 'Sign out' }).waitFor();
		assert.equal(await page.evaluate(() => localStorage.getItem('sanzhi.lang')), 'en');
		await page.getByTestId('lang-toggle').click();
		await page.getByRole('button', { name: '退出登录' }).waitFor();
	});
});

test('on a phone the navigation folds behind a menu button', async () => {
	await withPage(b, 'phone-nav', async (page) => {
		await page.goto(`${d.url}/admin/#/register`);
		const menu = page.getByRole('button', { name: '菜单' });
		await menu.waitFor();
		const link = nav(page).getByRole('link', { name: '信用代码校验' });
		assert.equal(await link.isVisible(), false);
		assert.equal(await menu.getAttribute('aria-expanded'), 'false');
		await menu.click();
		assert.equal(await menu.getAttribute('aria-expanded'), 'true');
		await link.click();
		await waitForRoute(page, '#/uscc');
		// Nothing is wider than the screen.
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 0, `page overflows the phone screen by ${overflow}px`);
	}, { viewport: PHONE });
});

test('the audit log reads in words, in China time, and fits a phone', async () => {
	// Runs after the lockout above, so the log holds account.locked and auth.login entries.
	await withPage(b, 'audit-words', async (page) => {
		await signIn(page, d.url, ADMIN.username, ADMIN.password);
		await page.goto(`${d.url}/admin/#/admin/audit`);
		const table = page.locator('table.data');
		await table.locator('tbody tr').first().waitFor();
		await table.locator('[data-action="account.locked"]').first().waitFor();
		const text = await table.textContent();
		for (const code of ['auth.login', 'account.locked', 'account.signup', 'expires_at', 'locked_until']) {
			assert.ok(!text.includes(code), `no raw "${code}" in the audit table`);
		}
		assert.match(text, /账号因多次登录失败被锁定/);
		assert.match(text, /登录有效至/);
		assert.doesNotMatch(text, /\d{2}:\d{2}:\d{2}\.\d+/, 'no microsecond timestamps');
		assert.doesNotMatch(text, /[{}"]/, 'no JSON');
		// Times are China time: the newest entry (this sign-in) is within minutes of now in UTC+8.
		const first = await table.locator('tbody tr').first().locator('time').first().getAttribute('datetime');
		await waitForText(table.locator('tbody tr').first(), chinaTime(first));
		const overflowPx = await overflow(page);
		assert.ok(overflowPx <= 0, `the desktop page overflows by ${overflowPx}px`);
		await page.getByTestId('lang-toggle').click();
		await waitForText(page.locator('table.data'), 'Account locked after failed sign-ins');
		await page.getByTestId('lang-toggle').click();
	});
	await withPage(b, 'audit-phone', async (page) => {
		await signIn(page, d.url, ADMIN.username, ADMIN.password);
		await page.goto(`${d.url}/admin/#/admin/audit`);
		await page.locator('table.data [data-action="account.locked"]').first().waitFor();
		const overflowPx = await overflow(page);
		assert.ok(overflowPx <= 0, `the audit page overflows the phone by ${overflowPx}px`);
	}, { viewport: PHONE });
});
