import { sql, type Kysely } from 'kysely';
import { srsIndices } from './sampling';
import { krippendorffAlpha } from '../core/stats/krippendorff';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { Rng } from '../core/random';
import { AuditError } from './audit-error';
import { parseScores } from './reviews.server';
import { reviewScore, type ReviewScores, type ScorecardBody } from './scorecard';
import { can } from '../core/auth/access-rules';
import type { SessionUser } from '../core/auth/roles';
import { REVIEWER_ROLES } from './sampling.server';
import { currentTemplate, templateById, type ScorecardTemplate } from './templates.server';

export interface CalibrationRequest {
	name: string;
	/** Cases drawn at random (seeded) from this sample... */
	sampleId: number | null;
	cases: number;
	seed: number;
	/** ...or these case ids. */
	caseIds: string[];
	panel: string[];
}

/** A calibration session: every panel member reviews the same cases on the same template version. */
export async function createCalibrationSession(db: Kysely<Database>, request: CalibrationRequest, actor: string, now = new Date()): Promise<number> {
	const panel = [...new Set(request.panel)];
	if (panel.length < 2) throw new AuditError(400, 'A calibration panel needs at least two reviewers.');
	const name = request.name.trim().slice(0, 200);
	if (!name) throw new AuditError(400, 'Give the session a name.');
	const known = await db.selectFrom('users').select('username').where('username', 'in', panel).where('role', 'in', [...REVIEWER_ROLES]).where('disabled', '=', false).execute();
	const unknown = panel.filter((p) => !known.some((k) => k.username === p));
	if (unknown.length) throw new AuditError(400, `Not reviewers: ${unknown.join(', ')}.`);
	let caseIds = [...new Set(request.caseIds.map((c) => c.trim()).filter(Boolean))];
	if (caseIds.length) {
		const found = await db.selectFrom('cases').select('case_id').where('case_id', 'in', caseIds).execute();
		const missing = caseIds.filter((c) => !found.some((f) => f.case_id === c));
		if (missing.length) throw new AuditError(400, `Unknown cases: ${missing.slice(0, 10).join(', ')}.`);
	} else {
		if (request.sampleId === null) throw new AuditError(400, 'Choose a sample to take the cases from, or list case ids.');
		if (!(Number.isInteger(request.cases) && request.cases >= 2 && request.cases <= 100)) throw new AuditError(400, 'A session takes 2 to 100 cases.');
		const pool = await db.selectFrom('audit_sample_cases').select('case_id').where('sample_id', '=', request.sampleId).orderBy('case_id').execute();
		if (pool.length < 2) throw new AuditError(400, `Sample ${request.sampleId} has fewer than two cases.`);
		caseIds = srsIndices(pool.length, request.cases, new Rng(request.seed)).map((i) => pool[i].case_id);
	}
	const template = await currentTemplate(db);
	return db.transaction().execute(async (trx) => {
		const session = await trx
			.insertInto('calibration_sessions')
			.values({ name, sample_id: request.caseIds.length ? null : request.sampleId, template_id: template.template_id, created_at: now, created_by: actor })
			.returning('session_id')
			.executeTakeFirstOrThrow();
		for (const caseId of caseIds)
			for (const reviewer of panel) {
				const review = await trx
					.insertInto('audit_reviews')
					.values({ kind: 'calibration', sample_id: null, session_id: session.session_id, case_id: caseId, reviewer, template_id: template.template_id, status: 'assigned', ratings: null, critical: null, notes: null, score: null, critical_failed: null, revision: 1, created_at: now, created_by: actor, updated_at: now, submitted_at: null })
					.returning('review_id')
					.executeTakeFirstOrThrow();
				await trx.insertInto('audit_review_history').values({ review_id: review.review_id, revision: 1, at: now, actor, action: 'assign', status: 'assigned', reviewer, template_id: template.template_id, ratings: null, critical: null, notes: null, score: null }).execute();
			}
		await recordAudit(trx, { actor, action: 'audit.calibration.create', target: `calibration ${session.session_id}`, after: { name, cases: caseIds, panel, template: `${template.name} v${template.version}` } });
		return session.session_id;
	});
}

export async function listCalibrationSessions(db: Kysely<Database>) {
	const { rows } = await sql<{ session_id: number; name: string; created_at: Date; created_by: string; cases: number; panel: number; submitted: number; total: number }>`
		SELECT s.session_id, s.name, s.created_at, s.created_by,
			count(DISTINCT r.case_id) AS cases, count(DISTINCT r.reviewer) AS panel,
			count(*) FILTER (WHERE r.status = 'submitted') AS submitted, count(r.review_id) AS total
		FROM calibration_sessions s LEFT JOIN audit_reviews r ON r.session_id = s.session_id AND r.kind = 'calibration'
		GROUP BY ALL ORDER BY s.session_id DESC`.execute(db);
	return rows;
}

export interface CalibrationReport {
	session: { session_id: number; name: string; created_at: Date; created_by: string };
	template: ScorecardTemplate;
	panel: string[];
	cases: { case_id: string; scores: Record<string, { review_id: number; status: string; score: number | null; ratings: Record<string, number | null> } | undefined> }[];
	/** Krippendorff's alpha (ordinal) per category, over submitted reviews; and interval alpha of the 0-100 score. */
	agreement: { id: string; label: string; alpha: number | null; pairable: number }[];
	score_agreement: { alpha: number | null; pairable: number };
	/** Mean of (reviewer's score - the case's panel mean) over the cases they submitted: negative = stricter. */
	severity: { reviewer: string; severity: number | null; cases: number }[];
	/** The reference answer per case, where one was recorded. */
	references: Record<string, ReferenceAnswer | undefined>;
	/** Each reviewer's deviation from the reference, per item, over the cases that have one. */
	deviation: ReviewerDeviation[];
}

export const REFERENCE_SOURCES = ['manager', 'consensus'] as const;
export type ReferenceSource = (typeof REFERENCE_SOURCES)[number];

export interface ReferenceAnswer {
	source: ReferenceSource;
	scores: ReviewScores;
	score: number | null;
	recorded_by: string;
	recorded_at: Date;
}

export interface ItemDeviation {
	id: string;
	label: string;
	kind: 'category' | 'critical';
	/** Cases where both the reviewer and the reference rated the item. */
	compared: number;
	matching: number;
	/** Mean of (reviewer's rating - reference rating); categories only, null for critical items. */
	mean_deviation: number | null;
}

export interface ReviewerDeviation {
	reviewer: string;
	items: ItemDeviation[];
	compared: number;
	matching: number;
	/** Share of compared items that match the reference: "grade the grader". */
	share: number | null;
}

type Item = { id: string; label: string; kind: 'category' | 'critical' };

function itemsOf(body: ScorecardBody): Item[] {
	return [...body.categories.map((c) => ({ id: c.id, label: c.label, kind: 'category' as const })), ...body.critical_items.map((i) => ({ id: i.id, label: i.label, kind: 'critical' as const }))];
}

/**
 * A reviewer's answers against the reference, item by item. A category compares when both rated it;
 * a critical item always compares (not failed is an answer too). Pure, so the page and the trend
 * count the same way.
 */
export function deviationFromReference(body: ScorecardBody, pairs: { mine: ReviewScores; reference: ReviewScores }[]): { items: ItemDeviation[]; compared: number; matching: number } {
	const items = itemsOf(body).map((item) => {
		let compared = 0;
		let matching = 0;
		let sum = 0;
		for (const { mine, reference } of pairs) {
			if (item.kind === 'critical') {
				compared += 1;
				if ((mine.critical[item.id] === true) === (reference.critical[item.id] === true)) matching += 1;
				continue;
			}
			const m = mine.ratings[item.id];
			const r = reference.ratings[item.id];
			if (typeof m !== 'number' || typeof r !== 'number') continue;
			compared += 1;
			sum += m - r;
			if (m === r) matching += 1;
		}
		return { ...item, compared, matching, mean_deviation: item.kind === 'category' && compared ? sum / compared : null };
	});
	return { items, compared: items.reduce((a, i) => a + i.compared, 0), matching: items.reduce((a, i) => a + i.matching, 0) };
}

async function referencesOf(db: Kysely<Database>, sessionIds: number[]): Promise<Map<string, ReferenceAnswer>> {
	if (!sessionIds.length) return new Map();
	const rows = await db.selectFrom('calibration_references').selectAll().where('session_id', 'in', sessionIds).execute();
	return new Map(rows.map((r) => [`${r.session_id}/${r.case_id}`, { source: r.source as ReferenceSource, scores: parseScores(r), score: r.score, recorded_by: r.recorded_by, recorded_at: r.recorded_at }]));
}

/**
 * Records the reference answer for one case of a session (the QA manager's own, or the consensus
 * after discussion), on the session's template version. Recording again replaces it; the audit
 * trail keeps the answer before.
 */
export async function recordReference(db: Kysely<Database>, sessionId: number, caseId: string, input: { source: ReferenceSource; scores: ReviewScores }, user: SessionUser, now = new Date()): Promise<void> {
	if (!can(user.role, 'calibration.reference')) throw new AuditError(403, 'QA managers record the reference answer.');
	if (!(REFERENCE_SOURCES as readonly string[]).includes(input.source)) throw new AuditError(400, `Say whose answer this is: ${REFERENCE_SOURCES.join(' or ')}.`);
	const session = await db.selectFrom('calibration_sessions').select(['session_id', 'template_id']).where('session_id', '=', sessionId).executeTakeFirst();
	if (!session) throw new AuditError(404, `There is no calibration session ${sessionId}.`);
	const inSession = await db.selectFrom('audit_reviews').select('review_id').where('session_id', '=', sessionId).where('kind', '=', 'calibration').where('case_id', '=', caseId).executeTakeFirst();
	if (!inSession) throw new AuditError(400, `Case ${caseId} is not part of session ${sessionId}.`);
	const template = (await templateById(db, session.template_id)) ?? (await currentTemplate(db));
	const result = reviewScore(template.body, input.scores);
	if (!result.complete) throw new AuditError(400, 'Rate every category for the reference answer.', 'The reference is compared item by item, so it needs them all.');
	await db.transaction().execute(async (trx) => {
		const before = await trx.selectFrom('calibration_references').selectAll().where('session_id', '=', sessionId).where('case_id', '=', caseId).executeTakeFirst();
		await trx.deleteFrom('calibration_references').where('session_id', '=', sessionId).where('case_id', '=', caseId).execute();
		await trx
			.insertInto('calibration_references')
			.values({ session_id: sessionId, case_id: caseId, source: input.source, ratings: JSON.stringify(input.scores.ratings), critical: JSON.stringify(input.scores.critical), score: result.score, recorded_by: user.username, recorded_at: now })
			.execute();
		await recordAudit(trx, {
			actor: user.username,
			action: 'audit.calibration.reference',
			target: `calibration ${sessionId} (case ${caseId})`,
			before: before ? { source: before.source, ratings: JSON.parse(before.ratings), critical: JSON.parse(before.critical), score: before.score } : undefined,
			after: { source: input.source, ratings: input.scores.ratings, critical: input.scores.critical, score: result.score }
		});
	});
}

export type GraderGrain = 'session' | 'month';

export interface GraderPoint {
	reviewer: string;
	/** The session id (grain session) or 'YYYY-MM' of the session's creation (grain month). */
	period: string;
	label: string;
	compared: number;
	matching: number;
	share: number | null;
}

/**
 * "Grade the grader": per reviewer and session (or month), the share of items that match the
 * reference, over submitted calibration reviews of cases that have one.
 */
export async function graderTrend(db: Kysely<Database>, grain: GraderGrain): Promise<GraderPoint[]> {
	const sessions = await db.selectFrom('calibration_sessions').select(['session_id', 'name', 'created_at', 'template_id']).orderBy('session_id').execute();
	const references = await referencesOf(
		db,
		sessions.map((s) => s.session_id)
	);
	if (!references.size) return [];
	const reviews = await db.selectFrom('audit_reviews').selectAll().where('kind', '=', 'calibration').where('status', '=', 'submitted').execute();
	const points = new Map<string, GraderPoint>();
	const templates = new Map<number, ScorecardBody>();
	for (const s of sessions) {
		if (!templates.has(s.template_id)) templates.set(s.template_id, ((await templateById(db, s.template_id)) ?? (await currentTemplate(db))).body);
		const body = templates.get(s.template_id) as ScorecardBody;
		const period = grain === 'session' ? String(s.session_id) : s.created_at.toISOString().slice(0, 7);
		const label = grain === 'session' ? s.name : period;
		for (const r of reviews.filter((x) => x.session_id === s.session_id)) {
			const reference = references.get(`${s.session_id}/${r.case_id}`);
			if (!reference) continue;
			const d = deviationFromReference(body, [{ mine: parseScores(r), reference: reference.scores }]);
			const key = `${r.reviewer}\u0000${period}`;
			const p = points.get(key) ?? { reviewer: r.reviewer, period, label, compared: 0, matching: 0, share: null };
			p.compared += d.compared;
			p.matching += d.matching;
			p.share = p.compared ? p.matching / p.compared : null;
			points.set(key, p);
		}
	}
	return [...points.values()].sort((a, b) => a.reviewer.localeCompare(b.reviewer) || a.period.localeCompare(b.period, 'en', { numeric: true }));
}

export async function calibrationReport(db: Kysely<Database>, sessionId: number): Promise<CalibrationReport | undefined> {
	const session = await db.selectFrom('calibration_sessions').select(['session_id', 'name', 'created_at', 'created_by', 'template_id']).where('session_id', '=', sessionId).executeTakeFirst();
	if (!session) return undefined;
	const template = (await templateById(db, session.template_id)) ?? (await currentTemplate(db));
	const reviews = await db.selectFrom('audit_reviews').selectAll().where('session_id', '=', sessionId).where('kind', '=', 'calibration').orderBy('case_id').orderBy('reviewer').execute();
	const panel = [...new Set(reviews.map((r) => r.reviewer))].sort();
	const caseIds = [...new Set(reviews.map((r) => r.case_id))].sort();
	const cases = caseIds.map((case_id) => ({
		case_id,
		scores: Object.fromEntries(
			panel.map((p) => {
				const r = reviews.find((x) => x.case_id === case_id && x.reviewer === p);
				// Drafts stay private to their reviewer: only submitted scores are compared.
				return [p, r ? { review_id: r.review_id, status: r.status, score: r.status === 'submitted' ? r.score : null, ratings: r.status === 'submitted' ? parseScores(r).ratings : {} } : undefined];
			})
		)
	}));
	const agreement = template.body.categories.map((c) => {
		const data = cases.map((k) => panel.map((p) => k.scores[p]?.ratings[c.id] ?? null));
		const a = krippendorffAlpha(data, 'ordinal');
		return { id: c.id, label: c.label, alpha: a.alpha, pairable: a.pairable };
	});
	const scoreAlpha = krippendorffAlpha(
		cases.map((k) => panel.map((p) => k.scores[p]?.score ?? null)),
		'interval'
	);
	const severity = panel.map((p) => {
		const diffs: number[] = [];
		for (const k of cases) {
			const mine = k.scores[p]?.score;
			const all = panel.map((q) => k.scores[q]?.score).filter((s): s is number => typeof s === 'number');
			if (typeof mine !== 'number' || all.length < 2) continue;
			diffs.push(mine - all.reduce((a, b) => a + b, 0) / all.length);
		}
		return { reviewer: p, severity: diffs.length ? diffs.reduce((a, b) => a + b, 0) / diffs.length : null, cases: diffs.length };
	});
	const stored = await referencesOf(db, [sessionId]);
	const references = Object.fromEntries(caseIds.map((c) => [c, stored.get(`${sessionId}/${c}`)]));
	const deviation = panel.map((p) => {
		const pairs = cases.flatMap((k) => {
			const mine = k.scores[p];
			const reference = references[k.case_id];
			return mine?.status === 'submitted' && reference ? [{ mine: parseScores(reviews.find((x) => x.review_id === mine.review_id) ?? { ratings: null, critical: null }), reference: reference.scores }] : [];
		});
		const d = deviationFromReference(template.body, pairs);
		return { reviewer: p, ...d, share: d.compared ? d.matching / d.compared : null };
	});
	return { session, template, panel, cases, agreement, score_agreement: { alpha: scoreAlpha.alpha, pairable: scoreAlpha.pairable }, severity, references, deviation };
}
