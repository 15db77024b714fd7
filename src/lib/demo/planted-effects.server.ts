/**
 * The effects deliberately planted in the demo data (see docs/demo-data.md). The generator reads
 * its parameters from here and the tests and docs refer to these names, so there is one source of
 * truth. With `nullMode: true` none of the five effects is planted: every region, tenure band and
 * team is drawn from the same distributions and theme frequencies are constant over time; the
 * policy-violation base rates (effect 4) still apply, equally everywhere.
 *
 * Every other attribute (channel mix, category mix, order values, customer tenure, agent and team
 * assignment) is drawn independently of region, tenure and team, so nothing else stands out.
 */

/**
 * The policy numbers the demo data was generated against. They mirror the marketplace policy
 * (README.md); the app reads its own copy from the editable policy file.
 */
export const DEMO_POLICY = {
	/** Return window after delivery, in days. */
	returnWindowDays: 60,
	/** Refund must be paid between these many days after approval. */
	refundMinDays: 5,
	refundMaxDays: 10,
	/** A post-purchase claim older than this with no outcome is stale. */
	staleClaimDays: 30
} as const;

/** Account-tenure bands (days between customer_since and the case's created_at). */
export const TENURE_BANDS = [
	{ band: 'under_90d', label: '< 90 days', minDays: 0, maxDays: 90 },
	{ band: '90d_1y', label: '90 days - 1 year', minDays: 90, maxDays: 365 },
	{ band: '1y_3y', label: '1 - 3 years', minDays: 365, maxDays: 3 * 365 },
	{ band: 'over_3y', label: '> 3 years', minDays: 3 * 365, maxDays: Infinity }
] as const;

/** Post-purchase claim categories: the ones that end in a favourable or unfavourable decision. */
export const CLAIM_CATEGORIES = [
	'return_request',
	'refund_request',
	'defect',
	'wrong_item',
	'transit_damage'
] as const;

/**
 * Effect 1: one region waits longer for the first reply. Every first-response time in the region
 * is multiplied by `firstResponseMultiplier`, in every channel, so its median is about that many
 * times the others'. (Resolution time includes the first response, so the region's resolution
 * time and CSAT are slightly worse too: a consequence, not a separate effect.)
 */
export const SLOW_REGION = {
	region: 'latam',
	firstResponseMultiplier: 2
} as const;

/**
 * Effect 2: new accounts are denied more often for the same problem. On claim categories, in
 * every category (and, for returns, on both sides of the return window), a case from a customer
 * with tenure under `maxTenureDays` has its denial share raised by `extraDenialShare` (absolute,
 * i.e. +15 percentage points): a non-denied outcome is turned into a denial with probability
 * extra / (1 - base denial share). The category mix is the same for every tenure band.
 */
export const NEW_ACCOUNT_DENIALS = {
	tenureBand: 'under_90d',
	maxTenureDays: 90,
	categories: CLAIM_CATEGORIES,
	extraDenialShare: 0.15
} as const;

/**
 * Effect 3: one team is inconsistent on one category. Its outcome distribution for `category`
 * is `outcomes` instead of the `baseline` every other team uses (total variation distance 0.75).
 */
export const INCONSISTENT_TEAM = {
	team: 'harbor',
	category: 'wrong_item',
	outcomes: { denied: 0.6, partially_approved: 0.15, replaced: 0.15, refunded: 0.1 },
	baseline: { replaced: 0.55, refunded: 0.35, denied: 0.05, escalated: 0.03, withdrawn: 0.02 }
} as const;

/**
 * Effect 4: policy violations and exceptions, at small base rates, everywhere (also in null mode).
 * Rates are per eligible case:
 * - `inWindowReturnDenied`: share of return requests inside the return window that are denied
 *   (new accounts get the effect-2 surplus on top, in null mode they do not);
 * - `outOfWindowReturnApproved`: share of return requests beyond the window that are approved
 *   anyway (an exception, not a violation);
 * - `lateRefund`: share of issued refunds paid `lateRefundDays` after resolution instead of the
 *   normal `normalRefundDays`;
 * - `returnShippingFee`: share of returns / replacements charged a return-shipping fee
 *   (in USD before conversion, between the two bounds);
 * - `staleClaim`: share of claims left without an outcome (status open or pending) regardless of
 *   age; the ones created more than `DEMO_POLICY.staleClaimDays` before the snapshot are stale.
 */
export const POLICY_VIOLATIONS = {
	inWindowReturnDenied: 0.03,
	outOfWindowReturnApproved: 0.15,
	lateRefund: 0.03,
	normalRefundDays: [2, 9],
	lateRefundDays: [11, 25],
	returnShippingFee: 0.02,
	returnShippingFeeUsd: [4.99, 12.99],
	staleClaim: 0.006
} as const;

/**
 * Effect 5: one friction theme rises before the snapshot. Among negative comments, the theme's
 * share is `baseShare` until `windowDays` before `end` and `baseShare * multiplier` after
 * (the extra share is taken from generic complaints, so every other named theme keeps a constant
 * share). `pattern` matches every phrasing of the theme in every language the generator writes.
 */
export const RISING_THEME = {
	theme: 'tracking_not_updating',
	windowDays: 28,
	baseShare: 0.07,
	multiplier: 3,
	phrases: {
		en: 'tracking not updating',
		pt: 'rastreio não atualiza',
		es: 'seguimiento no se actualiza'
	},
	pattern: /tracking not updating|rastreio não atualiza|seguimiento no se actualiza/i,
	/** The same pattern as a string, for SQL `regexp_matches(comment, ?, 'i')`. */
	patternSource: 'tracking not updating|rastreio não atualiza|seguimiento no se actualiza'
} as const;

/** All planted effects, for docs and the app's "about the demo" page. */
export const PLANTED_EFFECTS = {
	slowRegion: SLOW_REGION,
	newAccountDenials: NEW_ACCOUNT_DENIALS,
	inconsistentTeam: INCONSISTENT_TEAM,
	policyViolations: POLICY_VIOLATIONS,
	risingTheme: RISING_THEME
} as const;
