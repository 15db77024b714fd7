import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { RISING_THEME } from '../../src/lib/demo/planted-effects.server';
import { frictionReport, reportCsvRows, reportMarkdown } from '../../src/lib/friction/report.server';
import { structuralCasesSql } from '../../src/lib/friction/structural.server';
import type { ThemeReport } from '../../src/lib/friction/themes.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * The demo's planted rising theme (RISING_THEME: "tracking not updating" and its Portuguese and
 * Spanish phrasings, three times as frequent in the last 28 days) must come out rising; with
 * `nullMode` every theme is stable and none may be marked rising. The top themes are specific
 * friction a product manager could act on, not a bare word. 50,000 cases, as `npm start`.
 */
const END = new Date('2026-06-01T00:00:00Z');
const all = parseFilters(new URLSearchParams());
let planted: IngestFixture;
let stable: IngestFixture;

async function demo(nullMode: boolean): Promise<IngestFixture> {
	const f = await ingestFixture();
	const files = await writeDemoFiles(f.dir, { cases: 50_000, seed: 42, end: END, nullMode });
	await f.ingest(files.casesPath, { kind: 'cases' });
	await f.ingest(files.feedbackPath, { kind: 'feedback' });
	return f;
}

beforeAll(async () => {
	[planted, stable] = await Promise.all([demo(false), demo(true)]);
}, 180_000);

afterAll(async () => {
	await planted?.dispose();
	await stable?.dispose();
});

function plantedThemes(r: ThemeReport) {
	return r.themes.filter((t) => /tracking|rastreio|seguimiento/.test(t.key) && /updating|atualiza|actualiza/.test(t.key));
}

describe('friction on the demo data', () => {
	test('the planted rising theme is found, named by its phrase, and marked rising', async () => {
		const r = await frictionReport(planted.db, { filters: all, source: 'comments' }, END);
		const en = r.themes.find((t) => t.theme === RISING_THEME.phrases.en);
		expect(en, 'the English phrase is one theme').toBeDefined();
		expect(en?.rising).toBe(true);
		expect(en?.q_value).toBeLessThan(0.05);
		expect(en?.trend_ratio).toBeGreaterThan(2);
		// Its count is the number of comments the generator wrote it in (an independent regex count).
		const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM feedback WHERE regexp_matches(comment, 'tracking not updating', 'i')`.execute(planted.db);
		expect(en?.count).toBe(rows[0].n);
		// It costs satisfaction: rated comments with it score lower than the rest.
		expect(en?.csat_mean ?? 5).toBeLessThan(en?.csat_rest ?? 0);
		// Every rising theme is a phrasing or a fragment of the planted comments, nothing else.
		const { rows: texts } = await sql<{ comment: string }>`SELECT comment FROM feedback WHERE regexp_matches(comment, ${RISING_THEME.patternSource}, 'i')`.execute(planted.db);
		const plantedText = texts.map((t) => t.comment.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')).join('\n');
		for (const t of r.themes.filter((x) => x.rising)) {
			const words = t.key.split(' ').filter((w) => !['not', 'nao', 'no'].includes(w));
			expect(words.every((w) => plantedText.includes(w.replace(/y$/, ''))), `rising theme "${t.theme}" comes from the planted comments`).toBe(true);
		}
		// Examples are masked and the report formats carry the flag.
		expect(en?.examples?.length).toBe(3);
		expect(reportMarkdown(r)).toContain(`**${RISING_THEME.phrases.en}**`);
		expect(reportCsvRows(r).find((row) => row.name === RISING_THEME.phrases.en)?.rising).toBe(true);
	});

	test('generic words are no themes; examples open with the least satisfied comment', async () => {
		const r = await frictionReport(planted.db, { filters: all, source: 'comments' }, END);
		// Units after a number ("for 3 days", "48 hours", "5 times"), filler and words that only recur
		// inside several phrases are left out; praise has no keyness for low CSAT.
		for (const w of ['time', 'day', 'fix', 'hour', 'agent', 'great', 'helpful']) expect(r.themes.map((t) => t.key), w).not.toContain(w);
		for (const t of r.themes) expect(t.keyness ?? 0, t.theme).toBeGreaterThanOrEqual(1.96);
		for (const t of r.themes) {
			const csat = (t.examples ?? []).map((e) => e.csat ?? 6);
			expect(csat, t.theme).toEqual([...csat].sort((a, b) => a - b));
			expect(csat[0], t.theme).not.toBe(5);
		}
		// The planted theme's first example has the lowest CSAT of all its comments.
		const en = r.themes.find((t) => t.theme === RISING_THEME.phrases.en);
		const { rows } = await sql<{ low: number }>`SELECT min(csat) AS low FROM feedback WHERE regexp_matches(comment, 'tracking not updating', 'i')`.execute(planted.db);
		expect(en?.examples?.[0].csat).toBe(rows[0].low);
	});

	test('the top themes are specific friction: no bare "reply"; the slow-response complaint is the phrase "no reply"', async () => {
		const r = await frictionReport(planted.db, { filters: all, source: 'comments' }, END);
		const stableReport = await frictionReport(stable.db, { filters: all, source: 'comments' }, END);
		for (const report of [r, stableReport]) expect(report.themes.slice(0, 10).map((t) => t.key)).not.toContain('reply');
		// The slow-response complaint is one theme that holds every comment saying it.
		const noReply = r.themes.find((t) => t.key === 'no reply');
		expect(noReply, '"no reply" is a theme').toBeDefined();
		const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM feedback WHERE regexp_matches(comment, 'no reply', 'i')`.execute(planted.db);
		expect(noReply?.count).toBe(rows[0].n);
		expect(noReply?.csat_mean ?? 5).toBeLessThan(noReply?.csat_rest ?? 0);
		// The planted rising theme is still found among the top ten, named by its phrase, and rising.
		const en = r.themes.find((t) => t.theme === RISING_THEME.phrases.en);
		expect(r.themes.slice(0, 10)).toContain(en);
		expect(en?.rising).toBe(true);
		expect(plantedThemes(stableReport).length).toBeGreaterThan(0);
	});

	test('no theme is marked rising when nothing was planted', async () => {
		const r = await frictionReport(stable.db, { filters: all, source: 'comments' }, END);
		expect(r.themes.length).toBeGreaterThan(50);
		expect(r.themes.filter((t) => t.p_value !== null).length).toBeGreaterThan(30);
		expect(r.themes.filter((t) => t.rising).map((t) => t.theme)).toEqual([]);
		// The planted phrase is still a theme, just not a rising one.
		expect(plantedThemes(r).length).toBeGreaterThan(0);
		const subjects = await frictionReport(stable.db, { filters: all, source: 'subjects' }, END);
		expect(subjects.themes.filter((t) => t.rising).map((t) => t.theme)).toEqual([]);
	});

	test('themes: counts, shares and CSAT against the rest add up to the totals', async () => {
		const r = await frictionReport(planted.db, { filters: all, source: 'comments' }, END);
		const { rows } = await sql<{ n: number; rated: number; mean: number }>`SELECT count(*) AS n, count(csat) AS rated, avg(csat) AS mean FROM feedback WHERE comment IS NOT NULL AND trim(comment) <> ''`.execute(planted.db);
		expect(r.documents).toBe(rows[0].n);
		expect(r.csat_mean).toBeCloseTo(rows[0].mean, 10);
		for (const t of r.themes.slice(0, 10)) {
			expect(t.share).toBeCloseTo(t.count / r.documents, 12);
			// The theme's mean and the rest's mean recombine into the overall mean.
			if (t.csat_mean !== null && t.csat_rest !== null) expect((t.csat_mean * t.rated + t.csat_rest * (r.rated - t.rated)) / r.rated).toBeCloseTo(r.csat_mean ?? NaN, 10);
			expect(t.count).toBeGreaterThanOrEqual(r.settings.min_theme_count);
		}
		// Ranked by score, and noise words never rank: no stop word or greeting is a theme.
		for (let i = 1; i < r.themes.length; i++) expect((r.themes[i - 1].score ?? -Infinity) >= (r.themes[i].score ?? -Infinity)).toBe(true);
		for (const t of r.themes) for (const w of ['the', 'and', 'hello', 'obrigado', 'hola', 'que', 'para']) expect(t.key.split(' '), t.key).not.toContain(w);
		// A filter narrows the documents.
		const latam = await frictionReport(planted.db, { filters: parseFilters(new URLSearchParams('region=latam')), source: 'comments' }, END);
		expect(latam.documents).toBeLessThan(r.documents);
		expect(latam.themes.some((t) => /rastreio/.test(t.key))).toBe(true);
	});

	test('structural friction rates are the counts of a direct query', async () => {
		const r = await frictionReport(planted.db, { filters: all, source: 'comments' }, END);
		const s = r.structural;
		const { rows } = await sql<{ n: number; reopened: number; escalated: number }>`SELECT count(*) AS n, count(*) FILTER (WHERE reopen_count > 0) AS reopened, count(*) FILTER (WHERE escalated) AS escalated FROM cases`.execute(planted.db);
		expect(s.overall.reopen).toEqual({ n: rows[0].n, events: rows[0].reopened, rate: rows[0].reopened / rows[0].n });
		expect(s.overall.escalation.events).toBe(rows[0].escalated);
		// Repeat contact, counted in JS from the raw rows: a later case by the same customer about the same order within 7 days.
		const cases = await planted.db.selectFrom('cases').select(['case_id', 'customer_id', 'order_id', 'created_at', 'category']).where('customer_id', 'is not', null).where('order_id', 'is not', null).execute();
		const byKey = new Map<string, typeof cases>();
		for (const c of cases) byKey.set(`${c.customer_id}|${c.order_id}`, [...(byKey.get(`${c.customer_id}|${c.order_id}`) ?? []), c]);
		let repeats = 0;
		for (const list of byKey.values()) {
			list.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.case_id.localeCompare(b.case_id));
			for (let i = 1; i < list.length; i++) if (list[i].created_at.getTime() - list[i - 1].created_at.getTime() <= 7 * 86_400_000) repeats++;
		}
		expect(s.overall.repeat_contact).toEqual({ n: cases.length, events: repeats, rate: repeats / cases.length });
		expect(repeats / cases.length).toBeGreaterThan(0.03);
		// Disputes escalate most (20% planted in the generator against about 10% overall).
		const esc = s.rows.filter((x) => x.metric === 'escalation' && x.dimension === 'category').sort((a, b) => b.rate - a.rate);
		expect(['order_dispute', 'after_sale_dispute']).toContain(esc[0].value);
		const { rows: check } = await sql<{ n: number }>`SELECT count(*) AS n FROM (${structuralCasesSql(7)}) WHERE repeat_contact_event`.execute(planted.db);
		expect(check[0].n).toBe(repeats);
	});
});
