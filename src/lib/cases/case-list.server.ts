import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Role } from '../core/auth/roles';
import { dateBounds, describeBatches, describeDrill, parseDrill, parseFilters, type Drill, type Filters } from '../metrics/filters/model';
import { resolveToday } from '../metrics/filters/period.server';
import { maskPersonalData } from '../core/mask-personal-data';
import type { Database } from '../core/db/schema';
import { currentPolicy } from '../core/policy/policy.server';
import { caseFilterSql } from '../metrics/filters/case-filter-sql.server';
import { compliancePolicy, ruleById } from '../metrics/compliance/compliance-rules.server';
import { drillSql } from '../metrics/filters/drill-sql.server';
import { snapshotTime } from '../metrics/filters/snapshot.server';
import type { SpeedMeasure } from '../metrics/speed/speed.server';
import { can } from '../core/auth/access-rules';

export interface CaseListQuery {
	filters: Filters;
	/** Only cases a compliance rule flags. */
	rule?: string | null;
	/** Only cases still without a first response / resolution. */
	open?: SpeedMeasure | null;
	/** Consistency and fairness drill-downs: root cause, tenure or order-value band, outcome, population. */
	drill?: Drill;
}

export const CASE_LIST_COLUMNS = ['case_id', 'created_at', 'status', 'region', 'channel', 'category', 'team', 'agent_id', 'outcome', 'first_response_hours', 'resolution_hours', 'subject'] as const;

export type CaseListRow = {
	case_id: string;
	created_at: Date;
	status: string;
	region: string;
	channel: string | null;
	category: string;
	team: string | null;
	agent_id: string | null;
	outcome: string | null;
	first_response_hours: number | null;
	resolution_hours: number | null;
	subject: string | null;
};

/** The drill-down query in a URL: the global filters, plus `rule`, `open` and the drill parameters. */
export function caseQueryFromParams(params: URLSearchParams): CaseListQuery {
	const open = params.get('open');
	return { filters: parseFilters(params), rule: params.get('rule'), open: open === 'first_response' || open === 'resolution' ? open : null, drill: parseDrill(params) };
}

/** What the list is, in words, for its heading and the CSV file name. */
export function describeCaseQuery(query: CaseListQuery, today: Date): string {
	const parts: string[] = [];
	const rule = query.rule ? ruleById(query.rule) : undefined;
	if (rule) parts.push(rule.label);
	if (query.open) parts.push(query.open === 'resolution' ? 'unresolved' : 'unanswered');
	if (query.drill) parts.push(...describeDrill(query.drill));
	const { from, to } = dateBounds(query.filters, today);
	if (from || to) parts.push(`opened ${from ?? '…'} to ${to ?? '…'}`);
	if (query.filters.batch?.length) parts.push(`from ${describeBatches(query.filters.batch)}`);
	for (const [dim, values] of Object.entries(query.filters.dims)) if (values?.length) parts.push(`${dim} ${values.join(' or ')}`);
	return parts.length ? parts.join(' · ') : 'all cases';
}

async function condition(db: Kysely<Database>, query: CaseListQuery, today: Date): Promise<RawBuilder<boolean>> {
	const parts: RawBuilder<unknown>[] = [caseFilterSql(query.filters, today)];
	const rule = query.rule ? ruleById(query.rule) : undefined;
	if (query.rule && !rule) parts.push(sql`false`);
	if (rule) {
		const [{ policy }, snapshot] = await Promise.all([currentPolicy(db), snapshotTime(db)]);
		parts.push(rule.flagged(compliancePolicy(policy), snapshot ?? today));
	}
	if (query.open === 'first_response') parts.push(sql`c.first_response_at IS NULL`);
	if (query.open === 'resolution') parts.push(sql`c.resolved_at IS NULL`);
	if (query.drill) parts.push(await drillSql(db, query.drill));
	return sql<boolean>`(${sql.join(parts, sql` AND `)})`;
}

function select(where: RawBuilder<boolean>) {
	return sql`SELECT c.case_id, c.created_at, c.status, c.region, c.channel, c.category, c.team, c.agent_id, c.outcome,
		epoch(c.first_response_at - c.created_at) / 3600.0 AS first_response_hours,
		epoch(c.resolved_at - c.created_at) / 3600.0 AS resolution_hours, c.subject
		FROM cases c WHERE ${where}`;
}

function mask(row: CaseListRow, role: Role): CaseListRow {
	return !can(role, 'personal_data.unmasked') ? { ...row, subject: maskPersonalData(row.subject) } : row;
}

/** `today`: what the date presets count back from; by default resolved from the filters (period.server.ts). */
export async function listCases(db: Kysely<Database>, query: CaseListQuery, page: { offset: number; limit: number }, role: Role, today?: Date) {
	const where = await condition(db, query, today ?? (await resolveToday(db, query.filters)));
	const [rows, total] = await Promise.all([
		sql<CaseListRow>`${select(where)} ORDER BY c.created_at DESC, c.case_id LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db),
		sql<{ n: number }>`SELECT count(*) AS n FROM cases c WHERE ${where}`.execute(db)
	]);
	return { rows: rows.rows.map((r) => mask(r, role)), total: total.rows[0].n };
}

/** Every matching case, streamed for the CSV download. */
export async function* streamCases(db: Kysely<Database>, query: CaseListQuery, role: Role, today?: Date): AsyncGenerator<CaseListRow> {
	const where = await condition(db, query, today ?? (await resolveToday(db, query.filters)));
	const compiled = select(where).compile(db);
	for await (const chunk of db.getExecutor().stream<CaseListRow>(compiled, 5000)) {
		for (const row of chunk.rows) yield mask(row, role);
	}
}
