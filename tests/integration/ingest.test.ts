import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import {
	RawNode,
	sql,
	type KyselyPlugin,
	type PluginTransformQueryArgs,
	type PluginTransformResultArgs,
	type QueryId,
	type QueryResult,
	type RootOperationNode,
	type UnknownRow
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import countryRegions from '../../config/country-regions.json';
import currencyRates from '../../config/currency-rates.json';
import { CASE_COLUMNS } from '../../src/lib/imports/canonical-columns';
import type { ColumnMapping } from '../../src/lib/imports/column-mapping';
import type { IngestProgress } from '../../src/lib/imports/ingest-file.server';
import { quoteLiteral } from '../../src/lib/imports/sql-text.server';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { speedReport } from '../../src/lib/metrics/speed/speed.server';
import { expectIngestError, expectBalanced, ingestFixture, tableCounts, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * One database for the whole file (opening one applies every migration, which is the slow part):
 * each test uses its own ids and looks at its own batch, and compares counts before and after.
 */
let f: IngestFixture;
beforeAll(async () => {
	f = await ingestFixture();
});
afterAll(async () => {
	await f?.dispose();
});

const iso = (d: Date | null) => d?.toISOString() ?? null;

async function casesOf(batchId: number | null) {
	return f.db.selectFrom('cases').selectAll().where('batch_id', '=', batchId ?? -1).orderBy('case_id').execute();
}
async function rejectedOf(batchId: number | null) {
	return f.db.selectFrom('rejected_rows').selectAll().where('batch_id', '=', batchId ?? -1).orderBy('line').execute();
}
async function feedbackOf(batchId: number | null) {
	return f.db.selectFrom('feedback').selectAll().where('batch_id', '=', batchId ?? -1).orderBy('feedback_id').execute();
}
async function caseById(id: string) {
	return f.db.selectFrom('cases').selectAll().where('case_id', '=', id).executeTakeFirstOrThrow();
}

describe('formats', () => {
	// The same three cases in every delimiter; the subject holds a comma so a wrong delimiter would show.
	const rows = [
		['case_id', 'created_at', 'status', 'region', 'category', 'subject'],
		['D1', '2024-03-01 10:00:00', 'open', 'europe', 'refund_request', 'Refund, please'],
		['D2', '2024-03-02 11:30:00', 'solved', 'latam', 'defect', 'Broken, twice'],
		['D3', '2024-03-03 12:45:00', 'closed', 'apac', 'wrong_item', 'Wrong size, colour']
	];
	it.each([
		[',', 'comma'],
		[';', 'semicolon'],
		['\t', 'tab'],
		['|', 'pipe']
	])('CSV delimited by %j (%s)', async (delimiter) => {
		// Quote fields that contain the delimiter, as an exporter would.
		const quote = (v: string) => (v.includes(delimiter) ? `"${v}"` : v);
		const text = rows.map((r) => r.map(quote).join(delimiter)).join('\n') + '\n';
		const summary = await f.ingest(await f.file('cases.csv', text), { kind: 'cases' });
		expect(summary.delimiter).toBe(delimiter);
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([3, 3, 0]);
		await expectBalanced(f.db, summary);
		const stored = await casesOf(summary.batch_id);
		expect(stored.map((c) => [c.case_id, iso(c.created_at), c.status, c.region, c.category, c.subject])).toEqual(
			rows.slice(1).map(([id, created, status, region, category, subject]) => [id, `${created.replace(' ', 'T')}.000Z`, status, region, category, subject])
		);
	});

	it('CSV with a UTF-8 BOM and CRLF line ends: the first header is found and no \\r is left in values', async () => {
		const text = '\uFEFFcase_id,created_at,status,region,category,subject\r\nB1,2024-03-01 10:00:00,open,europe,x,last field\r\nB2,2024-03-01 10:00:00,pending,europe,x,also last\r\n';
		const summary = await f.ingest(await f.file('bom.csv', text), { kind: 'cases' });
		expect([summary.rows_read, summary.accepted]).toEqual([2, 2]);
		await expectBalanced(f.db, summary);
		const stored = await casesOf(summary.batch_id);
		expect(stored.map((c) => [c.case_id, c.subject])).toEqual([['B1', 'last field'], ['B2', 'also last']]);
	});

	it('CSV with quoted newlines and doubled quotes: records, not physical lines, are rows', async () => {
		const text = [
			'case_id,created_at,status,region,category,subject', // line 1
			'Q1,2024-03-01 10:00:00,open,europe,x,"first line', // line 2: record 1 starts
			'second line"', // the rest of record 1
			'Q2,2024-03-01 10:00:00,open,europe,x,"He said ""hi"""',
			'Q3,not-a-time,open,europe,x,"a,b', // record 4 (spreadsheet row 4) is invalid
			'c"',
			''
		].join('\r\n');
		const summary = await f.ingest(await f.file('quoted.csv', text), { kind: 'cases' });
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([3, 2, 1]);
		await expectBalanced(f.db, summary);
		expect((await caseById('Q1')).subject).toBe('first line\r\nsecond line');
		expect((await caseById('Q2')).subject).toBe('He said "hi"');
		const [rejected] = await rejectedOf(summary.batch_id);
		// Line numbers count records with the header as line 1 (the row number a spreadsheet shows).
		expect(rejected.line).toBe(4);
		expect(rejected.reason).toContain('created_at');
		// The raw text is the record as written, re-quoted as CSV.
		expect(rejected.raw).toBe('Q3,not-a-time,open,europe,x,"a,b\r\nc"');
	});

	it('Latin-1 CSV: accents survive', async () => {
		const subject = 'Réclamation: colis endommagé à Zürich, señor, ½ prix';
		const text = `case_id;created_at;status;region;category;subject\nL1;2024-03-01 10:00:00;open;europe;défaut;${subject}\n`;
		const bytes = Buffer.from(text, 'latin1');
		// The file really is not UTF-8 (é is one byte, 0xE9).
		expect(bytes.includes(0xe9)).toBe(true);
		expect(bytes.length).toBe(text.length);
		const summary = await f.ingest(await f.file('latin1.csv', bytes), { kind: 'cases' });
		expect(summary.encoding).toBe('latin-1');
		expect(summary.warnings.join(' ')).toMatch(/Latin-1/i);
		await expectBalanced(f.db, summary);
		const stored = await caseById('L1');
		expect(stored.subject).toBe(subject);
		expect(stored.category).toBe('défaut');
	});

	it('Windows-1252 CSV (detected as Latin-1): €, curly quotes and dashes come out right, in values, headers and raw text', async () => {
		// 0x80 €, 0x93/0x94 “ ”, 0x96 –, 0x85 …, 0xE9 é: bytes that ISO-8859-1 would turn into control characters.
		const text = 'case_id;created_at;status;region;category;subject;Prix €\r\nW1;2024-03-01 10:00:00;open;europe;défaut;“Colis” – 12 € … déjà;3\r\nW2;jamais;open;europe;x;“Remboursé” – 5 €;4\r\n';
		const bytes = Buffer.from(iconv.encode(text, 'win1252'));
		expect([...bytes.subarray(0, 60)].filter((b) => b >= 0x80 && b <= 0x9f)).toEqual([0x80]);
		const summary = await f.ingest(await f.file('win1252.csv', bytes), { kind: 'cases' });
		expect(summary.encoding).toBe('latin-1');
		expect([summary.accepted, summary.rejected]).toEqual([1, 1]);
		await expectBalanced(f.db, summary);
		const stored = await caseById('W1');
		expect([stored.subject, stored.category]).toEqual(['“Colis” – 12 € … déjà', 'défaut']);
		const [rejected] = await rejectedOf(summary.batch_id);
		expect([rejected.line, rejected.raw]).toEqual([3, 'W2;jamais;open;europe;x;“Remboursé” – 5 €;4']);
		expect(rejected.reason).toContain('"jamais"');
		// The archive keeps the file's own bytes.
		const batch = await f.db.selectFrom('import_batches').selectAll().where('batch_id', '=', summary.batch_id!).executeTakeFirstOrThrow();
		expect(Buffer.compare(await readFile(batch.archive_path!), bytes)).toBe(0);
	});

	it('JSON array: values of every JSON type are read; a bad record is rejected with its position and original values', async () => {
		const records = [
			{ case_id: 'J1', created_at: '2024-03-01T10:00:00Z', status: 'open', region: 'europe', category: 'x', order_value: 12.5, currency: 'EUR', escalated: true, reopen_count: 2, subject: 'ü "quoted"\nnew line' },
			{ case_id: 'J2', created_at: 'soon', status: 'open', region: 'europe', category: 'x', order_value: null, escalated: false },
			{ case_id: 'J3', created_at: '2024-03-02 08:00:00', status: 'Closed', region: 'apac', category: 'y', escalated: false, customer_since: '2019-12-31' }
		];
		const summary = await f.ingest(await f.file('cases.json', JSON.stringify(records, null, 2)), { kind: 'cases' });
		expect(summary.format).toBe('json');
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([3, 2, 1]);
		await expectBalanced(f.db, summary);
		const j1 = await caseById('J1');
		expect([iso(j1.created_at), j1.order_value, j1.currency, j1.escalated, j1.reopen_count, j1.subject]).toEqual(['2024-03-01T10:00:00.000Z', 12.5, 'EUR', true, 2, 'ü "quoted"\nnew line']);
		const j3 = await caseById('J3');
		// Enumerations are matched case-insensitively; a DATE comes back as text.
		expect([j3.status, j3.escalated, j3.customer_since]).toEqual(['closed', false, '2019-12-31']);
		const [rejected] = await rejectedOf(summary.batch_id);
		expect(rejected.line).toBe(2); // the second record of the array
		expect(rejected.reason).toContain('created_at: "soon"');
		expect(JSON.parse(rejected.raw!)).toMatchObject({ case_id: 'J2', created_at: 'soon', status: 'open', escalated: 'false' });
	});

	it('NDJSON: one record per line; the rejected record keeps its line number', async () => {
		const lines = [
			{ case_id: 'N1', created_at: '2024-03-01 10:00:00', status: 'open', region: 'europe', category: 'x' },
			{ case_id: 'N2', created_at: '2024-03-01 10:00:00', status: 'open', region: 'europe', category: 'x' },
			{ case_id: 'N3', created_at: 'whenever', status: 'escalating', region: 'europe', category: 'x' },
			{ case_id: 'N4', created_at: '2024-03-01 10:00:00', status: 'pending', region: 'europe', category: 'x' }
		];
		const summary = await f.ingest(await f.file('cases.ndjson', lines.map((l) => JSON.stringify(l)).join('\n') + '\n'), { kind: 'cases' });
		expect(summary.format).toBe('ndjson');
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([4, 3, 1]);
		await expectBalanced(f.db, summary);
		const [rejected] = await rejectedOf(summary.batch_id);
		expect(rejected.line).toBe(3);
		expect(rejected.reason).toMatch(/^created_at: "whenever" is not a timestamp/);
		expect(JSON.parse(rejected.raw!)).toMatchObject({ case_id: 'N3', created_at: 'whenever' });
	});

	it('Parquet written by DuckDB: typed columns (TIMESTAMP, TIMESTAMPTZ, DECIMAL, BOOLEAN, INTEGER) are read', async () => {
		const path = `${f.dir}/cases.parquet`;
		await sql
			.raw(
				`COPY (
					SELECT * FROM (VALUES
						('P1', TIMESTAMP '2024-03-01 10:00:00', 'open', 'europe', 'x', CAST(19.99 AS DECIMAL(10, 2)), 'EUR', true, 1),
						('P2', CAST('2024-03-01 12:00:00+02:00' AS TIMESTAMPTZ), 'solved', 'latam', 'y', NULL, NULL, false, 0),
						('P3', CAST(NULL AS TIMESTAMP), 'lost', 'apac', 'z', NULL, NULL, NULL, NULL)
					) t(case_id, created_at, status, region, category, order_value, currency, escalated, reopen_count)
				) TO ${quoteLiteral(path)} (FORMAT parquet)`
			)
			.execute(f.db);
		const summary = await f.ingest(path, { kind: 'cases' });
		expect(summary.format).toBe('parquet');
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([3, 2, 1]);
		await expectBalanced(f.db, summary);
		const p1 = await caseById('P1');
		expect([iso(p1.created_at), p1.order_value, p1.escalated, p1.reopen_count]).toEqual(['2024-03-01T10:00:00.000Z', 19.99, true, 1]);
		// The mixed VALUES list makes the column TIMESTAMPTZ; 12:00 at +02:00 is 10:00 UTC.
		expect(iso((await caseById('P2')).created_at)).toBe('2024-03-01T10:00:00.000Z');
		const [rejected] = await rejectedOf(summary.batch_id);
		expect(rejected.line).toBe(3);
		expect(rejected.reason).toBe('created_at is empty (required)');
		expect(JSON.parse(rejected.raw!)).toMatchObject({ case_id: 'P3', status: 'lost' });
	});
});

describe('validation', () => {
	it('rejects only rows that cannot be a case, with their line, a reason naming the column and the original text', async () => {
		const lines = [
			'case_id,created_at,first_response_at,resolved_at,status,region,category,order_value,reopen_count', // 1
			'V1,2024-03-01 10:00:00,2024-03-01 10:05:00,2024-03-02 09:00:00,solved,europe,x,10.50,0', // 2 ok
			'V2,01.03.2024 10:00,,,open,europe,x,,', // 3 unparseable timestamp
			'V3,2024-03-05 10:00:00,,2024-03-04 10:00:00,solved,europe,x,,', // 4 resolved before created: kept, resolved_at dropped
			'V4,2024-03-01 10:00:00,,,on fire,europe,x,,', // 5 unknown status: kept as written
			'V5,2024-03-01 10:00:00,,,open,europe,x,ten,', // 6 not a number
			'V6,2024-03-01 10:00:00,2024-02-28 10:00:00,,open,europe,x,,', // 7 first response before created: kept, dropped
			',2024-03-01 10:00:00,,,open,europe,x,,', // 8 empty id
			'V8,2024-03-01 10:00:00,,,open,europe,x,1e20,', // 9 out of range for DECIMAL(18,2)
			'V9,2024-03-01 10:00:00,,,open,europe,x,,-1', // 10 negative reopen count
			'V10,2024-03-01 10:00:00,,1900-01-01 00:00:00,open,europe,x,,', // 11 placeholder resolution: kept, emptied
			'V11,1900-01-01 00:00:00,,,open,europe,x,,', // 12 placeholder creation: cannot be placed in time
			'V12,2024-03-01 10:00:00, ,  ,open,europe,x,,' // 13 no-break-space blanks: empty
		];
		const summary = await f.ingest(await f.file('validation.csv', lines.join('\n') + '\n'), { kind: 'cases' });
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([12, 6, 6]);
		await expectBalanced(f.db, summary);
		const kept = await casesOf(summary.batch_id);
		expect(kept.map((c) => [c.case_id, c.status, iso(c.first_response_at), iso(c.resolved_at)])).toEqual([
			['V1', 'solved', '2024-03-01T10:05:00.000Z', '2024-03-02T09:00:00.000Z'],
			['V10', 'open', null, null],
			['V12', 'open', null, null],
			['V3', 'solved', null, null],
			['V4', 'on_fire', null, null],
			['V6', 'open', null, null]
		]);
		// What was kept with a change is counted per column and per rule.
		expect(summary.derived.resolved_at).toMatchObject({ emptied: 1, dropped: 1, derived: 0, defaulted: 0 });
		expect(summary.derived.first_response_at).toMatchObject({ emptied: 0, dropped: 1 });
		expect(summary.derived.resolved_at.how).toContain('placeholders (1900-01-01, 0001-01-01, 1899-12-30, or a word for no time such as "-", "N/A" or "none") read as empty');
		expect(summary.unknown_values).toEqual({ status: [{ value: 'on_fire', count: 1 }] });
		expect(summary.blank_cells).toEqual({ first_response_at: 1, resolved_at: 1 });
		const rejected = await rejectedOf(summary.batch_id);
		const expected: [number, RegExp][] = [
			[3, /^created_at: "01\.03\.2024 10:00" is not a timestamp/],
			[6, /^order_value: "ten" is not a number$/],
			[8, /^case_id is empty \(required\)$/],
			[9, /^order_value: "1e20" is out of range/],
			[10, /^reopen_count is negative$/],
			[12, /^created_at: "1900-01-01 00:00:00" is a placeholder \(1900-01-01, 0001-01-01, 1899-12-30, or a word for no time such as "-", "N\/A" or "none"\), not a real time$/]
		];
		expect(rejected.map((r) => r.line)).toEqual(expected.map(([line]) => line));
		for (const [i, [line, reason]] of expected.entries()) {
			expect(rejected[i].reason, `line ${line}`).toMatch(reason);
			// The raw text is the file's own line, byte for byte (no field here needs quoting).
			expect(rejected[i].raw, `line ${line}`).toBe(lines[line - 1]);
		}
		// Reasons are grouped by rule, values elided, with the values as examples.
		expect(summary.top_reasons.reduce((n, r) => n + r.count, 0)).toBe(6);
		const numbers = summary.top_reasons.find((r) => r.reason === 'order_value: "…" is not a number');
		expect(numbers).toEqual({ reason: 'order_value: "…" is not a number', count: 1, examples: ['ten'] });
	});

	it('groups one rule over many values into one line with examples', async () => {
		const rows = Array.from({ length: 30 }, (_, i) => `G${i},2024-03-${String((i % 28) + 1).padStart(2, '0')} 10:00:00,open,europe,x,${i % 2 ? 'maybe' : `perhaps-${i}`}`);
		const summary = await f.ingest(await f.file('grouped.csv', ['case_id,created_at,status,region,category,escalated', ...rows].join('\n') + '\n'), { kind: 'cases' });
		expect([summary.accepted, summary.rejected]).toEqual([0, 30]);
		expect(summary.top_reasons).toHaveLength(1);
		expect(summary.top_reasons[0]).toMatchObject({ reason: 'escalated: "…" is not true/false', count: 30 });
		expect(summary.top_reasons[0].examples).toEqual(['maybe', 'perhaps-0', 'perhaps-10']);
	});

	it('a word for no time ("-", "N/A", "none") in an optional time empties that time and keeps the case; in created_at it rejects the row', async () => {
		const text = [
			'case_id,created_at,first_response_at,resolved_at,status,region,category',
			'W1,2024-03-01 09:00:00,-,N/A,open,europe,x',
			'W2,2024-03-01 09:00:00,2024-03-01 10:00:00,none,pending,europe,x',
			'W3,2024-03-01 09:00:00,2024-03-01 09:30:00,2024-03-01 12:00:00,solved,europe,x',
			'W4,N/A,2024-03-01 09:30:00,,open,europe,x',
			'W5,2024-03-01 09:00:00,soon,,open,europe,x'
		].join('\n');
		const summary = await f.ingest(await f.file('words.csv', text + '\n'), { kind: 'cases' });
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([5, 3, 2]);
		await expectBalanced(f.db, summary);
		expect((await casesOf(summary.batch_id)).map((c) => [c.case_id, iso(c.first_response_at), iso(c.resolved_at)])).toEqual([
			['W1', null, null],
			['W2', '2024-03-01T10:00:00.000Z', null],
			['W3', '2024-03-01T09:30:00.000Z', '2024-03-01T12:00:00.000Z']
		]);
		expect(summary.derived.first_response_at).toMatchObject({ emptied: 1 });
		expect(summary.derived.resolved_at).toMatchObject({ emptied: 2 });
		const rejected = await rejectedOf(summary.batch_id);
		expect(rejected.map((r) => [r.line, r.reason.split(' (')[0]])).toEqual([
			[5, 'created_at: "N/A" is a placeholder'],
			// Any other text is still not a time: the row is rejected, not silently emptied.
			[6, 'first_response_at: "soon" is not a timestamp']
		]);
	});

	it('numeric dates: an order settled by a day above 12 is read so and said; an unsettled one refuses the file with both readings', async () => {
		const settled = await f.file('day-first.csv', 'case_id,created_at,status,region,category\nD1,08/01/2025 15:00,open,europe,x\nD2,25/01/2025 09:30,open,europe,x\n');
		const summary = await f.ingest(settled, { kind: 'cases' });
		expect([summary.accepted, summary.rejected]).toEqual([2, 0]);
		expect(iso((await caseById('D1')).created_at)).toBe('2025-01-08T15:00:00.000Z');
		expect(summary.warnings.join(' ')).toContain('created_at: dates like "08/01/2025 15:00" are read day first ("25/01/2025 09:30"');

		const usDates = await f.file('month-first.csv', 'case_id,created_at,status,region,category\nU1,08/01/2025,open,europe,x\nU2,01/25/2025,open,europe,x\n');
		await f.ingest(usDates, { kind: 'cases' });
		expect(iso((await caseById('U1')).created_at)).toBe('2025-08-01T00:00:00.000Z');

		const ambiguous = await f.file('ambiguous.csv', 'case_id,created_at,status,region,category\nA1,08/01/2025 15:00,open,europe,x\nA2,09/02/2025 10:00,open,europe,x\n');
		const error = await expectIngestError(f.ingest(ambiguous, { kind: 'cases' }), 'ambiguous_dates', '8 January 2025 (day first)', '1 August 2025 (month first)');
		expect(error.hint).toContain('"format": ["%d/%m/%Y %H:%M","%d/%m/%Y"]');
		expect(error.hint).toContain('"format": ["%m/%d/%Y %H:%M","%m/%d/%Y"]');
		// Declared in the mapping, the order is the user's: nothing is guessed.
		const declared = await f.ingest(ambiguous, { kind: 'cases', mapping: { name: 'declared', columns: { case_id: 'case_id', created_at: { from: 'created_at', format: '%m/%d/%Y %H:%M' }, status: 'status', region: 'region', category: 'category' } } });
		expect(declared.accepted).toBe(2);
		expect(iso((await caseById('A1')).created_at)).toBe('2025-08-01T15:00:00.000Z');
	});

	it('a semicolon-separated file with decimal commas: amounts and durations read with the comma as the decimal point, and said', async () => {
		const text = [
			'case_id;created_at;first_reply_hours;status;region;category;order_value;refund_amount',
			'E1;15.03.2024 15:48;1,5;solved;europe;x;2457,78;5,09',
			'E2;16.03.2024 09:00;2;open;europe;x;1.234,56;',
			'E3;17.03.2024 09:00;;open;europe;x;1,2,3;'
		].join('\n');
		const mapping = {
			name: 'eu',
			columns: { case_id: 'case_id', created_at: 'created_at', first_response_at: { from: 'first_reply_hours', after: { column: 'created_at', unit: 'hours' as const } }, status: 'status', region: 'region', category: 'category', order_value: 'order_value', refund_amount: 'refund_amount' }
		};
		const summary = await f.ingest(await f.file('eu.csv', text + '\n'), { kind: 'cases', mapping });
		expect([summary.accepted, summary.rejected]).toEqual([2, 1]);
		const rows = await casesOf(summary.batch_id);
		expect(rows.map((c) => [c.case_id, iso(c.created_at), iso(c.first_response_at), Number(c.order_value), c.refund_amount === null ? null : Number(c.refund_amount)])).toEqual([
			['E1', '2024-03-15T15:48:00.000Z', '2024-03-15T17:18:00.000Z', 2457.78, 5.09],
			['E2', '2024-03-16T09:00:00.000Z', '2024-03-16T11:00:00.000Z', 1234.56, null]
		]);
		expect(summary.warnings.join(' ')).toContain('decimal comma');
		expect((await rejectedOf(summary.batch_id))[0].reason).toContain('order_value: "1,2,3" is not a number');
		// In a comma-separated file a quoted "2457,78" is not read as a decimal comma.
		const comma = await f.ingest(await f.file('us.csv', 'case_id,created_at,status,region,category,order_value\nU9,2024-03-01 10:00:00,open,europe,x,"2457,78"\n'), { kind: 'cases' });
		expect([comma.accepted, comma.rejected]).toEqual([0, 1]);
		expect(comma.warnings.join(' ')).not.toContain('decimal comma');
	});

	it('dates with a month name are read without a declared format (Zoho, HubSpot, Jira, mail headers)', async () => {
		const text = [
			'case_id,created_at,resolved_at,status,region,category,customer_since',
			'Z1,10 Mar 2024 02:59 PM,"Mar 11, 2024 9:05 AM",solved,europe,x,10-MAR-2023',
			'Z2,03/Feb/24 1:05 PM,"February 4, 2024",solved,europe,x,4 February 2022',
			'Z3,"Tue, 05 Mar 2024 10:00:00 +0100",,open,europe,x,',
			'Z4,Marchish 2024,,open,europe,x,'
		].join('\n');
		const summary = await f.ingest(await f.file('named-months.csv', text + '\n'), { kind: 'cases' });
		expect([summary.accepted, summary.rejected]).toEqual([3, 1]);
		const rows = await casesOf(summary.batch_id);
		expect(rows.map((c) => [c.case_id, iso(c.created_at), iso(c.resolved_at), c.customer_since])).toEqual([
			['Z1', '2024-03-10T14:59:00.000Z', '2024-03-11T09:05:00.000Z', '2023-03-10'],
			['Z2', '2024-02-03T13:05:00.000Z', '2024-02-04T00:00:00.000Z', '2022-02-04'],
			// With an offset: stored as UTC.
			['Z3', '2024-03-05T09:00:00.000Z', null, null]
		]);
		expect((await rejectedOf(summary.batch_id))[0].reason).toContain('created_at: "Marchish 2024" is not a timestamp');
	});

	it('without a preset, elapsed-time headers that name their unit give the first response and resolution (Zoho Desk, HubSpot)', async () => {
		const zoho = 'Ticket Id,Subject,Status,Created Time,First Response Time (in Hours),Resolution Time (in Hours),First Response Time in Business Hours (in Hours)\nZD1,Late,Closed,2024-03-01 10:00:00,1.5,26,0.5\nZD2,Broken,Open,2024-03-02 10:00:00,,,\n';
		const zohoSummary = await f.ingest(await f.file('zoho.csv', zoho), { kind: 'cases' });
		expect(zohoSummary.mapping).toBe('auto (header names)');
		expect((await casesOf(zohoSummary.batch_id)).map((c) => [c.case_id, iso(c.first_response_at), iso(c.resolved_at)])).toEqual([
			['ZD1', '2024-03-01T11:30:00.000Z', '2024-03-02T12:00:00.000Z'],
			['ZD2', null, null]
		]);
		const hubspot = 'Ticket ID,Ticket name,Ticket status,Create date,Time to first agent reply (HH:mm:ss),Time to close (HH:mm:ss)\nHS1,Refund,Closed,2024-03-01 10:00,23:37:44,49:00:00\n';
		const hubspotSummary = await f.ingest(await f.file('hubspot.csv', hubspot), { kind: 'cases' });
		expect((await casesOf(hubspotSummary.batch_id)).map((c) => [c.case_id, iso(c.first_response_at), iso(c.resolved_at)])).toEqual([['HS1', '2024-03-02T09:37:44.000Z', '2024-03-03T11:00:00.000Z']]);
		expect(hubspotSummary.derived.first_response_at.how).toContain('Time to first agent reply (HH:mm:ss)');
	});

	it('a mapping time zone: times without an offset are local times of that zone, stored as UTC; times with one are left alone', async () => {
		const text = [
			'case_id,created_at,first_response_at,resolved_at,status,region,category,minutes_to_reply',
			// Winter (UTC+1) and summer (UTC+2) in Berlin.
			'TZ1,2024-03-01 10:00:00,2024-03-01T10:30:00Z,1900-01-01 00:00:00,open,europe,x,',
			'TZ2,2024-07-01 10:00:00,,2024-07-01 18:00:00,solved,europe,x,',
			'TZ3,10 Mar 2024 02:59 PM,,,open,europe,x,'
		].join('\n');
		const columns = { case_id: 'case_id', created_at: 'created_at', first_response_at: 'first_response_at', resolved_at: 'resolved_at', status: 'status', region: 'region', category: 'category' };
		const summary = await f.ingest(await f.file('berlin.csv', text + '\n'), { kind: 'cases', mapping: { name: 'berlin', timezone: 'Europe/Berlin', columns } });
		expect([summary.accepted, summary.rejected]).toEqual([3, 0]);
		expect((await casesOf(summary.batch_id)).map((c) => [c.case_id, iso(c.created_at), iso(c.first_response_at), iso(c.resolved_at)])).toEqual([
			['TZ1', '2024-03-01T09:00:00.000Z', '2024-03-01T10:30:00.000Z', null],
			['TZ2', '2024-07-01T08:00:00.000Z', null, '2024-07-01T16:00:00.000Z'],
			['TZ3', '2024-03-10T13:59:00.000Z', null, null]
		]);
		// Zendesk's 1900-01-01 placeholder is still one after the zone moved it to 31 December.
		expect(summary.derived.resolved_at).toMatchObject({ emptied: 1 });
		// A zone the runtime does not know is refused before anything is read.
		await expectIngestError(f.ingest(await f.file('mars.csv', text + '\n'), { kind: 'cases', mapping: { name: 'mars', timezone: 'Mars/Olympus', columns } }), 'bad_mapping', 'timezone', 'Europe/Berlin');
	});

	it('a report footer line is one rejected row with one reason: how many fields it has', async () => {
		// Salesforce's formatted report: the rows, a blank line, then the report's title and notices.
		const text = ['case_id,created_at,status,region,category', 'FT1,2024-03-01 10:00:00,open,europe,x', 'FT2,2024-03-02 10:00:00,open,europe,x', '', '"Case Report"', '"Copyright (c) 2000-2024 salesforce.com, inc."'].join('\n');
		const summary = await f.ingest(await f.file('report.csv', text + '\n'), { kind: 'cases' });
		expect([summary.accepted, summary.rejected]).toEqual([2, 2]);
		const rejected = await rejectedOf(summary.batch_id);
		expect(rejected.map((r) => [r.line, r.reason])).toEqual([
			[5, "the CSV reader could not split this record: MISSING COLUMNS: it has 1 of the header's 5 fields (a report's title or footer line, or a line break lost in export)"],
			[6, "the CSV reader could not split this record: MISSING COLUMNS: it has 1 of the header's 5 fields (a report's title or footer line, or a line break lost in export)"]
		]);
		expect(summary.top_reasons).toHaveLength(1);
		expect(summary.top_reasons[0]).toMatchObject({ count: 2 });
	});

	it('first_word keeps the first tag: by commas or semicolons when there are any, else by spaces', async () => {
		const text = 'case_id,created_at,status,region,Tags\nG1,2024-03-01 09:00:00,open,europe,"late delivery, refund"\nG2,2024-03-01 09:00:00,open,europe,billing;refunds\nG3,2024-03-01 09:00:00,open,europe,vip_customer urgent\nG4,2024-03-01 09:00:00,open,europe,", damaged"\n';
		const mapping = { name: 'tags', columns: { case_id: 'case_id', created_at: 'created_at', status: 'status', region: 'region', category: { from: 'Tags', first_word: true } } };
		const summary = await f.ingest(await f.file('tags.csv', text), { kind: 'cases', mapping });
		expect(summary.accepted).toBe(4);
		expect((await casesOf(summary.batch_id)).map((c) => [c.case_id, c.category])).toEqual([
			['G1', 'late delivery'],
			['G2', 'billing'],
			['G3', 'vip_customer'],
			['G4', 'damaged']
		]);
	});

	it('lists every problem of a row, not only the first', async () => {
		const summary = await f.ingest(await f.file('multi.csv', 'case_id,created_at,status,region,category,escalated\nM1,never,unknown-status,europe,x,perhaps\n'), { kind: 'cases' });
		const [rejected] = await rejectedOf(summary.batch_id);
		expect(rejected.reason).toContain('created_at: "never"');
		expect(rejected.reason).not.toContain('status');
		expect(rejected.reason).toContain('escalated: "perhaps" is not true/false');
	});

	it('stores a timestamp with an offset as UTC; Z and naive timestamps as given', async () => {
		const text = [
			'case_id,created_at,resolved_at,status,region,category',
			'T1,2024-03-01T10:00:00+02:00,2024-03-01T09:30:00Z,solved,europe,x', // created 08:00 UTC, resolved 09:30 UTC
			'T2,2024-03-01 10:00:00-05:00,,open,europe,x',
			'T3,2024-12-31 23:30:00 -0130,,open,europe,x',
			'T4,2024-03-01 10:00:00,,open,europe,x'
		].join('\n');
		const summary = await f.ingest(await f.file('offsets.csv', text), { kind: 'cases' });
		expect(summary.accepted).toBe(4);
		const stored = await casesOf(summary.batch_id);
		expect(stored.map((c) => [c.case_id, iso(c.created_at), iso(c.resolved_at)])).toEqual([
			['T1', '2024-03-01T08:00:00.000Z', '2024-03-01T09:30:00.000Z'],
			['T2', '2024-03-01T15:00:00.000Z', null],
			['T3', '2025-01-01T01:00:00.000Z', null],
			['T4', '2024-03-01T10:00:00.000Z', null]
		]);
		// And in the database itself, as naive UTC wall-clock time.
		const { rows } = await sql<{ t: string }>`select strftime(created_at, '%Y-%m-%d %H:%M') as t from cases where case_id = 'T1'`.execute(f.db);
		expect(rows[0].t).toBe('2024-03-01 08:00');
	});

	it('feedback: csat 0 and 6 are rejected, 1-5 and empty accepted; kind defaults to survey', async () => {
		const lines = [
			'feedback_id,case_id,submitted_at,csat,comment', // 1
			'F1,C1,2024-03-01 10:00:00,0,zero', // 2 rejected
			'F2,C2,2024-03-01 10:00:00,1,one',
			'F3,,2024-03-01T10:00:00+02:00,5,"five, no case"',
			'F4,C4,2024-03-01 10:00:00,6,six', // 5 rejected
			'F5,C5,2024-03-01 10:00:00,,not answered',
			'F6,C6,2024-03-01 10:00:00,great,word', // 7 rejected
			'F7,C7,2024-03-01 10:00:00,3,unquoted, comma' // 8: the reader cannot split it
		];
		const summary = await f.ingest(await f.file('feedback.csv', lines.join('\n') + '\n'), { kind: 'feedback' });
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([7, 3, 4]);
		await expectBalanced(f.db, summary);
		const stored = await feedbackOf(summary.batch_id);
		expect(stored.map((r) => [r.feedback_id, r.case_id, r.csat, r.kind, iso(r.submitted_at), r.comment])).toEqual([
			['F2', 'C2', 1, 'survey', '2024-03-01T10:00:00.000Z', 'one'],
			['F3', null, 5, 'survey', '2024-03-01T08:00:00.000Z', 'five, no case'],
			['F5', 'C5', null, 'survey', '2024-03-01T10:00:00.000Z', 'not answered']
		]);
		expect(summary.derived.kind).toMatchObject({ defaulted: 3 });
		const rejected = await rejectedOf(summary.batch_id);
		expect(rejected.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
			[2, 'csat 0 is outside 1-5'],
			[5, 'csat 6 is outside 1-5'],
			[7, 'csat'],
			[8, 'the CSV reader could not split this record']
		]);
		expect(rejected[2].reason).toBe('csat: "great" is not a number');
		expect(rejected[3].reason).toMatch(/TOO MANY COLUMNS/i);
		expect(rejected.map((r) => r.raw)).toEqual([lines[1], lines[4], lines[6], lines[7]]);
	});

	it('a duplicate id inside one file keeps the last row and counts the others', async () => {
		const lines = [
			'case_id,created_at,status,region,category,subject', // 1
			'A,2024-03-01 10:00:00,open,europe,x,first A', // 2
			'B,2024-03-01 10:00:00,open,europe,x,only B', // 3
			'A,2024-03-02 10:00:00,pending,europe,x,second A', // 4
			'A,2024-03-03 10:00:00,solved,europe,x,third A' // 5: kept
		];
		const summary = await f.ingest(await f.file('dups.csv', lines.join('\n') + '\n'), { kind: 'cases' });
		expect([summary.rows_read, summary.accepted, summary.rejected, summary.duplicates_in_file]).toEqual([4, 2, 2, 2]);
		await expectBalanced(f.db, summary);
		const a = await caseById('A');
		expect([a.subject, a.status, iso(a.created_at)]).toEqual(['third A', 'solved', '2024-03-03T10:00:00.000Z']);
		const rejected = await rejectedOf(summary.batch_id);
		expect(rejected.map((r) => r.line)).toEqual([2, 4]);
		for (const [i, line] of [2, 4].entries()) {
			expect(rejected[i].reason).toBe('duplicate case_id "A" in this file: a later row (line 5) replaces it');
			// The row as written in the file, like every other rejected row.
			expect(rejected[i].raw).toBe(lines[line - 1]);
		}
	});

	it('a duplicate keeps its original text: quoting, spacing and values the load converted', async () => {
		const lines = [
			'case_id;created_at;status;region;category;subject', // 1
			'D9; 2024-03-01T10:00:00+02:00 ;Open;europe;x;"first; with ""quotes"""', // 2
			'D8;bad;open;europe;x;rejected before the duplicate', // 3
			'D8;2024-03-01 10:00:00;open;europe;x;too;many', // 4: the reader cannot split it
			'D9;2024-03-02 10:00:00;solved;europe;x;kept' // 5
		];
		const summary = await f.ingest(await f.file('dups-raw.csv', lines.join('\r\n') + '\r\n'), { kind: 'cases' });
		expect([summary.rows_read, summary.accepted, summary.rejected, summary.duplicates_in_file]).toEqual([4, 1, 3, 1]);
		await expectBalanced(f.db, summary);
		const rejected = await rejectedOf(summary.batch_id);
		expect(rejected.map((r) => [r.line, r.reason.split(' ')[0], r.raw])).toEqual([
			[2, 'duplicate', lines[1]],
			[3, 'created_at:', lines[2]],
			[4, 'the', lines[3]]
		]);
	});

	it('duplicates in a large file: the last row wins and every line number is right, whichever thread read it', async () => {
		// Big enough for DuckDB to read it in parallel; every 1000th id repeats 700 rows later.
		const n = 300_000;
		const out: string[] = ['case_id,created_at,status,region,category,subject'];
		const expected = new Map<number, string>();
		for (let i = 0; i < n; i++) {
			const id = i % 1000 === 700 && i > 1000 ? `P${i - 700}` : `P${i}`;
			const bad = i % 9973 === 5;
			out.push(`${id},${bad ? 'never' : '2024-03-01 10:00:00'},open,europe,x,row ${i} with some padding to make the file larger than a read buffer`);
			if (bad) expected.set(i + 2, 'created_at');
			else if (i % 1000 === 0 && i > 0 && i + 700 < n) expected.set(i + 2, 'duplicate');
		}
		const summary = await f.ingest(await f.file('large-dups.csv', out.join('\n') + '\n'), { kind: 'cases' });
		const rejected = await rejectedOf(summary.batch_id);
		expect(summary.rejected).toBe(expected.size);
		await expectBalanced(f.db, summary);
		for (const r of rejected) {
			expect([r.line, r.reason.startsWith('duplicate') ? 'duplicate' : r.reason.split(':')[0]]).toEqual([r.line, expected.get(Number(r.line))]);
			expect(r.raw).toBe(out[Number(r.line) - 1]);
		}
		const kept = await f.db.selectFrom('cases').select(['case_id', 'subject']).where('case_id', 'in', ['P1000', 'P150000']).orderBy('case_id').execute();
		expect(kept).toEqual([
			{ case_id: 'P1000', subject: 'row 1700 with some padding to make the file larger than a read buffer' },
			{ case_id: 'P150000', subject: 'row 150700 with some padding to make the file larger than a read buffer' }
		]);
	});

	it('a re-import of another file replaces cases by id; a rejected row leaves the earlier version alone', async () => {
		const first = await f.ingest(
			await f.file('first.csv', 'case_id,created_at,status,region,category,subject\nR1,2024-03-01 10:00:00,open,europe,x,v1\nR2,2024-03-01 10:00:00,open,europe,x,v1\nR3,2024-03-01 10:00:00,open,europe,x,v1\n'),
			{ kind: 'cases' }
		);
		expect(first.replaced).toBe(0);
		const second = await f.ingest(
			await f.file('second.csv', 'case_id,created_at,status,region,category,subject\nR2,2024-03-01 10:00:00,solved,europe,x,v2\nR3,bad,solved,europe,x,v2\nR4,2024-03-01 10:00:00,open,europe,x,v2\n'),
			{ kind: 'cases' }
		);
		expect([second.accepted, second.rejected, second.replaced]).toEqual([2, 1, 1]);
		await expectBalanced(f.db, second);
		const all = await f.db.selectFrom('cases').select(['case_id', 'subject', 'status', 'batch_id']).where('case_id', 'like', 'R_').orderBy('case_id').execute();
		expect(all).toEqual([
			{ case_id: 'R1', subject: 'v1', status: 'open', batch_id: first.batch_id },
			{ case_id: 'R2', subject: 'v2', status: 'solved', batch_id: second.batch_id },
			{ case_id: 'R3', subject: 'v1', status: 'open', batch_id: first.batch_id },
			{ case_id: 'R4', subject: 'v2', status: 'open', batch_id: second.batch_id }
		]);
	});

	it('the same file again (even under another name) is recognised and changes nothing', async () => {
		const text = 'case_id,created_at,status,region,category\nS1,2024-03-01 10:00:00,open,europe,x\nS2,bad,open,europe,x\n';
		const first = await f.ingest(await f.file('once.csv', text), { kind: 'cases' });
		const counts = await tableCounts(f.db);
		const again = await f.ingest(await f.file('renamed.csv', text), { kind: 'cases' });
		expect(again.status).toBe('duplicate');
		expect(again.duplicate_of).toBe(first.batch_id);
		expect(again.batch_id).toBeNull();
		expect([again.accepted, again.rejected, again.replaced]).toEqual([0, 0, 0]);
		expect(again.warnings.join(' ')).toContain(`batch ${first.batch_id}`);
		expect(await tableCounts(f.db)).toEqual(counts);
		// The raw file was archived once, under its checksum.
		const batch = await f.db.selectFrom('import_batches').selectAll().where('batch_id', '=', first.batch_id!).executeTakeFirstOrThrow();
		expect(batch.archive_path).toContain(first.sha256);
		expect(await readFile(batch.archive_path!, 'utf8')).toBe(text);
		expect(batch.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(batch.size_bytes).toBe(Buffer.byteLength(text));
	});

	it('the same file through another mapping is a new import that replaces the first one\'s rows', async () => {
		// A first try without the date format rejects every row; the second, with it, must load them.
		const text = 'case_id,created_at,status,region,category\nM1,2024.02.03 13:05,open,europe,x\nM2,2024.03.17 09:40,solved,europe,x\n';
		const columns = { case_id: 'case_id', status: 'status', region: 'region', category: 'category' };
		const path = await f.file('dotted.csv', text);
		const first = await f.ingest(path, { kind: 'cases', mapping: { name: 'no format', columns: { ...columns, created_at: 'created_at' } } });
		expect([first.accepted, first.rejected]).toEqual([0, 2]);
		const withFormat = { name: 'with format', columns: { ...columns, created_at: { from: 'created_at', format: '%Y.%m.%d %H:%M' } } };
		const second = await f.ingest(path, { kind: 'cases', mapping: withFormat });
		expect(second.status).toBe('committed');
		expect(second.duplicate_of).toBeNull();
		expect([second.accepted, second.rejected]).toEqual([2, 0]);
		expect(second.warnings.join(' ')).toContain(`imported before as batch ${first.batch_id} through another mapping`);
		await expectBalanced(f.db, second);
		const rows = await f.db.selectFrom('cases').select(['case_id', 'created_at']).where('case_id', 'in', ['M1', 'M2']).orderBy('case_id').execute();
		expect(rows.map((r) => new Date(r.created_at as unknown as string).toISOString())).toEqual(['2024-02-03T13:05:00.000Z', '2024-03-17T09:40:00.000Z']);
		// The same mapping again is the same import.
		const third = await f.ingest(path, { kind: 'cases', mapping: withFormat });
		expect(third.status).toBe('duplicate');
		expect(third.duplicate_of).toBe(second.batch_id);
	});

	it('reports progress through the stages in order', async () => {
		const stages: string[] = [];
		await f.ingest(await f.file('p.csv', 'case_id,created_at,status\nPR1,2024-03-01 10:00:00,open\n'), {
			kind: 'cases',
			onProgress: (p: IngestProgress) => stages.push(p.stage)
		});
		expect([...new Set(stages)]).toEqual(['checking', 'loading', 'validating', 'writing', 'done']);
	});
});

/** Makes the first raw query matching `pattern` fail after it has run, as a crash mid-batch would. */
function crashAfter(pattern: RegExp): KyselyPlugin & { fired: boolean } {
	const armed = new Set<QueryId>();
	const plugin = {
		fired: false,
		transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
			if (!plugin.fired && RawNode.is(node) && pattern.test(node.sqlFragments.join('?'))) armed.add(queryId);
			return node;
		},
		async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
			if (armed.has(queryId)) {
				armed.clear();
				plugin.fired = true;
				throw new Error(`simulated crash after ${pattern}`);
			}
			return result;
		}
	};
	return plugin;
}

describe('a batch is one transaction', () => {
	it('a crash after rows were replaced, inserted and rejected leaves the previous state and records a failed batch', async () => {
		const initial = await tableCounts(f.db);
		const before = await f.ingest(await f.file('before.csv', 'case_id,created_at,status,region,category,subject\nX1,2024-03-01 10:00:00,open,europe,x,old\nX2,oops,open,europe,x,old\n'), { kind: 'cases' });
		const counts = await tableCounts(f.db);
		expect(counts).toMatchObject({ cases: initial.cases + 1, rejected_rows: initial.rejected_rows + 1, committed_batches: initial.committed_batches + 1 });

		const path = await f.file('crash.csv', 'case_id,created_at,status,region,category,subject\nX1,2024-03-02 10:00:00,solved,europe,x,new\nX3,2024-03-02 10:00:00,open,europe,x,new\nX4,bad,open,europe,x,new\n');
		const crash = crashAfter(/INSERT INTO rejected_rows/);
		await expect(f.ingest(path, { kind: 'cases' }, f.db.withPlugin(crash))).rejects.toThrow('simulated crash');
		expect(crash.fired).toBe(true);

		// Everything written inside the batch is gone: X1 is the old version, X3 was never added.
		expect({ ...(await tableCounts(f.db)), failed_batches: 0 }).toEqual({ ...counts, failed_batches: 0 });
		const x1 = await caseById('X1');
		expect([x1.subject, x1.batch_id]).toEqual(['old', before.batch_id]);
		// The failure itself is on record for the Imports page.
		const failed = await f.db.selectFrom('import_batches').selectAll().where('status', '=', 'failed').where('file_name', 'like', '%crash.csv').execute();
		expect(failed).toHaveLength(1);
		expect((await tableCounts(f.db)).failed_batches).toBe(counts.failed_batches + 1);
		expect(failed[0].error).toContain('simulated crash');
		// No staging table outlives the rolled-back batch.
		const temps = await sql<{ n: number }>`select count(*) as n from duckdb_tables() where table_name like 'stage_%'`.execute(f.db);
		expect(temps.rows[0].n).toBe(0);

		// The audit entry written inside the batch went with it.
		const audited = async () => (await sql<{ n: number }>`select count(*) as n from audit_log where action = 'import' and target like '%crash.csv'`.execute(f.db)).rows[0].n;
		expect(await audited()).toBe(0);

		// A failed batch does not count as "already imported": the same file loads afterwards.
		const retry = await f.ingest(path, { kind: 'cases' });
		expect([retry.status, retry.accepted, retry.rejected, retry.replaced]).toEqual(['committed', 2, 1, 1]);
		expect((await caseById('X1')).subject).toBe('new');
		expect(await audited()).toBe(1);
	});
});

describe('presets', () => {
	// The Zendesk Support ticket export's own layout: unsolved tickets have "Solved at" 1900-01-01,
	// reply times come in calendar minutes and in business-hours minutes (either may be absent).
	const ZENDESK_HEADER =
		'Id,Requester id,Group,Status,Priority,Via,Created at,Solved at,Assignee,Organization,Tags,Satisfaction Score,Reopens,Replies,First reply time in minutes,First reply time in minutes within business hours,Full resolution time in minutes,Manual Tagging of Categories [list]';
	const ZENDESK_ROWS = [
		'101,9001,Billing,Solved,normal,Web form,2024-03-01 09:00:00,2024-03-01 12:00:00,Ana,Acme,refund_request vip,Good,0,2,30,20,180,Refunds',
		'102,9002,Shipping,Closed,high,Email,2024-03-02 10:00:00,1900-01-01 00:00:00,Ben,,,Bad,1,3,,90,1440,',
		'103,9003,,New,low,Voice,2024-03-03 08:00:00,1900-01-01 00:00:00,,Acme,,Offered,,0,,,,',
		'104,9004,Returns,Hold,normal,Twitter,2024-03-04 10:00:00 +0100,,Cy,Globex,,Unoffered,2,1,15,15,,',
		'105,9005,Returns,Exploded,normal,Internal Communication,2024-03-05 10:00:00,,Cy,,,,0,1,5,5,,',
		'106,9006,Returns,Open,normal,Chat,,,Cy,,,Good,0,1,5,5,,'
	];
	const zendesk = [ZENDESK_HEADER, ...ZENDESK_ROWS].join('\n') + '\n';

	it('Zendesk ticket export as cases: placeholders, business hours, unknown values kept, categories', async () => {
		// No preset named: the headers are enough to recognise the export. (Its ratings: the next test.)
		const summary = await f.ingest(await f.file('zendesk.csv', zendesk), { kind: 'cases', withFeedback: false });
		expect(summary.mapping).toBe('preset:zendesk (detected)');
		expect(summary.feedback).toBeUndefined();
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([6, 5, 1]);
		await expectBalanced(f.db, summary);
		const rows = await casesOf(summary.batch_id);
		const view = rows.map((c) => [c.case_id, c.status, c.channel, iso(c.created_at), iso(c.first_response_at), c.first_response_basis, iso(c.resolved_at), c.resolution_basis, c.region, c.category, c.team, c.agent_id, c.customer_id, c.reopen_count]);
		expect(view).toEqual([
			// Calendar minutes win over business-hours minutes; the category field over tags (never the group); Organization is not a region.
			['101', 'solved', 'web', '2024-03-01T09:00:00.000Z', '2024-03-01T09:30:00.000Z', 'calendar', '2024-03-01T12:00:00.000Z', 'calendar', 'unknown', 'Refunds', 'Billing', 'Ana', '9001', 0],
			// Only business-hours minutes: used and marked. "Solved at" 1900-01-01 is a placeholder, so the calendar resolution minutes are used.
			['102', 'closed', 'email', '2024-03-02T10:00:00.000Z', '2024-03-02T11:30:00.000Z', 'business_hours', '2024-03-03T10:00:00.000Z', 'calendar', 'unknown', 'uncategorized', 'Shipping', 'Ben', '9002', 1],
			// Unsolved: the placeholder is read as empty, so the ticket stays open (censored), not lost.
			['103', 'open', 'phone', '2024-03-03T08:00:00.000Z', null, null, null, null, 'unknown', 'uncategorized', null, null, '9003', null],
			// +0100 offset: 09:00 UTC, first reply 15 minutes later.
			['104', 'pending', 'social', '2024-03-04T09:00:00.000Z', '2024-03-04T09:15:00.000Z', 'calendar', null, null, 'unknown', 'uncategorized', 'Returns', 'Cy', '9004', 2],
			// A status and a channel outside the lists are kept as written and counted.
			['105', 'exploded', 'internal_communication', '2024-03-05T10:00:00.000Z', '2024-03-05T10:05:00.000Z', 'calendar', null, null, 'unknown', 'uncategorized', 'Returns', 'Cy', '9005', 0]
		]);
		const [rejected] = await rejectedOf(summary.batch_id);
		expect([rejected.line, rejected.raw]).toEqual([7, ZENDESK_ROWS[5]]);
		expect(rejected.reason).toMatch(/^created_at is empty \(required\)/);
		expect(summary.unknown_values).toEqual({ status: [{ value: 'exploded', count: 1 }], channel: [{ value: 'internal_communication', count: 1 }] });
		// The summary says what was derived, defaulted or emptied, and for how many accepted rows.
		expect(summary.derived.first_response_at).toMatchObject({ derived: 4, defaulted: 0 });
		// 102's placeholder was replaced by the minutes (derived); 103's left the ticket unsolved (emptied).
		expect(summary.derived.resolved_at).toMatchObject({ derived: 1, defaulted: 0, emptied: 1 });
		expect(summary.derived.region).toMatchObject({ derived: 0, defaulted: 5 });
		expect(summary.derived.first_response_at.how).toContain('First reply time in minutes within business hours" (minutes after created_at) (business hours)');
		// Speed says that one of the four reply times is a business-hours duration.
		const speed = await speedReport(f.db, { measure: 'first_response', filters: { ...parseFilters(new URLSearchParams()), batch: [summary.batch_id!] } });
		expect(speed.basis).toEqual({ calendar: 3, business_hours: 1 });
	});

	it('Zendesk ticket export: its ratings load as feedback in the same import; offered surveys only; Good -> 5, Bad -> 1, Offered -> no score', async () => {
		// The same export with CRLF line ends: another file, imported as cases as a user would.
		const cases = await f.ingest(await f.file('zendesk-crlf.csv', zendesk.replace(/\n/g, '\r\n')), { kind: 'cases' });
		const summary = cases.feedback!;
		expect([summary.kind, summary.status, summary.mapping]).toEqual(['feedback', 'committed', 'preset:zendesk']);
		expect(summary.batch_id).not.toBe(cases.batch_id);
		// Imported again as feedback on its own, the file is recognised: nothing changes.
		expect((await f.ingest(await f.file('zendesk-crlf.csv', zendesk.replace(/\n/g, '\r\n')), { kind: 'feedback' })).status).toBe('duplicate');
		// 104 (Unoffered) and 105 (blank) were never surveyed: not feedback records; 106 has no time at all.
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([6, 3, 3]);
		await expectBalanced(f.db, summary);
		const rows = await feedbackOf(summary.batch_id);
		expect(rows.map((r) => [r.feedback_id, r.case_id, r.csat, r.kind, iso(r.submitted_at), r.customer_id])).toEqual([
			['101', '101', 5, 'survey', '2024-03-01T12:00:00.000Z', '9001'],
			// Submitted at: "Solved at" is a placeholder, so the creation time.
			['102', '102', 1, 'survey', '2024-03-02T10:00:00.000Z', '9002'],
			['103', '103', null, 'survey', '2024-03-03T08:00:00.000Z', '9003']
		]);
		expect((await rejectedOf(summary.batch_id)).map((r) => r.reason)).toEqual([
			'not a feedback record: Satisfaction Score is "Unoffered" (no survey was offered for this ticket)',
			'not a feedback record: Satisfaction Score is empty (no survey was offered for this ticket)',
			'submitted_at is empty (required)'
		]);
	});

	it('Zendesk JSON ticket export: nested fields read by path, unsolved tickets open, business hours marked, offered surveys only', async () => {
		// The shape of Zendesk's JSON ticket export (one ticket per line; nested via, satisfaction_rating, metric_set).
		const tickets = [
			{ id: 501, via: { channel: 'web', source: { rel: null } }, created_at: '2024-03-01T09:00:00Z', updated_at: '2024-03-01T12:00:00Z', type: 'problem', subject: 'Refund', status: 'solved', requester_id: 9001, assignee_id: 77, group_id: 5, tags: ['refund_request', 'vip'], satisfaction_rating: { score: 'good', comment: 'Quick, thanks' }, ticket_form_id: 1, metric_set: { reopens: 0, replies: 2, solved_at: '2024-03-01T12:00:00Z', reply_time_in_minutes: { calendar: 30, business: 20 }, full_resolution_time_in_minutes: { calendar: 180, business: 120 } } },
			{ id: 502, via: { channel: 'email' }, created_at: '2024-03-02T10:00:00Z', updated_at: '2024-03-02T10:00:00Z', type: null, subject: 'Where is my parcel', status: 'open', requester_id: 9002, assignee_id: null, group_id: 5, tags: ['shipping'], satisfaction_rating: { score: 'unoffered' }, ticket_form_id: 1, metric_set: { reopens: 1, replies: 1, solved_at: null, reply_time_in_minutes: { calendar: null, business: 90 }, full_resolution_time_in_minutes: { calendar: null, business: null } } },
			{ id: 503, via: { channel: 'sample_ticket' }, created_at: '2024-03-03T08:00:00Z', updated_at: '2024-03-03T08:00:00Z', type: null, subject: 'Hello', status: 'pending', requester_id: 9003, assignee_id: 78, group_id: 6, tags: [], satisfaction_rating: { score: 'offered' }, ticket_form_id: 1, metric_set: { reopens: 0, replies: 0, solved_at: null, reply_time_in_minutes: { calendar: null, business: null }, full_resolution_time_in_minutes: { calendar: null, business: null } } }
		];
		const path = await f.file('tickets.json', tickets.map((t) => JSON.stringify(t)).join('\n') + '\n');
		const summary = await f.ingest(path, { kind: 'cases' });
		expect([summary.mapping, summary.rows_read, summary.accepted, summary.rejected]).toEqual(['preset:zendesk_json (detected)', 3, 3, 0]);
		const rows = await casesOf(summary.batch_id);
		expect(rows.map((c) => [c.case_id, c.status, c.channel, iso(c.first_response_at), c.first_response_basis, iso(c.resolved_at), c.category, c.agent_id, c.team, c.customer_id, c.reopen_count])).toEqual([
			['501', 'solved', 'web', '2024-03-01T09:30:00.000Z', 'calendar', '2024-03-01T12:00:00.000Z', 'problem', '77', '5', '9001', 0],
			['502', 'open', 'email', '2024-03-02T11:30:00.000Z', 'business_hours', null, 'shipping', null, '5', '9002', 1],
			['503', 'pending', 'sample_ticket', null, null, null, 'uncategorized', '78', '6', '9003', 0]
		]);
		expect(summary.unknown_values).toEqual({ channel: [{ value: 'sample_ticket', count: 1 }] });
		// The ratings came in the same import.
		const feedback = summary.feedback!;
		expect([feedback.kind, feedback.accepted, feedback.rejected]).toEqual(['feedback', 2, 1]);
		expect((await feedbackOf(feedback.batch_id)).map((r) => [r.feedback_id, r.csat, r.comment, iso(r.submitted_at)])).toEqual([
			['501', 5, 'Quick, thanks', '2024-03-01T12:00:00.000Z'],
			['503', null, null, '2024-03-03T08:00:00.000Z']
		]);
	});

	it('a report that repeats a ticket per value of a list: one case, the differing values joined, the repeats counted as merged', async () => {
		const text = ['Ticket ID,Ticket created - Timestamp,Ticket status,Ticket group,Ticket subject', 'E1,2025-10-01T00:05:28,Solved,Billing,Refund', 'E1,2025-10-01T00:05:28,Solved,Accounts,Refund', 'E2,2025-10-02T09:00:00,Open,Billing,Login', 'E1,2025-10-01T00:05:28,Solved,Billing,Refund'].join('\n') + '\n';
		const summary = await f.ingest(await f.file('explore-fanout.csv', text), { kind: 'cases', preset: 'zendesk_explore' });
		expect([summary.rows_read, summary.accepted, summary.rejected, summary.merged]).toEqual([4, 4, 0, 2]);
		const rows = await casesOf(summary.batch_id);
		expect(rows.map((c) => [c.case_id, c.team, c.subject, c.status])).toEqual([
			['E1', 'Accounts; Billing', 'Refund', 'solved'],
			['E2', 'Billing', 'Login', 'open']
		]);
	});

	it('Zendesk export with a country column: the region comes from the country table, not the code', async () => {
		const text = 'Id,Created at,Status,Via,Country\nZ1,2024-03-01 10:00:00,open,email,DE\nZ2,2024-03-01 10:00:00,open,email,br\nZ3,2024-03-01 10:00:00,open,email,\n';
		const summary = await f.ingest(await f.file('zendesk-country.csv', text), { kind: 'cases', preset: 'zendesk' });
		const rows = await casesOf(summary.batch_id);
		const regions = countryRegions.regions as Record<string, string>;
		expect(rows.map((c) => [c.case_id, c.country, c.region])).toEqual([
			['Z1', 'DE', regions.DE],
			['Z2', 'br', regions.BR],
			['Z3', null, 'unknown']
		]);
		expect(summary.derived.region).toMatchObject({ derived: 2, defaulted: 1 });
	});

	it('Zendesk export with custom fields named with their type: "Region [list]" is the region, "Country [text]" the country', async () => {
		const text = 'Id,Created at,Status,Via,Region [list],Country [text]\nZL1,2024-03-01 10:00:00,open,email,south_asia,IN\nZL2,2024-03-01 10:00:00,open,email,,Germany\n';
		const summary = await f.ingest(await f.file('zendesk-custom-fields.csv', text), { kind: 'cases', preset: 'zendesk' });
		const regions = countryRegions.regions as Record<string, string>;
		expect((await casesOf(summary.batch_id)).map((c) => [c.case_id, c.country, c.region])).toEqual([
			['ZL1', 'IN', 'south_asia'],
			['ZL2', 'Germany', regions.DE]
		]);
	});

	const FRESHDESK_HEADER = 'Ticket ID,Subject,Status,Priority,Source,Type,Agent,Group,Created time,Resolved time,Closed time,Initial response time,First response time (in hrs),Resolution time (in hrs),Tags,Survey results';
	const FRESHDESK_ROWS = [
		'201,"Where is my order, again?",Resolved,Medium,Portal,Delivery,Chloe,Support,2024-03-01 09:00:00,2024-03-01 15:00:00,,2024-03-01 09:45:00,0.75,6,late,Extremely satisfied',
		'202,Broken item,Closed,High,Email,,Dan,Returns,2024-03-02 10:00:00,,2024-03-04 10:00:00,,02:30,48,defect urgent,Dissatisfied',
		'203,Question,Waiting on Customer,Low,Chat,Question,,,2024-03-03 08:00:00,,,,,3.5,,',
		'204,Call me,Open,Low,Phone,,,,2024-03-04 08:00:00,,,,1.5,,,Neutral'
	];
	const freshdesk = [FRESHDESK_HEADER, ...FRESHDESK_ROWS].join('\r\n') + '\r\n';

	it('Freshdesk ticket export as cases: statuses, sources, response times in hours', async () => {
		const summary = await f.ingest(await f.file('freshdesk.csv', freshdesk), { kind: 'cases' });
		expect(summary.mapping).toBe('preset:freshdesk (detected)');
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([4, 4, 0]);
		await expectBalanced(f.db, summary);
		const rows = await casesOf(summary.batch_id);
		expect(rows.map((c) => [c.case_id, c.status, c.channel, iso(c.first_response_at), iso(c.resolved_at), c.category, c.agent_id, c.team, c.subject])).toEqual([
			// Initial response and resolved time are timestamps in the file.
			['201', 'solved', 'web', '2024-03-01T09:45:00.000Z', '2024-03-01T15:00:00.000Z', 'Delivery', 'Chloe', 'Support', 'Where is my order, again?'],
			// No resolved time: the closed time; first response from "02:30" hours.
			['202', 'closed', 'email', '2024-03-02T12:30:00.000Z', '2024-03-04T10:00:00.000Z', 'defect', 'Dan', 'Returns', 'Broken item'],
			// Resolution derived from 3.5 hours.
			['203', 'pending', 'chat', null, '2024-03-03T11:30:00.000Z', 'Question', null, null, 'Question'],
			['204', 'open', 'phone', '2024-03-04T09:30:00.000Z', null, 'uncategorized', null, null, 'Call me']
		]);
		expect(summary.derived.first_response_at).toMatchObject({ derived: 2 });
		expect(summary.derived.resolved_at).toMatchObject({ derived: 1 });
		expect(summary.derived.category).toMatchObject({ defaulted: 1 });
		expect(summary.derived.region).toMatchObject({ defaulted: 4 });
	});

	it('Freshdesk export from a US account: dates written month first are read month first, and said', async () => {
		// Freshdesk writes dates in the account's format; the preset assumes day first.
		const us = [
			FRESHDESK_HEADER,
			'301,Late parcel,Resolved,Medium,Email,Delivery,Chloe,Support,02/07/2024 10:42,02/07/2024 16:00,,02/07/2024 11:12,0.5,5.3,,',
			'302,Refund,Closed,High,Email,Refund,Dan,Returns,02/13/2024 09:00,,02/14/2024 09:00,,1,24,,'
		].join('\r\n');
		const summary = await f.ingest(await f.file('freshdesk-us.csv', us), { kind: 'cases' });
		expect(summary.mapping).toBe('preset:freshdesk (detected)');
		expect([summary.accepted, summary.rejected]).toEqual([2, 0]);
		const rows = await casesOf(summary.batch_id);
		expect(rows.map((c) => [c.case_id, iso(c.created_at), iso(c.first_response_at), iso(c.resolved_at)])).toEqual([
			['301', '2024-02-07T10:42:00.000Z', '2024-02-07T11:12:00.000Z', '2024-02-07T16:00:00.000Z'],
			['302', '2024-02-13T09:00:00.000Z', '2024-02-13T10:00:00.000Z', '2024-02-14T09:00:00.000Z']
		]);
		expect(summary.warnings.join(' ')).toContain('created_at: the preset reads dates day first, but this file writes them month first ("02/13/2024 09:00" can only be read month first');
		// A day-first Freshdesk file keeps the preset's order without a note.
		const eu = [FRESHDESK_HEADER, '303,Late parcel,Resolved,Medium,Email,Delivery,Chloe,Support,13/02/2024 10:42,13/02/2024 16:00,,,,,,', '304,Late,Open,Low,Email,,,,02/03/2024 09:00,,,,,,,'].join('\r\n');
		const euSummary = await f.ingest(await f.file('freshdesk-eu.csv', eu), { kind: 'cases' });
		expect(euSummary.warnings.join(' ')).not.toContain('the preset reads dates');
		expect((await casesOf(euSummary.batch_id)).map((c) => iso(c.created_at))).toEqual(['2024-02-13T10:42:00.000Z', '2024-03-02T09:00:00.000Z']);
	});

	it('one column that settles the order of numeric dates settles it for the others of the file', async () => {
		// resolved_at alone is ambiguous (every day is 12 or less); created_at has a 25th.
		const text = 'case_id,created_at,resolved_at,status,region,category\nP1,25/01/2025 15:00,03/02/2025 10:00,solved,europe,x\nP2,08/01/2025 09:30,09/01/2025 11:00,solved,europe,x\n';
		const summary = await f.ingest(await f.file('partial.csv', text), { kind: 'cases' });
		expect([summary.accepted, summary.rejected]).toEqual([2, 0]);
		expect(iso((await caseById('P1')).resolved_at)).toBe('2025-02-03T10:00:00.000Z');
		expect(summary.warnings.join(' ')).toContain('resolved_at: dates like "03/02/2025 10:00" are read day first (like created_at, where "25/01/2025 15:00" can only be read day first');
	});

	it('Freshdesk ticket export as feedback: survey results on a 1-5 scale; a ticket without one is not a record', async () => {
		const summary = await f.ingest(await f.file('freshdesk.csv', freshdesk), { kind: 'feedback', preset: 'freshdesk' });
		// The cases test above already loaded them from the same file, in the same import.
		expect(summary.status).toBe('duplicate');
		expect((await f.db.selectFrom('import_batches').select('kind').where('batch_id', '=', summary.duplicate_of!).executeTakeFirstOrThrow()).kind).toBe('feedback');
		const first = (await f.db.selectFrom('import_batches').selectAll().where('batch_id', '=', summary.duplicate_of!).executeTakeFirstOrThrow());
		expect([first.rows_read, first.accepted, first.rejected]).toEqual([4, 3, 1]);
		const rows = await feedbackOf(summary.duplicate_of);
		expect(rows.map((r) => [r.feedback_id, r.csat, iso(r.submitted_at)])).toEqual([
			['201', 5, '2024-03-01T15:00:00.000Z'],
			['202', 2, '2024-03-04T10:00:00.000Z'],
			['204', 3, '2024-03-04T08:00:00.000Z']
		]);
	});
});

describe('reference tables', () => {
	it('derives region from country through the country table when the region is empty', async () => {
		const text = ['case_id,created_at,status,region,country,category', 'G1,2024-03-01 10:00:00,open,,de,x', 'G2,2024-03-01 10:00:00,open,,BR,x', 'G3,2024-03-01 10:00:00,open,,ZZ,x', 'G4,2024-03-01 10:00:00,open,head_office,US,x'].join('\n');
		const summary = await f.ingest(await f.file('countries.csv', text), { kind: 'cases' });
		const regions = countryRegions.regions as Record<string, string>;
		// Sanity: the table has the countries used here, and they are in different regions.
		expect(new Set([regions.DE, regions.BR]).size).toBe(2);
		expect(regions.ZZ).toBeUndefined();
		const rows = await casesOf(summary.batch_id);
		expect(rows.map((c) => [c.case_id, c.region])).toEqual([
			['G1', regions.DE],
			['G2', regions.BR],
			['G3', 'unknown'],
			['G4', 'head_office']
		]);
		expect(summary.derived.region).toMatchObject({ derived: 2, defaulted: 1 });
	});

	it('derives region from a country written as a name, in English or the country\'s own language, with or without accents', async () => {
		const names = ['Germany', 'united states', 'United States of America', 'Brasil', 'Deutschland', 'México', 'Mexico', 'Côte d’Ivoire', 'Turkey', 'Atlantis'];
		const text = ['case_id,created_at,status,region,country,category', ...names.map((n, i) => `N${i},2024-03-01 10:00:00,open,,${n},x`)].join('\n');
		const summary = await f.ingest(await f.file('country-names.csv', text), { kind: 'cases' });
		const regions = countryRegions.regions as Record<string, string>;
		const rows = await casesOf(summary.batch_id);
		expect(rows.map((c) => c.region)).toEqual([regions.DE, regions.US, regions.US, regions.BR, regions.DE, regions.MX, regions.MX, regions.CI, regions.TR, 'unknown']);
		// The country is kept as written.
		expect(rows.map((c) => c.country)).toEqual(names);
		expect(summary.derived.region).toMatchObject({ derived: 9, defaulted: 1 });
	});

	it('counts derived and defaulted values for a mapping with a fallback and a default on every column', async () => {
		// 24 columns of three possible origins each: more combinations than one row can carry as a
		// number, so the counts come from a second read of the file.
		const sample: Record<string, string> = { timestamp: '2024-03-02 10:00:00', date: '2024-01-01', decimal: '1.5', integer: '2', boolean: 'true', text: 'x' };
		const columns = CASE_COLUMNS.filter((c) => c.name !== 'case_id' && c.name !== 'created_at');
		const valueOf = (c: (typeof CASE_COLUMNS)[number]) => (c.values ? c.values[0] : sample[c.type]);
		const mapping: ColumnMapping = { name: 'fallbacks everywhere', columns: { case_id: 'case_id', created_at: 'created_at' } };
		for (const c of columns) mapping.columns[c.name] = { from: c.name, otherwise: { from: `${c.name}_alt` }, default: valueOf(c) };
		const header = ['case_id', 'created_at', ...columns.flatMap((c) => [c.name, `${c.name}_alt`])];
		const row = (id: string, use: 'main' | 'alt' | 'none') => [id, '2024-03-01 10:00:00', ...columns.flatMap((c) => [use === 'main' ? valueOf(c) : '', use === 'alt' ? valueOf(c) : ''])];
		const rows = [row('FB1', 'main'), row('FB2', 'alt'), row('FB3', 'none'), row('FB4', 'alt'), ['FB5', 'bad', ...row('', 'none').slice(2)]];
		const summary = await f.ingest(await f.file('fallbacks.csv', [header, ...rows].map((r) => r.join(',')).join('\n') + '\n'), { kind: 'cases', mapping });
		expect([summary.accepted, summary.rejected]).toEqual([4, 1]);
		for (const c of columns) expect([c.name, summary.derived[c.name]]).toEqual([c.name, expect.objectContaining({ derived: 2, defaulted: 1 })]);
		const stored = await caseById('FB2');
		expect([stored.status, stored.subject, Number(stored.order_value)]).toEqual(['open', 'x', 1.5]);
	});

	it('converts order values to the reporting currency with the configured rates', async () => {
		const rates = currencyRates.rates as Record<string, number>;
		const orders: [string, string, string][] = [
			['O1', '100.00', 'EUR'],
			['O2', '250.00', 'BRL'],
			['O3', '12345', 'JPY'],
			['O4', '12.34', 'usd'],
			['O5', '5.00', 'XYZ'],
			['O6', '', 'EUR']
		];
		const text = ['case_id,created_at,status,order_value,currency', ...orders.map(([id, v, c]) => `${id},2024-03-01 10:00:00,open,${v},${c}`)].join('\n');
		const summary = await f.ingest(await f.file('orders.csv', text), { kind: 'cases' });
		expect(summary.accepted).toBe(6);
		const rows = await casesOf(summary.batch_id);
		// Expected values computed in cents from the config, so the test follows the rates file.
		const convert = (value: string, currency: string) => {
			const rate = rates[currency.toUpperCase()];
			return value === '' || rate === undefined ? null : Math.round(Number(value) * rate * 100) / 100;
		};
		expect(rows.map((c) => [c.case_id, c.order_value, c.currency, c.order_value_reporting])).toEqual(
			orders.map(([id, v, c]) => [id, v === '' ? null : Number(v), c, convert(v, c)])
		);
		expect(rows.find((c) => c.case_id === 'O1')?.order_value_reporting).toBe(Math.round(100 * rates.EUR * 100) / 100);
		expect(summary.warnings.join(' ')).toMatch(/1 rows have currency "XYZ" with no exchange rate/);
	});
});
