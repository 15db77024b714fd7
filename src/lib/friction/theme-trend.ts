import type { ChartConfiguration } from 'chart.js';
import { trendChartConfig } from '../core/charts/trend-chart-config';

/** A theme's documents in one period of the theme page's trend (browser-safe: the page renders it). */
export interface ThemeTrendPoint {
	/** First instant of the period (UTC). */
	start: Date;
	/** Documents in scope in the period. */
	documents: number;
	/** Of them, documents holding the theme. */
	count: number;
}

export type TrendUnit = 'day' | 'week' | 'month';

/** Days for up to about three months, weeks for up to two years, months beyond: 13 to about 100 points. */
export function trendUnit(first: Date | null, last: Date | null): TrendUnit {
	if (!first || !last) return 'week';
	const days = (last.getTime() - first.getTime()) / 86_400_000;
	return days <= 92 ? 'day' : days <= 731 ? 'week' : 'month';
}

/** The period's label: its day, the Monday its week starts on, or its month (UTC). */
export function periodLabel(start: Date, unit: TrendUnit): string {
	const iso = new Date(start).toISOString();
	return unit === 'month' ? iso.slice(0, 7) : unit === 'week' ? `week of ${iso.slice(0, 10)}` : iso.slice(0, 10);
}

export type ThemeTrendChart = ChartConfiguration<'bar' | 'line', (number | [number, number] | null)[], string>;

/**
 * The theme page's trend: documents holding the theme per period (bars, left axis) and their share
 * of the period's documents (line, right axis; none for a period without documents). The line and
 * the options are the other trends' (src/lib/core/charts/trend-chart-config.ts), with a count axis.
 */
export function themeTrendChartConfig(points: readonly ThemeTrendPoint[], unit: TrendUnit): ThemeTrendChart {
	const labels = points.map((p) => periodLabel(p.start, unit));
	const share = points.map((p) => (p.documents > 0 ? (100 * p.count) / p.documents : null));
	const base = trendChartConfig(labels, [{ label: 'Share of the period’s documents (%)', values: share, color: '#b91c1c' }], { yTitle: 'share %' });
	const [line] = base.data.datasets;
	return {
		type: 'bar',
		data: {
			labels,
			datasets: [
				{ type: 'bar', label: 'Documents with the theme', data: points.map((p) => p.count), backgroundColor: '#93c5fd', borderColor: '#3b82f6', borderWidth: 1, yAxisID: 'count', order: 2 },
				{ ...line, type: 'line', pointRadius: points.length > 60 ? 0 : 2, yAxisID: 'share', order: 1 }
			]
		},
		options: {
			...base.options,
			scales: {
				x: base.options?.scales?.x,
				count: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: 'documents' }, ticks: { precision: 0 } },
				share: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: 'share %' }, grid: { drawOnChartArea: false } }
			}
		}
	} as ThemeTrendChart;
}
