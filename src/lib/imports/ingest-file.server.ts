import { createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import { columnsFor, idColumn, type ImportKind } from './canonical-columns';
import { normaliseSource, type ColumnMapping, type NormalisedSource } from './column-mapping';
import type { Database } from '../core/db/schema';
import { recordAudit } from '../core/audit-log.server';
import { archiveRawFile } from './archive.server';
import type { BatchSummaryView, ColumnProvenance, RejectionGroup, UnknownValues } from './batch-summary';
import { IngestError } from './ingest-error';
import { countryRegionKeys } from './country-regions.server';
import { compileMapping, mapLiteral, missingHeadersNote, PLACEHOLDERS_TEXT, SQL_TYPES, type CompiledColumn, type CompiledMapping } from './mapping-sql.server';
import { checkKind, checkRequired, chooseMapping } from './resolve-mapping.server';
import { DEFAULT_MAX_LINE_BYTES, sha256File, sniffFile, writesDecimalComma, type SniffResult } from './sniff-file.server';
import { detectSpreadsheet, spreadsheetToCsv } from './spreadsheet.server';
import { listLiteral, quoteIdent, quoteLiteral } from './sql-text.server';
import { basisAlias, provenanceAlias, rawRowExpr, readerRejectsSql, sourceSelect, typedSelect } from './stage-sql.server';
import { readableSource } from './readable-source.server';
import { settleDateOrder } from './date-order.server';
import { PRESETS, type PresetName } from './presets';
import { makeTempDir } from './temp-files.server';

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
	/** Cases from a preset whose export carries ratings: load them as feedback too (default true). */
	withFeedback?: boolean;
	/** For a workbook (.xlsx, or Excel 2003 XML as Freshdesk writes it): the sheet to read; default the one with the most rows. */
	sheet?: string;
	/** Second files the mapping looks values up in (ColumnMapping.lookups), by name: their paths. */
	lookups?: Record<string, string>;
	importedBy: string;
	source: 'cli' | 'upload' | 'demo' | 'api';
	archiveDir: string;
	maxBytes: number;
	maxLineBytes?: number;
	onProgress?: (progress: IngestProgress) => void;
	/**
	 * Runs in the import's transaction once its batch is marked committed, before the commit: the
	 * server brings the tables kept per import up to date there (keep-derived.server.ts), so readers
	 * never find them behind. What it answers is called once the transaction has ended (the tables'
	 * locks let go). A ticket export that carries its ratings runs it with the ratings.
	 */
	beforeCommit?: (trx: Kysely<Database>) => Promise<() => void>;
}

/**
 * The summary of one import: the browser-safe view (batch-summary.ts) that pages and the API show,
 * narrowed where the server knows more, plus what only the server and the CLI read.
 */
export interface BatchSummary extends BatchSummaryView {
	status: 'committed' | 'duplicate';
	kind: ImportKind;
	size_bytes: number;
	sha256: string;
	format: string;
	encoding: string;
	mapping: string;
	timings_ms: Record<string, number>;
	/** The satisfaction ratings of the same file, loaded as feedback in the same import (see carriesFeedback). */
	feedback?: BatchSummary;
}

/** The preset reads feedback and the file has the header its rating comes from (a JSON path counts by its first part). */
function carriesFeedback(preset: PresetName, headers: readonly string[]): boolean {
	const csat = PRESETS[preset].feedbackInSameFile ? PRESETS[preset].feedback?.columns.csat : undefined;
	if (csat === undefined) return false;
	const present = new Set(headers.map((h) => h.trim().toLowerCase()));
	return normaliseSource(csat).from.some((h) => present.has(h.split(/[.[]/)[0].trim().toLowerCase()));
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
	let loadPath = options.path;
	let transcodedDir: string | undefined;
	let batchId: number | undefined;
	try {
		progress('checking', 'Checking the file (encoding, format, checksum)');
		// A workbook is read through a CSV copy of one sheet; the checksum and the archive are the workbook's own.
		const workbook = await detectSpreadsheet(options.path);
		let sheetNote: string | undefined;
		let sheetName = '';
		let sheetCount = 0;
		if (workbook) {
			transcodedDir = await makeTempDir('sheet');
			loadPath = join(transcodedDir, 'sheet.csv');
			progress('checking', `Reading the ${workbook === 'xlsx' ? 'Excel workbook' : 'Excel 2003 XML workbook'}`);
			const converted = await spreadsheetToCsv(options.path, loadPath, { sheet: options.sheet, maxBytes: options.maxBytes });
			const others = converted.sheets.filter((s) => s.name !== converted.sheet);
			sheetName = converted.sheet;
			sheetCount = converted.sheets.length;
			sheetNote = `Read sheet "${converted.sheet}" (${converted.rows.toLocaleString('en')} rows, header in row ${converted.headerRow}; line numbers below count from the header)${others.length ? `; the workbook's other sheets: ${others.map((s) => `"${s.name}" (${s.rows.toLocaleString('en')} rows)`).join(', ')}, choose one with --sheet` : ''}.`;
			lap('convert');
		}
		const read = await sniffFile(loadPath, {
			maxBytes: options.maxBytes,
			maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
			encoding: workbook ? 'utf-8' : (options.encoding ?? 'auto'),
			fileName: workbook ? 'sheet.csv' : fileName
		});
		// The batch's identity is the workbook's checksum, and the sheet's name when it has several:
		// another sheet of the same workbook is another import, the same sheet again is a duplicate.
		const identity = async () => {
			const sha = await sha256File(options.path);
			return sheetCount > 1 ? createHash('sha256').update(`${sha}\0${sheetName}`).digest('hex') : sha;
		};
		sniff = workbook ? { ...read, sha256: await identity(), sizeBytes: (await stat(options.path)).size, encodingNote: sheetNote } : read;
		const archiveFormat = workbook ?? sniff.format;
		lap('check');
		const { loadPath: readPath, loadSniff, headers } = await readableSource(db, loadPath, sniff, {
			workDir: async () => transcodedDir ?? (transcodedDir = await makeTempDir('read')),
			maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
			fileName,
			lap
		});
		loadPath = readPath;

		const chosen = chooseMapping(options.kind, headers, { preset: options.preset, mapping: options.mapping });
		const origin = chosen.origin;
		mappingOrigin = origin;
		checkKind(options.kind, headers, chosen.mapping);
		checkRequired(options.kind, headers, chosen.mapping);
		const { mapping, notes: dateNotes } = await settleDateOrder(db, options.kind, chosen.mapping, headers, {
			path: loadPath,
			sniff: loadSniff,
			maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
			tag: sniff.sha256.slice(0, 12),
			preset: chosen.preset !== undefined
		});
		// The same file read through the same mapping is the same import: nothing to do. Read through
		// another mapping (a date format declared after a first try that rejected every row, say) it is
		// a new import, whose rows replace the earlier batch's rows with the same ids.
		const earlierImports = await db
			.selectFrom('import_batches')
			.select(['batch_id', 'mapping'])
			.where('sha256', '=', sniff.sha256)
			.where('kind', '=', options.kind)
			.where('status', '=', 'committed')
			.orderBy('batch_id')
			.execute();
		const mappingJson = JSON.stringify(mapping);
		const previous = earlierImports.find((b) => b.mapping === mappingJson);
		if (previous) {
			progress('done', `Already imported as batch ${previous.batch_id}; nothing changed`);
			return duplicateSummary(options.kind, fileName, sniff, previous.batch_id, timings);
		}
		const remapped = earlierImports.at(-1)?.batch_id;
		const notes =
			remapped === undefined ? [...dateNotes] : [...dateNotes, `This file was imported before as batch ${remapped} through another mapping; its rows replace that batch's rows with the same ids.`];
		const countryRegions = await countryRegionKeys(db);
		const tables = await loadLookups(db, mapping, options.lookups ?? {});
		const compiled = compileMapping(options.kind, mapping, headers, { countryRegions, tables, noBreakSpaces: sniff.mayHaveNoBreakSpaces ?? false, decimalComma: writesDecimalComma(sniff) });
		if (compiled.readsDecimalComma) {
			notes.push('Numbers written with a decimal comma (2457,78 or 1.234,56), as usual in a semicolon-separated file, are read with the comma as the decimal point.');
		}

		// The batch is on record before any row is loaded, as running: if the process dies in the
		// middle, the next start finds it and marks it failed (recovery.server.ts) instead of it
		// vanishing without a trace.
		batchId = await startBatch(db, options, fileName, sniff, origin);
		lap('prepare');
		// The copy into the archive runs while DuckDB loads; the batch commits only once it is done.
		const archiving = archiveRawFile(options.path, options.archiveDir, sniff.sha256, archiveFormat);
		archiving.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled

		const sniffed = sniff;
		// A ticket export carries its satisfaction ratings: they are loaded in the same import, as
		// the preset's feedback (its own batch), so a user never has to know to import it twice.
		const ratingsFollow = Boolean(options.kind === 'cases' && options.withFeedback !== false && chosen.preset && carriesFeedback(chosen.preset, headers));
		const summary = await loadThenKeep(
			db,
			(trx) => loadBatch(trx, { batchId: batchId as number, options, sniff: sniffed, notes, formatLabel: archiveFormat, loadSniff, loadPath, headers, mapping, compiled, origin, fileName, archiving, startedAt, timings, lap, progress }),
			ratingsFollow ? undefined : options.beforeCommit,
			(message) => progress('writing', message),
			lap
		);
		progress('done', `Batch ${summary.batch_id}: ${summary.accepted} accepted, ${summary.rejected} rejected`);
		if (ratingsFollow && chosen.preset) {
			try {
				summary.feedback = await ingestFile(db, {
					...options,
					kind: 'feedback',
					preset: chosen.preset,
					mapping: undefined,
					withFeedback: false,
					onProgress: (p) => progress(p.stage === 'done' ? 'done' : p.stage, `Satisfaction ratings: ${p.message}`)
				});
			} catch (error) {
				summary.warnings.push(`The satisfaction ratings in this file could not be loaded: ${error instanceof Error ? error.message : String(error)} Import the file again as feedback to see the details.`);
			}
		}
		return summary;
	} catch (error) {
		await recordFailure(db, options, fileName, sniff, mappingOrigin, startedAt, explainLoadError(error, fileName), batchId);
		throw explainLoadError(error, fileName);
	} finally {
		if (transcodedDir) await rm(transcodedDir, { recursive: true, force: true });
	}
}

/** Above this many keys a lookup file is refused: its table is inlined into the import's SQL. */
const MAX_LOOKUP_KEYS = 200_000;

/**
 * The second files a mapping looks values up in, read as text with DuckDB's own CSV sniffing:
 * for each value header a column uses, key -> value (the first row of a key wins).
 */
async function loadLookups(db: Kysely<Database>, mapping: ColumnMapping, paths: Record<string, string>): Promise<Record<string, Record<string, Record<string, string>>>> {
	const wanted = new Map<string, Set<string>>();
	for (const spec of Object.values(mapping.columns)) {
		for (let n: NormalisedSource | undefined = normaliseSource(spec); n; n = n.otherwise) {
			if (n.lookup) wanted.set(n.lookup.table, (wanted.get(n.lookup.table) ?? new Set()).add(n.lookup.value));
		}
	}
	const tables: Record<string, Record<string, Record<string, string>>> = {};
	for (const [table, values] of wanted) {
		const declared = mapping.lookups?.[table];
		const path = paths[table];
		if (!declared) {
			throw new IngestError('bad_mapping', `The mapping "${mapping.name}" looks values up in "${table}" but does not declare it under "lookups".`, `Add "lookups": {"${table}": {"key": "<key header of that file>"}} to the mapping.`);
		}
		if (!path) continue; // compileMapping names the missing file, for the column that needs it
		const file = quoteLiteral(path);
		let header: string[];
		try {
			header = (await sql.raw<{ column_name: string }>(`DESCRIBE SELECT * FROM read_csv(${file}, all_varchar = true, header = true)`).execute(db)).rows.map((r) => r.column_name);
		} catch (error) {
			throw new IngestError('malformed_file', `The lookup file for "${table}" (${basename(path)}) could not be read: ${(error as Error).message.split('\n')[0]}`, 'Give the lookup as a CSV file with a header row.');
		}
		for (const column of [declared.key, ...values]) {
			if (!header.includes(column)) {
				throw new IngestError('missing_column', `The lookup file for "${table}" (${basename(path)}) has no column "${column}".`, `Its columns are: ${header.slice(0, 20).map((h) => `"${h}"`).join(', ')}. Fix the mapping or give the right file.`);
			}
		}
		const select = [...values].map((v, i) => `any_value(${quoteIdent(v)}) AS v${i}`).join(', ');
		const { rows } = await sql.raw<Record<string, string | null>>(`SELECT ${quoteIdent(declared.key)} AS k, ${select} FROM read_csv(${file}, all_varchar = true, header = true)
			WHERE ${quoteIdent(declared.key)} IS NOT NULL GROUP BY 1 LIMIT ${MAX_LOOKUP_KEYS + 1}`).execute(db);
		if (rows.length > MAX_LOOKUP_KEYS) {
			throw new IngestError('file_too_large', `The lookup file for "${table}" has more than ${MAX_LOOKUP_KEYS.toLocaleString('en')} keys.`, 'Cut it to the keys the export uses, or join the files before importing.');
		}
		tables[table] = Object.fromEntries(
			[...values].map((v, i) => [v, Object.fromEntries(rows.filter((r) => r[`v${i}`] !== null).map((r) => [r.k as string, r[`v${i}`] as string]))])
		);
	}
	return tables;
}

interface LoadContext {
	/** The batch's row, inserted as running before the transaction (see startBatch). */
	batchId: number;
	options: IngestOptions;
	/** The file as the user gave it (what the summary reports). */
	sniff: SniffResult;
	/** The format the summary names: the file's own (a workbook is read through a CSV copy). */
	formatLabel: string;
	/** Said of the whole import before any row is read (the date order chosen, an earlier import of the file). */
	notes: string[];
	/** The file DuckDB reads (a UTF-8 copy of a Latin-1 file) and its sniff result. */
	loadPath: string;
	loadSniff: SniffResult;
	headers: string[];
	mapping: ColumnMapping;
	compiled: CompiledMapping;
	origin: string;
	fileName: string;
	/** The copy into the archive, started before the batch; resolves to the archived path. */
	archiving: Promise<string>;
	startedAt: Date;
	timings: Record<string, number>;
	lap: (name: string) => void;
	progress: (stage: IngestStage, message: string) => void;
}

/**
 * Between the load and the end of the batch, each row of the file sits in the target table with a
 * batch_id that says what it is; committed rows all have positive batch ids, so the negative ones
 * are this transaction's own. A rejected row is a placeholder that keeps its reason and raw text
 * in two VARCHAR columns (STASH) until it moves to rejected_rows; an accepted row whose values
 * did not all come from the file carries its provenance code (see provenanceCode).
 */
const REJECTED = -1;
const STASH: Record<ImportKind, { reason: string; raw: string }> = {
	cases: { reason: 'category', raw: 'subject' },
	feedback: { reason: 'kind', raw: 'comment' }
};

/** What an import's progress says while it brings the kept tables up to date. */
const KEEPING_VIEWS = 'Bringing the kept views up to date';

/**
 * Runs `load` in one transaction and then, when given, `beforeCommit` in the same transaction
 * (announced, and timed as the step 'views'); what `beforeCommit` answers is called once the
 * transaction has ended, committed or not, so the kept tables' locks are let go either way.
 * Cases, feedback and messages imports all end this way.
 */
export async function loadThenKeep<T>(
	db: Kysely<Database>,
	load: (trx: Transaction<Database>) => Promise<T>,
	beforeCommit: IngestOptions['beforeCommit'],
	announce: (message: string) => void,
	lap: (name: string) => void
): Promise<T> {
	let afterCommit: (() => void) | undefined;
	return db
		.transaction()
		.execute(async (trx) => {
			const loaded = await load(trx);
			if (beforeCommit) {
				announce(KEEPING_VIEWS);
				afterCommit = await beforeCommit(trx);
				lap('views');
			}
			return loaded;
		})
		.finally(() => afterCommit?.());
}

async function loadBatch(trx: Transaction<Database>, ctx: LoadContext): Promise<BatchSummary> {
	const { options, sniff, loadSniff, headers, compiled, lap, progress } = ctx;
	const kind = options.kind;
	const exec = (text: string) => sql.raw(text).execute(trx);
	const one = async <T>(text: string) => (await sql.raw<T>(text).execute(trx)).rows[0];
	const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;

	const batchId = ctx.batchId;
	const names = { rejects: `stage_rejects_${batchId}`, rejectsScan: `stage_rejects_scan_${batchId}` };
	const staged: string[] = [];
	const table = kind === 'cases' ? 'cases' : 'feedback';
	const id = quoteIdent(idColumn(kind));
	const stash = STASH[kind];
	const source = (tables = names) => sourceSelect(ctx.loadPath, loadSniff, headers, tables, maxLineBytes);

	// One pass, straight into the target table: the reader parses, every value is typed and
	// judged, and the original text is kept only for rows that are rejected. Insertion order is
	// file order, so a row's rowid gives its position in the file.
	progress('loading', `Reading ${sniff.format.toUpperCase()} and checking every row against the data contract`);
	const layout = await rowLayout(trx, kind, table, compiled, batchId);
	const load = `INSERT INTO ${table} (${layout.columns.join(', ')})
		SELECT ${layout.values.join(', ')} FROM (${typedSelect(compiled, headers, source(), rawRowExpr(loadSniff, headers))})`;
	await assertKeepsFileOrder(trx, load);
	const loaded = await sql.raw(load).execute(trx);
	const parsed = Number(loaded.numAffectedRows ?? 0n);
	lap('load');

	progress('validating', 'Numbering rows and resolving duplicate ids');
	// Reader-level rejects (wrong field count, bad quoting, bad encoding) only exist for CSV.
	const readerRejects = sniff.format === 'csv';
	const firstLine = sniff.format === 'csv' ? 2 : 1;
	if (readerRejects) {
		staged.push(`${names.rejects}_lines`, names.rejects, names.rejectsScan);
		await exec(`CREATE TEMP TABLE ${names.rejects}_lines AS ${readerRejectsSql(names.rejects)}`);
	}
	const rejectCount = readerRejects ? Number((await one<{ n: number }>(`SELECT count(*) AS n FROM ${names.rejects}_lines`)).n) : 0;
	const mine = `(batch_id = ${batchId} OR batch_id < 0)`;
	const accepted = `(batch_id = ${batchId} OR batch_id < ${REJECTED})`;
	// Ids are almost always unique, and distinct hashes prove it for a fraction of the cost of
	// comparing the ids themselves; only when two hashes meet are the ids grouped.
	const scan = await one<{ first: number | null; n: number; hashes: number }>(`SELECT min(rowid) AS first,
		count(*) FILTER (WHERE ${accepted}) AS n, count(DISTINCT hash(${id})) FILTER (WHERE ${accepted}) AS hashes FROM ${table} WHERE ${mine}`);
	const firstRowid = Number(scan.first ?? 0);
	const maybeDuplicates = Number(scan.hashes) < Number(scan.n);
	// A parsed record's line: its position plus the header plus the reader-rejected records before
	// it. `starts` says, for each run of reader-rejected records, how many parsed records come
	// before it and how many rejected records there are up to its end.
	const starts = `${names.rejects}_starts`;
	if (rejectCount > 0) {
		staged.push(starts);
		await exec(`CREATE TEMP TABLE ${starts} AS SELECT start, max(n) AS before FROM (
			SELECT line - row_number() OVER (ORDER BY line) - ${firstLine - 1} AS start, row_number() OVER (ORDER BY line) AS n FROM ${names.rejects}_lines) GROUP BY start`);
	}
	/**
	 * `query` with a column `as` holding the line of the position in its column `position`. With
	 * reader rejects, the lines of the positions are worked out first, in a table of their own: the
	 * positions and the runs' starts in one sorted sequence, each position taking the count of the
	 * last run before it. (A correlated count per row took 8 s for 186,000 rejected rows, and an
	 * ASOF join 3 s; this takes a tenth of a second.)
	 */
	let lineTables = 0;
	const withLine = async (query: string, position: string, as: string) => {
		if (rejectCount === 0) return `SELECT *, ${position} + ${firstLine} AS ${as} FROM (${query})`;
		const lines = `${names.rejects}_lines_of_${++lineTables}`;
		staged.push(lines);
		await exec(`CREATE TEMP TABLE ${lines} AS
			SELECT key AS position, key + ${firstLine} + coalesce(before, 0) AS line FROM (
				SELECT key, is_start, max(before) OVER (ORDER BY key, is_start DESC ROWS UNBOUNDED PRECEDING) AS before
				FROM (SELECT start AS key, 1 AS is_start, before FROM ${starts} UNION ALL SELECT DISTINCT ${position}, 0, NULL FROM (${query})))
			WHERE is_start = 0`);
		return `SELECT q.*, l.line AS ${as} FROM (${query}) q JOIN ${lines} l ON q.${position} = l.position`;
	};
	const positionOf = (rowid: string) => `(${rowid} - ${firstRowid})`;

	// Duplicate ids are rare; find them with an aggregate instead of a window over every row.
	const dups = `stage_dups_${batchId}`;
	let duplicates = 0;
	if (maybeDuplicates) {
		staged.push(dups, `${dups}_raw`);
		await exec(`CREATE TEMP TABLE ${dups} AS
			SELECT t.rowid AS row_id, ${positionOf('t.rowid')} AS position, d.id, ${positionOf('d.keep')} AS kept
			FROM ${table} t JOIN (SELECT ${id} AS id, max(rowid) AS keep FROM ${table} WHERE ${accepted} GROUP BY ${id} HAVING count(*) > 1) d
				ON t.${id} = d.id AND t.rowid < d.keep
			WHERE ${accepted.replaceAll('batch_id', 't.batch_id')}`);
		duplicates = Number((await one<{ n: number }>(`SELECT count(*) AS n FROM ${dups}`)).n);
	}
	const merge = ctx.mapping.duplicates === 'merge' || ctx.mapping.duplicates === 'join';
	if (duplicates > 0 && ctx.mapping.duplicates === 'join') {
		// A report that repeats a ticket once per value of a multi-valued attribute: where the rows'
		// texts differ, the kept row holds them all, joined (in value order, so the result does not
		// depend on the report's row order).
		const texts = compiled.columns.filter((c) => c.column.type === 'text' && c.column.name !== idColumn(kind) && !c.value.startsWith('CAST(NULL AS')).map((c) => quoteIdent(c.column.name));
		if (texts.length) {
			await exec(`UPDATE ${table} SET ${texts.map((c) => `${c} = j.${c}`).join(', ')} FROM (
				SELECT g.keep, ${texts.map((c) => `string_agg(DISTINCT t.${c}, '; ' ORDER BY t.${c}) AS ${c}`).join(', ')}
				FROM (SELECT DISTINCT id, kept + ${firstRowid} AS keep FROM ${dups}) g
				JOIN ${table} t ON t.${id} = g.id AND ${accepted.replaceAll('batch_id', 't.batch_id')}
				GROUP BY g.keep
			) j WHERE ${table}.rowid = j.keep`);
		}
	}
	if (duplicates > 0 && !merge) {
		// The row as written in the file: read the source again (only now, only these rows), numbered
		// in file order like the load, with the reader's rejects skipped exactly as the load skipped them.
		const again = { rejects: `${names.rejects}_again`, rejectsScan: `${names.rejectsScan}_again` };
		if (readerRejects) staged.push(again.rejects, again.rejectsScan);
		await exec(`CREATE TEMP TABLE ${dups}_raw AS
			SELECT position, ${rawRowExpr(loadSniff, headers)} AS raw
			FROM (SELECT row_number() OVER () - 1 AS position, * FROM (${source(again)}))
			WHERE position IN (SELECT position FROM ${dups})`);
	}
	const provenance = await provenanceCounts(trx, compiled, headers, table, batchId, layout, duplicates > 0 ? dups : undefined, () => source({ rejects: `${names.rejects}_prov`, rejectsScan: `${names.rejectsScan}_prov` }), positionOf);
	if (readerRejects) staged.push(`${names.rejects}_prov`, `${names.rejectsScan}_prov`);
	lap('validate');

	progress('writing', 'Writing accepted rows and rejected rows');
	const rejectedRows = `SELECT ${positionOf('rowid')} AS position, ${quoteIdent(stash.reason)} AS reason, ${quoteIdent(stash.raw)} AS raw FROM ${table} WHERE batch_id = ${REJECTED}`;
	await exec(`INSERT INTO rejected_rows SELECT ${batchId}, line, reason, raw FROM (${await withLine(rejectedRows, 'position', 'line')})`);
	if (duplicates > 0 && !merge) {
		const duplicateRows = await withLine(await withLine(`SELECT d.position, d.kept, d.id, r.raw FROM ${dups} d JOIN ${dups}_raw r USING (position)`, 'position', 'line'), 'kept', 'kept_line');
		await exec(`INSERT INTO rejected_rows
			SELECT ${batchId}, line, 'duplicate ${idColumn(kind)} "' || id || '" in this file: a later row (line ' || kept_line || ') replaces it', raw
			FROM (${duplicateRows})`);
	}
	// Earlier rows of an id give way to its last row; in an event log they are its history (merged).
	if (duplicates > 0) await exec(`DELETE FROM ${table} WHERE rowid IN (SELECT row_id FROM ${dups})`);
	const merged = merge ? duplicates : 0;
	const typedRejects = Number((await sql.raw(`DELETE FROM ${table} WHERE batch_id = ${REJECTED}`).execute(trx)).numAffectedRows ?? 0n);
	if (layout.provenanceCoded) await exec(`UPDATE ${table} SET batch_id = ${batchId} WHERE batch_id < ${REJECTED}`);
	const rowsRead = parsed + rejectCount;
	if (rowsRead === 0) {
		throw new IngestError('header_only', `The file ${ctx.fileName} has a header but no data rows.`, 'Export again with the rows included, or check that the export filter was not empty.');
	}
	if (readerRejects) {
		await exec(`INSERT INTO rejected_rows SELECT ${batchId}, line, 'the CSV reader could not split this record: ' || reason, raw FROM ${names.rejects}_lines`);
	}
	const acceptedCount = parsed - typedRejects - (merge ? 0 : duplicates);
	lap('write');

	// Earlier versions of the accepted ids, from previous batches, give way to this batch's.
	const earlier = Number((await one<{ n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${table} WHERE batch_id <> ${batchId} LIMIT 1)`)).n);
	const replaced =
		earlier === 0 ? 0 : Number((await sql.raw(`DELETE FROM ${table} WHERE batch_id <> ${batchId} AND ${id} IN (SELECT ${id} FROM ${table} WHERE batch_id = ${batchId})`).execute(trx)).numAffectedRows ?? 0n);
	lap('replace');

	const topReasons = await rejectionGroups(trx, batchId);
	const unknownValues = await unknownEnumValues(trx, table, batchId, compiled);
	const blankCells = loadSniff.mayHaveNoBreakSpaces ? await noBreakSpaceBlanks(trx, compiled, headers, source({ rejects: `${names.rejects}_nbsp`, rejectsScan: `${names.rejectsScan}_nbsp` })) : {};
	if (loadSniff.mayHaveNoBreakSpaces && readerRejects) staged.push(`${names.rejects}_nbsp`, `${names.rejectsScan}_nbsp`);
	const rejected = rowsRead - acceptedCount;
	const storedRejects = Number((await one<{ n: number }>(`SELECT count(*) AS n FROM rejected_rows WHERE batch_id = ${batchId}`)).n);
	const storedAccepted = Number((await one<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE batch_id = ${batchId}`)).n);
	if (storedRejects !== rejected || storedAccepted !== acceptedCount - merged) {
		// Guard for the one rule that never bends: rows read = accepted + rejected.
		throw new Error(`Internal error: ${rowsRead} rows read, ${storedAccepted} accepted, but ${storedRejects} rejected rows stored`);
	}
	const archivePath = await ctx.archiving;
	const warnings = [
		...ctx.notes,
		...[missingHeadersNote(compiled)].filter((n): n is string => n !== undefined),
		...(await unknownCurrencyWarnings(trx, kind, batchId))
	];
	const summary: BatchSummary = {
		batch_id: batchId,
		status: 'committed',
		kind,
		file_name: ctx.fileName,
		...fileFacts(sniff),
		format: ctx.formatLabel,
		mapping: ctx.origin,
		rows_read: rowsRead,
		accepted: acceptedCount,
		rejected,
		duplicates_in_file: merge ? 0 : duplicates,
		merged,
		replaced,
		duplicate_of: null,
		derived: provenance,
		unknown_values: unknownValues,
		blank_cells: blankCells,
		top_reasons: topReasons,
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
		.updateTable('import_batches')
		.where('batch_id', '=', batchId)
		.set({
			kind,
			status: 'committed',
			file_name: ctx.fileName,
			archive_path: archivePath,
			...fileFacts(sniff),
			format: ctx.formatLabel,
			mapping_name: ctx.origin,
			mapping: JSON.stringify(ctx.mapping),
			rows_read: rowsRead,
			accepted: summary.accepted,
			rejected,
			duplicates_in_file: summary.duplicates_in_file,
			replaced,
			derived: JSON.stringify({ columns: provenance, merged, unknown_values: unknownValues, blank_cells: blankCells, top_reasons: summary.top_reasons, warnings: summary.warnings }),
			timings: JSON.stringify(ctx.timings),
			duplicate_of: null,
			error: null,
			imported_by: options.importedBy,
			source: options.source,
			started_at: ctx.startedAt,
			finished_at: new Date()
		})
		.execute();
	for (const t of staged) await exec(`DROP TABLE IF EXISTS ${t}`);
	return summary;
}

/**
 * Line numbers and "the last row wins" rest on the load inserting rows in file order, which DuckDB
 * keeps for a plan that is a chain of projections and filters over one reader. Other operators may
 * not keep it: an IN list of five or more constants, for one, is planned as a hash join, and with
 * several threads that reordered rows and gave rejected rows wrong line numbers. So the plan is
 * checked before the load runs.
 */
async function assertKeepsFileOrder(trx: Transaction<Database>, statement: string): Promise<void> {
	interface PlanNode {
		name: string;
		children: PlanNode[];
	}
	const { rows } = await sql.raw<{ explain_value: string }>(`EXPLAIN (FORMAT json) ${statement}`).execute(trx);
	const chain: string[] = [];
	let nodes = JSON.parse(rows[0].explain_value) as PlanNode[];
	let inOrder = true;
	while (nodes.length) {
		if (nodes.length > 1) inOrder = false;
		const [node] = nodes;
		chain.push(node.name);
		if (node.children.length && !['INSERT', 'BATCH_INSERT', 'PROJECTION', 'FILTER'].includes(node.name)) inOrder = false;
		nodes = node.children;
	}
	if (!inOrder) throw new Error(`Internal error: the load's plan (${chain.join(' < ')}) may not keep file order, so line numbers could be wrong`);
}

interface RowLayout {
	/** Target columns and the expression over the typed pass that fills each. */
	columns: string[];
	values: string[];
	/** Provenance is coded into batch_id (see provenanceCode); false when the code would not fit. */
	provenanceCoded: boolean;
	code?: ProvenanceCode;
}

/**
 * How each row of the typed pass becomes a row of the target table: accepted rows as they are;
 * rejected rows as placeholders (see REJECTED) whose NOT NULL columns hold a neutral value and
 * whose other columns are left empty where a value could fail the implicit cast to the column.
 */
async function rowLayout(trx: Transaction<Database>, kind: ImportKind, table: string, compiled: CompiledMapping, batchId: number): Promise<RowLayout> {
	const { rows } = await sql<{ column_name: string; data_type: string; is_nullable: boolean }>`SELECT column_name, data_type, is_nullable FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = ${table}`.execute(trx);
	const target = new Map(rows.map((r) => [r.column_name, r]));
	const stash = STASH[kind];
	const normaliseType = (t: string) => t.replaceAll(' ', '').toUpperCase();
	const columns: string[] = [];
	const values: string[] = [];
	for (const c of compiled.columns) {
		const name = c.column.name;
		const column = target.get(name);
		if (!column) throw new Error(`Internal error: the ${table} table has no column ${name}`);
		const q = quoteIdent(name);
		let value = adjustedValue(compiled, name, q);
		if (name === stash.reason) value = `CASE WHEN reason IS NULL THEN ${q} ELSE reason END`;
		else if (name === stash.raw) value = `CASE WHEN reason IS NULL THEN ${q} ELSE raw END`;
		else if (!column.is_nullable) value = `CASE WHEN reason IS NULL THEN ${q} ELSE ${neutralValue(column.data_type)} END`;
		else if (normaliseType(column.data_type) !== normaliseType(SQL_TYPES[c.column.type])) value = `CASE WHEN reason IS NULL THEN ${value} END`;
		columns.push(q);
		values.push(value);
	}
	for (const name of [stash.reason, stash.raw]) {
		if (target.get(name)?.data_type !== 'VARCHAR' || !compiled.columns.some((c) => c.column.name === name)) throw new Error(`Internal error: ${table}.${name} cannot hold rejected rows`);
	}
	if (kind === 'cases') {
		// Each measured time's basis, empty when the time is (see CompiledColumn.basis); a time with
		// no declared basis is a calendar time.
		for (const [name, target] of [['first_response_at', 'first_response_basis'], ['resolved_at', 'resolution_basis']] as const) {
			const c = compiled.columns.find((x) => x.column.name === name);
			const stored = adjustedValue(compiled, name, quoteIdent(name));
			columns.push(target);
			values.push(`CASE WHEN reason IS NULL AND ${stored} IS NOT NULL THEN ${c?.basis ? quoteIdent(basisAlias(c)) : `'calendar'`} END`);
		}
		// The rate of upper(currency). Only codes in upper case can match that, so the map holds just
		// those, and a code written in upper case (the usual spelling) is looked up as it is, without
		// building its upper case first.
		const rates = await sql<{ currency: string; rate: number }>`SELECT currency, arg_max(rate, valid_from) AS rate FROM currency_rates
			WHERE currency = upper(currency) GROUP BY currency`.execute(trx);
		const rateMap = mapLiteral(Object.fromEntries(rates.rows.map((r) => [r.currency, Number(r.rate)])));
		// try_cast: a converted value beyond DECIMAL(18, 2) stays empty instead of failing the batch.
		columns.push('order_value_reporting');
		values.push(`try_cast(order_value * coalesce(map_extract_value(${rateMap}, currency), map_extract_value(${rateMap}, upper(currency))) AS DECIMAL(18, 2))`);
	}
	const code = provenanceCode(compiled);
	columns.push('batch_id');
	values.push(
		code
			? `CASE WHEN reason IS NOT NULL THEN ${REJECTED} ELSE coalesce(${REJECTED} - nullif(${code.expr}, 0), ${batchId}) END`
			: `CASE WHEN reason IS NOT NULL THEN ${REJECTED} ELSE ${batchId} END`
	);
	return { columns, values, provenanceCoded: code !== undefined, code };
}

function neutralValue(type: string): string {
	if (type === 'VARCHAR') return "''";
	if (type === 'BOOLEAN') return 'false';
	if (type.startsWith('TIMESTAMP') || type === 'DATE') return `CAST('1970-01-01' AS ${type})`;
	return `CAST(0 AS ${type})`;
}

type ProvenanceLabel = 'derived' | 'default' | 'emptied' | 'dropped';

/**
 * One digit of a row's provenance: an expression over the typed pass (0 = as in the file, i = the
 * i-th label) for one column. Columns whose value may come from elsewhere than their own source
 * header give one digit; the adjustments of a column (see Adjustment in mapping-sql.server.ts) another.
 */
interface TrackedDigit {
	column: string;
	labels: ProvenanceLabel[];
	expr: string;
}

function trackedDigits(compiled: CompiledMapping): TrackedDigit[] {
	const digits: TrackedDigit[] = compiled.columns
		.filter((c) => c.provenance && c.provenanceLabels.length)
		.map((c) => ({ column: c.column.name, labels: c.provenanceLabels, expr: `coalesce(${quoteIdent(provenanceAlias(c))}, 0)` }));
	for (const column of new Set(compiled.adjustments.map((a) => a.column))) {
		const adjustments = compiled.adjustments.filter((a) => a.column === column);
		digits.push({
			column,
			labels: adjustments.map((a) => a.label),
			expr: `(CASE ${adjustments.map((a, i) => `WHEN ${a.when} THEN ${i + 1}`).join(' ')} ELSE 0 END)`
		});
	}
	return digits;
}

/** The value an accepted row stores for a column with adjustments: empty when one applies. */
function adjustedValue(compiled: CompiledMapping, column: string, value: string): string {
	const adjustments = compiled.adjustments.filter((a) => a.column === column);
	return adjustments.length ? `(CASE WHEN ${adjustments.map((a) => `(${a.when}) IS TRUE`).join(' OR ')} THEN NULL ELSE ${value} END)` : value;
}

interface ProvenanceCode {
	/** Per row: 0 when every tracked value came from the file's own column, else 1 + the code. */
	expr: string;
	tracked: (TrackedDigit & { weight: number })[];
}

/**
 * The provenance of a row's tracked digits as one number (mixed radix), so that an accepted row
 * carries it in batch_id as REJECTED - code. Undefined when nothing is tracked or the code could
 * exceed batch_id's range.
 */
function provenanceCode(compiled: CompiledMapping): ProvenanceCode | undefined {
	const tracked: ProvenanceCode['tracked'] = [];
	let weight = 1;
	for (const digit of trackedDigits(compiled)) {
		tracked.push({ ...digit, weight });
		weight *= digit.labels.length + 1;
	}
	// batch_id is an INTEGER: REJECTED - code must stay above -2^31.
	if (tracked.length === 0 || weight > 2 ** 31) return undefined;
	return { expr: `(${tracked.map((t) => `CAST(${t.expr} AS BIGINT) * ${t.weight}`).join(' + ')})`, tracked };
}

/**
 * Columns not taken as-is from the file, counted over the accepted rows (duplicates already
 * excluded). Normally decoded from batch_id; when the code does not fit there, the digits are
 * computed again from a second read of the source, numbered in file order.
 */
async function provenanceCounts(
	trx: Transaction<Database>,
	compiled: CompiledMapping,
	headers: readonly string[],
	table: string,
	batchId: number,
	layout: RowLayout,
	/** The temp table of duplicate rows, when there are any. */
	dups: string | undefined,
	source: () => string,
	positionOf: (rowid: string) => string
): Promise<Record<string, ColumnProvenance>> {
	const counts = new Map<string, Record<ProvenanceLabel, number>>();
	const add = (name: string, label: ProvenanceLabel, n: number) => {
		const entry = counts.get(name) ?? { derived: 0, default: 0, emptied: 0, dropped: 0 };
		entry[label] += n;
		counts.set(name, entry);
	};
	const notDuplicate = dups ? `rowid NOT IN (SELECT row_id FROM ${dups})` : 'true';
	if (layout.code) {
		const { rows } = await sql.raw<{ b: number; n: number }>(`SELECT batch_id AS b, count(*) AS n FROM ${table} WHERE batch_id < ${REJECTED} AND ${notDuplicate} GROUP BY 1`).execute(trx);
		for (const row of rows) {
			let rest = REJECTED - Number(row.b);
			for (const t of [...layout.code.tracked].reverse()) {
				const digit = Math.floor(rest / t.weight);
				rest -= digit * t.weight;
				if (digit > 0) add(t.column, t.labels[digit - 1], Number(row.n));
			}
		}
	} else {
		const digits = trackedDigits(compiled);
		if (digits.length) {
			const selects = digits.flatMap((d, j) => d.labels.map((label, i) => `count(*) FILTER (WHERE d${j} = ${i + 1}) AS ${quoteIdent(`${j}:${label}`)}`));
			const { rows } = await sql.raw<Record<string, number>>(`SELECT ${selects.join(', ')}
				FROM (SELECT row_number() OVER () - 1 AS position, ${digits.map((d, j) => `${d.expr} AS d${j}`).join(', ')} FROM (${typedSelect(compiled, headers, source(), 'NULL')}))
				WHERE position IN (SELECT ${positionOf('rowid')} FROM ${table} WHERE batch_id = ${batchId} AND ${notDuplicate})`).execute(trx);
			digits.forEach((d, j) => d.labels.forEach((label) => add(d.column, label, Number(rows[0][`${j}:${label}`]))));
		}
	}
	const result: Record<string, ColumnProvenance> = {};
	for (const c of compiled.columns) {
		const entry = counts.get(c.column.name);
		if (entry && (entry.derived || entry.default || entry.emptied || entry.dropped)) {
			const notes = compiled.adjustments.filter((a) => a.column === c.column.name && entry[a.label] > 0).map((a) => a.what);
			if (entry.emptied > 0) notes.unshift(`placeholders (${PLACEHOLDERS_TEXT}) read as empty`);
			result[c.column.name] = { how: [c.how, ...notes].join('; '), derived: entry.derived, defaulted: entry.default, emptied: entry.emptied, dropped: entry.dropped };
		}
	}
	return result;
}

/**
 * Rejection reasons grouped by rule: a row's reasons are split, the quoted values and timestamps
 * elided so that one rule is one line, and up to three of the values it met kept as examples.
 */
export async function rejectionGroups(trx: Transaction<Database>, batchId: number): Promise<RejectionGroup[]> {
	const { rows } = await sql<{ reason: string; count: number | bigint; examples: string[] }>`
		SELECT rule AS reason, count(*) AS count, list(DISTINCT example ORDER BY example)[1:3] AS examples FROM (
			SELECT regexp_replace(regexp_replace(r, '"[^"]*"', '"…"', 'g'), '\(line \d+\)|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d', '…', 'g') AS rule,
				nullif(regexp_extract(r, '"([^"]*)"', 1), '') AS example
			FROM (SELECT unnest(string_split(reason, '; ')) AS r FROM rejected_rows WHERE batch_id = ${batchId}))
		GROUP BY rule ORDER BY count DESC, rule LIMIT 12`.execute(trx);
	return rows.map((r) => ({ reason: r.reason, count: Number(r.count), examples: (r.examples ?? []).filter((e) => e !== null) }));
}

/** Per enumerated column, the values outside its list that accepted rows carry, with counts (top 20). */
async function unknownEnumValues(trx: Transaction<Database>, table: string, batchId: number, compiled: CompiledMapping): Promise<UnknownValues> {
	const enums = compiled.columns.filter((c) => c.column.type === 'enum' && c.column.values?.length && !c.value.startsWith('CAST(NULL AS'));
	if (enums.length === 0) return {};
	const parts = enums.map(
		(c) => `SELECT ${quoteLiteral(c.column.name)} AS col, ${quoteIdent(c.column.name)} AS value, count(*) AS n FROM ${table}
			WHERE batch_id = ${batchId} AND ${quoteIdent(c.column.name)} IS NOT NULL AND NOT list_contains(${listLiteral(c.column.values ?? [])}, ${quoteIdent(c.column.name)}) GROUP BY 2`
	);
	const { rows } = await sql.raw<{ col: string; value: string; n: number | bigint }>(`SELECT * FROM (${parts.join(' UNION ALL ')}) ORDER BY col, n DESC, value`).execute(trx);
	const result: UnknownValues = {};
	for (const row of rows) {
		const list = (result[row.col] ??= []);
		if (list.length < 20) list.push({ value: row.value, count: Number(row.n) });
	}
	return result;
}

/**
 * Cells of the mapped headers that held only no-break spaces (read as empty by cleanText in
 * mapping-sql.server.ts), per header. A second read of the source, done only when the sniffer saw
 * a U+00A0 in the file at all.
 */
async function noBreakSpaceBlanks(trx: Transaction<Database>, compiled: CompiledMapping, headers: readonly string[], source: string): Promise<Record<string, number>> {
	const used = compiled.cleaned.map((c) => Number(c.alias.slice(1)));
	if (used.length === 0) return {};
	const counts = used.map((i) => `count(*) FILTER (WHERE contains(c${i}, chr(160)) AND trim(c${i}, ' ' || chr(9) || chr(10) || chr(13) || chr(160)) = '') AS n${i}`);
	const { rows } = await sql.raw<Record<string, number | bigint>>(`SELECT ${counts.join(', ')} FROM (${source})`).execute(trx);
	const result: Record<string, number> = {};
	for (const i of used) {
		const n = Number(rows[0][`n${i}`]);
		if (n > 0) result[headers[i]] = n;
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

/** What the batch records about the file itself, as the summary and the batch row both name it. */
export function fileFacts(sniff: SniffResult) {
	return { size_bytes: sniff.sizeBytes, sha256: sniff.sha256, format: sniff.format, encoding: sniff.encoding, delimiter: sniff.delimiter ?? null };
}

/** A summary's counts before any row is read: a file already imported, or one that holds no mapping's columns. */
export function noRowsYet() {
	return { rows_read: 0, accepted: 0, rejected: 0, duplicates_in_file: 0, merged: 0, replaced: 0, derived: {}, unknown_values: {}, blank_cells: {}, top_reasons: [] };
}

function duplicateSummary(kind: ImportKind, fileName: string, sniff: SniffResult, duplicateOf: number, timings: Record<string, number>): BatchSummary {
	return {
		batch_id: null,
		status: 'duplicate',
		kind,
		file_name: fileName,
		...fileFacts(sniff),
		mapping: '',
		...noRowsYet(),
		duplicate_of: duplicateOf,
		warnings: [`This exact file (sha256 ${sniff.sha256.slice(0, 12)}…) was already imported as batch ${duplicateOf} through the same mapping; nothing was changed. To read it another way, import it with another preset or mapping.`],
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

/** The batch's row before the load, as running (see the comment where it is called). */
async function startBatch(db: Kysely<Database>, options: IngestOptions, fileName: string, sniff: SniffResult, mapping: string): Promise<number> {
	const row = await db
		.insertInto('import_batches')
		.values({
			batch_id: sql<number>`nextval('batch_id_seq')`,
			kind: options.kind,
			status: 'running',
			file_name: fileName,
			...fileFacts(sniff),
			mapping_name: mapping,
			rows_read: 0,
			accepted: 0,
			rejected: 0,
			duplicates_in_file: 0,
			replaced: 0,
			imported_by: options.importedBy,
			source: options.source,
			started_at: new Date()
		})
		.returning('batch_id')
		.executeTakeFirstOrThrow();
	return row.batch_id;
}

async function recordFailure(
	db: Kysely<Database>,
	options: IngestOptions,
	fileName: string,
	sniff: SniffResult | undefined,
	mapping: string | undefined,
	startedAt: Date,
	error: Error,
	batchId: number | undefined
): Promise<void> {
	const detail = error instanceof IngestError ? `${error.message} ${error.hint}` : error.message;
	try {
		if (batchId !== undefined) {
			await db.updateTable('import_batches').set({ status: 'failed', error: detail, finished_at: new Date() }).where('batch_id', '=', batchId).execute();
			return;
		}
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

