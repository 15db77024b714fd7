/**
 * Drill-down links from the consistency and fairness pages to the case list: the page's global
 * filters, narrowed to the cell's group (a global filter where the group is one, else a drill
 * parameter, see filters.ts) and to the population the number counts. Browser-safe.
 */
import { drillToParams, filtersToParams, withDimension, type Drill, type FilterDimension, type Filters } from '../metrics/filters/model';

export type FairnessDimensionName = 'region' | 'order_value' | 'tenure';
export type FairnessMeasureName = 'favourable_rate' | 'resolution_time' | 'csat';

const POPULATION: Record<FairnessMeasureName, NonNullable<Drill['population']>> = {
	favourable_rate: 'claims',
	resolution_time: 'resolved',
	csat: 'rated'
};

/** "return_request (in window)" -> "return_request": the category behind a case type. */
export function categoryOfCaseType(caseType: string): string {
	const i = caseType.indexOf(' (');
	return i < 0 ? caseType : caseType.slice(0, i);
}

function href(filters: Filters, drill: Drill): string {
	return `/cases?${drillToParams(drill, filtersToParams(filters))}`;
}

/** The cases behind one fairness row (optionally one case type of its side-by-side view). */
export function fairnessCasesHref(filters: Filters, dimension: FairnessDimensionName, group: string, measure: FairnessMeasureName, caseType?: string): string {
	let f = filters;
	const drill: Drill = { population: POPULATION[measure] };
	if (dimension === 'region') f = withDimension(f, 'region', group);
	else drill[dimension] = group;
	if (caseType) f = withDimension(f, 'category', categoryOfCaseType(caseType));
	return href(f, drill);
}

/** The decided cases behind one consistency cell (optionally only one outcome). */
export function consistencyCasesHref(filters: Filters, key: { category: string | null; root_cause: string | null }, dimension: FilterDimension | null, group: string | null, outcome?: string): string {
	let f = filters;
	const drill: Drill = { population: 'decided' };
	if (key.category !== null) f = withDimension(f, 'category', key.category);
	if (key.root_cause !== null) drill.root_cause = key.root_cause;
	if (dimension && group !== null) f = withDimension(f, dimension, group);
	if (outcome) drill.outcome = outcome;
	return href(f, drill);
}
