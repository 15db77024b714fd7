import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { dateBounds, describeFilters, parseFilters } from '../../src/lib/metrics/filters/model';
import { resolveToday } from '../../src/lib/metrics/filters/period.server';
import { batchChoices, filterContext } from '../../src/lib/metrics/filters/filter-bar.server';
import { METRICS } from '../../src/lib/metrics/registry.server';
import { complianceReport } from '../../src/lib/metrics/compliance/compliance.server';
import { consistencyReport } from '../../src/lib/metrics/consistency/consistency.server';
import { csatReport } from '../../src/lib/metrics/csat/csat.server';
import { fairnessReport } from '../../src/lib/metrics/fairness/fairness.server';
import { speedReport } from '../../src/lib/metrics/speed/speed.server';
import { caseQueryFromParams, listCases } from '../../src/lib/cases/case-list.server';
import { documentsSql } from '../../src/lib/friction/documents-sql.server';
import { getOverview } from '../../src/lib/overview/overview.server';
import { caseFindings } from '../../src/lib/cases/case-findings.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

// A "real import with few columns": the required case columns and a stage, nothing else. The
// latest case is opened on 2023-06-19, years before the wall clock.
const REGIONS = ['apac', 'emea', 'latam'];
const LAST = Date.parse('2023-06-19T10:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function bareCases(n: number): string {
	const rows = Array.from({ length: n }, (_, i) => `b-${i},${iso(LAST - (i % 200) * DAY)},closed,${REGIONS[i % 3]},${i % 2 ? 'billing' : 'delivery'},post_purchase`);
	return ['case_id,created_at,status,region,category,stage', ...rows].join('\n');
}

/** Richer cases: a resolution time, an outcome, a stage, a team; still no order value, delivery, refund or fee. */
function richCases(n: number): string {
	const outcomes = ['approved', 'denied', 'refunded'];
	const rows = Array.from({ length: n }, (_, i) => {
		const created = LAST - (20 + (i % 40)) * DAY;
		return `r-${i},${iso(created)},${iso(created + (2 + (i % 9)) * 3_600_000)},closed,${REGIONS[i % 3]},${i % 2 ? 'billing' : 'delivery'},${i % 2 ? 'alpha' : 'beta'},post_purchase,${outcomes[i % 3]},${i % 2 ? 'chat' : 'email'}`;
	});
	return ['case_id,created_at,resolved_at,status,region,category,team,stage,outcome,channel', ...rows].join('\n');
}

/** 40 answers about the first 40 rich cases, 20 about no imported case. */
function feedback(): string {
	const rows = Array.from({ length: 60 }, (_, i) => `fb-${i},${i < 40 ? `r-${i}` : ''},${iso(LAST - (i % 30) * DAY)},${(i % 5) + 1},late delivery again,emea`);
	return ['feedback_id,case_id,submitted_at,csat,comment,region', ...rows].join('\n');
}

describe('a dataset without outcome, refund or fee columns', () => {
	let f: IngestFixture;
	const all = parseFilters(new URLSearchParams());

	beforeAll(async () => {
		f = await ingestFixture();
		const s = await f.ingest(await f.file('bare.csv', bareCases(240)), { kind: 'cases' });
		expect([s.accepted, s.rejected]).toEqual([240, 0]);
	});
	afterAll(async () => {
		await f?.dispose();
	});

	test('compliance: every rule is not testable, with the missing column named, never 0 of 0', async () => {
		const r = await complianceReport(f.db, { filters: all });
		const byRule = Object.fromEntries(r.rules.map((x) => [x.rule, x]));
		for (const rule of r.rules) {
			expect(rule.not_testable?.status, rule.rule).toBe('not_testable');
			expect(rule.rate, rule.rule).toBeNull();
			expect(rule.not_testable?.fix.length).toBeGreaterThan(10);
		}
		expect(byRule.in_window_return_denied.not_testable?.reason).toContain('outcome');
		expect(byRule.stale_claim.not_testable?.reason).toContain('outcome');
		expect(byRule.late_refund.not_testable?.reason).toContain('refund_issued_at');
		expect(byRule.return_fee_charged.not_testable?.reason).toContain('return_shipping_fee');
		expect(byRule.return_fee_charged.not_testable?.fix).toContain('return_shipping_fee');
	});

	test('a case page does not call an old claim stale when no outcome was imported', async () => {
		const findings = await caseFindings(f.db, 'b-150');
		expect(findings.map((x) => x.rule)).toEqual(['stale_claim']);
		expect(findings[0].flagged).toBe(false);
		expect(findings[0].not_testable?.reason).toContain('outcome');
	});

	test('the JSON endpoint carries the same machine-readable state', async () => {
		const r = await METRICS.compliance(f.db, new URLSearchParams());
		const json = JSON.parse(JSON.stringify(r)) as { rules: { rule: string; not_testable: { status: string; reason: string; fix: string } | null }[] };
		expect(json.rules.find((x) => x.rule === 'late_refund')?.not_testable).toEqual({ status: 'not_testable', reason: expect.stringContaining('refund'), fix: expect.stringContaining('refund_issued_at') });
	});

	test('fairness says not testable instead of zero flags', async () => {
		const r = await fairnessReport(f.db, { filters: all });
		expect(r.rows.filter((x) => x.flagged)).toEqual([]);
		expect(r.compared).toBe(0);
		expect(r.not_testable?.status).toBe('not_testable');
		expect(r.not_testable?.reason).toMatch(/outcome/);
		const check = (d: string, m: string) => r.checks.find((c) => c.dimension === d && c.measure === m)?.not_testable?.reason ?? '';
		expect(check('region', 'favourable_rate')).toContain('outcome');
		expect(check('region', 'resolution_time')).toContain('resolved_at');
		expect(check('region', 'csat')).toContain('no feedback');
		expect(check('order_value', 'resolution_time')).toContain('resolved_at');
		expect(r.checks.every((c) => c.not_testable !== null)).toBe(true);
	});

	test('consistency says not testable instead of "no cell is flagged"', async () => {
		const r = await consistencyReport(f.db, { filters: all });
		expect(r.rows).toEqual([]);
		expect(r.index.overall).toBeNull();
		expect(r.not_testable).toMatchObject({ status: 'not_testable', reason: expect.stringContaining('outcome'), fix: expect.stringContaining('outcome') });
		for (const d of r.index.dimensions) expect(d.not_testable?.status, d.dimension).toBe('not_testable');
		expect(r.standard_resolution_not_testable?.status).toBe('not_testable');
	});

	test('speed without a first-reply column names the preset headers to map', async () => {
		const r = await speedReport(f.db, { measure: 'first_response', filters: all });
		expect(r.not_testable?.reason).toContain('first_response_at');
		expect(r.not_testable?.fix).toContain('First reply time in minutes');
		expect(r.not_testable?.fix).toContain('first_response_at');
		// The statistics themselves are unchanged: every case is censored, none answered.
		expect(r.overall.n).toBe(240);
		expect(r.overall.events).toBe(0);
	});

	test('satisfaction without feedback: CSAT and the response rate are not testable', async () => {
		const r = await csatReport(f.db, { filters: all });
		expect(r.not_testable?.reason).toBe('no feedback was imported');
		expect(r.response_rate_not_testable?.reason).toBe('no feedback was imported');
		expect(r.overall.csat).toBeNull();
	});

	test('the overview lists the columns no record has', async () => {
		const o = await getOverview(f.db);
		const missing = o.coverage.filter((c) => c.not_testable).map((c) => c.column);
		expect(missing).toEqual(expect.arrayContaining(['outcome', 'refund_issued_at', 'return_shipping_fee', 'first_response_at', 'csat']));
		expect(missing).not.toContain('region');
		expect(o.coverage.find((c) => c.column === 'region')?.with).toBe(3);
	});

	describe('date presets count back from the archive', () => {
		const last90 = parseFilters(new URLSearchParams('range=90d'));
		const last90Today = parseFilters(new URLSearchParams('range=90d&anchor=today'));

		test('"90d" is the archive\'s last 90 days, 2023-03-22 to 2023-06-19, and not empty', async () => {
			const today = await resolveToday(f.db, last90);
			expect(dateBounds(last90, today)).toEqual({ from: '2023-03-22', to: '2023-06-19' });
			expect(describeFilters(last90, today)).toBe('Last 90 days of the archive, to 2023-06-19 (from 2023-03-22)');
			const r = await speedReport(f.db, { measure: 'resolution', filters: last90 });
			const custom = await speedReport(f.db, { measure: 'resolution', filters: parseFilters(new URLSearchParams('from=2023-03-22&to=2023-06-19')) });
			// Days 0..89 before 2023-06-19 of a 200-day cycle: 90 of every 200 cases.
			expect(r.overall.n).toBe(custom.overall.n);
			expect(r.overall.n).toBe(90 + 40);
			const c = await complianceReport(f.db, { filters: last90 });
			expect(c.cases).toBe(130);
		});

		test('anchor=today counts back from the wall clock', async () => {
			const now = new Date();
			const today = await resolveToday(f.db, last90Today, now);
			expect(today).toBe(now);
			const expected = { from: new Date(now.getTime() - 89 * DAY).toISOString().slice(0, 10), to: now.toISOString().slice(0, 10) };
			expect(dateBounds(last90Today, today)).toEqual(expected);
			const r = await speedReport(f.db, { measure: 'resolution', filters: last90Today });
			expect(r.overall.n).toBe(0);
			expect(r.not_testable?.reason).toBe('no case matches these filters');
		});

		test('the filter bar gets both anchors; an explicit today still wins', async () => {
			const { today, bar } = await filterContext(f.db, last90, 'viewer');
			expect(bar.archive_end).toBe('2023-06-19');
			expect(today.toISOString().slice(0, 10)).toBe('2023-06-19');
			const explicit = await speedReport(f.db, { measure: 'resolution', filters: last90, today: new Date('2023-01-31T00:00:00Z') });
			expect(explicit.overall.n).toBeGreaterThan(0);
			expect(explicit.overall.n).toBeLessThan(130);
		});
	});
});

describe('the import filter', () => {
	let f: IngestFixture;
	let bare: number;
	let rich: number;
	let answers: number;
	const withBatch = (id: number, extra = '') => parseFilters(new URLSearchParams(`batch=${id}${extra}`));

	beforeAll(async () => {
		f = await ingestFixture();
		bare = (await f.ingest(await f.file('bare.csv', bareCases(240)), { kind: 'cases' })).batch_id as number;
		rich = (await f.ingest(await f.file('rich.csv', richCases(120)), { kind: 'cases' })).batch_id as number;
		answers = (await f.ingest(await f.file('answers.csv', feedback()), { kind: 'feedback' })).batch_id as number;
		expect(new Set([bare, rich, answers]).size).toBe(3);
	});
	afterAll(async () => {
		await f?.dispose();
	});

	test('cases are restricted to the batch, on every metric and in the case list', async () => {
		const all = await speedReport(f.db, { measure: 'resolution', filters: parseFilters(new URLSearchParams()) });
		expect(all.overall.n).toBe(360);
		expect((await speedReport(f.db, { measure: 'resolution', filters: withBatch(rich) })).overall.n).toBe(120);
		expect((await complianceReport(f.db, { filters: withBatch(bare) })).cases).toBe(240);
		expect((await complianceReport(f.db, { filters: parseFilters(new URLSearchParams(`batch=${bare},${rich}`)) })).cases).toBe(360);
		const list = await listCases(f.db, caseQueryFromParams(new URLSearchParams(`batch=${rich}`)), { offset: 0, limit: 500 }, 'admin');
		expect(list.total).toBe(120);
		expect(list.rows.every((c) => c.case_id.startsWith('r-'))).toBe(true);
		// A feedback import holds no case: the case pages say so rather than show zeros.
		const none = await complianceReport(f.db, { filters: withBatch(answers) });
		expect(none.cases).toBe(0);
		expect(none.rules.every((x) => x.not_testable?.reason === 'no case matches these filters')).toBe(true);
	});

	test('feedback is restricted by its own import, or by its case\'s', async () => {
		expect((await csatReport(f.db, { filters: parseFilters(new URLSearchParams()) })).overall.rated).toBe(60);
		const own = await csatReport(f.db, { filters: withBatch(answers) });
		expect(own.overall.rated).toBe(60);
		expect(own.not_testable).toBeNull();
		expect((await csatReport(f.db, { filters: withBatch(rich) })).overall.rated).toBe(40);
		const bareOnly = await csatReport(f.db, { filters: withBatch(bare) });
		expect(bareOnly.overall.rated).toBe(0);
		expect(bareOnly.not_testable?.reason).toBe('no feedback answer matches these filters');
		const docs = async (id: number) => (await sql<{ n: number }>`SELECT count(*) AS n FROM (${documentsSql('comments', withBatch(id), new Date())})`.execute(f.db)).rows[0].n;
		expect([await docs(answers), await docs(rich), await docs(bare)]).toEqual([60, 40, 0]);
	});

	test('the import menu shows file names only to roles that may read the import history', async () => {
		const lead = await batchChoices(f.db, 'lead');
		expect(lead.map((b) => b.id)).toEqual([answers, rich, bare]);
		expect(lead.find((b) => b.id === rich)?.label).toMatch(/rich\.csv · 120 cases · \d{4}-\d{2}-\d{2}$/);
		const viewer = await batchChoices(f.db, 'viewer');
		expect(viewer.map((b) => b.label)).toEqual([`import #${answers} (feedback)`, `import #${rich} (cases)`, `import #${bare} (cases)`]);
		expect(JSON.stringify(viewer)).not.toMatch(/\.csv|archive/);
	});

	test('with outcomes but small cells, consistency is not testable; fairness compares what it can', async () => {
		const c = await consistencyReport(f.db, { filters: withBatch(rich) });
		expect(c.decided).toBe(120);
		expect(c.cells_tested).toBe(0);
		expect(c.cells_small).toBeGreaterThan(0);
		expect(c.not_testable?.reason).toContain('no cell could be tested');
		expect(c.not_testable?.fix).toContain('min_group_size');

		const r = await fairnessReport(f.db, { filters: parseFilters(new URLSearchParams()) });
		expect(r.not_testable).toBeNull();
		expect(r.compared).toBeGreaterThan(0);
		const check = (d: string, m: string) => r.checks.find((x) => x.dimension === d && x.measure === m);
		expect(check('region', 'resolution_time')?.not_testable).toBeNull();
		expect(check('order_value', 'favourable_rate')?.not_testable?.reason).toContain('order_value');
		expect(check('tenure', 'csat')?.not_testable?.reason).toContain('customer_since');
		// One region filtered: nothing to compare it with.
		const one = await fairnessReport(f.db, { filters: parseFilters(new URLSearchParams('region=emea')) });
		expect(one.checks.find((x) => x.dimension === 'region' && x.measure === 'resolution_time')?.not_testable?.reason).toContain('same region (emea)');
	});

	test('compliance tests what the richer batch allows and names what it lacks', async () => {
		const r = await complianceReport(f.db, { filters: withBatch(rich) });
		const byRule = Object.fromEntries(r.rules.map((x) => [x.rule, x]));
		expect(byRule.stale_claim.not_testable).toBeNull();
		expect(byRule.stale_claim.eligible).toBe(120);
		expect(byRule.stale_claim.rate).toBe(0);
		expect(byRule.in_window_return_denied.not_testable?.reason).toContain('delivered_at');
		expect(byRule.late_refund.not_testable?.reason).toContain('refund_issued_at');
	});
});
