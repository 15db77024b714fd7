import { describe, expect, test } from 'vitest';
import { markRising, periodTrend } from '../../src/lib/friction/trend-test.server';
import { chainPhrases, clusterThemes } from '../../src/lib/friction/theme-clusters.server';

/**
 * Reference values from scipy 1.x `chi2_contingency(table, correction=False)` and statsmodels
 * `proportions_ztest([27, 9], [392, 386])` (same p: the 2x2 Pearson chi-square is the pooled
 * two-proportion z-test squared), computed once with Debian's /usr/bin/python3.
 */
describe('trend test between two periods', () => {
	test('p-value and ratio match scipy / statsmodels', () => {
		const r = periodTrend({ recent: 27, recentTotal: 392, previous: 9, previousTotal: 386 }, 10);
		expect(r.p_value).toBeCloseTo(0.002489435764827942, 12);
		expect(r.trend_ratio).toBeCloseTo(27 / 392 / (9 / 386), 12);
		const planted = periodTrend({ recent: 52, recentTotal: 418, previous: 10, previousTotal: 391 }, 10);
		expect(planted.p_value).toBeCloseTo(1.2889293167702182e-7, 16);
	});

	test('too few events are not tested; an empty previous share gives no ratio', () => {
		expect(periodTrend({ recent: 5, recentTotal: 100, previous: 4, previousTotal: 100 }, 10).p_value).toBeNull();
		const fromZero = periodTrend({ recent: 12, recentTotal: 100, previous: 0, previousTotal: 100 }, 10);
		expect(fromZero.trend_ratio).toBeNull();
		expect(fromZero.p_value).toBeGreaterThan(0);
		expect(periodTrend({ recent: 0, recentTotal: 0, previous: 3, previousTotal: 10 }, 1).p_value).toBeNull();
	});

	test('rising needs q < alpha after Benjamini-Hochberg and a higher share, not just a small p', () => {
		const rows = [
			{ id: 'up', recent_share: 0.2, previous_share: 0.05, trend_ratio: 4, p_value: 0.001, support: 40 },
			{ id: 'down', recent_share: 0.01, previous_share: 0.1, trend_ratio: 0.1, p_value: 0.002, support: 2 },
			{ id: 'borderline', recent_share: 0.2, previous_share: 0.1, trend_ratio: 2, p_value: 0.03, support: 40 },
			{ id: 'untested', recent_share: 0.2, previous_share: 0.1, trend_ratio: 2, p_value: null, support: 40 }
		];
		const [out] = markRising([rows], 0.05, 10);
		// BH over the three tested p-values: q = (0.003, 0.003, 0.03).
		expect(out.map((r) => r.q_value)).toEqual([expect.closeTo(0.003, 12), expect.closeTo(0.003, 12), expect.closeTo(0.03, 12), null]);
		expect(out.map((r) => r.rising)).toEqual([true, false, true, false]);
		// With many more comparisons the borderline one no longer survives.
		const crowded = markRising([[...rows, ...Array.from({ length: 20 }, () => ({ id: 'x', recent_share: 0.1, previous_share: 0.1, trend_ratio: 1, p_value: 0.9, support: 10 }))]], 0.05, 10)[0];
		expect(crowded[0].rising).toBe(true);
		expect(crowded[2].rising).toBe(false);
		// One page, one family: the twenty other tests count as much from a second list.
		const [themes, structural] = markRising([rows, Array.from({ length: 20 }, () => ({ id: 'x', recent_share: 0.1, previous_share: 0.1, trend_ratio: 1, p_value: 0.9, support: 10 }))], 0.05, 10);
		expect(themes.map((r) => r.q_value)).toEqual(crowded.slice(0, 4).map((r) => r.q_value));
		expect(themes[2].rising).toBe(false);
		expect(structural).toHaveLength(20);
		// A significant rise on fewer recent documents than the minimum is not called rising.
		expect(markRising([[{ ...rows[0], support: 9 }]], 0.05, 10)[0][0].rising).toBe(false);
	});

	test('a cell expecting fewer than 5 is tested exactly (Fisher), not by the chi-square approximation', () => {
		// scipy.stats.fisher_exact([[2, 0], [0, 40]]) = 0.00116; chi2_contingency(correction=False) = 9.1e-11.
		const few = periodTrend({ recent: 2, recentTotal: 2, previous: 0, previousTotal: 40 }, 1);
		expect(few.p_value).toBeCloseTo(0.0011614401858304, 12);
		expect(few.support).toBe(2);
		// Enough expected in every cell: the chi-square test as before.
		expect(periodTrend({ recent: 27, recentTotal: 392, previous: 9, previousTotal: 386 }, 10).p_value).toBeCloseTo(0.002489435764827942, 12);
	});
});

describe('theme clusters', () => {
	test('phrases chain on their overlapping words', () => {
		expect(chainPhrases('agent helpful', 'helpful kind')).toBe('agent helpful kind');
		expect(chainPhrases('tracking not updating', 'not updating days')).toBe('tracking not updating days');
		expect(chainPhrases('data cap', 'internet speed')).toBeNull();
	});

	test('terms with the same documents are one theme named by its phrase; a covered unigram folds into its bigram', () => {
		const t = (term: string, count: number, signature: string, label = term) => ({ term, label, count, signature });
		const clusters = clusterThemes(
			[
				t('tracking', 194, 'a'),
				t('not updating', 194, 'a'),
				t('tracking not updating', 194, 'a'),
				t('cap', 184, 'b'),
				t('data cap', 160, 'c'),
				t('refund', 302, 'd'),
				t('refund approved', 60, 'e'),
				// Same count, different documents: not merged.
				t('billing', 194, 'f')
			],
			0.8
		);
		const byLabel = Object.fromEntries(clusters.map((c) => [c.label, c]));
		expect(Object.keys(byLabel).sort()).toEqual(['billing', 'data cap', 'refund', 'refund approved', 'tracking not updating']);
		expect(byLabel['tracking not updating'].key.term).toBe('tracking not updating');
		expect(byLabel['tracking not updating'].terms).toEqual(['not updating', 'tracking', 'tracking not updating']);
		// Largest first.
		expect(clusters[0].label).toBe('refund');
	});
});

describe('theme trend chart', () => {
	test('one bar and one share point per period; no share for a period without documents', async () => {
		const { themeTrendChartConfig, trendUnit, periodLabel } = await import('../../src/lib/friction/theme-trend');
		const week = (i: number) => new Date(Date.UTC(2026, 0, 5 + 7 * i));
		const points = [
			{ start: week(0), documents: 40, count: 4 },
			{ start: week(1), documents: 0, count: 0 },
			{ start: week(2), documents: 50, count: 10 }
		];
		const config = themeTrendChartConfig(points, 'week');
		expect(config.data.labels).toEqual(['week of 2026-01-05', 'week of 2026-01-12', 'week of 2026-01-19']);
		expect(config.data.datasets.map((d) => d.data)).toEqual([
			[4, 0, 10],
			[10, null, 20]
		]);
		expect(trendUnit(week(0), week(8))).toBe('day');
		expect(trendUnit(week(0), week(60))).toBe('week');
		expect(trendUnit(week(0), week(120))).toBe('month');
		expect(periodLabel(week(0), 'month')).toBe('2026-01');
	});
});
