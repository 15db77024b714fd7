import { describe, expect, test } from 'vitest';
import { marginForProportion, sampleSizeForMean, sampleSizeForProportion } from '../../src/lib/core/stats/sample-size';

// Krejcie & Morgan (1970), "Determining sample size for research activities", Table 1
// (chi-square 3.841, P = 0.5, d = 0.05); the table rounds to the nearest whole number.
const KREJCIE_MORGAN: [number, number][] = [
	[10, 10], [15, 14], [20, 19], [25, 24], [30, 28], [50, 44], [100, 80], [150, 108], [200, 132], [300, 169], [400, 196], [500, 217],
	[1000, 278], [1500, 306], [2000, 322], [3000, 341], [5000, 357], [10000, 370], [20000, 377], [50000, 381], [75000, 382], [1000000, 384]
];

describe('sample size for a proportion', () => {
	test.each(KREJCIE_MORGAN)('Krejcie & Morgan table: N = %i gives %i', (N, s) => {
		const r = sampleSizeForProportion({ margin: 0.05, p: 0.5, population: N, z: Math.sqrt(3.841) });
		expect(Math.round(r.exact)).toBe(s);
		// What the calculator asks for is the same, rounded up (never short of the margin).
		expect(r.n).toBe(Math.min(N, Math.ceil(r.exact)));
		expect(r.n).toBeGreaterThanOrEqual(s);
	});

	test('Cochran: +-5% at 95% confidence needs 384.16, i.e. 385, from a large population', () => {
		const r = sampleSizeForProportion({ margin: 0.05, confidence: 0.95 });
		expect(r.z).toBeCloseTo(1.959964, 6);
		expect(r.n0).toBeCloseTo(384.146, 2);
		expect(r.n).toBe(385);
	});

	test('+-3% at 95% needs 1068; at 99% +-5% needs 664; p = 0.1 needs fewer (139 for +-5%)', () => {
		expect(sampleSizeForProportion({ margin: 0.03 }).n).toBe(1068);
		expect(sampleSizeForProportion({ margin: 0.05, confidence: 0.99 }).n).toBe(664);
		expect(sampleSizeForProportion({ margin: 0.05, p: 0.1 }).n).toBe(139);
	});

	test('the margin of the computed size is within the target, and one case fewer is not', () => {
		for (const N of [200, 1000, 50_000]) {
			const { n } = sampleSizeForProportion({ margin: 0.04, population: N });
			expect(marginForProportion(n, { population: N })).toBeLessThanOrEqual(0.04);
			expect(marginForProportion(n - 1, { population: N })).toBeGreaterThan(0.04);
		}
	});

	test('bad input is refused', () => {
		expect(() => sampleSizeForProportion({ margin: 0 })).toThrow(RangeError);
		expect(() => sampleSizeForProportion({ margin: 0.05, population: 0 })).toThrow(RangeError);
		expect(() => sampleSizeForProportion({ margin: 0.05, confidence: 1 })).toThrow(RangeError);
	});
});

describe('sample size for a mean', () => {
	test('(z sigma / e)^2: sigma 15, margin 5 at 95% gives 34.57 -> 35; sigma 20, margin 3 gives 171', () => {
		const r = sampleSizeForMean({ margin: 5, sd: 15 });
		expect(r.n0).toBeCloseTo(34.5735, 3);
		expect(r.n).toBe(35);
		expect(sampleSizeForMean({ margin: 3, sd: 20 }).n).toBe(171);
		expect(sampleSizeForMean({ margin: 3, sd: 20, population: 500 }).n).toBe(128);
	});
});
