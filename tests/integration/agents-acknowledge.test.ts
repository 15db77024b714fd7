import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SessionUser } from '../../src/lib/core/auth/roles';
import { DEFAULT_SCORECARD, type ReviewScores } from '../../src/lib/audits/scorecard';
import { parseSampleRequest } from '../../src/lib/audits/sample-request';
import { acknowledgeReview, acknowledgementRates, agentReview, agentReviews, linkAgent } from '../../src/lib/audits/acknowledgements.server';
import { listDisputes, raiseDispute } from '../../src/lib/audits/disputes.server';
import { reviewerQueue, saveReview } from '../../src/lib/audits/reviews.server';
import { assignSample, drawAuditSample } from '../../src/lib/audits/sampling.server';
import { listAudit } from '../../src/lib/core/audit-log.server';
import { addUser } from '../../src/lib/core/auth/users.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

let f: IngestFixture;
const users: Record<string, SessionUser> = {};
/** Submitted reviews with the agent of their case. */
let reviews: { review_id: number; agent_id: string }[] = [];
let mine = '';
let other = '';
/** The reviews acknowledged so far, counted by hand. */
const acknowledged = new Set<number>();

const FOURS: ReviewScores = {
	ratings: Object.fromEntries(DEFAULT_SCORECARD.categories.map((c) => [c.id, Math.min(4, c.scale.max)])),
	critical: Object.fromEntries(DEFAULT_SCORECARD.critical_items.map((i) => [i.id, false]))
};

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 300, seed: 13, end: new Date('2026-11-01T00:00:00Z') });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	for (const [username, role] of [['admin', 'admin'], ['qa', 'qa_manager'], ['rev1', 'reviewer'], ['lead', 'lead'], ['ann', 'agent'], ['bob', 'agent'], ['cat', 'agent']] as const) users[username] = await addUser(f.db, { username, role, password: `${username}-password-1` }, 'test');
	const { request } = parseSampleRequest(new URLSearchParams('design=simple&size=80&seed=2'));
	if (!request) throw new Error('bad request');
	const sample = await drawAuditSample(f.db, request, 'qa');
	await assignSample(f.db, sample.sample_id, { method: 'round_robin', reviewers: ['rev1'] }, 'qa');
	const queue = await reviewerQueue(f.db, 'rev1');
	// Leave a few unsubmitted: they must not appear to agents nor count in the rates.
	for (const r of queue.slice(0, -5)) await saveReview(f.db, r.review_id, users.rev1, { scores: FOURS, notes: 'Good tone.', submit: true });
	reviews = queue.slice(0, -5).map((r) => ({ review_id: r.review_id, agent_id: r.agent_id ?? '' }));
	const counts = new Map<string, number>();
	for (const r of reviews) counts.set(r.agent_id, (counts.get(r.agent_id) ?? 0) + 1);
	// The two agents with the most submitted reviews (at least two each for the tests below).
	[mine, other] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([a]) => a);
	if ((counts.get(other) ?? 0) < 2) throw new Error('the sample needs two agents with two reviews each');
	await linkAgent(f.db, 'ann', mine, users.admin);
	await linkAgent(f.db, 'bob', other, users.admin);
}, 120_000);

afterAll(async () => {
	await f?.dispose();
});

describe('agents close the loop', () => {
	test('only an administrator links an agent account, to an agent the cases name', async () => {
		await expect(linkAgent(f.db, 'cat', mine, users.lead)).rejects.toMatchObject({ status: 403 });
		await expect(linkAgent(f.db, 'cat', 'agent-nobody', users.admin)).rejects.toMatchObject({ status: 400 });
		await expect(linkAgent(f.db, 'rev1', mine, users.admin)).rejects.toMatchObject({ status: 400 });
		expect((await listAudit(f.db, { action: 'audit.agent.link' })).total).toBe(2);
	});

	test('an agent sees only the submitted reviews of their own cases, and cannot open another agent’s by id', async () => {
		const { agent, reviews: seen } = await agentReviews(f.db, users.ann);
		expect(agent).toBe(mine);
		expect(seen.map((r) => r.review_id).sort((a, b) => a - b)).toEqual(reviews.filter((r) => r.agent_id === mine).map((r) => r.review_id).sort((a, b) => a - b));
		const own = seen[0].review_id;
		expect((await agentReview(f.db, own, users.ann)).scores.ratings.agent_conduct).toBe(4);
		const foreign = reviews.find((r) => r.agent_id === other)?.review_id ?? 0;
		await expect(agentReview(f.db, foreign, users.ann)).rejects.toMatchObject({ status: 404 });
		await expect(acknowledgeReview(f.db, foreign, users.ann)).rejects.toMatchObject({ status: 404 });
		// Not linked, or not an agent: refused before any review is read.
		await expect(agentReviews(f.db, users.cat)).rejects.toMatchObject({ status: 403 });
		await expect(agentReviews(f.db, users.lead)).rejects.toMatchObject({ status: 403 });
	});

	test('acknowledging is idempotent and logged once', async () => {
		const own = (await agentReviews(f.db, users.ann)).reviews[0].review_id;
		const first = await acknowledgeReview(f.db, own, users.ann, new Date('2026-11-02T09:00:00Z'));
		const second = await acknowledgeReview(f.db, own, users.ann, new Date('2026-11-03T09:00:00Z'));
		acknowledged.add(own);
		expect(first.already).toBe(false);
		expect(second).toEqual({ acknowledged_at: first.acknowledged_at, already: true });
		expect((await agentReviews(f.db, users.ann)).reviews.find((r) => r.review_id === own)?.acknowledged_at).toEqual(new Date('2026-11-02T09:00:00Z'));
		const trail = await listAudit(f.db, { action: 'audit.review.acknowledge' });
		expect(trail.total).toBe(1);
		expect(trail.rows[0]).toMatchObject({ actor: 'ann', target: expect.stringContaining(`review ${own}`) });
		await expect(acknowledgeReview(f.db, own, users.lead)).rejects.toMatchObject({ status: 403 });
	});

	test('an agent disputes one item of their own review, not a whole review nor another agent’s', async () => {
		const own = (await agentReviews(f.db, users.ann)).reviews[1].review_id;
		const foreign = reviews.find((r) => r.agent_id === other)?.review_id ?? 0;
		await expect(raiseDispute(f.db, own, 'I disagree with the whole review.', users.ann)).rejects.toMatchObject({ status: 400 });
		await expect(raiseDispute(f.db, foreign, 'Not my case but I dispute it.', users.ann, new Date(), 'agent_conduct')).rejects.toMatchObject({ status: 404 });
		const id = await raiseDispute(f.db, own, 'The customer thanked me for my tone.', users.ann, new Date(), 'agent_conduct');
		const d = (await listDisputes(f.db)).find((x) => x.dispute_id === id);
		expect(d).toMatchObject({ raised_by: 'ann', item_id: 'agent_conduct', item_label: 'Agent conduct', status: 'open' });
		expect((await agentReviews(f.db, users.ann)).reviews.find((r) => r.review_id === own)?.dispute).toMatchObject({ dispute_id: id, item_id: 'agent_conduct' });
		expect((await listAudit(f.db, { action: 'audit.dispute.raise', actor: 'ann' })).total).toBe(1);
	});

	test('a lead’s acknowledgement rates equal a hand count', async () => {
		const ownIds = (await agentReviews(f.db, users.ann)).reviews.map((r) => r.review_id).sort((a, b) => a - b);
		for (const id of ownIds.slice(0, 2)) {
			await acknowledgeReview(f.db, id, users.ann);
			acknowledged.add(id);
		}
		const rates = await acknowledgementRates(f.db, users.lead);
		const byAgent = new Map(rates.map((r) => [r.agent_id, r]));
		const submitted = new Map<string, number>();
		for (const r of reviews) submitted.set(r.agent_id, (submitted.get(r.agent_id) ?? 0) + 1);
		expect(rates.length).toBe(submitted.size);
		for (const [agent, n] of submitted) expect(byAgent.get(agent)?.reviews, agent).toBe(n);
		// Acknowledging one twice adds no row: the count is the distinct reviews acknowledged.
		expect(byAgent.get(mine)).toMatchObject({ acknowledged: acknowledged.size, linked: true });
		expect(acknowledged.size).toBeGreaterThanOrEqual(2);
		expect(byAgent.get(mine)?.rate).toBeCloseTo(acknowledged.size / (submitted.get(mine) ?? 1), 12);
		expect(byAgent.get(other)).toMatchObject({ acknowledged: 0, rate: 0, linked: true });
		expect(rates.filter((r) => r.agent_id !== mine).every((r) => r.acknowledged === 0)).toBe(true);
		await expect(acknowledgementRates(f.db, users.ann)).rejects.toMatchObject({ status: 403 });
		await expect(acknowledgementRates(f.db, users.rev1)).rejects.toMatchObject({ status: 403 });
	});
});
