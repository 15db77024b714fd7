import type { ChartConfiguration } from 'chart.js';

export interface BarSeries {
	labels: string[];
	values: number[];
	label: string;
	/** Horizontal bars read better for long category names. */
	horizontal?: boolean;
	color?: string;
}

/** Chart.js configuration for a single-series bar chart; pure so it can be unit-tested. */
export function barChartConfig(series: BarSeries): ChartConfiguration<'bar'> {
	return {
		type: 'bar',
		data: {
			labels: series.labels,
			datasets: [{ label: series.label, data: series.values, backgroundColor: series.color ?? '#2563eb', borderRadius: 2 }]
		},
		options: {
			indexAxis: series.horizontal ? 'y' : 'x',
			responsive: true,
			maintainAspectRatio: false,
			animation: false,
			plugins: { legend: { display: false }, tooltip: { intersect: false } },
			scales: {
				x: { grid: { display: !series.horizontal }, ticks: { maxRotation: 0, autoSkip: true } },
				y: { beginAtZero: true, grid: { display: !!series.horizontal ? false : true } }
			}
		}
	};
}
