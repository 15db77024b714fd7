import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../core/db/schema';
import { keepCurrent, settingsOfSql } from '../../core/db/derived-tables.server';
import { whichSet } from '../../core/db/grouping-sets.server';
import { DIMENSION_COLUMNS, type FilterDimension } from '../filters/model';
import { COMPLIANCE_RULES, REFUND_DAYS, type CompliancePolicy } from './compliance-rules.server';

/** The breakdowns the Compliance page offers. */
export const COMPLIANCE_DIMENSIONS: FilterDimension[] = ['region', 'team', 'agent'];

/** A group's cases and, per rule, its eligible (`<rule>__e`) and flagged (`<rule>__f`) cases. */
export type GroupCounts = Record<string, number | string | null>;
export type RefundDays = { days: number; refunds: number };

const groupCol = (d: FilterDimension) => sql.ref(`c.${DIMENSION_COLUMNS[d]}`);

/** Every rule's eligible and flagged cases, as counts over the cases of a query grouped per group. */
function ruleColumns(policy: CompliancePolicy, snapshot: Date): RawBuilder<unknown> {
	return sql.join(
		COMPLIANCE_RULES.map((r) => sql`count(*) FILTER (WHERE ${r.eligible(policy)}) AS ${sql.ref(`${r.id}__e`)}, count(*) FILTER (WHERE ${r.flagged(policy, snapshot)}) AS ${sql.ref(`${r.id}__f`)}`)
	);
}

/** Per group of `by`, over the cases `where` keeps (cases read as `c`): its cases and the rules' counts, in group order. */
export function groupCountsSql(policy: CompliancePolicy, snapshot: Date, where: RawBuilder<boolean>, by: FilterDimension): RawBuilder<GroupCounts> {
	return sql<GroupCounts>`SELECT ${groupCol(by)} AS grp, count(*) AS cases, ${ruleColumns(policy, snapshot)} FROM cases c WHERE ${where} GROUP BY 1 ORDER BY 1`;
}

/** Refunds per whole day from resolution to refund, over the cases `where` keeps; the last bucket is 20 days or more. */
export function refundDaysSql(where: RawBuilder<boolean>): RawBuilder<RefundDays> {
	return sql<RefundDays>`
		SELECT least(floor(${REFUND_DAYS}), 20)::INTEGER AS days, count(*) AS refunds
		FROM cases c WHERE ${where} AND c.refund_issued_at IS NOT NULL AND ${REFUND_DAYS} >= 0 GROUP BY 1 ORDER BY 1`;
}

/** The tables the unfiltered page reads; created by the queries that fill them (no migration), like Friction's (src/lib/friction/document-table.server.ts). */
const COUNTS = sql.table('compliance_counts');
const REFUNDS = sql.table('compliance_refund_days');

/**
 * Brings compliance_counts (every breakdown's groups in one pass: one grouping set per dimension)
 * and compliance_refund_days up to date with the committed imports: the unfiltered page reads a
 * few hundred rows instead of judging every case against five rules (1.7 s at 10,000,000 cases).
 * Their SQL holds the policy's windows and the snapshot the open claims are aged at, so a policy
 * edit or a later snapshot rebuilds them.
 */
export function keepComplianceCounts(db: Kysely<Database>, policy: CompliancePolicy, snapshot: Date): Promise<boolean> {
	const counts = sql`SELECT ${whichSet(COMPLIANCE_DIMENSIONS, groupCol, sql.lit)} AS dim, ${whichSet(COMPLIANCE_DIMENSIONS, groupCol, (d) => sql`CAST(${groupCol(d)} AS VARCHAR)`)} AS grp,
		count(*) AS cases, ${ruleColumns(policy, snapshot)}
		FROM cases c GROUP BY GROUPING SETS (${sql.join(COMPLIANCE_DIMENSIONS.map((d) => sql`(${groupCol(d)})`))})`;
	const refunds = refundDaysSql(sql`true`);
	return keepCurrent(db, { name: 'compliance_counts', reads: ['cases'] }, settingsOfSql(db, counts, refunds), async (trx) => {
		await sql`CREATE OR REPLACE TABLE ${COUNTS} AS ${counts}`.execute(trx);
		await sql`CREATE OR REPLACE TABLE ${REFUNDS} AS ${refunds}`.execute(trx);
	});
}

/** groupCountsSql and refundDaysSql over every case, from the kept tables (keepComplianceCounts first). */
export function keptGroupCountsSql(by: FilterDimension): RawBuilder<GroupCounts> {
	return sql<GroupCounts>`SELECT * EXCLUDE (dim) FROM ${COUNTS} WHERE dim = ${by} ORDER BY grp`;
}

export function keptRefundDaysSql(): RawBuilder<RefundDays> {
	return sql<RefundDays>`SELECT * FROM ${REFUNDS} ORDER BY days`;
}
