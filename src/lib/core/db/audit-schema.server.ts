import type { ColumnType, Generated } from 'kysely';

/** Table types for the audit feature (migration 0003-audits); listed in Database in schema.ts. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

export interface AuditSamplesTable {
	sample_id: Generated<number>;
	created_at: Timestamp;
	created_by: string;
	design: string;
	stratify_by: string | null;
	allocation: string | null;
	risk_weights: string | null;
	requested_size: number;
	size: number;
	seed: number;
	filters: string;
	statuses: string | null;
	exclude_days: number;
	population: number;
	excluded: number;
	note: string | null;
}

export interface AuditSampleStrataTable {
	sample_id: number;
	stratum: string;
	population: number;
	sampled: number;
}

export interface AuditSampleCasesTable {
	sample_id: number;
	case_id: string;
	stratum: string;
	inclusion_probability: number;
	draw_order: number;
	risk_size: number;
	risk_flags: string | null;
	assignee: string | null;
	assigned_at: NullableTimestamp;
	assigned_by: string | null;
}

export interface ScorecardTemplatesTable {
	template_id: Generated<number>;
	name: string;
	version: number;
	body: string;
	note: string | null;
	created_at: Timestamp;
	created_by: string;
}

export type ReviewStatus = 'assigned' | 'draft' | 'submitted';

export interface AuditReviewsTable {
	review_id: Generated<number>;
	kind: 'sample' | 'calibration';
	sample_id: number | null;
	session_id: number | null;
	case_id: string;
	reviewer: string;
	template_id: number | null;
	status: ReviewStatus;
	ratings: string | null;
	critical: string | null;
	notes: string | null;
	score: number | null;
	critical_failed: boolean | null;
	revision: number;
	created_at: Timestamp;
	created_by: string;
	updated_at: Timestamp;
	submitted_at: NullableTimestamp;
}

export interface AuditReviewHistoryTable {
	review_id: number;
	revision: number;
	at: Timestamp;
	actor: string;
	action: string;
	status: string;
	reviewer: string;
	template_id: number | null;
	ratings: string | null;
	critical: string | null;
	notes: string | null;
	score: number | null;
}

export interface CalibrationSessionsTable {
	session_id: Generated<number>;
	name: string;
	sample_id: number | null;
	template_id: number;
	created_at: Timestamp;
	created_by: string;
}

export type DisputeStatus = 'open' | 'upheld' | 'changed';

export interface AuditDisputesTable {
	dispute_id: Generated<number>;
	review_id: number;
	raised_by: string;
	raised_at: Timestamp;
	reason: string;
	status: DisputeStatus;
	resolved_by: string | null;
	resolved_at: NullableTimestamp;
	resolution_note: string | null;
	original_score: number | null;
	original_ratings: string | null;
	original_critical: string | null;
	new_score: number | null;
	new_ratings: string | null;
	new_critical: string | null;
}
