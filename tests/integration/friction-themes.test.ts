import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { frictionThemes, keynessZ } from '../../src/lib/friction/themes.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * Theme quality on comments written out by hand: one phrase is one theme even when its bigrams'
 * documents differ a little, praise without keyness is no theme, and the examples open with the
 * least satisfied comment.
 */
const END = new Date('2026-04-01T00:00:00Z');
const all = parseFilters(new URLSearchParams());
let f: IngestFixture;

function at(i: number): string {
	return new Date(Date.UTC(2026, 0, 1) + (i % 80) * 86_400_000 + (i % 24) * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

beforeAll(async () => {
	f = await ingestFixture();
	const rows: [number, string][] = [
		...Array.from({ length: 40 }, (_, i): [number, string] => [i % 3 === 0 ? 2 : 1, 'I was charged customs fee on delivery']),
		// A few say one bigram without the other: the two document sets overlap by 40 / 49.
		...Array.from({ length: 5 }, (): [number, string] => [2, 'Customs fee was a surprise']),
		...Array.from({ length: 4 }, (): [number, string] => [1, 'Charged customs duties twice']),
		// A 5-star comment sharing the phrase: it must not open the theme's examples.
		...Array.from({ length: 3 }, (): [number, string] => [5, 'Charged customs fee but support explained it kindly']),
		// Praise: more likely in 4-5 than in 1-2 documents, so no theme however frequent.
		...Array.from({ length: 100 }, (): [number, string] => [5, 'Lovely support team, fast answer']),
		...Array.from({ length: 30 }, (): [number, string] => [4, 'Parcel arrived, lovely packaging'])
	];
	const csv = `feedback_id,case_id,submitted_at,kind,csat,comment,region\n${rows.map(([csat, text], i) => `fb-${i + 1},,${at(i)},survey,${csat},"${text}",europe`).join('\n')}\n`;
	await f.ingest(await f.file('feedback.csv', csv), { kind: 'feedback' });
});

afterAll(async () => {
	await f?.dispose();
});

describe('themes', () => {
	test('"charged customs" and "customs fee" from "charged customs fee" are one theme named by the phrase', async () => {
		const r = await frictionThemes(f.db, { filters: all, today: END });
		// Terms are singular ("custom"); labels are written as the comments write them.
		const customs = r.themes.filter((t) => t.terms.some((x) => x.split(' ').includes('custom')));
		expect(customs.map((t) => t.theme)).toHaveLength(1);
		expect(customs[0].terms).toEqual(expect.arrayContaining(['charged custom', 'custom fee']));
		expect(customs[0].theme).toContain('charged customs fee');
	});

	test('a theme without keyness for low CSAT is left out; the rest keep the ranking by cost', async () => {
		const r = await frictionThemes(f.db, { filters: all, today: END });
		const terms = r.themes.flatMap((t) => t.terms);
		for (const praise of ['support team', 'fast answer', 'lovely', 'packaging']) expect(terms, praise).not.toContain(praise);
		for (const t of r.themes) expect(t.keyness ?? 0).toBeGreaterThanOrEqual(r.themes.length ? 1.96 : 0);
		for (let i = 1; i < r.themes.length; i++) expect(r.themes[i - 1].score ?? -Infinity).toBeGreaterThanOrEqual(r.themes[i].score ?? -Infinity);
	});

	test('the examples open with the lowest CSAT, then the most recent', async () => {
		const r = await frictionThemes(f.db, { filters: all, today: END });
		const ex = r.themes.find((t) => t.terms.includes('custom fee'))?.examples ?? [];
		expect(ex.length).toBe(3);
		expect(ex[0].csat).toBe(1);
		for (let i = 1; i < ex.length; i++) {
			expect(ex[i].csat ?? 6).toBeGreaterThanOrEqual(ex[i - 1].csat ?? 6);
			if (ex[i].csat === ex[i - 1].csat) expect(new Date(ex[i].at).getTime()).toBeLessThanOrEqual(new Date(ex[i - 1].at).getTime());
		}
		expect(ex.some((e) => e.csat === 5)).toBe(false);
	});

	test('keyness: the log-odds z with an informative Dirichlet prior, by hand', () => {
		// 30 of 100 low documents against 10 of 400 others, the theme in 40 of 500 overall (prior 100 × 0.08 = 8).
		const a = 8;
		const delta = Math.log((30 + a) / (100 + 100 - 30 - a)) - Math.log((10 + a) / (400 + 100 - 10 - a));
		expect(keynessZ(30, 100, 10, 400, 0.08)).toBeCloseTo(delta / Math.sqrt(1 / (30 + a) + 1 / (10 + a)), 12);
		expect(keynessZ(10, 400, 30, 100, 0.08)).toBeLessThan(0);
	});
});
