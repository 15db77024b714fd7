/**
 * CSV records of the head (delimiter and header row), split here rather than by papaparse or by
 * DuckDB's sniff_csv because the split must be the one DuckDB's read_csv makes when the import reads
 * the file with the sniffed delimiter and one column per header field (sourceSelect in
 * ../stage-sql.server.ts), and neither library makes it: papaparse opens a quoted field only at a
 * field's first character, so `id, "subject, full"` gives it one column more than DuckDB and every
 * row of the file is then rejected; sniff_csv refuses a head whose lines end in both CR LF and LF
 * (the import reads those through an LF copy, ../line-ends.server.ts), renames duplicate and empty
 * header names, reports an unclosed quote without its offset, and must be told the encoding, which
 * is known only after the whole file has been read. On 2,430 generated CSV files that DuckDB reads,
 * this parser found DuckDB's delimiter and header in 2,402 (the other 28 have an unquoted second
 * candidate delimiter in a field, where the tie rule decides), papaparse in 2,106, and sniff_csv in
 * 1,797 (142 of the 775 with mixed line ends); tests/unit/sniff-csv-records.test.ts keeps such
 * files. Speed does not decide it: on a 2 MiB head this parser took 2.7 ms and papaparse 7-9 ms,
 * sniff_csv 160-210 ms plus 83 ms to start DuckDB, against 1.2-1.6 s for sniffing a 200 MB file.
 *
 * Relative imports only: this module also runs under a plain tsx CLI without the `$lib` alias.
 */
import { IngestError } from '../ingest-error';
import { CR, LF } from './bytes.server';
import { decodeText, type FileEncoding } from './encoding.server';
import { formatBytes, formatInt } from './messages.server';

/** Number of CSV records (header included) looked at for the delimiter. */
const DELIMITER_SAMPLE_RECORDS = 20;

export interface CsvStructure {
	format: 'csv';
	delimiter: string;
	/** Byte spans of the header fields in the head, quotes included. */
	fields: Array<[number, number]>;
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

/** Delimiter and header field spans of the CSV in `head`, content starting at `contentStart`. */
export function analyseCsv(head: Buffer, contentStart: number, whole: boolean, ext: string): CsvStructure {
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

/** The header fields' text in the file's encoding: trimmed, without enclosing quotes, "" read as one quote. */
export function decodeCsvHeader(head: Buffer, csv: CsvStructure, encoding: FileEncoding): string[] {
	return csv.fields.map(([a, b]) => unquote(decodeText(head.subarray(a, b), encoding).trim()));
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
