import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SessionUser } from '../../src/lib/core/auth/roles';
import { DEFAULT_SCORECARD, type ReviewScores } from '../../src/lib/audits/scorecard';
import { listAudit } from '../../src/lib/core/audit-log.server';
import { AuditError } from '../../src/lib/audits/audit-error';
import { calibrationReport, createCalibrationSession, graderTrend, recordReference } from '../../src/lib/audits/calibration.server';
import { saveReview } from '../../src/lib/audits/reviews.server';
import { addUser } from '../../src/lib/core/auth/users.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

let f: IngestFixture;
const users: Record<string, SessionUser> = {};
let caseIds: string[] = [];

/** Ratings in the order of DEFAULT_SCORECARD's categories, and the critical items that failed. */
function answer(ratings: number[], failed: string[] = []): ReviewScores {
	return {
		ratings: Object.fromEntries(DEFAULT_SCORECARD.categories.map((c, i) => [c.id, ratings[i]])),
		critical: Object.fromEntries(DEFAULT_SCORECARD.critical_items.map((i) => [i.id, failed.includes(i.id)]))
	};
}

async function submitAll(sessionId: number, byReviewer: Record<string, Record<string, ReviewScores>>) {
	const report = await calibrationReport(f.db, sessionId);
	for (const k of report?.cases ?? [])
		for (const [reviewer, perCase] of Object.entries(byReviewer)) {
			const review = k.scores[reviewer];
			if (review && perCase[k.case_id]) await saveReview(f.db, review.review_id, users[reviewer], { scores: perCase[k.case_id], notes: '', submit: true });
		}
}

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 400, seed: 11, end: new Date('2026-11-01T00:00:00Z') });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	for (const [username, role] of [['qa', 'qa_manager'], ['rev1', 'reviewer'], ['rev2', 'reviewer'], ['lead', 'lead']] as const) users[username] = await addUser(f.db, { username, role, password: `${username}-password-1` }, 'test');
	caseIds = (await f.db.selectFrom('cases').select('case_id').orderBy('case_id').limit(3).execute()).map((c) => c.case_id);
}, 120_000);

afterAll(async () => {
	await f?.dispose();
});

// Case A: reference 4,3,4,5,2 and nothing failed; case B: 2,2,3,3,1 with a privacy breach.
const REF_A = answer([4, 3, 4, 5, 2]);
const REF_B = answer([2, 2, 3, 3, 1], ['privacy_breach']);
const FOURS = answer([4, 4, 4, 4, 3]);

describe('calibration against a reference', () => {
	let first = 0;
	test('each reviewer’s deviation per item equals a hand count', async () => {
		first = await createCalibrationSession(f.db, { name: 'October', sampleId: null, cases: 0, seed: 1, caseIds: caseIds.slice(0, 2), panel: ['rev1', 'rev2'] }, 'qa', new Date('2026-10-05T10:00:00Z'));
		const [a, b] = caseIds;
		await submitAll(first, { rev1: { [a]: FOURS, [b]: FOURS }, rev2: { [a]: REF_A, [b]: REF_B } });
		const refused = await recordReference(f.db, first, a, { source: 'manager', scores: REF_A }, users.lead).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(AuditError);
		expect((refused as AuditError).status).toBe(403);
		await recordReference(f.db, first, a, { source: 'manager', scores: answer([1, 1, 1, 1, 1]) }, users.qa);
		// Recorded again after discussion: the consensus replaces the first answer, the trail keeps both.
		await recordReference(f.db, first, a, { source: 'consensus', scores: REF_A }, users.qa);
		await recordReference(f.db, first, b, { source: 'manager', scores: REF_B }, users.qa);
		const report = await calibrationReport(f.db, first);
		expect(report?.references[a]?.source).toBe('consensus');
		const rev1 = report?.deviation.find((d) => d.reviewer === 'rev1');
		const byId = Object.fromEntries((rev1?.items ?? []).map((i) => [i.id, i]));
		// rev1 answered 4,4,4,4,3 on both cases. Against A (4,3,4,5,2): 0,+1,0,-1,+1; against B (2,2,3,3,1): +2,+2,+1,+1,+2.
		expect(byId.agent_conduct).toMatchObject({ compared: 2, matching: 1, mean_deviation: 1 });
		expect(byId.policy_accuracy).toMatchObject({ compared: 2, matching: 0, mean_deviation: 1.5 });
		expect(byId.procedural_consistency).toMatchObject({ compared: 2, matching: 1, mean_deviation: 0.5 });
		expect(byId.fairness_of_conclusion).toMatchObject({ compared: 2, matching: 0, mean_deviation: 0 });
		expect(byId.response_speed).toMatchObject({ compared: 2, matching: 0, mean_deviation: 1.5 });
		// Critical items: B's privacy breach was missed; the other two agree on both cases.
		expect(byId.privacy_breach).toMatchObject({ compared: 2, matching: 1, mean_deviation: null });
		expect(byId.policy_misinformation).toMatchObject({ compared: 2, matching: 2 });
		expect(rev1).toMatchObject({ compared: 16, matching: 7 });
		expect(rev1?.share).toBeCloseTo(7 / 16, 12);
		expect(report?.deviation.find((d) => d.reviewer === 'rev2')).toMatchObject({ compared: 16, matching: 16, share: 1 });
		const trail = await listAudit(f.db, { action: 'audit.calibration.reference' });
		expect(trail.total).toBe(3);
		expect(JSON.parse(trail.rows.find((r) => r.after_json?.includes('consensus'))?.before_json ?? 'null')).toMatchObject({ source: 'manager' });
	});

	test('a reference must rate every category and belong to the session', async () => {
		const partial = answer([4, 4, 4, 4, 3]);
		partial.ratings.agent_conduct = null;
		expect(((await recordReference(f.db, first, caseIds[0], { source: 'manager', scores: partial }, users.qa).catch((e: unknown) => e)) as AuditError).status).toBe(400);
		expect(((await recordReference(f.db, first, caseIds[2], { source: 'manager', scores: REF_A }, users.qa).catch((e: unknown) => e)) as AuditError).status).toBe(400);
	});

	test('grade the grader: share of items matching the reference per session and per month', async () => {
		const second = await createCalibrationSession(f.db, { name: 'November', sampleId: null, cases: 0, seed: 1, caseIds: caseIds.slice(1, 3), panel: ['rev1', 'rev2'] }, 'qa', new Date('2026-11-03T10:00:00Z'));
		const [, b, c] = caseIds;
		// Only case C gets a reference in November: rev1 matches it fully, rev2 answers all fours.
		const REF_C = answer([3, 3, 3, 3, 2]);
		await submitAll(second, { rev1: { [b]: FOURS, [c]: REF_C }, rev2: { [b]: FOURS, [c]: FOURS } });
		await recordReference(f.db, second, c, { source: 'consensus', scores: REF_C }, users.qa);
		const bySession = await graderTrend(f.db, 'session');
		const point = (reviewer: string, period: string) => bySession.find((p) => p.reviewer === reviewer && p.period === period);
		expect(point('rev1', String(first))).toMatchObject({ compared: 16, matching: 7, label: 'October' });
		expect(point('rev1', String(second))).toMatchObject({ compared: 8, matching: 8, share: 1 });
		expect(point('rev2', String(first))).toMatchObject({ compared: 16, matching: 16 });
		// rev2's fours against 3,3,3,3,2: no category matches; the three critical items do.
		expect(point('rev2', String(second))).toMatchObject({ compared: 8, matching: 3 });
		const byMonth = await graderTrend(f.db, 'month');
		expect(byMonth.filter((p) => p.reviewer === 'rev2').map((p) => [p.period, p.matching, p.compared])).toEqual([
			['2026-10', 16, 16],
			['2026-11', 3, 8]
		]);
	});
});
