import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The Consistency page's counts over the whole archive, kept between imports (keepConsistencyCounts
 * in src/lib/metrics/consistency/consistency-counts.server.ts): decided cases per (category or root
 * cause, dimension, group, outcome), the grouped scan that was most of the unfiltered page (about
 * 0.2 s at 1,000,000 cases), and each agent's usual team. Filtered pages count the cases themselves.
 */
export const consistencyCountsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create table consistency_counts (
			kt varchar not null,
			key varchar not null,
			dim varchar not null,
			grp varchar,
			outcome varchar not null,
			n bigint not null
		)`.execute(db);
		await sql`create table consistency_agent_teams (
			agent varchar not null,
			team varchar
		)`.execute(db);
	}
};
