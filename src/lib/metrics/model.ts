/**
 * One way for every metric to say that a number or a test could not be computed from the data,
 * instead of showing 0, a green badge or "nothing flagged" (README.md, Metrics). A report carries
 * `not_testable: NotTestable | null` next to each number or test it may be unable to compute;
 * null means the number was computed. Browser-safe: pages render it (core/ui/NotTestable.svelte),
 * the JSON API and the CLI carry it as it is.
 */
export interface NotTestable {
	status: 'not_testable';
	/** What the data lacks, in words a QA manager reads: "no case has an outcome". */
	reason: string;
	/** What would make it testable: "map a column to outcome when importing". */
	fix: string;
}

export const NOT_TESTABLE_LABEL = 'Not testable';

/** Shown where a single number would stand (a KPI, a rate): a dash would look like a small value. */
export const NOT_TESTABLE_SHORT = 'not testable';

export function notTestable(reason: string, fix: string): NotTestable {
	return { status: 'not_testable', reason, fix };
}

export function isNotTestable(value: unknown): value is NotTestable {
	return typeof value === 'object' && value !== null && (value as { status?: unknown }).status === 'not_testable';
}

/** The first check that fails, or null when every check passes (checks in order of what to fix first). */
export function firstNotTestable(...checks: (NotTestable | null | undefined | false)[]): NotTestable | null {
	for (const c of checks) if (c) return c;
	return null;
}

/** The reason as a sentence: "No case has an outcome." */
export function reasonSentence(value: NotTestable): string {
	return `${value.reason.charAt(0).toUpperCase()}${value.reason.slice(1)}.`;
}

/** One line for text outputs (CLI, Markdown, CSV): "Not testable: no case has an outcome. To fix: map ...". */
export function describeNotTestable(value: NotTestable): string {
	return `${NOT_TESTABLE_LABEL}: ${value.reason}. To fix: ${value.fix}.`;
}

/** The fix when the data exists but the filters leave none of it. */
export const WIDEN_FILTERS_FIX = 'widen the period or remove a filter';

/**
 * The filters match none of `what` ("case", "feedback answer"); with an import filter set, the
 * fix names it: a feedback import holds no cases, which is the usual way to get here.
 */
export function noneMatch(what: string, filters: { batch?: readonly number[]; anchor?: string; range?: string }): NotTestable {
	const fixes: string[] = [];
	if (filters.batch?.length) fixes.push('choose another import, or "all imports", in the Import filter (a feedback import holds no cases)');
	// The usual reason an old archive shows nothing: its last 90 days are not the wall clock's.
	if (filters.anchor === 'today' && filters.range !== 'all' && filters.range !== 'custom') fixes.push("count back from the archive's last day instead of today");
	fixes.push(WIDEN_FILTERS_FIX);
	return notTestable(`no ${what} matches these filters`, fixes.join('; or '));
}
