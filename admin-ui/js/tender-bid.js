// tender-bid.js — an applicant's bid on a tender's page (SPEC §6, Appendix B): for one of the
// organizations it acts for (GET /me/orgs), a price in yuan and a technical proposal, sealed by
// the daemon (POST /tenders/{id}/bids); documents (PDF, JPEG, PNG) added one by one, each a new
// receipt. The receipt — bid id, time, SHA-256 of the sealed content — is shown and can be
// downloaded as a JSON file; the bid can be replaced (PUT, a new receipt) or withdrawn until the
// deadline. Refusals are said in words at the field they concern (the organization's rules).

import { h, uid } from './dom.js';
import { t } from './i18n.js';
import { get, post, put, api, apiBlob, qs, ApiError, idempotencyKeys } from './api.js';
import {
	dl, loading, showProblem, localProblem, fmtDateTime, fmtYuan, fmtBytes, busy, messageArea, openDialog, field, mono, badge,
} from './ui.js';
import { readYuan, fenToYuan } from './money.js';
import { DOC_MEDIA_TYPES } from './enums.js';
import { myOrgs } from './org-data.js';
import { knownBids, rememberBid, receiptFile } from './tenders.js';

function mediaTypeOf(file) {
	if (Object.values(DOC_MEDIA_TYPES).includes(file.type)) return file.type;
	const ext = (file.name.split('.').pop() || '').toLowerCase();
	return DOC_MEDIA_TYPES[ext] || null;
}

// One Idempotency-Key per file and bid: a second try of the same upload adds it once.
const docKeys = new Map();
function docKey(bidId, file) {
	const k = `${bidId}|${file.name}|${file.size}|${file.lastModified}`;
	if (!docKeys.has(k)) docKeys.set(k, globalThis.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`.replace(/\D/g, ''));
	return docKeys.get(k);
}

function uploadDocument(tenderId, bidId, file) {
	return api('POST', `/tenders/${encodeURIComponent(tenderId)}/bids/${encodeURIComponent(bidId)}/documents${qs({ name: file.name })}`,
		{ body: file, contentType: mediaTypeOf(file), headers: { 'Idempotency-Key': docKey(bidId, file) } });
}

// Checks the chosen files before anything is sent; returns an error text or null.
function checkFiles(files) {
	for (const f of files) if (!mediaTypeOf(f)) return t('error.file_type');
	return null;
}

function fileField(name, labelKey) {
	const id = uid('file');
	return h('div', { class: 'field', dataset: { field: name, label: t(labelKey) } },
		h('div', { class: 'field-label' }, h('label', { for: id }, t(labelKey))),
		h('input', {
			type: 'file', id, name, multiple: true, accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png', 'aria-describedby': `${id}-hint`,
		}),
		h('p', { class: 'hint', id: `${id}-hint` }, t('bid.hint.documents')));
}

function downloadLink(blob, name, text, testid) {
	return h('a', { class: 'btn btn-small', href: URL.createObjectURL(blob), download: name, 'data-testid': testid }, text);
}

export async function bidSection(tender, ctx) {
	const tid = tender.id;
	const enc = encodeURIComponent(tid);
	const user = ctx.user;
	const titleId = uid('sec');
	const msg = messageArea();
	const body = h('div', {}, loading());
	const sec = h('section', { class: 'card bid-section', 'aria-labelledby': titleId, 'data-testid': 'tender-bid' },
		h('h2', { id: titleId }, t('bid.title')), h('p', { class: 'hint' }, t('bid.intro', { at: fmtDateTime(tender.bid_deadline) })), msg.el, body);

	let orgs = [];
	try {
		orgs = await myOrgs();
	} catch (e) {
		showProblem(body, e, null, { title: 'error.load_failed' });
		return sec;
	}
	const orgName = (uscc) => (orgs.find((o) => o.uscc === uscc) || {}).name || '';

	// The bids this browser knows of, read back from the daemon (only the bidder can).
	async function loadBids() {
		const out = [];
		for (const [uscc, bidId] of Object.entries(knownBids(user, tid))) {
			try {
				const r = await get(`/tenders/${enc}/bids/${encodeURIComponent(bidId)}`);
				out.push(r.data);
			} catch (e) {
				if (!(e instanceof ApiError && e.status === 404)) out.push({ id: bidId, org_uscc: uscc, error: e });
			}
		}
		return out;
	}

	// A receipt said in words, for the message after each step.
	const receiptText = (key, r) => t(key, { id: r.id, at: fmtDateTime(r.submitted_at, { seconds: true }), sha: r.sha256 });

	async function render(after) {
		const bids = await loadBids();
		const live = new Set(bids.filter((b) => b.status === 'submitted').map((b) => b.org_uscc));
		const parts = bids.map((b) => bidCard(b));
		const free = orgs.filter((o) => !live.has(o.uscc) && o.status !== 'deregistered');
		if (!orgs.length) parts.push(h('p', { class: 'empty' }, t('bid.no_orgs')));
		else if (free.length) parts.push(newBidForm(free));
		body.replaceChildren(...parts);
		if (after) after();
	}

	// ------------------------------------------------------------ a bid and its receipt
	function bidCard(b) {
		if (b.error) {
			const box = h('div', { class: 'bid-card' });
			showProblem(box, b.error, null, { title: 'error.load_failed' });
			return box;
		}
		const name = orgName(b.org_uscc);
		const card = h('div', { class: ['bid-card', b.status === 'withdrawn' && 'bid-withdrawn'], 'data-testid': 'bid-receipt', dataset: { bidId: b.id } },
			h('h3', {}, t('bid.receipt_title', { org: name || b.org_uscc }), ' ',
				b.status === 'submitted' ? badge(t('bid.status.submitted'), 'ok') : badge(t('bid.status.withdrawn'), 'muted')),
			dl([
				['bid.f.id', h('span', { 'data-testid': 'receipt-id' }, String(b.id))],
				['bid.f.org', h('span', {}, name, ' ', mono(b.org_uscc))],
				['bid.f.submitted_at', h('span', { 'data-testid': 'receipt-time' }, fmtDateTime(b.submitted_at, { seconds: true }))],
				b.withdrawn_at ? ['bid.f.withdrawn_at', fmtDateTime(b.withdrawn_at, { seconds: true })] : null,
				['bid.f.sha256', h('code', { class: 'mono wrap', 'data-testid': 'receipt-sha256' }, b.sha256)],
				b.price_fen != null ? ['bid.f.price', fmtYuan(b.price_fen)] : null,
				b.intact === false ? ['bid.f.intact', h('strong', { class: 'total-bad' }, t('bid.not_intact'))] : null,
			]),
			b.technical_proposal != null ? h('details', { class: 'bid-proposal' }, h('summary', {}, t('bid.f.proposal')), h('p', { class: 'wrap-text' }, b.technical_proposal)) : null,
			documentsList(b),
			h('p', { class: 'hint' }, t('bid.receipt_hint')));
		const acts = h('div', { class: 'actions' },
			downloadLink(receiptFile(tender, b, name), `bid-receipt-${tid}-${b.id}.json`, t('bid.download_receipt'), 'receipt-download'));
		if (b.status === 'submitted') {
			acts.append(
				h('button', { type: 'button', class: 'btn btn-small', onclick: () => showReplace(card, b) }, t('bid.replace')),
				addDocumentControl(b),
				h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', onclick: () => withdraw(b) }, t('bid.withdraw')));
		}
		card.append(acts);
		return card;
	}

	function documentsList(b) {
		const docs = Array.isArray(b.documents) ? b.documents : [];
		if (!docs.length) return h('p', { class: 'muted' }, t('bid.no_documents'));
		const status = h('p', { role: 'status' });
		return h('div', {}, h('h4', {}, t('bid.f.documents')), h('ul', { class: 'doc-list' }, docs.map((d) => h('li', { class: 'doc-row' },
			h('span', { class: 'doc-name' }, d.name || String(d.id)),
			h('span', { class: 'muted' }, ` ${fmtBytes(d.size)} · ${d.media_type} · SHA-256 `), mono(`${String(d.sha256).slice(0, 12)}…`, d.sha256), ' ',
			h('button', {
				type: 'button', class: 'btn btn-small', 'aria-label': `${t('app.download')} ${d.name || ''}`,
				onclick: (ev) => busy(ev.currentTarget, async () => {
					try {
						const blob = await apiBlob(`/tenders/${enc}/bids/${encodeURIComponent(b.id)}/documents/${encodeURIComponent(d.id)}`);
						const a = h('a', { href: URL.createObjectURL(new Blob([blob], { type: d.media_type })), download: d.name || `document-${d.id}` });
						document.body.append(a);
						a.click();
						a.remove();
					} catch (e) {
						showProblem(status, e, null, { title: 'error.load_failed' });
					}
				}),
			}, t('app.download'))))), status);
	}

	function addDocumentControl(b) {
		const id = uid('adddoc');
		const input = h('input', { type: 'file', id, class: 'file-input', multiple: true, accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png' });
		input.addEventListener('change', async () => {
			const files = [...(input.files || [])];
			if (!files.length) return;
			const bad = checkFiles(files);
			if (bad) {
				msg.problem(localProblem([], bad), null, { title: 'error.upload_failed' });
				input.value = '';
				return;
			}
			msg.ok(t('bid.uploading'), 'warn');
			let last = null;
			try {
				for (const f of files) last = (await uploadDocument(tid, b.id, f)).data;
			} catch (e) {
				await render();
				msg.problem(e, null, { title: 'error.upload_failed' });
				return;
			}
			await render(() => msg.ok(receiptText('bid.documents_added', last)));
		});
		return h('span', { class: 'file-pick' }, h('label', { for: id, class: 'btn btn-small' }, t('bid.add_documents')), input);
	}

	// ------------------------------------------------------------ replace and withdraw
	function showReplace(card, b) {
		if (card.querySelector('form.bid-replace')) return;
		const errSlot = h('div');
		const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('bid.replace_submit'));
		const form = h('form', { class: 'bid-replace stack', novalidate: true, 'aria-label': t('bid.replace') },
			h('h4', {}, t('bid.replace')), errSlot,
			field({ name: 'price_fen', label: 'bid.f.price_yuan', required: true, hint: 'bid.hint.price', value: b.price_fen != null ? fenToYuan(b.price_fen) : '', attrs: { inputmode: 'decimal', autocomplete: 'off' } }),
			field({ name: 'technical_proposal', label: 'bid.f.proposal', type: 'textarea', rows: 6, required: true, value: b.technical_proposal || '', attrs: { maxlength: 100000 } }),
			h('div', { class: 'actions' }, btn, h('button', { type: 'button', class: 'btn', onclick: () => form.remove() }, t('common.cancel'))));
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			busy(btn, async () => {
				const { body: payload, errors } = readBid(form, false);
				if (errors.length) {
					showProblem(errSlot, localProblem(errors), form, { title: 'error.submit_failed' });
					return;
				}
				let r;
				try {
					r = (await put(`/tenders/${enc}/bids/${encodeURIComponent(b.id)}`, payload, { ifMatch: b.version })).data;
				} catch (e) {
					showProblem(errSlot, e, form, { title: 'error.submit_failed' });
					return;
				}
				await render(() => msg.ok(receiptText('bid.replaced', r)));
			});
		});
		card.append(form);
		form.querySelector('input').focus();
	}

	async function withdraw(b) {
		const r = await openDialog({
			title: t('bid.withdraw'), danger: true, confirmLabel: t('bid.withdraw'),
			body: [h('p', {}, t('bid.withdraw_confirm', { org: orgName(b.org_uscc) || b.org_uscc }))],
			onConfirm: async () => (await post(`/tenders/${enc}/bids/${encodeURIComponent(b.id)}/withdraw`, {}, { ifMatch: b.version })).data,
		});
		if (r) await render(() => msg.ok(t('bid.withdrawn')));
	}

	// ------------------------------------------------------------ a new bid
	function readBid(form, withOrg) {
		const v = (n) => form.elements.namedItem(n).value.trim();
		const errors = [];
		const payload = {};
		if (withOrg) {
			payload.org_uscc = v('org_uscc');
			if (!payload.org_uscc) errors.push({ field: 'org_uscc', message: t('error.required') });
		}
		const price = readYuan(v('price_fen'), { required: true });
		if (price.error) errors.push({ field: 'price_fen', message: t(price.error) });
		else if (price.fen < 1) errors.push({ field: 'price_fen', message: t('bid.error.price_zero') });
		else payload.price_fen = price.fen;
		payload.technical_proposal = v('technical_proposal');
		if (!payload.technical_proposal) errors.push({ field: 'technical_proposal', message: t('error.required') });
		return { body: payload, errors };
	}

	function newBidForm(free) {
		const keyFor = idempotencyKeys();
		const errSlot = h('div');
		const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('bid.submit'));
		const orgField = field({
			name: 'org_uscc', label: 'bid.f.org', type: 'select', required: true, value: free.length === 1 ? free[0].uscc : '',
			options: [['', t('app.form.choose')], ...free.map((o) => [o.uscc, `${o.name}（${o.uscc}）`])],
		});
		const form = h('form', { class: 'bid-form stack', novalidate: true, 'aria-label': t('bid.new_title') },
			h('h3', {}, t('bid.new_title')), errSlot,
			// The daemon's eligibility refusals name the field "org": they go under the choice.
			h('div', { dataset: { field: 'org', label: t('bid.f.org') } }, orgField),
			field({ name: 'price_fen', label: 'bid.f.price_yuan', required: true, hint: 'bid.hint.price', attrs: { inputmode: 'decimal', autocomplete: 'off', placeholder: '1150000.00' } }),
			field({ name: 'technical_proposal', label: 'bid.f.proposal', type: 'textarea', rows: 6, required: true, hint: 'bid.hint.proposal', attrs: { maxlength: 100000 } }),
			fileField('documents', 'bid.f.documents_optional'),
			h('p', { class: 'hint' }, t('bid.sealed_note')),
			h('div', { class: 'actions' }, btn));
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			busy(btn, async () => {
				const { body: payload, errors } = readBid(form, true);
				const files = [...(form.elements.namedItem('documents').files || [])];
				const bad = checkFiles(files);
				if (bad) errors.push({ field: 'documents', message: bad });
				if (errors.length) {
					showProblem(errSlot, localProblem(errors), form, { title: 'error.submit_failed' });
					return;
				}
				let receipt;
				try {
					receipt = (await post(`/tenders/${enc}/bids`, payload, { headers: { 'Idempotency-Key': keyFor(payload) } })).data;
				} catch (e) {
					showProblem(errSlot, e, form, { title: 'bid.refused' });
					return;
				}
				rememberBid(user, tid, receipt.org_uscc, receipt.id);
				let uploadError = null;
				for (const f of files) {
					try {
						receipt = (await uploadDocument(tid, receipt.id, f)).data;
					} catch (e) {
						uploadError = e;
						break;
					}
				}
				await render(() => {
					msg.ok(receiptText('bid.submitted', receipt));
					if (uploadError) {
						const box = h('div');
						showProblem(box, uploadError, null, { title: 'bid.upload_failed_after' });
						msg.el.append(box);
					}
					const card = body.querySelector(`[data-bid-id="${CSS.escape(String(receipt.id))}"]`);
					if (card) card.scrollIntoView({ block: 'nearest' });
				});
			});
		});
		return form;
	}

	await render();
	return sec;
}
