/**
 * Design-weighted means for audit samples: Horvitz-Thompson and its ratio (Hájek) form, with a
 * Taylor-linearisation variance and a normal confidence interval. Pure.
 *
 * Each observation carries its weight w = 1 / pi (pi = its inclusion probability), its stratum
 * and the stratum's sampling fraction f_h (n_h / N_h for simple random sampling within the
 * stratum; 0 for unequal-probability strata, which is the with-replacement approximation and
 * slightly conservative). With z_i the linearised values,
 *
 *   v = sum_h (1 - f_h) * n_h / (n_h - 1) * sum_{i in h} (z_i - mean_h z)^2,
 *
 * the estimator used by R's survey package (svymean with strata, probs and fpc; Särndal,
 * Swensson & Wretman 1992, sections 5.5-5.7). Strata with a single observation add nothing
 * (there is no within-stratum spread to measure) and are counted in `singleton_strata`.
 */
import { zCritical } from './normal';

export interface WeightedObservation {
	y: number;
	/** 1 / inclusion probability (>= 1). */
	weight: number;
	stratum: string;
	/** Sampling fraction of the stratum for the finite population correction; 0 = none. */
	fraction?: number;
	/** Whether the observation belongs to the domain being estimated (default true). */
	inDomain?: boolean;
}

export interface WeightedMean {
	estimate: number | null;
	se: number | null;
	ci_low: number | null;
	ci_high: number | null;
	/** Observations in the domain. */
	n: number;
	/** Estimated number of population units the domain stands for (sum of weights). */
	population_estimate: number;
	/** The plain mean of the domain's observations, for comparison (biased under unequal probabilities). */
	unweighted_mean: number | null;
	singleton_strata: number;
}

function linearisedVariance(obs: readonly WeightedObservation[], z: readonly number[]): { variance: number; singletons: number } {
	const strata = new Map<string, number[]>();
	obs.forEach((o, i) => {
		const list = strata.get(o.stratum);
		if (list) list.push(i);
		else strata.set(o.stratum, [i]);
	});
	let variance = 0;
	let singletons = 0;
	for (const members of strata.values()) {
		const nh = members.length;
		if (nh < 2) {
			singletons += 1;
			continue;
		}
		const fh = obs[members[0]].fraction ?? 0;
		let mean = 0;
		for (const i of members) mean += z[i];
		mean /= nh;
		let ss = 0;
		for (const i of members) ss += (z[i] - mean) ** 2;
		variance += (1 - fh) * (nh / (nh - 1)) * ss;
	}
	return { variance, singletons };
}

function interval(estimate: number, variance: number, confidence: number) {
	const se = Math.sqrt(variance);
	const z = zCritical(1 - confidence);
	return { se, ci_low: estimate - z * se, ci_high: estimate + z * se };
}

function check(obs: readonly WeightedObservation[]): void {
	for (const o of obs) {
		if (!Number.isFinite(o.y)) throw new RangeError(`observations must be finite numbers, got ${o.y}`);
		if (!(o.weight >= 1 - 1e-9)) throw new RangeError(`weights are 1 / inclusion probability and so at least 1, got ${o.weight}`);
	}
}

/**
 * The Hájek (ratio) estimate of a domain mean: sum w y / sum w over the domain. Observations
 * outside the domain still count in the variance (as zeros), as domain estimation requires.
 */
export function hajekMean(obs: readonly WeightedObservation[], confidence = 0.95): WeightedMean {
	check(obs);
	const inDomain = obs.map((o) => o.inDomain !== false);
	let sw = 0;
	let swy = 0;
	let sy = 0;
	let n = 0;
	obs.forEach((o, i) => {
		if (!inDomain[i]) return;
		sw += o.weight;
		swy += o.weight * o.y;
		sy += o.y;
		n += 1;
	});
	if (n === 0) return { estimate: null, se: null, ci_low: null, ci_high: null, n: 0, population_estimate: 0, unweighted_mean: null, singleton_strata: 0 };
	const estimate = swy / sw;
	const z = obs.map((o, i) => (inDomain[i] ? (o.weight * (o.y - estimate)) / sw : 0));
	const { variance, singletons } = linearisedVariance(obs, z);
	const ci = n >= 2 ? interval(estimate, variance, confidence) : { se: null, ci_low: null, ci_high: null };
	return { estimate, ...ci, n, population_estimate: sw, unweighted_mean: sy / n, singleton_strata: singletons };
}

/**
 * The Horvitz-Thompson estimate of the population mean when the population size N is known:
 * sum (y / pi) / N. Exactly unbiased under any design with the stated inclusion probabilities.
 */
export function horvitzThompsonMean(obs: readonly WeightedObservation[], populationSize: number, confidence = 0.95): WeightedMean {
	check(obs);
	if (!(populationSize > 0)) throw new RangeError(`the population size must be positive, got ${populationSize}`);
	const n = obs.length;
	if (n === 0) return { estimate: null, se: null, ci_low: null, ci_high: null, n: 0, population_estimate: 0, unweighted_mean: null, singleton_strata: 0 };
	let swy = 0;
	let sw = 0;
	let sy = 0;
	for (const o of obs) {
		swy += o.weight * o.y;
		sw += o.weight;
		sy += o.y;
	}
	const estimate = swy / populationSize;
	const { variance, singletons } = linearisedVariance(
		obs,
		obs.map((o) => (o.weight * o.y) / populationSize)
	);
	const ci = n >= 2 ? interval(estimate, variance, confidence) : { se: null, ci_low: null, ci_high: null };
	return { estimate, ...ci, n, population_estimate: sw, unweighted_mean: sy / n, singleton_strata: singletons };
}
