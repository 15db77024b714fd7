import { sql, type Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import { keptByData } from './data-version.server';

/**
 * The archive's "as of" time: the latest timestamp any case carries. Open cases are censored at
 * this time (at least this old when the export was taken). Using the wall clock instead would make
 * an archive imported months later look ever slower.
 */
export function snapshotTime(db: Kysely<Database>): Promise<Date | null> {
	return keptByData(db, 'snapshot', async () => {
		const { rows } = await sql<{ at: Date | null }>`
			SELECT greatest(max(created_at), max(first_response_at), max(resolved_at)) AS at FROM cases`.execute(db);
		return rows[0]?.at ?? null;
	});
}
