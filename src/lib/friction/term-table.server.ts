import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../core/db/schema';
import type { ThemeSource } from './documents-sql.server';
import { keepCurrent } from '../core/db/derived-tables.server';
import type { FrictionSettings } from './friction-config.server';
import { gramsCtes, keptWordsSql } from './tokenise-sql.server';

/**
 * The persisted term table (migration 0006-friction-terms): tokenising every text on every
 * request was most of the Friction page's time, and what a text yields depends only on the text.
 * Steps 1-4 and 6 of tokenise-sql.server.ts are stored per distinct text; step 5 (noise words)
 * depends on the documents in scope and is applied per request, from the stored words of the few
 * texts it touches. A document finds its text's terms through textIdSql of its body.
 */

/** The key of a text in the term table; 128 bits, so two texts never share one in practice. */
export function textIdSql(body: RawBuilder<unknown>): RawBuilder<bigint> {
	return sql`md5_number(${body})`;
}

/** Only what changes the words a text keeps. */
function settingsKey(s: FrictionSettings): string {
	return JSON.stringify([s.languages, s.extra_stop_words, s.keep_words, s.noise_words, s.quantity_units, s.negations, s.min_word_length]);
}

function sourceRows(source: ThemeSource, afterBatch: number): RawBuilder<{ body: string }> {
	// Every text documentsSql (documents-sql.server.ts) can return, whatever the filters.
	return source === 'subjects'
		? sql`(SELECT subject AS body FROM cases WHERE subject IS NOT NULL AND trim(subject) <> '' AND batch_id > ${afterBatch})`
		: sql`(SELECT comment AS body FROM feedback WHERE comment IS NOT NULL AND trim(comment) <> '' AND batch_id > ${afterBatch})`;
}

/** Brings the term table of `source` up to the committed imports; returns whether it had to. */
export function ensureTermTable(db: Kysely<Database>, source: ThemeSource, settings: FrictionSettings): Promise<boolean> {
	// The texts alone (sourceRows): subjects are the cases', comments the answers'.
	return keepCurrent(db, { name: source, reads: [source === 'subjects' ? 'cases' : 'feedback'] }, settingsKey(settings), async (trx, refresh) => {
		const run = (q: RawBuilder<unknown>) => q.execute(trx);
		if (refresh.kind === 'full') {
			for (const table of ['friction_texts', 'friction_words', 'friction_terms', 'friction_term_df']) await run(sql`DELETE FROM ${sql.table(table)} WHERE source = ${source}`);
		}
		// Rows replaced by a later import keep their texts' entries: unused, never wrong.
		const rows = sourceRows(source, refresh.after);
		const fresh = sql.table(`friction_texts_${randomUUID().replace(/-/g, '').slice(0, 12)}`);
		await run(sql`CREATE TEMP TABLE ${fresh} AS
			SELECT text_id, any_value(body) AS body FROM (SELECT ${textIdSql(sql.ref('body'))} AS text_id, body FROM ${rows})
			WHERE text_id NOT IN (SELECT text_id FROM friction_texts WHERE source = ${source}) GROUP BY text_id`);
		try {
			await run(sql`INSERT INTO friction_texts SELECT ${source}, text_id FROM ${fresh}`);
			await run(sql`INSERT INTO friction_words SELECT ${source}, doc_id, clause_no, word_no, term, form FROM (${keptWordsSql(sql`(SELECT text_id AS doc_id, body FROM ${fresh})`, settings)})`);
			await run(sql`INSERT INTO friction_terms
				WITH kept AS (SELECT text_id AS doc_id, clause_no, word_no, term, form FROM friction_words WHERE source = ${source} AND text_id IN (SELECT text_id FROM ${fresh})),
				${gramsCtes(sql`true`)}
				SELECT ${source}, doc_id, term, min(form), bool_or(unigram) FROM grams GROUP BY doc_id, term`);
		} finally {
			await run(sql`DROP TABLE IF EXISTS ${fresh}`);
		}
		// Documents per word among the new rows, added to the earlier counts: replaced rows stay
		// counted, so the sum bounds the true count from above, which is all frequentTermsSql needs.
		await run(sql`INSERT INTO friction_term_df SELECT ${source}, t.term, count(*)
			FROM (SELECT ${textIdSql(sql.ref('body'))} AS text_id FROM ${rows}) d JOIN friction_terms t ON t.source = ${source} AND t.text_id = d.text_id
			WHERE t.unigram GROUP BY t.term`);
	});
}

/**
 * The words found in more than `max_document_share` of the `n` documents whose texts are `texts`
 * (text_id, n: documents per text) (step 5 of tokenise-sql.server.ts): (term, share). Only words
 * that many documents hold overall can be.
 */
export function frequentTermsSql(source: ThemeSource, texts: RawBuilder<unknown>, n: number, s: FrictionSettings): RawBuilder<{ term: string; share: number }> {
	if (n < s.noise_min_documents) return sql`SELECT CAST(NULL AS VARCHAR) AS term, CAST(NULL AS DOUBLE) AS share WHERE false`;
	return sql`SELECT term, df / ${n} AS share FROM (
			SELECT t.term, sum(d.n) AS df FROM friction_terms t JOIN ${texts} d ON d.text_id = t.text_id
			WHERE t.source = ${source} AND t.unigram
				AND t.term IN (SELECT term FROM friction_term_df WHERE source = ${source} GROUP BY term HAVING sum(df) > ${s.max_document_share} * ${n})
			GROUP BY t.term
		) WHERE df > ${s.max_document_share} * ${n}`;
}

/** Every stored (text_id, term, form) of `source`; join it to the texts in scope. */
export function storedTermsSql(source: ThemeSource): RawBuilder<{ text_id: bigint; term: string; form: string }> {
	return sql`(SELECT text_id, term, form FROM friction_terms WHERE source = ${source})`;
}

/**
 * (text_id, term, form) of `texts` (text_id, one row each) as termDocsSql would tokenise them when
 * the words in `frequent` are noise: stored terms, except for the texts holding such a word, whose
 * bigrams are formed again from their stored words without it.
 */
export function scopedTermsSql(source: ThemeSource, texts: RawBuilder<unknown>, frequent: RawBuilder<unknown>): RawBuilder<{ text_id: bigint; term: string; form: string }> {
	return sql`WITH scope AS (SELECT text_id FROM ${texts}),
		affected AS (SELECT DISTINCT text_id FROM friction_words WHERE source = ${source} AND term IN (SELECT term FROM ${frequent}) AND text_id IN (SELECT text_id FROM scope)),
		kept AS (SELECT text_id AS doc_id, clause_no, word_no, term, form FROM friction_words WHERE source = ${source} AND text_id IN (SELECT text_id FROM affected)),
		${gramsCtes(sql`term NOT IN (SELECT term FROM ${frequent})`)}
		SELECT text_id, term, form FROM friction_terms WHERE source = ${source} AND text_id IN (SELECT text_id FROM scope) AND text_id NOT IN (SELECT text_id FROM affected)
		UNION ALL
		SELECT doc_id AS text_id, term, min(form) AS form FROM grams GROUP BY doc_id, term`;
}
