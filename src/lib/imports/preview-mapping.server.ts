import { randomUUID } from 'node:crypto';
import { open, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import type { ImportKind } from './canonical-columns';
import type { ColumnMapping, ColumnSource } from './column-mapping';
import { IngestError } from './ingest-error';
import { countryRegionKeys } from './country-regions.server';
import { readableSource } from './readable-source.server';
import { settleDateOrder } from './date-order.server';
import { compileMapping, missingHeadersNote, type CompiledMapping } from './mapping-sql.server';
import { parseMappingJson, PREVIEW_HEAD_BYTES, type MappingPreview, type UnknownValue } from './mapping-draft';
import { checkKind, checkRequired, chooseMapping } from './resolve-mapping.server';
import { findSavedMapping } from './saved-mappings.server';
import { DEFAULT_MAX_LINE_BYTES, sniffFile, writesDecimalComma, type SniffResult } from './sniff-file.server';
import { detectSpreadsheet, spreadsheetToCsv } from './spreadsheet.server';
import { quoteIdent, quoteLiteral } from './sql-text.server';
import { piecesSelect, provenanceAlias, readerRejectsSql, sourceSelect, typedSelect } from './stage-sql.server';
import { makeTempDir } from './temp-files.server';

export interface PreviewOptions {
	/** The received file (or, from the upload page, only its first PREVIEW_HEAD_BYTES). */
	path: string;
	kind: ImportKind;
	mapping?: ColumnMapping;
	preset?: string;
	sheet?: string;
	encoding?: 'auto' | 'utf-8' | 'latin-1';
	/** The name the user knows the file by: its extension helps the sniffer. */
	fileName?: string;
	maxBytes: number;
	maxLineBytes?: number;
	/** Records to type (default 20, at most 200). */
	rows?: number;
	/** Bytes of a text file read (default PREVIEW_HEAD_BYTES). */
	headBytes?: number;
	/** Said before the preview's own warnings (keys of the mapping that were ignored). */
	notes?: string[];
}

/**
 * A mapping problem found once the file's headers are known: the editor still needs the headers
 * to let the user fix it (a workbook's headers are only known on the server).
 */
export class PreviewMappingError extends IngestError {
	readonly headers: string[];

	constructor(error: IngestError, headers: string[]) {
		super(error.code, error.message, error.hint);
		this.headers = headers;
	}
}


/**
 * What the import would store for the first `rows` records, without storing anything: the file is
 * sniffed and its mapping resolved and compiled as ingestFile (ingest-file.server.ts) does, then
 * the typed pass runs over a LIMIT of the source. No batch, no row, no archive copy; the reader's
 * reject tables are temporary and dropped.
 */
export async function previewMapping(db: Kysely<Database>, options: PreviewOptions): Promise<MappingPreview> {
	const rows = Math.min(Math.max(Math.trunc(options.rows ?? 20), 1), 200);
	const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
	const warnings = [...(options.notes ?? [])];
	const dir = await makeTempDir('preview');
	try {
		let path = options.path;
		const workbook = await detectSpreadsheet(path);
		if (workbook) {
			path = join(dir, 'sheet.csv');
			const converted = await spreadsheetToCsv(options.path, path, { sheet: options.sheet, maxBytes: options.maxBytes });
			const others = converted.sheets.filter((s) => s.name !== converted.sheet);
			warnings.push(`Sheet "${converted.sheet}" (${converted.rows.toLocaleString('en')} rows, header in row ${converted.headerRow})${others.length ? `; the workbook's other sheets: ${others.map((s) => `"${s.name}"`).join(', ')}` : ''}.`);
		}
		const head = await fileHead(path, join(dir, `head${workbook ? '.csv' : extname(options.fileName ?? path)}`), options.headBytes ?? PREVIEW_HEAD_BYTES);
		const sniff = await sniffFile(head.path, {
			maxBytes: options.maxBytes,
			maxLineBytes,
			encoding: workbook ? 'utf-8' : (options.encoding ?? 'auto'),
			fileName: workbook ? 'sheet.csv' : options.fileName
		});
		const { loadPath, loadSniff, headers } = await readableSource(db, head.path, sniff, { workDir: async () => dir, maxLineBytes, fileName: options.fileName ?? 'The file' });

		let compiled: CompiledMapping;
		let origin: string;
		const lookedUp = new Map<string, string>();
		try {
			const choice = chooseMapping(options.kind, headers, { preset: options.preset, mapping: options.mapping });
			origin = choice.origin;
			checkKind(options.kind, headers, choice.mapping);
			checkRequired(options.kind, headers, choice.mapping);
			// Numeric dates' order, settled (or refused) exactly as the import will.
			const settled = await settleDateOrder(db, options.kind, choice.mapping, headers, { path: loadPath, sniff: loadSniff, maxLineBytes, tag: randomUUID().slice(0, 8), preset: choice.preset !== undefined });
			warnings.push(...settled.notes);
			const mapping = withoutLookups(settled.mapping, lookedUp);
			const countryRegions = await countryRegionKeys(db);
			compiled = compileMapping(options.kind, mapping, headers, { countryRegions, noBreakSpaces: sniff.mayHaveNoBreakSpaces ?? false, decimalComma: writesDecimalComma(sniff) });
			if (lookedUp.size && !choice.mapping.lenient) {
				const tables = [...new Set(lookedUp.values())];
				warnings.push(
					`The preview does not read second files: choose ${tables.map((t) => `"${t}"`).join(', ')} under "Second files" before importing (without ${tables.length > 1 ? 'them' : 'it'} this mapping stops the import), or on the command line: npx caselens ingest FILE --kind ${options.kind} --mapping NAME ${tables.map((t) => `--lookup ${t}=FILE`).join(' ')}.`
				);
			}
		} catch (error) {
			throw error instanceof IngestError ? new PreviewMappingError(error, headers) : error;
		}
		const missingNote = missingHeadersNote(compiled);
		if (missingNote) warnings.push(missingNote);

		const typed = await typedRows(db, compiled, headers, loadPath, loadSniff, rows, maxLineBytes).catch((error: unknown) => {
			throw explainPreviewError(error, headers);
		});
		if (typed.rows.length === 0) warnings.push('The file has a header but no data rows in the part read.');
		return {
			mapping: origin,
			format: workbook ?? sniff.format,
			encoding: sniff.encoding,
			delimiter: sniff.delimiter ?? null,
			headers,
			...typed.result,
			columns: compiled.columns.map((c) => ({
				name: c.column.name,
				type: c.column.type,
				required: c.column.required ?? false,
				how: lookedUp.has(c.column.name) ? `${c.how}; looked up in the second file "${lookedUp.get(c.column.name)}" when it is given under "Second files" (not previewed)` : c.how,
				values: typed.rows.map((r) => r[`v_${c.column.name}`] ?? null)
			})),
			partial: head.partial,
			warnings
		};
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

type Row = Record<string, string | number | null>;

/** The typed pass over the first `rows` records, with the enumerated columns' texts beside it. */
async function typedRows(db: Kysely<Database>, compiled: CompiledMapping, headers: readonly string[], path: string, sniff: SniffResult, rows: number, maxLineBytes: number) {
	return db.connection().execute(async (conn) => {
		// Each read of the file gets its own reject tables (DuckDB makes them temporary); unique
		// names keep concurrent previews apart.
		const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
		const names = [1, 2].map((i) => ({ rejects: `preview_rejects_${suffix}_${i}`, rejectsScan: `preview_rejects_scan_${suffix}_${i}` }));
		const limited = (i: number) => `SELECT * FROM (${sourceSelect(path, sniff, headers, names[i], maxLineBytes)}) LIMIT ${rows}`;
		const display = compiled.columns.map((c) => {
			const adjustments = compiled.adjustments.filter((a) => a.column === c.column.name);
			const name = quoteIdent(c.column.name);
			const stored = adjustments.length ? `(CASE WHEN ${adjustments.map((a) => `(${a.when}) IS TRUE`).join(' OR ')} THEN NULL ELSE ${name} END)` : name;
			const text = c.column.type === 'timestamp' ? `strftime(${stored}, '%Y-%m-%dT%H:%M:%S') || 'Z'` : `CAST(${stored} AS VARCHAR)`;
			return `${text} AS ${quoteIdent(`v_${c.column.name}`)}`;
		});
		const notes = compiled.adjustments.map((a) => `CASE WHEN (${a.when}) IS TRUE THEN ${quoteLiteral(`${a.column}: ${a.what}`)} END`);
		const enums = compiled.columns.filter((c) => c.column.type === 'enum' && c.column.values?.length && !c.value.startsWith('CAST(NULL AS'));
		const provenance = enums.filter((c) => c.provenance).map((c) => `CAST(${quoteIdent(provenanceAlias(c))} AS INTEGER) AS ${quoteIdent(`p_${c.column.name}`)}`);
		const typed = `(${typedSelect(compiled, headers, limited(0), 'NULL')})`;
		// The texts as the file wrote them (the key a value table needs) come from a second read of
		// the same records, side by side: typedSelect keeps only typed values.
		const from = enums.length ? `${typed} POSITIONAL JOIN (SELECT ${enums.map((c) => `${c.text} AS ${quoteIdent(`u_${c.column.name}`)}`).join(', ')} FROM (${piecesSelect(compiled, limited(1))}))` : typed;
		const select = [...display, 'reason', `${notes.length ? `nullif(concat_ws('; ', ${notes.join(', ')}), '')` : 'CAST(NULL AS VARCHAR)'} AS note`, ...provenance, ...enums.map((c) => quoteIdent(`u_${c.column.name}`))];
		try {
			const result = (await sql.raw<Row>(`SELECT ${select.join(', ')} FROM ${from}`).execute(conn)).rows;
			const rejects =
				sniff.format === 'csv'
					? (
							await sql.raw<{ line: number | bigint; reason: string }>(
								`SELECT line, reason FROM (${readerRejectsSql(names[0].rejects)}) ORDER BY line`
							).execute(conn)
						).rows.map((r) => ({ line: Number(r.line), reason: `the CSV reader could not split this record: ${r.reason}` }))
					: [];
			const lines = recordLines(result.length, sniff.format === 'csv' ? 2 : 1, rejects.map((r) => r.line));
			const last = lines.length ? lines[lines.length - 1] : (sniff.format === 'csv' ? 1 : 0) + rows;
			return {
				rows: result.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])) as Record<string, string | null>),
				result: {
					lines,
					reasons: result.map((r) => (r.reason === null ? null : String(r.reason))),
					notes: result.map((r) => (r.note === null ? null : String(r.note))),
					unknown: unknownValues(compiled, enums, result),
					unreadable: rejects.filter((r) => r.line <= last)
				}
			};
		} finally {
			for (const n of names) for (const t of [n.rejects, n.rejectsScan]) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(conn);
		}
	});
}

/** The line of each parsed record: in file order, skipping the lines the reader rejected. */
function recordLines(count: number, first: number, rejected: readonly number[]): number[] {
	const skipped = new Set(rejected);
	const lines: number[] = [];
	for (let line = first; lines.length < count; line++) if (!skipped.has(line)) lines.push(line);
	return lines;
}

function unknownValues(compiled: CompiledMapping, enums: CompiledMapping['columns'], rows: Row[]): Record<string, UnknownValue[]> {
	const result: Record<string, UnknownValue[]> = {};
	for (const c of enums) {
		const allowed = new Set(c.column.values ?? []);
		const found = new Map<string, UnknownValue>();
		for (const row of rows) {
			const stored = row[`v_${c.column.name}`];
			if (stored === null || stored === undefined || allowed.has(String(stored))) continue;
			const text = String(row[`u_${c.column.name}`] ?? stored);
			const p = Number(row[`p_${c.column.name}`] ?? 0);
			// Value tables match case-insensitively, so one entry maps every spelling: they are one line.
			const key = text.trim().toLowerCase();
			const entry = found.get(key) ?? { text, stored: String(stored), count: 0, fromDefault: p > 0 && c.provenanceLabels[p - 1] === 'default' };
			entry.count++;
			found.set(key, entry);
		}
		if (found.size) result[c.column.name] = [...found.values()].sort((a, b) => b.count - a.count || a.text.localeCompare(b.text));
	}
	return result;
}

/**
 * The mapping without its lookup sources: the second file cannot travel with a preview (nor with
 * an upload from the page). Each lookup gives way to its "otherwise"; `lookedUp` records which
 * columns lost one, and from which table. A table not declared under "lookups" is the same error
 * the import gives.
 */
function withoutLookups(mapping: ColumnMapping, lookedUp: Map<string, string>): ColumnMapping {
	const strip = (column: string, source: ColumnSource): ColumnSource | undefined => {
		if (typeof source === 'string') return source;
		const rest = source.otherwise === undefined ? undefined : strip(column, source.otherwise);
		const { otherwise: _otherwise, ...own } = source;
		if (!source.lookup) return rest === undefined ? own : { ...own, otherwise: rest };
		if (!mapping.lookups?.[source.lookup.table]) {
			throw new IngestError(
				'bad_mapping',
				`The mapping "${mapping.name}" looks values up in "${source.lookup.table}" but does not declare it under "lookups".`,
				`Add "lookups": {"${source.lookup.table}": {"key": "<key header of that file>"}} to the mapping.`
			);
		}
		lookedUp.set(column, source.lookup.table);
		const fallback = source.default === undefined ? {} : { default: source.default };
		if (rest === undefined) return source.default === undefined ? undefined : fallback;
		return typeof rest === 'string' ? { from: rest, ...fallback } : { ...rest, ...fallback };
	};
	const columns: ColumnMapping['columns'] = {};
	for (const [name, source] of Object.entries(mapping.columns)) {
		const kept = strip(name, source);
		if (kept !== undefined) columns[name] = kept;
	}
	return { ...mapping, columns };
}

/**
 * The head of a text file as a file of its own, cut where a record ends, so that a preview of a
 * 1 GB export reads 1 MB. A file shorter than `bytes` is whole and used as it is; so is Parquet,
 * whose footer is at its end. A JSON array is cut after its last complete element and closed.
 */
async function fileHead(path: string, headPath: string, bytes: number): Promise<{ path: string; partial: boolean }> {
	const size = (await stat(path)).size;
	if (size < bytes) return { path, partial: false };
	const handle = await open(path, 'r');
	let buffer: Buffer;
	try {
		buffer = Buffer.alloc(bytes);
		const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
		buffer = buffer.subarray(0, bytesRead);
	} finally {
		await handle.close();
	}
	if (buffer.subarray(0, 4).toString('latin1') === 'PAR1') return { path, partial: false };
	let start = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
	while (start < buffer.length && [0x20, 0x09, 0x0a, 0x0d].includes(buffer[start])) start++;
	let cut: Buffer;
	if (buffer[start] === 0x5b) {
		const end = lastArrayElementEnd(buffer, start);
		cut = end < 0 ? buffer : Buffer.concat([buffer.subarray(0, end + 1), Buffer.from('\n]\n')]);
	} else {
		// A line feed never occurs inside a multi-byte UTF-8 character, so the cut keeps the encoding intact.
		const lf = buffer.lastIndexOf(0x0a);
		const end = lf >= 0 ? lf : buffer.lastIndexOf(0x0d);
		cut = end < 0 ? buffer : buffer.subarray(0, end + 1);
	}
	await writeFile(headPath, cut, { mode: 0o600 });
	return { path: headPath, partial: true };
}

/** The offset of the closing byte of the last complete element of a JSON array starting at `start`; -1 when none. */
function lastArrayElementEnd(buffer: Buffer, start: number): number {
	let depth = 0;
	let inString = false;
	let escaped = false;
	let last = -1;
	for (let i = start; i < buffer.length; i++) {
		const b = buffer[i];
		if (inString) {
			if (escaped) escaped = false;
			else if (b === 0x5c) escaped = true;
			else if (b === 0x22) inString = false;
			continue;
		}
		if (b === 0x22) inString = true;
		else if (b === 0x7b || b === 0x5b) depth++;
		else if (b === 0x7d || b === 0x5d) {
			depth--;
			if (depth === 1) last = i;
		}
	}
	return last;
}

/** DuckDB's errors during the typed pass, in the words the import uses (ingest-file.server.ts explainLoadError). */
function explainPreviewError(error: unknown, headers: string[]): Error {
	if (error instanceof IngestError) return error;
	const text = error instanceof Error ? error.message : String(error);
	if (/format specifier/i.test(text)) {
		return new PreviewMappingError(new IngestError('bad_mapping', `A date format in the mapping is not valid: ${text.split('\n')[0]}`, 'Fix the "format" in the mapping (strptime codes such as %Y-%m-%d %H:%M:%S).'), headers);
	}
	if (/Invalid Input Error|Conversion Error|Parser Error|JSON|malformed/i.test(text) && /read_json|json|csv|parquet/i.test(text)) {
		return new IngestError('malformed_file', `The file could not be read: ${text.split('\n')[0]}`, 'Fix the file (or export it again) and try again.');
	}
	return error instanceof Error ? error : new Error(text);
}

// ---------------------------------------------------------------------------------------------
// The request: query parameters checked before anything is read
// ---------------------------------------------------------------------------------------------

export interface PreviewParams {
	kind: ImportKind;
	mapping?: ColumnMapping;
	preset?: string;
	sheet?: string;
	encoding: 'auto' | 'utf-8' | 'latin-1';
	notes: string[];
}

/** kind, preset | mapping (JSON) | mapping_name, sheet, encoding: as POST /api/imports takes them. */
export async function previewParams(params: URLSearchParams, db: Kysely<Database>): Promise<PreviewParams> {
	const kind = params.get('kind');
	if (kind !== 'cases' && kind !== 'feedback') {
		throw new IngestError('wrong_kind', `The import kind must be "cases" or "feedback", got "${(kind ?? '').slice(0, 40)}".`, 'Choose what the file holds: cases or feedback.');
	}
	const encoding = params.get('encoding') || 'auto';
	if (encoding !== 'auto' && encoding !== 'utf-8' && encoding !== 'latin-1') throw new IngestError('invalid_encoding', `Unknown encoding "${encoding.slice(0, 40)}".`, 'Use auto, utf-8 or latin-1.');
	const preset = params.get('preset')?.trim() || undefined;
	if (preset !== undefined && !/^[a-z_]{1,40}$/.test(preset)) throw new IngestError('bad_mapping', `There is no preset called "${preset.slice(0, 40)}".`, 'Use "auto" or one of the preset names.');
	const sheet = params.get('sheet')?.trim().slice(0, 200) || undefined;
	const notes: string[] = [];
	let mapping: ColumnMapping | undefined;
	const json = params.get('mapping');
	const name = params.get('mapping_name');
	if (json) {
		const checked = parseMappingJson(json);
		mapping = checked.mapping;
		if (checked.ignored.length) notes.push(`Ignored, because a mapping has no such key: ${checked.ignored.map((k) => `"${k}"`).join(', ')}.`);
	} else if (name) {
		mapping = await findSavedMapping(db, name.slice(0, 80));
		if (!mapping) throw new IngestError('bad_mapping', `There is no saved mapping called "${name.slice(0, 80)}".`, 'Save the mapping on the upload page first, or send the mapping itself.');
	}
	return { kind, mapping, preset, sheet, encoding, notes };
}
