// dom.js — builds DOM nodes. Text is always set with textContent / text nodes, never as HTML,
// so data from the API cannot inject markup (no innerHTML anywhere in the UI).

const BOOL_PROPS = new Set(['checked', 'disabled', 'selected', 'hidden', 'required', 'multiple', 'open', 'readOnly']);

// h('a', {href: '#/x', class: 'btn', onclick: fn}, 'text', child, [more, children])
export function h(tag, props, ...children) {
	const el = document.createElement(tag);
	let value;
	for (const [k, v] of Object.entries(props || {})) {
		if (v == null || v === false) continue;
		if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
		else if (k === 'text') el.textContent = String(v);
		else if (k === 'dataset') Object.assign(el.dataset, v);
		else if (k === 'value') value = v;
		else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
		else if (BOOL_PROPS.has(k)) el[k] = Boolean(v);
		else el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, children);
	// A select's value can only be set once its options exist.
	if (value !== undefined) el.value = value;
	return el;
}

export function append(el, children) {
	for (const c of [children].flat(Infinity)) {
		if (c == null || c === false) continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

export function clear(el) {
	el.replaceChildren();
	return el;
}

let seq = 0;
export function uid(prefix = 'id') {
	seq += 1;
	return `${prefix}-${seq}`;
}
