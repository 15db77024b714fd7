/**
 * Automatic checks (AutoQA): rules computed in SQL for every case, explainable in a sentence, no
 * model. A scorecard item may declare one (`auto_check` in src/lib/audits/scorecard.ts); the
 * Automatic checks page then compares it with the human rating on sampled cases. Browser-safe:
 * the registry, the shapes of the reports and the trust labels. The SQL lives in
 * checks-sql.server.ts beside this file.
 *
 * Every check gives each case one of three answers: pass, fail, or nothing (the rule does not
 * apply to the case, e.g. "refund paid on time" to a case without a refund). A check whose data
 * the archive lacks altogether is "not testable" with the reason and the column to map, never a
 * pass rate of 0 or 100%.
 */
import type { RuleId } from '../../metrics/compliance/compliance-rules.server';
import type { NotTestable } from '../../metrics/model';
import type { KappaResult } from '../../core/stats/cohen-kappa';

export const AUTO_CHECK_IDS = [
	'policy_compliance',
	'in_window_return_honoured',
	'refund_on_time',
	'no_return_fee',
	'claim_decided_in_time',
	'first_response_within_target',
	'definitive_outcome',
	'no_reopen',
	'csat_4_or_5',
	'reply_within_target',
	'internal_notes_private'
] as const;
export type AutoCheckId = (typeof AUTO_CHECK_IDS)[number];

export function isAutoCheckId(value: unknown): value is AutoCheckId {
	return typeof value === 'string' && (AUTO_CHECK_IDS as readonly string[]).includes(value);
}

/** What a check reads: a table and, where one column decides, that column. */
export interface CheckInput {
	table: 'cases' | 'feedback' | 'messages';
	column: string;
}

export interface AutoCheckInfo {
	id: AutoCheckId;
	label: string;
	/** The rule in plain words; the report adds the policy's current numbers (`definition`). */
	explanation: string;
	/** Which cases the check answers for; the others are left out of its pass rate. */
	applies_to: string;
	needs: CheckInput[];
	/** The compliance rule the check is the pass side of (src/lib/metrics/compliance/compliance-rules.server.ts). */
	rule?: RuleId;
}

const OUTCOME: CheckInput = { table: 'cases', column: 'outcome' };

export const AUTO_CHECKS: Record<AutoCheckId, AutoCheckInfo> = {
	policy_compliance: {
		id: 'policy_compliance',
		label: 'Breaks no compliance rule',
		explanation: 'Passes when the case breaks none of the policy rules on the Compliance page (in-window return denied, refund paid late, return fee charged, claim left without an outcome). Rules the archive cannot check are left out and named.',
		applies_to: 'cases at least one checkable rule applies to',
		needs: [OUTCOME, { table: 'cases', column: 'delivered_at' }, { table: 'cases', column: 'refund_issued_at' }, { table: 'cases', column: 'return_shipping_fee' }, { table: 'cases', column: 'stage' }]
	},
	in_window_return_honoured: {
		id: 'in_window_return_honoured',
		label: 'In-window return not denied',
		explanation: 'Fails when a return requested within the return window after delivery was denied.',
		applies_to: 'decided return requests with a delivery date',
		needs: [OUTCOME, { table: 'cases', column: 'delivered_at' }],
		rule: 'in_window_return_denied'
	},
	refund_on_time: {
		id: 'refund_on_time',
		label: 'Refund paid on time',
		explanation: 'Fails when a refund was paid later than the policy allows after the decision.',
		applies_to: 'cases with a refund date',
		needs: [{ table: 'cases', column: 'refund_issued_at' }],
		rule: 'late_refund'
	},
	no_return_fee: {
		id: 'no_return_fee',
		label: 'No return fee charged',
		explanation: 'Fails when a return-shipping fee above 0 was charged while returns are free.',
		applies_to: 'cases with a recorded return-shipping fee',
		needs: [{ table: 'cases', column: 'return_shipping_fee' }],
		rule: 'return_fee_charged'
	},
	claim_decided_in_time: {
		id: 'claim_decided_in_time',
		label: 'Claim decided in time',
		explanation: 'Fails when a post-purchase claim still has no outcome past the policy limit (at the archive snapshot).',
		applies_to: 'post-purchase claims',
		needs: [OUTCOME, { table: 'cases', column: 'stage' }],
		rule: 'stale_claim'
	},
	first_response_within_target: {
		id: 'first_response_within_target',
		label: 'First response within target',
		explanation: "Passes when the first public agent reply came within the policy's first-response target (its channel's own target where it has one), measured as the policy says: in business hours of the case's region or in calendar hours. A case still unanswered fails once it is older than the target; a younger one is left out.",
		applies_to: 'answered cases, and unanswered ones already past the target',
		needs: [{ table: 'cases', column: 'first_response_at' }]
	},
	definitive_outcome: {
		id: 'definitive_outcome',
		label: 'Definitive outcome recorded',
		explanation: 'Passes when a solved or closed case records an outcome that ends it (anything but empty or "escalated", which hands it on).',
		applies_to: 'solved and closed cases',
		needs: [OUTCOME]
	},
	no_reopen: {
		id: 'no_reopen',
		label: 'Not reopened',
		explanation: 'Fails when the case was reopened at least once.',
		applies_to: 'cases with a reopen count',
		needs: [{ table: 'cases', column: 'reopen_count' }]
	},
	csat_4_or_5: {
		id: 'csat_4_or_5',
		label: 'CSAT answered 4 or 5',
		explanation: "Passes when the customer's latest rated survey answer for the case is 4 or 5; 1 to 3 fails.",
		applies_to: 'cases with a rated survey answer',
		needs: [{ table: 'feedback', column: 'csat' }]
	},
	reply_within_target: {
		id: 'reply_within_target',
		label: 'Every customer message answered within target',
		explanation:
			"From the conversation: each time the customer writes (follow-ups before an answer count as the same wait), the next public agent reply must come within the first-response target, on the policy's basis. A wait never answered fails once it passed the target by the case's resolution (or the archive snapshot while open); messages after the resolution are not waits.",
		applies_to: 'cases with an imported conversation that has a customer message',
		needs: [{ table: 'messages', column: 'author_role' }]
	},
	internal_notes_private: {
		id: 'internal_notes_private',
		label: 'Internal notes kept internal',
		explanation: "From the conversation: fails when the text of an internal note (20 characters or more) appears in a public message of the same case, i.e. it reached the customer.",
		applies_to: 'cases with an internal note in their conversation',
		needs: [{ table: 'messages', column: 'public' }]
	}
};

/** Result counts of one check, overall or in one group. */
export interface CheckCounts {
	/** Cases the check answers for (passed + failed). */
	checked: number;
	passed: number;
	failed: number;
	/** passed / checked; null when no case was checked or the check is not testable. */
	rate: number | null;
	ci_low: number | null;
	ci_high: number | null;
}

export interface CheckResult extends CheckCounts {
	id: AutoCheckId;
	label: string;
	explanation: string;
	/** The rule with the policy's current numbers, e.g. "within 24 business hours (chat, phone: 1 h)". */
	definition: string;
	applies_to: string;
	needs: CheckInput[];
	/** Set when the archive cannot support the check (then the counts are 0 and the rate null). */
	not_testable: NotTestable | null;
	/** Parts of the check left out because their data is missing (policy_compliance: rules not checkable). */
	left_out: string[];
}

export const AUTO_CHECK_DIMENSIONS = ['team', 'region', 'agent'] as const;
export type AutoCheckDimension = (typeof AUTO_CHECK_DIMENSIONS)[number];

export interface CheckGroupResult extends CheckCounts {
	check: AutoCheckId;
	group: string | null;
}

export interface AutoCheckReport {
	policy_version: number;
	snapshot: string | null;
	/** Cases the filters match. */
	cases: number;
	checks: CheckResult[];
	by: AutoCheckDimension;
	groups: CheckGroupResult[];
}

/** The trust a manager can put in a check, from kappa against the reviewers. */
export type TrustLevel = 'trustworthy' | 'mostly' | 'not_yet' | 'too_few' | 'not_computable';

export const TRUST_LABELS: Record<TrustLevel, string> = {
	trustworthy: 'Trustworthy',
	mostly: 'Mostly trustworthy',
	not_yet: 'Not yet — review by hand',
	too_few: 'Too few reviewed cases to judge',
	not_computable: 'Not computable'
};

/** Fewer pairs than this and kappa's interval is too wide (and its normal approximation too rough) to label. */
export const MIN_PAIRS_FOR_TRUST = 20;

/** kappa >= 0.8 trustworthy, 0.6 to 0.8 mostly, below 0.6 not yet (the bands of Landis & Koch's "substantial" and "almost perfect"). */
export function trustLevel(kappa: Pick<KappaResult, 'kappa' | 'n' | 'not_computable'>): TrustLevel {
	if (kappa.not_computable || kappa.kappa === null) return 'not_computable';
	if (kappa.n < MIN_PAIRS_FOR_TRUST) return 'too_few';
	if (kappa.kappa >= 0.8) return 'trustworthy';
	if (kappa.kappa >= 0.6) return 'mostly';
	return 'not_yet';
}

/** One scorecard item with an automatic check, compared with the reviewers on sampled cases. */
export interface ItemAgreement {
	item: string;
	item_label: string;
	kind: 'category' | 'critical';
	check: AutoCheckId;
	check_label: string;
	/** What counts as a human pass: "rated 3 (meets standard) or higher", "not failed". */
	human_pass: string;
	/** Submitted sample reviews of the item whose case the check answers for. */
	n: number;
	/** Human x automatic: pass_pass = both pass, pass_fail = human pass and automatic fail, ... */
	pass_pass: number;
	pass_fail: number;
	fail_pass: number;
	fail_fail: number;
	/** Reviews of the item on cases the check does not answer for (left out). */
	not_applicable: number;
	kappa: KappaResult;
	trust: TrustLevel;
	/** Why kappa is not computable, in words; null when it is. */
	why_not: string | null;
	/** The check is not testable on this archive: no pairs at all. */
	not_testable: NotTestable | null;
}

export interface AgreementReport {
	items: ItemAgreement[];
	/** Submitted sample reviews in these filters. */
	reviews: number;
	method: string;
}

/** A sampled case where the reviewer and the check disagree on an item. */
export interface Disagreement {
	review_id: number;
	sample_id: number;
	case_id: string;
	reviewer: string;
	submitted_at: Date | null;
	agent_id: string | null;
	team: string | null;
	region: string;
	human: 'pass' | 'fail';
	/** The rating given, or "failed" / "not failed" for a critical item. */
	human_value: string;
	automatic: 'pass' | 'fail';
}

/** Kappa's reason in the words of this page: the reviewers are rater A, the check rater B. */
export function whyNotComputable(problem: KappaResult['not_computable'], n: number): string | null {
	switch (problem) {
		case null:
			return null;
		case 'no_cases':
			return 'no submitted sample review rates this item on a case the check answers for';
		case 'rater_a_constant':
			return `the reviewers gave the same verdict on all ${n} cases, so there is no variation to agree on (kappa is 0 by construction)`;
		case 'rater_b_constant':
			return `the check gave the same result on all ${n} cases, so there is no variation to agree on (kappa is 0 by construction)`;
		case 'both_constant':
			return `the reviewers and the check gave one and the same verdict on all ${n} cases (kappa is 0 / 0)`;
	}
}
