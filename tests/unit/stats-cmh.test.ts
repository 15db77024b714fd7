import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cochranMantelHaenszel, type Table2x2 } from '../../src/lib/core/stats/cmh';

interface SmCase {
	name: string;
	tables: Table2x2[];
	strataUsed: number;
	statistic: number;
	pValue: number;
	statisticCorrected: number | null;
	pValueCorrected: number | null;
	observedMinusExpected: number;
	oddsRatio: number;
	logOddsRatioSe: number;
	oddsRatioLower: number;
	oddsRatioUpper: number;
}
interface RCase {
	name: string;
	tables: Table2x2[];
	statistic: number;
	pValue: number;
	statisticCorrected: number;
	pValueCorrected: number;
	oddsRatio: number;
	oddsRatioLower: number;
	oddsRatioUpper: number;
}
function load<T>(name: string): T[] {
	return (JSON.parse(readFileSync(new URL(`../fixtures/stats/${name}`, import.meta.url), 'utf8')) as { cases: T[] })
		.cases;
}
function close(actual: number, expected: number, rel = 1e-6, abs = 1e-12): void {
	expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}

describe('cochranMantelHaenszel against statsmodels StratifiedTable', () => {
	it.each(load<SmCase>('cmh.json').map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const r = cochranMantelHaenszel(c.tables);
		expect(r.strataUsed).toBe(c.strataUsed);
		close(r.statistic, c.statistic, 1e-6, 1e-12);
		// statsmodels computes 1 - chi2.cdf (0.0 below ~1e-16): absolute 1e-14 there; R below is exact.
		close(r.pValue, c.pValue, 1e-6, 1e-14);
		close(r.observedMinusExpected, c.observedMinusExpected);
		close(r.oddsRatio, c.oddsRatio);
		close(r.logOddsRatioSe, c.logOddsRatioSe);
		close(r.oddsRatioLower, c.oddsRatioLower);
		close(r.oddsRatioUpper, c.oddsRatioUpper);
		if (c.statisticCorrected !== null && c.pValueCorrected !== null) {
			const k = cochranMantelHaenszel(c.tables, { correction: true });
			expect(k.corrected).toBe(true);
			close(k.statistic, c.statisticCorrected);
			close(k.pValue, c.pValueCorrected, 1e-6, 1e-14);
		}
	});
});

describe('cochranMantelHaenszel against R mantelhaen.test', () => {
	it.each(load<RCase>('cmh-r.json').map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const r = cochranMantelHaenszel(c.tables);
		close(r.statistic, c.statistic);
		close(r.pValue, c.pValue, 1e-6, 1e-300); // R's p-values are accurate in the far tail, and so is ours (df = 1)
		close(r.oddsRatio, c.oddsRatio);
		close(r.oddsRatioLower, c.oddsRatioLower);
		close(r.oddsRatioUpper, c.oddsRatioUpper);
		const k = cochranMantelHaenszel(c.tables, { correction: true });
		close(k.statistic, c.statisticCorrected);
		close(k.pValue, c.pValueCorrected, 1e-6, 1e-300);
	});
});

describe('cochranMantelHaenszel edge cases', () => {
	it('single stratum: statistic = (N - 1) / N x Pearson chi-square', () => {
		const t = { a: 20, b: 30, c: 35, d: 15 };
		const pearson = 9.09090909090909; // scipy chi2_contingency on the same table (chi-square.json)
		close(cochranMantelHaenszel([t]).statistic, (99 / 100) * pearson, 1e-12);
	});
	it('no informative stratum gives NaN statistic and p-value', () => {
		const r = cochranMantelHaenszel([{ a: 1, b: 0, c: 0, d: 0 }, { a: 3, b: 0, c: 4, d: 0 }]);
		expect(r.strataUsed).toBe(1);
		expect(r.statistic).toBeNaN();
		expect(r.pValue).toBeNaN();
		expect(cochranMantelHaenszel([]).strataUsed).toBe(0);
	});
	it('correction is skipped when |O - E| < 0.5 (as R, unlike statsmodels)', () => {
		const t = [{ a: 5, b: 5, c: 5, d: 5 }];
		const r = cochranMantelHaenszel(t, { correction: true });
		expect(r.corrected).toBe(false);
		expect(r.statistic).toBe(0);
		expect(r.pValue).toBe(1);
	});
	it('swapping group and others inverts the odds ratio and keeps the test', () => {
		const tables = [
			{ a: 12, b: 8, c: 30, d: 40 },
			{ a: 3, b: 9, c: 20, d: 25 }
		];
		const swapped = tables.map((t) => ({ a: t.c, b: t.d, c: t.a, d: t.b }));
		const r1 = cochranMantelHaenszel(tables);
		const r2 = cochranMantelHaenszel(swapped);
		close(r1.statistic, r2.statistic, 1e-12);
		close(r1.oddsRatio, 1 / r2.oddsRatio, 1e-12);
	});
	it('rejects negative counts', () => {
		expect(() => cochranMantelHaenszel([{ a: -1, b: 2, c: 3, d: 4 }])).toThrow(RangeError);
	});
});
