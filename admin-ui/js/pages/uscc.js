// Unified social credit code check (GB 32100-2015): GET /uscc/{code}, public.

import { h, append } from '../dom.js';
import { t, label } from '../i18n.js';
import { get } from '../api.js';
import { field, pageHeader, showProblem, localProblem, dl, mono, busy, notice } from '../ui.js';

export function usccPage(view, ctx) {
	const initial = (ctx.params.code || '').toUpperCase();
	const result = h('div', { class: 'uscc-result', 'aria-live': 'polite' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('uscc.check'));
	const form = h('form', { class: 'inline-form', novalidate: true },
		field({ name: 'uscc', value: initial, attrs: { maxlength: 18, autocapitalize: 'characters', spellcheck: 'false', autocomplete: 'off', class: 'mono' } }),
		submit);

	async function check(code) {
		result.replaceChildren();
		if (!code) {
			showProblem(result, localProblem([{ field: 'uscc', message: t('error.required') }]), form);
			return;
		}
		try {
			const r = await get(`/uscc/${encodeURIComponent(code)}`, { auth: false });
			const d = r.data || {};
			showProblem(result, null, form);
			append(result, [
				d.valid ? notice(`${t('uscc.valid')}${t('common.colon')}${code}`, 'ok') : notice(`${t('uscc.invalid')}${t('common.colon')}${label('uscc_reason', d.reason) || d.reason || ''}`, 'danger'),
				dl([
					['field.uscc_authority', d.authority ? `${d.authority} · ${label('authority', d.authority)}` : ''],
					['field.category', d.category ? `${d.category} · ${label('uscc_category', d.category)}` : ''],
					['field.region_code', d.region_name ? `${d.region_code}（${d.region_name}）` : d.region_code],
					['field.org_code', d.org_code ? mono(d.org_code) : ''],
				]),
				d.valid ? h('p', {}, h('a', { href: `#/register?q=${encodeURIComponent(code)}` }, t('uscc.find_org'))) : null]);
		} catch (e) {
			showProblem(result, e, form);
		}
	}

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const code = form.elements.uscc.value.trim().toUpperCase();
		form.elements.uscc.value = code;
		busy(submit, () => check(code));
	});
	view.append(pageHeader('uscc.title', 'uscc.intro'), h('section', { class: 'card' }, form, result));
	if (initial) check(initial);
}
