import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { caseFilterSql } from '../metrics/filters/case-filter-sql.server';
import { cachedReport } from '../metrics/filters/data-version.server';
import { describeFilters, type Filters } from '../metrics/filters/model';
import { snapshotTime } from '../metrics/filters/snapshot.server';
import { notTestable, type NotTestable } from '../metrics/model';
import { complianceReport } from '../metrics/compliance/compliance.server';
import { consistencyReport } from '../metrics/consistency/consistency.server';
import { CONSISTENCY_DEFINITION } from '../metrics/consistency/model';
import { CSAT_DEFINITION, csatReport } from '../metrics/csat/csat.server';
import { fairnessReport } from '../metrics/fairness/fairness.server';
import { SPEED_DEFINITIONS, speedReport, type SpeedReport } from '../metrics/speed/speed.server';
import { frictionReport } from '../friction/report.server';
import { TREND_DEFINITION } from '../friction/trend-test.server';
import { lastCompleteWeek, parseIsoWeek, shiftWeek, weekFilters, type Comparison, type Digest, type DigestFlag, type DigestOptions, type FlagChange, type IsoWeek, type ThemeChange, type WeekValue } from './model';

/** The median is reached once half the week's cases have the event; an archive taken later has it. */
const MEDIAN_FIX = 'wait for a later export, in which half of the week’s cases have the event';

function weekValue(value: number | null | undefined, detail: string | null, why: NotTestable | null, fallback: () => NotTestable): WeekValue {
	if (why) return { value: null, detail, not_testable: why };
	if (value === null || value === undefined || !Number.isFinite(value)) return { value: null, detail, not_testable: fallback() };
	return { value, detail, not_testable: null };
}

function medianValue(r: SpeedReport): WeekValue {
	return weekValue(r.overall.km_median, null, r.not_testable, () => notTestable(r.overall.km_note ?? 'the median cannot be estimated', MEDIAN_FIX));
}

/**
 * Cases opened in the filters and, for the policy's first-response target, how many were answered
 * within it, in one pass. A case still unanswered at the snapshot but younger than the target
 * has not missed it yet, so it counts on neither side (late = older than the target without a
 * reply, as the audits' risk flag reads it: src/lib/audits/population.server.ts).
 */
async function openedAndWithinTarget(db: Kysely<Database>, filters: Filters, today: Date, snapshot: Date | null, targetHours: number | null) {
	const seconds = (targetHours ?? 0) * 3600;
	const { rows } = await sql<{ opened: number; within: number; undecided: number }>`
		SELECT count(*) AS opened,
			count(*) FILTER (WHERE c.first_response_at IS NOT NULL AND epoch(c.first_response_at - c.created_at) <= ${seconds}) AS within,
			count(*) FILTER (WHERE c.first_response_at IS NULL AND epoch(${snapshot ?? today}::TIMESTAMP - c.created_at) <= ${seconds}) AS undecided
		FROM cases c WHERE ${caseFilterSql(filters, today)}`.execute(db);
	const r = rows[0];
	return { opened: Number(r?.opened ?? 0), within: Number(r?.within ?? 0), undecided: Number(r?.undecided ?? 0) };
}

interface WeekNumbers {
	opened: WeekValue;
	firstResponse: WeekValue;
	withinTarget: WeekValue;
	resolution: WeekValue;
	targetHours: number | null;
	compliance: Awaited<ReturnType<typeof complianceReport>>;
	csat: Awaited<ReturnType<typeof csatReport>>;
}

async function weekNumbers(db: Kysely<Database>, filters: Filters, today: Date, snapshot: Date | null): Promise<WeekNumbers> {
	const [first, resolution, compliance, csat] = await Promise.all([
		speedReport(db, { measure: 'first_response', filters, by: null, today }),
		speedReport(db, { measure: 'resolution', filters, by: null, today }),
		complianceReport(db, { filters, today }),
		csatReport(db, { filters, by: null, today })
	]);
	const target = first.target_hours;
	const counts = await openedAndWithinTarget(db, filters, today, snapshot, target);
	const decided = counts.opened - counts.undecided;
	const withinWhy =
		first.not_testable ??
		(target === null ? notTestable('the policy sets no first-response target (targets.first_response_hours)', 'set the first-response target under Admin → Policy') : null) ??
		(decided === 0 ? notTestable(`all ${counts.opened.toLocaleString('en')} cases opened that week are still unanswered and younger than the target at the snapshot`, MEDIAN_FIX) : null);
	const undecided = counts.undecided ? `; ${counts.undecided.toLocaleString('en')} unanswered, under ${target} h old, left out` : '';
	return {
		opened: weekValue(counts.opened, null, snapshot ? null : first.not_testable, () => notTestable('no case', 'import cases')),
		firstResponse: medianValue(first),
		withinTarget: weekValue(decided ? counts.within / decided : null, `${counts.within.toLocaleString('en')} of ${decided.toLocaleString('en')}${undecided}`, withinWhy, () => notTestable('no case opened that week', 'choose another week')),
		resolution: medianValue(resolution),
		targetHours: target,
		compliance,
		csat
	};
}

function flagChange(now: DigestFlag[], before: DigestFlag[], why: NotTestable | null): FlagChange {
	if (why) return { not_testable: why, new: [], gone: [], still: [] };
	const had = new Set(before.map((f) => f.key));
	const has = new Set(now.map((f) => f.key));
	return { not_testable: null, new: now.filter((f) => !had.has(f.key)), gone: before.filter((f) => !has.has(f.key)), still: now.filter((f) => had.has(f.key)) };
}

/** Either week's "nothing could be tested", naming the week. */
function eitherWeek(week: IsoWeek, now: NotTestable | null, previous: IsoWeek, before: NotTestable | null): NotTestable | null {
	if (now) return { ...now, reason: `${week.id}: ${now.reason}` };
	return before ? { ...before, reason: `${previous.id}: ${before.reason}` } : null;
}

async function fairnessFlags(db: Kysely<Database>, filters: Filters, today: Date) {
	const r = await fairnessReport(db, { filters, today });
	return { flags: r.rows.filter((x) => x.flagged).map((x) => ({ key: `${x.dimension}|${x.group}|${x.measure}`, sentence: x.sentence })), not_testable: r.not_testable };
}

async function consistencyFlags(db: Kysely<Database>, filters: Filters, today: Date) {
	const r = await consistencyReport(db, { filters, today });
	// An agent whose team is flagged on the same cases is the team's finding, as on the Consistency page.
	const flags = r.rows.filter((x) => x.flagged && !x.explained_by).map((x) => ({ key: `${x.category ?? ''}|${x.root_cause ?? ''}|${x.dimension}|${x.group}`, sentence: x.sentence }));
	return { flags, not_testable: r.not_testable };
}

/**
 * Rising themes: the friction report over both weeks with a seven-day trend period, so its
 * "recent" window is this week and the one before it last week (src/lib/friction/periods.server.ts).
 */
async function risingThemes(db: Kysely<Database>, filters: Filters, week: IsoWeek, previous: IsoWeek, today: Date): Promise<ThemeChange> {
	const r = await frictionReport(db, { filters: { ...filters, range: 'custom', from: previous.from, to: week.to }, source: 'comments', periodDays: 7 }, today);
	const now = r.period?.recent_documents ?? 0;
	const before = r.period?.previous_documents ?? 0;
	const fix = 'import feedback with its comments (map a column to comment), or choose another week';
	const why =
		(now === 0 ? notTestable(`no feedback comment in ${week.id} matches these filters`, fix) : null) ??
		(before === 0 ? notTestable(`no feedback comment in ${previous.id} matches these filters, so nothing can rise against it`, fix) : null);
	return {
		not_testable: why,
		documents_this_week: now,
		documents_last_week: before,
		rising: why ? [] : r.themes.filter((t) => t.rising).map((t) => ({ theme: t.theme, this_week: t.recent, last_week: t.previous, this_share: t.recent_share, last_share: t.previous_share, trend_ratio: t.trend_ratio, q_value: t.q_value }))
	};
}

function compare(id: string, label: string, unit: Comparison['unit'], now: WeekValue, before: WeekValue): Comparison {
	return { id, label, unit, this_week: now, last_week: before };
}

async function computeDigest(db: Kysely<Database>, options: DigestOptions): Promise<Digest> {
	const snapshot = await snapshotTime(db);
	// What "last week" counts back from, as the pages' presets do (src/lib/metrics/filters/period.server.ts).
	const today = options.anchor === 'today' ? new Date() : (snapshot ?? new Date());
	const latest = lastCompleteWeek(today);
	const week = (options.week && parseIsoWeek(options.week)) || latest;
	const previous = shiftWeek(week, -1);
	const thisFilters = weekFilters(options.filters, week);
	const lastFilters = weekFilters(options.filters, previous);
	const [now, before, fairNow, fairBefore, consNow, consBefore, themes] = await Promise.all([
		weekNumbers(db, thisFilters, today, snapshot),
		weekNumbers(db, lastFilters, today, snapshot),
		fairnessFlags(db, thisFilters, today),
		fairnessFlags(db, lastFilters, today),
		consistencyFlags(db, thisFilters, today),
		consistencyFlags(db, lastFilters, today),
		risingThemes(db, options.filters, week, previous, today)
	]);
	const target = now.targetHours ?? before.targetHours;
	const compliance = now.compliance.rules.map((rule) => {
		const old = before.compliance.rules.find((r) => r.rule === rule.rule);
		const value = (r: typeof rule | undefined) => weekValue(r?.rate, r ? `${r.flagged.toLocaleString('en')} of ${r.eligible.toLocaleString('en')}` : null, r?.not_testable ?? null, () => notTestable('the rule was not checked', 'choose another week'));
		return compare(rule.rule, rule.kind === 'exception' ? `${rule.label} (exception, not a violation)` : rule.label, 'share', value(rule), value(old));
	});
	const csat = (w: WeekNumbers) => weekValue(w.csat.overall.csat, `${w.csat.overall.rated.toLocaleString('en')} rated`, w.csat.not_testable, () => notTestable('no rated answer', 'choose another week'));
	const responseRate = (w: WeekNumbers) =>
		weekValue(w.csat.overall.response_rate, `${w.csat.overall.rated.toLocaleString('en')} of ${w.csat.overall.surveys.toLocaleString('en')} surveys`, w.csat.response_rate_not_testable, () => notTestable('no survey offered', 'choose another week'));
	return {
		week,
		previous,
		latest,
		snapshot: snapshot ? snapshot.toISOString() : null,
		// The week is said above; the scope is what narrows it (imports, dimensions).
		scope: describeFilters(thisFilters, today).split(' · ').slice(1).join(' · ') || 'all cases',
		generated_at: new Date().toISOString(),
		policy_version: now.compliance.policy_version,
		speed: [
			compare('opened', 'Cases opened', 'count', now.opened, before.opened),
			compare('first_response', 'First response, median (Kaplan-Meier)', 'hours', now.firstResponse, before.firstResponse),
			compare('within_target', `First response within ${target ?? 'the'} h target, of cases opened that week`, 'share', now.withinTarget, before.withinTarget),
			compare('resolution', 'Resolution, median (Kaplan-Meier)', 'hours', now.resolution, before.resolution)
		],
		compliance,
		satisfaction: [compare('csat', 'CSAT (share of rated answers scoring 4-5)', 'share', csat(now), csat(before)), compare('response_rate', 'Response rate (rated answers / surveys)', 'share', responseRate(now), responseRate(before))],
		fairness: flagChange(fairNow.flags, fairBefore.flags, eitherWeek(week, fairNow.not_testable, previous, fairBefore.not_testable)),
		consistency: flagChange(consNow.flags, consBefore.flags, eitherWeek(week, consNow.not_testable, previous, consBefore.not_testable)),
		themes,
		definitions: [
			'Every number is over the cases opened in the week (feedback: answers submitted in it), Monday 00:00 to the next Monday 00:00 UTC, with the filters above.',
			SPEED_DEFINITIONS.first_response,
			SPEED_DEFINITIONS.resolution,
			`Medians are Kaplan-Meier estimates: a case still open counts as "at least this old" at the archive snapshot. Within target: cases answered within ${target ?? 'the policy’s'} hours of opening, of the cases opened that week that were answered or had waited longer than that at the snapshot.`,
			...now.compliance.rules.map((r) => `${r.label}: ${r.definition}`),
			CSAT_DEFINITION,
			'Fairness and consistency flags: each week on its own, as the Fairness and Consistency pages compute them; new = flagged this week and not last week, gone = the reverse.',
			CONSISTENCY_DEFINITION,
			TREND_DEFINITION
		]
	};
}

/** Cached per data version and request (src/lib/metrics/filters/data-version.server.ts). */
export const weeklyDigest = cachedReport('weekly-digest', computeDigest);
