import { sql, type Kysely } from 'kysely';
import { DIMENSION_COLUMNS, type FilterDimension, type Filters } from '../filters/model';
import { wilsonInterval } from '../../core/stats/proportion-intervals';
import type { Database } from '../../core/db/schema';
import { caseFilterSql } from '../filters/case-filter-sql.server';
import type { TrendGrain } from '../speed/speed.server';
import type { CsatStats } from './model';
export type { CsatStats } from './model';

export const CSAT_DEFINITION =
	'CSAT = share of rated answers scoring 4 or 5 (95% Wilson interval), with the mean score 1-5 beside it. Response rate = rated survey answers / surveys sent. Feedback is filtered by its submission date and by the dimensions of its case (region also from the feedback itself).';


export interface CsatReport {
	overall: CsatStats;
	by: FilterDimension | null;
	groups: CsatStats[];
	trend: (CsatStats & { period: string })[];
	grain: TrendGrain;
	definition: string;
}

interface Row {
	grp: string | null;
	surveys: number;
	rated: number;
	satisfied: number;
	mean: number | null;
}

function toStats(row: Row | undefined, group: string | null): CsatStats {
	const rated = row?.rated ?? 0;
	const satisfied = row?.satisfied ?? 0;
	const ci = rated ? wilsonInterval(satisfied, rated) : null;
	return {
		group,
		surveys: row?.surveys ?? 0,
		rated,
		response_rate: row?.surveys ? rated / row.surveys : null,
		satisfied,
		csat: rated ? satisfied / rated : null,
		ci_low: ci?.lower ?? null,
		ci_high: ci?.upper ?? null,
		mean: row?.mean ?? null
	};
}

export async function csatReport(db: Kysely<Database>, options: { filters: Filters; by?: FilterDimension | null; grain?: TrendGrain; today?: Date }): Promise<CsatReport> {
	const today = options.today ?? new Date();
	const region = sql`coalesce(c.region, f.region)`;
	const where = caseFilterSql(options.filters, today, { dateColumn: sql.ref('f.submitted_at'), columns: { region } });
	const groupCol = options.by ? (options.by === 'region' ? region : sql.ref(`c.${DIMENSION_COLUMNS[options.by]}`)) : sql`NULL`;
	const grain = options.grain ?? 'week';
	const measures = sql`count(*) FILTER (WHERE f.kind = 'survey') AS surveys, count(f.csat) AS rated,
		count(*) FILTER (WHERE f.csat >= 4) AS satisfied, avg(f.csat) AS mean`;
	const from = sql`feedback f LEFT JOIN cases c ON c.case_id = f.case_id`;
	const [overall, groups, trend] = await Promise.all([
		sql<Row>`SELECT NULL AS grp, ${measures} FROM ${from} WHERE ${where}`.execute(db),
		options.by ? sql<Row>`SELECT ${groupCol} AS grp, ${measures} FROM ${from} WHERE ${where} GROUP BY 1 ORDER BY 1`.execute(db) : Promise.resolve({ rows: [] as Row[] }),
		sql<Row & { period: string }>`SELECT strftime(date_trunc(${grain}, f.submitted_at), '%Y-%m-%d') AS period, NULL AS grp, ${measures} FROM ${from} WHERE ${where} GROUP BY 1 ORDER BY 1`.execute(db)
	]);
	return {
		overall: toStats(overall.rows[0], null),
		by: options.by ?? null,
		groups: groups.rows.map((r) => toStats(r, r.grp)).sort((a, b) => (a.csat ?? 2) - (b.csat ?? 2)),
		trend: trend.rows.map((r) => ({ ...toStats(r, null), period: r.period })),
		grain,
		definition: CSAT_DEFINITION
	};
}
