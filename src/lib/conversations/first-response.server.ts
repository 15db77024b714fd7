import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../core/db/schema';
import type { FirstResponseComparison } from './model';

export type { FirstResponseComparison };

/**
 * The first response a case's thread gives: the first public agent message after the first
 * customer message (README.md, Metrics: "first public agent reply"). Bots, system messages and
 * internal notes never count; neither does an agent message before the customer wrote (an
 * outbound contact is not an answer). "After" is by the thread's order (sequence), which the
 * import sets by time, so a reply logged in the same second as the question still counts.
 *
 * A SELECT of (case_id, first_response_at) over every case with such a message, optionally only
 * the cases of one messages import: an import replaces every earlier message of its cases, so
 * their whole threads are that batch's rows. One pass, grouped by case, with the replies kept as a
 * list and filtered against the opening (a join of two aggregates took three times as long on the
 * demo's 270,000 messages). Metrics can join it where a case carries no first_response_at.
 */
export function derivedFirstResponseSql(batchId?: number): RawBuilder<{ case_id: string; first_response_at: Date }> {
	const scope = batchId === undefined ? sql`` : sql`WHERE batch_id = ${batchId}`;
	return sql`SELECT * FROM (
			SELECT case_id, list_min(list_transform(list_filter(replies, lambda r: r.s > opening), lambda r: r.t)) AS first_response_at
			FROM (
				SELECT case_id, min(sequence) FILTER (WHERE author_role = 'customer') AS opening,
					list({'s': sequence, 't': sent_at}) FILTER (WHERE author_role = 'agent' AND is_public) AS replies
				FROM messages ${scope} GROUP BY case_id
			)
			WHERE opening IS NOT NULL
		) WHERE first_response_at IS NOT NULL`;
}

/** Per case id asked for, the derived first response (null when the thread gives none or the case has no messages). */
export async function derivedFirstResponses(db: Kysely<Database>, caseIds: readonly string[]): Promise<Map<string, Date | null>> {
	const result = new Map<string, Date | null>(caseIds.map((id) => [id, null]));
	if (caseIds.length === 0) return result;
	const { rows } = await sql<{ case_id: string; first_response_at: Date }>`SELECT * FROM (${derivedFirstResponseSql()}) d
		WHERE list_contains([${sql.join(caseIds.map((id) => sql.val(id)))}]::VARCHAR[], d.case_id)`.execute(db);
	for (const row of rows) result.set(row.case_id, row.first_response_at);
	return result;
}


/** Compares the cases of one messages import with the first response their threads give; changes nothing. */
export async function compareFirstResponses(db: Kysely<Database> | Transaction<Database>, batchId: number): Promise<FirstResponseComparison> {
	const joined = sql`SELECT c.case_id, c.first_response_at AS recorded, d.first_response_at AS derived
		FROM cases c
		JOIN (SELECT DISTINCT case_id FROM messages WHERE batch_id = ${batchId}) b ON b.case_id = c.case_id
		LEFT JOIN (${derivedFirstResponseSql(batchId)}) d ON d.case_id = c.case_id`;
	const differs = sql`(recorded IS NULL) <> (derived IS NULL) OR abs(epoch(recorded) - epoch(derived)) >= 60`;
	const counts = (
		await sql<{ compared: number; different_time: number; only_case: number; only_messages: number }>`SELECT count(*) AS compared,
			count(*) FILTER (WHERE abs(epoch(recorded) - epoch(derived)) >= 60) AS different_time,
			count(*) FILTER (WHERE recorded IS NOT NULL AND derived IS NULL) AS only_case,
			count(*) FILTER (WHERE recorded IS NULL AND derived IS NOT NULL) AS only_messages
			FROM (${joined})`.execute(db)
	).rows[0];
	const examples = await sql<{ case_id: string; recorded: Date | null; derived: Date | null }>`SELECT * FROM (${joined}) WHERE ${differs} ORDER BY case_id LIMIT 5`.execute(db);
	const compared = Number(counts.compared);
	const differ = Number(counts.different_time) + Number(counts.only_case) + Number(counts.only_messages);
	return {
		compared,
		same: compared - differ,
		differ,
		different_time: Number(counts.different_time),
		only_case: Number(counts.only_case),
		only_messages: Number(counts.only_messages),
		examples: examples.rows.map((r) => ({ case_id: r.case_id, case_first_response_at: r.recorded, derived_first_response_at: r.derived }))
	};
}
