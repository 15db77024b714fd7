import { extname, join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { IngestError } from './ingest-error';
import { copyWithLfLineEnds } from './line-ends.server';
import type { SniffResult } from './sniff-file.server';
import { describeSource } from './stage-sql.server';
import { transcodeWindows1252File } from './windows-1252.server';

/**
 * DuckDB's CSV reader keeps a buffer per column: a file of 20,000 columns ran out of the server's
 * memory limit after 50 s. No help-desk export comes near this (Zendesk's widest has about 100).
 */
export const MAX_COLUMNS = 2000;

export interface ReadableSource {
	/** The file DuckDB reads: the original, or a copy in `workDir`. */
	loadPath: string;
	/** Its sniff result: UTF-8, LF when the copy normalised mixed line ends. */
	loadSniff: SniffResult;
	/** Header names as the typed pass names them (unique), in file order. */
	headers: string[];
}

/**
 * The file as DuckDB can read it, and its headers, exactly as the import sees them (the import and
 * the mapping preview both come here): DuckDB reads ISO-8859-1 only, so a Latin-1 file is read as
 * Windows-1252 through a UTF-8 copy; its strict CSV reader refuses lines that end both ways, so
 * such a file is read through an LF copy. The copies go to `workDir` (a folder from makeTempDir).
 */
export async function readableSource(
	db: Kysely<Database>,
	path: string,
	sniff: SniffResult,
	options: { workDir: () => Promise<string>; maxLineBytes: number; fileName: string; lap?: (name: string) => void }
): Promise<ReadableSource> {
	let loadPath = path;
	if (sniff.encoding === 'latin-1') {
		loadPath = join(await options.workDir(), `utf8${extname(path)}`);
		await transcodeWindows1252File(path, loadPath);
		options.lap?.('transcode');
	}
	if (sniff.mixedLineEnds && sniff.format === 'csv') {
		const copy = join(await options.workDir(), 'lf.csv');
		await copyWithLfLineEnds(loadPath, copy);
		loadPath = copy;
		options.lap?.('line_ends');
	}
	const loadSniff: SniffResult = { ...sniff, encoding: 'utf-8', lineEnding: sniff.mixedLineEnds ? 'lf' : sniff.lineEnding };
	const headers = uniqueHeaders(await fileColumns(db, loadPath, loadSniff, options.maxLineBytes));
	if (headers.length === 0) {
		throw new IngestError('empty_file', `The file ${options.fileName} has no header row.`, 'Export the data again with column headers in the first row.');
	}
	if (headers.length > MAX_COLUMNS) {
		throw new IngestError(
			'too_many_columns',
			`The file ${options.fileName} has ${headers.length.toLocaleString('en')} columns; Caselens reads files of up to ${MAX_COLUMNS.toLocaleString('en')}.`,
			'Export only the columns the import needs (the canonical columns are listed in the README), or check that the delimiter and the header row are right.'
		);
	}
	return { loadPath, loadSniff, headers };
}

/** Staged header names must be unique; later duplicates get a numeric suffix. */
function uniqueHeaders(headers: readonly string[]): string[] {
	const seen = new Map<string, number>();
	return headers.map((h) => {
		const n = seen.get(h) ?? 0;
		seen.set(h, n + 1);
		return n === 0 ? h : `${h}_${n + 1}`;
	});
}

/** Header names: the sniffed CSV header, or for JSON/Parquet the reader's columns (see describeSource). */
async function fileColumns(db: Kysely<Database>, path: string, sniff: SniffResult, maxLineBytes: number): Promise<string[]> {
	const sniffed = sniff.header ?? [];
	const describe = describeSource(path, sniff, maxLineBytes);
	// An empty JSON array has no columns; leave it to the empty-file error rather than DuckDB's placeholder column.
	if (!describe || (sniff.format !== 'parquet' && sniffed.length === 0)) return sniffed;
	const { rows } = await sql.raw<{ column_name: string }>(describe).execute(db);
	// The first record's key order first, as the user sees the file; keys found only later after it.
	return [...new Set([...sniffed, ...rows.map((r) => r.column_name)])];
}
