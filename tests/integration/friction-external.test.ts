import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ColumnMapping } from '../../src/lib/imports/column-mapping';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { frictionSettings, stopWords } from '../../src/lib/friction/friction-config.server';
import { frictionThemes } from '../../src/lib/friction/themes.server';
import { EXTERNAL_DIR } from '../helpers/external-data';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

/** Themes on real public exports (tests/fixtures/external), which nobody here shaped. */
const EXTERNAL = EXTERNAL_DIR;
const all = parseFilters(new URLSearchParams());
let comcast: IngestFixture;
let olist: IngestFixture;
let tickets: IngestFixture;

async function load(file: string, mappingFile: string, columns: Record<string, string> = {}): Promise<IngestFixture> {
	const f = await ingestFixture();
	const mapping = JSON.parse(await readFile(join('config', 'mappings', mappingFile), 'utf8')) as ColumnMapping;
	await f.ingest(join(EXTERNAL, file), { kind: 'feedback', mapping: { ...mapping, columns: { ...mapping.columns, ...columns } } });
	return f;
}

beforeAll(async () => {
	if (!existsSync(EXTERNAL)) throw new Error(`The external exports are missing: expected them in ${EXTERNAL}.`);
	[comcast, olist, tickets] = await Promise.all([
		load('comcast_fcc_complaints.csv', 'comcast-fcc-feedback.json'),
		load('olist_order_reviews_sample.csv', 'olist-reviews-feedback.json'),
		// Long English narratives with a 1-5 rating: the ticket descriptions as comments.
		load('kaggle-support-tickets/customer_support_tickets.csv', 'kaggle-support-tickets-feedback.json', { comment: 'Ticket Description' })
	]);
});

afterAll(async () => {
	await comcast?.dispose();
	await olist?.dispose();
	await tickets?.dispose();
});

const stop = new Set(stopWords(frictionSettings()));
/** Filler words that topped the themes of long complaint narratives with the stopword lists alone. */
const FILLER = ['without', 'right', 'when', 'may', 'also', 'however', 'would', 'could', 'time', 'day'];

describe('themes on real exports', () => {
	test('Comcast FCC complaints: the top themes are the real subjects, not stop words or the company name', async () => {
		const r = await frictionThemes(comcast.db, { filters: all });
		// No CSAT in this export: ranked by volume.
		expect(r.score_basis).toBe('volume');
		// "Comcast" is in more than half of the complaints: data-derived noise, not a theme.
		expect(r.frequent_words.map((w) => w.term)).toContain('comcast');
		const keys = r.themes.map((t) => t.key);
		expect(keys.some((k) => k.split(' ').includes('comcast'))).toBe(false);
		const top = keys.slice(0, 12);
		for (const k of top) for (const w of k.split(' ')) expect(stop.has(w) || FILLER.includes(w), `"${w}" in "${k}" is a stop or filler word`).toBe(false);
		const has = (re: RegExp) => top.some((k) => re.test(k));
		expect(has(/internet|speed/), `internet speed in ${top}`).toBe(true);
		expect(has(/billing|bill/), `billing in ${top}`).toBe(true);
		expect(has(/data cap|^cap$/), `data caps in ${top}`).toBe(true);
		// Outages are a theme too, further down ("service outage", "outage", "internet outage").
		expect(keys.some((k) => /outage|disconnect/.test(k))).toBe(true);
		// "data cap" is one theme: "cap" alone folds into it (most "cap" complaints say "data cap").
		expect(keys).toContain('data cap');
	});

	test('support ticket narratives (long English texts): the top themes hold no stop or filler word', async () => {
		const r = await frictionThemes(tickets.db, { filters: all });
		expect(r.score_basis).toBe('csat');
		const top = r.themes.slice(0, 10).map((t) => t.key);
		for (const k of top) for (const w of k.split(' ')) expect(stop.has(w) || FILLER.includes(w), `"${w}" in "${k}" is a stop or filler word`).toBe(false);
		for (const t of r.themes) expect(t.keyness === null || t.keyness >= 1.96, t.theme).toBe(true);
	});

	test('Olist reviews (Portuguese): themes are Portuguese words about delivery and the product, not stop words', async () => {
		const r = await frictionThemes(olist.db, { filters: all });
		expect(r.score_basis).toBe('csat');
		const top = r.themes.slice(0, 15);
		for (const t of top) for (const w of t.key.split(' ')) expect(stop.has(w), `"${w}" in "${t.key}" is a stop word`).toBe(false);
		const labels = top.map((t) => t.theme);
		// Delivery: não recebi / não chegou / entregue / pedido / correio; product: produto.
		expect(labels.some((l) => /não recebi|não chegou|entreg|correio|pedido|prazo/.test(l)), `delivery in ${labels}`).toBe(true);
		expect(labels.some((l) => /produto/.test(l)), `product in ${labels}`).toBe(true);
		// Labels keep their accents: "não recebi", not "nao recebi".
		expect(labels.some((l) => l.startsWith('não '))).toBe(true);
		// The worst theme costs satisfaction: its CSAT is below the rest's.
		expect(top[0].csat_mean ?? 5).toBeLessThan(top[0].csat_rest ?? 0);
	});
});
