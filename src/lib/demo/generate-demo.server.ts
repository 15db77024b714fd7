/**
 * Seeded, streaming generator of a realistic marketplace demo: canonical case and feedback CSV
 * files (README.md, The data contract) with a handful of planted effects (./planted-effects.ts).
 *
 * - Deterministic: one PRNG stream consumed in a fixed order, so the same options give
 *   byte-identical files.
 * - Bounded memory: rows are generated in time order and written in chunks with backpressure;
 *   customers are derived from their index by hashing, and repeat contacts come from a small ring
 *   of recent cases, so nothing grows with the number of cases.
 * - Relative imports only: this module also runs under plain `tsx` from the CLI.
 */
import { CASE_COLUMNS, OUTCOMES, ROOT_CAUSES } from '../imports/canonical-columns';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { Rng, cumulative, pickIndex, hashUnit, hash32, type Cumulative } from '../core/random';
import {
	DEMO_POLICY,
	INCONSISTENT_TEAM,
	NEW_ACCOUNT_DENIALS,
	POLICY_VIOLATIONS,
	RISING_THEME,
	SLOW_REGION
} from './planted-effects.server';
import { DemoThreadWriter } from './demo-messages.server';

export interface DemoOptions {
	/** Number of case rows. */
	cases: number;
	/** Same seed + same options => byte-identical files. */
	seed: number;
	/** No planted effects at all: every group is drawn from the same distributions. */
	nullMode?: boolean;
	/** Snapshot time: no timestamp after it. Default: today 00:00 UTC. */
	end?: Date;
	/** Span of created_at before `end`, in days. Default 365. */
	days?: number;
	/** Also write demo-messages.csv, every case's conversation (demo-messages.server.ts). Default false: most callers need only cases and feedback. */
	messages?: boolean;
}

export interface DemoResult {
	casesPath: string;
	feedbackPath: string;
	cases: number;
	feedback: number;
	/** With `messages: true`: the conversations file and its row count. */
	messagesPath?: string;
	messages?: number;
}

export const DEMO_CASES_FILE = 'demo-cases.csv';
export const DEMO_FEEDBACK_FILE = 'demo-feedback.csv';
export const DEMO_MESSAGES_FILE = 'demo-messages.csv';

/**
 * The demo writes every canonical case column except those only some help-desk exports carry
 * (see `inDemo` in imports/canonical-columns.ts); the row writer below fills them in this order.
 */
export const DEMO_CASE_COLUMNS: readonly string[] = CASE_COLUMNS.filter((c) => c.inDemo !== false).map((c) => c.name);

export const DEMO_FEEDBACK_COLUMNS = [
	'feedback_id',
	'case_id',
	'submitted_at',
	'kind',
	'csat',
	'comment',
	'region',
	'customer_id'
] as const;

// ---------------------------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------------------------

type Lang = 'en' | 'pt' | 'es';

interface CountryDef {
	code: string;
	weight: number;
	currency: string;
	/** Language most customers write in, and the share who do (the rest write English). */
	lang: Lang;
	langShare: number;
}

/** Region -> (share of customers, countries). Region sizes are deliberately fairly even. */
const REGION_DEFS: readonly { region: string; weight: number; countries: readonly CountryDef[] }[] = [
	{
		region: 'north_america',
		weight: 0.2,
		countries: [
			{ code: 'US', weight: 0.8, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'CA', weight: 0.2, currency: 'USD', lang: 'en', langShare: 1 }
		]
	},
	{
		region: 'latam',
		weight: 0.16,
		countries: [
			{ code: 'BR', weight: 0.5, currency: 'BRL', lang: 'pt', langShare: 0.9 },
			{ code: 'MX', weight: 0.25, currency: 'USD', lang: 'es', langShare: 0.8 },
			{ code: 'AR', weight: 0.1, currency: 'USD', lang: 'es', langShare: 0.8 },
			{ code: 'CL', weight: 0.08, currency: 'USD', lang: 'es', langShare: 0.8 },
			{ code: 'CO', weight: 0.07, currency: 'USD', lang: 'es', langShare: 0.8 }
		]
	},
	{
		region: 'europe',
		weight: 0.19,
		countries: [
			{ code: 'DE', weight: 0.22, currency: 'EUR', lang: 'en', langShare: 1 },
			{ code: 'GB', weight: 0.22, currency: 'GBP', lang: 'en', langShare: 1 },
			{ code: 'FR', weight: 0.18, currency: 'EUR', lang: 'en', langShare: 1 },
			{ code: 'ES', weight: 0.12, currency: 'EUR', lang: 'es', langShare: 0.7 },
			{ code: 'IT', weight: 0.1, currency: 'EUR', lang: 'en', langShare: 1 },
			{ code: 'NL', weight: 0.07, currency: 'EUR', lang: 'en', langShare: 1 },
			{ code: 'PT', weight: 0.05, currency: 'EUR', lang: 'pt', langShare: 0.8 },
			{ code: 'PL', weight: 0.04, currency: 'EUR', lang: 'en', langShare: 1 }
		]
	},
	{
		region: 'middle_east_africa',
		weight: 0.11,
		countries: [
			{ code: 'AE', weight: 0.3, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'SA', weight: 0.22, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'ZA', weight: 0.25, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'EG', weight: 0.12, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'NG', weight: 0.11, currency: 'USD', lang: 'en', langShare: 1 }
		]
	},
	{
		region: 'south_asia',
		weight: 0.12,
		countries: [
			{ code: 'IN', weight: 0.8, currency: 'INR', lang: 'en', langShare: 1 },
			{ code: 'PK', weight: 0.1, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'BD', weight: 0.06, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'LK', weight: 0.04, currency: 'USD', lang: 'en', langShare: 1 }
		]
	},
	{
		region: 'east_asia',
		weight: 0.12,
		countries: [
			{ code: 'JP', weight: 0.45, currency: 'JPY', lang: 'en', langShare: 1 },
			{ code: 'KR', weight: 0.22, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'SG', weight: 0.15, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'HK', weight: 0.1, currency: 'USD', lang: 'en', langShare: 1 },
			{ code: 'TW', weight: 0.08, currency: 'USD', lang: 'en', langShare: 1 }
		]
	},
	{
		region: 'oceania',
		weight: 0.1,
		countries: [
			{ code: 'AU', weight: 0.8, currency: 'AUD', lang: 'en', langShare: 1 },
			{ code: 'NZ', weight: 0.2, currency: 'AUD', lang: 'en', langShare: 1 }
		]
	}
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
const CURRENCIES = Object.keys(DEMO_UNITS_PER_USD);
const CURRENCY_RATE = CURRENCIES.map((c) => DEMO_UNITS_PER_USD[c]);
/** Currencies written without decimals. */
const CURRENCY_WHOLE = CURRENCIES.map((c) => c === 'JPY');

// Flattened country tables.
const COUNTRY_CODE: string[] = [];
const COUNTRY_REGION: number[] = [];
const COUNTRY_CUR: number[] = [];
const COUNTRY_LANG: Lang[] = [];
const COUNTRY_LANG_SHARE: number[] = [];
const countryWeights: number[] = [];
REGION_DEFS.forEach((r, ri) => {
	const total = r.countries.reduce((s, c) => s + c.weight, 0);
	for (const c of r.countries) {
		COUNTRY_CODE.push(c.code);
		COUNTRY_REGION.push(ri);
		COUNTRY_CUR.push(CURRENCIES.indexOf(c.currency));
		COUNTRY_LANG.push(c.lang);
		COUNTRY_LANG_SHARE.push(c.langShare);
		countryWeights.push((r.weight * c.weight) / total);
	}
});
const COUNTRY_CUM = cumulative(countryWeights);

export const DEMO_CHANNELS = ['email', 'chat', 'phone', 'social', 'web'] as const;
const CHANNEL_CUM = cumulative([0.32, 0.28, 0.1, 0.1, 0.2]);
/** Median first-response time per channel, in minutes, and its log-scale spread. */
const FRT_MEDIAN_MIN = [150, 10, 5, 45, 90];
const FRT_SIGMA = [1.2, 1.5, 1.5, 1.2, 1.2];

export const DEMO_TEAMS = [
	'aurora',
	'beacon',
	'cedar',
	'delta',
	'ember',
	'fjord',
	'harbor',
	'summit'
] as const;
const AGENT_COUNT = 60;
const AGENT_IDS = Array.from({ length: AGENT_COUNT }, (_, i) => `agent-${String(i + 1).padStart(3, '0')}`);
const AGENT_TEAM = AGENT_IDS.map((_, i) => i % DEMO_TEAMS.length);
/** Agent id -> team (fixed, independent of the seed). */
export const DEMO_AGENT_TEAMS: Readonly<Record<string, string>> = Object.freeze(
	Object.fromEntries(AGENT_IDS.map((a, i) => [a, DEMO_TEAMS[AGENT_TEAM[i]]]))
);
const HARBOR_TEAM = DEMO_TEAMS.indexOf(INCONSISTENT_TEAM.team as (typeof DEMO_TEAMS)[number]);

type Outcome = (typeof OUTCOMES)[number];
const O_DENIED = OUTCOMES.indexOf('denied');
const O_ESCALATED = OUTCOMES.indexOf('escalated');
const O_WITHDRAWN = OUTCOMES.indexOf('withdrawn');

export const DEMO_STAGES = ['pre_purchase', 'order', 'post_purchase'] as const;

/** Where delivered_at sits: none (no order delivered), after the case opens, or before it. */
type DeliveryMode = 'none' | 'after' | 'before';

interface CategoryDef {
	name: string;
	stage: number;
	/** Share of all cases. */
	weight: number;
	/** Weights over ROOT_CAUSES. */
	rootCause: readonly number[];
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
const CAT_DEFS: readonly CategoryDef[] = [
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
	{ name: 'wrong_item', stage: 2, weight: 0.42 * 0.12, rootCause: [0.2, 0.05, 0.75, 0, 0], outcomes: INCONSISTENT_TEAM.baseline, handleHours: 40, delivery: 'before', deliveredDays: [2.5, 0.7], refunds: { refunded: 'full', partially_approved: 'partial' }, returns: ['replaced', 'refunded'], escalation: 0.05 },
	{ name: 'policy_clarification', stage: 2, weight: 0.42 * 0.08, rootCause: [0.2, 0, 0, 0.1, 0.7], outcomes: { info_provided: 0.85, escalated: 0.05, withdrawn: 0.1 }, handleHours: 6, delivery: 'before', deliveredDays: [10, 1], escalation: 0.03 },
	{ name: 'after_sale_dispute', stage: 2, weight: 0.42 * 0.06, rootCause: [0.35, 0.1, 0.25, 0.3, 0], outcomes: { approved: 0.2, partially_approved: 0.2, denied: 0.35, refunded: 0.1, escalated: 0.15 }, handleHours: 120, delivery: 'before', deliveredDays: [20, 1], refunds: { approved: 'full', refunded: 'full', partially_approved: 'partial' }, escalation: 0.2 }
];

/** Category -> stage, for every category the demo writes. */
export const DEMO_CATEGORY_STAGES: Readonly<Record<string, string>> = Object.freeze(
	Object.fromEntries(CAT_DEFS.map((c) => [c.name, DEMO_STAGES[c.stage]]))
);
export const DEMO_CATEGORIES: readonly string[] = CAT_DEFS.map((c) => c.name);

const CAT_CUM = cumulative(CAT_DEFS.map((c) => c.weight));
const C_RETURN = CAT_DEFS.findIndex((c) => c.name === 'return_request');
const C_INCONSISTENT = CAT_DEFS.findIndex((c) => c.name === INCONSISTENT_TEAM.category);

/** An outcome distribution ready for drawing, with the probability of converting to a denial. */
interface OutcomeTable {
	cum: Cumulative;
	/** extraDenialShare / (1 - denial share): lifts the denial share by exactly the extra share. */
	denyLift: number;
}

function outcomeTable(weights: Partial<Record<Outcome, number>>): OutcomeTable {
	const w = OUTCOMES.map((o) => weights[o] ?? 0);
	const total = w.reduce((s, x) => s + x, 0);
	const denied = w[O_DENIED] / total;
	return {
		cum: cumulative(w),
		denyLift: Math.min(1, NEW_ACCOUNT_DENIALS.extraDenialShare / Math.max(1e-9, 1 - denied))
	};
}

const RETURN_IN_WINDOW = outcomeTable({
	approved: 0.6,
	refunded: 0.27,
	partially_approved: 0.05,
	denied: POLICY_VIOLATIONS.inWindowReturnDenied,
	withdrawn: 0.05
});
const RETURN_OUT_OF_WINDOW = outcomeTable({
	denied: 0.78,
	approved: POLICY_VIOLATIONS.outOfWindowReturnApproved,
	withdrawn: 0.07
});
const CAT_OUTCOMES = CAT_DEFS.map((c) => (c.name === 'return_request' ? RETURN_IN_WINDOW : outcomeTable(c.outcomes)));
const INCONSISTENT_OUTCOMES = outcomeTable(INCONSISTENT_TEAM.outcomes);
const CAT_ROOT_CUM = CAT_DEFS.map((c) => cumulative(c.rootCause));
const CLAIM_CATEGORY = CAT_DEFS.map((c) => (NEW_ACCOUNT_DENIALS.categories as readonly string[]).includes(c.name));
const CAT_REFUND = CAT_DEFS.map((c) => OUTCOMES.map((o) => (c.refunds?.[o] === 'full' ? 2 : c.refunds?.[o] === 'partial' ? 1 : 0)));
const CAT_RETURNS = CAT_DEFS.map((c) => OUTCOMES.map((o) => c.returns?.includes(o) ?? false));
const CAT_HAS_RETURNS = CAT_DEFS.map((c) => (c.returns?.length ?? 0) > 0);

/** Base CSAT (before speed penalties) per outcome. */
const CSAT_BASE = OUTCOMES.map(
	(o) =>
		({
			approved: 4.9,
			partially_approved: 3.9,
			denied: 2.4,
			replaced: 4.8,
			refunded: 4.9,
			info_provided: 4.6,
			escalated: 3.2,
			withdrawn: 4.0
		})[o]
);

/** Case arrivals by UTC hour (customers span many time zones, so the curve is shallow). */
const HOUR_CUM = cumulative([
	0.55, 0.5, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1, 1.05, 1.1, 1.15, 1.2, 1.25, 1.25, 1.2, 1.15,
	1.1, 1, 0.9, 0.8, 0.7, 0.6
]);

// ---------------------------------------------------------------------------------------------
// Text: subjects and comments
// ---------------------------------------------------------------------------------------------

const PRODUCTS: Record<Lang, readonly string[]> = {
	en: ['headphones', 'running shoes', 'phone case', 'backpack', 'coffee maker', 'rain jacket', 'smart watch', 'desk lamp', 'blender', 'sneakers', 'gaming mouse', 'yoga mat'],
	pt: ['fones de ouvido', 'tênis de corrida', 'capinha de celular', 'mochila', 'cafeteira', 'jaqueta', 'relógio inteligente', 'luminária', 'liquidificador', 'tênis', 'mouse gamer', 'tapete de yoga'],
	es: ['auriculares', 'zapatillas', 'funda de móvil', 'mochila', 'cafetera', 'chaqueta', 'reloj inteligente', 'lámpara', 'licuadora', 'tenis', 'ratón gamer', 'esterilla de yoga']
};

/** Subject templates: {p} = product, {o} = order id, {n} = a small number. */
const SUBJECTS: Record<string, Record<Lang, readonly string[]>> = {
	product_info: {
		en: ['Question about the {p}', 'Is the {p} waterproof?', 'Size and colour options for {p}', 'Does the {p} come with a warranty?', 'Specs of the {p}, please'],
		pt: ['Dúvida sobre {p}', 'O produto {p} é à prova d\'água?', 'Tamanhos e cores de {p}', '{p} tem garantia?'],
		es: ['Pregunta sobre {p}', '¿{p} tiene garantía?', 'Tallas y colores de {p}']
	},
	shipping_policy: {
		en: ['Do you ship to my country?', 'Shipping cost and delivery time', 'Is shipping really free?', 'How long does delivery take?'],
		pt: ['Vocês entregam no meu estado?', 'Frete grátis mesmo?', 'Prazo de entrega', 'Quanto tempo demora a entrega?'],
		es: ['¿Hacen envíos a mi país?', '¿El envío es gratis?', 'Plazo de entrega']
	},
	return_policy: {
		en: ['How do returns work?', 'Return policy question', 'Can I return an opened item?', 'How many days do I have to return?'],
		pt: ['Como funciona a devolução?', 'Dúvida sobre política de troca', 'Posso devolver produto aberto?', 'Qual o prazo para devolução?'],
		es: ['¿Cómo funcionan las devoluciones?', 'Política de devolución', '¿Cuántos días tengo para devolver?']
	},
	currency: {
		en: ['Price shown in the wrong currency', 'Can I pay in my local currency?', 'Exchange rate at checkout', 'Currency conversion fee?'],
		pt: ['Preço em dólar, posso pagar em reais?', 'Cobrança em moeda estrangeira', 'Taxa de câmbio no pagamento', 'IOF na compra?'],
		es: ['¿Puedo pagar en moneda local?', 'Tipo de cambio en el pago', 'Precio en otra moneda']
	},
	order_status: {
		en: ['Where is my order {o}?', 'Order status', 'Has my order shipped yet?', 'Order {o} still processing', 'When will my {p} arrive?'],
		pt: ['Cadê meu pedido {o}?', 'Status do pedido', 'Meu pedido já foi enviado?', 'Quando chega meu {p}?'],
		es: ['¿Dónde está mi pedido {o}?', 'Estado del pedido', '¿Cuándo llega mi {p}?']
	},
	shipping_delay: {
		en: ['Order {o} is late', 'Delivery delayed again', 'My {p} was supposed to arrive {n} days ago', 'Late delivery, need it urgently', 'Shipping delay on order {o}'],
		pt: ['Pedido {o} atrasado', 'Entrega atrasada de novo', 'Meu {p} deveria ter chegado há {n} dias', 'Atraso na entrega'],
		es: ['Pedido {o} retrasado', 'Entrega retrasada otra vez', 'Mi pedido debía llegar hace {n} días']
	},
	tracking_irregular: {
		en: ['Tracking shows delivered but nothing arrived', 'Tracking number invalid', 'Tracking stuck for {n} days', 'Package returned to sender?', 'Strange tracking events on {o}'],
		pt: ['Rastreio parado há {n} dias', 'Código de rastreio inválido', 'Rastreamento diz entregue mas não recebi', 'Objeto devolvido ao remetente?'],
		es: ['Seguimiento detenido hace {n} días', 'Número de seguimiento inválido', 'Dice entregado pero no llegó']
	},
	address_change: {
		en: ['Change delivery address', 'Wrong address on order {o}', 'Update shipping address, please', 'I moved, can you redirect my order?'],
		pt: ['Alterar endereço de entrega', 'Endereço errado no pedido {o}', 'Preciso mudar o endereço'],
		es: ['Cambiar dirección de entrega', 'Dirección incorrecta en pedido {o}']
	},
	delivery_verification: {
		en: ['Package marked delivered, not received', 'Proof of delivery request', 'Delivered to the wrong door?', 'Signature on delivery is not mine'],
		pt: ['Consta entregue mas não recebi', 'Comprovante de entrega', 'Entregaram no endereço errado?'],
		es: ['Figura entregado pero no lo recibí', 'Prueba de entrega', 'Lo entregaron en otra dirección']
	},
	order_dispute: {
		en: ['Charged twice for order {o}', 'Dispute: order {o}', 'Unauthorised charge', 'Price changed after I ordered'],
		pt: ['Cobrança em dobro no pedido {o}', 'Contestação do pedido {o}', 'Cobrança indevida'],
		es: ['Cobro duplicado del pedido {o}', 'Disputa del pedido {o}', 'Cargo no autorizado']
	},
	return_request: {
		en: ['Return request for {p}', 'I want to return my {p}', 'Return label, please', 'Return: does not fit', 'Return order {o}'],
		pt: ['Quero devolver meu {p}', 'Solicitação de devolução', 'Devolução do pedido {o}', 'Troca: não serviu', 'Etiqueta de devolução'],
		es: ['Quiero devolver {p}', 'Solicitud de devolución', 'Devolución del pedido {o}']
	},
	refund_request: {
		en: ['Refund request, order {o}', 'Where is my refund?', 'Please refund my {p}', 'Refund not received yet', 'Money back, please'],
		pt: ['Reembolso do pedido {o}', 'Cadê meu reembolso?', 'Quero meu dinheiro de volta', 'Estorno não caiu'],
		es: ['Reembolso del pedido {o}', '¿Dónde está mi reembolso?', 'Quiero mi dinero de vuelta']
	},
	defect: {
		en: ['{p} stopped working', 'Defective {p}', '{p} broke after {n} days', 'Faulty item, need replacement', 'Battery of the {p} does not charge'],
		pt: ['{p} parou de funcionar', '{p} com defeito', '{p} quebrou depois de {n} dias', 'Produto com defeito'],
		es: ['{p} dejó de funcionar', '{p} defectuoso', 'Producto con fallas']
	},
	transit_damage: {
		en: ['{p} arrived damaged', 'Box crushed, item broken', 'Damaged in transit', 'Received a broken {p}'],
		pt: ['{p} chegou quebrado', 'Caixa amassada, produto danificado', 'Produto avariado no transporte'],
		es: ['{p} llegó dañado', 'Caja aplastada, producto roto', 'Dañado en el envío']
	},
	wrong_item: {
		en: ['Wrong item received', 'I ordered a {p}, got something else', 'Wrong size sent', 'Not what I ordered (order {o})'],
		pt: ['Recebi o produto errado', 'Pedi {p} e veio outra coisa', 'Tamanho errado', 'Não é o que eu pedi'],
		es: ['Recibí un producto equivocado', 'Pedí {p} y llegó otra cosa', 'Talla equivocada']
	},
	policy_clarification: {
		en: ['Question about the refund policy', 'Warranty terms', 'Who pays return shipping?', 'Is a "final sale" item returnable?'],
		pt: ['Dúvida sobre a política de reembolso', 'Termos de garantia', 'Quem paga o frete da devolução?'],
		es: ['Duda sobre la política de reembolso', 'Condiciones de garantía', '¿Quién paga el envío de devolución?']
	},
	after_sale_dispute: {
		en: ['Refund amount is wrong', 'Disagree with the decision on my claim', 'Complaint about claim for order {o}', 'Partial refund, I want the full amount'],
		pt: ['Valor do reembolso errado', 'Não concordo com a decisão', 'Reclamação sobre o pedido {o}'],
		es: ['El monto del reembolso está mal', 'No estoy de acuerdo con la decisión', 'Reclamo por el pedido {o}']
	}
};
const SUBJECT_PREFIX: Record<Lang, readonly string[]> = {
	en: ['Re: ', 'Fwd: ', 'URGENT - ', 'Help: '],
	pt: ['Re: ', 'Enc: ', 'URGENTE - ', 'Ajuda: '],
	es: ['Re: ', 'Rv: ', 'URGENTE - ', 'Ayuda: ']
};

interface ThemeDef {
	theme: string;
	weight: number;
	text: Record<Lang, readonly string[]>;
}

const TRACKING_TEXT: Record<Lang, readonly string[]> = {
	en: [
		'Tracking not updating for {n} days.',
		'The tracking not updating since last week, no idea where my package is.',
		'Why is the tracking not updating? It has said "in transit" for {n} days.',
		'Order {o}: tracking not updating at all.'
	],
	pt: [
		'O rastreio não atualiza há {n} dias.',
		'Meu rastreio não atualiza desde semana passada, não sei onde está o pacote.',
		'Por que o rastreio não atualiza? Está "em trânsito" faz {n} dias.',
		'Pedido {o}: rastreio não atualiza de jeito nenhum.'
	],
	es: [
		'El seguimiento no se actualiza hace {n} días.',
		'Mi seguimiento no se actualiza desde la semana pasada.',
		'¿Por qué el seguimiento no se actualiza? Sigue "en tránsito".'
	]
};

/** Negative themes; the first is the rising one, the last (generic) absorbs its rise. */
const NEGATIVE_THEMES: readonly ThemeDef[] = [
	{ theme: RISING_THEME.theme, weight: RISING_THEME.baseShare, text: TRACKING_TEXT },
	{
		theme: 'slow_response',
		weight: 0.12,
		text: {
			en: ['It took {n} days to get an answer.', 'Waited forever for a reply, way too slow.', 'Nobody answered my emails for {n} days.'],
			pt: ['Demorou {n} dias para me responderem.', 'Atendimento muito lento, esperei demais.', 'Ninguém respondeu meus e-mails por {n} dias.'],
			es: ['Tardaron {n} días en responder.', 'Esperé muchísimo una respuesta, muy lento.']
		}
	},
	{
		theme: 'refund_delay',
		weight: 0.12,
		text: {
			en: ['Still waiting for my refund after {n} days.', 'Refund approved, but the money never arrived.', 'Where is my refund? It has been {n} days.'],
			pt: ['Ainda estou esperando o reembolso, já são {n} dias.', 'Reembolso aprovado, mas o dinheiro não caiu.', 'Cadê meu estorno? Já faz {n} dias.'],
			es: ['Sigo esperando mi reembolso después de {n} días.', 'Aprobaron el reembolso, pero el dinero no llegó.']
		}
	},
	{
		theme: 'return_label',
		weight: 0.08,
		text: {
			en: ['Could not print the return label, the link is broken.', 'Return label never arrived by email.', 'The return label expired before I could use it.'],
			pt: ['Não consegui imprimir a etiqueta de devolução, o link não abre.', 'A etiqueta de devolução nunca chegou no e-mail.'],
			es: ['No pude imprimir la etiqueta de devolución.', 'La etiqueta de devolución nunca llegó.']
		}
	},
	{
		theme: 'damaged_packaging',
		weight: 0.08,
		text: {
			en: ['The packaging was terrible, the box was crushed.', 'Item came in a torn envelope, no protection at all.'],
			pt: ['Embalagem péssima, a caixa veio amassada.', 'Veio num envelope rasgado, sem proteção nenhuma.'],
			es: ['El embalaje era malísimo, la caja llegó aplastada.']
		}
	},
	{
		theme: 'size_chart',
		weight: 0.06,
		text: {
			en: ['The size chart is wrong, everything runs small.', 'Ordered my usual size, way too big. Size guide is useless.'],
			pt: ['A tabela de medidas está errada, veio pequeno.', 'Pedi meu tamanho de sempre e veio enorme.'],
			es: ['La guía de tallas está mal, todo viene pequeño.']
		}
	},
	{
		theme: 'customs_fees',
		weight: 0.06,
		text: {
			en: ['Unexpected customs fees on delivery, nobody warned me.', 'I had to pay import taxes that were not shown at checkout.'],
			pt: ['Taxa de importação inesperada, ninguém avisou.', 'Tive que pagar imposto na entrega, não aparecia no site.'],
			es: ['Cobro inesperado de aduana al recibir el paquete.']
		}
	},
	{
		theme: 'rude_agent',
		weight: 0.06,
		text: {
			en: ['The agent was rude and closed my ticket.', 'Agent was dismissive, did not read my message.'],
			pt: ['O atendente foi grosseiro e fechou meu chamado.', 'Atendente nem leu minha mensagem.'],
			es: ['El agente fue grosero y cerró mi caso.']
		}
	},
	{
		theme: 'repeat_explanation',
		weight: 0.08,
		text: {
			en: ['I had to explain my problem again to every agent.', 'Each reply came from someone new, I repeated everything {n} times.'],
			pt: ['Tive que explicar tudo de novo para cada atendente.', 'Cada resposta era de uma pessoa diferente, repeti tudo {n} vezes.'],
			es: ['Tuve que explicar todo otra vez a cada agente.']
		}
	},
	{
		theme: 'checkout_error',
		weight: 0.05,
		text: {
			en: ['The app crashed at checkout and charged me anyway.', 'Payment failed at checkout {n} times.'],
			pt: ['O aplicativo travou no pagamento e cobrou mesmo assim.', 'O pagamento falhou {n} vezes no checkout.'],
			es: ['La app se colgó al pagar y me cobró igual.']
		}
	},
	{
		theme: 'generic_negative',
		weight: 1 - RISING_THEME.baseShare - (0.12 + 0.12 + 0.08 + 0.08 + 0.06 + 0.06 + 0.06 + 0.08 + 0.05),
		text: {
			en: ['Not happy with the service.', 'Very disappointing experience.', 'Bad service, will not buy again.', 'Problem still not solved.'],
			pt: ['Péssimo atendimento.', 'Experiência muito decepcionante.', 'Não resolveram meu problema.', 'Não compro mais aqui.'],
			es: ['Muy mal servicio.', 'Experiencia muy decepcionante.', 'No resolvieron mi problema.']
		}
	}
];

const POSITIVE_THEMES: readonly ThemeDef[] = [
	{
		theme: 'fast_resolution',
		weight: 0.3,
		text: {
			en: ['Quick and easy, solved in minutes.', 'Fast answer, problem solved.', 'Resolved the same day, great.'],
			pt: ['Resolveram rápido, muito bom.', 'Atendimento rápido e eficiente.', 'Resolvido no mesmo dia, ótimo.'],
			es: ['Rápido y fácil, resuelto en minutos.', 'Respuesta rápida, problema resuelto.']
		}
	},
	{
		theme: 'helpful_agent',
		weight: 0.3,
		text: {
			en: ['The agent was very helpful and kind.', 'Friendly agent, explained everything clearly.'],
			pt: ['A atendente foi muito atenciosa.', 'Atendente educado, explicou tudo direitinho.'],
			es: ['El agente fue muy amable y útil.']
		}
	},
	{
		theme: 'easy_return',
		weight: 0.15,
		text: {
			en: ['Return was easy, refund came fast.', 'Simple return process, thanks.'],
			pt: ['Devolução fácil, o reembolso caiu rápido.', 'Processo de troca simples, obrigado.'],
			es: ['La devolución fue fácil.']
		}
	},
	{
		theme: 'generic_positive',
		weight: 0.25,
		text: {
			en: ['Great service, thanks!', 'All good.', 'Very satisfied.'],
			pt: ['Ótimo atendimento, obrigado!', 'Tudo certo.', 'Muito satisfeito.'],
			es: ['¡Excelente servicio, gracias!', 'Todo bien.']
		}
	}
];

const SUGGESTION_THEMES: readonly ThemeDef[] = [
	{
		theme: 'chat_hours',
		weight: 0.25,
		text: {
			en: ['Please offer live chat 24/7, not only during office hours.', 'Chat support on weekends would help a lot.'],
			pt: ['Coloquem chat 24 horas, por favor.', 'Seria ótimo ter chat no fim de semana.'],
			es: ['Pongan chat 24 horas, por favor.']
		}
	},
	{
		theme: 'local_language',
		weight: 0.2,
		text: {
			en: ['It would be great to have support in more languages.'],
			pt: ['Poderiam ter atendimento em português por telefone.', 'Falta suporte em português no aplicativo.'],
			es: ['Sería bueno tener soporte en español por teléfono.']
		}
	},
	{
		theme: 'delivery_options',
		weight: 0.25,
		text: {
			en: ['Add pickup points, I am never home for deliveries.', 'Let me choose a delivery time window.'],
			pt: ['Adicionem retirada em loja ou armário.', 'Deixem escolher o horário da entrega.'],
			es: ['Agreguen puntos de retiro.']
		}
	},
	{
		theme: 'order_edit',
		weight: 0.3,
		text: {
			en: ['Let me change the address after ordering, without calling support.', 'An option to edit an order in the first hour would be nice.'],
			pt: ['Deixem mudar o endereço depois da compra pelo app.', 'Seria bom poder editar o pedido na primeira hora.'],
			es: ['Permitan cambiar la dirección después de comprar.']
		}
	}
];

const NEG_WEIGHTS = NEGATIVE_THEMES.map((t) => t.weight);
const NEG_CUM_BASE = cumulative(NEG_WEIGHTS);
/** The rising theme's share multiplied, the surplus taken from the generic theme (last). */
const NEG_CUM_RISEN = cumulative(
	NEG_WEIGHTS.map((w, i) =>
		i === 0
			? w * RISING_THEME.multiplier
			: i === NEG_WEIGHTS.length - 1
				? w - NEG_WEIGHTS[0] * (RISING_THEME.multiplier - 1)
				: w
	)
);
/** Positive themes; "easy return" only follows cases where goods went back. */
const POS_CUM_RETURNS = cumulative(POSITIVE_THEMES.map((t) => t.weight));
const POS_CUM = cumulative(POSITIVE_THEMES.map((t) => (t.theme === 'easy_return' ? 0 : t.weight)));
const SUG_CUM = cumulative(SUGGESTION_THEMES.map((t) => t.weight));

const OPENERS: Record<Lang, readonly string[]> = {
	en: ['Hi, ', 'Hello, ', 'Honestly, ', 'Well, ', 'To be fair, '],
	pt: ['Oi, ', 'Olá, ', 'Sinceramente, ', 'Bom, ', 'Gente, '],
	es: ['Hola, ', 'Buenas, ', 'Sinceramente, ', 'Bueno, ']
};
const NEG_CLOSERS: Record<Lang, readonly string[]> = {
	en: ['Please fix this.', 'Not happy at all.', 'Very frustrating, to be honest.', 'Expected better.'],
	pt: ['Por favor, resolvam isso.', 'Muito chateado.', 'Que decepção, sinceramente.', 'Esperava mais.'],
	es: ['Por favor, arréglenlo.', 'Muy molesto.', 'Esperaba más.']
};
const POS_CLOSERS: Record<Lang, readonly string[]> = {
	en: ['Thanks!', 'Keep it up.', 'Will buy again.'],
	pt: ['Obrigado!', 'Parabéns pelo atendimento.', 'Vou comprar de novo.'],
	es: ['¡Gracias!', 'Volveré a comprar.']
};
const QUOTES: Record<Lang, readonly string[]> = {
	en: ['The agent said "wait 48 hours", twice.', 'I was told "this is the carrier\'s problem".', 'Your email said "refund processed" but nothing came.'],
	pt: ['O atendente disse "aguarde 48 horas", duas vezes.', 'Me falaram "o problema é da transportadora".', 'O e-mail dizia "reembolso processado" e nada.'],
	es: ['El agente dijo "espere 48 horas", dos veces.', 'Me dijeron "es problema del transportista".']
};
const CONTACT_EMAIL: Record<Lang, readonly string[]> = {
	en: ['You can reach me at {e}.', 'Email me at {e}, please.', 'Contact: {e}'],
	pt: ['Meu e-mail é {e}.', 'Podem me escrever em {e}.', 'Contato: {e}'],
	es: ['Mi correo es {e}.', 'Escríbanme a {e}.']
};
const CONTACT_PHONE: Record<Lang, readonly string[]> = {
	en: ['Call me on {t}.', 'My phone number is {t}.', 'Phone: {t}'],
	pt: ['Meu telefone é {t}.', 'Me liguem no {t}.', 'WhatsApp: {t}'],
	es: ['Mi teléfono es {t}.', 'Llámenme al {t}.']
};
const FIRST_NAMES: Record<Lang, readonly string[]> = {
	en: ['john', 'emma', 'liam', 'olivia', 'noah', 'ava', 'raj', 'yuki', 'chloe', 'aisha'],
	pt: ['joao', 'maria', 'ana', 'pedro', 'lucas', 'julia', 'rafael', 'beatriz'],
	es: ['carlos', 'sofia', 'diego', 'valentina', 'mateo', 'lucia']
};
const LAST_NAMES: Record<Lang, readonly string[]> = {
	en: ['smith', 'brown', 'patel', 'tanaka', 'wilson', 'khan', 'lee'],
	pt: ['silva', 'santos', 'oliveira', 'souza', 'costa', 'pereira'],
	es: ['garcia', 'lopez', 'martinez', 'rodriguez', 'fernandez']
};
const MAIL_DOMAINS = ['example.com', 'mail.example.org', 'example.net'];

// ---------------------------------------------------------------------------------------------
// Fast formatting
// ---------------------------------------------------------------------------------------------

const P2: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
const ZEROS = '000000000000';
function pad(n: number, width: number): string {
	const s = String(n);
	return s.length >= width ? s : ZEROS.slice(0, width - s.length) + s;
}

/** `YYYY-MM-DD` of a day number since 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilDate(day: number): string {
	const z = day + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const m = mp < 10 ? mp + 3 : mp - 9;
	const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
	return pad(y, 4) + '-' + P2[m] + '-' + P2[d];
}

/** Date bytes (`YYYY-MM-DD`) for a range of day numbers, computed once. */
class DayTable {
	readonly bytes: Uint8Array;

	constructor(
		readonly first: number,
		readonly count: number
	) {
		this.bytes = new Uint8Array(count * 10);
		for (let d = 0; d < count; d++) {
			const s = civilDate(first + d);
			for (let j = 0; j < 10; j++) this.bytes[d * 10 + j] = s.charCodeAt(j);
		}
	}
}

/** USD -> minor units of a currency (whole-unit currencies rounded to whole units). */
function toMinor(usd: number, rate: number, whole: boolean): number {
	return whole ? Math.round(usd * rate) * 100 : Math.round(usd * rate * 100);
}

const NEEDS_QUOTES = /[",\n\r]/;
/** RFC 4180 field: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvField(s: string): string {
	return NEEDS_QUOTES.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// ---------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------

const DAY = 86400;
const COMMA = 44;
const NEWLINE = 10;
const DEFAULT_DELIVERED_DAYS: [number, number] = [5, 1];
/** Cases generated between backpressure checks. */
const CHUNK_ROWS = 4096;
const SINK_BUFFER = 1 << 20;
const SINK_HIGH_WATER = 8 << 20;
/** Customers whose account is younger than this are the "new account" pool. */
const NEW_DAYS = NEW_ACCOUNT_DENIALS.maxTenureDays;
/** Share of cases from accounts younger than NEW_DAYS (they contact support more often). */
const NEW_CUSTOMER_SHARE = 0.22;
/** Customer-since dates reach this many years before the case span. */
const CUSTOMER_HISTORY_YEARS = 5;
const REPEAT_CONTACT_SHARE = 0.06;
const SURVEY_RESPONSE_RATE = 0.56;
const COMPLAINT_RATE = 0.035;
const UNLINKED_COMPLAINT_RATE = 0.01;
const SUGGESTION_RATE = 0.012;
const PII_RATE = 0.06;

function defaultEnd(): Date {
	const now = new Date();
	return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

function validate(opts: DemoOptions): { cases: number; seed: number; endSec: number; days: number } {
	const { cases, seed } = opts;
	if (!Number.isSafeInteger(cases) || cases < 0) throw new RangeError(`cases must be a non-negative integer, got ${cases}`);
	if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
	const days = opts.days ?? 365;
	if (!Number.isSafeInteger(days) || days < 1 || days > 3650) throw new RangeError(`days must be an integer from 1 to 3650, got ${days}`);
	const end = opts.end ?? defaultEnd();
	const endMs = end.getTime();
	if (!Number.isFinite(endMs)) throw new RangeError('end must be a valid date');
	return { cases, seed: Math.trunc(seed) | 0, endSec: Math.floor(endMs / 1000), days };
}

/** Upper bound of the bytes of a row without its free-text field. */
const ROW_RESERVE = 512;

/**
 * Writes CSV bytes straight into fixed-size buffers and hands full buffers to the file stream.
 * Structured fields (ids, timestamps, numbers, enumerations) are written byte by byte, without
 * building strings: building each row as a string and encoding it cost about three times as much
 * (garbage, rope flattening, UTF-8 encoding). Only free text goes through `Buffer.write`.
 * Memory is bounded by the stream's high-water mark plus one buffer.
 */
class CsvSink {
	private buf: Buffer;
	private off = 0;
	private error: unknown = null;
	private readonly stream: WriteStream;

	constructor(
		path: string,
		private readonly days: DayTable
	) {
		this.stream = createWriteStream(path, { highWaterMark: SINK_HIGH_WATER });
		this.stream.on('error', (e) => (this.error ??= e));
		this.buf = Buffer.allocUnsafe(SINK_BUFFER);
	}

	/** Makes room for `n` bytes; call before each row with ROW_RESERVE. */
	reserve(n: number): void {
		if (this.off + n > this.buf.length) {
			this.flush();
			if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
		}
	}

	byte(c: number): void {
		this.buf[this.off++] = c;
	}

	/** A string known to be ASCII without CSV-special characters. */
	ascii(s: string): void {
		const b = this.buf;
		let o = this.off;
		for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
		this.off = o;
	}

	/** A non-negative integer. */
	uint(n: number): void {
		const b = this.buf;
		let len = 1;
		for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
		let p = this.off + len;
		this.off = p;
		do {
			const q = Math.floor(n / 10);
			b[--p] = 48 + n - q * 10;
			n = q;
		} while (n > 0);
	}

	/** A non-negative integer, zero-padded to `width` digits. */
	padded(n: number, width: number): void {
		const b = this.buf;
		let len = 1;
		for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
		let o = this.off;
		for (let i = len; i < width; i++) b[o++] = 48;
		this.off = o;
		this.uint(n);
	}

	private two(n: number): void {
		const q = (n / 10) | 0;
		this.buf[this.off++] = 48 + q;
		this.buf[this.off++] = 48 + n - q * 10;
	}

	/** `YYYY-MM-DD` of a day number since the epoch. */
	date(day: number): void {
		const i = day - this.days.first;
		if (i < 0 || i >= this.days.count) {
			this.ascii(civilDate(day));
			return;
		}
		const src = this.days.bytes;
		const b = this.buf;
		let o = this.off;
		for (let j = i * 10, e = j + 10; j < e; j++) b[o++] = src[j];
		this.off = o;
	}

	/** `YYYY-MM-DD HH:MM:SS` of whole epoch seconds (UTC). */
	ts(sec: number): void {
		const day = Math.floor(sec / 86400);
		this.date(day);
		let r = sec - day * 86400;
		const h = (r / 3600) | 0;
		r -= h * 3600;
		const m = (r / 60) | 0;
		this.buf[this.off++] = 32;
		this.two(h);
		this.buf[this.off++] = 58;
		this.two(m);
		this.buf[this.off++] = 58;
		this.two(r - m * 60);
	}

	/** An amount in minor units; whole-unit currencies get no decimals. */
	money(minor: number, whole: boolean): void {
		const units = Math.floor(minor / 100);
		this.uint(units);
		if (whole) return;
		this.buf[this.off++] = 46;
		this.two(minor - units * 100);
	}

	/** Free text as an RFC 4180 field, UTF-8 encoded. May flush mid-row, which is harmless. */
	text(s: string): void {
		if (s.length === 0) return;
		const field = csvField(s);
		this.reserve(field.length * 3 + 1);
		this.off += this.buf.write(field, this.off);
	}

	private flush(): void {
		if (this.off === 0) return;
		this.stream.write(this.buf.subarray(0, this.off));
		this.buf = Buffer.allocUnsafe(SINK_BUFFER);
		this.off = 0;
	}

	/** Writes out what is buffered and waits while the stream is over its high-water mark. */
	async drain(): Promise<void> {
		this.flush();
		if (this.error) throw this.error;
		if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
	}

	async close(): Promise<void> {
		this.flush();
		this.stream.end();
		await finished(this.stream).catch((e: unknown) => (this.error ??= e));
		if (this.error) throw this.error;
	}

	destroy(): void {
		this.stream.destroy();
	}
}

/**
 * Writes `dir/demo-cases.csv` and `dir/demo-feedback.csv` (creating `dir`), and with `messages`
 * `dir/demo-messages.csv`. Streams in chunks with backpressure, so memory stays bounded whatever
 * `opts.cases` is.
 */
export async function writeDemoFiles(
	dir: string,
	opts: DemoOptions,
	onProgress?: (done: number, total: number) => void
): Promise<DemoResult> {
	const { cases: n, seed, endSec, days } = validate(opts);
	const planted = !opts.nullMode;

	const rng = new Rng(seed);
	const seedHash = hash32(seed ^ 0x5bd1e995);

	// --- time layout: cases spread over `days` days before end, weekends quieter, mild growth.
	const startSec = endSec - days * DAY;
	const dayCum = new Float64Array(days);
	{
		let acc = 0;
		for (let d = 0; d < days; d++) {
			const dow = (Math.floor((startSec + d * DAY) / DAY) + 4) % 7; // 0 = Sunday
			acc += (dow === 0 ? 0.65 : dow === 6 ? 0.75 : 1) * (1 + (0.2 * d) / days);
			dayCum[d] = acc;
		}
		for (let d = 0; d < days; d++) dayCum[d] /= acc;
	}
	const endDay = Math.floor((endSec - 1) / DAY);
	const riseFrom = endSec - RISING_THEME.windowDays * DAY;

	// --- customers: index k signed up on sinceDay(k), uniformly over ~6 years up to the end.
	const nCustomers = Math.max(50, Math.round(n * 0.4));
	const custFirstDay = Math.floor(startSec / DAY) - CUSTOMER_HISTORY_YEARS * 365;
	const custSpan = endDay - custFirstDay + 1;
	const sinceDay = (k: number): number => custFirstDay + Math.floor((k * custSpan) / nCustomers);
	/** Number of customers whose account exists on day d (customer_since <= d). */
	const customersBy = (d: number): number => {
		const v = Math.ceil(((d - custFirstDay + 1) * nCustomers) / custSpan);
		return v < 0 ? 0 : v > nCustomers ? nCustomers : v;
	};
	const custWidth = Math.max(7, String(nCustomers).length);
	const customerCountry = (k: number): number => pickIndex(COUNTRY_CUM, hashUnit(seedHash, k));
	const customerLang = (k: number, country: number): Lang =>
		hashUnit(seedHash ^ 0x27d4eb2d, k) < COUNTRY_LANG_SHARE[country] ? COUNTRY_LANG[country] : 'en';

	// --- agents: fixed ids and teams; per-seed workload weights.
	const agentCum = cumulative(AGENT_IDS.map(() => 0.6 + 0.8 * rng.next()));

	// --- orders: bijective scramble of a counter into 9-digit numbers (ids `ORD-<number>`).
	const orderOffset = hash32(seed ^ 0x1b873593) % 900000000;
	let orderCounter = 0;
	const orderNumber = (o: number): number => 100000000 + ((o * 7919 + orderOffset) % 900000000);

	// --- ring of recent order cases, for repeat contacts about the same order.
	const ringSize = Math.min(65536, Math.max(16, Math.ceil((n * 3) / days)));
	const ringCust = new Int32Array(ringSize);
	const ringOrder = new Float64Array(ringSize);
	const ringCreated = new Float64Array(ringSize).fill(-Infinity);
	const ringCat = new Int16Array(ringSize);
	const ringValue = new Float64Array(ringSize);
	const ringDelivered = new Float64Array(ringSize);
	let ringNext = 0;

	const caseWidth = Math.max(8, String(n).length);
	let feedbackCount = 0;

	// --- text helpers (all draws come from the one stream, in a fixed order)
	const fill = (tpl: string, lang: Lang, order: number): string => {
		if (tpl.indexOf('{') < 0) return tpl;
		if (tpl.indexOf('{p}') >= 0) tpl = tpl.replace('{p}', rng.pick(PRODUCTS[lang]));
		if (tpl.indexOf('{o}') >= 0) tpl = tpl.replace('{o}', order > 0 ? 'ORD-' + orderNumber(order) : '#' + (1000 + rng.int(9000)));
		if (tpl.indexOf('{n}') >= 0) tpl = tpl.replace('{n}', String(2 + rng.int(12)));
		return tpl;
	};
	const subjectFor = (cat: number, lang: Lang, order: number): string => {
		let s = fill(rng.pick(SUBJECTS[CAT_DEFS[cat].name][lang]), lang, order);
		const u = rng.next();
		if (u < 0.1) s = rng.pick(SUBJECT_PREFIX[lang]) + s;
		else if (u < 0.13) s = s.toUpperCase();
		else if (u < 0.16) s = s.toLowerCase();
		return s;
	};
	const digits = (k: number): string => {
		let s = '';
		for (let i = 0; i < k; i++) s += String(rng.int(10));
		return s;
	};
	const contactLine = (lang: Lang): string => {
		if (rng.chance(0.5)) {
			const e =
				rng.pick(FIRST_NAMES[lang]) +
				'.' +
				rng.pick(LAST_NAMES[lang]) +
				(rng.chance(0.5) ? String(rng.int(100)) : '') +
				'@' +
				rng.pick(MAIL_DOMAINS);
			return rng.pick(CONTACT_EMAIL[lang]).replace('{e}', e);
		}
		const t =
			lang === 'pt'
				? '+55 ' + (11 + rng.int(80)) + ' 9' + digits(4) + '-' + digits(4)
				: lang === 'es'
					? '+52 55 ' + digits(4) + ' ' + digits(4)
					: rng.chance(0.5)
						? '+1 (' + (200 + rng.int(700)) + ') 555-' + digits(4)
						: '+44 7700 ' + digits(6);
		return rng.pick(CONTACT_PHONE[lang]).replace('{t}', t);
	};
	/** A comment in `lang` on a theme drawn from `themes` under `cum`. */
	const comment = (themes: readonly ThemeDef[], cum: Cumulative, lang: Lang, order: number, negative: boolean): string => {
		const theme = themes[rng.weighted(cum)];
		let s = fill(rng.pick(theme.text[lang]), lang, order);
		if (rng.chance(0.3)) s = rng.pick(OPENERS[lang]) + s.charAt(0).toLowerCase() + s.slice(1);
		const sep = rng.chance(0.06) ? '\n' : ' ';
		if (negative && rng.chance(0.08)) s += sep + rng.pick(QUOTES[lang]);
		if (rng.chance(0.3)) s += sep + rng.pick(negative ? NEG_CLOSERS[lang] : POS_CLOSERS[lang]);
		if (rng.chance(PII_RATE)) s += (rng.chance(0.3) ? '\n' : ' ') + contactLine(lang);
		return s;
	};
	const negCumAt = (sec: number): Cumulative => (planted && sec >= riseFrom ? NEG_CUM_RISEN : NEG_CUM_BASE);

	await mkdir(dir, { recursive: true });
	const casesPath = join(dir, DEMO_CASES_FILE);
	const feedbackPath = join(dir, DEMO_FEEDBACK_FILE);
	const dayTable = new DayTable(custFirstDay - 1, Math.floor(endSec / DAY) - custFirstDay + 3);
	const caseOut = new CsvSink(casesPath, dayTable);
	const fbOut = new CsvSink(feedbackPath, dayTable);
	const messagesPath = opts.messages ? join(dir, DEMO_MESSAGES_FILE) : undefined;
	const msgOut = messagesPath ? new CsvSink(messagesPath, dayTable) : undefined;
	const threads = msgOut ? new DemoThreadWriter(msgOut, seed, endSec, planted ? riseFrom : null) : undefined;

	/** Feedback row start: id, case id (or empty), submitted_at, kind. */
	const feedbackHead = (caseNo: number, sec: number, kind: string): void => {
		fbOut.reserve(ROW_RESERVE);
		fbOut.ascii('fb-');
		fbOut.padded(++feedbackCount, caseWidth);
		fbOut.byte(COMMA);
		if (caseNo > 0) {
			fbOut.ascii('case-');
			fbOut.padded(caseNo, caseWidth);
		}
		fbOut.byte(COMMA);
		fbOut.ts(sec);
		fbOut.byte(COMMA);
		fbOut.ascii(kind);
		fbOut.byte(COMMA);
	};
	/** Feedback row end after csat: comment, region, customer_id. */
	const feedbackTail = (text: string, region: number, k: number): void => {
		fbOut.byte(COMMA);
		fbOut.text(text);
		fbOut.reserve(ROW_RESERVE);
		fbOut.byte(COMMA);
		if (region >= 0) fbOut.ascii(DEMO_REGIONS[region]);
		fbOut.byte(COMMA);
		if (k >= 0) {
			fbOut.ascii('cust-');
			fbOut.padded(k + 1, custWidth);
		}
		fbOut.byte(NEWLINE);
	};
	/** Complaint or suggestion without a case: from a customer who existed then, or anonymous. */
	const unlinked = (kind: 'complaint' | 'suggestion', sec: number): void => {
		const avail = customersBy(Math.floor(sec / DAY));
		let k = -1;
		let region = -1;
		let lang: Lang = 'en';
		if (avail > 0 && rng.chance(0.8)) {
			k = rng.int(avail);
			const c = customerCountry(k);
			region = COUNTRY_REGION[c];
			lang = customerLang(k, c);
		} else {
			lang = rng.chance(0.2) ? 'pt' : rng.chance(0.15) ? 'es' : 'en';
		}
		const text =
			kind === 'complaint'
				? comment(NEGATIVE_THEMES, negCumAt(sec), lang, 0, true)
				: comment(SUGGESTION_THEMES, SUG_CUM, lang, 0, false);
		feedbackHead(0, sec, kind);
		feedbackTail(text, region, k);
	};

	caseOut.reserve(ROW_RESERVE);
	caseOut.ascii(DEMO_CASE_COLUMNS.join(',') + '\n');
	fbOut.reserve(ROW_RESERVE);
	fbOut.ascii(DEMO_FEEDBACK_COLUMNS.join(',') + '\n');
	let dayPtr = 0;
	const slowRegion = DEMO_REGIONS.indexOf(SLOW_REGION.region);
	const frtFactor = planted ? SLOW_REGION.firstResponseMultiplier : 1;
	const returnWindowSec = DEMO_POLICY.returnWindowDays * DAY;

	try {
		for (let i = 0; i < n; i++) {
			const caseNo = i + 1;
			// ---- when
			const target = (i + 0.5) / n;
			while (dayPtr < days - 1 && dayCum[dayPtr] < target) dayPtr++;
			const hour = rng.weighted(HOUR_CUM);
			const created = startSec + dayPtr * DAY + hour * 3600 + rng.int(3600);
			const createdDay = Math.floor(created / DAY);

			// ---- who and what: either a repeat contact about a recent order, or a fresh case
			let k = -1;
			let cat = -1;
			let order = 0;
			let valueUsd = 0;
			let delivered = -1;
			if (rng.chance(REPEAT_CONTACT_SHARE)) {
				const slot = rng.int(ringSize);
				const gap = created - ringCreated[slot];
				if (gap >= 3600 && gap <= 5 * DAY) {
					k = ringCust[slot];
					cat = ringCat[slot];
					order = ringOrder[slot];
					valueUsd = ringValue[slot];
					delivered = ringDelivered[slot];
				}
			}
			const repeat = k >= 0;
			if (!repeat) {
				const oldPool = customersBy(createdDay - NEW_DAYS);
				const allPool = customersBy(createdDay);
				const wantNew = rng.chance(NEW_CUSTOMER_SHARE);
				const u = rng.next();
				if ((wantNew && allPool > oldPool) || oldPool === 0) k = oldPool + Math.floor(u * (allPool - oldPool));
				else k = Math.floor(u * oldPool);
				cat = rng.weighted(CAT_CUM);
			}
			const def = CAT_DEFS[cat];
			const country = customerCountry(k);
			const region = COUNTRY_REGION[country];
			const cur = COUNTRY_CUR[country];
			const lang = customerLang(k, country);
			const custSinceDay = sinceDay(k);
			const custSinceSec = custSinceDay * DAY;
			const tenureDays = createdDay - custSinceDay;

			if (!repeat && def.stage > 0) {
				order = ++orderCounter;
				valueUsd = Math.max(3, rng.lognormal(60, 1));
				if (def.delivery === 'after') {
					const at = created + Math.round(rng.lognormal(3, 0.6) * DAY);
					delivered = at <= endSec ? at : -1;
				} else {
					const dd = def.deliveredDays ?? DEFAULT_DELIVERED_DAYS;
					let at = created - Math.round(Math.min(180, rng.lognormal(dd[0], dd[1])) * DAY) - rng.int(DAY);
					// An order cannot be delivered before the account existed.
					if (at < custSinceSec + 1800) at = Math.min(custSinceSec + 1800, created - 600);
					delivered = at;
				}
			}

			// ---- handling
			const channel = rng.weighted(CHANNEL_CUM);
			const agent = rng.weighted(agentCum);
			const team = AGENT_TEAM[agent];
			const rootCause = rng.weighted(CAT_ROOT_CUM[cat]);

			// Outcome (decided even when the case is still open, then withheld).
			let table = CAT_OUTCOMES[cat];
			if (cat === C_RETURN && delivered >= 0 && created - delivered > returnWindowSec) table = RETURN_OUT_OF_WINDOW;
			if (planted && cat === C_INCONSISTENT && team === HARBOR_TEAM) table = INCONSISTENT_OUTCOMES;
			let outcome = rng.weighted(table.cum);
			const liftDraw = rng.next();
			const lifted = planted && CLAIM_CATEGORY[cat] && tenureDays < NEW_DAYS && outcome !== O_DENIED && liftDraw < table.denyLift;
			if (lifted) outcome = O_DENIED;

			const escalated = outcome === O_ESCALATED || rng.chance(def.escalation);
			const reopenDraw = rng.next();
			const reopens = reopenDraw < (outcome === O_DENIED ? 0.8 : 0.9) ? 0 : reopenDraw < 0.97 ? 1 : reopenDraw < 0.993 ? 2 : 3;

			// First response and resolution.
			let frt = Math.max(5, Math.round(rng.lognormal(FRT_MEDIAN_MIN[channel] * 60, FRT_SIGMA[channel])));
			if (region === slowRegion) frt = Math.round(frt * frtFactor);
			const noReply = outcome === O_WITHDRAWN && rng.chance(0.3);
			const handle = Math.round(rng.lognormal(def.handleHours * 3600, 0.9) * (escalated ? 1.6 : 1) * (1 + 0.5 * reopens));
			const firstResponse = noReply ? -1 : created + frt;
			let resolved = (noReply ? created : firstResponse) + 60 + handle;
			if (CLAIM_CATEGORY[cat] && rng.chance(POLICY_VIOLATIONS.staleClaim)) resolved = Infinity;
			const isResolved = resolved <= endSec;
			const statusDraw = rng.next();
			let status: string;
			if (isResolved) status = endSec - resolved > 4 * DAY && statusDraw < 0.85 ? 'closed' : 'solved';
			else status = firstResponse >= 0 && firstResponse <= endSec && statusDraw < 0.5 ? 'pending' : 'open';

			// Money.
			const rate = CURRENCY_RATE[cur];
			const whole = CURRENCY_WHOLE[cur];
			const valueMinor = order > 0 ? toMinor(valueUsd, rate, whole) : 0;
			const refundKind = CAT_REFUND[cat][outcome];
			const partialShare = rng.range(0.2, 0.7);
			const refundDelay = rng.chance(POLICY_VIOLATIONS.lateRefund)
				? rng.range(POLICY_VIOLATIONS.lateRefundDays[0], POLICY_VIOLATIONS.lateRefundDays[1])
				: rng.range(POLICY_VIOLATIONS.normalRefundDays[0], POLICY_VIOLATIONS.normalRefundDays[1]);
			const feeCharged = rng.chance(POLICY_VIOLATIONS.returnShippingFee);
			const feeUsd = rng.range(POLICY_VIOLATIONS.returnShippingFeeUsd[0], POLICY_VIOLATIONS.returnShippingFeeUsd[1]);
			const subject = subjectFor(cat, lang, order);

			// ---- the case row
			const o = caseOut;
			o.reserve(ROW_RESERVE);
			o.ascii('case-');
			o.padded(caseNo, caseWidth);
			o.byte(COMMA);
			o.ts(created);
			o.byte(COMMA);
			if (firstResponse >= 0 && firstResponse <= endSec) o.ts(firstResponse);
			o.byte(COMMA);
			if (isResolved) o.ts(resolved);
			o.byte(COMMA);
			o.ascii(status);
			o.byte(COMMA);
			o.ascii(DEMO_REGIONS[region]);
			o.byte(COMMA);
			o.ascii(COUNTRY_CODE[country]);
			o.byte(COMMA);
			o.ascii(DEMO_CHANNELS[channel]);
			o.byte(COMMA);
			o.ascii(DEMO_STAGES[def.stage]);
			o.byte(COMMA);
			o.ascii(def.name);
			o.byte(COMMA);
			o.ascii(ROOT_CAUSES[rootCause]);
			o.byte(COMMA);
			o.ascii(AGENT_IDS[agent]);
			o.byte(COMMA);
			o.ascii(DEMO_TEAMS[team]);
			o.byte(COMMA);
			o.ascii('cust-');
			o.padded(k + 1, custWidth);
			o.byte(COMMA);
			o.date(custSinceDay);
			o.byte(COMMA);
			if (order > 0) {
				o.ascii('ORD-');
				o.uint(orderNumber(order));
			}
			o.byte(COMMA);
			if (order > 0) o.money(valueMinor, whole);
			o.byte(COMMA);
			if (order > 0) o.ascii(CURRENCIES[cur]);
			o.byte(COMMA);
			if (delivered >= 0) o.ts(delivered);
			o.byte(COMMA);
			if (isResolved) o.ascii(OUTCOMES[outcome]);
			o.byte(COMMA);
			// refund_amount, refund_issued_at
			if (isResolved && order > 0 && refundKind > 0) {
				const minor =
					refundKind === 2
						? valueMinor
						: whole
							? Math.round((valueMinor * partialShare) / 100) * 100
							: Math.round(valueMinor * partialShare);
				o.money(minor, whole);
				o.byte(COMMA);
				const at = resolved + Math.round(refundDelay * DAY);
				if (at <= endSec) o.ts(at);
			} else o.byte(COMMA);
			o.byte(COMMA);
			// return_shipping_fee: recorded when goods go back; charged now and then (a violation).
			if (isResolved && order > 0 && CAT_RETURNS[cat][outcome]) o.money(feeCharged ? toMinor(feeUsd, rate, whole) : 0, whole);
			o.byte(COMMA);
			o.uint(isResolved ? reopens : 0);
			o.byte(COMMA);
			o.ascii(escalated ? 'true' : 'false');
			o.byte(COMMA);
			o.text(subject);
			o.byte(NEWLINE);
			threads?.write({
				caseId: 'case-' + pad(caseNo, caseWidth),
				created,
				firstResponse,
				resolved,
				lang,
				channel: DEMO_CHANNELS[channel],
				category: def.name,
				outcome: OUTCOMES[outcome],
				agentId: AGENT_IDS[agent],
				subject,
				escalated,
				inconsistentTeam: planted && cat === C_INCONSISTENT && team === HARBOR_TEAM,
				newAccountDenial: lifted
			});

			if (order > 0) {
				ringCust[ringNext] = k;
				ringOrder[ringNext] = order;
				ringCreated[ringNext] = created;
				ringCat[ringNext] = cat;
				ringValue[ringNext] = valueUsd;
				ringDelivered[ringNext] = delivered;
				ringNext = ringNext + 1 === ringSize ? 0 : ringNext + 1;
			}

			// ---- feedback
			if (isResolved && rng.chance(SURVEY_RESPONSE_RATE)) {
				const submitted = resolved + Math.round(rng.exponential(0.8 * DAY)) + 60;
				const resDays = (resolved - created) / DAY;
				const frtHours = firstResponse >= 0 ? frt / 3600 : 0;
				const latent =
					CSAT_BASE[outcome] - 0.35 * Math.log1p(resDays) - 0.12 * Math.log1p(frtHours) - 0.4 * reopens + 0.9 * rng.normal();
				const csat = latent < 1.5 ? 1 : latent < 2.5 ? 2 : latent < 3.5 ? 3 : latent < 4.5 ? 4 : 5;
				const wantComment = rng.chance(csat <= 2 ? 0.5 : 0.3);
				if (submitted <= endSec) {
					let text = '';
					if (wantComment) {
						const negative = csat <= 2 || (csat === 3 ? rng.chance(0.7) : rng.chance(0.08));
						text = negative
							? comment(NEGATIVE_THEMES, negCumAt(submitted), lang, order, true)
							: comment(POSITIVE_THEMES, CAT_HAS_RETURNS[cat] ? POS_CUM_RETURNS : POS_CUM, lang, order, false);
					}
					feedbackHead(caseNo, submitted, 'survey');
					fbOut.uint(csat);
					feedbackTail(text, region, k);
				}
			}
			if (rng.chance(COMPLAINT_RATE)) {
				const submitted = created + 600 + Math.round(rng.exponential(1.5 * DAY));
				if (submitted <= endSec) {
					const text = comment(NEGATIVE_THEMES, negCumAt(submitted), lang, order, true);
					feedbackHead(caseNo, submitted, 'complaint');
					feedbackTail(text, region, k);
				}
			}
			if (rng.chance(UNLINKED_COMPLAINT_RATE)) {
				const at = created + rng.int(2 * DAY);
				if (at <= endSec) unlinked('complaint', at);
			}
			if (rng.chance(SUGGESTION_RATE)) {
				const at = created + rng.int(3 * DAY);
				if (at <= endSec) {
					if (rng.chance(0.8)) unlinked('suggestion', at);
					else {
						const text = comment(SUGGESTION_THEMES, SUG_CUM, lang, order, false);
						feedbackHead(caseNo, at, 'suggestion');
						feedbackTail(text, region, k);
					}
				}
			}

			if (caseNo % CHUNK_ROWS === 0 || caseNo === n) {
				await caseOut.drain();
				await fbOut.drain();
				await msgOut?.drain();
				// Let the streams' finished writes call back, so disk I/O overlaps generation.
				await new Promise<void>((resolve) => setImmediate(resolve));
				onProgress?.(caseNo, n);
			}
		}
	} catch (e) {
		caseOut.destroy();
		fbOut.destroy();
		msgOut?.destroy();
		throw e;
	}

	await Promise.all([caseOut.close(), fbOut.close(), msgOut?.close()]);
	if (n === 0) onProgress?.(0, 0);
	return { casesPath, feedbackPath, cases: n, feedback: feedbackCount, ...(messagesPath && threads ? { messagesPath, messages: threads.count } : {}) };
}
