import { sql, type RawBuilder } from 'kysely';
import { stopWords, type FrictionSettings } from './friction-config.server';

/**
 * Text → theme candidates, entirely in DuckDB SQL so it scales with the archive:
 *
 * 1. Chunks holding a digit or an `@` (order ids, amounts, dates, e-mail addresses, phone
 *    numbers) are dropped, apostrophes are removed (`don't` → `dont`), text is lower-cased and
 *    split into clauses at `. , ; : ! ?` and line breaks, then into words at anything that is not a
 *    letter or a digit (Unicode-aware, so `não` and `atualização` stay whole).
 * 2. Each word is compared without accents (`strip_accents`), so `não`/`nao` and
 *    `informação`/`informacao` meet; the most common written form is kept for display.
 * 3. Plural → singular, a deliberately small rule (no dictionary): `-ções` → `-ção`, `-ies` → `-y`,
 *    `-sses` → `-ss`, `-ches`/`-shes`/`-xes` lose `-es`, Portuguese `-ais`/`-eis` → `-al`/`-el`, and
 *    otherwise a final `-s` is dropped from words of four letters or more unless they end in
 *    `-ss`, `-us` or `-is` (`status`, `analysis`). So `refunds`/`refund`, `produtos`/`produto`,
 *    `deliveries`/`delivery` meet; a rare over-cut (`news` → `new`) only merges two spellings.
 * 4. Stop words (stopword and stopwords-iso lists for the configured languages, less `keep_words`,
 *    plus `extra_stop_words`), configured `noise_words`, words shorter than `min_word_length` and
 *    bare numbers are dropped; so is a unit of `quantity_units` right after a dropped number: "for 3
 *    days" is a duration like "49.90" is an amount, and "day" alone became a theme of 12% of the
 *    demo's comments, spread over every complaint that counts days.
 *    A negation (`not`, `não`, `no`, ...) is not dropped but joined to the next word, so "not
 *    updating" and "não atualiza" stay themes instead of turning into their opposite.
 * 5. Data-derived noise: a word found in more than `max_document_share` of the documents (once
 *    there are `noise_min_documents`) carries no theme in this data set (the company's name, a
 *    greeting) and is dropped before bigrams are formed.
 * 6. Unigrams, plus bigrams of neighbouring kept words within one clause.
 *
 * The result has one row per document and term: (doc_id, term, form), `term` being the
 * normalised key and `form` the words as written.
 */
export function termDocsSql(docs: RawBuilder<unknown>, s: FrictionSettings): RawBuilder<{ doc_id: string; term: string; form: string }> {
	return sql<{ doc_id: string; term: string; form: string }>`${tokenCtes(docs, s)} SELECT doc_id, term, min(form) AS form FROM grams GROUP BY doc_id, term`;
}

/** The words dropped by step 5 in these documents, with the share of documents holding each. */
export function frequentWordsSql(docs: RawBuilder<unknown>, s: FrictionSettings): RawBuilder<{ term: string; share: number }> {
	return sql<{ term: string; share: number }>`${tokenCtes(docs, s)} SELECT term, share FROM frequent ORDER BY share DESC, term`;
}

/**
 * Steps 1-4 only: the words each document keeps, (doc_id, clause_no, word_no, term, form). They do
 * not depend on the other documents, so term-table.server.ts stores them once per import.
 */
export function keptWordsSql(docs: RawBuilder<unknown>, s: FrictionSettings): RawBuilder<{ doc_id: string; clause_no: number; word_no: number; term: string; form: string }> {
	return sql`${keptCtes(docs, s)} SELECT doc_id, clause_no, word_no, term, form FROM kept`;
}

function tokenCtes(docs: RawBuilder<unknown>, s: FrictionSettings): RawBuilder<unknown> {
	return sql`${keptCtes(docs, s)},
total AS (SELECT count(*) AS n FROM ${docs} WHERE body IS NOT NULL),
frequent AS (
	SELECT term, df / total.n AS share FROM (SELECT term, count(DISTINCT doc_id) AS df FROM kept GROUP BY term), total
	WHERE total.n >= ${s.noise_min_documents} AND df > ${s.max_document_share} * total.n
),
${gramsCtes(sql`term NOT IN (SELECT term FROM frequent)`)}`;
}

function keptCtes(docs: RawBuilder<unknown>, s: FrictionSettings): RawBuilder<unknown> {
	const list = (words: readonly string[]) => sql`(SELECT DISTINCT strip_accents(lower(w)) AS word FROM (SELECT unnest(string_split(${words.filter((w) => !/\s/.test(w)).join(' ')}, ' ')) AS w) WHERE w <> '')`;
	return sql`
WITH stop AS ${list(stopWords(s))},
configured_noise AS ${list(s.noise_words)},
units AS ${list(s.quantity_units)},
neg AS ${list(s.negations)},
clauses AS (
	SELECT doc_id, unnest(parts) AS clause, generate_subscripts(parts, 1) AS clause_no
	-- A chunk with a digit leaves the word 0 behind, so that the unit after it is known to count something.
	FROM (SELECT doc_id, regexp_split_to_array(lower(replace(replace(regexp_replace(regexp_replace(body, '\\S*@\\S*', ' ', 'g'), '\\S*[0-9]\\S*', ' 0 ', 'g'), '''', ''), '’', '')), '[.,;:!?\n]+') AS parts FROM ${docs} WHERE body IS NOT NULL)
),
raw AS (
	SELECT doc_id, clause_no, unnest(words) AS word, generate_subscripts(words, 1) AS word_no
	FROM (SELECT doc_id, clause_no, regexp_split_to_array(clause, '[^\\p{L}\\p{N}]+') AS words FROM clauses)
),
marked AS (
	SELECT doc_id, clause_no, word_no, word, strip_accents(word) AS plain, strip_accents(word) IN (SELECT word FROM neg) AS is_neg
	FROM raw WHERE word <> ''
),
context AS (
	SELECT *, ${singular(sql.ref('plain'))} AS single,
		coalesce(lag(is_neg) OVER w, false) AS after_neg, lag(plain) OVER w AS neg_plain, lag(word) OVER w AS neg_word,
		coalesce(lag(plain) OVER w = '0', false) AS after_number
	FROM marked WINDOW w AS (PARTITION BY doc_id, clause_no ORDER BY word_no)
),
kept AS (
	SELECT doc_id, clause_no, word_no,
		CASE WHEN after_neg THEN neg_plain || ' ' || single ELSE single END AS term,
		CASE WHEN after_neg THEN neg_word || ' ' || word ELSE word END AS form
	FROM context
	WHERE NOT is_neg AND length(plain) >= ${s.min_word_length} AND NOT regexp_full_match(plain, '[0-9]+')
		AND plain NOT IN (SELECT word FROM stop) AND single NOT IN (SELECT word FROM stop)
		AND plain NOT IN (SELECT word FROM configured_noise) AND single NOT IN (SELECT word FROM configured_noise)
		AND NOT (after_number AND (plain IN (SELECT word FROM units) OR single IN (SELECT word FROM units)))
)`;
}

/**
 * Step 6 as the CTEs `clean` and `grams` (doc_id, term, form, unigram) over kept words that pass
 * `keep`; the statement must define `kept` before them. `unigram`: the term is one of the
 * document's single words, what step 5 counts.
 */
export function gramsCtes(keep: RawBuilder<boolean>): RawBuilder<unknown> {
	return sql`
clean AS (
	SELECT doc_id, clause_no, term, form, row_number() OVER (PARTITION BY doc_id, clause_no ORDER BY word_no) AS word_no
	FROM kept WHERE ${keep}
),
grams AS (
	SELECT doc_id, term, form, true AS unigram FROM clean
	UNION ALL
	SELECT doc_id, term || ' ' || next_term, form || ' ' || next_form, false
	FROM (SELECT doc_id, term, form, lead(term) OVER w AS next_term, lead(form) OVER w AS next_form FROM clean WINDOW w AS (PARTITION BY doc_id, clause_no ORDER BY word_no))
	WHERE next_term IS NOT NULL AND next_term <> term
)`;
}

/** The plural → singular rule of step 3, on accent-free lower-case words. */
export function singular(word: RawBuilder<unknown>): RawBuilder<string> {
	return sql<string>`CASE
		WHEN ${word} LIKE '%coes' AND length(${word}) > 5 THEN left(${word}, -4) || 'cao'
		WHEN ${word} LIKE '%ies' AND length(${word}) > 4 THEN left(${word}, -3) || 'y'
		WHEN ${word} LIKE '%sses' THEN left(${word}, -2)
		WHEN regexp_matches(${word}, '(ch|sh|x)es$') THEN left(${word}, -2)
		WHEN regexp_matches(${word}, '[ae]is$') AND length(${word}) > 4 THEN left(${word}, -2) || 'l'
		WHEN ${word} LIKE '%s' AND length(${word}) > 3 AND NOT regexp_matches(${word}, '(ss|us|is)$') THEN left(${word}, -1)
		ELSE ${word} END`;
}
