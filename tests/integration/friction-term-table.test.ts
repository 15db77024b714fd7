import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFilters, type Filters } from '../../src/lib/metrics/filters/model';
import { frictionSettings } from '../../src/lib/friction/friction-config.server';
import { ensureTermTable } from '../../src/lib/friction/term-table.server';
import { keptBodiesSql } from '../../src/lib/friction/document-table.server';
import { frictionThemes, withThemeTables } from '../../src/lib/friction/themes.server';
import { frequentWordsSql, termDocsSql } from '../../src/lib/friction/tokenise-sql.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * The stored term table (term-table.server.ts) must give exactly the terms and noise words that
 * tokenising the documents in scope on the fly gives (termDocsSql, frequentWordsSql), in every
 * scope, including one where a word is noise and the bigrams close over it, and it must follow a
 * second import that adds comments and replaces one.
 */
const END = new Date('2026-04-01T00:00:00Z');
const settings = frictionSettings();
let f: IngestFixture;

function day(i: number): string {
	return new Date(Date.UTC(2026, 0, 1) + (i % 90) * 86_400_000 + (i % 24) * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function csv(rows: [id: string, at: string, csat: number, comment: string][]): string {
	return `feedback_id,case_id,submitted_at,kind,csat,comment,region\n${rows.map(([id, at, csat, comment]) => `${id},,${at},survey,${csat},"${comment}",europe`).join('\n')}\n`;
}

function firstBatch(): [string, string, number, string][] {
	const days = ['monday', 'tuesday', 'friday'];
	return Array.from({ length: 300 }, (_, i) => {
		// "Acme" is in 70% of the comments: noise (max_document_share 0.5) once 200 are in scope.
		const text = i < 120 ? `Acme app crashing on login ${days[i % 3]}` : i < 210 ? 'Hello, Acme delivery late again.' : 'Great support team, quick answer';
		return [`fb-${i + 1}`, day(i), i < 210 ? 2 : 5, text];
	});
}

async function compare(filters: Filters): Promise<{ terms: number; frequent: string[] }> {
	return withThemeTables(f.db, { filters, source: 'comments', today: END, settings }, async ({ conn, docs, terms, frequent }) => {
		const texts = sql`(SELECT d.doc_id, b.body FROM ${docs} d JOIN ${keptBodiesSql('comments')} b ON b.text_id = d.text_id)`;
		const stored = await sql`SELECT doc_id, term, form FROM ${terms} ORDER BY ALL`.execute(conn);
		const onTheFly = await sql`SELECT doc_id, term, form FROM (${termDocsSql(texts, settings)}) ORDER BY ALL`.execute(conn);
		expect(stored.rows).toEqual(onTheFly.rows);
		const noise = await sql<{ term: string; share: number }>`SELECT term, share FROM ${frequent} ORDER BY share DESC, term`.execute(conn);
		expect(noise.rows).toEqual((await frequentWordsSql(texts, settings).execute(conn)).rows);
		return { terms: stored.rows.length, frequent: noise.rows.map((r) => r.term) };
	});
}

beforeAll(async () => {
	f = await ingestFixture();
	await f.ingest(await f.file('feedback-1.csv', csv(firstBatch())), { kind: 'feedback' });
});

afterAll(async () => {
	await f?.dispose();
});

describe('the stored term table', () => {
	test('gives the terms and noise words of tokenising on the fly, whole archive and a narrow range', async () => {
		const all = await compare(parseFilters(new URLSearchParams()));
		expect(all.frequent).toEqual(['acme']);
		// 30 days: fewer documents than noise_min_documents, so "acme" is a term again.
		const month = await compare(parseFilters(new URLSearchParams('from=2026-01-01&to=2026-01-30')));
		expect(month.frequent).toEqual([]);
		const themes = await frictionThemes(f.db, { filters: parseFilters(new URLSearchParams()), source: 'comments', today: END, settings });
		expect(themes.frequent_words.map((w) => w.term)).toEqual(['acme']);
		expect(themes.themes.find((t) => t.terms.includes('crashing login'))?.count).toBe(120);
		// Built once: the next reader finds it current.
		expect(await ensureTermTable(f.db, 'comments', settings)).toBe(false);
	});

	test('a second import that adds comments and replaces one is reflected', async () => {
		const added: [string, string, number, string][] = Array.from({ length: 30 }, (_, i) => [`fb-${301 + i}`, day(i), 1, 'Refund never arrived']);
		// fb-1 was a crash report; its new version is a refund complaint.
		await f.ingest(await f.file('feedback-2.csv', csv([['fb-1', day(0), 1, 'Refund never arrived'], ...added])), { kind: 'feedback' });
		const all = await compare(parseFilters(new URLSearchParams()));
		expect(all.frequent).toEqual(['acme']);
		const themes = await frictionThemes(f.db, { filters: parseFilters(new URLSearchParams()), source: 'comments', today: END, settings });
		expect(themes.documents).toBe(330);
		expect(themes.themes.find((t) => t.terms.includes('crashing login'))?.count).toBe(119);
		expect(themes.themes.find((t) => t.terms.includes('refund'))?.count).toBe(31);
		const { rows } = await sql<{ batch_id: number }>`SELECT batch_id FROM derived_table_state WHERE source = 'comments'`.execute(f.db);
		const latest = await sql<{ b: number }>`SELECT max(batch_id) AS b FROM import_batches WHERE status = 'committed'`.execute(f.db);
		expect(rows[0].batch_id).toBe(latest.rows[0].b);
	});
});
