/**
 * How many cases each stratum gets in a stratified sample. Deterministic (no randomness), so the
 * stratum sizes, and with them every inclusion probability n_h / N_h, are exact and reproducible.
 * Browser-safe.
 */
export type Allocation = 'proportional' | 'equal';

export const ALLOCATIONS: readonly Allocation[] = ['proportional', 'equal'];

/**
 * Splits `n` over strata of sizes `sizes`:
 * - proportional: n_h = n * N_h / N, rounded by largest remainder (Hamilton), so every n_h is
 *   within 1 of its exact share and the n_h sum to n;
 * - equal: n / H each (the remainder one by one to the first strata in order).
 * A stratum never gets more than it holds; the surplus goes to the strata with room, by the same
 * rule. The result sums to min(n, sum of sizes).
 */
export function allocate(sizes: readonly number[], n: number, allocation: Allocation): number[] {
	for (const s of sizes) if (!(Number.isInteger(s) && s >= 0)) throw new RangeError(`stratum sizes must be whole numbers >= 0, got ${s}`);
	if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`the sample size must be a whole number >= 0, got ${n}`);
	const total = sizes.reduce((a, b) => a + b, 0);
	const out = sizes.map(() => 0);
	let remaining = Math.min(n, total);
	const capped = sizes.map((s) => s === 0);
	// Each round either places everything or caps at least one more stratum, so H rounds suffice.
	while (remaining > 0) {
		const open = sizes.map((_, i) => i).filter((i) => !capped[i]);
		const weights = open.map((i) => (allocation === 'proportional' ? sizes[i] : 1));
		const shares = largestRemainder(weights, remaining);
		let overflow = false;
		for (let k = 0; k < open.length; k++) {
			const i = open[k];
			if (shares[k] > sizes[i] - out[i]) overflow = true;
		}
		if (!overflow) {
			open.forEach((i, k) => (out[i] += shares[k]));
			remaining = 0;
			break;
		}
		// Fill the strata that would overflow, then share the rest again among the others.
		for (let k = 0; k < open.length; k++) {
			const i = open[k];
			if (shares[k] > sizes[i] - out[i]) {
				remaining -= sizes[i] - out[i];
				out[i] = sizes[i];
				capped[i] = true;
			}
		}
	}
	return out;
}

/** Whole numbers proportional to `weights` summing to `n`: floors, then +1 by largest remainder (ties: earlier index). */
export function largestRemainder(weights: readonly number[], n: number): number[] {
	const total = weights.reduce((a, b) => a + b, 0);
	if (total <= 0) return weights.map(() => 0);
	const exact = weights.map((w) => (n * w) / total);
	const out = exact.map(Math.floor);
	let left = n - out.reduce((a, b) => a + b, 0);
	const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
	for (const { i } of order) {
		if (left <= 0) break;
		out[i] += 1;
		left -= 1;
	}
	return out;
}
