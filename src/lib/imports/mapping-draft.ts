import { CASE_COLUMNS, columnsFor, DURATION_BASES, type CanonicalColumn, type DurationBasis, type ImportKind } from '$lib/imports/canonical-columns';
import { guessMapping, type ColumnMapping, type ColumnSource } from '$lib/imports/column-mapping';
import { IngestError } from '$lib/imports/ingest-error';

/**
 * The hand-mapping editor's state, and its conversion to and from a ColumnMapping
 * (src/lib/imports/column-mapping.ts). Every key a mapping file can hold has a place here, so a
 * mapping saved from the editor, written by hand or copied from a preset opens in the editor and
 * comes out the same.
 */

export const DURATION_UNITS = ['minutes', 'hours', 'seconds', 'days'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export interface ValueRow {
	from: string;
	to: string;
}

/** One source of a column: the column's own, or an "else from" tried when it is empty. */
export interface SourceDraft {
	/** 'single': one header; 'first_of': the first non-empty of several; 'join': several joined with a space. */
	combine: 'single' | 'first_of' | 'join';
	/** Source headers; empty = not in the file. For a lookup, headers[0] is this file's key. */
	headers: string[];
	first_word: boolean;
	values: ValueRow[];
	/** strptime formats, tried in order; empty = ISO 8601 and the usual layouts. */
	formats: string[];
	/** The header holds a duration after another column's time (e.g. minutes after created_at). */
	after: { column: string; unit: DurationUnit } | null;
	basis: DurationBasis;
	zero_is_empty: boolean;
	/** The key (headers[0]) is looked up in the mapping's second file `table`, taking its `value` header. */
	lookup: { table: string; value: string } | null;
}

export interface ColumnDraft {
	/** The source, then each "else from" in turn; always at least one. */
	sources: SourceDraft[];
	/** The value when every source is empty; '' = none. */
	fallback: string;
}

export interface MappingDraft {
	name: string;
	kind: ImportKind;
	/** Every canonical column of the kind, in contract order. */
	columns: Record<string, ColumnDraft>;
	/** Texts that mean empty in this export (ServiceNow's "?"). */
	null_values: string[];
	lenient: boolean;
	duplicates: 'reject' | 'merge' | 'join';
	not_a_record: { header: string; values: string[]; reason: string } | null;
	/** Second files the columns look values up in: name, the header of their key column, what they are. */
	lookups: { name: string; key: string; description: string }[];
}

/** Formats offered in the editor, with a value each reads, so the choice needs no strptime knowledge. */
export const COMMON_FORMATS: readonly { format: string; example: string }[] = [
	{ format: '%d/%m/%Y %H:%M', example: '31/01/2026 14:30' },
	{ format: '%d/%m/%Y %H:%M:%S', example: '31/01/2026 14:30:00' },
	{ format: '%d/%m/%Y', example: '31/01/2026' },
	{ format: '%m/%d/%Y %H:%M', example: '01/31/2026 14:30' },
	{ format: '%m/%d/%Y %I:%M %p', example: '01/31/2026 2:30 PM' },
	{ format: '%m/%d/%Y', example: '01/31/2026' },
	{ format: '%d-%m-%Y %H:%M', example: '31-01-2026 14:30' },
	{ format: '%d-%m-%Y', example: '31-01-2026' },
	{ format: '%d.%m.%Y %H:%M', example: '31.01.2026 14:30' },
	{ format: '%Y-%m-%d %H:%M:%S', example: '2026-01-31 14:30:00' },
	{ format: '%Y-%m-%d %H:%M', example: '2026-01-31 14:30' },
	{ format: '%d-%m-%y %I:%M:%S %p', example: '31-01-26 2:30:00 PM' }
];

export function emptySource(): SourceDraft {
	return { combine: 'single', headers: [], first_word: false, values: [], formats: [], after: null, basis: 'calendar', zero_is_empty: false, lookup: null };
}

function sourceDraft(source: ColumnSource): SourceDraft {
	if (typeof source === 'string') return { ...emptySource(), headers: [source] };
	const headers = source.lookup ? [source.lookup.key] : (source.join ?? source.first_of ?? (source.from !== undefined ? [source.from] : []));
	return {
		combine: source.lookup ? 'single' : source.join ? 'join' : source.first_of ? 'first_of' : 'single',
		headers: [...headers],
		first_word: source.first_word ?? false,
		values: Object.entries(source.values ?? {}).map(([from, to]) => ({ from, to })),
		formats: source.format === undefined ? [] : Array.isArray(source.format) ? [...source.format] : [source.format],
		after: source.after ? { ...source.after } : null,
		basis: source.basis ?? 'calendar',
		zero_is_empty: source.zero_is_empty ?? false,
		lookup: source.lookup ? { table: source.lookup.table, value: source.lookup.value } : null
	};
}

/** A saved mapping, a preset or a mapping file as the editor's state. */
export function draftFromMapping(kind: ImportKind, mapping: ColumnMapping): MappingDraft {
	const columns: Record<string, ColumnDraft> = {};
	for (const column of columnsFor(kind)) {
		const spec = mapping.columns[column.name];
		const sources: SourceDraft[] = [];
		for (let n: ColumnSource | undefined = spec; n !== undefined; n = typeof n === 'string' ? undefined : n.otherwise) {
			if (typeof n !== 'string' && n.from === undefined && !n.join && !n.first_of && !n.lookup) {
				// A spec with only a default (or an otherwise): no source of its own.
				if (n.otherwise === undefined) break;
				continue;
			}
			sources.push(sourceDraft(n));
		}
		columns[column.name] = { sources: sources.length ? sources : [emptySource()], fallback: spec !== undefined && typeof spec !== 'string' ? (spec.default ?? '') : '' };
	}
	return {
		name: mapping.name,
		kind,
		columns,
		null_values: [...(mapping.null_values ?? [])],
		lenient: mapping.lenient ?? false,
		duplicates: mapping.duplicates ?? 'reject',
		not_a_record: mapping.not_a_record ? { ...mapping.not_a_record, values: [...mapping.not_a_record.values] } : null,
		lookups: Object.entries(mapping.lookups ?? {}).map(([name, l]) => ({ name, key: l.key, description: l.description ?? '' }))
	};
}

/** The starting point for a file no preset knows: columns matched by name, the contract's defaults filled in. */
export function draftFromHeaders(kind: ImportKind, headers: readonly string[]): MappingDraft {
	const draft = draftFromMapping(kind, guessMapping(kind, headers));
	draft.name = '';
	// The same defaults the import adds (resolve-mapping.server.ts), shown so they can be changed.
	const defaults: Record<string, string> = kind === 'cases' ? { region: 'unknown', category: 'uncategorized' } : { kind: 'survey' };
	for (const [name, fallback] of Object.entries(defaults)) draft.columns[name].fallback ||= fallback;
	return draft;
}

function hasSource(source: SourceDraft): boolean {
	return source.headers.some((h) => h !== '');
}

function sourceOut(source: SourceDraft): Exclude<ColumnSource, string> {
	const headers = source.headers.filter((h) => h !== '');
	const out: Exclude<ColumnSource, string> = {};
	if (source.lookup) out.lookup = { table: source.lookup.table, key: headers[0], value: source.lookup.value };
	else if (source.combine === 'join') out.join = headers;
	else if (source.combine === 'first_of') out.first_of = headers;
	else out.from = headers[0];
	if (source.first_word) out.first_word = true;
	const values = source.values.filter((v) => v.from.trim() !== '');
	if (values.length) out.values = Object.fromEntries(values.map((v) => [v.from, v.to]));
	const formats = source.formats.map((f) => f.trim()).filter((f) => f !== '');
	if (formats.length) out.format = formats.length === 1 ? formats[0] : formats;
	if (source.after) out.after = { column: source.after.column, unit: source.after.unit };
	if (source.basis !== 'calendar') out.basis = source.basis;
	if (source.zero_is_empty) out.zero_is_empty = true;
	return out;
}

/** Only what is set is written, so the JSON reads like one written by hand. */
export function mappingFromDraft(draft: MappingDraft): ColumnMapping {
	const columns: ColumnMapping['columns'] = {};
	for (const [name, column] of Object.entries(draft.columns)) {
		const chain = column.sources.filter(hasSource).map(sourceOut);
		const fallback = column.fallback.trim() === '' ? undefined : column.fallback;
		if (chain.length === 0 && fallback === undefined) continue;
		for (let i = chain.length - 2; i >= 0; i--) chain[i].otherwise = chain[i + 1];
		const head: Exclude<ColumnSource, string> = chain[0] ?? {};
		if (fallback !== undefined) head.default = fallback;
		const keys = Object.keys(head);
		columns[name] = keys.length === 1 && keys[0] === 'from' && head.from !== undefined ? head.from : head;
	}
	const mapping: ColumnMapping = { name: draft.name.trim() || 'custom', kind: draft.kind, columns };
	if (draft.lenient) mapping.lenient = true;
	const nullValues = draft.null_values.filter((v) => v.trim() !== '');
	if (nullValues.length) mapping.null_values = nullValues;
	if (draft.duplicates === 'merge' || draft.duplicates === 'join') mapping.duplicates = draft.duplicates;
	if (draft.not_a_record && draft.not_a_record.header) mapping.not_a_record = { header: draft.not_a_record.header, values: [...draft.not_a_record.values], reason: draft.not_a_record.reason };
	const lookups = draft.lookups.filter((l) => l.name.trim() !== '');
	if (lookups.length) mapping.lookups = Object.fromEntries(lookups.map((l) => [l.name.trim(), l.description ? { key: l.key, description: l.description } : { key: l.key }]));
	return mapping;
}

/** Required canonical columns with neither a header nor a default: the upload cannot succeed. */
export function unmappedRequired(draft: MappingDraft): string[] {
	return columnsFor(draft.kind)
		.filter((c) => c.required && !draft.columns[c.name]?.sources.some(hasSource) && !draft.columns[c.name]?.fallback.trim())
		.map((c) => c.name);
}

/**
 * Adds "from → to" to a column's value table (the first source with a header), replacing an
 * entry for the same text: the one click behind "map to" under the preview.
 */
export function addValueMapping(draft: MappingDraft, column: string, from: string, to: string): void {
	const sources = draft.columns[column]?.sources ?? [];
	const source = sources.find(hasSource) ?? sources[0];
	if (!source) return;
	const key = from.trim().toLowerCase();
	source.values = [...source.values.filter((v) => v.from.trim().toLowerCase() !== key), { from, to }];
}

/** Columns whose time a duration can be counted from: the kind's timestamp columns. */
export function timeColumns(kind: ImportKind): CanonicalColumn[] {
	return columnsFor(kind).filter((c) => c.type === 'timestamp');
}

// ---------------------------------------------------------------------------------------------
// Checking a mapping that arrives as JSON
// ---------------------------------------------------------------------------------------------

const SOURCE_KEYS = ['from', 'join', 'first_of', 'first_word', 'values', 'format', 'after', 'basis', 'zero_is_empty', 'lookup', 'otherwise', 'default'];
const MAPPING_KEYS = ['name', 'kind', 'columns', 'lenient', 'null_values', 'duplicates', 'not_a_record', 'lookups'];

function bad(where: string, what: string): IngestError {
	return new IngestError('bad_mapping', `The column mapping is not valid: ${where} ${what}.`, 'Fix the mapping (see the README, "Column mappings for any other export") and try again.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function text(value: unknown, where: string): string {
	if (typeof value !== 'string') throw bad(where, `must be text, not ${shown(value)}`);
	return value;
}

function texts(value: unknown, where: string, nonEmpty = false): string[] {
	if (!Array.isArray(value)) throw bad(where, `must be a list of texts, not ${shown(value)}`);
	if (nonEmpty && value.length === 0) throw bad(where, 'must name at least one header');
	return value.map((v, i) => text(v, `${where}[${i}]`));
}

function flag(value: unknown, where: string): boolean {
	if (typeof value !== 'boolean') throw bad(where, `must be true or false, not ${shown(value)}`);
	return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
	if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw bad(where, `must be one of ${allowed.join(', ')}, not ${shown(value)}`);
	return value as T;
}

function checkSource(value: unknown, where: string, ignored: string[]): ColumnSource {
	if (typeof value === 'string') return value;
	if (!isRecord(value)) throw bad(where, `must be a header name or an object such as {"from": "Header"}, not ${shown(value)}`);
	const out: Exclude<ColumnSource, string> = {};
	for (const key of Object.keys(value)) if (!SOURCE_KEYS.includes(key)) ignored.push(`${where}.${key}`);
	if (value.from !== undefined) out.from = text(value.from, `${where}.from`);
	if (value.join !== undefined) out.join = texts(value.join, `${where}.join`, true);
	if (value.first_of !== undefined) out.first_of = texts(value.first_of, `${where}.first_of`, true);
	if (value.first_word !== undefined) out.first_word = flag(value.first_word, `${where}.first_word`);
	if (value.values !== undefined) {
		if (!isRecord(value.values)) throw bad(`${where}.values`, `must be an object of "file value": "stored value", not ${shown(value.values)}`);
		out.values = Object.fromEntries(Object.entries(value.values).map(([k, v]) => [k, text(v, `${where}.values[${JSON.stringify(k)}]`)]));
	}
	if (value.format !== undefined) out.format = Array.isArray(value.format) ? texts(value.format, `${where}.format`) : text(value.format, `${where}.format`);
	if (value.after !== undefined) {
		if (!isRecord(value.after)) throw bad(`${where}.after`, `must be {"column": "created_at", "unit": "minutes"}, not ${shown(value.after)}`);
		out.after = { column: text(value.after.column, `${where}.after.column`), unit: oneOf(value.after.unit, DURATION_UNITS, `${where}.after.unit`) };
	}
	if (value.basis !== undefined) out.basis = oneOf(value.basis, DURATION_BASES, `${where}.basis`);
	if (value.zero_is_empty !== undefined) out.zero_is_empty = flag(value.zero_is_empty, `${where}.zero_is_empty`);
	if (value.lookup !== undefined) {
		const lookup = value.lookup;
		if (!isRecord(lookup)) throw bad(`${where}.lookup`, `must be {"table": ..., "key": ..., "value": ...}, not ${shown(lookup)}`);
		out.lookup = { table: text(lookup.table, `${where}.lookup.table`), key: text(lookup.key, `${where}.lookup.key`), value: text(lookup.value, `${where}.lookup.value`) };
	}
	if (value.otherwise !== undefined) out.otherwise = checkSource(value.otherwise, `${where}.otherwise`, ignored);
	if (value.default !== undefined) out.default = text(value.default, `${where}.default`);
	return out;
}

/**
 * A mapping that arrived as JSON (a query parameter, a saved row), checked key by key, so that a
 * wrong type says where it is instead of failing deep in the SQL compiler. Keys a mapping does not
 * use are left out and named in `ignored`.
 */
export function checkMapping(value: unknown): { mapping: ColumnMapping; ignored: string[] } {
	if (!isRecord(value)) throw bad('the mapping', `must be an object with "columns", not ${shown(value)}`);
	if (!isRecord(value.columns)) throw bad('"columns"', `must be an object of canonical column → source, not ${shown(value.columns)}`);
	const ignored = Object.keys(value).filter((k) => !MAPPING_KEYS.includes(k));
	const mapping: ColumnMapping = { name: typeof value.name === 'string' && value.name.trim() ? value.name : 'custom', columns: {} };
	if (value.kind !== undefined) mapping.kind = oneOf(value.kind, ['cases', 'feedback'] as const, '"kind"');
	for (const [name, source] of Object.entries(value.columns)) mapping.columns[name] = checkSource(source, `columns.${name}`, ignored);
	const timestamps = CASE_COLUMNS.filter((c) => c.type === 'timestamp').map((c) => c.name);
	for (const [name, source] of Object.entries(mapping.columns)) {
		for (let n: ColumnSource | undefined = source; n !== undefined && typeof n !== 'string'; n = n.otherwise) {
			if (n.after && !['submitted_at', ...timestamps].includes(n.after.column)) throw bad(`columns.${name}.after.column`, `must name a time column such as created_at, not ${shown(n.after.column)}`);
		}
	}
	if (value.lenient !== undefined) mapping.lenient = flag(value.lenient, '"lenient"');
	if (value.null_values !== undefined) mapping.null_values = texts(value.null_values, '"null_values"');
	if (value.duplicates !== undefined) mapping.duplicates = oneOf(value.duplicates, ['reject', 'merge', 'join'] as const, '"duplicates"');
	if (value.not_a_record !== undefined) {
		const n = value.not_a_record;
		if (!isRecord(n)) throw bad('"not_a_record"', `must be {"header": ..., "values": [...], "reason": ...}, not ${shown(n)}`);
		mapping.not_a_record = { header: text(n.header, 'not_a_record.header'), values: texts(n.values, 'not_a_record.values'), reason: text(n.reason, 'not_a_record.reason') };
	}
	if (value.lookups !== undefined) {
		if (!isRecord(value.lookups)) throw bad('"lookups"', `must be an object such as {"accounts": {"key": "Id"}}, not ${shown(value.lookups)}`);
		mapping.lookups = {};
		for (const [name, l] of Object.entries(value.lookups)) {
			if (!isRecord(l)) throw bad(`lookups.${name}`, `must be {"key": "<key header>"}, not ${shown(l)}`);
			mapping.lookups[name] = { key: text(l.key, `lookups.${name}.key`), ...(l.description !== undefined ? { description: text(l.description, `lookups.${name}.description`) } : {}) };
		}
	}
	return { mapping, ignored };
}

/** checkMapping over JSON text (a query parameter). */
export function parseMappingJson(json: string): { mapping: ColumnMapping; ignored: string[] } {
	let value: unknown;
	try {
		value = JSON.parse(json);
	} catch (error) {
		throw new IngestError('bad_mapping', `The column mapping is not valid JSON: ${(error as Error).message}.`, 'Fix the mapping (see the README for its format) and try again.');
	}
	return checkMapping(value);
}

// ---------------------------------------------------------------------------------------------
// The typed preview (POST /api/imports/preview, src/lib/imports/preview-mapping.server.ts)
// ---------------------------------------------------------------------------------------------

export interface PreviewColumn {
	name: string;
	type: CanonicalColumn['type'];
	required: boolean;
	/** How the import fills it, in words ("from "Status", else "unknown""); "not in the file" when nothing does. */
	how: string;
	/** The typed value of each previewed row as it would be stored (timestamps ISO 8601, UTC); null = empty. */
	values: (string | null)[];
}

export interface UnknownValue {
	/** The text as the file writes it: the key to add to the value table. */
	text: string;
	/** What would be stored (lower case, spaces as _). */
	stored: string;
	count: number;
	/** The value is the column's default, not something the file says: change the default instead. */
	fromDefault: boolean;
}

export interface MappingPreview {
	/** Which mapping the import would use, as the batch history names it. */
	mapping: string;
	format: string;
	encoding: string;
	delimiter: string | null;
	/** The file's headers, as the editor offers them. */
	headers: string[];
	/** The line (CSV, counting the header as 1) or record number of each previewed row. */
	lines: number[];
	/** Per row: why the import would reject it; null = accepted. */
	reasons: (string | null)[];
	/** Per row: values kept out of an accepted row (a resolution before creation). */
	notes: (string | null)[];
	columns: PreviewColumn[];
	/** Per enumerated column: the previewed values outside its list, most frequent first. */
	unknown: Record<string, UnknownValue[]>;
	/** Records the CSV reader could not split, within the previewed lines. */
	unreadable: { line: number; reason: string }[];
	/** Only the start of the file was read. */
	partial: boolean;
	warnings: string[];
}

export interface PreviewFailure {
	error: string;
	hint?: string;
	code?: string;
	/** The file's headers when the file could be read but the mapping could not be used. */
	headers?: string[];
}

/** How much of a CSV or JSON file the browser sends for a preview. */
export const PREVIEW_HEAD_BYTES = 1024 * 1024;

export interface PreviewRequest {
	kind: ImportKind;
	mapping?: ColumnMapping;
	preset?: string;
	sheet?: string;
	encoding?: string;
	/** The whole file is sent (workbooks, Parquet): their structure is not readable from a slice. */
	whole: boolean;
}

/** Asks the server for the typed preview; resolves to the preview or the server's failure. */
export async function fetchMappingPreview(file: File, request: PreviewRequest, signal?: AbortSignal): Promise<{ ok: true; preview: MappingPreview } | { ok: false; failure: PreviewFailure }> {
	const params = new URLSearchParams({ kind: request.kind });
	if (request.mapping) params.set('mapping', JSON.stringify(request.mapping));
	else if (request.preset) params.set('preset', request.preset);
	if (request.sheet) params.set('sheet', request.sheet);
	if (request.encoding && request.encoding !== 'auto') params.set('encoding', request.encoding);
	const body = request.whole ? file : file.slice(0, PREVIEW_HEAD_BYTES);
	let response: Response;
	try {
		response = await fetch(`/api/imports/preview?${params}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name) }, body, signal });
	} catch (error) {
		if (signal?.aborted) throw error;
		return { ok: false, failure: { error: 'The preview could not reach the server.', hint: 'Check that the Caselens server is running and try again.' } };
	}
	const answer = (await response.json().catch(() => null)) as MappingPreview | PreviewFailure | null;
	if (answer === null) return { ok: false, failure: { error: `The server answered ${response.status} ${response.statusText} without a preview.`, hint: 'Try again; if it persists, check the server log.' } };
	return response.ok ? { ok: true, preview: answer as MappingPreview } : { ok: false, failure: answer as PreviewFailure };
}
