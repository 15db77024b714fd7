import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { describeFilters, parseFilters, pinPeriod } from '../metrics/filters/model';
import { resolveToday } from '../metrics/filters/period.server';
import { MAX_SEED, sampleRequestToParams, type SampleRequest } from './sample-request';
import { drawSample, type SampleDesign } from './sampling';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { AuditError } from './audit-error';
import { loadPopulation } from './population.server';
import { currentTemplate } from './templates.server';

export interface DrawnSample {
	sample_id: number;
	seed: number;
	design: string;
	population: number;
	excluded: number;
	size: number;
	strata: { stratum: string; population: number; sampled: number }[];
	cases: { case_id: string; stratum: string; inclusion_probability: number; risk_flags: string[] }[];
}

/** Roles that can be given audit work (reviews and calibration panels). */
export const REVIEWER_ROLES = ['reviewer', 'qa_manager'] as const;

function designOf(request: SampleRequest): SampleDesign {
	if (request.design === 'stratified') return { kind: 'stratified', allocation: request.allocation ?? 'proportional' };
	return request.design === 'risk' ? { kind: 'risk' } : { kind: 'simple' };
}

/**
 * Draws and stores a sample in one transaction, with an audit record. The seed is chosen at
 * random when none is given and stored, so the sample can be drawn again identically from the
 * same data.
 */
export async function drawAuditSample(db: Kysely<Database>, asked: SampleRequest, actor: string, now = new Date()): Promise<DrawnSample> {
	const seed = asked.seed ?? randomInt(0, MAX_SEED);
	return db.transaction().execute(async (trx) => {
		// "Last 90 days" is stored as the days it meant at the draw, so the sample names its population.
		const request = { ...asked, filters: pinPeriod(asked.filters, await resolveToday(trx, asked.filters, now)) };
		const population = await loadPopulation(trx, request, now);
		if (!population.units.length) {
			throw new AuditError(400, population.excluded ? `All ${population.excluded} matching cases are already in a sample from the last ${request.excludeDays} days; widen the filters or shorten the exclusion window.` : 'No case matches these filters; widen them.');
		}
		const draw = drawSample(population.units, designOf(request), request.size, seed);
		const flags = new Map(population.units.map((u) => [u.caseId, u.flags]));
		const params = sampleRequestToParams({ ...request, seed });
		const sample = await trx
			.insertInto('audit_samples')
			.values({
				created_at: now,
				created_by: actor,
				design: request.design,
				stratify_by: request.by,
				allocation: request.allocation,
				risk_weights: request.riskWeights ? JSON.stringify(request.riskWeights) : null,
				requested_size: request.size,
				size: draw.units.length,
				seed,
				filters: params.toString(),
				statuses: request.statuses.length ? request.statuses.join(',') : null,
				exclude_days: request.excludeDays,
				population: draw.population,
				excluded: population.excluded,
				note: request.note || null
			})
			.returning('sample_id')
			.executeTakeFirstOrThrow();
		const id = sample.sample_id;
		await trx
			.insertInto('audit_sample_strata')
			.values(draw.strata.map((s) => ({ sample_id: id, ...s })))
			.execute();
		for (let i = 0; i < draw.units.length; i += 500) {
			await trx
				.insertInto('audit_sample_cases')
				.values(
					draw.units.slice(i, i + 500).map((u) => ({
						sample_id: id,
						case_id: u.caseId,
						stratum: u.stratum,
						inclusion_probability: u.inclusionProbability,
						draw_order: u.order,
						risk_size: u.size,
						risk_flags: JSON.stringify(flags.get(u.caseId) ?? []),
						assignee: null,
						assigned_at: null,
						assigned_by: null
					}))
				)
				.execute();
		}
		await recordAudit(trx, {
			actor,
			action: 'audit.sample.draw',
			target: `sample ${id}`,
			after: { design: request.design, stratify_by: request.by, allocation: request.allocation, size: draw.units.length, requested_size: request.size, seed, filters: params.toString(), population: draw.population, excluded: population.excluded }
		});
		return {
			sample_id: id,
			seed,
			design: request.design,
			population: draw.population,
			excluded: population.excluded,
			size: draw.units.length,
			strata: draw.strata,
			cases: draw.units.map((u) => ({ case_id: u.caseId, stratum: u.stratum, inclusion_probability: u.inclusionProbability, risk_flags: flags.get(u.caseId) ?? [] }))
		};
	});
}

export async function listSamples(db: Kysely<Database>) {
	const { rows } = await sql<{
		sample_id: number;
		created_at: Date;
		created_by: string;
		design: string;
		stratify_by: string | null;
		allocation: string | null;
		size: number;
		seed: number;
		population: number;
		filters: string;
		assigned: number;
		submitted: number;
	}>`SELECT s.sample_id, s.created_at, s.created_by, s.design, s.stratify_by, s.allocation, s.size, s.seed, s.population, s.filters,
			(SELECT count(*) FROM audit_sample_cases sc WHERE sc.sample_id = s.sample_id AND sc.assignee IS NOT NULL) AS assigned,
			(SELECT count(*) FROM audit_reviews r WHERE r.sample_id = s.sample_id AND r.kind = 'sample' AND r.status = 'submitted') AS submitted
		FROM audit_samples s ORDER BY s.sample_id DESC`.execute(db);
	return rows;
}

export type SampleCaseRow = {
	case_id: string;
	stratum: string;
	inclusion_probability: number;
	weight: number;
	draw_order: number;
	risk_size: number;
	risk_flags: string;
	assignee: string | null;
	review_id: number | null;
	status: string | null;
	score: number | null;
	region: string;
	team: string | null;
	agent_id: string | null;
	category: string;
	created_at: Date;
};

export async function getSample(db: Kysely<Database>, sampleId: number) {
	const sample = await db.selectFrom('audit_samples').selectAll().where('sample_id', '=', sampleId).executeTakeFirst();
	if (!sample) return undefined;
	const [strata, cases] = await Promise.all([
		db.selectFrom('audit_sample_strata').selectAll().where('sample_id', '=', sampleId).orderBy('stratum').execute(),
		sampleCases(db, sampleId)
	]);
	// Samples are stored with their days pinned (drawAuditSample); one stored with a preset was drawn
	// when presets counted back from the wall clock, i.e. from its own creation day.
	const stored = parseFilters(new URLSearchParams(sample.filters));
	return { sample, strata, cases, filtersText: describeFilters({ ...stored, anchor: 'today' }, sample.created_at) };
}

export async function sampleCases(db: Kysely<Database>, sampleId: number | null): Promise<(SampleCaseRow & { sample_id: number })[]> {
	const { rows } = await sql<SampleCaseRow & { sample_id: number }>`
		SELECT sc.sample_id, sc.case_id, sc.stratum, sc.inclusion_probability, 1.0 / sc.inclusion_probability AS weight, sc.draw_order, sc.risk_size, sc.risk_flags, sc.assignee,
			r.review_id, r.status, r.score, c.region, c.team, c.agent_id, c.category, c.created_at
		FROM audit_sample_cases sc
		JOIN cases c ON c.case_id = sc.case_id
		LEFT JOIN audit_reviews r ON r.sample_id = sc.sample_id AND r.case_id = sc.case_id AND r.kind = 'sample'
		WHERE ${sampleId === null ? sql`true` : sql`sc.sample_id = ${sampleId}`}
		ORDER BY sc.sample_id, sc.draw_order`.execute(db);
	return rows;
}

/** Users who can be given audit work, for the assignment and calibration forms. */
export async function auditWorkers(db: Kysely<Database>) {
	return db
		.selectFrom('users')
		.select(['username', 'display_name', 'role'])
		.where('role', 'in', [...REVIEWER_ROLES])
		.where('disabled', '=', false)
		.orderBy('role', 'desc')
		.orderBy('username')
		.execute();
}

export interface AssignRequest {
	reviewers: string[];
	method: 'round_robin' | 'quota';
	/** For 'quota': how many cases each reviewer gets, in the order of `reviewers`. */
	quotas?: number[];
}

/**
 * Gives the sample's unassigned cases to reviewers in draw order (which is random), round-robin
 * or by quota, and opens a review for each; one audit record lists what went to whom.
 */
export async function assignSample(db: Kysely<Database>, sampleId: number, request: AssignRequest, actor: string, now = new Date()): Promise<Record<string, number>> {
	const reviewers = [...new Set(request.reviewers)];
	if (!reviewers.length) throw new AuditError(400, 'Choose at least one reviewer.');
	const known = await db.selectFrom('users').select('username').where('username', 'in', reviewers).where('role', 'in', [...REVIEWER_ROLES]).where('disabled', '=', false).execute();
	const unknown = reviewers.filter((r) => !known.some((k) => k.username === r));
	if (unknown.length) throw new AuditError(400, `Not reviewers: ${unknown.join(', ')}.`);
	if (request.method === 'quota') {
		const q = request.quotas ?? [];
		if (q.length !== reviewers.length || q.some((n) => !Number.isInteger(n) || n < 0)) throw new AuditError(400, 'Give a whole-number quota (0 or more) for every chosen reviewer.');
	}
	const template = await currentTemplate(db);
	return db.transaction().execute(async (trx) => {
		const sample = await trx.selectFrom('audit_samples').select('sample_id').where('sample_id', '=', sampleId).executeTakeFirst();
		if (!sample) throw new AuditError(404, `There is no sample ${sampleId}.`);
		const open = await trx.selectFrom('audit_sample_cases').select('case_id').where('sample_id', '=', sampleId).where('assignee', 'is', null).orderBy('draw_order').execute();
		if (!open.length) throw new AuditError(409, 'Every case of this sample is already assigned.');
		const plan: { case_id: string; reviewer: string }[] = [];
		if (request.method === 'round_robin') open.forEach((c, i) => plan.push({ case_id: c.case_id, reviewer: reviewers[i % reviewers.length] }));
		else {
			let next = 0;
			reviewers.forEach((r, i) => {
				for (let k = 0; k < (request.quotas?.[i] ?? 0) && next < open.length; k++) plan.push({ case_id: open[next++].case_id, reviewer: r });
			});
		}
		const counts: Record<string, number> = {};
		for (const p of plan) {
			counts[p.reviewer] = (counts[p.reviewer] ?? 0) + 1;
			await trx.updateTable('audit_sample_cases').set({ assignee: p.reviewer, assigned_at: now, assigned_by: actor }).where('sample_id', '=', sampleId).where('case_id', '=', p.case_id).execute();
			const review = await trx
				.insertInto('audit_reviews')
				.values({ kind: 'sample', sample_id: sampleId, session_id: null, case_id: p.case_id, reviewer: p.reviewer, template_id: template.template_id, status: 'assigned', ratings: null, critical: null, notes: null, score: null, critical_failed: null, revision: 1, created_at: now, created_by: actor, updated_at: now, submitted_at: null })
				.returning('review_id')
				.executeTakeFirstOrThrow();
			await trx.insertInto('audit_review_history').values({ review_id: review.review_id, revision: 1, at: now, actor, action: 'assign', status: 'assigned', reviewer: p.reviewer, template_id: template.template_id, ratings: null, critical: null, notes: null, score: null }).execute();
		}
		await recordAudit(trx, { actor, action: 'audit.sample.assign', target: `sample ${sampleId}`, after: { method: request.method, counts, unassigned: open.length - plan.length } });
		return counts;
	});
}
