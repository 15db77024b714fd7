import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { DIMENSION_COLUMNS, parseFilters, type FilterDimension } from '../../src/lib/metrics/filters/model';
import { caseFilterSql } from '../../src/lib/metrics/filters/case-filter-sql.server';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import type { PolicyDocument } from '../../src/lib/core/policy/model';
import { keepSpeedClock, speedReport, type SpeedMeasure, type SpeedStats } from '../../src/lib/metrics/speed/speed.server';
import { snapshotTime } from '../../src/lib/metrics/filters/snapshot.server';
import { useDemoArchive } from '../helpers/demo-archive';

// The Speed page reads every case's clock from a table kept per import (speed_clock). Its counts,
// means and calendar verdicts must be what counting the cases themselves gives, under filters,
// and again after an import or a policy edit changes the answer. (Business-hours verdicts are
// checked against a range join of their own in metrics-speed-attainment.test.ts.)
const END = new Date('2026-11-01T00:00:00Z');
const f = useDemoArchive({ cases: 3000, seed: 9, end: END });


interface Counted {
	n: number;
	events: number;
	mean: number | null;
	within: number;
	breached: number;
}

type Policy = PolicyDocument & { targets: Record<string, unknown> & { channels?: Record<string, Record<string, number>> } };

/** Per group and overall, straight from the cases: no kept table, no bins, calendar time. */
async function counted(measure: SpeedMeasure, query: string, by: FilterDimension): Promise<Record<string, Counted>> {
	const policy = (await currentPolicy(f.db)).policy as Policy;
	const hours = Number(policy.targets[`${measure}_hours`]);
	const perChannel = Object.entries(policy.targets.channels ?? {}).flatMap(([ch, t]) => (typeof t[`${measure}_hours`] === 'number' ? [[ch, t[`${measure}_hours`]] as const] : []));
	const target = perChannel.length ? sql`CASE ${sql.join(perChannel.map(([ch, h]) => sql`WHEN channel = ${ch} THEN ${h * 3600}`), sql` `)} ELSE ${hours * 3600} END` : sql`${hours * 3600}`;
	const snap = await snapshotTime(f.db);
	const event = sql.ref(measure === 'first_response' ? 'first_response_at' : 'resolved_at');
	const where = caseFilterSql(parseFilters(new URLSearchParams(query)), END);
	const { rows } = await sql<Counted & { grp: string | null; whole: number }>`
		SELECT GROUPING(grp) AS whole, grp, count(*) AS n, count(${event}) AS events, avg(epoch(${event} - created_at)) / 3600 AS mean,
			count(*) FILTER (WHERE ${event} IS NOT NULL AND epoch(${event} - created_at) <= ${target}) AS within,
			count(*) FILTER (WHERE epoch(coalesce(${event}, ${snap}::TIMESTAMP) - created_at) > ${target}) AS breached
		FROM (SELECT *, ${sql.ref(`c.${DIMENSION_COLUMNS[by]}`)} AS grp FROM cases c WHERE ${where}) c
		GROUP BY GROUPING SETS ((grp), ())`.execute(f.db);
	return Object.fromEntries(rows.map((r) => [Number(r.whole) ? '(all)' : String(r.grp), { n: Number(r.n), events: Number(r.events), mean: r.mean, within: Number(r.within), breached: Number(r.breached) }]));
}

/** With no case in scope there is no share to give (attainment null): nothing within, nothing breached. */
function reported(s: SpeedStats): Counted {
	const cal = s.attainment?.calendar ?? (s.n === 0 ? { within: 0, breached: 0 } : { within: -1, breached: -1 });
	return { n: s.n, events: s.events, mean: s.mean, within: cal.within, breached: cal.breached };
}

/** The report's figures against the counts, means to 1e-9 relative (summation order). */
async function expectSame(measure: SpeedMeasure, query: string, by: FilterDimension) {
	const r = await speedReport(f.db, { measure, filters: parseFilters(new URLSearchParams(query)), by, today: END });
	const expected = await counted(measure, query, by);
	const actual = Object.fromEntries([['(all)', reported(r.overall)], ...r.groups.map((g) => [String(g.group), reported(g)])]);
	expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
	for (const [key, e] of Object.entries(expected)) {
		const a = actual[key];
		expect({ ...a, mean: null }, key).toEqual({ ...e, mean: null });
		if (e.mean === null) expect(a.mean, key).toBeNull();
		else expect(Math.abs((a.mean ?? NaN) - e.mean) / e.mean, key).toBeLessThan(1e-9);
	}
	return r;
}

const keptRows = async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM speed_clock`.execute(f.db)).rows[0].n);
const keep = async () => keepSpeedClock(f.db, (await currentPolicy(f.db)).policy, await snapshotTime(f.db));

describe('kept Speed clock', () => {
	test('gives the counts, means and calendar verdicts of the cases themselves, whole archive and filtered', async () => {
		for (const measure of ['first_response', 'resolution'] as const) {
			const whole = await expectSame(measure, '', 'region');
			expect(whole.overall.n).toBe(3000);
			expect(whole.overall.attainment?.calendar.breached).toBeGreaterThan(0);
			await expectSame(measure, 'range=90d&channel=email', 'team');
			await expectSame(measure, 'region=europe&team=harbor', 'agent');
			const none = await expectSame(measure, 'region=nowhere', 'channel');
			expect(none.overall.n).toBe(0);
			expect(none.overall.attainment).toBeNull();
		}
		// One row per case; asked again with nothing changed, it is not rebuilt.
		expect(await keptRows()).toBe(3000);
		expect(await keep()).toBe(false);
	});

	test("the other measure's headline card, computed alone, is the full report's headline", async () => {
		for (const measure of ['first_response', 'resolution'] as const) {
			for (const query of ['', 'range=90d&channel=email', 'region=europe&team=harbor', 'region=nowhere']) {
				const options = { measure, filters: parseFilters(new URLSearchParams(query)), by: 'region' as const, today: END };
				const [full, headline] = await Promise.all([speedReport(f.db, options), speedReport(f.db, { ...options, headline: true })]);
				// The mean sums minutes in another order: equal to 1e-12 relative, everything else exactly.
				expect({ ...headline.overall, mean: null }, `${measure} ${query}`).toEqual({ ...full.overall, mean: null });
				expect(Math.abs((headline.overall.mean ?? 0) - (full.overall.mean ?? 0))).toBeLessThanOrEqual(1e-12 * Math.abs(full.overall.mean ?? 0));
				expect(headline.overall.mean === null).toBe(full.overall.mean === null);
				expect([headline.target, headline.not_testable, headline.basis, headline.snapshot]).toEqual([full.target, full.not_testable, full.basis, full.snapshot]);
				// Only what the card shows: no groups, no trend.
				expect([headline.groups, headline.trend]).toEqual([[], []]);
				if (query === '') expect(full.groups.length * full.trend.length).toBeGreaterThan(0);
			}
		}
	});

	test('follows an import: a case answered within target replaced by one answered late', async () => {
		const { rows } = await sql<{ case_id: string; created_at: Date; region: string; category: string; channel: string }>`
			SELECT case_id, created_at, region, category, channel FROM cases
			WHERE channel = 'email' AND first_response_at IS NOT NULL AND epoch(first_response_at - created_at) < 3600 ORDER BY case_id LIMIT 1`.execute(f.db);
		const c = rows[0];
		const before = await expectSame('first_response', '', 'channel');
		const late = new Date(c.created_at.getTime() + 100 * 3600_000).toISOString();
		const csv = `case_id,created_at,status,region,category,channel,first_response_at\n${c.case_id},${c.created_at.toISOString()},open,${c.region},${c.category},email,${late}\n`;
		const summary = await f.ingest(await f.file('late.csv', csv), { kind: 'cases' });
		expect(summary.accepted).toBe(1);
		const after = await expectSame('first_response', '', 'channel');
		const email = (r: typeof after) => r.groups.find((g) => g.group === 'email')?.attainment?.calendar;
		expect([email(after)?.within, email(after)?.breached]).toEqual([(email(before)?.within ?? 0) - 1, (email(before)?.breached ?? 0) + 1]);
		expect(await keptRows()).toBe(3000);
	});

	test('follows a policy edit: a stricter resolution target breaches more cases, as counting does', async () => {
		const before = await expectSame('resolution', '', 'region');
		const current = await currentPolicy(f.db);
		const policy = structuredClone(current.policy) as Policy;
		policy.targets.resolution_hours = 12;
		await updatePolicy(f.db, policy, 'test', 'test', current.version);
		const after = await expectSame('resolution', 'range=90d', 'region');
		expect(after.target?.hours).toBe(12);
		const whole = await expectSame('resolution', '', 'region');
		expect(whole.overall.attainment?.calendar.breached).toBeGreaterThan(before.overall.attainment?.calendar.breached ?? Infinity);
		expect(await keep()).toBe(false);
	});
});
