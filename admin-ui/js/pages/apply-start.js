// Before you start (#/apply/start, public): who may apply for establishment registration, the
// documents, how long each step may take (the daemon's rules, GET /bureau), that there is no fee,
// and whom to ask. Its button leads to the form (which asks an applicant to sign in first).

import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { pageHeader } from '../ui.js';
import { DOC_KINDS } from '../enums.js';
import { getBureau, bureauContact, periodsText } from '../journey.js';

function section(id, titleKey, ...body) {
	return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, t(titleKey)), body);
}

export async function applyStartPage(view, ctx) {
	const timeline = h('ol', { class: 'timeline-steps', 'data-testid': 'timeline' });
	const contact = h('div', {}, h('p', { class: 'muted' }, t('app.loading')));
	const start = ctx.user && ctx.user.role !== 'applicant' ? null
		: h('a', { class: 'btn btn-primary btn-start', href: '#/applications/new' }, t('journey.start_now'));
	view.append(
		pageHeader('journey.start.title', 'journey.start.intro'),
		section('start-who', 'journey.start.who',
			h('ul', {}, ['journey.who.1', 'journey.who.2', 'journey.who.3', 'journey.who.4'].map((k) => h('li', {}, t(k))))),
		section('start-docs', 'journey.start.documents',
			h('p', {}, t('journey.documents.intro')),
			h('dl', { class: 'kv docs-needed', 'data-testid': 'documents-needed' }, DOC_KINDS.map((k) => h('div', { class: 'kv-row' },
				h('dt', {}, label('doc', k)), h('dd', {}, t(`journey.doc.${k}`))))),
			h('p', { class: 'hint' }, t('hint.file_types'))),
		section('start-time', 'journey.start.timeline', timeline, h('p', { class: 'hint', 'data-testid': 'timeline-source' }, t('journey.timeline.source'))),
		section('start-fee', 'journey.start.fee', h('p', { 'data-testid': 'fee' }, t('journey.fee'))),
		section('start-contact', 'journey.start.contact', contact));
	// (view.append would write a null as the word "null".)
	if (start) view.append(h('p', { class: 'actions' }, start));
	const b = await getBureau();
	const p = periodsText(b);
	timeline.replaceChildren(
		h('li', {}, t('journey.timeline.submit')),
		h('li', {}, p.supplement),
		h('li', {}, p.decision, ' ', p.charity),
		h('li', {}, t('journey.timeline.certificate')));
	contact.replaceChildren(bureauContact(b) || h('p', { class: 'muted' }, t('bureau.none')));
}
