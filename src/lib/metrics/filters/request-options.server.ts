import { isDimension, parseFilters, type FilterDimension, type Filters } from './model';
import type { SpeedMeasure, TrendGrain } from '../speed/speed.server';

/** Options shared by metric pages, JSON endpoints and the CLI, read from URL parameters. */
export interface MetricOptions {
	filters: Filters;
	by: FilterDimension;
	grain: TrendGrain;
	measure: SpeedMeasure;
}

export function metricOptions(params: URLSearchParams, defaults: { by?: FilterDimension } = {}): MetricOptions {
	const by = params.get('by') ?? '';
	const grain = params.get('grain') ?? '';
	return {
		filters: parseFilters(params),
		by: isDimension(by) ? by : (defaults.by ?? 'region'),
		grain: grain === 'day' || grain === 'month' ? grain : 'week',
		measure: params.get('measure') === 'resolution' ? 'resolution' : 'first_response'
	};
}
