import { columnsFor, normaliseHeader, type DurationBasis, type ImportKind } from './canonical-columns';

/**
 * How one canonical column is filled from an export. A plain string names the source header.
 * Everything a preset does is expressible here, so a user's saved mapping has the same power.
 */
export type ColumnSource =
	| string
	| {
			/** One source header. */
			from?: string;
			/** Several headers joined with a space (e.g. separate date and time columns). */
			join?: string[];
			/** The first non-empty of several headers. Headers missing from the file are skipped. */
			first_of?: string[];
			/** Keep only the first tag of the value: split by commas or semicolons when it has any, else by spaces. */
			first_word?: boolean;
			/** Value translation, matched case-insensitively after trimming. Unlisted values pass through. */
			values?: Record<string, string>;
			/** strptime format(s) for timestamps and dates, e.g. "%d-%m-%y %I:%M:%S %p". */
			format?: string | string[];
			/** The source is a duration added to another canonical timestamp column. */
			after?: { column: string; unit: 'minutes' | 'hours' | 'seconds' | 'days' };
			/** How the duration was measured (default calendar): Zendesk's "... within business hours" columns are business_hours. */
			basis?: DurationBasis;
			/** A zero duration means "none" (Freshdesk writes 0:00:00 for a ticket without a reply). */
			zero_is_empty?: boolean;
			/**
			 * The value comes from a second file (see ColumnMapping.lookups): the row's `key` header is
			 * looked up in that file's key column, and the file's `value` header is taken.
			 */
			lookup?: { table: string; key: string; value: string };
			/** Tried when this source is missing or empty (e.g. a duration when the timestamp is absent). */
			otherwise?: ColumnSource;
			/** Used when every source is missing or empty; counted as "defaulted" in the batch summary. */
			default?: string;
	  };

export interface ColumnMapping {
	/** Shown in the batch history. */
	name: string;
	kind?: ImportKind;
	/** Canonical column -> source. Columns not listed are empty (or required => error). */
	columns: Record<string, ColumnSource>;
	/**
	 * When true, headers that are missing from the file are treated as absent (the column falls
	 * back to its default) instead of being an error. Presets set it: they describe a whole export
	 * family, and one customer's export rarely has every column.
	 */
	lenient?: boolean;
	/** Texts that mean "no value" in this export, besides empty (ServiceNow writes "?"). */
	null_values?: string[];
	/**
	 * The time zone (IANA name, e.g. "Europe/Berlin") of times written without an offset: help desks
	 * export in the account's zone. They are converted to UTC; a time with an offset or "Z" is
	 * already exact. Absent: times without an offset are taken as UTC.
	 */
	timezone?: string;
	/**
	 * What several rows with the same id are. 'reject' (default): a mistake; the last row is kept
	 * and the earlier ones are rejected. 'merge': an event log (one row per update, oldest first);
	 * the last row is the case and the earlier ones are accepted as its history, counted as merged.
	 * 'join': a report that repeats a ticket once per value of a multi-valued attribute (Zendesk
	 * Explore); the rows are one case, counted as merged, and texts that differ between them are joined.
	 */
	duplicates?: 'reject' | 'merge' | 'join';
	/**
	 * Rows that are not records of this kind, by the value of one header (compared case-insensitively;
	 * "" matches an empty cell): a ticket export imported as feedback has a row per ticket, but only
	 * the tickets whose survey was offered are survey records. They are rejected with `reason`.
	 */
	not_a_record?: { header: string; values: string[]; reason: string };
	/** Second files the columns look values up in, by name: the header of their key column. */
	lookups?: Record<string, { key: string; description?: string }>;
}

export interface NormalisedSource {
	from: string[];
	combine: 'single' | 'join' | 'first_of';
	first_word: boolean;
	values?: Record<string, string>;
	format?: string[];
	after?: { column: string; unit: 'minutes' | 'hours' | 'seconds' | 'days' };
	basis: DurationBasis;
	zero_is_empty: boolean;
	lookup?: { table: string; key: string; value: string };
	otherwise?: NormalisedSource;
	default?: string;
}

/** Whether `name` is a time zone the runtime knows (IANA: "Europe/Berlin"); DuckDB reads the same names. */
export function isTimeZone(name: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: name });
		return true;
	} catch {
		return false;
	}
}

export function normaliseSource(source: ColumnSource): NormalisedSource {
	if (typeof source === 'string') return { from: [source], combine: 'single', first_word: false, basis: 'calendar', zero_is_empty: false };
	const from = source.lookup ? [source.lookup.key] : (source.join ?? source.first_of ?? (source.from !== undefined ? [source.from] : []));
	return {
		from,
		combine: source.join ? 'join' : source.first_of ? 'first_of' : 'single',
		first_word: source.first_word ?? false,
		values: source.values,
		format: source.format === undefined ? undefined : Array.isArray(source.format) ? source.format : [source.format],
		after: source.after,
		basis: source.basis ?? 'calendar',
		zero_is_empty: source.zero_is_empty ?? false,
		lookup: source.lookup,
		otherwise: source.otherwise === undefined ? undefined : normaliseSource(source.otherwise),
		default: source.default
	};
}

/** Canonical columns filled by identity or alias from the given headers: the starting point for a hand mapping. */
export function guessMapping(kind: ImportKind, headers: readonly string[]): ColumnMapping {
	const byNormal = new Map(headers.map((h) => [normaliseHeader(h), h]));
	const columns: Record<string, ColumnSource> = {};
	for (const column of columnsFor(kind)) {
		const candidates = [column.name, ...(column.aliases ?? [])].map(normaliseHeader);
		const hit = candidates.map((c) => byNormal.get(c)).find((h) => h !== undefined);
		if (hit !== undefined) columns[column.name] = hit;
	}
	if (kind === 'cases') {
		for (const [name, pattern] of DURATION_HEADERS) {
			if (columns[name] !== undefined) continue;
			const duration = durationHeader(headers, pattern);
			if (duration) columns[name] = { from: duration.header, after: { column: 'created_at', unit: duration.unit } };
		}
	}
	return { name: 'custom', kind, columns };
}

/**
 * Exports that give the response and resolution as elapsed times rather than timestamps name the
 * unit in the header: Zoho Desk's "First Response Time (in Hours)", HubSpot's "Time to first agent
 * reply (HH:mm:ss)". Only a header that names its unit is taken; h:mm:ss values read in any unit.
 */
const DURATION_HEADERS: [string, RegExp][] = [
	['first_response_at', /\b(first (response|reply)|first agent reply|time to first)\b/],
	['resolved_at', /\b(resolution time|time to (close|resolve|resolution)|full resolution)\b/]
];

function durationHeader(headers: readonly string[], pattern: RegExp): { header: string; unit: 'minutes' | 'hours' | 'seconds' | 'days' } | undefined {
	for (const header of headers) {
		const text = normaliseHeader(header);
		// Business-hours variants are a different clock: a hand mapping can mark them so.
		if (!pattern.test(text) || /business/.test(text)) continue;
		const unit = /\b(hours?|hrs?|hh mm( ss)?)\b/.test(text) ? 'hours' : /\b(minutes?|mins?)\b/.test(text) ? 'minutes' : /\b(seconds?|secs?)\b/.test(text) ? 'seconds' : /\bdays?\b/.test(text) ? 'days' : undefined;
		if (unit) return { header, unit };
	}
	return undefined;
}

/** Levenshtein distance, for "closest header found" in error messages. */
function editDistance(a: string, b: string): number {
	const row = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		let diagonal = row[0];
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const above = row[j];
			row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
			diagonal = above;
		}
	}
	return row[b.length];
}

/** The header that looks most like `wanted` (or one of its aliases), or undefined if none is close. */
export function closestHeader(wanted: string, headers: readonly string[], aliases: readonly string[] = []): string | undefined {
	let best: { header: string; score: number } | undefined;
	for (const header of headers) {
		const h = normaliseHeader(header);
		for (const target of [wanted, ...aliases].map(normaliseHeader)) {
			const score = editDistance(h, target) / Math.max(h.length, target.length, 1);
			if (!best || score < best.score) best = { header, score };
		}
	}
	return best && best.score <= 0.34 ? best.header : undefined;
}
