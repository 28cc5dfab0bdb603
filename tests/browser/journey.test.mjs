// Parts of the applicant's journey in chromium (issue 11 items 5, 7) beyond its main way: a
// refused submission on the check page linking each line to its row; deleting a draft; the
// sign-up and sign-in hints, and a sign-in for a name nobody has. The main way (before you start
// → the form → documents → check your answers → submit → the confirmation) and the profile's
// authority and funds run in matrix.test.mjs, at 390 px and 1280 px, in Chinese and in English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn } from './browser.mjs';
import { DOC_KINDS, signUpApplicant, fileEstablishment } from './fixtures.mjs';

const REGISTRAR = { username: 'jr_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '郑审查' };
const APPLICANT = { username: 'jr_applicant', password: 'Applicant-pass-2025', display_name: '冯申请', phone: '13800138000', email: 'feng@example.cn' };

let d;
let b;
let appToken;

before(async () => {
	d = await startDaemon();
	await d.addUser(REGISTRAR);
	appToken = await signUpApplicant(d, APPLICANT);
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
});

const english = async (page) => {
	await page.getByTestId('lang-toggle').click();
	await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
};

test('check your answers: a refused submission links each line to its row, a missing document to the documents', async () => {
	const id = await fileEstablishment(d, appToken, '海盐县社区读书会', { submit: false, docs: DOC_KINDS.filter((k) => k !== 'fund_verification') });
	await withPage(b, 'journey-check-errors', async (page) => {
		await signIn(page, d.url, APPLICANT.username, APPLICANT.password);
		await page.goto(`${d.url}/admin/#/applications/${id}/check`);
		await waitForText(page.locator('[data-field="documents.fund_verification"]'), '尚未上传');
		await page.getByRole('button', { name: '确认并提交申请' }).click();
		const alert = page.locator('.error-slot .problem');
		await waitForText(alert, '提交失败');
		const link = alert.getByRole('link', { name: /验资证明/ });
		await link.click();
		await page.waitForFunction(() => document.activeElement && document.activeElement.closest('[data-field="documents.fund_verification"]'));
		// Its 修改 link leads to the documents on the application page.
		await page.locator('[data-section="documents"]').getByRole('link', { name: /^修改/ }).click();
		await waitForRoute(page, `#/applications/${id}?section=documents`);
		await page.waitForFunction(() => document.activeElement && document.activeElement.type === 'file');
		assert.equal(await page.getByRole('heading', { name: '海盐县社区读书会' }).count(), 1);
	});
});

test('删除草稿: a draft is deleted after a confirmation, and is gone from the list', async () => {
	const id = await fileEstablishment(d, appToken, '海盐县草稿测试协会', { submit: false });
	await withPage(b, 'journey-delete', async (page) => {
		await signIn(page, d.url, APPLICANT.username, APPLICANT.password);
		await page.goto(`${d.url}/admin/#/applications/${id}`);
		await page.getByRole('button', { name: '删除草稿' }).click();
		const dialog = page.getByRole('dialog');
		await waitForText(dialog, '海盐县草稿测试协会');
		// Cancelling keeps it.
		await dialog.getByRole('button', { name: '取消' }).click();
		assert.equal((await d.api('GET', `/api/v1/applications/${id}`, { token: appToken })).status, 200);
		await page.getByRole('button', { name: '删除草稿' }).click();
		const [del] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith(`/applications/${id}`)),
			page.getByRole('dialog').getByRole('button', { name: '删除草稿' }).click(),
		]);
		assert.equal(del.status(), 204);
		await waitForRoute(page, '#/my/applications');
		await page.locator('main .flash', { hasText: '草稿已删除' }).waitFor();
		await page.locator('table.data tbody tr').first().waitFor();
		assert.equal(await page.locator('table.data', { hasText: '海盐县草稿测试协会' }).count(), 0);
		assert.equal((await d.api('GET', `/api/v1/applications/${id}`, { token: appToken })).status, 404);
	});
});

test('sign-up says a phone or an email is needed before sending; sign-in says how many tries remain', async () => {
	await withPage(b, 'journey-accounts', async (page) => {
		const posts = [];
		page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/accounts')) posts.push(r); });
		await page.goto(`${d.url}/admin/#/signup`);
		await waitForText(page.getByTestId('contact-hint'), '联系电话和电子邮箱至少填写一项');
		await page.getByLabel('用户名').fill('jr_nocontact');
		await page.getByLabel('姓名/显示名称').fill('无联系');
		await page.getByLabel('密码', { exact: true }).fill('No-contact-2025');
		await page.getByLabel('确认密码').fill('No-contact-2025');
		await page.getByRole('button', { name: '注册', exact: true }).click();
		await waitForText(page.locator('[data-field="phone"] .field-error'), '请填写联系电话或电子邮箱');
		assert.equal(posts.length, 0, 'nothing was sent');

		await page.goto(`${d.url}/admin/#/login`);
		await page.getByLabel('用户名').fill(REGISTRAR.username);
		await page.getByLabel('密码', { exact: true }).fill('wrong-password-1');
		await page.getByRole('button', { name: '登录', exact: true }).click();
		await waitForText(page.locator('.error-slot .problem'), '再失败 4 次，该账号将被暂时锁定');
		await english(page);
		await page.getByLabel('Username').fill(REGISTRAR.username);
		await page.getByLabel('Password', { exact: true }).fill('wrong-password-2');
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await waitForText(page.locator('.error-slot .problem'), 'After 3 more failed attempts this account is locked');
		// The same for a name nobody has: it tells nothing about accounts.
		await page.getByLabel('Username').fill('jr_nobody');
		await page.getByLabel('Password', { exact: true }).fill('wrong-password-3');
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await waitForText(page.locator('.error-slot .problem'), 'After 4 more failed attempts');
	});
});
