// The applicant's journey in chromium (issue 11 items 5, 7, 8): before you start → the form with
// its steps → documents → check your answers → submit → confirmation with the number and what
// happens next; deleting a draft; the sign-up and sign-in hints; the profile's authority and
// funds; and the same pages on a 390 px phone and in English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn, overflow, PHONE, DESKTOP } from './browser.mjs';
import { PDF, DOC_KINDS, idNumber, signUpApplicant, fileEstablishment, registerOrg } from './fixtures.mjs';

const REGISTRAR = { username: 'jr_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '郑审查' };
const APPLICANT = { username: 'jr_applicant', password: 'Applicant-pass-2025', display_name: '冯申请', phone: '13800138000', email: 'feng@example.cn' };
const BUREAU = { name: '海盐县民政局', phone: '0573-86012345', address: '海盐县武原街道枣园中路 1 号', hours: '工作日 8:30–17:00' };

let d;
let b;
let appToken;
let regToken;

before(async () => {
	d = await startDaemon({
		env: {
			SANZHI_BUREAU_NAME: BUREAU.name, SANZHI_BUREAU_PHONE: BUREAU.phone,
			SANZHI_BUREAU_ADDRESS: BUREAU.address, SANZHI_BUREAU_HOURS: BUREAU.hours,
			// Not the default: the pages must say what the rules say.
			SANZHI_RULE_DECISION_DAYS: '45',
		},
	});
	await d.addUser(REGISTRAR);
	appToken = await signUpApplicant(d, APPLICANT);
	regToken = await d.login(REGISTRAR.username, REGISTRAR.password);
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
const steps = (page) => page.getByTestId('steps');
const currentStep = (page) => steps(page).locator('[aria-current="step"]');
const noOverflow = async (page, where) => assert.ok(await overflow(page) <= 0, `${where}: nothing wider than the screen`);

test('before you start → the form with its steps → documents → check your answers → submit → the confirmation', async () => {
	const NAME = '海盐县邻里互助促进会';
	await withPage(b, 'journey-desktop', async (page) => {
		await signIn(page, d.url, APPLICANT.username, APPLICANT.password);
		await page.getByRole('link', { name: '新建成立登记申请' }).click();
		await waitForRoute(page, '#/apply/start');
		await page.getByRole('heading', { name: '社会组织成立登记：开始之前', level: 1 }).waitFor();
		for (const doc of ['登记申请书', '章程草案', '住所证明', '验资证明', '法定代表人身份证明']) {
			await waitForText(page.getByTestId('documents-needed'), doc);
		}
		// The periods are the rules' (45 days was configured), the fee none, the bureau as configured.
		await waitForText(page.getByTestId('timeline'), '5 个工作日内');
		await waitForText(page.getByTestId('timeline'), '受理后 45 日内');
		await waitForText(page.getByTestId('timeline'), '公益慈善类为 30 日');
		await waitForText(page.getByTestId('fee'), '不收取任何费用');
		for (const v of Object.values(BUREAU)) await waitForText(page.getByTestId('bureau-contact'), v);
		await waitForText(page.getByTestId('footer-contact'), BUREAU.phone);

		await page.getByRole('link', { name: '开始填写申请' }).click();
		await waitForRoute(page, '#/applications/new');
		await waitForText(currentStep(page), '填写申请信息');
		assert.equal(await steps(page).locator('li').count(), 4);
		await page.getByLabel('组织形式').selectOption('social_group');
		await page.getByLabel('直接登记类别').selectOption('community_service');
		await page.getByLabel('名称', { exact: true }).fill(NAME);
		const region = page.getByLabel('行政区划', { exact: true });
		await region.fill('海盐');
		await region.blur();
		await waitForText(page.getByTestId('region_code-shown'), '海盐县');
		await page.getByLabel('活动地域').fill('海盐县');
		await page.getByLabel('住所').fill('海盐县武原街道新桥北路 9 号');
		await page.getByLabel('业务范围').fill('邻里互助、社区志愿服务');
		await page.getByLabel('注册资金/原始基金（元）').fill('30000');
		await page.getByLabel('法定代表人姓名').fill('褚明');
		await page.getByLabel('法定代表人身份证号').fill(idNumber('33042419700101001'));
		await page.getByLabel('个人会员数').fill('55');
		await page.getByLabel('联系人姓名').fill(APPLICANT.display_name);
		await page.getByLabel('联系人电话').fill(APPLICANT.phone);
		await page.getByRole('button', { name: '保存草稿' }).click();
		const hash = await waitForRoute(page, /^#\/applications\/\d+$/);
		const id = hash.split('/').pop();

		// Step 2: the documents, and no withdrawal of a draft (it is deleted instead).
		await waitForText(currentStep(page), '上传材料');
		assert.equal(await page.getByRole('button', { name: '撤回申请' }).count(), 0, 'a draft is not withdrawn');
		await page.getByRole('button', { name: '删除草稿' }).waitFor();
		for (const kind of DOC_KINDS) {
			await page.locator(`li.doc-row[data-kind="${kind}"] input[type="file"]`).setInputFiles({ name: `${kind}.pdf`, mimeType: 'application/pdf', buffer: PDF });
			await page.locator(`li.doc-row.has-doc[data-kind="${kind}"]`).waitFor();
		}
		// Desktop rows show the media type and the digest.
		assert.ok(await page.locator('li.doc-row[data-kind="charter"] .doc-type').isVisible());
		assert.ok(await page.locator('li.doc-row[data-kind="charter"] .sha').isVisible());

		// Step 3: every answer, each section with its 修改 link back to it.
		await page.getByRole('link', { name: '下一步：核对信息' }).click();
		await waitForRoute(page, `#/applications/${id}/check`);
		await waitForText(currentStep(page), '核对并提交');
		await waitForText(steps(page).locator('li.step-done').first(), '填写申请信息');
		const answers = [NAME, '社会团体', '城乡社区服务类', '海盐县', '海盐县武原街道新桥北路 9 号', '邻里互助、社区志愿服务',
			'¥30,000.00', '褚明', '55', APPLICANT.display_name, APPLICANT.phone, 'legal_rep_id.pdf'];
		for (const a of answers) await waitForText(page.locator('.check-body'), a);
		assert.equal(await page.getByRole('link', { name: /^修改/ }).count(), 5, 'basic, legal representative, members, contact, documents');
		await page.locator('[data-section="contact"]').getByRole('link', { name: /^修改/ }).click();
		await waitForRoute(page, `#/applications/${id}/edit?section=contact`);
		await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'contact.name');
		await page.goBack();
		await waitForRoute(page, `#/applications/${id}/check`);

		const [sent] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/applications/${id}/submit`)),
			page.getByRole('button', { name: '确认并提交申请' }).click(),
		]);
		assert.ok(sent.headers()['if-match'], 'the submission names the version checked');
		// Step 4: the number and what happens next, with the dates of this application.
		await waitForRoute(page, `#/applications/${id}/submitted`);
		await waitForText(currentStep(page), '提交完成');
		await waitForText(page.getByTestId('app-number'), id);
		const app = (await d.api('GET', `/api/v1/applications/${id}`, { token: appToken })).json.data;
		assert.equal(app.status, 'submitted');
		await waitForText(page.getByTestId('next-steps'), `${app.supplement_window_ends} 前一次告知`);
		await waitForText(page.getByTestId('next-steps'), '受理后 45 日内');
		await waitForText(page.getByTestId('confirmation-contact'), BUREAU.phone);
		// A submitted application is withdrawn, not deleted.
		await page.getByRole('link', { name: '查看申请' }).click();
		await page.getByRole('button', { name: '撤回申请' }).waitFor();
		assert.equal(await page.getByRole('button', { name: '删除草稿' }).count(), 0);
	}, { viewport: DESKTOP });
});

test('in English on a wide screen: the start page, the steps and the check page read in English', async () => {
	const id = await fileEstablishment(d, appToken, '海盐县英文测试协会', { submit: false });
	await withPage(b, 'journey-english', async (page) => {
		await signIn(page, d.url, APPLICANT.username, APPLICANT.password);
		await english(page);
		await page.goto(`${d.url}/admin/#/apply/start`);
		await page.getByRole('heading', { name: 'Registering an organization: before you start', level: 1 }).waitFor();
		await waitForText(page.getByTestId('timeline'), 'within 5 working days');
		await waitForText(page.getByTestId('timeline'), 'within 45 days of acceptance');
		await waitForText(page.getByTestId('fee'), 'no fee is charged');
		await waitForText(page.getByTestId('documents-needed'), 'Fund verification');
		await waitForText(page.getByTestId('bureau-contact'), 'Opening hours');
		await page.getByRole('link', { name: 'Start the application' }).waitFor();
		await page.goto(`${d.url}/admin/#/applications/${id}`);
		await waitForText(currentStep(page), 'Upload documents');
		await page.getByRole('button', { name: 'Delete draft' }).waitFor();
		assert.equal(await page.getByRole('button', { name: 'Withdraw' }).count(), 0);
		await page.getByRole('link', { name: 'Next: check your answers' }).click();
		await waitForText(currentStep(page), 'Check and submit');
		await page.getByRole('heading', { name: 'Check your answers', level: 1 }).waitFor();
		assert.equal(await page.getByRole('link', { name: /^Change/ }).count(), 5);
		await waitForText(page.locator('[data-field="legal_form"] dd'), 'Social group');
		const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
		assert.match(font, /^system-ui/, 'Latin faces first in English');
	}, { viewport: DESKTOP });
});

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

test('the public profile names the registration authority and the registered funds, in both languages', async () => {
	const uscc = await registerOrg(d, appToken, regToken, '海盐县书香社区服务协会', { funds_fen: 5000000 });
	await withPage(b, 'journey-profile', async (page) => {
		await page.goto(`${d.url}/admin/#/org/${uscc}`);
		await waitForText(page.locator('[data-field="registration_authority"]'), '登记管理机关');
		await waitForText(page.locator('[data-field="registration_authority"] dd'), '海盐县民政局');
		await waitForText(page.locator('[data-field="funds_fen"]'), '注册资金');
		await waitForText(page.locator('[data-field="funds_fen"] dd'), '¥50,000.00');
		await english(page);
		await waitForText(page.locator('[data-field="registration_authority"] dt'), 'Registration authority');
		await waitForText(page.locator('[data-field="funds_fen"] dt'), 'Registered funds');
	});
});

test('on a 390 px phone, in Chinese and in English: a compact header, folded filters, short document rows, nothing too wide', async () => {
	const draft = await fileEstablishment(d, appToken, '海盐县手机测试协会', { submit: false });
	const toSubmit = await fileEstablishment(d, appToken, '海盐县手机提交协会', { submit: false });
	await withPage(b, 'journey-phone', async (page) => {
		for (const lang of ['zh', 'en']) {
			const en = lang === 'en';
			await signIn(page, d.url, APPLICANT.username, APPLICANT.password);
			await page.goto(`${d.url}/admin/#/register`);
			if (en) await english(page);
			await page.locator('table.data tbody tr').first().waitFor();
			// One line of header: brand, language, menu; the account lives in the menu.
			const bar = await page.locator('header.topbar').boundingBox();
			assert.ok(bar.height <= 56, `${lang}: the header is one line (${bar.height}px)`);
			assert.equal(await page.getByTestId('current-user').isVisible(), false);
			await page.getByRole('button', { name: en ? 'Menu' : '菜单' }).click();
			await page.locator('#main-nav .nav-account').getByRole('button', { name: en ? 'Sign out' : '退出登录' }).waitFor();
			await page.getByRole('button', { name: en ? 'Menu' : '菜单' }).click();
			// The filters beyond the words are folded away, and open on a tap.
			const more = page.getByTestId('more-filters');
			await waitForText(more.locator('summary'), en ? 'More filters' : '更多筛选条件');
			assert.equal(await more.evaluate((el) => el.open), false, `${lang}: filters folded`);
			assert.equal(await page.locator('select[name="grade"]').isVisible(), false);
			await more.locator('summary').click();
			assert.ok(await page.locator('select[name="grade"]').isVisible());
			await noOverflow(page, `${lang} register`);
			const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
			if (en) assert.match(font, /^system-ui/, 'Latin faces first in English');
			else assert.match(font, /^"PingFang SC"/, 'Chinese faces first in Chinese');

			await page.goto(`${d.url}/admin/#/applications/${draft}`);
			await page.locator('li.doc-row.has-doc[data-kind="charter"] .doc-name').waitFor();
			assert.equal(await page.locator('li.doc-row[data-kind="charter"] .sha').isVisible(), false, `${lang}: no digest`);
			assert.equal(await page.locator('li.doc-row[data-kind="charter"] .doc-type').isVisible(), false, `${lang}: no media type`);
			await currentStep(page).waitFor();
			await noOverflow(page, `${lang} application`);

			await page.goto(`${d.url}/admin/#/apply/start`);
			await page.getByTestId('bureau-contact').waitFor();
			await noOverflow(page, `${lang} start`);
			await page.goto(`${d.url}/admin/#/applications/${draft}/check`);
			await page.locator('.check-body').waitFor();
			await noOverflow(page, `${lang} check`);
			if (en) {
				// The confirmation, in English on the phone.
				await page.goto(`${d.url}/admin/#/applications/${toSubmit}/check`);
				await page.getByRole('button', { name: 'Confirm and submit' }).click();
				await waitForRoute(page, `#/applications/${toSubmit}/submitted`);
				await waitForText(page.getByTestId('app-number'), String(toSubmit));
				await waitForText(page.getByTestId('next-steps'), 'all at once, by');
				await noOverflow(page, 'en confirmation');
			}
			await page.getByRole('button', { name: en ? 'Menu' : '菜单' }).click();
			await page.locator('#main-nav .nav-account').getByRole('button', { name: en ? 'Sign out' : '退出登录' }).click();
			await waitForRoute(page, '#/login');
			if (en) await page.getByTestId('lang-toggle').click();
		}
	}, { viewport: PHONE });
});
