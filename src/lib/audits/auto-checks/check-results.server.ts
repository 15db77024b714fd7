import { sql, type Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import { keepCurrent, settingsOfSql } from '../../core/db/derived-tables.server';
import { AUTO_CHECK_IDS, AUTO_CHECKS, type AutoCheckId, type CheckInput } from './model';
import { perCaseChecksSql, type CheckContext } from './checks-sql.server';
import { keepThreadFacts } from './thread-facts.server';
import { CASE_FILTER_COLUMNS } from '../../metrics/filters/case-filter-sql.server';

/**
 * The automatic checks' verdict for every case, kept in auto_check_results (migration
 * 0013-check-results) and rebuilt when the committed imports or the checks' SQL change. The SQL
 * holds the policy's numbers, its calendars and the archive's snapshot, so its hash is the
 * table's settings: a policy edit, a new import or a changed check all rebuild it, and nothing
 * else does. After imports of threads and answers alone, only what they can change is judged
 * again: the cases of the new threads, and the checks that read answers. Each row carries the
 * columns the page filters on (caseFilterSql, src/lib/metrics/filters/case-filter-sql.server.ts),
 * under the same names, so a filter written over `cases c` applies to `auto_check_results c`
 * unchanged.
 */

/** The kinds of the batches committed after `after`. */
async function kindsSince(db: Kysely<Database>, after: number): Promise<Set<string>> {
	const { rows } = await sql<{ kind: string }>`SELECT DISTINCT kind FROM import_batches WHERE status = 'committed' AND batch_id > ${after}`.execute(db);
	return new Set(rows.map((r) => r.kind));
}

/** Whether the check reads rows of `table` (model.ts, `needs`). */
const readsTable = (id: AutoCheckId, table: CheckInput['table']) => AUTO_CHECKS[id].needs.some((n) => n.table === table);

/** Brings auto_check_results up to date for `ctx`; returns whether it was rebuilt. */
export async function keepCheckResults(db: Kysely<Database>, ctx: CheckContext): Promise<boolean> {
	const testable = AUTO_CHECK_IDS.filter((id) => !ctx.notTestable[id]);
	const carried = sql.join(CASE_FILTER_COLUMNS.map((c) => sql.ref(`c.${c}`)));
	// The threads are read from their kept facts, brought up to date first (in the same transaction
	// when an import keeps the tables).
	if (testable.some((id) => readsTable(id, 'messages'))) await keepThreadFacts(db);
	const kept = { keptThreads: true };
	const perCase = await perCaseChecksSql(db, ctx, testable, sql`true`, carried, kept);
	return keepCurrent(db, { name: 'auto_check_results', reads: ['cases', 'feedback', 'messages'] }, settingsOfSql(db, perCase), async (trx, refresh) => {
		// A cases import rebuilds it whole: new and replaced cases, and the verdicts of open cases against a new snapshot.
		const since = refresh.kind === 'since' ? await kindsSince(trx, refresh.after) : null;
		if (since && !since.has('cases')) {
			if (since.has('messages')) {
				// A messages import replaces whole threads (every message of its cases), and a case's
				// verdicts read only its own thread: the cases of the new threads are all that can change.
				const touched = sql`(SELECT DISTINCT case_id FROM messages WHERE batch_id > ${refresh.after})`;
				await sql`DELETE FROM auto_check_results WHERE case_id IN ${touched}`.execute(trx);
				const rows = await perCaseChecksSql(trx, ctx, testable, sql`c.case_id IN ${touched}`, carried, kept);
				await sql`INSERT INTO auto_check_results BY NAME SELECT * FROM (${rows})`.execute(trx);
			}
			// A re-imported answer may now belong to another case, so the case that lost it is not
			// among the new rows: the checks that read answers are judged again for every case (a
			// grouping of the answers, not the threads) and written where they changed.
			const answerChecks = testable.filter((id) => readsTable(id, 'feedback'));
			if (since.has('feedback') && answerChecks.length) {
				const fresh = await perCaseChecksSql(trx, ctx, answerChecks, sql`true`);
				const col = (id: string) => sql.ref(id);
				await sql`UPDATE auto_check_results SET ${sql.join(answerChecks.map((id) => sql`${col(id)} = x.${col(id)}`))}
					FROM (${fresh}) x WHERE auto_check_results.case_id = x.case_id
					AND (${sql.join(answerChecks.map((id) => sql`auto_check_results.${col(id)} IS DISTINCT FROM x.${col(id)}`), sql` OR `)})`.execute(trx);
			}
			return;
		}
		await sql`DELETE FROM auto_check_results`.execute(trx);
		await sql`INSERT INTO auto_check_results BY NAME SELECT * FROM (${perCase})`.execute(trx);
	});
}
