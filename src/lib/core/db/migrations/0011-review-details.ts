import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What a reviewer records beyond ratings (src/lib/audits/scorecard.ts, src/lib/audits/reviews.server.ts):
 * the categories marked N/A, a root cause per failed item and comments pinned to messages of the
 * case's thread, all JSON text. The history keeps them per revision like the ratings. Reviews saved
 * before have none (null reads as none).
 */
export const reviewDetailsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		for (const table of ['audit_reviews', 'audit_review_history']) {
			// JSON array of category ids
			await sql`alter table ${sql.table(table)} add column na varchar`.execute(db);
			// JSON object: item id -> root cause
			await sql`alter table ${sql.table(table)} add column root_causes varchar`.execute(db);
			// JSON array of {case_id, sequence, comment}: a message of the thread is (case_id, sequence)
			await sql`alter table ${sql.table(table)} add column pins varchar`.execute(db);
		}
	}
};
