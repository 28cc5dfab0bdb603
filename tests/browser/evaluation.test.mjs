// The evaluation in chromium (SPEC §6, §7, Appendix B "Committee and scoring"): a tender is
// published and bid on through the API (four organizations), opened at the deadline; then
// through the UI the purchaser appoints a committee of five — a committee of four and a member
// who is no evaluator refused in words at their fields —, a member who declares a conflict is
// recused and replaced through the same form, each of the five evaluators finds the
// tender among their committees, declares no conflict and fills the score sheet: totals follow
// every keystroke exactly (in tenths), two decimals are refused at the input, a sheet with a
// criterion left out is refused with what is missing, and one evaluator scores on a phone without
// horizontal scroll; the bidder of an abnormally low price justifies it from the tender's page and
// the chair rejects it (the bid is then neither scored nor ranked); once every sheet is in, the
// purchaser reads the ranked result (and in English), awards rank 1, a losing bidder challenges
// and the purchaser dismisses it, and after the challenge period the contract (an amount above the
// award refused at its field) and the performance review complete the procurement.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { row, importRows } from '../bench/registry.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn, overflow, chinaTime, PHONE } from './browser.mjs';
import { signUpApplicant } from './fixtures.mjs';
import { tendering, plus } from '../lib/tendering.mjs';

const PURCHASER = { username: 'eval_buyer', password: 'Purchaser-pass-2025', role: 'purchaser', display_name: '王采购', department: '海盐县民政局' };
const REGISTRAR = { username: 'eval_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '周登记' };
const BIDDER = { username: 'eval_bidder', password: 'Applicant-pass-2025', display_name: '沈投标' };
// Five seated in the end; the sixth (an expert) is appointed first, declares a conflict and is replaced by the fifth.
const NAMES = ['赵评审', '钱评审', '孙评审', '李评审', '周代表', '吴专家'];
const EVALUATORS = NAMES.map((display_name, i) => ({
	username: `evaluator_${i}`, password: 'Evaluator-pass-2025', role: 'evaluator', display_name, expert: i !== 4,
}));
const ORGS = [
	row({ name: '海盐县居家养老服务协会', registered_at: '2015-06-01' }),
	row({ name: '海盐县社区照护服务中心', registered_at: '2016-06-01' }),
	row({ name: '海盐县助老志愿者协会', registered_at: '2017-06-01' }),
	row({ name: '海盐县低价养老服务社', registered_at: '2018-06-01' }),
];
// The fourth is below 80 % of the others' mean (¥1,000,000): abnormally low.
const PRICES = [100000000, 90000000, 110000000, 60000000];
const LOW = 3;

const T0 = '2026-03-10T02:00:00Z';
const AFTER_DEADLINE = '2026-04-05T02:00:00Z';
const TITLE = '海盐县社区养老评审项目';

// Member k's scores (plan max 40, team max 30) per organization i: [plan, team].
const S = [
	[[35.5, 24.3], [30, 20], [36, 26]],
	[[30, 25], [32, 21], [34, 25.5]],
	[[38, 28.5], [31.5, 20.5], [35, 27]],
	[[33, 22], [40, 30], [37, 26.1]],
	[[20, 10], [25, 25], [33, 26]],
];

let d;
let b;
let tenderId;
const bids = [];
const ids = [];
let bidderId;

const api = async (token, method, p, body) => {
	const r = await d.api(method, p, { token, body });
	assert.ok(r.status < 300, `${method} ${p}: ${r.text}`);
	return r.json && r.json.data;
};

before(async () => {
	d = await startDaemon({ env: { SANZHI_SWEEP_SECONDS: '3600' } });
	await d.addUser(PURCHASER);
	await d.addUser(REGISTRAR);
	for (const e of EVALUATORS) ids.push(await d.addUser(e));
	await d.setClock(T0, undefined, { frozen: true });
	const bidder = await signUpApplicant(d, BIDDER);
	importRows(d, ORGS);
	bidderId = (await api(bidder, 'GET', '/api/v1/me')).id;
	const reg = await d.login(REGISTRAR.username, REGISTRAR.password);
	for (const o of ORGS) await api(reg, 'PUT', `/api/v1/orgs/${o.uscc}/owner`, { user_id: bidderId });
	const buyer = await d.login(PURCHASER.username, PURCHASER.password);
	const x = await api(buyer, 'POST', '/api/v1/tenders', {
		title: TITLE, description: '社区居家养老服务。', service_category: 'elderly_care', department: '海盐县民政局',
		budget_fen: 120000000, method: 'open', evaluation_method: 'comprehensive',
		criteria: [{ id: 'plan', name: '服务方案', max_points: 40 }, { id: 'team', name: '团队与经验', max_points: 30 }],
		price_points: 30, eligibility: {}, invited_orgs: [], enquiry_end: '2026-03-20T02:00:00Z', bid_deadline: '2026-04-04T02:00:00Z', contract_months: 12,
	});
	tenderId = x.id;
	await api(buyer, 'POST', `/api/v1/tenders/${tenderId}/publish`);
	await d.setClock('2026-03-21T02:00:00Z', undefined, { frozen: true });
	const bidderToken = await d.login(BIDDER.username, BIDDER.password);
	for (const [i, o] of ORGS.entries()) {
		bids.push((await api(bidderToken, 'POST', `/api/v1/tenders/${tenderId}/bids`, { org_uscc: o.uscc, price_fen: PRICES[i], technical_proposal: `方案 ${i}` })).id);
	}
	await d.setClock(AFTER_DEADLINE, undefined, { frozen: true });
	const opened = await api(await d.login(PURCHASER.username, PURCHASER.password), 'POST', `/api/v1/tenders/${tenderId}/open`);
	assert.equal(opened.status, 'active.evaluation');
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
});

const answerOf = (page, method, re) => page.waitForResponse((r) => r.request().method() === method && re.test(new URL(r.url()).pathname));

test('the purchaser appoints five evaluators: too few and a non-evaluator refused at their fields', async () => {
	await withPage(b, 'eval-committee', async (page) => {
		await signIn(page, d.url, PURCHASER.username, PURCHASER.password);
		await page.goto(`${d.url}/admin/#/tenders/${tenderId}`);
		const sec = page.getByTestId('committee');
		await waitForText(sec, '尚未组建评标委员会。');
		const form = sec.getByRole('form', { name: '组建评标委员会' });
		// Four members: the size rule, said at the members.
		for (let i = 0; i < 4; i++) await form.getByLabel(`委员 ${i + 1}（用户编号）`).fill(String(ids[i]));
		await form.getByRole('button', { name: '删除 委员 5' }).click();
		let [ans] = await Promise.all([answerOf(page, 'PUT', /\/committee$/), form.getByRole('button', { name: '组建委员会' }).click()]);
		assert.equal(ans.status(), 422);
		await waitForText(form.locator('[data-field="members"] > .field-error').first(), '委员人数不符合规定');
		// A fifth who is a bidder, not an evaluator: said at that row.
		await form.getByRole('button', { name: '添加委员' }).click();
		await form.getByLabel('委员 5（用户编号）').fill(String(bidderId));
		[ans] = await Promise.all([answerOf(page, 'PUT', /\/committee$/), form.getByRole('button', { name: '组建委员会' }).click()]);
		assert.equal(ans.status(), 422);
		await waitForText(form.locator('[data-field="members.4"] .field-error'), '该用户不是有效的评审人员');
		assert.equal(await form.locator('[data-field="members.0"] .field-error').count(), 0);
		// The sixth evaluator; the second chairs.
		await form.getByLabel('委员 5（用户编号）').fill(String(ids[5]));
		await form.getByRole('radio', { name: '委员 2 为主任委员' }).check();
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/committee')),
			form.getByRole('button', { name: '组建委员会' }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { members: [...ids.slice(0, 4), ids[5]], chair: ids[1] });
		await waitForText(page.locator('main'), '评标委员会已保存。');
		const table = page.getByTestId('committee-members');
		await waitForText(table, '吴专家');
		assert.equal(await table.locator('tbody tr').count(), 5);
		const rowText = await table.locator('tbody tr').nth(1).textContent();
		assert.ok(rowText.includes('钱评审') && rowText.includes('主任委员') && rowText.includes('尚未声明'), rowText);
		// Scores are hidden from the purchaser until all are in.
		await waitForText(page.getByTestId('evaluation-pending'), '还有 5 名委员未提交评分表');
	});
});

async function declare(page, decl, probe) {
	// A conflict needs a statement (said before anything is sent).
	if (probe) {
		await decl.getByLabel('存在利益冲突（回避）').check();
		await decl.getByRole('button', { name: '提交声明' }).click();
		await waitForText(decl.locator('[data-field="statement"] .field-error'), '存在利益冲突时须填写说明');
	}
	await decl.getByLabel('不存在利益冲突').check();
	await Promise.all([answerOf(page, 'POST', /\/declarations$/), decl.getByRole('button', { name: '提交声明' }).click()]);
	await waitForText(page.locator('main'), '声明已提交，您可以开始评分。');
}

test('a member who declares a conflict is recused; the purchaser sees it flagged and replaces them with the same form', async () => {
	await withPage(b, 'eval-recusal', async (page) => {
		const who = EVALUATORS[5];
		await signIn(page, d.url, who.username, who.password);
		await waitForRoute(page, '#/evaluate');
		await page.getByTestId('my-committees').getByRole('link', { name: TITLE }).click();
		const decl = page.getByTestId('score-sheet').getByRole('form', { name: '利益冲突声明' });
		await decl.getByLabel('存在利益冲突（回避）').check();
		await decl.getByLabel('说明').fill('本人曾为投标人提供咨询服务。');
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/declarations')),
			decl.getByRole('button', { name: '提交声明' }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { conflict: true, statement: '本人曾为投标人提供咨询服务。' });
		await waitForText(page.locator('main'), '声明已提交：您已回避本项目评审。');
		await waitForText(page.getByTestId('score-sheet'), '您已回避本项目评审，不能评分。');
		assert.equal(await page.locator('input.score-input').count(), 0);
	});
	await withPage(b, 'eval-replace', async (page) => {
		await signIn(page, d.url, PURCHASER.username, PURCHASER.password);
		await page.goto(`${d.url}/admin/#/tenders/${tenderId}`);
		const sec = page.getByTestId('committee');
		const table = sec.getByTestId('committee-members');
		await waitForText(table.locator('tr.row-recused'), '已回避（本人声明利益冲突）');
		await waitForText(sec, '吴专家 已回避，须在评分结束前更换。');
		const form = sec.getByRole('form', { name: '组建评标委员会' });
		assert.equal(await form.getByLabel('委员 5（用户编号）').inputValue(), String(ids[5]));
		await form.getByLabel('委员 5（用户编号）').fill(String(ids[4]));
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/committee')),
			form.getByRole('button', { name: '保存委员会变更' }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { members: ids.slice(0, 5), chair: ids[1] });
		await waitForText(page.locator('main'), '评标委员会已保存。');
		await waitForText(page.getByTestId('committee-members'), '周代表');
		const text = await page.getByTestId('committee-members').textContent();
		assert.ok(!text.includes('吴专家') && text.includes('采购人代表'), text);
		assert.equal(await page.getByTestId('committee-members').locator('tr.row-recused').count(), 0);
	});
});

test('the bidder of an abnormally low price justifies it from the tender page; the chair rejects it with a reason', async () => {
	const TEXT = '我方以志愿者承担部分服务，成本较低。';
	await withPage(b, 'eval-justify', async (page) => {
		await signIn(page, d.url, BIDDER.username, BIDDER.password);
		await page.goto(`${d.url}/admin/#/tenders/${tenderId}`);
		const sec = page.getByTestId('bid-justification');
		await waitForText(sec, `${ORGS[LOW].name} 的报价 ¥600,000.00 明显低于其他有效投标`);
		const form = sec.getByRole('form', { name: '提交书面说明' });
		await form.getByRole('button', { name: '提交说明' }).click();
		await form.locator('[data-field="text"] .field-error').waitFor();
		await form.getByLabel('书面说明').fill(TEXT);
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/bids/${bids[LOW]}/justification`)),
			form.getByRole('button', { name: '提交说明' }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { text: TEXT });
		await waitForText(page.locator('main'), '书面说明已提交。');
		await waitForText(page.getByTestId('justification-state'), '已提交，等待评标委员会主任委员决定。');
	});
	// The chair (member 2) declares, reads it and rejects it: a reason is needed.
	await withPage(b, 'eval-chair-decides', async (page) => {
		const who = EVALUATORS[1];
		await signIn(page, d.url, who.username, who.password);
		await waitForRoute(page, '#/evaluate');
		await waitForText(page.getByTestId('my-committees'), '主任委员');
		await page.getByTestId('my-committees').getByRole('link', { name: TITLE }).click();
		const sec = page.getByTestId('score-sheet');
		await waitForText(sec, '您是本项目评标委员会的主任委员。');
		await declare(page, sec.getByRole('form', { name: '利益冲突声明' }), false);
		const box = sec.getByTestId('justification');
		await waitForText(box, TEXT);
		// Undecided, the flagged bid is on the sheet too.
		await waitForText(sec.getByTestId('sheet-summary'), '已评完 0 / 4 份投标');
		const form = box.getByRole('form', { name: '主任委员决定' });
		await form.getByRole('button', { name: '不接受（投标无效）' }).click();
		await waitForText(form.locator('[data-field="reason"] .field-error'), '请填写');
		await form.getByLabel('决定理由').fill('成本说明不足以证明能履约');
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/justification/decision')),
			form.getByRole('button', { name: '不接受（投标无效）' }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { accepted: false, reason: '成本说明不足以证明能履约' });
		await waitForText(sec.getByTestId('justification'), '说明未被接受，投标无效');
		await waitForText(sec.getByTestId('sheet-summary'), '已评完 0 / 3 份投标');
		assert.equal(await sec.getByRole('form', { name: `评分：${ORGS[LOW].name}` }).count(), 0);
	});
});

async function scoreAs(k, { phone = false, probe = false, declared = false, last = false } = {}) {
	const who = EVALUATORS[k];
	await withPage(b, `eval-member-${k}`, async (page) => {
		await signIn(page, d.url, who.username, who.password);
		await waitForRoute(page, '#/evaluate');
		await page.getByTestId('my-committees').getByRole('link', { name: TITLE }).click();
		const sec = page.getByTestId('score-sheet');
		const decl = sec.getByRole('form', { name: '利益冲突声明' });
		if (!declared) await declare(page, decl, probe);
		await waitForText(sec.getByTestId('sheet-summary'), '已评完 0 / 3 份投标');
		for (const [i, o] of ORGS.slice(0, 3).entries()) {
			const card = sec.getByRole('form', { name: `评分：${o.name}` });
			const plan = card.getByLabel('服务方案');
			const team = card.getByLabel('团队与经验');
			if (probe && i === 0) {
				// Exact totals: 0.1 + 0.2 is 0.3 here, not 0.30000000000000004.
				await plan.fill('0.1');
				await team.fill('0.2');
				await waitForText(card.getByTestId('bid-total'), '小计：0.3 / 70 分');
				// Two decimals and a number over the maximum are refused at their inputs.
				await plan.fill('35.55');
				await team.fill('31');
				await card.getByLabel('评语').fill('方案完整。');
				await card.getByRole('button', { name: '保存本投标评分' }).click();
				await waitForText(card.locator('[data-field="scores.plan"] .field-error'), '最多保留一位小数');
				await waitForText(card.locator('[data-field="scores.team"] .field-error'), '须在 0 至 30 之间');
			}
			await plan.fill(String(S[k][i][0]));
			if (probe && i === 2) {
				// Saved without its team score: the daemon refuses the submission and says what is missing.
				await team.fill('');
			} else {
				await team.fill(String(S[k][i][1]));
			}
			const total = Math.round((S[k][i][0] + (probe && i === 2 ? 0 : S[k][i][1])) * 10);
			await waitForText(card.getByTestId('bid-total'), `小计：${Math.trunc(total / 10)}.${total % 10} / 70 分`);
			await card.getByLabel('评语').fill(`${o.name}：方案完整，团队稳定。`);
			const [put] = await Promise.all([answerOf(page, 'PUT', new RegExp(`/scores/${bids[i]}$`)), card.getByRole('button', { name: '保存本投标评分' }).click()]);
			assert.equal(put.status(), 200, await put.text());
			await waitForText(card.locator('.sheet-saved'), '已保存');
		}
		if (probe) {
			await sec.getByRole('button', { name: '提交评分表' }).click();
			const dlg = page.getByRole('dialog', { name: '提交评分表' });
			const [ans] = await Promise.all([answerOf(page, 'POST', /\/scoresheet\/submit$/), dlg.getByRole('button', { name: '提交评分表' }).click()]);
			assert.equal(ans.status(), 409);
			await waitForText(sec.locator('.problem'), `${ORGS[2].name}：团队与经验 尚未评分`);
			const card = sec.getByRole('form', { name: `评分：${ORGS[2].name}` });
			await waitForText(card.locator('[data-field="scores.team"] .field-error'), '尚未评分');
			await card.getByLabel('团队与经验').fill(String(S[k][2][1]));
			await waitForText(card.getByTestId('bid-total'), '小计：62.0 / 70 分');
			await Promise.all([answerOf(page, 'PUT', /\/scores\/\d+$/), card.getByRole('button', { name: '保存本投标评分' }).click()]);
			await waitForText(card.locator('.sheet-saved'), '已保存');
		}
		await waitForText(sec.getByTestId('sheet-summary'), '已评完 3 / 3 份投标');
		if (phone) assert.ok(await overflow(page) <= 0, 'the sheet fits a phone');
		await sec.getByRole('button', { name: '提交评分表' }).click();
		const dlg = page.getByRole('dialog', { name: '提交评分表' });
		await waitForText(dlg, '提交后评分表即锁定');
		const [ans] = await Promise.all([answerOf(page, 'POST', /\/scoresheet\/submit$/), dlg.getByRole('button', { name: '提交评分表' }).click()]);
		assert.equal(ans.status(), 200, await ans.text());
		await waitForText(page.locator('main'), '评分表已提交。');
		await waitForText(page.getByTestId('score-sheet'), '不能再修改');
		assert.equal(await page.getByTestId('score-sheet').getByRole('button', { name: '提交评分表' }).count(), 0);
		assert.ok(await page.getByTestId('score-sheet').locator('input.score-input').first().isDisabled());
		if (phone) assert.ok(await overflow(page) <= 0, 'the locked sheet fits a phone');
		// The last sheet in: the members read the result too.
		if (last) await waitForText(page.getByTestId('evaluation-table').locator('tbody tr').first(), ORGS[2].name);
		else await waitForText(page.getByTestId('evaluation-pending'), '名委员未提交评分表');
	}, phone ? { viewport: PHONE } : undefined);
}

test('each of the five evaluators declares and scores through the UI; one on a phone', async () => {
	await scoreAs(0, { probe: true });
	await scoreAs(1, { declared: true });
	await scoreAs(2, { phone: true });
	await scoreAs(3);
	await scoreAs(4, { last: true });
});

test('the purchaser reads the ranked result, trimmed; in English too', async () => {
	// By hand (trimmed, the highest and lowest member totals dropped; price base ¥900,000):
	//   org 0: 59.8 55 66.5 55 30 → (59.8 + 55 + 55) / 3 = 56.60; price 27.00; total 83.60
	//   org 1: 50 53 52 70 50   → (53 + 52 + 50) / 3 = 51.67; price 30.00; total 81.67
	//   org 2: 62 59.5 62 63.1 59 → (62 + 59.5 + 62) / 3 = 61.17; price 24.55; total 85.71
	await withPage(b, 'eval-result', async (page) => {
		await signIn(page, d.url, PURCHASER.username, PURCHASER.password);
		await page.goto(`${d.url}/admin/#/tenders/${tenderId}`);
		const table = page.getByTestId('evaluation-table');
		await waitForText(table, ORGS[2].name);
		const rows = table.locator('tbody tr');
		assert.equal(await rows.count(), 4);
		const texts = await rows.allTextContents();
		assert.ok(texts[0].includes(ORGS[2].name) && texts[0].includes('61.17') && texts[0].includes('24.55') && texts[0].includes('85.71'), texts[0]);
		assert.ok(texts[1].includes(ORGS[0].name) && texts[1].includes('56.60') && texts[1].includes('83.60') && texts[1].includes('¥1,000,000.00'), texts[1]);
		assert.ok(texts[2].includes(ORGS[1].name) && texts[2].includes('81.67'), texts[2]);
		assert.ok(texts[3].includes(ORGS[LOW].name) && texts[3].includes('无效'), texts[3]);
		assert.equal((await rows.nth(3).locator('td').first().textContent()).trim(), '—', 'not ranked');
		await waitForText(page.getByTestId('evaluation-trimmed'), '去掉最高分和最低分：是');
		const members = await page.getByTestId('committee-members').locator('tbody').textContent();
		assert.equal((members.match(/评分表已提交/g) || []).length, 5);
		await page.getByTestId('lang-toggle').click();
		await waitForText(page.getByTestId('evaluation'), 'Evaluation result');
		await waitForText(page.getByTestId('evaluation-table').locator('thead'), 'Price score');
	});
});

test('award, a challenge answered, the contract and the performance review, through the UI', async () => {
	// The purchaser awards rank 1; rank 2 without a reason is refused at the reason.
	await withPage(b, 'eval-award', async (page) => {
		await signIn(page, d.url, PURCHASER.username, PURCHASER.password);
		await page.goto(`${d.url}/admin/#/tenders/${tenderId}`);
		const form = page.getByTestId('award-form').getByRole('form', { name: '确定成交供应商' });
		const choice = form.getByLabel('成交投标');
		await waitForText(choice, `第 1 名 · ${ORGS[2].name} · 总分 85.71`);
		await choice.selectOption(String(bids[0]));
		await form.getByRole('button', { name: '确定成交' }).click();
		await waitForText(form.locator('[data-field="reason"] .field-error'), '不选第一名时须说明理由');
		await choice.selectOption(String(bids[2]));
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/tenders/${tenderId}/award`)),
			form.getByRole('button', { name: '确定成交' }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { bid_id: bids[2] });
		await waitForText(page.locator('main'), '已确定成交供应商，成交公告已发布。');
		await waitForText(page.locator('.page-header'), '已确定成交（质疑期）');
		const notice = page.getByTestId('award-notice');
		await waitForText(notice, ORGS[2].name);
		await waitForText(notice, '¥1,100,000.00');
		await waitForText(notice, '第 1 名');
	});
	const pub = (await d.api('GET', `/api/v1/tenders/${tenderId}`)).json.data;
	assert.equal(pub.status, 'active.awarded');
	// The bidder challenges for its losing bid; the public sees the notice and the deadline.
	await withPage(b, 'eval-challenge', async (page) => {
		await signIn(page, d.url, BIDDER.username, BIDDER.password);
		await page.goto(`${d.url}/admin/#/tenders/${tenderId}`);
		await waitForText(page.getByTestId('challenge-until'), chinaTime(pub.challenge_until));
		const form = page.getByTestId('challenges').getByRole('form', { name: '提出质疑' });
		await form.getByLabel('以哪份投标提出').selectOption(String(bids[0]));
		await form.getByLabel('质疑事项与理由').fill('成交供应商的服务方案评分过高。');
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/challenges')),
			form.getByRole('button', { name: '提交质疑' }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { bid_id: bids[0], text: '成交供应商的服务方案评分过高。' });
		await waitForText(page.locator('main'), '质疑已提交');
		await waitForText(page.getByTestId('challenge-list'), '待答复');
	});
	// The purchaser dismisses it with an answer.
	await withPage(b, 'eval-challenge-answer', async (page) => {
		await signIn(page, d.url, PURCHASER.username, PURCHASER.password);
		await page.goto(`${d.url}/admin/#/tenders/${tenderId}`);
		const list = page.getByTestId('challenge-list');
		await waitForText(list, '成交供应商的服务方案评分过高。');
		await list.getByLabel('答复内容').fill('经复核，评分符合评审标准，质疑不成立。');
		await Promise.all([answerOf(page, 'POST', /\/answer$/), list.getByRole('button', { name: '答复：质疑不成立' }).click()]);
		await waitForText(page.locator('main'), '已答复：质疑不成立。');
		await waitForText(page.getByTestId('challenge-list'), '质疑不成立');
	});
	// The period over: the contract, an amount above the award refused at its field.
	await d.setClock(pub.challenge_until, undefined, { frozen: true });
	await withPage(b, 'eval-contract', async (page) => {
		await signIn(page, d.url, PURCHASER.username, PURCHASER.password);
		await page.goto(`${d.url}/admin/#/tenders/${tenderId}`);
		await waitForText(page.locator('.page-header'), '签订合同中');
		const form = page.getByTestId('contract-form').getByRole('form', { name: '签订合同' });
		assert.equal(await form.getByLabel('合同金额（元）').inputValue(), '1,100,000.00');
		await form.getByLabel('合同金额（元）').fill('1100000.01');
		await form.getByLabel('履行起始日').fill('2026-05-01');
		await form.getByLabel('履行截止日').fill('2027-04-30');
		let [ans] = await Promise.all([answerOf(page, 'POST', /\/contract$/), form.getByRole('button', { name: '签订合同' }).click()]);
		assert.equal(ans.status(), 422);
		await waitForText(form.locator('[data-field="amount_fen"] .field-error'), '合同金额不得超过成交金额');
		await form.getByLabel('合同金额（元）').fill('1,080,000');
		[ans] = await Promise.all([answerOf(page, 'POST', /\/contract$/), form.getByRole('button', { name: '签订合同' }).click()]);
		assert.equal(ans.status(), 201, await ans.text());
		await waitForText(page.locator('main'), '合同已签订，项目完成。');
		await waitForText(page.locator('.page-header'), '已完成');
		const k = page.getByTestId('contract');
		await waitForText(k, '¥1,080,000.00');
		await waitForText(k, '2026-05-01 至 2027-04-30');
		// The performance review: whole numbers 0–100, said at the field; then recorded.
		const review = k.getByRole('form', { name: '履约评价' });
		await review.getByLabel('综合评分').fill('101');
		await review.getByLabel('服务质量').fill('92');
		await review.getByLabel('履约及时性').fill('88');
		await review.getByLabel('服务对象满意度').fill('95');
		await review.getByLabel('评价意见').fill('服务到位，老人满意。');
		await review.getByRole('button', { name: '提交履约评价' }).click();
		await waitForText(review.locator('[data-field="score"] .field-error'), '须为 0 至 100 的整数');
		await review.getByLabel('综合评分').fill('90');
		const [req] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && /\/contracts\/\d+\/performance$/.test(r.url())),
			review.getByRole('button', { name: '提交履约评价' }).click(),
		]);
		assert.deepEqual(req.postDataJSON(), { score: 90, dimensions: { 服务质量: 92, 履约及时性: 88, 服务对象满意度: 95 }, summary: '服务到位，老人满意。' });
		await waitForText(page.getByTestId('performance-done'), '履约评价（90 分）已提交');
		assert.ok(await overflow(page) <= 0);
		// The supplier's credit record shows it.
		await page.getByTestId('performance-done').getByRole('link', { name: '查看信用记录' }).click();
		await waitForRoute(page, `#/org/${ORGS[2].uscc}`);
		await waitForText(page.locator('main'), '项目绩效评价：90 分');
	});
	const credit = (await d.api('GET', `/api/v1/orgs/${ORGS[2].uscc}/credit`)).json.data;
	assert.deepEqual(credit.events.filter((e) => e.kind === 'performance').map((e) => e.score), [90]);
});

test('a challenge the purchaser upholds cancels the award: the tender is back under evaluation and is awarded anew', async () => {
	// Another tender, through the API up to a challenged award: lowest price, three bids of the
	// bidder's organizations (rank 1 is ORGS[1] at ¥900,000), three of the evaluators.
	const purchaser = {};
	const bidder = {};
	const members = EVALUATORS.slice(0, 3).map((e, i) => ({ id: ids[i], username: e.username, password: e.password }));
	const refresh = async () => {
		purchaser.token = await d.login(PURCHASER.username, PURCHASER.password);
		bidder.token = await d.login(BIDDER.username, BIDDER.password);
		for (const m of members) m.token = await d.login(m.username, m.password);
	};
	const t = tendering(d, { purchaser, refresh });
	const P = '2026-06-01T02:00:00Z';
	const D = plus(P, 20);
	const TITLE2 = '海盐县老年助餐服务项目';
	const tid = await t.tender(P, D, { title: TITLE2, evaluation_method: 'lowest_price' });
	const bidsB = [];
	for (const [i, price] of [100000000, 90000000, 95000000].entries()) bidsB.push(await t.bid(tid, bidder, ORGS[i].uscc, price));
	await t.appoint(tid, members);
	await t.open(tid, D);
	const result = await t.evaluate(tid, members, bidsB, [60, 50, 55]);
	assert.deepEqual(result.bids.map((x) => [x.bid_id, x.rank]), [[bidsB[1], 1], [bidsB[2], 2], [bidsB[0], 3]]);
	assert.equal((await t.post(purchaser, `/api/v1/tenders/${tid}/award`, { bid_id: bidsB[1] })).status, 200);
	const filed = await t.post(bidder, `/api/v1/tenders/${tid}/challenges`, { bid_id: bidsB[2], text: '成交供应商不具备助餐服务资质。' });
	assert.equal(filed.status, 201, filed.text);

	await withPage(b, 'eval-challenge-upheld', async (page) => {
		await signIn(page, d.url, PURCHASER.username, PURCHASER.password);
		await page.goto(`${d.url}/admin/#/tenders/${tid}`);
		await waitForText(page.locator('.page-header'), '已确定成交（质疑期）');
		await waitForText(page.getByTestId('award-notice'), ORGS[1].name);
		const list = page.getByTestId('challenge-list');
		await waitForText(list, '成交供应商不具备助餐服务资质。');
		await list.getByLabel('答复内容').fill('经核实，成交供应商未取得食品经营许可，质疑成立。');
		await list.getByRole('button', { name: '答复：质疑成立（撤销成交）' }).click();
		// It asks first: the award is cancelled.
		const dialog = page.getByRole('dialog');
		await waitForText(dialog, '质疑成立将撤销成交结果，项目回到评审阶段');
		const [answer] = await Promise.all([
			answerOf(page, 'POST', /\/answer$/),
			dialog.getByRole('button', { name: '答复：质疑成立（撤销成交）' }).click(),
		]);
		assert.equal(answer.status(), 200, await answer.text());
		assert.deepEqual(answer.request().postDataJSON(), { answer: '经核实，成交供应商未取得食品经营许可，质疑成立。', upheld: true });
		await waitForText(page.locator('main'), '已答复：质疑成立，成交结果已撤销。');
		// Back under evaluation: no award notice, the award form again, the challenge upheld with its answer.
		await waitForText(page.locator('.page-header'), '评审中');
		assert.equal(await page.getByTestId('award-notice').count(), 0, 'the award notice is gone');
		await waitForText(page.getByTestId('challenge-list'), '质疑成立');
		await waitForText(page.getByTestId('challenge-list'), '未取得食品经营许可');
		assert.equal(await page.getByTestId('challenge-list').getByRole('button', { name: '答复：质疑不成立' }).count(), 0, 'answered once');
		// Awarded anew, to rank 2 with the reason.
		const form = page.getByTestId('award-form').getByRole('form', { name: '确定成交供应商' });
		await form.getByLabel('成交投标').selectOption(String(bidsB[2]));
		await form.getByLabel('理由').fill('第一名的质疑成立，依次确定第二名。');
		await form.getByRole('button', { name: '确定成交' }).click();
		await waitForText(page.locator('main'), '已确定成交供应商，成交公告已发布。');
		await waitForText(page.locator('.page-header'), '已确定成交（质疑期）');
		await waitForText(page.getByTestId('award-notice'), ORGS[2].name);
		assert.ok(await overflow(page) <= 0);
	});
	const x = (await d.api('GET', `/api/v1/tenders/${tid}`)).json.data;
	assert.equal(x.status, 'active.awarded');
	assert.equal(x.award.bid_id, bidsB[2]);
});
