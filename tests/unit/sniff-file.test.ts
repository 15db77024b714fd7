import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestError, type IngestErrorCode } from '../../src/lib/imports/ingest-error';
import {
	findInvalidUtf8,
	sha256File,
	sniffFile,
	type SniffOptions
} from '../../src/lib/imports/sniff-file.server';

const MiB = 1024 * 1024;
const FIXTURES = fileURLToPath(new URL('../fixtures/bad-input/', import.meta.url));
const OPTS: SniffOptions = { maxBytes: 100 * MiB };

let dir: string;
let n = 0;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'caselens-sniff-'));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

/** Write `content` (string = UTF-8) to a fresh file in the temp dir and return its path. */
async function file(content: string | Uint8Array, name = 'input.csv'): Promise<string> {
	const path = join(dir, `${++n}-${name}`);
	await writeFile(path, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
	return path;
}

async function sniff(content: string | Uint8Array, opts: Partial<SniffOptions> = {}, name = 'input.csv') {
	return sniffFile(await file(content, name), { ...OPTS, ...opts });
}

/** The promise rejects with an IngestError of `code` whose message + hint mention every `needle`. */
async function expectIngestError(
	promise: Promise<unknown>,
	code: IngestErrorCode,
	...needles: string[]
): Promise<IngestError> {
	let caught: unknown;
	try {
		await promise;
	} catch (err) {
		caught = err;
	}
	expect(caught, 'expected an IngestError').toBeInstanceOf(IngestError);
	const err = caught as IngestError;
	expect(err.code, `${err.message} | ${err.hint}`).toBe(code);
	expect(err.message.length).toBeGreaterThan(10);
	expect(err.hint.length).toBeGreaterThan(10);
	for (const needle of needles) expect(`${err.message} ${err.hint}`).toContain(needle);
	return err;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('CSV delimiter, header, BOM, line endings', () => {
	it('comma', async () => {
		const r = await sniff('case_id,created_at,status\nC-1,2024-01-01,open\nC-2,2024-01-02,solved\n');
		expect(r).toMatchObject({
			format: 'csv',
			encoding: 'utf-8',
			bom: false,
			delimiter: ',',
			lineEnding: 'lf',
			header: ['case_id', 'created_at', 'status']
		});
		expect(r.encodingNote).toBeUndefined();
	});

	it('semicolon, with decimal commas in the data', async () => {
		const r = await sniff('case_id;order_value;subject\nC-1;12,50;Hello, world\nC-2;3,00;x\n');
		expect(r.delimiter).toBe(';');
		expect(r.header).toEqual(['case_id', 'order_value', 'subject']);
	});

	it('tab', async () => {
		const r = await sniff('case_id\tstatus\tsubject\nC-1\topen\ta, b; c\nC-2\tsolved\td\n', {}, 'x.tsv');
		expect(r.delimiter).toBe('\t');
		expect(r.header).toEqual(['case_id', 'status', 'subject']);
	});

	it('pipe', async () => {
		const r = await sniff('case_id|status|subject\nC-1|open|a, b\nC-2|solved|c; d\n');
		expect(r.delimiter).toBe('|');
		expect(r.header).toEqual(['case_id', 'status', 'subject']);
	});

	it('a delimiter that is consistent across rows beats one that only appears in the header', async () => {
		// header splits on both ',' and ';'; only ';' gives the same field count on the data rows
		const r = await sniff('id;a,b;c\n1;x;y\n2;z;w\n3;u;v\n');
		expect(r.delimiter).toBe(';');
		expect(r.header).toEqual(['id', 'a,b', 'c']);
	});

	it('ties prefer comma', async () => {
		const r = await sniff('a,b;c\n');
		expect(r.delimiter).toBe(',');
	});

	it('UTF-8 BOM + CRLF: BOM stripped from the header, reported', async () => {
		const r = await sniff('\uFEFFcase_id,status\r\nC-1,open\r\nC-2,solved\r\n');
		expect(r).toMatchObject({ bom: true, lineEnding: 'crlf', delimiter: ',', header: ['case_id', 'status'] });
		expect(r.header?.[0].charCodeAt(0)).toBe('c'.charCodeAt(0));
	});

	it('old Mac CR line endings', async () => {
		const r = await sniff('case_id,status\rC-1,open\rC-2,solved\r');
		expect(r).toMatchObject({ lineEnding: 'cr', delimiter: ',', header: ['case_id', 'status'] });
	});

	it('quoted newline in the first data row', async () => {
		const r = await sniff(
			'case_id;subject;status\n"C-1";"line one\nline two; with a semicolon";open\nC-2;plain;solved\nC-3;x;open\n'
		);
		expect(r.delimiter).toBe(';');
		expect(r.header).toEqual(['case_id', 'subject', 'status']);
	});

	it('quoted header with a comma and an escaped quote inside', async () => {
		const r = await sniff('"case_id","subject, full","the ""team""" ,status\nC-1,"a, b",t,open\n');
		expect(r.delimiter).toBe(',');
		expect(r.header).toEqual(['case_id', 'subject, full', 'the "team"', 'status']);
	});

	it('header fields are trimmed', async () => {
		const r = await sniff(' case_id , status \n1,2\n');
		expect(r.header).toEqual(['case_id', 'status']);
	});

	it('header-only CSV is fine here', async () => {
		const r = await sniff('case_id,created_at,status\n');
		expect(r).toMatchObject({ format: 'csv', delimiter: ',', header: ['case_id', 'created_at', 'status'] });
	});

	it('single-column file defaults to comma', async () => {
		const r = await sniff('case_id\nC-1\nC-2\n');
		expect(r).toMatchObject({ format: 'csv', delimiter: ',', header: ['case_id'] });
	});

	it('leading blank lines are skipped for the header', async () => {
		const r = await sniff('\n\ncase_id;status\nC-1;open\n');
		expect(r).toMatchObject({ delimiter: ';', header: ['case_id', 'status'] });
	});

	it('SQL-style [bracketed] header is CSV, not JSON', async () => {
		const r = await sniff('[case_id],[status]\nC-1,open\n');
		expect(r).toMatchObject({ format: 'csv', delimiter: ',', header: ['[case_id]', '[status]'] });
	});

	it('a header whose quote never closes', async () => {
		await expectIngestError(sniff('"case_id,status\nC-1,open\n'), 'malformed_file', 'never closed', 'offset 0');
	});

	it('UTF-8 header text is decoded', async () => {
		const r = await sniff('número;categoría\n1;x\n');
		expect(r.header).toEqual(['número', 'categoría']);
	});
});

describe('JSON and NDJSON', () => {
	it('JSON array: keys of the first object (pretty-printed, nested values)', async () => {
		const rows = [
			{ case_id: 'C-1', meta: { tags: ['a', '}'], note: 'brace } and "quote"' }, status: 'open' },
			{ case_id: 'C-2', status: 'solved' }
		];
		const r = await sniff(JSON.stringify(rows, null, 2), {}, 'cases.json');
		expect(r).toMatchObject({ format: 'json', encoding: 'utf-8', header: ['case_id', 'meta', 'status'] });
		expect(r.delimiter).toBeUndefined();
	});

	it('JSON array with a BOM and leading whitespace', async () => {
		const r = await sniff('\uFEFF\n  [ {"a": 1, "b": 2} ]', {}, 'x.json');
		expect(r).toMatchObject({ format: 'json', bom: true, header: ['a', 'b'] });
	});

	it('empty JSON array', async () => {
		const r = await sniff('[]', {}, 'x.json');
		expect(r).toMatchObject({ format: 'json', header: [] });
	});

	it('JSON array of non-objects', async () => {
		await expectIngestError(sniff('[1, 2, 3]', {}, 'x.json'), 'malformed_file', 'does not hold objects');
	});

	it('minified JSON array on one line longer than the line limit is fine', async () => {
		const row = JSON.stringify({ case_id: 'C-00000001', status: 'solved', subject: 'x'.repeat(100) });
		const body = '[' + Array.from({ length: 30_000 }, () => row).join(',') + ']';
		expect(body.length).toBeGreaterThan(3 * MiB);
		const r = await sniff(body, {}, 'big.json');
		expect(r).toMatchObject({ format: 'json', header: ['case_id', 'status', 'subject'] });
		expect(r.sizeBytes).toBe(Buffer.byteLength(body));
	});

	it('NDJSON: keys of the first line', async () => {
		const r = await sniff('{"feedback_id":"F-1","csat":5}\n{"feedback_id":"F-2","csat":3,"comment":"ok"}\n', {}, 'f.ndjson');
		expect(r).toMatchObject({ format: 'ndjson', lineEnding: 'lf', header: ['feedback_id', 'csat'] });
	});

	it('NDJSON with CRLF', async () => {
		const r = await sniff('{"a":1,"b":2}\r\n{"a":2}\r\n', {}, 'f.jsonl');
		expect(r).toMatchObject({ format: 'ndjson', lineEnding: 'crlf', header: ['a', 'b'] });
	});

	it('content wins over the extension', async () => {
		expect((await sniff('{"a":1}\n', {}, 'export.csv')).format).toBe('ndjson');
		expect((await sniff('a,b\n1,2\n', {}, 'export.json')).format).toBe('csv');
	});

	it('one JSON object wrapping the records is refused (committed fixture)', async () => {
		await expectIngestError(
			sniffFile(join(FIXTURES, 'wrapped-object.json'), OPTS),
			'malformed_file',
			'neither NDJSON',
			'JSON array'
		);
	});
});

describe('Parquet', () => {
	it('detects a Parquet file written by DuckDB and hashes it', async () => {
		const path = join(dir, 'cases.parquet');
		const db = await DuckDBInstance.create(':memory:');
		const conn = await db.connect();
		try {
			await conn.run(`COPY (SELECT 1 AS a, 'x' AS b) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`);
		} finally {
			conn.closeSync();
			db.closeSync();
		}
		const r = await sniffFile(path, OPTS);
		expect(r).toMatchObject({ format: 'parquet', encoding: 'utf-8', bom: false });
		expect(r.delimiter).toBeUndefined();
		const { readFile } = await import('node:fs/promises');
		const bytes = await readFile(path);
		expect(r.sizeBytes).toBe(bytes.length);
		expect(r.sha256).toBe(sha(bytes));
	});

	it('a truncated Parquet file (no PAR1 footer)', async () => {
		const bytes = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 7)]);
		await expectIngestError(sniff(bytes, {}, 'x.parquet'), 'malformed_file', 'Parquet', 'PAR1', '104 bytes');
	});
});

describe('encoding', () => {
	it('Latin-1 bytes are detected as latin-1 with a note naming the offset', async () => {
		const bytes = Buffer.from('case_id;subject\nC-1;Colis abîmé, René\nC-2;Très bien\n', 'latin1');
		const offset = bytes.indexOf(0xee); // "î", the first non-ASCII byte: 28
		expect(offset).toBe(28);
		const r = await sniff(bytes);
		expect(r.encoding).toBe('latin-1');
		expect(r.encodingNote).toMatch(/^not valid UTF-8 \(first bad byte at offset 28\); read as Latin-1 \(chardet: [\w-]+, confidence \d+\)$/);
		expect(r.header).toEqual(['case_id', 'subject']);
		expect(r.delimiter).toBe(';');
	});

	it('Latin-1 fixture: header decoded, CRLF, semicolon', async () => {
		const r = await sniffFile(join(FIXTURES, 'latin1-semicolon.csv'), OPTS);
		expect(r).toMatchObject({ encoding: 'latin-1', delimiter: ';', lineEnding: 'crlf' });
		expect(r.header).toEqual(['case_id', 'created_at', 'status', 'subject']);
		expect(r.encodingNote).toContain('chardet');
	});

	it('Latin-1 header text is decoded as Latin-1', async () => {
		const r = await sniff(Buffer.from('Numéro;Catégorie\n1;Réclamation\n', 'latin1'));
		expect(r.encoding).toBe('latin-1');
		expect(r.header).toEqual(['Numéro', 'Catégorie']);
	});

	it('invalid UTF-8 with the explicit utf-8 option names the offset and line', async () => {
		const bytes = Buffer.from('case_id,subject\nC-1,ok\nC-2,Ren\xe9\n', 'latin1');
		expect(bytes.indexOf(0xe9)).toBe(30);
		const err = await expectIngestError(sniff(bytes, { encoding: 'utf-8' }), 'invalid_encoding', 'offset 30', 'line 3', '0xE9', '--encoding latin-1');
		expect(err.hint).toContain('UTF-8');
	});

	it('latin-1 override: no check, note says so', async () => {
		const r = await sniff(Buffer.from('a,b\n1,\xe9\n', 'latin1'), { encoding: 'latin-1' });
		expect(r.encoding).toBe('latin-1');
		expect(r.encodingNote).toContain('as requested');
		// valid UTF-8 is also read as Latin-1 when the user says so
		expect((await sniff('a,b\n1,é\n', { encoding: 'latin-1' })).encoding).toBe('latin-1');
	});

	it('valid UTF-8 with the explicit utf-8 option', async () => {
		const r = await sniff('a,b\n1,é€😀\n', { encoding: 'utf-8' });
		expect(r.encoding).toBe('utf-8');
		expect(r.encodingNote).toBeUndefined();
	});

	it('Cyrillic windows-1251 is not read as Latin-1', async () => {
		const text = 'id,тема\n' + Array.from({ length: 50 }, (_, i) => `${i},Привет, как дела у вас сегодня? Заказ не пришёл\n`).join('');
		const err = await expectIngestError(sniff(iconv.encode(text, 'win1251')), 'invalid_encoding', 'offset 3', 'windows-1251');
		expect(err.hint).toContain('--encoding latin-1');
	});

	it('a UTF-8 BOM followed by invalid UTF-8 is refused in auto mode', async () => {
		const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,\xe9t\xe9\n', 'latin1')]);
		await expectIngestError(sniff(bytes), 'invalid_encoding', 'byte-order mark', 'offset 9');
	});

	it('invalid byte far into the file (past the head): offset and line are exact', async () => {
		const line = 'C-0000,open,' + 'x'.repeat(50) + '\n'; // 63 bytes
		const lines = 40_000; // ~2.5 MiB: past the 2 MiB + 1 head and across several 1 MiB chunks
		const good = Buffer.from('case_id,status,subject\n' + line.repeat(lines));
		const bad = Buffer.concat([good, Buffer.from('C-9,open,caf\xe9\n', 'latin1')]);
		const offset = good.length + 'C-9,open,caf'.length;
		await expectIngestError(
			sniff(bad, { encoding: 'utf-8' }),
			'invalid_encoding',
			`offset ${offset.toLocaleString('en-US')}`,
			`line ${(lines + 2).toLocaleString('en-US')}`
		);
		const r = await sniff(bad);
		expect(r.encoding).toBe('latin-1');
		expect(r.encodingNote).toContain(`offset ${offset}`);
	});

	it('multi-byte characters split across read chunks are valid UTF-8', async () => {
		// put 2-, 3- and 4-byte characters on every position around the 1 MiB chunk boundaries
		const parts: string[] = ['case_id,subject\n'];
		let size = parts[0].length;
		while (size < 4.5 * MiB) {
			const row = `C-${size},é€😀 ü ${'y'.repeat(size % 7)}\n`;
			parts.push(row);
			size += Buffer.byteLength(row);
		}
		const bytes = Buffer.from(parts.join(''));
		const r = await sniff(bytes, { encoding: 'utf-8' });
		expect(r.encoding).toBe('utf-8');
		expect(r.sha256).toBe(sha(bytes));
		expect(r.sizeBytes).toBe(bytes.length);
	});

	it('a truncated multi-byte character at the very end is invalid', async () => {
		const bytes = Buffer.concat([Buffer.from('a,b\n1,x'), Buffer.from([0xe2, 0x82])]);
		await expectIngestError(sniff(bytes, { encoding: 'utf-8' }), 'invalid_encoding', 'offset 7', '0xE2');
	});

	it('UTF-16 with a BOM (committed fixture)', async () => {
		await expectIngestError(sniffFile(join(FIXTURES, 'utf16le-bom.csv'), OPTS), 'invalid_encoding', 'UTF-16', 'UTF-8');
	});

	it('UTF-16 without a BOM is named, not called binary', async () => {
		await expectIngestError(sniff(Buffer.from('case_id,status\r\nC-1,open\r\n', 'utf16le')), 'invalid_encoding', 'UTF-16', 'little-endian');
	});

	it('findInvalidUtf8 agrees with a strict TextDecoder', () => {
		const decoder = new TextDecoder('utf-8', { fatal: true });
		let seed = 12345;
		const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
		const interesting = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff];
		for (let t = 0; t < 20_000; t++) {
			const len = 1 + (rnd() % 6);
			const bytes = Uint8Array.from({ length: len }, () => interesting[rnd() % interesting.length]);
			let valid = true;
			try {
				decoder.decode(bytes);
			} catch {
				valid = false;
			}
			const at = findInvalidUtf8(bytes);
			expect(at === -1, `bytes ${Buffer.from(bytes).toString('hex')}`).toBe(valid);
			if (!valid) {
				// everything before the reported offset is valid on its own
				expect(() => decoder.decode(bytes.subarray(0, at))).not.toThrow();
			}
		}
	});
});

describe('refused files', () => {
	it('0-byte file', async () => {
		await expectIngestError(sniff(''), 'empty_file', '0 bytes', 'xport');
	});

	it('BOM-only file', async () => {
		await expectIngestError(sniff(Buffer.from([0xef, 0xbb, 0xbf])), 'empty_file', 'byte-order mark', '3 bytes');
		await expectIngestError(sniffFile(join(FIXTURES, 'bom-only.csv'), OPTS), 'empty_file', 'byte-order mark');
	});

	it('whitespace-only file', async () => {
		await expectIngestError(sniff('  \r\n\n\t\n'), 'empty_file', 'blank space');
	});

	it('larger than maxBytes: size, limit in MB and how to raise it', async () => {
		const path = await file(Buffer.alloc(3 * MiB + 512 * 1024, 0x61));
		const err = await expectIngestError(
			sniffFile(path, { maxBytes: 2 * MiB }),
			'file_too_large',
			'3.50 MB',
			'2 MB',
			'CASELENS_MAX_UPLOAD_MB',
			'split'
		);
		expect(err.hint).toContain('CASELENS_MAX_UPLOAD_MB=4');
	});

	it('exactly maxBytes is allowed', async () => {
		const r = await sniff('a,b\n1,2\n', { maxBytes: 8 });
		expect(r.sizeBytes).toBe(8);
	});

	it('NUL bytes: binary, names the offset', async () => {
		await expectIngestError(sniffFile(join(FIXTURES, 'nul-bytes.csv'), OPTS), 'binary_file', 'NUL bytes at offset 26', 'not CSV, JSON or Parquet');
		const bytes = Buffer.concat([Buffer.from('case_id,status\n'), Buffer.from([0x01, 0x00, 0x02, 0x03, 0xff, 0x00, 0x00, 0x10])]);
		await expectIngestError(sniff(bytes), 'binary_file', 'offset 16');
	});

	it('many control characters: binary', async () => {
		const bytes = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i % 3 === 0 ? 0x01 + (i % 7) : 0x41 + (i % 26))));
		await expectIngestError(sniff(bytes), 'binary_file', 'control characters');
	});

	it('ZIP / xlsx signature: hint says export as CSV', async () => {
		const err = await expectIngestError(sniffFile(join(FIXTURES, 'workbook.xlsx'), { ...OPTS, fileName: 'Tickets Q1.xlsx' }), 'binary_file', 'Excel', 'CSV');
		expect(err.hint).toMatch(/export the sheet as CSV/i);
		await expectIngestError(sniff(Buffer.from('PK\x03\x04rest of zip', 'latin1'), {}, 'export.zip'), 'binary_file', 'ZIP archive', 'nzip');
	});

	it('gzip and PDF signatures', async () => {
		await expectIngestError(sniff(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3])), 'binary_file', 'gzip', 'ecompress');
		await expectIngestError(sniff('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'), 'binary_file', 'PDF');
	});

	it('an HTML page saved as .csv (failed download)', async () => {
		await expectIngestError(sniff('<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>'), 'unknown_format', 'HTML', 'login');
	});

	it('a single 3 MiB line: line_too_long with line number, length and limit', async () => {
		const big = 'x'.repeat(3 * MiB);
		await expectIngestError(sniff(big), 'line_too_long', 'Line 1 ', '3,145,728 bytes', '2,097,152 bytes', 'CASELENS_MAX_LINE_MB');
	});

	it('a too-long line after short ones names its line number (NDJSON, custom limit)', async () => {
		const text = '{"a":1}\n{"a":2}\n{"a":"' + 'y'.repeat(5000) + '"}\n{"a":4}\n';
		await expectIngestError(sniff(text, { maxLineBytes: 1000 }, 'x.ndjson'), 'line_too_long', 'Line 3 ', '5,008 bytes', '1,000 bytes');
	});

	it('a too-long line deep in a multi-chunk CSV', async () => {
		const head = 'case_id,subject\n' + 'C-1,short\n'.repeat(300_000); // ~2.9 MiB
		const text = head + 'C-2,' + 'z'.repeat(2 * MiB + 10) + '\nC-3,short\n';
		await expectIngestError(sniff(text), 'line_too_long', 'Line 300,002 ', `${(2 * MiB + 14).toLocaleString('en-US')} bytes`);
	});

	it('missing file', async () => {
		await expectIngestError(sniffFile(join(dir, 'does-not-exist.csv'), OPTS), 'unreadable_file', 'does not exist');
		await expectIngestError(sha256File(join(dir, 'does-not-exist.csv')), 'unreadable_file', 'does not exist');
	});

	it('a directory', async () => {
		await expectIngestError(sniffFile(dir, OPTS), 'unreadable_file', 'folder');
	});
});

describe('sha256', () => {
	it('equals crypto digest of the bytes (small and multi-chunk)', async () => {
		const multiChunk = Buffer.from('C-0123456789,é€\n'.repeat(200_000)); // ~3.6 MiB
		for (const bytes of [Buffer.from('a,b\n1,2\n'), multiChunk]) {
			const path = await file(bytes);
			const r = await sniffFile(path, { ...OPTS, maxLineBytes: 10 * MiB });
			expect(r.sha256).toBe(sha(bytes));
			expect(r.sizeBytes).toBe(bytes.length);
			expect(await sha256File(path)).toBe(sha(bytes));
		}
	});
});
