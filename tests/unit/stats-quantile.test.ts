import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mean, median, p90, quantile, quantiles, quantileSorted } from '../../src/lib/core/stats/quantile';

interface QuantileCase {
	name: string;
	values: number[];
	p: number[];
	quantiles: number[];
	median: number;
	mean: number;
}
const fixture = JSON.parse(
	readFileSync(new URL('../fixtures/stats/quantile.json', import.meta.url), 'utf8')
) as { cases: QuantileCase[] };

/** |actual - expected| <= rel |expected| + abs. */
function close(actual: number, expected: number, rel = 1e-6, abs = 1e-12): void {
	expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}

describe('quantile (type 7) against numpy.quantile(method="linear")', () => {
	it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
		c.p.forEach((p, i) => close(quantile(c.values, p), c.quantiles[i]));
		const many = quantiles(c.values, c.p);
		many.forEach((q, i) => close(q, c.quantiles[i]));
		close(median(c.values), c.median);
		close(mean(c.values), c.mean);
		const p90Index = c.p.indexOf(0.9);
		close(p90(c.values), c.quantiles[p90Index]);
	});
});

describe('quantile properties', () => {
	it('does not mutate unsorted input and agrees with quantileSorted on a sorted copy', () => {
		const values = [5, 3, 9, 1, 7, 3];
		const copy = [...values];
		const sorted = [...values].sort((a, b) => a - b);
		for (const p of [0, 0.3, 0.5, 0.9, 1]) expect(quantile(values, p)).toBe(quantileSorted(sorted, p));
		expect(values).toEqual(copy);
	});
	it('is monotone in p and bounded by min and max', () => {
		const values = Array.from({ length: 97 }, (_, i) => ((i * 7919) % 101) / 3);
		let prev = -Infinity;
		for (let k = 0; k <= 100; k++) {
			const q = quantile(values, k / 100);
			expect(q).toBeGreaterThanOrEqual(prev);
			prev = q;
		}
		expect(quantile(values, 0)).toBe(Math.min(...values));
		expect(quantile(values, 1)).toBe(Math.max(...values));
	});
	it('handles empty input, NaN values and bad p', () => {
		expect(quantile([], 0.5)).toBeNaN();
		expect(mean([])).toBeNaN();
		expect(quantile([1, NaN, 3], 0.5)).toBeNaN();
		expect(() => quantile([1, 2], 1.5)).toThrow(RangeError);
		expect(() => quantile([1, 2], NaN)).toThrow(RangeError);
	});
	it('accepts typed arrays', () => {
		expect(median(Float64Array.from([4, 1, 3, 2]))).toBe(2.5);
	});
});
