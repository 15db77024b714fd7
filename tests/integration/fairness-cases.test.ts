import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import { fairnessReport, type FairnessReport } from '../../src/lib/metrics/fairness/fairness.server';
import { fairnessSettings } from '../../src/lib/metrics/fairness/fairness-groups.server';
import { keepFairnessCases } from '../../src/lib/metrics/fairness/fairness-cases.server';
import { useDemoArchive } from '../helpers/demo-archive';

// The Fairness page reads its cases from a table kept per import (fairness_cases) that also holds
// each resolved case's rank in its stratum over the whole archive, so the unfiltered page sums
// ranks instead of sorting. The unfiltered report must be the one computed by ranking the cases
// (what a filter that keeps every case does), and its counts what counting the cases and answers
// themselves gives, before and after an import and a policy edit.
const END = new Date('2026-11-01T00:00:00Z');
/** Keeps every case, but is a filter: the report ranks the filtered cases instead of reading the kept ranks. */
const EVERY_CASE = 'from=2000-01-01&to=2100-01-01';
const f = useDemoArchive({ cases: 3000, seed: 21, end: END });


const report = (query: string) => fairnessReport(f.db, { filters: parseFilters(new URLSearchParams(query)), today: END });

/** Rows and groups equal; fractional numbers to 1e-12 (sums of log times in another order). */
function expectSameRows(actual: FairnessReport, expected: FairnessReport): number {
	expect(actual.dimensions).toEqual(expected.dimensions);
	expect(actual.rows.length).toBe(expected.rows.length);
	let tested = 0;
	actual.rows.forEach((a, i) => {
		const e = expected.rows[i];
		const label = `${e.dimension}/${e.group}/${e.measure}`;
		for (const key of Object.keys(e) as (keyof typeof e)[]) {
			const [x, y] = [a[key], e[key]];
			if (typeof y === 'number' && typeof x === 'number' && !Number.isInteger(y)) expect(Math.abs(x - y), `${label} ${key}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(y)));
			else expect(x, `${label} ${key}`).toEqual(y);
		}
		if (e.measure === 'resolution_time' && e.p_value !== null) tested++;
	});
	return tested;
}

/** Per region, straight from the cases and answers: claims, favourable claims, resolved cases, rated answers. */
async function counted(): Promise<Map<string, { claims: number; resolved: number; answers: number }>> {
	const { rows } = await sql<{ region: string; claims: number; resolved: number; answers: number }>`
		SELECT c.region, count(*) FILTER (WHERE c.stage = 'post_purchase' AND c.outcome IS NOT NULL) AS claims, count(c.resolved_at) AS resolved,
			(SELECT count(*) FROM feedback f JOIN cases k ON k.case_id = f.case_id WHERE k.region = c.region AND f.csat IS NOT NULL) AS answers
		FROM cases c WHERE c.region IS NOT NULL GROUP BY c.region`.execute(f.db);
	return new Map(rows.map((r) => [r.region, { claims: Number(r.claims), resolved: Number(r.resolved), answers: Number(r.answers) }]));
}

async function expectCountsOfTheCases(r: FairnessReport) {
	const expected = await counted();
	const n = (group: string, measure: string) => r.rows.find((x) => x.dimension === 'region' && x.group === group && x.measure === measure)?.n;
	expect(expected.size).toBeGreaterThan(1);
	for (const [region, e] of expected) expect([n(region, 'favourable_rate'), n(region, 'resolution_time'), n(region, 'csat')], region).toEqual([e.claims, e.resolved, e.answers]);
}

const keep = async () => keepFairnessCases(f.db, fairnessSettings((await currentPolicy(f.db)).policy));

describe('kept fairness cases', () => {
	test('the unfiltered report, from the kept ranks, is the report from ranking the cases', async () => {
		const [whole, ranked] = await Promise.all([report(''), report(EVERY_CASE)]);
		expect(expectSameRows(whole, ranked)).toBeGreaterThan(3);
		await expectCountsOfTheCases(whole);
		expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM fairness_cases`.execute(f.db)).rows[0].n)).toBe(3000);
		// Asked again with nothing changed, it is not rebuilt.
		expect(await keep()).toBe(false);
	});

	test('follows an import: a slow resolution moves one region’s ranks', async () => {
		const before = await report('');
		// Every column a fairness group or stratum reads, so the cases keep their bands.
		const columns = ['case_id', 'created_at', 'resolved_at', 'status', 'region', 'category', 'channel', 'stage', 'outcome', 'customer_since', 'delivered_at', 'order_value', 'currency'] as const;
		const { rows } = await sql<Record<(typeof columns)[number], unknown>>`
			SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM cases
			WHERE resolved_at IS NOT NULL AND region = 'europe' AND epoch(resolved_at - created_at) < 3600 * 24 ORDER BY case_id LIMIT 3`.execute(f.db);
		expect(rows.length).toBe(3);
		const cell = (v: unknown, k: string) => (v === null ? '' : v instanceof Date ? (k === 'customer_since' ? v.toISOString().slice(0, 10) : v.toISOString()) : String(v));
		const slow = (c: (typeof rows)[number]) => ({ ...c, resolved_at: new Date((c.created_at as Date).getTime() + 40 * 24 * 3600_000) });
		const csv = `${columns.join(',')}\n${rows.map((c) => columns.map((k) => cell(slow(c)[k], k)).join(',')).join('\n')}\n`;
		expect((await f.ingest(await f.file('slow.csv', csv), { kind: 'cases' })).accepted).toBe(3);
		const [whole, ranked] = await Promise.all([report(''), report(EVERY_CASE)]);
		expectSameRows(whole, ranked);
		await expectCountsOfTheCases(whole);
		const p = (r: FairnessReport) => r.rows.find((x) => x.dimension === 'region' && x.group === 'europe' && x.measure === 'resolution_time')?.p_value;
		expect(p(whole)).not.toBe(p(before));
	});

	test('follows a policy edit: other tenure bands, and the report is still the ranked one', async () => {
		const current = await currentPolicy(f.db);
		const policy = structuredClone(current.policy) as typeof current.policy & { tenure_band_days: number[] };
		policy.tenure_band_days = [30, 180];
		await updatePolicy(f.db, policy, 'test', 'test', current.version);
		const [whole, ranked] = await Promise.all([report(''), report(EVERY_CASE)]);
		expect(whole.dimensions.find((d) => d.dimension === 'tenure')?.groups.length).toBe(3);
		expectSameRows(whole, ranked);
		expect(await keep()).toBe(false);
	});
});
