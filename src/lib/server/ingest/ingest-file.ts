import { basename } from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import { columnsFor, idColumn, type ImportKind } from '../../contract/canonical-columns';
import type { ColumnMapping } from '../../contract/column-mapping';
import type { Database } from '../db/schema';
import { recordAudit } from '../audit/audit-log';
import { archiveRawFile } from './archive';
import { IngestError } from './ingest-error';
import { compileMapping, mapLiteral, type CompiledMapping } from './mapping-sql';
import { checkKind, checkRequired, chooseMapping } from './resolve-mapping';
import { sniffFile, type SniffResult } from './sniff-file';
import { quoteIdent } from './sql-text';
import { describeSource, rawRowExpr, sourceSelect } from './stage-sql';

export type IngestStage = 'checking' | 'loading' | 'validating' | 'writing' | 'done';

export interface IngestProgress {
	stage: IngestStage;
	message: string;
}

export interface IngestOptions {
	path: string;
	/** Name the user knows the file by (upload name); defaults to the path's base name. */
	fileName?: string;
	kind: ImportKind;
	preset?: string;
	mapping?: ColumnMapping;
	encoding?: 'auto' | 'utf-8' | 'latin-1';
	importedBy: string;
	source: 'cli' | 'upload' | 'demo' | 'api';
	archiveDir: string;
	maxBytes: number;
	maxLineBytes?: number;
	onProgress?: (progress: IngestProgress) => void;
}

export interface ColumnProvenance {
	how: string;
	derived: number;
	defaulted: number;
}

export interface BatchSummary {
	batch_id: number | null;
	status: 'committed' | 'duplicate';
	kind: ImportKind;
	file_name: string;
	size_bytes: number;
	sha256: string;
	format: string;
	encoding: string;
	delimiter: string | null;
	mapping: string;
	rows_read: number;
	accepted: number;
	rejected: number;
	duplicates_in_file: number;
	replaced: number;
	duplicate_of: number | null;
	/** Columns not taken as-is from the file, and for how many accepted rows. */
	derived: Record<string, ColumnProvenance>;
	/** Most frequent rejection reasons (values elided), with counts. */
	top_reasons: { reason: string; count: number }[];
	warnings: string[];
	timings_ms: Record<string, number>;
}

const DEFAULT_MAX_LINE_BYTES = 2 * 1024 * 1024;

/** Staged header names must be unique; later duplicates get a numeric suffix. */
function uniqueHeaders(headers: readonly string[]): string[] {
	const seen = new Map<string, number>();
	return headers.map((h) => {
		const n = seen.get(h) ?? 0;
		seen.set(h, n + 1);
		return n === 0 ? h : `${h}_${n + 1}`;
	});
}

/**
 * Imports one file as one transaction: every row read ends up accepted or in rejected_rows with
 * its line and reason, and a failure leaves the database as it was (the failure itself is
 * recorded as a failed batch so the Imports page shows it).
 */
export async function ingestFile(db: Kysely<Database>, options: IngestOptions): Promise<BatchSummary> {
	const fileName = options.fileName ?? basename(options.path);
	const startedAt = new Date();
	const timings: Record<string, number> = {};
	let mark = performance.now();
	const lap = (name: string) => {
		const now = performance.now();
		timings[name] = Math.round(now - mark);
		mark = now;
	};
	const progress = (stage: IngestStage, message: string) => options.onProgress?.({ stage, message });
	let sniff: SniffResult | undefined;
	let mappingOrigin: string | undefined;
	try {
		progress('checking', 'Checking the file (encoding, format, checksum)');
		sniff = await sniffFile(options.path, {
			maxBytes: options.maxBytes,
			maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
			encoding: options.encoding ?? 'auto',
			fileName
		});
		lap('check');
		const headers = uniqueHeaders(await fileColumns(db, options.path, sniff, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES));
		if (headers.length === 0) {
			throw new IngestError('empty_file', `The file ${fileName} has no header row.`, 'Export the data again with column headers in the first row.');
		}

		const previous = await db
			.selectFrom('import_batches')
			.select('batch_id')
			.where('sha256', '=', sniff.sha256)
			.where('kind', '=', options.kind)
			.where('status', '=', 'committed')
			.orderBy('batch_id')
			.executeTakeFirst();
		if (previous) {
			progress('done', `Already imported as batch ${previous.batch_id}; nothing changed`);
			return duplicateSummary(options.kind, fileName, sniff, previous.batch_id, timings);
		}

		const { mapping, origin } = chooseMapping(options.kind, headers, { preset: options.preset, mapping: options.mapping });
		mappingOrigin = origin;
		checkKind(options.kind, headers, mapping);
		checkRequired(options.kind, headers, mapping);
		const countryRegions = Object.fromEntries((await db.selectFrom('country_regions').select(['country', 'region']).execute()).map((r) => [r.country, r.region]));
		const compiled = compileMapping(options.kind, mapping, headers, { countryRegions });

		const archivePath = await archiveRawFile(options.path, options.archiveDir, sniff.sha256, sniff.format);
		lap('archive');

		const sniffed = sniff;
		const summary = await db.transaction().execute((trx) =>
			loadBatch(trx, { options, sniff: sniffed, headers, mapping, compiled, origin, fileName, archivePath, startedAt, timings, lap, progress })
		);
		progress('done', `Batch ${summary.batch_id}: ${summary.accepted} accepted, ${summary.rejected} rejected`);
		return summary;
	} catch (error) {
		await recordFailure(db, options, fileName, sniff, mappingOrigin, startedAt, explainLoadError(error, fileName));
		throw explainLoadError(error, fileName);
	}
}

/** Header names: the sniffed CSV header, or for JSON/Parquet the reader's columns (see describeSource). */
async function fileColumns(db: Kysely<Database>, path: string, sniff: SniffResult, maxLineBytes: number): Promise<string[]> {
	const sniffed = sniff.header ?? [];
	const describe = describeSource(path, sniff, maxLineBytes);
	// An empty JSON array has no columns; leave it to the empty-file error rather than DuckDB's placeholder column.
	if (!describe || (sniff.format !== 'parquet' && sniffed.length === 0)) return sniffed;
	const { rows } = await sql.raw<{ column_name: string }>(describe).execute(db);
	// The first record's key order first, as the user sees the file; keys found only later after it.
	return [...new Set([...sniffed, ...rows.map((r) => r.column_name)])];
}

interface LoadContext {
	options: IngestOptions;
	sniff: SniffResult;
	headers: string[];
	mapping: ColumnMapping;
	compiled: CompiledMapping;
	origin: string;
	fileName: string;
	archivePath: string;
	startedAt: Date;
	timings: Record<string, number>;
	lap: (name: string) => void;
	progress: (stage: IngestStage, message: string) => void;
}

async function loadBatch(trx: Transaction<Database>, ctx: LoadContext): Promise<BatchSummary> {
	const { options, sniff, headers, compiled, lap, progress } = ctx;
	const kind = options.kind;
	const exec = (text: string) => sql.raw(text).execute(trx);
	const one = async <T>(text: string) => (await sql.raw<T>(text).execute(trx)).rows[0];

	const batchId = (await one<{ id: number }>(`SELECT nextval('batch_id_seq')::INTEGER AS id`)).id;
	const names = { typed: `stage_typed_${batchId}`, rejects: `stage_rejects_${batchId}`, rejectsScan: `stage_rejects_scan_${batchId}` };

	// One pass: the reader parses, every value is typed and judged, and the original text is kept
	// only for rows that are rejected. Insertion order is file order, so rowid gives the position.
	progress('loading', `Reading ${sniff.format.toUpperCase()} and checking every row against the data contract`);
	const id = quoteIdent(idColumn(kind));
	const typedColumns = compiled.columns.map((c) => `${c.value} AS ${quoteIdent(c.column.name)}`);
	const texts = compiled.columns.filter((c) => c.reason).map((c) => `${c.text} AS ${quoteIdent(c.textAlias)}`);
	const provenance = compiled.columns.filter((c) => c.provenance).map((c) => `${c.provenance} AS ${quoteIdent(`p_${c.column.name}`)}`);
	const reasons = [...compiled.columns.map((c) => c.reason).filter((r): r is string => r !== null), ...compiled.crossChecks];
	const helperColumns = [...headers.map((_, i) => `c${i}`), ...compiled.columns.filter((c) => c.reason).map((c) => quoteIdent(c.textAlias))];
	await exec(`CREATE TEMP TABLE ${names.typed} AS
		SELECT * EXCLUDE (${helperColumns.join(', ')}),
			CASE WHEN reason IS NOT NULL THEN ${rawRowExpr(sniff, headers)} END AS raw
		FROM (
			SELECT *, nullif(concat_ws('; ', ${reasons.join(', ')}), '') AS reason
			FROM (
				SELECT ${[...typedColumns, ...texts, ...provenance].join(', ')}, ${headers.map((_, i) => `c${i}`).join(', ')}
				FROM (${sourceSelect(options.path, sniff, headers, names, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)})
			)
		)`);
	lap('load');

	progress('validating', 'Numbering rows and resolving duplicate ids');
	// Reader-level rejects (wrong field count, bad quoting, bad encoding) only exist for CSV.
	const readerRejects = sniff.format === 'csv';
	const firstLine = sniff.format === 'csv' ? 2 : 1;
	if (readerRejects) {
		await exec(`CREATE TEMP TABLE ${names.rejects}_lines AS
			SELECT line, string_agg(DISTINCT error_type || ': ' || error_message, '; ') AS reason, any_value(trim(csv_line, chr(10) || chr(13))) AS raw
			FROM ${names.rejects} GROUP BY line`);
	}
	const rejectCount = readerRejects ? Number((await one<{ n: number }>(`SELECT count(*) AS n FROM ${names.rejects}_lines`)).n) : 0;
	const firstRowid = Number((await one<{ r: number | null }>(`SELECT min(rowid) AS r FROM ${names.typed}`)).r ?? 0);
	// A parsed record's line: its position plus the header plus the reader-rejected records before it.
	const k = `(rowid - ${firstRowid})`;
	const lineOf =
		rejectCount === 0
			? `${k} + ${firstLine}`
			: `${k} + ${firstLine} + (SELECT count(*) FROM (SELECT line - row_number() OVER (ORDER BY line) - ${firstLine - 1} AS start FROM ${names.rejects}_lines) r WHERE r.start <= ${k})`;
	await exec(`ALTER TABLE ${names.typed} ADD COLUMN line BIGINT`);
	await exec(`UPDATE ${names.typed} SET line = ${lineOf} WHERE reason IS NOT NULL`);
	// Duplicate ids are rare; find them with an aggregate instead of a window over every row.
	await exec(`CREATE TEMP TABLE ${names.typed}_dups AS
		SELECT ${id} AS id, max(rowid) AS keep FROM ${names.typed} WHERE reason IS NULL GROUP BY ${id} HAVING count(*) > 1`);
	const duplicates = Number((await one<{ n: number }>(`SELECT count(*) AS n FROM ${names.typed}_dups`)).n);
	if (duplicates > 0) {
		const keptLine = lineOf.replaceAll('rowid', 'd.keep');
		await exec(`UPDATE ${names.typed} AS t SET line = ${lineOf.replaceAll('rowid', 't.rowid')},
			reason = 'duplicate ${idColumn(kind)} "' || t.${id} || '" in this file: a later row (line ' || (${keptLine}) || ') replaces it',
			raw = CAST(to_json(struct_pack(${compiled.columns.map((c) => `${quoteIdent(c.column.name)} := t.${quoteIdent(c.column.name)}`).join(', ')})) AS VARCHAR)
			FROM ${names.typed}_dups d WHERE t.${id} = d.id AND t.reason IS NULL AND t.rowid < d.keep`);
	}
	lap('validate');

	progress('writing', 'Writing accepted rows and rejected rows');
	const counts = await one<{ parsed: number; accepted: number; duplicates: number }>(`SELECT count(*) AS parsed,
		count(*) FILTER (WHERE reason IS NULL) AS accepted,
		count(*) FILTER (WHERE starts_with(reason, 'duplicate ${idColumn(kind)}')) AS duplicates
		FROM ${names.typed}`);
	const rowsRead = Number(counts.parsed) + rejectCount;
	if (rowsRead === 0) {
		throw new IngestError('header_only', `The file ${ctx.fileName} has a header but no data rows.`, 'Export again with the rows included, or check that the export filter was not empty.');
	}

	const table = kind === 'cases' ? 'cases' : 'feedback';
	const replacedResult = await sql.raw(`DELETE FROM ${table} WHERE ${id} IN (SELECT ${id} FROM ${names.typed} WHERE reason IS NULL)`).execute(trx);
	const replaced = Number(replacedResult.numAffectedRows ?? 0n);
	lap('replace');
	await insertAccepted(trx, kind, names.typed, batchId);
	lap('insert');

	await exec(`INSERT INTO rejected_rows SELECT ${batchId}, line, reason, raw FROM ${names.typed} WHERE reason IS NOT NULL`);
	if (readerRejects) {
		await exec(`INSERT INTO rejected_rows SELECT ${batchId}, line, 'the CSV reader could not split this record: ' || reason, raw FROM ${names.rejects}_lines`);
	}
	const derived = await provenanceCounts(trx, compiled, names.typed);
	const topReasons = (
		await sql<{ reason: string; count: number }>`SELECT regexp_replace(regexp_replace(reason, '"[^"]*"', '"…"', 'g'), '\(line \d+\)|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d', '…', 'g') AS reason, count(*) AS count
			FROM rejected_rows WHERE batch_id = ${batchId} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`.execute(trx)
	).rows;
	lap('write');

	const rejected = rowsRead - Number(counts.accepted);
	const storedRejects = Number((await one<{ n: number }>(`SELECT count(*) AS n FROM rejected_rows WHERE batch_id = ${batchId}`)).n);
	if (storedRejects !== rejected) {
		// Guard for the one rule that never bends: rows read = accepted + rejected.
		throw new Error(`Internal error: ${rowsRead} rows read, ${counts.accepted} accepted, but ${storedRejects} rejected rows stored`);
	}
	const warnings = [
		...(compiled.missingOptional.length ? [`Not in the file, so left empty or filled by the preset's fallback: ${compiled.missingOptional.map((h) => `"${h}"`).join(', ')}`] : []),
		...(await unknownCurrencyWarnings(trx, kind, batchId))
	];
	const summary: BatchSummary = {
		batch_id: batchId,
		status: 'committed',
		kind,
		file_name: ctx.fileName,
		size_bytes: sniff.sizeBytes,
		sha256: sniff.sha256,
		format: sniff.format,
		encoding: sniff.encoding,
		delimiter: sniff.delimiter ?? null,
		mapping: ctx.origin,
		rows_read: rowsRead,
		accepted: Number(counts.accepted),
		rejected,
		duplicates_in_file: Number(counts.duplicates),
		replaced,
		duplicate_of: null,
		derived,
		top_reasons: topReasons.map((r) => ({ reason: r.reason, count: Number(r.count) })),
		warnings: sniff.encodingNote ? [sniff.encodingNote, ...warnings] : warnings,
		timings_ms: ctx.timings
	};
	await recordAudit(trx, {
		actor: options.importedBy,
		action: 'import',
		target: `batch ${batchId}: ${ctx.fileName}`,
		after: { kind, sha256: sniff.sha256, rows_read: rowsRead, accepted: summary.accepted, rejected, replaced, mapping: ctx.origin }
	});
	await trx
		.insertInto('import_batches')
		.values({
			batch_id: batchId,
			kind,
			status: 'committed',
			file_name: ctx.fileName,
			archive_path: ctx.archivePath,
			size_bytes: sniff.sizeBytes,
			sha256: sniff.sha256,
			format: sniff.format,
			encoding: sniff.encoding,
			delimiter: sniff.delimiter ?? null,
			mapping_name: ctx.origin,
			mapping: JSON.stringify(ctx.mapping),
			rows_read: rowsRead,
			accepted: summary.accepted,
			rejected,
			duplicates_in_file: summary.duplicates_in_file,
			replaced,
			derived: JSON.stringify({ columns: derived, top_reasons: summary.top_reasons, warnings: summary.warnings }),
			timings: JSON.stringify(ctx.timings),
			duplicate_of: null,
			error: null,
			imported_by: options.importedBy,
			source: options.source,
			started_at: ctx.startedAt,
			finished_at: new Date()
		})
		.execute();
	for (const t of [names.typed, `${names.typed}_dups`, ...(readerRejects ? [`${names.rejects}_lines`, names.rejects, names.rejectsScan] : [])]) {
		await exec(`DROP TABLE IF EXISTS ${t}`);
	}
	return summary;
}

async function insertAccepted(trx: Transaction<Database>, kind: ImportKind, typed: string, batchId: number): Promise<void> {
	const names = columnsFor(kind).map((c) => c.name);
	const columns = names.map(quoteIdent).join(', ');
	if (kind === 'feedback') {
		await sql.raw(`INSERT INTO feedback (${columns}, batch_id) SELECT ${columns}, ${batchId} FROM ${typed} WHERE reason IS NULL`).execute(trx);
		return;
	}
	const rates = await sql<{ currency: string; rate: number }>`SELECT currency, arg_max(rate, valid_from) AS rate FROM currency_rates GROUP BY currency`.execute(trx);
	const rateMap = mapLiteral(Object.fromEntries(rates.rows.map((r) => [r.currency, Number(r.rate)])));
	// try_cast: a converted value beyond DECIMAL(18, 2) stays empty instead of failing the batch at its last step.
	await sql.raw(`INSERT INTO cases (${columns}, order_value_reporting, batch_id)
		SELECT ${columns}, try_cast(order_value * map_extract_value(${rateMap}, upper(currency)) AS DECIMAL(18, 2)), ${batchId}
		FROM ${typed} WHERE reason IS NULL`).execute(trx);
}

async function provenanceCounts(trx: Transaction<Database>, compiled: CompiledMapping, typed: string): Promise<Record<string, ColumnProvenance>> {
	const tracked = compiled.columns.filter((c) => c.provenance);
	const result: Record<string, ColumnProvenance> = {};
	if (tracked.length) {
		const selects = tracked.flatMap((c) => {
			const p = quoteIdent(`p_${c.column.name}`);
			return [`count(*) FILTER (WHERE ${p} = 'derived') AS ${quoteIdent(`${c.column.name}:derived`)}`, `count(*) FILTER (WHERE ${p} = 'default') AS ${quoteIdent(`${c.column.name}:default`)}`];
		});
		const { rows } = await sql.raw<Record<string, number>>(`SELECT ${selects.join(', ')} FROM ${typed} WHERE reason IS NULL`).execute(trx);
		for (const c of tracked) {
			const derived = Number(rows[0][`${c.column.name}:derived`]);
			const defaulted = Number(rows[0][`${c.column.name}:default`]);
			if (derived || defaulted) result[c.column.name] = { how: c.how, derived, defaulted };
		}
	}
	return result;
}

async function unknownCurrencyWarnings(trx: Transaction<Database>, kind: ImportKind, batchId: number): Promise<string[]> {
	if (kind !== 'cases') return [];
	const { rows } = await sql<{ currency: string; n: number }>`SELECT currency, count(*) AS n FROM cases
		WHERE batch_id = ${batchId} AND currency IS NOT NULL AND order_value IS NOT NULL AND order_value_reporting IS NULL
		GROUP BY currency ORDER BY n DESC`.execute(trx);
	return rows.map((r) => `${r.n} rows have currency "${r.currency}" with no exchange rate: their order value is left out of reporting-currency figures (add the rate to the currency_rates table)`);
}

function duplicateSummary(kind: ImportKind, fileName: string, sniff: SniffResult, duplicateOf: number, timings: Record<string, number>): BatchSummary {
	return {
		batch_id: null,
		status: 'duplicate',
		kind,
		file_name: fileName,
		size_bytes: sniff.sizeBytes,
		sha256: sniff.sha256,
		format: sniff.format,
		encoding: sniff.encoding,
		delimiter: sniff.delimiter ?? null,
		mapping: '',
		rows_read: 0,
		accepted: 0,
		rejected: 0,
		duplicates_in_file: 0,
		replaced: 0,
		duplicate_of: duplicateOf,
		derived: {},
		top_reasons: [],
		warnings: [`This exact file (sha256 ${sniff.sha256.slice(0, 12)}…) was already imported as batch ${duplicateOf}; nothing was changed.`],
		timings_ms: timings
	};
}

/** DuckDB's own load errors, reworded where we know what they mean. */
function explainLoadError(error: unknown, fileName: string): Error {
	if (error instanceof IngestError) return error;
	const text = error instanceof Error ? error.message : String(error);
	// A strptime format from the mapping that DuckDB cannot parse is the mapping's fault, not the file's.
	if (/format specifier/i.test(text)) {
		return new IngestError('bad_mapping', `A date format in the mapping is not valid: ${text.split('\n')[0]}`, 'Fix the "format" in the mapping (strptime codes such as %Y-%m-%d %H:%M:%S); nothing was changed.');
	}
	if (/maximum line size|max_line_size/i.test(text)) {
		return new IngestError('line_too_long', `A record in ${fileName} is longer than the line-size limit: ${text.split('\n')[0]}`, 'Check that the file is really CSV with the delimiter detected; raise CASELENS_MAX_LINE_MB if records are legitimately that long.');
	}
	if (/Invalid Input Error|Conversion Error|Parser Error|JSON|malformed/i.test(text) && /read_json|json|csv|parquet/i.test(text)) {
		return new IngestError('malformed_file', `${fileName} could not be read: ${text.split('\n')[0]}`, 'Fix the file (or export it again) and re-import; nothing was changed.');
	}
	return error instanceof Error ? error : new Error(text);
}

async function recordFailure(db: Kysely<Database>, options: IngestOptions, fileName: string, sniff: SniffResult | undefined, mapping: string | undefined, startedAt: Date, error: Error): Promise<void> {
	const detail = error instanceof IngestError ? `${error.message} ${error.hint}` : error.message;
	try {
		await db
			.insertInto('import_batches')
			.values({
				batch_id: sql<number>`nextval('batch_id_seq')`,
				kind: options.kind,
				status: 'failed',
				file_name: fileName,
				archive_path: null,
				size_bytes: sniff?.sizeBytes ?? 0,
				sha256: sniff?.sha256 ?? '',
				format: sniff?.format ?? null,
				encoding: sniff?.encoding ?? null,
				delimiter: sniff?.delimiter ?? null,
				mapping_name: mapping ?? null,
				mapping: null,
				rows_read: 0,
				accepted: 0,
				rejected: 0,
				duplicates_in_file: 0,
				replaced: 0,
				derived: null,
				timings: null,
				duplicate_of: null,
				error: detail,
				imported_by: options.importedBy,
				source: options.source,
				started_at: startedAt,
				finished_at: new Date()
			})
			.execute();
	} catch {
		// The database itself may be the problem (locked, read-only); the caller still gets the original error.
	}
}

