import { sql, type RawBuilder } from 'kysely';
import { dateBounds, DIMENSION_COLUMNS, FILTER_DIMENSIONS, type Filters } from './model';

/**
 * The WHERE condition for filtered cases, as a Kysely fragment: column names come from the
 * whitelist in filters.ts, every value is a bound parameter.
 */
export function caseFilterSql(
	filters: Filters,
	today: Date,
	options: { alias?: string; dateColumn?: RawBuilder<unknown>; columns?: Partial<Record<string, RawBuilder<unknown>>> } = {}
): RawBuilder<boolean> {
	const alias = options.alias ?? 'c';
	const parts: RawBuilder<unknown>[] = [sql`true`];
	const col = (name: string) => options.columns?.[name] ?? sql.ref(`${alias}.${name}`);
	const date = options.dateColumn ?? col('created_at');
	const { from, to } = dateBounds(filters, today);
	if (from) parts.push(sql`${date} >= ${from}::TIMESTAMP`);
	if (to) parts.push(sql`${date} < ${to}::TIMESTAMP + INTERVAL 1 DAY`);
	for (const dim of FILTER_DIMENSIONS) {
		const values = filters.dims[dim];
		if (values?.length) parts.push(sql`${col(DIMENSION_COLUMNS[dim])} IN (${sql.join(values)})`);
	}
	return sql<boolean>`(${sql.join(parts, sql` AND `)})`;
}
