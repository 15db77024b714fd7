/**
 * Consistency statistics: the chi-square test of homogeneity of outcome distributions across
 * groups (r groups x c outcomes), the total variation distance of one group's outcome
 * distribution from a reference distribution, and the 0-100 consistency index.
 *
 * Checked against scipy.stats.chi2_contingency(table, correction=False).
 */
import { chiSquareSf } from './normal';

export interface ChiSquareResult {
	statistic: number;
	df: number;
	pValue: number;
	/** Rows and columns kept after dropping all-zero ones. */
	rowsKept: number;
	colsKept: number;
	/** Smallest expected count in the reduced table (the usual >= 5 rule of thumb); NaN when empty. */
	minExpected: number;
}

/**
 * Pearson chi-square test of homogeneity (= independence) on an r x c count table, without
 * Yates' correction. All-zero rows and columns are dropped first (scipy would reject a zero
 * expected count). When fewer than two rows or columns remain there is nothing to compare:
 * statistic 0, df 0, p = 1, as scipy returns for a table with zero degrees of freedom.
 */
export function chiSquareHomogeneity(table: readonly (readonly number[])[]): ChiSquareResult {
	const r0 = table.length;
	const c0 = r0 === 0 ? 0 : table[0].length;
	for (const row of table) {
		if (row.length !== c0) throw new RangeError('chiSquareHomogeneity: ragged table');
		for (const v of row) {
			if (!(v >= 0) || !Number.isFinite(v)) {
				throw new RangeError(`chiSquareHomogeneity: counts must be finite and >= 0, got ${v}`);
			}
		}
	}
	const rowSum = table.map((row) => row.reduce((s, v) => s + v, 0));
	const colSum = new Array<number>(c0).fill(0);
	for (const row of table) for (let j = 0; j < c0; j++) colSum[j] += row[j];
	const rows = rowSum.map((s, i) => (s > 0 ? i : -1)).filter((i) => i >= 0);
	const cols = colSum.map((s, j) => (s > 0 ? j : -1)).filter((j) => j >= 0);
	const total = rows.reduce((s, i) => s + rowSum[i], 0);
	let statistic = 0;
	let minExpected = NaN;
	for (const i of rows) {
		for (const j of cols) {
			const e = (rowSum[i] * colSum[j]) / total;
			const d = table[i][j] - e;
			statistic += (d * d) / e;
			if (Number.isNaN(minExpected) || e < minExpected) minExpected = e;
		}
	}
	if (rows.length < 2 || cols.length < 2) {
		return { statistic: 0, df: 0, pValue: 1, rowsKept: rows.length, colsKept: cols.length, minExpected };
	}
	const df = (rows.length - 1) * (cols.length - 1);
	return {
		statistic,
		df,
		pValue: chiSquareSf(statistic, df),
		rowsKept: rows.length,
		colsKept: cols.length,
		minExpected
	};
}

/**
 * Total variation distance 0.5 * sum |p_i - q_i| between a group's outcome distribution and a
 * reference one; both given as counts (or weights) over the same outcomes and normalised here.
 * 0 = identical, 1 = disjoint. NaN when either side has zero total.
 */
export function totalVariationDistance(
	groupCounts: readonly number[],
	referenceCounts: readonly number[]
): number {
	if (groupCounts.length !== referenceCounts.length) {
		throw new RangeError('totalVariationDistance: the two distributions need the same outcomes');
	}
	let sg = 0;
	let sr = 0;
	for (let i = 0; i < groupCounts.length; i++) {
		if (!(groupCounts[i] >= 0) || !(referenceCounts[i] >= 0)) {
			throw new RangeError('totalVariationDistance: counts must be >= 0');
		}
		sg += groupCounts[i];
		sr += referenceCounts[i];
	}
	if (sg === 0 || sr === 0) return NaN;
	let d = 0;
	for (let i = 0; i < groupCounts.length; i++) d += Math.abs(groupCounts[i] / sg - referenceCounts[i] / sr);
	return Math.min(1, d / 2);
}

/**
 * Consistency index 100 x (1 - case-weighted mean TVD) over groups (DESIGN.md section 3);
 * groups with NaN distance or no cases are ignored; NaN when nothing remains.
 */
export function consistencyIndex(groups: readonly { n: number; tvd: number }[]): number {
	let w = 0;
	let s = 0;
	for (const g of groups) {
		if (!(g.n > 0) || Number.isNaN(g.tvd)) continue;
		w += g.n;
		s += g.n * g.tvd;
	}
	return w === 0 ? NaN : 100 * (1 - s / w);
}
