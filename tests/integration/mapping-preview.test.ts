import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ColumnMapping } from '../../src/lib/imports/column-mapping';
import { parseMappingJson } from '../../src/lib/imports/mapping-draft';
import { previewMapping, previewParams, type PreviewOptions } from '../../src/lib/imports/preview-mapping.server';
import { EXTERNAL_DIR } from '../helpers/external-data';
import { expectIngestError, ingestFixture, MiB, tableCounts, type IngestFixture } from '../helpers/ingest-fixture';

let fx: IngestFixture;

beforeAll(async () => {
	fx = await ingestFixture();
});

afterAll(async () => {
	await fx.dispose();
});

const preview = (path: string, options: Partial<PreviewOptions> & Pick<PreviewOptions, 'kind'>) => previewMapping(fx.db, { path, maxBytes: 50 * MiB, ...options });

const CSV = [
	'Ticket;Opened;Solved;State;Area;Topic;Via;Reply minutes',
	'T-1;31/01/2026 14:30;01/02/2026 09:00;Solved;europe;refund;Web Form;90',
	'T-2;not a date;;Open;europe;defect;Email;',
	'T-3;02/02/2026 08:00;01/02/2026 08:00;Solved;latam;defect;Email;0',
	'T-4;03/02/2026 10:15;;On Hold;latam;;Twitter;15',
	'T-5;04/02/2026 11:00;;on hold;;refund;Email;abc'
].join('\n');

const MAPPING: ColumnMapping = {
	name: 'helpdesk',
	kind: 'cases',
	columns: {
		case_id: 'Ticket',
		created_at: { from: 'Opened', format: '%d/%m/%Y %H:%M' },
		resolved_at: { from: 'Solved', format: '%d/%m/%Y %H:%M' },
		first_response_at: { from: 'Reply minutes', after: { column: 'created_at', unit: 'minutes' }, basis: 'business_hours', zero_is_empty: true },
		status: { from: 'State', values: { Solved: 'solved' } },
		region: { from: 'Area', default: 'unknown' },
		category: { from: 'Topic', default: 'uncategorized' },
		channel: { from: 'Via', values: { 'web form': 'web' } }
	}
};

describe('previewMapping', () => {
	test('types the rows as the import would, with reasons and notes, and writes nothing', async () => {
		const before = await tableCounts(fx.db);
		const path = await fx.file('helpdesk.csv', CSV);
		const result = await preview(path, { kind: 'cases', mapping: MAPPING });
		expect(result.mapping).toBe('mapping:helpdesk');
		expect(result.format).toBe('csv');
		expect(result.delimiter).toBe(';');
		expect(result.headers).toContain('Reply minutes');
		expect(result.lines).toEqual([2, 3, 4, 5, 6]);
		const column = (name: string) => result.columns.find((c) => c.name === name);
		expect(column('case_id')?.values).toEqual(['T-1', 'T-2', 'T-3', 'T-4', 'T-5']);
		expect(column('created_at')?.values).toEqual(['2026-01-31T14:30:00Z', null, '2026-02-02T08:00:00Z', '2026-02-03T10:15:00Z', '2026-02-04T11:00:00Z']);
		// A duration after created_at, zero meaning none; "abc" is no number, and T-2 has no created_at to count from.
		expect(column('first_response_at')?.values).toEqual(['2026-01-31T16:00:00Z', null, null, '2026-02-03T10:30:00Z', null]);
		expect(column('first_response_at')?.how).toContain('minutes after created_at');
		expect(column('status')?.values).toEqual(['solved', 'open', 'solved', 'on_hold', 'on_hold']);
		expect(column('region')?.values).toEqual(['europe', 'europe', 'latam', 'latam', 'unknown']);
		expect(column('region')?.how).toBe('from "Area", else "unknown"');
		expect(column('channel')?.values).toEqual(['web', 'email', 'email', 'twitter', 'email']);
		expect(column('country')?.how).toBe('not in the file');

		expect(result.reasons[0]).toBeNull();
		expect(result.reasons[1]).toContain('created_at: "not a date" is not a timestamp');
		expect(result.reasons[3]).toBeNull();
		expect(result.reasons[4]).toContain('first_response_at: "abc"');
		// A resolution before creation keeps the case and empties the time, as the import stores it.
		expect(column('resolved_at')?.values[2]).toBeNull();
		expect(result.notes[2]).toContain('resolved_at: before created_at');
		expect(result.reasons[2]).toBeNull();

		// Values outside the lists, with the text as written (the key for the value table).
		// Value tables match case-insensitively, so both spellings are one entry.
		expect(result.unknown.status).toEqual([{ text: 'On Hold', stored: 'on_hold', count: 2, fromDefault: false }]);
		expect(result.unknown.channel).toEqual([{ text: 'Twitter', stored: 'twitter', count: 1, fromDefault: false }]);
		expect(result.partial).toBe(false);

		expect(await tableCounts(fx.db)).toEqual(before);
		const batches = await fx.db.selectFrom('import_batches').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
		expect(Number(batches.n)).toBe(0);
	});

	test('a value added to the table is no longer unknown', async () => {
		const path = await fx.file('helpdesk.csv', CSV);
		const mapping = structuredClone(MAPPING);
		(mapping.columns.status as { values: Record<string, string> }).values['on hold'] = 'pending';
		const result = await preview(path, { kind: 'cases', mapping });
		expect(result.columns.find((c) => c.name === 'status')?.values).toEqual(['solved', 'open', 'solved', 'pending', 'pending']);
		expect(result.unknown.status).toBeUndefined();
	});

	test('an unknown value that is the column default says so', async () => {
		const path = await fx.file('nostatus.csv', 'Ticket,Opened\nA-1,2026-01-01 10:00:00\n');
		const result = await preview(path, { kind: 'cases', mapping: { name: 'd', columns: { case_id: 'Ticket', created_at: 'Opened', status: { from: 'State', default: 'unknown' } }, lenient: true } });
		expect(result.unknown.status).toEqual([{ text: 'unknown', stored: 'unknown', count: 1, fromDefault: true }]);
		expect(result.warnings.join(' ')).toContain('"State"');
	});

	test('presets and automatic detection resolve as the import does', async () => {
		const path = await fx.file('canonical.csv', 'case_id,created_at,status,region,category\nC-1,2026-03-01T10:00:00+02:00,solved,europe,refund\n');
		const auto = await preview(path, { kind: 'cases' });
		expect(auto.mapping).toBe('preset:canonical (detected)');
		expect(auto.columns.find((c) => c.name === 'created_at')?.values).toEqual(['2026-03-01T08:00:00Z']);
		await expectIngestError(preview(path, { kind: 'cases', preset: 'nosuch' }), 'bad_mapping', 'nosuch');
	});

	test('mapping errors are the import errors, with the file headers kept for the editor', async () => {
		const path = await fx.file('helpdesk.csv', CSV);
		const error = await expectIngestError(preview(path, { kind: 'cases', mapping: { name: 'x', columns: { ...MAPPING.columns, subject: 'Titel' } } }), 'bad_mapping', '"Titel"');
		expect((error as unknown as { headers: string[] }).headers).toContain('Ticket');
		await expectIngestError(preview(path, { kind: 'cases', mapping: { name: 'x', columns: { case_id: 'Ticket', created_at: 'Opened', region: 'Area', category: 'Topic' } } }), 'missing_column', 'status', 'State');
		await expectIngestError(preview(path, { kind: 'cases', mapping: { name: 'x', columns: { ...MAPPING.columns, created_at: { from: 'Opened', format: '%Q' } } } }), 'bad_mapping', 'date format');
		await expectIngestError(preview(path, { kind: 'cases', mapping: { name: 'x', columns: { ...MAPPING.columns, nonsense: 'Ticket' } } }), 'bad_mapping', 'nonsense');
		await expectIngestError(preview(path, { kind: 'feedback', mapping: { ...MAPPING } }), 'wrong_kind');
	});

	test('the mapping JSON and the query parameters are checked before use', async () => {
		const params = (p: Record<string, string>) => previewParams(new URLSearchParams(p), fx.db);
		await expectIngestError(params({ kind: 'cases', mapping: JSON.stringify({ columns: { case_id: { from: 5 } } }) }), 'bad_mapping', 'columns.case_id.from', 'must be text');
		await expectIngestError(params({ kind: 'cases', mapping: '{"columns": ' }), 'bad_mapping', 'not valid JSON');
		await expectIngestError(params({ kind: 'cases', mapping: JSON.stringify({ columns: { status: { from: 'S', values: { a: 1 } } } }) }), 'bad_mapping', 'values');
		await expectIngestError(params({ kind: 'cases', mapping: JSON.stringify({ columns: { resolved_at: { from: 'S', after: { column: 'created_at', unit: 'weeks' } } } }) }), 'bad_mapping', 'minutes, hours, seconds, days');
		await expectIngestError(params({ kind: 'cases', mapping: JSON.stringify({ columns: [] }) }), 'bad_mapping', '"columns"');
		await expectIngestError(params({ kind: 'things' }), 'wrong_kind');
		await expectIngestError(params({ kind: 'cases', encoding: 'ebcdic' }), 'invalid_encoding');
		await expectIngestError(params({ kind: 'cases', mapping_name: 'never-saved' }), 'bad_mapping', 'never-saved');
		const ok = await params({ kind: 'cases', mapping: JSON.stringify({ name: 'n', columns: { case_id: { from: 'Id', defualt: 'x' } }, colour: 'red' }) });
		expect(ok.mapping?.columns.case_id).toEqual({ from: 'Id' });
		expect(ok.notes.join(' ')).toContain('"columns.case_id.defualt"');
		expect(ok.notes.join(' ')).toContain('"colour"');
		expect(parseMappingJson(JSON.stringify(MAPPING)).mapping).toEqual(MAPPING);
	});

	test('a lookup is not previewed and the command line is named', async () => {
		const path = await fx.file('sf.csv', 'CaseNumber,CreatedDate,Status,AccountId\n1,2026-01-01 10:00:00,New,A1\n');
		const mapping: ColumnMapping = {
			name: 'sf',
			lookups: { accounts: { key: 'Id' } },
			columns: { case_id: 'CaseNumber', created_at: 'CreatedDate', status: { from: 'Status', values: { new: 'open' } }, country: { lookup: { table: 'accounts', key: 'AccountId', value: 'BillingCountry' } } }
		};
		const result = await preview(path, { kind: 'cases', mapping });
		expect(result.columns.find((c) => c.name === 'country')?.how).toContain('not previewed');
		expect(result.warnings.join(' ')).toContain('--lookup accounts=FILE');
		await expectIngestError(preview(path, { kind: 'cases', mapping: { ...mapping, lookups: undefined } }), 'bad_mapping', 'does not declare');
	});

	test('a file of 50,000 rows: only its head is read and 20 rows are typed', async () => {
		const lines = ['case_id,created_at,status,region,category'];
		for (let i = 0; i < 50_000; i++) lines.push(`B-${i},2026-01-01 ${String(i % 24).padStart(2, '0')}:00:00,${i === 3 ? 'waiting' : 'open'},europe,${'x'.repeat(20)}`);
		const path = await fx.file('big.csv', `${lines.join('\n')}\n`);
		expect((await stat(path)).size).toBeGreaterThan(2 * MiB);
		const before = await tableCounts(fx.db);
		const started = performance.now();
		const result = await preview(path, { kind: 'cases' });
		const elapsed = performance.now() - started;
		expect(result.partial).toBe(true);
		expect(result.lines).toHaveLength(20);
		expect(result.lines[19]).toBe(21);
		expect(result.columns.find((c) => c.name === 'case_id')?.values).toEqual(Array.from({ length: 20 }, (_, i) => `B-${i}`));
		expect(result.unknown.status).toEqual([{ text: 'waiting', stored: 'waiting', count: 1, fromDefault: false }]);
		expect(await tableCounts(fx.db)).toEqual(before);
		// Not a benchmark (the machines are shared): only a guard against reading the whole file.
		expect(elapsed).toBeLessThan(10_000);
	});

	test('a cut JSON array is closed after its last whole element; Latin-1 is read as the import reads it', async () => {
		const records = Array.from({ length: 3000 }, (_, i) => ({ case_id: `J-${i}`, created_at: '2026-01-01T10:00:00Z', status: 'open', region: 'europe', category: 'c', subject: `{"nested": "[${i}]"}` }));
		const json = await fx.file('big.json', JSON.stringify(records, null, 1));
		const result = await previewMapping(fx.db, { path: json, kind: 'cases', maxBytes: 50 * MiB, headBytes: 64 * 1024, rows: 5 });
		expect(result.partial).toBe(true);
		expect(result.format).toBe('json');
		expect(result.columns.find((c) => c.name === 'subject')?.values[2]).toBe('{"nested": "[2]"}');

		const latin = await fx.file('latin.csv', Buffer.from('case_id,created_at,status,region,category\nL-1,2026-01-01 10:00:00,open,S\xe3o Paulo,r\xe9clamation\n', 'latin1'));
		const read = await preview(latin, { kind: 'cases' });
		expect(read.encoding).toBe('latin-1');
		expect(read.columns.find((c) => c.name === 'region')?.values).toEqual(['São Paulo']);
	});

	test('mixed line ends are read as the import reads them; too many columns are refused', async () => {
		const mixed = await fx.file('mixed.csv', 'case_id,created_at,status,region,category\r\nX-1,2026-01-01 10:00:00,open,eu,c\nX-2,2026-01-02 10:00:00,open,eu,c\r\n');
		const result = await preview(mixed, { kind: 'cases' });
		expect(result.columns.find((c) => c.name === 'category')?.values).toEqual(['c', 'c']);
		expect(result.reasons).toEqual([null, null]);
		const wide = await fx.file('wide.csv', `${Array.from({ length: 2100 }, (_, i) => `h${i}`).join(',')}\n${Array.from({ length: 2100 }, () => 'x').join(',')}\n`);
		await expectIngestError(preview(wide, { kind: 'cases' }), 'too_many_columns', '2,100');
	});

	test('rows the CSV reader cannot split are listed with their line', async () => {
		const path = await fx.file('ragged.csv', 'case_id,created_at,status,region,category\nR-1,2026-01-01 10:00:00,open,eu,c\nR-2,2026-01-01,open\nR-3,2026-01-02 10:00:00,open,eu,c\n');
		const result = await preview(path, { kind: 'cases' });
		expect(result.lines).toEqual([2, 4]);
		expect(result.unreadable.map((u) => u.line)).toEqual([3]);
		expect(result.unreadable[0].reason).toContain('could not split');
	});

	test('a workbook is read whole, through the sheet the import would read', async () => {
		const path = join(EXTERNAL_DIR, 'freshdesk', 'Fresh_Desk_Tickets_December.xlsx');
		const before = await tableCounts(fx.db);
		const largest = await preview(path, { kind: 'cases', fileName: 'Fresh_Desk_Tickets_December.xlsx' });
		expect(largest.format).toBe('xlsx');
		expect(largest.mapping).toBe('preset:freshdesk (detected)');
		expect(largest.warnings.join(' ')).toContain('Sheet "Master_data_Since_Jan"');
		expect(largest.lines).toHaveLength(20);
		const dec = await preview(path, { kind: 'cases', preset: 'freshdesk', sheet: 'Master_data_Dec' });
		expect(dec.warnings.join(' ')).toContain('Sheet "Master_data_Dec"');
		expect(dec.columns.find((c) => c.name === 'created_at')?.values.every((v) => v === null || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(v))).toBe(true);
		expect(await tableCounts(fx.db)).toEqual(before);
	});
});
