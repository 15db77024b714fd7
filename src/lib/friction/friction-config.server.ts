import { deu, eng, fra, ita, nld, por, porBr, spa } from 'stopword';
import iso from 'stopwords-iso';
import settings from '../../../config/friction.json';

/** The Friction settings (config/friction.json); see its $comment for what each one means. */
export interface FrictionSettings {
	languages: string[];
	extra_stop_words: string[];
	keep_words: string[];
	noise_words: string[];
	quantity_units: string[];
	negations: string[];
	min_word_length: number;
	max_document_share: number;
	noise_min_documents: number;
	min_theme_count: number;
	subsume_share: number;
	phrase_cover_share: number;
	merge_jaccard: number;
	keyness_z: number;
	keyness_min_rated: number;
	detail_themes: number;
	min_trend_count: number;
	min_rising_count: number;
	trend_days: number;
	repeat_contact_days: number;
	min_group_size: number;
	before_after_days: number;
	examples_per_theme: number;
	lift_min_count: number;
	significance: number;
}

/**
 * Per language, the stopword package's list and the fuller stopwords-iso one (ISO 639-1 keys): the
 * former alone lacks common function words ("without", "when", "may", "right" in English; all but
 * 59 Spanish ones), which then topped the themes of long narratives.
 */
const STOP_LISTS: Record<string, readonly string[]> = {
	eng: [...eng, ...iso.en],
	por: [...por, ...iso.pt],
	porBr: [...porBr, ...iso.pt],
	spa: [...spa, ...iso.es],
	fra: [...fra, ...iso.fr],
	deu: [...deu, ...iso.de],
	ita: [...ita, ...iso.it],
	nld: [...nld, ...iso.nl]
};

export function frictionSettings(overrides: Partial<FrictionSettings> = {}): FrictionSettings {
	const { $comment: _comment, ...values } = settings;
	return { ...values, ...overrides };
}

/** Every stop word of the configured languages plus the extra ones, lower-case, deduplicated. */
export function stopWords(s: FrictionSettings): string[] {
	const words = new Set<string>();
	for (const lang of s.languages) {
		const list = STOP_LISTS[lang];
		if (!list) throw new Error(`config/friction.json: no stop-word list for language "${lang}" (known: ${Object.keys(STOP_LISTS).join(', ')})`);
		for (const w of list) words.add(w.toLowerCase());
	}
	// stopwords-iso merges web-search lists that also hold subject words ("order", "bill", "problem").
	for (const w of s.keep_words) words.delete(w.toLowerCase());
	for (const w of s.extra_stop_words) words.add(w.toLowerCase());
	// Negations are not dropped: they join the next word (tokenise-sql.ts).
	for (const w of s.negations) words.delete(w.toLowerCase());
	return [...words];
}
