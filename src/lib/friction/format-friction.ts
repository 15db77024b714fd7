/** Display helpers for the friction pages and report. Browser-safe. */

/** Trend-period lengths offered on the page, days. */
export const PERIOD_CHOICES = [7, 14, 28, 56, 91] as const;

export interface LiftLike {
	value: string;
	lift: number;
}

/** The strongest concentrations, e.g. "latam ×1.8 · refund_request ×2.1". */
export function liftSummary(lift: Record<string, LiftLike[]> | null, max = 3): string {
	if (!lift) return '';
	return Object.values(lift)
		.flat()
		.sort((a, b) => b.lift - a.lift)
		.slice(0, max)
		.map((l) => `${l.value} ×${l.lift.toFixed(1)}`)
		.join(' · ');
}

/** A theme's page, keeping the friction page's filters. */
export function themeHref(key: string, query: string): string {
	return `/friction/themes/${encodeURIComponent(key)}${query ? `?${query}` : ''}`;
}
