import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Every case as the Fairness page compares it, kept between imports (keepFairnessCases in
 * src/lib/metrics/fairness/fairness-cases.server.ts): the case's filter columns under their own
 * names (so the page's filters apply unchanged), its order-value and tenure bands, its stratum
 * (case type and channel), whether it is a claim and a favourable one, its resolution time in
 * seconds, its CSAT answers, and the rank of its resolution time among all resolved cases of its
 * stratum (rk: rank(), le: how many are at or below it), so the unfiltered page sums ranks instead of
 * sorting the cases again; and fairness_group_medians, each group's cases, resolved cases and
 * median resolution hours over the whole table (dim NULL: over every case).
 */
export const fairnessCasesMigration: Migration = {
	async up(db: Kysely<unknown>) {
		await sql`create table fairness_cases (
			created_at timestamp not null,
			batch_id integer not null,
			region varchar,
			country varchar,
			channel varchar,
			stage varchar,
			category varchar,
			team varchar,
			agent_id varchar,
			g_order_value varchar,
			g_tenure varchar,
			ctype varchar not null,
			chan varchar not null,
			claim boolean,
			fav boolean,
			sec double,
			answers integer not null,
			answers_fav integer not null,
			rk bigint,
			le bigint
		)`.execute(db);
		await sql`create table fairness_group_medians (
			dim varchar,
			grp varchar,
			total bigint not null,
			resolved bigint not null,
			med double
		)`.execute(db);
	}
};
