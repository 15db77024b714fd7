import { Kysely, sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/core/db/schema';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { frictionOptions, frictionReport } from '../../src/lib/friction/report.server';
import { frictionThemes } from '../../src/lib/friction/themes.server';
import { keepThemeReport, keptThemeReport } from '../../src/lib/friction/theme-report-table.server';
import { keepDerivedTables } from '../../src/lib/imports/keep-derived.server';
import { useDemoArchive } from '../helpers/demo-archive';

// The unfiltered Friction page, its report and the API read the whole archive's theme report kept
// per import (friction_theme_reports) instead of counting every term of every document. It must be
// the report computed from the documents, follow imports (kept by the import itself once built),
// and serve neither filtered views nor another trend period.
const END = new Date('2026-11-01T00:00:00Z');
const WHOLE = parseFilters(new URLSearchParams());
const f = useDemoArchive({ cases: 3000, seed: 41, end: END });


const page = (query: string) => frictionReport(f.db, frictionOptions(new URLSearchParams(query)), END);
const computed = (query = '') => frictionThemes(f.db, { filters: parseFilters(new URLSearchParams(query)), source: 'comments', today: END });
const keptState = async () => (await sql<{ batch_id: number }>`SELECT batch_id FROM derived_table_state WHERE source = 'theme_report_comments'`.execute(f.db)).rows[0]?.batch_id;

describe('the kept theme report', () => {
	test('the unfiltered page shows the kept report, which is the report computed from the documents', async () => {
		expect(await keepThemeReport(f.db, 'comments')).toBe(true);
		const kept = await keptThemeReport(f.db, 'comments');
		// Stored as JSON and read back: Dates, nulls and numbers come back as computed.
		expect(kept).toEqual(await computed());
		expect(kept.themes.length).toBeGreaterThan(3);
		expect(kept.period?.end).toBeInstanceOf(Date);
		expect(kept.themes.some((t) => t.examples?.some((e) => e.at instanceof Date))).toBe(true);
		// Asked again with nothing changed, it is not rebuilt.
		expect(await keepThemeReport(f.db, 'comments')).toBe(false);
		// The page reads the stored row: a count changed there shows on the page.
		await sql`UPDATE friction_theme_reports SET report = replace(report, ${`"documents":${kept.documents},`}, '"documents":123456789,') WHERE source = 'comments'`.execute(f.db);
		expect((await page('')).documents).toBe(123456789);
		await sql`UPDATE friction_theme_reports SET report = replace(report, '"documents":123456789,', ${`"documents":${kept.documents},`}) WHERE source = 'comments'`.execute(f.db);
		expect(await keptThemeReport(f.db, 'comments')).toEqual(kept);
	});

	test('an import keeps it current: sixty angry comments about a new problem make a theme', async () => {
		const before = await keptThemeReport(f.db, 'comments');
		expect(before.themes.flatMap((t) => t.terms).join(' ')).not.toContain('locker');
		const { rows } = await sql<{ case_id: string; created_at: Date }>`SELECT case_id, created_at FROM cases ORDER BY case_id LIMIT 60`.execute(f.db);
		const lines = rows.map((c, i) => `LOCK${i},${c.case_id},2026-10-${String(10 + (i % 20)).padStart(2, '0')} 12:00:00,survey,1,The parcel locker was broken again and nobody answered`);
		const csv = await f.file('locker.csv', `feedback_id,case_id,submitted_at,kind,csat,comment\n${lines.join('\n')}\n`);
		const summary = await f.ingest(csv, { kind: 'feedback', beforeCommit: (trx: Kysely<Database>) => keepDerivedTables(trx, f.db) });
		expect(summary.accepted).toBe(60);
		// Built by the import, in its transaction: the first reader finds it current.
		expect(await keptState()).toBe(summary.batch_id);
		expect(await keepThemeReport(f.db, 'comments')).toBe(false);
		const after = await keptThemeReport(f.db, 'comments');
		expect(after).toEqual(await computed());
		expect(after.documents).toBe(before.documents + 60);
		// The phrases of one text are one theme, named by one of them.
		const locker = after.themes.find((t) => t.terms.includes('parcel locker'));
		expect(locker?.count).toBe(60);
		expect(locker?.csat_mean).toBeLessThan(before.csat_mean as number);
		const shown = await page('');
		expect(shown.documents).toBe(after.documents);
		expect(shown.themes.map((t) => t.key)).toEqual(after.themes.map((t) => t.key));
	});

	test('filtered views and another trend period are computed, not read from it', async () => {
		const whole = await keptThemeReport(f.db, 'comments');
		const europe = await page('region=europe');
		expect(europe.documents).toBeLessThan(whole.documents);
		expect(europe.documents).toBe((await computed('region=europe')).documents);
		const week = await page('period=7');
		expect(week.period?.days).toBe(7);
		expect(whole.period?.days).not.toBe(7);
		// The options that make the whole-archive view: no filter, the configured period.
		expect(frictionOptions(new URLSearchParams('')).filters).toEqual(WHOLE);
	});
});
