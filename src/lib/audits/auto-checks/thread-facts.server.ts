import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../core/db/schema';
import { keepCurrent, settingsOfSql, type KeptTable } from '../../core/db/derived-tables.server';

/** Notes shorter than this ("ok", "called") would match ordinary replies by chance. */
export const MIN_NOTE_CHARS = 20;

/** A case id list to restrict the messages to, as a subquery; null for every thread. */
export type CaseScope = RawBuilder<unknown> | null;

const within = (scope: CaseScope) => (scope ? sql`WHERE m.case_id IN ${scope}` : sql``);

/**
 * The waits of the threads of the cases in `scope`: the messages between two public agent replies
 * form a stretch; the first customer message of a stretch starts its wait and the reply closing the
 * stretch answers it (follow-ups before the answer are the same wait). One row per stretch in which
 * the customer wrote: (case_id, stretch, asked, answered), answered NULL while unanswered.
 */
export function waitsSql(scope: CaseScope): RawBuilder<{ case_id: string; stretch: number; asked: Date; answered: Date | null }> {
	return sql`SELECT case_id, stretch, min(sent_at) FILTER (WHERE asks) AS asked, min(sent_at) FILTER (WHERE answers) AS answered
		FROM (
			SELECT m.case_id, m.sent_at, m.author_role = 'customer' AS asks, (m.author_role = 'agent' AND m.is_public) AS answers,
				coalesce(sum(CASE WHEN m.author_role = 'agent' AND m.is_public THEN 1 ELSE 0 END) OVER (PARTITION BY m.case_id ORDER BY m.sequence ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS stretch
			FROM messages m ${within(scope)}
		) GROUP BY case_id, stretch HAVING count(*) FILTER (WHERE asks) > 0`;
}

/**
 * Per case in `scope` with an internal note of MIN_NOTE_CHARS or more: whether none of its notes
 * appears (without case) in a public message of an agent, bot or the system. One pass over the
 * messages, grouped by case, comparing lists: a join of notes to public messages on the case with
 * contains() as its condition took 22 s on the 50,000-case demo.
 */
export function notesPrivateSql(scope: CaseScope): RawBuilder<{ case_id: string; private: boolean }> {
	return sql`SELECT case_id, len(list_filter(notes, lambda n: len(list_filter(coalesce(public_texts, []), lambda p: contains(p, n))) > 0)) = 0 AS private FROM (
			SELECT m.case_id,
				list(lower(trim(m.body))) FILTER (WHERE NOT m.is_public AND length(trim(m.body)) >= ${MIN_NOTE_CHARS}) AS notes,
				list(lower(m.body)) FILTER (WHERE m.is_public AND m.author_role <> 'customer') AS public_texts
			FROM messages m ${within(scope)} GROUP BY m.case_id
		) WHERE notes IS NOT NULL`;
}

/** The kept waits and notes (migration 0018-thread-facts) of the cases in `scope`; call keepThreadFacts first. */
export function keptThreadsSql(scope: CaseScope): { waits: ReturnType<typeof waitsSql>; notes: ReturnType<typeof notesPrivateSql> } {
	const where = scope ? sql`WHERE case_id IN ${scope}` : sql``;
	return {
		waits: sql`SELECT case_id, stretch, asked, answered FROM thread_waits ${where}`,
		notes: sql`SELECT case_id, private FROM thread_notes ${where}`
	};
}

const THREAD_FACTS: KeptTable = { name: 'thread_facts', reads: ['messages'] };

/**
 * Brings thread_waits and thread_notes up to date with the committed messages imports; returns
 * whether it had to. A messages import replaces whole threads (every message of its cases), so
 * after messages imports only the facts of their cases are derived again.
 */
export function keepThreadFacts(db: Kysely<Database>): Promise<boolean> {
	return keepCurrent(db, THREAD_FACTS, settingsOfSql(db, waitsSql(null), notesPrivateSql(null)), async (trx, refresh) => {
		const scope = refresh.kind === 'since' ? sql`(SELECT DISTINCT case_id FROM messages WHERE batch_id > ${refresh.after})` : null;
		for (const [table, rows] of [
			['thread_waits', waitsSql(scope)],
			['thread_notes', notesPrivateSql(scope)]
		] as const) {
			await (scope ? sql`DELETE FROM ${sql.table(table)} WHERE case_id IN ${scope}` : sql`DELETE FROM ${sql.table(table)}`).execute(trx);
			await sql`INSERT INTO ${sql.table(table)} BY NAME ${rows}`.execute(trx);
		}
	});
}
