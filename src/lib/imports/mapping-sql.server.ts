import {
	columnsFor,
	type CanonicalColumn,
	type ImportKind
} from './canonical-columns';
import { closestHeader, isTimeZone, normaliseSource, type ColumnMapping, type NormalisedSource } from './column-mapping';
import { IngestError } from './ingest-error';
import { listLiteral, quoteIdent, quoteLiteral } from './sql-text.server';
import { countryKeySql } from './country-regions.server';

/**
 * Compiles a column mapping into SQL over a staging table whose columns are all VARCHAR and named
 * c0..cN (one per header). Every canonical column gets a typed expression and, where a value can
 * be wrong, a reason expression; the import keeps rows whose reasons are all NULL.
 *
 * The expressions are meant for a query in layers (see typedSelect in stage-sql.ts), so that each
 * is computed once per row and only where needed: `cleaned` (s0..sN: trimmed sources) over the
 * staging columns, then `pieces` (each column's source texts) over those, then the columns'
 * values, texts and provenance over the pieces, then reasons over the values and texts.
 */
export interface CompiledColumn {
	column: CanonicalColumn;
	/** Trimmed text of the source, NULL when empty: what the user's file said. */
	text: string;
	/** Typed value. */
	value: string;
	/**
	 * NULL when fine, else a sentence about this row's value. It refers to the typed value by the
	 * column's name and to the text by `textAlias`, so each is computed once per row.
	 */
	reason: string | null;
	/** The same as `reason`, as its WHEN conditions (in order) and their sentences. */
	reasonChecks: ReasonCheck[];
	textAlias: string;
	/**
	 * For time columns: the source texts before placeholder days were read as empty, so that a row
	 * whose only time was a placeholder is counted (and, for a required time, told why). Null otherwise.
	 */
	rawText: string | null;
	rawAlias: string;
	/**
	 * Where the value came from, for the batch summary, as a small number: 0 for the file's own
	 * column, i + 1 for provenanceLabels[i]; NULL when there is no value. Null (the expression) when
	 * the column only ever comes from the file.
	 */
	provenance: string | null;
	/** What the non-zero values of `provenance` mean. */
	provenanceLabels: ('derived' | 'default' | 'emptied')[];
	/** How the column is filled, in words, for the batch summary. */
	how: string;
	/**
	 * For the two measured times (first_response_at, resolved_at): which basis the value has,
	 * 'calendar' or 'business_hours', by the source it came from; an expression over the pieces.
	 */
	basis: string | null;
}

export interface ReasonCheck {
	when: string;
	then: string;
}

/** A helper column of the typed pass: `expr AS alias`. */
export interface HelperColumn {
	alias: string;
	expr: string;
}

/**
 * A value kept out of an accepted row, for a reason that does not make the row any less a case: a
 * resolution before the case was created. The row stays; only this value is emptied, and the batch
 * summary counts it. `when` is a condition over the typed columns (by their canonical names).
 */
export interface Adjustment {
	column: string;
	label: 'dropped';
	when: string;
	/** What happened, in words, for the batch summary. */
	what: string;
}

/** Days that exporters write for "no date": Zendesk's 1900-01-01, .NET's 0001-01-01, Excel's day zero. */
export const PLACEHOLDER_DAYS = ['1900-01-01', '0001-01-01', '1899-12-30'] as const;
const ZONE_SHIFTED_PLACEHOLDER_DAYS = ['1899-12-31', '1900-01-02', '0000-12-31', '0001-01-02', '1899-12-29'] as const;

/**
 * Words exports write in a time column for "no time" (an unanswered ticket's first reply): read as
 * empty like the placeholder days, so the case is kept and counted, instead of rejected as "not a
 * timestamp" (which dropped exactly the unanswered cases and flattered the response times).
 */
export const PLACEHOLDER_WORDS = ['-', '--', '—', '–', 'n/a', 'na', '#n/a', 'none', '(none)', 'null', 'nil', '(blank)', 'not set', 'never'] as const;

/** How the summary names the placeholders of time columns. */
export const PLACEHOLDERS_TEXT = `${PLACEHOLDER_DAYS.join(', ')}, or a word for no time such as "-", "N/A" or "none"`;

/**
 * True for a placeholder: a typed timestamp or date on a placeholder day (the range test first, so
 * ordinary values pay one comparison), or an untyped text that is a placeholder word.
 */
function isPlaceholder(value: string, text: string, zoned: boolean): string {
	// A mapping's time zone has already moved midnight of a placeholder day by up to a day either way.
	// list_contains rather than IN: DuckDB plans an IN list of five or more as a join, which loses file order.
	const days = zoned ? [...PLACEHOLDER_DAYS, ...ZONE_SHIFTED_PLACEHOLDER_DAYS] : PLACEHOLDER_DAYS;
	return `((${value} < DATE '${zoned ? '1900-01-03' : '1900-01-02'}' AND list_contains([${days.map((d) => `DATE '${d}'`).join(', ')}], CAST(${value} AS DATE))) OR (${value} IS NULL AND list_contains(${listLiteral([...PLACEHOLDER_WORDS])}, lower(${text}))))`;
}

export interface CompiledMapping {
	columns: CompiledColumn[];
	/** Row-level checks across columns, each its own reason. */
	crossChecks: ReasonCheck[];
	/** Values emptied in accepted rows, in the order they are tested per column. */
	adjustments: Adjustment[];
	/** Trimmed source columns (NULL when empty), over the staging columns c0..cN. */
	cleaned: HelperColumn[];
	/** The text of each source of each column (joined, first word, values translated), over `cleaned`. */
	pieces: HelperColumn[];
	/** Headers the mapping uses that the file lacks, tolerated because the mapping is lenient. */
	missingOptional: string[];
	/** Some column the file fills is a number read with a decimal comma (Lookups.decimalComma): the summary says so. */
	readsDecimalComma: boolean;
}

/**
 * ISO 8601 with or without an offset. A plain TIMESTAMP cast would silently drop an offset, and
 * the TIMESTAMPTZ cast is several times slower, so only values that end in an offset take it.
 * (Past 16 characters, a '-' in the last six can only be a negative offset.)
 *
 * Deciding that exactly needs right()/length(), which count characters and cost more than the
 * cast itself, so a byte-level test that is true for every offset value (and for a few others)
 * comes first; only the values it lets through pay for the exact test. The result is the same as
 * the exact test alone: when the cheap test is false, so is the exact one.
 */
const TS_ISO = (v: string, local: Local = asWritten) =>
	`(CASE WHEN suffix(${v}, 'Z') OR suffix(${v}, 'z') OR contains(${v}, '+') OR (strlen(${v}) > 16 AND contains(substr(${v}, 11), '-'))
		THEN (CASE WHEN right(${v}, 1) IN ('Z', 'z') OR contains(right(${v}, 6), '+') OR (length(${v}) > 16 AND contains(right(${v}, 6), '-'))
			THEN ${utcOf(`try_cast(${v} AS TIMESTAMPTZ)`)} ELSE ${local(`try_cast(${v} AS TIMESTAMP)`)} END)
		ELSE ${local(`try_cast(${v} AS TIMESTAMP)`)} END)`;

/**
 * A TIMESTAMPTZ as the naive UTC TIMESTAMP the tables hold: the instant's microseconds, which is
 * what `AT TIME ZONE 'UTC'` gives too, without its trip through ICU's calendar (four times the cost
 * of the cast before it). The two differ only for ±infinity, which no text reaching here can be:
 * DuckDB reads only the bare words 'infinity' and '-infinity' as such, and those take the plain
 * TIMESTAMP cast in TS_ISO; strptime never returns them.
 */
const utcOf = (tz: string) => `make_timestamp(epoch_us(${tz}))`;

/** What a time written without an offset means: as written (UTC), or a local time of the mapping's zone. */
type Local = (naive: string) => string;
const asWritten: Local = (naive) => naive;
const inZone = (zone: string | undefined): Local => (zone ? (naive) => utcOf(`timezone(${quoteLiteral(zone)}, ${naive})`) : asWritten);

/** Characters DuckDB's strptime takes for a space in the format (one or more of them). */
const STRPTIME_SPACES = [' ', '\t', '\n', '\v', '\f', '\r'];

/**
 * A condition every text that one of `formats` can parse meets: strptime tries each format in
 * turn and is slow when all of them fail (about 1.5 µs a value), so values that cannot match skip
 * it. A literal '/' in the format must be in the text; a space must match some whitespace.
 */
function strptimeGuard(v: string, formats: readonly string[]): string {
	const literals = formats.map((f) => f.replace(/%./g, ''));
	const guards = [`${v} IS NOT NULL`];
	if (literals.every((l) => l.includes('/'))) guards.push(`contains(${v}, '/')`);
	if (literals.every((l) => l.includes(' '))) guards.push(`(${STRPTIME_SPACES.map((c) => `contains(${v}, chr(${c.charCodeAt(0)}))`).join(' OR ')})`);
	return guards.join(' AND ');
}

// Formats tried after ISO 8601; day-first vs month-first is ambiguous, so neither is guessed.
const DEFAULT_TS_FORMATS = ['%Y-%m-%d %H:%M:%S %z', '%Y-%m-%d %H:%M %z', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d'];

/**
 * Layouts with a month name, tried last (only for a value with letters in it) when no format is
 * declared: a month name is never ambiguous, so they need no guessing. Zoho Desk ("10 Mar 2024
 * 02:59 PM"), HubSpot and Intercom ("Mar 10, 2024 2:59 PM"), Jira ("03/Feb/24 1:05 PM"),
 * database dumps ("10-MAR-2024 14:59"), mail headers and Twitter (with an offset).
 */
const NAMED_MONTH_FORMATS = [
	'%d %b %Y %I:%M %p', '%d %b %Y %H:%M:%S', '%d %b %Y %H:%M', '%d %b %Y',
	'%b %d, %Y %I:%M:%S %p', '%b %d, %Y %I:%M %p', '%b %d, %Y %H:%M:%S', '%b %d, %Y %H:%M', '%b %d, %Y',
	'%B %d, %Y %I:%M:%S %p', '%B %d, %Y %I:%M %p', '%B %d, %Y %H:%M', '%B %d, %Y', '%d %B %Y %H:%M', '%d %B %Y',
	'%d/%b/%y %I:%M %p', '%d/%b/%Y %I:%M %p', '%d/%b/%y %H:%M', '%d/%b/%Y %H:%M',
	'%d-%b-%Y %H:%M:%S', '%d-%b-%Y %H:%M', '%d-%b-%Y', '%d-%b-%y',
	'%a, %d %b %Y %H:%M:%S', '%a %b %d %H:%M:%S %Y'
];
const NAMED_MONTH_ZONED_FORMATS = ['%a, %d %b %Y %H:%M:%S %z', '%a %b %d %H:%M:%S %z %Y', '%d %b %Y %H:%M:%S %z'];

function namedMonthExpr(v: string, local: Local = asWritten): string {
	return `(CASE WHEN regexp_matches(${v}, '[A-Za-z]{3}') THEN coalesce(${local(`try_strptime(${v}, ${listLiteral(NAMED_MONTH_FORMATS)})`)}, ${utcOf(`try_strptime(${v}, ${listLiteral(NAMED_MONTH_ZONED_FORMATS)})`)}) END)`;
}

function timestampExpr(v: string, formats: readonly string[] | undefined, zone?: string): string {
	const local = inZone(zone);
	const all = formats ?? DEFAULT_TS_FORMATS;
	const zoned = all.filter((f) => f.includes('%z') || f.includes('%Z'));
	const naive = all.filter((f) => !zoned.includes(f));
	const parts: string[] = [];
	if (naive.length) parts.push(`(CASE WHEN ${strptimeGuard(v, naive)} THEN ${local(`try_strptime(${v}, ${listLiteral(naive)})`)} END)`);
	if (zoned.length) parts.push(`(CASE WHEN ${strptimeGuard(v, zoned)} THEN ${utcOf(`try_strptime(${v}, ${listLiteral(zoned)})`)} END)`);
	// Explicit formats win over ISO guessing; without them ISO goes first because it is the norm.
	if (formats) parts.push(TS_ISO(v, local));
	else parts.unshift(TS_ISO(v, local));
	if (!formats) parts.push(namedMonthExpr(v, local));
	return `CAST(coalesce(${parts.join(', ')}) AS TIMESTAMP)`;
}

function dateExpr(v: string, formats: readonly string[] | undefined): string {
	const parts = [`try_cast(${v} AS DATE)`, `CAST(${TS_ISO(v)} AS DATE)`];
	if (formats) parts.unshift(`(CASE WHEN ${strptimeGuard(v, formats)} THEN CAST(try_strptime(${v}, ${listLiteral(formats)}) AS DATE) END)`);
	else parts.push(`CAST(${namedMonthExpr(v)} AS DATE)`);
	return `coalesce(${parts.join(', ')})`;
}

/**
 * A number as written. In a file that writes a decimal comma (European exports, semicolon-
 * separated: "2457,78", "1.234,56") a value that is not a number as it stands is read with the
 * comma as the decimal point and dots as thousands; the pattern keeps "1,2,3" a non-number.
 */
function numberExpr(text: string, decimalComma: boolean): string {
	if (!decimalComma) return `try_cast(${text} AS DOUBLE)`;
	return `coalesce(try_cast(${text} AS DOUBLE), CASE WHEN regexp_full_match(${text}, '[+-]?(\\d{1,3}(\\.\\d{3})+|\\d+),\\d+') THEN try_cast(replace(replace(${text}, '.', ''), ',', '.') AS DOUBLE) END)`;
}

/** Seconds in a duration that is either a number of `unit`s or h:mm[:ss]. */
function durationSecondsExpr(v: string, unit: 'minutes' | 'hours' | 'seconds' | 'days', decimalComma: boolean): string {
	const factor = { seconds: 1, minutes: 60, hours: 3600, days: 86400 }[unit];
	return `CASE WHEN contains(${v}, ':') THEN
		try_cast(split_part(${v}, ':', 1) AS DOUBLE) * 3600 + try_cast(split_part(${v}, ':', 2) AS DOUBLE) * 60
		+ coalesce(try_cast(nullif(split_part(${v}, ':', 3), '') AS DOUBLE), 0)
		ELSE ${numberExpr(v, decimalComma)} * ${factor} END`;
}

/** The SQL type of the typed value (see typedValue) of each canonical column type. */
export const SQL_TYPES: Record<CanonicalColumn['type'], string> = {
	text: 'VARCHAR',
	enum: 'VARCHAR',
	timestamp: 'TIMESTAMP',
	date: 'DATE',
	decimal: 'DECIMAL(18, 2)',
	integer: 'INTEGER',
	boolean: 'BOOLEAN'
};

interface Context {
	headerIndex: Map<string, number>;
	headers: readonly string[];
	lenient: boolean;
	missing: Set<string>;
	mappingName: string;
	/** Staging column indexes read by the mapping (each gets a trimmed copy sN). */
	used: Set<number>;
	pieces: HelperColumn[];
	tables: NonNullable<Lookups['tables']>;
	noBreakSpaces: boolean;
	decimalComma: boolean;
	/** The mapping's time zone for times without an offset (ColumnMapping.timezone). */
	timezone?: string;
}

/**
 * The trimmed copy of the staged column for a header, or undefined when the file lacks it
 * (lenient) / error (strict).
 */
function stagedColumn(header: string, target: string, ctx: Context, layer: 's' | 'c' = 's'): string | undefined {
	const found = findHeader(header, ctx);
	if (found) {
		ctx.used.add(found.index);
		const column = layer === 's' ? `s${found.index}` : cleanText(`c${found.index}`, ctx.noBreakSpaces);
		// A path into a JSON value ("via.channel", "tags[0]"): exporters nest fields in JSON records.
		return found.path ? `nullif(trim(json_extract_string(${column}, ${quoteLiteral(`$${found.path}`)})), '')` : column;
	}
	if (ctx.lenient) {
		ctx.missing.add(header);
		return undefined;
	}
	const near = closestHeader(header, ctx.headers);
	throw new IngestError(
		'bad_mapping',
		`The mapping "${ctx.mappingName}" reads column "${header}" for ${target}, but the file has no such header${near ? ` (closest: "${near}")` : ''}.`,
		`Fix the header name in the mapping; the file's headers are: ${ctx.headers.map((h) => `"${h}"`).join(', ')}.`
	);
}

/** The staged column of a header, or of the JSON column a dotted path starts with ("via.channel" in column "via"). */
function findHeader(header: string, ctx: Context): { index: number; path?: string } | undefined {
	const index = ctx.headerIndex.get(header) ?? ctx.headerIndex.get(header.trim().toLowerCase());
	if (index !== undefined) return { index };
	// A path is a field name followed by ".key" or "[index]"; "Region [list]" (Zendesk names a custom
	// field with its type) is a header name, not a path into a "Region" column.
	const split = /^([^.[]*[^.[\s])((?:\.|\[\d+\]).*)$/.exec(header);
	if (!split) return undefined;
	const base = ctx.headerIndex.get(split[1]) ?? ctx.headerIndex.get(split[1].trim().toLowerCase());
	return base === undefined ? undefined : { index: base, path: split[2] };
}

/**
 * Text of one source, NULL when empty, as a piece of the typed pass: returns the piece's column.
 * The sources it reads are already trimmed (see cleanText).
 */
function sourceText(src: NormalisedSource, target: string, ctx: Context, alias: string): string | undefined {
	const staged = src.from.map((h) => stagedColumn(h, target, ctx)).filter((c): c is string => c !== undefined);
	if (staged.length === 0) return undefined;
	let text: string;
	if (src.combine === 'join') text = `nullif(trim(concat_ws(' ', ${staged.join(', ')})), '')`;
	else if (staged.length === 1) text = staged[0];
	else text = `coalesce(${staged.join(', ')})`;
	if (src.lookup) {
		const { table, value } = src.lookup;
		const entries = ctx.tables[table]?.[value];
		// A preset that can use a second file still imports without it; the summary says what was not looked up.
		if (!entries && ctx.lenient) {
			ctx.missing.add(`${src.lookup.key} looked up in the "${table}" file (not given)`);
			return undefined;
		}
		if (!entries) {
			throw new IngestError(
				'bad_mapping',
				`The mapping "${ctx.mappingName}" looks ${target} up in the second file "${table}", which was not given with this import.`,
				`Give the file with the import (caselens ingest ... --lookup ${table}=path/to/file.csv).`
			);
		}
		text = `map_extract_value(${mapLiteral(entries)}, ${text})`;
	}
	// Tags come space-separated (Zendesk) or comma-separated with spaces inside a tag (Freshdesk,
	// Help Scout: "late delivery, refund"): the first tag, by commas or semicolons when there are any.
	if (src.first_word) text = `nullif(trim(CASE WHEN contains(${text}, ',') OR contains(${text}, ';') THEN regexp_extract(${text}, '^[\\s,;]*([^,;]*)', 1) ELSE split_part(trim(${text}), ' ', 1) END), '')`;
	// "0:00:00" or "0" for a duration that never started; ltrim is cheap and exact for those texts.
	if (src.zero_is_empty) text = `(CASE WHEN ltrim(${text}, '0:.') = '' THEN NULL ELSE ${text} END)`;
	if (src.values && Object.keys(src.values).length) {
		const cases = Object.entries(src.values)
			.map(([from, to]) => `WHEN ${quoteLiteral(from.trim().toLowerCase())} THEN ${to === '' ? 'NULL' : quoteLiteral(to)}`)
			.join(' ');
		text = `(CASE lower(${text}) ${cases} ELSE ${text} END)`;
	}
	if (text === staged[0]) return text;
	ctx.pieces.push({ alias, expr: text });
	return quoteIdent(alias);
}

/** The characters trimmed from every value: space, tab, line feed, carriage return. */
const BLANK = `' ' || chr(9) || chr(10) || chr(13)`;

/**
 * nullif(trim(c, BLANK), ''), computed only for the values that need it. DuckDB's one-argument
 * trim() strips spaces only; a field holding just a line break or a tab (real exports have them,
 * e.g. an Olist review message of "\r\n") must count as empty too.
 *
 * trim() builds a new string for every value and was the most expensive expression of a 1M-row
 * import; the guard looks at the first character and the last byte only. It is true for every
 * value that trim would change or that is empty (ascii('') is 0), so the result is the same as
 * the plain form.
 *
 * With `noBreakSpaces` (the sniffer saw U+00A0 in the file: Zendesk Explore writes it for an empty
 * cell) that character is trimmed too; other files do not pay for the extra tests.
 */
function cleanText(c: string, noBreakSpaces: boolean): string {
	if (noBreakSpaces) {
		return `(CASE WHEN ascii(${c}) <= 32 OR ascii(${c}) = 160 OR suffix(${c}, ' ') OR suffix(${c}, chr(9)) OR suffix(${c}, chr(10)) OR suffix(${c}, chr(13)) OR suffix(${c}, chr(160)) THEN nullif(trim(${c}, ${BLANK} || chr(160)), '') ELSE ${c} END)`;
	}
	return `(CASE WHEN ascii(${c}) <= 32 OR suffix(${c}, ' ') OR suffix(${c}, chr(9)) OR suffix(${c}, chr(10)) OR suffix(${c}, chr(13)) THEN nullif(trim(${c}, ${BLANK}), '') ELSE ${c} END)`;
}

function describe(src: NormalisedSource): string {
	const headers = src.from.map((h) => `"${h}"`);
	const base = src.combine === 'join' ? headers.join(' + ') : headers.join(' or ');
	if (src.lookup) return `${base} looked up in ${src.lookup.table} ("${src.lookup.value}")`;
	return src.after ? `${base} (${src.after.unit} after ${src.after.column})` : base;
}

/** Small reference tables inlined as MAP literals: a lookup per row without a join. */
export interface Lookups {
	/** Country code or name, as countryKey (country-regions.server.ts) writes it -> region. */
	countryRegions: Record<string, string>;
	/** The file holds U+00A0 somewhere (SniffResult.mayHaveNoBreakSpaces): blanks made of it are empty. */
	noBreakSpaces?: boolean;
	/** The file writes numbers with a decimal comma (a semicolon-separated CSV): see numberExpr. */
	decimalComma?: boolean;
	/** Second files of the mapping (ColumnMapping.lookups): table -> value header -> key -> value. */
	tables?: Record<string, Record<string, Record<string, string>>>;
}

export function mapLiteral(entries: Record<string, string | number>): string {
	const pairs = Object.entries(entries).map(([k, v]) => `${quoteLiteral(k)}: ${typeof v === 'number' ? `CAST(${v} AS DOUBLE)` : quoteLiteral(v)}`);
	return pairs.length ? `MAP {${pairs.join(', ')}}` : 'NULL';
}

export function compileMapping(
	kind: ImportKind,
	mapping: ColumnMapping,
	headers: readonly string[],
	lookups: Lookups = { countryRegions: {} }
): CompiledMapping {
	// Checked by the mapping's schema on the way in (mapping-draft.ts); again here, where the zone
	// becomes SQL, for a mapping built in code.
	if (mapping.timezone !== undefined && !isTimeZone(mapping.timezone)) {
		throw new IngestError('bad_mapping', `The mapping "${mapping.name}" has timezone "${mapping.timezone}", which is not a time zone.`, 'Give an IANA time zone name such as "Europe/Berlin" or "America/New_York", or leave timezone out for UTC.');
	}
	const headerIndex = new Map<string, number>();
	headers.forEach((h, i) => {
		if (!headerIndex.has(h)) headerIndex.set(h, i);
		const lower = h.trim().toLowerCase();
		if (!headerIndex.has(lower)) headerIndex.set(lower, i);
	});
	const ctx: Context = { headerIndex, headers, lenient: mapping.lenient ?? false, missing: new Set(), mappingName: mapping.name, used: new Set(), pieces: [], tables: lookups.tables ?? {}, noBreakSpaces: lookups.noBreakSpaces ?? false, decimalComma: lookups.decimalComma ?? false, timezone: mapping.timezone };
	const canonical = columnsFor(kind);
	const unknown = Object.keys(mapping.columns).filter((name) => !canonical.some((c) => c.name === name));
	if (unknown.length) {
		throw new IngestError(
			'bad_mapping',
			`The mapping "${mapping.name}" names ${unknown.map((u) => `"${u}"`).join(', ')}, which ${unknown.length > 1 ? 'are not canonical columns' : 'is not a canonical column'} for ${kind}.`,
			`Use the canonical names: ${canonical.map((c) => c.name).join(', ')}.`
		);
	}

	const typedByName = new Map<string, string>();
	const compiled: CompiledColumn[] = [];
	// Columns used as the base of a duration must be compiled first.
	// Region may be derived from country, so it goes last too.
	const late = (name: string) => Number(usesAfter(mapping, name) || name === 'region');
	const ordered = [...canonical].sort((a, b) => late(a.name) - late(b.name));
	for (const column of ordered) {
		const spec = mapping.columns[column.name];
		const country = column.name === 'region' && Object.keys(lookups.countryRegions).length ? typedByName.get('country') : undefined;
		const fromCountry = country && country !== 'CAST(NULL AS VARCHAR)' ? `map_extract_value(${mapLiteral(lookups.countryRegions)}, ${countryKeySql(country)})` : undefined;
		compiled.push(compileColumn(column, spec === undefined ? undefined : normaliseSource(spec), ctx, typedByName, fromCountry));
	}
	compiled.sort((a, b) => canonical.indexOf(a.column) - canonical.indexOf(b.column));

	const crossChecks: ReasonCheck[] = [];
	if (mapping.not_a_record) {
		const { header, values, reason } = mapping.not_a_record;
		// Reasons are judged over the typed pass, which keeps the staged texts (cN) but not their trimmed copies.
		const staged = stagedColumn(header, 'the record filter', ctx, 'c');
		if (staged) {
			const listed = values.filter((v) => v.trim() !== '').map((v) => v.trim().toLowerCase());
			const conditions = [...(listed.length ? [`list_contains(${listLiteral(listed)}, lower(${staged}))`] : []), ...(values.some((v) => v.trim() === '') ? [`${staged} IS NULL`] : [])];
			if (conditions.length) crossChecks.push({ when: conditions.join(' OR '), then: `${quoteLiteral(`not a ${kind === 'cases' ? 'case' : 'feedback record'}: ${header} is `)} || coalesce('"' || ${staged} || '"', 'empty') || ${quoteLiteral(` (${reason})`)}` });
		}
	}
	const adjustments: Adjustment[] = [];
	const present = (c: CompiledColumn) => !c.value.startsWith('CAST(NULL AS');
	if (kind === 'cases') {
		for (const later of ['first_response_at', 'resolved_at']) {
			const c = compiled.find((x) => x.column.name === later);
			if (!c || !present(c)) continue;
			adjustments.push({ column: later, label: 'dropped', when: `${quoteIdent(later)} < ${quoteIdent('created_at')}`, what: `before created_at, so left empty (the case is kept)` });
		}
	}
	const nullValues = (mapping.null_values ?? []).filter((v) => v.trim() !== '');
	const cleaned = [...ctx.used]
		.sort((a, b) => a - b)
		.map((i) => ({ alias: `s${i}`, expr: nullValues.reduce((e, v) => `nullif(${e}, ${quoteLiteral(v.trim())})`, cleanText(`c${i}`, lookups.noBreakSpaces ?? false)) }));
	const readsDecimalComma = ctx.decimalComma && compiled.some((c) => present(c) && (c.column.type === 'decimal' || c.column.type === 'integer' || usesAfter(mapping, c.column.name)));
	return { columns: compiled, crossChecks, adjustments, cleaned, pieces: ctx.pieces, missingOptional: [...ctx.missing], readsDecimalComma };
}

function usesAfter(mapping: ColumnMapping, name: string): boolean {
	const spec = mapping.columns[name];
	if (spec === undefined || typeof spec === 'string') return false;
	for (let n: NormalisedSource | undefined = normaliseSource(spec); n; n = n.otherwise) if (n.after !== undefined) return true;
	return false;
}

function compileColumn(
	column: CanonicalColumn,
	spec: NormalisedSource | undefined,
	ctx: Context,
	typedByName: Map<string, string>,
	/** An expression that derives the value when the file has none (region from country). */
	derivation?: string
): CompiledColumn {
	// The source, then each `otherwise` in turn: the first that has a value wins.
	const chain: NormalisedSource[] = [];
	for (let n = spec; n; n = n.otherwise) chain.push(n);
	const defaultLiteral = spec?.default !== undefined ? quoteLiteral(spec.default) : undefined;

	const typed = (text: string, src: NormalisedSource) => typedValue(column, text, src, typedByName, ctx);
	const pieces: { text: string; value: string; label: 'source' | 'derived' | 'default'; basis?: string }[] = [];
	const hows: string[] = [];
	const isTime = column.type === 'timestamp' || column.type === 'date';
	const rawTexts: string[] = [];
	chain.forEach((src, i) => {
		const alias = i === 0 ? `x_${column.name}` : `x_${column.name}_otherwise${i > 1 ? i : ''}`;
		const label = i === 0 ? 'source' : 'derived';
		const placeholdersPossible = isTime && !src.after;
		// Placeholder days (Zendesk's 1900-01-01 for "not solved") are empty, so the next source is
		// tried; for "the first non-empty of several headers" that means header by header.
		const parts = placeholdersPossible && src.combine === 'first_of' && src.from.length > 1 ? src.from.map((h) => ({ ...src, from: [h], combine: 'single' as const })) : [src];
		let found = false;
		parts.forEach((part, k) => {
			const partAlias = parts.length > 1 ? `${alias}_${k}` : alias;
			const raw = sourceText(part, column.name, ctx, partAlias);
			if (!raw) return;
			found = true;
			if (!placeholdersPossible) {
				pieces.push({ text: raw, value: typed(raw, part), label, basis: src.basis });
				return;
			}
			// Typed once, in the pieces layer; the layer above tests the typed value for a placeholder
			// day, which costs one comparison for an ordinary value.
			const own = ctx.pieces.find((p) => quoteIdent(p.alias) === raw);
			const typedAlias = quoteIdent(`${partAlias}_t`);
			ctx.pieces.push({ alias: `${partAlias}_t`, expr: typed(own ? own.expr : raw, part) });
			const placeholder = isPlaceholder(typedAlias, raw, ctx.timezone !== undefined);
			rawTexts.push(raw);
			pieces.push({ text: `(CASE WHEN ${placeholder} THEN NULL ELSE ${raw} END)`, value: `(CASE WHEN ${placeholder} THEN NULL ELSE ${typedAlias} END)`, label, basis: src.basis });
		});
		if (found) hows.push(`${hows.length === 0 ? 'from' : 'else from'} ${describe(src)}${src.basis === 'business_hours' ? ' (business hours)' : ''}`);
	});
	if (derivation) {
		// Only looked up for the rows that need it: the guard is what the pieces before it decide anyway.
		const before = pieces.map((p) => `${p.text} IS NULL`);
		const lazy = before.length ? `(CASE WHEN ${before.join(' AND ')} THEN ${derivation} END)` : derivation;
		pieces.push({ text: lazy, value: lazy, label: 'derived' });
	}
	if (defaultLiteral && spec) pieces.push({ text: defaultLiteral, value: typed(defaultLiteral, { ...spec, after: undefined, format: undefined, lookup: undefined }), label: 'default' });

	const text = pieces.length ? `coalesce(${pieces.map((p) => p.text).join(', ')})` : 'CAST(NULL AS VARCHAR)';
	const value = pieces.length
		? pieces.length === 1
			? pieces[0].value
			: `coalesce(${pieces.map((p) => p.value).join(', ')})`
		: `CAST(NULL AS ${SQL_TYPES[column.type]})`;
	typedByName.set(column.name, value);

	// Provenance only matters when a value may come from somewhere other than the file's own column.
	// No pieces (a lenient mapping whose headers are all missing) means nothing to track, and an
	// empty CASE would be a syntax error that fails the whole import.
	const rawText = rawTexts.length ? (rawTexts.length === 1 ? rawTexts[0] : `coalesce(${rawTexts.join(', ')})`) : null;
	const mixed = pieces.length > 0 && (rawText !== null || pieces.length > 1 || pieces.some((p) => p.label !== 'source') || spec?.after !== undefined || spec?.lookup !== undefined);
	const labelOf = (p: (typeof pieces)[number]) => (p.label === 'source' && (spec?.after || spec?.lookup) ? 'derived' : p.label);
	const provenanceLabels: ('derived' | 'default' | 'emptied')[] = mixed ? [...new Set(pieces.map(labelOf).filter((l): l is 'derived' | 'default' => l !== 'source'))] : [];
	if (mixed && rawText) provenanceLabels.push('emptied');
	const digit = (p: (typeof pieces)[number]) => {
		const label = labelOf(p);
		return label === 'source' ? 0 : provenanceLabels.indexOf(label) + 1;
	};
	const emptied = rawText ? ` WHEN ${rawText} IS NOT NULL THEN ${provenanceLabels.indexOf('emptied') + 1}` : '';
	const provenance = mixed ? `CASE ${pieces.map((p) => `WHEN ${p.text} IS NOT NULL THEN ${digit(p)}`).join(' ')}${emptied} END` : null;

	if (derivation) hows.push('else from country (country-to-region table)');
	if (spec?.default !== undefined) hows.push(`else "${spec.default}"`);
	const how = hows.length ? hows.join(', ') : 'not in the file';

	const textAlias = `t_${column.name}`;
	const rawAlias = `r_${column.name}`;
	const reasonChecks = reasonExpr(column, quoteIdent(textAlias), quoteIdent(column.name));
	if (column.required && rawText) {
		reasonChecks.unshift({ when: `${quoteIdent(textAlias)} IS NULL AND ${quoteIdent(rawAlias)} IS NOT NULL`, then: `'${column.name}: "' || left(${quoteIdent(rawAlias)}, 60) || '" is a placeholder (${PLACEHOLDERS_TEXT.replaceAll("'", "''")}), not a real time'` });
	}
	const reason = reasonChecks.length ? `CASE ${reasonChecks.map((c) => `WHEN ${c.when} THEN ${c.then}`).join(' ')} END` : null;
	const measured = column.name === 'first_response_at' || column.name === 'resolved_at';
	const sourced = pieces.filter((p) => p.basis !== undefined);
	const basis = measured && sourced.length ? `CASE ${sourced.map((p) => `WHEN ${p.text} IS NOT NULL THEN ${quoteLiteral(p.basis ?? 'calendar')}`).join(' ')} END` : null;
	return { column, text, value, reason, reasonChecks, textAlias, rawText: column.required ? rawText : null, rawAlias, provenance, provenanceLabels, how, basis };
}

function typedValue(column: CanonicalColumn, text: string, src: NormalisedSource, typedByName: Map<string, string>, { decimalComma, timezone }: Pick<Context, 'decimalComma' | 'timezone'>): string {
	if (src.after) {
		const base = typedByName.get(src.after.column);
		if (!base) return 'NULL';
		const seconds = durationSecondsExpr(text, src.after.unit, decimalComma);
		// try_cast: a duration too large for BIGINT microseconds (e.g. "1e12" minutes) must reject
		// its row, not abort the whole import with a conversion error.
		return `(${base} + to_microseconds(try_cast(round((${seconds}) * 1000000) AS BIGINT)))`;
	}
	switch (column.type) {
		case 'timestamp':
			return timestampExpr(text, src.format, timezone);
		case 'date':
			return dateExpr(text, src.format);
		case 'decimal':
			// try_cast again: a number beyond DECIMAL(18, 2) (or NaN/inf) rejects its row instead of aborting the import.
			return `try_cast(round(${numberExpr(text, decimalComma)}, 2) AS DECIMAL(18, 2))`;
		case 'integer':
			return `try_cast(${numberExpr(text, decimalComma)} AS INTEGER)`;
		case 'boolean':
			// 'true' and 'false' as written (the common case) skip lower().
			return `(CASE ${text} WHEN 'true' THEN true WHEN 'false' THEN false ELSE CASE lower(${text}) WHEN 'true' THEN true WHEN 't' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true WHEN '1' THEN true WHEN 'false' THEN false WHEN 'f' THEN false WHEN 'no' THEN false WHEN 'n' THEN false WHEN '0' THEN false END END)`;
		case 'enum': {
			// A value already in canonical form (the common case) skips lower() and replace(), which
			// would return it unchanged: the canonical values are lower case without spaces.
			const values = column.values ?? [];
			const normalised = `lower(replace(${text}, ' ', '_'))`;
			// list_contains rather than IN: DuckDB plans an IN list of five or more as a join.
			return values.length ? `(CASE WHEN list_contains(${listLiteral(values)}, ${text}) THEN ${text} ELSE ${normalised} END)` : normalised;
		}
		default:
			return text;
	}
}

function reasonExpr(column: CanonicalColumn, text: string, value: string): ReasonCheck[] {
	const name = column.name;
	const shown = `'"' || left(${text}, 60) || '"'`;
	const checks: ReasonCheck[] = [];
	if (column.required) checks.push({ when: `${text} IS NULL`, then: `'${name} is empty (required)'` });
	switch (column.type) {
		case 'timestamp':
			checks.push({ when: `${value} IS NULL AND ${text} IS NOT NULL`, then: `'${name}: ' || ${shown} || ' is not a timestamp (expected e.g. 2024-03-01 14:30:00 or ISO 8601, or set ''format'' in the mapping for other layouts)'` });
			break;
		case 'date':
			checks.push({ when: `${value} IS NULL AND ${text} IS NOT NULL`, then: `'${name}: ' || ${shown} || ' is not a date (expected e.g. 2024-03-01)'` });
			break;
		case 'decimal':
		case 'integer':
			// A number that parses but does not fit the column deserves its own words.
			checks.push({ when: `${value} IS NULL AND ${text} IS NOT NULL AND isfinite(try_cast(${text} AS DOUBLE))`, then: `'${name}: ' || ${shown} || ' is out of range for this column'` });
			checks.push({ when: `${value} IS NULL AND ${text} IS NOT NULL`, then: `'${name}: ' || ${shown} || ' is not a number'` });
			break;
		case 'boolean':
			checks.push({ when: `${value} IS NULL AND ${text} IS NOT NULL`, then: `'${name}: ' || ${shown} || ' is not true/false'` });
			break;
		// An enumeration value outside the list is kept as written (lower case, spaces as '_') and
		// counted per value in the batch summary: an unknown channel does not make a row less a case.
	}
	if (name === 'csat') checks.push({ when: `${value} IS NOT NULL AND (${value} < 1 OR ${value} > 5)`, then: `'csat ' || ${value} || ' is outside 1-5'` });
	if (name === 'reopen_count') checks.push({ when: `${value} < 0`, then: `'reopen_count is negative'` });
	return checks;
}

/** The summary's note on headers a lenient mapping looks for that the file lacks, or undefined. */
export function missingHeadersNote(compiled: CompiledMapping): string | undefined {
	if (!compiled.missingOptional.length) return undefined;
	return `Headers the mapping also looks for, which this file does not have (their columns are left to the other sources or the default): ${compiled.missingOptional.map((h) => `"${h}"`).join(', ')}.`;
}
