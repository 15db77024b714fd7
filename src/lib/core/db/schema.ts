import type { ColumnType, Generated } from 'kysely';
import type { FrictionItemEventsTable, FrictionItemsTable } from './friction-schema.server';
import type { AuditDisputesTable, AuditReviewHistoryTable, AuditReviewsTable, AuditSampleCasesTable, AuditSamplesTable, AuditSampleStrataTable, CalibrationSessionsTable, ScorecardTemplatesTable } from './audit-schema.server';

/** Timestamps are naive UTC TIMESTAMPs (README.md, The data contract); they come back as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** DATE columns come back as 'YYYY-MM-DD' strings (see kysely-duckdb/values.ts). */
type DateText = ColumnType<string | null, string | null, string | null>;

export interface CasesTable {
	case_id: string;
	created_at: Timestamp;
	first_response_at: NullableTimestamp;
	resolved_at: NullableTimestamp;
	status: string;
	region: string;
	country: string | null;
	channel: string | null;
	stage: string | null;
	category: string;
	root_cause: string | null;
	agent_id: string | null;
	team: string | null;
	customer_id: string | null;
	customer_since: DateText;
	order_id: string | null;
	order_value: number | null;
	currency: string | null;
	/** order_value converted to the policy's reporting currency at import time. */
	order_value_reporting: number | null;
	delivered_at: NullableTimestamp;
	outcome: string | null;
	refund_amount: number | null;
	refund_issued_at: NullableTimestamp;
	return_shipping_fee: number | null;
	reopen_count: number | null;
	escalated: boolean | null;
	subject: string | null;
	reassignment_count: number | null;
	sla_met: boolean | null;
	first_response_bracket: string | null;
	resolution_bracket: string | null;
	/** 'calendar' or 'business_hours' (see DURATION_BASES); NULL when the time is empty. */
	first_response_basis: string | null;
	resolution_basis: string | null;
	batch_id: number;
}

export interface FeedbackTable {
	feedback_id: string;
	case_id: string | null;
	submitted_at: Timestamp;
	kind: string;
	csat: number | null;
	comment: string | null;
	region: string | null;
	customer_id: string | null;
	batch_id: number;
}

export interface ImportBatchesTable {
	batch_id: number;
	kind: string;
	/** 'running' while an import is in progress, and after a crash until the next start marks it failed. */
	status: 'running' | 'committed' | 'failed' | 'duplicate';
	file_name: string;
	archive_path: string | null;
	size_bytes: number;
	sha256: string;
	format: string | null;
	encoding: string | null;
	delimiter: string | null;
	mapping_name: string | null;
	/** JSON: the mapping that was applied. */
	mapping: string | null;
	rows_read: number;
	accepted: number;
	rejected: number;
	duplicates_in_file: number;
	replaced: number;
	/** JSON: { column: { derived?: n, defaulted?: n, how: string } }. */
	derived: string | null;
	/** JSON: { stage: milliseconds }. */
	timings: string | null;
	duplicate_of: number | null;
	error: string | null;
	imported_by: string;
	source: string;
	started_at: Timestamp;
	finished_at: NullableTimestamp;
}

export interface RejectedRowsTable {
	batch_id: number;
	line: number;
	reason: string;
	raw: string | null;
}

/** One message of a case's thread (src/lib/conversations); see migrations/0008-messages.ts. */
export interface MessagesTable {
	case_id: string;
	sequence: number;
	sent_at: Timestamp;
	author_role: string;
	author_name: string | null;
	is_public: boolean;
	body: string;
	external_id: string | null;
	batch_id: number;
}

export interface PolicyVersionsTable {
	version: number;
	body: string;
	note: string | null;
	created_by: string;
	created_at: Timestamp;
}

export interface CountryRegionsTable {
	country: string;
	region: string;
}

export interface CurrencyRatesTable {
	currency: string;
	rate: number;
	valid_from: string;
}

export interface SavedMappingsTable {
	name: string;
	kind: string;
	body: string;
	created_by: string;
	created_at: Timestamp;
}

export interface UsersTable {
	user_id: Generated<number>;
	username: string;
	display_name: string;
	role: string;
	password_hash: string;
	created_at: Timestamp;
	password_changed_at: Timestamp;
	failed_logins: Generated<number>;
	locked_until: NullableTimestamp;
	disabled: Generated<boolean>;
	last_login_at: NullableTimestamp;
}

export interface SessionsTable {
	token_hash: string;
	user_id: number;
	created_at: Timestamp;
	expires_at: Timestamp;
}

export interface AuditLogTable {
	audit_id: Generated<number>;
	at: Timestamp;
	actor: string;
	action: string;
	target: string | null;
	before_json: string | null;
	after_json: string | null;
}

/** Calibration references, agent links, acknowledgements, recurring samples (migrations/0012-calibration-agents.ts). */
export interface CalibrationReferencesTable {
	session_id: number;
	case_id: string;
	/** 'manager' (the QA manager's own answer) or 'consensus' (agreed after discussion). */
	source: string;
	ratings: string;
	critical: string;
	score: number | null;
	recorded_by: string;
	recorded_at: Timestamp;
}

export interface AgentLinksTable {
	username: string;
	agent_id: string;
	linked_by: string;
	linked_at: Timestamp;
}

export interface ReviewAcknowledgementsTable {
	review_id: number;
	agent_id: string;
	username: string;
	acknowledged_at: Timestamp;
}

export interface RecurringSamplesTable {
	rule_id: Generated<number>;
	name: string;
	params: string;
	reviewers: string;
	every_days: number;
	due_days: number;
	next_draw_at: Timestamp;
	active: boolean;
	created_by: string;
	created_at: Timestamp;
}

export interface RecurringDrawsTable {
	rule_id: number;
	period_start: Timestamp;
	sample_id: number | null;
	drawn_at: Timestamp;
	due_at: Timestamp;
	error: string | null;
}

/** audit_disputes with the disputed item (NULL: the whole review), added by 0012-calibration-agents.ts. */
export interface AuditDisputesWithItemTable extends AuditDisputesTable {
	item_id: string | null;
}

/** What a reviewer records beyond ratings, JSON text (migrations/0011-review-details.ts); null on reviews saved before. */
export interface ReviewDetailsColumns {
	na: string | null;
	root_causes: string | null;
	pins: string | null;
}

export interface Database {
	cases: CasesTable;
	feedback: FeedbackTable;
	import_batches: ImportBatchesTable;
	rejected_rows: RejectedRowsTable;
	policy_versions: PolicyVersionsTable;
	country_regions: CountryRegionsTable;
	currency_rates: CurrencyRatesTable;
	saved_mappings: SavedMappingsTable;
	users: UsersTable;
	sessions: SessionsTable;
	audit_log: AuditLogTable;
	audit_samples: AuditSamplesTable;
	audit_sample_strata: AuditSampleStrataTable;
	audit_sample_cases: AuditSampleCasesTable;
	scorecard_templates: ScorecardTemplatesTable;
	audit_reviews: AuditReviewsTable & ReviewDetailsColumns;
	audit_review_history: AuditReviewHistoryTable & ReviewDetailsColumns;
	calibration_sessions: CalibrationSessionsTable;
	audit_disputes: AuditDisputesWithItemTable;
	friction_items: FrictionItemsTable;
	friction_item_events: FrictionItemEventsTable;
	messages: MessagesTable;
	calibration_references: CalibrationReferencesTable;
	agent_links: AgentLinksTable;
	review_acknowledgements: ReviewAcknowledgementsTable;
	recurring_samples: RecurringSamplesTable;
	recurring_draws: RecurringDrawsTable;
}

export type BatchId = Generated<number>;
