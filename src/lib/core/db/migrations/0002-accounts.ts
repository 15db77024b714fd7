import { sql, type Kysely, type Migration } from 'kysely';

/** Accounts, sessions and the append-only audit trail. */
export const accountsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create sequence user_id_seq start 1`.execute(db);
		await sql`create table users (
			user_id integer primary key default nextval('user_id_seq'),
			username varchar not null unique,
			display_name varchar not null,
			role varchar not null,
			password_hash varchar not null,
			created_at timestamp not null,
			password_changed_at timestamp not null,
			failed_logins integer not null default 0,
			locked_until timestamp,
			disabled boolean not null default false
		)`.execute(db);
		// Only a hash of the session token is stored, so a copy of the database opens no session.
		await sql`create table sessions (
			token_hash varchar primary key,
			user_id integer not null,
			created_at timestamp not null,
			expires_at timestamp not null
		)`.execute(db);
		await sql`create sequence audit_id_seq start 1`.execute(db);
		await sql`create table audit_log (
			audit_id bigint primary key default nextval('audit_id_seq'),
			-- "at" is a keyword in DuckDB (AT TIME ZONE): unquoted, it fails this migration and every open.
			"at" timestamp not null,
			actor varchar not null,
			action varchar not null,
			target varchar,
			before_json varchar,
			after_json varchar
		)`.execute(db);
	}
};
