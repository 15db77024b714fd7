/**
 * The demo marketplace's reference data: regions and countries, currencies, channels, teams and
 * agents, stages and case categories, with the mix each is drawn in (docs/demo-data.md, What the
 * data contains). Plain data, no random draws: generate-demo.server.ts turns the weights into
 * draw tables.
 *
 * Browser-safe: no Node or server-only imports (the planted effects, planted-effects.server.ts,
 * are applied by the generator). Relative imports only: this module also runs under plain `tsx`.
 */
import { OUTCOMES } from '../imports/canonical-columns';

/** The languages customers write in. */
export type Lang = 'en' | 'pt' | 'es';

export interface CountryDef {
	code: string;
	weight: number;
	currency: string;
	/** Language most customers write in, and the share who do (the rest write English). */
	lang: Lang;
	langShare: number;
}

/** A country: weight within its region, currency; by default all customers write English. */
function country(code: string, weight: number, currency = 'USD', lang: Lang = 'en', langShare = 1): CountryDef {
	return { code, weight, currency, lang, langShare };
}

/** Region -> (share of customers, countries). Region sizes are deliberately fairly even. */
export const REGION_DEFS: readonly { region: string; weight: number; countries: readonly CountryDef[] }[] = [
	{ region: 'north_america', weight: 0.2, countries: [country('US', 0.8), country('CA', 0.2)] },
	{
		region: 'latam',
		weight: 0.16,
		countries: [
			country('BR', 0.5, 'BRL', 'pt', 0.9),
			country('MX', 0.25, 'USD', 'es', 0.8),
			country('AR', 0.1, 'USD', 'es', 0.8),
			country('CL', 0.08, 'USD', 'es', 0.8),
			country('CO', 0.07, 'USD', 'es', 0.8)
		]
	},
	{
		region: 'europe',
		weight: 0.19,
		countries: [
			country('DE', 0.22, 'EUR'),
			country('GB', 0.22, 'GBP'),
			country('FR', 0.18, 'EUR'),
			country('ES', 0.12, 'EUR', 'es', 0.7),
			country('IT', 0.1, 'EUR'),
			country('NL', 0.07, 'EUR'),
			country('PT', 0.05, 'EUR', 'pt', 0.8),
			country('PL', 0.04, 'EUR')
		]
	},
	{
		region: 'middle_east_africa',
		weight: 0.11,
		countries: [country('AE', 0.3), country('SA', 0.22), country('ZA', 0.25), country('EG', 0.12), country('NG', 0.11)]
	},
	{ region: 'south_asia', weight: 0.12, countries: [country('IN', 0.8, 'INR'), country('PK', 0.1), country('BD', 0.06), country('LK', 0.04)] },
	{
		region: 'east_asia',
		weight: 0.12,
		countries: [country('JP', 0.45, 'JPY'), country('KR', 0.22), country('SG', 0.15), country('HK', 0.1), country('TW', 0.08)]
	},
	{ region: 'oceania', weight: 0.1, countries: [country('AU', 0.8, 'AUD'), country('NZ', 0.2, 'AUD')] }
];

export const DEMO_REGIONS: readonly string[] = REGION_DEFS.map((r) => r.region);

/** Country (ISO 3166-1 alpha-2) -> reporting region, for every country the demo uses. */
export const DEMO_COUNTRY_REGIONS: Readonly<Record<string, string>> = Object.freeze(
	Object.fromEntries(REGION_DEFS.flatMap((r) => r.countries.map((c) => [c.code, r.region])))
);

/** Units of each currency per 1 USD (the demo's order values are drawn in USD, then converted). */
export const DEMO_UNITS_PER_USD: Readonly<Record<string, number>> = Object.freeze({
	USD: 1,
	EUR: 0.926,
	GBP: 0.787,
	BRL: 5.25,
	INR: 83.3,
	JPY: 149,
	AUD: 1.515
});
/** Currencies written without decimals. */
export const WHOLE_UNIT_CURRENCIES: readonly string[] = ['JPY'];

export const DEMO_CHANNELS = ['email', 'chat', 'phone', 'social', 'web'] as const;
/** Share of cases per channel, in DEMO_CHANNELS order (the same mix in every region). */
export const CHANNEL_WEIGHTS: readonly number[] = [0.32, 0.28, 0.1, 0.1, 0.2];
/** Median first-response time per channel, in minutes, and its log-scale spread. */
export const FRT_MEDIAN_MIN: readonly number[] = [150, 10, 5, 45, 90];
export const FRT_SIGMA: readonly number[] = [1.2, 1.5, 1.5, 1.2, 1.2];

export const DEMO_TEAMS = ['aurora', 'beacon', 'cedar', 'delta', 'ember', 'fjord', 'harbor', 'summit'] as const;
const AGENT_COUNT = 60;
export const AGENT_IDS: readonly string[] = Array.from({ length: AGENT_COUNT }, (_, i) => `agent-${String(i + 1).padStart(3, '0')}`);
/** Agent index -> team index: agent i (from 0) works in team i mod 8. */
export const AGENT_TEAM: readonly number[] = AGENT_IDS.map((_, i) => i % DEMO_TEAMS.length);
/** Agent id -> team (fixed, independent of the seed). */
export const DEMO_AGENT_TEAMS: Readonly<Record<string, string>> = Object.freeze(
	Object.fromEntries(AGENT_IDS.map((a, i) => [a, DEMO_TEAMS[AGENT_TEAM[i]]]))
);

export type Outcome = (typeof OUTCOMES)[number];

export const DEMO_STAGES = ['pre_purchase', 'order', 'post_purchase'] as const;

/** Where delivered_at sits: none (no order delivered), after the case opens, or before it. */
export type DeliveryMode = 'none' | 'after' | 'before';

export interface CategoryDef {
	name: string;
	/** Index into DEMO_STAGES. */
	stage: number;
	/** Share of all cases. */
	weight: number;
	/** Weights over ROOT_CAUSES. */
	rootCause: readonly number[];
	/**
	 * Outcome weights. Empty where the generator decides: return_request by the return window
	 * (POLICY_VIOLATIONS), wrong_item from INCONSISTENT_TEAM.baseline (planted-effects.server.ts).
	 */
	outcomes: Partial<Record<Outcome, number>>;
	/** Median handling time after the first response, hours. */
	handleHours: number;
	delivery: DeliveryMode;
	/** For delivery 'before': days between delivery and the case, median and log spread. */
	deliveredDays?: [number, number];
	/** Outcomes that pay money back: 'full' or 'partial' share of the order value. */
	refunds?: Partial<Record<Outcome, 'full' | 'partial'>>;
	/** Outcomes that involve sending goods back (so return_shipping_fee is recorded). */
	returns?: readonly Outcome[];
	escalation: number;
}

const INFO = { info_provided: 0.9, escalated: 0.03, withdrawn: 0.07 };
export const CAT_DEFS: readonly CategoryDef[] = [
	// pre-purchase (18% of cases)
	{ name: 'product_info', stage: 0, weight: 0.18 * 0.35, rootCause: [0.2, 0, 0, 0.1, 0.7], outcomes: INFO, handleHours: 2, delivery: 'none', escalation: 0.02 },
	{ name: 'shipping_policy', stage: 0, weight: 0.18 * 0.25, rootCause: [0.3, 0, 0, 0.1, 0.6], outcomes: INFO, handleHours: 2, delivery: 'none', escalation: 0.02 },
	{ name: 'return_policy', stage: 0, weight: 0.18 * 0.25, rootCause: [0.3, 0, 0, 0.1, 0.6], outcomes: INFO, handleHours: 2, delivery: 'none', escalation: 0.02 },
	{ name: 'currency', stage: 0, weight: 0.18 * 0.15, rootCause: [0.3, 0, 0, 0.1, 0.6], outcomes: INFO, handleHours: 3, delivery: 'none', escalation: 0.02 },
	// order (40%)
	{ name: 'order_status', stage: 1, weight: 0.4 * 0.3, rootCause: [0.2, 0.35, 0, 0.1, 0.35], outcomes: { info_provided: 0.85, escalated: 0.05, withdrawn: 0.1 }, handleHours: 6, delivery: 'after', escalation: 0.04 },
	{ name: 'shipping_delay', stage: 1, weight: 0.4 * 0.25, rootCause: [0.15, 0.75, 0.05, 0, 0.05], outcomes: { info_provided: 0.55, refunded: 0.12, partially_approved: 0.08, denied: 0.07, escalated: 0.08, withdrawn: 0.1 }, handleHours: 24, delivery: 'after', refunds: { refunded: 'full', partially_approved: 'partial' }, escalation: 0.06 },
	{ name: 'tracking_irregular', stage: 1, weight: 0.4 * 0.15, rootCause: [0.25, 0.7, 0.05, 0, 0], outcomes: { info_provided: 0.7, replaced: 0.05, refunded: 0.05, escalated: 0.1, withdrawn: 0.1 }, handleHours: 30, delivery: 'after', refunds: { refunded: 'full' }, escalation: 0.06 },
	{ name: 'address_change', stage: 1, weight: 0.4 * 0.1, rootCause: [0.1, 0, 0.1, 0.8, 0], outcomes: { approved: 0.7, denied: 0.15, info_provided: 0.1, withdrawn: 0.05 }, handleHours: 4, delivery: 'after', escalation: 0.02 },
	{ name: 'delivery_verification', stage: 1, weight: 0.4 * 0.12, rootCause: [0, 0.7, 0.1, 0.2, 0], outcomes: { info_provided: 0.45, refunded: 0.2, replaced: 0.15, denied: 0.1, escalated: 0.1 }, handleHours: 48, delivery: 'before', deliveredDays: [2, 0.8], refunds: { refunded: 'full' }, escalation: 0.08 },
	{ name: 'order_dispute', stage: 1, weight: 0.4 * 0.08, rootCause: [0.3, 0.3, 0.2, 0.2, 0], outcomes: { approved: 0.25, partially_approved: 0.15, denied: 0.3, refunded: 0.1, escalated: 0.2 }, handleHours: 96, delivery: 'before', deliveredDays: [3, 0.8], refunds: { approved: 'full', refunded: 'full', partially_approved: 'partial' }, escalation: 0.2 },
	// post-purchase (42%)
	{ name: 'return_request', stage: 2, weight: 0.42 * 0.3, rootCause: [0.1, 0, 0, 0.8, 0.1], outcomes: {}, handleHours: 48, delivery: 'before', deliveredDays: [16, 0.95], refunds: { approved: 'full', refunded: 'full', partially_approved: 'partial' }, returns: ['approved', 'partially_approved', 'refunded'], escalation: 0.04 },
	{ name: 'refund_request', stage: 2, weight: 0.42 * 0.2, rootCause: [0.4, 0.1, 0.2, 0.3, 0], outcomes: { approved: 0.35, refunded: 0.3, partially_approved: 0.12, denied: 0.15, escalated: 0.03, withdrawn: 0.05 }, handleHours: 36, delivery: 'before', deliveredDays: [12, 0.9], refunds: { approved: 'full', refunded: 'full', partially_approved: 'partial' }, escalation: 0.05 },
	{ name: 'defect', stage: 2, weight: 0.42 * 0.14, rootCause: [0.6, 0, 0.1, 0.1, 0.2], outcomes: { replaced: 0.4, refunded: 0.3, partially_approved: 0.1, denied: 0.12, escalated: 0.04, withdrawn: 0.04 }, handleHours: 72, delivery: 'before', deliveredDays: [25, 1], refunds: { refunded: 'full', partially_approved: 'partial' }, returns: ['replaced', 'refunded'], escalation: 0.06 },
	{ name: 'transit_damage', stage: 2, weight: 0.42 * 0.1, rootCause: [0, 0.85, 0.1, 0.05, 0], outcomes: { replaced: 0.45, refunded: 0.4, partially_approved: 0.05, denied: 0.05, escalated: 0.03, withdrawn: 0.02 }, handleHours: 48, delivery: 'before', deliveredDays: [1.5, 0.7], refunds: { refunded: 'full', partially_approved: 'partial' }, returns: ['replaced', 'refunded'], escalation: 0.05 },
	{ name: 'wrong_item', stage: 2, weight: 0.42 * 0.12, rootCause: [0.2, 0.05, 0.75, 0, 0], outcomes: {}, handleHours: 40, delivery: 'before', deliveredDays: [2.5, 0.7], refunds: { refunded: 'full', partially_approved: 'partial' }, returns: ['replaced', 'refunded'], escalation: 0.05 },
	{ name: 'policy_clarification', stage: 2, weight: 0.42 * 0.08, rootCause: [0.2, 0, 0, 0.1, 0.7], outcomes: { info_provided: 0.85, escalated: 0.05, withdrawn: 0.1 }, handleHours: 6, delivery: 'before', deliveredDays: [10, 1], escalation: 0.03 },
	{ name: 'after_sale_dispute', stage: 2, weight: 0.42 * 0.06, rootCause: [0.35, 0.1, 0.25, 0.3, 0], outcomes: { approved: 0.2, partially_approved: 0.2, denied: 0.35, refunded: 0.1, escalated: 0.15 }, handleHours: 120, delivery: 'before', deliveredDays: [20, 1], refunds: { approved: 'full', refunded: 'full', partially_approved: 'partial' }, escalation: 0.2 }
];

/** Category -> stage, for every category the demo writes. */
export const DEMO_CATEGORY_STAGES: Readonly<Record<string, string>> = Object.freeze(
	Object.fromEntries(CAT_DEFS.map((c) => [c.name, DEMO_STAGES[c.stage]]))
);
export const DEMO_CATEGORIES: readonly string[] = CAT_DEFS.map((c) => c.name);
