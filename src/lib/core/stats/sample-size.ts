/**
 * Sample size for a target margin of error, with the finite population correction (Cochran 1977,
 * sections 4.2 and 4.4). Pure and browser-safe: the sampling form computes it as you type.
 *
 *   n0 = z^2 p (1 - p) / e^2          (a proportion; p = 0.5 is the worst case)
 *   n0 = (z sigma / e)^2              (a mean, e.g. the 0-100 review score)
 *   n  = n0 / (1 + (n0 - 1) / N)      (finite population of N cases)
 *
 * rounded up. With z^2 = 3.841 this is the formula behind Krejcie & Morgan's (1970) table.
 */
import { zCritical } from './normal';

export interface SampleSizeResult {
	/** The size for an infinite population, unrounded. */
	n0: number;
	/** The size after the finite population correction (if N was given), unrounded. */
	exact: number;
	/** The size to draw: `exact` rounded up. */
	n: number;
	z: number;
}

function finish(n0: number, z: number, population?: number | null): SampleSizeResult {
	if (population !== undefined && population !== null) {
		if (!(Number.isInteger(population) && population >= 1)) throw new RangeError(`the population must be a whole number >= 1, got ${population}`);
		const n = n0 / (1 + (n0 - 1) / population);
		// A tiny tolerance keeps 277.0000000001 from becoming 278.
		return { n0, exact: n, n: Math.min(population, Math.ceil(n - 1e-9)), z };
	}
	return { n0, exact: n0, n: Math.ceil(n0 - 1e-9), z };
}

function zFor(confidence: number): number {
	if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
	return zCritical(1 - confidence);
}

export function sampleSizeForProportion(options: { margin: number; confidence?: number; p?: number; population?: number | null; z?: number }): SampleSizeResult {
	const p = options.p ?? 0.5;
	if (!(options.margin > 0 && options.margin < 1)) throw new RangeError(`the margin must be in (0, 1), got ${options.margin}`);
	if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
	const z = options.z ?? zFor(options.confidence ?? 0.95);
	return finish((z * z * p * (1 - p)) / options.margin ** 2, z, options.population);
}

export function sampleSizeForMean(options: { margin: number; sd: number; confidence?: number; population?: number | null; z?: number }): SampleSizeResult {
	if (!(options.margin > 0)) throw new RangeError(`the margin must be positive, got ${options.margin}`);
	if (!(options.sd > 0)) throw new RangeError(`the standard deviation must be positive, got ${options.sd}`);
	const z = options.z ?? zFor(options.confidence ?? 0.95);
	return finish(((z * options.sd) / options.margin) ** 2, z, options.population);
}

/** The margin of error a sample of n gives for a proportion p (with the finite population correction). */
export function marginForProportion(n: number, options: { confidence?: number; p?: number; population?: number | null } = {}): number {
	const p = options.p ?? 0.5;
	const z = zFor(options.confidence ?? 0.95);
	const fpc = options.population ? Math.max(0, (options.population - n) / (options.population - 1 || 1)) : 1;
	return z * Math.sqrt((p * (1 - p) * fpc) / n);
}
