import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	proportionDiffInterval,
	wilsonInterval,
	type DiffMethod
} from '../../src/lib/core/stats/proportion-intervals';

interface WilsonCase {
	count: number;
	nobs: number;
	alpha: number;
	lower: number;
	upper: number;
}
interface DiffCase {
	count1: number;
	nobs1: number;
	count2: number;
	nobs2: number;
	method: 'newcomb' | 'wald' | 'agresti-caffo';
	alpha: number;
	estimate: number;
	lower: number;
	upper: number;
}
function load<T>(name: string): T[] {
	return (JSON.parse(readFileSync(new URL(`../fixtures/stats/${name}`, import.meta.url), 'utf8')) as { cases: T[] })
		.cases;
}
/** Relative 1e-6; absolute 1e-12 for bounds at 0 (statsmodels' Wilson lower bound at count 0 is ~1e-17, ours is clamped to 0). */
function close(actual: number, expected: number, rel = 1e-6, abs = 1e-12): void {
	expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}

describe('wilsonInterval against statsmodels proportion_confint(method="wilson")', () => {
	const cases = load<WilsonCase>('wilson.json');
	it.each(cases.map((c) => [`${c.count}/${c.nobs} alpha=${c.alpha}`, c] as const))('%s', (_n, c) => {
		const r = wilsonInterval(c.count, c.nobs, c.alpha);
		close(r.lower, c.lower);
		close(r.upper, c.upper);
		expect(r.estimate).toBe(c.count / c.nobs);
	});
});

describe('proportionDiffInterval against statsmodels confint_proportions_2indep(compare="diff")', () => {
	const cases = load<DiffCase>('proportion-diff.json');
	const ours: Record<DiffCase['method'], DiffMethod> = {
		newcomb: 'newcombe',
		wald: 'wald',
		'agresti-caffo': 'agresti-caffo'
	};
	it.each(
		cases.map((c) => [`${c.method} ${c.count1}/${c.nobs1} - ${c.count2}/${c.nobs2} alpha=${c.alpha}`, c] as const)
	)('%s', (_n, c) => {
		const r = proportionDiffInterval(c.count1, c.nobs1, c.count2, c.nobs2, { method: ours[c.method], alpha: c.alpha });
		close(r.estimate, c.estimate);
		close(r.lower, c.lower);
		close(r.upper, c.upper);
	});
	it('defaults to Newcombe at 95%', () => {
		const c = cases.find((x) => x.method === 'newcomb' && x.alpha === 0.05)!;
		const r = proportionDiffInterval(c.count1, c.nobs1, c.count2, c.nobs2);
		close(r.lower, c.lower);
		close(r.upper, c.upper);
	});
});

describe('interval properties', () => {
	it('Wilson: inside [0, 1], contains the estimate, narrows as n grows', () => {
		for (let n = 1; n <= 40; n++) {
			for (let k = 0; k <= n; k++) {
				const r = wilsonInterval(k, n);
				expect(r.lower).toBeGreaterThanOrEqual(0);
				expect(r.upper).toBeLessThanOrEqual(1);
				expect(r.lower).toBeLessThanOrEqual(r.estimate);
				expect(r.upper).toBeGreaterThanOrEqual(r.estimate);
				expect(r.upper).toBeGreaterThan(r.lower);
			}
		}
		const width = (n: number) => wilsonInterval(n / 2, n).upper - wilsonInterval(n / 2, n).lower;
		expect(width(100)).toBeLessThan(width(10));
	});
	it('Newcombe: inside [-1, 1] and contains the estimate', () => {
		for (const [c1, n1, c2, n2] of [
			[0, 5, 5, 5],
			[5, 5, 0, 5],
			[3, 9, 4, 11],
			[0, 1, 0, 1],
			[50, 50, 0, 1]
		]) {
			const r = proportionDiffInterval(c1, n1, c2, n2);
			expect(r.lower).toBeGreaterThanOrEqual(-1);
			expect(r.upper).toBeLessThanOrEqual(1);
			expect(r.lower).toBeLessThanOrEqual(r.estimate);
			expect(r.upper).toBeGreaterThanOrEqual(r.estimate);
		}
	});
	it('empty samples give NaN; impossible counts throw', () => {
		expect(wilsonInterval(0, 0).lower).toBeNaN();
		expect(proportionDiffInterval(1, 2, 0, 0).upper).toBeNaN();
		expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
		expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
	});
});
