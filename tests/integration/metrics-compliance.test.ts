import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { caseQueryFromParams, listCases } from '../../src/lib/cases/case-list.server';
import { caseFindings } from '../../src/lib/cases/case-findings.server';
import { complianceReport } from '../../src/lib/metrics/compliance/compliance.server';
import { currentPolicy, updatePolicy } from '../../src/lib/core/policy/policy.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

// Hand-made cases at the edges of every rule. Offsets are converted to UTC on import, so the
// "midnight" pair is 60 days apart in UTC even though the local calendar dates say 61.
const HEADER = 'case_id,created_at,resolved_at,status,region,stage,category,delivered_at,outcome,refund_issued_at,return_shipping_fee,team';
const ROWS = [
	// returns: day 60 (in window) denied -> violation; day 61 denied -> fine; day 61 approved -> exception
	'ret-60-denied,2026-03-02 10:00:00,2026-03-03 10:00:00,closed,europe,post_purchase,return_request,2026-01-01 10:00:00,denied,,,alpha',
	'ret-60h23-denied,2026-03-02 09:00:00,2026-03-03 10:00:00,closed,europe,post_purchase,return_request,2026-01-01 10:00:00,denied,,,alpha',
	'ret-61-denied,2026-03-03 10:00:00,2026-03-04 10:00:00,closed,europe,post_purchase,return_request,2026-01-01 10:00:00,denied,,,alpha',
	'ret-61-approved,2026-03-03 10:00:00,2026-03-04 10:00:00,closed,latam,post_purchase,return_request,2026-01-01 10:00:00,approved,,0,beta',
	'ret-59-approved,2026-03-01 10:00:00,2026-03-02 10:00:00,closed,latam,post_purchase,return_request,2026-01-01 10:00:00,approved,,0,beta',
	// time zones: delivered 23:30 at -05:00 (= 04:30 UTC next day); request 60 days later at 00:30+01:00 (= 23:30 UTC)
	'ret-tz-denied,2026-03-03T00:30:00+01:00,2026-03-04 10:00:00,closed,europe,post_purchase,return_request,2026-01-01T23:30:00-05:00,denied,,,alpha',
	// refunds: exactly 10 days after resolution -> fine; 10 days + 1 s and 11 days -> late
	'ref-10d,2026-02-01 08:00:00,2026-02-02 08:00:00,closed,europe,post_purchase,refund_request,,refunded,2026-02-12 08:00:00,,alpha',
	'ref-10d1s,2026-02-01 08:00:00,2026-02-02 08:00:00,closed,europe,post_purchase,refund_request,,refunded,2026-02-12 08:00:01,,alpha',
	'ref-11d,2026-02-01 08:00:00,2026-02-02 08:00:00,closed,latam,post_purchase,refund_request,,refunded,2026-02-13 08:00:00,,beta',
	// fees: 0 fine, 0.01 violation
	'fee-0,2026-02-01 08:00:00,2026-02-02 08:00:00,closed,europe,post_purchase,defect,,replaced,,0,alpha',
	'fee-001,2026-02-01 08:00:00,2026-02-02 08:00:00,closed,europe,post_purchase,defect,,replaced,,0.01,alpha',
	// stale claims: no outcome after 31 days -> violation; 29 days -> not yet (snapshot = latest timestamp, 2026-03-04 10:00)
	'stale-31,2026-02-01 10:00:00,,open,latam,post_purchase,wrong_item,,,,,beta',
	'stale-29,2026-02-03 10:00:01,,open,latam,post_purchase,wrong_item,,,,,beta',
	'pre-no-outcome,2026-01-01 10:00:00,,open,latam,pre_purchase,product_info,,,,,beta'
];

let f: IngestFixture;
const all = parseFilters(new URLSearchParams());

async function flaggedIds(rule: string): Promise<string[]> {
	const { rows } = await listCases(f.db, caseQueryFromParams(new URLSearchParams({ rule })), { offset: 0, limit: 100 }, 'admin');
	return rows.map((r) => r.case_id).sort();
}

beforeAll(async () => {
	f = await ingestFixture();
	const summary = await f.ingest(await f.file('edges.csv', [HEADER, ...ROWS].join('\n')), { kind: 'cases' });
	expect(summary.rejected).toBe(0);
	expect(summary.accepted).toBe(ROWS.length);
});

afterAll(async () => {
	await f?.dispose();
});

describe('compliance rules at their edges', () => {
	test('a return on day 60 (even 60 days 23 hours) is in the window; day 61 is not', async () => {
		expect(await flaggedIds('in_window_return_denied')).toEqual(['ret-60-denied', 'ret-60h23-denied', 'ret-tz-denied']);
		expect(await flaggedIds('out_of_window_return_approved')).toEqual(['ret-61-approved']);
	});

	test('time zones: the window is measured between instants, not local calendar dates', async () => {
		// Local dates 2026-01-01 and 2026-03-03 are 61 days apart, the UTC instants 60 days and 19 hours.
		const { rows } = await listCases(f.db, caseQueryFromParams(new URLSearchParams({ rule: 'in_window_return_denied' })), { offset: 0, limit: 100 }, 'admin');
		const tz = rows.find((r) => r.case_id === 'ret-tz-denied');
		expect(tz?.created_at.toISOString()).toBe('2026-03-02T23:30:00.000Z');
	});

	test('a refund 10 days after the decision is on time; 10 days and 1 second is late', async () => {
		expect(await flaggedIds('late_refund')).toEqual(['ref-10d1s', 'ref-11d']);
	});

	test('a return fee of 0.01 is a violation, 0 is not', async () => {
		expect(await flaggedIds('return_fee_charged')).toEqual(['fee-001']);
	});

	test('a post-purchase claim without outcome past 30 days is stale; at 29 days it is not yet', async () => {
		expect(await flaggedIds('stale_claim')).toEqual(['stale-31']);
	});

	test('rates use the eligible cases as denominator, by group too', async () => {
		const r = await complianceReport(f.db, { filters: all, by: 'team' });
		const inWindow = r.rules.find((x) => x.rule === 'in_window_return_denied');
		expect(inWindow?.eligible).toBe(6);
		expect(inWindow?.flagged).toBe(3);
		expect(inWindow?.rate).toBeCloseTo(0.5, 10);
		const alpha = r.groups.find((g) => g.rule === 'late_refund' && g.group === 'alpha');
		expect(alpha).toMatchObject({ eligible: 2, flagged: 1 });
		expect(r.refund_days.find((d) => d.days === 10)?.refunds).toBe(2);
		expect(r.refund_days.find((d) => d.days === 11)?.refunds).toBe(1);
	});

	test('a case page lists the rules that apply to the case and which it breaks', async () => {
		const denied = await caseFindings(f.db, 'ret-60-denied');
		// A decided post-purchase return: the return rules and the outcome rule apply.
		expect(denied.map((x) => [x.rule, x.flagged])).toEqual([
			['in_window_return_denied', true],
			['stale_claim', false],
			['out_of_window_return_approved', false]
		]);
		const fee = await caseFindings(f.db, 'fee-001');
		expect(fee.map((x) => [x.rule, x.flagged])).toEqual([
			['return_fee_charged', true],
			['stale_claim', false]
		]);
		expect(await caseFindings(f.db, 'pre-no-outcome')).toEqual([]);
		expect(await caseFindings(f.db, 'no-such-case')).toEqual([]);
	});

	test('editing the policy changes the results', async () => {
		const { policy } = await currentPolicy(f.db);
		await updatePolicy(f.db, { ...policy, return_window_days: 61, refund_max_days: 11 }, 'test', 'test');
		try {
			expect(await flaggedIds('in_window_return_denied')).toEqual(['ret-61-denied', 'ret-60-denied', 'ret-60h23-denied', 'ret-tz-denied'].sort());
			expect(await flaggedIds('late_refund')).toEqual([]);
			const r = await complianceReport(f.db, { filters: all });
			expect(r.policy.return_window_days).toBe(61);
		} finally {
			await updatePolicy(f.db, policy, 'restore', 'test');
		}
	});
});
