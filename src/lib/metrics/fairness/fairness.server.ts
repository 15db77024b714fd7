import { cachedReport } from '../filters/data-version.server';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Filters } from '../filters/model';
import { formatChange, formatPoints, formatPValue, formatShare } from '../../core/format';
import { cochranMantelHaenszel, type Table2x2 } from '../../core/stats/cmh';
import { benjaminiHochberg } from '../../core/stats/multiple-testing';
import { wilsonInterval } from '../../core/stats/proportion-intervals';
import { directStandardise, meanStratum, rateStratum, standardisedDifference, type StratumEstimate } from '../../core/stats/standardise';
import { stratifiedRankTestFromRankSums, type RankSumStratum } from '../../core/stats/stratified-rank-test';
import type { Database } from '../../core/db/schema';
import { currentPolicy } from '../../core/policy/policy.server';
import { caseFilterSql, restrictsCases } from '../filters/case-filter-sql.server';
import { FAVOURABLE_OUTCOMES, fairnessSettings, orderValueBands, tenureBands, type Band, type FairnessSettings } from './fairness-groups.server';
import { column, GROUPS, groupingSql, groupMediansSql, KEPT, keepFairnessCases, type MedianRow } from './fairness-cases.server';
import { FAIRNESS_DIMENSIONS, FAIRNESS_MEASURES, FLAG_Q, DIMENSION_LABELS, DIMENSION_NOUNS, MEASURES, FAIRNESS_METHOD, type MeasureInfo, type FairnessCheck, type FairnessDimension, type FairnessMeasure, type FairnessStratum, type FairnessRow } from './model';
import { resolveToday } from '../filters/period.server';
import { archiveCoverage, missingColumn, missingRatings, noCases, singleRegion, tooFewGroups, type ArchiveCoverage } from '../coverage.server';
import { firstNotTestable, noneMatch, notTestable, WIDEN_FILTERS_FIX, type NotTestable } from '../model';
export { FAIRNESS_DIMENSIONS, FAIRNESS_MEASURES, FLAG_Q, DIMENSION_LABELS, MEASURES, FAIRNESS_METHOD } from './model';
export type { MeasureInfo } from './model';
export type { FairnessCheck, FairnessDimension, FairnessMeasure, FairnessStratum, FairnessRow } from './model';

/**
 * Fairness (README.md, Metrics): is every region, order-value band and account-tenure
 * band treated alike for the same case mix? For each group against all other groups: the
 * favourable-outcome rate of claims, the resolution time and CSAT, raw and adjusted for case mix,
 * with a confidence interval, a stratified test, Benjamini-Hochberg q-values over every
 * comparison on the page, and a flag only when the difference is significant, practically large
 * and based on enough cases. SQL does the counting in DuckDB; src/lib/core/stats does the statistics.
 */









export interface FairnessReport {
	policy_version: number;
	settings: FairnessSettings;
	dimensions: { dimension: FairnessDimension; label: string; groups: { group: string; label: string }[] }[];
	measures: MeasureInfo[];
	rows: FairnessRow[];
	method: string;
	/** Per dimension × measure: groups compared, or why none could be (then its rows have no test). */
	checks: FairnessCheck[];
	/** Comparisons made (rows with a p-value), over every dimension and measure. */
	compared: number;
	/** Set when no comparison at all could be made: "nothing flagged" would then mean nothing. */
	not_testable: NotTestable | null;
}

interface Cell {
	n: number;
	/** Rates: favourable count. Times: sum of log minutes. */
	e: number;
	/** Times: sum of squared log minutes. */
	s2: number;
}

/** Everything counted for one dimension and measure: cells[group][stratum]. */
interface Counts {
	strata: string[];
	cells: Map<string, Map<string, Cell>>;
	medians: Map<string, number | null>;
	unresolved: Map<string, number>;
}

function emptyCounts(): Counts {
	return { strata: [], cells: new Map(), medians: new Map(), unresolved: new Map() };
}

/** Within-stratum mid-rank sums of resolution times, ranked among the groups compared. */
interface Ranks {
	/** group -> stratum -> rank sum and size. */
	groups: Map<string, Map<string, { w: number; m: number }>>;
	/** stratum -> size and tie term sum(t^3 - t). */
	strata: Map<string, { N: number; ties: number }>;
}

const SEP = '\u0001';

function getMap<K, V>(m: Map<K, V>, k: K, make: () => V): V {
	let v = m.get(k);
	if (v === undefined) {
		v = make();
		m.set(k, v);
	}
	return v;
}

function formatQ(q: number | null): string {
	const text = formatPValue(q);
	return text === '–' ? 'q not available' : text.startsWith('<') ? `q ${text}` : `q = ${text}`;
}


function hoursText(h: number | null): string {
	if (h === null || !Number.isFinite(h)) return '–';
	return h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`;
}

function count(n: number): string {
	return n.toLocaleString('en');
}

/** "Customers in region latam", "Orders worth under 50 USD", "Customers with accounts under 90 days old". */
export function groupSubject(dimension: FairnessDimension, label: string): string {
	if (dimension === 'region') return `Customers in region ${label}`;
	if (dimension === 'order_value') return `Orders worth ${label}`;
	return `Customers with accounts ${label} old`;
}

/**
 * The row's finding in plain words (what, how much, for the same case mix) and, apart, the
 * statistics behind it (interval, q-value, cases) for "details".
 */
export function fairnessSentence(row: FairnessRow, restLabel: string): { sentence: string; details: string } {
	const subject = groupSubject(row.dimension, row.label);
	const unit = MEASURES[row.measure].unit;
	if (row.diff === null || row.ci_low === null || row.ci_high === null) {
		return { sentence: `${subject}: ${count(row.n)} ${unit}, too few in comparable case types to compare with ${restLabel}.`, details: '' };
	}
	const interval = row.measure === 'resolution_time' ? `${formatChange(row.ci_low)} to ${formatChange(row.ci_high)}` : `${formatPoints(row.ci_low, '')} to ${formatPoints(row.ci_high, '')} points`;
	const details = `95% CI ${interval}, ${formatQ(row.q_value)}, ${count(row.n)} ${unit}. Adjusted for case type and channel by direct standardisation; q-value by Benjamini-Hochberg over every comparison on the page.`;
	if (row.measure === 'resolution_time') {
		const dir = row.diff >= 0 ? 'longer' : 'shorter';
		return { sentence: `${subject} waited ${formatShare(Math.abs(row.diff))} ${dir} for a resolution than ${restLabel} with the same kinds of cases (raw median ${hoursText(row.raw)}).`, details };
	}
	const dir = row.diff >= 0 ? 'more' : 'less';
	const what = row.measure === 'favourable_rate' ? 'got a favourable outcome on' : 'rated 4-5 in';
	const of = row.measure === 'favourable_rate' ? 'of their claims' : 'of their survey answers';
	const similar = row.measure === 'favourable_rate' ? 'similar claims' : 'similar cases';
	return {
		sentence: `${subject} ${what} ${formatShare(row.raw)} ${of}, against ${formatShare(row.raw_rest)} for ${restLabel}: ${Math.abs(row.diff * 100).toFixed(1)} percentage points ${dir} often than ${similar} (same categories and channels).`,
		details
	};
}

function threshold(measure: FairnessMeasure, s: FairnessSettings): number {
	if (measure === 'favourable_rate') return s.rate_threshold_pp / 100;
	if (measure === 'resolution_time') return s.time_threshold_ratio;
	return s.csat_threshold;
}

function thresholdText(measure: FairnessMeasure, s: FairnessSettings): string {
	if (measure === 'favourable_rate') return `${s.rate_threshold_pp} percentage points`;
	if (measure === 'resolution_time') return `${Math.round(s.time_threshold_ratio * 100)}%`;
	return `${Math.round(s.csat_threshold * 1000) / 10} percentage points`;
}

/** Flag decision: significant, practically large and on enough cases; otherwise the first reason why not. */
export function flagDecision(row: Pick<FairnessRow, 'measure' | 'n' | 'diff' | 'q_value'>, s: FairnessSettings): string | null {
	if (row.n < s.min_group_size) return `fewer than ${s.min_group_size} ${MEASURES[row.measure].unit}`;
	if (row.diff === null || row.q_value === null || !Number.isFinite(row.q_value)) return 'no comparison possible';
	if (!(Math.abs(row.diff) > threshold(row.measure, s))) return `adjusted difference within the practical threshold (${thresholdText(row.measure, s)})`;
	if (!(row.q_value < FLAG_Q)) return `not significant after correction (${formatQ(row.q_value)})`;
	return null;
}

function sumCells(cells: Counts['cells'], groups: string[]): Map<string, Cell> {
	const out = new Map<string, Cell>();
	for (const g of groups) {
		for (const [k, c] of cells.get(g) ?? []) {
			const t = getMap(out, k, () => ({ n: 0, e: 0, s2: 0 }));
			t.n += c.n;
			t.e += c.e;
			t.s2 += c.s2;
		}
	}
	return out;
}

function rateStrata(strata: string[], cells: Map<string, Cell>): (StratumEstimate | null)[] {
	return strata.map((k) => {
		const c = cells.get(k);
		return c && c.n > 0 ? rateStratum(c.e, c.n) : null;
	});
}

function logStrata(strata: string[], cells: Map<string, Cell>): (StratumEstimate | null)[] {
	return strata.map((k) => {
		const c = cells.get(k);
		if (!c || c.n < 2) return null;
		const mean = c.e / c.n;
		const variance = Math.max(0, (c.s2 - c.n * mean * mean) / (c.n - 1));
		return meanStratum(c.n, mean, Math.sqrt(variance));
	});
}

/** Case type of a stratum key (case type × channel). */
function caseTypeOf(stratum: string): string {
	return stratum.split(SEP)[0];
}

type Comparison = Pick<FairnessRow, 'n' | 'rest_n' | 'raw' | 'raw_ci_low' | 'raw_ci_high' | 'raw_rest' | 'adjusted' | 'diff' | 'ci_low' | 'ci_high' | 'p_value' | 'coverage' | 'strata'>;

/** One group against the other groups (minus `excluded`) on one measure; `ranks` ranked without `excluded`. */
function compare(measure: FairnessMeasure, counts: Counts, groups: string[], group: string, excluded: string[], overallMedian: number | null, ranks?: Ranks): Comparison {
	const rest = groups.filter((g) => g !== group && !excluded.includes(g));
	const gCells = counts.cells.get(group) ?? new Map<string, Cell>();
	const rCells = sumCells(counts.cells, rest);
	const allCells = sumCells(counts.cells, groups);
	const weights = counts.strata.map((k) => allCells.get(k)?.n ?? 0);
	const total = (cells: Map<string, Cell>) => [...cells.values()].reduce((s, c) => ({ n: s.n + c.n, e: s.e + c.e }), { n: 0, e: 0 });
	const g = total(gCells);
	const r = total(rCells);
	const finite = (x: number) => (Number.isFinite(x) ? x : null);

	if (measure === 'resolution_time') {
		const gS = logStrata(counts.strata, gCells);
		const d = standardisedDifference(gS, logStrata(counts.strata, rCells), weights);
		const toAll = standardisedDifference(gS, logStrata(counts.strata, allCells), weights);
		const rankStrata: RankSumStratum[] = [];
		for (const [k, { w, m }] of ranks?.groups.get(group) ?? []) {
			const st = ranks?.strata.get(k);
			if (st) rankStrata.push({ rankSum: w, m, n: st.N - m, ties: st.ties });
		}
		const test = stratifiedRankTestFromRankSums(rankStrata);
		return {
			n: g.n,
			rest_n: r.n,
			raw: counts.medians.get(group) ?? null,
			raw_ci_low: null,
			raw_ci_high: null,
			raw_rest: null,
			adjusted: overallMedian !== null && Number.isFinite(toAll.estimate) ? overallMedian * Math.exp(toAll.estimate) : null,
			diff: finite(Math.expm1(d.estimate)),
			ci_low: finite(Math.expm1(d.lower)),
			ci_high: finite(Math.expm1(d.upper)),
			p_value: r.n > 0 && Number.isFinite(test.pValue) ? test.pValue : null,
			coverage: d.strataUsed > 0 ? d.coverage : null,
			// Filled in for flagged rows only (medians need the cases again): fairnessReport.
			strata: []
		};
	}

	const gS = rateStrata(counts.strata, gCells);
	const d = standardisedDifference(gS, rateStrata(counts.strata, rCells), weights);
	const adjusted = directStandardise(gS, weights);
	const tables = new Map<string, Table2x2>();
	const perType = new Map<string, { gn: number; ge: number; rn: number; re: number }>();
	for (const k of counts.strata) {
		const ct = caseTypeOf(k);
		const gc = gCells.get(k) ?? { n: 0, e: 0, s2: 0 };
		const rc = rCells.get(k) ?? { n: 0, e: 0, s2: 0 };
		const t = getMap(tables, ct, () => ({ a: 0, b: 0, c: 0, d: 0 }));
		t.a += gc.e;
		t.b += gc.n - gc.e;
		t.c += rc.e;
		t.d += rc.n - rc.e;
		const p = getMap(perType, ct, () => ({ gn: 0, ge: 0, rn: 0, re: 0 }));
		p.gn += gc.n;
		p.ge += gc.e;
		p.rn += rc.n;
		p.re += rc.e;
	}
	const cmh = cochranMantelHaenszel([...tables.values()], { correction: true });
	const ci = g.n > 0 ? wilsonInterval(g.e, g.n) : null;
	return {
		n: g.n,
		rest_n: r.n,
		raw: g.n ? g.e / g.n : null,
		raw_ci_low: ci?.lower ?? null,
		raw_ci_high: ci?.upper ?? null,
		raw_rest: r.n ? r.e / r.n : null,
		adjusted: finite(adjusted.estimate),
		diff: finite(d.estimate),
		ci_low: finite(d.lower),
		ci_high: finite(d.upper),
		p_value: Number.isFinite(cmh.pValue) ? cmh.pValue : null,
		coverage: d.strataUsed > 0 ? d.coverage : null,
		strata: [...perType.entries()]
			.filter(([, p]) => p.gn + p.rn > 0)
			.map(([stratum, p]) => ({ stratum, n: p.gn, value: p.gn ? p.ge / p.gn : null, rest_n: p.rn, rest_value: p.rn ? p.re / p.rn : null }))
	};
}

export interface FairnessOptions {
	filters: Filters;
	today?: Date;
}

/** The SQL pieces every query of one report shares. */
interface Context {
	db: Kysely<Database>;
	/** On fairness_cases, read as `c`. */
	where: RawBuilder<boolean>;
	/** Whether `where` keeps every case, so the ranks kept in fairness_cases are the ranks to sum. */
	unfiltered: boolean;
}

/**
 * The stratum a rank query sorts and partitions by. Sorting on the two strings costs about three
 * times as much as on their hash; a hash shared by two strata would mix their ranks, so the counts
 * query reports each stratum's hash and rankSums is run again by name when two strata share one.
 */
function stratumKey(byName: boolean): RawBuilder<string> {
	return byName ? sql<string>`${KEPT.ctype} || ${SEP} || ${KEPT.chan}` : sql<string>`hash(${KEPT.ctype}, ${KEPT.chan})`;
}

/**
 * Mid-rank sums of resolution times within each case type x channel stratum, per dimension and
 * group, ranking only the groups compared: `excluded` (dimension -> groups) are left out.
 * Exact times (seconds), ties get mid-ranks; the tie term feeds the variance.
 *
 * One row per case with its rank() and the count at or below it (le) among the cases its stratum
 * compares: their mean is the mid-rank, and le - rank + 1 the size t of the case's tie, so summing
 * t^2 - 1 over cases gives sum(t^3 - t) over distinct times. Every term is an integer (twice the
 * mid-rank), so the sums are exact whatever order DuckDB adds them in.
 *
 * When nothing is left out, every dimension ranks the same cases wherever each stratum has a group
 * of the dimension for all its resolved cases or for none (order value bands are missing for cases
 * without an order, in whole categories): then one ranking serves all three, and on the unfiltered
 * archive it is the one kept in fairness_cases, summed without sorting. The sums say whether a
 * stratum mixes cases with and without a group (a row without a group beside rows with one); if one
 * does, each dimension sorts its own cases, the ones without a group ranked last and dropped.
 * Strata come back keyed by `stratumKey`: the caller maps hashes to names.
 */
async function rankSums(ctx: Context, dims: FairnessDimension[], excluded: Map<FairnessDimension, string[]>, byName = false): Promise<Map<FairnessDimension, Ranks>> {
	const groupSql = GROUPS.filter((g) => dims.includes(g.dimension));
	const out = new Map<FairnessDimension, Ranks>(dims.map((d) => [d, { groups: new Map(), strata: new Map() }]));
	if (groupSql.length === 0) return out;
	type RankRow = { dim: FairnessDimension | null; grp: string | null; stratum: string; w2: number; m: number; ties: number };
	const resolved = sql`FROM fairness_cases c WHERE ${ctx.where} AND ${KEPT.sec} IS NOT NULL`;
	const stratum = stratumKey(byName);
	const rankedFrom = (source: RawBuilder<unknown>, order: RawBuilder<unknown>) =>
		sql`SELECT *, rank() OVER w AS rk, round(cume_dist() OVER w * count(*) OVER (PARTITION BY stratum))::BIGINT AS le FROM (${source}) WINDOW w AS (PARTITION BY stratum ORDER BY ${order})`;
	const sums = sql`stratum::VARCHAR AS stratum, sum(rk + le) AS w2, count(*) AS m, sum((le - rk + 1) * (le - rk + 1) - 1) AS ties`;
	let rows: RankRow[] | null = null;
	if (!groupSql.some((g) => (excluded.get(g.dimension)?.length ?? 0) > 0)) {
		const { groupColumns, dimOf, grpOf } = groupingSql(groupSql);
		const ranked = ctx.unfiltered
			? sql`SELECT ${stratum} AS stratum, ${groupColumns}, c.rk, c.le ${resolved}`
			: rankedFrom(sql`SELECT ${stratum} AS stratum, ${groupColumns}, ${KEPT.sec} AS sec ${resolved}`, sql`sec`);
		const shared = (
			await sql<RankRow>`SELECT ${dimOf} AS dim, ${grpOf} AS grp, ${sums} FROM (${ranked})
			GROUP BY GROUPING SETS (${sql.join(groupSql.map((g) => sql`(${column(g.dimension)}, stratum)`))})`.execute(ctx.db)
		).rows;
		if (!mixesGroupless(shared)) rows = shared;
	}
	if (!rows) {
		const perDimension = groupSql.map(({ dimension, expr }) => {
			const leftOut = excluded.get(dimension) ?? [];
			const grp = leftOut.length ? sql`CASE WHEN ${expr} IN (${sql.join(leftOut)}) THEN NULL ELSE ${expr} END` : expr;
			return sql`SELECT ${sql.lit(dimension)} AS dim, grp, ${sums}
				FROM (${rankedFrom(sql`SELECT ${stratum} AS stratum, ${grp} AS grp, ${KEPT.sec} AS sec ${resolved}`, sql`grp IS NULL, sec`)})
				WHERE grp IS NOT NULL GROUP BY ALL`;
		});
		rows = (await sql<RankRow>`${sql.join(perDimension, sql` UNION ALL `)}`.execute(ctx.db)).rows;
	}
	for (const row of rows) {
		// The shared ranking's grouping sets also give each dimension's cases without a group.
		if (row.dim === null || row.grp === null) continue;
		const ranks = out.get(row.dim);
		if (!ranks) continue;
		const m = Number(row.m);
		getMap(ranks.groups, row.grp, () => new Map()).set(row.stratum, { w: Number(row.w2) / 2, m });
		const st = getMap(ranks.strata, row.stratum, () => ({ N: 0, ties: 0 }));
		st.N += m;
		st.ties += Number(row.ties);
	}
	return out;
}

/** Whether, in rank sums per (dimension, group, stratum), some dimension's stratum has cases both with and without a group. */
function mixesGroupless(rows: { dim: FairnessDimension | null; grp: string | null; stratum: string }[]): boolean {
	const seen = new Map<string, { grouped: boolean; groupless: boolean }>();
	for (const r of rows) {
		const k = `${r.dim}${SEP}${r.stratum}`;
		const s = getMap(seen, k, () => ({ grouped: false, groupless: false }));
		if (r.grp === null) s.groupless = true;
		else s.grouped = true;
		if (s.grouped && s.groupless) return true;
	}
	return false;
}

/** `ranks` with its strata keyed by name instead of hash. */
function renameStrata(ranks: Map<FairnessDimension, Ranks>, names: Map<string, string>): Map<FairnessDimension, Ranks> {
	const rename = <V>(m: Map<string, V>): Map<string, V> => new Map([...m].map(([k, v]) => [names.get(k) ?? k, v]));
	return new Map([...ranks].map(([d, r]) => [d, { groups: new Map([...r.groups].map(([g, m]) => [g, rename(m)])), strata: rename(r.strata) }]));
}

/** Side by side per case type for a time row: the group's median hours against the comparison group's. */
async function timeStrata(ctx: Context, row: FairnessRow): Promise<FairnessStratum[]> {
	const g = GROUPS.find((x) => x.dimension === row.dimension);
	if (!g) return [];
	const leftOut = row.excluded_from_rest;
	const { rows } = await sql<{ stratum: string; n: number; med: number | null; rest_n: number; rest_med: number | null }>`
		SELECT ctype AS stratum, count(*) FILTER (WHERE mine) AS n, quantile_cont(h, 0.5) FILTER (WHERE mine) AS med,
			count(*) FILTER (WHERE NOT mine) AS rest_n, quantile_cont(h, 0.5) FILTER (WHERE NOT mine) AS rest_med
		FROM (SELECT ${KEPT.ctype} AS ctype, ${g.expr} AS grp, ${g.expr} = ${row.group} AS mine, ${KEPT.sec} / 3600.0 AS h
			FROM fairness_cases c WHERE ${ctx.where} AND ${KEPT.sec} IS NOT NULL)
		WHERE grp IS NOT NULL ${leftOut.length ? sql`AND grp NOT IN (${sql.join(leftOut)})` : sql``}
		GROUP BY 1 ORDER BY 1`.execute(ctx.db);
	return rows.filter((r) => r.n + r.rest_n > 0).map((r) => ({ stratum: r.stratum, n: r.n, value: r.med, rest_n: r.rest_n, rest_value: r.rest_med }));
}

/** The fairness report for the filtered cases. */
async function computeFairnessReport(db: Kysely<Database>, options: FairnessOptions): Promise<FairnessReport> {
	// Coverage is only needed for the checks at the end, so it runs alongside the counting queries
	// (the no-op catch keeps a failure before that await from being reported as unhandled).
	const coverage = archiveCoverage(db);
	coverage.catch(() => {});
	const [today, { version, policy }] = await Promise.all([options.today ?? resolveToday(db, options.filters), currentPolicy(db)]);
	const s = fairnessSettings(policy);
	const bandsOf: Record<FairnessDimension, Band[] | null> = {
		region: null,
		order_value: orderValueBands(s.order_value_bands, s.reporting_currency),
		tenure: tenureBands(s.tenure_band_days)
	};
	await keepFairnessCases(db, s);
	const ctx: Context = { db, where: caseFilterSql(options.filters, today), unfiltered: !restrictsCases(options.filters, today) };
	const { where } = ctx;
	// One row per case and GROUPING SETS, one set per dimension, instead of three rows per case.
	const { groupColumns, dimOf, grpOf } = groupingSql(GROUPS);
	const byStratum = sql.join(GROUPS.map((g) => sql`(${column(g.dimension)}, ctype, chan)`));

	type CaseRow = { dim: FairnessDimension | null; grp: string | null; ctype: string; chan: string; hk: string; claims: number; favourable: number; resolved: number; lt: number | null; lt2: number | null; answers: number; answers_fav: number };
	const [caseCounts, medians, hashedRanks] = await Promise.all([
		// Per stratum: claims and favourable ones; log minutes (at least 1 minute) of resolved cases,
		// n, sum and sum of squares, for the adjusted ratio; rated answers and favourable ones (counted
		// per case when fairness_cases was built); the stratum's hash for rankSums.
		sql<CaseRow>`SELECT ${dimOf} AS dim, ${grpOf} AS grp, ctype, chan, hash(ctype, chan)::VARCHAR AS hk,
			count(*) FILTER (WHERE claim) AS claims, count(*) FILTER (WHERE claim AND fav) AS favourable,
			count(*) FILTER (WHERE resolved) AS resolved, sum(lt) FILTER (WHERE resolved) AS lt, sum(lt * lt) FILTER (WHERE resolved) AS lt2,
			sum(answers) AS answers, sum(answers_fav) AS answers_fav FROM (
			SELECT ${groupColumns}, ${KEPT.ctype} AS ctype, ${KEPT.chan} AS chan, ${KEPT.claim} AS claim, ${KEPT.fav} AS fav,
				${KEPT.sec} IS NOT NULL AS resolved, ln(greatest(${KEPT.sec} / 60.0, 1)) AS lt, c.answers, c.answers_fav
			FROM fairness_cases c WHERE ${where}) GROUP BY GROUPING SETS (${byStratum})`.execute(db),
		// Over every case, kept with the table; filtered, a quantile per group.
		ctx.unfiltered ? sql<MedianRow>`SELECT * FROM fairness_group_medians`.execute(db) : groupMediansSql(where).execute(db),
		rankSums(ctx, [...FAIRNESS_DIMENSIONS], new Map())
	]);

	const counts = new Map<string, Counts>();
	const key = (dim: FairnessDimension, measure: FairnessMeasure) => `${dim}/${measure}`;
	const strataSets = new Map<string, Set<string>>();
	const add = (measure: FairnessMeasure, r: { dim: FairnessDimension | null; grp: string | null; ctype: string; chan: string }, n: number, e: number, s2: number) => {
		if (r.dim === null || r.grp === null || n === 0) return;
		const stratum = r.ctype + SEP + r.chan;
		const c = getMap(counts, key(r.dim, measure), emptyCounts);
		getMap(strataSets, key(r.dim, measure), () => new Set()).add(stratum);
		const cell = getMap(getMap(c.cells, r.grp, () => new Map()), stratum, () => ({ n: 0, e: 0, s2: 0 }));
		cell.n += n;
		cell.e += e;
		cell.s2 += s2;
	};
	const strataNames = new Map<string, string>();
	let sharedHash = false;
	for (const r of caseCounts.rows) {
		const name = r.ctype + SEP + r.chan;
		sharedHash ||= (strataNames.get(r.hk) ?? name) !== name;
		strataNames.set(r.hk, name);
		add('favourable_rate', r, Number(r.claims), Number(r.favourable), 0);
	}
	for (const r of caseCounts.rows) add('csat', r, Number(r.answers), Number(r.answers_fav), 0);
	for (const r of caseCounts.rows) add('resolution_time', r, Number(r.resolved), Number(r.lt), Number(r.lt2));
	const groupMedians = medians.rows.filter((m): m is typeof m & { dim: FairnessDimension; grp: string } => m.dim !== null && m.grp !== null);
	for (const m of groupMedians) {
		const c = getMap(counts, key(m.dim, 'resolution_time'), emptyCounts);
		c.medians.set(m.grp, m.med);
		c.unresolved.set(m.grp, m.total ? (m.total - m.resolved) / m.total : 0);
	}
	for (const [k, set] of strataSets) getMap(counts, k, emptyCounts).strata = [...set].sort();
	const overallMedian = medians.rows.find((m) => m.dim === null)?.med ?? null;
	const timeRanks = async (dims: FairnessDimension[], excluded: Map<FairnessDimension, string[]>) =>
		sharedHash ? rankSums(ctx, dims, excluded, true) : renameStrata(await rankSums(ctx, dims, excluded), strataNames);
	const ranks1 = sharedHash ? await timeRanks([...FAIRNESS_DIMENSIONS], new Map()) : renameStrata(hashedRanks, strataNames);

	// The groups of each dimension: bands in their order, regions by name; only groups with cases.
	const present = new Map<FairnessDimension, Set<string>>();
	for (const r of groupMedians) getMap(present, r.dim, () => new Set()).add(r.grp);
	for (const r of caseCounts.rows) if (r.dim !== null && r.grp !== null && Number(r.answers) > 0) getMap(present, r.dim, () => new Set()).add(r.grp);
	const dimensions = FAIRNESS_DIMENSIONS.map((dimension) => {
		const seen = present.get(dimension) ?? new Set<string>();
		const bands = bandsOf[dimension];
		const groups = bands ? bands.filter((b) => seen.has(b.key)).map((b) => ({ group: b.key, label: b.label })) : [...seen].sort().map((g) => ({ group: g, label: g }));
		return { dimension, label: DIMENSION_LABELS[dimension], groups };
	});

	// Round 1 compares every group with all others; later rounds leave flagged groups out of the
	// comparison group of the rest (flags, once raised, stay).
	const rows: FairnessRow[] = [];
	for (const d of dimensions) {
		const groups = d.groups.map((g) => g.group);
		for (const measure of FAIRNESS_MEASURES) {
			const c = counts.get(key(d.dimension, measure)) ?? emptyCounts();
			for (const g of d.groups) {
				rows.push({
					dimension: d.dimension,
					group: g.group,
					label: g.label,
					measure,
					...compare(measure, c, groups, g.group, [], overallMedian, ranks1.get(d.dimension)),
					q_value: null,
					flagged: false,
					why_not: null,
					excluded_from_rest: [],
					unresolved_share: measure === 'resolution_time' ? (c.unresolved.get(g.group) ?? null) : null,
					sentence: '',
					details: ''
				});
			}
		}
	}
	const decide = () => {
		const q = benjaminiHochberg(rows.map((r) => r.p_value));
		rows.forEach((r, i) => {
			r.q_value = Number.isFinite(q[i]) ? q[i] : null;
			if (flagDecision(r, s) === null) r.flagged = true;
			r.why_not = r.flagged ? null : flagDecision(r, s);
		});
	};
	decide();
	for (let round = 0; round < 10; round++) {
		const pending: { row: FairnessRow; excluded: string[] }[] = [];
		for (const d of dimensions) {
			for (const measure of FAIRNESS_MEASURES) {
				const mine = rows.filter((r) => r.dimension === d.dimension && r.measure === measure);
				const flagged = mine.filter((r) => r.flagged).map((r) => r.group);
				for (const r of mine) if (!r.flagged && flagged.some((f) => !r.excluded_from_rest.includes(f))) pending.push({ row: r, excluded: flagged });
			}
		}
		if (pending.length === 0) break;
		const timeExcluded = new Map<FairnessDimension, string[]>();
		for (const p of pending) if (p.row.measure === 'resolution_time') timeExcluded.set(p.row.dimension, p.excluded);
		const ranks = await timeRanks([...timeExcluded.keys()], timeExcluded);
		for (const { row, excluded } of pending) {
			const groups = dimensions.find((d) => d.dimension === row.dimension)?.groups.map((g) => g.group) ?? [];
			Object.assign(row, compare(row.measure, counts.get(key(row.dimension, row.measure)) ?? emptyCounts(), groups, row.group, excluded, overallMedian, ranks.get(row.dimension)));
			row.excluded_from_rest = excluded;
		}
		decide();
	}
	await Promise.all(rows.filter((r) => r.flagged && r.measure === 'resolution_time').map(async (r) => (r.strata = await timeStrata(ctx, r))));
	const labelOf = new Map(dimensions.flatMap((d) => d.groups.map((g) => [`${d.dimension}/${g.group}`, g.label] as const)));
	for (const r of rows) {
		const restLabel = r.excluded_from_rest.length ? `the other groups except ${r.excluded_from_rest.map((g) => labelOf.get(`${r.dimension}/${g}`) ?? g).join(', ')} (flagged)` : 'all other groups';
		Object.assign(r, fairnessSentence(r, restLabel));
	}
	const cases = groupMedians.filter((m) => m.dim === 'region').reduce((n, m) => n + Number(m.total), 0);
	const cov = await coverage;
	const checks = fairnessChecks(rows, cov, cases, options.filters, s.min_group_size);
	const compared = rows.filter((r) => r.p_value !== null).length;
	const untestable = checks.filter((c) => c.not_testable).map((c) => c.not_testable as NotTestable);
	const not_testable =
		compared > 0
			? null
			: firstNotTestable(noCases(cov), cases === 0 && noneMatch('case', options.filters)) ??
				notTestable(`no group could be compared on any measure: ${[...new Set(untestable.map((u) => u.reason))].join('; ')}`, [...new Set(untestable.map((u) => u.fix))].join('; ') || WIDEN_FILTERS_FIX);
	return { policy_version: version, settings: s, dimensions, measures: FAIRNESS_MEASURES.map((m) => MEASURES[m]), rows, method: FAIRNESS_METHOD, checks, compared, not_testable };
}

/** What each measure needs in the archive before any group can be compared on it. */
function measureMissing(measure: FairnessMeasure, cov: ArchiveCoverage): NotTestable | null {
	if (measure === 'favourable_rate') return firstNotTestable(missingColumn(cov, 'outcome'), missingColumn(cov, 'stage'));
	if (measure === 'resolution_time') return missingColumn(cov, 'resolved_at');
	return firstNotTestable(
		noCases(cov),
		missingRatings(cov),
		cov.rated_linked === 0 && notTestable('no rated feedback answer belongs to an imported case', "map the feedback export's ticket id to case_id, and import the cases it refers to")
	);
}

/** What each dimension needs in the archive: more than one region, order values, account-creation dates. */
function dimensionMissing(dimension: FairnessDimension, cov: ArchiveCoverage): NotTestable | null {
	if (dimension === 'region') return singleRegion(cov);
	return missingColumn(cov, dimension === 'order_value' ? 'order_value' : 'customer_since');
}

/**
 * Per dimension × measure, why no group could be compared (or null): the filters match no case,
 * the archive lacks what the measure or the dimension needs, the filters leave none of the
 * measure's cases, fewer than two groups have any, or none has enough in case types the others
 * have too.
 */
function fairnessChecks(rows: FairnessRow[], cov: ArchiveCoverage, cases: number, filters: Filters, min: number): FairnessCheck[] {
	return FAIRNESS_DIMENSIONS.flatMap((dimension) =>
		FAIRNESS_MEASURES.map((measure): FairnessCheck => {
			const mine = rows.filter((r) => r.dimension === dimension && r.measure === measure);
			const withData = mine.filter((r) => r.n > 0);
			const compared = mine.filter((r) => r.p_value !== null).length;
			const unit = MEASURES[measure].unit.replace(/s$/, '');
			const units = rows.filter((r) => r.dimension === 'region' && r.measure === measure).reduce((n, r) => n + r.n, 0);
			const noun = DIMENSION_NOUNS[dimension];
			const not_testable = firstNotTestable(
				noCases(cov),
				cases === 0 && noneMatch('case', filters),
				measureMissing(measure, cov),
				dimensionMissing(dimension, cov),
				units === 0 && notTestable(`no ${unit} matches these filters`, WIDEN_FILTERS_FIX),
				tooFewGroups(
					withData.map((r) => r.label),
					unit,
					noun,
					dimension === 'region' && Boolean(filters.dims.region?.length)
				),
				compared === 0 && notTestable(`no ${noun} could be compared: too few ${MEASURES[measure].unit} in case types the other groups have too (a group needs ${min} to be flagged)`, WIDEN_FILTERS_FIX)
			);
			return { dimension, measure, groups: withData.length, compared, not_testable };
		})
	);
}

/** Cached per data version and request (src/lib/metrics/filters/data-version.server.ts). */
export const fairnessReport = cachedReport('fairness', computeFairnessReport);
