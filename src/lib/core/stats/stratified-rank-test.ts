/**
 * Stratified rank test for times (fairness page, "median resolution time" per group): the
 * van Elteren test, i.e. Wilcoxon rank-sum statistics computed within each stratum (category),
 * weighted by 1 / (N_k + 1) and summed, with mid-ranks for ties, the exact conditional (tie-
 * corrected) variance and a normal approximation without continuity correction. It compares a
 * group with the rest for the same case mix without assuming any distribution of times.
 *
 * Per stratum k (group size m, others n, N = m + n, W = rank sum of the group, t = tie sizes):
 *   E[W] = m (N + 1) / 2,  Var[W] = m n / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))
 *   van Elteren: T = sum W_k / (N_k + 1), E = sum m_k / 2, V = sum Var[W_k] / (N_k + 1)^2
 *   z = (T - E) / sqrt(V) (> 0: the group's times tend to be longer), p from N(0, 1).
 * weighting 'sum' uses weight 1 (the unweighted sum of within-stratum Wilcoxon statistics).
 *
 * Checked against R coin 1.4 (`independence_test` with within-block rank scores / (N + 1), and
 * `wilcox_test(y ~ x | block)` for 'sum') and against a hand computation from per-stratum
 * `wilcox.test` statistics (scripts/fixtures/stratified-rank-test.R).
 * Censoring is not handled: pass resolved cases' times (or use kaplan-meier.ts for open cases).
 */
import { pnorm, twoSidedNormalP } from './normal';

/** Raw times of one stratum: the group's and all other groups'. */
export interface RankStratum {
	group: ArrayLike<number>;
	other: ArrayLike<number>;
}

/** Aggregated stratum (as SQL returns it): distinct values with the count in each sample. */
export interface AggregatedRankStratum {
	/** Distinct values, strictly ascending. */
	values: ArrayLike<number>;
	group: ArrayLike<number>;
	other: ArrayLike<number>;
}

export type RankWeighting = 'van-elteren' | 'sum';
export type Alternative = 'two-sided' | 'greater' | 'less';

export interface StratifiedRankResult {
	/** Weighted sum of the group's within-stratum rank sums. */
	statistic: number;
	expected: number;
	variance: number;
	/** Standardised statistic (T - E) / sqrt(V); NaN when V = 0 (no informative stratum). */
	z: number;
	pValue: number;
	/** Strata with cases in both samples (others contribute nothing). */
	strataUsed: number;
	nGroup: number;
	nOther: number;
}

/** Per-stratum rank sum, sizes and tie term from aggregated counts; values must be ascending. */
function stratumRankSum(s: AggregatedRankStratum): { w: number; m: number; n: number; ties: number } {
	const k = s.values.length;
	if (s.group.length !== k || s.other.length !== k) {
		throw new RangeError('stratifiedRankTest: values, group and other must have the same length');
	}
	let below = 0;
	let w = 0;
	let m = 0;
	let n = 0;
	let ties = 0;
	for (let i = 0; i < k; i++) {
		if (i > 0 && !(s.values[i - 1] < s.values[i])) {
			throw new RangeError('stratifiedRankTest: aggregated values must be strictly ascending');
		}
		const g = s.group[i];
		const o = s.other[i];
		if (!(g >= 0) || !(o >= 0)) throw new RangeError('stratifiedRankTest: counts must be >= 0');
		const t = g + o;
		w += g * (below + (t + 1) / 2);
		ties += t * t * t - t;
		below += t;
		m += g;
		n += o;
	}
	return { w, m, n, ties };
}

/** Aggregates raw values into the sorted distinct-values form. */
export function aggregateStratum(s: RankStratum): AggregatedRankStratum {
	const all: [number, number][] = [];
	for (let i = 0; i < s.group.length; i++) all.push([s.group[i], 0]);
	for (let i = 0; i < s.other.length; i++) all.push([s.other[i], 1]);
	for (const [v] of all) if (Number.isNaN(v)) throw new RangeError('stratifiedRankTest: NaN value');
	all.sort((x, y) => x[0] - y[0]);
	const values: number[] = [];
	const group: number[] = [];
	const other: number[] = [];
	for (const [v, which] of all) {
		const last = values.length - 1;
		if (last < 0 || values[last] !== v) {
			values.push(v);
			group.push(0);
			other.push(0);
		}
		if (which === 0) group[group.length - 1]++;
		else other[other.length - 1]++;
	}
	return { values, group, other };
}

/**
 * One stratum already reduced to what the test needs, as SQL can compute it with window
 * functions: the group's sum of mid-ranks within the stratum, the group's size m, the others'
 * size n, and the stratum's tie term sum(t^3 - t) over its distinct values.
 */
export interface RankSumStratum {
	rankSum: number;
	m: number;
	n: number;
	ties: number;
}

/** van Elteren (or plain stratified Wilcoxon) test from per-stratum rank sums. */
export function stratifiedRankTestFromRankSums(
	strata: readonly RankSumStratum[],
	options: { weighting?: RankWeighting; alternative?: Alternative } = {}
): StratifiedRankResult {
	const weighting = options.weighting ?? 'van-elteren';
	let statistic = 0;
	let expected = 0;
	let variance = 0;
	let used = 0;
	let nGroup = 0;
	let nOther = 0;
	for (const { rankSum: w, m, n, ties } of strata) {
		if (!(m >= 0) || !(n >= 0) || !(ties >= 0) || !Number.isFinite(w)) throw new RangeError('stratifiedRankTest: bad stratum');
		nGroup += m;
		nOther += n;
		if (m === 0 || n === 0) continue;
		used++;
		const N = m + n;
		const c = weighting === 'van-elteren' ? 1 / (N + 1) : 1;
		statistic += c * w;
		expected += (c * m * (N + 1)) / 2;
		variance += ((c * c * m * n) / 12) * (N + 1 - ties / (N * (N - 1)));
	}
	const z = variance > 0 ? (statistic - expected) / Math.sqrt(variance) : NaN;
	const alternative = options.alternative ?? 'two-sided';
	const pValue =
		alternative === 'two-sided' ? twoSidedNormalP(z) : alternative === 'greater' ? pnorm(-z) : pnorm(z);
	return { statistic, expected, variance, z, pValue, strataUsed: used, nGroup, nOther };
}

/** van Elteren (or plain stratified Wilcoxon) test from aggregated strata. */
export function stratifiedRankTestAggregated(
	strata: readonly AggregatedRankStratum[],
	options: { weighting?: RankWeighting; alternative?: Alternative } = {}
): StratifiedRankResult {
	return stratifiedRankTestFromRankSums(
		strata.map((s) => {
			const { w, m, n, ties } = stratumRankSum(s);
			return { rankSum: w, m, n, ties };
		}),
		options
	);
}

/** van Elteren (or plain stratified Wilcoxon) test from raw values per stratum. */
export function stratifiedRankTest(
	strata: readonly RankStratum[],
	options: { weighting?: RankWeighting; alternative?: Alternative } = {}
): StratifiedRankResult {
	return stratifiedRankTestAggregated(strata.map(aggregateStratum), options);
}
