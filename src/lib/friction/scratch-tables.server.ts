import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../core/db/schema';

/**
 * Runs `work` on one pinned connection with temporary tables for the intermediate results, so
 * that the documents are read and tokenised once per request however many statistics are taken
 * from them. DuckDB temp tables belong to a connection; they are dropped before it returns to the pool.
 */
export async function withScratchTables<T>(
	db: Kysely<Database>,
	tables: Record<string, RawBuilder<unknown> | ((names: Record<string, RawBuilder<unknown>>) => RawBuilder<unknown>)>,
	work: (conn: Kysely<Database>, names: Record<string, RawBuilder<unknown>>) => Promise<T>
): Promise<T> {
	return db.connection().execute(async (conn) => {
		const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
		const names: Record<string, RawBuilder<unknown>> = {};
		const created: string[] = [];
		try {
			for (const [name, query] of Object.entries(tables)) {
				const table = `friction_${name}_${suffix}`;
				const body = typeof query === 'function' ? query(names) : query;
				await sql`CREATE TEMP TABLE ${sql.table(table)} AS ${body}`.execute(conn);
				created.push(table);
				names[name] = sql.table(table);
			}
			return await work(conn, names);
		} finally {
			for (const table of created) await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(conn);
		}
	});
}
