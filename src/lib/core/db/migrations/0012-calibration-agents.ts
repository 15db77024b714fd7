import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Calibration against a reference, agents closing the loop, and recurring samples (README.md, Audits).
 * - calibration_references: one reference answer per session and case (the QA manager's, or a
 *   consensus recorded after discussion); recording it again replaces it, and the audit trail keeps the value before.
 * - agent_links: an account with the agent role names the agent it is, as cases.agent_id holds it.
 * - review_acknowledgements: an agent read a submitted review; one row per review, never updated.
 * - audit_disputes.item_id: the one scorecard item an agent disputes (NULL: the whole review).
 * - recurring_samples and recurring_draws: a saved sample rule drawn every N days; the draw row's
 *   primary key (rule, period) is what keeps two page loads from drawing the same period twice.
 */
export const calibrationAgentsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create table calibration_references (
			session_id integer not null,
			case_id varchar not null,
			source varchar not null,
			ratings varchar not null,
			critical varchar not null,
			score double,
			recorded_by varchar not null,
			recorded_at timestamp not null,
			primary key (session_id, case_id)
		)`.execute(db);
		await sql`create table agent_links (
			username varchar primary key,
			agent_id varchar not null,
			linked_by varchar not null,
			linked_at timestamp not null
		)`.execute(db);
		await sql`create table review_acknowledgements (
			review_id integer primary key,
			agent_id varchar not null,
			username varchar not null,
			acknowledged_at timestamp not null
		)`.execute(db);
		await sql`alter table audit_disputes add column item_id varchar`.execute(db);
		await sql`create sequence recurring_sample_id_seq start 1`.execute(db);
		await sql`create table recurring_samples (
			rule_id integer primary key default nextval('recurring_sample_id_seq'),
			name varchar not null,
			-- The sample request as URL parameters (sample-request.ts), as a stored sample keeps it.
			params varchar not null,
			-- JSON array of the reviewers the draw is assigned to, round-robin.
			reviewers varchar not null,
			every_days integer not null,
			due_days integer not null,
			next_draw_at timestamp not null,
			active boolean not null,
			created_by varchar not null,
			created_at timestamp not null
		)`.execute(db);
		await sql`create table recurring_draws (
			rule_id integer not null,
			period_start timestamp not null,
			sample_id integer,
			drawn_at timestamp not null,
			due_at timestamp not null,
			error varchar,
			primary key (rule_id, period_start)
		)`.execute(db);
	}
};
