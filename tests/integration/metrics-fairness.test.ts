import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { DEMO_AGENT_TEAMS, writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { INCONSISTENT_TEAM, NEW_ACCOUNT_DENIALS } from '../../src/lib/demo/planted-effects.server';
import { caseQueryFromParams, listCases } from '../../src/lib/cases/case-list.server';
import { consistencyReport, type ConsistencyReport } from '../../src/lib/metrics/consistency/consistency.server';
import { fairnessReport, type FairnessReport } from '../../src/lib/metrics/fairness/fairness.server';
import { FALSE_ALARM_DIMENSIONS, runFalseAlarms } from '../../scripts/false-alarms';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

const END = new Date('2026-11-01T00:00:00Z');
const all = parseFilters(new URLSearchParams());

async function count(f: IngestFixture, query: string): Promise<number> {
	return (await listCases(f.db, caseQueryFromParams(new URLSearchParams(query)), { offset: 0, limit: 1 }, 'admin', END)).total;
}

describe("Simpson's paradox: a region that only gets harder claims", () => {
	// Two categories with fixed favourable rates (easy 90%, hard 30%) and resolution times
	// (easy about 10 h, hard about 50 h), identical in both regions. North gets 80% easy claims,
	// south 20%: south's raw approval rate is 36 points lower and its raw median far longer, yet
	// for the same case mix nothing differs.
	let f: IngestFixture;
	let report: FairnessReport;
	const header = 'case_id,created_at,resolved_at,status,region,channel,stage,category,outcome,customer_since,order_value,currency';

	beforeAll(async () => {
		f = await ingestFixture();
		const lines = [header];
		let id = 0;
		const add = (region: string, category: 'easy' | 'hard', n: number) => {
			const favourable = Math.round(n * (category === 'easy' ? 0.9 : 0.3));
			for (let i = 0; i < n; i++) {
				id++;
				const created = new Date(Date.UTC(2026, 0, 1) + id * 3_600_000);
				// The same spread of times in each region: i / n runs over [0, 1) in both.
				const hours = (category === 'easy' ? 8 : 40) + (category === 'easy' ? 4 : 20) * (i / n);
				const resolved = new Date(created.getTime() + hours * 3_600_000);
				const ts = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
				lines.push([`c${id}`, ts(created), ts(resolved), 'closed', region, 'email', 'post_purchase', `${category}_claim`, i < favourable ? 'approved' : 'denied', '2020-01-01', '100', 'USD'].join(','));
			}
		};
		add('north', 'easy', 400);
		add('north', 'hard', 100);
		add('south', 'easy', 100);
		add('south', 'hard', 400);
		await f.ingest(await f.file('simpson.csv', lines.join('\n')), { kind: 'cases' });
		report = await fairnessReport(f.db, { filters: all, today: END });
	});

	afterAll(async () => {
		await f?.dispose();
	});

	test('the raw difference is shown, the adjusted one is near zero, nothing is flagged', () => {
		const south = report.rows.find((r) => r.dimension === 'region' && r.group === 'south' && r.measure === 'favourable_rate');
		expect(south).toBeDefined();
		if (!south) return;
		expect(south.raw).toBeCloseTo(0.42, 10);
		expect(south.raw_rest).toBeCloseTo(0.78, 10);
		expect((south.raw ?? 0) - (south.raw_rest ?? 0)).toBeCloseTo(-0.36, 10);
		expect(Math.abs(south.diff ?? 1)).toBeLessThan(0.005);
		expect(south.ci_low ?? 0).toBeLessThan(0);
		expect(south.ci_high ?? 0).toBeGreaterThan(0);
		expect(south.p_value ?? 0).toBeGreaterThan(0.5);
		expect(south.flagged).toBe(false);
		expect(south.why_not).toMatch(/within the practical threshold/);
		expect(south.sentence).toContain('42.0% of their claims, against 78.0% for all other groups');
		expect(south.sentence).toContain('0.0 percentage points');
		expect(report.rows.filter((r) => r.flagged)).toEqual([]);
	});

	test('resolution time: the raw median is five times longer, the adjusted ratio is one', () => {
		const south = report.rows.find((r) => r.dimension === 'region' && r.group === 'south' && r.measure === 'resolution_time');
		const north = report.rows.find((r) => r.dimension === 'region' && r.group === 'north' && r.measure === 'resolution_time');
		expect((south?.raw ?? 0) / (north?.raw ?? 1)).toBeGreaterThan(3);
		expect(Math.abs(south?.diff ?? 1)).toBeLessThan(0.01);
		expect(south?.p_value ?? 0).toBeGreaterThan(0.5);
		expect(south?.flagged).toBe(false);
		// Adjusted values are the overall median scaled by the group's ratio: the same for both.
		expect(south?.adjusted ?? 0).toBeCloseTo(north?.adjusted ?? 1, 1);
	});

	test('every row carries the fields the issue lists', () => {
		for (const r of report.rows) {
			for (const key of ['dimension', 'group', 'measure', 'n', 'raw', 'adjusted', 'diff', 'ci_low', 'ci_high', 'p_value', 'q_value', 'flagged']) expect(r).toHaveProperty(key);
		}
	});
});

describe('planted effects on the demo data', () => {
	let f: IngestFixture;
	let fairness: FairnessReport;
	let consistency: ConsistencyReport;

	beforeAll(async () => {
		f = await ingestFixture();
		const demo = await writeDemoFiles(f.dir, { cases: 30_000, seed: 42, end: END });
		await f.ingest(demo.casesPath, { kind: 'cases' });
		await f.ingest(demo.feedbackPath, { kind: 'feedback' });
		[fairness, consistency] = await Promise.all([fairnessReport(f.db, { filters: all, today: END }), consistencyReport(f.db, { filters: all, today: END })]);
	});

	afterAll(async () => {
		await f?.dispose();
	});

	test('new accounts are flagged for fewer favourable outcomes, and no other tenure band is flagged', () => {
		const tenure = fairness.rows.filter((r) => r.dimension === 'tenure');
		const newAccounts = tenure.find((r) => r.group === '<90d' && r.measure === 'favourable_rate');
		expect(NEW_ACCOUNT_DENIALS.maxTenureDays).toBe(90);
		expect(newAccounts?.flagged).toBe(true);
		// +15 points of denials on 5 of the 7 claim categories: about -12 points overall.
		expect(newAccounts?.diff ?? 0).toBeLessThan(-0.08);
		expect(newAccounts?.diff ?? 0).toBeGreaterThan(-0.16);
		expect(newAccounts?.ci_high ?? 0).toBeLessThan(-0.05);
		// The finding in words first; the statistics apart, for "details".
		expect(newAccounts?.sentence).toMatch(/^Customers with accounts under 90 days old got a favourable outcome on [\d.]+% of their claims, against [\d.]+% for all other groups: [\d.]+ percentage points less often than similar claims \(same categories and channels\)\.$/);
		expect(newAccounts?.details).toMatch(/^95% CI −[\d.]+ to −[\d.]+ points, q < 0\.001, [\d,]+ claims\. /);
		expect(newAccounts?.sentence).not.toMatch(/\bq\b|CI|p-value|Mantel/);
		expect(tenure.filter((r) => r.flagged && r.group !== '<90d')).toEqual([]);
		// The other bands are compared with each other once new accounts are flagged.
		for (const r of tenure.filter((x) => x.measure === 'favourable_rate' && x.group !== '<90d')) {
			expect(r.excluded_from_rest).toEqual(['<90d']);
			expect(Math.abs(r.diff ?? 1)).toBeLessThan(0.03);
		}
	});

	test('team harbor is flagged on wrong_item, no other team is flagged anywhere', () => {
		const harbor = consistency.rows.find((r) => r.dimension === 'team' && r.group === INCONSISTENT_TEAM.team && r.category === INCONSISTENT_TEAM.category);
		expect(harbor?.flagged).toBe(true);
		expect(harbor?.tvd ?? 0).toBeGreaterThan(0.5);
		expect(harbor?.main_outcome).toBe('denied');
		expect(consistency.rows.filter((r) => r.dimension === 'team' && r.flagged && r.group !== INCONSISTENT_TEAM.team)).toEqual([]);
		// Agents flagged, if any, are harbor's own, and are listed under harbor's finding: one cause, one finding.
		const agentFlags = consistency.rows.filter((x) => x.dimension === 'agent' && x.flagged);
		expect(agentFlags.length).toBeGreaterThan(0);
		for (const r of agentFlags) {
			expect(DEMO_AGENT_TEAMS[r.group]).toBe(INCONSISTENT_TEAM.team);
			if (r.category === INCONSISTENT_TEAM.category) expect(r.explained_by).toEqual({ dimension: 'team', group: INCONSISTENT_TEAM.team });
		}
		expect(harbor?.explained_by).toBeNull();
		// The finding in words; the statistics under details.
		expect(harbor?.sentence).toMatch(/^Team harbor resolves wrong item cases differently from the same cases elsewhere: \d+% end as denied, against \d+% overall\. About \d+ in 100 of its cases would need another outcome to match\.$/);
		expect(harbor?.details).toMatch(/^Total variation distance 0\.\d\d; q /);
		expect(consistency.rows.filter((r) => r.flagged && (r.dimension === 'region' || r.dimension === 'channel'))).toEqual([]);
		// The across-teams test on wrong_item says outcomes depend on the team.
		expect(consistency.tests.find((t) => t.dimension === 'team' && t.category === INCONSISTENT_TEAM.category)?.q_value ?? 1).toBeLessThan(0.001);
	});

	test('the index is lower for teams than for channels, and rows carry the fields the issue lists', () => {
		const idx = Object.fromEntries(consistency.index.dimensions.map((d) => [d.dimension, d.index ?? 0]));
		expect(idx.team).toBeLessThan(idx.channel);
		expect(consistency.index.overall ?? 0).toBeGreaterThan(80);
		expect(consistency.index.overall ?? 101).toBeLessThan(100);
		for (const r of consistency.rows) for (const key of ['dimension', 'group', 'n', 'tvd', 'p_value', 'q_value', 'flagged']) expect(r).toHaveProperty(key);
		for (const r of consistency.rows) expect(r.category === null).not.toBe(r.root_cause === null);
	});

	test('standard resolution: wrong_item is mostly human error, and harbor deviates from its standard most', () => {
		const human = consistency.standard_resolution.filter((s) => s.root_cause === 'human_error' && s.dimension === 'team');
		expect(human.length).toBe(8);
		const worst = [...human].sort((a, b) => (b.deviating_share ?? 0) - (a.deviating_share ?? 0))[0];
		expect(worst.group).toBe(INCONSISTENT_TEAM.team);
	});

	test('drill-down: every flag opens exactly its cases', async () => {
		const newAccounts = fairness.rows.find((r) => r.dimension === 'tenure' && r.group === '<90d' && r.measure === 'favourable_rate');
		expect(await count(f, 'tenure=<90d&population=claims')).toBe(newAccounts?.n);
		const resolved = fairness.rows.find((r) => r.dimension === 'order_value' && r.group === '50-200' && r.measure === 'resolution_time');
		expect(await count(f, 'order_value=50-200&population=resolved')).toBe(resolved?.n);
		const latamCsat = fairness.rows.find((r) => r.dimension === 'region' && r.group === 'latam' && r.measure === 'csat');
		// One survey answer per case in the demo: rated cases = rated answers.
		expect(await count(f, 'region=latam&population=rated')).toBe(latamCsat?.n);
		const harbor = consistency.rows.find((r) => r.dimension === 'team' && r.group === 'harbor' && r.category === 'wrong_item');
		expect(await count(f, 'team=harbor&category=wrong_item&population=decided')).toBe(harbor?.n);
		const harborHuman = consistency.rows.find((r) => r.dimension === 'team' && r.group === 'harbor' && r.root_cause === 'human_error');
		expect(await count(f, 'team=harbor&root_cause=human_error&population=decided')).toBe(harborHuman?.n);
		expect(await count(f, 'team=harbor&category=wrong_item&population=decided&outcome=denied')).toBe(harbor?.outcomes.denied);
		// An unknown band matches nothing rather than everything.
		expect(await count(f, 'tenure=nonsense')).toBe(0);
	});

	test('filters narrow the comparison: one region alone has nobody to be compared with', async () => {
		const r = await fairnessReport(f.db, { filters: parseFilters(new URLSearchParams('region=latam')), today: END });
		const region = r.rows.filter((x) => x.dimension === 'region');
		expect(region.map((x) => x.group)).toEqual(['latam', 'latam', 'latam']);
		for (const x of region) {
			expect(x.p_value).toBeNull();
			expect(x.flagged).toBe(false);
		}
		const tenure = r.rows.find((x) => x.dimension === 'tenure' && x.group === '<90d' && x.measure === 'favourable_rate');
		expect(tenure?.n).toBe(await count(f, 'region=latam&tenure=<90d&population=claims'));
	});
});

describe('false alarms on null-mode demo data (the suite-sized version of scripts/false-alarms.ts)', () => {
	test('no dimension raises a flag on three seeds', async () => {
		const summary = await runFalseAlarms({ seeds: [101, 102, 103], cases: 8_000, end: END });
		expect(summary.runs).toHaveLength(3);
		expect(summary.dimensions.map((d) => d.dimension)).toEqual(FALSE_ALARM_DIMENSIONS);
		for (const d of summary.dimensions) expect(d, d.dimension).toMatchObject({ runs_with_flag: 0 });
	}, 120_000);
});
