/**
 * Kaplan-Meier estimate from aggregated durations, so that open cases count as censored
 * ("at least this old at the snapshot") instead of being dropped (README.md, Metrics).
 *
 * The input is what SQL hands over after GROUP BY duration: distinct times, with the number of
 * events (cases answered / resolved at that time) and the number censored (still open, with that
 * age). Everything is one O(n) pass over the distinct times (n up to ~100k).
 *
 * Matches R survival 3.5 `survfit(Surv(time, status) ~ 1)` with its defaults: Greenwood variance,
 * conf.type = "log" (bands exp(log S -+ z se), upper capped at 1, undefined where S = 0). Quantiles
 * and their CIs are read off the curve and the bands as `print(fit)` reports the median (default
 * rule 'print', generalised to any p) or as `quantile(fit, p)` computes them (rule 'quantile');
 * the two R functions differ in two corners, see `KmQuantileRule`.
 */
import { zCritical } from './normal';

export interface KmInput {
	/** Distinct times (any order; ascending is the fast path). Durations, e.g. minutes. */
	times: ArrayLike<number>;
	/** Number of events (e.g. cases resolved) at each time. */
	events: ArrayLike<number>;
	/** Number censored (e.g. cases still open, with that age at the snapshot) at each time. */
	censored: ArrayLike<number>;
}

export interface KmCurve {
	/** Distinct times with at least one event or censoring, ascending (R's `fit$time`). */
	time: Float64Array;
	nRisk: Float64Array;
	nEvent: Float64Array;
	nCensor: Float64Array;
	/** S(t) just after each time. */
	surv: Float64Array;
	/** Greenwood standard error of -log S(t) (R's `fit$std.err`); Infinity once S reaches 0. */
	stdErr: Float64Array;
	/** Pointwise confidence band, conf.type = "log"; NaN where S = 0 (R's NA). */
	lower: Float64Array;
	upper: Float64Array;
	/** Total number of subjects (cases). */
	n: number;
	/** Total number of events. */
	events: number;
	confLevel: number;
}

/** Sorts by time and merges duplicate times when the input is not strictly ascending. */
function normalise(input: KmInput): { t: ArrayLike<number>; d: ArrayLike<number>; c: ArrayLike<number> } {
	const { times, events, censored } = input;
	const n = times.length;
	if (events.length !== n || censored.length !== n) {
		throw new RangeError('kaplanMeier: times, events and censored must have the same length');
	}
	let ascending = true;
	for (let i = 0; i < n; i++) {
		const t = times[i];
		const d = events[i];
		const c = censored[i];
		if (!Number.isFinite(t)) throw new RangeError(`kaplanMeier: time ${t} is not finite`);
		if (!(d >= 0) || !(c >= 0) || !Number.isFinite(d) || !Number.isFinite(c)) {
			throw new RangeError(`kaplanMeier: counts must be finite and >= 0 (time ${t})`);
		}
		if (i > 0 && !(times[i - 1] < t)) ascending = false;
	}
	if (ascending) return { t: times, d: events, c: censored };
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a] - times[b]);
	const t: number[] = [];
	const d: number[] = [];
	const c: number[] = [];
	for (const i of order) {
		const k = t.length - 1;
		if (k >= 0 && t[k] === times[i]) {
			d[k] += events[i];
			c[k] += censored[i];
		} else {
			t.push(times[i]);
			d.push(events[i]);
			c.push(censored[i]);
		}
	}
	return { t, d, c };
}

/**
 * Kaplan-Meier curve with Greenwood standard errors and log-type pointwise bands, from
 * aggregated (time, events, censored) rows. Rows with no events and no censorings are skipped.
 */
export function kaplanMeier(input: KmInput, options: { confLevel?: number } = {}): KmCurve {
	const confLevel = options.confLevel ?? 0.95;
	const z = zCritical(1 - confLevel);
	const { t, d, c } = normalise(input);
	let m = 0;
	let total = 0;
	let totalEvents = 0;
	for (let i = 0; i < t.length; i++) {
		if (d[i] + c[i] > 0) m++;
		total += d[i] + c[i];
		totalEvents += d[i];
	}
	const curve: KmCurve = {
		time: new Float64Array(m),
		nRisk: new Float64Array(m),
		nEvent: new Float64Array(m),
		nCensor: new Float64Array(m),
		surv: new Float64Array(m),
		stdErr: new Float64Array(m),
		lower: new Float64Array(m),
		upper: new Float64Array(m),
		n: total,
		events: totalEvents,
		confLevel
	};
	let atRisk = total;
	let s = 1;
	let varHaz = 0;
	let k = 0;
	for (let i = 0; i < t.length; i++) {
		const di = d[i];
		const ci = c[i];
		if (di + ci === 0) continue;
		if (di > 0) {
			s *= 1 - di / atRisk;
			// Greenwood: sum d / (n (n - d)); R reports Inf once n = d (S drops to 0).
			varHaz = atRisk > di ? varHaz + di / (atRisk * (atRisk - di)) : Infinity;
		}
		const se = Math.sqrt(varHaz);
		curve.time[k] = t[i];
		curve.nRisk[k] = atRisk;
		curve.nEvent[k] = di;
		curve.nCensor[k] = ci;
		curve.surv[k] = s;
		curve.stdErr[k] = se;
		if (s > 0) {
			curve.lower[k] = Math.exp(Math.log(s) - z * se);
			curve.upper[k] = Math.min(1, Math.exp(Math.log(s) + z * se));
		} else {
			curve.lower[k] = NaN;
			curve.upper[k] = NaN;
		}
		atRisk -= di + ci;
		k++;
	}
	return curve;
}

/**
 * How a quantile is read off a step curve y(t) (the estimate, or one of the bands) at level
 * 1 - p, with R's tolerance tol = sqrt(double eps):
 *
 * - 'print' (default) = `print.survfit`'s median, LCL and UCL (survival's internal `minmin`),
 *   generalised from 0.5 to 1 - p: the first time with y < 1 - p + tol; if y there is within tol
 *   of 1 - p (an exact plateau), the midpoint of that time and the next time y drops further;
 *   when it never drops further, that first time. Each band is read at its first crossing,
 *   which is the usual definition of the CI of a Kaplan-Meier quantile.
 * - 'quantile' = `quantile.survfit` (its internal `findq`): identical on monotone curves except
 *   that an exact final plateau gives the midpoint of its start and the curve's last time. On
 *   the upper band, which is not monotone when the risk set gets small, R takes the time of the
 *   smallest 1 - y that is >= p rather than the first crossing, so its upper limit can be later
 *   (about 0.7% of small random samples); reproduced as is.
 */
export type KmQuantileRule = 'quantile' | 'print';

export type KmQuantileReason = 'no-data' | 'no-events' | 'not-reached';

export interface KmQuantileResult {
	/** Probability: 0.5 for the median, 0.9 for p90 (the time by which 90% had the event). */
	p: number;
	/** The quantile time, or null when not estimable (see `reason`). */
	estimate: number | null;
	/** Confidence interval from the pointwise bands; either end may be null (not reached). */
	lower: number | null;
	upper: number | null;
	/** Why `estimate` is null: no cases at all, no events at all, or S(t) never fell to 1 - p. */
	reason: KmQuantileReason | null;
}

const TOLERANCE = Math.sqrt(2.220446049250313e-16);

/**
 * R's `findq(c(0, time), c(0, 1 - y), p, tol)` in O(n). R drops repeated F = 1 - y values (first
 * occurrence kept) and NAs, then: index1 = the point with the smallest F such that F + tol >= p,
 * index2 = the same with F - tol >= p, answer (x1 + x2) / 2; and if the last distinct F is within
 * tol of p, (x1 + last time) / 2 instead. Strict "<" below keeps the first occurrence, so only the
 * "last distinct F" needs the duplicate bookkeeping, and only when some F is within tol of p.
 */
function findq(time: Float64Array, y: Float64Array, p: number): number | null {
	const n = time.length;
	// the prepended point (time 0, F = 0)
	let maxF = 0;
	let best1 = 0 + TOLERANCE >= p ? 0 : Infinity;
	let x1 = best1 === 0 ? 0 : NaN;
	let best2 = Infinity;
	let x2 = NaN;
	let nearP = false;
	for (let i = 0; i < n; i++) {
		const f = 1 - y[i];
		if (Number.isNaN(f)) continue;
		if (f > maxF) maxF = f;
		if (f < best1 && f + TOLERANCE >= p) {
			best1 = f;
			x1 = time[i];
		}
		if (f < best2 && f - TOLERANCE >= p) {
			best2 = f;
			x2 = time[i];
		}
		if (Math.abs(p - f) < TOLERANCE) nearP = true;
	}
	if (maxF < p) return null;
	let q = (x1 + x2) / 2; // NaN (R's NA) when either index is missing
	if (nearP) {
		const seen = new Set<number>([0]); // SameValueZero: NaN equals NaN, like duplicated()
		let lastF = 0;
		for (let i = 0; i < n; i++) {
			const f = 1 - y[i];
			if (seen.has(f)) continue;
			seen.add(f);
			lastF = f;
		}
		if (!Number.isNaN(lastF) && Math.abs(p - lastF) < TOLERANCE) q = (x1 + time[n - 1]) / 2;
	}
	return Number.isNaN(q) ? null : q;
}

/** R's `minmin(y, time)` from print.survfit, with 0.5 replaced by the target level 1 - p. */
function minmin(time: Float64Array, y: Float64Array, p: number): number | null {
	const target = 1 - p;
	let first = -1;
	for (let i = 0; i < time.length; i++) {
		const v = y[i];
		if (Number.isNaN(v) || !(v < target + TOLERANCE)) continue;
		if (first < 0) {
			first = i;
			if (!(Math.abs(v - target) < TOLERANCE)) return time[i];
		} else if (v < y[first]) {
			return (time[first] + time[i]) / 2;
		}
	}
	return first < 0 ? null : time[first];
}

/**
 * Quantile p of the time-to-event distribution (the time by which a share p had the event,
 * counting open cases as censored), with its confidence interval from the curve's bands.
 * `kmQuantile(curve, 0.5)` is the Kaplan-Meier median; `kmQuantile(curve, 0.9)` the p90.
 */
export function kmQuantile(
	curve: KmCurve,
	p: number,
	options: { rule?: KmQuantileRule } = {}
): KmQuantileResult {
	if (!(p > 0 && p < 1)) throw new RangeError(`kmQuantile: p must be in (0, 1), got ${p}`);
	if (curve.n === 0) return { p, estimate: null, lower: null, upper: null, reason: 'no-data' };
	const read = options.rule === 'quantile' ? findq : minmin;
	const estimate = read(curve.time, curve.surv, p);
	const lower = read(curve.time, curve.lower, p);
	const upper = read(curve.time, curve.upper, p);
	const reason: KmQuantileReason | null =
		estimate !== null ? null : curve.events === 0 ? 'no-events' : 'not-reached';
	return { p, estimate, lower, upper, reason };
}

/** Kaplan-Meier median with its 95% (or curve.confLevel) confidence interval. */
export function kmMedian(curve: KmCurve, options: { rule?: KmQuantileRule } = {}): KmQuantileResult {
	return kmQuantile(curve, 0.5, options);
}

/** Convenience: curve and median (and any other quantiles) from aggregated rows in one call. */
export function kmSummary(
	input: KmInput,
	ps: readonly number[] = [0.5, 0.9],
	options: { confLevel?: number; rule?: KmQuantileRule } = {}
): { n: number; events: number; censored: number; quantiles: KmQuantileResult[] } {
	const curve = kaplanMeier(input, options);
	return {
		n: curve.n,
		events: curve.events,
		censored: curve.n - curve.events,
		quantiles: ps.map((p) => kmQuantile(curve, p, options))
	};
}
