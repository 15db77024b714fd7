import { sql, type RawBuilder } from 'kysely';
import { dateBounds, DIMENSION_COLUMNS, FILTER_DIMENSIONS, type Filters } from './model';

/**
 * The case columns caseFilterSql reads. A table derived from the cases that carries them under the
 * same names (auto_check_results, speed_clock, fairness_cases) takes the same filters unchanged.
 */
export const CASE_FILTER_COLUMNS: readonly string[] = ['created_at', 'batch_id', ...FILTER_DIMENSIONS.map((d) => DIMENSION_COLUMNS[d])];

type FilterSqlOptions = { alias?: string; dateColumn?: RawBuilder<unknown>; columns?: Partial<Record<string, RawBuilder<unknown>>>; batchCondition?: (ids: RawBuilder<unknown>) => RawBuilder<boolean> };

/** One condition per filter that restricts the cases; none when every case is kept. */
function filterConditions(filters: Filters, today: Date, options: FilterSqlOptions = {}): RawBuilder<unknown>[] {
	const alias = options.alias ?? 'c';
	const parts: RawBuilder<unknown>[] = [];
	const col = (name: string) => options.columns?.[name] ?? sql.ref(`${alias}.${name}`);
	const date = options.dateColumn ?? col('created_at');
	const { from, to } = dateBounds(filters, today);
	if (from) parts.push(sql`${date} >= ${from}::TIMESTAMP`);
	if (to) parts.push(sql`${date} < ${to}::TIMESTAMP + INTERVAL 1 DAY`);
	if (filters.batch?.length) {
		const ids = sql.join(filters.batch);
		parts.push(options.batchCondition ? options.batchCondition(ids) : sql`${col('batch_id')} IN (${ids})`);
	}
	for (const dim of FILTER_DIMENSIONS) {
		const values = filters.dims[dim];
		if (values?.length) parts.push(sql`${col(DIMENSION_COLUMNS[dim])} IN (${sql.join(values)})`);
	}
	return parts;
}

/**
 * The WHERE condition for filtered cases, as a Kysely fragment: column names come from the
 * whitelist in model.ts, every value is a bound parameter. `today` is the resolved anchor the
 * presets count back from (period.server.ts `resolveToday`).
 */
export function caseFilterSql(filters: Filters, today: Date, options: FilterSqlOptions = {}): RawBuilder<boolean> {
	return sql<boolean>`(${sql.join([sql`true`, ...filterConditions(filters, today, options)], sql` AND `)})`;
}

/** Whether the filters leave out any case (what a table kept over every case can answer without them). */
export function restrictsCases(filters: Filters, today: Date): boolean {
	return filterConditions(filters, today).length > 0;
}

/**
 * The filters over answers (feedback), dated by `date`, with an import filter that keeps an answer
 * when it came from one of the imports or its case did: a feedback export often links to no
 * imported case, so filtering on the case's import alone would drop every answer of the feedback
 * import the user picked. `alias` names the rest of the filter columns (the case's dimensions).
 */
export function answerFilterSql(
	filters: Filters,
	today: Date,
	columns: { alias: string; date: RawBuilder<unknown>; answerBatch: RawBuilder<unknown>; caseBatch: RawBuilder<unknown>; region?: RawBuilder<unknown> }
): RawBuilder<boolean> {
	return caseFilterSql(filters, today, {
		alias: columns.alias,
		dateColumn: columns.date,
		columns: columns.region ? { region: columns.region } : undefined,
		batchCondition: (ids) => sql<boolean>`(${columns.answerBatch} IN (${ids}) OR ${columns.caseBatch} IN (${ids}))`
	});
}

/**
 * The same filters over feedback `f` LEFT JOINed to its case `c` (Satisfaction, friction
 * comments): dated by submission, region from the case or else the feedback itself.
 */
export function feedbackFilterSql(filters: Filters, today: Date): RawBuilder<boolean> {
	return answerFilterSql(filters, today, {
		alias: 'c',
		date: sql.ref('f.submitted_at'),
		region: sql`coalesce(c.region, f.region)`,
		answerBatch: sql.ref('f.batch_id'),
		caseBatch: sql.ref('c.batch_id')
	});
}
