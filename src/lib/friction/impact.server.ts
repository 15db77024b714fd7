import { sql, type Kysely } from 'kysely';
import { parseFilters, type Filters } from '../metrics/filters/model';
import { parseStructuralSubject } from './items';
import { chiSquareHomogeneity } from '../core/stats/chi-square';
import { proportionDiffInterval, type Interval } from '../core/stats/proportion-intervals';
import type { Database } from '../core/db/schema';
import { caseFilterSql } from '../metrics/filters/case-filter-sql.server';
import { isThemeSource } from './documents-sql.server';
import { ensureDocumentTable, keptDocumentsInScopeSql } from './document-table.server';
import { frictionSettings, type FrictionSettings } from './friction-config.server';
import type { FrictionItem } from './items.server';
import { isStructuralDimension, isStructuralMetric } from './structural-metrics';
import { ensureCaseFlags, keptCaseFlagsSql } from './structural.server';
import { withThemeTables } from './themes.server';

/** One side of the before/after comparison. */
export interface ImpactSide {
	from: Date;
	/** Exclusive. */
	to: Date;
	/** Documents (themes) or cases (structural points) in the window. */
	total: number;
	/** Documents with the theme, or cases with the event. */
	count: number;
	/** count / total. */
	share: number | null;
	per_day: number;
	rated: number;
	csat_mean: number | null;
	csat_share: number | null;
}

export interface ItemImpact {
	fix_date: string;
	/** Length of each window, days; 0 when there is no data after the fix date yet. */
	days: number;
	before: ImpactSide | null;
	after: ImpactSide | null;
	/** Two-proportion test of the share before against after (Pearson chi-square, 2x2). */
	share_p: number | null;
	/** CSAT (share 4-5) after - before with its 95% Newcombe interval, and the test of the change. */
	csat_diff: Interval | null;
	csat_p: number | null;
	definition: string;
}

export const IMPACT_DEFINITION =
	'Before/after: equal windows on both sides of the fix date (as long as the data after it allows, at most the configured maximum). Share = documents with the theme among all documents in the window (structural points: cases with the event among cases). The change of the share and of the CSAT share 4-5 is tested with a two-proportion test (Pearson chi-square, 2x2); the CSAT difference has a 95% Newcombe interval.';

const DAY = 86_400_000;

interface Counts {
	total: number;
	count: number;
	rated: number;
	csat_sum: number | null;
	satisfied: number;
}

function side(from: Date, to: Date, c: Counts, days: number): ImpactSide {
	return {
		from,
		to,
		total: c.total,
		count: c.count,
		share: c.total > 0 ? c.count / c.total : null,
		per_day: days > 0 ? c.count / days : 0,
		rated: c.rated,
		csat_mean: c.rated > 0 && c.csat_sum !== null ? c.csat_sum / c.rated : null,
		csat_share: c.rated > 0 ? c.satisfied / c.rated : null
	};
}

function isoDate(d: Date): string {
	return d.toISOString().slice(0, 10);
}

function compare(fixDate: string, days: number, fix: Date, before: Counts, after: Counts): ItemImpact {
	const shareTestable = before.total > 0 && after.total > 0;
	const csatTestable = before.rated > 0 && after.rated > 0;
	return {
		fix_date: fixDate,
		days,
		before: side(new Date(fix.getTime() - days * DAY), fix, before, days),
		after: side(fix, new Date(fix.getTime() + days * DAY), after, days),
		share_p: shareTestable
			? chiSquareHomogeneity([
					[before.count, before.total - before.count],
					[after.count, after.total - after.count]
				]).pValue
			: null,
		csat_diff: csatTestable ? proportionDiffInterval(after.satisfied, after.rated, before.satisfied, before.rated) : null,
		csat_p: csatTestable
			? chiSquareHomogeneity([
					[before.satisfied, before.rated - before.satisfied],
					[after.satisfied, after.rated - after.satisfied]
				]).pValue
			: null,
		definition: IMPACT_DEFINITION
	};
}

/**
 * Volume and CSAT of an item's theme (or rate of its structural point) before and after its fix
 * date, under the filters the item was flagged with. Null without a fix date.
 */
export async function itemImpact(db: Kysely<Database>, item: FrictionItem, options: { today?: Date; settings?: FrictionSettings } = {}): Promise<ItemImpact | null> {
	if (!item.fix_date) return null;
	const s = options.settings ?? frictionSettings();
	const today = options.today ?? new Date();
	const scope: Filters = { ...parseFilters(new URLSearchParams(item.scope)), range: 'all', from: undefined, to: undefined };
	const fix = new Date(`${item.fix_date}T00:00:00Z`);
	const empty: ItemImpact = { fix_date: item.fix_date, days: 0, before: null, after: null, share_p: null, csat_diff: null, csat_p: null, definition: IMPACT_DEFINITION };

	if (item.kind === 'theme') {
		const source = isThemeSource(item.source) ? item.source : 'comments';
		await ensureDocumentTable(db, source);
		const last = await sql<{ last: Date | null }>`SELECT max("at") AS last FROM ${keptDocumentsInScopeSql(source, scope, today)}`.execute(db);
		const days = windowDays(fix, last.rows[0]?.last ?? null, s);
		if (days === 0) return empty;
		const windowFilters: Filters = { ...scope, range: 'custom', from: isoDate(new Date(fix.getTime() - days * DAY)), to: isoDate(new Date(fix.getTime() + (days - 1) * DAY)) };
		return withThemeTables(db, { filters: windowFilters, source, today, settings: s }, async ({ conn, docs, terms }) => {
			const { rows } = await sql<Counts & { after: boolean }>`
				SELECT d."at" >= ${fix} AS after, count(*) AS total, count(t.doc_id) AS count,
					count(d.csat) FILTER (WHERE t.doc_id IS NOT NULL) AS rated, sum(d.csat) FILTER (WHERE t.doc_id IS NOT NULL) AS csat_sum,
					count(*) FILTER (WHERE t.doc_id IS NOT NULL AND d.csat >= 4) AS satisfied
				FROM ${docs} d LEFT JOIN (SELECT doc_id FROM ${terms} WHERE term = ${item.subject}) t ON t.doc_id = d.doc_id
				GROUP BY 1`.execute(conn);
			return compare(item.fix_date as string, days, fix, countsOf(rows, false), countsOf(rows, true));
		});
	}

	const parsed = parseStructuralSubject(item.subject);
	if (!parsed || !isStructuralMetric(parsed.metric) || !isStructuralDimension(parsed.dimension)) return empty;
	const where = caseFilterSql(scope, today);
	const last = await sql<{ last: Date | null }>`SELECT max(c.created_at) AS last FROM cases c WHERE ${where}`.execute(db);
	const days = windowDays(fix, last.rows[0]?.last ?? null, s);
	if (days === 0) return empty;
	await ensureCaseFlags(db, s.repeat_contact_days);
	const known = sql.ref(`c.${parsed.metric}_known`);
	const event = sql.ref(`c.${parsed.metric}_event`);
	const { rows } = await sql<Counts & { after: boolean }>`
		SELECT c.created_at >= ${fix} AS after, count(*) AS total, count(*) FILTER (WHERE ${event}) AS count, 0 AS rated, NULL AS csat_sum, 0 AS satisfied
		FROM ${keptCaseFlagsSql()} c
		WHERE ${where} AND ${known} AND CAST(${sql.ref(`c.${parsed.dimension}`)} AS VARCHAR) = ${parsed.value}
			AND c.created_at >= ${new Date(fix.getTime() - days * DAY)} AND c.created_at < ${new Date(fix.getTime() + days * DAY)}
		GROUP BY 1`.execute(db);
	return compare(item.fix_date, days, fix, countsOf(rows, false), countsOf(rows, true));
}

/** Equal windows: as many days as the data after the fix date covers, at most the configured maximum. */
function windowDays(fix: Date, last: Date | null, s: FrictionSettings): number {
	if (!last || last.getTime() < fix.getTime()) return 0;
	return Math.min(s.before_after_days, Math.floor((last.getTime() - fix.getTime()) / DAY) + 1);
}

function countsOf(rows: (Counts & { after: boolean })[], after: boolean): Counts {
	const r = rows.find((x) => x.after === after);
	return { total: r?.total ?? 0, count: r?.count ?? 0, rated: r?.rated ?? 0, csat_sum: r?.csat_sum ?? null, satisfied: r?.satisfied ?? 0 };
}
