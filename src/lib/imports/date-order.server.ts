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

type Order = 'day_first' | 'month_first';

/** The order a list of numeric date formats assumes ('%d/%m/%Y ...' is day first), when all agree. */
function declaredOrder(formats: readonly string[]): Order | undefined {
	const orders = new Set(formats.map((f) => (/%d[/.-]%m/.test(f) ? 'day_first' : /%m[/.-]%d/.test(f) ? 'month_first' : 'other')));
	const [only] = orders;
	return orders.size === 1 && only !== 'other' ? only : undefined;
}

/** The spec with every format of `from` order (in its fallbacks too) read the other way round. */
function flipOrder(spec: ColumnSource, from: Order): ColumnSource {
	if (typeof spec === 'string') return spec;
	const flip = (f: string) => (from === 'day_first' ? f.replace(/%d([/.-])%m/, '%m$1%d') : f.replace(/%m([/.-])%d/, '%d$1%m'));
	const format = spec.format === undefined ? undefined : Array.isArray(spec.format) ? spec.format.map(flip) : flip(spec.format);
	return { ...spec, ...(format === undefined ? {} : { format }), ...(spec.otherwise === undefined ? {} : { otherwise: flipOrder(spec.otherwise, from) }) };
}

/**
 * The time columns whose order is read from the data: those whose first source has neither a
 * declared format nor a duration and, for a preset, those whose declared formats only assume an
 * order (a help desk writes dates in the account's own format, which the preset cannot know).
 */
function judgedTimeSources(kind: ImportKind, mapping: ColumnMapping, headers: readonly string[], preset: boolean): { column: string; index: number; assumed?: Order }[] {
	const out: { column: string; index: number; assumed?: Order }[] = [];
	for (const column of columnsFor(kind).filter((c) => c.type === 'timestamp' || c.type === 'date')) {
		const spec: ColumnSource | undefined = mapping.columns[column.name];
		if (spec === undefined) continue;
		const source = normaliseSource(spec);
		if (source.after || source.lookup) continue;
		const assumed = source.format && preset ? declaredOrder(source.format) : undefined;
		if (source.format && !assumed) continue;
		const header = source.from[0];
		const index = headers.findIndex((h) => h === header || h.trim().toLowerCase() === header?.trim().toLowerCase());
		if (index !== -1) out.push({ column: column.name, index, ...(assumed ? { assumed } : {}) });
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
	source: { path: string; sniff: SniffResult; maxLineBytes: number; tag: string; preset?: boolean }
): Promise<{ mapping: ColumnMapping; notes: string[] }> {
	const columns = judgedTimeSources(kind, mapping, headers, source.preset ?? false);
	if (columns.length === 0) return { mapping, notes: [] };
	const names = { rejects: `date_order_rejects_${source.tag}`, rejectsScan: `date_order_scan_${source.tag}` };
	const select = sourceSelect(source.path, source.sniff, headers, names, source.maxLineBytes);
	const { rows } = await sql.raw<Record<string, string | null>>(`SELECT ${columns.map((c) => `c${c.index}`).join(', ')} FROM (${select}) LIMIT ${SAMPLE_ROWS}`).execute(db);
	if (source.sniff.format === 'csv') for (const t of [names.rejects, names.rejectsScan]) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
	const notes: string[] = [];
	const settled: ColumnMapping = { ...mapping, columns: { ...mapping.columns } };
	const asFormat = (formats: string[]) => `"format": ${JSON.stringify(formats.length === 1 ? formats[0] : formats)}`;
	const readings = columns.map((c) => ({ ...c, reading: judge(c.column, rows.map((r) => r[`c${c.index}`]).filter((v): v is string => v !== null)) }));
	// One export writes all its dates one way: a column that settles the order settles it for the
	// columns that cannot (a resolution date early in the month, a column mostly empty).
	const decisive = readings.flatMap((r) => (r.reading?.order === 'day_first' || r.reading?.order === 'month_first' ? [r.reading] : []));
	const fileOrder = new Set(decisive.map((r) => r.order)).size === 1 ? decisive[0] : undefined;
	const why = (reading: Reading) => `"${reading.decisive}" can only be read ${reading.order === 'day_first' ? 'day first: its first' : 'month first: its second'} number is above 12, so it is the day`;
	// Why a column is read as it is: its own decisive value, or the column that settled the file.
	const because = (reading: Reading) => (reading.order === 'day_first' || reading.order === 'month_first' || !fileOrder ? why(reading) : `like ${fileOrder.column}, where ${why(fileOrder)}`);
	for (const { column, assumed, reading } of readings) {
		if (!reading) continue;
		const spec = mapping.columns[column];
		const order = reading.order === 'ambiguous' && fileOrder ? fileOrder.order : reading.order;
		if (assumed) {
			// A preset's order stands unless the data proves the other one.
			if ((order === 'day_first' || order === 'month_first') && order !== assumed) {
				settled.columns[column] = flipOrder(spec, assumed);
				notes.push(`${column}: the preset reads dates ${assumed === 'day_first' ? 'day first' : 'month first'}, but this file writes them ${order === 'day_first' ? 'day first' : 'month first'} (${because(reading)}), so they are read that way.`);
			}
			continue;
		}
		if (order === 'ambiguous' || order === 'contradictory') {
			const dayFirst = formatsFor(...formatArgs(reading.example, 'day_first'));
			const monthFirst = formatsFor(...formatArgs(reading.example, 'month_first'));
			throw new IngestError(
				'ambiguous_dates',
				order === 'ambiguous'
					? `${column} is written like "${reading.example}", which reads as ${readAs(reading.example, 'day_first')} (day first) or ${readAs(reading.example, 'month_first')} (month first), and no value in the first ${SAMPLE_ROWS.toLocaleString('en')} records settles which.`
					: `${column} mixes day-first and month-first dates ("${reading.decisive}" and others), so no one reading fits the file.`,
				`Say which it is in the mapping for ${column}: ${asFormat(dayFirst)} for day first, or ${asFormat(monthFirst)} for month first; nothing was changed.`
			);
		}
		const formats = order === reading.order ? reading.formats : formatsFor(...formatArgs(reading.example, order));
		settled.columns[column] = { ...(typeof spec === 'string' ? { from: spec } : spec), format: formats };
		notes.push(`${column}: dates like "${reading.example}" are read ${order === 'day_first' ? 'day first' : 'month first'} (${because(reading)}); declare ${asFormat(formats)} in a mapping to fix the order yourself.`);
	}
	return { mapping: settled, notes };
}

function formatArgs(text: string, order: Order): Parameters<typeof formatsFor> {
	const m = NUMERIC_DATE.exec(text)!;
	return [m[2], m[4].length, order, m[5] !== undefined, m[6] !== undefined, m[5]?.split(':').length === 3];
}
