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

/**
 * What the presets count back from. 'archive' (the default): the archive's snapshot, the latest
 * timestamp any case carries (snapshot.server.ts), so "last 90 days" of an export taken in 2023
 * are its last 90 days, not an empty window. 'today': the wall clock.
 */
export const PERIOD_ANCHORS = ['archive', 'today'] as const;
export type PeriodAnchor = (typeof PERIOD_ANCHORS)[number];

export interface Filters {
	/** A preset, or 'custom' with from/to. */
	range: DatePreset | 'custom';
	/** Inclusive UTC dates, YYYY-MM-DD; set for 'custom'. */
	from?: string;
	to?: string;
	/** What the presets count back from; absent = 'archive'. Ignored for 'custom' and 'all'. */
	anchor?: PeriodAnchor;
	/** Import batches (import_batches.batch_id) the cases and feedback come from; absent or empty = all. */
	batch?: number[];
	dims: Partial<Record<FilterDimension, string[]>>;
}

/** One import the filter bar offers; the label is built on the server for the reader's role. */
export interface BatchChoice {
	id: number;
	label: string;
}

/** What the filter bar shows besides the filters: the values to choose, the imports, the anchors. */
export interface FilterBarData {
	values: Record<FilterDimension, string[]>;
	batches: BatchChoice[];
	/** The archive's snapshot day (YYYY-MM-DD), what presets count back from by default; null = no case yet. */
	archive_end: string | null;
	/** The wall clock's day when the page was made, for anchor=today. */
	wall_today: string;
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

/**
 * The `batch` parameter: import numbers, repeated or comma-separated (`batch=3&batch=4`,
 * `batch=3,4`), or 400 naming it, like an impossible date: a stray value must not widen the view
 * to every import silently.
 */
function batchParam(params: URLSearchParams): number[] | undefined {
	const raw = params
		.getAll('batch')
		.flatMap((v) => v.split(','))
		.map((v) => v.trim())
		.filter((v) => v.length > 0);
	if (!raw.length) return undefined;
	const bad = raw.find((v) => !/^\d{1,9}$/.test(v) || Number(v) < 1);
	if (bad !== undefined) error(400, `"batch" must be import numbers such as 3 or 3,4 (see Imports); got "${bad.slice(0, 40)}".`);
	if (raw.length > MAX_VALUES) error(400, `"batch" takes at most ${MAX_VALUES} imports; got ${raw.length}.`);
	return [...new Set(raw.map(Number))].sort((a, b) => a - b);
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
	const batch = batchParam(params);
	const extra = batch ? { batch } : {};
	if (from || to) return { range: 'custom', from, to, ...extra, dims };
	const preset = (DATE_PRESETS as readonly string[]).includes(range) ? (range as DatePreset) : 'all';
	// Only a preset counts back from somewhere; an unknown anchor is the default, as an unknown range is 'all'.
	const anchor = preset !== 'all' && params.get('anchor') === 'today' ? { anchor: 'today' as const } : {};
	return { range: preset, ...anchor, ...extra, dims };
}

export function filtersToParams(filters: Filters): URLSearchParams {
	const params = new URLSearchParams();
	if (filters.range === 'custom') {
		if (filters.from) params.set('from', filters.from);
		if (filters.to) params.set('to', filters.to);
	} else if (filters.range !== 'all') {
		params.set('range', filters.range);
		if (filters.anchor === 'today') params.set('anchor', 'today');
	}
	if (filters.batch?.length) params.set('batch', filters.batch.join(','));
	for (const dim of FILTER_DIMENSIONS) for (const v of filters.dims[dim] ?? []) params.append(dim, v);
	return params;
}

/** The URL parameters the filter bar owns (a page keeps its others when a filter changes). */
export const FILTER_PARAMS: readonly string[] = ['range', 'from', 'to', 'anchor', 'batch', ...FILTER_DIMENSIONS];

/** The same filters with one dimension narrowed to one value: where a click on a bar leads. */
export function withDimension(filters: Filters, dim: FilterDimension, value: string): Filters {
	return { ...filters, dims: { ...filters.dims, [dim]: [value] } };
}

function isoDate(d: Date): string {
	return d.toISOString().slice(0, 10);
}

/**
 * Inclusive UTC date bounds for the filter. Presets count back from `today`, which is the
 * resolved anchor (period.server.ts `resolveToday`): the archive's snapshot by default, the wall
 * clock with anchor=today.
 */
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

/**
 * The same filters with a preset replaced by the days it stands for: what a stored audit sample
 * keeps, so that it names, and can be drawn again from, the same cases later.
 */
export function pinPeriod(filters: Filters, today: Date): Filters {
	if (filters.range === 'custom' || filters.range === 'all') return filters;
	const { from, to } = dateBounds(filters, today);
	return { ...filters, range: 'custom', from, to, anchor: undefined };
}

/** The preset's name in the period menu, which says what it counts back from. */
export function presetLabel(preset: DatePreset, anchor: PeriodAnchor = 'archive'): string {
	if (preset === 'all') return DATE_PRESET_LABELS.all;
	if (anchor === 'today') return DATE_PRESET_LABELS[preset];
	return preset === 'quarter' ? 'Last quarter of the archive' : `${DATE_PRESET_LABELS[preset]} of the archive`;
}

/**
 * The period in words, as the filter bar shows it and reports print it: "Last 90 days of the
 * archive, to 2023-06-19 (from 2023-03-22)". `today` is the resolved anchor; null when the
 * presets count back from an archive that holds no case yet.
 */
export function describePeriod(filters: Filters, today: Date | null): string {
	if (filters.range === 'all') return 'All time';
	if (filters.range === 'custom') {
		if (filters.from && filters.to) return `${filters.from} to ${filters.to}`;
		return filters.from ? `From ${filters.from}` : filters.to ? `To ${filters.to}` : 'All time';
	}
	const anchor = filters.anchor ?? 'archive';
	if (!today) return `${presetLabel(filters.range, anchor)} (the archive holds no case yet)`;
	const { from, to } = dateBounds(filters, today);
	if (filters.range === 'quarter') return anchor === 'today' ? `This quarter, ${from} to today ${to}` : `Last quarter of the archive, ${from} to ${to}`;
	return anchor === 'today' ? `${DATE_PRESET_LABELS[filters.range]}, to today ${to} (from ${from})` : `${DATE_PRESET_LABELS[filters.range]} of the archive, to ${to} (from ${from})`;
}

/** "import #3", "imports #3 or #4". */
export function describeBatches(batch: readonly number[]): string {
	return `import${batch.length === 1 ? '' : 's'} ${batch.map((b) => `#${b}`).join(' or ')}`;
}

/** The filters in words, for reports and CSV headers: the period (describePeriod), the imports and the dimensions. */
export function describeFilters(filters: Filters, today: Date | null): string {
	const parts = [describePeriod(filters, today)];
	if (filters.batch?.length) parts.push(describeBatches(filters.batch));
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
