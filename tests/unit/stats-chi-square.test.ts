import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chiSquareHomogeneity, consistencyIndex, totalVariationDistance } from '../../src/lib/core/stats/chi-square';

interface ChiCase {
	name: string;
	table: number[][];
	statistic: number;
	df: number;
	pValue: number;
	rowsKept: number;
	colsKept: number;
	minExpected: number | null;
}
interface TvdCase {
	name: string;
	reference: number[];
	rows: { group: number[]; n: number; tvd: number | null }[];
	consistencyIndex: number;
}
function load<T>(name: string): T[] {
	return (JSON.parse(readFileSync(new URL(`../fixtures/stats/${name}`, import.meta.url), 'utf8')) as { cases: T[] })
		.cases;
}
function close(actual: number, expected: number, rel = 1e-6, abs = 1e-12): void {
	expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}

describe('chiSquareHomogeneity against scipy chi2_contingency(correction=False)', () => {
	it.each(load<ChiCase>('chi-square.json').map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const r = chiSquareHomogeneity(c.table);
		close(r.statistic, c.statistic);
		expect(r.df).toBe(c.df);
		expect(r.rowsKept).toBe(c.rowsKept);
		expect(r.colsKept).toBe(c.colsKept);
		// p-values: relative 1e-6, plus absolute 1e-14 because for df > 1 the library uses
		// 1 - CDF (absolute error ~1e-16), while scipy uses the survival function directly.
		close(r.pValue, c.pValue, 1e-6, 1e-14);
		if (c.minExpected !== null) close(r.minExpected, c.minExpected);
	});
	it('rejects negative counts and ragged tables', () => {
		expect(() => chiSquareHomogeneity([[1, -1], [2, 3]])).toThrow(RangeError);
		expect(() => chiSquareHomogeneity([[1, 2], [3]])).toThrow(RangeError);
	});
	it('an empty table has nothing to test', () => {
		const r = chiSquareHomogeneity([]);
		expect(r).toMatchObject({ statistic: 0, df: 0, pValue: 1, rowsKept: 0, colsKept: 0 });
	});
});

describe('totalVariationDistance and consistencyIndex against scipy cityblock / 2', () => {
	it.each(load<TvdCase>('tvd.json').map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const groups = c.rows.map((row) => {
			const tvd = totalVariationDistance(row.group, c.reference);
			if (row.tvd === null) expect(tvd).toBeNaN();
			else close(tvd, row.tvd);
			return { n: row.n, tvd };
		});
		close(consistencyIndex(groups), c.consistencyIndex, 1e-9, 1e-9);
	});
	it('properties: 0 for proportional rows, symmetric, within [0, 1]', () => {
		expect(totalVariationDistance([1, 2, 3], [10, 20, 30])).toBeCloseTo(0, 15);
		expect(totalVariationDistance([5, 0], [0, 9])).toBe(1);
		const a = [3, 8, 1, 0];
		const b = [2, 2, 5, 7];
		expect(totalVariationDistance(a, b)).toBeCloseTo(totalVariationDistance(b, a), 15);
		expect(totalVariationDistance([0, 0], [1, 2])).toBeNaN();
		expect(() => totalVariationDistance([1, 2], [1, 2, 3])).toThrow(RangeError);
		expect(consistencyIndex([])).toBeNaN();
		expect(consistencyIndex([{ n: 10, tvd: 0 }, { n: 0, tvd: 1 }, { n: 5, tvd: NaN }])).toBe(100);
	});
});
