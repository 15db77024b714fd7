import { sql, type Kysely } from 'kysely';
import type { FilterDimension, Filters } from '../filters/model';
import { wilsonInterval } from '../../core/stats/proportion-intervals';
import type { Database } from '../../core/db/schema';
import { currentPolicy } from '../../core/policy/policy.server';
import { caseFilterSql, restrictsCases } from '../filters/case-filter-sql.server';
import { COMPLIANCE_RULES, compliancePolicy, type CompliancePolicy, type RuleId } from './compliance-rules.server';
import { COMPLIANCE_DIMENSIONS, groupCountsSql, keepComplianceCounts, keptGroupCountsSql, keptRefundDaysSql, refundDaysSql } from './compliance-counts.server';
import { snapshotTime } from '../filters/snapshot.server';
import { resolveToday } from '../filters/period.server';
import { cachedReport, keptByData } from '../filters/data-version.server';
import { archiveCoverage, missingColumn, noCases } from '../coverage.server';
import { firstNotTestable, noneMatch, notTestable, WIDEN_FILTERS_FIX, type NotTestable } from '../model';

export interface RuleRate {
	rule: RuleId;
	label: string;
	kind: 'violation' | 'exception';
	definition: string;
	eligible: number;
	flagged: number;
	rate: number | null;
	ci_low: number | null;
	ci_high: number | null;
	/** Set when the rule cannot be checked on these cases (then rate and interval are null). */
	not_testable: NotTestable | null;
}

export interface RuleGroupRate {
	rule: RuleId;
	group: string | null;
	eligible: number;
	flagged: number;
	rate: number | null;
}

export interface ComplianceReport {
	policy_version: number;
	policy: CompliancePolicy;
	snapshot: string | null;
	rules: RuleRate[];
	by: FilterDimension;
	groups: RuleGroupRate[];
	/** Refund turnaround histogram in whole days (last bucket = that many or more). */
	refund_days: { days: number; refunds: number }[];
	/** Cases the filters match. */
	cases: number;
}

/** Eligible cases per rule over the whole archive, to tell "none imported" from "none in these filters". */
function archiveEligible(db: Kysely<Database>, policy: CompliancePolicy, version: number): Promise<Record<string, number>> {
	return keptByData(db, `compliance-eligible-${version}`, async () => {
		const columns = sql.join(COMPLIANCE_RULES.map((r) => sql`count(*) FILTER (WHERE ${r.eligible(policy)}) AS ${sql.ref(r.id)}`));
		const { rows } = await sql<Record<string, number>>`SELECT ${columns} FROM cases c`.execute(db);
		return rows[0];
	});
}

/**
 * Why a rule cannot be checked, or null, what to fix first: the filters match no case, the
 * archive lacks a column the rule needs or holds no eligible case, or the filters leave none.
 */
function ruleNotTestable(rule: (typeof COMPLIANCE_RULES)[number], cov: Awaited<ReturnType<typeof archiveCoverage>>, filters: Filters, inArchive: number, cases: number, eligible: number): NotTestable | null {
	return firstNotTestable(
		noCases(cov),
		cases === 0 && noneMatch('case', filters),
		...rule.needs.map((c) => missingColumn(cov, c)),
		inArchive === 0 && notTestable(`no imported case is ${rule.population}`, rule.importFix),
		eligible === 0 && notTestable(`none of the ${cases.toLocaleString('en')} cases in these filters is ${rule.population}`, WIDEN_FILTERS_FIX)
	);
}

async function computeComplianceReport(db: Kysely<Database>, options: { filters: Filters; by?: FilterDimension; today?: Date }): Promise<ComplianceReport> {
	const today = options.today ?? (await resolveToday(db, options.filters));
	const [{ version, policy: raw }, snap, cov] = await Promise.all([currentPolicy(db), snapshotTime(db), archiveCoverage(db)]);
	const policy = compliancePolicy(raw);
	const snapshot = snap ?? today;
	const where = caseFilterSql(options.filters, today);
	const by = options.by && COMPLIANCE_DIMENSIONS.includes(options.by) ? options.by : 'region';
	// Over the whole archive the counts are kept per import (compliance-counts.server.ts).
	const kept = Boolean(snap) && !restrictsCases(options.filters, today);
	if (kept) await keepComplianceCounts(db, policy, snapshot);

	// One scan per group; the whole is the groups' sum (every count is additive), not a second scan.
	const [grouped, refunds, inArchive] = await Promise.all([
		(kept ? keptGroupCountsSql(by) : groupCountsSql(policy, snapshot, where, by)).execute(db),
		(kept ? keptRefundDaysSql() : refundDaysSql(where)).execute(db),
		// Over the whole archive the groups' totals are the archive's own: no scan of every case for them.
		kept ? null : archiveEligible(db, policy, version)
	]);
	const t: Record<string, number> = {};
	for (const row of grouped.rows) for (const [k, v] of Object.entries(row)) if (k !== 'grp') t[k] = (t[k] ?? 0) + Number(v);
	const cases = t.cases ?? 0;
	const untestable = new Set<RuleId>();
	const rules = COMPLIANCE_RULES.map((r): RuleRate => {
		const eligible = t[`${r.id}__e`] ?? 0;
		const flagged = t[`${r.id}__f`] ?? 0;
		const not_testable = ruleNotTestable(r, cov, options.filters, inArchive ? Number(inArchive[r.id]) : eligible, cases, eligible);
		if (not_testable) untestable.add(r.id);
		const ci = eligible && !not_testable ? wilsonInterval(flagged, eligible) : null;
		return { rule: r.id, label: r.label, kind: r.kind, definition: r.definition(policy), eligible, flagged, rate: eligible && !not_testable ? flagged / eligible : null, ci_low: ci?.lower ?? null, ci_high: ci?.upper ?? null, not_testable };
	});
	const groups = grouped.rows.flatMap((row) =>
		COMPLIANCE_RULES.map((r): RuleGroupRate => {
			const eligible = Number(row[`${r.id}__e`]);
			const flagged = Number(row[`${r.id}__f`]);
			return { rule: r.id, group: row.grp as string | null, eligible, flagged, rate: eligible && !untestable.has(r.id) ? flagged / eligible : null };
		})
	);
	// Every day bucket from 0 to 20 is listed, empty ones too, so the chart's axis is honest.
	const refundDays = Array.from({ length: 21 }, (_, days) => ({ days, refunds: refunds.rows.find((r) => r.days === days)?.refunds ?? 0 }));
	return { policy_version: version, policy, snapshot: snap ? snap.toISOString() : null, rules, by, groups, refund_days: refundDays, cases };
}

/** Cached per data version and request (src/lib/metrics/filters/data-version.server.ts). */
export const complianceReport = cachedReport('compliance', computeComplianceReport);
