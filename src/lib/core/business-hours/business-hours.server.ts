import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema';
import { MAX_STRETCHES_PER_DAY, parseWeek, type BusinessCalendars, type RegionCalendar } from './model';

/**
 * Business-hours durations in SQL. Each region's open stretches are generated day by day in its
 * own time zone and turned into UTC instants with DuckDB's ICU `timezone()`, so a 09:00-17:00 day
 * is 8 hours on the days the clocks change as on any other. The stretches are then cut at UTC
 * midnight and kept as one row per region and UTC day: the business seconds of all earlier days
 * (`cum`) and that day's pieces (`ps1`, `pl1`, ... start in epoch seconds, length). The business
 * clock at instant t is an equality lookup of t's day:
 *   clock(t) = cum + sum over the day's pieces of clamp(t - ps, 0, pl)
 * and the business time between t0 and t1 is clock(t1) - clock(t0). That is the same number as
 * summing each stretch's overlap with [t0, t1] (tests/unit/business-hours.test.ts checks both), but
 * costs two hash lookups per case. An ASOF join on the stretches gave the same numbers but took
 * 2.8 s of the 3 s query on the 1M-case bench archive: it sorts every case with its payload.
 */

/**
 * Pieces per UTC day: it overlaps two local days, each with as many stretches as the busiest
 * weekday of any calendar (MAX_STRETCHES_PER_DAY at most). Fewer columns, less arithmetic per case.
 */
function piecesPerDay(calendars: BusinessCalendars): number {
	const perDay = calendarList(calendars).map(([, cal]) => {
		const segments = parseWeek(cal.week).segments ?? [];
		return Math.max(1, ...[1, 2, 3, 4, 5, 6, 7].map((d) => segments.filter((s) => s.dow === d).length));
	});
	return 2 * Math.min(MAX_STRETCHES_PER_DAY, Math.max(1, ...perDay));
}

/** The calendars in index order: the default first (index 0), then the listed regions. */
function calendarList(calendars: BusinessCalendars): [string | null, RegionCalendar][] {
	return [[null, calendars.default], ...Object.entries(calendars.regions)];
}

/** The calendar index of a case's region: its place in the policy's list, 0 (the default) when not listed. */
export function calendarIndexSql(calendars: BusinessCalendars, region: RawBuilder<unknown>): RawBuilder<number> {
	const listed = Object.keys(calendars.regions);
	if (!listed.length) return sql<number>`0`;
	return sql<number>`CASE ${sql.join(listed.map((r, i) => sql`WHEN ${region} = ${r}::VARCHAR THEN ${sql.lit(i + 1)}`), sql` `)} ELSE 0 END`;
}

/** The open stretches (k, iv_start, iv_end; naive UTC instants) for local days `from` to `to` (YYYY-MM-DD). */
export function stretchesSql(calendars: BusinessCalendars, from: string, to: string): RawBuilder<unknown> {
	const entries = calendarList(calendars);
	const rules = entries.flatMap(([, cal], k) => (parseWeek(cal.week).segments ?? []).map((s) => sql`(${k}::INTEGER, ${cal.time_zone}::VARCHAR, ${s.dow}::INTEGER, ${s.start}::INTEGER, ${s.end}::INTEGER)`));
	const holidays = entries.flatMap(([, cal], k) => cal.holidays.map((d) => sql`(${k}::INTEGER, ${d}::DATE)`));
	// Empty lists still need typed, empty relations.
	const ruleRows = rules.length ? sql`VALUES ${sql.join(rules)}` : sql`SELECT NULL::INTEGER, NULL::VARCHAR, NULL::INTEGER, NULL::INTEGER, NULL::INTEGER WHERE false`;
	const holidayRows = holidays.length ? sql`VALUES ${sql.join(holidays)}` : sql`SELECT NULL::INTEGER, NULL::DATE WHERE false`;
	return sql`
		WITH rules(k, tz, dow, s, e) AS (${ruleRows}),
		holidays(k, d) AS (${holidayRows}),
		days AS (SELECT unnest(generate_series(${from}::DATE, ${to}::DATE, INTERVAL 1 DAY))::DATE AS d)
		SELECT r.k,
			timezone('UTC', timezone(r.tz, days.d + to_minutes(r.s))) AS iv_start,
			timezone('UTC', timezone(r.tz, days.d + to_minutes(r.e))) AS iv_end
		FROM rules r JOIN days ON isodow(days.d) = r.dow
		WHERE NOT EXISTS (SELECT 1 FROM holidays h WHERE h.k = r.k AND h.d = days.d)`;
}

/**
 * The lookup table (k, day, cum, ps1..psN, pl1..plN): one row per calendar and UTC day (days
 * since 1970) from `from` to `to`, closed days included, since the clock must read on them too.
 * The local days should start a day before the earliest instant looked up and end a day after the
 * latest: a zone ahead of UTC opens on the previous UTC day.
 */
export function calendarSql(calendars: BusinessCalendars, from: string, to: string): RawBuilder<unknown> {
	const n = calendarList(calendars).length;
	const pieces = piecesPerDay(calendars);
	const cols = Array.from({ length: pieces }, (_, i) => sql.raw(`max(CASE WHEN p.i = ${i + 1} THEN p.ps END) AS ps${i + 1}, max(CASE WHEN p.i = ${i + 1} THEN p.pe - p.ps END) AS pl${i + 1}`));
	return sql`
		WITH st AS (SELECT k, epoch(iv_start) AS s, epoch(iv_end) AS e, floor(epoch(iv_start) / 86400)::BIGINT AS day FROM (${stretchesSql(calendars, from, to)})),
		-- A stretch is at most a day long, so it is cut at one UTC midnight at most.
		cut AS (
			SELECT k, day, s AS ps, least(e, (day + 1) * 86400) AS pe FROM st
			UNION ALL SELECT k, day + 1, (day + 1) * 86400, e FROM st WHERE e > (day + 1) * 86400
		),
		p AS (SELECT *, row_number() OVER (PARTITION BY k, day ORDER BY ps) AS i FROM cut),
		per_day AS (SELECT p.k, p.day, sum(p.pe - p.ps) AS open, ${sql.join(cols)} FROM p GROUP BY p.k, p.day),
		grid AS (
			SELECT k, day FROM range(0, ${n}) ks(k), range(floor(epoch(${from}::DATE) / 86400)::BIGINT - 1, floor(epoch(${to}::DATE) / 86400)::BIGINT + 2) ds(day)
		)
		SELECT grid.k, grid.day, coalesce(sum(per_day.open) OVER (PARTITION BY grid.k ORDER BY grid.day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum,
			${sql.join(Array.from({ length: pieces }, (_, i) => sql.raw(`per_day.ps${i + 1}, per_day.pl${i + 1}`)))}
		FROM grid LEFT JOIN per_day ON per_day.k = grid.k AND per_day.day = grid.day`;
}

/**
 * The join that finds the calendar day the business clock reads at instant `t` (naive UTC) for
 * calendar `k`; use with businessClockSql(alias, t). The calendar must be a CTE named `cal`.
 */
export function calendarJoinSql(alias: string, k: RawBuilder<unknown>, t: RawBuilder<unknown>): RawBuilder<unknown> {
	const a = sql.raw(alias);
	return sql`LEFT JOIN cal ${a} ON ${a}.k = ${k} AND ${a}.day = floor(epoch(${t}) / 86400)::BIGINT`;
}

/**
 * Business seconds on calendar `alias`'s clock at instant `t` (null outside the calendar's days).
 * A day with fewer pieces has NULL in the rest: DuckDB's greatest() and least() skip NULLs, so
 * such a piece adds 0 without a CASE per piece and case.
 */
export function businessClockSql(calendars: BusinessCalendars, alias: string, t: RawBuilder<unknown>): RawBuilder<number> {
	const pieces = Array.from({ length: piecesPerDay(calendars) }, (_, i) => sql`coalesce(least(greatest(epoch(${t}) - ${sql.raw(`${alias}.ps${i + 1}`)}, 0), ${sql.raw(`${alias}.pl${i + 1}`)}), 0)`);
	return sql<number>`(${sql.raw(alias)}.cum + ${sql.join(pieces, sql` + `)})`;
}

/** The calendar's local days for instants between `from` and `to`, a day wider on each side. */
export function calendarDays(from: Date, to: Date): { from: string; to: string } {
	const day = 86_400_000;
	return { from: new Date(from.getTime() - 2 * day).toISOString().slice(0, 10), to: new Date(to.getTime() + 2 * day).toISOString().slice(0, 10) };
}

type Pair = { region: string; from: Date; to: Date };

/** The pairs as VALUES rows (i, region, t0, t1), and the calendar days they need. */
function pairRows(pairs: readonly Pair[]): { days: { from: string; to: string }; rows: RawBuilder<unknown> } {
	const times = pairs.flatMap((p) => [p.from.getTime(), p.to.getTime()]);
	return {
		days: calendarDays(new Date(Math.min(...times)), new Date(Math.max(...times))),
		rows: sql.join(pairs.map((p, i) => sql`(${i}::INTEGER, ${p.region}::VARCHAR, ${p.from.toISOString()}::TIMESTAMP, ${p.to.toISOString()}::TIMESTAMP)`))
	};
}

/**
 * Business hours between each pair, in the pair's region (the default calendar when the region is
 * not listed). For checks and small lists; reports join the calendar into their own scans.
 */
export async function businessHoursBetween(db: Kysely<Database>, calendars: BusinessCalendars, pairs: readonly Pair[]): Promise<number[]> {
	if (!pairs.length) return [];
	const { days, rows } = pairRows(pairs);
	const { rows: out } = await sql<{ i: number; hours: number }>`
		WITH cal AS (${calendarSql(calendars, days.from, days.to)}),
		p AS (SELECT i, ${calendarIndexSql(calendars, sql.ref('region'))} AS k, t0, t1 FROM (VALUES ${rows}) v(i, region, t0, t1))
		SELECT p.i, (${businessClockSql(calendars, 'b', sql.ref('p.t1'))} - ${businessClockSql(calendars, 'a', sql.ref('p.t0'))}) / 3600.0 AS hours
		FROM p ${calendarJoinSql('a', sql.ref('p.k'), sql.ref('p.t0'))} ${calendarJoinSql('b', sql.ref('p.k'), sql.ref('p.t1'))}
		ORDER BY p.i`.execute(db);
	return out.map((r) => Number(r.hours));
}

/** The same durations as a range join summing each stretch's overlap: the formula the clock must agree with. */
export async function businessHoursByOverlap(db: Kysely<Database>, calendars: BusinessCalendars, pairs: readonly Pair[]): Promise<number[]> {
	if (!pairs.length) return [];
	const { days, rows } = pairRows(pairs);
	const { rows: out } = await sql<{ i: number; hours: number }>`
		WITH cal AS (${stretchesSql(calendars, days.from, days.to)}),
		p(i, region, t0, t1) AS (VALUES ${rows})
		SELECT p.i, coalesce(sum(greatest(0, epoch(least(p.t1, cal.iv_end) - greatest(p.t0, cal.iv_start)))) FILTER (WHERE cal.k IS NOT NULL), 0) / 3600.0 AS hours
		FROM p LEFT JOIN cal ON cal.k = ${calendarIndexSql(calendars, sql.ref('p.region'))} AND cal.iv_end > p.t0 AND cal.iv_start < p.t1
		GROUP BY p.i ORDER BY p.i`.execute(db);
	return out.map((r) => Number(r.hours));
}
