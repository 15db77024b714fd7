import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	aggregateStratum,
	stratifiedRankTest,
	stratifiedRankTestAggregated,
	type RankStratum
} from '../../src/lib/core/stats/stratified-rank-test';

/** R's jsonlite writes a length-1 vector as a scalar unless wrapped; accept both. */
type Vec = number[] | number;
const vec = (v: Vec): number[] => (Array.isArray(v) ? v : [v]);
interface RankCase {
	name: string;
	strata: { group: Vec; other: Vec }[];
	vanElteren: {
		statistic: number;
		expected: number;
		variance: number;
		z: number;
		pValue: number;
		pValueHand: number;
		strataUsed: number;
	};
	sum: { zAbs: number; pValue: number };
}
const cases = (
	JSON.parse(readFileSync(new URL('../fixtures/stats/stratified-rank-test.json', import.meta.url), 'utf8')) as {
		cases: RankCase[];
	}
).cases;
function close(actual: number, expected: number, rel = 1e-6, abs = 1e-14): void {
	expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}
const strataOf = (c: RankCase): RankStratum[] => c.strata.map((s) => ({ group: vec(s.group), other: vec(s.other) }));

describe('van Elteren test against R coin (and wilcox.test by hand)', () => {
	it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const r = stratifiedRankTest(strataOf(c));
		const e = c.vanElteren;
		close(r.statistic, e.statistic);
		close(r.expected, e.expected);
		close(r.variance, e.variance);
		close(r.z, e.z);
		close(r.pValue, e.pValue);
		close(r.pValue, e.pValueHand);
		expect(r.strataUsed).toBe(e.strataUsed);
	});
	it.each(cases.map((c) => [c.name, c] as const))('unweighted stratified Wilcoxon (coin, within-stratum ranks): %s', (_n, c) => {
		const r = stratifiedRankTest(strataOf(c), { weighting: 'sum' });
		close(Math.abs(r.z), c.sum.zAbs);
		close(r.pValue, c.sum.pValue);
	});
});

describe('stratified rank test properties', () => {
	const strata: RankStratum[] = [
		{ group: [5, 7, 7, 12, 30], other: [1, 2, 7, 3, 9, 4] },
		{ group: [100, 80], other: [60, 70, 80, 90, 50] }
	];
	it('aggregated input gives the same result as raw values', () => {
		const raw = stratifiedRankTest(strata);
		const agg = stratifiedRankTestAggregated(strata.map(aggregateStratum));
		expect(agg).toEqual(raw);
	});
	it('swapping group and others flips the sign of z', () => {
		const a = stratifiedRankTest(strata);
		const b = stratifiedRankTest(strata.map((s) => ({ group: s.other, other: s.group })));
		close(a.z, -b.z, 1e-12);
		expect(a.z).toBeGreaterThan(0);
	});
	it('one-sided p-values add up', () => {
		const g = stratifiedRankTest(strata, { alternative: 'greater' });
		const l = stratifiedRankTest(strata, { alternative: 'less' });
		close(g.pValue + l.pValue, 1, 1e-12);
		close(2 * Math.min(g.pValue, l.pValue), stratifiedRankTest(strata).pValue, 1e-12);
	});
	it('is invariant to a monotone transform of the times (ranks only)', () => {
		const logged = strata.map((s) => ({ group: Array.from(s.group, Math.log), other: Array.from(s.other, Math.log) }));
		expect(stratifiedRankTest(logged).z).toBe(stratifiedRankTest(strata).z);
	});
	it('no informative stratum gives NaN', () => {
		const r = stratifiedRankTest([{ group: [1, 2], other: [] }, { group: [3, 3], other: [3] }]);
		expect(r.strataUsed).toBe(1);
		expect(r.z).toBeNaN();
		expect(r.pValue).toBeNaN();
	});
	it('rejects unsorted aggregated values', () => {
		expect(() => stratifiedRankTestAggregated([{ values: [2, 1], group: [1, 1], other: [1, 1] }])).toThrow(RangeError);
	});
});
