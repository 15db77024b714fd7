import { sql, type Kysely, type Migration } from 'kysely';
import { DEFAULT_SCORECARD, DEFAULT_TEMPLATE_NAME } from '../../../audits/scorecard';

/**
 * Random audits (README.md, Audits): samples with each case's stratum and inclusion
 * probability, versioned scorecard templates, reviews with their full history, calibration
 * sessions and disputes. Rows that record a judgement are never updated without a history row
 * (audit_review_history) or a dispute row keeping the value before.
 */
export const auditsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create sequence audit_sample_id_seq start 1`.execute(db);
		await sql`create table audit_samples (
			sample_id integer primary key default nextval('audit_sample_id_seq'),
			created_at timestamp not null,
			created_by varchar not null,
			design varchar not null,
			stratify_by varchar,
			allocation varchar,
			-- JSON: the risk flags' weights used for the risk design.
			risk_weights varchar,
			requested_size integer not null,
			size integer not null,
			seed bigint not null,
			-- The filters as URL parameters (the same text the pages use).
			filters varchar not null,
			statuses varchar,
			exclude_days integer not null,
			population integer not null,
			excluded integer not null,
			note varchar
		)`.execute(db);
		await sql`create table audit_sample_strata (
			sample_id integer not null,
			stratum varchar not null,
			population integer not null,
			sampled integer not null,
			primary key (sample_id, stratum)
		)`.execute(db);
		await sql`create table audit_sample_cases (
			sample_id integer not null,
			case_id varchar not null,
			stratum varchar not null,
			inclusion_probability double not null,
			draw_order integer not null,
			risk_size double not null,
			-- JSON array of the risk flags the case had when drawn.
			risk_flags varchar,
			assignee varchar,
			assigned_at timestamp,
			assigned_by varchar,
			primary key (sample_id, case_id)
		)`.execute(db);
		await sql`create sequence scorecard_template_id_seq start 1`.execute(db);
		await sql`create table scorecard_templates (
			template_id integer primary key default nextval('scorecard_template_id_seq'),
			name varchar not null,
			version integer not null,
			body varchar not null,
			note varchar,
			created_at timestamp not null,
			created_by varchar not null,
			unique (name, version)
		)`.execute(db);
		await sql`create sequence audit_review_id_seq start 1`.execute(db);
		await sql`create table audit_reviews (
			review_id integer primary key default nextval('audit_review_id_seq'),
			kind varchar not null,
			sample_id integer,
			session_id integer,
			case_id varchar not null,
			reviewer varchar not null,
			template_id integer,
			status varchar not null,
			ratings varchar,
			critical varchar,
			notes varchar,
			score double,
			critical_failed boolean,
			revision integer not null,
			created_at timestamp not null,
			created_by varchar not null,
			updated_at timestamp not null,
			submitted_at timestamp
		)`.execute(db);
		await sql`create table audit_review_history (
			review_id integer not null,
			revision integer not null,
			"at" timestamp not null,
			actor varchar not null,
			action varchar not null,
			status varchar not null,
			reviewer varchar not null,
			template_id integer,
			ratings varchar,
			critical varchar,
			notes varchar,
			score double,
			primary key (review_id, revision)
		)`.execute(db);
		await sql`create sequence calibration_session_id_seq start 1`.execute(db);
		await sql`create table calibration_sessions (
			session_id integer primary key default nextval('calibration_session_id_seq'),
			name varchar not null,
			sample_id integer,
			template_id integer not null,
			created_at timestamp not null,
			created_by varchar not null
		)`.execute(db);
		await sql`create sequence audit_dispute_id_seq start 1`.execute(db);
		await sql`create table audit_disputes (
			dispute_id integer primary key default nextval('audit_dispute_id_seq'),
			review_id integer not null,
			raised_by varchar not null,
			raised_at timestamp not null,
			reason varchar not null,
			status varchar not null,
			resolved_by varchar,
			resolved_at timestamp,
			resolution_note varchar,
			original_score double,
			original_ratings varchar,
			original_critical varchar,
			new_score double,
			new_ratings varchar,
			new_critical varchar
		)`.execute(db);
		await sql`insert into scorecard_templates (name, version, body, note, created_at, created_by)
			values (${DEFAULT_TEMPLATE_NAME}, 1, ${JSON.stringify(DEFAULT_SCORECARD)}, 'Default scorecard (README.md, Audits)', now()::TIMESTAMP, 'system')`.execute(db);
	}
};
