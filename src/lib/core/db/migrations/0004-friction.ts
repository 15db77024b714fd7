import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Friction tracking: a flagged theme or structural point becomes an item with an owner, a status
 * and a fix date; its history (status moves, owner and fix-date changes, notes) is append-only in
 * friction_item_events. Every change also goes to the audit trail.
 */
export const frictionMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create sequence friction_item_id_seq start 1`.execute(db);
		await sql`create table friction_items (
			item_id integer primary key default nextval('friction_item_id_seq'),
			-- 'theme' (subject = the theme's normalised term) or 'structural' (subject = metric:dimension:value)
			kind varchar not null,
			subject varchar not null,
			-- for themes: 'comments' or 'subjects'
			source varchar,
			title varchar not null,
			-- the filters (dimensions only) the item was flagged under, as URL parameters
			scope varchar not null default '',
			owner varchar,
			status varchar not null,
			fix_date date,
			created_by varchar not null,
			created_at timestamp not null,
			updated_at timestamp not null
		)`.execute(db);
		await sql`create sequence friction_event_id_seq start 1`.execute(db);
		await sql`create table friction_item_events (
			event_id bigint primary key default nextval('friction_event_id_seq'),
			item_id integer not null,
			"at" timestamp not null,
			actor varchar not null,
			-- 'created', 'status', 'owner', 'fix_date' or 'note'
			kind varchar not null,
			from_value varchar,
			to_value varchar,
			note varchar
		)`.execute(db);
	}
};
