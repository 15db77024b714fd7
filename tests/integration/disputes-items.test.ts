import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SessionUser } from '../../src/lib/core/auth/roles';
import { DEFAULT_SCORECARD, type ReviewScores } from '../../src/lib/audits/scorecard';
import { parseSampleRequest } from '../../src/lib/audits/sample-request';
import { listDisputes, raiseDispute, resolveDispute } from '../../src/lib/audits/disputes.server';
import { reviewerQueue, saveReview } from '../../src/lib/audits/reviews.server';
import { assignSample, drawAuditSample } from '../../src/lib/audits/sampling.server';
import { addUser } from '../../src/lib/core/auth/users.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

let f: IngestFixture;
const users: Record<string, SessionUser> = {};
let reviewIds: number[] = [];

const FOURS: ReviewScores = {
	ratings: Object.fromEntries(DEFAULT_SCORECARD.categories.map((c) => [c.id, Math.min(4, c.scale.max)])),
	critical: Object.fromEntries(DEFAULT_SCORECARD.critical_items.map((i) => [i.id, false]))
};

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 400, seed: 12, end: new Date('2026-11-01T00:00:00Z') });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	for (const [username, role] of [['qa', 'qa_manager'], ['rev1', 'reviewer'], ['lead', 'lead']] as const) users[username] = await addUser(f.db, { username, role, password: `${username}-password-1` }, 'test');
	const { request } = parseSampleRequest(new URLSearchParams('design=simple&size=3&seed=4'));
	if (!request) throw new Error('bad request');
	const sample = await drawAuditSample(f.db, request, 'qa');
	await assignSample(f.db, sample.sample_id, { method: 'round_robin', reviewers: ['rev1'] }, 'qa');
	reviewIds = (await reviewerQueue(f.db, 'rev1')).map((r) => r.review_id);
	for (const id of reviewIds) await saveReview(f.db, id, users.rev1, { scores: FOURS, notes: '', submit: true });
}, 120_000);

afterAll(async () => {
	await f?.dispose();
});

describe('disputes item by item', () => {
	test('a resolution that changes one item shows that item before and after, the others unchanged', async () => {
		const id = await raiseDispute(f.db, reviewIds[0], 'Policy accuracy was judged on the wrong policy version.', users.lead, new Date(), 'policy_accuracy');
		const open = (await listDisputes(f.db)).find((d) => d.dispute_id === id);
		expect(open?.item_label).toBe('Policy accuracy');
		expect(open?.items.every((i) => i.after === null && !i.changed)).toBe(true);
		const changed: ReviewScores = { ratings: { ...FOURS.ratings, policy_accuracy: 2 }, critical: { ...FOURS.critical } };
		await resolveDispute(f.db, id, { decision: 'change', note: 'Agreed: the newer policy applies.', scores: changed }, users.qa);
		const after = (await listDisputes(f.db)).find((d) => d.dispute_id === id);
		expect(after?.status).toBe('changed');
		expect(after?.items.filter((i) => i.changed).map((i) => [i.id, i.before, i.after])).toEqual([['policy_accuracy', 4, 2]]);
		expect(after?.items.find((i) => i.id === 'agent_conduct')).toMatchObject({ before: 4, after: 4, changed: false });
		expect(after?.items.find((i) => i.id === 'privacy_breach')).toMatchObject({ before: 'passed', after: 'passed', changed: false });
		expect(after?.items.find((i) => i.id === 'policy_accuracy')?.disputed).toBe(true);
		// 30 of 100 weight points moved from 3/4 to 1/4 of the scale: 15 points lower.
		expect((after?.original_score ?? 0) - (after?.new_score ?? 0)).toBeCloseTo(15, 9);
	});

	test('an upheld dispute shows no after values; an unknown item is refused', async () => {
		const id = await raiseDispute(f.db, reviewIds[1], 'The whole review missed the context of the case.', users.lead);
		await resolveDispute(f.db, id, { decision: 'uphold', note: 'The review stands.' }, users.qa);
		const upheld = (await listDisputes(f.db)).find((d) => d.dispute_id === id);
		expect(upheld?.item_label).toBeNull();
		expect(upheld?.items.every((i) => i.after === null && !i.changed)).toBe(true);
		await expect(raiseDispute(f.db, reviewIds[2], 'No such item on the scorecard.', users.lead, new Date(), 'tone_of_voice')).rejects.toMatchObject({ status: 400 });
	});
});
