import { Kysely, sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/core/db/schema';
import { FILTER_DIMENSIONS, parseFilters, type FilterDimension } from '../../src/lib/metrics/filters/model';
import { csatReport } from '../../src/lib/metrics/csat/csat.server';
import { keepCsatCounts } from '../../src/lib/metrics/csat/csat-counts.server';
import type { TrendGrain } from '../../src/lib/metrics/speed/speed-scans.server';
import { keepDerivedTables } from '../../src/lib/imports/keep-derived.server';
import { useDemoArchive } from '../helpers/demo-archive';

// The unfiltered Satisfaction page reads its counts from a table kept per import (csat_counts)
// instead of joining every answer to its case. For every breakdown and trend grain its report must
// be the one a filter that keeps every answer computes from the answers, before and after an
// import of answers (kept by the import itself) and after a cases import that moves answers to
// another region.
const END = new Date('2026-11-01T00:00:00Z');
/** Keeps every answer, but is a filter: the report joins the answers instead of reading the kept counts. */
const EVERY_ANSWER = 'from=2000-01-01&to=2100-01-01';
const f = useDemoArchive({ cases: 3000, seed: 52, end: END });
const keeping = (trx: Kysely<Database>) => keepDerivedTables(trx, f.db);

const report = (query: string, by: FilterDimension | null, grain: TrendGrain = 'week') => csatReport(f.db, { filters: parseFilters(new URLSearchParams(query)), by, grain, today: END });

async function expectKeptIsCounted(): Promise<void> {
	for (const [by, grain] of [...FILTER_DIMENSIONS.map((d) => [d, 'week'] as const), [null, 'day'] as const, ['region', 'month'] as const]) {
		const [whole, counting] = await Promise.all([report('', by, grain), report(EVERY_ANSWER, by, grain)]);
		expect(whole, `${by} ${grain}`).toEqual(counting);
		expect(whole.trend.length, `${by} ${grain}`).toBeGreaterThan(3);
		if (by) expect(whole.groups.length, by).toBeGreaterThan(1);
	}
}

const regionCsat = async (region: string) => (await report('', 'region')).groups.find((g) => g.group === region);

describe('kept satisfaction counts', () => {
	test('for every breakdown and grain the unfiltered report, from the kept counts, is the report from the answers', async () => {
		await expectKeptIsCounted();
		const whole = await report('', 'region');
		expect(whole.overall.rated).toBeGreaterThan(500);
		expect(whole.overall.mean).not.toBeNull();
		expect(await keepCsatCounts(f.db)).toBe(false);
	});

	test('an import of 80 unhappy answers in one region lowers its CSAT, kept by the import', async () => {
		const before = await regionCsat('europe');
		const { rows } = await sql<{ case_id: string }>`SELECT case_id FROM cases WHERE region = 'europe' ORDER BY case_id LIMIT 80`.execute(f.db);
		const csv = `feedback_id,case_id,submitted_at,kind,csat\n${rows.map((c, i) => `SAD${i},${c.case_id},2026-10-${String(1 + (i % 28)).padStart(2, '0')} 09:00:00,survey,1`).join('\n')}\n`;
		const summary = await f.ingest(await f.file('sad.csv', csv), { kind: 'feedback', beforeCommit: keeping });
		expect(summary.accepted).toBe(80);
		const state = await sql<{ batch_id: number }>`SELECT batch_id FROM derived_table_state WHERE source = 'csat_counts'`.execute(f.db);
		expect(state.rows[0]?.batch_id).toBe(summary.batch_id);
		const after = await regionCsat('europe');
		expect(after?.rated).toBe((before?.rated as number) + 80);
		expect(after?.csat as number).toBeLessThan(before?.csat as number);
		await expectKeptIsCounted();
	});

	test('a cases import that moves those cases to another region moves their answers with them', async () => {
		const before = await regionCsat('europe');
		const columns = ['case_id', 'created_at', 'status', 'region', 'category'] as const;
		const { rows } = await sql<Record<(typeof columns)[number], unknown>>`
			SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM cases WHERE case_id IN (SELECT case_id FROM feedback WHERE feedback_id LIKE 'SAD%') ORDER BY case_id`.execute(f.db);
		const cell = (v: unknown, k: string) => (k === 'region' ? 'north_america' : v instanceof Date ? v.toISOString() : String(v));
		const csv = `${columns.join(',')}\n${rows.map((c) => columns.map((k) => cell(c[k], k)).join(',')).join('\n')}\n`;
		expect((await f.ingest(await f.file('moved.csv', csv), { kind: 'cases', beforeCommit: keeping })).accepted).toBe(rows.length);
		const after = await regionCsat('europe');
		expect(after?.rated).toBeLessThanOrEqual((before?.rated as number) - 80);
		await expectKeptIsCounted();
		expect(await keepCsatCounts(f.db)).toBe(false);
	});
});
