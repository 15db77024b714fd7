import { sql, type Kysely } from 'kysely';
import type { SessionUser } from '../core/auth/roles';
import { can } from '../core/auth/access-rules';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { withLock } from '../core/keyed-lock';
import { check, v } from '../core/validate';
import { AuditError } from './audit-error';
import { parseSampleRequest } from './sample-request';
import { assignSample, drawAuditSample, REVIEWER_ROLES } from './sampling.server';

/**
 * Recurring samples (README.md, Audits): a saved sample rule drawn every N days and assigned
 * round-robin, with a due date for its reviews. There is no scheduler: whoever looks first after a
 * rule falls due draws it (the Audits page load, server start, `caselens audit`). Each period is
 * claimed by a recurring_draws row whose primary key is (rule, period start), inside a
 * process-wide lock (core/keyed-lock.ts), so two loads draw it once.
 */

const DAY = 86_400_000;
export const SYSTEM_ACTOR = 'system:recurring';

const ruleInput = v.object({
	name: v.pipe(v.string(), v.trim(), v.minLength(1, 'needs a name'), v.maxLength(200, 'is at most 200 characters')),
	params: v.string(),
	reviewers: v.pipe(v.array(v.string()), v.minLength(1, 'needs at least one reviewer')),
	everyDays: v.pipe(v.number(), v.integer('must be a whole number of days'), v.minValue(1, 'must be 1 day or more'), v.maxValue(92, 'must be at most 92 days')),
	dueDays: v.pipe(v.number(), v.integer('must be a whole number of days'), v.minValue(1, 'must be 1 day or more'), v.maxValue(92, 'must be at most 92 days')),
	firstDrawAt: v.optional(v.date())
});
export type RecurringRuleInput = v.InferInput<typeof ruleInput>;

const reviewerList = v.array(v.string());

function reviewersOf(json: string): string[] {
	const parsed = check(reviewerList, JSON.parse(json));
	return parsed.ok ? parsed.value : [];
}

/** Saves a rule; its first draw happens at `firstDrawAt` (default: now, i.e. on the next look). */
export async function createRecurringRule(db: Kysely<Database>, input: RecurringRuleInput, user: SessionUser, now = new Date()): Promise<number> {
	if (!can(user.role, 'recurring.manage')) throw new AuditError(403, 'QA managers save recurring samples.');
	const checked = check(ruleInput, input);
	if (!checked.ok) throw new AuditError(400, `The recurring sample is not valid: ${checked.problem}.`, 'Fix the field and save again.');
	const rule = checked.value;
	const params = new URLSearchParams(rule.params);
	// Each draw picks (and stores) its own seed: a fixed one would repeat the same positions every week.
	params.delete('seed');
	const { errors } = parseSampleRequest(params);
	if (errors.length) throw new AuditError(400, errors.join(' '));
	const reviewers = [...new Set(rule.reviewers)];
	const known = await db.selectFrom('users').select('username').where('username', 'in', reviewers).where('role', 'in', [...REVIEWER_ROLES]).where('disabled', '=', false).execute();
	const unknown = reviewers.filter((r) => !known.some((k) => k.username === r));
	if (unknown.length) throw new AuditError(400, `Not reviewers: ${unknown.join(', ')}.`);
	return db.transaction().execute(async (trx) => {
		const row = await trx
			.insertInto('recurring_samples')
			.values({ name: rule.name, params: params.toString(), reviewers: JSON.stringify(reviewers), every_days: rule.everyDays, due_days: rule.dueDays, next_draw_at: rule.firstDrawAt ?? now, active: true, created_by: user.username, created_at: now })
			.returning('rule_id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, { actor: user.username, action: 'audit.recurring.create', target: `recurring sample ${row.rule_id}`, after: { name: rule.name, params: params.toString(), reviewers, every_days: rule.everyDays, due_days: rule.dueDays } });
		return row.rule_id;
	});
}

export async function setRecurringRuleActive(db: Kysely<Database>, ruleId: number, active: boolean, user: SessionUser): Promise<void> {
	if (!can(user.role, 'recurring.manage')) throw new AuditError(403, 'QA managers stop and restart recurring samples.');
	await db.transaction().execute(async (trx) => {
		const rule = await trx.selectFrom('recurring_samples').select(['rule_id', 'active']).where('rule_id', '=', ruleId).executeTakeFirst();
		if (!rule) throw new AuditError(404, `There is no recurring sample ${ruleId}.`);
		if (rule.active === active) return;
		await trx.updateTable('recurring_samples').set({ active }).where('rule_id', '=', ruleId).execute();
		await recordAudit(trx, { actor: user.username, action: active ? 'audit.recurring.resume' : 'audit.recurring.stop', target: `recurring sample ${ruleId}`, before: { active: rule.active }, after: { active } });
	});
}

export interface DrawOutcome {
	rule_id: number;
	period_start: Date;
	sample_id: number | null;
	due_at: Date;
	error: string | null;
}

/**
 * Draws every active rule that is due at `now`, once per period. Periods missed while nobody
 * looked are not drawn one by one: the rule draws once and its next draw is the first period
 * start after `now`.
 */
export async function drawDueSamples(db: Kysely<Database>, now = new Date()): Promise<DrawOutcome[]> {
	return withLock('recurring-samples', async () => {
		const due = await db.selectFrom('recurring_samples').selectAll().where('active', '=', true).where('next_draw_at', '<=', now).orderBy('rule_id').execute();
		const outcomes: DrawOutcome[] = [];
		for (const rule of due) {
			const periodStart = rule.next_draw_at;
			let next = periodStart.getTime() + rule.every_days * DAY;
			while (next <= now.getTime()) next += rule.every_days * DAY;
			const dueAt = new Date(now.getTime() + rule.due_days * DAY);
			const claimed = await db.transaction().execute(async (trx) => {
				const taken = await trx.selectFrom('recurring_draws').select('rule_id').where('rule_id', '=', rule.rule_id).where('period_start', '=', periodStart).executeTakeFirst();
				if (taken) return false;
				await trx.insertInto('recurring_draws').values({ rule_id: rule.rule_id, period_start: periodStart, sample_id: null, drawn_at: now, due_at: dueAt, error: null }).execute();
				await trx.updateTable('recurring_samples').set({ next_draw_at: new Date(next) }).where('rule_id', '=', rule.rule_id).execute();
				return true;
			});
			if (!claimed) continue;
			const outcome: DrawOutcome = { rule_id: rule.rule_id, period_start: periodStart, sample_id: null, due_at: dueAt, error: null };
			try {
				const params = new URLSearchParams(rule.params);
				params.set('note', `Recurring sample "${rule.name}", due ${dueAt.toISOString().slice(0, 10)}`);
				const { request, errors } = parseSampleRequest(params);
				if (!request) throw new AuditError(400, errors.join(' '));
				const drawn = await drawAuditSample(db, request, SYSTEM_ACTOR, now);
				outcome.sample_id = drawn.sample_id;
				await assignSample(db, drawn.sample_id, { method: 'round_robin', reviewers: reviewersOf(rule.reviewers) }, SYSTEM_ACTOR, now);
			} catch (e) {
				// A draw that cannot happen (no case this week, a reviewer gone) is kept with its reason, not retried every load.
				if (!(e instanceof AuditError)) throw e;
				outcome.error = e.message;
			}
			await db.transaction().execute(async (trx) => {
				await trx.updateTable('recurring_draws').set({ sample_id: outcome.sample_id, error: outcome.error }).where('rule_id', '=', rule.rule_id).where('period_start', '=', periodStart).execute();
				await recordAudit(trx, { actor: SYSTEM_ACTOR, action: 'audit.recurring.draw', target: `recurring sample ${rule.rule_id}`, after: { sample_id: outcome.sample_id, due_at: dueAt.toISOString(), error: outcome.error } });
			});
			outcomes.push(outcome);
		}
		return outcomes;
	});
}

export async function listRecurringRules(db: Kysely<Database>) {
	const { rows } = await sql<{ rule_id: number; name: string; params: string; reviewers: string; every_days: number; due_days: number; next_draw_at: Date; active: boolean; created_by: string; last_sample: number | null; last_due_at: Date | null; last_error: string | null; draws: number }>`
		SELECT s.rule_id, s.name, s.params, s.reviewers, s.every_days, s.due_days, s.next_draw_at, s.active, s.created_by,
			arg_max(d.sample_id, d.period_start) AS last_sample, max(d.due_at) AS last_due_at, arg_max(d.error, d.period_start) AS last_error, count(d.rule_id)::INTEGER AS draws
		FROM recurring_samples s LEFT JOIN recurring_draws d ON d.rule_id = s.rule_id
		GROUP BY ALL ORDER BY s.rule_id`.execute(db);
	return rows.map((r) => ({ ...r, reviewers: reviewersOf(r.reviewers) }));
}

export interface ReviewerWorkload {
	reviewer: string;
	open: number;
	overdue: number;
	submitted_last_7_days: number;
	/** The earliest due date among their open reviews, if any has one. */
	next_due: Date | null;
}

/** Open and overdue reviews per reviewer; a review is overdue when its sample came from a recurring draw whose due date has passed. */
export async function auditWorkload(db: Kysely<Database>, now = new Date()): Promise<{ overdue: number; reviewers: ReviewerWorkload[] }> {
	const { rows } = await sql<ReviewerWorkload>`
		SELECT r.reviewer,
			count(*) FILTER (WHERE r.status <> 'submitted')::INTEGER AS open,
			count(*) FILTER (WHERE r.status <> 'submitted' AND d.due_at < ${now})::INTEGER AS overdue,
			count(*) FILTER (WHERE r.status = 'submitted' AND r.submitted_at >= ${new Date(now.getTime() - 7 * DAY)})::INTEGER AS submitted_last_7_days,
			min(d.due_at) FILTER (WHERE r.status <> 'submitted') AS next_due
		FROM audit_reviews r LEFT JOIN recurring_draws d ON d.sample_id = r.sample_id AND r.kind = 'sample'
		GROUP BY r.reviewer ORDER BY overdue DESC, open DESC, r.reviewer`.execute(db);
	return { overdue: rows.reduce((a, r) => a + r.overdue, 0), reviewers: rows };
}
