/** Browser-safe: the shapes pages and the JSON API share with the server code beside it. */

export const CONSISTENCY_DIMENSIONS = ['region', 'team', 'agent', 'channel'] as const;

/** What a block of cells compares within: a category or a root cause. */
export type ConsistencyKey = 'category' | 'root_cause';

/** The issue types the policy promises one standard resolution for (README.md). */
/** How a dimension is named on the page, in sentences and in the JSON. */
export const CONSISTENCY_DIMENSION_LABELS: Record<ConsistencyDimension, string> = { region: 'Region', team: 'Team', agent: 'Agent', channel: 'Channel' };

/** Columns of the consistency heatmap per page: about what a laptop screen shows side by side. */
export const HEATMAP_GROUPS_PER_PAGE = 20;

export const STANDARD_ROOT_CAUSES = ['platform', 'carrier', 'human_error'] as const;

export const FLAG_Q = 0.05;

/** Cochran's rule: outcomes expected fewer times than this in a group are pooled before the test. */
export const MIN_EXPECTED = 5;

export const CONSISTENCY_DEFINITION =
	'For each category (and root cause), the outcomes of decided cases (cases with an outcome) per group against the category’s global distribution. Total variation distance (TVD) = half the sum of the absolute differences of outcome shares: the share of the group’s cases that would have to be resolved differently to match. Consistency index = 100 × (1 − case-weighted mean TVD) over the cells with enough cases.';

export const CONSISTENCY_METHOD =
	'Each cell is tested with a chi-square test of homogeneity of the group against the other groups of the same category (2 × outcomes): the Cressie-Read power-divergence statistic (λ = 2/3), whose chi-square approximation holds in small groups where Pearson’s gives too many tiny p-values, after pooling the outcomes the group would expect fewer than 5 times (Cochran’s rule). Cells with fewer cases than the policy minimum are shown grey and not tested. q-values: Benjamini-Hochberg over every cell tested, categories and root causes, all four dimensions. Per category and dimension, the same test across all groups with enough cases (r × outcomes) says whether outcomes depend on the group at all; its q-values are taken over all those tests. A cell is flagged when its q < 0.05, the test across its groups has q < 0.05 too (so one chance extreme among sixty agents does not raise a flag by itself), its TVD exceeds the policy threshold and it has at least the minimum number of cases.';

export type ConsistencyDimension = (typeof CONSISTENCY_DIMENSIONS)[number];

export interface ConsistencyCell {
	/** Set when the row is about a category, else null. */
	category: string | null;
	/** Set when the row is about a root cause, else null. */
	root_cause: string | null;
	dimension: ConsistencyDimension;
	group: string;
	/** Decided cases of the group in this category (root cause). */
	n: number;
	tvd: number | null;
	p_value: number | null;
	q_value: number | null;
	/** q of the chi-square test across all groups of this dimension in this category (or root cause). */
	group_test_q: number | null;
	flagged: boolean;
	/** Fewer cases than the minimum: shown grey, not tested. */
	small: boolean;
	/** Outcome counts of the group; the rest = the key's global counts minus these. */
	outcomes: Record<string, number>;
	/** The outcome whose share differs most from the global share. */
	main_outcome: string | null;
	main_share: number | null;
	main_global_share: number | null;
	/** The finding in words a support lead reads first: who, which cases, how differently. */
	sentence: string;
	/** The statistics behind it, shown under "details". */
	details: string;
	/**
	 * For an agent's flag: the agent's team, when that team is flagged on the same cases with the
	 * same outcome leaning the same way. One cause is then one finding, the team's, listing its agents.
	 */
	explained_by: { dimension: 'team'; group: string } | null;
}

