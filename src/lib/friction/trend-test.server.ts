import { benjaminiHochberg } from '../core/stats/multiple-testing';
import { chiSquareHomogeneity } from '../core/stats/chi-square';
import { fisherExactTwoSided } from '../core/stats/fisher-exact';

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
	/** Events in the recent period: a rise needs at least the configured minimum of them. */
	support: number;
}

export interface TestedTrend extends TrendResult {
	q_value: number | null;
	rising: boolean;
}

export const TREND_DEFINITION =
	'Trend: the share in the most recent period (whole days ending with the archive’s last day) against the same share in the period of equal length before it, with a two-proportion test (Pearson chi-square on the 2x2 table, no continuity correction; Fisher’s exact test when a cell expects fewer than 5) and Benjamini-Hochberg q-values across everything tested on the page, themes and structural friction together. Rising = q < 0.05, a higher share than before and at least the minimum number of recent documents.';

/** Below this expected count in any cell, the chi-square approximation is off (Cochran): test exactly. */
const MIN_EXPECTED = 5;

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
	let p: number | null = null;
	if (testable) {
		const table = [
			[c.recent, c.recentTotal - c.recent],
			[c.previous, c.previousTotal - c.previous]
		] as const;
		const total = c.recentTotal + c.previousTotal;
		const events = c.recent + c.previous;
		const smallest = Math.min(events, total - events) * Math.min(c.recentTotal, c.previousTotal) / total;
		// Two recent of two documents gave p = 3e-5 by chi-square where the exact test says 0.01.
		p = smallest < MIN_EXPECTED ? fisherExactTwoSided(table) : chiSquareHomogeneity(table.map((r) => [...r])).pValue;
	}
	return { recent_share: recentShare, previous_share: previousShare, trend_ratio: ratio, p_value: p, support: c.recent };
}

/**
 * Benjamini-Hochberg across all rows of every family given (one page = one family: themes and
 * structural friction are corrected together); rising = q below alpha, a larger recent share and
 * at least `minSupport` recent events. Returns new rows: the inputs may be cached and shared.
 */
export function markRising<T extends TrendResult>(families: readonly (readonly T[])[], alpha: number, minSupport: number): (T & TestedTrend)[][] {
	const all = families.flat();
	const q = benjaminiHochberg(all.map((r) => r.p_value));
	let i = 0;
	return families.map((rows) =>
		rows.map((r) => {
			const qValue = Number.isNaN(q[i]) ? null : q[i];
			i++;
			const up = r.recent_share !== null && r.previous_share !== null && r.recent_share > r.previous_share;
			return { ...r, q_value: qValue, rising: qValue !== null && qValue < alpha && up && r.support >= minSupport };
		})
	);
}
