/**
 * The Korn-Graubard interval for a design-weighted proportion, or for a bounded score read as a
 * share of its points (a 0-100 review score is a proportion of the available points). Pure.
 *
 * The normal interval of survey-estimator.ts is estimate ± z × se. When every observation of a
 * domain is equal (no critical item failed, or every review rated a category 3 of 5) the
 * linearised variance is 0 and that interval has zero width, as if 12 reviews proved the rate is
 * exactly 0. Korn & Graubard (1998) instead use the Clopper-Pearson interval on an effective
 * sample size: R's survey::svyciprop(method = "beta"), checked in
 * tests/unit/stats-survey-proportion-ci.test.ts against tests/fixtures/stats/survey-proportion-ci.json
 * (made by scripts/fixtures/survey-proportion-ci.R).
 *
 *   n_eff = p (1 - p) / Var(p)  ×  (t_{n-1} / t_df)²,   df = n - strata
 *   lower = Beta^-1(alpha/2; n_eff p, n_eff (1 - p) + 1),  upper = Beta^-1(1 - alpha/2; n_eff p + 1, n_eff (1 - p))
 *
 * Chosen over the Wilson-type ("xlogit") interval because it is the one that stays honest when
 * the domain is small and the estimate is at 0 or 1, which is where the audit pages failed:
 * Clopper-Pearson never falls below nominal coverage, and it reduces to the exact binomial
 * interval under simple random sampling. Where p(1 - p) / Var(p) is 0 / 0 (all observations
 * equal), svyciprop returns NaN, or a zero-width interval for an interior score with no spread;
 * here n_eff falls back to Kish's (sum w)² / sum w², the sample size the weights leave when
 * nothing is known of the spread, which for a [0, 1] outcome is the worst case p(1 - p).
 * A domain with df < 1 (each of its observations alone in its stratum; svyciprop returns NaN)
 * keeps n_eff without the degrees-of-freedom factor.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { hajekMean, type WeightedMean, type WeightedObservation } from './survey-estimator';

export interface ProportionDesign {
	/** Estimated proportion, in [0, 1]. */
	estimate: number;
	/** Its linearised variance; 0 when the domain's observations are all equal. */
	variance: number;
	/** Observations in the domain. */
	n: number;
	/** Degrees of freedom of the design within the domain: observations - strata. */
	df: number;
	/** Kish's effective sample size (sum w)² / sum w² of the domain. */
	kishN: number;
}

export interface ProportionInterval {
	lower: number;
	upper: number;
	/** The effective sample size the beta quantiles used (after the degrees-of-freedom factor). */
	nEff: number;
}

/** Korn-Graubard (Clopper-Pearson on the effective sample size) interval; n < 2 gives null. */
export function kornGraubardInterval(d: ProportionDesign, confidence = 0.95): ProportionInterval | null {
	if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
	if (!(d.estimate >= -1e-12 && d.estimate <= 1 + 1e-12)) throw new RangeError(`a proportion must be in [0, 1], got ${d.estimate}`);
	if (d.n < 2) return null;
	const alpha = 1 - confidence;
	const p = Math.min(1, Math.max(0, d.estimate));
	const spread = d.variance > 0 && p > 0 && p < 1;
	const base = spread ? (p * (1 - p)) / d.variance : d.kishN;
	const factor = d.df >= 1 ? (tQuantile(alpha / 2, d.n - 1) / tQuantile(alpha / 2, d.df)) ** 2 : 1;
	const nEff = base * factor;
	// Beta(0, b) is a point mass at 0, which @stdlib answers with NaN: the bound is 0 (and 1 at p = 1).
	const lower = p <= 0 ? 0 : betaQuantile(alpha / 2, nEff * p, nEff * (1 - p) + 1);
	const upper = p >= 1 ? 1 : betaQuantile(1 - alpha / 2, nEff * p + 1, nEff * (1 - p));
	return { lower, upper, nEff };
}

/** n, df = n - strata and Kish's effective n of a domain's observations. */
export function domainDesign(obs: readonly WeightedObservation[]): { n: number; df: number; kishN: number; equal: boolean } {
	const strata = new Set<string>();
	let n = 0;
	let sw = 0;
	let sw2 = 0;
	let min = Infinity;
	let max = -Infinity;
	for (const o of obs) {
		if (o.inDomain === false) continue;
		n += 1;
		strata.add(o.stratum);
		sw += o.weight;
		sw2 += o.weight * o.weight;
		min = Math.min(min, o.y);
		max = Math.max(max, o.y);
	}
	// Rounding in sum(w y) / sum(w) leaves a variance of ~1e-30 where every y is equal; that is no spread.
	const equal = n > 0 && max - min <= 1e-12 * Math.max(1, Math.abs(max));
	return { n, df: n - strata.size, kishN: n ? (sw * sw) / sw2 : 0, equal };
}

/**
 * Replaces the normal interval of a design-weighted mean of values in [0, max] (max = 1 for a
 * proportion, 100 for a 0-100 score) by the Korn-Graubard interval on the scale of the values.
 * An estimate outside [0, max] (a Horvitz-Thompson mean whose weights do not add up to N) is no
 * proportion, and keeps its normal interval.
 */
export function withProportionInterval<T extends WeightedMean>(
	mean: T,
	obs: readonly WeightedObservation[],
	options: { max?: number; confidence?: number } = {}
): T & { n_eff: number | null } {
	const max = options.max ?? 1;
	if (mean.estimate === null || mean.se === null) return { ...mean, n_eff: null };
	const p = mean.estimate / max;
	if (!(p >= -1e-12 && p <= 1 + 1e-12)) return { ...mean, n_eff: null };
	const d = domainDesign(obs);
	const ci = kornGraubardInterval({ estimate: p, variance: d.equal ? 0 : (mean.se / max) ** 2, n: d.n, df: d.df, kishN: d.kishN }, options.confidence);
	if (!ci) return { ...mean, n_eff: null };
	return { ...mean, ci_low: ci.lower * max, ci_high: ci.upper * max, n_eff: ci.nEff };
}

/** The Hájek mean of values in [0, max] with its Korn-Graubard interval. */
export function hajekShare(obs: readonly WeightedObservation[], options: { max?: number; confidence?: number } = {}): WeightedMean & { n_eff: number | null } {
	return withProportionInterval(hajekMean(obs, options.confidence), obs, options);
}
