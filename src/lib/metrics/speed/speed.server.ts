import { sql, type Kysely, type RawBuilder } from 'kysely';
import { DIMENSION_COLUMNS, type FilterDimension, type Filters } from '../filters/model';
import { kmSummary, type KmQuantileResult } from '../../core/stats/kaplan-meier';
import type { Database } from '../../core/db/schema';
import { currentPolicy } from '../../core/policy/policy.server';
import { CASE_FILTER_COLUMNS, caseFilterSql, restrictsCases } from '../filters/case-filter-sql.server';
import { binnedSql, keptBinnedSql, keptTrendSql, MEASURES, speedSummarySql, STATE, trendSql, type TrendGrain } from './speed-scans.server';
import { snapshotTime } from '../filters/snapshot.server';
import { cachedReport, keptByData } from '../filters/data-version.server';
import { keepCurrent, settingsOfSql } from '../../core/db/derived-tables.server';
import { attainment, bracketDistribution, TARGET_BASES, type AttainmentPair, type BracketDistribution, type SpeedBasis, type SpeedMeasure, type SpeedStats, type SpeedTarget, type TargetBasis } from './model';
import publishedPolicy from '../../../../config/policy.json';
import { businessCalendars, describeCalendar, type BusinessCalendars } from '../../core/business-hours/model';
import { businessClockSql, calendarDays, calendarIndexSql, calendarJoinSql, calendarSql } from '../../core/business-hours/business-hours.server';
import { resolveToday } from '../filters/period.server';
import { archiveCoverage, columnFix, missingColumn, noCases } from '../coverage.server';
import { firstNotTestable, noneMatch, notTestable, type NotTestable } from '../model';
export type { SpeedMeasure, SpeedStats } from './model';
export type { TrendGrain } from './speed-scans.server';

export const SPEED_DEFINITIONS: Record<SpeedMeasure, string> = {
	first_response: 'First response time = first public agent reply − case opened.',
	resolution: 'Resolution time = final resolution − case opened.'
};

export const SPEED_METHOD =
	'Median and p90 in the headline are Kaplan-Meier estimates: a case still without a reply (or resolution) counts as "at least this old" at the archive snapshot instead of being dropped, with a 95% confidence interval (Greenwood, log scale, as R survival). The mean and the "observed" median and p90 use answered (resolved) cases only and are shown beside it. Durations are binned to 1 minute below 10 hours, 10 minutes below 100 hours and 1 hour beyond. The trend gives the exact median and p90 of the answered cases opened in each period.';


export const ATTAINMENT_METHOD =
	'Share within target = cases answered (resolved) within the target ÷ those cases plus the cases that missed it. A case still open at the archive snapshot counts as having missed the target once it is older than the target there; a younger open case may still make it and is left out of the share. Business hours count only the open hours of the case\'s region (its time zone, weekly hours and holidays in the policy; regions the policy does not list use its default calendar), following daylight-saving changes; a time the export gave in business hours is taken as it is.';

export interface SpeedTrendPoint {
	period: string;
	n: number;
	median: number | null;
	p90: number | null;
	open_share: number;
	attainment: AttainmentPair | null;
}

export interface SpeedReport {
	measure: SpeedMeasure;
	snapshot: string | null;
	target_hours: number | null;
	/** The target as applied (per channel, on which basis); null when the policy sets none for the measure. */
	target: SpeedTarget | null;
	/** Each listed region's calendar in words, and the default's under region null. */
	calendars: { region: string | null; calendar: string }[];
	attainment_method: string;
	overall: SpeedStats;
	by: FilterDimension | null;
	groups: SpeedStats[];
	trend: SpeedTrendPoint[];
	grain: TrendGrain;
	definition: string;
	method: string;
	/**
	 * Set when the measure cannot be computed: no case in the archive has the event's column
	 * (every case would count as "still unanswered"), or no case matches the filters.
	 */
	not_testable: NotTestable | null;
	/** Measured times by basis: a business-hours duration is not a calendar one (see the page's note). */
	basis: SpeedBasis;
	/** The export's own brackets for this measure (Zendesk Explore), when it gave ranges instead of times. */
	brackets: BracketDistribution | null;
}

const EVENT_COLUMN: Record<SpeedMeasure, 'first_response_at' | 'resolved_at'> = { first_response: 'first_response_at', resolution: 'resolved_at' };
const BASIS_COLUMN: Record<SpeedMeasure, 'first_response_basis' | 'resolution_basis'> = { first_response: 'first_response_basis', resolution: 'resolution_basis' };
const BRACKET_COLUMN: Record<SpeedMeasure, 'first_response_bracket' | 'resolution_bracket'> = { first_response: 'first_response_bracket', resolution: 'resolution_bracket' };
// Binned minutes: exact to the minute where precision matters, coarser in the long tail.
const BIN = (m: string) => `CASE WHEN ${m} < 600 THEN floor(${m}) WHEN ${m} < 6000 THEN floor(${m} / 10) * 10 ELSE floor(${m} / 60) * 60 END`;

function hours(minutes: number | null): number | null {
	return minutes === null ? null : minutes / 60;
}

function kmNote(q: KmQuantileResult): string | null {
	if (q.reason === 'no-data') return 'no cases';
	if (q.reason === 'no-events') return 'no case has the event yet';
	if (q.reason === 'not-reached') return 'fewer than half the cases have the event';
	return null;
}

async function computeSpeedReport(
	db: Kysely<Database>,
	options: {
		measure: SpeedMeasure;
		filters: Filters;
		by?: FilterDimension | null;
		grain?: TrendGrain;
		today?: Date;
		/** The headline alone (overall, target, not testable): no groups and no trend, a fraction of the scan. */
		headline?: boolean;
	}
): Promise<SpeedReport> {
	const today = options.today ?? (await resolveToday(db, options.filters));
	const [snapshot, cov] = await Promise.all([snapshotTime(db), archiveCoverage(db)]);
	const event = sql.ref(`c.${EVENT_COLUMN[options.measure]}`);
	const where = caseFilterSql(options.filters, today);
	const headline = options.headline ?? false;
	// The headline has no groups.
	const by = headline ? null : (options.by ?? null);
	const grain = options.grain ?? 'week';
	const policy = (await currentPolicy(db)).policy;
	const target = speedTarget(policy, options.measure);
	const calendars = businessCalendars(policy);
	await keepSpeedClock(db, policy, snapshot);
	// Over the whole archive the groupings are kept with the clock (speed-scans.server.ts).
	const kept = !restrictsCases(options.filters, today);
	const [scan, trend] = await Promise.all([
		binnedScan(db, { measure: options.measure, where, by, grain, periods: !headline, kept }, Boolean(target && snapshot)),
		headline ? [] : trendScan(db, { measure: options.measure, where, grain, kept })
	]);
	const km = scan.bins;

	interface Bins {
		t: number[];
		d: number[];
		c: number[];
		sum: number;
	}
	const byGroup = new Map<string | null, Bins>();
	const all = new Map<number, { d: number; c: number }>();
	let allSum = 0;
	let businessHours = 0;
	for (const r of km) {
		businessHours += Number(r.b);
		const g = byGroup.get(r.grp) ?? { t: [], d: [], c: [], sum: 0 };
		g.t.push(r.t);
		g.d.push(r.d);
		g.c.push(r.c);
		g.sum += r.s ?? 0;
		byGroup.set(r.grp, g);
		const a = all.get(r.t) ?? { d: 0, c: 0 };
		a.d += r.d;
		a.c += r.c;
		all.set(r.t, a);
		allSum += r.s ?? 0;
	}
	const stats = (group: string | null, input: Bins): SpeedStats => {
		const summary = kmSummary({ times: input.t, events: input.d, censored: input.c }, [0.5, 0.9]);
		// The same estimator with the open cases left out: what a report that drops them would say.
		const observed = kmSummary({ times: input.t, events: input.d, censored: input.c.map(() => 0) }, [0.5, 0.9]);
		const [median, p90] = summary.quantiles;
		return {
			group,
			n: summary.n,
			events: summary.events,
			open_share: summary.n ? summary.censored / summary.n : 0,
			km_median: hours(median.estimate),
			km_median_low: hours(median.lower),
			km_median_high: hours(median.upper),
			km_p90: hours(p90.estimate),
			observed_median: hours(observed.quantiles[0].estimate),
			observed_p90: hours(observed.quantiles[1].estimate),
			mean: summary.events ? hours(input.sum / summary.events) : null,
			km_note: kmNote(median),
			attainment: null
		};
	};
	const sortedAll = [...all.entries()].sort((a, b) => a[0] - b[0]);
	const overall = stats(null, { t: sortedAll.map((e) => e[0]), d: sortedAll.map((e) => e[1].d), c: sortedAll.map((e) => e[1].c), sum: allSum });
	// Slowest first: the table a lead reads top-down.
	const groups = by
		? [...byGroup.entries()].map(([g, input]) => stats(g, input)).sort((a, b) => (b.km_median ?? Infinity) - (a.km_median ?? Infinity))
		: [];

	// Brackets are rare (Zendesk Explore reports): the filtered scan runs only when the archive has any.
	const bracketColumn = sql.ref(`c.${BRACKET_COLUMN[options.measure]}`);
	const hasBrackets = await keptByData(db, `speed-brackets-${options.measure}`, async () => {
		const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM cases c WHERE ${bracketColumn} IS NOT NULL LIMIT 1)`.execute(db);
		return Number(rows[0]?.n ?? 0) > 0;
	});
	const bracketRows = hasBrackets
		? (await sql<{ bracket: string; cases: number }>`SELECT ${bracketColumn} AS bracket, count(*) AS cases FROM cases c WHERE ${where} AND ${bracketColumn} IS NOT NULL GROUP BY 1`.execute(db)).rows
		: [];

	// The archive may hold the column (other imports do) while the cases in scope never had it: an
	// Explore report gives brackets, a Salesforce export no reply time. With no event at all in
	// scope, solved or closed cases (or brackets) say the time is missing, not that no one answered.
	let missingInScope: NotTestable | null = null;
	if (overall.n > 0 && overall.events === 0) {
		const what = options.measure === 'first_response' ? 'first reply' : 'resolution';
		if (bracketRows.length) {
			missingInScope = notTestable(`the cases in scope come from an export that gives the ${what} time as brackets, not times (see the brackets below)`, columnFix(EVENT_COLUMN[options.measure]));
		} else {
			const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM cases c WHERE ${where} AND c.status IN ('solved', 'closed')`.execute(db);
			const done = Number(rows[0]?.n ?? 0);
			if (done > 0) missingInScope = notTestable(`none of the ${overall.n.toLocaleString('en')} cases in scope has a ${what} time, although ${done.toLocaleString('en')} of them are solved or closed: their export's column was not imported`, columnFix(EVENT_COLUMN[options.measure]));
		}
	}
	const not_testable = firstNotTestable(
		noCases(cov),
		overall.n === 0 && noneMatch('case', options.filters),
		missingColumn(cov, EVENT_COLUMN[options.measure]),
		missingInScope
	);
	const met = scan.attainment && overall.n > 0 ? scan.attainment : null;
	if (met) {
		const key = (g: string | null) => g ?? NULL_GROUP;
		overall.attainment = met.overall;
		for (const g of groups) g.attainment = met.groups.get(key(g.group)) ?? null;
	}
	return {
		measure: options.measure,
		snapshot: snapshot ? snapshot.toISOString() : null,
		target_hours: target?.hours ?? null,
		target,
		calendars: [...Object.entries(calendars.regions).map(([region, cal]) => ({ region, calendar: describeCalendar(cal) })), { region: null, calendar: describeCalendar(calendars.default) }],
		attainment_method: ATTAINMENT_METHOD,
		overall,
		by,
		groups,
		trend: trend.map((t) => ({ period: t.period, n: t.n, median: t.med, p90: t.p90, open_share: t.n ? t.open / t.n : 0, attainment: met?.periods.get(t.period) ?? null })),
		grain,
		definition: SPEED_DEFINITIONS[options.measure],
		method: SPEED_METHOD,
		not_testable,
		basis: { calendar: overall.events - businessHours, business_hours: businessHours },
		brackets: bracketRows.length ? bracketDistribution(bracketRows.map((r) => ({ bracket: r.bracket, cases: Number(r.cases) }))) : null
	};
}

type Doc = Record<string, unknown>;

function lookup(doc: unknown, path: string[]): unknown {
	let v: unknown = doc;
	for (const key of path) v = v && typeof v === 'object' ? (v as Doc)[key] : undefined;
	return v;
}

/**
 * The measure's target from the policy in force; a key an older stored version lacks reads the
 * published one (config/policy.json), as src/lib/metrics/fairness/fairness-groups.server.ts does.
 */
export function speedTarget(policy: Doc, measure: SpeedMeasure): SpeedTarget | null {
	const pick = (...path: string[]): unknown => lookup(policy, path) ?? lookup(publishedPolicy, path);
	const hoursKey = `${measure}_hours`;
	const hours = pick('targets', hoursKey);
	if (typeof hours !== 'number' || !Number.isFinite(hours)) return null;
	const basis = pick('targets', `${measure}_basis`);
	const channels = pick('targets', 'channels');
	const own = Object.entries(channels && typeof channels === 'object' ? (channels as Doc) : {}).flatMap(([channel, t]): [string, number][] => {
		const h = lookup(t, [hoursKey]);
		return typeof h === 'number' && Number.isFinite(h) ? [[channel, h]] : [];
	});
	return { hours, basis: TARGET_BASES.includes(basis as TargetBasis) ? (basis as TargetBasis) : 'calendar', channels: Object.fromEntries(own) };
}

const NULL_GROUP = '\u0000none';

/** The archive's first case: where the business calendar has to start. Changes only with an import. */
function firstCaseTime(db: Kysely<Database>): Promise<Date | null> {
	return keptByData(db, 'speed-first-case', async () => {
		const { rows } = await sql<{ t: Date | null }>`SELECT min(created_at) AS t FROM cases`.execute(db);
		return rows[0]?.t ?? null;
	});
}

/**
 * The one definition of a breach, over a row of targetClockSql: answered after the target, or still
 * open and already older than it at the snapshot. The share within target and the case list's
 * `breached=` filter both read it, so the list holds exactly the cases the Speed page counts.
 * Business time never runs faster than the clock on the wall (a day's open stretches may not
 * overlap, src/lib/core/business-hours/model.ts), so a case within the target in calendar time is
 * within it in business time too: testing that first lets the list skip the calendar lookups of
 * most cases.
 */
function breachedOn(basis: TargetBasis, measure: SpeedMeasure): RawBuilder<boolean> {
	const [cal, bh, target] = [clockRef(measure, 'cal'), clockRef(measure, 'bh'), clockRef(measure, 'target_s')];
	return basis === 'calendar' ? sql<boolean>`${cal} > ${target}` : sql<boolean>`(${cal} > ${target} AND ${bh} > ${target})`;
}

/** A column of targetClockSql's rows: `<measure>_<name>`. */
function clockRef(measure: SpeedMeasure, name: 'cal' | 'bh' | 'target_s' | 't1' | 'recorded_business'): RawBuilder<unknown> {
	return sql.ref(`${measure}_${name}`);
}

/** Whether the export gave the measure's time in business hours (then it is taken as it is). */
function recordedInBusinessHours(measure: SpeedMeasure): RawBuilder<boolean> {
	return sql<boolean>`coalesce(${sql.ref(`c.${BASIS_COLUMN[measure]}`)} = 'business_hours', false)`;
}

/** A case's target in seconds: its channel's where the policy sets one, else the measure's (c is the cases table). */
export function targetSecondsSql(target: SpeedTarget): RawBuilder<number> {
	const channels = Object.entries(target.channels);
	return channels.length
		? sql<number>`CASE ${sql.join(channels.map(([ch, h]) => sql`WHEN c.channel = ${ch} THEN ${h * 3600}::DOUBLE`), sql` `)} ELSE ${target.hours * 3600}::DOUBLE END`
		: sql<number>`${target.hours * 3600}::DOUBLE`;
}

type Timed = { measure: SpeedMeasure; target: SpeedTarget };

/**
 * One row per case in `where` (over `cases c`), timed against each measure's target in `timed`
 * (at least one): per measure, `<measure>_cal` and `<measure>_bh`, the calendar and business
 * seconds from opening to the event or, still open, to the snapshot, and `<measure>_target_s`,
 * the target of the case's channel in seconds; and the `carry` columns. The business time is two
 * lookups in the region's calendar (src/lib/core/business-hours/business-hours.server.ts), made
 * only for the cases past a target on the calendar: business time never exceeds calendar time, so
 * for the others `bh` holds the calendar time, which gives the same verdict (at 1,000,000 cases
 * the lookups were half of the Speed page's time). `bh` is therefore a verdict clock, not a
 * duration to show. Every measure in one pass: the Speed clock times both without joining the
 * cases to themselves.
 */
async function targetClockSql(
	db: Kysely<Database>,
	options: { timed: Timed[]; where: RawBuilder<boolean>; carry: RawBuilder<unknown> },
	calendars: BusinessCalendars,
	snapshot: Date
): Promise<RawBuilder<unknown>> {
	const first = (await firstCaseTime(db)) ?? snapshot;
	const days = calendarDays(first, snapshot);
	const per = options.timed.map(({ measure, target }) => {
		const t1 = sql`coalesce(${sql.ref(`c.${EVENT_COLUMN[measure]}`)}, ${snapshot}::TIMESTAMP)`;
		return sql`greatest(epoch(${t1} - c.created_at), 0) AS ${clockRef(measure, 'cal')}, ${recordedInBusinessHours(measure)} AS ${clockRef(measure, 'recorded_business')},
			${targetSecondsSql(target)} AS ${clockRef(measure, 'target_s')}, ${t1} AS ${clockRef(measure, 't1')}`;
	});
	// A time the export already gave in business hours is taken as it is, and so is a case within
	// its target on the calendar: its business time is no longer, so the verdict is the same.
	const lookup = (m: SpeedMeasure) => sql<boolean>`(NOT ${clockRef(m, 'recorded_business')} AND ${clockRef(m, 'cal')} > ${clockRef(m, 'target_s')})`;
	const anyLookup = sql.join(options.timed.map((t) => lookup(t.measure)), sql` OR `);
	const opened = businessClockSql(calendars, 'a', sql.ref('d.t0'));
	const business = options.timed.map(({ measure }) => {
		const at = `b_${measure}`;
		return {
			join: calendarJoinSql(at, sql.ref('d.k'), sql.ref(`d.${measure}_t1`)),
			bh: sql`CASE WHEN ${lookup(measure)} THEN ${businessClockSql(calendars, at, sql.ref(`d.${measure}_t1`))} - ${opened} ELSE ${clockRef(measure, 'cal')} END AS ${clockRef(measure, 'bh')}`
		};
	});
	// Materialized: inlined, the calendar's window sums were computed again for each lookup.
	return sql`
		WITH cal AS MATERIALIZED (${calendarSql(calendars, days.from, days.to)}),
		d AS (
			SELECT ${options.carry}, ${sql.join(per)}, ${calendarIndexSql(calendars, sql.ref('c.region'))} AS k, c.created_at AS t0
			FROM cases c WHERE ${options.where}
		)
		SELECT d.*, ${sql.join(options.timed.map(({ measure }) => sql`${clockRef(measure, 'cal')} AS ${clockRef(measure, 'bh')}`))} FROM d WHERE NOT (${anyLookup})
		UNION ALL
		SELECT d.*, ${sql.join(business.map((b) => b.bh))}
		FROM d ${calendarJoinSql('a', sql.ref('d.k'), sql.ref('d.t0'))} ${sql.join(business.map((b) => b.join), sql` `)}
		WHERE ${anyLookup}`;
}

/**
 * `condition`: `c.case_id` is one of the cases in `where` that the Speed page counts as breached
 * for `measure`, on the policy's basis and against the same snapshot (a younger open case is not);
 * `target`: the policy's target it was measured against. Null when the policy sets no target for
 * the measure. For the case list's `breached=` filter (src/lib/cases/case-list.server.ts).
 */
export async function breachedCasesSql(
	db: Kysely<Database>,
	measure: SpeedMeasure,
	where: RawBuilder<boolean>,
	snapshot: Date | null
): Promise<{ target: SpeedTarget; condition: RawBuilder<boolean> } | null> {
	const policy = (await currentPolicy(db)).policy;
	const target = speedTarget(policy, measure);
	if (!target) return null;
	if (!snapshot) return { target, condition: sql<boolean>`false` };
	const clock = await targetClockSql(db, { timed: [{ measure, target }], where, carry: sql`c.case_id` }, businessCalendars(policy), snapshot);
	// IN over an uncorrelated subquery: the calendar is built and joined once, not per listed case.
	return { target, condition: sql<boolean>`c.case_id IN (SELECT t.case_id FROM (${clock}) t WHERE ${breachedOn(target.basis, measure)})` };
}

type AttainmentCounts = Record<`${'cal' | 'bh'}_${'within' | 'breached' | 'open_breached' | 'pending'}`, number>;
const ATTAINMENT_KEYS = (['cal', 'bh'] as const).flatMap((b) => (['within', 'breached', 'open_breached', 'pending'] as const).map((k) => `${b}_${k}` as const));
type BinRow = { grp: string | null; t: number; d: number; c: number; s: number | null; b: number };

function pairOf(r: AttainmentCounts): AttainmentPair {
	return {
		calendar: attainment(r.cal_within, r.cal_breached, r.cal_open_breached, r.cal_pending),
		business_hours: attainment(r.bh_within, r.bh_breached, r.bh_open_breached, r.bh_pending)
	};
}

/**
 * Every case timed against each measure's target, as speed_clock holds it: minutes to the event
 * or the snapshot, their bin, and the verdict on both bases by the one definition of a breach
 * (breachedOn over targetClockSql). Without a target the verdict bits stay 0 and no calendar is
 * looked up.
 */
async function speedClockSql(db: Kysely<Database>, policy: Doc, snapshot: Date | null): Promise<RawBuilder<unknown>> {
	const timed = snapshot ? MEASURES.flatMap((measure): Timed[] => { const target = speedTarget(policy, measure); return target ? [{ measure, target }] : []; }) : [];
	const carry = sql.join([
		...CASE_FILTER_COLUMNS.map((col) => sql.ref(`c.${col}`)),
		...MEASURES.flatMap((measure) => {
			const event = sql.ref(`c.${EVENT_COLUMN[measure]}`);
			return [
				sql`epoch(coalesce(${event}, ${snapshot ?? new Date(0)}::TIMESTAMP) - c.created_at) / 60.0 AS ${sql.ref(`${measure}_minutes`)}`,
				sql`${event} IS NOT NULL AS ${sql.ref(`${measure}_happened`)}`,
				sql`${recordedInBusinessHours(measure)} AS ${sql.ref(`${measure}_recorded`)}`
			];
		})
	]);
	const rows = snapshot && timed.length ? await targetClockSql(db, { timed, where: sql`true`, carry }, businessCalendars(policy), snapshot) : sql`SELECT ${carry} FROM cases c`;
	const bit = (condition: RawBuilder<unknown>, value: number) => sql`coalesce((${condition})::INTEGER, 0) * ${sql.lit(value)}`;
	const perMeasure = MEASURES.map((measure) => {
		const verdicts = timed.some((t) => t.measure === measure) ? [bit(breachedOn('calendar', measure), STATE.cal_breached), bit(breachedOn('business_hours', measure), STATE.bh_breached)] : [];
		const state = sql.join([bit(sql.ref(`${measure}_happened`), STATE.happened), bit(sql.ref(`${measure}_recorded`), STATE.recorded_business), ...verdicts], sql` + `);
		return sql`${sql.ref(`${measure}_minutes`)}, greatest(${sql.raw(BIN(`${measure}_minutes`))}, 0) AS ${sql.ref(`${measure}_bin`)}, (${state})::UTINYINT AS ${sql.ref(`${measure}_state`)}`;
	});
	return sql`SELECT ${sql.join(CASE_FILTER_COLUMNS.map((col) => sql.ref(col)))}, ${sql.join(perMeasure)} FROM (${rows}) j`;
}

/**
 * Brings speed_clock up to date: rebuilt when the committed imports change or its SQL does, and
 * the SQL holds the targets, the calendars, the snapshot and the first case, so a policy edit
 * rebuilds it too (the same rule as src/lib/audits/auto-checks/check-results.server.ts). The
 * summary of the whole archive the unfiltered page reads (speed-scans.server.ts) is filled with it.
 */
export async function keepSpeedClock(db: Kysely<Database>, policy: Doc, snapshot: Date | null): Promise<boolean> {
	const rows = await speedClockSql(db, policy, snapshot);
	const summary = speedSummarySql();
	return keepCurrent(db, { name: 'speed_clock', reads: ['cases'] }, settingsOfSql(db, rows, ...summary), async (trx) => {
		await sql`DELETE FROM speed_clock`.execute(trx);
		await sql`INSERT INTO speed_clock BY NAME ${rows}`.execute(trx);
		for (const statement of summary) await statement.execute(trx);
	});
}

/** Adds `n` cases of state `v` to a basis's four counts: within and pending are the cases not breached, so the four split the cases. */
function addVerdicts(acc: AttainmentCounts, v: number, n: number): void {
	const happened = (v & STATE.happened) !== 0;
	for (const [b, bit] of [['cal', STATE.cal_breached], ['bh', STATE.bh_breached]] as const) {
		const breached = (v & bit) !== 0;
		if (breached) acc[`${b}_breached`] += n;
		if (happened && !breached) acc[`${b}_within`] += n;
		if (!happened && breached) acc[`${b}_open_breached`] += n;
		if (!happened && !breached) acc[`${b}_pending`] += n;
	}
}

/**
 * One scan of the kept clock (speed_clock, read as `c` so the filters apply) feeds every number of
 * the report but the trend's quantiles: cases and summed minutes per (group, binned minutes,
 * state), and per (trend period, state). From those come the Kaplan-Meier figures of each group
 * and of the whole (events, censored cases, the mean, the events timed in business hours) and,
 * with a target, the cases within target and breached on both bases, for each group, the whole
 * and each trend period.
 */
async function binnedScan(
	db: Kysely<Database>,
	options: { measure: SpeedMeasure; where: RawBuilder<boolean>; by: FilterDimension | null; grain: TrendGrain; periods: boolean; kept: boolean },
	timed: boolean
): Promise<{ bins: BinRow[]; attainment: { overall: AttainmentPair; groups: Map<string, AttainmentPair>; periods: Map<string, AttainmentPair> } | null }> {
	const groupCol = options.by ? sql.ref(`c.${DIMENSION_COLUMNS[options.by]}`) : sql<string>`NULL`;
	const { rows: out } = await (options.kept ? keptBinnedSql(options) : binnedSql({ ...options, groupCol })).execute(db);
	const zero = (): AttainmentCounts => Object.fromEntries(ATTAINMENT_KEYS.map((k) => [k, 0])) as AttainmentCounts;
	const total = zero();
	const byGroup = new Map<string, AttainmentCounts>();
	const byPeriod = new Map<string, AttainmentCounts>();
	const bins: BinRow[] = [];
	let last: BinRow | undefined;
	for (const r of out) {
		const v = Number(r.v);
		const n = Number(r.n);
		// GROUPING(grp, t, period): 1 = a (group, bin) row, 6 = a trend period.
		if (Number(r.g) === 6) {
			if (r.period === null) continue;
			let acc = byPeriod.get(r.period);
			if (!acc) byPeriod.set(r.period, (acc = zero()));
			addVerdicts(acc, v, n);
			continue;
		}
		// Ordered by group and bin: a bin's states are adjacent.
		if (!last || last.grp !== r.grp || last.t !== r.t) bins.push((last = { grp: r.grp, t: r.t, d: 0, c: 0, s: 0, b: 0 }));
		if (v & STATE.happened) {
			last.d += n;
			last.s = (last.s ?? 0) + (r.s ?? 0);
			if (v & STATE.recorded_business) last.b += n;
		} else last.c += n;
		if (!timed) continue;
		const key = r.grp ?? NULL_GROUP;
		let acc = byGroup.get(key);
		if (!acc) byGroup.set(key, (acc = zero()));
		addVerdicts(acc, v, n);
		addVerdicts(total, v, n);
	}
	if (!timed) return { bins, attainment: null };
	return {
		bins,
		attainment: { overall: pairOf(total), groups: new Map([...byGroup].map(([k, v]) => [k, pairOf(v)])), periods: new Map([...byPeriod].map(([k, v]) => [k, pairOf(v)])) }
	};
}

/**
 * The trend's median and p90 per period (trendSql), a query of its own run beside binnedScan: in
 * its grouping sets the quantiles would be computed for every (group, bin) too.
 */
async function trendScan(
	db: Kysely<Database>,
	options: { measure: SpeedMeasure; where: RawBuilder<boolean>; grain: TrendGrain; kept: boolean }
): Promise<{ period: string; n: number; med: number | null; p90: number | null; open: number }[]> {
	const { rows } = await (options.kept ? keptTrendSql(options) : trendSql(options)).execute(db);
	return rows.map((r) => ({ period: r.period, n: r.n, med: r.q?.[0] ?? null, p90: r.q?.[1] ?? null, open: r.open }));
}

/** Cached per data version and request (src/lib/metrics/filters/data-version.server.ts). */
export const speedReport = cachedReport('speed', computeSpeedReport);
