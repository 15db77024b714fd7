import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../core/db/schema';
import { keepCurrent, settingsOfSql } from '../../core/db/derived-tables.server';
import { whichSet } from '../../core/db/grouping-sets.server';
import { DIMENSION_COLUMNS, FILTER_DIMENSIONS, type FilterDimension } from '../filters/model';
import { GRAINS, type TrendGrain } from '../speed/speed-scans.server';

/** Per group (g = 1), trend period (g = 2) or the whole (g = 3): answers, surveys, rated answers, satisfied ones and the mean score. */
export type CsatCountRow = { g: number; grp: string | null; period: string | null; answers: number; surveys: number; rated: number; satisfied: number; mean: number | null };

/** The answers joined to their cases, read as `f` (answers) and `c` (cases). */
export const ANSWERS_WITH_CASES = sql`feedback f LEFT JOIN cases c ON c.case_id = f.case_id`;

/** An answer's group in a breakdown: its case's, and for the region its own when the case has none. */
export function answerGroupSql(by: FilterDimension): RawBuilder<unknown> {
	return by === 'region' ? sql`coalesce(c.region, f.region)` : sql.ref(`c.${DIMENSION_COLUMNS[by]}`);
}

/** What every row of the Satisfaction page counts, over answers read as `f`. */
export const CSAT_COUNTS = sql`count(*) AS answers, count(*) FILTER (WHERE f.kind = 'survey') AS surveys, count(f.csat) AS rated, count(*) FILTER (WHERE f.csat >= 4) AS satisfied, avg(f.csat) AS mean`;

const dimCol = (d: FilterDimension) => sql.ref(`g_${d}`);
const grainCol = (g: TrendGrain) => sql.ref(`p_${g}`);
const TABLE = sql.table('csat_counts');

/**
 * Brings csat_counts up to date with the committed imports: the counts of every breakdown's
 * groups, every trend grain's periods and the whole, over every answer, in one pass (one grouping
 * set each). The unfiltered page reads its rows instead of joining every answer to its case (1.7 s
 * at 10,000,000 cases). Created by the query that fills it, like Compliance's counts
 * (src/lib/metrics/compliance/compliance-counts.server.ts); nothing in it depends on the policy.
 */
export function keepCsatCounts(db: Kysely<Database>): Promise<boolean> {
	const counts = sql`SELECT CASE WHEN dim IS NOT NULL THEN 1 WHEN grain IS NOT NULL THEN 2 ELSE 3 END AS g, * FROM (
		SELECT ${whichSet(FILTER_DIMENSIONS, dimCol, sql.lit)} AS dim, ${whichSet(GRAINS, grainCol, sql.lit)} AS grain,
			CAST(coalesce(${sql.join(FILTER_DIMENSIONS.map(dimCol))}) AS VARCHAR) AS grp, strftime(coalesce(${sql.join(GRAINS.map(grainCol))}), '%Y-%m-%d') AS period, ${CSAT_COUNTS}
		FROM (SELECT ${sql.join(FILTER_DIMENSIONS.map((d) => sql`${answerGroupSql(d)} AS ${dimCol(d)}`))}, ${sql.join(GRAINS.map((g) => sql`date_trunc(${g}, f.submitted_at) AS ${grainCol(g)}`))}, f.kind, f.csat
			FROM ${ANSWERS_WITH_CASES}) f
		GROUP BY GROUPING SETS (${sql.join([...FILTER_DIMENSIONS.map((d) => sql`(${dimCol(d)})`), ...GRAINS.map((g) => sql`(${grainCol(g)})`), sql`()`])}))`;
	// An answers import adds rows; a cases import moves answers between groups.
	return keepCurrent(db, { name: 'csat_counts', reads: ['cases', 'feedback'] }, settingsOfSql(db, counts), async (trx) => {
		await sql`CREATE OR REPLACE TABLE ${TABLE} AS ${counts}`.execute(trx);
	});
}

/** The rows of the unfiltered page from csat_counts (keepCsatCounts first), in the order of the page's own query. */
export function keptCsatCountsSql(by: FilterDimension | null, grain: TrendGrain): RawBuilder<CsatCountRow> {
	const groups = by ? sql`(g = 1 AND dim = ${by}) OR` : sql``;
	return sql<CsatCountRow>`SELECT g, grp, period, answers, surveys, rated, satisfied, mean FROM ${TABLE}
		WHERE ${groups} (g = 2 AND grain = ${grain}) OR g = 3 ORDER BY g, grp, period`;
}
