/**
 * What kind of text file the head is (CSV, JSON array, NDJSON) and where its header is. The head is
 * looked at as raw bytes before the encoding is known (the structure is ASCII in both UTF-8 and
 * Latin-1); only the header text is decoded, once the whole file has decided the encoding.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { CR, LF, skipWhitespace } from './bytes.server';
import { analyseCsv, decodeCsvHeader, type CsvStructure } from './csv-records.server';
import type { FileEncoding } from './encoding.server';
import { findFirstJsonObject, firstNdjsonLine, parseJsonObject } from './json.server';

export type FileFormat = 'csv' | 'json' | 'ndjson' | 'parquet';

export type Structure =
	| CsvStructure
	| { format: 'json'; object: [number, number] | null }
	| { format: 'ndjson'; line: [number, number] }
	| { format: 'parquet' };

/** Content decides; the extension only breaks ties (see analyseStructure for NDJSON vs CSV). */
export function detectFormat(head: Buffer, firstChar: number, ext: string): FileFormat {
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

export function detectLineEnding(head: Buffer, from: number): 'lf' | 'crlf' | 'cr' | undefined {
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

/** CSV delimiter + header span, JSON first object span, NDJSON first line span. */
export function analyseStructure(
	head: Buffer,
	firstChar: number,
	contentStart: number,
	whole: boolean,
	format: FileFormat,
	ext: string
): Structure {
	if (format === 'json') return { format: 'json', object: findFirstJsonObject(head, firstChar, whole) };
	if (format === 'ndjson') {
		const line = firstNdjsonLine(head, firstChar, ext);
		if (line) return { format: 'ndjson', line };
		// A '{' first line that is not JSON in a .csv/.tsv/.txt file: treat it as CSV.
	}
	return analyseCsv(head, contentStart, whole, ext);
}

export function decodeHeader(head: Buffer, structure: Structure, encoding: FileEncoding): string[] | undefined {
	switch (structure.format) {
		case 'csv':
			return decodeCsvHeader(head, structure, encoding);
		case 'json':
			return structure.object ? Object.keys(parseJsonObject(head, structure.object, 'The first record of the JSON array', encoding)) : [];
		case 'ndjson':
			return Object.keys(parseJsonObject(head, structure.line, 'The first line of the NDJSON file', encoding));
		default:
			return undefined;
	}
}
