import { describe, expect, test } from 'vitest';
import { allocate, largestRemainder } from '../../src/lib/audits/allocation';
import { ppsInclusionProbabilities, systematicSelect } from '../../src/lib/audits/pps';
import { drawSample, type PopulationUnit, type SampleDesign } from '../../src/lib/audits/sampling';
import { Rng } from '../../src/lib/core/random';

/** A population with uneven strata and uneven risk sizes (some large enough to be taken for certain). */
function population(N: number, seed = 7): PopulationUnit[] {
	const rng = new Rng(seed);
	const strata = ['north', 'south', 'east', 'west'];
	const weights = [0.55, 0.25, 0.15, 0.05];
	return Array.from({ length: N }, (_, i) => {
		const u = rng.next();
		const h = u < weights[0] ? 0 : u < weights[0] + weights[1] ? 1 : u < 0.95 ? 2 : 3;
		const size = 1 + (rng.chance(0.2) ? 3 : 0) + (rng.chance(0.1) ? 2 : 0) + (i === 3 ? 60 : 0);
		return { caseId: `case-${String(i).padStart(5, '0')}`, stratum: strata[h], size };
	});
}

const DESIGNS: [string, SampleDesign][] = [
	['simple', { kind: 'simple' }],
	['stratified proportional', { kind: 'stratified', allocation: 'proportional' }],
	['stratified equal', { kind: 'stratified', allocation: 'equal' }],
	['risk-weighted', { kind: 'risk' }]
];

describe('allocation', () => {
	test('proportional: sums to n and each stratum is within 1 of n N_h / N', () => {
		const sizes = [550, 250, 150, 49, 1];
		for (const n of [1, 7, 50, 333, 1000]) {
			const a = allocate(sizes, n, 'proportional');
			expect(a.reduce((x, y) => x + y, 0)).toBe(n);
			sizes.forEach((s, h) => expect(Math.abs(a[h] - (n * s) / 1000)).toBeLessThan(1));
		}
	});

	test('equal: sums to n, equal shares (within 1), a small stratum is taken whole and the rest redistributed', () => {
		const a = allocate([500, 300, 4, 200], 40, 'equal');
		expect(a).toEqual([12, 12, 4, 12]);
		const b = allocate([100, 100, 100], 10, 'equal');
		expect(b.reduce((x, y) => x + y, 0)).toBe(10);
		expect(Math.max(...b) - Math.min(...b)).toBe(1);
	});

	test('never more than a stratum holds; asking for more than the population takes everyone', () => {
		expect(allocate([3, 5, 0], 100, 'equal')).toEqual([3, 5, 0]);
		expect(allocate([3, 5, 0], 100, 'proportional')).toEqual([3, 5, 0]);
	});

	test('largest remainder', () => {
		expect(largestRemainder([1, 1, 1], 2)).toEqual([1, 1, 0]);
		expect(largestRemainder([5, 3, 2], 7)).toEqual([4, 2, 1]);
	});
});

describe('PPS inclusion probabilities', () => {
	test('proportional to size, summing to n, with take-all units capped at 1', () => {
		const pi = ppsInclusionProbabilities([1, 1, 2, 100], 2);
		expect(pi[3]).toBe(1);
		expect(pi[0]).toBeCloseTo(0.25, 12);
		expect(pi[2]).toBeCloseTo(0.5, 12);
		expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 12);
	});

	test('a cap can cascade: after one unit is capped, another may reach 1', () => {
		const pi = ppsInclusionProbabilities([10, 6, 1, 1, 1, 1], 3);
		expect(pi.slice(0, 2)).toEqual([1, 1]);
		expect(pi.slice(2).every((p) => Math.abs(p - 0.25) < 1e-12)).toBe(true);
	});

	test('systematic selection returns exactly n distinct units', () => {
		const pi = ppsInclusionProbabilities([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], 4);
		for (const u of [0, 0.1, 0.5, 0.999999]) {
			const chosen = systematicSelect(pi, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], u);
			expect(chosen.length).toBe(4);
			expect(new Set(chosen).size).toBe(4);
		}
	});
});

describe('seeded audit samples', () => {
	const pop = population(400);

	for (const [name, design] of DESIGNS) {
		test(`${name}: the same seed gives the same sample, another seed another; no case twice`, () => {
			const a = drawSample(pop, design, 40, 12345);
			const b = drawSample([...pop].reverse(), design, 40, 12345);
			const c = drawSample(pop, design, 40, 12346);
			expect(a.units.map((u) => u.caseId)).toEqual(b.units.map((u) => u.caseId));
			expect(a.units.map((u) => u.inclusionProbability)).toEqual(b.units.map((u) => u.inclusionProbability));
			expect(c.units.map((u) => u.caseId)).not.toEqual(a.units.map((u) => u.caseId));
			expect(a.units.length).toBe(40);
			expect(new Set(a.units.map((u) => u.caseId)).size).toBe(40);
			expect(a.strata.reduce((s, h) => s + h.sampled, 0)).toBe(40);
		});
	}

	test('stratified: sampled counts per stratum match the allocation, and pi = n_h / N_h', () => {
		for (const allocation of ['proportional', 'equal'] as const) {
			const r = drawSample(pop, { kind: 'stratified', allocation }, 40, 1);
			const expected = allocate(
				r.strata.map((s) => s.population),
				40,
				allocation
			);
			expect(r.strata.map((s) => s.sampled)).toEqual(expected);
			for (const s of r.strata) {
				const members = r.units.filter((u) => u.stratum === s.stratum);
				expect(members.length).toBe(s.sampled);
				for (const m of members) expect(m.inclusionProbability).toBe(s.sampled / s.population);
			}
		}
	});

	test('the sum of inclusion probabilities over the population equals the sample size', () => {
		const r = drawSample(pop, { kind: 'risk' }, 40, 3);
		const pi = ppsInclusionProbabilities(
			[...pop].sort((a, b) => (a.caseId < b.caseId ? -1 : 1)).map((u) => u.size),
			40
		);
		expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(40, 9);
		// The case with the huge risk size is a take-all unit, in every sample.
		expect(r.units.find((u) => u.caseId === 'case-00003')?.inclusionProbability).toBe(1);
	});

	test('a case listed twice in the population is refused', () => {
		expect(() => drawSample([...pop.slice(0, 5), pop[0]], { kind: 'simple' }, 2, 1)).toThrow(/twice/);
	});
});

describe('inclusion probabilities are the true selection frequencies (simulation over seeds)', () => {
	const pop = population(60, 11);
	const runs = 20_000;
	for (const [name, design] of DESIGNS) {
		test(name, () => {
			const hits = new Map<string, number>();
			const stored = new Map<string, number>();
			let changed = 0;
			for (let seed = 1; seed <= runs; seed++) {
				for (const u of drawSample(pop, design, 12, seed).units) {
					hits.set(u.caseId, (hits.get(u.caseId) ?? 0) + 1);
					const before = stored.get(u.caseId);
					// A case's probability is a property of the design, the same in every sample.
					if (before !== undefined && before !== u.inclusionProbability) changed += 1;
					stored.set(u.caseId, u.inclusionProbability);
				}
			}
			expect(changed).toBe(0);
			let worst = 0;
			for (const unit of pop) {
				const pi = stored.get(unit.caseId) ?? 0;
				const freq = (hits.get(unit.caseId) ?? 0) / runs;
				// 4.5 binomial standard errors: with 60 cases, a false alarm is very unlikely.
				const tolerance = 4.5 * Math.sqrt((pi * (1 - pi)) / runs) + 1e-9;
				worst = Math.max(worst, Math.abs(freq - pi) / (tolerance || 1));
				expect(Math.abs(freq - pi), `${unit.caseId}: pi ${pi}, frequency ${freq}`).toBeLessThanOrEqual(tolerance);
			}
			// Every case that was ever drawn carries its probability; none has probability 0.
			expect(stored.size).toBe(pop.length);
			expect(worst).toBeGreaterThan(0);
		});
	}
});
