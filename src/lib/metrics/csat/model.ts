/** Browser-safe: the shapes pages and the JSON API share with the server code beside it. */

export interface CsatStats {
	group: string | null;
	surveys: number;
	rated: number;
	response_rate: number | null;
	satisfied: number;
	csat: number | null;
	ci_low: number | null;
	ci_high: number | null;
	mean: number | null;
}

