/**
 * Files that are not text exports, told apart by their first bytes so that the user hears what the
 * file is (a workbook, an archive, a PDF, UTF-16 text, a web page) and how to get a CSV from it,
 * instead of a parse error from DuckDB.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import type { FileHandle } from 'node:fs/promises';
import { IngestError } from '../ingest-error';
import { SAMPLE_BYTES, startsWith } from './bytes.server';
import { readExactly } from './io.server';
import { EXPORT_HINT, formatBytes, formatInt } from './messages.server';

/** Parquet's magic bytes, at both ends of the file. */
export const PAR1 = [0x50, 0x41, 0x52, 0x31];

function ascii(s: string): number[] {
	return Array.from(s, (c) => c.charCodeAt(0));
}

/** A file that starts with PAR1 must end with it too, or it was cut off. */
export async function checkParquetFooter(fh: FileHandle, size: number): Promise<void> {
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

/** Throws when the head is a known binary format, UTF-16/32, or mostly control bytes. */
export function rejectBinary(head: Buffer, ext: string): void {
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
export function rejectMarkup(head: Buffer, firstChar: number): void {
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
