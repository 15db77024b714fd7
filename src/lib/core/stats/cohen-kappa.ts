/**
 * Cohen's kappa for two raters who put the same cases into the same categories, with its
 * asymptotic standard error and a 95% interval. Pure; the same numbers as statsmodels'
 * `statsmodels.stats.inter_rater.cohens_kappa` (simple kappa), checked to 1e-9 against it in
 * tests/unit/stats-cohen-kappa.test.ts (fixture: scripts/fixtures/cohen-kappa.py).
 *
 * table[i][j] = cases rater A put in category i and rater B in category j; with n cases,
 * p_ij = table[i][j] / n, row shares r_i, column shares c_j:
 *
 *   p_o = sum_i p_ii,  p_e = sum_i r_i c_i,  kappa = (p_o - p_e) / (1 - p_e)
 *
 * Variance: the large-sample variance of Fleiss, Cohen & Everitt (1969) under the alternative
 * (kappa as estimated, not kappa = 0), which statsmodels reports as `var_kappa` / `std_kappa`:
 *
 *   Var = [ sum_i p_ii (1 - (r_i + c_i)(1 - kappa))^2
 *           + (1 - kappa)^2 sum_{i != j} p_ij (c_i + r_j)^2
 *           - (kappa - p_e (1 - kappa))^2 ] / ((1 - p_e)^2 n)
 *
 * Interval: kappa -/+ z_{0.975} SE, not clipped to [-1, 1] (as statsmodels). It is a normal
 * approximation: with few cases, or agreement near perfect (SE 0 at perfect agreement), it is too
 * narrow; callers show n beside it.
 */
import { zCritical } from './normal';

export interface KappaResult {
	/** Cases in the table. */
	n: number;
	/** p_o, the share of cases the raters put in the same category; null without cases. */
	observed: number | null;
	/** p_e, the agreement expected by chance from the raters' own shares; null without cases. */
	expected: number | null;
	/** null when it is 0 / 0: no cases, or both raters used one and the same category throughout. */
	kappa: number | null;
	/** The variance as computed (may round a hair below 0 where it is exactly 0). */
	variance: number | null;
	/** sqrt(variance); null where the variance is undefined or rounds below 0 (statsmodels gives NaN there). */
	se: number | null;
	ci_low: number | null;
	ci_high: number | null;
	/**
	 * Why kappa says nothing about agreement here, or null: no cases, or a rater who put every case
	 * in one category (kappa is then 0 by construction, or 0 / 0 when both did).
	 */
	not_computable: KappaProblem | null;
}

export type KappaProblem = 'no_cases' | 'rater_a_constant' | 'rater_b_constant' | 'both_constant';

function usedCategories(shares: readonly number[]): number {
	return shares.filter((s) => s > 0).length;
}

/** Cohen's (unweighted) kappa of a square table of counts; alpha is the interval's error rate. */
export function cohensKappa(table: readonly (readonly number[])[], alpha = 0.05): KappaResult {
	const k = table.length;
	for (const row of table) {
		if (row.length !== k) throw new RangeError(`the table must be square, got a row of ${row.length} in a table of ${k} rows`);
		for (const v of row) if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`counts must be finite and >= 0, got ${v}`);
	}
	let n = 0;
	for (const row of table) for (const v of row) n += v;
	const none: KappaResult = { n, observed: null, expected: null, kappa: null, variance: null, se: null, ci_low: null, ci_high: null, not_computable: 'no_cases' };
	if (n === 0) return none;

	const p = table.map((row) => row.map((v) => v / n));
	const r = table.map((row) => row.reduce((a, v) => a + v, 0) / n);
	const c = Array.from({ length: k }, (_, j) => table.reduce((a, row) => a + row[j], 0) / n);
	let po = 0;
	let pe = 0;
	for (let i = 0; i < k; i++) {
		po += p[i][i];
		pe += r[i] * c[i];
	}
	const constantA = usedCategories(r) <= 1;
	const constantB = usedCategories(c) <= 1;
	const problem: KappaProblem | null = constantA && constantB ? 'both_constant' : constantA ? 'rater_a_constant' : constantB ? 'rater_b_constant' : null;
	if (1 - pe === 0) return { ...none, observed: po, expected: pe, not_computable: problem ?? 'both_constant' };

	const kappa = (po - pe) / (1 - pe);
	let termA = 0;
	let termB = 0;
	for (let i = 0; i < k; i++) {
		termA += p[i][i] * (1 - (r[i] + c[i]) * (1 - kappa)) ** 2;
		for (let j = 0; j < k; j++) if (i !== j) termB += p[i][j] * (c[i] + r[j]) ** 2;
	}
	termB *= (1 - kappa) ** 2;
	const termC = (kappa - pe * (1 - kappa)) ** 2;
	const variance = (termA + termB - termC) / (1 - pe) ** 2 / n;
	const se = variance >= 0 ? Math.sqrt(variance) : null;
	const z = zCritical(alpha);
	return {
		n,
		observed: po,
		expected: pe,
		kappa,
		variance,
		se,
		ci_low: se === null ? null : kappa - z * se,
		ci_high: se === null ? null : kappa + z * se,
		not_computable: problem
	};
}

/** Kappa of two pass/fail raters from their four counts (A pass & B pass, A pass & B fail, ...). */
export function passFailKappa(counts: { pass_pass: number; pass_fail: number; fail_pass: number; fail_fail: number }, alpha = 0.05): KappaResult {
	return cohensKappa(
		[
			[counts.pass_pass, counts.pass_fail],
			[counts.fail_pass, counts.fail_fail]
		],
		alpha
	);
}
