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

/** Cressie and Read's recommended power-divergence exponent (scipy lambda_='cressie-read'). */
export const CRESSIE_READ = 2 / 3;

/**
 * Pearson chi-square test of homogeneity (= independence) on an r x c count table, without
 * Yates' correction. `lambda` picks another member of the power-divergence family, compared with
 * the same chi-square distribution (scipy chi2_contingency's lambda_): 1 = Pearson (default),
 * 0 = likelihood ratio (G), 2/3 = Cressie-Read, whose chi-square approximation holds better in
 * small groups (Pearson's tail is too light there: p-values near 1e-5 come 2-3 times too often). All-zero rows and columns are dropped first (scipy would reject a zero
 * expected count). When fewer than two rows or columns remain there is nothing to compare:
 * statistic 0, df 0, p = 1, as scipy returns for a table with zero degrees of freedom.
 */
export function chiSquareHomogeneity(table: readonly (readonly number[])[], options: { lambda?: number } = {}): ChiSquareResult {
	const lambda = options.lambda ?? 1;
	if (!(lambda > -1) || !Number.isFinite(lambda)) throw new RangeError(`chiSquareHomogeneity: lambda must be > -1, got ${lambda}`);
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
			const o = table[i][j];
			if (lambda === 1) statistic += ((o - e) * (o - e)) / e;
			else if (lambda === 0) statistic += o > 0 ? 2 * o * Math.log(o / e) : 0;
			else statistic += ((2 / (lambda * (lambda + 1))) * o * ((o / e) ** lambda - 1));
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
 * Consistency index 100 x (1 - case-weighted mean TVD) over groups (README.md, Metrics);
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

/**
 * Cochran's rule before a chi-square test: outcome columns whose expected count in the smallest
 * row is below `minExpected` are pooled into one column (added last); if that pooled column is
 * itself still below, the smallest remaining column joins it, until it is not or nothing is left
 * to join. All-zero columns are dropped. Rows are kept as they are. A table that ends with one
 * column has nothing left to test (chiSquareHomogeneity then gives df 0, p = 1).
 */
export function poolSparseColumns(table: readonly (readonly number[])[], minExpected = 5): number[][] {
	if (table.length === 0) return [];
	const c = table[0].length;
	const colSum = new Array<number>(c).fill(0);
	for (const row of table) for (let j = 0; j < c; j++) colSum[j] += row[j];
	const total = colSum.reduce((s, v) => s + v, 0);
	const rowSums = table.map((row) => row.reduce((s, v) => s + v, 0)).filter((s) => s > 0);
	if (total === 0 || rowSums.length === 0) return table.map((row) => [...row]);
	const rMin = Math.min(...rowSums);
	const expected = (sum: number) => (rMin * sum) / total;
	let keep = colSum.map((s, j) => (s > 0 ? j : -1)).filter((j) => j >= 0);
	let pooled = keep.filter((j) => expected(colSum[j]) < minExpected);
	keep = keep.filter((j) => expected(colSum[j]) >= minExpected);
	let pooledSum = pooled.reduce((s, j) => s + colSum[j], 0);
	while (pooled.length > 0 && expected(pooledSum) < minExpected && keep.length > 0) {
		let smallest = 0;
		for (let k = 1; k < keep.length; k++) if (colSum[keep[k]] < colSum[keep[smallest]]) smallest = k;
		pooled = [...pooled, keep[smallest]];
		pooledSum += colSum[keep[smallest]];
		keep = keep.filter((_, k) => k !== smallest);
	}
	return table.map((row) => {
		const out = keep.map((j) => row[j]);
		if (pooled.length) out.push(pooled.reduce((s, j) => s + row[j], 0));
		return out;
	});
}
