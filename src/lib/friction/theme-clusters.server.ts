/**
 * Turns candidate terms (unigrams and bigrams) into a short list of themes, without SQL:
 *
 * - terms found in exactly the same documents are one theme (a fixed phrase yields its words and
 *   its bigrams with identical document sets); the theme is named by chaining its bigrams
 *   ("agent helpful" + "helpful kind" → "agent helpful kind") and keyed by its longest term;
 * - a theme is folded into a longer one that contains its words and covers at least
 *   `subsumeShare` of its documents ("cap" into "data cap").
 */
export interface TermStats {
	term: string;
	label: string;
	count: number;
	/** Identifies the set of documents (count + a hash of the document ids). */
	signature: string;
}

export interface ThemeCluster<T extends TermStats> {
	/** The term whose documents are the theme's documents. */
	key: T;
	label: string;
	/** Every term folded into the theme. */
	terms: string[];
}

function words(s: string): string[] {
	return s.split(' ').filter(Boolean);
}

/** Joins two phrases when the end of the first is the start of the second; null otherwise. */
export function chainPhrases(a: string, b: string): string | null {
	const x = words(a);
	const y = words(b);
	for (let k = Math.min(x.length, y.length) - 1; k >= 1; k--) {
		if (x.slice(x.length - k).join(' ') === y.slice(0, k).join(' ')) return [...x, ...y.slice(k)].join(' ');
	}
	return null;
}

function phraseFor<T extends TermStats>(members: T[]): string {
	// Longest terms first; chain the others onto the phrase while they overlap.
	const sorted = [...members].sort((a, b) => words(b.term).length - words(a.term).length || a.term.localeCompare(b.term));
	let phrase = sorted[0].label;
	let pending = sorted.slice(1).filter((m) => words(m.term).length > 1);
	let grew = true;
	while (grew && pending.length) {
		grew = false;
		for (const m of pending) {
			const joined = chainPhrases(phrase, m.label) ?? chainPhrases(m.label, phrase);
			if (joined && !phrase.includes(m.label)) {
				phrase = joined;
				pending = pending.filter((p) => p !== m);
				grew = true;
				break;
			}
			if (phrase.includes(m.label)) {
				pending = pending.filter((p) => p !== m);
				grew = true;
				break;
			}
		}
	}
	return phrase;
}

function contains(longer: string, shorter: string): boolean {
	return ` ${longer} `.includes(` ${shorter} `);
}

export function clusterThemes<T extends TermStats>(terms: readonly T[], subsumeShare: number): ThemeCluster<T>[] {
	const groups = new Map<string, T[]>();
	for (const t of terms) {
		const k = `${t.count}:${t.signature}`;
		const g = groups.get(k);
		if (g) g.push(t);
		else groups.set(k, [t]);
	}
	const clusters: ThemeCluster<T>[] = [...groups.values()].map((members) => {
		const key = [...members].sort((a, b) => words(b.term).length - words(a.term).length || a.term.localeCompare(b.term))[0];
		return { key, label: phraseFor(members), terms: members.map((m) => m.term).sort() };
	});
	// Fold a theme into a longer one that contains it and covers most of its documents.
	const kept = clusters.filter(
		(c) => !clusters.some((o) => o !== c && o.key.count >= subsumeShare * c.key.count && o.terms.some((t) => c.terms.some((ct) => t !== ct && contains(t, ct))))
	);
	return kept.sort((a, b) => b.key.count - a.key.count || a.label.localeCompare(b.label));
}
