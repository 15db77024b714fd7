import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	directStandardise,
	meanStratum,
	rateStratum,
	standardisedDifference,
	standardisedRate,
	type StandardisedResult
} from '../../src/lib/core/stats/standardise';

interface Expected {
	estimate: number;
	variance: number;
	se: number;
	lower: number;
	upper: number;
	coverage: number;
	strataUsed: number;
}
interface Fixture {
	rates: { name: string; events: number[]; n: number[]; weights: number[]; alpha: number; expected: Expected }[];
	means: { name: string; n: number[]; mean: (number | null)[]; sd: (number | null)[]; weights: number[]; expected: Expected }[];
	differences: {
		name: string;
		group: { events: number[]; n: number[] };
		other: { events: number[]; n: number[] };
		weights: number[];
		expected: Expected;
	}[];
}
const fixture = (
	JSON.parse(readFileSync(new URL('../fixtures/stats/standardise.json', import.meta.url), 'utf8')) as {
		cases: Fixture;
	}
).cases;
function close(actual: number, expected: number, rel = 1e-6, abs = 1e-14): void {
	expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}
function check(r: StandardisedResult, e: Expected): void {
	close(r.estimate, e.estimate);
	close(r.variance, e.variance);
	close(r.se, e.se);
	close(r.lower, e.lower);
	close(r.upper, e.upper);
	close(r.coverage, e.coverage);
	expect(r.strataUsed).toBe(e.strataUsed);
}

describe('direct standardisation against the formula computed in R', () => {
	it.each(fixture.rates.map((c) => [c.name, c] as const))('rate: %s', (_n, c) => {
		const counts = c.events.map((events, k) => ({ events, n: c.n[k] }));
		check(standardisedRate(counts, c.weights, { alpha: c.alpha }), c.expected);
	});
	it.each(fixture.means.map((c) => [c.name, c] as const))('mean: %s', (_n, c) => {
		const strata = c.n.map((n, k) => meanStratum(n, c.mean[k] ?? NaN, c.sd[k] ?? NaN));
		check(directStandardise(strata, c.weights), c.expected);
	});
	it.each(fixture.differences.map((c) => [c.name, c] as const))('difference: %s', (_n, c) => {
		const g = c.group.events.map((e, k) => rateStratum(e, c.group.n[k]));
		const o = c.other.events.map((e, k) => rateStratum(e, c.other.n[k]));
		check(standardisedDifference(g, o, c.weights), c.expected);
	});
});

describe('direct standardisation properties', () => {
	it('Simpson: same stratum rates give zero adjusted difference while the raw gap is large', () => {
		const c = fixture.differences.find((x) => x.name.startsWith('simpson'))!;
		const raw =
			c.group.events.reduce((a, b) => a + b, 0) / c.group.n.reduce((a, b) => a + b, 0) -
			c.other.events.reduce((a, b) => a + b, 0) / c.other.n.reduce((a, b) => a + b, 0);
		expect(raw).toBeLessThan(-0.3);
		const g = c.group.events.map((e, k) => rateStratum(e, c.group.n[k]));
		const o = c.other.events.map((e, k) => rateStratum(e, c.other.n[k]));
		const adj = standardisedDifference(g, o, c.weights);
		expect(Math.abs(adj.estimate)).toBeLessThan(1e-12);
		expect(adj.lower).toBeLessThan(0);
		expect(adj.upper).toBeGreaterThan(0);
	});
	it('weights are scale-free and the standardised rate lies between the stratum rates', () => {
		const counts = [
			{ events: 3, n: 10 },
			{ events: 8, n: 10 },
			{ events: 5, n: 10 }
		];
		const a = standardisedRate(counts, [1, 2, 3]);
		const b = standardisedRate(counts, [10, 20, 30]);
		close(a.estimate, b.estimate, 1e-15);
		close(a.variance, b.variance, 1e-15);
		expect(a.estimate).toBeGreaterThanOrEqual(0.3);
		expect(a.estimate).toBeLessThanOrEqual(0.8);
	});
	it('no usable stratum gives NaN with zero coverage; mismatched weights throw', () => {
		const r = standardisedRate([{ events: 0, n: 0 }], [5]);
		expect(r.estimate).toBeNaN();
		expect(r.coverage).toBe(0);
		expect(() => standardisedRate([{ events: 1, n: 2 }], [1, 2])).toThrow(RangeError);
		expect(() => rateStratum(3, 2)).toThrow(RangeError);
	});
});
