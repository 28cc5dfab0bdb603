// browser.mjs — Debian's chromium, driven by playwright-core, for the browser tests.
// Each page gets a fresh context (no cookies, storage or cache shared between users).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.SANZHI_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function openBrowser() {
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
	const contexts = [];
	return {
		browser,
		// A page in a fresh context. page.errors collects uncaught exceptions of the UI's scripts.
		// timezoneId: the browser's zone (the UI shows China time whatever it is).
		async newPage({ viewport = DESKTOP, timezoneId = 'Asia/Shanghai' } = {}) {
			const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId });
			context.setDefaultTimeout(15000);
			contexts.push(context);
			const page = await context.newPage();
			page.errors = [];
			page.on('pageerror', (e) => page.errors.push(e));
			return page;
		},
		async close() {
			for (const c of contexts) await c.close().catch(() => {});
			await browser.close();
		},
	};
}

// Runs fn(page); on failure saves a screenshot to the temp directory and says where.
export async function withPage(b, name, fn, opts) {
	const page = await b.newPage(opts);
	try {
		await fn(page);
		if (page.errors.length) throw new Error(`uncaught errors in the page: ${page.errors.map((e) => e.stack || e.message).join('\n')}`);
	} catch (err) {
		const file = path.join(os.tmpdir(), `sanzhi-browser-${name.replace(/[^\w-]+/g, '_')}.png`);
		await page.screenshot({ path: file, fullPage: true }).catch(() => {});
		if (fs.existsSync(file)) err.message += `\n(screenshot: ${file}; at ${page.url()})`;
		throw err;
	} finally {
		await page.context().close().catch(() => {});
	}
}

// Waits until the locator's text contains `text` (a string or RegExp); returns the text.
export async function waitForText(locator, text, { timeout = 15000 } = {}) {
	const deadline = Date.now() + timeout;
	let last = '';
	for (;;) {
		last = (await locator.first().textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => '')) || '';
		if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${text} in ${locator}; last text: ${JSON.stringify(last)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

// Waits until the page's hash route equals `hash` (or matches a RegExp, or passes a predicate).
export async function waitForRoute(page, hash, { timeout = 15000 } = {}) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const h = new URL(page.url()).hash;
		const ok = typeof hash === 'string' ? h === hash : typeof hash === 'function' ? hash(h) : hash.test(h);
		if (ok) return h;
		if (Date.now() > deadline) throw new Error(`timed out waiting for route ${hash}; at ${h}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

// Signs in through the UI.
export async function signIn(page, baseUrl, username, password) {
	await page.goto(`${baseUrl}/admin/#/login`);
	await page.getByLabel('用户名').fill(username);
	await page.getByLabel('密码', { exact: true }).fill(password);
	await page.getByRole('button', { name: '登录', exact: true }).click();
	await waitForRoute(page, (h) => h !== '#/login');
}

export async function signOut(page) {
	await page.getByRole('button', { name: '退出登录' }).click();
	await waitForRoute(page, '#/login');
}

// What the UI must show for an RFC 3339 time: "YYYY-MM-DD HH:MM" in China time (UTC+8, no DST).
export function chinaTime(iso) {
	return new Date(Date.parse(iso) + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

// How far the page is wider than its window (0 or less: nothing sticks out).
export function overflow(page) {
	return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
