import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../core/db/schema';
import { keepCurrent, settingsOfSql } from '../core/db/derived-tables.server';
import type { Filters } from '../metrics/filters/model';
import { allDocumentsSql, documentFilterSql, type ThemeSource } from './documents-sql.server';
import { textIdSql } from './term-table.server';

/**
 * The documents of each source with their text's key in the term table and the columns the
 * filters read, and each text once with its body, kept per import (derived-tables.server.ts):
 * joining every answer to its case and hashing every text again on each request was most of the
 * Friction page's time once the texts were tokenised at import, and finding the few bodies shown
 * among all the answers by id cost more than the rest of the examples' query.
 *
 * The tables are whatever the queries filling them return, so the queries create them (no
 * migration to keep in step) and their text is the tables' settings: a changed definition
 * rebuilds them. Any import can change any document (a case import moves its answers to another
 * region, a feedback import changes a subject's CSAT), so every refresh rebuilds them whole, like
 * the cases' flags (structural.server.ts).
 */
function documentTable(source: ThemeSource): RawBuilder<unknown> {
	return sql.table(`friction_documents_${source}`);
}

/** (text_id, body): every text of `source` once. Call ensureDocumentTable first. */
export function keptBodiesSql(source: ThemeSource): RawBuilder<{ text_id: bigint; body: string }> {
	return sql.table(`friction_document_texts_${source}`);
}

/** Brings the document tables of `source` up to the committed imports; returns whether it had to. */
export function ensureDocumentTable(db: Kysely<Database>, source: ThemeSource): Promise<boolean> {
	const all = sql`SELECT d.*, ${textIdSql(sql.ref('d.body'))} AS text_id FROM (${allDocumentsSql(source)}) d`;
	// Ordered by date so that a date filter skips the row groups outside its range.
	const documents = sql`SELECT * EXCLUDE (body) FROM all_documents ORDER BY "at", doc_id`;
	const texts = sql`SELECT text_id, any_value(body) AS body FROM all_documents GROUP BY text_id`;
	// Either source reads both kinds: answers carry their case's filter columns, subjects their case's first CSAT answer.
	return keepCurrent(db, { name: `documents_${source}`, reads: ['cases', 'feedback'] }, settingsOfSql(db, all, documents, texts), async (trx) => {
		const scratch = sql.table(`friction_all_documents_${randomUUID().replace(/-/g, '').slice(0, 12)}`);
		await sql`CREATE TEMP TABLE ${scratch} AS ${all}`.execute(trx);
		try {
			const from = (q: RawBuilder<unknown>) => sql`WITH all_documents AS (SELECT * FROM ${scratch}) ${q}`;
			await sql`CREATE OR REPLACE TABLE ${documentTable(source)} AS ${from(documents)}`.execute(trx);
			await sql`CREATE OR REPLACE TABLE ${keptBodiesSql(source)} AS ${from(texts)}`.execute(trx);
		} finally {
			await sql`DROP TABLE IF EXISTS ${scratch}`.execute(trx);
		}
	});
}

/**
 * The documents of `source` in scope, without their text: (doc_id, case_id, at, csat, region,
 * channel, category, text_id, and the filter columns). Call ensureDocumentTable first.
 */
export function keptDocumentsInScopeSql(source: ThemeSource, filters: Filters, today: Date): RawBuilder<unknown> {
	return sql`(SELECT * FROM ${documentTable(source)} d WHERE ${documentFilterSql(filters, today)})`;
}
