/**
 * Turns candidate terms (unigrams and bigrams) into a short list of themes, without SQL:
 *
 * - terms found in exactly the same documents are one theme (a fixed phrase yields its words and
 *   its bigrams with identical document sets); the theme is named by chaining its bigrams
 *   ("agent helpful" + "helpful kind" → "agent helpful kind") and keyed by its longest term;
 * - terms whose documents overlap by a Jaccard index of at least `mergeJaccard` are one theme too:
 *   "charged customs fee" yields "charged customs" and "customs fee", whose documents differ only by
 *   the few comments that say one without the other; the theme is named by chaining them and keyed
 *   by its longest term (the most documents among equals);
 * - a theme is folded into a longer one that contains its words and covers at least
 *   `subsumeShare` of its documents ("cap" into "data cap");
 * - a single word whose documents the longer themes containing it cover together (at least
 *   `phraseCoverShare` of them) is no theme of its own: it only recurs inside several phrases
 *   ("reply" in "waited forever for a reply" and "each reply came from someone new").
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

/** Documents holding both terms of a pair (pairs sharing a word; themes.server.ts counts them). */
export interface TermOverlap {
	a: string;
	b: string;
	both: number;
}

export interface ClusterOptions {
	overlaps?: readonly TermOverlap[];
	/** Per single word: its documents that also hold a longer term containing it. */
	covered?: ReadonlyMap<string, number>;
	mergeJaccard?: number;
	phraseCoverShare?: number;
}

/**
 * What clusterThemes can use of the overlaps, from the terms' counts and signatures alone, so
 * that only that is counted:
 * - pairs sharing a word whose smaller count is at least `mergeJaccard` of the larger (two terms
 *   overlap by at most the smaller count, so the others never reach the Jaccard index);
 * - single words whose longer terms hold together at least `phraseCoverShare` of their count
 *   (they cover at most that many of its documents), each with those longer terms.
 * Terms with one signature hold the same documents and are one theme anyway, so each such set is
 * counted through one of them (`same`): a pair inside one set is left out, and a word whose
 * documents a longer term holds exactly is covered whole (`whole`) without counting. The ratios
 * are the ones clusterThemes takes, so whatever is left out could not pass there.
 */
export function overlapCandidates(
	terms: readonly TermStats[],
	mergeJaccard: number,
	phraseCoverShare: number
): { pairs: [string, string][]; covers: { word: string; longer: string[] }[]; whole: string[] } {
	const first = new Map<string, string>();
	for (const t of terms) if (!first.has(`${t.count}:${t.signature}`)) first.set(`${t.count}:${t.signature}`, t.term);
	const same = (t: TermStats) => first.get(`${t.count}:${t.signature}`) as string;
	const byWord = new Map<string, TermStats[]>();
	for (const t of terms) {
		for (const w of new Set(t.term.split(' '))) {
			const list = byWord.get(w);
			if (list) list.push(t);
			else byWord.set(w, [t]);
		}
	}
	const pairs = new Map<string, [string, string]>();
	for (const list of byWord.values()) {
		for (let i = 0; i < list.length; i++) {
			for (let j = i + 1; j < list.length; j++) {
				const [a, b] = [same(list[i]), same(list[j])];
				if (a === b || Math.min(list[i].count, list[j].count) / Math.max(list[i].count, list[j].count) < mergeJaccard) continue;
				const pair: [string, string] = a < b ? [a, b] : [b, a];
				pairs.set(pair.join('\u0000'), pair);
			}
		}
	}
	const covers: { word: string; longer: string[] }[] = [];
	const whole: string[] = [];
	for (const t of terms) {
		if (t.term.includes(' ')) continue;
		const longer = (byWord.get(t.term) ?? []).filter((y) => y.term.includes(' '));
		if (longer.reduce((sum, y) => sum + y.count, 0) < phraseCoverShare * t.count) continue;
		if (longer.some((y) => same(y) === same(t))) whole.push(t.term);
		else covers.push({ word: t.term, longer: [...new Set(longer.map(same))] });
	}
	return { pairs: [...pairs.values()], covers, whole };
}

export function clusterThemes<T extends TermStats>(terms: readonly T[], subsumeShare: number, options: ClusterOptions = {}): ThemeCluster<T>[] {
	// Union-find over the terms: identical documents, then overlapping ones.
	const parent = new Map<string, string>(terms.map((t) => [t.term, t.term]));
	const find = (x: string): string => {
		let r = x;
		while (parent.get(r) !== r) r = parent.get(r) as string;
		parent.set(x, r);
		return r;
	};
	const union = (a: string, b: string) => {
		const [ra, rb] = [find(a), find(b)];
		if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
	};
	const bySignature = new Map<string, string>();
	for (const t of terms) {
		const k = `${t.count}:${t.signature}`;
		const first = bySignature.get(k);
		if (first === undefined) bySignature.set(k, t.term);
		else union(first, t.term);
	}
	const byTerm = new Map(terms.map((t) => [t.term, t]));
	const mergeJaccard = options.mergeJaccard ?? 1.1;
	for (const o of options.overlaps ?? []) {
		const a = byTerm.get(o.a);
		const b = byTerm.get(o.b);
		if (a && b && o.both / (a.count + b.count - o.both) >= mergeJaccard) union(a.term, b.term);
	}
	const groups = new Map<string, T[]>();
	for (const t of terms) {
		const members = groups.get(find(t.term));
		if (members) members.push(t);
		else groups.set(find(t.term), [t]);
	}
	const clusters: ThemeCluster<T>[] = [...groups.values()].map((members) => {
		// The longest term (the phrase "data cap" rather than "cap"), then the most documents.
		const key = [...members].sort((a, b) => words(b.term).length - words(a.term).length || b.count - a.count || a.term.localeCompare(b.term))[0];
		return { key, label: phraseFor(members), terms: members.map((m) => m.term).sort() };
	});
	// Every pair of clusters is compared: each cluster's terms are padded once, not per comparison.
	const padded = new Map(clusters.map((c) => [c, c.terms.map((t) => ` ${t} `)]));
	const longer = (c: ThemeCluster<T>, o: ThemeCluster<T>) => {
		if (o === c) return false;
		const mine = padded.get(c) as string[];
		return (padded.get(o) as string[]).some((t) => mine.some((ct) => t !== ct && t.includes(ct)));
	};
	const coverShare = options.phraseCoverShare ?? Infinity;
	const kept = clusters.filter((c) => {
		// Fold a theme into a longer one that contains it and covers most of its documents.
		if (clusters.some((o) => o.key.count >= subsumeShare * c.key.count && longer(c, o))) return false;
		// A single word that only recurs inside several longer themes.
		const covered = c.terms.length === 1 && words(c.key.term).length === 1 ? options.covered?.get(c.key.term) : undefined;
		return !(covered !== undefined && covered >= coverShare * c.key.count && clusters.some((o) => longer(c, o)));
	});
	return kept.sort((a, b) => b.key.count - a.key.count || a.label.localeCompare(b.label));
}
