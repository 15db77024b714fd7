import { benjaminiHochberg } from '../core/stats/multiple-testing';
import { chiSquareHomogeneity } from '../core/stats/chi-square';

/** How often something happened in the recent period and the one before, out of how many. */
export interface PeriodCounts {
	recent: number;
	recentTotal: number;
	previous: number;
	previousTotal: number;
}

export interface TrendResult {
	recent_share: number | null;
	previous_share: number | null;
	/** recent share / previous share; null when the previous share is 0 or a period is empty. */
	trend_ratio: number | null;
	/** Null when there is too little to test (fewer than `minCount` events in both periods together). */
	p_value: number | null;
}

export interface TestedTrend extends TrendResult {
	q_value: number | null;
	rising: boolean;
}

export const TREND_DEFINITION =
	'Trend: the share in the most recent period against the same share in the period of equal length before it, with a two-proportion test (Pearson chi-square on the 2x2 table, no continuity correction) and Benjamini-Hochberg q-values across everything tested on the page. Rising = q < 0.05 and a higher share than before.';

/**
 * Change of a share between two periods. The 2x2 Pearson chi-square without continuity correction
 * is the pooled two-proportion z-test (chi2 = z^2), so src/lib/core/stats' chiSquareHomogeneity (checked
 * against scipy) serves; no new statistic is needed.
 */
export function periodTrend(c: PeriodCounts, minCount: number): TrendResult {
	const recentShare = c.recentTotal > 0 ? c.recent / c.recentTotal : null;
	const previousShare = c.previousTotal > 0 ? c.previous / c.previousTotal : null;
	const ratio = recentShare !== null && previousShare ? recentShare / previousShare : null;
	const testable = c.recentTotal > 0 && c.previousTotal > 0 && c.recent + c.previous >= minCount;
	const p = testable
		? chiSquareHomogeneity([
				[c.recent, c.recentTotal - c.recent],
				[c.previous, c.previousTotal - c.previous]
			]).pValue
		: null;
	return { recent_share: recentShare, previous_share: previousShare, trend_ratio: ratio, p_value: p };
}

/** Benjamini-Hochberg across all rows; rising = q below alpha and a larger recent share. */
export function markRising<T extends TrendResult>(rows: readonly T[], alpha: number): (T & TestedTrend)[] {
	const q = benjaminiHochberg(rows.map((r) => r.p_value));
	return rows.map((r, i) => {
		const qValue = Number.isNaN(q[i]) ? null : q[i];
		const up = r.recent_share !== null && r.previous_share !== null && r.recent_share > r.previous_share;
		return { ...r, q_value: qValue, rising: qValue !== null && qValue < alpha && up };
	});
}
