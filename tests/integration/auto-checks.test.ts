import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SessionUser } from '../../src/lib/core/auth/roles';
import { addUser } from '../../src/lib/core/auth/users.server';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import type { PolicyDocument } from '../../src/lib/core/policy/model';
import { cohensKappa } from '../../src/lib/core/stats/cohen-kappa';
import { importMessages } from '../../src/lib/conversations/import-messages.server';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { AUTO_CHECK_IDS, type AutoCheckId, type CheckCounts } from '../../src/lib/audits/auto-checks/model';
import { autoCheckReport } from '../../src/lib/audits/auto-checks/report.server';
import { autoCheckAgreement, autoCheckDisagreements } from '../../src/lib/audits/auto-checks/agreement.server';
import { DEFAULT_SCORECARD, parseScorecard, type ReviewScores, type ScorecardBody } from '../../src/lib/audits/scorecard';
import { parseSampleRequest } from '../../src/lib/audits/sample-request';
import { assignSample, drawAuditSample } from '../../src/lib/audits/sampling.server';
import { saveReview } from '../../src/lib/audits/reviews.server';
import { loadPopulation } from '../../src/lib/audits/population.server';
import { drawSample } from '../../src/lib/audits/sampling';
import { ppsInclusionProbabilities } from '../../src/lib/audits/pps';
import { currentTemplate, parseTemplateText, saveTemplateVersion } from '../../src/lib/audits/templates.server';
import { AuditError } from '../../src/lib/audits/audit-error';
import { autoChecksMigration, withBuiltInChecks } from '../../src/lib/core/db/migrations/0010-auto-checks';
import type { Kysely } from 'kysely';
import { ingestFixture, MiB, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * A dozen hand-built cases, each with what every check must say about it written out by hand
 * (P pass, F fail, - not applicable), worked from the rules in plain words under the test policy:
 * first response within 10 calendar hours (chat and phone 1), returns within 60 days, refunds
 * within 10 days of the decision, free returns, an outcome within 30 days. The archive's snapshot
 * is 2026-04-01 00:00 (A10's resolution).
 */
interface HandCase {
	id: string;
	team: string;
	region: string;
	agent: string;
	channel: string;
	status: string;
	stage: string;
	category: string;
	created: string;
	first?: string;
	resolved?: string;
	outcome?: string;
	delivered?: string;
	refund?: string;
	fee?: string;
	reopen?: number;
	/** By hand, in AUTO_CHECK_IDS order. */
	expect: Record<AutoCheckId, 'P' | 'F' | '-'>;
}

type Verdicts = [string, string, string, string, string, string, string, string, string, string, string];
function verdicts(v: Verdicts): Record<AutoCheckId, 'P' | 'F' | '-'> {
	return Object.fromEntries(AUTO_CHECK_IDS.map((id, i) => [id, v[i]])) as Record<AutoCheckId, 'P' | 'F' | '-'>;
}

//                                  policy  inwin  refund fee  claim  first  outc  reopen csat  reply  notes
const CASES: HandCase[] = [
	// Return 10 days after delivery, denied: in-window denial. Answered after 2 h; a follow-up waited 21 h. CSAT 5 then 2 (latest counts).
	{ id: 'A1', team: 't1', region: 'r1', agent: 'a1', channel: 'email', status: 'closed', stage: 'post_purchase', category: 'return_request', created: '2026-03-02 10:00:00', first: '2026-03-02 12:00:00', resolved: '2026-03-03 10:00:00', outcome: 'denied', delivered: '2026-02-20 00:00:00', reopen: 0, expect: verdicts(['F', 'F', '-', '-', 'P', 'P', 'P', 'P', 'F', 'F', 'P']) },
	// Chat answered after 2 h (target 1 h); approved in-window return, fee 0, refund after 2.4 days; reopened; an internal note pasted into a reply.
	{ id: 'A2', team: 't1', region: 'r1', agent: 'a1', channel: 'chat', status: 'closed', stage: 'post_purchase', category: 'return_request', created: '2026-03-02 10:00:00', first: '2026-03-02 12:00:00', resolved: '2026-03-02 14:00:00', outcome: 'approved', delivered: '2026-01-01 00:00:00', refund: '2026-03-05 00:00:00', fee: '0', reopen: 1, expect: verdicts(['P', 'P', 'P', 'P', 'P', 'F', 'P', 'F', 'P', 'P', 'F']) },
	// Refund 14.6 days after the decision, fee 4.99 charged, answered after 23 h; survey unanswered.
	{ id: 'A3', team: 't1', region: 'r2', agent: 'a2', channel: 'email', status: 'solved', stage: 'post_purchase', category: 'refund_request', created: '2026-03-03 09:00:00', first: '2026-03-04 08:00:00', resolved: '2026-03-05 09:00:00', outcome: 'refunded', refund: '2026-03-20 00:00:00', fee: '4.99', reopen: 0, expect: verdicts(['F', '-', 'F', 'F', 'P', 'F', 'P', 'P', '-', 'F', '-']) },
	// Claim open 31 days without outcome or reply.
	{ id: 'A4', team: 't2', region: 'r2', agent: 'a2', channel: 'phone', status: 'open', stage: 'post_purchase', category: 'defect', created: '2026-03-01 00:00:00', expect: verdicts(['F', '-', '-', '-', 'F', 'F', '-', '-', '-', 'F', '-']) },
	// Claim open 4 hours: not stale, not yet past the target.
	{ id: 'A5', team: 't2', region: 'r2', agent: 'a3', channel: 'email', status: 'open', stage: 'post_purchase', category: 'defect', created: '2026-03-31 20:00:00', reopen: 0, expect: verdicts(['P', '-', '-', '-', 'P', '-', '-', 'P', '-', '-', '-']) },
	{ id: 'A6', team: 't2', region: 'r1', agent: 'a3', channel: 'web', status: 'closed', stage: 'pre_purchase', category: 'product_info', created: '2026-03-10 09:00:00', first: '2026-03-10 09:30:00', resolved: '2026-03-10 10:00:00', outcome: 'info_provided', reopen: 2, expect: verdicts(['-', '-', '-', '-', '-', 'P', 'P', 'F', 'F', 'P', '-']) },
	// Escalated is not a definitive outcome.
	{ id: 'A7', team: 't3', region: 'r1', agent: 'a4', channel: 'email', status: 'closed', stage: 'order', category: 'order_status', created: '2026-03-11 09:00:00', first: '2026-03-11 10:00:00', resolved: '2026-03-12 09:00:00', outcome: 'escalated', reopen: 0, expect: verdicts(['-', '-', '-', '-', '-', 'P', 'F', 'P', 'P', 'P', 'P']) },
	// Social (the 10-hour target) answered after 11 h; solved without an outcome.
	{ id: 'A8', team: 't3', region: 'r2', agent: 'a4', channel: 'social', status: 'solved', stage: 'order', category: 'shipping_delay', created: '2026-03-12 00:00:00', first: '2026-03-12 11:00:00', resolved: '2026-03-13 00:00:00', expect: verdicts(['-', '-', '-', '-', '-', 'F', 'F', '-', '-', '-', '-']) },
	// Return 73 days after delivery, denied: outside the window, no violation.
	{ id: 'A9', team: 't3', region: 'r2', agent: 'a5', channel: 'email', status: 'closed', stage: 'post_purchase', category: 'return_request', created: '2026-03-15 00:00:00', first: '2026-03-15 03:00:00', resolved: '2026-03-16 00:00:00', outcome: 'denied', delivered: '2026-01-01 00:00:00', reopen: 0, expect: verdicts(['P', 'P', '-', '-', 'P', 'P', 'P', 'P', '-', '-', '-']) },
	{ id: 'A10', team: 't1', region: 'r1', agent: 'a1', channel: 'email', status: 'closed', stage: 'post_purchase', category: 'return_request', created: '2026-03-31 10:00:00', first: '2026-03-31 11:00:00', resolved: '2026-04-01 00:00:00', outcome: 'approved', delivered: '2026-03-20 00:00:00', reopen: 0, expect: verdicts(['P', 'P', '-', '-', 'P', 'P', 'P', 'P', '-', '-', '-']) },
	{ id: 'A11', team: 't2', region: 'r1', agent: 'a3', channel: 'chat', status: 'closed', stage: 'pre_purchase', category: 'currency', created: '2026-03-20 10:00:00', first: '2026-03-20 10:30:00', resolved: '2026-03-20 11:00:00', outcome: 'withdrawn', reopen: 0, expect: verdicts(['-', '-', '-', '-', '-', 'P', 'P', 'P', '-', '-', '-']) },
	// Pending for 7 days without a reply (phone: 1 hour).
	{ id: 'A12', team: 't3', region: 'r1', agent: 'a5', channel: 'phone', status: 'pending', stage: 'order', category: 'address_change', created: '2026-03-25 00:00:00', reopen: 0, expect: verdicts(['-', '-', '-', '-', '-', 'F', '-', 'P', '-', '-', '-']) }
];

const CASE_HEADER = 'case_id,created_at,first_response_at,resolved_at,status,region,channel,stage,category,agent_id,team,outcome,delivered_at,refund_issued_at,return_shipping_fee,reopen_count';
const caseCsv = (cases: HandCase[]) =>
	[CASE_HEADER, ...cases.map((c) => [c.id, c.created, c.first, c.resolved, c.status, c.region, c.channel, c.stage, c.category, c.agent, c.team, c.outcome, c.delivered, c.refund, c.fee, c.reopen].map((v) => v ?? '').join(','))].join('\n');

const FEEDBACK = [
	'feedback_id,case_id,submitted_at,kind,csat',
	'F1,A1,2026-03-04 00:00:00,survey,5',
	'F2,A1,2026-03-06 00:00:00,survey,2',
	'F3,A2,2026-03-03 00:00:00,survey,4',
	'F4,A3,2026-03-06 00:00:00,survey,',
	'F5,A6,2026-03-11 00:00:00,survey,3',
	'F6,A7,2026-03-13 00:00:00,survey,5'
].join('\n');

const MESSAGES = [
	'case_id,sequence,sent_at,author_role,author_name,public,body',
	'A1,1,2026-03-02 10:00:00,customer,Ann,true,My return was refused',
	'A1,2,2026-03-02 12:00:00,agent,a1,true,"Hello, we are checking"',
	'A1,3,2026-03-02 13:00:00,customer,Ann,true,Any news?',
	'A1,4,2026-03-02 15:00:00,agent,a1,false,"Customer is angry, escalate to supervisor please"',
	'A1,5,2026-03-03 10:00:00,agent,a1,true,Decision: denied',
	'A1,6,2026-03-03 11:00:00,customer,Ann,true,thanks',
	'A2,1,2026-03-02 10:00:00,customer,Bo,true,Where is my label',
	'A2,2,2026-03-02 10:05:00,bot,Auto,true,We got your message',
	'A2,3,2026-03-02 10:40:00,agent,a1,true,Here it is',
	'A2,4,2026-03-02 10:50:00,agent,a1,false,Label reissued via carrier portal today',
	'A2,5,2026-03-02 11:00:00,agent,a1,true,FYI: LABEL reissued via carrier portal today.',
	'A3,1,2026-03-03 09:00:00,customer,Cy,true,Refund please',
	'A3,2,2026-03-03 09:30:00,customer,Cy,true,Hello??',
	'A3,3,2026-03-04 08:00:00,agent,a2,true,Refund approved',
	'A4,1,2026-03-01 00:00:00,customer,Di,true,Broken item',
	'A4,2,2026-03-01 00:01:00,system,System,true,Call logged',
	'A5,1,2026-03-31 20:00:00,customer,Ed,true,Defect again',
	'A6,1,2026-03-10 09:00:00,customer,Fa,true,question',
	'A6,2,2026-03-10 09:30:00,agent,a3,true,answer',
	'A6,3,2026-03-10 09:40:00,customer,Fa,true,follow up',
	'A6,4,2026-03-10 09:45:00,agent,a3,false,ok',
	'A6,5,2026-03-10 10:00:00,agent,a3,true,ok',
	'A7,1,2026-03-11 08:00:00,agent,a4,true,We noticed a delay on your order',
	'A7,2,2026-03-11 09:00:00,customer,Gu,true,"thanks, where is it"',
	'A7,3,2026-03-11 09:30:00,agent,a4,false,Carrier confirmed the parcel is lost in transit',
	'A7,4,2026-03-11 10:00:00,agent,a4,true,We are on it'
].join('\n');

const NOW = new Date('2026-04-02T00:00:00Z');
const all = parseFilters(new URLSearchParams());
let f: IngestFixture;
let reviewer: SessionUser;

/** The independent count: passes and fails of a check among `cases`, from the hand-written verdicts. */
function handCount(id: AutoCheckId, cases: HandCase[]): Pick<CheckCounts, 'checked' | 'passed' | 'failed'> {
	const passed = cases.filter((c) => c.expect[id] === 'P').length;
	const failed = cases.filter((c) => c.expect[id] === 'F').length;
	return { checked: passed + failed, passed, failed };
}

async function setTestPolicy(): Promise<void> {
	const current = await currentPolicy(f.db);
	const policy = structuredClone(current.policy) as PolicyDocument & { targets: Record<string, unknown> };
	policy.targets = { ...policy.targets, first_response_hours: 10, first_response_basis: 'calendar', channels: { chat: { first_response_hours: 1 }, phone: { first_response_hours: 1 } } };
	await updatePolicy(f.db, policy, 'test', 'test', current.version);
}

beforeAll(async () => {
	f = await ingestFixture();
	await f.ingest(await f.file('cases.csv', caseCsv(CASES)), { kind: 'cases' });
	await f.ingest(await f.file('feedback.csv', FEEDBACK), { kind: 'feedback' });
	await importMessages(f.db, { path: await f.file('messages.csv', MESSAGES), importedBy: 'test', source: 'api', archiveDir: join(f.dir, 'archive'), maxBytes: 50 * MiB });
	await setTestPolicy();
	reviewer = await addUser(f.db, { username: 'rev1', role: 'reviewer', password: 'rev1-password-1' }, 'test');
}, 60_000);

afterAll(async () => {
	await f?.dispose();
});

describe('pass rates over the whole population', () => {
	test('every check equals the hand count, overall and per team, region and agent', async () => {
		for (const by of ['team', 'region', 'agent'] as const) {
			const r = await autoCheckReport(f.db, { filters: all, by, today: NOW });
			expect(r.cases).toBe(CASES.length);
			for (const id of AUTO_CHECK_IDS) {
				const c = r.checks.find((x) => x.id === id);
				const want = handCount(id, CASES);
				expect({ id, checked: c?.checked, passed: c?.passed, failed: c?.failed }).toEqual({ id, ...want });
				expect(c?.not_testable).toBeNull();
				expect(c?.rate).toBeCloseTo(want.passed / want.checked, 12);
				const key = by === 'agent' ? 'agent' : by;
				for (const group of new Set(CASES.map((x) => x[key]))) {
					const g = r.groups.find((x) => x.check === id && x.group === group);
					const hand = handCount(id, CASES.filter((x) => x[key] === group));
					if (hand.checked === 0) expect(g).toBeUndefined();
					else expect({ id, group, checked: g?.checked, passed: g?.passed, failed: g?.failed }).toEqual({ id, group, ...hand });
				}
			}
		}
	});

	test('the page filters narrow the population like on the metric pages', async () => {
		const r = await autoCheckReport(f.db, { filters: parseFilters(new URLSearchParams('region=r2&channel=email')), by: 'team', today: NOW });
		const kept = CASES.filter((c) => c.region === 'r2' && c.channel === 'email');
		expect(r.cases).toBe(kept.length);
		for (const id of AUTO_CHECK_IDS) {
			const c = r.checks.find((x) => x.id === id);
			const hand = handCount(id, kept);
			if (hand.checked === 0) expect(c?.not_testable?.reason).toMatch(/none of the \d+ cases in these filters/);
			else expect({ id, passed: c?.passed, failed: c?.failed }).toEqual({ id, passed: hand.passed, failed: hand.failed });
		}
	});
});

describe('not testable', () => {
	test('a column no case carries, an empty messages table and no survey make the checks not testable, naming the column', async () => {
		const g = await ingestFixture();
		try {
			// The same cases without outcome, reopen_count, refund or fee columns; no feedback, no messages.
			const thin = ['case_id,created_at,first_response_at,resolved_at,status,region,channel,stage,category', ...CASES.map((c) => [c.id, c.created, c.first, c.resolved, c.status, c.region, c.channel, c.stage, c.category].map((v) => v ?? '').join(','))].join('\n');
			await g.ingest(await g.file('thin.csv', thin), { kind: 'cases' });
			const r = await autoCheckReport(g.db, { filters: all, by: 'team', today: NOW });
			const why = (id: AutoCheckId) => r.checks.find((c) => c.id === id);
			for (const [id, column] of [
				['definitive_outcome', 'outcome'],
				['no_reopen', 'reopen_count'],
				['refund_on_time', 'refund_issued_at'],
				['no_return_fee', 'return_shipping_fee'],
				['in_window_return_honoured', 'outcome'],
				['claim_decided_in_time', 'outcome']
			] as const) {
				const c = why(id);
				expect(c?.not_testable?.reason, id).toContain(`(${column})`);
				expect(c?.not_testable?.fix, id).toContain(`map a column to ${column}`);
				expect([c?.rate, c?.checked, c?.passed, c?.failed]).toEqual([null, 0, 0, 0]);
			}
			expect(why('csat_4_or_5')?.not_testable?.reason).toBe('no feedback was imported');
			expect(why('reply_within_target')?.not_testable?.reason).toContain('messages table is empty');
			expect(why('internal_notes_private')?.not_testable?.reason).toContain('messages table is empty');
			// Every violation rule lacks a column: the summary check says which.
			expect(why('policy_compliance')?.not_testable?.reason).toMatch(/^no compliance rule can be checked: .*outcome/);
			// What the archive does hold is still checked.
			expect(why('first_response_within_target')?.not_testable).toBeNull();
			expect(why('first_response_within_target')?.checked).toBeGreaterThan(0);
			expect(r.groups.some((x) => x.check === 'no_reopen')).toBe(false);
		} finally {
			await g.dispose();
		}
	});
});

describe('scorecard declarations', () => {
	test('the built-in template declares checks; an unknown check or a pass threshold outside the scale is refused', async () => {
		const t = await currentTemplate(f.db);
		const declared = [...t.body.categories, ...t.body.critical_items].filter((i) => i.auto_check).map((i) => [i.id, i.auto_check]);
		expect(declared).toEqual([
			['policy_accuracy', 'policy_compliance'],
			['response_speed', 'first_response_within_target'],
			['policy_misinformation', 'in_window_return_honoured']
		]);
		const bad = (change: (b: ScorecardBody) => void) => {
			const body = structuredClone(DEFAULT_SCORECARD);
			change(body);
			return () => parseTemplateText(JSON.stringify(body));
		};
		expect(bad((b) => (b.categories[0].auto_check = 'mind_reading'))).toThrow(AuditError);
		expect(bad((b) => (b.categories[0].pass_from = 1))).toThrow(/pass_from/);
		expect(bad((b) => (b.categories[0].pass_from = 6))).toThrow(/pass_from/);
		expect(parseTemplateText(JSON.stringify(DEFAULT_SCORECARD))).toEqual(DEFAULT_SCORECARD);
	});

	test('migration 0010 adds the built-in declarations to a version saved without them, once', () => {
		const old = parseScorecard(JSON.stringify({ categories: DEFAULT_SCORECARD.categories.map(({ auto_check: _a, pass_from: _p, ...c }) => c), critical_items: DEFAULT_SCORECARD.critical_items.map(({ auto_check: _a, ...i }) => i) }));
		expect(withBuiltInChecks(old)).toEqual(DEFAULT_SCORECARD);
		expect(withBuiltInChecks(DEFAULT_SCORECARD)).toBeNull();
		// A category whose scale changed keeps no declaration: its ratings would not mean the same.
		const rescaled = structuredClone(old);
		rescaled.categories[4].scale = { min: 1, max: 5, labels: ['1', '2', '3', '4', '5'] };
		expect(withBuiltInChecks(rescaled)?.categories[4].auto_check).toBeUndefined();
	});
});

describe('agreement with the reviewers on sampled cases', () => {
	// Ratings chosen by hand against the verdicts above (policy accuracy passes from 3, response speed from 2).
	const POLICY_ACCURACY: Record<string, number> = { A1: 2, A2: 4, A3: 3, A4: 1, A5: 2, A6: 3, A7: 3, A8: 3, A9: 5, A10: 3, A11: 3, A12: 3 };
	const RESPONSE_SPEED: Record<string, number> = { A1: 2, A2: 1, A3: 1, A4: 1, A5: 2, A6: 3, A7: 1, A8: 2, A9: 2, A10: 3, A11: 2, A12: 1 };
	const MISINFORMATION_FAILED = new Set(['A1']);

	beforeAll(async () => {
		const { request } = parseSampleRequest(new URLSearchParams('design=simple&size=12&seed=3'));
		if (!request) throw new Error('bad request');
		const sample = await drawAuditSample(f.db, request, 'test');
		await assignSample(f.db, sample.sample_id, { reviewers: ['rev1'], method: 'round_robin' }, 'test');
		const reviews = await f.db.selectFrom('audit_reviews').select(['review_id', 'case_id']).where('sample_id', '=', sample.sample_id).execute();
		for (const r of reviews) {
			const scores: ReviewScores = {
				ratings: Object.fromEntries(DEFAULT_SCORECARD.categories.map((c) => [c.id, c.id === 'policy_accuracy' ? POLICY_ACCURACY[r.case_id] : c.id === 'response_speed' ? RESPONSE_SPEED[r.case_id] : 3])),
				critical: Object.fromEntries(DEFAULT_SCORECARD.critical_items.map((i) => [i.id, i.id === 'policy_misinformation' && MISINFORMATION_FAILED.has(r.case_id)]))
			};
			await saveReview(f.db, r.review_id, reviewer, { scores, notes: '', submit: true });
		}
	}, 60_000);

	/** Human x automatic counts from the hand verdicts and the ratings above. */
	function handTable(check: AutoCheckId, humanPass: (id: string) => boolean) {
		const cells = { pass_pass: 0, pass_fail: 0, fail_pass: 0, fail_fail: 0 };
		const disagree: string[] = [];
		for (const c of CASES) {
			const auto = c.expect[check];
			if (auto === '-') continue;
			const h = humanPass(c.id);
			const key = `${h ? 'pass' : 'fail'}_${auto === 'P' ? 'pass' : 'fail'}` as keyof typeof cells;
			cells[key] += 1;
			if (h !== (auto === 'P')) disagree.push(c.id);
		}
		return { cells, disagree: disagree.sort() };
	}

	const ITEMS = [
		{ item: 'policy_accuracy', check: 'policy_compliance' as const, human: (id: string) => POLICY_ACCURACY[id] >= 3 },
		{ item: 'response_speed', check: 'first_response_within_target' as const, human: (id: string) => RESPONSE_SPEED[id] >= 2 },
		{ item: 'policy_misinformation', check: 'in_window_return_honoured' as const, human: (id: string) => !MISINFORMATION_FAILED.has(id) }
	];

	test('kappa per item equals the fixture-checked function on the hand-built 2 x 2 table', async () => {
		const report = await autoCheckAgreement(f.db, { filters: all, today: NOW });
		expect(report.reviews).toBe(12);
		for (const { item, check, human } of ITEMS) {
			const row = report.items.find((x) => x.item === item && x.check === check);
			const { cells } = handTable(check, human);
			expect({ item, ...cells }).toEqual({ item, pass_pass: row?.pass_pass, pass_fail: row?.pass_fail, fail_pass: row?.fail_pass, fail_fail: row?.fail_fail });
			const n = cells.pass_pass + cells.pass_fail + cells.fail_pass + cells.fail_fail;
			expect(row?.n).toBe(n);
			expect(row?.not_applicable).toBe(12 - n);
			const want = cohensKappa([
				[cells.pass_pass, cells.pass_fail],
				[cells.fail_pass, cells.fail_fail]
			]);
			expect(row?.kappa).toEqual(want);
		}
		// 3-1-1-2 and 5-1-1-4 by hand: kappa 0.4167 and 0.6333; the critical item agrees on all 4 returns.
		expect(report.items.find((x) => x.item === 'policy_accuracy')?.kappa.kappa).toBeCloseTo(5 / 12, 12);
		expect(report.items.find((x) => x.item === 'response_speed')?.kappa.kappa).toBeCloseTo(19 / 30, 12);
		const critical = report.items.find((x) => x.item === 'policy_misinformation');
		expect([critical?.kappa.kappa, critical?.trust]).toEqual([1, 'too_few']);
	});

	test('the disagreement list holds exactly the disagreeing cases, each with its review', async () => {
		for (const { item, check, human } of ITEMS) {
			const list = await autoCheckDisagreements(f.db, { filters: all, today: NOW, item, check });
			expect(list.map((d) => d.case_id).sort()).toEqual(handTable(check, human).disagree);
			for (const d of list) {
				expect(d.human === 'pass').toBe(human(d.case_id));
				expect(d.automatic).not.toBe(d.human);
				expect(d.review_id).toBeGreaterThan(0);
			}
		}
	});

	test('filters apply to the sampled cases too', async () => {
		const report = await autoCheckAgreement(f.db, { filters: parseFilters(new URLSearchParams('team=t1')), today: NOW });
		expect(report.reviews).toBe(CASES.filter((c) => c.team === 't1').length);
		const speed = report.items.find((x) => x.item === 'response_speed');
		expect(speed?.n).toBe(CASES.filter((c) => c.team === 't1' && c.expect.first_response_within_target !== '-').length);
	});

	test('reviews scored with a version that declared no checks are still paired through the current one', async () => {
		const stripped = { categories: DEFAULT_SCORECARD.categories.map(({ auto_check: _a, ...c }) => c), critical_items: DEFAULT_SCORECARD.critical_items.map(({ auto_check: _a, ...i }) => i) };
		const before = await autoCheckAgreement(f.db, { filters: all, today: NOW });
		const old = await saveTemplateVersion(f.db, stripped, 'without checks', 'test');
		await f.db.updateTable('audit_reviews').set({ template_id: old.template_id }).where('kind', '=', 'sample').execute();
		// The current version is now the stripped one: nothing declares a check.
		expect((await autoCheckAgreement(f.db, { filters: all, today: NOW })).items).toEqual([]);
		// A newer version declaring them again pairs the old reviews (same ids, same scales).
		await saveTemplateVersion(f.db, DEFAULT_SCORECARD, 'checks again', 'test');
		const after = await autoCheckAgreement(f.db, { filters: all, today: NOW });
		expect(after.items.map((x) => [x.item, x.n, x.kappa.kappa])).toEqual(before.items.map((x) => [x.item, x.n, x.kappa.kappa]));
	});
});

describe('risk-weighted sampling on failed automatic checks', () => {
	// Only the new flag carries weight: a case failing a check the scorecard declares is 5 times as likely.
	const QUERY = 'design=risk&size=4&weight_low_csat=0&weight_reopened=0&weight_slow=0&weight_escalated=0&weight_compliance=0&weight_auto_checks=4';
	const declared = ['policy_compliance', 'first_response_within_target', 'in_window_return_honoured'] as const;
	const failing = CASES.filter((c) => declared.some((id) => c.expect[id] === 'F')).map((c) => c.id);

	test('failed cases get 5 times the inclusion probability, the probabilities sum to n, and the HT weights average to N', async () => {
		const { request } = parseSampleRequest(new URLSearchParams(`${QUERY}&seed=1`));
		if (!request) throw new Error('bad request');
		const population = await loadPopulation(f.db, request, NOW);
		expect(population.units.filter((u) => u.flags.includes('auto_checks')).map((u) => u.caseId).sort()).toEqual([...failing].sort());
		const pi = ppsInclusionProbabilities(
			population.units.map((u) => u.size),
			4
		);
		const piOf = new Map(population.units.map((u, i) => [u.caseId, pi[i]]));
		expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 12);
		const failedPi = failing.map((id) => piOf.get(id) as number);
		const plainPi = CASES.filter((c) => !failing.includes(c.id)).map((c) => piOf.get(c.id) as number);
		for (const p of failedPi) expect(p / plainPi[0]).toBeCloseTo(5, 12);

		// Over many seeded draws every case is drawn as often as its probability says, so the
		// Horvitz-Thompson weights 1/pi of a sample sum to N = 12 on average.
		const draws = 4000;
		const seen = new Map<string, number>();
		let weightSum = 0;
		for (let seed = 1; seed <= draws; seed++) {
			const d = drawSample(population.units, { kind: 'risk' }, 4, seed);
			expect(d.units).toHaveLength(4);
			for (const u of d.units) {
				seen.set(u.caseId, (seen.get(u.caseId) ?? 0) + 1);
				weightSum += 1 / u.inclusionProbability;
				expect(u.inclusionProbability).toBeCloseTo(piOf.get(u.caseId) as number, 12);
			}
		}
		for (const [id, p] of piOf) expect(Math.abs((seen.get(id) ?? 0) / draws - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / draws));
		expect(Math.abs(weightSum / draws - CASES.length)).toBeLessThan(0.05 * CASES.length);
	});

	test('the stored sample records the flag and the probabilities; weight 0 (the default) flags nothing', async () => {
		const { request } = parseSampleRequest(new URLSearchParams(`${QUERY}&seed=9`));
		if (!request) throw new Error('bad request');
		const s = await drawAuditSample(f.db, request, 'test', NOW);
		for (const c of s.cases) {
			expect(c.risk_flags.includes('auto_checks')).toBe(failing.includes(c.case_id));
			expect(c.inclusion_probability).toBeCloseTo(failing.includes(c.case_id) ? 20 / 36 : 4 / 36, 12);
		}
		const { request: plain } = parseSampleRequest(new URLSearchParams('design=risk&size=4&seed=9'));
		if (!plain) throw new Error('bad request');
		expect(plain.riskWeights?.auto_checks).toBe(0);
		const population = await loadPopulation(f.db, plain, NOW);
		expect(population.units.some((u) => u.flags.includes('auto_checks'))).toBe(false);
	});
});

describe('migration 0010 on a database saved before automatic checks', () => {
	test('adds one version with the declarations when the newest declares none, and nothing when run again', async () => {
		const stripped = { categories: DEFAULT_SCORECARD.categories.map(({ auto_check: _a, pass_from: _p, ...c }) => c), critical_items: DEFAULT_SCORECARD.critical_items.map(({ auto_check: _a, ...i }) => i) };
		const old = await saveTemplateVersion(f.db, stripped, 'as saved before automatic checks', 'test');
		await autoChecksMigration.up(f.db as unknown as Kysely<unknown>);
		const now = await currentTemplate(f.db);
		expect(now.version).toBe(old.version + 1);
		expect(now.body).toEqual(DEFAULT_SCORECARD);
		expect(now.created_by).toBe('system');
		await autoChecksMigration.up(f.db as unknown as Kysely<unknown>);
		expect((await currentTemplate(f.db)).version).toBe(now.version);
	});
});
