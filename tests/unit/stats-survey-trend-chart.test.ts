import { describe, expect, it } from 'vitest';
import { iqsTrendChartConfig, type IqsTrendPoint } from '../../src/routes/audits/results/iqs-trend-chart';
import { hajekShare } from '../../src/lib/core/stats/survey-proportion-ci';

// Three months of reviews: one where every review scored 100, one with a single review, one mixed.
const months: Record<string, number[]> = { '2026-01-01': [100, 100, 100, 100, 100], '2026-02-01': [62.5], '2026-03-01': [40, 77.5, 90, 100, 55, 85] };

function points(): IqsTrendPoint[] {
	const all = Object.entries(months).flatMap(([m, ys]) => ys.map((y, i) => ({ m, y, weight: 2 + (i % 3), stratum: i % 2 ? 'a' : 'b' })));
	return Object.keys(months).map((m) => {
		const r = hajekShare(
			all.map((o) => ({ ...o, inDomain: o.m === m })),
			{ max: 100 }
		);
		return { period: m, estimate: r.estimate, ci_low: r.ci_low, ci_high: r.ci_high, unweighted_mean: r.unweighted_mean, n: r.n };
	});
}

describe('IQS trend chart', () => {
	const p = points();
	const config = iqsTrendChartConfig(p);
	const [iqs, , bars] = config.data.datasets;

	it('draws each period its own interval, which holds its point and has width', () => {
		p.forEach((point, i) => {
			const bar = bars.data[i];
			if (point.ci_low === null) {
				expect(bar).toBeNull();
				return;
			}
			const [low, high] = bar as [number, number];
			expect([low, high]).toEqual([point.ci_low, point.ci_high]);
			expect(high - low).toBeGreaterThan(1);
			expect(low).toBeLessThanOrEqual(iqs.data[i] as number);
			expect(high).toBeGreaterThanOrEqual(iqs.data[i] as number);
		});
	});

	it('a month of all-100 reviews has an interval below 100; a month of one review has none and bridges no gap', () => {
		expect(p[0].estimate).toBe(100);
		expect(p[0].ci_high).toBe(100);
		expect(p[0].ci_low as number).toBeLessThan(80);
		expect(bars.data[1]).toBeNull();
		for (const d of config.data.datasets) if (d.type === 'line') expect(d.spanGaps).toBe(false);
	});
});
