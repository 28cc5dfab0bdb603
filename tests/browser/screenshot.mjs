// screenshot.mjs — refreshes admin-ui/screenshot.png (shown in admin-ui/README.md): the registrar
// queue in Chinese at 1280x800, with an overdue application highlighted. Not a test; run it with
//   eval "$(scripts/devdb.sh env)" && node tests/browser/screenshot.mjs
import path from 'node:path';
import { startDaemon, ROOT } from '../lib/daemon.mjs';
import { openBrowser, signIn, waitForRoute } from './browser.mjs';
import { signUpApplicant, fileEstablishment, registerOrg, fileChange, fileDeregistration, act, day } from './fixtures.mjs';

const OUT = process.argv[2] || path.join(ROOT, 'admin-ui/screenshot.png');
const REGISTRAR = { username: 'li_shencha', password: 'Registrar-pass-2025', role: 'registrar', display_name: '李审查' };

const d = await startDaemon();
const b = await openBrowser();
try {
	await d.addUser(REGISTRAR);
	const reg = await d.login(REGISTRAR.username, REGISTRAR.password);
	const app = await signUpApplicant(d, { username: 'wang_xm', password: 'Applicant-pass-2025', display_name: '王晓梅' });
	await d.setClock(day(0));
	const org = await registerOrg(d, app, reg, '海盐县银龄互助养老服务协会');
	await act(d, reg, await fileEstablishment(d, app, '海盐县乡村养老互助协会'), 'accept');
	await d.setClock(day(20));
	await act(d, reg, await fileEstablishment(d, app, '海盐县社区书香服务协会'), 'accept');
	await d.setClock(day(40));
	const other = await registerOrg(d, app, reg, '海盐县邻里守望服务协会');
	await act(d, reg, await fileEstablishment(d, app, '海盐县青少年围棋协会', { extra: { category: 'science_technology' } }), 'accept');
	await d.setClock(day(63));
	await fileChange(d, app, org, { domicile: '海盐县武原街道海滨东路 8 号', name: '海盐县银龄互助服务协会' });
	await fileDeregistration(d, app, other, '会员大会决议解散，已完成清算。');
	await fileEstablishment(d, app, '海盐县茶文化研究会');
	await d.setClock(day(65));

	const page = await b.newPage({ viewport: { width: 1280, height: 800 } });
	await signIn(page, d.url, REGISTRAR.username, REGISTRAR.password);
	await waitForRoute(page, '#/queue');
	await page.locator('tr.row-overdue').first().waitFor();
	await page.locator('nav.tabs a[data-tab="pending"] .tab-count:not([hidden])').waitFor();
	await page.mouse.move(0, 0);
	await page.screenshot({ path: OUT });
	console.log(`wrote ${OUT}`);
} finally {
	await b.close();
	await d.stop();
}
