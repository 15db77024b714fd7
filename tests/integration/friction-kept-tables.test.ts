import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { documentsSql, THEME_SOURCES, type ThemeSource } from '../../src/lib/friction/documents-sql.server';
import { ensureDocumentTable, keptBodiesSql, keptDocumentsInScopeSql } from '../../src/lib/friction/document-table.server';
import { ensureCaseFlags, keptCaseFlagsSql } from '../../src/lib/friction/structural.server';
import { caseFilterSql } from '../../src/lib/metrics/filters/case-filter-sql.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * The tables the Friction pages keep per import must give what the raw tables give, under every
 * filter: the documents (document-table.server.ts) those of documentsSql with the key and the
 * body of their text, the cases' flags (structural.server.ts) the flags as first written (a
 * window over every case for the repeat contacts). And they must follow an import that moves
 * cases to another region, rewrites a subject, replaces and adds answers and adds a repeat contact.
 */
const END = new Date('2026-06-01T00:00:00Z');
const SCOPES = ['', 'range=90d&channel=email', 'region=europe&category=refund_request', 'team=harbor&stage=order', 'range=custom&from=2026-01-01&to=2026-02-15', 'region=moon'];
let f: IngestFixture;
let firstBatch: number;

async function compare(source: ThemeSource, query: string): Promise<number> {
	const filters = parseFilters(new URLSearchParams(query));
	const kept = await sql`SELECT d.doc_id, d.case_id, d."at", d.csat, d.region, d.channel, d.category, d.text_id, b.body
		FROM ${keptDocumentsInScopeSql(source, filters, END)} d JOIN ${keptBodiesSql(source)} b ON b.text_id = d.text_id ORDER BY d.doc_id`.execute(f.db);
	const direct = await sql`SELECT doc_id, case_id, "at", csat, region, channel, category, md5_number(body) AS text_id, body FROM (${documentsSql(source, filters, END)}) ORDER BY doc_id`.execute(f.db);
	expect(kept.rows, `${source} ${query}`).toEqual(direct.rows);
	return kept.rows.length;
}

/** Cases in scope per filter column value and flags, kept and as first written; returns the repeat contacts. */
async function compareFlags(query: string): Promise<number> {
	const where = caseFilterSql(parseFilters(new URLSearchParams(query)), END);
	const columns = sql`c.created_at, c.batch_id, c.region, c.country, c.channel, c.stage, c.category, c.team, c.agent_id, c.reopen_known, c.reopen_event, c.escalation_known, c.escalation_event, c.repeat_contact_known, c.repeat_contact_event`;
	const kept = await sql<{ repeat_contact_event: boolean; n: number }>`SELECT ${columns}, count(*) AS n FROM ${keptCaseFlagsSql()} c WHERE ${where} GROUP BY ALL ORDER BY ALL`.execute(f.db);
	const direct = await sql`SELECT ${columns}, count(*) AS n FROM (
			SELECT *, reopen_count IS NOT NULL AS reopen_known, coalesce(reopen_count > 0, false) AS reopen_event, escalated IS NOT NULL AS escalation_known, coalesce(escalated, false) AS escalation_event,
				customer_id IS NOT NULL AND order_id IS NOT NULL AS repeat_contact_known,
				customer_id IS NOT NULL AND order_id IS NOT NULL AND coalesce(created_at - lag(created_at) OVER (PARTITION BY customer_id, order_id ORDER BY created_at, case_id) <= INTERVAL 7 DAY, false) AS repeat_contact_event
			FROM cases
		) c WHERE ${where} GROUP BY ALL ORDER BY ALL`.execute(f.db);
	expect(kept.rows, `flags ${query}`).toEqual(direct.rows);
	return kept.rows.filter((r) => r.repeat_contact_event).reduce((sum, r) => sum + r.n, 0);
}

beforeAll(async () => {
	f = await ingestFixture();
	const files = await writeDemoFiles(f.dir, { cases: 3000, seed: 11, end: END });
	firstBatch = (await f.ingest(files.casesPath, { kind: 'cases' })).batch_id as number;
	await f.ingest(files.feedbackPath, { kind: 'feedback' });
}, 120_000);

afterAll(async () => {
	await f?.dispose();
});

describe('the tables kept for the Friction pages', () => {
	test('are the documents of the raw tables, with their text, under every filter', async () => {
		for (const source of THEME_SOURCES) {
			expect(await ensureDocumentTable(f.db, source)).toBe(true);
			const counts: number[] = [];
			for (const scope of [...SCOPES, `batch=${firstBatch}`]) counts.push(await compare(source, scope));
			expect(counts[0]).toBeGreaterThan(500);
			expect(counts.slice(1, -2).every((n) => n > 0 && n < counts[0])).toBe(true);
			// Built once: the next reader finds them current.
			expect(await ensureDocumentTable(f.db, source)).toBe(false);
		}
		expect(await ensureCaseFlags(f.db, 7)).toBe(true);
		expect(await compareFlags('')).toBeGreaterThan(20);
		for (const scope of SCOPES) await compareFlags(scope);
		expect(await ensureCaseFlags(f.db, 7)).toBe(false);
	});

	test('follow an import that changes cases, replaces and adds answers and adds a repeat contact', async () => {
		const repeatsBefore = await compareFlags('');
		const { rows: moved } = await sql<{ case_id: string }>`
			SELECT c.case_id FROM cases c WHERE c.subject IS NOT NULL AND c.case_id IN (SELECT case_id FROM feedback WHERE comment IS NOT NULL AND trim(comment) <> '') ORDER BY c.case_id LIMIT 40`.execute(f.db);
		const ids = sql.join(moved.map((m) => m.case_id));
		const casesCsv = join(f.dir, 'moved-cases.csv');
		// Plus a repeat contact: a new case by the first one's customer about the same order, a day later.
		await sql`COPY (
				SELECT case_id, created_at, first_response_at, resolved_at, status, 'moon' AS region, country, channel, stage, category, agent_id, team, customer_id, order_id, reopen_count, escalated,
					'Parcel lost on the moon' AS subject FROM cases WHERE case_id IN (${ids})
				UNION ALL
				SELECT 'case-repeat', created_at + INTERVAL 1 DAY, NULL, NULL, 'open', 'moon', country, channel, stage, category, agent_id, team, 'cust-moon', 'order-moon', 0, false, 'Parcel lost on the moon'
				FROM cases WHERE case_id = ${moved[0].case_id}
				UNION ALL
				SELECT 'case-first', created_at, NULL, NULL, 'open', 'moon', country, channel, stage, category, agent_id, team, 'cust-moon', 'order-moon', 0, false, 'Parcel lost on the moon'
				FROM cases WHERE case_id = ${moved[0].case_id}
			) TO '${sql.raw(casesCsv)}' (HEADER)`.execute(f.db);
		const feedbackCsv = join(f.dir, 'more-feedback.csv');
		// The first of those cases gets a new answer rated 1, earlier than any: it becomes the CSAT of its subject.
		await sql`COPY (
				SELECT 'fb-new-' || case_id AS feedback_id, case_id, TIMESTAMP '2020-01-01 00:00:00' AS submitted_at, 'survey' AS kind, 1 AS csat, 'Nobody answers on the moon' AS comment, NULL AS region FROM cases WHERE case_id = ${moved[0].case_id}
				UNION ALL
				SELECT feedback_id, case_id, submitted_at, kind, 2, 'Replaced: refund still missing', region FROM (SELECT * FROM feedback WHERE comment IS NOT NULL ORDER BY feedback_id LIMIT 5)
			) TO '${sql.raw(feedbackCsv)}' (HEADER)`.execute(f.db);
		await f.ingest(casesCsv, { kind: 'cases' });
		await f.ingest(feedbackCsv, { kind: 'feedback' });
		for (const source of THEME_SOURCES) {
			expect(await ensureDocumentTable(f.db, source)).toBe(true);
			for (const scope of SCOPES) await compare(source, scope);
		}
		expect(await ensureCaseFlags(f.db, 7)).toBe(true);
		for (const scope of SCOPES) await compareFlags(scope);
		expect(await compareFlags('')).toBe(repeatsBefore + 1);
		const moon = parseFilters(new URLSearchParams('region=moon'));
		const { rows: comments } = await sql<{ body: string }>`SELECT b.body FROM ${keptDocumentsInScopeSql('comments', moon, END)} d JOIN ${keptBodiesSql('comments')} b ON b.text_id = d.text_id`.execute(f.db);
		expect(comments.length).toBeGreaterThanOrEqual(moved.length);
		expect(comments.filter((c) => c.body === 'Nobody answers on the moon')).toHaveLength(1);
		const { rows: subjects } = await sql<{ doc_id: string; csat: number | null; body: string }>`SELECT d.doc_id, d.csat, b.body FROM ${keptDocumentsInScopeSql('subjects', moon, END)} d JOIN ${keptBodiesSql('subjects')} b ON b.text_id = d.text_id`.execute(f.db);
		expect(subjects).toHaveLength(moved.length + 2);
		expect(subjects.every((s) => s.body === 'Parcel lost on the moon')).toBe(true);
		expect(subjects.find((s) => s.doc_id === moved[0].case_id)?.csat).toBe(1);
		expect(subjects.find((s) => s.doc_id === 'case-repeat')?.csat).toBeNull();
	});
});
