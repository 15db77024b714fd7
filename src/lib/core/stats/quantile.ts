/**
 * Sample quantiles and the mean, for the speed pages' median / p90 / mean columns.
 *
 * `quantile` is Hyndman & Fan type 7: R's `quantile(x, p)` default and numpy's default
 * `method='linear'`, i.e. linear interpolation between order statistics at h = (n - 1) p.
 */

/** True when `values` is in non-decreasing order (NaN-free input assumed); O(n). */
function isSortedAscending(values: ArrayLike<number>): boolean {
	for (let i = 1; i < values.length; i++) if (values[i - 1] > values[i]) return false;
	return true;
}

function hasNaN(values: ArrayLike<number>): boolean {
	for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return true;
	return false;
}

function checkProbability(p: number): void {
	if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
}

/** Ascending copy of `values`, or `values` itself when it is already sorted (no copy, O(n) check). */
export function sortedView(values: ArrayLike<number>): ArrayLike<number> {
	if (isSortedAscending(values)) return values;
	return Float64Array.from(values).sort();
}

/** Type-7 quantile of an already ascending array; the caller guarantees order and no NaN. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
	checkProbability(p);
	const n = sorted.length;
	if (n === 0) return NaN;
	// R: index <- 1 + (n - 1) * p; lo <- floor(index); hi <- ceiling(index);
	// qs <- (1 - h) * x[lo] + h * x[hi] with h = index - lo (0-based here).
	const index = (n - 1) * p;
	const lo = Math.floor(index);
	const hi = Math.ceil(index);
	const xlo = sorted[lo];
	const h = index - lo;
	if (h === 0 || sorted[hi] === xlo) return xlo;
	return (1 - h) * xlo + h * sorted[hi];
}

/**
 * Type-7 quantile (R default, numpy default 'linear') of sorted or unsorted values.
 * Empty input or any NaN value gives NaN; p outside [0, 1] throws RangeError.
 */
export function quantile(values: ArrayLike<number>, p: number): number {
	checkProbability(p);
	if (values.length === 0 || hasNaN(values)) return NaN;
	return quantileSorted(sortedView(values), p);
}

/** Several type-7 quantiles with a single sort. */
export function quantiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
	for (const p of ps) checkProbability(p);
	if (values.length === 0 || hasNaN(values)) return ps.map(() => NaN);
	const sorted = sortedView(values);
	return ps.map((p) => quantileSorted(sorted, p));
}

/** Median (type-7 quantile at 0.5, i.e. the usual midpoint rule for even n). */
export function median(values: ArrayLike<number>): number {
	return quantile(values, 0.5);
}

/** 90th percentile, type 7: the speed pages' "p90". */
export function p90(values: ArrayLike<number>): number {
	return quantile(values, 0.9);
}

/** Arithmetic mean (NaN for empty input), with Neumaier-compensated summation for long inputs. */
export function mean(values: ArrayLike<number>): number {
	const n = values.length;
	if (n === 0) return NaN;
	let sum = 0;
	let comp = 0;
	for (let i = 0; i < n; i++) {
		const v = values[i];
		const t = sum + v;
		if (Math.abs(sum) >= Math.abs(v)) comp += sum - t + v;
		else comp += v - t + sum;
		sum = t;
	}
	return (sum + comp) / n;
}
