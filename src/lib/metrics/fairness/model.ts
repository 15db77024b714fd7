/** Browser-safe: the shapes pages and the JSON API share with the server code beside it. */
import type { NotTestable } from '../model';

/** Outcomes that count as favourable for the customer (README.md, Metrics). */
export const FAVOURABLE_OUTCOMES = ['approved', 'partially_approved', 'refunded', 'replaced'] as const;

export const FAIRNESS_DIMENSIONS = ['region', 'order_value', 'tenure'] as const;

export const FAIRNESS_MEASURES = ['favourable_rate', 'resolution_time', 'csat'] as const;

/** A flag needs q below this (with the practical threshold and the minimum group size). */
export const FLAG_Q = 0.05;

export const DIMENSION_LABELS: Record<FairnessDimension, string> = {
	region: 'Region',
	order_value: 'Order value',
	tenure: 'Account tenure'
};

export interface MeasureInfo {
	measure: FairnessMeasure;
	label: string;
	/** What one unit of n is. */
	unit: string;
	definition: string;
	test: string;
}

export const MEASURES: Record<FairnessMeasure, MeasureInfo> = {
	favourable_rate: {
		measure: 'favourable_rate',
		label: 'Favourable outcomes',
		unit: 'claims',
		definition: `Share of claims (post-purchase cases with an outcome) that ended ${FAVOURABLE_OUTCOMES.join(', ').replace(/_/g, ' ')}.`,
		test: 'Cochran-Mantel-Haenszel test stratified by case type (category; returns split by the return window), continuity-corrected as R does.'
	},
	resolution_time: {
		measure: 'resolution_time',
		label: 'Resolution time',
		unit: 'resolved cases',
		definition: 'Resolution time = final resolution − case opened, for resolved cases (the share still unresolved is shown beside it). Raw: median hours.',
		test: 'van Elteren stratified rank test: Wilcoxon rank sums within each case type × channel, weighted 1/(N+1), mid-ranks for ties, normal approximation.'
	},
	csat: {
		measure: 'csat',
		label: 'CSAT',
		unit: 'rated answers',
		definition: 'Share of rated survey answers scoring 4 or 5, for answers linked to a case.',
		test: 'Cochran-Mantel-Haenszel test stratified by case type, continuity-corrected as R does.'
	}
};

export const FAIRNESS_METHOD =
	'Each group is compared with all other groups of the same dimension. Adjusted = direct standardisation over case type × channel (case type = category, with return requests split by their position against the return window): the group’s rate in each stratum, weighted by the whole population’s mix; the difference to the other groups is taken on the same weights, with a normal 95% interval. For times the comparison is on log times, so the difference is a ratio (+20% = one fifth longer), and the adjusted value is the overall median scaled by that group’s ratio to everyone in the same strata. q-values: Benjamini-Hochberg over every comparison on the page. A flag needs q < 0.05, an adjusted difference beyond the policy’s practical threshold and at least the minimum number of cases. Once a group is flagged, it is left out of the comparison group of the other groups of that dimension and measure (and they are tested again), so one group treated differently does not make all the others look favoured.';

export type FairnessDimension = (typeof FAIRNESS_DIMENSIONS)[number];

export type FairnessMeasure = (typeof FAIRNESS_MEASURES)[number];

export interface FairnessStratum {
	stratum: string;
	n: number;
	/** Rate (0-1) or median hours. */
	value: number | null;
	rest_n: number;
	rest_value: number | null;
}

export interface FairnessRow {
	dimension: FairnessDimension;
	group: string;
	label: string;
	measure: FairnessMeasure;
	n: number;
	rest_n: number;
	/** Rates and CSAT: share 0-1; times: median hours. */
	raw: number | null;
	raw_ci_low: number | null;
	raw_ci_high: number | null;
	/** The same for the comparison group (times: null, see strata for medians). */
	raw_rest: number | null;
	/** Case-mix-adjusted value, same unit as raw. */
	adjusted: number | null;
	/** Adjusted difference against the other groups: share difference, or for times ratio - 1. */
	diff: number | null;
	ci_low: number | null;
	ci_high: number | null;
	p_value: number | null;
	q_value: number | null;
	flagged: boolean;
	/** Why the row is not flagged (null when flagged). */
	why_not: string | null;
	/** Groups left out of the comparison because they were flagged first. */
	excluded_from_rest: string[];
	/** Share of the standard case mix the adjusted difference covers. */
	coverage: number | null;
	/** Times only: share of the group's cases still unresolved. */
	unresolved_share: number | null;
	/** The finding in words a support lead reads first. */
	sentence: string;
	/** The statistics behind it (interval, q-value, cases), shown under "details". */
	details: string;
	/** Side by side with the comparison group, per case type. */
	strata: FairnessStratum[];
}


/** One dimension × measure: how many groups had data and were compared, or why none could be. */
export interface FairnessCheck {
	dimension: FairnessDimension;
	measure: FairnessMeasure;
	/** Groups with at least one case (claim, resolved case, rated answer) of the measure. */
	groups: number;
	/** Rows with a test result (a p-value). */
	compared: number;
	not_testable: NotTestable | null;
}

/** The dimension as a noun in sentences: "every claim in these filters has the same region". */
export const DIMENSION_NOUNS: Record<FairnessDimension, string> = {
	region: 'region',
	order_value: 'order-value band',
	tenure: 'account-tenure band'
};
