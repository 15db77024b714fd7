import { sql, type RawBuilder } from 'kysely';
import type { CoverageColumn } from '../coverage.server';

/** The policy numbers the rules read (config/policy.json, versioned in policy_versions). */
export interface CompliancePolicy {
	return_window_days: number;
	refund_min_days: number;
	refund_max_days: number;
	free_returns: boolean;
	claim_outcome_limit_days: number;
}

export type RuleId = 'in_window_return_denied' | 'late_refund' | 'return_fee_charged' | 'stale_claim' | 'out_of_window_return_approved';

export interface ComplianceRule {
	id: RuleId;
	label: string;
	/** Violations break the policy; exceptions are allowed but tracked for consistency. */
	kind: 'violation' | 'exception';
	/** The definition shown next to the number, with the policy's numbers filled in. */
	definition: (p: CompliancePolicy) => string;
	/** Cases the rule applies to (the denominator). */
	eligible: (p: CompliancePolicy) => RawBuilder<boolean>;
	/** Eligible cases that break (or, for exceptions, trigger) the rule. */
	flagged: (p: CompliancePolicy, snapshot: Date) => RawBuilder<boolean>;
	/**
	 * The columns the rule cannot be checked without (coverage.server.ts). Without an outcome
	 * column every claim would look stale, and without refund dates no refund is late: the rule
	 * is not testable then, rather than 100% or 0%.
	 */
	needs: CoverageColumn[];
	/** One eligible case, in words: "a decided return request with a delivery date". */
	population: string;
	/** What to import when the archive holds no eligible case at all. */
	importFix: string;
}

const FAVOURABLE = sql`('approved', 'partially_approved', 'refunded', 'replaced')`;
// Whole days between delivery and the return request (the case): 60 days and 23 hours is day 60.
export const RETURN_DAYS = sql<number>`floor(epoch(c.created_at - c.delivered_at) / 86400)`;
// Refund turnaround from the decision (resolution) or, without one, from the request.
export const REFUND_DAYS = sql<number>`epoch(c.refund_issued_at - coalesce(c.resolved_at, c.created_at)) / 86400`;
const IS_RETURN = sql`c.category = 'return_request' AND c.delivered_at IS NOT NULL AND c.outcome IS NOT NULL`;
const RETURNS_FIX = 'import return requests with category return_request (a value translation in the mapping can name them so), their delivery date and outcome';

export const COMPLIANCE_RULES: ComplianceRule[] = [
	{
		id: 'in_window_return_denied',
		label: 'In-window returns denied',
		kind: 'violation',
		definition: (p) => `A return requested within ${p.return_window_days} full days of delivery and denied. Applies to decided return requests with a delivery date.`,
		eligible: () => sql<boolean>`(${IS_RETURN})`,
		flagged: (p) => sql<boolean>`(${IS_RETURN} AND ${RETURN_DAYS} <= ${p.return_window_days} AND c.outcome = 'denied')`,
		needs: ['outcome', 'delivered_at'],
		population: 'a decided return request with a delivery date',
		importFix: RETURNS_FIX
	},
	{
		id: 'late_refund',
		label: 'Refunds paid late',
		kind: 'violation',
		definition: (p) => `A refund paid more than ${p.refund_max_days} days after the decision (resolution time, or the request when there is none). The promise is ${p.refund_min_days}-${p.refund_max_days} days.`,
		eligible: () => sql<boolean>`(c.refund_issued_at IS NOT NULL)`,
		flagged: (p) => sql<boolean>`(c.refund_issued_at IS NOT NULL AND ${REFUND_DAYS} > ${p.refund_max_days})`,
		needs: ['refund_issued_at'],
		population: 'a refund (a case with refund_issued_at)',
		importFix: 'import cases with the date their refund was issued (refund_issued_at)'
	},
	{
		id: 'return_fee_charged',
		label: 'Return-shipping fees charged',
		kind: 'violation',
		definition: (p) => (p.free_returns ? 'Returns are free: any return_shipping_fee above 0 is a violation. Applies to cases with a recorded fee (0 or more).' : 'The policy currently allows return-shipping fees; fees are listed but are not violations.'),
		eligible: () => sql<boolean>`(c.return_shipping_fee IS NOT NULL)`,
		flagged: (p) => (p.free_returns ? sql<boolean>`(c.return_shipping_fee > 0)` : sql<boolean>`false`),
		needs: ['return_shipping_fee'],
		population: 'a case with a recorded return-shipping fee',
		importFix: 'import cases with their return-shipping fee (return_shipping_fee, 0 when free)'
	},
	{
		id: 'stale_claim',
		label: 'Claims without a definitive outcome',
		kind: 'violation',
		definition: (p) => `A post-purchase claim with no outcome more than ${p.claim_outcome_limit_days} days after it was opened (at the archive snapshot).`,
		eligible: () => sql<boolean>`(c.stage = 'post_purchase')`,
		flagged: (p, snapshot) => sql<boolean>`(c.stage = 'post_purchase' AND c.outcome IS NULL AND epoch(${snapshot}::TIMESTAMP - c.created_at) / 86400 > ${p.claim_outcome_limit_days})`,
		needs: ['outcome', 'stage'],
		population: 'a post-purchase claim (stage post_purchase)',
		importFix: 'import post-purchase claims with stage post_purchase and their outcome'
	},
	{
		id: 'out_of_window_return_approved',
		label: 'Out-of-window returns approved',
		kind: 'exception',
		definition: (p) => `A return requested more than ${p.return_window_days} full days after delivery and still approved, refunded or replaced. Not a violation; tracked so that exceptions are granted consistently.`,
		eligible: () => sql<boolean>`(${IS_RETURN})`,
		flagged: (p) => sql<boolean>`(${IS_RETURN} AND ${RETURN_DAYS} > ${p.return_window_days} AND c.outcome IN ${FAVOURABLE})`,
		needs: ['outcome', 'delivered_at'],
		population: 'a decided return request with a delivery date',
		importFix: RETURNS_FIX
	}
];

export function ruleById(id: string): ComplianceRule | undefined {
	return COMPLIANCE_RULES.find((r) => r.id === id);
}

export function compliancePolicy(policy: Record<string, unknown>): CompliancePolicy {
	const num = (key: string) => {
		const v = policy[key];
		if (typeof v !== 'number') throw new Error(`The policy has no number "${key}"; edit it under Admin → Policy.`);
		return v;
	};
	return {
		return_window_days: num('return_window_days'),
		refund_min_days: num('refund_min_days'),
		refund_max_days: num('refund_max_days'),
		free_returns: policy.free_returns !== false,
		claim_outcome_limit_days: num('claim_outcome_limit_days')
	};
}
