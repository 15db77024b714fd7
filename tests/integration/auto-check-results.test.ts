import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { DIMENSION_COLUMNS, parseFilters } from '../../src/lib/metrics/filters/model';
import { caseFilterSql } from '../../src/lib/metrics/filters/case-filter-sql.server';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import type { PolicyDocument } from '../../src/lib/core/policy/model';
import { AUTO_CHECK_IDS, type AutoCheckDimension, type AutoCheckReport } from '../../src/lib/audits/auto-checks/model';
import { autoCheckReport } from '../../src/lib/audits/auto-checks/report.server';
import { checkContext, perCaseChecksSql } from '../../src/lib/audits/auto-checks/checks-sql.server';
import { keepCheckResults } from '../../src/lib/audits/auto-checks/check-results.server';
import { useDemoArchive } from '../helpers/demo-archive';

// The automatic checks page reads verdicts kept per import (auto_check_results). They must give
// exactly what computing every check from the cases gives, under filters, and after a policy edit
// or an import changes the answer.
const END = new Date('2026-11-01T00:00:00Z');
const f = useDemoArchive({ cases: 3000, seed: 5, end: END });


type Tally = Record<string, [number, number]>;

/** Pass and fail counts per check and group, computed from the cases without the kept table. */
async function scanned(query: string, by: AutoCheckDimension): Promise<{ overall: Tally; groups: Record<string, Tally>; cases: number }> {
	const filters = parseFilters(new URLSearchParams(query));
	const ctx = await checkContext(f.db, END);
	const testable = AUTO_CHECK_IDS.filter((id) => !ctx.notTestable[id]);
	const perCase = await perCaseChecksSql(f.db, ctx, testable, caseFilterSql(filters, END), sql`CAST(${sql.ref(`c.${DIMENSION_COLUMNS[by]}`)} AS VARCHAR) AS grp`);
	const { rows } = await sql<Record<string, unknown>>`SELECT * FROM (${perCase})`.execute(f.db);
	const overall: Tally = {};
	const groups: Record<string, Tally> = {};
	for (const row of rows) {
		const g = String(row.grp);
		groups[g] ??= {};
		for (const id of testable) {
			const v = row[id];
			if (typeof v !== 'boolean') continue;
			for (const t of [overall, groups[g]]) {
				t[id] ??= [0, 0];
				t[id][v ? 0 : 1] += 1;
			}
		}
	}
	return { overall, groups, cases: rows.length };
}

function reported(r: AutoCheckReport): { overall: Tally; groups: Record<string, Tally>; cases: number } {
	const overall: Tally = {};
	for (const c of r.checks) if (!c.not_testable) overall[c.id] = [c.passed, c.failed];
	const groups: Record<string, Tally> = {};
	for (const g of r.groups) (groups[String(g.group)] ??= {})[g.check] = [g.passed, g.failed];
	return { overall, groups, cases: r.cases };
}

async function expectSame(query: string, by: AutoCheckDimension) {
	const r = await autoCheckReport(f.db, { filters: parseFilters(new URLSearchParams(query)), by, today: END });
	const scan = await scanned(query, by);
	expect(reported(r)).toEqual(scan);
	return r;
}

describe('kept automatic check verdicts', () => {
	test('equal the checks computed from the cases, whole archive and filtered, per team, region and agent', async () => {
		const whole = await expectSame('', 'team');
		expect(whole.cases).toBe(3000);
		expect(Object.keys(reported(whole).overall).length).toBeGreaterThanOrEqual(9);
		await expectSame('range=90d&channel=email', 'region');
		await expectSame('region=europe&team=harbor', 'agent');
		await expectSame('range=30d&category=return_request&channel=chat', 'team');
		const none = await expectSame('region=nowhere', 'team');
		expect(none.cases).toBe(0);
	});

	test('follow a policy edit: a stricter first-response target fails more cases, as the scan does', async () => {
		const before = await expectSame('', 'team');
		const current = await currentPolicy(f.db);
		const policy = structuredClone(current.policy) as PolicyDocument & { targets: { first_response_hours: number } };
		policy.targets.first_response_hours = 2;
		await updatePolicy(f.db, policy, 'test', 'test', current.version);
		const after = await expectSame('', 'team');
		const failed = (r: AutoCheckReport) => r.checks.find((c) => c.id === 'first_response_within_target')?.failed ?? 0;
		expect(failed(after)).toBeGreaterThan(failed(before));
		// Asked again with nothing changed, the table is current and is not rebuilt.
		expect(await keepCheckResults(f.db, await checkContext(f.db, END))).toBe(false);
	});

	test('follow an import: a case replaced with a reopen now fails "not reopened"', async () => {
		const { rows } = await sql<{ case_id: string; created_at: Date; region: string; category: string }>`
			SELECT case_id, created_at, region, category FROM cases WHERE reopen_count = 0 ORDER BY case_id LIMIT 1`.execute(f.db);
		const c = rows[0];
		const before = await expectSame('', 'team');
		const csv = `case_id,created_at,status,region,category,reopen_count\n${c.case_id},${c.created_at.toISOString()},solved,${c.region},${c.category},2\n`;
		const summary = await f.ingest(await f.file('reopened.csv', csv), { kind: 'cases' });
		expect(summary.accepted).toBe(1);
		const after = await expectSame('', 'team');
		const reopen = (r: AutoCheckReport) => r.checks.find((x) => x.id === 'no_reopen');
		expect([reopen(after)?.passed, reopen(after)?.failed]).toEqual([(reopen(before)?.passed ?? 0) - 1, (reopen(before)?.failed ?? 0) + 1]);
	});
});
