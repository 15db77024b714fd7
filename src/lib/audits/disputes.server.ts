import { sql, type Kysely } from 'kysely';
import type { SessionUser } from '../core/auth/roles';
import { reviewScore, type ReviewScores } from './scorecard';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { AuditError } from './audit-error';
import { currentTemplate, templateById } from './templates.server';
import { can } from '../core/auth/access-rules';


/** A lead disputes a submitted sample review; the review's scores at that moment are kept on the dispute. */
export async function raiseDispute(db: Kysely<Database>, reviewId: number, reason: string, user: SessionUser, now = new Date()): Promise<number> {
	if (!can(user.role, 'disputes.raise')) throw new AuditError(403, 'Support leads raise disputes.');
	const text = reason.trim();
	if (text.length < 5) throw new AuditError(400, 'Say why the review is disputed (a sentence at least).');
	return db.transaction().execute(async (trx) => {
		const review = await trx.selectFrom('audit_reviews').selectAll().where('review_id', '=', reviewId).executeTakeFirst();
		if (!review) throw new AuditError(404, `There is no review ${reviewId}.`);
		if (review.status !== 'submitted' || review.kind !== 'sample') throw new AuditError(409, 'Only submitted audit reviews can be disputed.');
		const open = await trx.selectFrom('audit_disputes').select('dispute_id').where('review_id', '=', reviewId).where('status', '=', 'open').executeTakeFirst();
		if (open) throw new AuditError(409, `Review ${reviewId} already has an open dispute (${open.dispute_id}).`);
		const row = await trx
			.insertInto('audit_disputes')
			.values({ review_id: reviewId, raised_by: user.username, raised_at: now, reason: text.slice(0, 2000), status: 'open', resolved_by: null, resolved_at: null, resolution_note: null, original_score: review.score, original_ratings: review.ratings, original_critical: review.critical, new_score: null, new_ratings: null, new_critical: null })
			.returning('dispute_id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, { actor: user.username, action: 'audit.dispute.raise', target: `dispute ${row.dispute_id} (review ${reviewId})`, after: { reason: text, score: review.score } });
		return row.dispute_id;
	});
}

export type DisputeDecision = { decision: 'uphold'; note: string } | { decision: 'change'; note: string; scores: ReviewScores };

/**
 * A QA manager upholds the review or changes its scores. A change adds a review revision (the
 * history keeps every earlier state); the dispute keeps the original and the new scores.
 */
export async function resolveDispute(db: Kysely<Database>, disputeId: number, decision: DisputeDecision, user: SessionUser, now = new Date()): Promise<void> {
	if (!can(user.role, 'disputes.resolve')) throw new AuditError(403, 'QA managers resolve disputes.');
	const note = decision.note.trim().slice(0, 2000);
	if (note.length < 3) throw new AuditError(400, 'Say why (a short note is kept with the decision).');
	await db.transaction().execute(async (trx) => {
		const dispute = await trx.selectFrom('audit_disputes').selectAll().where('dispute_id', '=', disputeId).executeTakeFirst();
		if (!dispute) throw new AuditError(404, `There is no dispute ${disputeId}.`);
		if (dispute.status !== 'open') throw new AuditError(409, `Dispute ${disputeId} was already resolved (${dispute.status}) by ${dispute.resolved_by}.`);
		const review = await trx.selectFrom('audit_reviews').selectAll().where('review_id', '=', dispute.review_id).executeTakeFirstOrThrow();
		if (decision.decision === 'uphold') {
			await trx.updateTable('audit_disputes').set({ status: 'upheld', resolved_by: user.username, resolved_at: now, resolution_note: note }).where('dispute_id', '=', disputeId).execute();
			await recordAudit(trx, { actor: user.username, action: 'audit.dispute.uphold', target: `dispute ${disputeId} (review ${review.review_id})`, after: { note, score: review.score } });
			return;
		}
		const template = (review.template_id !== null ? await templateById(trx, review.template_id) : undefined) ?? (await currentTemplate(trx));
		const result = reviewScore(template.body, decision.scores);
		if (!result.complete) throw new AuditError(400, 'Rate every category for the changed review.');
		const revision = review.revision + 1;
		const ratings = JSON.stringify(decision.scores.ratings);
		const critical = JSON.stringify(decision.scores.critical);
		await trx.updateTable('audit_reviews').set({ ratings, critical, score: result.score, critical_failed: result.critical_failed.length > 0, revision, updated_at: now }).where('review_id', '=', review.review_id).execute();
		await trx.insertInto('audit_review_history').values({ review_id: review.review_id, revision, at: now, actor: user.username, action: `dispute_change (dispute ${disputeId})`, status: review.status, reviewer: review.reviewer, template_id: review.template_id, ratings, critical, notes: review.notes, score: result.score }).execute();
		await trx.updateTable('audit_disputes').set({ status: 'changed', resolved_by: user.username, resolved_at: now, resolution_note: note, new_score: result.score, new_ratings: ratings, new_critical: critical }).where('dispute_id', '=', disputeId).execute();
		await recordAudit(trx, { actor: user.username, action: 'audit.dispute.change', target: `dispute ${disputeId} (review ${review.review_id})`, before: { score: review.score, ratings: review.ratings ? JSON.parse(review.ratings) : null }, after: { score: result.score, ratings: decision.scores.ratings, note } });
	});
}

export async function listDisputes(db: Kysely<Database>, options: { reviewId?: number } = {}) {
	const { rows } = await sql<{
		dispute_id: number;
		review_id: number;
		case_id: string;
		reviewer: string;
		raised_by: string;
		raised_at: Date;
		reason: string;
		status: string;
		resolved_by: string | null;
		resolved_at: Date | null;
		resolution_note: string | null;
		original_score: number | null;
		new_score: number | null;
	}>`SELECT d.dispute_id, d.review_id, r.case_id, r.reviewer, d.raised_by, d.raised_at, d.reason, d.status, d.resolved_by, d.resolved_at, d.resolution_note, d.original_score, d.new_score
		FROM audit_disputes d JOIN audit_reviews r ON r.review_id = d.review_id
		WHERE ${options.reviewId ? sql`d.review_id = ${options.reviewId}` : sql`true`}
		ORDER BY CASE d.status WHEN 'open' THEN 0 ELSE 1 END, d.dispute_id DESC`.execute(db);
	return rows;
}
