import Papa from 'papaparse';
import { describe, expect, test } from 'vitest';
import { toCsvLines } from '../../src/lib/core/csv-response.server';

describe('CSV export', () => {
	test('cells that a spreadsheet would run as formulas are neutralised, others kept as they are', () => {
		const rows = [
			{ a: '=HYPERLINK("http://evil.example","click")', b: '+1', c: '-2+3', d: '@SUM(A1)', e: 'plain, with "quotes"' },
			{ a: 'x=1', b: 'a+b', c: '3', d: '', e: '\tTAB' }
		];
		const text = toCsvLines(rows, ['a', 'b', 'c', 'd', 'e']);
		const parsed = Papa.parse<string[]>(text.trim()).data;
		expect(parsed[0]).toEqual([`'=HYPERLINK("http://evil.example","click")`, "'+1", "'-2+3", "'@SUM(A1)", 'plain, with "quotes"']);
		expect(parsed[1]).toEqual(['x=1', 'a+b', '3', '', "'\tTAB"]);
	});

	test('dates are written as ISO 8601 UTC and null as an empty cell', () => {
		const text = toCsvLines([{ at: new Date(Date.UTC(2026, 2, 1, 10, 30)), n: null }], ['at', 'n']);
		expect(text).toBe('2026-03-01T10:30:00.000Z,\r\n');
	});
});
