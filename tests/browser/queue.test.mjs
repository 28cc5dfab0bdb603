// The registrar queue flags overdue applications (SPEC §4: decision due 60 days after
// acceptance), driven by the daemon's test clock; and a supplement request reaches the applicant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn } from './browser.mjs';

const REGISTRAR = { username: 'queue_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '赵审查' };
const APPLICANT = { username: 'queue_applicant', password: 'Applicant-pass-2025', display_name: '钱申请' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const KINDS = ['application_letter', 'charter', 'domicile_proof', 'fund_verification', 'legal_rep_id'];

let d;
let b;
let applicantToken;
let registrarToken;

const day = (n) => new Date(Date.UTC(2026, 0, 5 + n, 2, 0, 0)).toISOString().replace('.000Z', 'Z');

// An establishment application filed through the API (the UI flow has its own test).
async function fileApplication(name) {
	let r = await d.api('POST', '/api/v1/applications', {
		token: applicantToken,
		body: {
			kind: 'establish', legal_form: 'social_group', category: 'community_service', name, region_code: '330424',
			domicile: '海盐县武原街道新桥北路 1 号', business_scope: '开展社区服务', activity_area: '海盐县', funds_fen: 3000000,
			legal_representative: { name: '孙立', id_number: '330424196503120036' }, members: { individual: 60, unit: 0 },
			contact: { name: APPLICANT.display_name, phone: '0573-86000000', email: 'q@example.cn' },
		},
	});
	assert.equal(r.status, 201, r.text);
	const id = r.json.data.id;
	for (const kind of KINDS) {
		r = await d.api('POST', `/api/v1/applications/${id}/documents?kind=${kind}&name=${kind}.pdf`,
			{ token: applicantToken, raw: PDF, headers: { 'Content-Type': 'application/pdf' } });
		assert.equal(r.status, 201, r.text);
	}
	r = await d.api('POST', `/api/v1/applications/${id}/submit`, { token: applicantToken, body: {} });
	assert.equal(r.status, 200, r.text);
	return id;
}

before(async () => {
	d = await startDaemon();
	await d.addUser(REGISTRAR);
	const r = await d.api('POST', '/api/v1/accounts', { body: { ...APPLICANT, phone: '0573-86000000', email: 'q@example.cn' } });
	assert.equal(r.status, 201, r.text);
	applicantToken = await d.login(APPLICANT.username, APPLICANT.password);
	registrarToken = await d.login(REGISTRAR.username, REGISTRAR.password);
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
});

test('the queue opens on all pending work, the overdue application first and highlighted', async () => {
	await d.setClock(day(0));
	const late = await fileApplication('海盐县乡村养老互助协会');
	let r = await d.api('POST', `/api/v1/applications/${late}/accept`, { token: registrarToken, body: {} });
	assert.equal(r.status, 200, r.text);
	await d.setClock(day(30));
	const onTime = await fileApplication('海盐县社区书香服务协会');
	r = await d.api('POST', `/api/v1/applications/${onTime}/accept`, { token: registrarToken, body: {} });
	assert.equal(r.status, 200, r.text);
	await d.setClock(day(65));

	await withPage(b, 'queue-overdue', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await waitForRoute(page, '#/queue');
		// No tab to choose: the default view holds accepted (and submitted) work alike.
		const pendingNow = page.locator('nav.tabs a[data-tab="pending"]');
		assert.equal(await pendingNow.getAttribute('aria-current'), 'page');
		await waitForText(page.locator('nav.tabs a[data-tab="accepted"] .tab-count'), '2');
		await waitForText(page.locator('nav.tabs a[data-tab="overdue"] .tab-count'), '1');
		await waitForText(page.locator('nav.tabs a[data-tab="submitted"] .tab-count'), '0');
		const lateRow = page.locator('tr', { has: page.getByRole('link', { name: '海盐县乡村养老互助协会' }) });
		const onTimeRow = page.locator('tr', { has: page.getByRole('link', { name: '海盐县社区书香服务协会' }) });
		await lateRow.waitFor();
		await onTimeRow.waitFor();
		assert.match(await lateRow.getAttribute('class') || '', /row-overdue/);
		// The region by its name as well as its code.
		await waitForText(lateRow, '海盐县（330424）');
		await waitForText(lateRow, '已逾期');
		assert.doesNotMatch(await onTimeRow.getAttribute('class') || '', /row-overdue/);
		assert.equal(await onTimeRow.getByText('已逾期').count(), 0);
		await waitForText(page.locator('.overdue-count'), '逾期未办结 1 件');
		// Sorted by due date: the overdue one first.
		const names = await page.locator('tbody tr td:first-child').allTextContents();
		assert.deepEqual(names, ['海盐县乡村养老互助协会', '海盐县社区书香服务协会']);
		// The overdue tab holds just that one.
		await page.locator('nav.tabs a[data-tab="overdue"]').click();
		await waitForRoute(page, '#/queue?status=overdue');
		await lateRow.waitFor();
		assert.equal(await page.locator('tbody tr').count(), 1);
	});
});

test('a supplement request lists every item for the applicant', async () => {
	const id = await fileApplication('海盐县邻里守望服务协会');
	await withPage(b, 'queue-supplement', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/applications/${id}`);
		await page.getByRole('heading', { name: '海盐县邻里守望服务协会', level: 1 }).waitFor();
		await page.getByRole('button', { name: '要求补正' }).click();
		const dialog = page.getByRole('dialog');
		await dialog.getByLabel('事项').selectOption('documents.charter');
		await dialog.getByLabel('说明').fill('章程草案缺少会员大会职权条款');
		await dialog.getByRole('button', { name: '+ 添加事项' }).click();
		await dialog.getByLabel('事项').nth(1).selectOption('domicile');
		await dialog.getByLabel('说明').nth(1).fill('住所证明与申请住所不一致');
		await dialog.getByRole('button', { name: '+ 添加事项' }).click();
		await dialog.getByLabel('事项').nth(2).selectOption('other');
		await dialog.getByLabel('说明').nth(2).fill('请补充会员名册');
		await dialog.getByRole('button', { name: '要求补正' }).click();
		await waitForText(page.locator('.app-badges'), '待补正');
	});
	await withPage(b, 'queue-supplement-applicant', async (page) => {
		await signIn(page, d.url, APPLICANT.username, APPLICANT.password);
		await page.goto(`${d.url}/admin/#/applications/${id}`);
		const items = page.getByTestId('supplement-items');
		await waitForText(items, '章程草案缺少会员大会职权条款');
		await waitForText(items, '住所证明与申请住所不一致');
		// "other" is no field: the message stands alone, without the raw word.
		const texts = await items.locator('li').allTextContents();
		assert.ok(texts.includes('请补充会员名册'), texts.join(' | '));
		assert.ok(!texts.some((x) => /other/i.test(x)), texts.join(' | '));
		// The applicant may edit and resubmit again.
		await page.getByRole('link', { name: '编辑' }).waitFor();
		await page.getByRole('button', { name: '提交申请' }).waitFor();
	});
});
