import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/core/db/database.server';
import { holdDatabase, type LockHolder } from '../helpers/lock-holder';
import {
	expectIngestError,
	ingestFixture,
	MiB,
	tableCounts,
	type IngestFixture,
	type TableCounts
} from '../helpers/ingest-fixture';

/**
 * Issue 2, part 10: every bad input gets an IngestError whose code and message name the problem,
 * and nothing is half-written. The database already holds a good batch, so "nothing written" is
 * checked against real prior state, not just against zero.
 */
let f: IngestFixture;
let before: TableCounts;
let caseIdsBefore: string[];

const GOOD = 'case_id,created_at,status,region,category\nG1,2024-03-01 10:00:00,open,europe,refund_request\nG2,2024-03-02 11:00:00,solved,latam,defect\n';

async function caseIds(): Promise<string[]> {
	return (await f.db.selectFrom('cases').select('case_id').orderBy('case_id').execute()).map((c) => c.case_id);
}

beforeAll(async () => {
	f = await ingestFixture();
	const good = await f.ingest(await f.file('good.csv', GOOD), { kind: 'cases' });
	expect(good.accepted).toBe(2);
});
afterAll(async () => {
	await f?.dispose();
});
beforeEach(async () => {
	before = await tableCounts(f.db);
	caseIdsBefore = await caseIds();
});

/** Nothing was written: the data tables are as before; at most a failed batch row was added. */
async function expectNothingWritten(): Promise<void> {
	const after = await tableCounts(f.db);
	expect({ ...after, failed_batches: 0 }).toEqual({ ...before, failed_batches: 0 });
	expect(await caseIds()).toEqual(caseIdsBefore);
	expect(caseIdsBefore).toContain('G1');
}

describe('files that are not importable', () => {
	it('0-byte file: empty_file', async () => {
		const path = await f.file('empty.csv', '');
		await expectIngestError(f.ingest(path, { kind: 'cases' }), 'empty_file', '0 bytes');
		await expectNothingWritten();
	});

	it('header only: header_only, and the failure is recorded as a failed batch', async () => {
		const path = await f.file('header.csv', 'case_id,created_at,status,region,category\r\n');
		await expectIngestError(f.ingest(path, { kind: 'cases' }), 'header_only', 'header', 'no data rows');
		await expectNothingWritten();
		const failed = await f.db.selectFrom('import_batches').selectAll().where('status', '=', 'failed').orderBy('batch_id', 'desc').execute();
		expect(failed).toHaveLength(before.failed_batches + 1);
		expect(failed[0].file_name).toMatch(/header\.csv$/);
		expect(failed[0].error).toContain('no data rows');
	});

	it('a file of 20,000 columns: too_many_columns at once, not a memory failure after a minute', async () => {
		const header = ['case_id', 'created_at', 'status', 'region', 'category', ...Array.from({ length: 20_000 }, (_, i) => `extra_${i}`)];
		const path = await f.file('wide.csv', `${header.join(',')}\nW1,2024-03-01 10:00:00,open,europe,x${',1'.repeat(20_000)}\n`);
		await expectIngestError(f.ingest(path, { kind: 'cases' }), 'too_many_columns', '20,005 columns', 'up to 2,000');
		await expectNothingWritten();
	});

	it('CRLF and LF line ends mixed in one file: every record is read', async () => {
		const path = await f.file('mixed.csv', 'case_id,created_at,status,region,category,subject\r\nM1,2024-03-01 10:00:00,open,europe,x,a\nM2,2024-03-01 10:00:00,open,europe,x,"two\r\nlines"\r\nM3,2024-03-01 10:00:00,open,europe,x,c\n');
		const summary = await f.ingest(path, { kind: 'cases' });
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([3, 3, 0]);
		const rows = await f.db.selectFrom('cases').select(['case_id', 'subject']).where('batch_id', '=', summary.batch_id!).orderBy('case_id').execute();
		// Only record ends change; a line break inside a quoted value stays as written.
		expect(rows.map((r) => [r.case_id, r.subject])).toEqual([
			['M1', 'a'],
			['M2', 'two\r\nlines'],
			['M3', 'c']
		]);
	});

	it('empty JSON array: empty_file', async () => {
		const path = await f.file('none.json', '[]\n');
		await expectIngestError(f.ingest(path, { kind: 'cases' }), 'empty_file');
		await expectNothingWritten();
	});

	it('a feedback file imported as cases: wrong_kind, telling the user to use --kind feedback', async () => {
		const path = await f.file('feedback.csv', 'feedback_id,submitted_at,csat,comment\nF1,2024-03-01 10:00:00,5,great\n');
		await expectIngestError(f.ingest(path, { kind: 'cases' }), 'wrong_kind', 'feedback', '--kind feedback');
		await expectNothingWritten();
	});

	it('a cases file imported as feedback: wrong_kind the other way round', async () => {
		const path = await f.file('cases.csv', GOOD.replaceAll('G', 'H'));
		await expectIngestError(f.ingest(path, { kind: 'feedback' }), 'wrong_kind', '--kind cases');
		await expectNothingWritten();
	});

	it("Excel's delimiter line (sep=;) before the header: named, with the fix, nothing written", async () => {
		const path = await f.file('sep-hint.csv', 'sep=;\r\ncase_id;created_at;status;region;category\r\nS1;2024-03-01 10:00:00;open;europe;x\r\n');
		const error = await expectIngestError(f.ingest(path, { kind: 'cases' }), 'malformed_file', 'delimiter line "sep=;"', 'the header must be the first line');
		expect(error.hint).toContain('Delete that first line');
		await expectNothingWritten();
	});

	it('missing required column: names the column and the closest header', async () => {
		// "create_at" is a typo of "created_at"; the message must point at it.
		const path = await f.file('typo.csv', 'case_id,create_at,status,region,category\nT1,2024-03-01 10:00:00,open,europe,x\n');
		const error = await expectIngestError(f.ingest(path, { kind: 'cases' }), 'missing_column', '"created_at"', '"create_at"');
		expect(error.message).toMatch(/closest header.*"create_at"/);
		await expectNothingWritten();
	});

	it('a preset on a file with Caselens\' own names: the hint points at the canonical preset, not "rename created_at to created_at"', async () => {
		const path = await f.file('own-names.csv', 'number,created_at,state,short_description\nINC1,2024-03-01 10:00:00,New,Printer\n');
		const error = await expectIngestError(f.ingest(path, { kind: 'cases', preset: 'servicenow' }), 'missing_column', '"created_at"', '(looked for "opened_at")');
		expect(error.hint).toContain('canonical preset');
		expect(error.hint).not.toContain('Rename "created_at" to "created_at"');
		// A look-alike of the preset's own header is to be renamed to that header.
		const typo = await f.file('typo-sn.csv', 'number,opend_at,state,short_description\nINC1,2024-03-01 10:00:00,New,Printer\n');
		const near = await expectIngestError(f.ingest(typo, { kind: 'cases', preset: 'servicenow' }), 'missing_column', '"opend_at"');
		expect(near.hint).toContain('Rename "opend_at" to "opened_at"');
		await expectNothingWritten();
	});

	it('missing required column with no look-alike: names the column and lists the headers', async () => {
		const path = await f.file('nostatus.csv', 'case_id,created_at,region,category\nT1,2024-03-01 10:00:00,europe,x\n');
		const error = await expectIngestError(f.ingest(path, { kind: 'cases' }), 'missing_column', '"status"');
		expect(error.hint).toContain('"case_id", "created_at", "region", "category"');
		await expectNothingWritten();
	});

	it('a mapping that reads a header the file lacks: bad_mapping naming the header and the closest one', async () => {
		const path = await f.file('mapped.csv', 'Ticket,Opened,State,Subject\nM1,2024-03-01 10:00:00,open,hello\n');
		const mapping = { name: 'my-map', kind: 'cases' as const, columns: { case_id: 'Ticket', created_at: 'Opened', status: 'State', subject: 'Subjet' } };
		// Mappings are strict (not lenient like presets): a misspelt optional header is an error, not silence.
		await expectIngestError(f.ingest(path, { kind: 'cases', mapping }), 'bad_mapping', '"Subjet"', 'my-map', 'subject', 'closest: "Subject"');
		await expectNothingWritten();
	});

	it('a mapping whose date format DuckDB cannot parse: bad_mapping, not a raw SQL error', async () => {
		const path = await f.file('fmt.csv', 'Ticket,Opened,State\nM1,01/03/2024,open\n');
		const mapping = { name: 'bad-format', columns: { case_id: 'Ticket', created_at: { from: 'Opened', format: '%d/%m/%Q' }, status: 'State' } };
		await expectIngestError(f.ingest(path, { kind: 'cases', mapping }), 'bad_mapping', '%Q');
		await expectNothingWritten();
	});

	it('a binary file: binary_file', async () => {
		const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.alloc(200, 7)]);
		const path = await f.file('export.csv', png);
		await expectIngestError(f.ingest(path, { kind: 'cases' }), 'binary_file');
		await expectNothingWritten();
	});

	it('a single line longer than maxLineBytes: line_too_long', async () => {
		const long = 'x'.repeat(300 * 1024);
		const path = await f.file('long.csv', `case_id,created_at,status,subject\nL1,2024-03-01 10:00:00,open,${long}\n`);
		const error = await expectIngestError(f.ingest(path, { kind: 'cases', maxLineBytes: 64 * 1024 }), 'line_too_long');
		expect(`${error.message} ${error.hint}`).toMatch(/line/i);
		await expectNothingWritten();
		// The same file passes with a limit above the line's length: the limit, not the content, refused it.
		const ok = await f.ingest(path, { kind: 'cases', maxLineBytes: MiB });
		expect(ok.accepted).toBe(1);
	});

	it('invalid UTF-8 when UTF-8 is forced: invalid_encoding naming where', async () => {
		const bytes = Buffer.concat([Buffer.from('case_id,created_at,status,subject\nU1,2024-03-01 10:00:00,open,caf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')]);
		const path = await f.file('latin.csv', bytes);
		const error = await expectIngestError(f.ingest(path, { kind: 'cases', encoding: 'utf-8' }), 'invalid_encoding');
		expect(`${error.message} ${error.hint}`).toMatch(/UTF-8/);
		expect(`${error.message} ${error.hint}`).toMatch(/line 2|byte \d+|offset/i);
		await expectNothingWritten();
	});

	it('a file over maxBytes: file_too_large, and the limit is named', async () => {
		const content = GOOD.replaceAll('G', 'B') + 'B3,2024-03-03 10:00:00,open,europe,x\n'.repeat(100);
		const path = await f.file('big.csv', content);
		const size = Buffer.byteLength(content).toLocaleString('en-US');
		await expectIngestError(f.ingest(path, { kind: 'cases', maxBytes: 1000 }), 'file_too_large', `${size} bytes`, 'limit', 'CASELENS_MAX_UPLOAD_MB');
		await expectNothingWritten();
	});

	it('unparseable dates reject their rows with a reason; the import itself succeeds', async () => {
		const path = await f.file('dates.csv', 'case_id,created_at,status\nD1,31/12/2024,open\nD2,yesterday,open\nD3,2024-02-30 10:00:00,open\nD4,2024-03-01 10:00:00,open\n');
		const summary = await f.ingest(path, { kind: 'cases' });
		expect([summary.rows_read, summary.accepted, summary.rejected]).toEqual([4, 1, 3]);
		const rejected = await f.db.selectFrom('rejected_rows').selectAll().where('batch_id', '=', summary.batch_id!).orderBy('line').execute();
		expect(rejected.map((r) => r.line)).toEqual([2, 3, 4]);
		for (const [row, value] of rejected.map((r, i) => [r, ['31/12/2024', 'yesterday', '2024-02-30 10:00:00'][i]] as const)) {
			expect(row.reason).toContain('created_at');
			expect(row.reason).toContain(`"${value}"`);
			expect(row.raw).toContain(value);
		}
	});
});

describe('database files that cannot be used', () => {
	let holder: LockHolder | undefined;
	afterEach(async () => {
		// Only the holder this test started; wait until it is gone.
		await holder?.stop();
		holder = undefined;
	});

	it('a database file held by another process: database_locked naming the PID', async () => {
		const path = join(f.dir, 'locked.duckdb');
		holder = await holdDatabase(path);
		const error = await expectIngestError(openDatabase(path), 'database_locked', path, `PID ${holder.pid}`);
		expect(error.hint).toMatch(/upload page|--db/);
	});

	it('a database path under a regular file: database_unwritable naming the path', async () => {
		const blocker = await f.file('not-a-folder', 'plain text');
		const path = join(blocker, 'caselens.duckdb');
		await expectIngestError(openDatabase(path), 'database_unwritable', path, 'writable');
	});

	it('a database path that is a directory: database_unwritable', async () => {
		const path = join(f.dir, 'a-folder.duckdb');
		await mkdir(path);
		await expectIngestError(openDatabase(path), 'database_unwritable', path);
	});

	it('a file that is not a DuckDB database: a clear error naming it, and the file is left alone', async () => {
		const path = await f.file('notes.duckdb', 'case_id,created_at\n1,2024-01-01\n');
		const error = await expectIngestError(openDatabase(path), 'database_unwritable', path);
		expect(error.message).toMatch(/not a valid DuckDB database/);
		await writeFile(join(f.dir, 'touch'), ''); // the fixture dir is still usable
	});
});
