import { sql, type Kysely } from 'kysely';
import { srsIndices } from './sampling';
import { krippendorffAlpha } from '../core/stats/krippendorff';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { Rng } from '../core/random';
import { AuditError } from './audit-error';
import { parseScores } from './reviews.server';
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
	return { session, template, panel, cases, agreement, score_agreement: { alpha: scoreAlpha.alpha, pairable: scoreAlpha.pairable }, severity };
}
