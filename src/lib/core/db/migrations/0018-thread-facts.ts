import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What the automatic checks read of the conversations, kept between messages imports
 * (keepThreadFacts in src/lib/audits/auto-checks/thread-facts.server.ts), so that rebuilding the
 * checks' verdicts after a cases or feedback import does not walk every message again (at
 * 1,000,000 cases and 5.4 million messages that walk was about half the rebuild): every wait of a
 * thread (a stretch between two public agent replies in which the customer wrote: when they first
 * wrote, and when the reply closing the stretch came, NULL while unanswered) and, per case with an
 * internal note, whether its notes stayed out of the public replies.
 */
export const threadFactsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create table thread_waits (
			case_id varchar not null,
			stretch bigint not null,
			asked timestamp not null,
			answered timestamp
		)`.execute(db);
		await sql`create table thread_notes (
			case_id varchar not null,
			private boolean not null
		)`.execute(db);
	}
};
