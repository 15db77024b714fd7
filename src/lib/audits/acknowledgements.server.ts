import { sql, type Kysely } from 'kysely';
import type { SessionUser } from '../core/auth/roles';
import { can } from '../core/auth/access-rules';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { AuditError } from './audit-error';
import { parseScores, type ReviewRow } from './reviews.server';
import type { ReviewScores } from './scorecard';
import { templateById, currentTemplate, type ScorecardTemplate } from './templates.server';

/**
 * Agents close the loop (README.md, Audits): an account with the agent role is linked to the agent
 * it is, as cases.agent_id names them; it reads the submitted reviews of its own cases, acknowledges
 * them, and may dispute one item (disputes.server.ts). The link, not the role alone, decides which
 * reviews: every read here goes through `ownReviewOrRefuse`.
 */

/** The agent an account is, or null when it is not linked. */
export async function agentLinkOf(db: Kysely<Database>, username: string): Promise<string | null> {
	const row = await db.selectFrom('agent_links').select('agent_id').where('username', '=', username).executeTakeFirst();
	return row?.agent_id ?? null;
}

export async function listAgentLinks(db: Kysely<Database>) {
	return db.selectFrom('agent_links').innerJoin('users', 'users.username', 'agent_links.username').select(['agent_links.username', 'agent_links.agent_id', 'agent_links.linked_by', 'agent_links.linked_at', 'users.display_name']).orderBy('agent_links.username').execute();
}

/** Links an agent account to an agent id that appears in the cases; a new link replaces the old one, logged. */
export async function linkAgent(db: Kysely<Database>, username: string, agentId: string, actor: SessionUser | 'system:demo', now = new Date()): Promise<void> {
	const actorName = actor === 'system:demo' ? actor : actor.username;
	if (actor !== 'system:demo' && !can(actor.role, 'agents.link')) throw new AuditError(403, 'Administrators link agent accounts.');
	const agent = agentId.trim();
	const account = await db.selectFrom('users').select(['username', 'role']).where('username', '=', username).executeTakeFirst();
	if (!account) throw new AuditError(404, `There is no account ${username}.`, 'Add it under Admin → Users first.');
	if (!can(account.role as SessionUser['role'], 'reviews.read_own_agent')) throw new AuditError(400, `${username} does not have the agent role.`, 'Give the account the agent role under Admin → Users, then link it.');
	const known = await db.selectFrom('cases').select('agent_id').where('agent_id', '=', agent).limit(1).executeTakeFirst();
	if (!known) throw new AuditError(400, `No case names the agent "${agent}".`, 'Use the agent id exactly as the cases hold it (e.g. agent-001).');
	await db.transaction().execute(async (trx) => {
		const before = await trx.selectFrom('agent_links').select('agent_id').where('username', '=', username).executeTakeFirst();
		await trx.deleteFrom('agent_links').where('username', '=', username).execute();
		await trx.insertInto('agent_links').values({ username, agent_id: agent, linked_by: actorName, linked_at: now }).execute();
		await recordAudit(trx, { actor: actorName, action: 'audit.agent.link', target: `account ${username}`, before: before ? { agent_id: before.agent_id } : undefined, after: { agent_id: agent } });
	});
}

/** The agent behind the user, or a refusal: the role must allow reading own reviews and the account must be linked. */
async function agentOf(db: Kysely<Database>, user: SessionUser): Promise<string> {
	if (!can(user.role, 'reviews.read_own_agent')) throw new AuditError(403, 'Only agent accounts have their own reviews here.');
	const agent = await agentLinkOf(db, user.username);
	if (!agent) throw new AuditError(403, `The account ${user.username} is not linked to an agent yet.`, 'Ask an administrator to link it (Audits overview → Agent accounts).');
	return agent;
}

export interface AgentReview {
	review_id: number;
	case_id: string;
	reviewer: string;
	score: number | null;
	critical_failed: boolean | null;
	notes: string | null;
	submitted_at: Date | null;
	acknowledged_at: Date | null;
	dispute: { dispute_id: number; status: string; item_id: string | null } | null;
}

/** Submitted sample reviews of the agent's own cases (calibration reviews are about reviewers, not agents). */
export async function agentReviews(db: Kysely<Database>, user: SessionUser): Promise<{ agent: string; reviews: AgentReview[] }> {
	const agent = await agentOf(db, user);
	const { rows } = await sql<Omit<AgentReview, 'dispute'> & { dispute_id: number | null; dispute_status: string | null; item_id: string | null }>`
		SELECT r.review_id, r.case_id, r.reviewer, r.score, r.critical_failed, r.notes, r.submitted_at, a.acknowledged_at,
			d.dispute_id, d.status AS dispute_status, d.item_id
		FROM audit_reviews r JOIN cases c ON c.case_id = r.case_id
		LEFT JOIN review_acknowledgements a ON a.review_id = r.review_id
		LEFT JOIN (SELECT * FROM audit_disputes QUALIFY row_number() OVER (PARTITION BY review_id ORDER BY dispute_id DESC) = 1) d ON d.review_id = r.review_id
		WHERE c.agent_id = ${agent} AND r.kind = 'sample' AND r.status = 'submitted'
		ORDER BY (a.acknowledged_at IS NULL) DESC, r.submitted_at DESC, r.review_id DESC`.execute(db);
	return {
		agent,
		reviews: rows.map(({ dispute_id, dispute_status, item_id, ...r }) => ({ ...r, dispute: dispute_id === null ? null : { dispute_id, status: dispute_status ?? 'open', item_id } }))
	};
}

/** One review of the agent's own cases; another agent's review is refused like a missing one, so ids reveal nothing. */
async function ownReviewOrRefuse(db: Kysely<Database>, reviewId: number, user: SessionUser): Promise<{ agent: string; review: ReviewRow }> {
	const agent = await agentOf(db, user);
	const review = await db.selectFrom('audit_reviews').innerJoin('cases', 'cases.case_id', 'audit_reviews.case_id').selectAll('audit_reviews').select('cases.agent_id').where('review_id', '=', reviewId).executeTakeFirst();
	if (!review || review.agent_id !== agent || review.kind !== 'sample' || review.status !== 'submitted') throw new AuditError(404, `There is no review ${reviewId} of your cases.`, 'Open it from your list of reviews.');
	const { agent_id: _agent, ...row } = review;
	return { agent, review: row };
}

export interface AgentReviewDetail {
	review: AgentReview;
	template: ScorecardTemplate;
	scores: ReviewScores;
}

export async function agentReview(db: Kysely<Database>, reviewId: number, user: SessionUser): Promise<AgentReviewDetail> {
	const { review } = await ownReviewOrRefuse(db, reviewId, user);
	const template = (review.template_id !== null ? await templateById(db, review.template_id) : undefined) ?? (await currentTemplate(db));
	const listed = (await agentReviews(db, user)).reviews.find((r) => r.review_id === reviewId);
	if (!listed) throw new AuditError(404, `There is no review ${reviewId} of your cases.`);
	return { review: listed, template, scores: parseScores(review) };
}

/** Marks a review read. Idempotent: a second acknowledgement keeps the first time and writes nothing. */
export async function acknowledgeReview(db: Kysely<Database>, reviewId: number, user: SessionUser, now = new Date()): Promise<{ acknowledged_at: Date; already: boolean }> {
	if (!can(user.role, 'reviews.acknowledge')) throw new AuditError(403, 'Agents acknowledge the reviews of their own cases.');
	const { agent, review } = await ownReviewOrRefuse(db, reviewId, user);
	return db.transaction().execute(async (trx) => {
		const earlier = await trx.selectFrom('review_acknowledgements').select('acknowledged_at').where('review_id', '=', reviewId).executeTakeFirst();
		if (earlier) return { acknowledged_at: earlier.acknowledged_at, already: true };
		await trx.insertInto('review_acknowledgements').values({ review_id: reviewId, agent_id: agent, username: user.username, acknowledged_at: now }).execute();
		await recordAudit(trx, { actor: user.username, action: 'audit.review.acknowledge', target: `review ${reviewId} (case ${review.case_id})`, after: { agent, score: review.score } });
		return { acknowledged_at: now, already: false };
	});
}

/** Whether `user` is the agent of the review's case (for disputes.server.ts); refuses like ownReviewOrRefuse otherwise. */
export async function checkOwnReview(db: Kysely<Database>, reviewId: number, user: SessionUser): Promise<void> {
	await ownReviewOrRefuse(db, reviewId, user);
}

export interface AcknowledgementRate {
	agent_id: string;
	team: string | null;
	reviews: number;
	acknowledged: number;
	rate: number | null;
	/** Whether an account is linked to the agent: without one nobody can acknowledge. */
	linked: boolean;
}

/** Per agent: submitted sample reviews of their cases and how many were acknowledged (for leads). */
export async function acknowledgementRates(db: Kysely<Database>, user: SessionUser): Promise<AcknowledgementRate[]> {
	if (!can(user.role, 'acknowledgements.read')) throw new AuditError(403, 'Leads and QA managers read acknowledgement rates.');
	const { rows } = await sql<Omit<AcknowledgementRate, 'rate'>>`
		SELECT c.agent_id, any_value(c.team) AS team, count(*)::INTEGER AS reviews, count(a.review_id)::INTEGER AS acknowledged,
			bool_or(c.agent_id IN (SELECT agent_id FROM agent_links)) AS linked
		FROM audit_reviews r JOIN cases c ON c.case_id = r.case_id
		LEFT JOIN review_acknowledgements a ON a.review_id = r.review_id
		WHERE r.kind = 'sample' AND r.status = 'submitted' AND c.agent_id IS NOT NULL
		GROUP BY c.agent_id ORDER BY c.agent_id`.execute(db);
	return rows.map((r) => ({ ...r, linked: Boolean(r.linked), rate: r.reviews ? r.acknowledged / r.reviews : null }));
}
