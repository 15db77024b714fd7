import type { ChartConfiguration } from 'chart.js';

export interface TrendSeries {
	label: string;
	values: (number | null)[];
	color: string;
	dashed?: boolean;
}

/** Lines over periods, with an optional horizontal target (the policy's promise). */
export function trendChartConfig(labels: string[], series: TrendSeries[], options: { target?: number | null; targetLabel?: string; yTitle: string }): ChartConfiguration<'line'> {
	const datasets = series.map((s) => ({
		label: s.label,
		data: s.values,
		borderColor: s.color,
		backgroundColor: s.color,
		borderDash: s.dashed ? [6, 4] : [],
		pointRadius: 0,
		borderWidth: 2,
		spanGaps: true,
		tension: 0.2
	}));
	if (options.target !== undefined && options.target !== null) {
		datasets.push({
			label: options.targetLabel ?? 'Target',
			data: labels.map(() => options.target as number),
			borderColor: '#dc2626',
			backgroundColor: '#dc2626',
			borderDash: [2, 3],
			pointRadius: 0,
			borderWidth: 1.5,
			spanGaps: true,
			tension: 0
		});
	}
	return {
		type: 'line',
		data: { labels, datasets },
		options: {
			responsive: true,
			maintainAspectRatio: false,
			animation: false,
			interaction: { mode: 'index', intersect: false },
			plugins: { legend: { position: 'bottom' } },
			scales: { y: { beginAtZero: true, title: { display: true, text: options.yTitle } }, x: { ticks: { maxRotation: 0, autoSkip: true } } }
		}
	};
}
