import { error } from '@sveltejs/kit';
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
import { breachedCasesSql } from '../metrics/speed/speed.server';
import { SPEED_MEASURES, TARGET_NAME, type SpeedMeasure, type SpeedTarget } from '../metrics/speed/model';
import { can } from '../core/auth/access-rules';
import { DEFAULT_VIEW, isDurationSort, likePattern, parseCaseListView, type CaseListView, type CaseSort } from './model';

export interface CaseListQuery {
	filters: Filters;
	/** Only cases a compliance rule flags. */
	rule?: string | null;
	/** Only cases still without a first response / resolution. */
	open?: SpeedMeasure | null;
	/** Only cases the Speed page counts as breached for the measure (speed.server.ts breachedCasesSql). */
	breached?: SpeedMeasure | null;
	/** Consistency and fairness drill-downs: root cause, tenure or order-value band, outcome, population. */
	drill?: Drill;
	/** Order and text search; absent = newest first, no search. */
	view?: CaseListView;
}

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
	/** For a case without a first response or without a resolution: its age at the archive snapshot, in hours. */
	hours_open_at_snapshot: number | null;
	/** The score of the case's latest rated survey answer. */
	csat: number | null;
	subject: string | null;
	/** When searching: an excerpt of the first feedback comment that contains the words. */
	comment_match?: string | null;
};

/** The CSV's columns: the list's, durations in hours with 2 decimals (the unit in the name). */
export const CASE_CSV_COLUMNS = ['case_id', 'created_at', 'status', 'region', 'channel', 'category', 'team', 'agent_id', 'outcome', 'first_response_hours', 'resolution_hours', 'hours_open_at_snapshot', 'csat', 'subject'] as const;
type CaseCsvRow = Omit<CaseListRow, 'comment_match'>;

/** The breach the list is narrowed to, with the target it was measured against, for the page to name it. */
export interface CaseListBreach {
	measure: SpeedMeasure;
	target: SpeedTarget;
}

function isMeasure(value: string): value is SpeedMeasure {
	return (SPEED_MEASURES as readonly string[]).includes(value);
}

/**
 * `breached`, or 400 naming it, as parseCaseListView does for `sort`: a misspelt value that
 * silently listed every case would be read as the breached ones.
 */
function parseBreached(params: URLSearchParams): SpeedMeasure | null {
	const raw = (params.get('breached') ?? '').trim();
	if (!raw) return null;
	if (!isMeasure(raw)) error(400, `"breached" must be one of ${SPEED_MEASURES.join(', ')}; got "${raw.slice(0, 40)}".`);
	return raw;
}

/** The drill-down query in a URL: the global filters, plus `rule`, `open`, `breached`, the drill parameters, `sort`, `dir` and `q`. */
export function caseQueryFromParams(params: URLSearchParams): CaseListQuery {
	const open = params.get('open');
	return { filters: parseFilters(params), rule: params.get('rule'), open: open && isMeasure(open) ? open : null, breached: parseBreached(params), drill: parseDrill(params), view: parseCaseListView(params) };
}

/** The CSV's file name: what the list is narrowed to, so two downloads are told apart. */
export function caseCsvName(query: CaseListQuery): string {
	return `cases${query.rule ? `-${query.rule}` : ''}${query.breached ? `-breached-${query.breached}` : ''}.csv`;
}

/** What the list is, in words, for its heading. */
export function describeCaseQuery(query: CaseListQuery, today: Date): string {
	const parts: string[] = [];
	const rule = query.rule ? ruleById(query.rule) : undefined;
	if (rule) parts.push(rule.label);
	if (query.open) parts.push(query.open === 'resolution' ? 'unresolved' : 'unanswered');
	if (query.breached) parts.push(`breached the ${TARGET_NAME[query.breached]}`);
	if (query.drill) parts.push(...describeDrill(query.drill));
	const { from, to } = dateBounds(query.filters, today);
	if (from || to) parts.push(`opened ${from ?? '…'} to ${to ?? '…'}`);
	if (query.filters.batch?.length) parts.push(`from ${describeBatches(query.filters.batch)}`);
	for (const [dim, values] of Object.entries(query.filters.dims)) if (values?.length) parts.push(`${dim} ${values.join(' or ')}`);
	if (query.view?.q) parts.push(`subject or comment containing “${query.view.q}”`);
	return parts.length ? parts.join(' · ') : 'all cases';
}

/**
 * Case-insensitive substring over the subject and every feedback comment of the case. A viewer
 * sees e-mails, phones and customer ids masked, so may not search for one either: the hits would
 * tell whose case it is.
 */
function searchSql(q: string, role: Role): RawBuilder<boolean> {
	if (!can(role, 'personal_data.unmasked') && maskPersonalData(q) !== q) error(400, 'Searching for an e-mail address, phone number or customer id needs a role that sees personal data.');
	const pattern = likePattern(q);
	// IN over an uncorrelated subquery, not EXISTS: DuckDB then matches the comments once, a third of the time on 1M cases.
	return sql<boolean>`(c.subject ILIKE ${pattern} ESCAPE '\\' OR c.case_id IN (SELECT f.case_id FROM feedback f WHERE f.comment ILIKE ${pattern} ESCAPE '\\'))`;
}

/** The WHERE of the list, and the breach it is narrowed to (`breached`), named with its target. */
async function condition(db: Kysely<Database>, query: CaseListQuery, today: Date, role: Role, snapshot: Date | null): Promise<{ where: RawBuilder<boolean>; breach: CaseListBreach | null }> {
	const filters = caseFilterSql(query.filters, today);
	const parts: RawBuilder<unknown>[] = [filters];
	const rule = query.rule ? ruleById(query.rule) : undefined;
	if (query.rule && !rule) parts.push(sql`false`);
	if (rule) parts.push(rule.flagged(compliancePolicy((await currentPolicy(db)).policy), snapshot ?? today));
	if (query.open === 'first_response') parts.push(sql`c.first_response_at IS NULL`);
	if (query.open === 'resolution') parts.push(sql`c.resolved_at IS NULL`);
	let breach: CaseListBreach | null = null;
	if (query.breached) {
		// Timed over the filtered cases only: the business clock then runs on the cases listed, not the archive.
		const found = await breachedCasesSql(db, query.breached, filters, snapshot);
		// The policy may have lost the target since the link was made: say so rather than list every case.
		if (!found) error(400, `The policy in force sets no ${TARGET_NAME[query.breached]}, so no case can breach it. Set one under Admin → Policy, or remove "breached" from the address.`);
		parts.push(found.condition);
		breach = { measure: query.breached, target: found.target };
	}
	if (query.drill) parts.push(await drillSql(db, query.drill));
	if (query.view?.q) parts.push(searchSql(query.view.q, role));
	return { where: sql<boolean>`(${sql.join(parts, sql` AND `)})`, breach };
}

const TEXT_COLUMNS: Partial<Record<CaseSort, string>> = { case_id: 'case_id', created: 'created_at', status: 'status', region: 'region', channel: 'channel', category: 'category', team: 'team', outcome: 'outcome', agent: 'agent_id', subject: 'subject' };
const EVENT_COLUMN = { first_response: 'first_response_at', resolution: 'resolved_at' } as const;

/**
 * The ORDER BY, all in SQL so that DuckDB keeps only the page (top-N) however many cases match.
 * A duration sort puts cases still without the event beyond every answered one ("slowest first"
 * lists them first, by their age at the snapshot): the Speed page counts such a case as "at least
 * this old" at the same snapshot (snapshot.server.ts), so none of them is known to be faster than
 * any answered case. Missing values go last either way; the case id breaks ties, for stable pages.
 */
function orderSql(view: CaseListView, snapshot: Date | null): RawBuilder<unknown> {
	const dir = sql.raw(view.dir === 'asc' ? 'ASC' : 'DESC');
	const tie = sql`c.case_id ${dir}`;
	if (isDurationSort(view.sort)) {
		const event = sql.ref(`c.${EVENT_COLUMN[view.sort]}`);
		return sql`(${event} IS NULL) ${dir}, epoch(coalesce(${event}, ${snapshot ?? new Date(0)}::TIMESTAMP) - c.created_at) ${dir}, ${tie}`;
	}
	if (view.sort === 'csat') return sql`r.csat ${dir} NULLS LAST, ${tie}`;
	return sql`${sql.ref(`c.${TEXT_COLUMNS[view.sort]}`)} ${dir} NULLS LAST, ${tie}`;
}

/** The latest rated answer per case. */
const RATED = sql`(SELECT case_id, arg_max(csat, submitted_at) AS csat FROM feedback WHERE csat IS NOT NULL AND case_id IS NOT NULL GROUP BY case_id)`;

/** `withCsat`: join every case's score (a CSAT sort, the CSV); the page fetches it for its own rows only. */
function select(where: RawBuilder<boolean>, view: CaseListView, snapshot: Date | null, withCsat: boolean) {
	const snap = sql`${snapshot ?? new Date(0)}::TIMESTAMP`;
	return sql`SELECT c.case_id, c.created_at, c.status, c.region, c.channel, c.category, c.team, c.agent_id, c.outcome,
		epoch(c.first_response_at - c.created_at) / 3600.0 AS first_response_hours,
		epoch(c.resolved_at - c.created_at) / 3600.0 AS resolution_hours,
		CASE WHEN c.first_response_at IS NULL OR c.resolved_at IS NULL THEN greatest(epoch(${snap} - c.created_at), 0) / 3600.0 END AS hours_open_at_snapshot,
		${withCsat ? sql`r.csat` : sql`NULL`} AS csat, c.subject
		FROM cases c ${withCsat ? sql`LEFT JOIN ${RATED} r ON r.case_id = c.case_id` : sql``}
		WHERE ${where} ORDER BY ${orderSql(view, snapshot)}`;
}

function masked(role: Role): boolean {
	return !can(role, 'personal_data.unmasked');
}

function mask<R extends { subject: string | null }>(row: R, role: Role): R {
	return masked(role) ? { ...row, subject: maskPersonalData(row.subject) } : row;
}

/** About 120 characters of `text` around the first occurrence of `q`. */
function excerpt(text: string, q: string): string {
	const at = Math.max(0, text.toLowerCase().indexOf(q.toLowerCase()));
	const start = Math.max(0, at - 50);
	const end = Math.min(text.length, at + q.length + 70);
	return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/** CSAT and, when searching, the matching comment of the page's rows: one small query instead of a join over every case. */
async function pageExtras(db: Kysely<Database>, rows: CaseListRow[], view: CaseListView, role: Role): Promise<CaseListRow[]> {
	if (!rows.length) return rows;
	const pattern = view.q ? likePattern(view.q) : null;
	const { rows: extras } = await sql<{ case_id: string; csat: number | null; comment: string | null }>`
		SELECT case_id, arg_max(csat, submitted_at) FILTER (WHERE csat IS NOT NULL) AS csat,
			${pattern ? sql`arg_min(comment, submitted_at) FILTER (WHERE comment ILIKE ${pattern} ESCAPE '\\')` : sql`NULL`} AS comment
		FROM feedback WHERE case_id IN (${sql.join(rows.map((r) => r.case_id))}) GROUP BY case_id`.execute(db);
	const byCase = new Map(extras.map((e) => [e.case_id, e]));
	return rows.map((row) => {
		const extra = byCase.get(row.case_id);
		const comment = extra?.comment && view.q ? excerpt(masked(role) ? maskPersonalData(extra.comment) : extra.comment, view.q) : null;
		return { ...row, csat: view.sort === 'csat' ? row.csat : (extra?.csat ?? null), comment_match: comment };
	});
}

/** `today`: what the date presets count back from; by default resolved from the filters (period.server.ts). */
export async function listCases(db: Kysely<Database>, query: CaseListQuery, page: { offset: number; limit: number }, role: Role, today?: Date) {
	const view = query.view ?? DEFAULT_VIEW;
	const snapshot = await snapshotTime(db);
	const { where, breach } = await condition(db, query, today ?? (await resolveToday(db, query.filters)), role, snapshot);
	const [rows, total] = await Promise.all([
		sql<CaseListRow>`${select(where, view, snapshot, view.sort === 'csat')} LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db),
		sql<{ n: number }>`SELECT count(*) AS n FROM cases c WHERE ${where}`.execute(db)
	]);
	const withExtras = await pageExtras(db, rows.rows, view, role);
	return { rows: withExtras.map((r) => mask(r, role)), total: total.rows[0].n, snapshot, breach };
}

function hours2(h: number | null): number | null {
	return h === null ? null : Math.round(h * 100) / 100;
}

/** Every matching case in the page's order, streamed for the CSV download, hours rounded to 2 decimals. */
export async function* streamCases(db: Kysely<Database>, query: CaseListQuery, role: Role, today?: Date): AsyncGenerator<CaseCsvRow> {
	const snapshot = await snapshotTime(db);
	const { where } = await condition(db, query, today ?? (await resolveToday(db, query.filters)), role, snapshot);
	const compiled = select(where, query.view ?? DEFAULT_VIEW, snapshot, true).compile(db);
	for await (const chunk of db.getExecutor().stream<CaseListRow>(compiled, 5000)) {
		for (const row of chunk.rows) {
			yield mask({ ...row, first_response_hours: hours2(row.first_response_hours), resolution_hours: hours2(row.resolution_hours), hours_open_at_snapshot: hours2(row.hours_open_at_snapshot) }, role);
		}
	}
}
