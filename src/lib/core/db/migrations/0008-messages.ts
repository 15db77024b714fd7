import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Conversations (src/lib/conversations): the messages of a case's thread, one row each. `sequence`
 * is the order within the case (1, 2, ...) that the import assigns; `batch_id` is the messages
 * import that wrote the row, so a later import of the same case's messages replaces them. No
 * primary key, like the fact tables in 0001-core.ts: the import keeps (case_id, sequence) unique,
 * and an index would slow the demo's bulk load.
 */
export const messagesMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create table messages (
			case_id varchar not null,
			sequence integer not null,
			sent_at timestamp not null,
			-- customer, agent, system or bot (AUTHOR_ROLES in src/lib/conversations/model.ts)
			author_role varchar not null,
			author_name varchar,
			is_public boolean not null,
			body varchar not null,
			-- the message's id in the source (a Zendesk comment id, a tweet id), when it has one
			external_id varchar,
			batch_id integer not null
		)`.execute(db);
	}
};
