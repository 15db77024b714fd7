import { error } from '@sveltejs/kit';
/**
 * The global filters every analytics page shares. They live in the URL (so a link reproduces
 * the view) and reach SQL only as parameters on whitelisted columns. Browser-safe.
 */
export const FILTER_DIMENSIONS = ['region', 'country', 'channel', 'stage', 'category', 'team', 'agent'] as const;
export type FilterDimension = (typeof FILTER_DIMENSIONS)[number];

/** The cases column behind each dimension. */
export const DIMENSION_COLUMNS: Record<FilterDimension, string> = {
	region: 'region',
	country: 'country',
	channel: 'channel',
	stage: 'stage',
	category: 'category',
	team: 'team',
	agent: 'agent_id'
};

export const DATE_PRESETS = ['7d', '30d', '90d', 'quarter', 'all'] as const;
export type DatePreset = (typeof DATE_PRESETS)[number];

export const DATE_PRESET_LABELS: Record<DatePreset, string> = {
	'7d': 'Last 7 days',
	'30d': 'Last 30 days',
	'90d': 'Last 90 days',
	quarter: 'This quarter',
	all: 'All time'
};

export interface Filters {
	/** A preset, or 'custom' with from/to. */
	range: DatePreset | 'custom';
	/** Inclusive UTC dates, YYYY-MM-DD; set for 'custom'. */
	from?: string;
	to?: string;
	dims: Partial<Record<FilterDimension, string[]>>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_VALUES = 50;

export function isDimension(value: string): value is FilterDimension {
	return (FILTER_DIMENSIONS as readonly string[]).includes(value);
}

/** A calendar day that exists: 2026-02-28 is one, 2026-02-30 is not. */
export function isCalendarDate(value: string): boolean {
	if (!DATE.test(value)) return false;
	const date = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * A date parameter, or 400 naming it: an impossible date reached the SQL and answered 500 (or,
 * for a CSV download, 200 and then a cut stream). Empty means not set.
 */
function dateParam(params: URLSearchParams, name: 'from' | 'to'): string | undefined {
	const value = (params.get(name) ?? '').trim();
	if (!value) return undefined;
	if (!isCalendarDate(value)) error(400, `"${name}" must be a day written YYYY-MM-DD that exists; got "${value.slice(0, 40)}".`);
	return value;
}

export function parseFilters(params: URLSearchParams): Filters {
	const dims: Filters['dims'] = {};
	for (const dim of FILTER_DIMENSIONS) {
		const values = params
			.getAll(dim)
			.flatMap((v) => v.split(','))
			.map((v) => v.trim())
			.filter((v) => v.length > 0 && v.length <= 200)
			.slice(0, MAX_VALUES);
		if (values.length) dims[dim] = [...new Set(values)];
	}
	const from = dateParam(params, 'from');
	const to = dateParam(params, 'to');
	const range = params.get('range') ?? '';
	if (from || to) return { range: 'custom', from, to, dims };
	return { range: (DATE_PRESETS as readonly string[]).includes(range) ? (range as DatePreset) : 'all', dims };
}

export function filtersToParams(filters: Filters): URLSearchParams {
	const params = new URLSearchParams();
	if (filters.range === 'custom') {
		if (filters.from) params.set('from', filters.from);
		if (filters.to) params.set('to', filters.to);
	} else if (filters.range !== 'all') params.set('range', filters.range);
	for (const dim of FILTER_DIMENSIONS) for (const v of filters.dims[dim] ?? []) params.append(dim, v);
	return params;
}

/** The same filters with one dimension narrowed to one value: where a click on a bar leads. */
export function withDimension(filters: Filters, dim: FilterDimension, value: string): Filters {
	return { ...filters, dims: { ...filters.dims, [dim]: [value] } };
}

function isoDate(d: Date): string {
	return d.toISOString().slice(0, 10);
}

/** Inclusive UTC date bounds for the filter, relative to `today` for presets. */
export function dateBounds(filters: Filters, today: Date): { from?: string; to?: string } {
	if (filters.range === 'custom') return { from: filters.from, to: filters.to };
	if (filters.range === 'all') return {};
	if (filters.range === 'quarter') {
		const start = new Date(Date.UTC(today.getUTCFullYear(), Math.floor(today.getUTCMonth() / 3) * 3, 1));
		return { from: isoDate(start), to: isoDate(today) };
	}
	const days = Number(filters.range.replace('d', ''));
	return { from: isoDate(new Date(today.getTime() - (days - 1) * 86_400_000)), to: isoDate(today) };
}

export function describeFilters(filters: Filters, today: Date): string {
	const { from, to } = dateBounds(filters, today);
	const parts = [filters.range === 'all' ? 'all time' : `${from ?? '…'} to ${to ?? '…'}`];
	for (const dim of FILTER_DIMENSIONS) if (filters.dims[dim]?.length) parts.push(`${dim} ${filters.dims[dim]?.join(' or ')}`);
	return parts.join(' · ');
}

/**
 * Drill-down narrowing beyond the global filters, for links from the consistency and fairness
 * pages: groups that are not global dimensions (root cause, account-tenure and order-value bands,
 * as keyed on those pages), one outcome, and the population a measure counts. Kept in the URL
 * like the filters, so the case list and its CSV read the same cases.
 */
export const DRILL_PARAMS = ['root_cause', 'tenure', 'order_value', 'outcome', 'population'] as const;
export type DrillParam = (typeof DRILL_PARAMS)[number];
export type Drill = Partial<Record<DrillParam, string>>;

/** claims = post-purchase cases with an outcome; decided = any case with an outcome; rated = with a CSAT answer. */
export const DRILL_POPULATIONS = { claims: 'claims (post-purchase, with an outcome)', decided: 'with an outcome', resolved: 'resolved', rated: 'with a rated survey answer' } as const;

export function parseDrill(params: URLSearchParams): Drill {
	const drill: Drill = {};
	for (const key of DRILL_PARAMS) {
		const v = params.get(key)?.trim();
		if (v && v.length <= 200) drill[key] = v;
	}
	if (drill.population && !(drill.population in DRILL_POPULATIONS)) delete drill.population;
	return drill;
}

export function drillToParams(drill: Drill, params = new URLSearchParams()): URLSearchParams {
	for (const key of DRILL_PARAMS) if (drill[key]) params.set(key, drill[key] as string);
	return params;
}

export function describeDrill(drill: Drill): string[] {
	const parts: string[] = [];
	if (drill.population) parts.push(DRILL_POPULATIONS[drill.population as keyof typeof DRILL_POPULATIONS]);
	if (drill.root_cause) parts.push(`root cause ${drill.root_cause}`);
	if (drill.tenure) parts.push(`account tenure ${drill.tenure}`);
	if (drill.order_value) parts.push(`order value ${drill.order_value}`);
	if (drill.outcome) parts.push(`outcome ${drill.outcome}`);
	return parts;
}
