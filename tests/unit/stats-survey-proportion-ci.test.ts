import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hajekMean, horvitzThompsonMean, type WeightedObservation } from '../../src/lib/core/stats/survey-estimator';
import { domainDesign, hajekShare, kornGraubardInterval, withProportionInterval } from '../../src/lib/core/stats/survey-proportion-ci';

interface FixtureCase {
	name: string;
	level: number;
	y: number[];
	weight: number[];
	stratum: string[];
	fraction: number[];
	in_domain: boolean[];
	n: number;
	df: number;
	estimate: number;
	se: number;
	kish_n: number;
	n_eff: number;
	ci_low: number;
	ci_high: number;
	source: string;
	svyciprop_low: number | null;
	svyciprop_high: number | null;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/survey-proportion-ci.json', import.meta.url), 'utf8')) as { cases: FixtureCase[] };

function observations(c: FixtureCase, scale = 1): WeightedObservation[] {
	return c.y.map((y, i) => ({ y: y * scale, weight: c.weight[i], stratum: c.stratum[i], fraction: c.fraction[i], inDomain: c.in_domain[i] }));
}

function close(actual: number | null, expected: number, tolerance = 1e-6): void {
	expect(actual, `expected ${expected}`).not.toBeNull();
	expect(Math.abs((actual as number) - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe('Korn-Graubard interval against R survey::svyciprop(method = "beta")', () => {
	it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
		const obs = observations(c);
		const r = hajekShare(obs, { confidence: c.level });
		close(r.estimate, c.estimate);
		close(r.se, c.se);
		expect(r.n).toBe(c.n);
		const d = domainDesign(obs);
		expect(d.df).toBe(c.df);
		close(d.kishN, c.kish_n, 1e-9);
		close(r.n_eff, c.n_eff, 1e-6 * Math.max(1, c.n_eff));
		close(r.ci_low, c.ci_low);
		close(r.ci_high, c.ci_high);
		expect(r.ci_high as number).toBeGreaterThan(r.ci_low as number);
		expect(r.ci_low as number).toBeLessThanOrEqual(r.estimate as number);
		expect(r.ci_high as number).toBeGreaterThanOrEqual(r.estimate as number);
	});

	it('the fixture holds the issue: 0 of 12 and a score with no spread', () => {
		const zero = fixture.cases.find((c) => c.name === 'simple random, n = 12, 0 of 12') as FixtureCase;
		// Clopper-Pearson at 0 of 12: 1 - 0.025^(1/12).
		close(zero.ci_high, 1 - 0.025 ** (1 / 12), 1e-12);
		const flat = fixture.cases.find((c) => c.name === 'fractional scores all 0.5, n = 12') as FixtureCase;
		// What svyciprop itself gives there: the zero-width interval the results page showed.
		expect(flat.svyciprop_low).toBe(0.5);
		expect(flat.svyciprop_high).toBe(0.5);
	});

	it('a 0-100 score gives the same interval, times 100', () => {
		for (const c of fixture.cases) {
			const r = hajekShare(observations(c, 100), { max: 100, confidence: c.level });
			close(r.ci_low, 100 * c.ci_low, 1e-4);
			close(r.ci_high, 100 * c.ci_high, 1e-4);
		}
	});
});

describe('kornGraubardInterval edges', () => {
	it('no interval from fewer than two observations', () => {
		expect(kornGraubardInterval({ estimate: 1, variance: 0, n: 1, df: 0, kishN: 1 })).toBeNull();
		const one = hajekShare([{ y: 1, weight: 3, stratum: 'a' }]);
		expect(one.ci_low).toBeNull();
		expect(one.n_eff).toBeNull();
	});

	it('refuses a value that is no proportion', () => {
		expect(() => kornGraubardInterval({ estimate: 1.2, variance: 0.01, n: 10, df: 9, kishN: 10 })).toThrow(RangeError);
		expect(() => kornGraubardInterval({ estimate: 0.2, variance: 0.01, n: 10, df: 9, kishN: 10 }, 1)).toThrow(RangeError);
	});

	it('equal scores whose weighted mean rounds off by an ulp still count as no spread', () => {
		const obs = [7, 3, 11, 5, 13].map((w, i) => ({ y: 38.75, weight: w, stratum: i < 2 ? 'a' : 'b' }));
		const r = hajekShare(obs, { max: 100 });
		expect((r.ci_high as number) - (r.ci_low as number)).toBeGreaterThan(20);
	});

	it('a Horvitz-Thompson mean above the maximum keeps its normal interval', () => {
		const obs: WeightedObservation[] = [
			{ y: 100, weight: 10, stratum: 'a' },
			{ y: 90, weight: 10, stratum: 'a' },
			{ y: 80, weight: 10, stratum: 'a' }
		];
		const ht = horvitzThompsonMean(obs, 20);
		expect(ht.estimate as number).toBeGreaterThan(100);
		expect(withProportionInterval(ht, obs, { max: 100 })).toMatchObject({ ci_low: ht.ci_low, ci_high: ht.ci_high, n_eff: null });
	});

	it('with plenty of spread it is close to the normal interval', () => {
		const obs = Array.from({ length: 400 }, (_, i) => ({ y: i % 3 === 0 ? 1 : 0, weight: 1 + (i % 4), stratum: i % 2 ? 'a' : 'b' }));
		const wald = hajekMean(obs);
		const kg = hajekShare(obs);
		expect(Math.abs((kg.ci_low as number) - (wald.ci_low as number))).toBeLessThan(0.005);
		expect(Math.abs((kg.ci_high as number) - (wald.ci_high as number))).toBeLessThan(0.005);
	});
});
