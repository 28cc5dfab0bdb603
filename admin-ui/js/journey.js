// journey.js — the applicant's way through an establishment application, as the best public
// services guide it: the bureau (who to ask, how long each step may take, from GET /bureau),
// and the step indicator shown on every page of the way (fill in → documents → check → done).

import { h } from './dom.js';
import { t } from './i18n.js';
import { get } from './api.js';

let bureauPromise = null;

// The bureau as the daemon is configured (GET /api/v1/bureau, public), fetched once a page load.
export function getBureau() {
	if (!bureauPromise) {
		bureauPromise = get('/bureau', { auth: false }).then((r) => r.data).catch(() => {
			bureauPromise = null;
			return null;
		});
	}
	return bureauPromise;
}

// The bureau's contact as lines (only the parts configured); null when nothing is.
export function bureauContact(b, { testid = 'bureau-contact' } = {}) {
	if (!b || !(b.name || b.phone || b.address || b.hours)) return null;
	const line = (key, value, node) => (value ? h('div', { class: 'kv-row' }, h('dt', {}, t(key)), h('dd', {}, node || value)) : null);
	return h('dl', { class: 'kv bureau', 'data-testid': testid },
		line('bureau.name', b.name),
		line('bureau.phone', b.phone, b.phone ? h('a', { href: `tel:${b.phone.replace(/[^\d+]/g, '')}` }, b.phone) : null),
		line('bureau.address', b.address),
		line('bureau.hours', b.hours));
}

// The periods an applicant can count on, as sentences: from the rules the daemon runs with.
export function periodsText(b) {
	const p = (b && b.periods) || {};
	const unit = p.decision_days_working ? t('journey.working_days') : t('journey.days');
	return {
		supplement: t('journey.timeline.supplement', { n: p.supplement_window_working_days ?? '—' }),
		decision: t('journey.timeline.decision', { n: p.decision_days ?? '—', unit }),
		charity: t('journey.timeline.charity', { n: p.decision_days_charity ?? '—', unit }),
	};
}

export const STEPS = ['fill', 'documents', 'check', 'done'];

// <ol> of the steps; current is one of STEPS. Earlier steps read as done, later ones as to come.
export function stepIndicator(current) {
	const at = STEPS.indexOf(current);
	return h('nav', { class: 'steps-nav', 'aria-label': t('journey.steps') },
		h('ol', { class: 'steps', 'data-testid': 'steps' }, STEPS.map((s, i) => h('li', {
			class: ['step', i < at && 'step-done', i === at && 'step-current'],
			'aria-current': i === at ? 'step' : null,
		},
		h('span', { class: 'step-n', 'aria-hidden': 'true' }, String(i + 1)),
		h('span', { class: 'step-label' }, t(`journey.step.${s}`)),
		i < at ? h('span', { class: 'sr-only' }, ` (${t('journey.step_done')})`) : null))));
}
