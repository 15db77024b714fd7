import { withLock } from '../core/keyed-lock';
import { sql, type Kysely } from 'kysely';
import type { SessionUser } from '../core/auth/roles';
import { checkReviewScores, reviewScore, type ReviewScores } from './scorecard';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { AuditError } from './audit-error';
import { currentTemplate, templateById, type ScorecardTemplate } from './templates.server';
import { can } from '../core/auth/access-rules';

type ReviewsTable = Database['audit_reviews'];
export type ReviewRow = { [K in keyof ReviewsTable]: ReviewsTable[K] extends { __select__: infer S } ? S : ReviewsTable[K] };

/** A comment pinned to one message of the case's thread; a message is (case_id, sequence) (src/lib/core/db/migrations/0008-messages.ts). */
export interface PinnedComment {
	case_id: string;
	sequence: number;
	comment: string;
}

/** The stored answers; N/A marks and root causes are read when the row carries them (migration 0011-review-details.ts). */
export function parseScores(review: Pick<ReviewRow, 'ratings' | 'critical'> & Partial<Pick<ReviewRow, 'na' | 'root_causes'>>): ReviewScores {
	return {
		ratings: review.ratings ? (JSON.parse(review.ratings) as ReviewScores['ratings']) : {},
		critical: review.critical ? (JSON.parse(review.critical) as ReviewScores['critical']) : {},
		na: review.na ? (JSON.parse(review.na) as string[]) : [],
		root_causes: review.root_causes ? (JSON.parse(review.root_causes) as Record<string, string>) : {}
	};
}

export function parsePins(review: Pick<ReviewRow, 'pins'>): PinnedComment[] {
	return review.pins ? (JSON.parse(review.pins) as PinnedComment[]) : [];
}

/** The longest pinned comment and the most pins a review keeps. */
export const PIN_LIMITS = { comment: 2000, pins: 50 };

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
	/** Comments pinned to messages, hidden with the scores while someone else's review is a draft. */
	pins: PinnedComment[];
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
	return { review, template, scores: visible ? parseScores(review) : null, pins: visible ? parsePins(review) : [], canEdit: owner && review.status !== 'submitted', history };
}

/**
 * Saves a draft or submits. Only the assigned reviewer may, and only until the review is
 * submitted; a submitted review changes only through a dispute. Every save adds a history row
 * (the previous state stays) and an audit record.
 */
export interface ReviewInput {
	scores: ReviewScores;
	notes: string;
	/** Comments pinned to messages of the review's case; omitted = none. */
	pins?: PinnedComment[];
	submit: boolean;
}

export async function saveReview(db: Kysely<Database>, reviewId: number, user: SessionUser, input: ReviewInput, now = new Date()): Promise<ReviewRow> {
	// Saves of one review queue: a double submit then meets "already submitted" (409), not a write conflict (500).
	return withLock(`review:${reviewId}`, () => writeReview(db, reviewId, user, input, now));
}

async function writeReview(db: Kysely<Database>, reviewId: number, user: SessionUser, input: ReviewInput, now: Date): Promise<ReviewRow> {
	return db.transaction().execute(async (trx) => {
		const review = await trx.selectFrom('audit_reviews').selectAll().where('review_id', '=', reviewId).executeTakeFirst();
		if (!review) throw new AuditError(404, `There is no review ${reviewId}.`);
		if (!isOwner(review, user)) throw new AuditError(403, `Review ${reviewId} is assigned to ${can(user.role, 'reviews.open_others') ? review.reviewer : 'another reviewer'}; only they can change it.`);
		if (review.status === 'submitted') throw new AuditError(409, `Review ${reviewId} was submitted${review.submitted_at ? ` on ${review.submitted_at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''} and can no longer be changed; a support lead can dispute it.`);
		// A review started now uses the newest template; once started it keeps its version.
		const template = review.status === 'assigned' || review.template_id === null ? await currentTemplate(trx) : ((await templateById(trx, review.template_id)) ?? (await currentTemplate(trx)));
		const checked = checkReviewScores(template.body, input.scores, input.submit);
		if (!checked.ok) throw new AuditError(400, checked.problem, input.submit ? 'Fix it, then submit again; or save a draft to finish later.' : 'Fix it, then save again.');
		const scores = checked.scores;
		const result = reviewScore(template.body, scores);
		if (input.submit && !result.complete) {
			if (result.missing.length === 0) throw new AuditError(400, 'Every category is marked N/A: rate at least one before submitting.', 'A review with nothing rated has no score.');
			const missing = template.body.categories.filter((c) => result.missing.includes(c.id)).map((c) => c.label);
			throw new AuditError(400, `Rate every category before submitting (missing: ${missing.join(', ')}). Save a draft to finish later.`);
		}
		const pins = await checkedPins(trx, review.case_id, input.pins ?? []);
		const revision = review.revision + 1;
		const status = input.submit ? 'submitted' : 'draft';
		const notes = input.notes.slice(0, 5000) || null;
		const values = {
			template_id: template.template_id,
			status,
			ratings: JSON.stringify(scores.ratings),
			critical: JSON.stringify(scores.critical),
			na: JSON.stringify(scores.na ?? []),
			root_causes: JSON.stringify(scores.root_causes ?? {}),
			pins: JSON.stringify(pins),
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
			.values({ review_id: reviewId, revision, at: now, actor: user.username, action: input.submit ? 'submit' : 'save_draft', status, reviewer: review.reviewer, template_id: template.template_id, ratings: values.ratings, critical: values.critical, na: values.na, root_causes: values.root_causes, pins: values.pins, notes, score: result.score })
			.execute();
		await recordAudit(trx, {
			actor: user.username,
			action: input.submit ? 'audit.review.submit' : 'audit.review.save_draft',
			target: `review ${reviewId} (case ${review.case_id})`,
			before: { status: review.status, ratings: review.ratings ? JSON.parse(review.ratings) : null, na: review.na ? JSON.parse(review.na) : null, root_causes: review.root_causes ? JSON.parse(review.root_causes) : null, pins: review.pins ? JSON.parse(review.pins) : null, score: review.score },
			after: { status, ratings: scores.ratings, critical: scores.critical, na: scores.na, root_causes: scores.root_causes, pins, score: result.score, template: `${template.name} v${template.version}` }
		});
		return { ...review, ...values };
	});
}

/**
 * Pins as stored: each names a message of the review's own case that exists, with a comment.
 * A message of another case is refused (a comment must sit beside what it is about).
 */
async function checkedPins(db: Kysely<Database>, caseId: string, pins: PinnedComment[]): Promise<PinnedComment[]> {
	if (pins.length > PIN_LIMITS.pins) throw new AuditError(400, `A review keeps at most ${PIN_LIMITS.pins} pinned comments; this save had ${pins.length}.`, 'Merge some comments.');
	const out: PinnedComment[] = [];
	for (const pin of pins) {
		if (pin.case_id !== caseId) throw new AuditError(400, `Message ${pin.sequence} of case ${pin.case_id} is not in this review's conversation (case ${caseId}); a comment can be pinned only to a message of the case under review.`, 'Pick a message from the conversation beside the scorecard.');
		const comment = pin.comment.trim();
		if (!comment) throw new AuditError(400, `The comment pinned to message ${pin.sequence} is empty.`, 'Write the comment or remove the pin.');
		if (comment.length > PIN_LIMITS.comment) throw new AuditError(400, `The comment pinned to message ${pin.sequence} is longer than ${PIN_LIMITS.comment} characters.`, 'Shorten it.');
		out.push({ case_id: caseId, sequence: pin.sequence, comment });
	}
	const sequences = [...new Set(out.map((p) => p.sequence))];
	if (sequences.length) {
		const found = await db.selectFrom('messages').select('sequence').where('case_id', '=', caseId).where('sequence', 'in', sequences).execute();
		const missing = sequences.filter((s) => !found.some((f) => f.sequence === s));
		if (missing.length) throw new AuditError(400, `Case ${caseId} has no message ${missing.join(', ')} to pin a comment to.`, 'Pick a message from the conversation beside the scorecard.');
	}
	return out;
}

/** The value of a message option on the review page: the message's case and its sequence ("C-1001#3"). */
export function messageRef(caseId: string, sequence: number): string {
	return `${caseId}#${sequence}`;
}

/**
 * Pins from the review form (pairs of fields pin.message = messageRef and pin.comment, in order);
 * a pair with an empty comment is an unused row and is skipped.
 */
export function pinsFromForm(form: { getAll(name: string): unknown[] }): { pins: PinnedComment[]; errors: string[] } {
	const messages = form.getAll('pin.message').map(String);
	const comments = form.getAll('pin.comment').map(String);
	const pins: PinnedComment[] = [];
	const errors: string[] = [];
	comments.forEach((comment, k) => {
		if (!comment.trim()) return;
		const ref = messages[k] ?? '';
		const at = ref.lastIndexOf('#');
		const sequence = Number(ref.slice(at + 1));
		if (at <= 0 || !/^\d{1,9}$/.test(ref.slice(at + 1))) errors.push(`Pinned comment ${k + 1} names no message: choose the message it is about.`);
		else pins.push({ case_id: ref.slice(0, at), sequence, comment });
	});
	return { pins, errors };
}
