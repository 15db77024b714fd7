import { sql, type Kysely, type Migration } from 'kysely';
import { DEFAULT_SCORECARD, DEFAULT_TEMPLATE_NAME, parseScorecard, type ScorecardBody } from '../../../audits/scorecard';

/**
 * Automatic checks on scorecard items (src/lib/audits/auto-checks). A database created before them
 * holds a default scorecard whose items declare none. Versions are never changed in place (a review
 * keeps the version it was scored with), so this adds one version: the newest one as it is, plus
 * the built-in declarations (DEFAULT_SCORECARD) on the items with the same id and, for categories,
 * the same scale. A newest version that already declares a check, or shares no such item, is left
 * alone; a new database seeds the default with its declarations (0003-audits.ts) and gets nothing here.
 */
export function withBuiltInChecks(body: ScorecardBody): ScorecardBody | null {
	if ([...body.categories, ...body.critical_items].some((i) => i.auto_check !== undefined)) return null;
	let added = 0;
	const categories = body.categories.map((c) => {
		const builtIn = DEFAULT_SCORECARD.categories.find((d) => d.id === c.id);
		if (!builtIn?.auto_check || builtIn.scale.min !== c.scale.min || builtIn.scale.max !== c.scale.max) return c;
		added += 1;
		return { ...c, auto_check: builtIn.auto_check, ...(builtIn.pass_from === undefined ? {} : { pass_from: builtIn.pass_from }) };
	});
	const critical_items = body.critical_items.map((i) => {
		const builtIn = DEFAULT_SCORECARD.critical_items.find((d) => d.id === i.id);
		if (!builtIn?.auto_check) return i;
		added += 1;
		return { ...i, auto_check: builtIn.auto_check };
	});
	return added ? { categories, critical_items } : null;
}

export const autoChecksMigration: Migration = {
	async up(db: Kysely<unknown>) {
		const { rows } = await sql<{ version: number; body: string }>`select version, body from scorecard_templates where name = ${DEFAULT_TEMPLATE_NAME} order by version desc limit 1`.execute(db);
		const latest = rows[0];
		if (!latest) return;
		const body = withBuiltInChecks(parseScorecard(latest.body));
		if (!body) return;
		await sql`insert into scorecard_templates (name, version, body, note, created_at, created_by)
			values (${DEFAULT_TEMPLATE_NAME}, ${latest.version + 1}, ${JSON.stringify(body)}, ${`Automatic checks declared on version ${latest.version} (scores unchanged)`}, now()::TIMESTAMP, 'system')`.execute(db);
	}
};
