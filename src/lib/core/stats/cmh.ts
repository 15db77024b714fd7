/**
 * Cochran-Mantel-Haenszel test for K strata of 2x2 tables: is a group's favourable-outcome rate
 * different from the other groups' for the same category? (fairness page, stratified by category)
 *
 * Checked against statsmodels 0.13 `StratifiedTable(tables).test_null_odds(correction)`,
 * `.oddsratio_pooled`, `.oddsratio_pooled_confint()` and R's `mantelhaen.test`.
 */
import { chiSquareSf, zCritical } from './normal';

/**
 * One stratum:          favourable   not favourable
 *   group                    a             b
 *   all other groups         c             d
 */
export interface Table2x2 {
	a: number;
	b: number;
	c: number;
	d: number;
}

export interface CmhResult {
	/** Mantel-Haenszel chi-square statistic, 1 degree of freedom. */
	statistic: number;
	pValue: number;
	/** Mantel-Haenszel common odds ratio sum(a d / n) / sum(b c / n) (> 1: group more favourable). */
	oddsRatio: number;
	/** Robins-Breslow-Greenland standard error of log(oddsRatio). */
	logOddsRatioSe: number;
	/** Confidence interval for the common odds ratio, exp(log OR -+ z se). */
	oddsRatioLower: number;
	oddsRatioUpper: number;
	/** sum(a) - sum(E[a]): observed minus expected favourable outcomes in the group. */
	observedMinusExpected: number;
	/** Strata used (those with at least 2 cases; smaller ones carry no information). */
	strataUsed: number;
	/** Whether the continuity correction was applied. */
	corrected: boolean;
}

/**
 * CMH test of a common odds ratio of 1 across strata, with the Mantel-Haenszel odds ratio.
 * Strata with fewer than 2 cases are dropped (their variance term is 0/0; R refuses them).
 * `correction: true` subtracts 0.5 from |O - E| as R does (only when |O - E| >= 0.5;
 * statsmodels subtracts it unconditionally). The p-value uses the chi-square(1) upper tail.
 * Statistic and p-value are NaN when no stratum has both margins non-degenerate.
 */
export function cochranMantelHaenszel(
	tables: readonly Table2x2[],
	options: { correction?: boolean; alpha?: number } = {}
): CmhResult {
	const correction = options.correction ?? false;
	let delta = 0;
	let variance = 0;
	let adn = 0;
	let bcn = 0;
	// Robins-Breslow-Greenland sums (statsmodels logodds_pooled_se)
	let sPR = 0;
	let sPSQR = 0;
	let sQS = 0;
	let used = 0;
	for (const t of tables) {
		for (const v of [t.a, t.b, t.c, t.d]) {
			if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`cochranMantelHaenszel: bad count ${v}`);
		}
		const n = t.a + t.b + t.c + t.d;
		if (n < 2) continue;
		used++;
		const apb = t.a + t.b;
		const apc = t.a + t.c;
		const bpd = t.b + t.d;
		const cpd = t.c + t.d;
		delta += t.a - (apb * apc) / n;
		variance += (apb * apc * bpd * cpd) / (n * n * (n - 1));
		const ad = (t.a * t.d) / n;
		const bc = (t.b * t.c) / n;
		adn += ad;
		bcn += bc;
		const P = (t.a + t.d) / n;
		const Q = 1 - P;
		sPR += P * ad;
		sPSQR += P * bc + Q * ad;
		sQS += Q * bc;
	}
	const yates = correction && Math.abs(delta) >= 0.5 ? 0.5 : 0;
	const statistic = variance > 0 ? (Math.abs(delta) - yates) ** 2 / variance : NaN;
	const oddsRatio = adn / bcn;
	const logVar = (sPR / (adn * adn) + sPSQR / (adn * bcn) + sQS / (bcn * bcn)) / 2;
	const logOddsRatioSe = Math.sqrt(logVar);
	const z = zCritical(options.alpha ?? 0.05);
	const lor = Math.log(oddsRatio);
	return {
		statistic,
		pValue: chiSquareSf(statistic, 1),
		oddsRatio,
		logOddsRatioSe,
		oddsRatioLower: Math.exp(lor - z * logOddsRatioSe),
		oddsRatioUpper: Math.exp(lor + z * logOddsRatioSe),
		observedMinusExpected: delta,
		strataUsed: used,
		corrected: yates > 0
	};
}
