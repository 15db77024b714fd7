import type { Kysely } from 'kysely';
import { checkScorecard, DEFAULT_SCORECARD, DEFAULT_TEMPLATE_NAME, parseScorecard, type ScorecardBody } from './scorecard';
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

const DEFINITION_HINT = 'Categories take id, label, weight, scale {min, max, labels}, help and optionally auto_check, pass_from, na_allowed and root_causes; critical items take id, label, help and optionally auto_check and root_causes.';

/** A definition from the JSON editor or the builder form, checked by scorecardSchema; throws AuditError(400) naming the first wrong field. */
export function checkedDefinition(input: unknown): ScorecardBody {
	const result = checkScorecard(input);
	if (!result.ok) throw new AuditError(400, `The scorecard is not valid: ${result.problem}.`, DEFINITION_HINT);
	return result.body;
}

/** Parses and checks a template body given as JSON text; throws AuditError(400) naming the first wrong field. */
export function parseTemplateText(text: string): ScorecardBody {
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch (e) {
		throw new AuditError(400, `The scorecard is not valid JSON (${e instanceof Error ? e.message : 'unreadable'}).`, DEFINITION_HINT);
	}
	return checkedDefinition(raw);
}

/** Adds a version; earlier versions stay, and reviews keep the version they were scored with. */
export async function saveTemplateVersion(db: Kysely<Database>, body: ScorecardBody, note: string, actor: string, name = DEFAULT_TEMPLATE_NAME): Promise<ScorecardTemplate> {
	const checked = checkedDefinition(body);
	return db.transaction().execute(async (trx) => {
		const current = await trx.selectFrom('scorecard_templates').selectAll().where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();
		const version = (current?.version ?? 0) + 1;
		const row = await trx
			.insertInto('scorecard_templates')
			.values({ name, version, body: JSON.stringify(checked), note: note || null, created_at: new Date(), created_by: actor })
			.returningAll()
			.executeTakeFirstOrThrow();
		await recordAudit(trx, { actor, action: 'audit.template.version', target: `scorecard ${name} v${version}`, before: current ? JSON.parse(current.body) : undefined, after: checked });
		return toTemplate(row);
	});
}
