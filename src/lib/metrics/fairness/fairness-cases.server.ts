import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../core/db/schema';
import { keepCurrent, settingsOfSql } from '../../core/db/derived-tables.server';
import { whichSet } from '../../core/db/grouping-sets.server';
import { CASE_FILTER_COLUMNS } from '../filters/case-filter-sql.server';
import { bandSql, caseTypeSql, CHANNEL_STRATUM, FAVOURABLE_SQL, IS_CLAIM, ORDER_VALUE, orderValueBands, TENURE_DAYS, tenureBands, type FairnessSettings } from './fairness-groups.server';
import { FAIRNESS_DIMENSIONS, type FairnessDimension } from './model';

/**
 * fairness_cases (migration 0016-fairness-cases) read as `c`: what the report needs of a case,
 * computed once per import instead of on every request (the bands, the case type, the claim, the
 * resolution time, the CSAT answers joined in), and the rank of its resolution time in its stratum.
 */
export const KEPT = {
	group: { region: sql<string>`c.region`, order_value: sql<string>`c.g_order_value`, tenure: sql<string>`c.g_tenure` } satisfies Record<FairnessDimension, RawBuilder<string | null>>,
	ctype: sql<string>`c.ctype`,
	chan: sql<string>`c.chan`,
	claim: sql<boolean>`c.claim`,
	fav: sql<boolean>`c.fav`,
	/** Seconds from opening to resolution; NULL while unresolved. */
	sec: sql<number>`c.sec`
};

export type GroupSql = { dimension: FairnessDimension; expr: RawBuilder<string | null> };

/** Every dimension's group in fairness_cases. */
export const GROUPS: GroupSql[] = FAIRNESS_DIMENSIONS.map((dimension) => ({ dimension, expr: KEPT.group[dimension] }));

/** A dimension's group as a column (g_<dimension>) of a query grouped with one set per dimension. */
export const column = (d: FairnessDimension) => sql.ref(`g_${d}`);

/**
 * For one row per case and GROUPING SETS with one set per dimension (instead of a row per case and
 * dimension): the group columns to select, and, in a grouped row, which dimension's set it belongs
 * to and its group.
 */
export function groupingSql(groupSql: GroupSql[]): { groupColumns: RawBuilder<unknown>; dimOf: RawBuilder<FairnessDimension | null>; grpOf: RawBuilder<string | null> } {
	return {
		groupColumns: sql.join(groupSql.map((g) => sql`${g.expr} AS ${column(g.dimension)}`)),
		dimOf: whichSet(groupSql, (g) => column(g.dimension), (g) => sql.lit(g.dimension)) as RawBuilder<FairnessDimension | null>,
		grpOf: sql<string | null>`coalesce(${sql.join(groupSql.map((g) => column(g.dimension)))})`
	};
}

export type MedianRow = { dim: FairnessDimension | null; grp: string | null; total: number; resolved: number; med: number | null };

/** Per group of each dimension and, in the empty set (dim NULL), over the cases `where` keeps: cases, resolved ones and their median hours. */
export function groupMediansSql(where: RawBuilder<boolean>): RawBuilder<MedianRow> {
	const { groupColumns, dimOf, grpOf } = groupingSql(GROUPS);
	return sql<MedianRow>`SELECT ${dimOf} AS dim, ${grpOf} AS grp, count(*) AS total, count(h) AS resolved, quantile_cont(h, 0.5) AS med FROM (
		SELECT ${groupColumns}, ${KEPT.sec} / 3600.0 AS h FROM fairness_cases c WHERE ${where})
		GROUP BY GROUPING SETS (${sql.join(GROUPS.map((g) => sql`(${column(g.dimension)})`))}, ())`;
}

function fairnessCasesSql(s: FairnessSettings): RawBuilder<unknown> {
	const carry = sql.join(CASE_FILTER_COLUMNS.map((col) => sql.ref(`c.${col}`)));
	const cases = sql`SELECT c.case_id, ${carry},
		${bandSql(ORDER_VALUE, orderValueBands(s.order_value_bands, s.reporting_currency))} AS g_order_value,
		${bandSql(TENURE_DAYS, tenureBands(s.tenure_band_days))} AS g_tenure,
		${caseTypeSql(s.return_window_days)} AS ctype, ${CHANNEL_STRATUM} AS chan,
		${IS_CLAIM} AS claim, c.outcome IN ${FAVOURABLE_SQL} AS fav, epoch(c.resolved_at - c.created_at) AS sec
		FROM cases c`;
	const answers = sql`SELECT case_id, count(*) AS n, count(*) FILTER (WHERE csat >= 4) AS e FROM feedback WHERE csat IS NOT NULL GROUP BY case_id`;
	// Resolved cases rank among the resolved cases of their stratum; the same mid-rank terms as
	// rankSums in fairness.server.ts computes on the filtered cases.
	return sql`SELECT ${carry}, c.g_order_value, c.g_tenure, c.ctype, c.chan, c.claim, c.fav, c.sec,
		coalesce(a.n, 0) AS answers, coalesce(a.e, 0) AS answers_fav,
		CASE WHEN c.sec IS NOT NULL THEN rank() OVER w END AS rk,
		CASE WHEN c.sec IS NOT NULL THEN round(cume_dist() OVER w * count(*) OVER (PARTITION BY c.sec IS NULL, c.ctype, c.chan))::BIGINT END AS le
		FROM (${cases}) c LEFT JOIN (${answers}) a ON a.case_id = c.case_id
		WINDOW w AS (PARTITION BY c.sec IS NULL, c.ctype, c.chan ORDER BY c.sec)`;
}

/**
 * Brings fairness_cases, and the group medians over all of it (fairness_group_medians: a quantile
 * per group is the dearest part of the unfiltered report), up to date: rebuilt when the committed
 * imports change (cases or answers) or their SQL does, and the SQL holds the bands and the return
 * window, so a policy edit rebuilds them too (the same rule as the Speed clock in
 * src/lib/metrics/speed/speed.server.ts).
 */
export async function keepFairnessCases(db: Kysely<Database>, s: FairnessSettings): Promise<boolean> {
	const rows = fairnessCasesSql(s);
	const medians = groupMediansSql(sql<boolean>`true`);
	return keepCurrent(db, { name: 'fairness_cases', reads: ['cases', 'feedback'] }, settingsOfSql(db, rows, medians), async (trx) => {
		await sql`DELETE FROM fairness_cases`.execute(trx);
		await sql`INSERT INTO fairness_cases BY NAME ${rows}`.execute(trx);
		await sql`DELETE FROM fairness_group_medians`.execute(trx);
		await sql`INSERT INTO fairness_group_medians BY NAME ${medians}`.execute(trx);
	});
}
