import { Kysely, sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/core/db/schema';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import { snapshotTime } from '../../src/lib/metrics/filters/snapshot.server';
import { complianceReport, type ComplianceReport } from '../../src/lib/metrics/compliance/compliance.server';
import { COMPLIANCE_DIMENSIONS, keepComplianceCounts } from '../../src/lib/metrics/compliance/compliance-counts.server';
import { compliancePolicy } from '../../src/lib/metrics/compliance/compliance-rules.server';
import { keepDerivedTables } from '../../src/lib/imports/keep-derived.server';
import { useDemoArchive } from '../helpers/demo-archive';

// The unfiltered Compliance page reads its counts from tables kept per import (compliance_counts,
// compliance_refund_days) instead of judging every case against the rules. For every breakdown
// its report must be the one a filter that keeps every case computes from the cases, before and
// after an import that makes refunds late, kept by the import itself, and after a policy edit.
const END = new Date('2026-11-01T00:00:00Z');
/** Keeps every case, but is a filter: the report judges the cases instead of reading the kept counts. */
const EVERY_CASE = 'from=2000-01-01&to=2100-01-01';
const f = useDemoArchive({ cases: 3000, seed: 27, end: END });

const report = (query: string, by: (typeof COMPLIANCE_DIMENSIONS)[number] = 'region') => complianceReport(f.db, { filters: parseFilters(new URLSearchParams(query)), by, today: END });
const keep = async () => keepComplianceCounts(f.db, compliancePolicy((await currentPolicy(f.db)).policy), (await snapshotTime(f.db)) as Date);
const lateRefunds = (r: ComplianceReport, group: string) => r.groups.find((g) => g.rule === 'late_refund' && g.group === group)?.flagged;

async function expectKeptIsCounted(): Promise<void> {
	for (const by of COMPLIANCE_DIMENSIONS) {
		const [whole, counting] = await Promise.all([report('', by), report(EVERY_CASE, by)]);
		expect(whole, by).toEqual(counting);
		expect(new Set(whole.groups.map((g) => g.group)).size, by).toBeGreaterThan(3);
	}
}

describe('kept compliance counts', () => {
	test('for every breakdown the unfiltered report, from the kept counts, is the report from judging the cases', async () => {
		await expectKeptIsCounted();
		const whole = await report('');
		expect(whole.rules.filter((r) => (r.flagged ?? 0) > 0).length).toBeGreaterThanOrEqual(3);
		expect(whole.refund_days.reduce((n, d) => n + d.refunds, 0)).toBeGreaterThan(100);
		const { rows } = await sql<{ dim: string; n: number }>`SELECT dim, count(*) AS n FROM compliance_counts GROUP BY 1 ORDER BY 1`.execute(f.db);
		expect(rows.map((r) => r.dim)).toEqual(['agent', 'region', 'team']);
		// Asked again with nothing changed, they are not rebuilt.
		expect(await keep()).toBe(false);
	});

	test('an import that makes 40 refunds in one region late moves its count, and the import keeps the counts current', async () => {
		const before = await report('');
		const columns = ['case_id', 'created_at', 'resolved_at', 'status', 'region', 'category', 'channel', 'stage', 'outcome', 'refund_issued_at'] as const;
		const { rows } = await sql<Record<(typeof columns)[number], unknown>>`
			SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM cases
			WHERE region = 'europe' AND refund_issued_at IS NOT NULL AND resolved_at IS NOT NULL AND refund_issued_at <= resolved_at + INTERVAL 10 DAY
			ORDER BY case_id LIMIT 40`.execute(f.db);
		expect(rows.length).toBe(40);
		const cell = (v: unknown) => (v === null ? '' : v instanceof Date ? v.toISOString() : String(v));
		const late = (c: (typeof rows)[number]) => ({ ...c, refund_issued_at: new Date((c.resolved_at as Date).getTime() + 30 * 86_400_000) });
		const csv = `${columns.join(',')}\n${rows.map((c) => columns.map((k) => cell(late(c)[k])).join(',')).join('\n')}\n`;
		const summary = await f.ingest(await f.file('late.csv', csv), { kind: 'cases', beforeCommit: (trx: Kysely<Database>) => keepDerivedTables(trx, f.db) });
		expect(summary.accepted).toBe(40);
		const state = await sql<{ batch_id: number }>`SELECT batch_id FROM derived_table_state WHERE source = 'compliance_counts'`.execute(f.db);
		expect(state.rows[0]?.batch_id).toBe(summary.batch_id);
		expect(await keep()).toBe(false);
		const after = await report('');
		expect(lateRefunds(after, 'europe')).toBe((lateRefunds(before, 'europe') as number) + 40);
		await expectKeptIsCounted();
	});

	test('a policy edit (a longer refund deadline) rebuilds them: fewer late refunds, still the counted report', async () => {
		const before = await report('');
		const current = await currentPolicy(f.db);
		const policy = structuredClone(current.policy) as typeof current.policy & { refund_max_days: number };
		policy.refund_max_days = 25;
		await updatePolicy(f.db, policy, 'test', 'test', current.version);
		const after = await report('');
		const late = (r: ComplianceReport) => r.rules.find((x) => x.rule === 'late_refund')?.flagged as number;
		expect(late(after)).toBeLessThan(late(before));
		await expectKeptIsCounted();
		expect(await keep()).toBe(false);
	});
});
