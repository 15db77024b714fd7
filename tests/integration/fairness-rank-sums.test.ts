import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { fairnessReport, type FairnessReport } from '../../src/lib/metrics/fairness/fairness.server';
import { stratifiedRankTestFromRankSums, type RankSumStratum } from '../../src/lib/core/stats/stratified-rank-test';
import { hashUnit } from '../../src/lib/core/random';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

// The resolution-time rows of the fairness report rest on mid-rank sums computed in SQL, per
// dimension, within each case type x channel stratum, among the cases that dimension compares
// (those with a group). When every stratum either has a group for all its cases or for none, one
// sort serves every dimension; otherwise each dimension sorts its own cases. Both must give the
// p-values that ranking the cases here, in plain code, gives (the test itself from rank sums is
// checked against R coin in tests/unit/stats-consistency-fairness.test.ts).
const END = new Date('2026-11-01T00:00:00Z');
const HEADER = 'case_id,created_at,resolved_at,status,region,channel,stage,category,outcome,customer_since,order_value,currency';
const REGIONS = ['north', 'south', 'east'];
const BANDS: [number, string][] = [
	[50, '<50'],
	[200, '50-200'],
	[1000, '200-1,000'],
	[Infinity, '1,000+']
];

interface Case {
	category: string;
	channel: string;
	region: string;
	order: number | null;
	hours: number;
}

function band(order: number | null): string | null {
	return order === null ? null : (BANDS.find(([upper]) => order < upper)?.[1] ?? null);
}

/** Mid-rank sums per group in each stratum, among the cases with a group: the definition, in plain code. */
function expectedPValues(cases: Case[], groupOf: (c: Case) => string | null): Map<string, number> {
	const strata = new Map<string, { group: string; hours: number }[]>();
	for (const c of cases) {
		const group = groupOf(c);
		if (group === null) continue;
		const key = `${c.category}|${c.channel}`;
		strata.set(key, [...(strata.get(key) ?? []), { group, hours: c.hours }]);
	}
	const perGroup = new Map<string, RankSumStratum[]>();
	for (const members of strata.values()) {
		const sorted = [...members].sort((a, b) => a.hours - b.hours);
		const sums = new Map<string, { w: number; m: number }>();
		let ties = 0;
		for (let i = 0; i < sorted.length; ) {
			let j = i;
			while (j < sorted.length && sorted[j].hours === sorted[i].hours) j++;
			const mid = (i + 1 + j) / 2;
			const t = j - i;
			ties += t * t * t - t;
			for (let k = i; k < j; k++) {
				const s = sums.get(sorted[k].group) ?? { w: 0, m: 0 };
				s.w += mid;
				s.m += 1;
				sums.set(sorted[k].group, s);
			}
			i = j;
		}
		for (const [group, { w, m }] of sums) perGroup.set(group, [...(perGroup.get(group) ?? []), { rankSum: w, m, n: sorted.length - m, ties }]);
	}
	return new Map([...perGroup].map(([group, strata]) => [group, stratifiedRankTestFromRankSums(strata).pValue]));
}

/** `mixed`: some cases of a stratum have an order value and some do not. */
function makeCases(mixed: boolean): Case[] {
	let draws = 0;
	const random = () => hashUnit(mixed ? 11 : 12, draws++);
	const cases: Case[] = [];
	for (const category of ['cat_a', 'cat_b']) {
		for (const channel of ['email', 'chat']) {
			for (let i = 0; i < 90; i++) {
				const region = REGIONS[i % 3];
				// Whole hours, so that many cases tie; no group differs (a flagged group would leave the
				// comparison group of the others, another round than the one checked here).
				const hours = 1 + Math.floor(random() * 30);
				const withOrder = category === 'cat_a' && !(mixed && channel === 'email' && i % 4 === 0);
				cases.push({ category, channel, region, order: withOrder ? Math.floor(random() * 1500) : null, hours });
			}
		}
	}
	return cases;
}

function csv(cases: Case[]): string {
	const ts = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
	return [
		HEADER,
		...cases.map((c, i) => {
			const created = new Date(Date.UTC(2026, 5, 1) + i * 600_000);
			const resolved = new Date(created.getTime() + c.hours * 3_600_000);
			return [`r${i}`, ts(created), ts(resolved), 'closed', c.region, c.channel, 'post_purchase', c.category, 'approved', '2020-01-01', c.order ?? '', c.order === null ? '' : 'USD'].join(',');
		})
	].join('\n');
}

function expectSameAsPlainCode(report: FairnessReport, cases: Case[]) {
	let compared = 0;
	for (const [dimension, groupOf] of [
		['region', (c: Case) => c.region],
		['order_value', (c: Case) => band(c.order)]
	] as const) {
		const expected = expectedPValues(cases, groupOf);
		for (const row of report.rows.filter((r) => r.measure === 'resolution_time' && r.dimension === dimension)) {
			const p = expected.get(row.group);
			expect(p, `${dimension} ${row.group}`).toBeDefined();
			expect(Math.abs((row.p_value ?? NaN) - (p ?? NaN)), `${dimension} ${row.group}`).toBeLessThanOrEqual(1e-9 * Math.max(p ?? 0, 1e-300) + 1e-15);
			compared++;
		}
	}
	// Three regions and the four order-value bands.
	expect(compared).toBe(7);
}

for (const mixed of [false, true]) {
	describe(mixed ? 'a stratum where only some cases have an order value: a sort per dimension' : 'every stratum all with or all without an order value: one sort', () => {
		let f: IngestFixture;
		const cases = makeCases(mixed);

		beforeAll(async () => {
			f = await ingestFixture();
			const summary = await f.ingest(await f.file('ranks.csv', csv(cases)), { kind: 'cases' });
			expect(summary.accepted).toBe(cases.length);
		});

		afterAll(async () => {
			await f?.dispose();
		});

		test('each group against the rest: the p-values of ranking the cases in plain code', async () => {
			const report = await fairnessReport(f.db, { filters: parseFilters(new URLSearchParams()), today: END });
			expectSameAsPlainCode(report, cases);
		});
	});
}
