import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * DuckDB speaks enough PostgreSQL for Kysely's RETURNING and transactional DDL. The migration lock
 * is a no-op because a DuckDB file has exactly one writer process, which already excludes a
 * concurrent migrator.
 */
export class DuckDBAdapter extends PostgresAdapter {
	override async acquireMigrationLock(_db: Kysely<unknown>): Promise<void> {}
	override async releaseMigrationLock(_db: Kysely<unknown>): Promise<void> {}
}
