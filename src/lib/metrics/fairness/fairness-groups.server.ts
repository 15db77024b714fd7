import { sql, type RawBuilder } from 'kysely';
import defaultPolicy from '../../../../config/policy.json';
import { RETURN_DAYS } from '../compliance/compliance-rules.server';

/**
 * The groups the fairness and consistency pages compare, and the case mix they adjust for:
 * order-value and account-tenure bands (bounds in the policy), and the "case type" strata.
 * Shared with the drill-down (case-list.ts) so a band in a link means the same cases as on the page.
 */

import { FAVOURABLE_OUTCOMES } from './model';
export { FAVOURABLE_OUTCOMES } from './model';
export const FAVOURABLE_SQL = sql`(${sql.join(FAVOURABLE_OUTCOMES.map((o) => sql.lit(o)))})`;

/** A claim: a post-purchase case with an outcome. */
export const IS_CLAIM = sql<boolean>`(c.stage = 'post_purchase' AND c.outcome IS NOT NULL)`;

export interface FairnessSettings {
	min_group_size: number;
	/** Percentage points. */
	rate_threshold_pp: number;
	/** Relative: 0.2 = 20% longer or shorter. */
	time_threshold_ratio: number;
	/** Share of 4-5 answers, 0-1. */
	csat_threshold: number;
	/** Consistency: total variation distance a cell must exceed to be flagged. */
	tvd_threshold: number;
	order_value_bands: number[];
	tenure_band_days: number[];
	reporting_currency: string;
	return_window_days: number;
}

type Doc = Record<string, unknown>;

function lookup(doc: Doc | undefined, path: string[]): unknown {
	let v: unknown = doc;
	for (const key of path) v = v && typeof v === 'object' ? (v as Doc)[key] : undefined;
	return v;
}

/**
 * The fairness and consistency numbers from the policy in force. A key that an older stored
 * policy version does not have yet takes its value from config/policy.json (the published
 * defaults), so no number is written here.
 */
export function fairnessSettings(policy: Doc): FairnessSettings {
	const pick = (path: string[]): unknown => lookup(policy, path) ?? lookup(defaultPolicy as Doc, path);
	const num = (...path: string[]): number => {
		const v = pick(path);
		if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`The policy has no number "${path.join('.')}"; edit it under Admin → Policy.`);
		return v;
	};
	const list = (key: string): number[] => {
		const v = pick([key]);
		if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new Error(`The policy has no list of numbers "${key}"; edit it under Admin → Policy.`);
		return [...(v as number[])].sort((a, b) => a - b);
	};
	const currency = pick(['reporting_currency']);
	return {
		min_group_size: num('fairness', 'min_group_size'),
		rate_threshold_pp: num('fairness', 'rate_threshold_pp'),
		time_threshold_ratio: num('fairness', 'time_threshold_ratio'),
		csat_threshold: num('fairness', 'csat_threshold'),
		tvd_threshold: num('consistency', 'tvd_threshold'),
		order_value_bands: list('order_value_bands'),
		tenure_band_days: list('tenure_band_days'),
		reporting_currency: typeof currency === 'string' ? currency : 'USD',
		return_window_days: num('return_window_days')
	};
}

/** One band: [low, high) in days or reporting currency; high null = open-ended. */
export interface Band {
	key: string;
	label: string;
	low: number;
	high: number | null;
}

function days(d: number, short: boolean): string {
	if (d > 0 && d % 365 === 0) {
		const y = d / 365;
		return short ? `${y}y` : `${y} year${y === 1 ? '' : 's'}`;
	}
	return short ? `${d}d` : `${d} day${d === 1 ? '' : 's'}`;
}

function bands(bounds: readonly number[], key: (v: number) => string, label: (v: number) => string, unit: string, between = (a: number, b: number) => `${label(a)} to ${label(b)}`): Band[] {
	const b = [...new Set(bounds)].filter((x) => x > 0).sort((x, y) => x - y);
	if (b.length === 0) return [{ key: 'all', label: 'all', low: 0, high: null }];
	const out: Band[] = [{ key: `<${key(b[0])}`, label: `under ${label(b[0])}${unit}`, low: 0, high: b[0] }];
	for (let i = 1; i < b.length; i++) {
		out.push({ key: `${key(b[i - 1])}-${key(b[i])}`, label: `${between(b[i - 1], b[i])}${unit}`, low: b[i - 1], high: b[i] });
	}
	const last = b[b.length - 1];
	out.push({ key: `${key(last)}+`, label: `at least ${label(last)}${unit}`, low: last, high: null });
	return out;
}

/** Account-tenure bands from the policy's `tenure_band_days`, e.g. <90d, 90d-1y, 1y-3y, 3y+. */
export function tenureBands(boundsDays: readonly number[]): Band[] {
	// "1 to 3 years" rather than "1 year to 3 years".
	const between = (a: number, b: number) => (a % 365 === 0 && b % 365 === 0 ? `${a / 365} to ${days(b, false)}` : `${days(a, false)} to ${days(b, false)}`);
	return bands(boundsDays, (d) => days(d, true), (d) => days(d, false), '', between);
}

/** Order-value bands from the policy's `order_value_bands`, in the reporting currency. */
export function orderValueBands(bounds: readonly number[], currency: string): Band[] {
	const fmt = (v: number) => v.toLocaleString('en', { maximumFractionDigits: 2 });
	return bands(bounds, fmt, fmt, ` ${currency}`);
}

/** Whole days from account creation to the case (a date, so calendar days). */
export const TENURE_DAYS = sql<number>`date_diff('day', c.customer_since, c.created_at::DATE)`;
export const ORDER_VALUE = sql<number>`c.order_value_reporting`;

/** The band key of `value` (NULL when the value is missing or negative). */
export function bandSql(value: RawBuilder<number>, list: readonly Band[]): RawBuilder<string | null> {
	const whens = list.map((b) => (b.high === null ? sql`WHEN ${value} >= ${b.low} THEN ${b.key}` : sql`WHEN ${value} >= ${b.low} AND ${value} < ${b.high} THEN ${b.key}`));
	return sql<string | null>`(CASE ${sql.join(whens, sql` `)} ELSE NULL END)`;
}

/** The condition "in band `key`"; false for a key the current bands do not have. */
export function bandCondition(value: RawBuilder<number>, list: readonly Band[], key: string): RawBuilder<boolean> {
	const b = list.find((x) => x.key === key);
	if (!b) return sql<boolean>`false`;
	return b.high === null ? sql<boolean>`(${value} >= ${b.low})` : sql<boolean>`(${value} >= ${b.low} AND ${value} < ${b.high})`;
}

/**
 * The case type a comparison holds fixed: the category, with return requests split by their
 * position against the return window (in / out of window / no delivery date). The policy treats
 * the two sides of the window differently on purpose, and groups differ in how many of their
 * returns are late (a new account cannot return an order delivered before it signed up), so a
 * comparison that did not split them would credit or blame a group for the policy itself.
 */
export function caseTypeSql(returnWindowDays: number): RawBuilder<string> {
	return sql<string>`(CASE WHEN c.category = 'return_request' THEN
		CASE WHEN c.delivered_at IS NULL THEN 'return_request (no delivery date)'
			WHEN ${RETURN_DAYS} <= ${returnWindowDays} THEN 'return_request (in window)'
			ELSE 'return_request (out of window)' END
		ELSE c.category END)`;
}

/** Channel for stratification; a missing channel is its own stratum. */
export const CHANNEL_STRATUM = sql<string>`coalesce(c.channel, '(none)')`;
