/**
 * Seeded audit-sample designs: who is drawn and with what inclusion probability. Pure (no I/O);
 * the server loads the population and stores the result. The same population, design, size and
 * seed always give the same sample, on any machine: the population is put in case-id order and
 * all randomness comes from the seeded generator in server/demo/random.ts (32-bit integer
 * arithmetic only).
 *
 * Designs and their exact inclusion probabilities:
 * - simple: simple random sampling without replacement, pi = n / N;
 * - stratified: simple random sampling within each stratum with a deterministic allocation
 *   (allocation.ts), pi = n_h / N_h;
 * - risk: randomly ordered systematic PPS on a risk size (pps.ts), pi_i = min(1, c * size_i).
 */
import { Rng } from '../core/random';
import { allocate, type Allocation } from './allocation';
import { ppsInclusionProbabilities, systematicSelect } from './pps';

export interface PopulationUnit {
	caseId: string;
	/** The stratum (for stratified designs); anything for the others. */
	stratum: string;
	/** The risk size (for the risk design): 1 + the weights of the case's risk flags. */
	size: number;
}

export type SampleDesign = { kind: 'simple' } | { kind: 'stratified'; allocation: Allocation } | { kind: 'risk' };

export interface SampledUnit {
	caseId: string;
	stratum: string;
	inclusionProbability: number;
	/** Position in the draw (0-based), kept so a sample can be listed as drawn. */
	order: number;
	size: number;
}

export interface StratumSummary {
	stratum: string;
	population: number;
	sampled: number;
}

export interface DrawResult {
	population: number;
	units: SampledUnit[];
	strata: StratumSummary[];
}

/** The stratum name used by the unstratified designs. */
export const WHOLE_POPULATION = 'all';

function byCaseId(a: PopulationUnit, b: PopulationUnit): number {
	return a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0;
}

/** The first k of a seeded partial Fisher-Yates shuffle of 0..N-1: a simple random sample of k indices. */
export function srsIndices(N: number, k: number, rng: Rng): number[] {
	const idx = Array.from({ length: N }, (_, i) => i);
	const take = Math.min(k, N);
	for (let i = 0; i < take; i++) {
		const j = i + rng.int(N - i);
		[idx[i], idx[j]] = [idx[j], idx[i]];
	}
	return idx.slice(0, take);
}

export function drawSample(populationIn: readonly PopulationUnit[], design: SampleDesign, size: number, seed: number): DrawResult {
	if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`the sample size must be a whole number of at least 1, got ${size}`);
	const seen = new Set<string>();
	for (const u of populationIn) {
		if (seen.has(u.caseId)) throw new Error(`case ${u.caseId} is twice in the population`);
		seen.add(u.caseId);
	}
	const population = [...populationIn].sort(byCaseId);
	const rng = new Rng(seed);
	const N = population.length;
	const units: SampledUnit[] = [];

	if (design.kind === 'simple') {
		const n = Math.min(size, N);
		for (const i of srsIndices(N, n, rng)) units.push({ caseId: population[i].caseId, stratum: WHOLE_POPULATION, inclusionProbability: n / N, order: units.length, size: population[i].size });
		return { population: N, units, strata: [{ stratum: WHOLE_POPULATION, population: N, sampled: n }] };
	}

	if (design.kind === 'stratified') {
		const groups = new Map<string, PopulationUnit[]>();
		for (const u of population) {
			const g = groups.get(u.stratum);
			if (g) g.push(u);
			else groups.set(u.stratum, [u]);
		}
		const names = [...groups.keys()].sort();
		const sizes = names.map((s) => groups.get(s)?.length ?? 0);
		const alloc = allocate(sizes, size, design.allocation);
		const strata: StratumSummary[] = [];
		names.forEach((name, h) => {
			const members = groups.get(name) ?? [];
			const nh = alloc[h];
			strata.push({ stratum: name, population: members.length, sampled: nh });
			for (const i of srsIndices(members.length, nh, rng)) units.push({ caseId: members[i].caseId, stratum: name, inclusionProbability: nh / members.length, order: units.length, size: members[i].size });
		});
		return { population: N, units, strata };
	}

	const pi = ppsInclusionProbabilities(
		population.map((u) => u.size),
		Math.min(size, N)
	);
	const order = srsIndices(N, N, rng);
	const chosen = systematicSelect(pi, order, rng.next());
	for (const i of chosen) units.push({ caseId: population[i].caseId, stratum: WHOLE_POPULATION, inclusionProbability: pi[i], order: units.length, size: population[i].size });
	return { population: N, units, strata: [{ stratum: WHOLE_POPULATION, population: N, sampled: chosen.length }] };
}
