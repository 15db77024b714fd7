/**
 * Thin typed wrappers over @stdlib's normal and chi-square distributions, plus tail
 * probabilities computed without cancellation (the fairness pages show p-values).
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Standard normal CDF Phi(x). */
export function pnorm(x: number): number {
	return normalCdf(x, 0, 1);
}

/** Standard normal quantile Phi^-1(p). */
export function qnorm(p: number): number {
	return normalQuantile(p, 0, 1);
}

/** Two-sided critical value z_{1 - alpha/2} (1.959963984540054 for alpha = 0.05). */
export function zCritical(alpha = 0.05): number {
	if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
	return -normalQuantile(alpha / 2, 0, 1);
}

/** Two-sided normal p-value 2 * Phi(-|z|), accurate in the far tail (no 1 - Phi cancellation). */
export function twoSidedNormalP(z: number): number {
	if (Number.isNaN(z)) return NaN;
	return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

/**
 * Upper-tail chi-square probability P(X >= x), df degrees of freedom.
 * For df = 1 it uses the exact identity 2 * Phi(-sqrt(x)) (accurate for tiny p); otherwise
 * 1 - CDF, whose absolute error is ~1e-16, so p-values below ~1e-10 carry little relative
 * precision (they are shown as "< 0.001" anyway).
 */
export function chiSquareSf(x: number, df: number): number {
	if (Number.isNaN(x) || Number.isNaN(df)) return NaN;
	if (df <= 0) return x > 0 ? 0 : 1;
	if (x <= 0) return 1;
	if (df === 1) return 2 * normalCdf(-Math.sqrt(x), 0, 1);
	return Math.max(0, 1 - chisquareCdf(x, df));
}
