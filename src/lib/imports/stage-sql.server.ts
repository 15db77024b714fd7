import type { CompiledColumn, CompiledMapping, HelperColumn } from './mapping-sql.server';
import type { SniffResult } from './sniff-file.server';
import { quoteIdent, quoteLiteral } from './sql-text.server';

/**
 * The CSV reader's buffer. DuckDB's default is 16 times the line-size limit (32 MiB here); with
 * 8 MiB a 1M-row import ran about 13% faster (the reader's own scan about 30%): smaller pieces
 * spread better over the threads and stay in cache. It must exceed the line-size limit.
 */
const READ_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * The reader's rejects of `sourceSelect`, one row per line: its reason and its text. DuckDB writes
 * one error per missing field ("Found: 1", "Found: 2", ... for a one-field line); the first says
 * how many fields the line has, and it is said in words (a report's title or footer lines, as in
 * Salesforce's formatted exports, are the usual cause).
 */
export function readerRejectsSql(rejectsTable: string): string {
	const missing = `'it has ' || regexp_extract(message, 'Found: (\\d+)', 1) || ' of the header''s ' || regexp_extract(message, 'Expected Number of Columns: (\\d+)', 1) || ' fields (a report''s title or footer line, or a line break lost in export)'`;
	return `SELECT line, string_agg(reason, '; ' ORDER BY reason) AS reason, any_value(raw) AS raw FROM (
			SELECT line, error_type || ': ' || CASE WHEN error_type = 'MISSING COLUMNS' THEN ${missing} ELSE message END AS reason, raw FROM (
				SELECT line, error_type, coalesce(arg_min(error_message, column_idx), any_value(error_message)) AS message, any_value(trim(csv_line, chr(10) || chr(13))) AS raw
				FROM ${rejectsTable} GROUP BY line, error_type))
		GROUP BY line`;
}

/**
 * A SELECT that reads the file as VARCHAR columns c0..cN, in file order. Typing happens on top of
 * it, in SQL, so that a bad value rejects its row with a reason instead of failing the whole file.
 */
export function sourceSelect(path: string, sniff: SniffResult, headers: readonly string[], names: { rejects: string; rejectsScan: string }, maxLineBytes: number): string {
	const file = quoteLiteral(path);
	const columns = headers.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
	switch (sniff.format) {
		case 'csv':
			return `SELECT * FROM read_csv(${file}, header = true, auto_detect = false, columns = {${columns}},
					delim = ${quoteLiteral(sniff.delimiter ?? ',')}, quote = '"', escape = '"',
					encoding = ${quoteLiteral(sniff.encoding)}, strict_mode = true, null_padding = false,
					max_line_size = ${maxLineBytes}, parallel = true, buffer_size = ${Math.max(READ_BUFFER_BYTES, 2 * maxLineBytes)},
					store_rejects = true, rejects_table = ${quoteLiteral(names.rejects)}, rejects_scan = ${quoteLiteral(names.rejectsScan)})`;
		case 'json':
		case 'ndjson': {
			const jsonColumns = headers.map((h) => `${quoteLiteral(h)}: 'VARCHAR'`).join(', ');
			const select = headers.map((h, i) => `${quoteIdent(h)} AS c${i}`).join(', ');
			return `SELECT ${select} FROM read_json(${file}, format = ${sniff.format === 'json' ? "'array'" : "'newline_delimited'"},
					records = true, columns = {${jsonColumns}}, maximum_object_size = ${maxLineBytes})`;
		}
		case 'parquet': {
			const select = headers.map((h, i) => `CAST(${quoteIdent(h)} AS VARCHAR) AS c${i}`).join(', ');
			return `SELECT ${select} FROM read_parquet(${file})`;
		}
	}
}

/**
 * A DESCRIBE that names the file's columns as DuckDB's reader sees them, for the formats whose
 * header the sniffer cannot give completely: Parquet has no text header at all, and a JSON record
 * may omit keys that later records have (exporters drop null fields), so the first record's keys
 * are not the file's columns. DuckDB unions the keys over its sample (the first 20,480 records).
 */
export function describeSource(path: string, sniff: SniffResult, maxLineBytes: number): string | undefined {
	const file = quoteLiteral(path);
	switch (sniff.format) {
		case 'csv':
			return undefined;
		case 'json':
		case 'ndjson':
			return `DESCRIBE SELECT * FROM read_json(${file}, format = ${sniff.format === 'json' ? "'array'" : "'newline_delimited'"},
					records = true, maximum_object_size = ${maxLineBytes})`;
		case 'parquet':
			return `DESCRIBE SELECT * FROM read_parquet(${file})`;
	}
}

/** The row as the user wrote it, rebuilt for the rejected-rows browser. */
export function rawRowExpr(sniff: SniffResult, headers: readonly string[]): string {
	if (sniff.format === 'csv') {
		const d = sniff.delimiter ?? ',';
		const field = (c: string) =>
			`CASE WHEN ${c} IS NULL THEN '' WHEN contains(${c}, ${quoteLiteral(d)}) OR contains(${c}, '"') OR contains(${c}, chr(10)) OR contains(${c}, chr(13)) THEN '"' || replace(${c}, '"', '""') || '"' ELSE ${c} END`;
		// concat() over all fields rather than a chain of ||: a file of 20,000 columns made the chain
		// deeper than DuckDB's expression depth limit.
		return headers.length ? `concat(${headers.map((_, i) => field(`c${i}`)).join(`, ${quoteLiteral(d)}, `)})` : "''";
	}
	return `CAST(json_object(${headers.map((h, i) => `${quoteLiteral(h)}, c${i}`).join(', ')}) AS VARCHAR)`;
}

/**
 * The source with the mapping's helper columns added: trimmed sources (s0..) and then the text of
 * each column's sources (x_...), each computed once per row in its own layer.
 */
export function piecesSelect(compiled: CompiledMapping, source: string): string {
	const layer = (helpers: HelperColumn[], from: string) => (helpers.length ? `SELECT *, ${helpers.map((h) => `${h.expr} AS ${quoteIdent(h.alias)}`).join(', ')} FROM (${from})` : from);
	return layer(compiled.pieces, layer(compiled.cleaned, source));
}

/**
 * The typed pass over a source SELECT (columns c0..cN, file order): one row per record with every
 * canonical column typed and named, `p_<column>` for the columns whose provenance the batch
 * summary counts, `reason` (NULL when the row is accepted, else every problem found) and `raw`
 * (the record as written, only for rejected rows).
 *
 * Built in layers, so that DuckDB computes each expression once per row and the costly ones only
 * for the rows that need them: a reason's sentence is only built for a row that fails a check.
 */
export function typedSelect(compiled: CompiledMapping, headers: readonly string[], source: string, raw: string): string {
	const typed = compiled.columns.map((c) => `${c.value} AS ${quoteIdent(c.column.name)}`);
	const texts = compiled.columns.filter((c) => c.reason).map((c) => `${c.text} AS ${quoteIdent(c.textAlias)}`);
	const raws = compiled.columns.filter((c) => c.reason && c.rawText).map((c) => `${c.rawText} AS ${quoteIdent(c.rawAlias)}`);
	const provenance = compiled.columns.filter((c) => c.provenance).map((c) => `${c.provenance} AS ${quoteIdent(provenanceAlias(c))}`);
	const bases = compiled.columns.filter((c) => c.basis).map((c) => `${c.basis} AS ${quoteIdent(basisAlias(c))}`);
	const checks = [...compiled.columns.filter((c) => c.reasonChecks.length).map((c) => c.reasonChecks), ...compiled.crossChecks.map((c) => [c])];
	// A check is a problem when its condition is true (not NULL): NULL counts as false, as in CASE.
	const failing = checks.flat().map((c) => `(${c.when}) IS TRUE`);
	const sentences = checks.map((column) => `CASE ${column.map((c) => `WHEN ${c.when} THEN ${c.then}`).join(' ')} END`);
	const reason = failing.length ? `CASE WHEN ${failing.join(' OR ')} THEN nullif(concat_ws('; ', ${sentences.join(', ')}), '') END` : 'CAST(NULL AS VARCHAR)';
	const staged = headers.map((_, i) => `c${i}`);
	const helpers = [...staged, ...compiled.columns.filter((c) => c.reason).map((c) => quoteIdent(c.textAlias)), ...compiled.columns.filter((c) => c.reason && c.rawText).map((c) => quoteIdent(c.rawAlias))];
	return `SELECT * EXCLUDE (${helpers.join(', ')}), CASE WHEN reason IS NOT NULL THEN ${raw} END AS raw
		FROM (
			SELECT *, ${reason} AS reason
			FROM (
				SELECT ${[...typed, ...texts, ...raws, ...provenance, ...bases, ...staged].join(', ')}
				FROM (${piecesSelect(compiled, source)})
			)
		)`;
}

export function provenanceAlias(column: CompiledColumn): string {
	return `p_${column.column.name}`;
}

/** The typed pass's column holding the basis of a measured time (see CompiledColumn.basis). */
export function basisAlias(column: CompiledColumn): string {
	return `b_${column.column.name}`;
}
