/** Browser-safe: the shapes pages and the JSON API share with the server code beside it. */

export interface SpeedStats {
	group: string | null;
	n: number;
	/** Cases with the event (answered / resolved). */
	events: number;
	/** Share still without the event at the snapshot. */
	open_share: number;
	/** Hours. */
	km_median: number | null;
	km_median_low: number | null;
	km_median_high: number | null;
	km_p90: number | null;
	observed_median: number | null;
	observed_p90: number | null;
	mean: number | null;
	/** Why km_median is missing, e.g. fewer than half the cases have the event. */
	km_note: string | null;
	/** Share within the policy target; null when the policy sets no target for the measure. */
	attainment: AttainmentPair | null;
}

/** How a target is measured: every hour, or only the open hours of the case's region. */
export type TargetBasis = 'calendar' | 'business_hours';
export const TARGET_BASES: readonly TargetBasis[] = ['calendar', 'business_hours'];
export const BASIS_LABEL: Record<TargetBasis, string> = { calendar: 'calendar hours', business_hours: 'business hours' };

/**
 * Cases against the target on one basis. Answered (resolved) cases are within when their time is
 * at most the target. A case still open at the snapshot and already older than the target has
 * missed it whatever happens next, so it counts as breached; a younger open case may still make
 * it and is left out (`pending`), so the share is never flattered or punished by cases in flight.
 */
export interface Attainment {
	within: number;
	/** Answered late, or still open and older than the target. */
	breached: number;
	/** Of the breached: still open at the snapshot. */
	open_breached: number;
	/** Still open and younger than the target: left out of the share. */
	pending: number;
	/** within / (within + breached); null when no case counts. */
	share: number | null;
}

export type AttainmentPair = Record<TargetBasis, Attainment>;

/** The policy's target for one measure, as applied. */
export interface SpeedTarget {
	hours: number;
	/** The basis the policy measures this target in: the share the page leads with. */
	basis: TargetBasis;
	/** Channels with a target of their own, in hours. */
	channels: Record<string, number>;
}

export type SpeedMeasure = 'first_response' | 'resolution';
export const SPEED_MEASURES: readonly SpeedMeasure[] = ['first_response', 'resolution'];
export const TARGET_NAME: Record<SpeedMeasure, string> = { first_response: 'first-response target', resolution: 'resolution target' };

/** The target as the pages say it: "24 business hours (chat 1 business hour, phone 1 business hour)". */
export function describeTarget(t: SpeedTarget): string {
	const unit = (h: number) => `${h} ${t.basis === 'business_hours' ? 'business ' : ''}hour${h === 1 ? '' : 's'}`;
	const own = Object.entries(t.channels).map(([ch, h]) => `${ch} ${unit(h)}`);
	return `${unit(t.hours)}${own.length ? ` (${own.join(', ')})` : ''}`;
}

/** Counts of one group into an Attainment. */
export function attainment(within: number, breached: number, openBreached: number, pending: number): Attainment {
	return { within, breached, open_breached: openBreached, pending, share: within + breached > 0 ? within / (within + breached) : null };
}


/** How many measured times came from calendar and from business-hours durations (see DURATION_BASES). */
export interface SpeedBasis {
	calendar: number;
	business_hours: number;
}

/** One bracket of an export that gives ranges instead of times (Zendesk Explore), as written. */
export interface BracketCount {
	bracket: string;
	cases: number;
	/** Lower bound in hours; null for a bracket that is not a time ("No replies", "Unsolved"). */
	from_hours: number | null;
}

export interface BracketDistribution {
	rows: (BracketCount & { share: number; cumulative: number })[];
	/** The bracket in which half the cases (slowest-last, brackets without a time counted as slowest) are reached. */
	median: string | null;
	/** Cases in brackets that are not a time: no reply (or no resolution) yet. */
	without_time: number;
}

const UNIT_HOURS: Record<string, number> = { min: 1 / 60, mins: 1 / 60, minute: 1 / 60, minutes: 1 / 60, h: 1, hr: 1, hrs: 1, hour: 1, hours: 1, d: 24, day: 24, days: 24, w: 168, week: 168, weeks: 168 };

/**
 * The lower bound, in hours, of a bracket label such as "0-1 hrs", "8-24 hrs", "1-7 days",
 * ">30 days" or "< 5 minutes"; null when the label is not a time range.
 */
export function bracketLowerHours(label: string): number | null {
	const text = label.trim().toLowerCase();
	const unit = /([a-z]+)\s*$/.exec(text)?.[1];
	const factor = unit ? UNIT_HOURS[unit] : undefined;
	if (factor === undefined) return null;
	const range = /^(\d+(?:\.\d+)?)\s*[-–]\s*\d+(?:\.\d+)?/.exec(text);
	if (range) return Number(range[1]) * factor;
	const above = /^(?:>|over|more than)\s*(\d+(?:\.\d+)?)/.exec(text);
	if (above) return Number(above[1]) * factor;
	if (/^(?:<|under|less than)\s*\d/.test(text)) return 0;
	return null;
}

/** Brackets in time order (those that are not a time last), shares, and the median bracket. */
export function bracketDistribution(counts: readonly { bracket: string; cases: number }[]): BracketDistribution {
	const rows = counts.map((c) => ({ ...c, from_hours: bracketLowerHours(c.bracket) }));
	rows.sort((a, b) => (a.from_hours ?? Infinity) - (b.from_hours ?? Infinity) || a.bracket.localeCompare(b.bracket));
	const total = rows.reduce((n, r) => n + r.cases, 0);
	let running = 0;
	let median: string | null = null;
	const withShares = rows.map((r) => {
		running += r.cases;
		const cumulative = total ? running / total : 0;
		if (median === null && total && cumulative >= 0.5) median = r.bracket;
		return { ...r, share: total ? r.cases / total : 0, cumulative };
	});
	return { rows: withShares, median, without_time: rows.filter((r) => r.from_hours === null).reduce((n, r) => n + r.cases, 0) };
}
