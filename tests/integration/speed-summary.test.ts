import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { parseFilters, type FilterDimension } from '../../src/lib/metrics/filters/model';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import { speedReport, type SpeedReport, type TrendGrain } from '../../src/lib/metrics/speed/speed.server';
import type { SpeedMeasure } from '../../src/lib/metrics/speed/model';
import { useDemoArchive } from '../helpers/demo-archive';

// The unfiltered Speed page reads its groupings from a summary kept with the Speed clock
// (speed_summary, speed_summary_trend) instead of grouping every case. Every view of it (both
// measures, each breakdown, each trend grain) must be the report a filter that keeps every case
// computes from the clock, before and after an import and a change of target.
const END = new Date('2026-11-01T00:00:00Z');
/** Keeps every case, but is a filter: the report groups the clock's cases instead of reading the summary. */
const EVERY_CASE = 'from=2000-01-01&to=2100-01-01';
const VIEWS: { measure: SpeedMeasure; by: FilterDimension | null; grain: TrendGrain }[] = [
	{ measure: 'first_response', by: 'region', grain: 'week' },
	{ measure: 'first_response', by: null, grain: 'day' },
	{ measure: 'resolution', by: 'agent', grain: 'month' },
	{ measure: 'resolution', by: 'channel', grain: 'week' }
];
const f = useDemoArchive({ cases: 3000, seed: 44, end: END });


const report = (query: string, view: (typeof VIEWS)[number]) => speedReport(f.db, { ...view, filters: parseFilters(new URLSearchParams(query)), today: END });

/** Equal, but for sums of minutes added in another order: fractional numbers to 1e-12 relative. */
function expectSame(actual: unknown, expected: unknown, path: string): number {
	if (typeof expected === 'number' && typeof actual === 'number' && !Number.isInteger(expected)) {
		expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
		return 1;
	}
	if (expected === null || typeof expected !== 'object') {
		expect(actual, path).toEqual(expected);
		return 1;
	}
	expect(actual !== null && typeof actual === 'object', path).toBe(true);
	const keys = Object.keys(expected as object);
	expect(Object.keys(actual as object).sort(), path).toEqual([...keys].sort());
	return keys.reduce((n, k) => n + expectSame((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`), 0);
}

async function expectEveryViewFromTheClock(): Promise<SpeedReport[]> {
	const out: SpeedReport[] = [];
	for (const view of VIEWS) {
		const [whole, grouped] = await Promise.all([report('', view), report(EVERY_CASE, view)]);
		expect(expectSame(whole, grouped, `${view.measure}/${view.by}/${view.grain}`)).toBeGreaterThan(50);
		out.push(whole);
	}
	return out;
}

const summaryRows = async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM speed_summary`.execute(f.db)).rows[0].n);

describe('the kept Speed summary', () => {
	test('every view of the unfiltered page, from the summary, is the one grouped from the clock', async () => {
		const [regions, , agents] = await expectEveryViewFromTheClock();
		expect(regions.groups.length).toBeGreaterThan(3);
		expect(agents.groups.length).toBeGreaterThan(10);
		expect(regions.trend.length).toBeGreaterThan(10);
		expect(await summaryRows()).toBeGreaterThan(1000);
	});

	test('follows an import: slow first replies in one region', async () => {
		const view = VIEWS[0];
		const before = await report('', view);
		const columns = ['case_id', 'created_at', 'first_response_at', 'resolved_at', 'status', 'region', 'category', 'channel', 'stage'] as const;
		const { rows } = await sql<Record<(typeof columns)[number], unknown>>`
			SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM cases WHERE first_response_at IS NOT NULL AND region = 'europe' ORDER BY case_id LIMIT 200`.execute(f.db);
		const cell = (v: unknown) => (v === null ? '' : v instanceof Date ? v.toISOString() : String(v));
		const slow = (c: (typeof rows)[number]) => ({ ...c, first_response_at: new Date((c.created_at as Date).getTime() + 9 * 24 * 3600_000) });
		const csv = `${columns.join(',')}\n${rows.map((c) => columns.map((k) => cell(slow(c)[k])).join(',')).join('\n')}\n`;
		expect((await f.ingest(await f.file('slow.csv', csv), { kind: 'cases' })).accepted).toBe(200);
		const [after] = await expectEveryViewFromTheClock();
		const europe = (r: SpeedReport) => r.groups.find((g) => g.group === 'europe')?.mean;
		expect(europe(after)).toBeGreaterThan(europe(before) as number);
	});

	test('follows a change of target: the attainment moves, and is still the one from the clock', async () => {
		const view = VIEWS[0];
		const before = await report('', view);
		const current = await currentPolicy(f.db);
		const policy = structuredClone(current.policy) as typeof current.policy & { targets: Record<string, unknown> };
		policy.targets = { ...policy.targets, first_response_hours: 1 };
		await updatePolicy(f.db, policy, 'test', 'test', current.version);
		const [after] = await expectEveryViewFromTheClock();
		expect(after.overall.attainment).not.toBeNull();
		expect(after.overall.attainment).not.toEqual(before.overall.attainment);
	});
});
