import { cachedReport } from '../filters/data-version.server';
import { sql, type Kysely } from 'kysely';
import type { FilterDimension, Filters } from '../filters/model';
import { wilsonInterval } from '../../core/stats/proportion-intervals';
import type { Database } from '../../core/db/schema';
import { feedbackFilterSql, restrictsCases } from '../filters/case-filter-sql.server';
import { ANSWERS_WITH_CASES, answerGroupSql, CSAT_COUNTS, keepCsatCounts, keptCsatCountsSql } from './csat-counts.server';
import { resolveToday } from '../filters/period.server';
import { archiveCoverage, missingRatings } from '../coverage.server';
import { firstNotTestable, noneMatch, notTestable, WIDEN_FILTERS_FIX, type NotTestable } from '../model';
import type { TrendGrain } from '../speed/speed.server';
import type { CsatStats } from './model';
export type { CsatStats } from './model';

export const CSAT_DEFINITION =
	'CSAT = share of rated answers scoring 4 or 5 (95% Wilson interval), with the mean score 1-5 beside it. Response rate = rated survey answers / surveys sent. Feedback is filtered by its submission date and by the dimensions of its case (region also from the feedback itself).';


export interface CsatReport {
	overall: CsatStats;
	by: FilterDimension | null;
	groups: CsatStats[];
	trend: (CsatStats & { period: string })[];
	grain: TrendGrain;
	definition: string;
	/** Set when CSAT (and the mean score) cannot be computed: no rated answer, in the archive or in these filters. */
	not_testable: NotTestable | null;
	/** Set when the response rate cannot be computed: no survey was offered, or no score column was imported. */
	response_rate_not_testable: NotTestable | null;
}

interface Row {
	grp: string | null;
	answers: number;
	surveys: number;
	rated: number;
	satisfied: number;
	mean: number | null;
}

function toStats(row: Row | undefined, group: string | null): CsatStats {
	const rated = row?.rated ?? 0;
	const satisfied = row?.satisfied ?? 0;
	const ci = rated ? wilsonInterval(satisfied, rated) : null;
	return {
		group,
		surveys: row?.surveys ?? 0,
		rated,
		response_rate: row?.surveys ? rated / row.surveys : null,
		satisfied,
		csat: rated ? satisfied / rated : null,
		ci_low: ci?.lower ?? null,
		ci_high: ci?.upper ?? null,
		mean: row?.mean ?? null
	};
}

async function computeCsatReport(db: Kysely<Database>, options: { filters: Filters; by?: FilterDimension | null; grain?: TrendGrain; today?: Date }): Promise<CsatReport> {
	const today = options.today ?? (await resolveToday(db, options.filters));
	const where = feedbackFilterSql(options.filters, today);
	const groupCol = options.by ? answerGroupSql(options.by) : sql`NULL`;
	const grain = options.grain ?? 'week';
	// Over the whole archive the counts are kept per import (csat-counts.server.ts).
	const kept = !restrictsCases(options.filters, today);
	if (kept) await keepCsatCounts(db);
	// One join of the answers to their cases feeds the groups, the trend and the whole: three
	// separate queries each paid for the join (at 1,000,000 cases, 0.36 s each, against 0.22 s for all).
	// Periods are formatted after the grouping, once each, not on every answer.
	type Grouped = Row & { g: number; period: string | null };
	const [{ rows }, cov] = await Promise.all([
		kept
			? keptCsatCountsSql(options.by ?? null, grain).execute(db)
			: sql<Grouped>`
			SELECT GROUPING(grp, period) AS g, grp, strftime(period, '%Y-%m-%d') AS period, ${CSAT_COUNTS}
			FROM (SELECT ${groupCol} AS grp, date_trunc(${grain}, f.submitted_at) AS period, f.kind, f.csat FROM ${ANSWERS_WITH_CASES} WHERE ${where}) f
			GROUP BY GROUPING SETS ((grp), (period), ())
			ORDER BY g, grp, period`.execute(db),
		archiveCoverage(db)
	]);
	// GROUPING(grp, period): 1 = per group, 2 = per period, 3 = all. Groups come in name order
	// (nulls last), so groups with the same CSAT keep a fixed order after the sort below.
	const whole = rows.find((r) => Number(r.g) === 3);
	const groupRows = options.by ? rows.filter((r) => Number(r.g) === 1) : [];
	const trendRows = rows.filter((r): r is Grouped & { period: string } => Number(r.g) === 2 && r.period !== null);
	const stats = toStats(whole, null);
	const answers = Number(whole?.answers ?? 0);
	const noAnswers = answers === 0 && noneMatch('feedback answer', options.filters);
	const archive = missingRatings(cov);
	return {
		overall: stats,
		by: options.by ?? null,
		groups: groupRows.map((r) => toStats(r, r.grp)).sort((a, b) => (a.csat ?? 2) - (b.csat ?? 2)),
		trend: trendRows.map((r) => ({ ...toStats(r, null), period: r.period })),
		grain,
		definition: CSAT_DEFINITION,
		not_testable: firstNotTestable(
			archive,
			noAnswers,
			stats.rated === 0 && notTestable(`none of the ${answers.toLocaleString('en')} feedback answers in these filters has a 1-5 score`, WIDEN_FILTERS_FIX)
		),
		response_rate_not_testable: firstNotTestable(
			archive,
			cov.surveys === 0 && notTestable('no imported feedback answer is a survey (kind survey), so no survey was offered', 'import the survey answers with kind survey (the presets set it; in a saved mapping, give kind the default "survey")'),
			noAnswers,
			stats.surveys === 0 && notTestable(`none of the ${answers.toLocaleString('en')} feedback answers in these filters is a survey, so no survey was offered`, WIDEN_FILTERS_FIX)
		)
	};
}

/** Cached per data version and request (src/lib/metrics/filters/data-version.server.ts). */
export const csatReport = cachedReport('csat', computeCsatReport);
