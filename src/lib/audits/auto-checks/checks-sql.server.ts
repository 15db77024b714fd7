import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../core/db/schema';
import { currentPolicy } from '../../core/policy/policy.server';
import { businessCalendars, type BusinessCalendars } from '../../core/business-hours/model';
import { businessClockSql, calendarDays, calendarIndexSql, calendarJoinSql, calendarSql } from '../../core/business-hours/business-hours.server';
import { COMPLIANCE_RULES, compliancePolicy, type ComplianceRule, type CompliancePolicy } from '../../metrics/compliance/compliance-rules.server';
import { breachedCasesSql, speedTarget, targetSecondsSql } from '../../metrics/speed/speed.server';
import type { SpeedTarget } from '../../metrics/speed/model';
import { snapshotTime } from '../../metrics/filters/snapshot.server';
import { keptByData } from '../../metrics/filters/data-version.server';
import { archiveCoverage, columnFix, missingColumn, missingRatings, noCases, type ArchiveCoverage, type CoverageColumn } from '../../metrics/coverage.server';
import { firstNotTestable, notTestable, type NotTestable } from '../../metrics/model';
import { AUTO_CHECK_IDS, AUTO_CHECKS, type AutoCheckId } from './model';
import { keptThreadsSql, notesPrivateSql, waitsSql } from './thread-facts.server';
export { MIN_NOTE_CHARS } from './thread-facts.server';

/**
 * The SQL of every automatic check (model.ts), as one expression per check over `cases c` that is
 * TRUE (pass), FALSE (fail) or NULL (the check does not apply to the case). The definitions are the
 * metric pages' own: compliance rules from src/lib/metrics/compliance/compliance-rules.server.ts,
 * the first-response target from src/lib/metrics/speed/speed.server.ts (`speedTarget`) measured
 * with the business calendar of src/lib/core/business-hours/business-hours.server.ts, the thread
 * roles of src/lib/conversations (an answer is a public agent message, as in first-response.server.ts).
 */

type Doc = Record<string, unknown>;

/** What the archive holds beyond the metric coverage (src/lib/metrics/coverage.server.ts). */
interface ExtraCoverage {
	reopen_counts: number;
	messages: number;
	notes: number;
	first_case: Date | null;
	first_message: Date | null;
	last_message: Date | null;
}

export interface CheckContext {
	policyVersion: number;
	policy: CompliancePolicy;
	/** The first-response target in force; null when the policy sets none. */
	target: SpeedTarget | null;
	calendars: BusinessCalendars;
	snapshot: Date;
	/** Per check: why the archive cannot support it, or null. */
	notTestable: Record<AutoCheckId, NotTestable | null>;
	/** Per check: parts left out for missing data ("Refunds paid late: no imported case has a refund date"). */
	leftOut: Record<AutoCheckId, string[]>;
	/** Violation rules the archive can check (a rule lacking a column it needs never flags a case). */
	rules: ComplianceRule[];
	/** The calendar's local days, covering every case and message. */
	days: { from: string; to: string };
}

const VIOLATIONS = COMPLIANCE_RULES.filter((r) => r.kind === 'violation');
const NO_MESSAGES_FIX = 'import the conversations as a messages file (case_id, sent_at, author_role, public, body: src/lib/conversations); the demo data includes them';
const NO_TARGET = notTestable('the policy sets no first-response target (targets.first_response_hours)', 'set the first-response target under Admin → Policy');

function extraCoverage(db: Kysely<Database>): Promise<ExtraCoverage> {
	return keptByData(db, 'auto-check-coverage', async () => {
		const { rows } = await sql<ExtraCoverage>`SELECT
			(SELECT count(reopen_count) FROM cases) AS reopen_counts,
			(SELECT min(created_at) FROM cases) AS first_case,
			count(*) AS messages, count(*) FILTER (WHERE NOT is_public) AS notes, min(sent_at) AS first_message, max(sent_at) AS last_message
			FROM messages`.execute(db);
		const r = rows[0];
		return { ...r, reopen_counts: Number(r.reopen_counts), messages: Number(r.messages), notes: Number(r.notes) };
	});
}

function untestableRules(cov: ArchiveCoverage): Map<string, NotTestable> {
	const out = new Map<string, NotTestable>();
	for (const r of VIOLATIONS) {
		const why = firstNotTestable(...r.needs.map((c) => missingColumn(cov, c)));
		if (why) out.set(r.id, why);
	}
	return out;
}

function messagesMissing(extra: ExtraCoverage): NotTestable | null {
	return extra.messages === 0 ? notTestable('no conversation was imported (the messages table is empty)', NO_MESSAGES_FIX) : null;
}

/** The policy, the target, the calendar and what the archive can support, read once per request. */
export async function checkContext(db: Kysely<Database>, now = new Date()): Promise<CheckContext> {
	const [{ version, policy: raw }, snap, cov, extra] = await Promise.all([currentPolicy(db), snapshotTime(db), archiveCoverage(db), extraCoverage(db)]);
	const policy = compliancePolicy(raw);
	const target = speedTarget(raw as Doc, 'first_response');
	const snapshot = snap ?? now;
	const broken = untestableRules(cov);
	const rules = VIOLATIONS.filter((r) => !broken.has(r.id));
	const ruleCheck = (id: string) => noCases(cov) ?? broken.get(id) ?? null;
	const reopenMissing =
		noCases(cov) ??
		// reopen_count is not one of the metric coverage columns; columnFix reads any column's preset headers.
		(extra.reopen_counts === 0 ? notTestable('no imported case has a reopen count (reopen_count)', columnFix('reopen_count' as CoverageColumn)) : null);
	const noNotes = extra.messages > 0 && extra.notes === 0 ? notTestable(`none of the ${extra.messages.toLocaleString('en')} imported messages is an internal note (public = false)`, 'map the public column when importing messages (false or "internal" marks an internal note)') : null;
	const notTestableBy: Record<AutoCheckId, NotTestable | null> = {
		policy_compliance: noCases(cov) ?? (rules.length ? null : notTestable(`no compliance rule can be checked: ${[...broken.values()].map((b) => b.reason).join('; ')}`, [...broken.values()][0]?.fix ?? '')),
		in_window_return_honoured: ruleCheck('in_window_return_denied'),
		refund_on_time: ruleCheck('late_refund'),
		no_return_fee: ruleCheck('return_fee_charged'),
		claim_decided_in_time: ruleCheck('stale_claim'),
		first_response_within_target: firstNotTestable(missingColumn(cov, 'first_response_at'), target ? null : NO_TARGET),
		definitive_outcome: missingColumn(cov, 'outcome'),
		no_reopen: reopenMissing,
		csat_4_or_5: noCases(cov) ?? missingRatings(cov),
		reply_within_target: firstNotTestable(noCases(cov), messagesMissing(extra), target ? null : NO_TARGET),
		internal_notes_private: firstNotTestable(noCases(cov), messagesMissing(extra), noNotes)
	};
	const leftOut = Object.fromEntries(AUTO_CHECK_IDS.map((id) => [id, [] as string[]])) as Record<AutoCheckId, string[]>;
	if (rules.length) leftOut.policy_compliance = VIOLATIONS.filter((r) => broken.has(r.id)).map((r) => `${r.label}: ${broken.get(r.id)?.reason}`);
	const times = [extra.first_case, extra.first_message, extra.last_message, snapshot].filter((t): t is Date => t instanceof Date);
	const days = calendarDays(new Date(Math.min(...times.map((t) => t.getTime()))), new Date(Math.max(...times.map((t) => t.getTime()))));
	return { policyVersion: version, policy, target, calendars: businessCalendars(raw as Doc), snapshot, notTestable: notTestableBy, leftOut, rules, days };
}

/** Seconds between t0 and t1 on the target's basis; for business hours, via calendar joins `a` and `b` (the CTE `cal`). */
function durationSql(target: SpeedTarget, calendars: BusinessCalendars, t0: RawBuilder<unknown>, t1: RawBuilder<unknown>, a: string, b: string): RawBuilder<number> {
	if (target.basis !== 'business_hours') return sql<number>`greatest(epoch(${t1} - ${t0}), 0)`;
	return sql<number>`${businessClockSql(calendars, b, t1)} - ${businessClockSql(calendars, a, t0)}`;
}

/** The pass side of a compliance rule: eligible and not flagged. */
function rulePasses(rule: ComplianceRule, ctx: CheckContext): RawBuilder<boolean | null> {
	return sql`CASE WHEN ${rule.eligible(ctx.policy)} THEN NOT coalesce(${rule.flagged(ctx.policy, ctx.snapshot)}, false) END`;
}

const RULE_OF: Partial<Record<AutoCheckId, string>> = Object.fromEntries(AUTO_CHECK_IDS.flatMap((id) => (AUTO_CHECKS[id].rule ? [[id, AUTO_CHECKS[id].rule]] : [])));

/**
 * One row per case matching `where`: case_id, the `extra` columns, and one column per testable
 * check in `checks` (TRUE pass, FALSE fail, NULL not applicable). Checks that are not testable are
 * left out of the SELECT. `keptThreads` reads the threads' waits and notes from the tables kept per
 * messages import (the caller brings them up to date with keepThreadFacts first).
 */
export async function perCaseChecksSql(
	db: Kysely<Database>,
	ctx: CheckContext,
	checks: readonly AutoCheckId[],
	where: RawBuilder<boolean>,
	extra: RawBuilder<unknown> = sql`NULL AS grp`,
	options: { keptThreads?: boolean } = {}
): Promise<RawBuilder<Record<string, unknown> & { case_id: string }>> {
	const wanted = checks.filter((id) => !ctx.notTestable[id]);
	const has = (id: AutoCheckId) => wanted.includes(id);
	const target = ctx.target;
	const scope = sql`(SELECT c.case_id FROM cases c WHERE ${where})`;
	const ctes: RawBuilder<unknown>[] = [];
	const joins: RawBuilder<unknown>[] = [];
	const columns: RawBuilder<unknown>[] = [];
	const business = target?.basis === 'business_hours' && has('reply_within_target');
	const k = calendarIndexSql(ctx.calendars, sql.ref('c.region'));
	// Materialized: inlined, the calendar's window sums run again for every lookup (speed.server.ts does the same).
	if (business) ctes.push(sql`cal AS MATERIALIZED (${calendarSql(ctx.calendars, ctx.days.from, ctx.days.to)})`);

	for (const id of wanted) {
		const rule = RULE_OF[id];
		if (rule) {
			const r = ctx.rules.find((x) => x.id === rule);
			if (r) columns.push(sql`${rulePasses(r, ctx)} AS ${sql.ref(id)}`);
		}
	}
	if (has('policy_compliance')) {
		const eligible = sql.join(ctx.rules.map((r) => r.eligible(ctx.policy)), sql` OR `);
		const flagged = sql.join(ctx.rules.map((r) => sql`coalesce(${r.flagged(ctx.policy, ctx.snapshot)}, false)`), sql` OR `);
		columns.push(sql`CASE WHEN (${eligible}) THEN NOT (${flagged}) END AS policy_compliance`);
	}
	if (has('first_response_within_target')) {
		// The Speed page's own breach (its share within target and the case list's breached= filter):
		// breached fails; answered and not breached passes; unanswered and younger than the target is left out.
		const breached = await breachedCasesSql(db, 'first_response', where, ctx.snapshot);
		if (breached) columns.push(sql`CASE WHEN ${breached.condition} THEN false WHEN c.first_response_at IS NOT NULL THEN true END AS first_response_within_target`);
	}
	if (has('definitive_outcome')) columns.push(sql`CASE WHEN c.status IN ('solved', 'closed') THEN coalesce(c.outcome <> 'escalated', false) END AS definitive_outcome`);
	if (has('no_reopen')) columns.push(sql`CASE WHEN c.reopen_count IS NOT NULL THEN c.reopen_count = 0 END AS no_reopen`);
	if (has('csat_4_or_5')) {
		// The latest rating of each case (by submission, then id; submitted_at is never null): one
		// grouping over the ratings costs a third of a window over them restricted to the scope.
		ctes.push(sql`fb AS (
			SELECT f.case_id, arg_max(f.csat, (f.submitted_at, f.feedback_id)) AS csat
			FROM feedback f WHERE f.csat IS NOT NULL GROUP BY f.case_id)`);
		joins.push(sql`LEFT JOIN fb ON fb.case_id = c.case_id`);
		columns.push(sql`CASE WHEN fb.case_id IS NOT NULL THEN fb.csat >= 4 END AS csat_4_or_5`);
	}
	// The threads' waits and notes: walked from the messages of the cases in scope, or read from the
	// tables kept per messages import (thread-facts.server.ts) when every case is judged.
	const threads = options.keptThreads ? keptThreadsSql(scope) : { waits: waitsSql(scope), notes: notesPrivateSql(scope) };
	if (has('reply_within_target') && target) {
		const t0 = sql`w.t0`;
		const t1 = sql`w.t1`;
		const wk = sql`w.k`;
		ctes.push(sql`w AS (
			SELECT waits.case_id, waits.asked AS t0, waits.answered IS NOT NULL AS happened,
				coalesce(waits.answered, least(coalesce(c.resolved_at, ${ctx.snapshot}::TIMESTAMP), ${ctx.snapshot}::TIMESTAMP)) AS t1,
				${targetSecondsSql(target)} AS target_s, ${k} AS k
			FROM (${threads.waits}) waits JOIN cases c ON c.case_id = waits.case_id
			-- A message after the resolution (a thank-you) opens no wait.
			WHERE c.resolved_at IS NULL OR waits.asked < c.resolved_at
		)`);
		const waitJoins = business ? sql`${calendarJoinSql('wa', wk, t0)} ${calendarJoinSql('wb', wk, t1)}` : sql``;
		ctes.push(sql`replies AS (
			SELECT case_id, bool_or(d > target_s) AS late, bool_or(happened AND d <= target_s) AS answered_in_time
			FROM (SELECT w.case_id, w.happened, w.target_s, ${durationSql(target, ctx.calendars, t0, t1, 'wa', 'wb')} AS d FROM w ${waitJoins})
			GROUP BY case_id
		)`);
		joins.push(sql`LEFT JOIN replies ON replies.case_id = c.case_id`);
		columns.push(sql`CASE WHEN replies.late THEN false WHEN replies.answered_in_time THEN true END AS reply_within_target`);
	}
	if (has('internal_notes_private')) {
		joins.push(sql`LEFT JOIN (${threads.notes}) notes ON notes.case_id = c.case_id`);
		columns.push(sql`notes.private AS internal_notes_private`);
	}
	const withClause = ctes.length ? sql`WITH ${sql.join(ctes)} ` : sql``;
	const selected = columns.length ? sql`, ${sql.join(columns)}` : sql``;
	const joined = joins.length ? sql.join(joins, sql` `) : sql``;
	return sql`${withClause}SELECT c.case_id, ${extra}${selected} FROM cases c ${joined} WHERE ${where}`;
}

/** The checks a case fails (testable checks of `checks` only), per case id matching `where`. */
export async function failedChecks(db: Kysely<Database>, ctx: CheckContext, checks: readonly AutoCheckId[], where: RawBuilder<boolean>): Promise<Map<string, AutoCheckId[]>> {
	const wanted = checks.filter((id) => !ctx.notTestable[id]);
	const out = new Map<string, AutoCheckId[]>();
	if (!wanted.length) return out;
	const { rows } = await (await perCaseChecksSql(db, ctx, wanted, where)).execute(db);
	for (const row of rows) {
		const failed = wanted.filter((id) => row[id] === false);
		if (failed.length) out.set(row.case_id, failed);
	}
	return out;
}
