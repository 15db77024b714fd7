import { EXTERNAL_DIR, PRESET_IMPORTS, referenceRecords, SPREADSHEETS } from '../helpers/external-data';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportKind } from '../../src/lib/imports/canonical-columns';
import type { ColumnMapping } from '../../src/lib/imports/column-mapping';
import type { BatchSummary } from '../../src/lib/imports/ingest-file.server';
import { expectBalanced, expectIngestError, ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * The real public exports in ../shared/data/external (see its README): nobody here shaped them, so
 * they check the mappings in config/mappings and the ingest against data as it comes.
 */
const EXTERNAL = EXTERNAL_DIR;
const MAPPINGS = join(process.cwd(), 'config', 'mappings');

interface Import {
	file: string;
	kind: ImportKind;
	mapping: string;
}
const IMPORTS: Import[] = [
	{ file: 'comcast_fcc_complaints.csv', kind: 'cases', mapping: 'comcast-fcc-cases.json' },
	{ file: 'comcast_fcc_complaints.csv', kind: 'feedback', mapping: 'comcast-fcc-feedback.json' },
	{ file: 'olist_orders_sample.csv', kind: 'cases', mapping: 'olist-orders-cases.json' },
	{ file: 'olist_order_reviews_sample.csv', kind: 'feedback', mapping: 'olist-reviews-feedback.json' }
];
const ID_HEADER: Record<string, string> = { 'comcast_fcc_complaints.csv': 'Ticket #', 'olist_orders_sample.csv': 'order_id', 'olist_order_reviews_sample.csv': 'review_id' };
/** Not a case or feedback export: the customer dimension the Olist orders join to. */
const REFERENCE_ONLY = ['olist_customers_sample.csv'];

type Record_ = Record<string, string>;
const summaries = new Map<string, BatchSummary>();
const key = (i: Import) => `${i.file}:${i.kind}`;

let f: IngestFixture;

const records = referenceRecords;

beforeAll(async () => {
	if (!existsSync(EXTERNAL)) {
		throw new Error(`The external exports are missing: expected them in ${EXTERNAL} (tests/fixtures/external, or set CASELENS_EXTERNAL_DATA).`);
	}
	f = await ingestFixture();
	for (const i of IMPORTS) {
		const mapping = JSON.parse(await readFile(join(MAPPINGS, i.mapping), 'utf8')) as ColumnMapping;
		summaries.set(key(i), await f.ingest(join(EXTERNAL, i.file), { kind: i.kind, mapping }));
	}
});
afterAll(async () => {
	await f?.dispose();
});

describe('external exports', () => {
	it('every file in the external folder is covered here or in ingest-presets-real / spreadsheet tests', async () => {
		const files = (await readdir(EXTERNAL, { recursive: true, withFileTypes: true }))
			.filter((e) => e.isFile() && !e.name.toLowerCase().endsWith('.md'))
			.map((e) => relative(EXTERNAL, join(e.parentPath, e.name)))
			.sort();
		const covered = [...IMPORTS.map((i) => i.file), ...REFERENCE_ONLY, ...PRESET_IMPORTS.map((i) => i.file), ...Object.values(PRESET_IMPORTS.flatMap((i) => Object.values(i.lookups ?? {}))), ...SPREADSHEETS];
		expect(files).toEqual([...new Set(covered)].sort());
	});

	it.each(IMPORTS.map((i) => [i.file, i.kind, i] as const))('%s as %s: every record is read, and accepted or rejected', async (file, kind, i) => {
		const summary = summaries.get(key(i))!;
		const reference = await records(file);
		expect(summary.status).toBe('committed');
		expect(summary.rows_read).toBe(reference.length);
		await expectBalanced(f.db, summary);
		// Duplicate ids, counted independently; each id is stored at most once.
		const idHeader = ID_HEADER[file];
		const distinct = new Set(reference.map((r) => r[idHeader])).size;
		expect(summary.duplicates_in_file).toBe(reference.length - distinct);
		expect(summary.accepted).toBeLessThanOrEqual(distinct);
		// Real exports are mostly good data: at least 95% accepted.
		expect(summary.accepted).toBeGreaterThanOrEqual(Math.floor(reference.length * 0.95));
		// Each rejected row points at its record: line - 2 is the record's index (header = line 1).
		const rejected = await f.db.selectFrom('rejected_rows').selectAll().where('batch_id', '=', summary.batch_id!).execute();
		for (const row of rejected) {
			const record = reference[row.line - 2];
			expect(record, `line ${row.line}: ${row.reason}`).toBeDefined();
			expect(row.raw, `line ${row.line}: ${row.reason}`).toContain(record[idHeader]);
		}
	});

	it('Comcast as cases: dates and times read as dd-mm-yy h:mm:ss AM/PM, for every record', async () => {
		const summary = summaries.get('comcast_fcc_complaints.csv:cases')!;
		const stored = await f.db.selectFrom('cases').selectAll().where('batch_id', '=', summary.batch_id!).execute();
		const byId = new Map(stored.map((c) => [c.case_id, c]));
		const t = byId.get('250635')!;
		expect(t.created_at.toISOString()).toBe('2015-04-22T15:53:50.000Z');
		expect([t.status, t.channel, t.region, t.country, t.category, t.subject]).toEqual(['closed', 'phone', 'Maryland', 'US', 'uncategorized', 'Comcast Cable Internet Speeds']);
		// Independent parse of every record's date and time; the last record with an id wins (duplicates).
		const expected = new Map<string, string>();
		for (const r of await records('comcast_fcc_complaints.csv')) {
			const [d, m, y] = r.Date.split('-').map(Number);
			const [, h, min, s, ampm] = /^(\d+):(\d\d):(\d\d) ([AP]M)$/.exec(r.Time)!;
			const hour = (Number(h) % 12) + (ampm === 'PM' ? 12 : 0);
			expected.set(r['Ticket #'], new Date(Date.UTC(2000 + y, m - 1, d, hour, Number(min), Number(s))).toISOString());
		}
		expect(stored.length).toBe(summary.accepted);
		const mismatches = stored.filter((c) => expected.get(c.case_id) !== c.created_at.toISOString());
		expect(mismatches.map((c) => c.case_id)).toEqual([]);
		const statuses = new Set(stored.map((c) => c.status));
		expect([...statuses].every((s) => ['open', 'pending', 'solved', 'closed'].includes(s))).toBe(true);
		expect(new Set(stored.map((c) => c.channel))).toEqual(new Set(['phone', 'web']));
	});

	it('Comcast as feedback: complaints with their text', async () => {
		const summary = summaries.get('comcast_fcc_complaints.csv:feedback')!;
		const row = await f.db.selectFrom('feedback').selectAll().where('feedback_id', '=', '250635').executeTakeFirstOrThrow();
		expect([row.case_id, row.kind, row.comment, row.region, row.csat, row.batch_id]).toEqual(['250635', 'complaint', 'Comcast Cable Internet Speeds', 'Maryland', null, summary.batch_id]);
		expect(row.submitted_at.toISOString()).toBe('2015-04-22T15:53:50.000Z');
	});

	it('Olist orders as cases: timestamps, status translation and region from the country default', async () => {
		const summary = summaries.get('olist_orders_sample.csv:cases')!;
		const reference = await records('olist_orders_sample.csv');
		const stored = new Map((await f.db.selectFrom('cases').selectAll().where('batch_id', '=', summary.batch_id!).execute()).map((c) => [c.case_id, c]));
		const ts = (text: string) => (text ? `${text.replace(' ', 'T')}.000Z` : null);
		const statusOf: Record<string, string> = { delivered: 'solved', canceled: 'closed', unavailable: 'closed', shipped: 'pending', invoiced: 'pending', processing: 'pending', approved: 'pending', created: 'open' };
		let checked = 0;
		for (const r of reference) {
			const c = stored.get(r.order_id);
			if (!c) continue; // rejected: covered by the line check above
			expect([c.created_at.toISOString(), c.first_response_at?.toISOString() ?? null, c.resolved_at?.toISOString() ?? null, c.status], r.order_id).toEqual([
				ts(r.order_purchase_timestamp),
				ts(r.order_approved_at),
				ts(r.order_delivered_customer_date),
				statusOf[r.order_status]
			]);
			expect([c.customer_id, c.order_id, c.country, c.stage, c.category]).toEqual([r.customer_id, r.order_id, 'BR', 'order', 'order_status']);
			checked++;
		}
		expect(checked).toBe(summary.accepted);
		// Region is not in the file: it comes from country BR through the country table.
		expect(new Set([...stored.values()].map((c) => c.region))).toEqual(new Set(['latam']));
		expect(summary.derived.region).toMatchObject({ derived: summary.accepted });
	});

	it('Olist reviews as feedback: csat is the review score, comment joins title and message (quoted newlines kept)', async () => {
		const summary = summaries.get('olist_order_reviews_sample.csv:feedback')!;
		const reference = await records('olist_order_reviews_sample.csv');
		const stored = new Map((await f.db.selectFrom('feedback').selectAll().where('batch_id', '=', summary.batch_id!).execute()).map((r) => [r.feedback_id, r]));
		// Later records with the same review id replace earlier ones, as the import does.
		const last = new Map(reference.map((r) => [r.review_id, r]));
		let withNewline = 0;
		for (const [id, r] of last) {
			const row = stored.get(id);
			if (!row) continue;
			// Blank = spaces, tabs and line breaks only (the import's definition; JS trim() also strips others).
			const blank = (v: string) => v.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
			const comment = [blank(r.review_comment_title), blank(r.review_comment_message)].filter(Boolean).join(' ');
			expect([row.csat, row.case_id, row.comment, row.submitted_at.toISOString(), row.kind], id).toEqual([
				Number(r.review_score),
				r.order_id,
				comment || null,
				`${r.review_creation_date.replace(' ', 'T')}.000Z`,
				'survey'
			]);
			if (comment.includes('\n')) withNewline++;
		}
		expect(stored.size).toBe(summary.accepted);
		// The sample has comments spanning lines; they must have survived as one value.
		expect(withNewline).toBeGreaterThan(0);
	});

	it('Olist reviews with a few scores broken: rejected lines point at the right records past quoted newlines', async () => {
		const original = await readFile(join(EXTERNAL, 'olist_order_reviews_sample.csv'), 'utf8');
		const reference = await records('olist_order_reviews_sample.csv');
		// Break the score of three records: one early, one after many multi-line comments, the last.
		const targets = [3, Math.floor(reference.length / 2), reference.length - 1];
		let text = original;
		for (const index of targets) {
			const r = reference[index];
			const needle = `\n${r.review_id},${r.order_id},${r.review_score},`;
			expect(text.split(needle).length, `record ${index} found once`).toBe(2);
			text = text.replace(needle, `\n${r.review_id},${r.order_id},9,`);
		}
		// The physical line of the middle target is later than its record line: quoted newlines came before it.
		const physical = text.slice(0, text.indexOf(`\n${reference[targets[1]].review_id},`)).split('\n').length + 1;
		expect(physical).toBeGreaterThan(targets[1] + 2);

		const g = await ingestFixture();
		try {
			const mapping = JSON.parse(await readFile(join(MAPPINGS, 'olist-reviews-feedback.json'), 'utf8')) as ColumnMapping;
			const summary = await g.ingest(await g.file('reviews-broken.csv', text), { kind: 'feedback', mapping });
			expect(summary.rows_read).toBe(reference.length);
			await expectBalanced(g.db, summary);
			const rejected = await g.db.selectFrom('rejected_rows').selectAll().where('batch_id', '=', summary.batch_id!).orderBy('line').execute();
			expect(rejected.map((r) => r.line)).toEqual(targets.map((i) => i + 2));
			for (const [n, row] of rejected.entries()) {
				expect(row.reason).toBe('csat 9 is outside 1-5');
				expect(row.raw).toContain(reference[targets[n]].review_id);
			}
		} finally {
			await g.dispose();
		}
	});

	it('Olist customers is not a case export: importing it as cases says which column is missing', async () => {
		const error = await expectIngestError(f.ingest(join(EXTERNAL, 'olist_customers_sample.csv'), { kind: 'cases' }), 'missing_column', '"case_id"');
		expect(error.hint).toContain('customer_id');
	});
});
