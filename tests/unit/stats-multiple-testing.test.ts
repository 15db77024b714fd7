import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg } from '../../src/lib/core/stats/multiple-testing';

interface BhCase {
	name: string;
	p: (number | null)[];
	q: (number | null)[];
}
const cases = (
	JSON.parse(readFileSync(new URL('../fixtures/stats/benjamini-hochberg.json', import.meta.url), 'utf8')) as {
		cases: BhCase[];
	}
).cases;
function close(actual: number, expected: number, rel = 1e-6, abs = 1e-300): void {
	expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}

describe('benjaminiHochberg against statsmodels multipletests(method="fdr_bh")', () => {
	it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
		// JSON null stands for NaN in the input (a comparison without a p-value)
		const q = benjaminiHochberg(c.p.map((v) => (v === null ? NaN : v)));
		expect(q).toHaveLength(c.q.length);
		q.forEach((v, i) => {
			const e = c.q[i];
			if (e === null) expect(v).toBeNaN();
			else close(v, e);
		});
	});
});

describe('benjaminiHochberg properties', () => {
	const ps = Array.from({ length: 300 }, (_, i) => ((i * 2654435761) % 1000003) / 1000003);
	const q = benjaminiHochberg(ps);
	it('q >= p, q <= 1, and q is monotone in p', () => {
		const order = ps.map((_, i) => i).sort((i, j) => ps[i] - ps[j]);
		for (let r = 0; r < order.length; r++) {
			const i = order[r];
			expect(q[i]).toBeGreaterThanOrEqual(ps[i]);
			expect(q[i]).toBeLessThanOrEqual(1);
			if (r > 0) expect(q[i]).toBeGreaterThanOrEqual(q[order[r - 1]]);
		}
	});
	it('keeps input order (permutation invariance)', () => {
		const perm = ps.map((_, i) => (i * 7) % ps.length);
		const qp = benjaminiHochberg(perm.map((i) => ps[i]));
		perm.forEach((i, k) => expect(qp[k]).toBe(q[i]));
	});
	it('null and undefined are treated as missing and not counted', () => {
		expect(benjaminiHochberg([0.01, null, undefined, 0.04])).toEqual([0.02, NaN, NaN, 0.04]);
	});
	it('rejects p-values outside [0, 1]', () => {
		expect(() => benjaminiHochberg([0.5, 1.2])).toThrow(RangeError);
	});
});
