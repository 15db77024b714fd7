import { withLock } from '../core/keyed-lock';
import { sql, type Kysely } from 'kysely';
import type { SessionUser } from '../core/auth/roles';
import { reviewScore, type ReviewScores } from './scorecard';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import type { AuditReviewsTable } from '../core/db/audit-schema.server';
import { AuditError } from './audit-error';
import { currentTemplate, templateById, type ScorecardTemplate } from './templates.server';
import { can } from '../core/auth/access-rules';

export type ReviewRow = { [K in keyof AuditReviewsTable]: AuditReviewsTable[K] extends { __select__: infer S } ? S : AuditReviewsTable[K] };

export function parseScores(review: Pick<ReviewRow, 'ratings' | 'critical'>): ReviewScores {
	return { ratings: review.ratings ? (JSON.parse(review.ratings) as ReviewScores['ratings']) : {}, critical: review.critical ? (JSON.parse(review.critical) as ReviewScores['critical']) : {} };
}

export async function reviewerQueue(db: Kysely<Database>, username: string) {
	const { rows } = await sql<{
		review_id: number;
		kind: string;
		sample_id: number | null;
		session_id: number | null;
		case_id: string;
		status: string;
		score: number | null;
		updated_at: Date;
		region: string;
		category: string;
		agent_id: string | null;
	}>`SELECT r.review_id, r.kind, r.sample_id, r.session_id, r.case_id, r.status, r.score, r.updated_at, c.region, c.category, c.agent_id
		FROM audit_reviews r JOIN cases c ON c.case_id = r.case_id
		WHERE r.reviewer = ${username}
		ORDER BY CASE r.status WHEN 'draft' THEN 0 WHEN 'assigned' THEN 1 ELSE 2 END, r.review_id`.execute(db);
	return rows;
}

/** The reviewer's next open review after `after` in queue order (drafts, then assigned), or null. */
export async function nextInQueue(db: Kysely<Database>, username: string, after: number): Promise<number | null> {
	const open = (await reviewerQueue(db, username)).filter((r) => r.status !== 'submitted' && r.review_id !== after);
	return open[0]?.review_id ?? null;
}

/** How many of the reviewer's reviews are still open (drafts and assigned). */
export async function remainingInQueue(db: Kysely<Database>, username: string): Promise<number> {
	return (await reviewerQueue(db, username)).filter((r) => r.status !== 'submitted').length;
}

/** Everyone but the reviewer themself sees a review only once it is submitted. */
function isOwner(review: ReviewRow, user: SessionUser): boolean {
	return review.reviewer === user.username;
}

export interface OpenedReview {
	review: ReviewRow;
	template: ScorecardTemplate;
	scores: ReviewScores | null;
	canEdit: boolean;
	history: { revision: number; at: Date; actor: string; action: string; status: string; score: number | null }[];
}

/**
 * A review as `user` may see it. Reviewers open only their own reviews (drafts included); other
 * audit roles see every review, but a draft's scores stay hidden until it is submitted.
 */
export async function openReview(db: Kysely<Database>, reviewId: number, user: SessionUser): Promise<OpenedReview> {
	const review = await db.selectFrom('audit_reviews').selectAll().where('review_id', '=', reviewId).executeTakeFirst();
	if (!review) throw new AuditError(404, `There is no review ${reviewId}.`);
	const owner = isOwner(review, user);
	if (!owner && !can(user.role, 'reviews.open_others')) throw new AuditError(403, `Review ${reviewId} is assigned to another reviewer; reviewers open only their own reviews.`);
	const template = (review.status !== 'assigned' && review.template_id !== null ? await templateById(db, review.template_id) : undefined) ?? (await currentTemplate(db));
	const history = await db.selectFrom('audit_review_history').select(['revision', 'at', 'actor', 'action', 'status', 'score']).where('review_id', '=', reviewId).orderBy('revision').execute();
	const visible = owner || review.status === 'submitted';
	return { review, template, scores: visible ? parseScores(review) : null, canEdit: owner && review.status !== 'submitted', history };
}

/**
 * Saves a draft or submits. Only the assigned reviewer may, and only until the review is
 * submitted; a submitted review changes only through a dispute. Every save adds a history row
 * (the previous state stays) and an audit record.
 */
export async function saveReview(db: Kysely<Database>, reviewId: number, user: SessionUser, input: { scores: ReviewScores; notes: string; submit: boolean }, now = new Date()): Promise<ReviewRow> {
	// Saves of one review queue: a double submit then meets "already submitted" (409), not a write conflict (500).
	return withLock(`review:${reviewId}`, () => writeReview(db, reviewId, user, input, now));
}

async function writeReview(db: Kysely<Database>, reviewId: number, user: SessionUser, input: { scores: ReviewScores; notes: string; submit: boolean }, now: Date): Promise<ReviewRow> {
	return db.transaction().execute(async (trx) => {
		const review = await trx.selectFrom('audit_reviews').selectAll().where('review_id', '=', reviewId).executeTakeFirst();
		if (!review) throw new AuditError(404, `There is no review ${reviewId}.`);
		if (!isOwner(review, user)) throw new AuditError(403, `Review ${reviewId} is assigned to ${can(user.role, 'reviews.open_others') ? review.reviewer : 'another reviewer'}; only they can change it.`);
		if (review.status === 'submitted') throw new AuditError(409, `Review ${reviewId} was submitted${review.submitted_at ? ` on ${review.submitted_at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''} and can no longer be changed; a support lead can dispute it.`);
		// A review started now uses the newest template; once started it keeps its version.
		const template = review.status === 'assigned' || review.template_id === null ? await currentTemplate(trx) : ((await templateById(trx, review.template_id)) ?? (await currentTemplate(trx)));
		const result = reviewScore(template.body, input.scores);
		if (input.submit && !result.complete) {
			const missing = template.body.categories.filter((c) => result.missing.includes(c.id)).map((c) => c.label);
			throw new AuditError(400, `Rate every category before submitting (missing: ${missing.join(', ')}). Save a draft to finish later.`);
		}
		const revision = review.revision + 1;
		const status = input.submit ? 'submitted' : 'draft';
		const notes = input.notes.slice(0, 5000) || null;
		const values = {
			template_id: template.template_id,
			status,
			ratings: JSON.stringify(input.scores.ratings),
			critical: JSON.stringify(input.scores.critical),
			notes,
			score: result.score,
			critical_failed: result.critical_failed.length > 0,
			revision,
			updated_at: now,
			submitted_at: input.submit ? now : null
		} as const;
		await trx.updateTable('audit_reviews').set(values).where('review_id', '=', reviewId).where('status', '!=', 'submitted').execute();
		await trx
			.insertInto('audit_review_history')
			.values({ review_id: reviewId, revision, at: now, actor: user.username, action: input.submit ? 'submit' : 'save_draft', status, reviewer: review.reviewer, template_id: template.template_id, ratings: values.ratings, critical: values.critical, notes, score: result.score })
			.execute();
		await recordAudit(trx, {
			actor: user.username,
			action: input.submit ? 'audit.review.submit' : 'audit.review.save_draft',
			target: `review ${reviewId} (case ${review.case_id})`,
			before: { status: review.status, ratings: review.ratings ? JSON.parse(review.ratings) : null, score: review.score },
			after: { status, ratings: input.scores.ratings, critical: input.scores.critical, score: result.score, template: `${template.name} v${template.version}` }
		});
		return { ...review, ...values };
	});
}
