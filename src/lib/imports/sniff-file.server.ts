/**
 * Inspect an uploaded file before it is loaded into DuckDB: size limits, empty and binary files,
 * format (CSV / JSON array / NDJSON / Parquet), text encoding, BOM, line endings, over-long lines,
 * CSV delimiter and header, JSON keys, and the SHA-256 of the whole file.
 *
 * The file is read exactly once, in fixed-size chunks (the first chunk, the "head", is analysed for
 * the format and header), so this works on multi-GB files with constant memory. Each job lives in
 * its own module under ./sniff/; this one runs them in order.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { extname } from 'node:path';
import { IngestError } from './ingest-error';
import { BOM, CR, LF, MiB, skipWhitespace, startsWith } from './sniff/bytes.server';
import { decideEncoding, type FileEncoding } from './sniff/encoding.server';
import { openFile, readExactly, statRegularFile, streamRest } from './sniff/io.server';
import { EXPORT_HINT, formatBytes, formatInt, tooLarge } from './sniff/messages.server';
import { Scanner } from './sniff/scanner.server';
import { checkParquetFooter, PAR1, rejectBinary, rejectMarkup } from './sniff/signatures.server';
import {
	analyseStructure,
	decodeHeader,
	detectFormat,
	detectLineEnding,
	type FileFormat,
	type Structure
} from './sniff/structure.server';

export { findInvalidUtf8 } from './sniff/encoding.server';
export { sha256File } from './sniff/io.server';
export type { FileFormat } from './sniff/structure.server';

export interface SniffResult {
	format: FileFormat;
	/** Text encoding to read the file with. Parquet: always 'utf-8'. */
	encoding: FileEncoding;
	/** Set when the encoding was not plain UTF-8 (why Latin-1 was chosen, or that the user forced it). */
	encodingNote?: string;
	/** The file starts with a UTF-8 byte-order mark (EF BB BF). */
	bom: boolean;
	/** CSV only: one of ',', ';', '\t', '|'. */
	delimiter?: string;
	/** Line ending of the first line; undefined when the head of the file has no line break (or Parquet). */
	lineEnding?: 'lf' | 'crlf' | 'cr';
	/** CSV: header fields (BOM stripped, trimmed, quotes removed); JSON/NDJSON: keys of the first object. */
	header?: string[];
	sizeBytes: number;
	/** Lower-case hex SHA-256 of the whole file. */
	sha256: string;
	/**
	 * The bytes of a UTF-8 no-break space (C2 A0) occur somewhere: the import then counts the cells
	 * that held nothing else (Zendesk Explore writes them for empty cells). A chunk boundary between
	 * the two bytes is missed; the cells are still read as empty, only the count would be absent.
	 */
	mayHaveNoBreakSpaces?: boolean;
	/** Some lines end in CR LF and others in LF: DuckDB's strict CSV reader refuses that, so the import reads a copy with LF only. */
	mixedLineEnds?: boolean;
}

export interface SniffOptions {
	/** Configured upload size limit in bytes. */
	maxBytes: number;
	/** Default 2 MiB: a single line (CSV record / NDJSON line) longer than this is refused. */
	maxLineBytes?: number;
	/** User override, default 'auto'. */
	encoding?: FileEncoding | 'auto';
	/** Original file name, used only as a hint for the format (its extension). */
	fileName?: string;
}

export const DEFAULT_MAX_LINE_BYTES = 2 * MiB;
/** Minimum size of the head (first read), which is kept in memory for format and header detection. */
const HEAD_MIN_BYTES = 1 * MiB;

/**
 * Whether the file's numbers may be written with a decimal comma: a CSV separated by semicolons is
 * what spreadsheet programs write where the comma is the decimal point (most of Europe, Latin America).
 */
export function writesDecimalComma(sniff: Pick<SniffResult, 'format' | 'delimiter'>): boolean {
	return sniff.format === 'csv' && sniff.delimiter === ';';
}

export async function sniffFile(path: string, opts: SniffOptions): Promise<SniffResult> {
	const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
	const encodingOption = opts.encoding ?? 'auto';
	const ext = opts.fileName ? extname(opts.fileName).toLowerCase() : '';

	const size = await statRegularFile(path);
	if (size === 0) {
		throw new IngestError(
			'empty_file',
			'The file is empty (0 bytes).',
			'Export the data again from the help desk and check that the export finished before uploading it.'
		);
	}
	if (size > opts.maxBytes) throw tooLarge(size, opts.maxBytes);

	const fh = await openFile(path);
	try {
		const headLen = Math.min(size, Math.max(HEAD_MIN_BYTES, maxLineBytes + 1));
		const head = await readExactly(fh, headLen, 0);
		const headIsWholeFile = head.length >= size;

		// --- Parquet, binary files, other encodings: decided from the first bytes. ---
		if (startsWith(head, PAR1)) {
			await checkParquetFooter(fh, size);
			const scanner = new Scanner({ checkUtf8: false, failFastOnUtf8: false, maxLineBytes: Infinity, terminator: null });
			scanner.update(head);
			const sizeBytes = await streamRest(fh, head.length, scanner);
			return { format: 'parquet', encoding: 'utf-8', bom: false, sizeBytes, sha256: scanner.digest() };
		}
		rejectBinary(head, ext);

		const bom = startsWith(head, BOM);
		const contentStart = bom ? 3 : 0;
		const firstChar = skipWhitespace(head, contentStart);
		if (firstChar >= head.length) {
			if (headIsWholeFile) {
				const what = bom ? 'a byte-order mark' : '';
				const parts = [what, 'blank space'].filter(Boolean).join(' and ');
				throw new IngestError(
					'empty_file',
					`The file is empty: its ${formatInt(size)} bytes are only ${parts}, with no header and no data.`,
					'Export the data again from the help desk and check that the export finished before uploading it.'
				);
			}
			throw new IngestError(
				'malformed_file',
				`The file starts with more than ${formatBytes(head.length)} of blank space and no data.`,
				EXPORT_HINT
			);
		}
		rejectMarkup(head, firstChar);

		// Excel's delimiter hint: a first line "sep=;" that Excel reads and hides, and that any other
		// reader (DuckDB's included) takes for the header, naming the columns "sep=" and "".
		const firstLine = head.subarray(firstChar, firstChar + 16).toString('latin1').split(/\r|\n/)[0].trim();
		if (/^sep=.?$/i.test(firstLine)) {
			throw new IngestError(
				'malformed_file',
				`The file starts with Excel's delimiter line "${firstLine}", which only Excel reads; the header must be the first line.`,
				'Delete that first line in a text editor (or export again without the option for Excel), then import the file again.'
			);
		}
		let format = detectFormat(head, firstChar, ext);
		const lineEnding = detectLineEnding(head, contentStart);
		const terminator = lineEnding === 'cr' ? CR : LF;

		// --- The single streaming pass: sha256, strict UTF-8 check, line lengths. ---
		const scanner = new Scanner({
			checkUtf8: encodingOption !== 'latin-1',
			failFastOnUtf8: encodingOption === 'utf-8',
			// A JSON array may legitimately be one huge line (minified); lines only matter for CSV / NDJSON.
			maxLineBytes: format === 'json' ? Infinity : maxLineBytes,
			terminator,
			trackQuotes: format === 'csv'
		});
		scanner.update(head);

		// Structure of the head (fail fast on a broken header before reading a multi-GB file).
		// Decoded as Latin-1 here (1 byte = 1 char, ASCII structure is the same in both encodings);
		// the header text is decoded again with the final encoding below.
		let structure: Structure | undefined;
		if (!scanner.hasPendingLongLine) {
			structure = analyseStructure(head, firstChar, contentStart, headIsWholeFile, format, ext);
			format = structure.format;
		}

		const sizeBytes = await streamRest(fh, head.length, scanner);
		scanner.finish(); // throws line_too_long if a line was too long
		// (structure is always set here: it is skipped only when a too-long line is pending, which throws.)
		structure ??= analyseStructure(head, firstChar, contentStart, headIsWholeFile, format, ext);
		format = structure.format;

		const { encoding, encodingNote } = decideEncoding(scanner.utf8Failure, encodingOption, bom, head);
		const header = decodeHeader(head, structure, encoding);

		const result: SniffResult = { format, encoding, bom, sizeBytes, sha256: scanner.digest() };
		if (scanner.sawNoBreakSpace) result.mayHaveNoBreakSpaces = true;
		if (scanner.crlfLines > 0 && scanner.lfLines > 0) result.mixedLineEnds = true;
		if (encodingNote) result.encodingNote = encodingNote;
		if (structure.format === 'csv') result.delimiter = structure.delimiter;
		if (lineEnding) result.lineEnding = lineEnding;
		result.header = header;
		return result;
	} finally {
		await fh.close();
	}
}
