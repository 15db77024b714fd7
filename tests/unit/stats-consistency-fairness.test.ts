import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chiSquareHomogeneity, CRESSIE_READ, poolSparseColumns } from '../../src/lib/core/stats/chi-square';
import { stratifiedRankTestFromRankSums } from '../../src/lib/core/stats/stratified-rank-test';

interface Case {
	name: string;
	table: number[][];
	lambda: number;
	statistic: number;
	df: number;
	pValue: number;
}

const cases = (JSON.parse(readFileSync(new URL('../fixtures/stats/chi-square-power-divergence.json', import.meta.url), 'utf8')) as { cases: Case[] }).cases;

function close(actual: number, expected: number, rel = 1e-6, abs = 1e-14): void {
	expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}

describe('power-divergence tests of homogeneity against scipy chi2_contingency(lambda_=...)', () => {
	it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const r = chiSquareHomogeneity(c.table, { lambda: c.lambda });
		close(r.statistic, c.statistic, 1e-9, 1e-12);
		expect(r.df).toBe(c.df);
		close(r.pValue, c.pValue);
	});

	it('Cressie-Read is the 2/3 member of the family', () => {
		expect(CRESSIE_READ).toBeCloseTo(2 / 3, 15);
		expect(() => chiSquareHomogeneity([[1, 2], [3, 4]], { lambda: -1 })).toThrow(RangeError);
	});
});

describe("poolSparseColumns (Cochran's rule before the test)", () => {
	it('pools the outcomes the smallest row expects fewer than 5 times into one last column', () => {
		// Smallest row 46 of 2080: expected 31.6, 8.8, 3.6 and 1.9; the last two pooled expect 5.5.
		const table = [
			[30, 10, 4, 2],
			[1400, 390, 160, 84]
		];
		expect(poolSparseColumns(table)).toEqual([
			[30, 10, 6],
			[1400, 390, 244]
		]);
	});

	it('joins the smallest remaining column while the pooled one is still too small', () => {
		// Expected in the small row (n = 20): 12.5, 4.5, 2.0, 1.0 -> pool 4.5 + 2 + 1 = 7.5 >= 5.
		const table = [
			[10, 5, 3, 2],
			[240, 85, 37, 18]
		];
		expect(poolSparseColumns(table)).toEqual([
			[10, 10],
			[240, 140]
		]);
	});

	it('keeps tables that need no pooling, drops all-zero columns', () => {
		expect(poolSparseColumns([
			[50, 0, 50],
			[60, 0, 40]
		])).toEqual([
			[50, 50],
			[60, 40]
		]);
	});

	it('a table that pools down to one column has nothing left to test', () => {
		const pooled = poolSparseColumns([
			[2, 1],
			[300, 200]
		]);
		expect(pooled).toEqual([[3], [500]]);
		expect(chiSquareHomogeneity(pooled)).toMatchObject({ df: 0, pValue: 1 });
	});

	it('pooling never lets a group of 30 with a rare outcome seen often look like p ~ 1e-6', () => {
		// 3 "withdrawn" where 0.3 are expected: Pearson on the raw table says p < 1e-6.
		const raw = [
			[24, 3, 3],
			[2880, 60, 60]
		];
		expect(chiSquareHomogeneity(raw).pValue).toBeLessThan(1e-4);
		expect(chiSquareHomogeneity(poolSparseColumns(raw), { lambda: CRESSIE_READ }).pValue).toBe(1);
	});
});

describe('van Elteren from per-stratum rank sums (what the fairness SQL computes) against R coin', () => {
	interface RankCase {
		name: string;
		strata: { group: number[]; other: number[] }[];
		vanElteren: { statistic: number; pValue: number; strataUsed: number };
	}
	const rankCases = (JSON.parse(readFileSync(new URL('../fixtures/stats/stratified-rank-test.json', import.meta.url), 'utf8')) as { cases: RankCase[] }).cases;

	/** Mid-ranks within the stratum, written out plainly (no shared code with the library). */
	function rankSums(s: { group: number[]; other: number[] }) {
		const all = [...s.group.map((v) => ({ v, mine: true })), ...s.other.map((v) => ({ v, mine: false }))].sort((a, b) => a.v - b.v);
		let rankSum = 0;
		let ties = 0;
		for (let i = 0; i < all.length; ) {
			let j = i;
			while (j < all.length && all[j].v === all[i].v) j++;
			const t = j - i;
			const mid = (i + 1 + j) / 2;
			for (let k = i; k < j; k++) if (all[k].mine) rankSum += mid;
			ties += t ** 3 - t;
			i = j;
		}
		return { rankSum, m: s.group.length, n: s.other.length, ties };
	}

	it.each(rankCases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
		const r = stratifiedRankTestFromRankSums(c.strata.map(rankSums));
		close(r.statistic, c.vanElteren.statistic, 1e-9, 1e-12);
		close(r.pValue, c.vanElteren.pValue, 1e-6, 1e-14);
		expect(r.strataUsed).toBe(c.vanElteren.strataUsed);
	});
});
