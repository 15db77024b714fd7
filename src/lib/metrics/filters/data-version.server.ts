import { sql, type Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';

/**
 * Facts that change only when data is imported (the filter bar's values, the snapshot time) are
 * cached per database and recomputed when a new batch is committed or a case is replaced.
 */
const caches = new WeakMap<Kysely<Database>, Map<string, { version: string; value: unknown }>>();

async function dataVersion(db: Kysely<Database>): Promise<string> {
	const { rows } = await sql<{ v: string }>`SELECT coalesce(max(batch_id), 0) || ':' || count(*) AS v FROM import_batches WHERE status = 'committed'`.execute(db);
	return rows[0].v;
}

export async function cachedByData<T>(db: Kysely<Database>, key: string, compute: () => Promise<T>): Promise<T> {
	const version = await dataVersion(db);
	let cache = caches.get(db);
	if (!cache) caches.set(db, (cache = new Map()));
	const hit = cache.get(key);
	if (hit && hit.version === version) return hit.value as T;
	const value = await compute();
	cache.set(key, { version, value });
	return value;
}
