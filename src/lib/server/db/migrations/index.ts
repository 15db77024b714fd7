import type { Migration, MigrationProvider } from 'kysely';
import { coreMigration } from './0001-core';
import { accountsMigration } from './0002-accounts';

/**
 * Migrations are listed in code rather than read from a folder so that the bundled server and
 * the CLI apply exactly the same list. Names sort in order of application; add a file per
 * migration and one line here.
 */
const migrations: Record<string, Migration> = {
	'0001_core': coreMigration,
	'0002_accounts': accountsMigration
};

export const migrationProvider: MigrationProvider = {
	async getMigrations() {
		return migrations;
	}
};
