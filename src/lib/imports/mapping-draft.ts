import { CASE_COLUMNS, columnsFor, DURATION_BASES, type CanonicalColumn, type DurationBasis, type ImportKind } from '$lib/imports/canonical-columns';
import { guessMapping, isTimeZone, type ColumnMapping, type ColumnSource } from '$lib/imports/column-mapping';
import { IngestError } from '$lib/imports/ingest-error';
import { check, isPlainObject, plainObject, v } from '$lib/core/validate';
import type { Problem } from '$lib/core/errors';

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
	/** Time zone of times without an offset; '' = UTC. */
	timezone: string;
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
		timezone: mapping.timezone ?? '',
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
	if (draft.timezone.trim()) mapping.timezone = draft.timezone.trim();
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

function bad(problem: string): IngestError {
	return new IngestError('bad_mapping', `The column mapping is not valid: ${problem}.`, 'Fix the mapping (see the README, "Column mappings for any other export") and try again.');
}

const text = v.string('must be text');
const texts = v.array(text, 'must be a list of texts');
const headerList = v.pipe(texts, v.minLength(1, 'must name at least one header'));
const flag = v.boolean('must be true or false');
const oneOf = <T extends string>(allowed: readonly T[]) => v.picklist(allowed, `must be one of ${allowed.join(', ')}`);
// valibot's record takes arrays too; a mapping's objects never are one.
const keyed = <T extends v.GenericSchema>(value: T, message: string) => v.pipe(plainObject(message), v.record(v.string(), value, message));
const TIME_COLUMNS = ['submitted_at', ...CASE_COLUMNS.filter((c) => c.type === 'timestamp').map((c) => c.name)];

type SourceObject = Exclude<ColumnSource, string>;
/** The keys a column's object form takes (unknownKeys names the others). */
const SOURCE_ENTRIES = {
	from: v.optional(text),
	join: v.optional(headerList),
	first_of: v.optional(headerList),
	first_word: v.optional(flag),
	values: v.optional(keyed(text, 'must be an object of "file value": "stored value"')),
	format: v.optional(v.lazy((input) => (Array.isArray(input) ? texts : text))),
	after: v.optional(
		v.object(
			{ column: v.picklist(TIME_COLUMNS, 'must name a time column such as created_at'), unit: oneOf(DURATION_UNITS) },
			'must be {"column": "created_at", "unit": "minutes"}'
		)
	),
	basis: v.optional(oneOf(DURATION_BASES)),
	zero_is_empty: v.optional(flag),
	lookup: v.optional(v.object({ table: text, key: text, value: text }, 'must be {"table": ..., "key": ..., "value": ...}')),
	otherwise: v.optional(v.lazy(() => columnSource)),
	default: v.optional(text)
};
const sourceObject: v.GenericSchema<unknown, SourceObject> = v.object(SOURCE_ENTRIES, 'must be a header name or an object such as {"from": "Header"}');
// A header name, or the object form: chosen by the input's type so a wrong key inside the object
// is named, not hidden behind "must be a header or an object".
const columnSource: v.GenericSchema<unknown, ColumnSource> = v.lazy((input) => (typeof input === 'string' ? v.string() : sourceObject));

/** The mapping file's schema: the one definition of what a mapping may hold (column-mapping.ts has the meaning of each key). */
const columnMapping = v.object(
	{
		name: v.optional(v.pipe(v.unknown(), v.transform((n) => (typeof n === 'string' && n.trim() ? n : 'custom'))), 'custom'),
		kind: v.optional(oneOf(['cases', 'feedback'] as const)),
		columns: keyed(columnSource, 'must be an object of canonical column → source, as in {"columns": {"case_id": "Ticket Id"}}'),
		lenient: v.optional(flag),
		null_values: v.optional(texts),
		timezone: v.optional(v.pipe(v.string('must be a time zone name'), v.check(isTimeZone, 'must be a time zone name such as "Europe/Berlin" or "America/New_York" (IANA)'))),
		duplicates: v.optional(oneOf(['reject', 'merge', 'join'] as const)),
		not_a_record: v.optional(v.object({ header: text, values: texts, reason: text }, 'must be {"header": ..., "values": [...], "reason": ...}')),
		lookups: v.optional(keyed(v.object({ key: text, description: v.optional(text) }, 'must be {"key": "<key header>"}'), 'must be an object such as {"accounts": {"key": "Id"}}'))
	},
	'must be an object with "columns"'
);

/** Keys the schema does not use, as paths, so the summary can say they were left out. */
function unknownKeys(value: unknown, entries: v.ObjectEntries, where: string, out: string[]): void {
	if (!isPlainObject(value)) return;
	for (const [key, inner] of Object.entries(value)) {
		if (!Object.hasOwn(entries, key)) out.push(where ? `${where}.${key}` : key);
		else if (key === 'columns' && !where) for (const [name, source] of Object.entries(inner ?? {})) unknownKeys(source, SOURCE_ENTRIES, `columns.${name}`, out);
		else if (key === 'otherwise' && where) unknownKeys(inner, SOURCE_ENTRIES, `${where}.otherwise`, out);
	}
}

/**
 * A mapping that arrived as JSON (a query parameter, a saved row, a file), checked against the
 * schema above, so that a wrong type says where it is instead of failing deep in the SQL compiler.
 * Keys a mapping does not use are left out and named in `ignored`.
 */
export function checkMapping(value: unknown): { mapping: ColumnMapping; ignored: string[] } {
	const result = check(columnMapping, value);
	if (!result.ok) throw bad(result.problem);
	const ignored: string[] = [];
	unknownKeys(value, columnMapping.entries, '', ignored);
	return { mapping: result.value as ColumnMapping, ignored };
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

export interface PreviewFailure extends Problem {
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
		return { ok: false, failure: { code: 'unreachable', message: 'The preview could not reach the server.', hint: 'Check that the Caselens server is running and try again.' } };
	}
	const answer = (await response.json().catch(() => null)) as MappingPreview | PreviewFailure | null;
	if (answer === null) return { ok: false, failure: { code: 'no_preview', message: `The server answered ${response.status} ${response.statusText} without a preview.`, hint: 'Try again; if it persists, check the server log.' } };
	return response.ok ? { ok: true, preview: answer as MappingPreview } : { ok: false, failure: answer as PreviewFailure };
}
