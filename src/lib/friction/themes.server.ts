import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Filters } from '../metrics/filters/model';
import { maskPersonalData } from '../core/mask-personal-data';
import type { Database } from '../core/db/schema';
import type { ThemeSource } from './documents-sql.server';
import { ensureDocumentTable, keptBodiesSql, keptDocumentsInScopeSql } from './document-table.server';
import { resolveToday } from '../metrics/filters/period.server';
import { frictionSettings, type FrictionSettings } from './friction-config.server';
import { archiveEnd, trendPeriods, type Periods } from './periods.server';
import { withScratchTables } from './scratch-tables.server';
import { whichSet } from '../core/db/grouping-sets.server';
import { clusterThemes, overlapCandidates, type TermOverlap, type TermStats } from './theme-clusters.server';
import { ensureTermTable, frequentTermsSql, scopedTermsSql, storedTermsSql } from './term-table.server';
import { markRising, periodTrend, TREND_DEFINITION, type TestedTrend } from './trend-test.server';

export const LIFT_DIMENSIONS = ['region', 'channel', 'category'] as const;
export type LiftDimension = (typeof LIFT_DIMENSIONS)[number];

export interface LiftValue {
	value: string;
	count: number;
	/** Share of the theme's documents in this group / share of all documents in it. */
	lift: number;
}

export interface ThemeExample {
	doc_id: string;
	case_id: string | null;
	at: Date;
	csat: number | null;
	/** Personal data masked, always: examples leave the QA team in reports. */
	text: string;
}

export interface Theme extends TestedTrend {
	/** The normalised term whose documents are the theme's (use it in links and tracking). */
	key: string;
	/** The theme as written most often. */
	theme: string;
	terms: string[];
	count: number;
	share: number;
	rated: number;
	csat_mean: number | null;
	csat_rest: number | null;
	csat_share: number | null;
	csat_share_rest: number | null;
	/** csat_rest - csat_mean, in points of the 1-5 scale. */
	cost: number | null;
	/** count x cost (or count when the documents carry no CSAT at all): the ranking. */
	score: number | null;
	/** Rated documents of the theme with CSAT 1-2. */
	low: number;
	/** z-score of the log-odds of the theme in CSAT 1-2 against 3-5 documents; null when untested. */
	keyness: number | null;
	recent: number;
	previous: number;
	lift: Record<LiftDimension, LiftValue[]> | null;
	examples: ThemeExample[] | null;
}

export interface PeriodWindow {
	days: number;
	recent_from: Date;
	end: Date;
	previous_from: Date;
	recent_documents: number;
	previous_documents: number;
}

export interface ThemeReport {
	source: ThemeSource;
	documents: number;
	rated: number;
	csat_mean: number | null;
	period: PeriodWindow | null;
	/** 'csat' ranks by count x CSAT cost; 'volume' by count, when no document carries a rating. */
	score_basis: 'csat' | 'volume';
	/** Words left out because they are in too many documents to mark a theme. */
	frequent_words: { term: string; share: number }[];
	themes: Theme[];
	settings: Pick<FrictionSettings, 'min_theme_count' | 'max_document_share' | 'trend_days' | 'languages'>;
	definition: string;
}

export interface ThemeOptions {
	filters: Filters;
	source?: ThemeSource;
	/** Length of the recent period (and of the one before it), days. */
	periodDays?: number;
	today?: Date;
	settings?: FrictionSettings;
}

export const THEME_DEFINITION =
	'A theme is a word or a pair of neighbouring words (stop words, greetings, units after a number and words in too many documents left out; plural and singular, accents and negation handled) found in at least the minimum number of documents; phrases sharing most of their documents are one theme, and a word that only recurs inside several such phrases is none. Keyness: where enough documents are rated, a theme is kept only if it is significantly more likely in CSAT 1-2 documents than in 3-5 ones (z of the log-odds ratio with an informative Dirichlet prior from all documents in scope, Monroe et al. 2008, at least 1.96), so words that complaints and praise share, or that praise brings, are left out. Count = documents holding it; share = of all documents in scope. CSAT = mean 1-5 score of its rated documents against the rated documents without it. Score = count x (CSAT of the rest - CSAT of the theme): how much satisfaction the theme costs. Lift = how much more often the theme occurs in a region, channel or category than documents overall. Examples: the lowest CSAT first, then the most recent.';

/**
 * Prior strength of the keyness test, in documents: each group gets the theme's share of all
 * documents in scope times this many pseudo-documents, which steadies the ratio of rare themes
 * (Monroe, Colaresi and Quinn 2008, "Fightin' words", informative Dirichlet prior).
 */
const KEYNESS_PRIOR_DOCUMENTS = 100;

/** z-score of the prior-smoothed log-odds ratio of a theme in group 1 against group 2. */
export function keynessZ(y1: number, n1: number, y2: number, n2: number, backgroundShare: number, prior = KEYNESS_PRIOR_DOCUMENTS): number {
	const a = prior * backgroundShare;
	const delta = Math.log((y1 + a) / (n1 + prior - y1 - a)) - Math.log((y2 + a) / (n2 + prior - y2 - a));
	return delta / Math.sqrt(1 / (y1 + a) + 1 / (y2 + a));
}

interface TermRow {
	term: string;
	label: string;
	count: number;
	signature: string;
	rated: number;
	csat_sum: number | null;
	satisfied: number;
	low: number;
	recent: number;
	previous: number;
}

/** Sums over the documents in scope. */
interface Totals {
	n: number;
	rated: number;
	csat_sum: number | null;
	satisfied: number;
	low: number;
	/** Documents in the recent period and in the one before it (0 without periods). */
	recent: number;
	previous: number;
}

function ratio(a: number | null, b: number): number | null {
	return b > 0 && a !== null ? a / b : null;
}

/**
 * The documents in scope (from the table kept per import, document-table.server.ts; no text),
 * their texts with what the statistics sum per text, the terms of those texts (from the term
 * table, term-table.server.ts) per text and per document, the words left out as noise in this
 * scope and the trend periods, shared by the report, the theme page and item impact.
 */
export async function withThemeTables<T>(
	db: Kysely<Database>,
	options: ThemeOptions,
	work: (ctx: {
		conn: Kysely<Database>;
		source: ThemeSource;
		/** The documents in scope (doc_id, case_id, at, csat, region, channel, category, text_id, ...); their text is in keptBodiesSql. */
		docs: RawBuilder<unknown>;
		/** Per text_id of the documents in scope: n (documents), signature (xor of their ids' hashes), rated, csat_sum, satisfied, low, recent, previous. */
		texts: RawBuilder<unknown>;
		/** (doc_id, term, form) of the documents in scope. */
		terms: RawBuilder<unknown>;
		/** (text_id, term, form): join to docs or texts on text_id. */
		textTerms: RawBuilder<unknown>;
		frequent: RawBuilder<unknown>;
		/** The rows of `frequent`, most common first. */
		frequentWords: { term: string; share: number }[];
		totals: Totals;
		periods: Periods | null;
		settings: FrictionSettings;
		today: Date;
	}) => Promise<T>
): Promise<T> {
	const source = options.source ?? 'comments';
	const today = options.today ?? (await resolveToday(db, options.filters));
	const settings = options.settings ?? frictionSettings();
	const [, , end] = await Promise.all([ensureTermTable(db, source, settings), ensureDocumentTable(db, source), archiveEnd(db)]);
	const periods = trendPeriods(options.filters, today, end, Math.max(1, Math.round(options.periodDays ?? settings.trend_days)));
	const at = sql.ref('d.at');
	let totals: Totals | undefined;
	let frequentWords: { term: string; share: number }[] = [];
	return withScratchTables(
		db,
		{
			docs: () => ({ view: keptDocumentsInScopeSql(source, options.filters, today) }),
			// Documents sharing a text share its terms: every statistic is summed per text first.
			texts: (names) => sql`SELECT d.text_id, count(*) AS n, bit_xor(hash(d.doc_id)) AS signature, count(d.csat) AS rated, sum(d.csat) AS csat_sum,
					count(*) FILTER (WHERE d.csat >= 4) AS satisfied, count(*) FILTER (WHERE d.csat <= 2) AS low,
					count(*) FILTER (WHERE ${periods ? periods.inRecent(at) : sql`false`}) AS recent, count(*) FILTER (WHERE ${periods ? periods.inPrevious(at) : sql`false`}) AS previous
				FROM ${names.docs} d GROUP BY d.text_id`,
			frequent: async (names, conn) => {
				const { rows } = await sql<Totals>`SELECT coalesce(sum(n), 0) AS n, coalesce(sum(rated), 0) AS rated, sum(csat_sum) AS csat_sum, coalesce(sum(satisfied), 0) AS satisfied,
					coalesce(sum(low), 0) AS low, coalesce(sum(recent), 0) AS recent, coalesce(sum(previous), 0) AS previous FROM ${names.texts}`.execute(conn);
				totals = rows[0];
				return frequentTermsSql(source, names.texts, totals.n, settings);
			},
			text_terms: async (names, conn) => {
				frequentWords = (await sql<{ term: string; share: number }>`SELECT term, share FROM ${names.frequent} ORDER BY share DESC, term`.execute(conn)).rows;
				// Usually no word is noise: the stored terms are the terms, read where they lie (every
				// reader joins them to the texts in scope).
				return frequentWords.length > 0 ? scopedTermsSql(source, names.texts, names.frequent) : { view: storedTermsSql(source) };
			},
			terms: (names) => ({ view: sql`(SELECT d.doc_id, t.term, t.form FROM ${names.docs} d JOIN ${names.text_terms} t ON t.text_id = d.text_id)` })
		},
		async (conn, names) =>
			work({ conn, source, docs: names.docs, texts: names.texts, terms: names.terms, textTerms: names.text_terms, frequent: names.frequent, frequentWords, totals: totals as Totals, periods, settings, today })
	);
}

export async function frictionThemes(db: Kysely<Database>, options: ThemeOptions): Promise<ThemeReport> {
	return withThemeTables(db, options, async ({ conn, source, docs, texts, textTerms, frequentWords, totals, periods, settings: s }) => {
		// One pinned connection: its queries run one after the other.
		// Per term and written form, then per term (a sum of hashes' xors is the xor over all documents).
		const termRows = await sql<TermRow>`
				WITH per_form AS (
					SELECT t.term, t.form, sum(p.n) AS uses, bit_xor(p.signature) AS signature, sum(p.rated) AS rated, sum(p.csat_sum) AS csat_sum,
						sum(p.satisfied) AS satisfied, sum(p.low) AS low, sum(p.recent) AS recent, sum(p.previous) AS previous
					FROM ${textTerms} t JOIN ${texts} p ON p.text_id = t.text_id
					GROUP BY t.term, t.form
				)
				SELECT term, sum(uses) AS count, bit_xor(signature) AS signature, sum(rated) AS rated, sum(csat_sum) AS csat_sum, sum(satisfied) AS satisfied, sum(low) AS low,
					sum(recent) AS recent, sum(previous) AS previous,
					-- The singular spelling when it is written at all, else the most common form; between
					-- equals ("cobro"/"cobró" as often) the first in order, so that the label does not
					-- depend on the order rows arrive in.
					first(form ORDER BY (strip_accents(lower(form)) = term)::INTEGER * 1000000000 + uses DESC, form) AS label
				FROM per_form GROUP BY term HAVING sum(uses) >= ${s.min_theme_count}`.execute(conn);
		const scoreBasis = totals.rated > 0 ? 'csat' : 'volume';
		const candidates = termRows.rows.map((r) => ({ ...r, signature: String(r.signature) }));
		const { overlaps, covered } = await termOverlaps(conn, texts, textTerms, candidates, s);
		const clusters = clusterThemes(candidates, s.subsume_share, { overlaps, covered, mergeJaccard: s.merge_jaccard, phraseCoverShare: s.phrase_cover_share });
		const meanAll = ratio(totals.csat_sum, totals.rated);
		const lowTotal = totals.low;
		const restTotal = totals.rated - totals.low;
		const testKeyness = scoreBasis === 'csat' && lowTotal >= s.keyness_min_rated && restTotal >= s.keyness_min_rated;
		const untested = clusters.map(({ key, label, terms: members }) => {
			const r = key;
			const csatMean = ratio(r.csat_sum, r.rated);
			const restRated = totals.rated - r.rated;
			const csatRest = restRated > 0 ? ((totals.csat_sum ?? 0) - (r.csat_sum ?? 0)) / restRated : null;
			const cost = csatMean !== null && csatRest !== null ? csatRest - csatMean : null;
			const trend = periodTrend({ recent: r.recent, recentTotal: totals.recent, previous: r.previous, previousTotal: totals.previous }, s.min_trend_count);
			return {
				key: r.term,
				theme: label,
				terms: members,
				count: r.count,
				share: r.count / totals.n,
				rated: r.rated,
				csat_mean: csatMean,
				csat_rest: csatRest,
				csat_share: ratio(r.satisfied, r.rated),
				csat_share_rest: restRated > 0 ? (totals.satisfied - r.satisfied) / restRated : null,
				cost,
				score: scoreBasis === 'volume' ? r.count : cost === null ? null : r.count * cost,
				low: r.low,
				keyness: testKeyness ? keynessZ(r.low, lowTotal, r.rated - r.low, restTotal, r.count / totals.n) : null,
				recent: r.recent,
				previous: r.previous,
				...trend,
				lift: null,
				examples: null
			};
		});
		// Themes without keyness are left out before the trend tests, so they do not widen the family.
		const key = untested.filter((t) => t.keyness === null || t.keyness >= s.keyness_z);
		const themes: Theme[] = markRising([key], s.significance, s.min_rising_count)[0].sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || b.count - a.count);
		await addDetails(conn, source, docs, textTerms, themes.slice(0, s.detail_themes), totals.n, s);
		return {
			source,
			documents: totals.n,
			rated: totals.rated,
			csat_mean: meanAll,
			period: periods
				? { days: periods.days, recent_from: periods.recentFrom, end: periods.end, previous_from: periods.previousFrom, recent_documents: totals.recent, previous_documents: totals.previous }
				: null,
			score_basis: scoreBasis,
			frequent_words: frequentWords,
			themes,
			settings: { min_theme_count: s.min_theme_count, max_document_share: s.max_document_share, trend_days: s.trend_days, languages: s.languages },
			definition: `${THEME_DEFINITION} ${TREND_DEFINITION}`
		};
	});
}

/** Lift by region, channel and category, and example comments, for the themes shown in detail. */
async function addDetails(conn: Kysely<Database>, source: ThemeSource, docs: RawBuilder<unknown>, textTerms: RawBuilder<unknown>, themes: Theme[], n: number, s: FrictionSettings): Promise<void> {
	if (!themes.length) return;
	const keys = sql.join(themes.map((t) => t.key));
	const dim = whichSet(LIFT_DIMENSIONS, (d) => sql.ref(d), sql.lit);
	// Each set groups by one dimension, the others are NULL there; a document without a value in that
	// dimension counts in none of its groups. Ordered, so that equal lifts rank the same on every run.
	const value = sql`coalesce(region, channel, category)`;
	const groups = await sql<{ term: string; dim: LiftDimension; value: string; count: number }>`
			SELECT t.term, ${dim} AS dim, ${value} AS value, count(*) AS count
			FROM (SELECT d.region, d.channel, d.category, d.text_id FROM ${docs} d) d JOIN (SELECT text_id, term FROM ${textTerms} WHERE term IN (${keys})) t ON t.text_id = d.text_id
			GROUP BY GROUPING SETS ((t.term, region), (t.term, channel), (t.term, category)) HAVING ${value} IS NOT NULL ORDER BY 1, 2, 3`.execute(conn);
	const base = await sql<{ dim: LiftDimension; value: string; count: number }>`
			SELECT ${dim} AS dim, ${value} AS value, count(*) AS count FROM ${docs} d GROUP BY GROUPING SETS ((region), (channel), (category)) HAVING ${value} IS NOT NULL`.execute(conn);
	const examples = await sql<{ term: string; doc_id: string; case_id: string | null; at: Date; csat: number | null; body: string }>`
			SELECT p.term, p.doc.doc_id AS doc_id, p.doc.case_id AS case_id, p.doc."at" AS "at", p.doc.csat AS csat, b.body FROM (
				-- The least satisfied first (unrated after rated), then the most recent: an example should
				-- show what the theme costs, not a 5-star comment that happens to share a word.
				SELECT term, unnest(picks) AS doc, generate_subscripts(picks, 1) AS pick FROM (
					SELECT t.term, arg_min({'doc_id': d.doc_id, 'case_id': d.case_id, 'at': d."at", 'csat': d.csat, 'text_id': d.text_id}, {'c': coalesce(d.csat, 6), 'at': -epoch_ms(d."at"), 'id': d.doc_id}, ${Math.max(1, s.examples_per_theme)}) AS picks
					FROM ${textTerms} t JOIN ${docs} d ON d.text_id = t.text_id WHERE t.term IN (${keys}) GROUP BY t.term
				)
			) p JOIN ${keptBodiesSql(source)} b ON b.text_id = p.doc.text_id
			WHERE p.pick <= ${s.examples_per_theme} ORDER BY p.term, p.pick`.execute(conn);
	const baseShare = new Map(base.rows.map((b) => [`${b.dim}\u0000${b.value}`, b.count / n]));
	for (const theme of themes) {
		const lift = { region: [], channel: [], category: [] } as Record<LiftDimension, LiftValue[]>;
		for (const g of groups.rows) {
			if (g.term !== theme.key || g.count < s.lift_min_count) continue;
			const expected = baseShare.get(`${g.dim}\u0000${g.value}`);
			if (!expected) continue;
			const value = g.count / theme.count / expected;
			if (value > 1) lift[g.dim].push({ value: g.value, count: g.count, lift: value });
		}
		for (const dim of LIFT_DIMENSIONS) lift[dim] = lift[dim].sort((a, b) => b.lift - a.lift).slice(0, 3);
		theme.lift = lift;
		theme.examples = examples.rows
			.filter((e) => e.term === theme.key)
			.map((e) => ({ doc_id: e.doc_id, case_id: e.case_id, at: e.at, csat: e.csat, text: maskPersonalData(e.body) }));
	}
}

/**
 * For clusterThemes (theme-clusters.server.ts), over the candidate terms: documents holding both
 * terms of each pair that could merge, and per single word that could be covered its documents
 * that also hold a longer term containing it (overlapCandidates says which). Documents sharing a
 * text count through its weight.
 */
async function termOverlaps(
	conn: Kysely<Database>,
	texts: RawBuilder<unknown>,
	textTerms: RawBuilder<unknown>,
	candidates: readonly TermStats[],
	s: FrictionSettings
): Promise<{ overlaps: TermOverlap[]; covered: Map<string, number> }> {
	const { pairs, covers, whole } = overlapCandidates(candidates, s.merge_jaccard, s.phrase_cover_share);
	// One list of (key, a, b): a text counts once for a key when it holds a and any of its b.
	const links = [...pairs.map(([a, b], k) => ({ k, a, b })), ...covers.flatMap(({ word, longer }, i) => longer.map((b) => ({ k: pairs.length + i, a: word, b })))];
	const counts = new Map<number, number>();
	if (links.length) {
		// Materialised in this order: left to the planner, the texts' terms were first joined with
		// themselves on text_id, every pair of terms of every text, and only then to the few links.
		const { rows } = await sql<{ k: number; n: number }>`
			WITH links(k, a, b) AS (VALUES ${sql.join(links.map((l) => sql`(${sql.lit(l.k)}, ${l.a}, ${l.b})`))}),
			held AS MATERIALIZED (SELECT t.text_id, t.term, p.n FROM ${textTerms} t JOIN ${texts} p ON p.text_id = t.text_id WHERE t.term IN (SELECT a FROM links UNION ALL SELECT b FROM links)),
			with_a AS MATERIALIZED (SELECT l.k, l.b, x.text_id, x.n FROM links l JOIN held x ON x.term = l.a)
			SELECT k, sum(n) AS n FROM (SELECT DISTINCT x.k, x.text_id, x.n FROM with_a x SEMI JOIN held y ON y.term = x.b AND y.text_id = x.text_id) GROUP BY k`.execute(conn);
		for (const r of rows) counts.set(r.k, Number(r.n));
	}
	return {
		overlaps: pairs.flatMap(([a, b], k) => (counts.has(k) ? [{ a, b, both: counts.get(k) as number }] : [])),
		covered: new Map([
			...whole.map((word): [string, number] => [word, candidates.find((c) => c.term === word)?.count as number]),
			...covers.flatMap(({ word }, i): [string, number][] => (counts.has(pairs.length + i) ? [[word, counts.get(pairs.length + i) as number]] : []))
		])
	};
}
