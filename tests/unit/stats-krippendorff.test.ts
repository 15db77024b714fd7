import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { krippendorffAlpha, type AlphaMetric } from '../../src/lib/core/stats/krippendorff';

interface AlphaCase {
	name: string;
	metric: AlphaMetric;
	data: (number | null)[][];
	alpha: number | null;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/krippendorff.json', import.meta.url), 'utf8')) as { cases: AlphaCase[] };

describe("Krippendorff's alpha", () => {
	test('the worked example of Krippendorff (2011): nominal 0.743, ordinal 0.815, interval 0.849 (published, 3 decimals)', () => {
		const published: Record<string, number> = { nominal: 0.743, ordinal: 0.815, interval: 0.849 };
		for (const c of fixture.cases.filter((c) => c.name.startsWith('krippendorff-2011-'))) {
			const r = krippendorffAlpha(c.data, c.metric);
			expect(r.alpha).not.toBeNull();
			expect(Math.abs((r.alpha as number) - published[c.metric])).toBeLessThan(0.0005);
			// 4 coders x 12 units; unit 12 has one value and is not pairable: 40 pairable values.
			expect(r.pairable).toBe(40);
			expect(r.units).toBe(11);
		}
	});

	test.each(fixture.cases.map((c) => [c.name, c] as const))('%s matches the independent pairwise computation', (_name, c) => {
		const r = krippendorffAlpha(c.data, c.metric);
		if (c.alpha === null) expect(r.alpha).toBeNull();
		else expect(Math.abs((r.alpha as number) - c.alpha)).toBeLessThan(1e-10);
	});

	test('perfect agreement is 1; no variation at all is undefined; one coder per unit is undefined', () => {
		expect(krippendorffAlpha([[1, 1], [2, 2], [3, 3]], 'ordinal').alpha).toBeCloseTo(1, 12);
		expect(krippendorffAlpha([[2, 2], [2, 2]], 'ordinal').alpha).toBeNull();
		expect(krippendorffAlpha([[1, null], [null, 3]], 'ordinal').alpha).toBeNull();
	});

	test('ordinal differs from interval when the scale points are unevenly used', () => {
		const data = [[1, 2], [1, 1], [2, 3], [3, 5], [5, 5], [1, 1]];
		expect(krippendorffAlpha(data, 'ordinal').alpha).not.toBeCloseTo(krippendorffAlpha(data, 'interval').alpha as number, 3);
	});
});
