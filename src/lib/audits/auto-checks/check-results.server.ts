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
 * else does; after messages imports alone, only the cases of their threads are judged again. Each row carries the columns the page filters on (caseFilterSql,
 * src/lib/metrics/filters/case-filter-sql.server.ts), under the same names, so a filter written
 * over `cases c` applies to `auto_check_results c` unchanged.
 */

/**
 * Whether every batch committed after `after` is a messages import. Cases and answers can move
 * verdicts beyond their own rows (a re-imported answer may now belong to another case; new cases
 * move the snapshot), so those rebuild the whole table.
 */
async function onlyThreadsSince(db: Kysely<Database>, after: number): Promise<boolean> {
	const { rows } = await sql<{ others: number }>`SELECT count(*) FILTER (WHERE kind <> 'messages') AS others FROM import_batches WHERE status = 'committed' AND batch_id > ${after}`.execute(db);
	return Number(rows[0].others) === 0;
}

/** Brings auto_check_results up to date for `ctx`; returns whether it was rebuilt. */
export async function keepCheckResults(db: Kysely<Database>, ctx: CheckContext): Promise<boolean> {
	const testable = AUTO_CHECK_IDS.filter((id) => !ctx.notTestable[id]);
	const carried = sql.join(CASE_FILTER_COLUMNS.map((c) => sql.ref(`c.${c}`)));
	const perCase = await perCaseChecksSql(db, ctx, testable, sql`true`, carried);
	return keepCurrent(db, { name: 'auto_check_results', reads: ['cases', 'feedback', 'messages'] }, settingsOfSql(db, perCase), async (trx, refresh) => {
		if (refresh.kind === 'since' && (await onlyThreadsSince(trx, refresh.after))) {
			// A messages import replaces whole threads (every message of its cases), and a case's
			// verdicts read only its own thread: the cases of the new threads are all that can change.
			const touched = sql`(SELECT DISTINCT case_id FROM messages WHERE batch_id > ${refresh.after})`;
			await sql`DELETE FROM auto_check_results WHERE case_id IN ${touched}`.execute(trx);
			const rows = await perCaseChecksSql(trx, ctx, testable, sql`c.case_id IN ${touched}`, carried);
			await sql`INSERT INTO auto_check_results BY NAME SELECT * FROM (${rows})`.execute(trx);
			return;
		}
		await sql`DELETE FROM auto_check_results`.execute(trx);
		await sql`INSERT INTO auto_check_results BY NAME SELECT * FROM (${perCase})`.execute(trx);
	});
}
