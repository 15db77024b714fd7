import { sql } from 'kysely';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { csvResponse } from '$lib/core/csv-response.server';

/**
 * Submitted reviews with their design weight and scorecard version; drafts stay private to their
 * reviewer. N/A marks, root causes and pinned comments come last, as JSON like the ratings, so the
 * columns of earlier exports keep their places.
 */
export const GET: RequestHandler = async () => {
	const { db } = await getDatabase();
	const { rows } = await sql<Record<string, unknown>>`
		SELECT r.review_id, r.kind, r.sample_id, r.session_id, r.case_id, r.reviewer, t.name AS template, t.version AS template_version,
			r.score, r.critical_failed, r.ratings, r.critical, r.notes, r.submitted_at, r.revision, r.na, r.root_causes, r.pins,
			sc.stratum, sc.inclusion_probability, 1.0 / sc.inclusion_probability AS weight,
			c.region, c.team, c.agent_id, c.category,
			(SELECT count(*) FROM audit_disputes d WHERE d.review_id = r.review_id) AS disputes
		FROM audit_reviews r
		LEFT JOIN scorecard_templates t ON t.template_id = r.template_id
		LEFT JOIN audit_sample_cases sc ON sc.sample_id = r.sample_id AND sc.case_id = r.case_id
		JOIN cases c ON c.case_id = r.case_id
		WHERE r.status = 'submitted'
		ORDER BY r.review_id`.execute(db);
	async function* iterate() {
		yield* rows;
	}
	return csvResponse(
		'audit-reviews.csv',
		['review_id', 'kind', 'sample_id', 'session_id', 'case_id', 'reviewer', 'template', 'template_version', 'score', 'critical_failed', 'ratings', 'critical', 'notes', 'submitted_at', 'revision', 'stratum', 'inclusion_probability', 'weight', 'region', 'team', 'agent_id', 'category', 'disputes', 'na', 'root_causes', 'pins'],
		iterate()
	);
};
