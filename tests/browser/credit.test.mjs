// Credit in chromium (SPEC §5, §7): on an organization's page everyone reads its grade, the lists
// it is on with their grounds in words, its listing history, its credit events and whether it may
// bid; a registrar records a warning there (the organization goes on 活动异常名录 by itself), the
// public list shows it, and the registrar removes it with a reason that stays in the history. A
// score out of range is refused at its field, and grading a listed or too recently registered
// organization by its rule, in words; a fine typed in yuan goes out in fen; a manual listing
// offers the grounds of the list chosen, and the serious list refuses an early removal in words. A
// visitor who is not signed in sees all of it but no form, and on a phone it fits. The public lists
// page by keyset. Last (it moves the clock a year on): the daily check lists an organization whose
// annual report is late, and the page says which year, and once it is filed, by when to remove it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { row, importRows } from '../bench/registry.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn, overflow, PHONE } from './browser.mjs';
import { signUpApplicant, registerOrg } from './fixtures.mjs';

const REGISTRAR = { username: 'credit_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '许信用' };
const OWNER = { username: 'credit_owner', password: 'Applicant-pass-2025', display_name: '沈会长' };
// Imported organizations, registered long enough ago to be graded (2 years).
const A = row({ name: '海盐县老年书画研究会', registered_at: '2015-06-01' });
const B = row({ name: '海盐县社区书香服务协会', registered_at: '2016-09-12' });
const C = row({ name: '海盐县乡村文化促进会', registered_at: '2017-04-20' });
// Registered under 2 years ago: not yet graded.
const D = row({ name: '海盐县青年志愿服务协会', registered_at: '2025-06-01' });
// Beijing 10:00 on 2026-03-10.
const NOW = '2026-03-10T02:00:00Z';
const TODAY = '2026-03-10';

let d;
let b;

before(async () => {
	d = await startDaemon();
	await d.addUser(REGISTRAR);
	await d.setClock(NOW);
	importRows(d, [A, B, C, D]);
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
});

const credit = (page) => page.getByRole('region', { name: '信用信息' });
const nav = (page) => page.getByRole('navigation', { name: '主导航' });
const postTo = (page, suffix) => page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname.endsWith(suffix));

test('a registrar records a warning: the organization is on the abnormal list in words, the public list shows it; removed with a reason, it stays in the history', async () => {
	await withPage(b, 'credit-warning', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${A.uscc}`);
		const sec = credit(page);
		await waitForText(sec.getByTestId('credit-lists'), '未列入活动异常名录或严重违法失信名单');
		await waitForText(sec.getByTestId('can-bid'), '可以参与');
		await waitForText(sec.getByTestId('credit-events'), '暂无信用事件');

		await sec.getByRole('button', { name: '记录信用事件' }).click();
		const dlg = page.getByRole('dialog', { name: '记录信用事件' });
		await dlg.getByLabel('事件类型').selectOption({ label: '行政处罚' });
		await dlg.getByLabel('处罚种类').selectOption({ label: '警告' });
		// Only a fine has an amount.
		assert.equal(await dlg.getByLabel('罚款金额（元）').isVisible(), false);
		await dlg.getByLabel('处罚决定书文号').fill('盐民罚〔2026〕3号');
		await dlg.getByLabel('作出处罚决定的机关').fill('海盐县民政局');
		// The date of the decision starts at today by the daemon's clock.
		assert.equal(await dlg.getByLabel('决定日期').inputValue(), TODAY);
		await dlg.getByLabel('决定日期').fill('2026-03-09');
		await dlg.getByLabel('依据', { exact: true }).fill('《社会团体登记管理条例》第三十条：未按规定办理变更登记');
		const [req] = await Promise.all([
			postTo(page, `/orgs/${A.uscc}/credit-events`),
			dlg.getByRole('button', { name: '记录', exact: true }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), {
			kind: 'penalty', penalty_type: 'warning', decision_number: '盐民罚〔2026〕3号', authority: '海盐县民政局',
			decided_on: '2026-03-09', basis: '《社会团体登记管理条例》第三十条：未按规定办理变更登记',
		});
		assert.match(req.headers()['idempotency-key'] || '', /^[0-9a-f-]{32,36}$/);
		await dlg.waitFor({ state: 'detached' });
		await waitForText(sec.getByTestId('messages'), '已记录行政处罚。 该组织已据此列入活动异常名录（受到警告或者小额罚款的行政处罚）。');

		// On the list now, with its grounds, date and rule in words; and so it may not bid.
		const entry = sec.getByTestId('credit-lists').locator('li');
		const text = await waitForText(entry, '受到警告或者小额罚款的行政处罚');
		assert.match(text, /活动异常名录/);
		assert.match(text, new RegExp(`${TODAY} 列入`));
		assert.match(text, /记录警告或者小额罚款时自动列入/);
		assert.match(text, /依据：行政处罚：警告（盐民罚〔2026〕3号） 2026-03-09/);
		assert.ok(!/small_penalty/.test(await sec.textContent()), 'no codes for readers');
		await waitForText(sec.getByTestId('can-bid'), '不可以：已列入活动异常名录或严重违法失信名单');
		const ev = await waitForText(sec.getByTestId('credit-events'), '行政处罚：警告');
		assert.match(ev, /处罚决定书文号：盐民罚〔2026〕3号/);
		assert.match(ev, /作出机关：海盐县民政局/);
		assert.match(ev, /据此列入活动异常名录/);
		// The registration history tells the listing in words too.
		await waitForText(page.getByRole('region', { name: '登记事项变更记录' }).locator('.timeline'), '受到警告或者小额罚款的行政处罚');

		// The public list, from the navigation.
		await nav(page).getByRole('link', { name: '活动异常名录' }).click();
		await waitForRoute(page, '#/credit-lists/abnormal');
		await page.getByRole('heading', { name: '活动异常名录', level: 1 }).waitFor();
		const listed = page.getByTestId('credit-list').locator('tbody tr', { hasText: A.name });
		const rowText = await waitForText(listed, '受到警告或者小额罚款的行政处罚');
		assert.match(rowText, new RegExp(TODAY));
		assert.match(rowText, new RegExp(A.uscc));
		await listed.getByRole('link', { name: A.name }).click();
		await waitForRoute(page, `#/org/${A.uscc}`);

		// Removal: a reason is required, and said so at its field.
		await credit(page).getByRole('button', { name: /^移出名录\s*（活动异常名录：受到警告或者小额罚款的行政处罚）$/ }).click();
		const rd = page.getByRole('dialog', { name: '移出活动异常名录' });
		await waitForText(rd, '列入事由消除后 5 个工作日内移出');
		await rd.getByRole('button', { name: '移出', exact: true }).click();
		await waitForText(rd.locator('[data-field="reason"] .field-error'), '请填写理由');
		await rd.getByLabel('移出理由').fill('已完成整改，经核查属实');
		const [rm] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && /\/list-entries\/\d+\/remove$/.test(r.url())),
			rd.getByRole('button', { name: '移出', exact: true }).click(),
		]);
		assert.deepEqual(rm.postDataJSON(), { reason: '已完成整改，经核查属实' });
		assert.equal(rm.headers()['if-match'], '"1"', 'against the entry as it was shown');
		await rd.waitFor({ state: 'detached' });
		const sec2 = credit(page);
		await waitForText(sec2.getByTestId('messages'), '已将该组织移出活动异常名录。');
		await waitForText(sec2.getByTestId('credit-lists'), '未列入活动异常名录或严重违法失信名单');
		await waitForText(sec2.getByTestId('can-bid'), '可以参与');
		const hist = sec2.getByTestId('credit-history').locator('tbody tr');
		assert.equal(await hist.count(), 1);
		const h = await waitForText(hist, `${TODAY} 移出`);
		assert.match(h, /受到警告或者小额罚款的行政处罚/);
		assert.match(h, /移出理由：已完成整改，经核查属实/);
		await waitForText(page.getByRole('region', { name: '登记事项变更记录' }).locator('.timeline'), '移出名录');

		// Off the public list.
		await nav(page).getByRole('link', { name: '活动异常名录' }).click();
		await waitForText(page.locator('main'), '目前没有社会组织列入活动异常名录。');
	});
});

test('a score out of range is refused at its field; a grade in range shows with its validity; a fine is typed in yuan and sent in fen', async () => {
	await withPage(b, 'credit-grade', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${B.uscc}`);
		const sec = credit(page);
		await waitForText(sec.getByTestId('credit-lists'), '未列入');
		await waitForText(sec, '未评估');

		await sec.getByRole('button', { name: '评估定级' }).click();
		const dlg = page.getByRole('dialog', { name: '评估定级' });
		await dlg.getByLabel('评估得分（1000 分制）').fill('1200');
		await dlg.getByLabel('依据').fill('2025 年度社会组织评估');
		await dlg.getByRole('button', { name: '确定等级' }).click();
		// The daemon's rule, in Chinese, at the field; the input says it is invalid and points at it.
		const err = dlg.locator('[data-field="score"] .field-error');
		await waitForText(err, '须在 0 至 1000 之间');
		const input = dlg.getByLabel('评估得分（1000 分制）');
		assert.equal(await input.getAttribute('aria-invalid'), 'true');
		assert.ok((await input.getAttribute('aria-describedby')).split(' ').includes(await err.getAttribute('id')));
		await waitForText(dlg.locator('.problem-fields'), '评估得分（1000 分制）：须在 0 至 1000 之间');
		assert.equal(await dlg.locator('.problem-server').count(), 0, 'not the daemon\'s English');

		await input.fill('850');
		const [req] = await Promise.all([postTo(page, `/orgs/${B.uscc}/grade`), dlg.getByRole('button', { name: '确定等级' }).click()]);
		assert.deepEqual(req.postDataJSON(), { score: 850, decided_on: TODAY, basis: '2025 年度社会组织评估' });
		await dlg.waitFor({ state: 'detached' });
		await waitForText(sec.getByTestId('messages'), '已评定为 4A（850 分），有效期至 2031-03-09。');
		await waitForText(sec.getByTestId('credit-grade'), '4A 评估得分 850 分，有效期至 2031-03-09');
		await waitForText(page.locator('.org-status'), '4A');

		// A fine of ¥12,345.67: typed in yuan with grouping, sent as integer fen, told in yuan.
		await sec.getByRole('button', { name: '记录信用事件' }).click();
		const ev = page.getByRole('dialog', { name: '记录信用事件' });
		await ev.getByLabel('事件类型').selectOption({ label: '行政处罚' });
		await ev.getByLabel('处罚种类').selectOption({ label: '罚款' });
		await ev.getByLabel('罚款金额（元）').fill('12,345.6x');
		await ev.getByLabel('处罚决定书文号').fill('盐民罚〔2026〕7号');
		await ev.getByLabel('作出处罚决定的机关').fill('海盐县民政局');
		await ev.getByLabel('依据', { exact: true }).fill('违规收取会费');
		await ev.getByRole('button', { name: '记录', exact: true }).click();
		await waitForText(ev.locator('[data-field="fine_fen"] .field-error'), '请输入金额（元），最多两位小数');
		await ev.getByLabel('罚款金额（元）').fill('12,345.67');
		const [fine] = await Promise.all([postTo(page, `/orgs/${B.uscc}/credit-events`), ev.getByRole('button', { name: '记录', exact: true }).click()]);
		assert.equal(fine.postDataJSON().fine_fen, 1234567);
		assert.equal(fine.postDataJSON().penalty_type, 'fine');
		await ev.waitFor({ state: 'detached' });
		await waitForText(sec.getByTestId('credit-events'), '行政处罚：罚款 ¥12,345.67');

		// Listed by the fine: grading now is refused by its rule, in words.
		await sec.getByRole('button', { name: '评估定级' }).click();
		const again = page.getByRole('dialog', { name: '评估定级' });
		await again.getByLabel('评估得分（1000 分制）').fill('900');
		await again.getByLabel('依据').fill('复评');
		await again.getByRole('button', { name: '确定等级' }).click();
		await waitForText(again.locator('.problem'), '该社会组织已列入活动异常名录或严重违法失信名单，不能评估。');
		await again.getByRole('button', { name: '取消' }).click();
	});
});

test('an organization registered under 2 years ago is not graded, and the page says from when it can be', async () => {
	await withPage(b, 'credit-too-recent', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${D.uscc}`);
		const sec = credit(page);
		await sec.getByRole('button', { name: '评估定级' }).click();
		const dlg = page.getByRole('dialog', { name: '评估定级' });
		await dlg.getByLabel('评估得分（1000 分制）').fill('760');
		await dlg.getByLabel('依据').fill('2025 年度社会组织评估');
		await dlg.getByRole('button', { name: '确定等级' }).click();
		await waitForText(dlg.locator('.problem'), '社会组织成立登记满 2 年后方可评估（2027-06-01 起）。');
		await dlg.getByRole('button', { name: '取消' }).click();
		await waitForText(sec.locator('.kv-row', { hasText: '评估等级' }), '未评估');
	});
});

test('a manual listing offers the grounds of the list chosen; the serious list refuses an early removal in words', async () => {
	await withPage(b, 'credit-manual', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await page.goto(`${d.url}/admin/#/org/${C.uscc}`);
		const sec = credit(page);
		await waitForText(sec.getByTestId('credit-lists'), '未列入');
		await sec.getByRole('button', { name: '列入名录' }).click();
		const dlg = page.getByRole('dialog', { name: '列入名录' });
		const reason = dlg.getByLabel('列入事由');
		await waitForText(reason, '请先选择名录');
		await dlg.getByLabel('名录', { exact: true }).selectOption({ label: '严重违法失信名单' });
		const options = await reason.locator('option').allTextContents();
		assert.ok(options.includes('被人民法院列为失信被执行人'), options.join('|'));
		assert.ok(!options.includes('通过登记的住所无法取得联系'), 'that is a ground of the other list');
		await dlg.getByLabel('名录', { exact: true }).selectOption({ label: '活动异常名录' });
		assert.ok((await reason.locator('option').allTextContents()).includes('通过登记的住所无法取得联系'));
		await dlg.getByLabel('名录', { exact: true }).selectOption({ label: '严重违法失信名单' });
		await reason.selectOption({ label: '被人民法院列为失信被执行人' });
		await dlg.getByLabel('事实和依据材料').fill('海盐县人民法院（2026）浙0424执123号');
		const [req] = await Promise.all([postTo(page, `/orgs/${C.uscc}/list-entries`), dlg.getByRole('button', { name: '列入', exact: true }).click()]);
		assert.deepEqual(req.postDataJSON(), { list: 'serious', reason: 'court_dishonest', evidence: '海盐县人民法院（2026）浙0424执123号' });
		assert.match(req.headers()['idempotency-key'] || '', /^[0-9a-f-]{32,36}$/);
		await dlg.waitFor({ state: 'detached' });
		await waitForText(sec.getByTestId('messages'), '已将该组织列入严重违法失信名单（被人民法院列为失信被执行人）。');
		const entry = await waitForText(sec.getByTestId('credit-lists'), '被人民法院列为失信被执行人');
		assert.match(entry, /严重违法失信名单/);
		assert.match(entry, /登记管理机关决定列入/);
		assert.match(entry, /依据材料：海盐县人民法院（2026）浙0424执123号/);

		await sec.getByRole('button', { name: /^移出名录\s*（严重违法失信名单：被人民法院列为失信被执行人）$/ }).click();
		const rd = page.getByRole('dialog', { name: '移出严重违法失信名单' });
		await waitForText(rd, '列入满 2 年且期间未再出现失信情形的，方可依申请移出');
		await rd.getByLabel('移出理由').fill('已履行判决');
		await rd.getByRole('button', { name: '移出', exact: true }).click();
		await waitForText(rd.locator('.problem'), '列入严重违法失信名单满 2 年且期间未再出现失信情形的方可移出；最早 2028-03-10 可以移出。');
		await rd.getByRole('button', { name: '取消' }).click();
		await waitForText(sec.getByTestId('credit-lists'), '被人民法院列为失信被执行人');
	});
});

test('signed out, a visitor reads the credit section and the lists but is offered no form; on a phone they fit', async () => {
	await withPage(b, 'credit-public', async (page) => {
		await page.goto(`${d.url}/admin/#/org/${A.uscc}`);
		const sec = credit(page);
		await waitForText(sec.getByTestId('credit-events'), '行政处罚：警告');
		await waitForText(sec.getByTestId('credit-history'), '已完成整改，经核查属实');
		await waitForText(sec.getByTestId('can-bid'), '可以参与');
		for (const name of ['评估定级', '记录信用事件', '列入名录', '移出名录']) {
			assert.equal(await sec.getByRole('button', { name }).count(), 0, `${name} is for registrars`);
		}
		assert.ok(await overflow(page) <= 0, 'nothing wider than the phone');
		// In English, in English words.
		await page.getByTestId('lang-toggle').click();
		const en = page.getByRole('region', { name: 'Credit' });
		await waitForText(en.getByTestId('credit-events'), 'Penalty: Warning');
		await waitForText(en.getByTestId('credit-history'), 'Given a warning or a small fine');
		await waitForText(en.getByTestId('can-bid'), 'May bid');
		await page.getByTestId('lang-toggle').click();

		await page.goto(`${d.url}/admin/#/org/${C.uscc}`);
		await waitForText(credit(page).getByTestId('credit-lists'), '被人民法院列为失信被执行人');
		assert.equal(await credit(page).getByRole('button').count(), 0);

		await page.getByRole('button', { name: '菜单' }).click();
		await nav(page).getByRole('link', { name: '严重违法失信名单' }).click();
		await waitForRoute(page, '#/credit-lists/serious');
		await waitForText(page.getByTestId('credit-list').locator('tbody tr', { hasText: C.name }), '被人民法院列为失信被执行人');
		assert.ok(await overflow(page) <= 0, 'the list fits the phone');
	}, { viewport: PHONE });
});

test('the public list comes 20 at a time; "加载更多" fetches the next page by its cursor', async () => {
	const more = Array.from({ length: 21 }, (_, i) => row({ name: `海盐县失信测试${String.fromCharCode(0x4e00 + i)}协会`, registered_at: '2018-01-01' }));
	importRows(d, more);
	const reg = await d.login(REGISTRAR.username, REGISTRAR.password);
	for (const o of more) {
		const r = await d.api('POST', `/api/v1/orgs/${o.uscc}/list-entries`, { token: reg, body: { list: 'serious', reason: 'other', evidence: '测试' } });
		assert.equal(r.status, 201, r.text);
	}
	const total = 1 + more.length; // C and these
	await withPage(b, 'credit-paging', async (page) => {
		const asked = [];
		page.on('request', (r) => { if (r.url().includes('/credit-lists/')) asked.push(new URL(r.url())); });
		await page.goto(`${d.url}/admin/#/credit-lists/serious`);
		const rows = page.getByTestId('credit-list').locator('tbody tr');
		const moreBtn = page.getByRole('button', { name: '加载更多' });
		await moreBtn.waitFor();
		assert.equal(await rows.count(), 20);
		// Oldest first: C was listed before these.
		await waitForText(rows.first(), C.name);
		await moreBtn.click();
		await waitForText(page.locator('.pager-status'), '已全部加载');
		assert.equal(await rows.count(), total);
		assert.equal(await moreBtn.isVisible(), false);
		await waitForText(rows.last(), more[more.length - 1].name);
		assert.equal(asked.length, 2);
		assert.equal(asked[0].searchParams.get('cursor'), null);
		assert.ok(asked[1].searchParams.get('cursor'), 'the second page by its cursor');
	});
});

test('the daily check lists an organization whose annual report is late: the page says which year, and once it is filed, by when it is removed', async () => {
	const owner = await signUpApplicant(d, OWNER);
	const uscc = await registerOrg(d, owner, await d.login(REGISTRAR.username, REGISTRAR.password), '海盐县红枫志愿服务协会');
	// Registered on 2026-03-10: the report for 2026 was due on 2027-05-31.
	await d.setClock('2027-06-02T02:00:00Z');
	const admin = await d.as('admin');
	const swept = await d.api('POST', '/api/v1/admin/sweep', { token: admin, body: {} });
	assert.equal(swept.status, 200, swept.text);
	await withPage(b, 'credit-late-report', async (page) => {
		await page.goto(`${d.url}/admin/#/org/${uscc}`);
		const sec = credit(page);
		await waitForText(sec.getByTestId('reports-missing'), '2026 年度');
		const entry = await waitForText(sec.getByTestId('credit-lists'), '未按时报送年度工作报告');
		assert.match(entry, /活动异常名录/);
		assert.match(entry, /2027-06-01 列入/);
		assert.match(entry, /逾期未报送年度工作报告，由每日核查自动列入/);
		assert.match(entry, /未按时报送：2026 年度工作报告/);

		// Filed late: the cause is fixed, and a registrar has working days to remove the entry.
		const filed = await d.api('POST', `/api/v1/orgs/${uscc}/annual-reports`, {
			token: await d.login(OWNER.username, OWNER.password),
			body: { year: 2026, assets_fen: 5000000, liabilities_fen: 0, income_fen: 1200000, expense_fen: 900000, public_welfare_expense_fen: 600000, activities: '开展志愿服务 12 次', staff: 2 },
		});
		assert.equal(filed.status, 201, filed.text);
		const [e] = (await d.api('GET', `/api/v1/orgs/${uscc}/credit`)).json.data.lists;
		assert.equal(e.cause_fixed_on, '2027-06-02');
		await page.reload();
		await waitForText(credit(page).getByTestId('credit-lists'), `列入事由已于 2027-06-02 消除，应于 ${e.removal_due_on} 前移出`);
		await waitForText(credit(page).getByTestId('reports-missing'), '无');

		// Nobody removed it: six months after the listing the daily check does, and says why in words.
		await d.setClock('2027-12-02T02:00:00Z');
		const lapsed = await d.api('POST', '/api/v1/admin/sweep', { token: await d.as('admin'), body: {} });
		assert.equal(lapsed.status, 200, lapsed.text);
		await page.reload();
		await waitForText(credit(page).getByTestId('credit-lists'), '未列入活动异常名录或严重违法失信名单');
		const h = await waitForText(credit(page).getByTestId('credit-history'), '年度工作报告已于 2027-06-02 补报，由定期核查自动移出');
		assert.ok(!/removed automatically/.test(h), 'not the daemon\'s English');
		await waitForText(page.getByRole('region', { name: '登记事项变更记录' }).locator('.timeline'), '列入满6个月后自动移出');
	});
});
