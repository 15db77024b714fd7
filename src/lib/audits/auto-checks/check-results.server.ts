import { sql, type Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import { keepCurrent, settingsOfSql } from '../../core/db/derived-tables.server';
import { AUTO_CHECK_IDS } from './model';
import { perCaseChecksSql, type CheckContext } from './checks-sql.server';
import { CASE_FILTER_COLUMNS } from '../../metrics/filters/case-filter-sql.server';

/**
 * The automatic checks' verdict for every case, kept in auto_check_results (migration
 * 0013-check-results) and rebuilt when the committed imports or the checks' SQL change. The SQL
 * holds the policy's numbers, its calendars and the archive's snapshot, so its hash is the
 * table's settings: a policy edit, a new import or a changed check all rebuild it, and nothing
 * else does. Each row carries the columns the page filters on (caseFilterSql,
 * src/lib/metrics/filters/case-filter-sql.server.ts), under the same names, so a filter written
 * over `cases c` applies to `auto_check_results c` unchanged.
 */

/** Brings auto_check_results up to date for `ctx`; returns whether it was rebuilt. */
export async function keepCheckResults(db: Kysely<Database>, ctx: CheckContext): Promise<boolean> {
	const testable = AUTO_CHECK_IDS.filter((id) => !ctx.notTestable[id]);
	const carried = sql.join(CASE_FILTER_COLUMNS.map((c) => sql.ref(`c.${c}`)));
	const perCase = await perCaseChecksSql(db, ctx, testable, sql`true`, carried);
	return keepCurrent(db, { name: 'auto_check_results', reads: ['cases', 'feedback', 'messages'] }, settingsOfSql(db, perCase), async (trx) => {
		await sql`DELETE FROM auto_check_results`.execute(trx);
		await sql`INSERT INTO auto_check_results BY NAME SELECT * FROM (${perCase})`.execute(trx);
	});
}
