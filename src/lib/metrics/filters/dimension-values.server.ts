import { sql, type Kysely } from 'kysely';
import { DIMENSION_COLUMNS, FILTER_DIMENSIONS, type FilterDimension } from './model';
import type { Database } from '../../core/db/schema';
import { keptByData } from './data-version.server';

const LIMIT = 500;

/** The values each filter can take, most frequent first, for the filter bar. */
export function dimensionValues(db: Kysely<Database>): Promise<Record<FilterDimension, string[]>> {
	return keptByData(db, 'dimension-values', () => computeDimensionValues(db));
}

async function computeDimensionValues(db: Kysely<Database>): Promise<Record<FilterDimension, string[]>> {
	const entries = await Promise.all(
		FILTER_DIMENSIONS.map(async (dim) => {
			const col = sql.ref(DIMENSION_COLUMNS[dim]);
			const { rows } = await sql<{ v: string }>`SELECT ${col} AS v FROM cases WHERE ${col} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${LIMIT}`.execute(db);
			return [dim, rows.map((r) => r.v).sort()] as const;
		})
	);
	return Object.fromEntries(entries) as Record<FilterDimension, string[]>;
}
