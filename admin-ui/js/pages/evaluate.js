// An evaluator's tenders (SPEC §6, §7): those whose committee names the signed-in evaluator.
// The daemon has no list of one's committees; the published tenders that can have a committee are
// asked for theirs (GET …/committee answers a member, refuses anyone else), first page of each state.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { get, qs, ApiError } from '../api.js';
import { pageHeader, dataTable, showProblem, loading, badge, fmtDateTime } from '../ui.js';
import { tenderStatusBadge } from '../tenders.js';

const STATES = ['active.evaluation', 'active.opening', 'active.tendering', 'active.enquiries'];

export async function evaluatePage(view, ctx) {
	const slot = h('div', {}, loading());
	view.append(pageHeader('evaluate.title', 'evaluate.intro'), slot);
	const found = [];
	try {
		for (const status of STATES) {
			const items = (await get(`/tenders${qs({ status, limit: 200 })}`)).data || [];
			const answers = await Promise.all(items.map((x) => get(`/tenders/${encodeURIComponent(x.id)}/committee`)
				.then((r) => r.data, (e) => { if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return null; throw e; })));
			items.forEach((x, i) => {
				const c = answers[i];
				const me = c && (c.members || []).find((m) => m.user_id === ctx.user.id);
				if (me) found.push({ x, me });
			});
		}
	} catch (e) {
		showProblem(slot, e, null, { title: 'error.load_failed' });
		return;
	}
	const tbl = dataTable([
		{ key: 'tender.f.title', cell: ({ x }) => h('a', { href: `#/tenders/${encodeURIComponent(x.id)}` }, x.title) },
		{ key: 'tender.f.status', cell: ({ x }) => tenderStatusBadge(x.status) },
		{ key: 'tender.f.bid_deadline', cell: ({ x }) => fmtDateTime(x.bid_deadline), class: 'nowrap' },
		{
			key: 'evaluate.col.mine',
			cell: ({ me }) => h('span', {}, me.chair ? [badge(t('committee.chair'), 'ok'), ' '] : null,
				me.recused ? badge(t('committee.recused.any'), 'danger') : me.submitted ? badge(t('committee.submitted'), 'ok')
					: me.declared ? badge(t('committee.declared'), 'info') : badge(t('committee.not_declared'), 'muted')),
		},
	], { caption: t('evaluate.title') });
	tbl.table.dataset.testid = 'my-committees';
	tbl.add(found);
	slot.replaceChildren(found.length ? tbl.el : h('p', { class: 'empty' }, t('evaluate.empty')));
}
