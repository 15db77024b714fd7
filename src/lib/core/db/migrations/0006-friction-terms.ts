import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What the Friction page derives from imported rows and keeps between requests, brought up to date
 * on the first request after an import (src/lib/core/db/derived-tables.server.ts).
 *
 * Texts are tokenised once per distinct text, keyed by text_id = md5_number(text): a comment or
 * subject written many times (a template, "ok") is split once, and a replaced row whose text is
 * unchanged costs nothing. friction_texts: every text tokenised. friction_words: the words a text
 * keeps after stop words, with clause and position, so that a word found to be noise in one scope
 * can be left out and the bigrams closed over it. friction_terms: unigrams and bigrams per text
 * when no word is noise, the common case. friction_term_df: per word, an upper bound of the
 * documents holding it (one row per refresh), so a request looks for noise words only among words
 * common enough overall. friction_repeat_contacts: the cases that are a repeat contact (a window
 * over every case, src/lib/friction/structural.server.ts). friction_term_state: which committed
 * batches and which settings each of them reflects.
 */
export const frictionTermsMigration: Migration = {
	async up(db: Kysely<unknown>) {
		for (const statement of [
			// source: 'comments' (feedback.comment) or 'subjects' (cases.subject)
			sql`create table friction_texts (source varchar not null, text_id uhugeint not null)`,
			sql`create table friction_words (
				source varchar not null,
				text_id uhugeint not null,
				clause_no integer not null,
				word_no integer not null,
				term varchar not null,
				form varchar not null
			)`,
			sql`create table friction_terms (
				source varchar not null,
				text_id uhugeint not null,
				term varchar not null,
				form varchar not null,
				-- the term is a single kept word of the text (what the noise rule counts)
				unigram boolean not null
			)`,
			sql`create table friction_term_df (source varchar not null, term varchar not null, df bigint not null)`,
			sql`create table friction_repeat_contacts (case_id varchar not null)`,
			sql`create table friction_term_state (
				-- 'comments', 'subjects' or 'repeat_contacts'
				source varchar primary key,
				settings varchar not null,
				-- the highest committed batch reflected, and how many committed batches there were up to it
				batch_id integer not null,
				batches integer not null,
				built_at timestamp not null
			)`
		]) {
			await statement.execute(db);
		}
	}
};
