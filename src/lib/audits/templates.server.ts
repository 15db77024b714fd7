import type { Kysely } from 'kysely';
import { DEFAULT_SCORECARD, DEFAULT_TEMPLATE_NAME, parseScorecard, templateProblems, type ScorecardBody } from './scorecard';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { AuditError } from './audit-error';

export interface ScorecardTemplate {
	template_id: number;
	name: string;
	version: number;
	body: ScorecardBody;
	note: string | null;
	created_at: Date;
	created_by: string;
}

type Row = Omit<ScorecardTemplate, 'body'> & { body: string };

function toTemplate(row: Row): ScorecardTemplate {
	return { ...row, body: parseScorecard(row.body) };
}

/** The newest version of a template (the one new reviews use). The migration seeds the default. */
export async function currentTemplate(db: Kysely<Database>, name = DEFAULT_TEMPLATE_NAME): Promise<ScorecardTemplate> {
	const row = await db.selectFrom('scorecard_templates').selectAll().where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();
	if (row) return toTemplate(row);
	// Only a database whose seed row was removed by hand gets here: use the default without storing it.
	return { template_id: 0, name, version: 0, body: DEFAULT_SCORECARD, note: 'built-in default', created_at: new Date(0), created_by: 'system' };
}

export async function templateById(db: Kysely<Database>, id: number): Promise<ScorecardTemplate | undefined> {
	const row = await db.selectFrom('scorecard_templates').selectAll().where('template_id', '=', id).executeTakeFirst();
	return row ? toTemplate(row) : undefined;
}

export async function templateVersions(db: Kysely<Database>, name = DEFAULT_TEMPLATE_NAME) {
	return db.selectFrom('scorecard_templates').select(['template_id', 'name', 'version', 'note', 'created_at', 'created_by']).where('name', '=', name).orderBy('version', 'desc').execute();
}

/** Parses and checks a template body given as JSON text; throws AuditError(400) with every problem. */
export function parseTemplateText(text: string): ScorecardBody {
	let body: ScorecardBody;
	try {
		const raw = JSON.parse(text) as Partial<ScorecardBody>;
		if (!raw || typeof raw !== 'object' || !Array.isArray(raw.categories) || !Array.isArray(raw.critical_items ?? [])) throw new Error('shape');
		// An automatic check and its pass threshold are optional (src/lib/audits/scorecard.ts); templateProblems checks them.
		const autoCheck = (item: { auto_check?: unknown }) => (item.auto_check === undefined || item.auto_check === null || item.auto_check === '' ? {} : { auto_check: String(item.auto_check) });
		body = {
			categories: raw.categories.map((c) => ({
				id: String(c.id ?? ''),
				label: String(c.label ?? ''),
				weight: Number(c.weight),
				help: String(c.help ?? ''),
				scale: { min: Number(c.scale?.min), max: Number(c.scale?.max), labels: Array.isArray(c.scale?.labels) ? c.scale.labels.map(String) : [] },
				...autoCheck(c),
				...(c.pass_from === undefined || c.pass_from === null ? {} : { pass_from: Number(c.pass_from) })
			})),
			critical_items: (raw.critical_items ?? []).map((i) => ({ id: String(i.id ?? ''), label: String(i.label ?? ''), help: String(i.help ?? ''), ...autoCheck(i) }))
		};
	} catch {
		throw new AuditError(400, 'The template must be JSON with "categories" (id, label, weight, scale {min, max, labels}, help; optional auto_check and pass_from) and "critical_items" (id, label, help; optional auto_check).');
	}
	const problems = templateProblems(body);
	if (problems.length) throw new AuditError(400, problems.join(' '));
	return body;
}

/** Adds a version; earlier versions stay, and reviews keep the version they were scored with. */
export async function saveTemplateVersion(db: Kysely<Database>, body: ScorecardBody, note: string, actor: string, name = DEFAULT_TEMPLATE_NAME): Promise<ScorecardTemplate> {
	const problems = templateProblems(body);
	if (problems.length) throw new AuditError(400, problems.join(' '));
	return db.transaction().execute(async (trx) => {
		const current = await trx.selectFrom('scorecard_templates').selectAll().where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();
		const version = (current?.version ?? 0) + 1;
		const row = await trx
			.insertInto('scorecard_templates')
			.values({ name, version, body: JSON.stringify(body), note: note || null, created_at: new Date(), created_by: actor })
			.returningAll()
			.executeTakeFirstOrThrow();
		await recordAudit(trx, { actor, action: 'audit.template.version', target: `scorecard ${name} v${version}`, before: current ? JSON.parse(current.body) : undefined, after: body });
		return toTemplate(row);
	});
}
