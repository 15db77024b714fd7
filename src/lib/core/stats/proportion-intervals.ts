/**
 * Confidence intervals for a proportion (CSAT share, favourable-outcome rate) and for the
 * difference of two independent proportions (a group against all other groups).
 *
 * Checked against statsmodels 0.13: `proportion_confint(method='wilson')` and
 * `confint_proportions_2indep(compare='diff', method='newcomb' | 'wald' | 'agresti-caffo')`.
 */
import { zCritical } from './normal';

export interface Interval {
	/** Point estimate. */
	estimate: number;
	lower: number;
	upper: number;
}

function checkCounts(count: number, nobs: number, what: string): void {
	if (!(nobs >= 0) || !(count >= 0) || count > nobs || !Number.isFinite(nobs)) {
		throw new RangeError(`${what}: need 0 <= count <= nobs, got count=${count}, nobs=${nobs}`);
	}
}

/**
 * Wilson score interval for count / nobs (statsmodels `proportion_confint(..., method='wilson')`),
 * clamped to [0, 1] (statsmodels can return -1e-17 at count = 0). nobs = 0 gives NaN bounds.
 */
export function wilsonInterval(count: number, nobs: number, alpha = 0.05): Interval {
	checkCounts(count, nobs, 'wilsonInterval');
	if (nobs === 0) return { estimate: NaN, lower: NaN, upper: NaN };
	const q = count / nobs;
	const crit = zCritical(alpha);
	const crit2 = crit * crit;
	const denom = 1 + crit2 / nobs;
	const center = (q + crit2 / (2 * nobs)) / denom;
	const dist = (crit * Math.sqrt((q * (1 - q)) / nobs + crit2 / (4 * nobs * nobs))) / denom;
	return {
		estimate: q,
		lower: Math.min(q, Math.max(0, center - dist)),
		upper: Math.max(q, Math.min(1, center + dist))
	};
}

/** Method for the difference p1 - p2; 'newcombe' is the default and the recommended one. */
export type DiffMethod = 'newcombe' | 'wald' | 'agresti-caffo';

/**
 * Confidence interval for p1 - p2 = count1/nobs1 - count2/nobs2 of two independent samples.
 *
 * - 'newcombe' (default): Newcombe's hybrid score interval (his method 10), built from the two
 *   Wilson intervals; = statsmodels `confint_proportions_2indep(method='newcomb')`.
 * - 'wald': p1 - p2 +- z sqrt(p1 q1 / n1 + p2 q2 / n2); = statsmodels method='wald' (not clipped).
 * - 'agresti-caffo': Wald after adding one success and one failure to each sample; its centre
 *   is the adjusted difference, but `estimate` stays the raw p1 - p2 (as statsmodels' interval).
 * Either sample empty gives NaN bounds.
 */
export function proportionDiffInterval(
	count1: number,
	nobs1: number,
	count2: number,
	nobs2: number,
	options: { method?: DiffMethod; alpha?: number } = {}
): Interval {
	checkCounts(count1, nobs1, 'proportionDiffInterval');
	checkCounts(count2, nobs2, 'proportionDiffInterval');
	const method = options.method ?? 'newcombe';
	const alpha = options.alpha ?? 0.05;
	if (nobs1 === 0 || nobs2 === 0) return { estimate: NaN, lower: NaN, upper: NaN };
	const p1 = count1 / nobs1;
	const p2 = count2 / nobs2;
	const diff = p1 - p2;
	if (method === 'newcombe') {
		const w1 = wilsonInterval(count1, nobs1, alpha);
		const w2 = wilsonInterval(count2, nobs2, alpha);
		const dLow = Math.hypot(p1 - w1.lower, w2.upper - p2);
		const dUpp = Math.hypot(p2 - w2.lower, w1.upper - p1);
		return { estimate: diff, lower: diff - dLow, upper: diff + dUpp };
	}
	const add = method === 'agresti-caffo' ? 1 : 0;
	const n1 = nobs1 + 2 * add;
	const n2 = nobs2 + 2 * add;
	const a1 = (count1 + add) / n1;
	const a2 = (count2 + add) / n2;
	const half = zCritical(alpha) * Math.sqrt((a1 * (1 - a1)) / n1 + (a2 * (1 - a2)) / n2);
	return { estimate: diff, lower: a1 - a2 - half, upper: a1 - a2 + half };
}
