import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { keepCurrent } from '../core/db/derived-tables.server';
import { decodeFact, encodeFact } from '../metrics/filters/data-version.server';
import { parseFilters } from '../metrics/filters/model';
import { resolveToday } from '../metrics/filters/period.server';
import type { ThemeSource } from './documents-sql.server';
import { frictionSettings, type FrictionSettings } from './friction-config.server';
import { frictionThemes, type ThemeReport } from './themes.server';

/**
 * The theme report of the whole archive (no filters, the configured trend period), kept per
 * source in friction_theme_reports (migration 0020-theme-reports) like the tables kept per import
 * (src/lib/core/db/derived-tables.server.ts): the view a lead opens every morning counted every
 * term of every document on each cold request (0.3 s at 1,000,000 cases, 1.9 s at 10,000,000),
 * and it depends only on the committed imports, the settings and the code. Built by the first
 * reader after an import that did not keep it, else by the import itself
 * (src/lib/imports/keep-derived.server.ts). Filtered views, another trend period or other
 * settings are computed as before.
 */

const WHOLE_ARCHIVE = parseFilters(new URLSearchParams());

/**
 * The code that computed a stored report: unlike the SQL-defined kept tables, whose settings are
 * their SQL text, a report is the output of this module's code and of what it bundles (the
 * server's chunk, the CLI's bundle; in development this file), so a new build recomputes it once
 * instead of serving the old code's numbers.
 */
let codeIdentity: string | undefined;
function thisCode(): string {
	if (codeIdentity === undefined) {
		try {
			codeIdentity = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex');
		} catch {
			// Not a file (an in-memory bundle): once per process, so never stale across versions.
			codeIdentity = `process-${process.pid}-${Date.now()}`;
		}
	}
	return codeIdentity;
}

function settingsKey(source: ThemeSource, s: FrictionSettings): string {
	return createHash('sha256').update(JSON.stringify([source, s, thisCode()])).digest('hex');
}

/** Brings the kept report of `source` up to the committed imports; returns whether it had to. */
export function keepThemeReport(db: Kysely<Database>, source: ThemeSource, settings: FrictionSettings = frictionSettings()): Promise<boolean> {
	// Every document of either source reads cases and answers (document-table.server.ts).
	return keepCurrent(db, { name: `theme_report_${source}`, reads: ['cases', 'feedback'] }, settingsKey(source, settings), async (trx) => {
		const today = await resolveToday(trx, WHOLE_ARCHIVE);
		const report = await frictionThemes(trx, { filters: WHOLE_ARCHIVE, source, today, settings });
		await sql`DELETE FROM friction_theme_reports WHERE source = ${source}`.execute(trx);
		await sql`INSERT INTO friction_theme_reports VALUES (${source}, ${encodeFact(report)})`.execute(trx);
	});
}

/** The whole archive's theme report of `source`, kept current first. */
export async function keptThemeReport(db: Kysely<Database>, source: ThemeSource): Promise<ThemeReport> {
	await keepThemeReport(db, source);
	const { rows } = await sql<{ report: string }>`SELECT report FROM friction_theme_reports WHERE source = ${source}`.execute(db);
	if (!rows[0]) throw new Error(`Internal error: the kept theme report of ${source} is missing`);
	return decodeFact(rows[0].report) as ThemeReport;
}
