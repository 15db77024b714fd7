import { sql, type Kysely, type Migration } from 'kysely';

/**
 * When each account last signed in, for Admin → Users (src/routes/admin/users): an administrator
 * deciding whether to deactivate an account wants to know whether it is still used. Empty for
 * accounts that have not signed in since this migration.
 */
export const lastSignInMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`alter table users add column last_login_at timestamp`.execute(db);
	}
};
