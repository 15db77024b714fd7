import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kaplanMeier, kmMedian, kmQuantile, kmSummary, type KmCurve } from '../../src/lib/core/stats/kaplan-meier';

type Vec = (number | null)[] | number | null;
const vec = (v: Vec): (number | null)[] => (Array.isArray(v) ? v : [v]);
interface QuantileRef {
	p: number;
	estimate: number | null;
	lower: number | null;
	upper: number | null;
}
interface CurveRef {
	time: Vec;
	nRisk: Vec;
	nEvent: Vec;
	nCensor: Vec;
	surv: Vec;
	stdErr: Vec;
	lower: Vec;
	upper: Vec;
}
interface KmCase {
	name: string;
	confLevel: number;
	input: { times: Vec; events: Vec; censored: Vec };
	n: number;
	totalEvents: number;
	quantile: QuantileRef[];
	printMedian: { estimate: number | null; lower: number | null; upper: number | null };
	printQuantile: QuantileRef[];
	curve?: CurveRef;
	curveSample?: CurveRef & { index: Vec };
}
const fixture = JSON.parse(
	readFileSync(new URL('../fixtures/stats/kaplan-meier.json', import.meta.url), 'utf8')
) as { cases: KmCase[] };
const nums = (v: Vec): number[] => vec(v).map((x) => (x === null ? NaN : x));

/** R's NA / NaN / Inf arrive as JSON null; the library uses NaN (bands) or Infinity (std.err). */
function close(actual: number | null, expected: number | null, rel = 1e-6, abs = 1e-12): void {
	if (expected === null) {
		expect(actual === null || !Number.isFinite(actual), `${actual} vs null`).toBe(true);
		return;
	}
	expect(actual, `${actual} vs ${expected}`).not.toBeNull();
	expect(Math.abs((actual as number) - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
		rel * Math.abs(expected) + abs
	);
}

function checkCurve(curve: KmCurve, ref: CurveRef, index?: number[]): void {
	const at = (arr: Float64Array): number[] => (index ? index.map((i) => arr[i]) : Array.from(arr));
	const keys = ['time', 'nRisk', 'nEvent', 'nCensor', 'surv', 'stdErr', 'lower', 'upper'] as const;
	for (const key of keys) {
		const expected = vec(ref[key]);
		const actual = at(curve[key]);
		expect(actual.length, key).toBe(expected.length);
		actual.forEach((a, i) => close(a, expected[i]));
	}
}

function curveFor(c: KmCase): KmCurve {
	return kaplanMeier(
		{ times: nums(c.input.times), events: nums(c.input.events), censored: nums(c.input.censored) },
		{ confLevel: c.confLevel }
	);
}

describe('Kaplan-Meier curve against R survival::survfit', () => {
	it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const curve = curveFor(c);
		expect(curve.n).toBe(c.n);
		expect(curve.events).toBe(c.totalEvents);
		if (c.curve) checkCurve(curve, c.curve);
		if (c.curveSample) checkCurve(curve, c.curveSample, nums(c.curveSample.index));
	});
});

describe('Kaplan-Meier quantiles and CIs against R quantile.survfit', () => {
	it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const curve = curveFor(c);
		for (const q of c.quantile) {
			const r = kmQuantile(curve, q.p, { rule: 'quantile' });
			close(r.estimate, q.estimate);
			close(r.lower, q.lower);
			close(r.upper, q.upper);
			expect(r.reason === null).toBe(q.estimate !== null);
		}
	});
});

describe('Kaplan-Meier median and CI against R print.survfit (default rule "print")', () => {
	it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const curve = curveFor(c);
		const r = kmMedian(curve);
		close(r.estimate, c.printMedian.estimate);
		close(r.lower, c.printMedian.lower);
		close(r.upper, c.printMedian.upper);
		// other p: print.survfit's rule applied by R to the curve scaled by 0.5 / (1 - p)
		for (const q of c.printQuantile) {
			const k = kmQuantile(curve, q.p);
			close(k.estimate, q.estimate);
			close(k.lower, q.lower);
			close(k.upper, q.upper);
		}
	});
	it('the two rules differ on an exact final 0.5 plateau, as in R', () => {
		const c = fixture.cases.find((x) => x.name.startsWith('exact 0.5 plateau at the end'))!;
		const curve = curveFor(c);
		expect(kmMedian(curve, { rule: 'quantile' }).estimate).toBe(3); // midpoint of 2 and the last time 4
		expect(kmMedian(curve).estimate).toBe(2); // print.survfit: the time it is reached
	});
	it('the two rules differ on a non-monotone upper band, as in R', () => {
		const cases = fixture.cases.filter((x) => x.name.startsWith('upper band read differently'));
		expect(cases.length).toBeGreaterThan(0);
		for (const c of cases) {
			const curve = curveFor(c);
			const a = kmMedian(curve).upper as number;
			const b = kmMedian(curve, { rule: 'quantile' }).upper as number;
			expect(b).toBeGreaterThan(a);
		}
	});
});

describe('Kaplan-Meier edge cases', () => {
	it('reasons: no data, no events, not reached', () => {
		const empty = kmMedian(kaplanMeier({ times: [], events: [], censored: [] }));
		expect(empty).toMatchObject({ estimate: null, lower: null, upper: null, reason: 'no-data' });
		const allCensored = kmMedian(kaplanMeier({ times: [3, 7], events: [0, 0], censored: [2, 1] }));
		expect(allCensored).toMatchObject({ estimate: null, reason: 'no-events' });
		const notReached = kmMedian(kaplanMeier({ times: [1, 5, 8], events: [1, 1, 0], censored: [0, 2, 5] }));
		expect(notReached.estimate).toBeNull();
		expect(notReached.reason).toBe('not-reached');
	});
	it('without censoring the KM median equals the ordinary sample median', () => {
		const times = [2, 3, 5, 8, 13, 21];
		const r = kmMedian(kaplanMeier({ times, events: times.map(() => 1), censored: times.map(() => 0) }));
		expect(r.estimate).toBe(6.5); // S = 0.5 exactly at 5 -> midpoint of 5 and 8
		const odd = [2, 3, 5, 8, 13];
		const r2 = kmMedian(kaplanMeier({ times: odd, events: odd.map(() => 1), censored: odd.map(() => 0) }));
		expect(r2.estimate).toBe(5);
	});
	it('unsorted and duplicated times are merged', () => {
		const a = kaplanMeier({ times: [5, 1, 5, 3], events: [1, 2, 0, 1], censored: [0, 0, 2, 1] });
		const b = kaplanMeier({ times: [1, 3, 5], events: [2, 1, 1], censored: [0, 1, 2] });
		expect(a).toEqual(b);
	});
	it('rows with no events and no censorings are skipped; bad input throws', () => {
		const a = kaplanMeier({ times: [1, 2, 3], events: [1, 0, 1], censored: [0, 0, 1] });
		expect(Array.from(a.time)).toEqual([1, 3]);
		expect(() => kaplanMeier({ times: [1, NaN], events: [1, 1], censored: [0, 0] })).toThrow(RangeError);
		expect(() => kaplanMeier({ times: [1], events: [-1], censored: [0] })).toThrow(RangeError);
		expect(() => kaplanMeier({ times: [1], events: [1, 2], censored: [0] })).toThrow(RangeError);
		expect(() => kmQuantile(a, 1)).toThrow(RangeError);
	});
	it('survival is non-increasing, the bands bracket it, and quantiles increase with p', () => {
		const c = fixture.cases.find((x) => x.name.startsWith('large'))!;
		const curve = curveFor(c);
		for (let i = 0; i < curve.time.length; i++) {
			if (i > 0) expect(curve.surv[i]).toBeLessThanOrEqual(curve.surv[i - 1]);
			if (curve.surv[i] > 0) {
				expect(curve.lower[i]).toBeLessThanOrEqual(curve.surv[i]);
				expect(curve.upper[i]).toBeGreaterThanOrEqual(curve.surv[i]);
			}
		}
		const qs = [0.1, 0.25, 0.5, 0.75, 0.9].map((p) => kmQuantile(curve, p).estimate as number);
		expect(qs.every((q) => q !== null)).toBe(true);
		for (let i = 1; i < qs.length; i++) expect(qs[i]).toBeGreaterThanOrEqual(qs[i - 1]);
	});
	it('handles 100k distinct times in linear time', () => {
		const n = 100_000;
		const times = new Float64Array(n);
		const events = new Float64Array(n);
		const censored = new Float64Array(n);
		let seed = 12345;
		const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
		for (let i = 0; i < n; i++) {
			times[i] = i + 1;
			events[i] = Math.floor(rand() * 5);
			censored[i] = Math.floor(rand() * 3);
		}
		const start = performance.now();
		const s = kmSummary({ times, events, censored }, [0.5, 0.9]);
		const elapsed = performance.now() - start;
		expect(s.quantiles[0].estimate).not.toBeNull();
		expect(s.quantiles[0].lower as number).toBeLessThanOrEqual(s.quantiles[0].estimate as number);
		expect(s.quantiles[0].upper as number).toBeGreaterThanOrEqual(s.quantiles[0].estimate as number);
		expect(elapsed).toBeLessThan(1000);
	});
});
