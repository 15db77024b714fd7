/**
 * The data contract (README.md, The data contract) as data: one place that the schema, the ingest SQL,
 * the mapping editor and the docs all read. Browser-safe (no server imports).
 */
export type ImportKind = 'cases' | 'feedback';
export type ColumnType = 'text' | 'timestamp' | 'date' | 'decimal' | 'integer' | 'boolean' | 'enum';

export interface CanonicalColumn {
	name: string;
	type: ColumnType;
	required?: boolean;
	values?: readonly string[];
	/** Other header spellings that mean the same column; used for auto-mapping and "did you mean". */
	aliases?: readonly string[];
	description: string;
	/** false for columns only some help-desk exports carry, which the demo generator does not write. */
	inDemo?: false;
}

export const CASE_STATUSES = ['open', 'pending', 'solved', 'closed'] as const;
export const CHANNELS = ['email', 'chat', 'phone', 'social', 'web'] as const;
export const STAGES = ['pre_purchase', 'order', 'post_purchase'] as const;
export const ROOT_CAUSES = ['platform', 'carrier', 'human_error', 'customer', 'none'] as const;
export const OUTCOMES = [
	'approved',
	'partially_approved',
	'denied',
	'replaced',
	'refunded',
	'info_provided',
	'escalated',
	'withdrawn'
] as const;
export const FEEDBACK_KINDS = ['survey', 'complaint', 'suggestion'] as const;

export const CASE_COLUMNS: readonly CanonicalColumn[] = [
	{ name: 'case_id', type: 'text', required: true, aliases: ['id', 'ticket id', 'ticket', 'ticket number', 'case', 'case number', 'issue key', 'conversation id', 'conversation number', 'incident number'], description: 'unique case id; a re-import of the same id replaces the earlier version' },
	{ name: 'created_at', type: 'timestamp', required: true, aliases: ['created', 'created at', 'created time', 'created date', 'create date', 'creation date', 'date created', 'opened', 'opened at', 'date/time opened', 'date'], description: 'case opened (UTC)' },
	{ name: 'first_response_at', type: 'timestamp', aliases: ['first response', 'first response at', 'first reply at', 'initial response time'], description: 'first public agent reply (UTC)' },
	{ name: 'resolved_at', type: 'timestamp', aliases: ['resolved', 'resolved at', 'solved at', 'resolved time', 'resolution date', 'closed time', 'closed at', 'closed date', 'close date', 'date/time closed'], description: 'final resolution (UTC)' },
	{ name: 'status', type: 'enum', required: true, values: CASE_STATUSES, aliases: ['state', 'ticket status'], description: 'open, pending, solved or closed' },
	{ name: 'region', type: 'text', required: true, aliases: ['reporting region', 'organization', 'area'], description: 'reporting region; derived from country when absent' },
	{ name: 'country', type: 'text', aliases: ['country code', 'customer country', 'billing country'], description: 'ISO 3166-1 alpha-2 code or the country\'s name' },
	{ name: 'channel', type: 'enum', values: CHANNELS, aliases: ['via', 'source', 'received via', 'medium'], description: 'email, chat, phone, social or web' },
	{ name: 'stage', type: 'enum', values: STAGES, aliases: ['purchase stage', 'journey stage'], description: 'pre_purchase, order or post_purchase' },
	{ name: 'category', type: 'text', required: true, aliases: ['type', 'ticket type', 'issue type', 'topic', 'reason', 'case reason'], description: 'problem category, e.g. refund_request' },
	{ name: 'root_cause', type: 'enum', values: ROOT_CAUSES, aliases: ['cause'], description: 'platform, carrier, human_error, customer or none' },
	{ name: 'agent_id', type: 'text', aliases: ['agent', 'assignee', 'owner', 'assigned to', 'ticket owner', 'case owner'], description: 'agent who handled the case' },
	{ name: 'team', type: 'text', aliases: ['group', 'queue', 'department', 'mailbox', 'assignment group'], description: 'team that handled the case' },
	{ name: 'customer_id', type: 'text', aliases: ['requester id', 'customer', 'requester', 'contact id'], description: 'customer id' },
	{ name: 'customer_since', type: 'date', aliases: ['account created', 'customer created at', 'signup date'], description: 'account creation date: gives account tenure' },
	{ name: 'order_id', type: 'text', aliases: ['order', 'order number'], description: 'order the case is about' },
	{ name: 'order_value', type: 'decimal', aliases: ['order total', 'amount', 'value'], description: 'order value in its currency' },
	{ name: 'currency', type: 'text', aliases: ['currency code'], description: 'ISO 4217 code of order_value' },
	{ name: 'delivered_at', type: 'timestamp', aliases: ['delivered', 'delivery date'], description: 'delivery of the order: gives the return-window position' },
	{ name: 'outcome', type: 'enum', values: OUTCOMES, aliases: ['resolution', 'result'], description: 'approved, partially_approved, denied, replaced, refunded, info_provided, escalated, withdrawn; empty = no outcome yet' },
	{ name: 'refund_amount', type: 'decimal', aliases: ['refund'], description: 'refund paid' },
	{ name: 'refund_issued_at', type: 'timestamp', aliases: ['refunded at', 'refund date'], description: 'refund paid (UTC)' },
	{ name: 'return_shipping_fee', type: 'decimal', aliases: ['return fee', 'return shipping'], description: 'return shipping charged to the customer; policy says 0' },
	{ name: 'reopen_count', type: 'integer', aliases: ['reopens', 'reopened'], description: 'times the case was reopened' },
	{ name: 'escalated', type: 'boolean', aliases: ['is escalated'], description: 'true when escalated' },
	{ name: 'subject', type: 'text', aliases: ['title', 'summary', 'customer complaint'], description: 'free-text title' },
	{ name: 'reassignment_count', type: 'integer', inDemo: false, aliases: ['reassignments', 'reassignment count', 'group stations'], description: 'times the case moved to another agent or group' },
	{ name: 'sla_met', type: 'boolean', inDemo: false, aliases: ['made sla', 'sla met', 'within sla'], description: "the help desk's own SLA verdict" },
	{ name: 'first_response_bracket', type: 'text', inDemo: false, aliases: ['first reply time brackets'], description: 'first-reply time as a range (e.g. "1-8 hrs"), for exports that give ranges instead of times' },
	{ name: 'resolution_bracket', type: 'text', inDemo: false, aliases: ['full resolution time brackets'], description: 'resolution time as a range (e.g. "5-24 hrs"), for exports that give ranges instead of times' }
];

/**
 * How a duration was measured. A time derived from "minutes within business hours" is marked
 * business_hours by the mapping (`basis` on the source), so that pages never read it as calendar time.
 */
export const DURATION_BASES = ['calendar', 'business_hours'] as const;
export type DurationBasis = (typeof DURATION_BASES)[number];

export const FEEDBACK_COLUMNS: readonly CanonicalColumn[] = [
	{ name: 'feedback_id', type: 'text', required: true, aliases: ['id', 'review id', 'response id', 'survey id'], description: 'unique feedback id' },
	{ name: 'case_id', type: 'text', aliases: ['ticket id', 'ticket'], description: 'case the feedback is about (may be empty)' },
	{ name: 'submitted_at', type: 'timestamp', required: true, aliases: ['submitted', 'created at', 'date', 'review creation date'], description: 'when the answer was given (UTC)' },
	{ name: 'kind', type: 'enum', values: FEEDBACK_KINDS, aliases: ['type', 'feedback type'], description: 'survey, complaint or suggestion' },
	{ name: 'csat', type: 'integer', aliases: ['score', 'rating', 'satisfaction', 'satisfaction score', 'review score'], description: 'satisfaction 1-5; empty = survey offered but not answered' },
	{ name: 'comment', type: 'text', aliases: ['comments', 'text', 'review comment message', 'message', 'feedback'], description: 'free text' },
	{ name: 'region', type: 'text', aliases: ['area'], description: 'reporting region' },
	{ name: 'customer_id', type: 'text', aliases: ['customer', 'requester id'], description: 'customer id' }
];

export function columnsFor(kind: ImportKind): readonly CanonicalColumn[] {
	return kind === 'cases' ? CASE_COLUMNS : FEEDBACK_COLUMNS;
}

export function idColumn(kind: ImportKind): string {
	return kind === 'cases' ? 'case_id' : 'feedback_id';
}

/** Lower-case, no punctuation: how headers are compared for auto-mapping. */
export function normaliseHeader(header: string): string {
	return header
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, ' ')
		.trim();
}
