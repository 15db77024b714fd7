import type { ChartConfiguration, TooltipItem } from 'chart.js';

export interface IqsTrendPoint {
	period: string;
	estimate: number | null;
	ci_low: number | null;
	ci_high: number | null;
	unweighted_mean: number | null;
	n: number;
}

type Value = number | [number, number] | null;

/**
 * The IQS per period with each period's own 95% interval as an error bar, and the unweighted
 * mean. Pure (Chart.js only draws it), so tests can check that every bar holds its point.
 *
 * Drawn as bars, not as two "CI low / CI high" lines: lines with spanGaps bridged the periods
 * without an interval (one review) and curved between periods, so a period's point could sit
 * outside the band drawn at it. A period without an interval gets no bar.
 */
export function iqsTrendChartConfig(points: readonly IqsTrendPoint[]): ChartConfiguration<'bar' | 'line', Value[], string> {
	const one = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
	return {
		type: 'bar',
		data: {
			labels: points.map((p) => p.period),
			datasets: [
				{
					type: 'line',
					label: 'IQS (weighted)',
					data: points.map((p) => p.estimate),
					borderColor: '#0f766e',
					backgroundColor: '#0f766e',
					pointRadius: 4,
					borderWidth: 2,
					spanGaps: false,
					tension: 0,
					order: 0
				},
				{
					type: 'line',
					label: 'Unweighted mean',
					data: points.map((p) => p.unweighted_mean),
					borderColor: '#94a3b8',
					backgroundColor: '#94a3b8',
					borderDash: [6, 4],
					pointRadius: 2,
					borderWidth: 1.5,
					spanGaps: false,
					tension: 0,
					order: 1
				},
				{
					type: 'bar',
					label: '95% interval',
					data: points.map((p): Value => (p.ci_low === null || p.ci_high === null ? null : [p.ci_low, p.ci_high])),
					backgroundColor: 'rgba(94, 234, 212, 0.55)',
					borderColor: '#14b8a6',
					borderWidth: 1,
					maxBarThickness: 10,
					order: 2
				}
			]
		},
		options: {
			responsive: true,
			maintainAspectRatio: false,
			animation: false,
			interaction: { mode: 'index', intersect: false },
			plugins: {
				legend: { position: 'bottom' },
				tooltip: {
					callbacks: {
						label: (item: TooltipItem<'bar' | 'line'>) => {
							const p = points[item.dataIndex];
							if (item.dataset.label === '95% interval') return p.ci_low === null || p.ci_high === null ? '95% interval: none (one review)' : `95% interval: ${one(p.ci_low)} – ${one(p.ci_high)}`;
							const v = item.raw as number | null;
							return `${item.dataset.label}: ${v === null ? '–' : one(v)}${item.dataset.label === 'IQS (weighted)' ? ` (${p.n} reviews)` : ''}`;
						}
					}
				}
			},
			scales: { y: { min: 0, max: 100, title: { display: true, text: 'Score (0-100)' } }, x: { ticks: { maxRotation: 0, autoSkip: true } } }
		}
	};
}
