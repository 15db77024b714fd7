import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SessionUser } from '../../src/lib/core/auth/roles';
import { parseSampleRequest } from '../../src/lib/audits/sample-request';
import { DEFAULT_SCORECARD, type ReviewScores } from '../../src/lib/audits/scorecard';
import { listAudit } from '../../src/lib/core/audit-log.server';
import { AuditError } from '../../src/lib/audits/audit-error';
import { calibrationReport, createCalibrationSession } from '../../src/lib/audits/calibration.server';
import { listDisputes, raiseDispute, resolveDispute } from '../../src/lib/audits/disputes.server';
import { auditResults } from '../../src/lib/audits/results.server';
import { reviewCaseContext } from '../../src/lib/audits/review-case.server';
import { openReview, reviewerQueue, saveReview } from '../../src/lib/audits/reviews.server';
import { assignSample, drawAuditSample, getSample } from '../../src/lib/audits/sampling.server';
import { currentTemplate, parseTemplateText, saveTemplateVersion } from '../../src/lib/audits/templates.server';
import { addUser } from '../../src/lib/core/auth/users.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

const END = new Date('2026-11-01T00:00:00Z');
let f: IngestFixture;
const users: Record<string, SessionUser> = {};

function request(query: string) {
	const { request, errors } = parseSampleRequest(new URLSearchParams(query));
	if (!request) throw new Error(errors.join(' '));
	return request;
}

async function refusal(promise: Promise<unknown>): Promise<AuditError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(AuditError);
		return error as AuditError;
	}
	throw new Error('expected a refusal');
}

function scores(rating: number, failCritical = false): ReviewScores {
	return {
		ratings: Object.fromEntries(DEFAULT_SCORECARD.categories.map((c) => [c.id, Math.min(rating, c.scale.max)])),
		critical: Object.fromEntries(DEFAULT_SCORECARD.critical_items.map((i, k) => [i.id, failCritical && k === 0]))
	};
}

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 3000, seed: 5, end: END });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	await f.ingest(demo.feedbackPath, { kind: 'feedback' });
	for (const [username, role] of [['qa', 'qa_manager'], ['rev1', 'reviewer'], ['rev2', 'reviewer'], ['lead', 'lead'], ['viewer', 'viewer']] as const) {
		users[username] = await addUser(f.db, { username, role, password: `${username}-password-1` }, 'test');
	}
}, 120_000);

afterAll(async () => {
	await f?.dispose();
});

describe('drawing samples', () => {
	test('the same seed, filters and design give the same stored sample', async () => {
		const a = await drawAuditSample(f.db, request('design=stratified&stratify=region&allocation=equal&size=40&seed=99&channel=chat'), 'qa');
		const b = await drawAuditSample(f.db, request('design=stratified&stratify=region&allocation=equal&size=40&seed=99&channel=chat'), 'qa');
		expect(b.sample_id).not.toBe(a.sample_id);
		expect(b.cases.map((c) => c.case_id)).toEqual(a.cases.map((c) => c.case_id));
		expect(a.size).toBe(40);
		const stored = await getSample(f.db, a.sample_id);
		expect(stored?.sample.seed).toBe(99);
		expect(stored?.cases.map((c) => c.case_id).sort()).toEqual(a.cases.map((c) => c.case_id).sort());
		const chat = await f.db.selectFrom('cases').select('region').where('channel', '=', 'chat').execute();
		for (const s of stored?.strata ?? []) {
			expect(s.population).toBe(chat.filter((c) => c.region === s.stratum).length);
			for (const c of stored?.cases.filter((x) => x.stratum === s.stratum) ?? []) expect(c.inclusion_probability).toBeCloseTo(s.sampled / s.population, 12);
		}
	});

	test('without a seed one is chosen and stored', async () => {
		const s = await drawAuditSample(f.db, request('design=simple&size=5'), 'qa');
		expect(Number.isInteger(s.seed)).toBe(true);
		const again = await drawAuditSample(f.db, request(`design=simple&size=5&seed=${s.seed}`), 'qa');
		expect(again.cases.map((c) => c.case_id)).toEqual(s.cases.map((c) => c.case_id));
	});

	test('the exclusion window keeps recently sampled cases out, and says how many', async () => {
		const before = new Set((await f.db.selectFrom('audit_sample_cases').select('case_id').execute()).map((r) => r.case_id));
		const s = await drawAuditSample(f.db, request('design=simple&size=300&seed=1&exclude_days=30'), 'qa');
		expect(s.excluded).toBe(before.size);
		expect(s.population).toBe(3000 - before.size);
		for (const c of s.cases) expect(before.has(c.case_id)).toBe(false);
		// A sample drawn 31 days ago no longer excludes anything.
		const later = await drawAuditSample(f.db, request('design=simple&size=5&seed=1&exclude_days=30'), 'qa', new Date(Date.now() + 31 * 86_400_000));
		expect(later.excluded).toBe(0);
	});

	test('risk-weighted: flagged cases are oversampled and their probabilities say by how much', async () => {
		const s = await drawAuditSample(f.db, request('design=risk&size=200&seed=4'), 'qa');
		const all = await f.db.selectFrom('audit_sample_cases').select(['case_id', 'risk_flags', 'inclusion_probability', 'risk_size']).where('sample_id', '=', s.sample_id).execute();
		const flagged = all.filter((c) => JSON.parse(c.risk_flags ?? '[]').length > 0);
		const plain = all.filter((c) => JSON.parse(c.risk_flags ?? '[]').length === 0);
		expect(flagged.length).toBeGreaterThan(0);
		expect(plain.length).toBeGreaterThan(0);
		const ratio = Math.min(...flagged.map((c) => c.inclusion_probability)) / Math.max(...plain.map((c) => c.inclusion_probability));
		expect(ratio).toBeGreaterThanOrEqual(3 - 1e-9); // the smallest flag weight is 2: size 3 vs 1
		for (const c of all) expect(c.inclusion_probability / c.risk_size).toBeCloseTo(all[0].inclusion_probability / all[0].risk_size, 9);
	});

	test('an empty population is refused with a reason', async () => {
		const e = await refusal(drawAuditSample(f.db, request('design=simple&size=5&region=nowhere'), 'qa'));
		expect(e.status).toBe(400);
	});

	test('drawing writes the audit trail', async () => {
		const { rows } = await listAudit(f.db, { action: 'audit.sample.draw' });
		expect(rows.length).toBeGreaterThanOrEqual(5);
		expect(JSON.parse(rows[0].after_json ?? '{}').seed).toBeTypeOf('number');
	});
});

describe('reviews, results, disputes', () => {
	let sampleId: number;
	test('assignment round-robin opens one review per case', async () => {
		const s = await drawAuditSample(f.db, request('design=simple&size=6&seed=77'), 'qa');
		sampleId = s.sample_id;
		const counts = await assignSample(f.db, sampleId, { reviewers: ['rev1', 'rev2'], method: 'round_robin' }, 'qa');
		expect(counts).toEqual({ rev1: 3, rev2: 3 });
		expect((await reviewerQueue(f.db, 'rev1')).filter((q) => q.sample_id === sampleId).length).toBe(3);
		expect((await refusal(assignSample(f.db, sampleId, { reviewers: ['rev1'], method: 'round_robin' }, 'qa'))).status).toBe(409);
		expect((await refusal(assignSample(f.db, sampleId, { reviewers: ['lead'], method: 'round_robin' }, 'qa'))).status).toBe(400);
	});

	test('a reviewer drafts and submits; another reviewer can neither open nor change it; submitted is final', async () => {
		const queue = (await reviewerQueue(f.db, 'rev1')).filter((q) => q.sample_id === sampleId);
		const id = queue[0].review_id;
		expect((await refusal(openReview(f.db, id, users.rev2))).status).toBe(403);
		await saveReview(f.db, id, users.rev1, { scores: { ratings: { agent_conduct: 4 }, critical: {} }, notes: 'half way', submit: false });
		const draft = await openReview(f.db, id, users.rev1);
		expect(draft.review.status).toBe('draft');
		expect(draft.scores?.ratings.agent_conduct).toBe(4);
		// QA sees that a draft exists, not its scores.
		expect((await openReview(f.db, id, users.qa)).scores).toBeNull();
		expect((await refusal(saveReview(f.db, id, users.rev2, { scores: scores(5), notes: '', submit: true }))).status).toBe(403);
		expect((await refusal(saveReview(f.db, id, users.rev1, { scores: { ratings: { agent_conduct: 4 }, critical: {} }, notes: '', submit: true }))).status).toBe(400);
		const saved = await saveReview(f.db, id, users.rev1, { scores: scores(4), notes: 'fine', submit: true });
		// 4 on the 1-5 categories (3/4 of the way, weights 90), the top 3 on the 1-3 speed scale (weight 10):
		// 100 * (90 * 0.75 + 10 * 1) / 100
		expect(saved.score).toBeCloseTo(77.5, 9);
		expect((await refusal(saveReview(f.db, id, users.rev1, { scores: scores(5), notes: '', submit: true }))).status).toBe(409);
		const history = await f.db.selectFrom('audit_review_history').selectAll().where('review_id', '=', id).orderBy('revision').execute();
		expect(history.map((h) => h.action)).toEqual(['assign', 'save_draft', 'submit']);
	});

	test('a failed critical item scores 0', async () => {
		const id = (await reviewerQueue(f.db, 'rev2')).filter((q) => q.sample_id === sampleId)[0].review_id;
		const saved = await saveReview(f.db, id, users.rev2, { scores: scores(5, true), notes: '', submit: true });
		expect(saved.score).toBe(0);
	});

	test('results count submitted reviews, weighted; the unweighted mean is beside it', async () => {
		const r = await auditResults(f.db, { sampleId });
		expect(r.reviews).toBe(2);
		expect(r.overall.n).toBe(2);
		// Simple random sample: equal weights, so weighted and unweighted agree.
		expect(r.overall.estimate).toBeCloseTo(38.75, 9);
		expect(r.overall.unweighted_mean).toBeCloseTo(38.75, 9);
		expect(r.samples[0]).toMatchObject({ sample_id: sampleId, drawn: 6, reviewed: 2 });
		expect(r.groups.reduce((n, g) => n + g.n, 0)).toBe(2);
		expect(r.critical[0].estimate).toBeCloseTo(50, 9);
	});

	test('the review page context lists compliance findings and response times', async () => {
		const caseId = (await f.db.selectFrom('audit_reviews').select('case_id').where('sample_id', '=', sampleId).executeTakeFirstOrThrow()).case_id;
		const ctx = await reviewCaseContext(f.db, caseId, 'reviewer');
		expect(ctx?.detail.case.case_id).toBe(caseId);
		expect(ctx?.targets.first_response_hours).toBeGreaterThan(0);
		expect(Array.isArray(ctx?.findings)).toBe(true);
	});

	test('dispute round trip: a lead disputes, QA changes the score; the original stays', async () => {
		const review = await f.db.selectFrom('audit_reviews').selectAll().where('sample_id', '=', sampleId).where('status', '=', 'submitted').where('score', '=', 0).executeTakeFirstOrThrow();
		expect((await refusal(raiseDispute(f.db, review.review_id, 'not fair at all', users.rev1))).status).toBe(403);
		const disputeId = await raiseDispute(f.db, review.review_id, 'The data was the customer’s own; not a breach.', users.lead);
		expect((await refusal(raiseDispute(f.db, review.review_id, 'again please', users.lead))).status).toBe(409);
		expect((await refusal(resolveDispute(f.db, disputeId, { decision: 'uphold', note: 'ok' }, users.lead))).status).toBe(403);
		await resolveDispute(f.db, disputeId, { decision: 'change', note: 'Agreed, no breach.', scores: scores(5) }, users.qa);
		const [d] = await listDisputes(f.db, { reviewId: review.review_id });
		expect(d).toMatchObject({ status: 'changed', original_score: 0, new_score: 100, resolved_by: 'qa', raised_by: 'lead' });
		const after = await f.db.selectFrom('audit_reviews').selectAll().where('review_id', '=', review.review_id).executeTakeFirstOrThrow();
		expect(after.score).toBe(100);
		const history = await f.db.selectFrom('audit_review_history').selectAll().where('review_id', '=', review.review_id).orderBy('revision').execute();
		expect(history.map((h) => h.score)).toEqual([null, 0, 100]);
		expect((await refusal(resolveDispute(f.db, disputeId, { decision: 'uphold', note: 'again' }, users.qa))).status).toBe(409);
		const r = await auditResults(f.db, { sampleId });
		expect(r.overall.estimate).toBeCloseTo((77.5 + 100) / 2, 9);
	});
});

describe('calibration and templates', () => {
	test('a session gives every panel member the same cases; alpha and severity come from submitted scores', async () => {
		const sample = await drawAuditSample(f.db, request('design=simple&size=20&seed=8'), 'qa');
		const id = await createCalibrationSession(f.db, { name: 'March panel', sampleId: sample.sample_id, cases: 4, seed: 1, caseIds: [], panel: ['rev1', 'rev2', 'qa'] }, 'qa');
		const report0 = await calibrationReport(f.db, id);
		expect(report0?.cases.length).toBe(4);
		expect(report0?.panel).toEqual(['qa', 'rev1', 'rev2']);
		const ratingsFor: Record<string, number[]> = { rev1: [5, 4, 2, 1], rev2: [5, 4, 2, 1], qa: [4, 4, 1, 1] };
		for (const who of ['rev1', 'rev2', 'qa']) {
			const queue = (await reviewerQueue(f.db, who)).filter((q) => q.session_id === id).sort((a, b) => a.case_id.localeCompare(b.case_id));
			expect(queue.length).toBe(4);
			for (const [k, q] of queue.entries()) await saveReview(f.db, q.review_id, users[who], { scores: scores(ratingsFor[who][k]), notes: '', submit: true });
		}
		const report = await calibrationReport(f.db, id);
		const conduct = report?.agreement.find((a) => a.id === 'agent_conduct');
		// Hand check: units [5,5,4], [4,4,4], [2,2,1], [1,1,1] (values per case, qa's last).
		expect(conduct?.pairable).toBe(12);
		expect(conduct?.alpha).toBeGreaterThan(0.8);
		expect(conduct?.alpha).toBeLessThan(1);
		const sev = report?.severity.find((s) => s.reviewer === 'qa');
		expect(sev?.severity).toBeLessThan(0);
		expect(report?.severity.find((s) => s.reviewer === 'rev1')?.severity).toBeGreaterThan(0);
		// Calibration reviews never count in the quality score.
		expect((await auditResults(f.db, { sampleId: sample.sample_id })).reviews).toBe(0);
	});

	test('a template edit adds a version; a review keeps the version it was scored with', async () => {
		const before = await currentTemplate(f.db);
		const body = parseTemplateText(JSON.stringify({ ...before.body, categories: before.body.categories.map((c) => (c.id === 'response_speed' ? { ...c, weight: 20 } : c)) }));
		const next = await saveTemplateVersion(f.db, body, 'speed matters more', 'qa');
		expect(next.version).toBe(before.version + 1);
		const old = await f.db.selectFrom('audit_reviews').select(['template_id']).where('status', '=', 'submitted').execute();
		expect(old.every((r) => r.template_id === before.template_id)).toBe(true);
		expect(() => parseTemplateText('{"categories": []}')).toThrow(AuditError);
	});
});
