/**
 * Inspect an uploaded file before it is loaded into DuckDB: size limits, empty and binary files,
 * format (CSV / JSON array / NDJSON / Parquet), text encoding, BOM, line endings, over-long lines,
 * CSV delimiter and header, JSON keys, and the SHA-256 of the whole file.
 *
 * The file is read exactly once, in fixed-size chunks (the first chunk, the "head", is analysed for
 * the format and header), so this works on multi-GB files with constant memory.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { isAscii, isUtf8 } from 'node:buffer';
import { analyse as chardetAnalyse } from 'chardet';
import { IngestError } from './ingest-error';
import { decodeWindows1252 } from './windows-1252.server';

export type FileFormat = 'csv' | 'json' | 'ndjson' | 'parquet';

export interface SniffResult {
	format: FileFormat;
	/** Text encoding to read the file with. Parquet: always 'utf-8'. */
	encoding: 'utf-8' | 'latin-1';
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
	encoding?: 'utf-8' | 'latin-1' | 'auto';
	/** Original file name, used only as a hint for the format (its extension). */
	fileName?: string;
}

const KiB = 1024;
const MiB = 1024 * 1024;
export const DEFAULT_MAX_LINE_BYTES = 2 * MiB;
/** Size of each of the two read buffers of the streaming pass. */
const CHUNK_BYTES = 4 * MiB;
/** Minimum size of the head (first read), which is kept in memory for format and header detection. */
const HEAD_MIN_BYTES = 1 * MiB;
/** Sample size for the binary check and for chardet. */
const SAMPLE_BYTES = 64 * KiB;
/** Number of CSV records (header included) looked at for the delimiter. */
const DELIMITER_SAMPLE_RECORDS = 20;

const BOM = [0xef, 0xbb, 0xbf];
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** chardet guesses that we read as Latin-1: single-byte encodings for Latin-script languages. */
const LATIN_SCRIPT_CHARSETS = new Set([
	'ISO-8859-1',
	'ISO-8859-2',
	'ISO-8859-9',
	'ISO-8859-15',
	'windows-1250',
	'windows-1252',
	'windows-1254',
	'windows-1257'
]);

const EXPORT_HINT =
	'Export the data from the help desk again as CSV, JSON, NDJSON or Parquet and upload that file.';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

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

		const { encoding, encodingNote } = decideEncoding(scanner, encodingOption, bom, head);
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

/** SHA-256 (lower-case hex) of a whole file, computed by streaming. */
export async function sha256File(path: string): Promise<string> {
	await statRegularFile(path);
	const fh = await openFile(path);
	try {
		const hash = createHash('sha256');
		const buf = Buffer.allocUnsafe(CHUNK_BYTES);
		let pos = 0;
		for (;;) {
			const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
			if (bytesRead === 0) break;
			hash.update(buf.subarray(0, bytesRead));
			pos += bytesRead;
		}
		return hash.digest('hex');
	} finally {
		await fh.close();
	}
}

// ---------------------------------------------------------------------------------------------
// File access
// ---------------------------------------------------------------------------------------------

async function statRegularFile(path: string): Promise<number> {
	try {
		const st = await stat(path);
		if (!st.isFile()) {
			throw new IngestError(
				'unreadable_file',
				`${path} is not a regular file${st.isDirectory() ? ' (it is a folder)' : ''}.`,
				'Give the path of the exported CSV, JSON, NDJSON or Parquet file itself.'
			);
		}
		return st.size;
	} catch (err) {
		if (err instanceof IngestError) throw err;
		throw unreadable(path, err);
	}
}

async function openFile(path: string): Promise<FileHandle> {
	try {
		return await open(path, 'r');
	} catch (err) {
		throw unreadable(path, err);
	}
}

function unreadable(path: string, err: unknown): IngestError {
	const code = (err as NodeJS.ErrnoException | undefined)?.code;
	if (code === 'ENOENT') {
		return new IngestError(
			'unreadable_file',
			`The file ${path} does not exist.`,
			'Check the path and the file name (including the extension) and try again.'
		);
	}
	if (code === 'EACCES' || code === 'EPERM') {
		return new IngestError(
			'unreadable_file',
			`The file ${path} cannot be read: permission denied.`,
			'Give the user running Caselens read access to the file, or copy it to a folder you own.'
		);
	}
	return new IngestError(
		'unreadable_file',
		`The file ${path} cannot be read (${code ?? (err instanceof Error ? err.message : String(err))}).`,
		'Check that the file exists and is readable, then try again.'
	);
}

async function readExactly(fh: FileHandle, length: number, position: number): Promise<Buffer> {
	const buf = Buffer.alloc(length);
	let filled = 0;
	while (filled < length) {
		const { bytesRead } = await fh.read(buf, filled, length - filled, position + filled);
		if (bytesRead === 0) break;
		filled += bytesRead;
	}
	return filled === length ? buf : buf.subarray(0, filled);
}

/**
 * Feed the file from `start` to its end to `sink` in fixed-size chunks; returns the file size read.
 * Two buffers take turns: the next chunk is read (on libuv's thread pool) while `sink` works on the
 * current one, so the checksum does not wait for the disk nor the disk for the checksum.
 */
async function streamRest(fh: FileHandle, start: number, sink: { update(chunk: Buffer): void }): Promise<number> {
	const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
	let pos = start;
	let turn = 0;
	let reading = fh.read(buffers[turn], 0, CHUNK_BYTES, pos);
	for (;;) {
		const { bytesRead } = await reading;
		if (bytesRead === 0) break;
		const chunk = buffers[turn].subarray(0, bytesRead);
		pos += bytesRead;
		turn = 1 - turn;
		reading = fh.read(buffers[turn], 0, CHUNK_BYTES, pos);
		try {
			sink.update(chunk);
		} catch (error) {
			// Let the read in flight finish before the caller closes the file.
			await reading.catch(() => undefined);
			throw error;
		}
	}
	return pos;
}

// ---------------------------------------------------------------------------------------------
// Streaming scanner: sha256 + strict UTF-8 + line lengths, one pass
// ---------------------------------------------------------------------------------------------

interface ScannerOptions {
	checkUtf8: boolean;
	failFastOnUtf8: boolean;
	maxLineBytes: number;
	/** Line terminator byte to count lines by ('\r' for old Mac files); null: do not look at lines (Parquet). */
	terminator: number | null;
	/** CSV: follow double quotes, so that a line break inside a quoted value is not taken for a record's end. */
	trackQuotes?: boolean;
}

interface Utf8Failure {
	offset: number;
	line: number;
	byte: number;
	/** Bytes around the failure, for chardet (only kept when the failure is past the first 64 KiB). */
	sample: Buffer | null;
	/** Valid non-ASCII UTF-8 was seen before the failure (the file may mix encodings). */
	utf8Before: boolean;
}

const NO_BREAK_SPACE = Buffer.from([0xc2, 0xa0]);

class Scanner {
	private readonly hash = createHash('sha256');
	private readonly opts: ScannerOptions;
	private offset = 0;
	private line = 1;
	private lineLen = 0;
	private longLine: { line: number } | null = null;
	private carry: Buffer | null = null;
	private sawNonAscii = false;
	sawNoBreakSpace = false;
	/** Line ends seen, by kind: a file with both (an export edited by hand on two systems) is read through a copy. */
	crlfLines = 0;
	lfLines = 0;
	private lastByte = -1;
	private inQuotes = false;
	utf8Failure: Utf8Failure | null = null;

	constructor(opts: ScannerOptions) {
		this.opts = opts;
	}

	get hasPendingLongLine(): boolean {
		return this.longLine !== null;
	}

	update(chunk: Buffer): void {
		const chunkStart = this.offset;
		const lineAtChunkStart = this.line;
		this.scanLines(chunk);
		this.hash.update(chunk);
		if (!this.sawNoBreakSpace && chunk.indexOf(NO_BREAK_SPACE) !== -1) this.sawNoBreakSpace = true;
		if (this.opts.checkUtf8 && !this.utf8Failure) this.checkUtf8(chunk, chunkStart, lineAtChunkStart);
		this.offset += chunk.length;
	}

	/** Call after the last chunk: reports a truncated UTF-8 sequence or a too-long last line. */
	finish(): void {
		if (this.longLine) throw this.lineTooLong();
		if (this.opts.checkUtf8 && !this.utf8Failure && this.carry) {
			this.recordUtf8Failure({
				offset: this.offset - this.carry.length,
				line: this.line,
				byte: this.carry[0],
				sample: this.offset >= SAMPLE_BYTES ? this.carry : null,
				utf8Before: this.sawNonAscii
			});
		}
	}

	digest(): string {
		return this.hash.digest('hex');
	}

	private scanLines(chunk: Buffer): void {
		const { terminator, maxLineBytes } = this.opts;
		if (terminator === null) return;
		let pos = 0;
		for (;;) {
			const idx = chunk.indexOf(terminator, pos);
			const end = idx === -1 ? chunk.length : idx;
			if (this.opts.trackQuotes) {
				for (let q = chunk.indexOf(QUOTE, pos); q !== -1 && q < end; q = chunk.indexOf(QUOTE, q + 1)) this.inQuotes = !this.inQuotes;
			}
			this.lineLen += end - pos;
			if (this.lineLen > maxLineBytes && !this.longLine) this.longLine = { line: this.line };
			if (idx === -1) {
				if (chunk.length) this.lastByte = chunk[chunk.length - 1];
				return;
			}
			// Keep reading to the end of a too-long line so the error can name its real length.
			if (this.longLine) throw this.lineTooLong();
			if (terminator === LF && !this.inQuotes) {
				const before = idx > 0 ? chunk[idx - 1] : this.lastByte;
				if (before === CR) this.crlfLines++;
				else this.lfLines++;
			}
			this.line++;
			this.lineLen = 0;
			pos = idx + 1;
		}
	}

	private lineTooLong(): IngestError {
		const { maxLineBytes } = this.opts;
		const line = this.longLine?.line ?? this.line;
		return new IngestError(
			'line_too_long',
			`Line ${formatInt(line)} is ${formatInt(this.lineLen)} bytes (${formatBytes(this.lineLen)}) long, ` +
				`longer than the limit of ${formatInt(maxLineBytes)} bytes (${formatBytes(maxLineBytes)}) for a single line.`,
			'A line this long usually means the line breaks were lost or converted during export, or a quote is ' +
				'never closed. Open the file in a text editor to check line ' +
				`${formatInt(line)}, then export it again with one record per line; if records really are this long, raise the limit with the environment variable CASELENS_MAX_LINE_MB (in MB).`
		);
	}

	private checkUtf8(chunk: Buffer, chunkStart: number, lineAtChunkStart: number): void {
		const carryLen = this.carry ? this.carry.length : 0;
		const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
		const cut = completeUtf8Length(data);
		const body = cut === data.length ? data : data.subarray(0, cut);
		if (isUtf8(body)) {
			if (!this.sawNonAscii && !isAscii(body)) this.sawNonAscii = true;
			this.carry = cut < data.length ? Buffer.from(data.subarray(cut)) : null;
			return;
		}
		const local = findInvalidUtf8(body);
		const at = local < 0 ? 0 : local; // isUtf8 and findInvalidUtf8 agree; fallback is defensive
		const inChunk = Math.max(0, at - carryLen);
		let line = lineAtChunkStart;
		const term = this.opts.terminator;
		if (term !== null) {
			for (let p = chunk.indexOf(term); p !== -1 && p < inChunk; p = chunk.indexOf(term, p + 1)) line++;
		}
		const utf8Before = this.sawNonAscii || (at > 0 && !isAscii(body.subarray(0, at)));
		const offset = chunkStart - carryLen + at;
		const sample =
			offset < SAMPLE_BYTES ? null : Buffer.from(data.subarray(Math.max(0, at - SAMPLE_BYTES / 2), at + SAMPLE_BYTES / 2));
		this.carry = null;
		this.recordUtf8Failure({ offset, line, byte: data[at], sample, utf8Before });
	}

	private recordUtf8Failure(f: Utf8Failure): void {
		this.utf8Failure = f;
		if (this.opts.failFastOnUtf8) {
			throw new IngestError(
				'invalid_encoding',
				`The file is not valid UTF-8: the first invalid byte (${hexByte(f.byte)}) is at offset ${formatInt(f.offset)} (line ${formatInt(f.line)}).`,
				'Re-save the file as UTF-8 and upload it again, or, if it was exported as Latin-1 / Windows-1252, ' +
					'import it with the encoding set to Latin-1 (CLI: --encoding latin-1).'
			);
		}
	}
}

/** Length of `data` without a trailing, incomplete (not yet invalid) UTF-8 sequence. */
function completeUtf8Length(data: Buffer): number {
	const n = data.length;
	let i = n - 1;
	while (i >= 0 && i >= n - 4 && (data[i] & 0xc0) === 0x80) i--;
	if (i < 0 || i < n - 4) return n;
	const b = data[i];
	const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 1;
	return n - i < need ? i : n;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (WHATWG rules), or -1. */
export function findInvalidUtf8(buf: Uint8Array): number {
	const n = buf.length;
	let i = 0;
	while (i < n) {
		const b = buf[i];
		if (b < 0x80) {
			i++;
			continue;
		}
		let need: number;
		let lo = 0x80;
		let hi = 0xbf;
		if (b >= 0xc2 && b <= 0xdf) need = 1;
		else if (b >= 0xe0 && b <= 0xef) {
			need = 2;
			if (b === 0xe0) lo = 0xa0;
			if (b === 0xed) hi = 0x9f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 3;
			if (b === 0xf0) lo = 0x90;
			if (b === 0xf4) hi = 0x8f;
		} else return i;
		if (i + need >= n) return i;
		const c1 = buf[i + 1];
		if (c1 < lo || c1 > hi) return i;
		for (let k = 2; k <= need; k++) if ((buf[i + k] & 0xc0) !== 0x80) return i;
		i += need + 1;
	}
	return -1;
}

// ---------------------------------------------------------------------------------------------
// Encoding decision
// ---------------------------------------------------------------------------------------------

function decideEncoding(
	scanner: Scanner,
	option: 'utf-8' | 'latin-1' | 'auto',
	bom: boolean,
	head: Buffer
): { encoding: 'utf-8' | 'latin-1'; encodingNote?: string } {
	if (option === 'latin-1') {
		return {
			encoding: 'latin-1',
			encodingNote: bom
				? 'read as Latin-1 as requested (not checked), although the file starts with a UTF-8 byte-order mark'
				: 'read as Latin-1 as requested (not checked)'
		};
	}
	const f = scanner.utf8Failure;
	if (!f) return { encoding: 'utf-8' };
	// option === 'utf-8' already threw inside the scanner.
	const where = `the first invalid byte (${hexByte(f.byte)}) is at offset ${formatInt(f.offset)} (line ${formatInt(f.line)})`;
	const hint =
		'Re-save the file as UTF-8 and upload it again; if you know it was exported as Latin-1 / Windows-1252, ' +
		'import it with the encoding set to Latin-1 (CLI: --encoding latin-1).';
	if (bom) {
		throw new IngestError(
			'invalid_encoding',
			`The file starts with a UTF-8 byte-order mark but is not valid UTF-8: ${where}. It probably mixes two encodings.`,
			hint
		);
	}
	const sample = f.sample ?? head.subarray(0, SAMPLE_BYTES);
	const guesses = chardetAnalyse(sample).filter((m) => m.name !== 'UTF-8' && m.name !== 'ASCII');
	const best = guesses[0];
	if (!best || !LATIN_SCRIPT_CHARSETS.has(best.name)) {
		const guess = best ? `chardet guesses ${best.name}, confidence ${best.confidence}` : 'chardet cannot tell';
		throw new IngestError(
			'invalid_encoding',
			`The file is not valid UTF-8 (${where}) and does not look like Latin-1 either (${guess}).`,
			hint
		);
	}
	let note =
		`not valid UTF-8 (first bad byte at offset ${f.offset}); read as Latin-1 ` +
		`(chardet: ${best.name}, confidence ${best.confidence})`;
	if (f.utf8Before) {
		note += '; the part before that offset also holds valid UTF-8 characters, so the file may mix two encodings: check accented letters';
	}
	return { encoding: 'latin-1', encodingNote: note };
}

// ---------------------------------------------------------------------------------------------
// Binary files and signatures
// ---------------------------------------------------------------------------------------------

const PAR1 = [0x50, 0x41, 0x52, 0x31];

function startsWith(buf: Uint8Array, sig: readonly number[], at = 0): boolean {
	if (buf.length < at + sig.length) return false;
	for (let i = 0; i < sig.length; i++) if (buf[at + i] !== sig[i]) return false;
	return true;
}

function ascii(s: string): number[] {
	return Array.from(s, (c) => c.charCodeAt(0));
}

async function checkParquetFooter(fh: FileHandle, size: number): Promise<void> {
	const tail = size >= 12 ? await readExactly(fh, 4, size - 4) : Buffer.alloc(0);
	if (!startsWith(tail, PAR1)) {
		throw new IngestError(
			'malformed_file',
			`The file starts like a Parquet file (PAR1) but does not end with the Parquet footer (PAR1), so it is incomplete (${formatInt(size)} bytes).`,
			'The file was probably cut off during download or copy. Export or copy it again and upload the complete file.'
		);
	}
}

interface Signature {
	bytes: number[];
	at?: number;
	name: (ext: string) => string;
	hint: (ext: string) => string;
}

const SPREADSHEET_HINT =
	'Open it in the spreadsheet program and export the sheet as CSV (for example File > Save As > "CSV UTF-8"), then upload the CSV file.';

const SIGNATURES: Signature[] = [
	{
		bytes: [0x50, 0x4b, 0x03, 0x04],
		name: zipName,
		hint: (ext) =>
			['.xlsx', '.xlsm', '.ods', '.numbers'].includes(ext) || ext === ''
				? SPREADSHEET_HINT + ' If it is a ZIP archive, unzip it and upload the CSV, JSON or Parquet file inside.'
				: 'Unzip it and upload the CSV, JSON or Parquet file inside; if it is a spreadsheet, export the sheet as CSV from the spreadsheet program.'
	},
	{ bytes: [0x50, 0x4b, 0x05, 0x06], name: () => 'an empty ZIP archive', hint: () => EXPORT_HINT },
	{
		bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
		name: () => 'an old-style Microsoft Office file (for example an Excel .xls workbook)',
		hint: () => SPREADSHEET_HINT
	},
	{
		bytes: [0x1f, 0x8b],
		name: () => 'a gzip-compressed file',
		hint: () => 'Decompress it first (for example with gunzip or 7-Zip) and upload the file inside.'
	},
	{
		bytes: ascii('%PDF-'),
		name: () => 'a PDF document',
		hint: () => 'A PDF report cannot be imported. ' + EXPORT_HINT
	},
	{
		bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
		name: () => 'a 7-Zip archive',
		hint: () => 'Extract it first and upload the file inside.'
	},
	{
		bytes: ascii('Rar!\x1a\x07'),
		name: () => 'a RAR archive',
		hint: () => 'Extract it first and upload the file inside.'
	},
	{
		bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
		name: () => 'an xz-compressed file',
		hint: () => 'Decompress it first (for example with unxz or 7-Zip) and upload the file inside.'
	},
	{
		bytes: [0x28, 0xb5, 0x2f, 0xfd],
		name: () => 'a zstd-compressed file',
		hint: () => 'Decompress it first (zstd -d) and upload the file inside.'
	},
	{
		bytes: ascii('SQLite format 3\0'),
		name: () => 'an SQLite database',
		hint: () => 'Export the tables as CSV or Parquet (for example with sqlite3 -csv) and upload those files.'
	}
];

function zipName(ext: string): string {
	if (ext === '.xlsx' || ext === '.xlsm') return 'an Excel workbook (.xlsx, a ZIP archive)';
	if (ext === '.ods') return 'an OpenDocument spreadsheet (.ods, a ZIP archive)';
	if (ext === '.zip') return 'a ZIP archive';
	return 'a ZIP archive (or an Excel .xlsx workbook, which is a ZIP archive)';
}

function rejectBinary(head: Buffer, ext: string): void {
	for (const sig of SIGNATURES) {
		if (startsWith(head, sig.bytes, sig.at ?? 0)) {
			throw new IngestError(
				'binary_file',
				`This is ${sig.name(ext)}, not CSV, JSON or Parquet.`,
				sig.hint(ext)
			);
		}
	}
	if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || startsWith(head, [0, 0, 0xfe, 0xff]))) {
		const kind =
			startsWith(head, [0xff, 0xfe, 0, 0]) || startsWith(head, [0, 0, 0xfe, 0xff]) ? 'UTF-32' : 'UTF-16';
		throw utf16Error(`${kind} (it starts with a ${kind} byte-order mark)`, kind);
	}
	const sample = head.subarray(0, SAMPLE_BYTES);
	const nul = sample.indexOf(0);
	if (nul !== -1) {
		const utf16 = utf16WithoutBom(sample);
		if (utf16) throw utf16Error(`UTF-16 (${utf16}, without a byte-order mark)`, 'UTF-16');
		throw new IngestError(
			'binary_file',
			`This looks like a binary file (NUL bytes at offset ${formatInt(nul)}), not CSV, JSON or Parquet.`,
			EXPORT_HINT
		);
	}
	let control = 0;
	for (let i = 0; i < sample.length; i++) {
		const b = sample[i];
		if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1a) || b === 0x7f) control++;
	}
	if (control >= 4 && control / sample.length > 0.1) {
		const pct = Math.round((control / sample.length) * 100);
		throw new IngestError(
			'binary_file',
			`This looks like a binary file (${pct}% of the first ${formatBytes(sample.length)} are control characters), not CSV, JSON or Parquet.`,
			EXPORT_HINT
		);
	}
}

function utf16WithoutBom(sample: Buffer): string | null {
	const pairs = Math.floor(sample.length / 2);
	if (pairs < 2) return null;
	let even = 0;
	let odd = 0;
	for (let i = 0; i + 1 < sample.length; i += 2) {
		if (sample[i] === 0) even++;
		if (sample[i + 1] === 0) odd++;
	}
	if (odd / pairs > 0.3 && even / pairs < 0.05) return 'little-endian';
	if (even / pairs > 0.3 && odd / pairs < 0.05) return 'big-endian';
	return null;
}

function utf16Error(what: string, kind: string): IngestError {
	return new IngestError(
		'invalid_encoding',
		`This file is encoded as ${what}; Caselens reads UTF-8 or Latin-1 text.`,
		`Re-save it as UTF-8 (in Excel: Save As > "CSV UTF-8"; in a text editor: save with encoding UTF-8) and upload it again. ${kind} is what Excel writes for "Unicode Text".`
	);
}

/** HTML (a failed download or login page saved as .csv) and XML exports are text but not importable. */
function rejectMarkup(head: Buffer, firstChar: number): void {
	if (head[firstChar] !== 0x3c /* < */) return;
	const start = head.subarray(firstChar, firstChar + 512).toString('latin1').toLowerCase();
	if (/^<(!doctype html|html|head|body)\b/.test(start)) {
		throw new IngestError(
			'unknown_format',
			'This is an HTML web page, not a CSV, JSON or Parquet export.',
			'The download probably failed or asked for a login. Download the export again from the help desk (while logged in) and upload that file.'
		);
	}
	if (start.startsWith('<?xml') || /^<[a-z_][\w.-]*[\s>]/.test(start)) {
		throw new IngestError(
			'unknown_format',
			'This is an XML file; Caselens imports CSV, JSON arrays, NDJSON and Parquet.',
			'Export the data from the help desk as CSV or JSON instead of XML.'
		);
	}
}

// ---------------------------------------------------------------------------------------------
// Format, line endings
// ---------------------------------------------------------------------------------------------

function isWs(b: number): boolean {
	return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function skipWhitespace(buf: Uint8Array, i: number): number {
	while (i < buf.length && isWs(buf[i])) i++;
	return i;
}

/** Content decides; the extension only breaks ties (see analyseStructure for NDJSON vs CSV). */
function detectFormat(head: Buffer, firstChar: number, ext: string): FileFormat {
	const c = head[firstChar];
	if (c === 0x7b /* { */) return 'ndjson';
	if (c === 0x5b /* [ */) {
		// "[id],[name]" (SQL Server style CSV header) is not JSON: look at what follows the '['.
		const next = skipWhitespace(head, firstChar + 1);
		if (next >= head.length) return 'json';
		const d = head[next];
		const jsonStart =
			d === 0x7b || d === 0x5d || d === 0x5b || d === 0x22 || d === 0x2d || (d >= 0x30 && d <= 0x39) || d === 0x74 || d === 0x66 || d === 0x6e;
		if (jsonStart) return 'json';
		if (ext === '.json') return 'json'; // broken JSON in a .json file: report it as JSON
		return 'csv';
	}
	return 'csv';
}

function detectLineEnding(head: Buffer, from: number): 'lf' | 'crlf' | 'cr' | undefined {
	for (let i = from; i < head.length; i++) {
		const b = head[i];
		if (b === LF) return 'lf';
		if (b === CR) {
			if (i + 1 < head.length) return head[i + 1] === LF ? 'crlf' : 'cr';
			return head.length === i + 1 ? 'cr' : undefined;
		}
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// Structure: CSV delimiter + header span, JSON first object span, NDJSON first line span
// ---------------------------------------------------------------------------------------------

type Structure =
	| { format: 'csv'; delimiter: string; fields: Array<[number, number]> }
	| { format: 'json'; object: [number, number] | null }
	| { format: 'ndjson'; line: [number, number] }
	| { format: 'parquet' };

function analyseStructure(
	head: Buffer,
	firstChar: number,
	contentStart: number,
	whole: boolean,
	format: FileFormat,
	ext: string
): Structure {
	if (format === 'json') return { format: 'json', object: findFirstJsonObject(head, firstChar, whole) };
	if (format === 'ndjson') {
		const line = firstNdjsonLine(head, firstChar, whole, ext);
		if (line) return { format: 'ndjson', line };
		// A '{' first line that is not JSON in a .csv/.tsv/.txt file: treat it as CSV.
	}
	return analyseCsv(head, contentStart, whole, ext);
}

function firstNdjsonLine(head: Buffer, start: number, whole: boolean, ext: string): [number, number] | null {
	// The head is longer than the line limit, so unless the scanner already flagged a too-long first
	// line, the whole first line is in the head.
	let end = head.indexOf(LF, start);
	if (end === -1) end = head.length;
	const text = head.subarray(start, end).toString('latin1').replace(/\r$/, '');
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (err) {
		if (['.csv', '.tsv', '.txt', '.psv'].includes(ext)) return null;
		const detail = err instanceof Error ? ` (${err.message})` : '';
		throw new IngestError(
			'malformed_file',
			`The file starts with "{" but its first line is not a complete JSON object${detail}, so it is neither NDJSON (one JSON object per line) nor a JSON array.`,
			'If the file is one JSON document wrapping the records (for example {"tickets": [...]}), export the records as a JSON array or as NDJSON with one object per line, and upload that file.'
		);
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new IngestError(
			'malformed_file',
			'The first line of this NDJSON file is not a JSON object.',
			'NDJSON must hold one JSON object ({...}) per line. Export the records again as NDJSON or as a JSON array of objects.'
		);
	}
	return [start, end];
}

/** Byte span of the first object in a JSON array (null for an empty array). Head only. */
function findFirstJsonObject(head: Buffer, firstChar: number, whole: boolean): [number, number] | null {
	const i = skipWhitespace(head, firstChar + 1);
	if (i >= head.length) throw jsonError('The file holds only "[": the JSON array is not closed.', whole, head);
	const c = head[i];
	if (c === 0x5d /* ] */) return null;
	if (c !== 0x7b) {
		const ch = String.fromCharCode(c);
		throw new IngestError(
			'malformed_file',
			`The JSON array does not hold objects: its first element starts with "${ch}" instead of "{".`,
			'Export the records as a JSON array of objects ([{"case_id": ...}, ...]) or as NDJSON.'
		);
	}
	let depth = 0;
	let inString = false;
	for (let p = i; p < head.length; p++) {
		const b = head[p];
		if (inString) {
			if (b === 0x5c /* \ */) p++;
			else if (b === 0x22) inString = false;
			continue;
		}
		if (b === 0x22) inString = true;
		else if (b === 0x7b || b === 0x5b) depth++;
		else if (b === 0x7d || b === 0x5d) {
			depth--;
			if (depth === 0) {
				const span: [number, number] = [i, p + 1];
				parseJsonObject(head, span, 'The first record of the JSON array');
				return span;
			}
		}
	}
	throw jsonError('The first record of the JSON array never ends (its closing "}" is missing).', whole, head);
}

function jsonError(wholeMessage: string, whole: boolean, head: Buffer): IngestError {
	if (whole) {
		return new IngestError(
			'malformed_file',
			wholeMessage,
			'The file is probably cut off or not valid JSON. Export it again and upload the complete file.'
		);
	}
	return new IngestError(
		'malformed_file',
		`The first record of the JSON array is larger than ${formatBytes(head.length)}, or the array is not valid JSON.`,
		'Check that the file is a JSON array of records ([{...}, {...}]); if the records really are that large, export them as CSV or Parquet.'
	);
}

function parseJsonObject(head: Buffer, span: [number, number], what: string, encoding: 'utf-8' | 'latin-1' = 'latin-1'): Record<string, unknown> {
	const text = decodeText(head.subarray(span[0], span[1]), encoding);
	try {
		return JSON.parse(text.replace(/\r$/, '')) as Record<string, unknown>;
	} catch (err) {
		throw new IngestError(
			'malformed_file',
			`${what} is not valid JSON (${err instanceof Error ? err.message : String(err)}).`,
			'The file is probably damaged or not really JSON. Export it again and upload the new file.'
		);
	}
}

interface CsvRecord {
	fields: Array<[number, number]>;
}

/**
 * Parse up to `max` non-blank CSV records of `s` (a Latin-1 decoding of the head, so indices are
 * byte offsets) with delimiter `d`. A quote opens a quoted field only at the start of a field
 * (after optional spaces); "" inside quotes is an escaped quote. Returns `unclosedAt` when a
 * quoted field is still open at the end of the text.
 */
function parseCsvRecords(
	s: string,
	start: number,
	d: number,
	max: number,
	whole: boolean
): { records: CsvRecord[]; unclosedAt?: number } {
	const records: CsvRecord[] = [];
	const n = s.length;
	let i = start;
	while (i < n && records.length < max) {
		const fields: Array<[number, number]> = [];
		let fieldStart = i;
		let atFieldStart = true;
		let ended = false;
		while (i < n) {
			const c = s.charCodeAt(i);
			if (atFieldStart && c === 0x22) {
				const openAt = i;
				i++;
				for (;;) {
					if (i >= n) return { records, unclosedAt: openAt };
					if (s.charCodeAt(i) === 0x22) {
						if (s.charCodeAt(i + 1) === 0x22) i += 2;
						else {
							i++;
							break;
						}
					} else i++;
				}
				atFieldStart = false;
				continue;
			}
			if (c === d) {
				fields.push([fieldStart, i]);
				i++;
				fieldStart = i;
				atFieldStart = true;
				continue;
			}
			if (c === LF || c === CR) {
				fields.push([fieldStart, i]);
				i += c === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
				ended = true;
				break;
			}
			if (c !== 0x20) atFieldStart = false;
			i++;
		}
		if (!ended) {
			if (!whole) break; // record cut off by the end of the head: ignore it
			fields.push([fieldStart, i]);
		}
		const blank = fields.length === 1 && s.slice(fields[0][0], fields[0][1]).trim() === '';
		if (!blank) records.push({ fields });
	}
	return { records };
}

const DELIMITERS = [',', ';', '\t', '|'];

function analyseCsv(head: Buffer, contentStart: number, whole: boolean, ext: string): Structure {
	const s = head.toString('latin1');
	let order = DELIMITERS;
	if (ext === '.tsv' || ext === '.tab') order = ['\t', ',', ';', '|'];
	else if (ext === '.psv') order = ['|', ',', ';', '\t'];

	let best: { delimiter: string; score: number } | null = null;
	for (const delimiter of order) {
		const { records } = parseCsvRecords(s, contentStart, delimiter.charCodeAt(0), DELIMITER_SAMPLE_RECORDS, whole);
		if (records.length === 0) continue;
		const width = records[0].fields.length;
		if (width <= 1) continue;
		const score = records.filter((r) => r.fields.length === width).length;
		if (!best || score > best.score) best = { delimiter, score };
	}
	const delimiter = best ? best.delimiter : ',';

	const { records, unclosedAt } = parseCsvRecords(s, contentStart, delimiter.charCodeAt(0), 1, whole);
	if (records.length === 0) {
		if (unclosedAt !== undefined && whole) {
			throw new IngestError(
				'malformed_file',
				`The header row opens a quote (") at offset ${formatInt(unclosedAt)} that is never closed.`,
				'Fix the quote in the first line of the file (column names containing the delimiter must be enclosed in a pair of double quotes) or export the file again.'
			);
		}
		throw new IngestError(
			'malformed_file',
			`The header row is longer than ${formatBytes(head.length)}; it probably has a quote (") that is never closed.`,
			'Check the first line of the file in a text editor, fix the quotes, or export the file again.'
		);
	}
	return { format: 'csv', delimiter, fields: records[0].fields };
}

/** Text in the file's encoding; Latin-1 is read as Windows-1252, as the load reads it (see windows-1252.ts). */
function decodeText(bytes: Buffer, encoding: 'utf-8' | 'latin-1'): string {
	return encoding === 'utf-8' ? bytes.toString('utf8') : decodeWindows1252(bytes);
}

function decodeHeader(head: Buffer, structure: Structure, encoding: 'utf-8' | 'latin-1'): string[] | undefined {
	switch (structure.format) {
		case 'csv':
			return structure.fields.map(([a, b]) => unquote(decodeText(head.subarray(a, b), encoding).trim()));
		case 'json':
			return structure.object ? Object.keys(parseJsonObject(head, structure.object, 'The first record of the JSON array', encoding)) : [];
		case 'ndjson':
			return Object.keys(parseJsonObject(head, structure.line, 'The first line of the NDJSON file', encoding));
		default:
			return undefined;
	}
}

function unquote(field: string): string {
	if (!field.startsWith('"')) return field;
	let out = '';
	let i = 1;
	while (i < field.length) {
		const c = field[i];
		if (c === '"') {
			if (field[i + 1] === '"') {
				out += '"';
				i += 2;
				continue;
			}
			// closing quote: keep anything after it (malformed, but do not lose it)
			return (out + field.slice(i + 1)).trim();
		}
		out += c;
		i++;
	}
	return out.trim();
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

function tooLarge(size: number, maxBytes: number): IngestError {
	const suggested = Math.ceil(size / MiB);
	return new IngestError(
		'file_too_large',
		`The file is ${formatMB(size)} (${formatInt(size)} bytes), larger than the upload limit of ${formatMB(maxBytes)}.`,
		`Raise the limit by setting the environment variable CASELENS_MAX_UPLOAD_MB (for example CASELENS_MAX_UPLOAD_MB=${suggested}) and restarting Caselens, or split the export into smaller files and import them one by one.`
	);
}

function formatInt(n: number): string {
	return n.toLocaleString('en-US');
}

/** Megabytes as used by CASELENS_MAX_UPLOAD_MB (1 MB = 1,048,576 bytes). */
function formatMB(n: number): string {
	const mb = n / MiB;
	if (Number.isInteger(mb)) return `${mb} MB`;
	return `${mb < 10 ? mb.toFixed(2) : mb.toFixed(1)} MB`;
}

function formatBytes(n: number): string {
	if (n >= MiB) {
		const v = n / MiB;
		return `${Number.isInteger(v) ? v : v.toFixed(1)} MiB`;
	}
	if (n >= KiB) {
		const v = n / KiB;
		return `${Number.isInteger(v) ? v : v.toFixed(1)} KiB`;
	}
	return `${n} bytes`;
}

function hexByte(b: number): string {
	return '0x' + b.toString(16).toUpperCase().padStart(2, '0');
}
