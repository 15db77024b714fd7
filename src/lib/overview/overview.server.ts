import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { cachedByData } from '../metrics/filters/data-version.server';
import { archiveCoverage, coverageRows, type CoverageRow } from '../metrics/coverage.server';

export interface Overview {
	cases: number;
	feedback: number;
	firstCase: Date | null;
	lastCase: Date | null;
	openCases: number;
	ratedFeedback: number;
	regions: { region: string; cases: number }[];
	channels: { channel: string; cases: number }[];
	weekly: { week: string; cases: number }[];
	imports: { batches: number; failed: number; rowsRead: number; accepted: number; rejected: number; lastImport: Date | null };
	/** Column by column, what the archive holds and which tests need it (coverage.server.ts). */
	coverage: CoverageRow[];
}

/** Cached per data version (src/lib/metrics/filters/data-version.server.ts): the first page everyone opens. */
export function getOverview(db: Kysely<Database>): Promise<Overview> {
	return cachedByData(db, 'overview', () => computeOverview(db));
}

async function computeOverview(db: Kysely<Database>): Promise<Overview> {
	const [totals, feedback, regions, channels, weekly, imports, coverage] = await Promise.all([
		sql<{ cases: number; first: Date | null; last: Date | null; open: number }>`
			select count(*) as cases, min(created_at) as first, max(created_at) as last,
			       count(*) filter (where status in ('open', 'pending')) as open
			from cases`.execute(db),
		sql<{ feedback: number; rated: number }>`select count(*) as feedback, count(csat) as rated from feedback`.execute(db),
		db.selectFrom('cases').select(['region', sql<number>`count(*)`.as('cases')]).groupBy('region').orderBy('cases', 'desc').execute(),
		db
			.selectFrom('cases')
			.select([sql<string>`coalesce(channel, 'not recorded')`.as('channel'), sql<number>`count(*)`.as('cases')])
			.groupBy(sql`1`)
			.orderBy('cases', 'desc')
			.execute(),
		sql<{ week: string; cases: number }>`
			select strftime(week, '%Y-%m-%d') as week, cases
			from (select date_trunc('week', created_at) as week, count(*) as cases from cases group by 1) order by 1`.execute(db),
		sql<{ batches: number; failed: number; rows_read: number; accepted: number; rejected: number; last: Date | null }>`
			select count(*) filter (where status = 'committed') as batches, count(*) filter (where status = 'failed') as failed,
			       coalesce(sum(rows_read), 0) as rows_read, coalesce(sum(accepted), 0) as accepted,
			       coalesce(sum(rejected), 0) as rejected, max(finished_at) as last
			from import_batches`.execute(db),
		archiveCoverage(db)
	]);
	const t = totals.rows[0];
	const i = imports.rows[0];
	return {
		cases: t.cases,
		feedback: feedback.rows[0].feedback,
		firstCase: t.first,
		lastCase: t.last,
		openCases: t.open,
		ratedFeedback: feedback.rows[0].rated,
		regions,
		channels,
		weekly: weekly.rows,
		imports: { batches: i.batches, failed: i.failed, rowsRead: i.rows_read, accepted: i.accepted, rejected: i.rejected, lastImport: i.last },
		coverage: coverageRows(coverage)
	};
}
