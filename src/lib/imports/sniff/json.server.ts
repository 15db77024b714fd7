/**
 * The first JSON record of a JSON array or NDJSON file, found in the head only: its keys are the
 * header, and a first record that does not parse stops the import before the whole file is read.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { IngestError } from '../ingest-error';
import { LF, skipWhitespace } from './bytes.server';
import { decodeText, type FileEncoding } from './encoding.server';
import { formatBytes } from './messages.server';

/** Byte span of the first line when it is a JSON object; null when it is not JSON but the extension says CSV. */
export function firstNdjsonLine(head: Buffer, start: number, ext: string): [number, number] | null {
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
export function findFirstJsonObject(head: Buffer, firstChar: number, whole: boolean): [number, number] | null {
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
	const end = bracketEnd(head, i);
	if (end !== -1) {
		const span: [number, number] = [i, end];
		parseJsonObject(head, span, 'The first record of the JSON array');
		return span;
	}
	throw jsonError('The first record of the JSON array never ends (its closing "}" is missing).', whole, head);
}

/** Index just past the bracket that closes the object or array opening at `open`; -1 when the head ends first. */
function bracketEnd(buf: Buffer, open: number): number {
	let depth = 0;
	for (let p = open; p < buf.length; p++) {
		switch (buf[p]) {
			case 0x22 /* " */:
				p = stringEnd(buf, p);
				if (p === -1) return -1;
				break;
			case 0x7b /* { */:
			case 0x5b /* [ */:
				depth++;
				break;
			case 0x7d /* } */:
			case 0x5d /* ] */:
				if (--depth === 0) return p + 1;
				break;
		}
	}
	return -1;
}

/** Index of the quote that closes the JSON string opening at `open` (a backslash escapes the next byte); -1 when none. */
function stringEnd(buf: Buffer, open: number): number {
	for (let p = open + 1; p < buf.length; p++) {
		if (buf[p] === 0x5c /* \ */) p++;
		else if (buf[p] === 0x22) return p;
	}
	return -1;
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

export function parseJsonObject(head: Buffer, span: [number, number], what: string, encoding: FileEncoding = 'latin-1'): Record<string, unknown> {
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
