// Organizations in chromium: the applicant's own organizations (GET /me/orgs) and what only the
// owner is offered on an organization's page; annual reports filed by the owner (yuan in, integer
// fen out, public-welfare spending no more than all spending) and concluded by a registrar; and
// certificate checks that tell current, replaced, withdrawn and forged certificates apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn } from './browser.mjs';
import { signUpApplicant, registerOrg, fileChange, fileDeregistration, act, day } from './fixtures.mjs';

const REGISTRAR = { username: 'orgs_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '陈审查' };
const OWNER = { username: 'orgs_owner', password: 'Applicant-pass-2025', display_name: '林会长' };
const STRANGER = { username: 'orgs_stranger', password: 'Stranger-pass-2025', display_name: '郑路人' };
const ORG_A = '海盐县银龄互助养老服务协会';
const ORG_B = '海盐县邻里守望服务协会';
// The report for 2026 is filed in March 2027 (due 31 May): on time.
const FILING_DAY = '2027-03-01T02:00:00Z';

let d;
let b;
let usccA;
let usccB;

before(async () => {
	d = await startDaemon();
	await d.addUser(REGISTRAR);
	await d.setClock(day(0));
	const owner = await signUpApplicant(d, OWNER);
	await signUpApplicant(d, STRANGER);
	const reg = await d.login(REGISTRAR.username, REGISTRAR.password);
	usccA = await registerOrg(d, owner, reg, ORG_A);
	usccB = await registerOrg(d, owner, reg, ORG_B);
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
});

// The API paths the page asked for.
function record(page) {
	const asked = [];
	page.on('request', (r) => {
		const u = new URL(r.url());
		if (u.pathname.startsWith('/api/')) asked.push({ method: r.method(), path: u.pathname, body: r.postData() });
	});
	return asked;
}

test('"My organizations" lists the applicant\'s organizations; only their owner is offered changes', async () => {
	await withPage(b, 'orgs-mine', async (page) => {
		const asked = record(page);
		await signIn(page, d.url, OWNER.username, OWNER.password);
		await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的组织' }).click();
		await waitForRoute(page, '#/my/orgs');
		const table = page.getByTestId('my-orgs');
		await table.getByRole('link', { name: ORG_A }).waitFor();
		await table.getByRole('link', { name: ORG_B }).waitFor();
		await waitForText(table.locator('tr', { hasText: ORG_A }), '海盐县（330424）');
		await table.getByRole('link', { name: ORG_B }).click();
		await waitForRoute(page, `#/org/${usccB}`);
		await page.getByTestId('org-apply').getByRole('link', { name: '申请变更登记' }).waitFor();
		assert.ok(asked.some((a) => a.path === '/api/v1/me/orgs'), 'ownership comes from GET /me/orgs');
	});
	await withPage(b, 'orgs-stranger', async (page) => {
		const asked = record(page);
		await signIn(page, d.url, STRANGER.username, STRANGER.password);
		await page.goto(`${d.url}/admin/#/my/orgs`);
		await page.getByText('您的账号还没有代表的社会组织').waitFor();
		asked.length = 0; // the applicant's home page lists their applications; the org page must not need them
		await page.goto(`${d.url}/admin/#/org/${usccA}`);
		await page.getByRole('heading', { name: ORG_A, level: 1 }).waitFor();
		await page.getByTestId('annual-reports').locator('.empty').waitFor();
		assert.equal(await page.getByTestId('org-apply').count(), 0, 'nothing to apply for');
		assert.equal(await page.getByRole('link', { name: '申请注销登记' }).count(), 0);
		assert.equal(await page.locator('.report-file').count(), 0, 'no report to file');
		assert.ok(asked.some((a) => a.path === '/api/v1/me/orgs'));
		assert.ok(!asked.some((a) => a.path === '/api/v1/applications'), 'ownership is not guessed from applications');
	});
});

test('the owner files last year\'s report in yuan; a registrar concludes it; everyone sees the outcome', async () => {
	// The form's year comes from the daemon's clock (the Date of its answers), not the browser's.
	await d.setClock(FILING_DAY);
	await withPage(b, 'reports-owner', async (page) => {
		const asked = record(page);
		await signIn(page, d.url, OWNER.username, OWNER.password);
		await page.goto(`${d.url}/admin/#/org/${usccA}`);
		const sec = page.getByTestId('annual-reports');
		const form = sec.getByRole('form', { name: '报送 2026 年度工作报告' });
		await form.waitFor();
		assert.equal(await form.getByLabel('年度', { exact: true }).inputValue(), '2026');
		await form.getByLabel('资产总额（元）').fill('100000.50');
		await form.getByLabel('负债总额（元）').fill('2,000');
		await form.getByLabel('本年收入合计（元）').fill('50000');
		await form.getByLabel('本年支出合计（元）').fill('30000');
		await form.getByLabel('其中：公益事业支出（元）').fill('30000.01');
		await form.getByLabel('专职工作人员（人）').fill('3');
		await form.getByLabel('本年度开展的主要活动').fill('开展居家养老互助培训 12 场，服务老人 860 人次。');
		await form.getByRole('button', { name: '报送', exact: true }).click();
		// Refused before anything is sent: public-welfare spending is part of all spending.
		await waitForText(form.locator('[data-field="public_welfare_expense_fen"] .field-error'), '公益事业支出不能超过支出合计（¥30,000.00）');
		assert.ok(!asked.some((a) => a.method === 'POST' && a.path.endsWith('/annual-reports')), 'not sent to the daemon');

		await form.getByLabel('其中：公益事业支出（元）').fill('20000.25');
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/orgs/${usccA}/annual-reports`)),
			form.getByRole('button', { name: '报送', exact: true }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), {
			year: 2026, assets_fen: 10000050, liabilities_fen: 200000, income_fen: 5000000, expense_fen: 3000000,
			public_welfare_expense_fen: 2000025, staff: 3, activities: '开展居家养老互助培训 12 场，服务老人 860 人次。',
		});
		await waitForText(sec.getByTestId('messages'), '已报送 2026 年度工作报告');
		const item = sec.locator('li.report[data-year="2026"]');
		await waitForText(item.locator('.report-head'), '按时报送');
		await waitForText(item.locator('.report-head'), '待作出结论');
		await waitForText(item.locator('.report-details'), '¥20,000.25');
		assert.equal(await sec.locator('.report-file').count(), 0, 'filed once: no second form');
	});

	await withPage(b, 'reports-registrar', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${usccA}`);
		const item = page.getByTestId('annual-reports').locator('li.report[data-year="2026"]');
		await waitForText(item.locator('.report-details'), '¥100,000.50');
		await item.getByRole('button', { name: '作出年检结论' }).click();
		const dlg = page.getByRole('dialog');
		await dlg.getByLabel('年检结论').selectOption('fail');
		await dlg.getByRole('button', { name: '作出年检结论' }).click();
		await waitForText(dlg.locator('[data-field="note"] .field-error'), '结论为“不合格”时必须写明理由');
		await dlg.getByLabel('结论说明').fill('财务数据与审计报告不符。');
		await dlg.getByRole('button', { name: '作出年检结论' }).click();
		await waitForText(page.getByTestId('annual-reports').getByTestId('messages'), '已作出 2026 年度工作报告结论：不合格');
		await waitForText(item.locator('.report-head'), '不合格');
		assert.equal(await item.getByRole('button', { name: '作出年检结论' }).count(), 0);
	});

	await withPage(b, 'reports-public', async (page) => {
		await page.goto(`${d.url}/admin/#/org/${usccA}`);
		const item = page.getByTestId('annual-reports').locator('li.report[data-year="2026"]');
		await waitForText(item.locator('.report-head'), '按时报送');
		await waitForText(item.locator('.report-head'), '不合格');
		assert.equal(await item.locator('.report-details').count(), 0, 'the accounts are for the owner and registrars');
		assert.equal(await page.locator('.report-file').count(), 0);
	});
});

test('the year to file is last year by the daemon\'s date in China, whatever the browser\'s clock says', async () => {
	// 2027-12-31 16:30 UTC is 2028-01-01 00:30 in China: the 2027 report is now due.
	await d.setClock('2027-12-31T16:30:00Z');
	await withPage(b, 'reports-server-date', async (page) => {
		// The reader's machine is years behind, in another zone.
		await page.clock.setFixedTime(new Date('2025-07-01T12:00:00Z'));
		await signIn(page, d.url, OWNER.username, OWNER.password);
		await page.goto(`${d.url}/admin/#/org/${usccA}`);
		const form = page.getByTestId('annual-reports').getByRole('form', { name: '报送 2027 年度工作报告' });
		await form.waitFor();
		assert.equal(await form.getByLabel('年度', { exact: true }).inputValue(), '2027');
	}, { timezoneId: 'America/Los_Angeles' });
});

test('a certificate check says whether it is current, replaced, withdrawn or forged', async () => {
	const owner = await d.login(OWNER.username, OWNER.password);
	const reg = await d.login(REGISTRAR.username, REGISTRAR.password);
	const first = (await d.api('GET', `/api/v1/orgs/${usccB}/certificate`)).json.data;
	// An approved change replaces the certificate; the first one is authentic but superseded.
	const change = await fileChange(d, owner, usccB, { domicile: '海盐县武原街道海滨东路 8 号' });
	await act(d, reg, change, 'accept');
	await act(d, reg, change, 'approve');
	const current = (await d.api('GET', `/api/v1/orgs/${usccB}/certificate`)).json.data;
	const forged = structuredClone(current);
	forged.certificate.name = '海盐县邻里守望慈善基金会';

	await withPage(b, 'verify-file', async (page) => {
		await page.goto(`${d.url}/admin/#/verify`);
		const check = async (cert, outcome, text) => {
			await page.getByLabel('选择证书文件（JSON）').setInputFiles({ name: 'certificate.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(cert)) });
			await page.getByRole('button', { name: '验证', exact: true }).click();
			const n = page.locator(`[data-verify="${outcome}"]`);
			await waitForText(n, text);
		};
		await check(first, 'superseded', '证书真实，但已被更新的证书取代');
		await check(current, 'valid', '证书真实有效');
		await check(forged, 'signature_mismatch', '证书无效：签名不符');
		await waitForText(page.getByTestId('verify-contents'), '海盐县邻里守望慈善基金会');
		await page.getByTestId('lang-toggle').click();
		await page.getByLabel('Choose the certificate file (JSON)').setInputFiles({ name: 'c.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(first)) });
		await page.getByRole('button', { name: 'Check', exact: true }).click();
		await waitForText(page.locator('[data-verify="superseded"]'), 'Authentic, but replaced by a newer certificate');
		await page.getByTestId('lang-toggle').click();
	});

	// Deregistered: the certificate is withdrawn, and its check says so.
	const dereg = await fileDeregistration(d, owner, usccB, '会员大会决议解散，已完成清算。');
	await act(d, reg, dereg, 'accept');
	await act(d, reg, dereg, 'approve');
	await withPage(b, 'verify-revoked', async (page) => {
		await page.goto(`${d.url}/admin/#/org/${usccB}`);
		const card = page.locator('.certificate');
		await waitForText(card, '该组织已注销，此证书已失效');
		await page.getByRole('button', { name: '验证证书签名' }).click();
		await waitForText(card.locator('[data-verify="revoked"]'), '证书真实，但该组织已注销，证书已失效');
	});
});

test('the certificate prints alone, and its PDF is a link away', async () => {
	await withPage(b, 'cert-print', async (page) => {
		await page.goto(`${d.url}/admin/#/org/${usccA}`);
		const card = page.locator('.certificate');
		await waitForText(card, ORG_A);
		const link = card.getByRole('link', { name: '证书 PDF（含二维码）' });
		const href = await link.getAttribute('href');
		assert.equal(href, `/api/v1/orgs/${usccA}/certificate.pdf`);
		const pdf = await fetch(d.url + href);
		assert.equal(pdf.status, 200);
		assert.equal(pdf.headers.get('content-type'), 'application/pdf');
		// The print button marks the page for the print stylesheet (the dialog itself is the browser's).
		await page.evaluate(() => { window.print = () => {}; });
		await page.getByRole('button', { name: '打印证书' }).click();
		await page.emulateMedia({ media: 'print' });
		assert.equal(await page.locator('.cert-paper').isVisible(), true);
		const hidden = await page.evaluate(() => ['.topbar', '.page-title', '.org-status', '.certificate .actions']
			.map((s) => document.querySelector(s)).filter(Boolean).map((e) => getComputedStyle(e).visibility));
		assert.ok(hidden.length >= 3, `found ${hidden.length}`);
		assert.deepEqual([...new Set(hidden)], ['hidden']);
		const paper = await page.locator('.cert-paper').evaluate((e) => [getComputedStyle(e).visibility, getComputedStyle(e).backgroundColor]);
		assert.deepEqual(paper, ['visible', 'rgb(255, 255, 255)']);
		await page.emulateMedia({ media: 'screen' });
	});
});
