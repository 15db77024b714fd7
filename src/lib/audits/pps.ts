/**
 * Probability-proportional-to-size selection for risk-weighted audit samples. Pure.
 *
 * Design: randomly ordered systematic PPS (Madow 1949; Hartley & Rao 1962). It is chosen over
 * conditional Poisson (Hájek 1964) because its first-order inclusion probabilities are exactly the
 * target probabilities by construction, so the probability stored with each sampled case is the
 * true one, not an approximation to be solved for iteratively:
 *
 *   lay the units end to end in a random order, unit i taking an interval of length pi_i
 *   (all pi_i <= 1, sum = n); draw u ~ U[0, 1); select the units whose interval contains one of
 *   u, u + 1, ..., u + n - 1.
 *
 * An interval of length pi_i <= 1 contains a point of {u + k} with probability exactly pi_i,
 * whatever the order; the sample has exactly n distinct units. The random order only makes
 * every pair of units possible together (joint probabilities > 0); variance is then estimated
 * with the usual with-replacement approximation (see stats/survey-estimator.ts).
 */

/**
 * pi_i = min(1, c * size_i) with c chosen so that the pi_i sum to n: units whose share would
 * reach 1 are taken with certainty and the others share the rest of n by size, repeated until
 * no new unit reaches 1 (the standard treatment of "take-all" units).
 */
export function ppsInclusionProbabilities(sizes: readonly number[], n: number): number[] {
	for (const s of sizes) if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`sizes must be positive numbers, got ${s}`);
	if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`n must be a whole number >= 0, got ${n}`);
	const N = sizes.length;
	if (n >= N) return sizes.map(() => 1);
	const pi = new Array<number>(N).fill(0);
	const certain = new Array<boolean>(N).fill(false);
	let certainCount = 0;
	for (;;) {
		let rest = 0;
		for (let i = 0; i < N; i++) if (!certain[i]) rest += sizes[i];
		const c = (n - certainCount) / rest;
		let added = false;
		for (let i = 0; i < N; i++) {
			if (certain[i]) continue;
			if (c * sizes[i] >= 1) {
				certain[i] = true;
				certainCount += 1;
				added = true;
			}
		}
		if (!added) {
			for (let i = 0; i < N; i++) pi[i] = certain[i] ? 1 : c * sizes[i];
			return pi;
		}
	}
}

/**
 * Systematic selection over `pi` (each <= 1, summing to a whole number n) in the order given by
 * `order` (a permutation of indices), with the random start `u` in [0, 1). Returns the selected
 * indices in selection order. Units with pi = 1 are taken outright (so rounding can never drop
 * or repeat them); the points are laid over the others.
 */
export function systematicSelect(pi: readonly number[], order: readonly number[], u: number): number[] {
	if (!(u >= 0 && u < 1)) throw new RangeError(`u must be in [0, 1), got ${u}`);
	const chosen: number[] = [];
	const rest: number[] = [];
	for (const i of order) (pi[i] >= 1 ? chosen : rest).push(i);
	let total = 0;
	for (const i of rest) total += pi[i];
	const points = Math.round(total);
	let cumulative = 0;
	let k = 0;
	for (const i of rest) {
		if (k >= points) break;
		const next = cumulative + pi[i];
		// The point u + k lies in [cumulative, next): each interval is shorter than 1, so at most one.
		if (u + k < next) {
			chosen.push(i);
			k += 1;
		}
		cumulative = next;
	}
	// Floating-point sums can leave the last point just past the end: give it to the last unit not taken.
	for (let j = rest.length - 1; k < points && j >= 0; j--) {
		if (!chosen.includes(rest[j])) {
			chosen.push(rest[j]);
			k += 1;
		}
	}
	return chosen;
}
