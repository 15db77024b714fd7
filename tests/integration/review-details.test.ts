import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SessionUser } from '../../src/lib/core/auth/roles';
import { parseSampleRequest } from '../../src/lib/audits/sample-request';
import { DEFAULT_SCORECARD, type ScorecardBody } from '../../src/lib/audits/scorecard';
import { AuditError } from '../../src/lib/audits/audit-error';
import { listAudit } from '../../src/lib/core/audit-log.server';
import { auditResults } from '../../src/lib/audits/results.server';
import { openReview, pinsFromForm, reviewerQueue, saveReview } from '../../src/lib/audits/reviews.server';
import { raiseDispute, resolveDispute } from '../../src/lib/audits/disputes.server';
import { assignSample, drawAuditSample } from '../../src/lib/audits/sampling.server';
import { saveTemplateVersion } from '../../src/lib/audits/templates.server';
import { addUser } from '../../src/lib/core/auth/users.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * N/A, root causes and pinned comments on a review (src/lib/audits/reviews.server.ts,
 * src/lib/audits/scorecard.ts, migration 0011-review-details.ts), on a real DuckDB.
 */
const END = new Date('2026-11-01T00:00:00Z');
let f: IngestFixture;
const users: Record<string, SessionUser> = {};
let reviews: { review_id: number; case_id: string }[] = [];

/** Weights 20, 30 (N/A allowed), 50 on a 1-3 scale; the last category and a critical item list root causes. */
const CARD: ScorecardBody = {
	categories: [
		{ id: 'tone', label: 'Tone', weight: 20, scale: { min: 1, max: 5, labels: ['1', '2', '3', '4', '5'] }, help: '' },
		{ id: 'refund_steps', label: 'Refund steps', weight: 30, scale: { min: 1, max: 5, labels: ['1', '2', '3', '4', '5'] }, help: 'Only for refund cases.', na_allowed: true },
		{ id: 'resolution', label: 'Resolution', weight: 50, scale: { min: 1, max: 3, labels: ['wrong', 'partly', 'right'] }, help: '', root_causes: ['Knowledge gap', 'Process unclear', 'Tool failure'] }
	],
	critical_items: [{ id: 'privacy', label: 'Personal data disclosed', help: '', root_causes: ['Wrong recipient', 'Careless paste'] }]
};

/** The AuditError a save is refused with. */
async function refusal(promise: Promise<unknown>): Promise<AuditError> {
	const error: unknown = await promise.then(
		() => new Error('expected a refusal'),
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(AuditError);
	return error as AuditError;
}

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 400, seed: 11, end: END });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	for (const [username, role] of [['qa', 'qa_manager'], ['rev1', 'reviewer']] as const) users[username] = await addUser(f.db, { username, role, password: `${username}-password-1` }, 'test');
	await saveTemplateVersion(f.db, CARD, 'N/A and root causes', 'qa');
	const { request } = parseSampleRequest(new URLSearchParams('design=simple&size=6&seed=3'));
	if (!request) throw new Error('bad sample request');
	const sample = await drawAuditSample(f.db, request, 'qa');
	await assignSample(f.db, sample.sample_id, { reviewers: ['rev1'], method: 'round_robin' }, 'qa');
	reviews = (await reviewerQueue(f.db, 'rev1')).map((q) => ({ review_id: q.review_id, case_id: q.case_id }));
	// Two messages on each of the first two cases: the thread a comment is pinned to.
	for (const r of reviews.slice(0, 2)) {
		await f.db
			.insertInto('messages')
			.values([
				{ case_id: r.case_id, sequence: 1, sent_at: new Date('2026-10-01T10:00:00Z'), author_role: 'customer', author_name: 'Ana', is_public: true, body: 'My refund has not arrived.', external_id: null, batch_id: 1 },
				{ case_id: r.case_id, sequence: 2, sent_at: new Date('2026-10-01T11:00:00Z'), author_role: 'agent', author_name: 'Bo', is_public: true, body: 'It is on its way.', external_id: null, batch_id: 1 }
			])
			.execute();
	}
}, 120_000);

afterAll(async () => {
	await f?.dispose();
});

describe('N/A', () => {
	test('an N/A category leaves the score: the other weights renormalise (hand-computed)', async () => {
		const id = reviews[0].review_id;
		// A rating sent for the N/A category too (chosen before the mark) is not kept.
		const saved = await saveReview(f.db, id, users.rev1, { scores: { ratings: { tone: 4, refund_steps: 4, resolution: 3 }, critical: {}, na: ['refund_steps'] }, notes: '', submit: true });
		expect(JSON.parse(saved.ratings ?? '{}')).toEqual({ tone: 4, refund_steps: null, resolution: 3 });
		// (20 × (4 − 1)/4 + 50 × (3 − 1)/2) / (20 + 50) × 100 = (15 + 50) / 70 × 100
		expect(saved.score).toBeCloseTo(6500 / 70, 10);
		expect(saved.score).toBeCloseTo(92.857142857, 6);
		const opened = await openReview(f.db, id, users.rev1);
		expect(opened.scores?.na).toEqual(['refund_steps']);
		const log = await listAudit(f.db, { action: 'audit.review.submit' });
		expect(JSON.parse(log.rows[0].after_json ?? '{}').na).toEqual(['refund_steps']);
	});

	test('N/A is refused where the scorecard requires a rating', async () => {
		const e = await refusal(saveReview(f.db, reviews[1].review_id, users.rev1, { scores: { ratings: { refund_steps: 3, resolution: 3 }, critical: {}, na: ['tone'] }, notes: '', submit: false }));
		expect(e.status).toBe(400);
		expect(e.message).toMatch(/Tone cannot be marked N\/A/);
	});

	test('an N/A review does not count in that category’s n in results', async () => {
		const results = await auditResults(f.db);
		expect(results.reviews).toBe(1);
		expect(results.categories.find((c) => c.id === 'refund_steps')?.n).toBe(0);
		expect(results.categories.find((c) => c.id === 'tone')?.n).toBe(1);
		expect(results.overall.estimate).toBeCloseTo(6500 / 70, 6);
	});
});

describe('root causes', () => {
	test('a failed item with a list needs a root cause to submit; a draft may wait; one outside the list is refused', async () => {
		const id = reviews[1].review_id;
		const ratings = { tone: 2, refund_steps: 3, resolution: 1 };
		const draft = await saveReview(f.db, id, users.rev1, { scores: { ratings, critical: {} }, notes: '', submit: false });
		expect(draft.status).toBe('draft');
		const missing = await refusal(saveReview(f.db, id, users.rev1, { scores: { ratings, critical: {} }, notes: '', submit: true }));
		expect(missing.status).toBe(400);
		expect(missing.message).toBe('Resolution failed: choose its root cause (Knowledge gap, Process unclear, Tool failure) before submitting.');
		const outside = await refusal(saveReview(f.db, id, users.rev1, { scores: { ratings, critical: {}, root_causes: { resolution: 'Bad luck' } }, notes: '', submit: false }));
		expect(outside.message).toMatch(/"Bad luck" is not one of its root causes/);
		// Tone failed too (2 is below the middle, 3) but lists no root causes: none is asked.
		const submitted = await saveReview(f.db, id, users.rev1, { scores: { ratings, critical: {}, root_causes: { resolution: 'Process unclear' } }, notes: '', submit: true });
		expect(submitted.status).toBe('submitted');
		expect(JSON.parse(submitted.root_causes ?? '{}')).toEqual({ resolution: 'Process unclear' });
	});

	test('a failed critical item asks for its root cause; a cause for an item that passed is dropped', async () => {
		const id = reviews[2].review_id;
		const ratings = { tone: 5, refund_steps: 5, resolution: 3 };
		expect((await refusal(saveReview(f.db, id, users.rev1, { scores: { ratings, critical: { privacy: true } }, notes: '', submit: true }))).message).toMatch(/^Personal data disclosed failed: choose its root cause/);
		const saved = await saveReview(f.db, id, users.rev1, { scores: { ratings, critical: { privacy: true }, root_causes: { privacy: 'Careless paste', resolution: 'Tool failure' } }, notes: '', submit: true });
		expect([saved.score, JSON.parse(saved.root_causes ?? '{}')]).toEqual([0, { privacy: 'Careless paste' }]);
	});
});

describe('pinned comments', () => {
	test('a pin to a message the case does not have is refused', async () => {
		const r = reviews[4];
		const e = await refusal(saveReview(f.db, r.review_id, users.rev1, { scores: { ratings: {}, critical: {} }, notes: '', pins: [{ case_id: r.case_id, sequence: 1, comment: 'x' }], submit: false }));
		expect(e.message).toBe(`Case ${r.case_id} has no message 1 to pin a comment to.`);
	});

	test('a comment pinned to a message of the case is stored with the message id (case, sequence) in the review, its history and the audit trail; one for a message of another case is refused', async () => {
		const target = reviews[5];
		await f.db
			.insertInto('messages')
			.values({ case_id: target.case_id, sequence: 1, sent_at: new Date('2026-10-02T09:00:00Z'), author_role: 'customer', author_name: 'Cy', is_public: true, body: 'Still waiting.', external_id: null, batch_id: 1 })
			.execute();
		const other = reviews[0].case_id;
		const foreign = await refusal(saveReview(f.db, target.review_id, users.rev1, { scores: { ratings: {}, critical: {} }, notes: '', pins: [{ case_id: other, sequence: 2, comment: 'Wrong thread' }], submit: false }));
		expect(foreign.status).toBe(400);
		expect(foreign.message).toBe(`Message 2 of case ${other} is not in this review's conversation (case ${target.case_id}); a comment can be pinned only to a message of the case under review.`);

		const form = new FormData();
		form.append('pin.message', `${target.case_id}#1`);
		form.append('pin.comment', '  Customer asked twice; the agent never acknowledged it. ');
		form.append('pin.message', `${target.case_id}#1`);
		form.append('pin.comment', '');
		// The form's second row has no comment: an unused row, skipped.
		const { pins, errors } = pinsFromForm(form);
		expect(errors).toEqual([]);
		await saveReview(f.db, target.review_id, users.rev1, { scores: { ratings: { tone: 3 }, critical: {} }, notes: '', pins, submit: false });
		const opened = await openReview(f.db, target.review_id, users.rev1);
		expect(opened.pins).toEqual([{ case_id: target.case_id, sequence: 1, comment: 'Customer asked twice; the agent never acknowledged it.' }]);
		const history = await f.db.selectFrom('audit_review_history').select(['pins', 'action']).where('review_id', '=', target.review_id).orderBy('revision', 'desc').executeTakeFirstOrThrow();
		expect([history.action, JSON.parse(history.pins ?? '[]')[0].sequence]).toEqual(['save_draft', 1]);
		const log = await listAudit(f.db, { action: 'audit.review.save_draft' });
		expect(JSON.parse(log.rows[0].after_json ?? '{}').pins[0].comment).toBe('Customer asked twice; the agent never acknowledged it.');
	});
});

describe('disputes of a review with N/A and root causes', () => {
	test('a changed review keeps its N/A marks, and root causes only for the items that still fail', async () => {
		const lead = await addUser(f.db, { username: 'lead1', role: 'lead', password: 'lead1-password-1' }, 'test');
		const id = reviews[3].review_id;
		await saveReview(f.db, id, users.rev1, { scores: { ratings: { tone: 4, refund_steps: null, resolution: 1 }, critical: {}, na: ['refund_steps'], root_causes: { resolution: 'Knowledge gap' } }, notes: '', submit: true });
		const row = () => f.db.selectFrom('audit_reviews').select(['na', 'root_causes', 'score']).where('review_id', '=', id).executeTakeFirstOrThrow();
		// Tone raised to 5, resolution still failed: weights 20 and 50 over the rated categories only.
		const first = await raiseDispute(f.db, id, 'Tone was better than rated.', lead, new Date(), 'tone');
		await resolveDispute(f.db, first, { decision: 'change', note: 'Agreed on tone.', scores: { ratings: { tone: 5, refund_steps: null, resolution: 1 }, critical: {}, na: ['refund_steps'] } }, users.qa);
		const afterFirst = await row();
		expect(JSON.parse(afterFirst.na ?? '[]')).toEqual(['refund_steps']);
		expect(JSON.parse(afterFirst.root_causes ?? '{}')).toEqual({ resolution: 'Knowledge gap' });
		expect(afterFirst.score).toBeCloseTo((100 * 20) / 70, 9);
		// Resolution now passes: its cause goes.
		const second = await raiseDispute(f.db, id, 'The resolution was right after all.', lead, new Date(), 'resolution');
		await resolveDispute(f.db, second, { decision: 'change', note: 'Agreed on the resolution.', scores: { ratings: { tone: 5, refund_steps: null, resolution: 3 }, critical: {}, na: ['refund_steps'] } }, users.qa);
		const afterSecond = await row();
		expect(JSON.parse(afterSecond.root_causes ?? '{}')).toEqual({});
		expect(afterSecond.score).toBeCloseTo(100, 9);
		// N/A where the scorecard does not allow it is refused, naming the category.
		const third = await raiseDispute(f.db, id, 'Tone does not apply here.', lead, new Date(), 'tone');
		await expect(resolveDispute(f.db, third, { decision: 'change', note: 'Try N/A on tone.', scores: { ratings: { tone: null, refund_steps: null, resolution: 3 }, critical: {}, na: ['tone', 'refund_steps'] } }, users.qa)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('Tone cannot be marked N/A') });
	});
});

describe('versions', () => {
	test('a review keeps showing its own version after a new version is saved', async () => {
		const before = await openReview(f.db, reviews[0].review_id, users.rev1);
		expect(before.template.body.categories.map((c) => c.id)).toEqual(['tone', 'refund_steps', 'resolution']);
		const next = await saveTemplateVersion(f.db, DEFAULT_SCORECARD, 'back to the default', 'qa');
		const after = await openReview(f.db, reviews[0].review_id, users.rev1);
		expect(after.template.template_id).toBe(before.template.template_id);
		expect(after.template.version).toBe(next.version - 1);
		expect(after.template.body).toEqual(CARD);
		// A draft started on the old version keeps it too; a review not yet started gets the new one.
		expect((await openReview(f.db, reviews[5].review_id, users.rev1)).template.template_id).toBe(before.template.template_id);
		const untouched = await f.db.selectFrom('audit_reviews').select('review_id').where('status', '=', 'assigned').executeTakeFirstOrThrow();
		expect((await openReview(f.db, untouched.review_id, users.rev1)).template.template_id).toBe(next.template_id);
	});
});
