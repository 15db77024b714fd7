/**
 * UTF-8 or Latin-1: the two encodings DuckDB reads. A file is UTF-8 unless a strict check finds an
 * invalid byte; then chardet must agree that it is a Latin-script single-byte encoding before it is
 * read as Latin-1, because reading Cyrillic or Greek as Latin-1 would import readable-looking junk.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { analyse as chardetAnalyse } from 'chardet';
import { IngestError } from '../ingest-error';
import { decodeWindows1252 } from '../windows-1252.server';
import { SAMPLE_BYTES } from './bytes.server';
import { formatInt, hexByte } from './messages.server';

export type FileEncoding = 'utf-8' | 'latin-1';

export interface Utf8Failure {
	offset: number;
	line: number;
	byte: number;
	/** Bytes around the failure, for chardet (only kept when the failure is past the first 64 KiB). */
	sample: Buffer | null;
	/** Valid non-ASCII UTF-8 was seen before the failure (the file may mix encodings). */
	utf8Before: boolean;
}

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

/** Length of `data` without a trailing, incomplete (not yet invalid) UTF-8 sequence. */
export function completeUtf8Length(data: Buffer): number {
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

/** The error for invalid UTF-8 when the user asked for UTF-8 (thrown as soon as it is found). */
export function invalidUtf8Error(f: Utf8Failure): IngestError {
	return new IngestError(
		'invalid_encoding',
		`The file is not valid UTF-8: the first invalid byte (${hexByte(f.byte)}) is at offset ${formatInt(f.offset)} (line ${formatInt(f.line)}).`,
		'Re-save the file as UTF-8 and upload it again, or, if it was exported as Latin-1 / Windows-1252, ' +
			'import it with the encoding set to Latin-1 (CLI: --encoding latin-1).'
	);
}

/** `f`: the scanner's first invalid UTF-8 byte in the whole file (null: none, or not checked). */
export function decideEncoding(
	f: Utf8Failure | null,
	option: FileEncoding | 'auto',
	bom: boolean,
	head: Buffer
): { encoding: FileEncoding; encodingNote?: string } {
	if (option === 'latin-1') {
		return {
			encoding: 'latin-1',
			encodingNote: bom
				? 'read as Latin-1 as requested (not checked), although the file starts with a UTF-8 byte-order mark'
				: 'read as Latin-1 as requested (not checked)'
		};
	}
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

/** Text in the file's encoding; Latin-1 is read as Windows-1252, as the load reads it (see windows-1252.server.ts). */
export function decodeText(bytes: Buffer, encoding: FileEncoding): string {
	return encoding === 'utf-8' ? bytes.toString('utf8') : decodeWindows1252(bytes);
}
