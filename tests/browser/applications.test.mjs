// Applications in chromium beyond the happy path: refusals explained in the reader's language next
// to their fields, one message at a time, replacing a document; change and deregistration
// applications shown as what changes and filed by the organization's own applicant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn, chinaTime } from './browser.mjs';
import { PDF, idNumber, signUpApplicant, fileEstablishment, registerOrg, fileChange, fileDeregistration } from './fixtures.mjs';

const REGISTRAR = { username: 'apps_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '周审查' };
const APPLICANT = { username: 'apps_applicant', password: 'Applicant-pass-2025', display_name: '吴申请' };
const OLD_DOMICILE = '海盐县武原街道新桥北路 1 号';
const NEW_DOMICILE = '海盐县武原街道海滨东路 8 号';

let d;
let b;
let appToken;
let regToken;

before(async () => {
	d = await startDaemon();
	await d.addUser(REGISTRAR);
	appToken = await signUpApplicant(d, APPLICANT);
	regToken = await d.login(REGISTRAR.username, REGISTRAR.password);
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
});

const submitFromPage = async (page, name = '提交申请') => {
	await page.getByRole('button', { name, exact: true }).click();
	await page.getByRole('dialog').getByRole('button', { name, exact: true }).click();
};

test('a refused submission says why in Chinese next to each field, with the numbers of the rule', async () => {
	const id = await fileEstablishment(d, appToken, '海盐县老年书画研究会', {
		submit: false, extra: { members: { individual: 10, unit: 0 }, funds_fen: 2000000 },
	});
	await withPage(b, 'apps-refused', async (page) => {
		await signIn(page, d.url, APPLICANT.username, APPLICANT.password);
		// Saving from the form leaves a "saved" message on the application page …
		await page.goto(`${d.url}/admin/#/applications/${id}/edit`);
		await page.getByRole('button', { name: '保存草稿' }).click();
		await waitForRoute(page, `#/applications/${id}`);
		await page.locator('main .flash', { hasText: '申请已保存' }).waitFor();

		await submitFromPage(page);
		const alert = page.locator('.error-slot .problem');
		await waitForText(alert, '提交失败');
		await waitForText(page.locator('[data-field="members.individual"] .field-error'), '个人会员不少于 50 个（现有 10 个）');
		await waitForText(page.locator('[data-field="funds_fen"] .field-error'), '不得低于 ¥30,000.00（现为 ¥20,000.00）');
		await waitForText(alert, '个人会员数：个人会员不少于 50 个');
		const text = await alert.textContent();
		assert.doesNotMatch(text, /[A-Za-z_]{4,}/, `no English and no field names: ${text}`);
		// … which no longer applies once the submission failed: one message, the newest.
		assert.equal(await page.locator('main .flash', { hasText: '申请已保存' }).count(), 0, 'the stale "saved" banner is gone');
		assert.equal(await page.locator('main .problem, main .flash').count(), 1);

		// In English the same refusal reads in English.
		await page.getByTestId('lang-toggle').click();
		await submitFromPage(page, 'Submit');
		await waitForText(page.locator('[data-field="members.individual"] .field-error'), 'At least 50 individual members (it has 10)');
		await page.getByTestId('lang-toggle').click();
		await page.getByRole('button', { name: '提交申请' }).waitFor();

		// A second charter replaces the first rather than sitting beside it.
		const row = page.locator('li.doc-row[data-kind="charter"]');
		await row.getByText('替换章程草案').waitFor();
		await row.locator('input[type="file"]').setInputFiles({ name: 'charter-v2.pdf', mimeType: 'application/pdf', buffer: PDF });
		await waitForText(page.locator('li.doc-row[data-kind="charter"] .doc-status'), '已替换为：charter-v2.pdf');
		assert.deepEqual(await page.locator('li.doc-row[data-kind="charter"] .doc-name').allTextContents(), ['charter-v2.pdf']);
		const docs = (await d.api('GET', `/api/v1/applications/${id}`, { token: appToken })).json.data.documents;
		assert.deepEqual(docs.filter((x) => x.kind === 'charter').map((x) => x.name), ['charter-v2.pdf']);
	});
});

test('after a refused submit, uploading a missing document takes it off the error summary', async () => {
	const id = await fileEstablishment(d, appToken, '海盐县少儿围棋研究会', {
		submit: false, docs: ['application_letter', 'domicile_proof', 'legal_rep_id'],
	});
	await withPage(b, 'apps-summary-follows', async (page) => {
		await signIn(page, d.url, APPLICANT.username, APPLICANT.password);
		await page.goto(`${d.url}/admin/#/applications/${id}`);
		await submitFromPage(page);
		const alert = page.locator('.error-slot .problem');
		await waitForText(alert, '提交失败');
		const listed = () => alert.locator('li').evaluateAll((els) => els.map((e) => e.dataset.errorField).sort());
		assert.deepEqual(await listed(), ['documents.charter', 'documents.fund_verification']);

		await page.locator('li.doc-row[data-kind="charter"] input[type="file"]').setInputFiles({ name: 'charter.pdf', mimeType: 'application/pdf', buffer: PDF });
		await waitForText(page.locator('li.doc-row[data-kind="charter"] .doc-status'), 'charter.pdf');
		assert.deepEqual(await listed(), ['documents.fund_verification'], 'the uploaded one is no longer listed');

		await page.locator('li.doc-row[data-kind="fund_verification"] input[type="file"]').setInputFiles({ name: 'fund.pdf', mimeType: 'application/pdf', buffer: PDF });
		await waitForText(page.locator('li.doc-row[data-kind="fund_verification"] .doc-status'), 'fund.pdf');
		assert.equal(await page.locator('.error-slot .problem').count(), 0, 'nothing left to fix: the summary is gone');
		await submitFromPage(page);
		await page.locator('main .flash, main .notice', { hasText: '已提交' }).first().waitFor();
		assert.equal((await d.api('GET', `/api/v1/applications/${id}`, { token: appToken })).json.data.status, 'submitted');
	});
});

test('a change shows each item as registered and as applied for; approving it shows one banner', async () => {
	const uscc = await registerOrg(d, appToken, regToken, '海盐县银龄互助养老服务协会');
	// Funds and activity area are not in the public profile: their registered values come from
	// the application's change_diff, and so does the representative's old name.
	const id = await fileChange(d, appToken, uscc, {
		domicile: NEW_DOMICILE, funds_fen: 5000000, activity_area: '嘉兴市',
		legal_representative: { name: '李明', id_number: idNumber('33042419700101001') },
	});
	const submittedAt = (await d.api('GET', `/api/v1/applications/${id}`, { token: regToken })).json.data.submitted_at;
	const other = await registerOrg(d, appToken, regToken, '海盐县邻里守望服务协会');
	const dereg = await fileDeregistration(d, appToken, other, '会员大会决议解散，已完成清算。');

	// The browser is in New York; the registry's times are China time all the same.
	await withPage(b, 'apps-change-registrar', async (page) => {
		const asked = [];
		page.on('request', (r) => asked.push(new URL(r.url()).pathname));
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/applications/${id}`);
		const table = page.getByTestId('change-table');
		const domicile = table.locator('tr[data-field="changes.domicile"]');
		await waitForText(domicile.locator('td.old'), OLD_DOMICILE);
		await waitForText(domicile.locator('td.new'), NEW_DOMICILE);
		await waitForText(table.locator('tr[data-field="changes.funds_fen"] td.old'), '¥30,000.00');
		await waitForText(table.locator('tr[data-field="changes.funds_fen"] td.new'), '¥50,000.00');
		await waitForText(table.locator('tr[data-field="changes.activity_area"] td.old'), '海盐县');
		await waitForText(table.locator('tr[data-field="changes.activity_area"] td.new'), '嘉兴市');
		await waitForText(table.locator('tr[data-field="changes.legal_representative"] td.old'), '孙立');
		await waitForText(table.locator('tr[data-field="changes.legal_representative"] td.new'), '李明');
		// The registrar checks the new representative's ID number in the application itself.
		await waitForText(table.locator('tr[data-field="changes.legal_representative"] td.new'), idNumber('33042419700101001'));
		assert.equal(await table.locator('tr').count(), 5, 'a head and the four changed items, nothing else');
		assert.equal(await page.getByTestId('decision').count(), 0, 'no "approved" banner while under review');
		assert.equal(await page.getByText('已准予').count(), 0);
		await waitForText(page.locator('section[data-field="documents"] .hint'), '变更登记');
		assert.equal(await page.getByText('成立登记须提交以下五类材料').count(), 0);
		await waitForText(page.locator('.app-side .kv-row', { hasText: '提交时间' }), chinaTime(submittedAt));

		await submitFromPage(page, '受理');
		await waitForText(page.locator('.app-badges'), '已受理');
		await submitFromPage(page, '准予登记');
		await waitForText(page.getByTestId('decision'), '已准予变更登记');
		assert.equal(await page.locator('main .flash-ok').count(), 1, 'one success banner after approval');
		// Approved: the register holds the new values; the old ones come from the history.
		await waitForText(page.locator('section[data-field="changes"] .hint'), '变更已核准');
		await waitForText(page.getByTestId('change-table').locator('tr[data-field="changes.domicile"] td.old'), OLD_DOMICILE);
		await waitForText(page.getByTestId('change-table').locator('tr[data-field="changes.funds_fen"] td.old'), '¥30,000.00');
		assert.ok(!asked.some((p) => p.endsWith('/history')), 'the change is read from the application, not pieced together from the history');

		await page.goto(`${d.url}/admin/#/applications/${dereg}`);
		await page.getByRole('heading', { name: '海盐县邻里守望服务协会', level: 1 }).waitFor();
		await waitForText(page.locator('main'), '会员大会决议解散，已完成清算。');
		await page.getByRole('link', { name: '海盐县邻里守望服务协会' }).waitFor();
		await waitForText(page.locator('section[data-field="documents"] .hint'), '注销登记');
		assert.equal(await page.getByTestId('decision').count(), 0);
	}, { timezoneId: 'America/New_York' });
});

test('the organization\'s applicant files a change and a deregistration from its page', async () => {
	const uscc = await registerOrg(d, appToken, regToken, '海盐县青少年围棋协会');
	const other = await registerOrg(d, appToken, regToken, '海盐县茶文化研究会');
	await withPage(b, 'apps-file-change', async (page) => {
		await signIn(page, d.url, APPLICANT.username, APPLICANT.password);
		await page.goto(`${d.url}/admin/#/org/${uscc}`);
		await page.getByTestId('org-apply').getByRole('link', { name: '申请变更登记' }).click();
		await waitForRoute(page, `#/org/${uscc}/change`);
		await page.getByLabel('住所', { exact: true }).fill(NEW_DOMICILE);
		await page.getByLabel('名称', { exact: true }).fill('海盐县青少年围棋基金会');
		await page.getByRole('button', { name: '提交申请' }).click();
		await waitForText(page.locator('[data-field="changes.name"] .field-error'), '社会团体名称不能以“基金会”结尾');
		await waitForText(page.locator('.error-slot .problem'), '名称（变更后）');
		await page.getByLabel('名称', { exact: true }).fill('海盐县青少年围棋协会');
		await page.getByRole('button', { name: '提交申请' }).click();
		await waitForRoute(page, /^#\/applications\/\d+$/);
		await waitForText(page.locator('.app-badges'), '已提交');
		await waitForText(page.getByTestId('change-table').locator('tr[data-field="changes.domicile"] td.new'), NEW_DOMICILE);
		assert.equal(await page.getByTestId('change-table').locator('tr[data-field="changes.name"]').count(), 0, 'the unchanged name is not applied for');

		// Deregistration: the reason is required, then it is filed and submitted.
		await page.goto(`${d.url}/admin/#/org/${other}`);
		await page.getByTestId('org-apply').getByRole('link', { name: '申请注销登记' }).click();
		await waitForRoute(page, `#/org/${other}/deregister`);
		await page.getByRole('button', { name: '提交申请' }).click();
		await page.getByRole('dialog').getByRole('button', { name: '提交申请' }).click();
		await waitForText(page.locator('[data-field="reason"] .field-error'), '请填写理由');
		await page.getByLabel('注销理由').fill('业务已由其他组织承接，经会员大会表决解散。');
		await page.getByRole('button', { name: '提交申请' }).click();
		await page.getByRole('dialog').getByRole('button', { name: '提交申请' }).click();
		await waitForRoute(page, /^#\/applications\/\d+$/);
		await waitForText(page.locator('.app-badges'), '注销登记');
		await waitForText(page.locator('.app-badges'), '已提交');
		// Back on the organization: the pending application is linked and no second one is offered.
		await page.goto(`${d.url}/admin/#/org/${other}`);
		await waitForText(page.getByTestId('org-live-applications'), '注销登记');
		assert.equal(await page.getByRole('link', { name: '申请注销登记' }).count(), 0);
	});
	const mine = (await d.api('GET', '/api/v1/applications?limit=200', { token: appToken })).json.data;
	assert.equal(mine.filter((a) => a.org_uscc === uscc && a.kind === 'change').length, 1, 'one change application, not one per attempt');
	// Someone else's organization offers nothing.
	const strangerToken = await signUpApplicant(d, { username: 'apps_stranger', password: 'Stranger-pass-2025', display_name: '郑路人' });
	assert.ok(strangerToken);
	await withPage(b, 'apps-stranger', async (page) => {
		await signIn(page, d.url, 'apps_stranger', 'Stranger-pass-2025');
		await page.goto(`${d.url}/admin/#/org/${uscc}`);
		await page.getByRole('heading', { name: '海盐县青少年围棋协会', level: 1 }).waitFor();
		await page.locator('section', { hasText: '登记事项变更记录' }).locator('.timeline li').first().waitFor();
		assert.equal(await page.getByTestId('org-apply').count(), 0);
	});
});
