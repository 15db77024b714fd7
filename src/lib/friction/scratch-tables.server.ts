import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../core/db/schema';

/** A query to keep as a temporary table, or a view: a name for an expression that needs no copy. */
type TableSpec = RawBuilder<unknown> | { view: RawBuilder<unknown> };

/**
 * Runs `work` on one pinned connection with temporary tables for the intermediate results, so
 * that the documents are read once per request however many statistics are taken from them. A
 * table's query may look at the ones made before it. DuckDB temp tables belong to a connection;
 * they are dropped before it returns to the pool. Given a transaction (an import keeping the
 * whole archive's theme report, theme-report-table.server.ts), it works on the transaction's own
 * connection.
 */
export async function withScratchTables<T>(
	db: Kysely<Database>,
	tables: Record<string, RawBuilder<unknown> | ((names: Record<string, RawBuilder<unknown>>, conn: Kysely<Database>) => TableSpec | Promise<TableSpec>)>,
	work: (conn: Kysely<Database>, names: Record<string, RawBuilder<unknown>>) => Promise<T>
): Promise<T> {
	const pinned = <R>(run: (conn: Kysely<Database>) => Promise<R>): Promise<R> => (db.isTransaction ? run(db) : db.connection().execute(run));
	return pinned(async (conn) => {
		const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
		const names: Record<string, RawBuilder<unknown>> = {};
		const created: string[] = [];
		try {
			for (const [name, query] of Object.entries(tables)) {
				const table = `friction_${name}_${suffix}`;
				const body = typeof query === 'function' ? await query(names, conn) : query;
				if ('view' in body) {
					names[name] = body.view;
					continue;
				}
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
