/**
 * The sniffed delimiter and header fix the columns of the import's DuckDB read (sourceSelect in
 * src/lib/imports/stage-sql.server.ts: auto-detection off, one column per sniffed header field), so
 * the sniffer must split the head as DuckDB's reader splits the file. These are the files on which a
 * general CSV parser splits differently (see src/lib/imports/sniff/csv-records.server.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/lib/core/random';
import { copyWithLfLineEnds } from '../../src/lib/imports/line-ends.server';
import { DEFAULT_MAX_LINE_BYTES, sniffFile, type SniffResult } from '../../src/lib/imports/sniff-file.server';
import { sourceSelect } from '../../src/lib/imports/stage-sql.server';

let dir: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;
let n = 0;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'caselens-sniff-csv-'));
	instance = await DuckDBInstance.create(':memory:');
	conn = await instance.connect();
});
afterAll(async () => {
	conn.closeSync();
	instance.closeSync();
	await rm(dir, { recursive: true, force: true });
});

/** Sniffs `text`, then reads it the way the import does (through an LF copy when line ends are mixed). */
async function sniffAndRead(text: string): Promise<{ sniff: SniffResult; rows: string[][] }> {
	const path = join(dir, `${++n}.csv`);
	await writeFile(path, text);
	const sniff = await sniffFile(path, { maxBytes: 1024 * 1024 });
	let loadPath = path;
	if (sniff.mixedLineEnds) {
		loadPath = join(dir, `${n}-lf.csv`);
		await copyWithLfLineEnds(path, loadPath);
	}
	const select = sourceSelect(loadPath, sniff, sniff.header ?? [], { rejects: `rejects_${n}`, rejectsScan: `scans_${n}` }, DEFAULT_MAX_LINE_BYTES);
	const reader = await conn.runAndReadAll(select);
	const rows = reader.getRows().map((row) => row.map((v) => (v === null ? '' : String(v))));
	return { sniff, rows };
}

describe('the sniffed header is the one DuckDB reads', () => {
	it('a space before an opening quote still opens a quoted field', async () => {
		const { sniff, rows } = await sniffAndRead('case_id, "subject, full",status\nC-1, "hello, world",open\n');
		expect(sniff).toMatchObject({ delimiter: ',', header: ['case_id', 'subject, full', 'status'] });
		expect(rows).toEqual([['C-1', 'hello, world', 'open']]);
	});

	it('CR LF and LF mixed: records end at either', async () => {
		const { sniff, rows } = await sniffAndRead('id;note\r\n1;a\n2;b\r\n3;c\n');
		expect(sniff).toMatchObject({ delimiter: ';', header: ['id', 'note'], mixedLineEnds: true });
		expect(rows).toEqual([['1', 'a'], ['2', 'b'], ['3', 'c']]);
	});

	it('generated files: every header field and value comes back in its own column', async () => {
		const rng = new Rng(20240301);
		const words = ['id', 'case_id', 'status', 'created at', 'Team'];
		for (let t = 0; t < 150; t++) {
			const d = rng.pick([',', ';', '\t', '|']);
			const eol = rng.pick(['\n', '\r\n', '\r', 'mixed']);
			const width = 2 + rng.int(4);
			const fieldEnd = eol === 'mixed' ? '\n' : eol;
			const lines: string[] = [];
			const values: string[][] = [];
			for (let r = 0; r < 2 + rng.int(4); r++) {
				const texts: string[] = [];
				const row: string[] = [];
				for (let c = 0; c < width; c++) {
					const w = rng.pick(words);
					const kind = rng.int(7);
					// Each field as an exporter or a hand edit may write it, and the value DuckDB reads from it.
					const [text, value] =
						kind === 0 ? [`"${w}${d}${w}"`, `${w}${d}${w}`]
						: kind === 1 ? [`"${w} ""q"""`, `${w} "q"`]
						: kind === 2 && eol !== '\r' ? [`"${w}${fieldEnd}${w}"`, `${w}${fieldEnd}${w}`]
						: kind === 3 ? [` "${w}${d}${w}"`, `${w}${d}${w}`]
						: kind === 4 ? [`"${w}" `, w]
						: [w, w];
					texts.push(text);
					row.push(value);
				}
				lines.push(texts.join(d));
				values.push(row);
			}
			const text = lines.map((line, i) => line + (eol === 'mixed' ? (i % 2 ? '\r\n' : '\n') : eol)).join('');
			const { sniff, rows } = await sniffAndRead(text);
			const file = JSON.stringify(text);
			expect(sniff.delimiter, file).toBe(d);
			expect(sniff.header, file).toEqual(values[0]);
			expect(rows, file).toEqual(values.slice(1));
		}
	});
});
