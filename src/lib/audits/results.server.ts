import { sql, type Kysely } from 'kysely';
import { parseScorecard, type ScorecardBody } from './scorecard';
import { STRATIFY_DIMENSIONS, type StratifyDimension } from './sample-request';
import { DIMENSION_COLUMNS } from '../metrics/filters/model';
import { horvitzThompsonMean, type WeightedMean, type WeightedObservation } from '../core/stats/survey-estimator';
import { hajekShare, withProportionInterval } from '../core/stats/survey-proportion-ci';
import type { Database } from '../core/db/schema';

/**
 * The quality score (IQS) from submitted sample reviews, weighted by inclusion probabilities.
 *
 * - Weight of a reviewed case: 1 / pi, times (cases drawn / cases reviewed) in its sample
 *   stratum, so cases not yet reviewed do not shift weight between strata (a nonresponse
 *   adjustment that assumes the reviewed cases of a stratum are like the unreviewed ones).
 * - Estimator strata: sample x stratum. Finite population correction r_h / N_h for simple and
 *   stratified samples; none for risk-weighted ones (with-replacement approximation).
 * - Several samples pool as one design with each sample's strata: right when their populations
 *   do not overlap (e.g. one sample a month, or the exclusion window); the per-sample table
 *   shows each sample's own Horvitz-Thompson estimate.
 * - Calibration reviews never count here.
 */
export type ResultsBy = StratifyDimension;
export type ResultsGrain = 'week' | 'month';

export interface IqsRow extends WeightedMean {
	group: string;
}

export interface AuditResults {
	overall: WeightedMean;
	by: ResultsBy;
	groups: IqsRow[];
	grain: ResultsGrain;
	trend: IqsRow[];
	categories: (WeightedMean & { id: string; label: string })[];
	critical: (WeightedMean & { id: string; label: string })[];
	samples: (WeightedMean & { sample_id: number; design: string; drawn: number; reviewed: number; population: number })[];
	reviews: number;
	method: string;
}

interface ReviewedCase {
	sample_id: number;
	design: string;
	stratum: string;
	inclusion_probability: number;
	stratum_population: number;
	stratum_sampled: number;
	stratum_reviewed: number;
	sample_population: number;
	score: number;
	ratings: string | null;
	critical: string | null;
	body: string;
	grp: string | null;
	period: Date;
}

export const RESULTS_METHOD =
	'IQS = design-weighted mean review score (Hájek form of the Horvitz-Thompson estimator): sum(w × score) / sum(w), w = 1 / inclusion probability, adjusted within each sample stratum for cases not yet reviewed. 95% interval: Korn-Graubard, the exact binomial (Clopper-Pearson) interval on the effective sample size p(1 − p) / variance (Taylor linearisation, strata = sample × stratum), with a score read as its share of the 100 points; where every review agrees the effective size is the number of reviews (Kish, for unequal weights), so a score or rate of 0 or 100 still has an interval. The unweighted mean treats every reviewed case alike and is pulled toward whatever was oversampled.';

export async function auditResults(db: Kysely<Database>, options: { by?: string; grain?: string; sampleId?: number | null } = {}): Promise<AuditResults> {
	const by: ResultsBy = (STRATIFY_DIMENSIONS as readonly string[]).includes(options.by ?? '') ? (options.by as ResultsBy) : 'agent';
	const grain: ResultsGrain = options.grain === 'week' ? 'week' : 'month';
	const groupCol = sql.ref(`c.${DIMENSION_COLUMNS[by]}`);
	const { rows } = await sql<ReviewedCase>`
		WITH reviewed AS (
			SELECT r.sample_id, r.case_id, r.score, r.ratings, r.critical, r.template_id, sc.stratum, sc.draw_order, sc.inclusion_probability,
				count(*) OVER (PARTITION BY r.sample_id, sc.stratum) AS stratum_reviewed
			FROM audit_reviews r JOIN audit_sample_cases sc ON sc.sample_id = r.sample_id AND sc.case_id = r.case_id
			WHERE r.kind = 'sample' AND r.status = 'submitted' AND ${options.sampleId ? sql`r.sample_id = ${options.sampleId}` : sql`true`}
		)
		SELECT rv.sample_id, s.design, rv.stratum, rv.inclusion_probability, st.population AS stratum_population, st.sampled AS stratum_sampled,
			rv.stratum_reviewed, s.population AS sample_population, rv.score, rv.ratings, rv.critical, t.body,
			CAST(${groupCol} AS VARCHAR) AS grp, date_trunc(${grain}, c.created_at) AS period
		FROM reviewed rv
		JOIN audit_samples s ON s.sample_id = rv.sample_id
		JOIN audit_sample_strata st ON st.sample_id = rv.sample_id AND st.stratum = rv.stratum
		JOIN scorecard_templates t ON t.template_id = rv.template_id
		JOIN cases c ON c.case_id = rv.case_id
		ORDER BY rv.sample_id, rv.draw_order`.execute(db);

	const base = rows.map((r) => {
		const unequal = r.design === 'risk';
		return {
			weight: (1 / r.inclusion_probability) * (r.stratum_sampled / r.stratum_reviewed),
			stratum: `${r.sample_id}:${r.stratum}`,
			fraction: unequal ? 0 : Math.min(1, r.stratum_reviewed / r.stratum_population)
		};
	});
	const observe = (y: (r: ReviewedCase) => number | null, inDomain: (r: ReviewedCase) => boolean = () => true): WeightedObservation[] =>
		rows.flatMap((r, i) => {
			const value = y(r);
			// A review without the item (another template version) is outside the domain, not a zero.
			return [{ ...base[i], y: value ?? 0, inDomain: value !== null && inDomain(r) }];
		});
	const score = (r: ReviewedCase) => r.score;

	// Every value here (a review score, a category's share of its scale, a critical item failed as 100) lies in [0, 100].
	const points = { max: 100 };
	const overall = hajekShare(observe(score), points);
	const groupNames = [...new Set(rows.map((r) => r.grp ?? '(none)'))].sort();
	const groups = groupNames.map((g) => ({ group: g, ...hajekShare(observe(score, (r) => (r.grp ?? '(none)') === g), points) })).sort((a, b) => (a.estimate ?? 0) - (b.estimate ?? 0));
	const periods = [...new Set(rows.map((r) => r.period.toISOString().slice(0, 10)))].sort();
	const trend = periods.map((p) => ({ group: p, ...hajekShare(observe(score, (r) => r.period.toISOString().slice(0, 10) === p), points) }));

	const bodies = new Map<string, ScorecardBody>();
	const bodyOf = (r: ReviewedCase) => {
		let b = bodies.get(r.body);
		if (!b) bodies.set(r.body, (b = parseScorecard(r.body)));
		return b;
	};
	const categoryIds = new Map<string, string>();
	const criticalIds = new Map<string, string>();
	for (const r of rows) {
		for (const c of bodyOf(r).categories) categoryIds.set(c.id, c.label);
		for (const c of bodyOf(r).critical_items) criticalIds.set(c.id, c.label);
	}
	const categories = [...categoryIds].map(([id, label]) => ({
		id,
		label,
		...hajekShare(
			observe((r) => {
				const c = bodyOf(r).categories.find((x) => x.id === id);
				// A category marked N/A is stored without a rating (checkReviewScores in scorecard.ts), so the
				// review is outside the category's domain: not in its n, not a zero. A dispute that rates it later counts.
				const v = r.ratings ? (JSON.parse(r.ratings) as Record<string, number | null>)[id] : null;
				return c && typeof v === 'number' ? (100 * (v - c.scale.min)) / (c.scale.max - c.scale.min) : null;
			}),
			points
		)
	}));
	const critical = [...criticalIds].map(([id, label]) => ({
		id,
		label,
		// Estimated share of cases (in %) failing the item.
		...hajekShare(
			observe((r) => {
				if (!bodyOf(r).critical_items.some((x) => x.id === id)) return null;
				return r.critical && (JSON.parse(r.critical) as Record<string, boolean>)[id] ? 100 : 0;
			}),
			points
		)
	}));

	const sampleIds = [...new Set(rows.map((r) => r.sample_id))];
	const drawn = await db.selectFrom('audit_samples').select(['sample_id', 'size']).execute();
	const samples = sampleIds.map((id) => {
		const members = rows.map((r, i) => ({ r, o: { ...base[i], y: r.score } })).filter((x) => x.r.sample_id === id);
		const first = members[0].r;
		const obs = members.map((m) => m.o);
		return {
			sample_id: id,
			design: first.design,
			drawn: drawn.find((d) => d.sample_id === id)?.size ?? 0,
			reviewed: members.length,
			population: first.sample_population,
			...withProportionInterval(horvitzThompsonMean(obs, first.sample_population), obs, points)
		};
	});
	return { overall, by, groups, grain, trend, categories: categories.sort((a, b) => (a.estimate ?? 0) - (b.estimate ?? 0)), critical: critical.sort((a, b) => (b.estimate ?? 0) - (a.estimate ?? 0)), samples, reviews: rows.length, method: RESULTS_METHOD };
}
