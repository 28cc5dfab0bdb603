// The registry flow end to end in chromium: an applicant signs up, fills in an establishment
// application, uploads the five required documents and submits; a registrar accepts and
// approves it from the queue; the public finds the organization in the register.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startDaemon } from '../lib/daemon.mjs';
import { openBrowser, withPage, waitForText, waitForRoute, signIn, signOut } from './browser.mjs';

const REGISTRAR = { username: 'ui_registrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '李审查' };
const APPLICANT = { username: 'yinling_assoc', password: 'Applicant-pass-2025', display_name: '王晓梅', phone: '0573-86012345', email: 'yinling@example.cn' };
const ORG_NAME = '海盐县银龄互助养老服务协会';
const NAME_PART = '银龄互助';

// A Chinese resident ID number with a correct GB 11643 check character.
function idNumber(first17) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...first17].reduce((s, c, i) => s + Number(c) * w[i], 0);
	return first17 + '10X98765432'[sum % 11];
}

// A small, well-formed one-page PDF (correct xref offsets).
function pdf(text) {
	const objs = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		null,
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
	];
	const stream = `BT /F1 18 Tf 20 100 Td (${text}) Tj ET`;
	objs[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
	let out = '%PDF-1.4\n';
	const offsets = [];
	objs.forEach((o, i) => {
		offsets.push(out.length);
		out += `${i + 1} 0 obj\n${o}\nendobj\n`;
	});
	const xref = out.length;
	out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
	out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(out, 'latin1');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});
function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
// A valid 2x2 RGB PNG.
function png() {
	const chunk = (type, data) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(td));
		return Buffer.concat([len, td, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(2, 0);
	ihdr.writeUInt32BE(2, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // RGB
	const raw = Buffer.from([0, 200, 30, 30, 30, 30, 200, 0, 30, 200, 30, 250, 250, 250]);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
	]);
}

const DOCUMENTS = [
	{ kind: 'application_letter', name: 'application-letter.pdf', mimeType: 'application/pdf', buffer: pdf('Application letter') },
	{ kind: 'charter', name: 'charter.pdf', mimeType: 'application/pdf', buffer: pdf('Draft charter') },
	{ kind: 'domicile_proof', name: 'domicile.pdf', mimeType: 'application/pdf', buffer: pdf('Domicile proof') },
	{ kind: 'fund_verification', name: 'funds.pdf', mimeType: 'application/pdf', buffer: pdf('Fund verification') },
	{ kind: 'legal_rep_id', name: 'legal-rep-id.png', mimeType: 'image/png', buffer: png() },
];

let d;
let b;

before(async () => {
	d = await startDaemon();
	await d.addUser(REGISTRAR);
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
});

test('sign up, apply, upload, submit; registrar accepts and approves; the public finds it', async () => {
	let uscc;
	await withPage(b, 'registry-applicant', async (page) => {
		// --- sign up as an applicant
		await page.goto(`${d.url}/admin/#/signup`);
		await page.getByLabel('用户名').fill(APPLICANT.username);
		await page.getByLabel('姓名/显示名称').fill(APPLICANT.display_name);
		await page.getByLabel('密码', { exact: true }).fill(APPLICANT.password);
		await page.getByLabel('确认密码').fill(APPLICANT.password);
		await page.getByLabel('联系电话').fill(APPLICANT.phone);
		await page.getByLabel('电子邮箱').fill(APPLICANT.email);
		await page.getByRole('button', { name: '注册', exact: true }).click();
		await waitForRoute(page, '#/my/applications');
		await waitForText(page.getByTestId('current-user'), APPLICANT.display_name);
		await waitForText(page.getByTestId('current-user'), '申请人');

		// --- fill in the establishment application
		await page.getByRole('link', { name: '新建成立登记申请' }).click();
		await waitForRoute(page, '#/apply/start');
		await page.getByRole('link', { name: '开始填写申请' }).click();
		await waitForRoute(page, '#/applications/new');
		await page.getByLabel('组织形式').selectOption('social_group');
		await page.getByLabel('直接登记类别').selectOption('community_service');
		await page.getByLabel('名称', { exact: true }).fill(ORG_NAME);
		// The region by name: 嘉兴海盐 (city, then county, without 市/县) is one region; leaving the
		// field takes it, shown in full, and the form sends its code.
		const region = page.getByLabel('行政区划', { exact: true });
		await region.fill('嘉兴海盐');
		await region.blur();
		await waitForText(page.getByTestId('region_code-shown'), '浙江省嘉兴市海盐县');
		assert.equal(await region.inputValue(), '330424 浙江省嘉兴市海盐县');
		await page.getByLabel('活动地域').fill('海盐县');
		await page.getByLabel('住所').fill('海盐县武原街道新桥北路 88 号');
		await page.getByLabel('业务范围').fill('组织会员开展互助养老服务，提供居家养老培训、交流与咨询');
		await page.getByLabel('注册资金/原始基金（元）').fill('30000.50');
		await page.getByLabel('法定代表人姓名').fill('张建国');
		await page.getByLabel('法定代表人身份证号').fill(idNumber('33042419650312003'));
		// The members section shows for social groups; directors only for foundations.
		assert.equal(await page.getByRole('group', { name: '理事（基金会）' }).isVisible(), false);
		await page.getByLabel('个人会员数').fill('60');
		await page.getByLabel('单位会员数').fill('0');
		await page.getByLabel('联系人姓名').fill(APPLICANT.display_name);
		await page.getByLabel('联系人电话').fill(APPLICANT.phone);
		await page.getByLabel('联系人邮箱').fill(APPLICANT.email);
		const [created] = await Promise.all([
			page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/applications')),
			page.getByRole('button', { name: '保存草稿' }).click(),
		]);
		const sent = created.postDataJSON();
		assert.equal(sent.kind, 'establish');
		assert.equal(sent.funds_fen, 3000050, 'yuan 30000.50 is sent as exactly 3000050 fen');
		assert.deepEqual(sent.members, { individual: 60, unit: 0 });
		assert.equal(sent.legal_representative.name, '张建国');
		assert.equal(sent.region_code, '330424');
		const hash = await waitForRoute(page, /^#\/applications\/(?!new$)[^/]+$/);
		await page.getByRole('heading', { name: ORG_NAME, level: 1 }).waitFor();
		await waitForText(page.locator('.app-badges'), '草稿');
		await waitForText(page.locator('[data-field="funds_fen"] dd'), '¥30,000.50');

		// --- submitting without documents is refused; the errors show next to the documents
		await page.getByRole('button', { name: '提交申请' }).click();
		await page.getByRole('dialog').getByRole('button', { name: '提交申请' }).click();
		const alert = page.locator('.error-slot .problem');
		await alert.waitFor();
		assert.ok(await alert.locator('.problem-fields li').count() >= 1, 'the field errors are listed');
		assert.ok(await page.locator('section[data-field="documents"] .field-error').count() >= 1,
			'missing documents are flagged in the documents section');
		await waitForText(page.locator('.app-badges'), '草稿');

		// --- upload the five required documents
		for (const doc of DOCUMENTS) {
			const row = page.locator(`li.doc-row[data-kind="${doc.kind}"]`);
			await row.locator('input[type="file"]').setInputFiles({ name: doc.name, mimeType: doc.mimeType, buffer: doc.buffer });
			await waitForText(page.locator(`li.doc-row[data-kind="${doc.kind}"] .doc-status`), `已上传：${doc.name}`);
			await waitForText(page.locator(`li.doc-row[data-kind="${doc.kind}"] .doc-file`), doc.name);
		}
		assert.equal(await page.locator('li.doc-row.no-doc').count(), 0, 'every kind has its document');

		// --- submit
		await page.getByRole('button', { name: '提交申请' }).click();
		await page.getByRole('dialog').getByRole('button', { name: '提交申请' }).click();
		await waitForText(page.locator('.app-badges'), '已提交');
		await page.locator('.flash', { hasText: '申请已提交' }).waitFor();
		assert.equal(await page.locator('.error-slot .problem').count(), 0, 'the earlier error is gone');
		assert.equal(await page.getByRole('button', { name: '提交申请' }).count(), 0, 'no second submit');
		assert.equal(await page.getByRole('link', { name: '编辑' }).count(), 0, 'no editing while under review');

		await page.goto(`${d.url}/admin/#/my/applications`);
		await page.getByRole('link', { name: ORG_NAME }).waitFor();
		// The region by its name as well as its code.
		await waitForText(page.locator('tr', { hasText: ORG_NAME }), '海盐县（330424）');
		await signOut(page);
		assert.ok(hash);
	});

	await withPage(b, 'registry-registrar', async (page) => {
		await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
		await waitForRoute(page, '#/queue');
		await page.getByRole('link', { name: ORG_NAME }).click();
		await waitForRoute(page, /^#\/applications\/[^/]+$/);
		await page.getByRole('heading', { name: ORG_NAME, level: 1 }).waitFor();
		// All the applicant's data and documents are there for the review.
		await waitForText(page.locator('[data-field="legal_representative.name"] dd'), '张建国');
		assert.equal(await page.locator('li.doc-row.has-doc').count(), 5);

		// Documents download with the Authorization header (fetch → blob), and open.
		const [popup] = await Promise.all([
			page.context().waitForEvent('page'),
			page.locator('li.doc-row[data-kind="charter"]').getByRole('button', { name: /查看\/下载/ }).click(),
		]);
		assert.match(popup.url(), /^blob:/);
		await popup.close();

		await page.getByRole('button', { name: '受理', exact: true }).click();
		await page.getByRole('dialog').getByRole('button', { name: '受理', exact: true }).click();
		await waitForText(page.locator('.app-badges'), '已受理');
		await waitForText(page.locator('.app-side .kv-row', { hasText: '办结期限' }), /\d{4}-\d{2}-\d{2}/);

		await page.getByRole('button', { name: '准予登记' }).click();
		await page.getByRole('dialog').getByRole('button', { name: '准予登记' }).click();
		await waitForText(page.locator('.app-badges'), '准予登记');
		const notice = page.locator('.flash-ok', { hasText: '统一社会信用代码' });
		await notice.waitFor();
		uscc = (await notice.locator('code').textContent()).trim();
		assert.match(uscc, /^5[123]330424[0-9A-HJ-NP-RTUW-Y]{10}$/, `a civil-affairs USCC for region 330424: ${uscc}`);
		// Each decision's notice, numbered; the decision opens as its PDF.
		const notices = page.getByTestId('notices');
		await waitForText(notices.locator('li[data-kind="acceptance"]'), /受理通知书\s*民社受字〔\d{4}〕第\d{6}号/);
		await waitForText(notices.locator('li[data-kind="approval"]'), /准予登记决定书\s*民社准字〔\d{4}〕第\d{6}号/);
		const [decision] = await Promise.all([
			page.context().waitForEvent('page'),
			notices.locator('li[data-kind="approval"]').getByRole('button', { name: /查看\/下载/ }).click(),
		]);
		assert.match(decision.url(), /^blob:/);
		await decision.close();
		await signOut(page);
	});

	await withPage(b, 'registry-public', async (page) => {
		const asked = [];
		page.on('request', (r) => asked.push(new URL(r.url()).pathname));
		await page.goto(`${d.url}/admin/#/register`);
		await page.getByLabel('关键词').fill(NAME_PART);
		// The region filter by name: 海盐 is one region; the query carries its code.
		const region = page.getByLabel('行政区划', { exact: true });
		await region.fill('海盐');
		await region.blur();
		await waitForText(page.getByTestId('region-shown'), '浙江省嘉兴市海盐县');
		await page.getByRole('button', { name: '查询', exact: true }).click();
		await waitForRoute(page, /^#\/register\?q=.*region=330424/);
		await page.getByRole('link', { name: ORG_NAME }).click();
		await waitForRoute(page, `#/org/${uscc}`);
		await page.getByRole('heading', { name: ORG_NAME, level: 1 }).waitFor();
		await waitForText(page.locator('main'), uscc);
		await waitForText(page.locator('main'), `CN-USCI-${uscc}`);
		await waitForText(page.locator('main'), '张建国');
		// The ID number is never public.
		assert.equal((await page.locator('main').textContent()).includes(idNumber('33042419650312003')), false);
		// The certificate card: the region by name, the signing key once, no format tag.
		const cert = page.locator('.certificate');
		await waitForText(cert.locator('.cert-paper'), '海盐县（330424）');
		const certText = await cert.textContent();
		const keyId = (await d.api('GET', `/api/v1/orgs/${uscc}/certificate`)).json.data.key_id;
		assert.equal(certText.split(keyId).length - 1, 1, 'the key id is shown once');
		assert.ok(!certText.includes('sanzhi.certificate'), 'no format tag for the public');
		// Credit: the section reads GET /orgs/{uscc}/credit, and this organization is on no list.
		await waitForText(page.getByRole('region', { name: '信用信息' }).getByTestId('credit-lists'), '未列入活动异常名录或严重违法失信名单');
		assert.ok(asked.some((p) => p.endsWith(`/orgs/${uscc}/credit`)), asked.filter((p) => p.includes('/orgs/')).join(' '));
		// The certificate verifies.
		await page.getByRole('button', { name: '验证证书签名' }).click();
		await page.locator('[data-verify="valid"]', { hasText: '证书真实有效' }).waitFor();
		// And the code passes the code check.
		await page.getByRole('link', { name: '校验此代码' }).click();
		await waitForRoute(page, `#/uscc/${uscc}`);
		await waitForText(page.locator('.uscc-result'), '代码有效');
		// In English the history labels its events in English (the registry's reason stays as written).
		await page.goto(`${d.url}/admin/#/org/${uscc}`);
		await page.getByTestId('lang-toggle').click();
		await waitForText(page.locator('.timeline'), 'Established');
		await page.getByTestId('lang-toggle').click();
	});
});
