/**
 * Benjamini-Hochberg false-discovery-rate q-values across every comparison shown on a page
 * (fairness and consistency flags use q < 0.05).
 *
 * Checked against statsmodels 0.13 `multipletests(p, method='fdr_bh')[1]`.
 */

/**
 * BH adjusted p-values (q-values), in the input order: q_(i) = min_{j >= i} min(1, m p_(j) / j)
 * over the ascending p-values. NaN (or null / undefined) entries stay NaN and are not counted in
 * m, i.e. the adjustment is over the comparisons that actually have a p-value. O(m log m).
 */
export function benjaminiHochberg(pValues: readonly (number | null | undefined)[]): number[] {
	const out = new Array<number>(pValues.length).fill(NaN);
	const idx: number[] = [];
	for (let i = 0; i < pValues.length; i++) {
		const p = pValues[i];
		if (p === null || p === undefined || Number.isNaN(p)) continue;
		if (p < 0 || p > 1) throw new RangeError(`benjaminiHochberg: p-value ${p} outside [0, 1]`);
		idx.push(i);
	}
	const m = idx.length;
	// Stable sort by p, ties keep input order (ties get equal q-values anyway).
	idx.sort((i, j) => (pValues[i] as number) - (pValues[j] as number));
	let running = 1;
	for (let r = m - 1; r >= 0; r--) {
		const i = idx[r];
		const q = ((pValues[i] as number) * m) / (r + 1);
		if (q < running) running = q;
		out[i] = running;
	}
	return out;
}
