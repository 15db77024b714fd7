import { sql, type Kysely } from 'kysely';
import type { SessionUser } from '../core/auth/roles';
import { checkReviewScores, failedItems, reviewScore, type ReviewScores } from './scorecard';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { AuditError } from './audit-error';
import { currentTemplate, templateById, type ScorecardTemplate } from './templates.server';
import { can } from '../core/auth/access-rules';
import { checkOwnReview } from './acknowledgements.server';
import { parseScores } from './reviews.server';

/**
 * A lead disputes a submitted sample review, or an agent one item of a review of their own case;
 * the review's scores at that moment are kept on the dispute. `itemId` names a category or
 * critical item of the review's scorecard (null: the whole review, leads only).
 */
export async function raiseDispute(db: Kysely<Database>, reviewId: number, reason: string, user: SessionUser, now = new Date(), itemId: string | null = null): Promise<number> {
	const asAgent = !can(user.role, 'disputes.raise') && can(user.role, 'disputes.raise_own');
	if (!can(user.role, 'disputes.raise') && !asAgent) throw new AuditError(403, 'Support leads (and agents, on their own reviews) raise disputes.');
	const text = reason.trim();
	if (text.length < 5) throw new AuditError(400, 'Say why the review is disputed (a sentence at least).');
	if (asAgent) {
		// The agent link decides: another agent's review is refused as if it did not exist.
		await checkOwnReview(db, reviewId, user);
		if (itemId === null) throw new AuditError(400, 'Choose the item you dispute.', 'An agent disputes one item of the scorecard at a time.');
	}
	return db.transaction().execute(async (trx) => {
		const review = await trx.selectFrom('audit_reviews').selectAll().where('review_id', '=', reviewId).executeTakeFirst();
		if (!review) throw new AuditError(404, `There is no review ${reviewId}.`);
		if (review.status !== 'submitted' || review.kind !== 'sample') throw new AuditError(409, 'Only submitted audit reviews can be disputed.');
		if (itemId !== null) {
			const template = await templateOf(trx, review.template_id);
			if (!itemsOf(template).some((i) => i.id === itemId)) throw new AuditError(400, `"${itemId}" is not an item of the scorecard this review used.`, 'Pick an item from the review.');
		}
		const open = await trx.selectFrom('audit_disputes').select('dispute_id').where('review_id', '=', reviewId).where('status', '=', 'open').executeTakeFirst();
		if (open) throw new AuditError(409, `Review ${reviewId} already has an open dispute (${open.dispute_id}).`);
		const row = await trx
			.insertInto('audit_disputes')
			.values({ review_id: reviewId, raised_by: user.username, raised_at: now, reason: text.slice(0, 2000), status: 'open', resolved_by: null, resolved_at: null, resolution_note: null, original_score: review.score, original_ratings: review.ratings, original_critical: review.critical, new_score: null, new_ratings: null, new_critical: null, item_id: itemId })
			.returning('dispute_id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, { actor: user.username, action: 'audit.dispute.raise', target: `dispute ${row.dispute_id} (review ${reviewId})`, after: { reason: text, score: review.score, item: itemId } });
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
		const template = await templateOf(trx, review.template_id);
		// The reviewer's root causes stay with the items that still fail; an item the change passes loses its cause.
		const earlierCauses: Record<string, string> = review.root_causes ? JSON.parse(review.root_causes) : {};
		const scores = { ...decision.scores, root_causes: Object.fromEntries(failedItems(template.body, decision.scores).filter((id) => earlierCauses[id]).map((id) => [id, earlierCauses[id]])) };
		const checked = checkReviewScores(template.body, scores, false);
		if (!checked.ok) throw new AuditError(400, checked.problem);
		const result = reviewScore(template.body, scores);
		if (!result.complete) throw new AuditError(400, 'Rate every category for the changed review (or mark it N/A where the scorecard allows).');
		const revision = review.revision + 1;
		const ratings = JSON.stringify(scores.ratings);
		const critical = JSON.stringify(scores.critical);
		const na = JSON.stringify(scores.na ?? []);
		const rootCauses = JSON.stringify(scores.root_causes);
		await trx.updateTable('audit_reviews').set({ ratings, critical, na, root_causes: rootCauses, score: result.score, critical_failed: result.critical_failed.length > 0, revision, updated_at: now }).where('review_id', '=', review.review_id).execute();
		await trx.insertInto('audit_review_history').values({ review_id: review.review_id, revision, at: now, actor: user.username, action: `dispute_change (dispute ${disputeId})`, status: review.status, reviewer: review.reviewer, template_id: review.template_id, ratings, critical, na, root_causes: rootCauses, pins: review.pins, notes: review.notes, score: result.score }).execute();
		await trx.updateTable('audit_disputes').set({ status: 'changed', resolved_by: user.username, resolved_at: now, resolution_note: note, new_score: result.score, new_ratings: ratings, new_critical: critical }).where('dispute_id', '=', disputeId).execute();
		await recordAudit(trx, { actor: user.username, action: 'audit.dispute.change', target: `dispute ${disputeId} (review ${review.review_id})`, before: { score: review.score, ratings: review.ratings ? JSON.parse(review.ratings) : null }, after: { score: result.score, ratings: decision.scores.ratings, note } });
	});
}

async function templateOf(db: Kysely<Database>, templateId: number | null): Promise<ScorecardTemplate> {
	return (templateId !== null ? await templateById(db, templateId) : undefined) ?? (await currentTemplate(db));
}

function itemsOf(template: ScorecardTemplate): { id: string; label: string; kind: 'category' | 'critical' }[] {
	return [...template.body.categories.map((c) => ({ id: c.id, label: c.label, kind: 'category' as const })), ...template.body.critical_items.map((i) => ({ id: i.id, label: i.label, kind: 'critical' as const }))];
}

/** One scorecard item before the dispute and after its resolution (after: null while open or upheld). */
export interface DisputeItem {
	id: string;
	label: string;
	kind: 'category' | 'critical';
	/** A rating, or for a critical item 'failed' / 'passed'; null when not rated. */
	before: number | string | null;
	after: number | string | null;
	changed: boolean;
	disputed: boolean;
}

export function disputeItems(template: ScorecardTemplate, d: { original_ratings: string | null; original_critical: string | null; new_ratings: string | null; new_critical: string | null; item_id: string | null; status: string }): DisputeItem[] {
	const before = parseScores({ ratings: d.original_ratings, critical: d.original_critical });
	const after = d.status === 'changed' ? parseScores({ ratings: d.new_ratings, critical: d.new_critical }) : null;
	const value = (s: ReviewScores, item: { id: string; kind: 'category' | 'critical' }) => (item.kind === 'category' ? (s.ratings[item.id] ?? null) : s.critical[item.id] === true ? 'failed' : 'passed');
	return itemsOf(template).map((item) => {
		const b = value(before, item);
		const a = after ? value(after, item) : null;
		return { ...item, before: b, after: a, changed: after !== null && a !== b, disputed: d.item_id === item.id };
	});
}

export async function listDisputes(db: Kysely<Database>, options: { reviewId?: number } = {}) {
	const { rows } = await sql<{
		dispute_id: number;
		review_id: number;
		case_id: string;
		reviewer: string;
		template_id: number | null;
		raised_by: string;
		raised_at: Date;
		reason: string;
		status: string;
		resolved_by: string | null;
		resolved_at: Date | null;
		resolution_note: string | null;
		original_score: number | null;
		new_score: number | null;
		original_ratings: string | null;
		original_critical: string | null;
		new_ratings: string | null;
		new_critical: string | null;
		item_id: string | null;
	}>`SELECT d.dispute_id, d.review_id, r.case_id, r.reviewer, r.template_id, d.raised_by, d.raised_at, d.reason, d.status, d.resolved_by, d.resolved_at, d.resolution_note, d.original_score, d.new_score,
			d.original_ratings, d.original_critical, d.new_ratings, d.new_critical, d.item_id
		FROM audit_disputes d JOIN audit_reviews r ON r.review_id = d.review_id
		WHERE ${options.reviewId ? sql`d.review_id = ${options.reviewId}` : sql`true`}
		ORDER BY CASE d.status WHEN 'open' THEN 0 ELSE 1 END, d.dispute_id DESC`.execute(db);
	const templates = new Map<number | null, ScorecardTemplate>();
	const out = [];
	for (const { original_ratings, original_critical, new_ratings, new_critical, ...row } of rows) {
		if (!templates.has(row.template_id)) templates.set(row.template_id, await templateOf(db, row.template_id));
		const template = templates.get(row.template_id) as ScorecardTemplate;
		const items = disputeItems(template, { original_ratings, original_critical, new_ratings, new_critical, item_id: row.item_id, status: row.status });
		out.push({ ...row, item_label: items.find((i) => i.disputed)?.label ?? null, items });
	}
	return out;
}
