import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Filters } from '../metrics/filters/model';
import type { Database } from '../core/db/schema';
import { caseFilterSql } from '../metrics/filters/case-filter-sql.server';
import { resolveToday } from '../metrics/filters/period.server';
import { STRUCTURAL_DIMENSIONS, STRUCTURAL_METRICS, type StructuralDimension, type StructuralMetric } from './structural-metrics';
import { keepCurrent } from '../core/db/derived-tables.server';
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

/** The per-case flags of the three measures; the window runs over every case, before filtering. */
export function structuralCasesSql(repeatDays: number): RawBuilder<unknown> {
	return flaggedCasesSql(sql`coalesce(c.created_at - lag(c.created_at) OVER (PARTITION BY c.customer_id, c.order_id ORDER BY c.created_at, c.case_id) <= to_days(CAST(${repeatDays} AS INTEGER)), false)`);
}

/** The same flags, the repeat contacts read from friction_repeat_contacts (call ensureRepeatContacts first). */
export function storedStructuralCasesSql(): RawBuilder<unknown> {
	return flaggedCasesSql(sql`c.case_id IN (SELECT case_id FROM friction_repeat_contacts)`);
}

function flaggedCasesSql(repeat: RawBuilder<unknown>): RawBuilder<unknown> {
	return sql`SELECT c.*,
		c.reopen_count IS NOT NULL AS reopen_known, coalesce(c.reopen_count > 0, false) AS reopen_event,
		c.escalated IS NOT NULL AS escalation_known, coalesce(c.escalated, false) AS escalation_event,
		(c.customer_id IS NOT NULL AND c.order_id IS NOT NULL) AS repeat_contact_known,
		(c.customer_id IS NOT NULL AND c.order_id IS NOT NULL AND ${repeat}) AS repeat_contact_event
		FROM cases c`;
}

/**
 * The repeat-contact window sorts every case by customer and order, the costliest part of the
 * page; its result changes only with an import, so it is kept (derived-tables.server.ts). Any new
 * batch can change an earlier case's flag, so every refresh recomputes it whole.
 */
export function ensureRepeatContacts(db: Kysely<Database>, repeatDays: number): Promise<boolean> {
	return keepCurrent(db, 'repeat_contacts', String(repeatDays), async (trx) => {
		await sql`DELETE FROM friction_repeat_contacts`.execute(trx);
		await sql`INSERT INTO friction_repeat_contacts SELECT case_id FROM (${structuralCasesSql(repeatDays)}) WHERE repeat_contact_event`.execute(trx);
	});
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
	await ensureRepeatContacts(db, s.repeat_contact_days);
	const flagged = storedStructuralCasesSql();
	const periods = trendPeriods(options.filters, today, await archiveEnd(db), days);
	const created = sql.ref('c.created_at');
	const inRecent = periods ? periods.inRecent(created) : sql`false`;
	const inPrevious = periods ? periods.inPrevious(created) : sql`false`;

	// One scan takes all three measures per category and region; the per-dimension and overall
	// rows are sums of those few groups.
	const measures = STRUCTURAL_METRICS.map((metric) => {
		const known = sql.ref(`c.${metric}_known`);
		const event = sql.ref(`c.${metric}_event`);
		const col = (name: string) => sql.ref(`${metric}__${name}`);
		return sql`count(*) FILTER (WHERE ${known}) AS ${col('n')}, count(*) FILTER (WHERE ${known} AND ${event}) AS ${col('events')},
			count(*) FILTER (WHERE ${known} AND ${inRecent}) AS ${col('recent_n')}, count(*) FILTER (WHERE ${known} AND ${inRecent} AND ${event}) AS ${col('recent')},
			count(*) FILTER (WHERE ${known} AND ${inPrevious}) AS ${col('previous_n')}, count(*) FILTER (WHERE ${known} AND ${inPrevious} AND ${event}) AS ${col('previous')}`;
	});
	const sums = STRUCTURAL_METRICS.flatMap((metric) => ['n', 'events', 'recent_n', 'recent', 'previous_n', 'previous'].map((name) => sql`sum(${sql.ref(`${metric}__${name}`)}) AS ${sql.ref(`${metric}__${name}`)}`));
	const dims = STRUCTURAL_DIMENSIONS.map((dim) => sql`WHEN grouping(${sql.ref(dim)}) = 0 THEN ${dim}`);
	const values = STRUCTURAL_DIMENSIONS.map((dim) => sql`WHEN grouping(${sql.ref(dim)}) = 0 THEN CAST(${sql.ref(dim)} AS VARCHAR)`);
	const { rows: grouped } = await sql<Record<string, string | number | null>>`
		WITH cells AS (SELECT ${sql.join(STRUCTURAL_DIMENSIONS.map((dim) => sql.ref(`c.${dim}`)))}, ${sql.join(measures)} FROM (${flagged}) c WHERE ${where} GROUP BY ALL)
		SELECT CASE ${sql.join(dims, sql` `)} END AS dim, CASE ${sql.join(values, sql` `)} END AS value, ${sql.join(sums)}
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
