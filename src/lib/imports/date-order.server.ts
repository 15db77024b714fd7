import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { columnsFor, type ImportKind } from './canonical-columns';
import { normaliseSource, type ColumnMapping, type ColumnSource } from './column-mapping';
import { IngestError } from './ingest-error';
import type { SniffResult } from './sniff-file.server';
import { sourceSelect } from './stage-sql.server';

/** Records looked at: enough to meet a day above 12 in any export of a few weeks. */
const SAMPLE_ROWS = 5000;
const NUMERIC_DATE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?)(?:\s*([AaPp][Mm]))?)?$/;

interface Reading {
	column: string;
	example: string;
	order: 'day_first' | 'month_first' | 'ambiguous' | 'contradictory';
	formats: string[];
	/** A value that settles the order, when one does. */
	decisive?: string;
}

function formatsFor(separator: string, yearDigits: number, order: 'day_first' | 'month_first', time: boolean, ampm: boolean, seconds: boolean): string[] {
	const date = order === 'day_first' ? `%d${separator}%m${separator}%${yearDigits === 2 ? 'y' : 'Y'}` : `%m${separator}%d${separator}%${yearDigits === 2 ? 'y' : 'Y'}`;
	if (!time) return [date];
	const clock = ampm ? (seconds ? '%I:%M:%S %p' : '%I:%M %p') : seconds ? '%H:%M:%S' : '%H:%M';
	return [`${date} ${clock}`, date];
}

function judge(column: string, values: string[]): Reading | undefined {
	let dayFirst: string | undefined;
	let monthFirst: string | undefined;
	let example: RegExpExecArray | undefined;
	let exampleText = '';
	let matched = 0;
	for (const value of values) {
		const m = NUMERIC_DATE.exec(value.trim());
		if (!m) continue;
		matched++;
		if (!example) {
			example = m;
			exampleText = value.trim();
		}
		if (Number(m[1]) > 12) dayFirst ??= value.trim();
		if (Number(m[3]) > 12) monthFirst ??= value.trim();
	}
	// A few stray numeric dates among ISO ones are rows to reject, not the file's layout.
	if (!example || matched * 2 < values.length) return undefined;
	const order = dayFirst && monthFirst ? 'contradictory' : dayFirst ? 'day_first' : monthFirst ? 'month_first' : 'ambiguous';
	const seconds = example[5]?.split(':').length === 3;
	const formats = formatsFor(example[2], example[4].length, order === 'month_first' ? 'month_first' : 'day_first', example[5] !== undefined, example[6] !== undefined, seconds);
	return { column, example: exampleText, order, formats, decisive: dayFirst ?? monthFirst };
}

function readAs(text: string, order: 'day_first' | 'month_first'): string {
	const m = NUMERIC_DATE.exec(text)!;
	const [a, b] = [Number(m[1]), Number(m[3])];
	const [day, month] = order === 'day_first' ? [a, b] : [b, a];
	const year = m[4].length === 2 ? 2000 + Number(m[4]) : Number(m[4]);
	if (month > 12) return 'no date';
	return new Date(Date.UTC(year, month - 1, day)).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The time columns whose first source has neither a declared format nor a duration: the ones whose order is guessed. */
function undeclaredTimeSources(kind: ImportKind, mapping: ColumnMapping, headers: readonly string[]): { column: string; index: number }[] {
	const out: { column: string; index: number }[] = [];
	for (const column of columnsFor(kind).filter((c) => c.type === 'timestamp' || c.type === 'date')) {
		const spec: ColumnSource | undefined = mapping.columns[column.name];
		if (spec === undefined) continue;
		const source = normaliseSource(spec);
		if (source.format || source.after || source.lookup) continue;
		const header = source.from[0];
		const index = headers.findIndex((h) => h === header || h.trim().toLowerCase() === header?.trim().toLowerCase());
		if (index !== -1) out.push({ column: column.name, index });
	}
	return out;
}

/**
 * Dates written 08/01/2025 are the 8th of January in most of the world and the 1st of August in
 * the US; DuckDB reads neither without a format, so every row would be rejected as "not a
 * timestamp". Looks at the first records of the file: when most of a column's values are written
 * so and a day above 12 settles the order, the
 * column is read that way (and the summary says so); when nothing settles it, the file is refused
 * with both readings, and the format to declare for each.
 */
export async function settleDateOrder(
	db: Kysely<Database>,
	kind: ImportKind,
	mapping: ColumnMapping,
	headers: readonly string[],
	source: { path: string; sniff: SniffResult; maxLineBytes: number; tag: string }
): Promise<{ mapping: ColumnMapping; notes: string[] }> {
	const columns = undeclaredTimeSources(kind, mapping, headers);
	if (columns.length === 0) return { mapping, notes: [] };
	const names = { rejects: `date_order_rejects_${source.tag}`, rejectsScan: `date_order_scan_${source.tag}` };
	const select = sourceSelect(source.path, source.sniff, headers, names, source.maxLineBytes);
	const { rows } = await sql.raw<Record<string, string | null>>(`SELECT ${columns.map((c) => `c${c.index}`).join(', ')} FROM (${select}) LIMIT ${SAMPLE_ROWS}`).execute(db);
	if (source.sniff.format === 'csv') for (const t of [names.rejects, names.rejectsScan]) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
	const notes: string[] = [];
	const settled: ColumnMapping = { ...mapping, columns: { ...mapping.columns } };
	for (const c of columns) {
		const reading = judge(c.column, rows.map((r) => r[`c${c.index}`]).filter((v): v is string => v !== null));
		if (!reading) continue;
		const spec = mapping.columns[c.column];
		const asFormat = (formats: string[]) => `"format": ${JSON.stringify(formats.length === 1 ? formats[0] : formats)}`;
		if (reading.order === 'ambiguous' || reading.order === 'contradictory') {
			const dayFirst = formatsFor(...formatArgs(reading.example, 'day_first'));
			const monthFirst = formatsFor(...formatArgs(reading.example, 'month_first'));
			throw new IngestError(
				'ambiguous_dates',
				reading.order === 'ambiguous'
					? `${c.column} is written like "${reading.example}", which reads as ${readAs(reading.example, 'day_first')} (day first) or ${readAs(reading.example, 'month_first')} (month first), and no value in the first ${SAMPLE_ROWS.toLocaleString('en')} records settles which.`
					: `${c.column} mixes day-first and month-first dates ("${reading.decisive}" and others), so no one reading fits the file.`,
				`Say which it is in the mapping for ${c.column}: ${asFormat(dayFirst)} for day first, or ${asFormat(monthFirst)} for month first; nothing was changed.`
			);
		}
		settled.columns[c.column] = { ...(typeof spec === 'string' ? { from: spec } : spec), format: reading.formats };
		notes.push(
			`${c.column}: dates like "${reading.example}" are read ${reading.order === 'day_first' ? 'day first' : 'month first'} ("${reading.decisive}" has a ${reading.order === 'day_first' ? 'day' : 'month'} above 12 in that place); declare ${asFormat(reading.formats)} in a mapping to fix the order yourself.`
		);
	}
	return { mapping: settled, notes };
}

function formatArgs(text: string, order: 'day_first' | 'month_first'): Parameters<typeof formatsFor> {
	const m = NUMERIC_DATE.exec(text)!;
	return [m[2], m[4].length, order, m[5] !== undefined, m[6] !== undefined, m[5]?.split(':').length === 3];
}
