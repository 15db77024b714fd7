import { describe, expect, test } from 'vitest';
import { drawSample, type PopulationUnit } from '../../src/lib/audits/sampling';
import { Rng } from '../../src/lib/core/random';
import { hajekMean, horvitzThompsonMean, type WeightedObservation } from '../../src/lib/core/stats/survey-estimator';

/**
 * A synthetic population where risky cases (bigger risk size) score lower: exactly the situation
 * in which oversampling risk drags an unweighted mean down.
 */
function population(N: number) {
	const rng = new Rng(2026);
	const units: PopulationUnit[] = [];
	const y = new Map<string, number>();
	for (let i = 0; i < N; i++) {
		const risky = rng.chance(0.15);
		const region = rng.chance(0.7) ? 'big' : 'small';
		const id = `c${String(i).padStart(5, '0')}`;
		units.push({ caseId: id, stratum: region, size: risky ? 6 : 1 });
		const score = Math.min(100, Math.max(0, (risky ? 55 : 85) + (region === 'small' ? -8 : 0) + 12 * rng.normal()));
		y.set(id, score);
	}
	const mean = [...y.values()].reduce((a, b) => a + b, 0) / N;
	return { units, y, mean };
}

describe('Horvitz-Thompson under risk-weighted sampling (simulation)', () => {
	const N = 2000;
	const n = 100;
	const { units, y, mean } = population(N);
	const runs = 2000;
	const ht: number[] = [];
	const hajek: number[] = [];
	const plain: number[] = [];
	const variances: number[] = [];
	let covered = 0;
	for (let seed = 1; seed <= runs; seed++) {
		const s = drawSample(units, { kind: 'risk' }, n, seed);
		const obs: WeightedObservation[] = s.units.map((u) => ({ y: y.get(u.caseId) as number, weight: 1 / u.inclusionProbability, stratum: u.stratum }));
		const h = horvitzThompsonMean(obs, N);
		const r = hajekMean(obs);
		ht.push(h.estimate as number);
		hajek.push(r.estimate as number);
		plain.push(r.unweighted_mean as number);
		variances.push((r.se as number) ** 2);
		if ((r.ci_low as number) <= mean && mean <= (r.ci_high as number)) covered += 1;
	}
	const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
	const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - avg(xs)) ** 2, 0) / (xs.length - 1));

	test('the HT mean is unbiased: its average over 2000 samples is within 4 Monte Carlo errors of the true mean', () => {
		const mcError = sd(ht) / Math.sqrt(runs);
		expect(Math.abs(avg(ht) - mean)).toBeLessThan(4 * mcError);
	});

	test('the Hájek form is (nearly) unbiased too', () => {
		expect(Math.abs(avg(hajek) - mean)).toBeLessThan(4 * (sd(hajek) / Math.sqrt(runs)) + 0.05);
	});

	test('the unweighted mean of the same samples is biased downwards by several points', () => {
		expect(mean - avg(plain)).toBeGreaterThan(5);
		expect(Math.abs(avg(plain) - mean)).toBeGreaterThan(20 * (sd(plain) / Math.sqrt(runs)));
	});

	test('the variance estimate matches the spread of the estimates, and the 95% interval covers about 95%', () => {
		const ratio = avg(variances) / sd(hajek) ** 2;
		expect(ratio).toBeGreaterThan(0.85);
		expect(ratio).toBeLessThan(1.25);
		expect(covered / runs).toBeGreaterThan(0.92);
		expect(covered / runs).toBeLessThan(0.975);
	});
});

describe('stratified samples with the finite population correction', () => {
	test('variance estimate agrees with the simulated variance of the estimate', () => {
		const N = 600;
		const { units, y, mean } = population(N);
		const est: number[] = [];
		const vars: number[] = [];
		for (let seed = 1; seed <= 1500; seed++) {
			const s = drawSample(units, { kind: 'stratified', allocation: 'equal' }, 120, seed);
			const fraction = new Map(s.strata.map((h) => [h.stratum, h.sampled / h.population]));
			const r = hajekMean(s.units.map((u) => ({ y: y.get(u.caseId) as number, weight: 1 / u.inclusionProbability, stratum: u.stratum, fraction: fraction.get(u.stratum) })));
			est.push(r.estimate as number);
			vars.push((r.se as number) ** 2);
		}
		const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
		const empirical = est.reduce((a, b) => a + (b - avg(est)) ** 2, 0) / (est.length - 1);
		expect(Math.abs(avg(est) - mean)).toBeLessThan(4 * Math.sqrt(empirical / est.length));
		expect(avg(vars) / empirical).toBeGreaterThan(0.85);
		expect(avg(vars) / empirical).toBeLessThan(1.15);
	});
});

describe('small hand-checked cases', () => {
	test('two strata, known weights: estimate, variance by hand', () => {
		// Stratum a: y = 60, 80 with weight 5 (f = 0.2); stratum b: y = 90, 100, 80 with weight 2 (f = 0.5).
		const obs: WeightedObservation[] = [
			{ y: 60, weight: 5, stratum: 'a', fraction: 0.2 },
			{ y: 80, weight: 5, stratum: 'a', fraction: 0.2 },
			{ y: 90, weight: 2, stratum: 'b', fraction: 0.5 },
			{ y: 100, weight: 2, stratum: 'b', fraction: 0.5 },
			{ y: 80, weight: 2, stratum: 'b', fraction: 0.5 }
		];
		const r = hajekMean(obs);
		const W = 16;
		const R = (300 + 400 + 180 + 200 + 160) / W; // 77.5
		expect(r.estimate).toBeCloseTo(R, 12);
		const za = [(5 * (60 - R)) / W, (5 * (80 - R)) / W];
		const zb = [(2 * (90 - R)) / W, (2 * (100 - R)) / W, (2 * (80 - R)) / W];
		const ss = (z: number[]) => {
			const m = z.reduce((a, b) => a + b, 0) / z.length;
			return z.reduce((a, b) => a + (b - m) ** 2, 0);
		};
		const v = 0.8 * 2 * ss(za) + 0.5 * 1.5 * ss(zb);
		expect(r.se).toBeCloseTo(Math.sqrt(v), 12);
		expect(r.unweighted_mean).toBeCloseTo(82, 12);
		expect(r.population_estimate).toBe(16);
	});

	test('a domain estimate uses only its cases for the mean but every case for the variance', () => {
		const obs: WeightedObservation[] = [
			{ y: 50, weight: 2, stratum: 's', inDomain: true },
			{ y: 70, weight: 4, stratum: 's', inDomain: true },
			{ y: 99, weight: 1, stratum: 's', inDomain: false }
		];
		const r = hajekMean(obs);
		expect(r.estimate).toBeCloseTo((100 + 280) / 6, 12);
		expect(r.n).toBe(2);
		const R = 380 / 6;
		const z = [(2 * (50 - R)) / 6, (4 * (70 - R)) / 6, 0];
		const m = (z[0] + z[1]) / 3;
		expect(r.se).toBeCloseTo(Math.sqrt(1.5 * z.reduce((a, b) => a + (b - m) ** 2, 0)), 12);
	});

	test('no observations: no estimate; weights below 1 are refused', () => {
		expect(hajekMean([]).estimate).toBeNull();
		expect(() => hajekMean([{ y: 1, weight: 0.5, stratum: 'a' }])).toThrow(RangeError);
	});
});
