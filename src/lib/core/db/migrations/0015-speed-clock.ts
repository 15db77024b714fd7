import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Every case timed against the Speed targets, kept between imports
 * (keepSpeedClock in src/lib/metrics/speed/speed.server.ts): the business-hours clock takes two calendar
 * lookups per case past its target, which made the first read of the Speed page cost about a
 * second at 1,000,000 cases. One row per case, with the case's filter columns under their own
 * names (so the page's filters apply unchanged) and, per measure, the minutes from opening to the
 * event (or, still open, to the snapshot), their Kaplan-Meier bin and the case's state in bits:
 * 8 the event happened, 4 the export gave the time in business hours, 2 breached on the calendar,
 * 1 breached in business hours (the last two never set when the policy has no target).
 */
export const speedClockMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create table speed_clock (
			created_at timestamp not null,
			batch_id integer not null,
			region varchar,
			country varchar,
			channel varchar,
			stage varchar,
			category varchar,
			team varchar,
			agent_id varchar,
			first_response_minutes double not null,
			first_response_bin double not null,
			first_response_state utinyint not null,
			resolution_minutes double not null,
			resolution_bin double not null,
			resolution_state utinyint not null
		)`.execute(db);
	}
};
