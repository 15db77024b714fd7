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
}

