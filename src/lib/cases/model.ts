import { error } from '@sveltejs/kit';
/**
 * How the case list is ordered and searched: `sort`, `dir` and `q` in the URL, next to the global
 * filters (metrics/filters/model.ts), so a link and the CSV download reproduce the same list.
 * Browser-safe: the page builds its header links from it.
 */
export const CASE_SORTS = ['case_id', 'created', 'status', 'region', 'channel', 'category', 'team', 'outcome', 'agent', 'first_response', 'resolution', 'csat', 'subject'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];
export type SortDir = 'asc' | 'desc';

export const CASE_SORT_LABELS: Record<CaseSort, string> = {
	case_id: 'Case',
	created: 'Opened',
	status: 'Status',
	region: 'Region',
	channel: 'Channel',
	category: 'Category',
	team: 'Team',
	outcome: 'Outcome',
	agent: 'Agent',
	first_response: 'First response',
	resolution: 'Resolution',
	csat: 'CSAT',
	subject: 'Subject'
};

type SortKind = 'time' | 'duration' | 'score' | 'text';
const KIND: Record<CaseSort, SortKind> = {
	case_id: 'text',
	created: 'time',
	status: 'text',
	region: 'text',
	channel: 'text',
	category: 'text',
	team: 'text',
	outcome: 'text',
	agent: 'text',
	first_response: 'duration',
	resolution: 'duration',
	csat: 'score',
	subject: 'text'
};

export function isDurationSort(sort: CaseSort): sort is 'first_response' | 'resolution' {
	return KIND[sort] === 'duration';
}

/** Each direction in words, as the header's tooltip and the list's caption say it. */
const DIR_WORDS: Record<SortKind, Record<SortDir, string>> = {
	time: { asc: 'oldest first', desc: 'newest first' },
	duration: { asc: 'fastest first', desc: 'slowest first' },
	score: { asc: 'lowest first', desc: 'highest first' },
	text: { asc: 'A to Z', desc: 'Z to A' }
};

/** A first click asks for what a lead looks for: the newest, the slowest, the least satisfied. */
export function firstDir(sort: CaseSort): SortDir {
	const kind = KIND[sort];
	return kind === 'time' || kind === 'duration' ? 'desc' : 'asc';
}

export interface CaseListView {
	sort: CaseSort;
	dir: SortDir;
	/** Words to find in the subject or a feedback comment; null = no search. */
	q: string | null;
}

export const DEFAULT_VIEW: CaseListView = { sort: 'created', dir: 'desc', q: null };
export const MAX_SEARCH_LENGTH = 200;

function isSort(value: string): value is CaseSort {
	return (CASE_SORTS as readonly string[]).includes(value);
}

/**
 * `sort`, `dir` and `q`, or 400 naming the parameter, as parseFilters does for dates: an unknown
 * column silently ordered by something else would be read as the answer to the question asked.
 */
export function parseCaseListView(params: URLSearchParams): CaseListView {
	const sortRaw = (params.get('sort') ?? '').trim();
	const dirRaw = (params.get('dir') ?? '').trim().toLowerCase();
	if (sortRaw && !isSort(sortRaw)) error(400, `"sort" must be one of ${CASE_SORTS.join(', ')}; got "${sortRaw.slice(0, 40)}".`);
	if (dirRaw && dirRaw !== 'asc' && dirRaw !== 'desc') error(400, `"dir" must be asc or desc; got "${dirRaw.slice(0, 40)}".`);
	const sort = sortRaw ? (sortRaw as CaseSort) : DEFAULT_VIEW.sort;
	const dir = (dirRaw || (sortRaw ? firstDir(sort) : DEFAULT_VIEW.dir)) as SortDir;
	const q = (params.get('q') ?? '').trim();
	if (q.length > MAX_SEARCH_LENGTH) error(400, `"q" (search) takes at most ${MAX_SEARCH_LENGTH} characters; got ${q.length}.`);
	return { sort, dir, q: q || null };
}

/** "first response, slowest first". */
export function describeSort(view: Pick<CaseListView, 'sort' | 'dir'>): string {
	return `${CASE_SORT_LABELS[view.sort].toLowerCase()}, ${DIR_WORDS[KIND[view.sort]][view.dir]}`;
}

/** What the header of `column` does when clicked: reverse the current order, else the column's first direction. */
export function nextSort(view: Pick<CaseListView, 'sort' | 'dir'>, column: CaseSort): { sort: CaseSort; dir: SortDir; words: string } {
	const dir = view.sort === column ? (view.dir === 'asc' ? 'desc' : 'asc') : firstDir(column);
	return { sort: column, dir, words: describeSort({ sort: column, dir }) };
}

/** The same URL ordered by `column` (back to page 1: page 7 of another order is another set of cases). */
export function sortParams(current: URLSearchParams, view: Pick<CaseListView, 'sort' | 'dir'>, column: CaseSort): URLSearchParams {
	const params = new URLSearchParams(current);
	const next = nextSort(view, column);
	params.set('sort', next.sort);
	params.set('dir', next.dir);
	params.delete('page');
	return params;
}

/** The pattern for ILIKE ... ESCAPE '\': the user's % and _ are letters, not wildcards. */
export function likePattern(q: string): string {
	return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
