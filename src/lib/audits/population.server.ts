import { sql, type Kysely, type RawBuilder } from 'kysely';
import defaultPolicy from '../../../config/policy.json';
import { DIMENSION_COLUMNS } from '../metrics/filters/model';
import { RISK_FLAGS, type RiskFlag, type SampleRequest } from './sample-request';
import type { PopulationUnit } from './sampling';
import type { Database } from '../core/db/schema';
import { caseFilterSql } from '../metrics/filters/case-filter-sql.server';
import { COMPLIANCE_RULES, compliancePolicy } from '../metrics/compliance/compliance-rules.server';
import { snapshotTime } from '../metrics/filters/snapshot.server';
import { resolveToday } from '../metrics/filters/period.server';
import { archiveCoverage, missingColumn } from '../metrics/coverage.server';
import { currentPolicy } from '../core/policy/policy.server';
import { currentTemplate } from './templates.server';
import { isAutoCheckId, type AutoCheckId } from './auto-checks/model';
import { checkContext, failedChecks } from './auto-checks/checks-sql.server';

export interface PopulationCase extends PopulationUnit {
	flags: RiskFlag[];
}

export interface Population {
	units: PopulationCase[];
	/** Cases the filters matched but the exclusion window removed. */
	excluded: number;
	policyVersion: number;
}

/** The SQL for each risk flag over `cases c` (values bound as parameters). */
function riskFlagSql(flag: RiskFlag, ctx: { firstResponseHours: number; snapshot: Date; policy: ReturnType<typeof compliancePolicy>; untestable: Set<string> }): RawBuilder<boolean> {
	switch (flag) {
		case 'low_csat':
			return sql<boolean>`EXISTS (SELECT 1 FROM feedback f WHERE f.case_id = c.case_id AND f.csat <= 2)`;
		case 'reopened':
			return sql<boolean>`coalesce(c.reopen_count, 0) > 0`;
		case 'slow':
			// Censored like the Speed page: a case still unanswered at the snapshot counts once it is past the target.
			return sql<boolean>`epoch(coalesce(c.first_response_at, ${ctx.snapshot}::TIMESTAMP) - c.created_at) / 3600.0 > ${ctx.firstResponseHours}`;
		case 'escalated':
			return sql<boolean>`coalesce(c.escalated, false)`;
		case 'auto_checks':
			// Computed apart (failingAutoChecks): the checks need joins this one-table scan does not have.
			return sql<boolean>`false`;
		case 'compliance':
			// A rule the archive cannot test (no outcome column: every old claim would look stale) raises no flag.
			return sql<boolean>`(${sql.join(
				[sql`false`, ...COMPLIANCE_RULES.filter((r) => r.kind === 'violation' && !ctx.untestable.has(r.id)).map((r) => r.flagged(ctx.policy, ctx.snapshot))],
				sql` OR `
			)})`;
	}
}

/**
 * Cases that fail at least one automatic check the current scorecard declares (testable checks
 * only), among those matching `where`. Only asked for when the flag carries a weight: a case flagged
 * with weight 0 would count as flagged without being drawn more often.
 */
async function failingAutoChecks(db: Kysely<Database>, where: RawBuilder<boolean>, now: Date): Promise<Set<string>> {
	const template = await currentTemplate(db);
	const declared = [...template.body.categories, ...template.body.critical_items].map((i) => i.auto_check).filter((id): id is AutoCheckId => isAutoCheckId(id));
	if (!declared.length) return new Set();
	const failed = await failedChecks(db, await checkContext(db, now), [...new Set(declared)], where);
	return new Set(failed.keys());
}

/**
 * The cases a sample is drawn from: the global filters, the statuses, minus every case that is
 * in a sample drawn within the last `excludeDays` days (already being audited). Each case comes
 * with its stratum value and its risk flags.
 */
export async function loadPopulation(db: Kysely<Database>, request: SampleRequest, now: Date): Promise<Population> {
	const [{ version, policy: raw }, snap, cov] = await Promise.all([currentPolicy(db), snapshotTime(db), archiveCoverage(db)]);
	const targets = (raw.targets ?? defaultPolicy.targets) as Record<string, number>;
	const untestable = new Set(COMPLIANCE_RULES.filter((r) => r.needs.some((c) => missingColumn(cov, c))).map((r) => r.id));
	const ctx = { firstResponseHours: targets.first_response_hours ?? defaultPolicy.targets.first_response_hours, snapshot: snap ?? now, policy: compliancePolicy(raw), untestable };
	const where: RawBuilder<unknown>[] = [caseFilterSql(request.filters, await resolveToday(db, request.filters, now))];
	if (request.statuses.length) where.push(sql`c.status IN (${sql.join(request.statuses)})`);
	const since = new Date(now.getTime() - request.excludeDays * 86_400_000);
	const recent = sql<boolean>`c.case_id IN (SELECT sc.case_id FROM audit_sample_cases sc JOIN audit_samples s ON s.sample_id = sc.sample_id WHERE s.created_at >= ${since}::TIMESTAMP)`;
	const stratum = request.by ? sql`coalesce(CAST(${sql.ref(`c.${DIMENSION_COLUMNS[request.by]}`)} AS VARCHAR), '(none)')` : sql`'all'`;
	const flags = sql.join(RISK_FLAGS.map((f) => sql`${riskFlagSql(f, ctx)} AS ${sql.ref(f)}`));
	const { rows } = await sql<Record<string, unknown> & { case_id: string; stratum: string; recent: boolean }>`
		SELECT c.case_id, ${stratum} AS stratum, ${request.excludeDays > 0 ? recent : sql`false`} AS recent, ${flags}
		FROM cases c WHERE ${sql.join(where, sql` AND `)}`.execute(db);
	const autoFailed = (request.riskWeights?.auto_checks ?? 0) > 0 ? await failingAutoChecks(db, sql<boolean>`(${sql.join(where, sql` AND `)})`, snap ?? now) : new Set<string>();
	const units: PopulationCase[] = [];
	let excluded = 0;
	for (const row of rows) {
		if (row.recent) {
			excluded += 1;
			continue;
		}
		const caseFlags = RISK_FLAGS.filter((f) => (f === 'auto_checks' ? autoFailed.has(row.case_id) : row[f] === true));
		const size = 1 + caseFlags.reduce((s, f) => s + (request.riskWeights?.[f] ?? 0), 0);
		units.push({ caseId: row.case_id, stratum: row.stratum, size, flags: caseFlags });
	}
	return { units, excluded, policyVersion: version };
}
