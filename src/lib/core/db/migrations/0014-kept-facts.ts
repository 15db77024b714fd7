import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Small facts about the archive that many pages need (its column coverage, the filter bar's
 * values, its snapshot time), kept per data version (src/lib/metrics/filters/data-version.server.ts
 * `keptByData`) so that neither a restarted server nor a page computed cold scans the archive for
 * them again. value is JSON; version is the data version it was computed at.
 */
export const keptFactsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create table kept_facts (name varchar primary key, version varchar not null, value varchar not null, computed_at timestamp not null)`.execute(db);
	}
};
