// Issue 11's citizen-service journeys, each completed in every one of the four combinations
// {390 px phone, 1280 px desktop} × {Chinese, English}, one browser context per combination:
//   (a) the applicant: before you start → sign up → the form (a region refused at its field, then
//       found by typing 海盐) → documents → check your answers → submit → the confirmation;
//   (b) a registrar, from the queue: a supplement request (an empty one refused at its field) on one
//       application, acceptance and approval of the applicant's, and the notice PDFs;
//   (c) the public: the register search with its folded filters and region picker (an unknown
//       region refused at its field), the profile (登记管理机关, 注册资金, credit), the certificate
//       and its verification, and the certificate check page (a paste that is no certificate refused,
//       the certificate, the text of its paper's QR code, and the status by the organization's code,
//       a code with a wrong check character refused at its field);
//   (d) accounts: the sign-up's phone-or-email rule said at the field before anything is sent, a
//       failed sign-in saying the attempts left, forgot → mail → reset, the notifications;
//   (e) an admin finds the applicant, edits (an empty name refused), resets the password (a short
//       one refused) and disables and enables the account; the applicant then must choose a new
//       password at the sign-in.
// On every page reached: html lang and the words are the combination's language (no raw i18n key,
// no raw enumeration value, no label in the other language), nothing is wider than the window,
// and a refusal is said at its field with an error summary whose link takes the focus there.
// The words expected are looked up in the UI's own table (admin-ui/js/i18n.js), so a key missing
// from it fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, ROOT } from '../lib/daemon.mjs';
import { startSmtp, mailEnv } from '../lib/smtp.mjs';
import { openBrowser, waitForText, waitForRoute, PHONE, DESKTOP } from './browser.mjs';
import { PDF, DOC_KINDS, idNumber, signUpApplicant, fileEstablishment } from './fixtures.mjs';

// ---------------------------------------------------------------- the UI's words

const TABLE = (() => {
	const src = fs.readFileSync(path.join(ROOT, 'admin-ui/js/i18n.js'), 'utf8');
	const start = src.indexOf('{', src.indexOf('const TABLE = {'));
	const end = src.indexOf('\n};\n', start);
	// eslint-disable-next-line no-new-func
	return new Function(`return ${src.slice(start, end + 2)}`)();
})();
// The first parts of the keys ("app", "field", "verr", …): a word "field.foo" on a page is a key
// the table lacks, shown raw.
const NAMESPACES = [...new Set(Object.keys(TABLE).map((k) => k.split('.')[0]))];

function translator(lang) {
	return (key, params) => {
		const row = TABLE[key];
		assert.ok(row, `admin-ui/js/i18n.js has ${key}`);
		let s = row[lang === 'en' ? 1 : 0];
		if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] != null ? String(params[k]) : m));
		return s;
	};
}

// ---------------------------------------------------------------- data

const BUREAU = { name: '海盐县民政局', phone: '0573-86012345', address: '海盐县武原街道枣园中路 1 号', hours: '工作日 8:30–17:00' };
// No underscores in the logins: a word_with_underscores on a page is a raw enumeration value.
const REGISTRAR = { username: 'mxregistrar', password: 'Registrar-pass-2025', role: 'registrar', display_name: '郑审查' };
const ADMIN = { username: 'mxadmin', password: 'Admin-pass-2025', role: 'admin', display_name: '陈管理' };
const FILER = { username: 'mxfiler', password: 'Filer-pass-2025', display_name: '何申报' };

const COMBOS = [
	{ size: 'phone', viewport: PHONE, lang: 'zh', mark: '甲' },
	{ size: 'phone', viewport: PHONE, lang: 'en', mark: '乙' },
	{ size: 'desktop', viewport: DESKTOP, lang: 'zh', mark: '丙' },
	{ size: 'desktop', viewport: DESKTOP, lang: 'en', mark: '丁' },
];

let d;
let smtp;
let b;

before(async () => {
	smtp = await startSmtp();
	d = await startDaemon({
		env: mailEnv(smtp.url, {
			SANZHI_BUREAU_NAME: BUREAU.name, SANZHI_BUREAU_PHONE: BUREAU.phone,
			SANZHI_BUREAU_ADDRESS: BUREAU.address, SANZHI_BUREAU_HOURS: BUREAU.hours,
			// Not the default: the pages must say what the rules say.
			SANZHI_RULE_DECISION_DAYS: '45',
		}),
	});
	await d.addUser(REGISTRAR);
	await d.addUser(ADMIN);
	// The application each combination's registrar asks supplements for (filed by someone else).
	const filer = await signUpApplicant(d, FILER);
	for (const c of COMBOS) c.supplementApp = await fileEstablishment(d, filer, `海盐县${c.mark}补正测试协会`);
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	await d?.stop();
	await smtp?.stop();
	smtp?.remove();
});

// ---------------------------------------------------------------- what every page must hold to

// In the page: the words of the other language, raw keys and values, and what sticks out.
function inspect({ lang, namespaces }) {
	const shown = (el) => {
		for (let e = el; e; e = e.parentElement) {
			const cs = getComputedStyle(e);
			if (cs.display === 'none' || cs.visibility === 'hidden') return false;
		}
		const r = el.getBoundingClientRect();
		return r.width > 0 && r.height > 0;
	};
	// The language an element is written in: its own or its nearest marked ancestor's.
	const langOf = (el) => (el.closest('[lang]') || document.documentElement).getAttribute('lang') || '';
	const where = (el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
	const out = { htmlLang: document.documentElement.lang, raw: [], foreign: [], wide: [], server: [] };
	const ns = new Set(namespaces);
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const el = n.parentElement;
		if (!el || el.closest('script, style, datalist, option, code, .mono') || !shown(el)) continue;
		for (const m of n.data.matchAll(/(?<![\w@.-])([a-z][a-z0-9_]*)\.[a-z0-9_-]+(?:\.[a-z0-9_-]+)*(?![\w@-])/g)) {
			if (ns.has(m[1])) out.raw.push(`${m[0]} in ${where(el)}`);
		}
		for (const m of n.data.matchAll(/(?<![\w@.-])[a-z]+(?:_[a-z]+)+(?![\w@.-])/g)) out.raw.push(`${m[0]} in ${where(el)}`);
		// What a script wrote without meaning to: null, undefined, NaN, [object Object].
		for (const m of n.data.matchAll(/\b(?:null|undefined|NaN)\b|\[object \w+\]/g)) out.raw.push(`${m[0]} in ${where(el)}`);
	}
	// Words of the UI itself (labels, headings, buttons, hints, errors) — not the data.
	const CHROME = 'h2, h3, label, legend, summary, th, dt, button, a.btn, .hint:not(.region-shown), nav a, .problem-title, .field-error, .step-label, .intro';
	for (const el of document.querySelectorAll(CHROME)) {
		if (!shown(el)) continue;
		const text = el.innerText.trim();
		if (!text) continue;
		const l = langOf(el);
		// Chinese in an English label is an untranslated word, unless the element says it is Chinese
		// or it is an example of what to type, in brackets or quotes: (协会, 商会 …), “令牌”.
		const plain = text.replace(/\([^)]*\)|“[^”]*”/g, '');
		if (lang === 'en' && !l.startsWith('zh') && /[\u3400-\u9fff]/.test(plain)) out.foreign.push(`${where(el)}: ${text.slice(0, 80)}`);
		if (lang === 'zh' && l !== 'en' && /(?<![\w@.-])[a-z]{3,}(?![\w@.-])/.test(text)) out.foreign.push(`${where(el)}: ${text.slice(0, 80)}`);
	}
	// The daemon's English, shown when the UI has no words of its own for a code.
	for (const el of document.querySelectorAll('.problem-server')) if (shown(el)) out.server.push(el.innerText.trim());
	const W = document.documentElement.clientWidth;
	out.scrollWidth = document.documentElement.scrollWidth;
	out.innerWidth = window.innerWidth;
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0 || r.right <= W + 0.5) continue;
		// Inside a box that scrolls (or clips) on purpose, such as a wide table's: that box is checked itself.
		let contained = false;
		for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
			if (getComputedStyle(a).overflowX !== 'visible') {
				contained = true;
				break;
			}
		}
		if (!contained && shown(el)) out.wide.push(`${where(el)} right=${Math.round(r.right)} (${(el.innerText || '').trim().slice(0, 40)})`);
	}
	return out;
}

async function checkPage(c, label) {
	const r = await c.page.evaluate(inspect, { lang: c.lang, namespaces: NAMESPACES });
	const at = `${c.name} · ${label}`;
	assert.equal(r.htmlLang, c.lang === 'zh' ? 'zh-CN' : 'en', `${at}: html lang`);
	assert.deepEqual(r.raw, [], `${at}: raw keys or values shown`);
	assert.deepEqual(r.foreign, [], `${at}: words not in ${c.lang}`);
	assert.deepEqual(r.server, [], `${at}: the daemon's English shown`);
	assert.ok(r.scrollWidth <= r.innerWidth, `${at}: the page is ${r.scrollWidth}px wide in a ${r.innerWidth}px window`);
	assert.deepEqual(r.wide, [], `${at}: beyond the right edge`);
}

// A refusal: the message at the field (data-field) inside scope, and a line of the error summary
// that links to it and, followed, puts the focus in that field.
async function refusedAt(c, scope, fieldPath, text) {
	const target = scope.locator(`[data-field="${fieldPath}"]`).first();
	await waitForText(target.locator('.field-error'), text);
	const line = scope.locator(`.problem .problem-fields li[data-error-field="${fieldPath}"]`);
	assert.equal(await line.count(), 1, `${c.name}: the summary lists ${fieldPath}`);
	await line.getByRole('link').click();
	const focused = await c.page.evaluate((f) => Boolean(document.activeElement && document.activeElement.closest(`[data-field="${CSS.escape(f)}"]`)), fieldPath);
	assert.ok(focused, `${c.name}: the summary's link for ${fieldPath} puts the focus in the field`);
}

// ---------------------------------------------------------------- shared steps

async function signIn(c, username, password) {
	const { page, tr } = c;
	await page.goto(`${d.url}/admin/#/login`);
	await page.getByLabel(tr('field.username')).fill(username);
	await page.getByLabel(tr('field.password'), { exact: true }).fill(password);
	await page.getByRole('button', { name: tr('login.submit'), exact: true }).click();
	await waitForRoute(page, (h) => h !== '#/login');
}

async function signOut(c) {
	const { page, tr } = c;
	if (c.size === 'phone') {
		// The header is one line on a phone: the account is in the menu.
		assert.equal(await page.getByTestId('current-user').isVisible(), false, `${c.name}: compact header`);
		await page.getByRole('button', { name: tr('app.menu') }).click();
		await page.locator('#main-nav .nav-account').getByRole('button', { name: tr('app.sign_out') }).click();
	} else {
		await page.getByRole('button', { name: tr('app.sign_out') }).click();
	}
	await waitForRoute(page, '#/login');
}

async function mailedToken(email) {
	const mine = (ms) => ms.filter((m) => m.rcpt_to === email && /密码重置/.test(m.subject));
	const ms = mine(await smtp.waitFor((all) => mine(all).length > 0, { what: `the reset mail to ${email}` }));
	const m = ms[ms.length - 1].body.match(/令牌是：\s+([A-Za-z0-9_-]{43})/);
	assert.ok(m, ms[ms.length - 1].body);
	return m[1];
}

// (a) and (d): before you start → signing up (the contact rule) → the form → documents → check → submit.
async function applicantJourney(c) {
	const { page, tr } = c;
	await page.goto(`${d.url}/admin/#/apply/start`);
	if (c.lang === 'en') {
		await page.getByTestId('lang-toggle').click();
		await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
	}
	await page.getByRole('heading', { name: tr('journey.start.title'), level: 1 }).waitFor();
	// Who may apply, the documents, the periods the rules say (45 days was configured), no fee, whom to ask.
	for (const kind of DOC_KINDS) await waitForText(page.getByTestId('documents-needed'), tr(`doc.${kind}`));
	const timeline = page.getByTestId('timeline');
	await waitForText(timeline, tr('journey.timeline.supplement', { n: 5 }));
	await waitForText(timeline, tr('journey.timeline.decision', { n: 45, unit: tr('journey.days') }));
	await waitForText(timeline, tr('journey.timeline.charity', { n: 30, unit: tr('journey.days') }));
	await waitForText(page.getByTestId('fee'), tr('journey.fee'));
	for (const v of Object.values(BUREAU)) await waitForText(page.getByTestId('bureau-contact'), v);
	await waitForText(page.getByTestId('footer-contact'), BUREAU.phone);
	// Latin faces first in English, Chinese ones in Chinese.
	const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
	assert.match(font, c.lang === 'en' ? /^system-ui/ : /^"PingFang SC"/, `${c.name}: font order`);
	if (c.size === 'phone') {
		// One line of header: brand, language, menu; the account lives in the menu.
		const bar = await page.locator('header.topbar').boundingBox();
		assert.ok(bar.height <= 56, `${c.name}: the header is one line (${bar.height}px)`);
	}
	await checkPage(c, 'before you start');
	await page.getByRole('link', { name: tr('journey.start_now') }).click();
	// Not signed in: the sign-in page, whence a new applicant signs up.
	await waitForRoute(page, '#/login');
	await page.getByRole('link', { name: tr('login.sign_up_link') }).click();
	await waitForRoute(page, '#/signup');
	await waitForText(page.getByTestId('contact-hint'), tr('signup.contact_hint'));
	const posts = [];
	page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/accounts')) posts.push(r); });
	await page.getByLabel(tr('field.username')).fill(c.username);
	await page.getByLabel(tr('field.display_name')).fill(c.displayName);
	await page.getByLabel(tr('field.password'), { exact: true }).fill(c.password);
	await page.getByLabel(tr('field.password_confirm')).fill(c.password);
	await page.getByRole('button', { name: tr('signup.submit'), exact: true }).click();
	await refusedAt(c, page.locator('main'), 'phone', tr('verr.contact_required'));
	assert.equal(posts.length, 0, `${c.name}: nothing sent without a phone or an email`);
	await checkPage(c, 'sign-up refused');
	await page.getByLabel(tr('field.email')).fill(c.email);
	await page.getByRole('button', { name: tr('signup.submit'), exact: true }).click();
	// Back where the applicant was going: the form.
	await waitForRoute(page, '#/applications/new');

	const steps = page.getByTestId('steps');
	const current = steps.locator('[aria-current="step"]');
	await waitForText(current, tr('journey.step.fill'));
	assert.equal(await steps.locator('li').count(), 4);
	await page.getByLabel(tr('field.legal_form')).selectOption('social_group');
	await page.getByLabel(tr('field.category')).selectOption('community_service');
	await page.getByLabel(tr('field.name'), { exact: true }).fill(c.orgName);
	const region = page.getByLabel(tr('field.region_code'), { exact: true });
	// A place the register does not know: said under the field as typed, refused at it when saved.
	await region.fill('火星');
	await region.blur();
	await waitForText(page.getByTestId('region_code-shown'), tr('region.none'));
	await page.getByLabel(tr('field.activity_area')).fill('海盐县');
	await page.getByLabel(tr('field.domicile')).fill('海盐县武原街道新桥北路 9 号');
	await page.getByLabel(tr('field.business_scope')).fill('邻里互助、社区志愿服务');
	await page.getByLabel(tr('field.funds_fen')).fill('30000');
	await page.getByLabel(tr('field.legal_representative.name')).fill('褚明');
	await page.getByLabel(tr('field.legal_representative.id_number')).fill(idNumber('33042419700101001'));
	await page.getByLabel(tr('field.members.individual')).fill('55');
	await page.getByLabel(tr('field.contact.name')).fill(c.displayName);
	await page.getByLabel(tr('field.contact.phone')).fill('0573-86000000');
	await page.getByRole('button', { name: tr('app.form.save') }).click();
	await refusedAt(c, page.locator('main'), 'region_code', tr('verr.invalid_format.region'));
	await checkPage(c, 'form refused');
	// 海盐 is one region: leaving the field takes it.
	await region.fill('海盐');
	await region.blur();
	await waitForText(page.getByTestId('region_code-shown'), '浙江省嘉兴市海盐县');
	await page.getByRole('button', { name: tr('app.form.save') }).click();
	const id = (await waitForRoute(page, /^#\/applications\/\d+$/)).split('/').pop();
	c.appId = id;

	await waitForText(current, tr('journey.step.documents'));
	// A draft never reached the bureau: deleted, not withdrawn.
	await page.getByRole('button', { name: tr('action.delete') }).waitFor();
	assert.equal(await page.getByRole('button', { name: tr('action.withdraw') }).count(), 0, `${c.name}: a draft is not withdrawn`);
	for (const kind of DOC_KINDS) {
		await page.locator(`li.doc-row[data-kind="${kind}"] input[type="file"]`).setInputFiles({ name: `${kind}.pdf`, mimeType: 'application/pdf', buffer: PDF });
		await page.locator(`li.doc-row.has-doc[data-kind="${kind}"]`).waitFor();
	}
	// A phone shows a document by name, size and time; the media type and digest are for wide screens.
	const wide = c.size === 'desktop';
	assert.equal(await page.locator('li.doc-row[data-kind="charter"] .sha').isVisible(), wide, `${c.name}: digest shown`);
	assert.equal(await page.locator('li.doc-row[data-kind="charter"] .doc-type').isVisible(), wide, `${c.name}: media type shown`);
	await checkPage(c, 'documents');

	await page.getByRole('link', { name: tr('journey.next_check') }).click();
	await waitForRoute(page, `#/applications/${id}/check`);
	await waitForText(current, tr('journey.step.check'));
	await waitForText(steps.locator('li.step-done').first(), tr('journey.step.fill'));
	for (const [f, v] of [['name', c.orgName], ['legal_form', tr('legal_form.social_group')], ['category', tr('category.community_service')],
		['region_code', '海盐县（330424）'], ['funds_fen', '¥30,000.00'], ['legal_representative.name', '褚明'], ['members.individual', '55'],
		['contact.name', c.displayName], ['documents.legal_rep_id', 'legal_rep_id.pdf']]) {
		await waitForText(page.locator(`.check-body [data-field="${f}"] dd`), v);
	}
	// Each section has its change link back to it.
	const change = new RegExp(`^${tr('journey.change')}`);
	assert.equal(await page.getByRole('link', { name: change }).count(), 5, 'basic, legal representative, members, contact, documents');
	await checkPage(c, 'check your answers');
	await page.locator('[data-section="contact"]').getByRole('link', { name: change }).click();
	await waitForRoute(page, `#/applications/${id}/edit?section=contact`);
	await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'contact.name');
	await page.goBack();
	await waitForRoute(page, `#/applications/${id}/check`);
	const [sent] = await Promise.all([
		page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/applications/${id}/submit`)),
		page.getByRole('button', { name: tr('journey.submit') }).click(),
	]);
	assert.ok(sent.headers()['if-match'], 'the submission names the version checked');
	// The number, and what happens next with this application's dates.
	await waitForRoute(page, `#/applications/${id}/submitted`);
	await waitForText(current, tr('journey.step.done'));
	await waitForText(page.getByTestId('app-number'), id);
	const app = (await d.api('GET', `/api/v1/applications/${id}`, { token: await d.login(c.username, c.password) })).json.data;
	assert.equal(app.status, 'submitted');
	await waitForText(page.getByTestId('next-steps'), tr('journey.done.supplement_until', { date: app.supplement_window_ends }));
	await waitForText(page.getByTestId('next-steps'), tr('journey.timeline.decision', { n: 45, unit: tr('journey.days') }));
	await waitForText(page.getByTestId('confirmation-contact'), BUREAU.phone);
	await checkPage(c, 'confirmation');
	// Submitted, it is withdrawn, no longer deleted.
	await page.getByRole('link', { name: tr('journey.view_application') }).click();
	await page.getByRole('button', { name: tr('action.withdraw') }).waitFor();
	assert.equal(await page.getByRole('button', { name: tr('action.delete') }).count(), 0);
	await signOut(c);
}

// (b) the registrar, from the queue.
async function registrarJourney(c) {
	const { page, tr } = c;
	await signIn(c, REGISTRAR.username, REGISTRAR.password);
	await waitForRoute(page, '#/queue');
	// Staff read the before-you-start page too, without the applicant's button.
	await page.goto(`${d.url}/admin/#/apply/start`);
	await waitForText(page.getByTestId('bureau-contact'), BUREAU.phone);
	assert.equal(await page.getByRole('link', { name: tr('journey.start_now') }).count(), 0);
	await checkPage(c, 'before you start, for staff');
	await page.goto(`${d.url}/admin/#/queue`);
	const messages = page.getByTestId('messages');
	const badges = page.locator('.app-badges');

	// Supplements for another application: none listed is refused in the dialog, at the list.
	await page.getByRole('link', { name: `海盐县${c.mark}补正测试协会` }).waitFor();
	await checkPage(c, 'queue');
	await page.getByRole('link', { name: `海盐县${c.mark}补正测试协会` }).click();
	await waitForRoute(page, `#/applications/${c.supplementApp}`);
	await page.locator('button[data-action="request-supplement"]').click();
	const dialog = page.getByRole('dialog');
	await dialog.getByRole('button', { name: tr('action.request-supplement') }).click();
	await refusedAt(c, dialog, 'items', tr('error.items_empty'));
	await checkPage(c, 'supplement refused');
	await dialog.getByLabel(tr('field.field')).selectOption('documents.charter');
	await dialog.getByLabel(tr('field.message')).fill('章程草案缺少会员大会职权条款');
	await dialog.getByRole('button', { name: tr('action.request-supplement') }).click();
	await waitForText(badges, tr('status.supplement_requested'));
	await waitForText(messages, tr('action.request-supplement.done'));
	await waitForText(page.getByTestId('notices').locator('li[data-kind="supplement"]'), tr('notice_kind.supplement'));

	// The applicant's: accepted, then approved; each decision's notice listed, the approval's a PDF.
	await page.getByRole('link', { name: `← ${tr('nav.queue')}` }).click();
	await waitForRoute(page, '#/queue');
	await page.getByRole('link', { name: c.orgName }).click();
	await waitForRoute(page, `#/applications/${c.appId}`);
	await page.locator('button[data-action="accept"]').click();
	await page.getByRole('dialog').getByRole('button', { name: tr('action.accept'), exact: true }).click();
	await waitForText(messages, tr('action.accept.done'));
	await waitForText(badges, tr('status.accepted'));
	await page.locator('button[data-action="approve"]').click();
	await page.getByRole('dialog').getByRole('button', { name: tr('action.approve'), exact: true }).click();
	await waitForText(page.getByTestId('decision'), tr('app.approved_notice.establish'));
	c.uscc = (await page.getByTestId('decision').locator('code').textContent()).trim();
	assert.match(c.uscc, /^5[123]330424[0-9A-HJ-NP-RTUW-Y]{10}$/, c.uscc);
	const notices = page.getByTestId('notices');
	await waitForText(notices.locator('li[data-kind="acceptance"]'), tr('notice_kind.acceptance'));
	const approval = notices.locator('li[data-kind="approval"]');
	await waitForText(approval, tr('notice_kind.approval'));
	const [pdf, popup] = await Promise.all([
		page.waitForResponse((r) => /\/notices\/\d+\.pdf$/.test(new URL(r.url()).pathname)),
		page.context().waitForEvent('page'),
		approval.locator('button').click(),
	]);
	assert.equal(pdf.status(), 200);
	assert.equal(pdf.headers()['content-type'], 'application/pdf');
	await popup.close();
	await checkPage(c, 'approved');
	await signOut(c);
}

// (c) the public: the register, the profile, the certificate and its checks.
async function publicJourney(c) {
	const { page, tr } = c;
	await page.goto(`${d.url}/admin/#/register`);
	await page.locator('table.data tbody tr').first().waitFor();
	const more = page.getByTestId('more-filters');
	await waitForText(more.locator('summary'), tr('register.more_filters'));
	// Folded on a phone, open on a wide screen.
	assert.equal(await more.evaluate((el) => el.open), c.size === 'desktop', `${c.name}: filters folded on a phone only`);
	if (c.size === 'phone') {
		assert.equal(await page.locator('select[name="grade"]').isVisible(), false);
		await more.locator('summary').click();
	}
	assert.ok(await page.locator('select[name="grade"]').isVisible());
	await checkPage(c, 'register');
	await page.getByLabel(tr('field.q')).fill(`${c.mark}邻里`);
	const region = page.getByLabel(tr('field.region'), { exact: true });
	await region.fill('火星');
	await region.blur();
	await waitForText(page.getByTestId('region-shown'), tr('region.none'));
	await page.getByRole('button', { name: tr('common.search'), exact: true }).click();
	await refusedAt(c, page.locator('form.filters'), 'region', tr('verr.invalid_choice'));
	await checkPage(c, 'register refused');
	await region.fill('海盐');
	await region.blur();
	await waitForText(page.getByTestId('region-shown'), '浙江省嘉兴市海盐县');
	await page.getByRole('button', { name: tr('common.search'), exact: true }).click();
	await waitForRoute(page, /^#\/register\?.*region=330424/);
	await page.locator('.error-slot .problem').waitFor({ state: 'detached' });
	await page.getByRole('link', { name: c.orgName }).click();
	await waitForRoute(page, `#/org/${c.uscc}`);
	await page.getByRole('heading', { name: c.orgName, level: 1 }).waitFor();
	await waitForText(page.locator('[data-field="registration_authority"] dt'), tr('field.registration_authority'));
	await waitForText(page.locator('[data-field="registration_authority"] dd'), BUREAU.name);
	await waitForText(page.locator('[data-field="funds_fen"] dt'), tr('field.registered_funds'));
	await waitForText(page.locator('[data-field="funds_fen"] dd'), '¥30,000.00');
	await waitForText(page.getByRole('region', { name: tr('org.section.credit') }).getByTestId('credit-lists'), tr('org.no_lists'));
	const card = page.getByRole('region', { name: tr('org.section.certificate') });
	await waitForText(card.locator('.cert-paper'), c.uscc);
	await card.getByRole('button', { name: tr('org.verify') }).click();
	await waitForText(card.locator('[data-verify="valid"]'), tr('verify.valid'));
	await checkPage(c, 'profile');

	// The certificate check page: what is no certificate is refused at the field; the certificate passes.
	await page.goto(`${d.url}/admin/#/verify`);
	const text = page.getByLabel(tr('field.certificate_text'));
	await text.fill('这不是证书');
	await page.getByRole('button', { name: tr('verify.submit'), exact: true }).click();
	await refusedAt(c, page.locator('main'), 'certificate', tr('error.not_json'));
	await checkPage(c, 'certificate check refused');
	const cert = (await d.api('GET', `/api/v1/orgs/${c.uscc}/certificate`)).json.data;
	await text.fill(JSON.stringify(cert));
	await page.getByRole('button', { name: tr('verify.submit'), exact: true }).click();
	await waitForText(page.locator('[data-verify="valid"]'), tr('verify.valid'));
	await waitForText(page.getByTestId('verify-contents'), c.orgName);
	await checkPage(c, 'certificate checked');

	// The text the paper's QR code scans to (read off the PDF as a phone would) checks the same.
	await text.fill(qrOfCertificate(await (await fetch(`${d.url}/api/v1/orgs/${c.uscc}/certificate.pdf`)).arrayBuffer()));
	await page.getByRole('button', { name: tr('verify.submit'), exact: true }).click();
	await waitForText(page.locator('[data-verify="valid"]'), tr('verify.valid'));
	await waitForText(page.getByTestId('verify-contents'), cert.certificate.certificate_no);
	await checkPage(c, 'certificate QR checked');

	// Only the paper at hand: the status by the organization's code; a code that is none refused at its field.
	const status = page.getByTestId('certificate-status');
	const code = status.getByLabel(tr('field.uscc'), { exact: true });
	await code.fill(c.uscc.slice(0, 17) + (c.uscc[17] === '0' ? '1' : '0'));
	await status.getByRole('button', { name: tr('verify.status_submit'), exact: true }).click();
	await refusedAt(c, status, 'uscc', tr('verr.invalid_uscc'));
	await checkPage(c, 'certificate status refused');
	await code.fill(c.uscc.toLowerCase());
	await status.getByRole('button', { name: tr('verify.status_submit'), exact: true }).click();
	await waitForText(status.locator('[data-status="current"]'), tr('verify.status_current'));
	await waitForText(status.locator('dl'), cert.certificate.certificate_no);
	await checkPage(c, 'certificate status');
}

// The text of the QR code on a certificate PDF: its first page at 150 dpi, read by zbarimg.
function qrOfCertificate(pdf) {
	const base = path.join(os.tmpdir(), `sanzhi-cert-${process.pid}-${Date.now()}`);
	fs.writeFileSync(`${base}.pdf`, Buffer.from(pdf));
	try {
		execFileSync('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', '-singlefile', `${base}.pdf`, base]);
		const qr = execFileSync('zbarimg', ['--raw', '-q', `${base}.png`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
		assert.match(qr, /^SZC1\./);
		return qr;
	} finally {
		fs.rmSync(`${base}.pdf`, { force: true });
		fs.rmSync(`${base}.png`, { force: true });
	}
}

// (d) accounts: a failed sign-in, the forgotten password, the notifications.
async function accountJourney(c) {
	const { page, tr } = c;
	await page.goto(`${d.url}/admin/#/login`);
	await page.getByLabel(tr('field.username')).fill(c.username);
	await page.getByLabel(tr('field.password'), { exact: true }).fill('not-the-password-1');
	await page.getByRole('button', { name: tr('login.submit'), exact: true }).click();
	await waitForText(page.locator('.error-slot .problem'), tr('problem.invalid_credentials.left', { n: 4 }));
	await checkPage(c, 'sign-in refused');

	await page.getByRole('link', { name: tr('login.forgot') }).click();
	await waitForRoute(page, '#/forgot');
	await page.getByRole('button', { name: tr('forgot.submit') }).click();
	await refusedAt(c, page.locator('main'), 'login', tr('error.required'));
	await checkPage(c, 'forgot refused');
	await page.getByLabel(tr('forgot.login')).fill(c.username);
	await page.getByRole('button', { name: tr('forgot.submit') }).click();
	await waitForText(page.getByTestId('messages'), tr('forgot.sent'));
	const token = await mailedToken(c.email);
	await page.getByRole('link', { name: tr('forgot.have_token') }).click();
	await waitForRoute(page, '#/reset');
	await page.getByLabel(tr('reset.token')).fill(token);
	c.password = `${c.password}-2`;
	await page.getByLabel(tr('reset.password'), { exact: true }).fill(c.password);
	await page.getByLabel(tr('field.password_confirm')).fill(c.password);
	await page.getByRole('button', { name: tr('reset.submit') }).click();
	await waitForText(page.getByTestId('messages'), tr('reset.done'));
	await checkPage(c, 'password reset');
	await page.getByTestId('reset-sign-in').click();
	await signIn(c, c.username, c.password);
	await waitForRoute(page, '#/my/applications');

	// Accepted and approved (and the password reset): the notices, unread, counted in the header
	// and listed on their page.
	const bell = page.getByTestId('bell');
	await bell.locator('.bell-count').waitFor();
	const unread = Number(await bell.locator('.bell-count').textContent());
	await bell.click();
	await waitForRoute(page, '#/me/notifications');
	const notes = page.getByTestId('notifications').locator('li.note');
	await waitForText(notes.first(), /【/);
	const texts = await notes.allTextContents();
	assert.ok(texts.some((x) => x.includes('【受理通知】')) && texts.some((x) => x.includes('【准予登记】')), texts.join(' | '));
	assert.equal(await page.locator('li.note-unread').count(), unread, `${c.name}: the header counts the unread notices`);
	await waitForText(page.getByTestId('unread-count'), tr('notes.unread_n', { n: unread }));
	await checkPage(c, 'notifications');
	await page.getByRole('button', { name: tr('notes.read_all') }).click();
	await waitForText(page.getByTestId('unread-count'), tr('notes.none_unread'));
	assert.equal(await bell.locator('.bell-count').isHidden(), true);
	await signOut(c);
}

// (e) the admin: find, edit, reset the password of, disable and enable the applicant; who then
// chooses a new password at the sign-in.
async function adminJourney(c) {
	const { page, tr } = c;
	await signIn(c, ADMIN.username, ADMIN.password);
	await waitForRoute(page, '#/admin/users');
	await page.getByLabel(tr('users.search')).fill(c.username);
	await page.getByRole('button', { name: tr('common.search'), exact: true }).click();
	await waitForRoute(page, (h) => h.startsWith('#/admin/users?') && h.includes(`q=${c.username}`));
	const rows = page.locator('table.data tbody tr');
	await waitForText(rows.first(), c.username);
	assert.equal(await rows.count(), 1, `${c.name}: the search finds the one account`);
	const status = rows.first().locator('td.col-status');
	await checkPage(c, 'users found');

	await page.getByRole('button', { name: `${tr('users.edit')} ${c.username}` }).click();
	let dialog = page.getByRole('dialog');
	await dialog.getByLabel(tr('field.display_name')).fill('');
	await dialog.getByRole('button', { name: tr('common.save') }).click();
	await refusedAt(c, dialog, 'display_name', tr('error.required'));
	await checkPage(c, 'edit refused');
	const renamed = `${c.displayName}（已核实）`;
	await dialog.getByLabel(tr('field.display_name')).fill(renamed);
	const [patch] = await Promise.all([
		page.waitForRequest((r) => r.method() === 'PATCH' && /\/api\/v1\/users\/\d+$/.test(r.url())),
		dialog.getByRole('button', { name: tr('common.save') }).click(),
	]);
	assert.deepEqual(patch.postDataJSON(), { display_name: renamed }, 'only what changed is sent');
	await dialog.waitFor({ state: 'detached' });
	await waitForText(page.locator('main .flash-ok'), tr('users.saved', { name: renamed }));
	await waitForText(rows.first(), renamed);

	await page.getByRole('button', { name: `${tr('users.reset_password')} ${c.username}` }).click();
	dialog = page.getByRole('dialog');
	await dialog.getByLabel(tr('users.temp_password')).fill('short');
	await dialog.getByLabel(tr('field.password_confirm')).fill('short');
	await dialog.getByRole('button', { name: tr('users.reset_password') }).click();
	await refusedAt(c, dialog, 'password', tr('error.password_short', { n: 10 }));
	await checkPage(c, 'password reset refused');
	const temporary = 'Temporary-pass-1';
	await dialog.getByLabel(tr('users.temp_password')).fill(temporary);
	await dialog.getByLabel(tr('field.password_confirm')).fill(temporary);
	await dialog.getByRole('button', { name: tr('users.reset_password') }).click();
	await dialog.waitFor({ state: 'detached' });
	await waitForText(page.locator('main .flash-ok'), tr('users.password_reset_done', { name: c.username }));
	await waitForText(status, tr('user_status.must_change'));

	await page.getByRole('button', { name: `${tr('users.disable')} ${c.username}` }).click();
	await page.getByRole('dialog').getByRole('button', { name: tr('users.disable') }).click();
	await waitForText(page.locator('main .flash-ok'), tr('users.disabled_done', { name: renamed }));
	await waitForText(status, tr('user_status.disabled'));
	const refused = await d.api('POST', '/api/v1/auth/login', { body: { username: c.username, password: temporary } });
	assert.ok(refused.status >= 400, `${c.name}: a disabled account cannot sign in (${refused.status})`);
	await page.getByRole('button', { name: `${tr('users.enable')} ${c.username}` }).click();
	await page.getByRole('dialog').getByRole('button', { name: tr('users.enable') }).click();
	await waitForText(page.locator('main .flash-ok'), tr('users.enabled_done', { name: renamed }));
	await waitForText(status, tr('user_status.active'));
	await checkPage(c, 'users changed');
	await signOut(c);

	// The temporary password signs in once, to choose a new one.
	await page.getByLabel(tr('field.username')).fill(c.username);
	await page.getByLabel(tr('field.password'), { exact: true }).fill(temporary);
	await page.getByRole('button', { name: tr('login.submit'), exact: true }).click();
	await page.getByTestId('password-change').waitFor();
	await checkPage(c, 'must change the password');
	c.password = `${c.password}-3`;
	await page.getByLabel(tr('field.new_password'), { exact: true }).fill(c.password);
	await page.getByLabel(tr('field.new_password_confirm')).fill(c.password);
	await page.getByRole('button', { name: tr('login.change_submit') }).click();
	await waitForRoute(page, '#/my/applications');
	await waitForText(page.locator('table.data'), c.orgName);
	await checkPage(c, 'signed in with the chosen password');
}

// ---------------------------------------------------------------- the matrix

for (const [i, combo] of COMBOS.entries()) {
	const name = `${combo.viewport.width} px, ${combo.lang}`;
	test(`${name}: apply, decide, find and verify, recover an account, administer it`, async () => {
		const context = await b.browser.newContext({ viewport: combo.viewport, locale: combo.lang === 'zh' ? 'zh-CN' : 'en-US', timezoneId: 'Asia/Shanghai' });
		context.setDefaultTimeout(15000);
		const page = await context.newPage();
		const errors = [];
		page.on('pageerror', (e) => errors.push(e));
		const username = `mx${i}${combo.lang}${combo.size}`;
		const c = {
			...combo, name, page, tr: translator(combo.lang), username, displayName: `${combo.mark}申请人`,
			password: `${username}-Pass-2025`, email: `${username}@example.cn`, orgName: `海盐县${combo.mark}邻里互助促进会`,
		};
		let step = '';
		try {
			for (const [label, fn] of [['(a) the application', applicantJourney], ['(b) the registrar', registrarJourney],
				['(c) the public', publicJourney], ['(d) the account', accountJourney], ['(e) the admin', adminJourney]]) {
				step = label;
				await fn(c);
			}
			assert.deepEqual(errors.map((e) => e.message), [], 'no uncaught errors in the page');
		} catch (err) {
			const file = path.join(os.tmpdir(), `sanzhi-browser-matrix-${combo.size}-${combo.lang}.png`);
			await page.screenshot({ path: file, fullPage: true }).catch(() => {});
			err.message = `${name}, ${step}: ${err.message}\n(screenshot: ${file}; at ${page.url()})`;
			throw err;
		} finally {
			await context.close().catch(() => {});
		}
	});
}
