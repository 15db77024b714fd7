/**
 * Krippendorff's alpha for reliability data with any number of coders and missing values
 * (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability", sections B-C). Pure.
 *
 *   alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_{c,k} o_ck delta^2_ck / sum_{c,k} n_c n_k delta^2_ck
 *
 * o_ck is the coincidence matrix (each unit with m_u >= 2 values adds 1 / (m_u - 1) per ordered
 * pair of its values), n_c its margins and n the number of pairable values. Metrics:
 * nominal delta = [c != k]; interval (c - k)^2; ordinal
 * delta^2_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2 over the ranked values c <= k.
 * Checked against the paper's worked example and an independent script
 * (scripts/fixtures/krippendorff.py).
 */
export type AlphaMetric = 'nominal' | 'ordinal' | 'interval';

export interface AlphaResult {
	/** null when undefined: fewer than two pairable values, or no variation at all. */
	alpha: number | null;
	/** Pairable values (values in units coded at least twice). */
	pairable: number;
	/** Units with at least two values. */
	units: number;
	observed_disagreement: number | null;
	expected_disagreement: number | null;
}

/** `data[u][j]` is coder j's value for unit u, or null when coder j did not code it. */
export function krippendorffAlpha(data: readonly (readonly (number | null | undefined)[])[], metric: AlphaMetric): AlphaResult {
	const units = data.map((row) => row.filter((v): v is number => v !== null && v !== undefined && !Number.isNaN(v))).filter((row) => row.length >= 2);
	const values = [...new Set(units.flat())].sort((a, b) => a - b);
	const index = new Map(values.map((v, i) => [v, i]));
	const V = values.length;
	const o = Array.from({ length: V }, () => new Array<number>(V).fill(0));
	for (const row of units) {
		const m = row.length;
		for (let i = 0; i < m; i++)
			for (let j = 0; j < m; j++) {
				if (i === j) continue;
				o[index.get(row[i]) as number][index.get(row[j]) as number] += 1 / (m - 1);
			}
	}
	const nc = o.map((r) => r.reduce((a, b) => a + b, 0));
	const n = nc.reduce((a, b) => a + b, 0);
	const empty: AlphaResult = { alpha: null, pairable: Math.round(n), units: units.length, observed_disagreement: null, expected_disagreement: null };
	if (n < 2 || V < 1) return empty;

	const delta2 = (c: number, k: number): number => {
		if (metric === 'nominal') return c === k ? 0 : 1;
		if (metric === 'interval') return (values[c] - values[k]) ** 2;
		const lo = Math.min(c, k);
		const hi = Math.max(c, k);
		let s = 0;
		for (let g = lo; g <= hi; g++) s += nc[g];
		return (s - (nc[lo] + nc[hi]) / 2) ** 2;
	};
	let observed = 0;
	let expected = 0;
	for (let c = 0; c < V; c++)
		for (let k = 0; k < V; k++) {
			const d = delta2(c, k);
			observed += o[c][k] * d;
			expected += nc[c] * nc[k] * d;
		}
	const Do = observed / n;
	const De = expected / (n * (n - 1));
	if (De === 0) return { ...empty, observed_disagreement: Do, expected_disagreement: 0 };
	return { alpha: 1 - Do / De, pairable: Math.round(n), units: units.length, observed_disagreement: Do, expected_disagreement: De };
}
