import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Filters } from '../metrics/filters/model';
import type { Database } from '../core/db/schema';
import { caseFilterSql } from '../metrics/filters/case-filter-sql.server';
import { resolveToday } from '../metrics/filters/period.server';
import { STRUCTURAL_DIMENSIONS, STRUCTURAL_METRICS, type StructuralDimension, type StructuralMetric } from './structural-metrics';
import { frictionSettings, type FrictionSettings } from './friction-config.server';
import { trendPeriods } from './periods.server';
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

/** The per-case flags of the three measures; the window runs over every case, before filtering. */
export function structuralCasesSql(repeatDays: number): RawBuilder<unknown> {
	return sql`SELECT c.*,
		c.reopen_count IS NOT NULL AS reopen_known, coalesce(c.reopen_count > 0, false) AS reopen_event,
		c.escalated IS NOT NULL AS escalation_known, coalesce(c.escalated, false) AS escalation_event,
		(c.customer_id IS NOT NULL AND c.order_id IS NOT NULL) AS repeat_contact_known,
		(c.customer_id IS NOT NULL AND c.order_id IS NOT NULL AND coalesce(c.created_at - lag(c.created_at) OVER (PARTITION BY c.customer_id, c.order_id ORDER BY c.created_at, c.case_id) <= to_days(CAST(${repeatDays} AS INTEGER)), false)) AS repeat_contact_event
		FROM cases c`;
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
	const flagged = structuralCasesSql(s.repeat_contact_days);
	const last = await sql<{ last: Date | null }>`SELECT max(c.created_at) AS last FROM cases c WHERE ${where}`.execute(db);
	const periods = trendPeriods(options.filters, today, last.rows[0]?.last ?? null, days);
	const created = sql.ref('c.created_at');
	const inRecent = periods ? periods.inRecent(created) : sql`false`;
	const inPrevious = periods ? periods.inPrevious(created) : sql`false`;

	const perMetric = await Promise.all(
		STRUCTURAL_METRICS.map(async (metric) => {
			const known = sql.ref(`c.${metric}_known`);
			const event = sql.ref(`c.${metric}_event`);
			const measures = sql`count(*) AS n, count(*) FILTER (WHERE ${event}) AS events,
				count(*) FILTER (WHERE ${inRecent}) AS recent_n, count(*) FILTER (WHERE ${inRecent} AND ${event}) AS recent,
				count(*) FILTER (WHERE ${inPrevious}) AS previous_n, count(*) FILTER (WHERE ${inPrevious} AND ${event}) AS previous`;
			const groups = STRUCTURAL_DIMENSIONS.map((dim) => sql`SELECT ${dim} AS dim, CAST(${sql.ref(`c.${dim}`)} AS VARCHAR) AS value, ${measures} FROM scoped c GROUP BY 2`);
			const { rows } = await sql<Row>`WITH scoped AS (SELECT * FROM (${flagged}) c WHERE ${where} AND ${known})
				SELECT NULL AS dim, NULL AS value, ${measures} FROM scoped c
				UNION ALL ${sql.join(groups, sql` UNION ALL `)}`.execute(db);
			return { metric, rows };
		})
	);

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
	const rows = markRising(untested, s.significance).sort((a, b) => Number(b.rising) - Number(a.rising) || (b.excess ?? 0) - (a.excess ?? 0));
	return { repeat_days: s.repeat_contact_days, overall, rows, min_group_size: s.min_group_size, definition: structuralDefinition(s.repeat_contact_days) };
}
