import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { SLOW_REGION } from '../../src/lib/demo/planted-effects.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { csatReport } from '../../src/lib/metrics/csat/csat.server';
import { speedReport } from '../../src/lib/metrics/speed/speed.server';
import { kmSummary } from '../../src/lib/core/stats/kaplan-meier';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

const END = new Date('2026-11-01T00:00:00Z');
let f: IngestFixture;
const all = parseFilters(new URLSearchParams());

beforeAll(async () => {
	f = await ingestFixture();
	const demo = await writeDemoFiles(f.dir, { cases: 20_000, seed: 11, end: END });
	await f.ingest(demo.casesPath, { kind: 'cases' });
	await f.ingest(demo.feedbackPath, { kind: 'feedback' });
});

afterAll(async () => {
	await f?.dispose();
});

describe('speed metrics', () => {
	test('the planted slow region is the slowest to first response', async () => {
		const r = await speedReport(f.db, { measure: 'first_response', filters: all, by: 'region', today: END });
		expect(r.groups[0].group).toBe(SLOW_REGION.region);
		const others = r.groups.slice(1).map((g) => g.km_median ?? 0);
		expect(r.groups[0].km_median ?? 0).toBeGreaterThan(1.5 * Math.max(...others));
		// The slow region's CI does not overlap any other region's.
		for (const g of r.groups.slice(1)) expect(r.groups[0].km_median_low ?? 0).toBeGreaterThan(g.km_median_high ?? Infinity);
	});

	test('counts add up, and filters narrow every number', async () => {
		const r = await speedReport(f.db, { measure: 'resolution', filters: all, by: 'channel', today: END });
		expect(r.groups.reduce((n, g) => n + g.n, 0)).toBe(r.overall.n);
		expect(r.overall.n).toBe(20_000);
		const chat = await speedReport(f.db, { measure: 'resolution', filters: parseFilters(new URLSearchParams('channel=chat')), by: 'region', today: END });
		expect(chat.overall.n).toBe(r.groups.find((g) => g.group === 'chat')?.n);
		expect(chat.trend.reduce((n, t) => n + t.n, 0)).toBe(chat.overall.n);
	});

	test('open cases are censored, not dropped: the KM median is the one of the binned durations', async () => {
		// Independent check: rebuild the KM input from raw rows in JS and compare the median.
		const rows = await f.db.selectFrom('cases').select(['created_at', 'first_response_at']).execute();
		const snapshot = Math.max(...(await f.db.selectFrom('cases').select(['created_at', 'first_response_at', 'resolved_at']).execute()).flatMap((c) => [c.created_at, c.first_response_at, c.resolved_at].filter((d): d is Date => d !== null).map((d) => d.getTime())));
		const bins = new Map<number, { d: number; c: number }>();
		for (const r of rows) {
			const m = ((r.first_response_at ?? new Date(snapshot)).getTime() - r.created_at.getTime()) / 60000;
			const t = Math.max(0, m < 600 ? Math.floor(m) : m < 6000 ? Math.floor(m / 10) * 10 : Math.floor(m / 60) * 60);
			const b = bins.get(t) ?? { d: 0, c: 0 };
			if (r.first_response_at) b.d++;
			else b.c++;
			bins.set(t, b);
		}
		const sorted = [...bins.entries()].sort((a, b) => a[0] - b[0]);
		const expected = kmSummary({ times: sorted.map((e) => e[0]), events: sorted.map((e) => e[1].d), censored: sorted.map((e) => e[1].c) }).quantiles[0].estimate;
		const r = await speedReport(f.db, { measure: 'first_response', filters: all, today: END });
		expect(r.overall.km_median).toBeCloseTo((expected ?? NaN) / 60, 10);
		// Dropping open cases would flatter the median; censoring cannot make it smaller.
		expect(r.overall.km_median ?? 0).toBeGreaterThanOrEqual(r.overall.observed_median ?? Infinity);
	});

	test('date presets count back from the anchor they are given', async () => {
		const last30 = await speedReport(f.db, { measure: 'first_response', filters: parseFilters(new URLSearchParams('range=30d')), today: END });
		const custom = await speedReport(f.db, { measure: 'first_response', filters: parseFilters(new URLSearchParams('from=2026-10-03&to=2026-11-01')), today: END });
		expect(last30.overall.n).toBe(custom.overall.n);
		expect(last30.overall.n).toBeGreaterThan(0);
		expect(last30.overall.n).toBeLessThan(20_000 * 0.15);
	});
});

describe('satisfaction', () => {
	test('CSAT is the 4-5 share of rated answers with a Wilson interval around it', async () => {
		const r = await csatReport(f.db, { filters: all, by: 'region', today: END });
		const rows = await f.db.selectFrom('feedback').select(['csat']).where('csat', 'is not', null).execute();
		const satisfied = rows.filter((x) => (x.csat ?? 0) >= 4).length;
		expect(r.overall.rated).toBe(rows.length);
		expect(r.overall.csat).toBeCloseTo(satisfied / rows.length, 12);
		expect(r.overall.ci_low ?? 1).toBeLessThan(r.overall.csat ?? 0);
		expect(r.overall.ci_high ?? 0).toBeGreaterThan(r.overall.csat ?? 1);
		expect(r.groups.reduce((n, g) => n + g.rated, 0)).toBe(r.overall.rated);
	});
});
