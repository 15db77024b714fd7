import { parseFilters, type Filters } from '../filters/model';
import { CONSISTENCY_DIMENSIONS, type ConsistencyDimension } from '../consistency/consistency.server';
import { FAIRNESS_DIMENSIONS, FAIRNESS_MEASURES, type FairnessDimension, type FairnessMeasure } from './fairness.server';

/** Options of the consistency and fairness pages, endpoints and CLI, read from URL parameters. */
export interface ConsistencyOptionsFromUrl {
	filters: Filters;
	/** The heatmap's dimension (the page) or a filter on the rows (endpoint, CLI); null = all. */
	by: ConsistencyDimension | null;
}

export interface FairnessOptionsFromUrl {
	filters: Filters;
	dimension: FairnessDimension | null;
	measure: FairnessMeasure | null;
}

function oneOf<T extends string>(value: string | null, list: readonly T[]): T | null {
	return value !== null && (list as readonly string[]).includes(value) ? (value as T) : null;
}

export function consistencyOptions(params: URLSearchParams): ConsistencyOptionsFromUrl {
	return { filters: parseFilters(params), by: oneOf(params.get('by'), CONSISTENCY_DIMENSIONS) };
}

export function fairnessOptions(params: URLSearchParams): FairnessOptionsFromUrl {
	return { filters: parseFilters(params), dimension: oneOf(params.get('dimension'), FAIRNESS_DIMENSIONS), measure: oneOf(params.get('measure'), FAIRNESS_MEASURES) };
}
