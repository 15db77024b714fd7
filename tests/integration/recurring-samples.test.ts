import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SessionUser } from '../../src/lib/core/auth/roles';
import { DEFAULT_SCORECARD, type ReviewScores } from '../../src/lib/audits/scorecard';
import { auditWorkload, createRecurringRule, drawDueSamples, listRecurringRules, setRecurringRuleActive } from '../../src/lib/audits/recurring.server';
import { reviewerQueue, saveReview } from '../../src/lib/audits/reviews.server';
import { listAudit } from '../../src/lib/core/audit-log.server';
import { addUser } from '../../src/lib/core/auth/users.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

let f: IngestFixture;
const users: Record<string, SessionUser> = {};
const T0 = new Date('2026-11-02T08:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const FOURS: ReviewScores = {
	ratings: Object.fromEntries(DEFAULT_SCORECARD.categories.map((c) => [c.id, Math.min(4, c.scale.max)])),
	critical: Object.fromEntries(DEFAULT_SCORECARD.critical_items.map((i) => [i.id, false]))
};

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 300, seed: 14, end: new Date('2026-11-01T00:00:00Z') });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	for (const [username, role] of [['qa', 'qa_manager'], ['rev1', 'reviewer'], ['rev2', 'reviewer'], ['lead', 'lead']] as const) users[username] = await addUser(f.db, { username, role, password: `${username}-password-1` }, 'test');
}, 120_000);

afterAll(async () => {
	await f?.dispose();
});

describe('recurring samples', () => {
	let ruleId = 0;
	test('only QA managers save a rule, and its sample parameters are checked', async () => {
		const input = { name: 'Weekly chat check', params: 'design=simple&size=6&seed=3', reviewers: ['rev1', 'rev2'], everyDays: 7, dueDays: 3, firstDrawAt: T0 };
		await expect(createRecurringRule(f.db, input, users.lead, T0)).rejects.toMatchObject({ status: 403 });
		await expect(createRecurringRule(f.db, { ...input, params: 'design=clustered&size=6' }, users.qa, T0)).rejects.toMatchObject({ status: 400 });
		await expect(createRecurringRule(f.db, { ...input, reviewers: ['lead'] }, users.qa, T0)).rejects.toMatchObject({ status: 400 });
		await expect(createRecurringRule(f.db, { ...input, dueDays: 0 }, users.qa, T0)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('dueDays') });
		ruleId = await createRecurringRule(f.db, input, users.qa, new Date(T0.getTime() - DAY));
		// A fixed seed would repeat the same draw every week: each draw picks its own.
		expect((await listRecurringRules(f.db))[0].params).not.toContain('seed');
	});

	test('nothing is drawn before the rule is due', async () => {
		expect(await drawDueSamples(f.db, new Date(T0.getTime() - HOUR))).toEqual([]);
	});

	test('a due rule draws once, on two loads and on two loads at once, with the due date set', async () => {
		const [a, b] = await Promise.all([drawDueSamples(f.db, T0), drawDueSamples(f.db, T0)]);
		const again = await drawDueSamples(f.db, new Date(T0.getTime() + HOUR));
		const draws = [...a, ...b, ...again];
		expect(draws).toHaveLength(1);
		expect(draws[0]).toMatchObject({ rule_id: ruleId, error: null, due_at: new Date(T0.getTime() + 3 * DAY) });
		const samples = await f.db.selectFrom('audit_samples').select(['sample_id', 'size', 'created_by', 'note']).execute();
		expect(samples).toHaveLength(1);
		expect(samples[0]).toMatchObject({ sample_id: draws[0].sample_id, size: 6, created_by: 'system:recurring' });
		expect(samples[0].note).toContain('due 2026-11-05');
		const assigned = [...(await reviewerQueue(f.db, 'rev1')), ...(await reviewerQueue(f.db, 'rev2'))];
		expect(assigned.map((r) => r.sample_id)).toEqual(Array(6).fill(draws[0].sample_id));
		const rule = (await listRecurringRules(f.db))[0];
		expect(rule).toMatchObject({ draws: 1, last_sample: draws[0].sample_id, next_draw_at: new Date(T0.getTime() + 7 * DAY) });
		expect((await listAudit(f.db, { action: 'audit.recurring.draw' })).total).toBe(1);
	});

	test('overdue reviews and workload count open reviews past the due date', async () => {
		const rev1Open = await reviewerQueue(f.db, 'rev1');
		await saveReview(f.db, rev1Open[0].review_id, users.rev1, { scores: FOURS, notes: '', submit: true }, new Date(T0.getTime() + DAY));
		const beforeDue = await auditWorkload(f.db, new Date(T0.getTime() + 2 * DAY));
		expect(beforeDue.overdue).toBe(0);
		const afterDue = await auditWorkload(f.db, new Date(T0.getTime() + 4 * DAY));
		// 6 reviews round-robin: 3 each; rev1 submitted one, so 2 + 3 are past the due date.
		expect(afterDue.overdue).toBe(5);
		const byReviewer = Object.fromEntries(afterDue.reviewers.map((r) => [r.reviewer, r]));
		expect(byReviewer.rev1).toMatchObject({ open: 2, overdue: 2, submitted_last_7_days: 1, next_due: new Date(T0.getTime() + 3 * DAY) });
		expect(byReviewer.rev2).toMatchObject({ open: 3, overdue: 3, submitted_last_7_days: 0 });
	});

	test('the next period draws once more; missed periods are not drawn one by one; a stopped rule does not draw', async () => {
		const late = new Date(T0.getTime() + 22 * DAY);
		expect(await drawDueSamples(f.db, late)).toHaveLength(1);
		expect(await drawDueSamples(f.db, late)).toHaveLength(0);
		expect((await listRecurringRules(f.db))[0].next_draw_at).toEqual(new Date(T0.getTime() + 28 * DAY));
		await setRecurringRuleActive(f.db, ruleId, false, users.qa);
		expect(await drawDueSamples(f.db, new Date(T0.getTime() + 40 * DAY))).toHaveLength(0);
		expect((await listAudit(f.db, { action: 'audit.recurring.stop' })).total).toBe(1);
	});
});
