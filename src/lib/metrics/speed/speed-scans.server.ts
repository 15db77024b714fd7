import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../core/db/schema';
import { whichSet } from '../../core/db/grouping-sets.server';
import { DIMENSION_COLUMNS, type FilterDimension } from '../filters/model';
import type { SpeedMeasure } from './model';

/** The trend's periods. */
export type TrendGrain = 'day' | 'week' | 'month';
export const GRAINS: readonly TrendGrain[] = ['day', 'week', 'month'];

export const MEASURES: readonly SpeedMeasure[] = ['first_response', 'resolution'];

/** A case's state per measure in speed_clock (migration 0015-speed-clock), as bits: one count per (group, bin, state) replaces a dozen filtered counts. */
export const STATE = { happened: 8, recorded_business: 4, cal_breached: 2, bh_breached: 1 } as const;

/** speed_clock's columns for a measure, read as `c`. */
export const clockColumns = (measure: SpeedMeasure) => ({ minutes: sql.ref(`c.${measure}_minutes`), bin: sql.ref(`c.${measure}_bin`), state: sql.ref(`c.${measure}_state`) });

/** A row of the binned scan: GROUPING(grp, t, period) g = 1 is a (group, bin, state) row, 6 a (trend period, state) row. */
export type BinScanRow = { g: number; grp: string | null; t: number; period: string | null; v: number; n: number; s: number | null };
export type TrendScanRow = { period: string; n: number; q: (number | null)[] | null; open: number };

const periodSql = (grain: TrendGrain) => sql`date_trunc(${grain}, c.created_at)::DATE`;

/**
 * Cases and summed minutes per (group, binned minutes, state) and, with `periods`, per (trend
 * period, state), over the cases of speed_clock (read as `c`, so the filters apply) that `where` keeps.
 */
export function binnedSql(options: { measure: SpeedMeasure; where: RawBuilder<boolean>; groupCol: RawBuilder<unknown>; grain: TrendGrain; periods: boolean }): RawBuilder<BinScanRow> {
	const col = clockColumns(options.measure);
	return sql<BinScanRow>`
		SELECT GROUPING(grp, t, period) AS g, grp, t, strftime(period, '%Y-%m-%d') AS period, v, count(*) AS n, sum(m) AS s
		FROM (SELECT ${options.groupCol} AS grp, ${col.bin} AS t, ${col.minutes} AS m, ${options.periods ? periodSql(options.grain) : sql`NULL::DATE`} AS period, ${col.state} AS v
			FROM speed_clock c WHERE ${options.where}) j
		GROUP BY GROUPING SETS ((grp, t, v), (period, v))
		ORDER BY g, grp, t`;
}

/**
 * Per trend period, the cases, the exact median and p90 of the answered ones in hours
 * (quantile_cont, which at 1,000,000 cases took no longer than t-digest's approximation, so the
 * same cases give the same line whatever order the table was written in), and the open ones.
 * Grouped by the truncated date and formatted once per period: formatting every row first doubled
 * its time.
 */
export function trendSql(options: { measure: SpeedMeasure; where: RawBuilder<boolean>; grain: TrendGrain }): RawBuilder<TrendScanRow> {
	const col = clockColumns(options.measure);
	const happened = sql`(${col.state} & ${sql.lit(STATE.happened)}) <> 0`;
	return sql<TrendScanRow>`
		SELECT strftime(period, '%Y-%m-%d') AS period, n, q, open FROM (
			SELECT ${periodSql(options.grain)} AS period, count(*) AS n,
				quantile_cont(${col.minutes} / 60.0, [0.5, 0.9]) FILTER (WHERE ${happened}) AS q, count(*) FILTER (WHERE NOT ${happened}) AS open
			FROM speed_clock c WHERE ${options.where} GROUP BY 1)
		ORDER BY 1`;
}

const DIMENSIONS = Object.keys(DIMENSION_COLUMNS) as FilterDimension[];

/**
 * The statements that fill speed_summary and speed_summary_trend (migration 0019-speed-summary)
 * from speed_clock over every case, run in order in the transaction that rebuilds the clock (their
 * text is part of its settings, so a changed summary rebuilds it): per measure one grouping of the
 * clock with a set per breakdown dimension, one without a breakdown and one per trend grain (the
 * rows binnedSql gives for each), and trendSql per grain.
 */
export function speedSummarySql(): RawBuilder<unknown>[] {
	const dimCol = (d: FilterDimension) => sql.ref(`c.${DIMENSION_COLUMNS[d]}`);
	const grainCol = (g: TrendGrain) => sql.ref(`p_${g}`);
	return [
		sql`DELETE FROM speed_summary`,
		sql`DELETE FROM speed_summary_trend`,
		...MEASURES.flatMap((measure) => {
			const col = clockColumns(measure);
			const sets = [...DIMENSIONS.map((d) => sql`(${dimCol(d)}, t, v)`), sql`(t, v)`, ...GRAINS.map((g) => sql`(${grainCol(g)}, v)`)];
			return [
				sql`INSERT INTO speed_summary BY NAME
					SELECT ${measure} AS measure, CASE WHEN GROUPING(t) = 0 THEN 1 ELSE 6 END AS g, ${whichSet(DIMENSIONS, dimCol, sql.lit)} AS dim, ${whichSet(GRAINS, grainCol, sql.lit)} AS grain,
						CAST(coalesce(${sql.join(DIMENSIONS.map(dimCol))}) AS VARCHAR) AS grp, t, strftime(coalesce(${sql.join(GRAINS.map(grainCol))}), '%Y-%m-%d') AS period, v, count(*) AS n, sum(m) AS s
					FROM (SELECT c.*, ${col.bin} AS t, ${col.minutes} AS m, ${col.state} AS v, ${sql.join(GRAINS.map((g) => sql`${periodSql(g)} AS ${grainCol(g)}`))} FROM speed_clock c) c
					GROUP BY GROUPING SETS (${sql.join(sets)})`,
				...GRAINS.map((grain) => sql`INSERT INTO speed_summary_trend BY NAME SELECT ${measure} AS measure, ${grain} AS grain, * FROM (${trendSql({ measure, where: sql`true`, grain })})`)
			];
		})
	];
}

/** binnedSql's rows over every case, from speed_summary. */
export function keptBinnedSql(options: { measure: SpeedMeasure; by: FilterDimension | null; grain: TrendGrain; periods: boolean }): RawBuilder<BinScanRow> {
	const periods = options.periods ? sql`OR (g = 6 AND grain = ${options.grain})` : sql``;
	const dim = options.by ? sql`dim = ${options.by}` : sql`dim IS NULL`;
	return sql<BinScanRow>`SELECT g, grp, t, period, v, n, s FROM speed_summary
		WHERE measure = ${options.measure} AND ((g = 1 AND ${dim}) ${periods})
		ORDER BY g, grp, t`;
}

/** trendSql's rows over every case, from speed_summary_trend. */
export function keptTrendSql(options: { measure: SpeedMeasure; grain: TrendGrain }): RawBuilder<TrendScanRow> {
	return sql<TrendScanRow>`SELECT period, n, q, open FROM speed_summary_trend WHERE measure = ${options.measure} AND grain = ${options.grain} ORDER BY period`;
}
