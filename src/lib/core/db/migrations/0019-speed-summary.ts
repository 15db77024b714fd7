import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The Speed page's numbers over the whole archive, kept with speed_clock (speedSummarySql in
 * src/lib/metrics/speed/speed-scans.server.ts), so the unfiltered page reads a few thousand rows
 * instead of grouping every case: per measure, the cases and summed minutes per (breakdown
 * dimension, group, bin, state) (g = 1; dim NULL = no breakdown) and per (trend grain, period,
 * state) (g = 6), and each period's exact median and p90.
 */
export const speedSummaryMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create table speed_summary (
			measure varchar not null,
			g utinyint not null,
			dim varchar,
			grain varchar,
			grp varchar,
			t double,
			period varchar,
			v utinyint not null,
			n bigint not null,
			s double
		)`.execute(db);
		await sql`create table speed_summary_trend (
			measure varchar not null,
			grain varchar not null,
			period varchar not null,
			n bigint not null,
			q double[],
			open bigint not null
		)`.execute(db);
	}
};
