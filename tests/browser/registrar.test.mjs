// A registrar on an organization's page, in chromium: binding the applicant account that acts for
// an imported organization (经办账号: PUT /orgs/{uscc}/owner by login), after which that applicant
// finds it under 我的组织 and can file for it; re-issuing the certificate (补发证书: POST
// /orgs/{uscc}/certificate with an Idempotency-Key, so a retried request issues one), after which
// the card shows the new one and the old downloaded file checks as superseded; and both refused in
// the reader's language once the organization is deregistered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDaemon } from '../lib/daemon.mjs';
import { row, importRows, buildUscc } from '../bench/registry.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn, overflow, PHONE } from './browser.mjs';
import { signUpApplicant, registerOrg, fileDeregistration, act, day } from './fixtures.mjs';

const REGISTRAR = { username: 'reg_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '周登记' };
const FOUNDER = { username: 'reg_founder', password: 'Applicant-pass-2025', display_name: '吴发起' };
const STAFF = { username: 'Reg_Staff', password: 'Staff-pass-2025', display_name: '何经办' };
const IMPORTED = row({ name: '海盐县老年书画研究会', registered_at: '2012-05-18' });

let d;
let b;
let uscc; // registered here: has a certificate and an owner
// A code with a valid check character that no organization here holds.
const UNKNOWN_USCC = buildUscc('1', '330424', 887000000);

before(async () => {
	d = await startDaemon();
	await d.addUser(REGISTRAR);
	await d.setClock(day(0));
	const founder = await signUpApplicant(d, FOUNDER);
	await signUpApplicant(d, STAFF);
	const reg = await d.login(REGISTRAR.username, REGISTRAR.password);
	uscc = await registerOrg(d, founder, reg, '海盐县湖畔读书会');
	importRows(d, [IMPORTED]);
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
});

test('a registrar binds the acting account of an imported organization by its login; that applicant can then file for it', async () => {
	await withPage(b, 'owner-bind', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${IMPORTED.uscc}`);
		const sec = page.getByRole('region', { name: '经办账号' });
		// Imported: nobody acts for it yet, and the page says so on arrival.
		await waitForText(sec.getByTestId('owner-current'), '当前经办账号：无');
		await sec.getByRole('button', { name: '绑定经办账号' }).click();
		const dlg = page.getByRole('dialog', { name: '绑定经办账号' });
		await waitForText(dlg, '请先核实该账号确为本组织经办人');
		// No such applicant: said next to the field, in Chinese.
		await dlg.getByLabel('用户名').fill('nobody_here');
		await dlg.getByRole('button', { name: '绑定', exact: true }).click();
		await waitForText(dlg.locator('[data-field="username"] .field-error'), '没有这个申请人账号，请核对登录名');
		// A registrar's account is not an applicant's.
		await dlg.getByLabel('用户名').fill(REGISTRAR.username);
		await dlg.getByRole('button', { name: '绑定', exact: true }).click();
		await waitForText(dlg.locator('[data-field="username"] .field-error'), '该账号不是申请人账号');
		// The login in another case is the same account.
		await dlg.getByLabel('用户名').fill('REG_STAFF');
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith(`/orgs/${IMPORTED.uscc}/owner`)),
			dlg.getByRole('button', { name: '绑定', exact: true }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { username: 'REG_STAFF' });
		await dlg.waitFor({ state: 'detached' });
		await waitForText(sec.getByTestId('messages'), '已将经办账号绑定为 reg_staff');
		await waitForText(sec.getByTestId('owner-current'), '当前经办账号：reg_staff');
	});
	await withPage(b, 'owner-staff', async (page) => {
		await signIn(page, d.url, STAFF.username, STAFF.password);
		await page.goto(`${d.url}/admin/#/my/orgs`);
		await page.getByTestId('my-orgs').getByRole('link', { name: IMPORTED.name }).click();
		await waitForRoute(page, `#/org/${IMPORTED.uscc}`);
		await page.getByTestId('org-apply').getByRole('link', { name: '申请变更登记' }).waitFor();
		assert.equal(await page.getByRole('region', { name: '经办账号' }).count(), 0, 'binding is for registrars');
	});
	// Unbinding leaves nobody acting for it.
	await withPage(b, 'owner-unbind', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${IMPORTED.uscc}`);
		const sec = page.getByRole('region', { name: '经办账号' });
		await waitForText(sec.getByTestId('owner-current'), '当前经办账号：reg_staff');
		await sec.getByRole('button', { name: '解除绑定' }).click();
		const dlg = page.getByRole('dialog', { name: '解除经办账号绑定' });
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/owner')),
			dlg.getByRole('button', { name: '解除绑定' }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { user_id: null });
		await waitForText(sec.getByTestId('messages'), '已解除经办账号绑定');
	});
	const staff = await d.login(STAFF.username, STAFF.password);
	assert.deepEqual((await d.api('GET', '/api/v1/me/orgs', { token: staff })).json.data, []);
	// Bound again for the deregistration below.
	const reg = await d.login(REGISTRAR.username, REGISTRAR.password);
	assert.equal((await d.api('PUT', `/api/v1/orgs/${IMPORTED.uscc}/owner`, { token: reg, body: { username: STAFF.username } })).status, 200);
});

test('a registrar re-issues a certificate once per request; the card shows the new one, the old file checks as superseded', async () => {
	await withPage(b, 'cert-reissue', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${uscc}`);
		const card = page.getByRole('region', { name: '登记证书' });
		await waitForText(card.locator('.cert-paper'), `${uscc}-1`);
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			card.getByRole('button', { name: '下载证书（JSON）' }).click(),
		]);
		const oldFile = await download.path();
		assert.equal(JSON.parse(fs.readFileSync(oldFile, 'utf8')).certificate.certificate_no, `${uscc}-1`);

		// The first answer is lost on the way back (the daemon did issue); the retry carries the
		// same Idempotency-Key, so the daemon answers with that certificate instead of a third one.
		const keys = [];
		let lost = false;
		await page.route(`**/api/v1/orgs/${uscc}/certificate`, async (route) => {
			const r = route.request();
			if (r.method() !== 'POST') return route.continue();
			keys.push(r.headers()['idempotency-key']);
			if (lost) return route.continue();
			lost = true;
			await route.fetch();
			return route.abort('connectionreset');
		});
		await card.getByRole('button', { name: '补发证书' }).click();
		const dlg = page.getByRole('dialog', { name: '补发登记证书' });
		await waitForText(dlg, '已被更新的证书取代');
		await dlg.getByLabel('补发原因').fill('原证书遗失');
		await dlg.getByRole('button', { name: '补发证书' }).click();
		await waitForText(dlg.locator('.problem'), '无法连接服务器');
		await dlg.getByRole('button', { name: '补发证书' }).click();
		await dlg.waitFor({ state: 'detached' });
		assert.equal(keys.length, 2);
		assert.match(keys[0], /^[0-9a-f-]{32,36}$/);
		assert.equal(keys[1], keys[0], 'the retry is the same request');
		await waitForText(card.getByTestId('messages'), `已签发新证书（证书编号 ${uscc}-2）`);
		await waitForText(card.locator('.cert-paper'), `${uscc}-2`);
		await page.unroute(`**/api/v1/orgs/${uscc}/certificate`);
		await card.getByRole('button', { name: '验证证书签名' }).click();
		await waitForText(card.locator('[data-verify]'), '证书真实有效');

		// A new dialog is a new request: it issues another certificate.
		await card.getByRole('button', { name: '补发证书' }).click();
		await page.getByRole('dialog', { name: '补发登记证书' }).getByRole('button', { name: '补发证书' }).click();
		await waitForText(card.locator('.cert-paper'), `${uscc}-3`);

		await page.goto(`${d.url}/admin/#/verify`);
		await page.getByLabel('选择证书文件（JSON）').setInputFiles(oldFile);
		await page.getByRole('button', { name: '验证', exact: true }).click();
		await waitForText(page.locator('[data-verify="superseded"]'), '证书真实，但已被更新的证书取代');
	});
	const reg = await d.login(REGISTRAR.username, REGISTRAR.password);
	const audit = d.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.reissue' AND object_id = '${uscc}'`).trim();
	assert.equal(audit, '1', 'the lost answer and its retry issued one certificate; the later dialog sent no reason');
	assert.equal((await d.api('GET', `/api/v1/orgs/${uscc}/certificate`, { token: reg })).json.data.certificate.certificate_no, `${uscc}-3`);
});

test('an imported organization without a certificate gets its first one; on a phone the registrar\'s tools fit', async () => {
	await withPage(b, 'cert-first', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${IMPORTED.uscc}`);
		const card = page.getByRole('region', { name: '登记证书' });
		await waitForText(card, '暂无电子登记证书');
		await card.getByRole('button', { name: '签发电子证书' }).click();
		await page.getByRole('dialog', { name: '签发电子登记证书' }).getByRole('button', { name: '签发电子证书' }).click();
		await waitForText(card.getByTestId('messages'), `已签发电子登记证书（证书编号 ${IMPORTED.uscc}-1）`);
		await waitForText(card.locator('.cert-paper'), `${IMPORTED.uscc}-1`);
		await card.getByRole('button', { name: '补发证书' }).waitFor();
		await page.getByRole('region', { name: '经办账号' }).getByRole('button', { name: '绑定经办账号' }).waitFor();
		assert.ok(await overflow(page) <= 0, 'nothing wider than the phone');
	}, { viewport: PHONE });
});

test('once the organization is deregistered, binding and re-issuing are refused in words, and no longer offered', async () => {
	await withPage(b, 'deregistered', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${IMPORTED.uscc}`);
		const card = page.getByRole('region', { name: '登记证书' });
		await card.getByRole('button', { name: '补发证书' }).waitFor();
		// Deregistered while the page is open.
		const staff = await d.login(STAFF.username, STAFF.password);
		const reg = await d.login(REGISTRAR.username, REGISTRAR.password);
		const id = await fileDeregistration(d, staff, IMPORTED.uscc, '会员大会决议解散，已完成清算。');
		await act(d, reg, id, 'accept');
		await act(d, reg, id, 'approve');

		await card.getByRole('button', { name: '补发证书' }).click();
		let dlg = page.getByRole('dialog', { name: '补发登记证书' });
		await dlg.getByRole('button', { name: '补发证书' }).click();
		await waitForText(dlg.locator('.problem'), '该社会组织已注销，不再签发登记证书');
		assert.equal(await dlg.locator('.problem-server').count(), 0, 'not the daemon\'s English');
		await dlg.getByRole('button', { name: '取消' }).click();

		await page.getByRole('region', { name: '经办账号' }).getByRole('button', { name: '绑定经办账号' }).click();
		dlg = page.getByRole('dialog', { name: '绑定经办账号' });
		await dlg.getByLabel('用户名').fill(STAFF.username);
		await dlg.getByRole('button', { name: '绑定', exact: true }).click();
		await waitForText(dlg.locator('.problem'), '该社会组织已注销，不再绑定经办账号');
		await dlg.getByRole('button', { name: '取消' }).click();

		await page.reload();
		await waitForText(card, '该组织已注销，此证书已失效');
		assert.equal(await card.getByRole('button', { name: '补发证书' }).count(), 0);
		assert.equal(await page.getByRole('region', { name: '经办账号' }).count(), 0);

		// Someone holding only the paper learns it is no longer in force; a code the register
		// does not hold is said to be unknown.
		await page.goto(`${d.url}/admin/#/verify`);
		const status = page.getByTestId('certificate-status');
		const code = status.getByLabel('统一社会信用代码', { exact: true });
		await code.fill(IMPORTED.uscc);
		await status.getByRole('button', { name: '查询', exact: true }).click();
		await waitForText(status.locator('[data-status="revoked"]'), '该组织已注销，其登记证书已失效。');
		await code.fill(UNKNOWN_USCC);
		await status.getByRole('button', { name: '查询', exact: true }).click();
		await waitForText(status.locator('.problem'), '未找到所请求的内容');
		assert.equal(await status.locator('[data-status]').count(), 0, 'the earlier answer is gone');
	});
});
