import { sql, type Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import { appConfig } from '../../core/config.server';

/**
 * Every number the dashboard shows depends only on the imported data, the policy in force and the
 * request. Imports and policy edits are the only writes to what the metrics read, so one version
 * string taken from those two small tables says whether an earlier answer still holds: a second
 * reader of the same view pays nothing, and a new import or policy edit invalidates everything it
 * could change. Failed batches are counted because the overview counts them. A running import
 * is not: its rows, and its status turning to committed, become visible in one transaction at
 * its end (src/lib/imports/ingest-file.server.ts), so until then every answer still holds and
 * readers keep being served while it loads; counting it at its start made every reader compute
 * again during the import and once more after it.
 */
interface Entry {
	version: string;
	value: Promise<unknown>;
}

/** Enough for every page × a few hundred filter combinations; reports are a few KB to a few hundred KB. */
const MAX_ENTRIES = 300;
const cacheOn = appConfig().reportCache;
const caches = new WeakMap<Kysely<Database>, Map<string, Entry>>();

export async function dataVersion(db: Kysely<Database>): Promise<string> {
	const { rows } = await sql<{ v: string }>`
		SELECT concat_ws(':', count(*), max(batch_id), count(*) FILTER (WHERE status = 'committed'), count(*) FILTER (WHERE status = 'failed'),
			(SELECT max(version) FROM policy_versions)) AS v
		FROM import_batches WHERE status <> 'running'`.execute(db);
	return rows[0].v;
}

/**
 * The cached answer for `key` at the current data version, computed at most once: readers that
 * arrive while it is being computed wait for the same promise instead of starting the scan again.
 * A failed computation is forgotten so the next reader tries afresh.
 */
export async function cachedByData<T>(db: Kysely<Database>, key: string, compute: () => Promise<T>): Promise<T> {
	if (!cacheOn) return shared(db, key, compute);
	const version = await dataVersion(db);
	let cache = caches.get(db);
	if (!cache) caches.set(db, (cache = new Map()));
	const hit = cache.get(key);
	if (hit && hit.version === version) {
		// Least recently used goes first when the map is full: re-insert on every hit.
		cache.delete(key);
		cache.set(key, hit);
		return hit.value as Promise<T>;
	}
	const entry: Entry = { version, value: compute() };
	cache.delete(key);
	cache.set(key, entry);
	while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
	entry.value.catch(() => {
		if (cache.get(key) === entry) cache.delete(key);
	});
	return entry.value as Promise<T>;
}

/**
 * With the cache off (only to measure the work itself), nothing is kept, but readers that ask for
 * the same thing at the same moment still share one computation, as they do when a new import has
 * just made every cached answer stale: the Speed page's two measures then read the archive's
 * coverage once, not twice.
 */
const inFlight = new WeakMap<Kysely<Database>, Map<string, Promise<unknown>>>();
function shared<T>(db: Kysely<Database>, key: string, compute: () => Promise<T>): Promise<T> {
	let running = inFlight.get(db);
	if (!running) inFlight.set(db, (running = new Map()));
	const pending = running.get(key);
	if (pending) return pending as Promise<T>;
	const value = compute().finally(() => running.delete(key));
	running.set(key, value);
	return value;
}

/** JSON with Dates and BigInts kept as such (DuckDB answers hold both). */
export function encodeFact(value: unknown): string {
	return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
		const raw = this[key];
		if (raw instanceof Date) return { $date: raw.toISOString() };
		if (typeof raw === 'bigint') return { $bigint: raw.toString() };
		return v;
	});
}

export function decodeFact(text: string): unknown {
	return JSON.parse(text, (_key, v: unknown) => {
		if (v && typeof v === 'object' && !Array.isArray(v)) {
			const keys = Object.keys(v);
			if (keys.length === 1 && keys[0] === '$date') return new Date((v as { $date: string }).$date);
			if (keys.length === 1 && keys[0] === '$bigint') return BigInt((v as { $bigint: string }).$bigint);
		}
		return v;
	});
}

const kept = new WeakMap<Kysely<Database>, Map<string, { version: string; value: unknown }>>();

/**
 * A small fact about the archive (its coverage, the filter bar's values, its snapshot time, ...)
 * kept per data version in memory and in the kept_facts table (migration 0014-kept-facts),
 * whatever the report cache setting: like the tables kept per import
 * (src/lib/core/db/derived-tables.server.ts) it is part of what an import leaves behind, so a
 * restarted server or a page computed cold does not scan the archive again for it. `compute` must
 * return plain data (JSON with Dates). A database that cannot be written still answers: the
 * fact is then only kept in memory.
 */
export async function keptByData<T>(db: Kysely<Database>, name: string, compute: () => Promise<T>): Promise<T> {
	const version = await dataVersion(db);
	let memory = kept.get(db);
	if (!memory) kept.set(db, (memory = new Map()));
	const hit = memory.get(name);
	if (hit && hit.version === version) return hit.value as T;
	const value = await shared(db, `kept:${name}:${version}`, async () => {
		const { rows } = await sql<{ value: string }>`SELECT value FROM kept_facts WHERE name = ${name} AND version = ${version}`.execute(db);
		if (rows[0]) return decodeFact(rows[0].value) as T;
		const fresh = await compute();
		// Not from inside a transaction (an import bringing the kept tables up to date before it
		// commits): its version is not committed yet, and a write that conflicts with a reader's
		// would abort the import. Readers store the fact after the commit.
		if (!db.isTransaction) await sql`INSERT OR REPLACE INTO kept_facts VALUES (${name}, ${version}, ${encodeFact(fresh)}, now()::timestamp)`.execute(db).catch(() => undefined);
		return fresh;
	});
	memory.set(name, { version, value });
	return value;
}

/**
 * A report function whose answers are cached per data version and per request. The options are the
 * parsed, normalised request (filters, breakdown, the resolved "today"), so two URLs meaning the
 * same view share one answer. The calendar day is part of the key because a range counted back from
 * today moves at midnight without any import. Callers must treat the returned report as read-only.
 */
export function cachedReport<O, T>(name: string, compute: (db: Kysely<Database>, options: O) => Promise<T>): (db: Kysely<Database>, options: O) => Promise<T> {
	return (db, options) => {
		const day = new Date().toISOString().slice(0, 10);
		return cachedByData(db, `report:${name}:${day}:${JSON.stringify(options)}`, () => compute(db, options));
	};
}
