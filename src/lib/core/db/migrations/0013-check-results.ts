import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The automatic checks' verdict for every case, kept between imports
 * (src/lib/audits/auto-checks/check-results.server.ts): at 1,000,000 cases computing them takes
 * about a second, reading them under any filter a tenth of that. Besides the verdicts (TRUE pass,
 * FALSE fail, NULL not applicable or not testable) a row carries the case's filter columns, so the
 * page's filters apply without joining back to the cases.
 *
 * friction_term_state becomes derived_table_state: it records the state of every table derived
 * from the imports (src/lib/core/db/derived-tables.server.ts), the check results included.
 */
export const checkResultsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`alter table friction_term_state rename to derived_table_state`.execute(db);
		await sql`create table auto_check_results (
			case_id varchar not null,
			created_at timestamp not null,
			batch_id integer not null,
			region varchar,
			country varchar,
			channel varchar,
			stage varchar,
			category varchar,
			team varchar,
			agent_id varchar,
			policy_compliance boolean,
			in_window_return_honoured boolean,
			refund_on_time boolean,
			no_return_fee boolean,
			claim_decided_in_time boolean,
			first_response_within_target boolean,
			definitive_outcome boolean,
			no_reopen boolean,
			csat_4_or_5 boolean,
			reply_within_target boolean,
			internal_notes_private boolean
		)`.execute(db);
	}
};
