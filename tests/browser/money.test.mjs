// The admin UI's yuan <-> fen conversion (admin-ui/js/money.js): exact, by string handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYuanToFen, fenToYuan, readYuan, MAX_FEN } from '../../admin-ui/js/money.js';

test('yuan text parses to integer fen exactly', () => {
	const cases = {
		'30000.50': 3000050, '30000.5': 3000050, '30000': 3000000, '0.01': 1, '0.1': 10, '0': 0, '.': null,
		'1.005': null, '0.29': 29, '4.35': 435, '1.13': 113, '2000000.00': 200000000, '30,000.50': 3000050,
		'３': null, '¥8,000,000': 800000000, '  12.30 ': 1230, '-1': null, '1e3': null, '': null, 'abc': null,
		'90071992547409.91': 9007199254740991, '90071992547409.92': null, '007.50': 750,
	};
	for (const [text, fen] of Object.entries(cases)) assert.equal(parseYuanToFen(text), fen, text);
	// 4.35 * 100 is 434.99999999999994 in floating point; the string arithmetic is exact.
	assert.equal(parseYuanToFen('4.35'), 435);
	assert.equal(parseYuanToFen(undefined), null);
});

test('fen formats as yuan with two decimals', () => {
	assert.equal(fenToYuan(3000050), '30000.50');
	assert.equal(fenToYuan(3000050, { group: true }), '30,000.50');
	assert.equal(fenToYuan(1), '0.01');
	assert.equal(fenToYuan(0), '0.00');
	assert.equal(fenToYuan(800000000, { group: true }), '8,000,000.00');
	assert.equal(fenToYuan('435'), '4.35');
	assert.equal(fenToYuan(-1), '');
	assert.equal(fenToYuan(1.5), '');
	assert.equal(fenToYuan(null), '');
	for (const fen of [0, 1, 9, 10, 99, 100, 101, 3000050, 9007199254740991]) assert.equal(parseYuanToFen(fenToYuan(fen)), fen);
});

test('amounts above what the daemon stores exactly are refused as too large', () => {
	assert.deepEqual(readYuan('9999999999999.99'), { fen: MAX_FEN });
	assert.deepEqual(readYuan('10000000000000'), { error: 'error.money_max' });
	assert.deepEqual(readYuan('99999999999999999999'), { error: 'error.money_max' });
	assert.deepEqual(readYuan('12.345'), { error: 'error.money' });
	assert.deepEqual(readYuan(''), { fen: null });
	assert.deepEqual(readYuan(' ', { required: true }), { error: 'error.required' });
});
