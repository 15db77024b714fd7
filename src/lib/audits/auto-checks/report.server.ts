import { sql, type Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import { wilsonInterval } from '../../core/stats/proportion-intervals';
import { DIMENSION_COLUMNS, type Filters } from '../../metrics/filters/model';
import { caseFilterSql } from '../../metrics/filters/case-filter-sql.server';
import { resolveToday } from '../../metrics/filters/period.server';
import { cachedReport } from '../../metrics/filters/data-version.server';
import { noneMatch, notTestable, WIDEN_FILTERS_FIX } from '../../metrics/model';
import { COMPLIANCE_RULES } from '../../metrics/compliance/compliance-rules.server';
import { BASIS_LABEL } from '../../metrics/speed/model';
import { AUTO_CHECK_DIMENSIONS, AUTO_CHECK_IDS, AUTO_CHECKS, type AutoCheckDimension, type AutoCheckId, type AutoCheckReport, type CheckCounts, type CheckResult } from './model';
import { checkContext, MIN_NOTE_CHARS, type CheckContext } from './checks-sql.server';
import { keepCheckResults } from './check-results.server';

/** The rule with the policy's current numbers, next to the plain explanation. */
function definition(id: AutoCheckId, ctx: CheckContext): string {
	const rule = AUTO_CHECKS[id].rule;
	if (rule) {
		const r = COMPLIANCE_RULES.find((x) => x.id === rule);
		return r ? `Fails where this rule flags the case: ${r.definition(ctx.policy)}` : '';
	}
	const t = ctx.target;
	const target = t
		? `${t.hours} ${BASIS_LABEL[t.basis]}${Object.keys(t.channels).length ? ` (${Object.entries(t.channels).map(([ch, h]) => `${ch} ${h} h`).join(', ')})` : ''}`
		: 'no target set';
	switch (id) {
		case 'policy_compliance':
			return `Rules checked: ${ctx.rules.map((r) => r.label.toLowerCase()).join(', ') || 'none'} (policy version ${ctx.policyVersion}).`;
		case 'first_response_within_target':
		case 'reply_within_target':
			return `Target: ${target}.`;
		case 'internal_notes_private':
			return `Notes of ${MIN_NOTE_CHARS} characters or more, compared without case; public messages of agents, bots and the system.`;
		default:
			return AUTO_CHECKS[id].explanation;
	}
}

function counts(passed: number, failed: number, testable: boolean): CheckCounts {
	const checked = passed + failed;
	const ci = testable && checked ? wilsonInterval(passed, checked) : null;
	return { checked, passed, failed, rate: testable && checked ? passed / checked : null, ci_low: ci?.lower ?? null, ci_high: ci?.upper ?? null };
}

async function computeAutoCheckReport(db: Kysely<Database>, options: { filters: Filters; by?: AutoCheckDimension; today?: Date }): Promise<AutoCheckReport> {
	const today = options.today ?? (await resolveToday(db, options.filters));
	const ctx = await checkContext(db, today);
	const by: AutoCheckDimension = options.by && AUTO_CHECK_DIMENSIONS.includes(options.by) ? options.by : 'team';
	const where = caseFilterSql(options.filters, today);
	const testable = AUTO_CHECK_IDS.filter((id) => !ctx.notTestable[id]);
	await keepCheckResults(db, ctx);
	const tallies = testable.length ? sql.join(testable.map((id) => sql`count(*) FILTER (WHERE ${sql.ref(`c.${id}`)}) AS ${sql.ref(`${id}__p`)}, count(*) FILTER (WHERE NOT ${sql.ref(`c.${id}`)}) AS ${sql.ref(`${id}__f`)}`)) : sql`0 AS none`;
	// The verdicts kept per import (check-results.server.ts), filtered like the cases.
	const { rows } = await sql<Record<string, number | string | null> & { grp: string | null; g: number; cases: number }>`
		SELECT grp, GROUPING(grp) AS g, count(*) AS cases, ${tallies}
		FROM (SELECT *, CAST(${sql.ref(`c.${DIMENSION_COLUMNS[by]}`)} AS VARCHAR) AS grp FROM auto_check_results c WHERE ${where}) c
		GROUP BY GROUPING SETS ((grp), ())`.execute(db);
	const total = rows.find((r) => Number(r.g) === 1);
	const cases = Number(total?.cases ?? 0);
	const num = (row: Record<string, unknown> | undefined, key: string) => Number(row?.[key] ?? 0);

	const checks = AUTO_CHECK_IDS.map((id): CheckResult => {
		const info = AUTO_CHECKS[id];
		const base = { id, label: info.label, explanation: info.explanation, definition: definition(id, ctx), applies_to: info.applies_to, needs: info.needs, left_out: ctx.leftOut[id] };
		let why = ctx.notTestable[id];
		if (!why && cases === 0) why = noneMatch('case', options.filters);
		const c = why ? counts(0, 0, false) : counts(num(total, `${id}__p`), num(total, `${id}__f`), true);
		if (!why && c.checked === 0) why = notTestable(`none of the ${cases.toLocaleString('en')} cases in these filters is one the check applies to (${info.applies_to})`, WIDEN_FILTERS_FIX);
		return { ...base, ...(why ? counts(0, 0, false) : c), not_testable: why };
	});
	const untestable = new Set(checks.filter((c) => c.not_testable).map((c) => c.id));
	const groups = rows
		.filter((r) => Number(r.g) === 0)
		.flatMap((r) => AUTO_CHECK_IDS.filter((id) => !untestable.has(id)).map((id) => ({ check: id, group: r.grp, ...counts(num(r, `${id}__p`), num(r, `${id}__f`), true) })))
		.filter((g) => g.checked > 0);
	return { policy_version: ctx.policyVersion, snapshot: ctx.snapshot.toISOString(), cases, checks, by, groups };
}

/** Cached per data version and request (src/lib/metrics/filters/data-version.server.ts): it reads only the imported data and the policy. */
export const autoCheckReport = cachedReport('auto-checks', computeAutoCheckReport);
