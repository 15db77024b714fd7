/**
 * Direct standardisation: a group's rate (or mean) re-weighted to a standard case mix
 * (fairness page, strata = category x channel), so that "is this region treated differently
 * for the same problem?" is not confounded by the region getting harder categories.
 *
 * Formula (strata k with the group's estimate r_k, its sampling variance v_k, standard weights
 * w_k normalised over the strata used so that sum w_k = 1):
 *   adjusted  = sum_k w_k r_k
 *   variance  = sum_k w_k^2 v_k        (strata independent, weights fixed)
 *   CI        = adjusted -+ z_{1-alpha/2} sqrt(variance)   (normal approximation, not clipped)
 * For a rate v_k = r_k (1 - r_k) / n_k; for a mean v_k = s_k^2 / n_k (s_k the sample SD).
 * A difference of two groups on the same weights: sum w_k (r1_k - r2_k), variance
 * sum w_k^2 (v1_k + v2_k), over the strata where both groups have cases.
 * Checked against the same formulas written independently in R (scripts/fixtures/standardise.R),
 * and, for a single stratum, against statsmodels' Wald intervals.
 */
import { zCritical } from './normal';

/** A stratum's estimate and the sampling variance of that estimate; null = no cases there. */
export interface StratumEstimate {
	estimate: number;
	variance: number;
}

export interface StandardisedResult {
	estimate: number;
	variance: number;
	se: number;
	lower: number;
	upper: number;
	/** Share of the standard population's weight in the strata used (1 = full case mix covered). */
	coverage: number;
	strataUsed: number;
}

/** Rate stratum: events / n with binomial variance p (1 - p) / n; null when n = 0. */
export function rateStratum(events: number, n: number): StratumEstimate | null {
	if (!(n >= 0) || !(events >= 0) || events > n) {
		throw new RangeError(`rateStratum: need 0 <= events <= n, got ${events} / ${n}`);
	}
	if (n === 0) return null;
	const p = events / n;
	return { estimate: p, variance: (p * (1 - p)) / n };
}

/** Mean stratum: mean with variance sd^2 / n (sd = sample SD, n - 1 denominator); null when n = 0. */
export function meanStratum(n: number, mean: number, sd: number): StratumEstimate | null {
	if (!(n >= 0)) throw new RangeError(`meanStratum: bad n ${n}`);
	if (n === 0) return null;
	return { estimate: mean, variance: (sd * sd) / n };
}

function finish(
	sum: number,
	varSum: number,
	usedWeight: number,
	totalWeight: number,
	used: number,
	alpha: number
): StandardisedResult {
	if (used === 0 || !(usedWeight > 0)) {
		return { estimate: NaN, variance: NaN, se: NaN, lower: NaN, upper: NaN, coverage: 0, strataUsed: 0 };
	}
	const estimate = sum / usedWeight;
	const variance = varSum / (usedWeight * usedWeight);
	const se = Math.sqrt(variance);
	const z = zCritical(alpha);
	return {
		estimate,
		variance,
		se,
		lower: estimate - z * se,
		upper: estimate + z * se,
		coverage: usedWeight / totalWeight,
		strataUsed: used
	};
}

function checkWeights(weights: readonly number[], k: number): number {
	if (weights.length !== k) throw new RangeError('standardise: one weight per stratum needed');
	let total = 0;
	for (const w of weights) {
		if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`standardise: bad weight ${w}`);
		total += w;
	}
	return total;
}

/**
 * Directly standardised estimate of one group: strata[k] is the group's estimate in stratum k
 * (null when it has no cases there), weights[k] the standard population's size (or share) of
 * stratum k. Weights are renormalised over the strata the group has; `coverage` says how much of
 * the standard case mix that is.
 */
export function directStandardise(
	strata: readonly (StratumEstimate | null)[],
	weights: readonly number[],
	options: { alpha?: number } = {}
): StandardisedResult {
	const total = checkWeights(weights, strata.length);
	let sum = 0;
	let varSum = 0;
	let usedWeight = 0;
	let used = 0;
	for (let k = 0; k < strata.length; k++) {
		const s = strata[k];
		const w = weights[k];
		if (s === null || w === 0) continue;
		sum += w * s.estimate;
		varSum += w * w * s.variance;
		usedWeight += w;
		used++;
	}
	return finish(sum, varSum, usedWeight, total, used, options.alpha ?? 0.05);
}

/** Directly standardised rate from per-stratum counts (events, n) and standard weights. */
export function standardisedRate(
	counts: readonly { events: number; n: number }[],
	weights: readonly number[],
	options: { alpha?: number } = {}
): StandardisedResult {
	return directStandardise(
		counts.map((c) => rateStratum(c.events, c.n)),
		weights,
		options
	);
}

/**
 * Difference of two directly standardised estimates (group minus the rest) on the same weights,
 * over the strata where both have cases (weights renormalised there), with its CI.
 */
export function standardisedDifference(
	group: readonly (StratumEstimate | null)[],
	other: readonly (StratumEstimate | null)[],
	weights: readonly number[],
	options: { alpha?: number } = {}
): StandardisedResult {
	if (group.length !== other.length) throw new RangeError('standardisedDifference: strata mismatch');
	const total = checkWeights(weights, group.length);
	let sum = 0;
	let varSum = 0;
	let usedWeight = 0;
	let used = 0;
	for (let k = 0; k < group.length; k++) {
		const g = group[k];
		const o = other[k];
		const w = weights[k];
		if (g === null || o === null || w === 0) continue;
		sum += w * (g.estimate - o.estimate);
		varSum += w * w * (g.variance + o.variance);
		usedWeight += w;
		used++;
	}
	return finish(sum, varSum, usedWeight, total, used, options.alpha ?? 0.05);
}
