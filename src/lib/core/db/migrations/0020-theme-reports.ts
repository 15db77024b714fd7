import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Friction's theme report over the whole archive, per source, kept per import
 * (src/lib/friction/theme-report-table.server.ts): the unfiltered Friction page, its report and
 * the API read it instead of counting every term of every document. JSON, Dates and BigInts tagged
 * (encodeFact in src/lib/metrics/filters/data-version.server.ts).
 */
export const themeReportsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create table friction_theme_reports (
			source varchar primary key,
			report varchar not null
		)`.execute(db);
	}
};
