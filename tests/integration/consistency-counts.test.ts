import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import { consistencyReport, type ConsistencyReport } from '../../src/lib/metrics/consistency/consistency.server';
import { keepConsistencyCounts } from '../../src/lib/metrics/consistency/consistency-counts.server';
import { useDemoArchive } from '../helpers/demo-archive';

// The unfiltered Consistency page reads its counts from tables kept per import
// (consistency_counts, consistency_agent_teams) instead of counting every case. Its report must be
// the one a filter that keeps every case computes from the cases, and its counts what counting the
// cases gives, before and after an import that changes outcomes and after a policy edit.
const END = new Date('2026-11-01T00:00:00Z');
/** Keeps every case, but is a filter: the report counts the cases instead of reading the kept counts. */
const EVERY_CASE = 'from=2000-01-01&to=2100-01-01';
const f = useDemoArchive({ cases: 3000, seed: 33, end: END });


const report = (query: string) => consistencyReport(f.db, { filters: parseFilters(new URLSearchParams(query)), today: END });

/** Decided cases per (category, region, outcome), counted from the cases themselves. */
async function counted(): Promise<Map<string, number>> {
	const { rows } = await sql<{ category: string; region: string; outcome: string; n: number }>`
		SELECT category, region, outcome, count(*) AS n FROM cases
		WHERE outcome IS NOT NULL AND category IS NOT NULL AND region IS NOT NULL GROUP BY ALL`.execute(f.db);
	return new Map(rows.map((r) => [`${r.category}|${r.region}|${r.outcome}`, Number(r.n)]));
}

function expectCountsOfTheCases(r: ConsistencyReport, expected: Map<string, number>) {
	const shown = new Map<string, number>();
	for (const row of r.rows) {
		if (row.dimension !== 'region' || row.category === null) continue;
		for (const [outcome, n] of Object.entries(row.outcomes)) shown.set(`${row.category}|${row.group}|${outcome}`, n);
	}
	expect(shown.size).toBeGreaterThan(20);
	expect(shown).toEqual(expected);
}

/** Flagged cells, as the page lists them. */
const flagged = (r: ConsistencyReport) => r.rows.filter((x) => x.flagged).map((x) => `${x.category ?? x.root_cause}/${x.dimension}/${x.group}`);

describe('kept consistency counts', () => {
	test('the unfiltered report, from the kept counts, is the report from counting the cases', async () => {
		const [whole, counting] = await Promise.all([report(''), report(EVERY_CASE)]);
		expect(whole).toEqual(counting);
		expect(whole.cells_tested).toBeGreaterThan(20);
		expectCountsOfTheCases(whole, await counted());
		expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM consistency_counts`.execute(f.db)).rows[0].n)).toBeGreaterThan(100);
		// Asked again with nothing changed, it is not rebuilt.
		expect(await keepConsistencyCounts(f.db)).toBe(false);
	});

	test('follows an import: one region now refunds every wrong-item case, and is flagged for it', async () => {
		const before = await report('');
		const columns = ['case_id', 'created_at', 'resolved_at', 'status', 'region', 'category', 'channel', 'stage', 'team', 'agent_id', 'outcome'] as const;
		const { rows } = await sql<Record<(typeof columns)[number], unknown>>`
			SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM cases
			WHERE outcome IS NOT NULL AND outcome <> 'refund' AND region = 'europe' AND category = (SELECT category FROM cases WHERE outcome IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)
			ORDER BY case_id`.execute(f.db);
		expect(rows.length).toBeGreaterThan(30);
		const cell = (v: unknown) => (v === null ? '' : v instanceof Date ? v.toISOString() : String(v));
		const csv = `${columns.join(',')}\n${rows.map((c) => columns.map((k) => cell(k === 'outcome' ? 'refund' : c[k])).join(',')).join('\n')}\n`;
		expect((await f.ingest(await f.file('refunds.csv', csv), { kind: 'cases' })).accepted).toBe(rows.length);
		const [whole, counting] = await Promise.all([report(''), report(EVERY_CASE)]);
		expect(whole).toEqual(counting);
		expectCountsOfTheCases(whole, await counted());
		expect(flagged(whole)).toContain(`${String(rows[0].category)}/region/europe`);
		expect(flagged(before)).not.toContain(`${String(rows[0].category)}/region/europe`);
	});

	test('a policy edit (a larger minimum group) changes the report, not the kept counts', async () => {
		const before = await report('');
		const current = await currentPolicy(f.db);
		const policy = structuredClone(current.policy) as typeof current.policy & { fairness: { min_group_size: number } };
		policy.fairness.min_group_size = 200;
		await updatePolicy(f.db, policy, 'test', 'test', current.version);
		const [whole, counting] = await Promise.all([report(''), report(EVERY_CASE)]);
		expect(whole).toEqual(counting);
		expect(whole.cells_small).toBeGreaterThan(before.cells_small);
		expect(await keepConsistencyCounts(f.db)).toBe(false);
	});
});
