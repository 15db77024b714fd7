import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { currentPolicy } from '../core/policy/policy.server';
import { COMPLIANCE_RULES, compliancePolicy, type RuleId } from '../metrics/compliance/compliance-rules.server';
import { snapshotTime } from '../metrics/filters/snapshot.server';
import { archiveCoverage, missingColumn } from '../metrics/coverage.server';
import { firstNotTestable, type NotTestable } from '../metrics/model';

export interface CaseFinding {
	rule: RuleId;
	label: string;
	kind: 'violation' | 'exception';
	definition: string;
	/** true: the case breaks (or, for exceptions, triggers) the rule; false: it complies or the rule is not testable. */
	flagged: boolean;
	/** Set when the archive lacks a column the rule needs: without outcomes every old claim would look stale. */
	not_testable: NotTestable | null;
}

/** The compliance rules that apply to one case, each with whether the case breaks it. */
export async function caseFindings(db: Kysely<Database>, caseId: string): Promise<CaseFinding[]> {
	const [{ policy: raw }, snap, cov] = await Promise.all([currentPolicy(db), snapshotTime(db), archiveCoverage(db)]);
	const policy = compliancePolicy(raw);
	const snapshot = snap ?? new Date();
	const columns = sql.join(COMPLIANCE_RULES.map((r) => sql`${r.eligible(policy)} AS ${sql.ref(`${r.id}__e`)}, ${r.flagged(policy, snapshot)} AS ${sql.ref(`${r.id}__f`)}`));
	const { rows } = await sql<Record<string, boolean | null>>`SELECT ${columns} FROM cases c WHERE c.case_id = ${caseId}`.execute(db);
	const row = rows[0];
	if (!row) return [];
	return COMPLIANCE_RULES.filter((r) => row[`${r.id}__e`]).map((r) => {
		const not_testable = firstNotTestable(...r.needs.map((c) => missingColumn(cov, c)));
		return { rule: r.id, label: r.label, kind: r.kind, definition: r.definition(policy), flagged: !not_testable && row[`${r.id}__f`] === true, not_testable };
	});
}
