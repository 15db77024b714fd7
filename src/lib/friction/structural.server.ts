import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Filters } from '../metrics/filters/model';
import type { Database } from '../core/db/schema';
import { CASE_FILTER_COLUMNS, caseFilterSql } from '../metrics/filters/case-filter-sql.server';
import { resolveToday } from '../metrics/filters/period.server';
import { STRUCTURAL_DIMENSIONS, STRUCTURAL_METRICS, type StructuralDimension, type StructuralMetric } from './structural-metrics';
import { keepCurrent, settingsOfSql } from '../core/db/derived-tables.server';
import { whichSet } from '../core/db/grouping-sets.server';
import { frictionSettings, type FrictionSettings } from './friction-config.server';
import { archiveEnd, trendPeriods } from './periods.server';
import { markRising, periodTrend, TREND_DEFINITION, type TestedTrend } from './trend-test.server';

export function structuralDefinition(repeatDays: number): string {
	return `Reopen rate = cases reopened at least once / cases with a reopen count. Repeat contact = cases opened by the same customer about the same order within ${repeatDays} days after an earlier case (the earlier case may lie outside the filters) / cases with both a customer and an order id. Escalation rate = escalated cases / cases with the escalation flag. Excess = events above what the overall rate would give. ${TREND_DEFINITION}`;
}

export interface StructuralRow extends TestedTrend {
	metric: StructuralMetric;
	dimension: StructuralDimension;
	value: string;
	n: number;
	events: number;
	rate: number;
	overall_rate: number | null;
	/** events - n x overall rate: how many more than the average this group has. */
	excess: number | null;
	recent: number;
	previous: number;
}

export interface StructuralReport {
	repeat_days: number;
	overall: Record<StructuralMetric, { n: number; events: number; rate: number | null }>;
	rows: StructuralRow[];
	/** Groups left out for having fewer than this many cases. */
	min_group_size: number;
	definition: string;
}

export interface StructuralOptions {
	filters: Filters;
	periodDays?: number;
	today?: Date;
	settings?: FrictionSettings;
}

/**
 * The cases that are a repeat contact: a later case by the same customer about the same order
 * within `repeatDays` of the one before (the earlier case may lie outside the filters). Only cases
 * with both ids can be one, so only they are sorted.
 */
function repeatContactsSql(repeatDays: number): RawBuilder<{ case_id: string }> {
	return sql`SELECT case_id FROM (
			SELECT case_id, created_at - lag(created_at) OVER (PARTITION BY customer_id, order_id ORDER BY created_at, case_id) <= to_days(CAST(${repeatDays} AS INTEGER)) AS repeat
			FROM cases WHERE customer_id IS NOT NULL AND order_id IS NOT NULL
		) WHERE repeat`;
}

/** The per-case flags of the three measures, every case. */
export function structuralCasesSql(repeatDays: number): RawBuilder<unknown> {
	return sql`SELECT c.*,
		c.reopen_count IS NOT NULL AS reopen_known, coalesce(c.reopen_count > 0, false) AS reopen_event,
		c.escalated IS NOT NULL AS escalation_known, coalesce(c.escalated, false) AS escalation_event,
		(c.customer_id IS NOT NULL AND c.order_id IS NOT NULL) AS repeat_contact_known,
		(c.customer_id IS NOT NULL AND c.order_id IS NOT NULL AND c.case_id IN (${repeatContactsSql(repeatDays)})) AS repeat_contact_event
		FROM cases c`;
}

/**
 * Every case's flags and the columns the filters read, kept per import in friction_case_flags
 * (derived-tables.server.ts): the repeat-contact window sorts cases by customer and order, and
 * even with the repeat contacts kept, looking every case up among them on each request was the
 * page's costliest scan. The query that fills the table creates it, in the cases' order (no
 * migration to keep in step), and its text is the table's settings: a changed definition or
 * repeat window rebuilds it. Any new batch can change an earlier case's flag, so every refresh
 * rebuilds it whole.
 */
export function ensureCaseFlags(db: Kysely<Database>, repeatDays: number): Promise<boolean> {
	const flags = STRUCTURAL_METRICS.flatMap((metric) => [`${metric}_known`, `${metric}_event`]);
	const query = sql`SELECT ${sql.join([...CASE_FILTER_COLUMNS, ...flags].map((c) => sql.ref(c)))} FROM (${structuralCasesSql(repeatDays)})`;
	return keepCurrent(db, { name: 'case_flags', reads: ['cases'] }, settingsOfSql(db, query), async (trx) => {
		await sql`CREATE OR REPLACE TABLE ${keptCaseFlagsSql()} AS ${query}`.execute(trx);
	});
}

/** The kept flags, filterable as `c` over cases is (call ensureCaseFlags first). */
export function keptCaseFlagsSql(): RawBuilder<unknown> {
	return sql.table('friction_case_flags');
}

interface Row {
	dim: string | null;
	value: string | null;
	n: number;
	events: number;
	recent_n: number;
	recent: number;
	previous_n: number;
	previous: number;
}

export async function structuralFriction(db: Kysely<Database>, options: StructuralOptions): Promise<StructuralReport> {
	const s = options.settings ?? frictionSettings();
	const today = options.today ?? (await resolveToday(db, options.filters));
	const days = Math.max(1, Math.round(options.periodDays ?? s.trend_days));
	const where = caseFilterSql(options.filters, today);
	await ensureCaseFlags(db, s.repeat_contact_days);
	const periods = trendPeriods(options.filters, today, await archiveEnd(db), days);
	const created = sql.ref('c.created_at');
	const inRecent = periods ? periods.inRecent(created) : sql`false`;
	const inPrevious = periods ? periods.inPrevious(created) : sql`false`;

	// One scan counts the cases per category, region, period and the three measures' flags: a
	// plain count over few groups, cheaper than eighteen filtered counts per case. The
	// per-dimension and overall rows are sums of those few groups.
	const flags = STRUCTURAL_METRICS.flatMap((metric) => [sql.ref(`c.${metric}_known`), sql.ref(`c.${metric}_event`)]);
	const sums = STRUCTURAL_METRICS.flatMap((metric) => {
		const known = sql.ref(`${metric}_known`);
		const event = sql.ref(`${metric}_event`);
		const col = (name: string) => sql.ref(`${metric}__${name}`);
		return [
			sql`coalesce(sum(n) FILTER (WHERE ${known}), 0) AS ${col('n')}`,
			sql`coalesce(sum(n) FILTER (WHERE ${known} AND ${event}), 0) AS ${col('events')}`,
			sql`coalesce(sum(n) FILTER (WHERE ${known} AND period = 1), 0) AS ${col('recent_n')}`,
			sql`coalesce(sum(n) FILTER (WHERE ${known} AND period = 1 AND ${event}), 0) AS ${col('recent')}`,
			sql`coalesce(sum(n) FILTER (WHERE ${known} AND period = 2), 0) AS ${col('previous_n')}`,
			sql`coalesce(sum(n) FILTER (WHERE ${known} AND period = 2 AND ${event}), 0) AS ${col('previous')}`
		];
	});
	const { rows: grouped } = await sql<Record<string, string | number | null>>`
		WITH cells AS (
			SELECT ${sql.join(STRUCTURAL_DIMENSIONS.map((dim) => sql.ref(`c.${dim}`)))}, CASE WHEN ${inRecent} THEN 1 WHEN ${inPrevious} THEN 2 ELSE 0 END AS period, ${sql.join(flags)}, count(*) AS n
			FROM ${keptCaseFlagsSql()} c WHERE ${where} GROUP BY ALL
		)
		SELECT ${whichSet(STRUCTURAL_DIMENSIONS, sql.ref, (dim) => sql`${dim}`)} AS dim, ${whichSet(STRUCTURAL_DIMENSIONS, sql.ref, (dim) => sql`CAST(${sql.ref(dim)} AS VARCHAR)`)} AS value, ${sql.join(sums)}
		FROM cells GROUP BY GROUPING SETS ((), ${sql.join(STRUCTURAL_DIMENSIONS.map((dim) => sql`(${sql.ref(dim)})`))})
		ORDER BY ${sql.join(STRUCTURAL_DIMENSIONS.map((dim) => sql`grouping(${sql.ref(dim)})`))}`.execute(db);
	const perMetric = STRUCTURAL_METRICS.map((metric) => {
		const pick = (r: Record<string, string | number | null>, name: string) => Number(r[`${metric}__${name}`]);
		const rows: Row[] = grouped
			.map((r) => ({
				dim: r.dim as string | null,
				value: r.value as string | null,
				n: pick(r, 'n'),
				events: pick(r, 'events'),
				recent_n: pick(r, 'recent_n'),
				recent: pick(r, 'recent'),
				previous_n: pick(r, 'previous_n'),
				previous: pick(r, 'previous')
			}))
			// A group exists for a measure only where it has cases with the measure known.
			.filter((r) => r.dim === null || r.n > 0);
		return { metric, rows };
	});

	const overall = {} as StructuralReport['overall'];
	const untested: Omit<StructuralRow, 'q_value' | 'rising'>[] = [];
	for (const { metric, rows } of perMetric) {
		const total = rows.find((r) => r.dim === null);
		const overallRate = total && total.n > 0 ? total.events / total.n : null;
		overall[metric] = { n: total?.n ?? 0, events: total?.events ?? 0, rate: overallRate };
		for (const r of rows) {
			if (r.dim === null || r.value === null || r.n < s.min_group_size) continue;
			untested.push({
				metric,
				dimension: r.dim as StructuralDimension,
				value: r.value,
				n: r.n,
				events: r.events,
				rate: r.events / r.n,
				overall_rate: overallRate,
				excess: overallRate === null ? null : r.events - r.n * overallRate,
				recent: r.recent,
				previous: r.previous,
				...periodTrend({ recent: r.recent, recentTotal: r.recent_n, previous: r.previous, previousTotal: r.previous_n }, s.min_trend_count)
			});
		}
	}
	const rows = markRising([untested], s.significance, s.min_rising_count)[0].sort((a, b) => Number(b.rising) - Number(a.rising) || (b.excess ?? 0) - (a.excess ?? 0));
	return { repeat_days: s.repeat_contact_days, overall, rows, min_group_size: s.min_group_size, definition: structuralDefinition(s.repeat_contact_days) };
}
