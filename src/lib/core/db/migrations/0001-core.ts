import { sql, type Kysely, type Migration } from 'kysely';
import defaultPolicy from '../../../../../config/policy.json';
import countryRegions from '../../../../../config/country-regions.json';
import currencyRates from '../../../../../config/currency-rates.json';

/** Cases, feedback, import batches, rejected rows, the versioned policy and reference tables. */
export const coreMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create sequence batch_id_seq start 1`.execute(db);
		await sql`create table import_batches (
			batch_id integer primary key default nextval('batch_id_seq'),
			kind varchar not null,
			status varchar not null,
			file_name varchar not null,
			archive_path varchar,
			size_bytes bigint not null,
			sha256 varchar not null,
			format varchar,
			encoding varchar,
			delimiter varchar,
			mapping_name varchar,
			mapping varchar,
			rows_read bigint not null default 0,
			accepted bigint not null default 0,
			rejected bigint not null default 0,
			duplicates_in_file bigint not null default 0,
			replaced bigint not null default 0,
			derived varchar,
			timings varchar,
			duplicate_of integer,
			error varchar,
			imported_by varchar not null,
			source varchar not null,
			started_at timestamp not null,
			finished_at timestamp
		)`.execute(db);
		// No primary key on the fact tables: uniqueness is enforced by the import (replace by id),
		// and an ART index would slow every bulk load for no query benefit.
		await sql`create table cases (
			case_id varchar not null,
			created_at timestamp not null,
			first_response_at timestamp,
			resolved_at timestamp,
			status varchar not null,
			region varchar not null,
			country varchar,
			channel varchar,
			stage varchar,
			category varchar not null,
			root_cause varchar,
			agent_id varchar,
			team varchar,
			customer_id varchar,
			customer_since date,
			order_id varchar,
			order_value decimal(18, 2),
			currency varchar,
			order_value_reporting decimal(18, 2),
			delivered_at timestamp,
			outcome varchar,
			refund_amount decimal(18, 2),
			refund_issued_at timestamp,
			return_shipping_fee decimal(18, 2),
			reopen_count integer,
			escalated boolean,
			subject varchar,
			batch_id integer not null
		)`.execute(db);
		await sql`create table feedback (
			feedback_id varchar not null,
			case_id varchar,
			submitted_at timestamp not null,
			kind varchar not null,
			csat tinyint,
			comment varchar,
			region varchar,
			customer_id varchar,
			batch_id integer not null
		)`.execute(db);
		await sql`create table rejected_rows (
			batch_id integer not null,
			line bigint not null,
			reason varchar not null,
			raw varchar
		)`.execute(db);
		await sql`create table policy_versions (
			version integer primary key,
			body varchar not null,
			note varchar,
			created_by varchar not null,
			created_at timestamp not null
		)`.execute(db);
		await sql`create table country_regions (country varchar primary key, region varchar not null)`.execute(db);
		await sql`create table currency_rates (
			currency varchar not null,
			rate double not null,
			valid_from date not null,
			primary key (currency, valid_from)
		)`.execute(db);
		await sql`create table saved_mappings (
			name varchar primary key,
			kind varchar not null,
			body varchar not null,
			created_by varchar not null,
			created_at timestamp not null
		)`.execute(db);

		const { $comment: _c, ...policy } = defaultPolicy;
		await sql`insert into policy_versions values (1, ${JSON.stringify(policy)}, 'Published policy defaults', 'system', now()::timestamp)`.execute(db);
		for (const [country, region] of Object.entries(countryRegions.regions)) {
			await sql`insert into country_regions values (${country}, ${region})`.execute(db);
		}
		for (const [currency, rate] of Object.entries(currencyRates.rates)) {
			await sql`insert into currency_rates values (${currency}, ${rate}, ${currencyRates.valid_from}::date)`.execute(db);
		}
	}
};
