import hypergeometricPmf from '@stdlib/stats-base-dists-hypergeometric-pmf';

/**
 * Two-sided Fisher exact test of a 2x2 table [[a, b], [c, d]]: with the margins fixed, a follows a
 * hypergeometric distribution; the p-value sums the probabilities of every table no more likely
 * than the observed one. As scipy.stats.fisher_exact (checked against it in
 * tests/unit/stats-fisher-exact.test.ts), probabilities within a relative 1e-7 of the observed
 * one count as equal, so rounding does not drop the observed table's mirror image.
 */
export function fisherExactTwoSided(table: readonly [readonly [number, number], readonly [number, number]]): number {
	const [[a, b], [c, d]] = table;
	const total = a + b + c + d;
	const row = a + b;
	const column = a + c;
	if (row === 0 || column === 0 || row === total || column === total) return 1;
	const observed = hypergeometricPmf(a, total, column, row);
	const low = Math.max(0, row - (total - column));
	const high = Math.min(row, column);
	let p = 0;
	for (let x = low; x <= high; x++) {
		const px = hypergeometricPmf(x, total, column, row);
		if (px <= observed * (1 + 1e-7)) p += px;
	}
	return Math.min(1, p);
}
