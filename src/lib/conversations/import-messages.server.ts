import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../core/db/schema';
import { recordAudit } from '../core/audit-log.server';
import { archiveRawFile } from '../imports/archive.server';
import type { BatchSummaryView } from '../imports/batch-summary';
import { normaliseHeader } from '../imports/canonical-columns';
import { IngestError } from '../imports/ingest-error';
import { fileFacts, loadThenKeep, noRowsYet, rejectionGroups, type IngestOptions, type IngestStage } from '../imports/ingest-file.server';
import { readableSource } from '../imports/readable-source.server';
import { DEFAULT_MAX_LINE_BYTES, sha256File, sniffFile, type SniffResult } from '../imports/sniff-file.server';
import { listLiteral, quoteIdent, quoteLiteral } from '../imports/sql-text.server';
import { rawRowExpr, readerRejectsSql, sourceSelect } from '../imports/stage-sql.server';
import { makeTempDir } from '../imports/temp-files.server';
import { compareFirstResponses } from './first-response.server';
import { readZendeskUsers, STAGED_COLUMNS, stageTwitterThreads, stageZendeskComments } from './message-sources.server';
import { AUTHOR_ROLES, detectMessageFormat, MESSAGE_COLUMNS, type MessageColumn, type MessageFormat, type MessagesOutcome } from './model';

export interface MessageImportOptions {
	path: string;
	/** Name the user knows the file by; defaults to the path's base name. */
	fileName?: string;
	/** Default 'auto': Zendesk comments by their `comments` key, Twitter by `in_response_to_tweet_id`, else canonical. */
	format?: 'auto' | MessageFormat;
	/** Zendesk: the users export (JSON, NDJSON or CSV with id, role, name) that gives each author's role and name. */
	usersPath?: string;
	importedBy: string;
	source: 'cli' | 'upload' | 'demo' | 'api';
	archiveDir: string;
	maxBytes: number;
	maxLineBytes?: number;
	/** Each step as a sentence, with the stage of an import it belongs to (the upload page's progress bar reads the stage). */
	onProgress?: (message: string, stage: IngestStage) => void;
	/** As for cases and feedback (IngestOptions.beforeCommit): runs in the import's transaction before it commits. */
	beforeCommit?: IngestOptions['beforeCommit'];
}

/**
 * The summary of one messages import: the summary every import gives (imports/batch-summary.ts,
 * so the upload page, the batch page and `caselens ingest --json` read it as they read a cases
 * import's), with the case import's rule, rows read = accepted + rejected, and what only a
 * messages import knows under `messages`.
 */
export interface MessageImportSummary extends BatchSummaryView {
	batch_id: number | null;
	status: 'committed' | 'duplicate';
	kind: 'messages';
	/** The file's format as read (csv, json, ndjson), as for cases and feedback; the messages layout is `messages.format`. */
	format: string;
	encoding: string;
	/** The messages layout, as the batch history records it (import_batches.mapping_name). */
	mapping: string;
	sha256: string;
	size_bytes: number;
	/** Messages of earlier imports that this one replaced (all the messages of its cases). */
	replaced: number;
	messages: MessagesOutcome;
	timings_ms: Record<string, number>;
}

/** Role spellings of help desks and chat tools, read as the four roles. */
const ROLE_SYNONYMS: Record<(typeof AUTHOR_ROLES)[number], readonly string[]> = {
	customer: ['customer', 'end-user', 'end_user', 'enduser', 'end user', 'requester', 'user', 'client', 'contact', 'inbound'],
	agent: ['agent', 'admin', 'staff', 'support', 'operator', 'outbound'],
	system: ['system'],
	bot: ['bot', 'automation', 'trigger', 'auto-reply', 'autoreply', 'virtual agent']
};

const BLANK = `' ' || chr(9) || chr(10) || chr(13)`;
/** Starts or ends with a blank: byte tests, so that only such values pay for trim (ten times the cost on the demo's messages). */
const edgeBlank = (v: string) => [9, 10, 13, 32].flatMap((c) => [`prefix(${v}, chr(${c}))`, `suffix(${v}, chr(${c}))`]).join(' OR ');
const clean = (v: string) => `(CASE WHEN ${v} = '' THEN NULL WHEN ${edgeBlank(v)} THEN nullif(trim(${v}, ${BLANK}), '') ELSE ${v} END)`;

/**
 * A time written with an offset takes the (slower) TIMESTAMPTZ cast, converted to the naive UTC
 * every table holds. The byte-level test first lets the usual offset-free value skip the regular
 * expression (the same trick as TS_ISO in imports/mapping-sql.server.ts).
 */
function timestampSql(v: string): string {
	return `(CASE WHEN (suffix(${v}, 'Z') OR suffix(${v}, 'z') OR contains(${v}, '+') OR (strlen(${v}) > 16 AND contains(substr(${v}, 11), '-')))
			AND regexp_matches(${v}, '[T ]\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?\\s*([Zz]|[+-]\\d\\d(:?\\d\\d)?)$')
		THEN make_timestamp(epoch_us(try_cast(${v} AS TIMESTAMPTZ))) ELSE try_cast(${v} AS TIMESTAMP) END)`;
}

/** A value already written as one of the roles (the canonical file, the demo) skips lower() and the synonym lists. */
function roleSql(v: string): string {
	const lower = `lower(${v})`;
	return `(CASE ${v} ${AUTHOR_ROLES.map((r) => `WHEN '${r}' THEN '${r}'`).join(' ')} ELSE CASE ${AUTHOR_ROLES.map((r) => `WHEN list_contains(${listLiteral(ROLE_SYNONYMS[r])}, ${lower}) THEN '${r}'`).join(' ')} END END)`;
}

const PUBLIC_SQL = (v: string) =>
	`(CASE ${v} WHEN 'true' THEN true WHEN 'false' THEN false ELSE CASE WHEN ${v} IS NULL THEN true WHEN list_contains(['true', 't', 'yes', 'y', '1', 'public'], lower(${v})) THEN true WHEN list_contains(['false', 'f', 'no', 'n', '0', 'internal', 'private', 'note'], lower(${v})) THEN false END END)`;

/**
 * Where each canonical column comes from in a file: the header named like it, else one of its
 * aliases. Undefined for an optional column the file lacks; a missing required column refuses the file.
 */
function matchHeaders(headers: readonly string[], fileName: string): Map<MessageColumn['name'], number> {
	const normalised = headers.map(normaliseHeader);
	const found = new Map<MessageColumn['name'], number>();
	const taken = new Set<number>();
	for (const pass of ['name', 'alias'] as const) {
		for (const column of MESSAGE_COLUMNS) {
			if (found.has(column.name)) continue;
			const wanted = pass === 'name' ? [normaliseHeader(column.name)] : column.aliases.map(normaliseHeader);
			const i = normalised.findIndex((h, j) => !taken.has(j) && wanted.includes(h));
			if (i >= 0) {
				found.set(column.name, i);
				taken.add(i);
			}
		}
	}
	const missing = MESSAGE_COLUMNS.filter((c) => c.required && !found.has(c.name)).map((c) => c.name);
	if (missing.length) {
		throw new IngestError(
			'missing_column',
			`The messages file ${fileName} has no column for ${missing.join(', ')}.`,
			`Its columns are: ${headers.slice(0, 20).map((h) => `"${h}"`).join(', ')}. A messages file needs case_id, sent_at, author_role and body (and may have sequence, author_name, public, message_id).`
		);
	}
	return found;
}

/** A source SELECT with the text columns the typed pass reads (see typedInsert), and the raw row of a rejected record. */
interface TextSource {
	select: string;
	/** Expression over the select's columns: the record as written. */
	raw: string;
	/** Columns the select carries only for `raw`. */
	carried: string[];
	/** Line of the first record, for files whose lines are not staged (the header counts). */
	firstLine: number;
	/** CSV reader rejects of a canonical CSV file (DuckDB's rejects tables), when there can be any. */
	rejects?: { table: string; scan: string };
}

/**
 * Imports one messages file as one transaction. Every record read is accepted as a message or kept
 * in rejected_rows with its line and reason, under a batch of kind 'messages' (so the Imports page
 * lists it and its rejected rows like any other); a failure leaves the database as it was and is
 * recorded as a failed batch. The messages of a case in this file replace those an earlier import
 * wrote for it. Cases are never changed: their first_response_at is only compared with the one
 * the messages give, in the summary.
 */
export async function importMessages(db: Kysely<Database>, options: MessageImportOptions): Promise<MessageImportSummary> {
	const fileName = options.fileName ?? basename(options.path);
	const [startedAt, timings] = [new Date(), {} as Record<string, number>];
	let mark = performance.now();
	const lap = (name: string) => void ((timings[name] = Math.round(performance.now() - mark)), (mark = performance.now()));
	const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
	let workDir: string | undefined;
	const work = async () => (workDir ??= await makeTempDir('messages'));
	let sniff: SniffResult | undefined;
	let batchId: number | undefined;
	let identity = '';
	try {
		options.onProgress?.('Checking the messages file', 'checking');
		sniff = await sniffFile(options.path, { maxBytes: options.maxBytes, maxLineBytes, encoding: 'auto', fileName });
		const detected = !options.format || options.format === 'auto';
		const format = detected ? detectMessageFormat(sniff.header ?? []) : (options.format as MessageFormat);
		// The roles of a Zendesk import depend on the users file too: the same comments with another users file are another import.
		identity = options.usersPath ? createHash('sha256').update(`${sniff.sha256}\0${await sha256File(options.usersPath)}`).digest('hex') : sniff.sha256;
		lap('check');
		const previous = await db
			.selectFrom('import_batches')
			.select('batch_id')
			.where('sha256', '=', identity)
			.where('kind', '=', 'messages')
			.where('status', '=', 'committed')
			.orderBy('batch_id')
			.executeTakeFirst();
		if (previous) return duplicateSummary(fileName, { format, detected }, sniff, identity, previous.batch_id, timings);

		let source: TextSource;
		const warnings: string[] = [];
		if (format === 'canonical') {
			const readable = await readableSource(db, options.path, sniff, { workDir: work, maxLineBytes, fileName, lap });
			source = canonicalSource(readable.loadPath, readable.loadSniff, readable.headers, fileName, maxLineBytes);
		} else {
			if (sniff.format === 'parquet' || (format === 'zendesk_comments' && sniff.format === 'csv')) {
				throw new IngestError('unknown_format', `${fileName} is ${sniff.format.toUpperCase()}, which the ${format} format does not come in.`, format === 'twitter' ? 'Give the thread export as CSV.' : 'Give the ticket comments as JSON (an array of tickets) or NDJSON (one ticket per line).');
			}
			const out = join(await work(), 'staged.csv');
			options.onProgress?.(format === 'twitter' ? 'Building threads from reply links' : 'Reading tickets and their comments', 'loading');
			const staged =
				format === 'twitter'
					? await stageTwitterThreads(options.path, out)
					: await stageZendeskComments(options.path, sniff.format as 'json' | 'ndjson', out, options.usersPath ? await readZendeskUsers(options.usersPath) : undefined);
			warnings.push(...staged.warnings);
			source = stagedSource(out);
			lap('stage');
		}

		batchId = await startBatch(db, options, fileName, sniff, identity, format);
		const archiving = archiveRawFile(options.path, options.archiveDir, sniff.sha256, sniff.format);
		archiving.catch(() => undefined); // awaited inside the transaction
		const id = batchId;
		const sniffed = sniff;
		options.onProgress?.('Loading messages', 'writing');
		const summary = await loadThenKeep(
			db,
			(trx) => loadMessages(trx, { batchId: id, options, fileName, format, detected, sniff: sniffed, identity, source, warnings, archiving, startedAt, timings, lap }),
			options.beforeCommit,
			(message) => options.onProgress?.(message, 'writing'),
			lap
		);
		options.onProgress?.(`Messages batch ${summary.batch_id}: ${summary.accepted} accepted, ${summary.rejected} rejected`, 'done');
		return summary;
	} catch (error) {
		const failure = error instanceof Error ? error : new Error(String(error));
		await recordFailure(db, options, fileName, sniff, identity, startedAt, failure, batchId);
		throw failure;
	} finally {
		if (workDir) await rm(workDir, { recursive: true, force: true });
	}
}

function canonicalSource(path: string, sniff: SniffResult, headers: string[], fileName: string, maxLineBytes: number): TextSource {
	const found = matchHeaders(headers, fileName);
	const tag = sniff.sha256.slice(0, 12);
	const rejects = { table: `msg_rejects_${tag}`, scan: `msg_rejects_scan_${tag}` };
	const column = (name: MessageColumn['name']) => (found.has(name) ? `c${found.get(name)}` : 'CAST(NULL AS VARCHAR)');
	const carried = headers.map((_, i) => `c${i}`);
	return {
		select: `SELECT CAST(NULL AS BIGINT) AS line, CAST(NULL AS VARCHAR) AS note, ${MESSAGE_COLUMNS.map((c) => `${column(c.name)} AS ${quoteIdent(`t_${c.name}`)}`).join(', ')}, ${carried.join(', ')}
			FROM (${sourceSelect(path, sniff, headers, { rejects: rejects.table, rejectsScan: rejects.scan }, maxLineBytes)})`,
		raw: rawRowExpr(sniff, headers),
		carried,
		firstLine: sniff.format === 'csv' ? 2 : 1,
		rejects: sniff.format === 'csv' ? rejects : undefined
	};
}

function stagedSource(path: string): TextSource {
	const columns = STAGED_COLUMNS.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(', ');
	const fields = MESSAGE_COLUMNS.map((c) => `${quoteIdent(c.name)} AS ${quoteIdent(`t_${c.name}`)}`);
	// We wrote this file ourselves: a record DuckDB cannot read is a bug, so no rejects table (the batch fails).
	return {
		select: `SELECT CAST(line AS BIGINT) AS line, nullif(note, '') AS note, ${fields.join(', ')}, raw AS staged_raw
			FROM read_csv(${quoteLiteral(path)}, header = true, auto_detect = false, columns = {${columns}}, delim = ',', quote = '"', escape = '"', strict_mode = true)`,
		raw: 'staged_raw',
		carried: ['staged_raw'],
		firstLine: 1
	};
}

interface LoadContext {
	batchId: number;
	options: MessageImportOptions;
	fileName: string;
	format: MessageFormat;
	detected: boolean;
	sniff: SniffResult;
	identity: string;
	source: TextSource;
	warnings: string[];
	archiving: Promise<string>;
	startedAt: Date;
	timings: Record<string, number>;
	lap: (name: string) => void;
}

async function loadMessages(trx: Transaction<Database>, ctx: LoadContext): Promise<MessageImportSummary> {
	const { batchId, source } = ctx;
	const exec = (text: string) => sql.raw(text).execute(trx);
	const one = async <T>(text: string) => (await sql.raw<T>(text).execute(trx)).rows[0];
	const typed = `msg_typed_${batchId}`;
	const staged = [typed];
	await exec(`CREATE TEMP TABLE ${typed} (line BIGINT, case_id VARCHAR, seq INTEGER, sent_at TIMESTAMP, author_role VARCHAR, author_name VARCHAR,
		is_public BOOLEAN, body VARCHAR, external_id VARCHAR, reason VARCHAR, raw VARCHAR)`);
	// Rows go in in file order (a chain of projections over one reader keeps it), so rowid order is file order.
	const inserted = await exec(typedInsert(typed, source));
	const parsed = Number(inserted.numAffectedRows ?? 0n);
	ctx.lap('load');

	let readerRejects = 0;
	if (source.rejects) {
		const lines = `${source.rejects.table}_lines`;
		staged.push(lines, `${lines}_keys`, source.rejects.table, source.rejects.scan);
		await exec(`CREATE TEMP TABLE ${lines} AS ${readerRejectsSql(source.rejects.table)}`);
		readerRejects = Number((await one<{ n: number }>(`SELECT count(*) AS n FROM ${lines}`)).n);
		// A parsed record at position p sits after every reader-rejected record i (1-based, by line)
		// with line_i - i + 1 - firstLine <= p; the keys make that a count.
		await exec(`CREATE TEMP TABLE ${lines}_keys AS SELECT line - row_number() OVER (ORDER BY line) + 1 - ${source.firstLine} AS k FROM ${lines}`);
		await exec(`INSERT INTO rejected_rows SELECT ${batchId}, line, 'the CSV reader could not split this record: ' || reason, raw FROM ${lines}`);
	}
	// Rows written in an open transaction are numbered from a large base, not from 0.
	const first = Number((await one<{ first: number | null }>(`SELECT min(rowid) AS first FROM ${typed}`)).first ?? 0);
	const position = `(t.rowid - ${first})`;
	const lineOf = source.rejects && readerRejects > 0 ? `${position} + ${source.firstLine} + (SELECT count(*) FROM ${source.rejects.table}_lines_keys WHERE k <= ${position})` : `${position} + ${source.firstLine}`;
	await exec(`INSERT INTO rejected_rows SELECT ${batchId}, coalesce(t.line, ${lineOf}), t.reason, t.raw FROM ${typed} t WHERE t.reason IS NOT NULL`);
	const rowsRead = parsed + readerRejects;
	if (rowsRead === 0) throw new IngestError('header_only', `The file ${ctx.fileName} holds no messages.`, 'Export again with the messages included.');

	// Within a case the time decides the order; the file's own sequence, then its order, break ties.
	await exec(`INSERT INTO messages
		SELECT case_id, row_number() OVER (PARTITION BY case_id ORDER BY sent_at, seq NULLS LAST, rowid), sent_at, author_role, author_name, is_public, body, external_id, ${batchId}
		FROM ${typed} WHERE reason IS NULL`);
	ctx.lap('write');

	const replaced = await one<{ cases: number; messages: number }>(`SELECT count(DISTINCT case_id) AS cases, count(*) AS messages FROM messages
		WHERE batch_id <> ${batchId} AND case_id IN (SELECT case_id FROM messages WHERE batch_id = ${batchId})`);
	if (Number(replaced.messages) > 0) await exec(`DELETE FROM messages WHERE batch_id <> ${batchId} AND case_id IN (SELECT case_id FROM messages WHERE batch_id = ${batchId})`);
	ctx.lap('replace');

	const counts = await one<{ accepted: number; cases: number; internal: number; unknown: number }>(`SELECT count(*) AS accepted, count(DISTINCT case_id) AS cases,
		count(*) FILTER (WHERE NOT is_public) AS internal,
		(SELECT count(DISTINCT m.case_id) FROM messages m WHERE m.batch_id = ${batchId} AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.case_id = m.case_id)) AS unknown
		FROM messages WHERE batch_id = ${batchId}`);
	const accepted = Number(counts.accepted);
	const storedRejects = Number((await one<{ n: number }>(`SELECT count(*) AS n FROM rejected_rows WHERE batch_id = ${batchId}`)).n);
	if (accepted + storedRejects !== rowsRead) {
		// Guard for the one rule that never bends: rows read = accepted + rejected.
		throw new Error(`Internal error: ${rowsRead} messages read, ${accepted} accepted, but ${storedRejects} rejected rows stored`);
	}
	const roles = Object.fromEntries(
		(await sql<{ author_role: string; n: number }>`SELECT author_role, count(*) AS n FROM messages WHERE batch_id = ${batchId} GROUP BY 1 ORDER BY 1`.execute(trx)).rows.map((r) => [r.author_role, Number(r.n)])
	);
	const topReasons = await rejectionGroups(trx, batchId);
	const sampleCases = (
		await sql<{ case_id: string }>`SELECT DISTINCT m.case_id FROM messages m JOIN cases c ON c.case_id = m.case_id WHERE m.batch_id = ${batchId} ORDER BY 1 LIMIT 5`.execute(trx)
	).rows.map((r) => r.case_id);
	const firstResponse = await compareFirstResponses(trx, batchId);
	ctx.lap('compare');
	const warnings = [...ctx.warnings];
	const unknown = Number(counts.unknown);
	if (unknown > 0) warnings.push(`${unknown.toLocaleString('en')} of the ${Number(counts.cases).toLocaleString('en')} cases in this file are not in the cases table: their threads are kept and show once the cases are imported.`);
	if (firstResponse.differ > 0) {
		warnings.push(`For ${firstResponse.differ.toLocaleString('en')} of ${firstResponse.compared.toLocaleString('en')} cases the first response the messages give (first public agent message after the first customer message) differs from the case's first_response_at by a minute or more, or only one of them exists; the cases were not changed.`);
	}
	const outcome: MessagesOutcome = {
		format: ctx.format,
		detected: ctx.detected,
		cases: Number(counts.cases),
		replaced_cases: Number(replaced.cases),
		roles,
		internal_notes: Number(counts.internal),
		unknown_cases: unknown,
		sample_cases: sampleCases,
		first_response: firstResponse
	};
	const summary: MessageImportSummary = {
		...summaryBase(ctx.fileName, ctx.format, ctx.sniff, ctx.identity, ctx.timings),
		batch_id: batchId,
		status: 'committed',
		rows_read: rowsRead,
		accepted,
		rejected: storedRejects,
		replaced: Number(replaced.messages),
		top_reasons: topReasons,
		warnings,
		messages: outcome
	};
	const archivePath = await ctx.archiving;
	await recordAudit(trx, {
		actor: ctx.options.importedBy,
		action: 'import',
		target: `batch ${batchId}: ${ctx.fileName}`,
		after: { kind: 'messages', format: ctx.format, sha256: ctx.identity, rows_read: rowsRead, accepted, rejected: storedRejects, replaced_cases: outcome.replaced_cases }
	});
	await trx
		.updateTable('import_batches')
		.where('batch_id', '=', batchId)
		.set({
			status: 'committed',
			archive_path: archivePath,
			rows_read: rowsRead,
			accepted,
			rejected: storedRejects,
			replaced: summary.replaced,
			// The fields the Imports page reads (imports/batches.server.ts), plus what only this import knows.
			derived: JSON.stringify({ columns: {}, merged: 0, unknown_values: {}, blank_cells: {}, top_reasons: topReasons, warnings, messages: outcome }),
			timings: JSON.stringify(ctx.timings),
			finished_at: new Date()
		})
		.execute();
	for (const t of staged) await exec(`DROP TABLE IF EXISTS ${t}`);
	return summary;
}

/**
 * The typed pass: each record's values typed, and `reason` (NULL when accepted) naming every
 * problem, so that a record is rejected only when it cannot be a message. The raw text is built
 * only for rejected records.
 */
function typedInsert(table: string, source: TextSource): string {
	const t = (name: MessageColumn['name']) => quoteIdent(`t_${name}`);
	const shown = (v: string) => `'"' || left(${v}, 60) || '"'`;
	const checks: [string, string][] = [
		[`${t('case_id')} IS NULL`, `'case_id is empty (required)'`],
		[`${t('sent_at')} IS NULL`, `'sent_at is empty (required)'`],
		[`sent_at IS NULL AND ${t('sent_at')} IS NOT NULL`, `'sent_at: ' || ${shown(t('sent_at'))} || ' is not a timestamp (expected e.g. 2024-03-01 14:30:00 or ISO 8601)'`],
		[`${t('author_role')} IS NULL`, `'author_role is empty (required)'`],
		[`author_role IS NULL AND ${t('author_role')} IS NOT NULL`, `'author_role: ' || ${shown(t('author_role'))} || ' is not customer, agent, system or bot'`],
		[`${t('body')} IS NULL`, `'body is empty (required)'`],
		[`is_public IS NULL`, `'public: ' || ${shown(t('public'))} || ' is not true/false (or public/internal)'`],
		[`seq IS NULL AND ${t('sequence')} IS NOT NULL`, `'sequence: ' || ${shown(t('sequence'))} || ' is not a number'`]
	];
	// A note (a record that could not be split into messages at all) is the whole reason.
	const reason = `CASE WHEN note IS NOT NULL THEN note WHEN ${checks.map(([when]) => `(${when}) IS TRUE`).join(' OR ')} THEN concat_ws('; ', ${checks.map(([when, then]) => `CASE WHEN ${when} THEN ${then} END`).join(', ')}) END`;
	// The body is kept as written; only a body of nothing but blanks is empty.
	const body = (v: string) => `(CASE WHEN ${v} = '' OR ((${edgeBlank(v)}) AND trim(${v}, ${BLANK}) = '') THEN NULL ELSE ${v} END)`;
	const texts = MESSAGE_COLUMNS.map((c) => `${c.name === 'body' ? body(t(c.name)) : clean(t(c.name))} AS ${t(c.name)}`);
	return `INSERT INTO ${table}
		SELECT line, ${t('case_id')}, seq, sent_at, author_role, ${t('author_name')}, is_public, ${t('body')}, ${t('message_id')}, reason, CASE WHEN reason IS NOT NULL THEN ${source.raw} END
		FROM (
			SELECT *, ${reason} AS reason FROM (
				SELECT *, ${timestampSql(t('sent_at'))} AS sent_at, ${roleSql(t('author_role'))} AS author_role, ${PUBLIC_SQL(t('public'))} AS is_public,
					try_cast(try_cast(${t('sequence')} AS DOUBLE) AS INTEGER) AS seq
				FROM (SELECT line, note, ${texts.join(', ')}, ${source.carried.join(', ')} FROM (${source.select}))
			)
		)`;
}

/** The fields every messages summary has, with the counts at zero and nothing of a column mapping (a messages file has none). */
function summaryBase(fileName: string, format: MessageFormat, sniff: SniffResult, identity: string, timings: Record<string, number>): Omit<MessageImportSummary, 'messages'> {
	return {
		batch_id: null,
		status: 'committed',
		kind: 'messages',
		file_name: fileName,
		...fileFacts(sniff),
		mapping: format,
		sha256: identity,
		...noRowsYet(),
		duplicate_of: null,
		warnings: [],
		timings_ms: timings
	};
}

function duplicateSummary(fileName: string, layout: { format: MessageFormat; detected: boolean }, sniff: SniffResult, identity: string, duplicateOf: number, timings: Record<string, number>): MessageImportSummary {
	return {
		...summaryBase(fileName, layout.format, sniff, identity, timings),
		status: 'duplicate',
		duplicate_of: duplicateOf,
		warnings: [`This exact file (sha256 ${identity.slice(0, 12)}…) was already imported as messages batch ${duplicateOf}; nothing was changed.`],
		messages: {
			...layout,
			cases: 0,
			replaced_cases: 0,
			roles: {},
			internal_notes: 0,
			unknown_cases: 0,
			sample_cases: [],
			first_response: { compared: 0, same: 0, differ: 0, different_time: 0, only_case: 0, only_messages: 0, examples: [] }
		}
	};
}

/** A messages batch's row: the columns every batch has, the counts at zero until the batch commits. */
async function insertBatch(db: Kysely<Database>, options: MessageImportOptions, row: { status: 'running' | 'failed'; file_name: string; sniff?: SniffResult; sha256: string; mapping_name?: string; error?: string; started_at: Date; finished_at?: Date }): Promise<number> {
	const inserted = await db
		.insertInto('import_batches')
		.values({
			batch_id: sql<number>`nextval('batch_id_seq')`,
			kind: 'messages',
			status: row.status,
			file_name: row.file_name,
			size_bytes: row.sniff?.sizeBytes ?? 0,
			sha256: row.sha256,
			format: row.sniff?.format ?? null,
			encoding: row.sniff?.encoding ?? null,
			delimiter: row.sniff?.delimiter ?? null,
			mapping_name: row.mapping_name ?? null,
			...{ rows_read: 0, accepted: 0, rejected: 0, duplicates_in_file: 0, replaced: 0 },
			error: row.error ?? null,
			imported_by: options.importedBy,
			source: options.source,
			started_at: row.started_at,
			finished_at: row.finished_at ?? null
		})
		.returning('batch_id')
		.executeTakeFirstOrThrow();
	return inserted.batch_id;
}

/** The batch's row before the load, as running, so that a crash mid-import is found and marked failed at the next start (imports/recovery.server.ts). */
function startBatch(db: Kysely<Database>, options: MessageImportOptions, fileName: string, sniff: SniffResult, identity: string, format: MessageFormat): Promise<number> {
	return insertBatch(db, options, { status: 'running', file_name: fileName, sniff, sha256: identity, mapping_name: format, started_at: new Date() });
}

async function recordFailure(db: Kysely<Database>, options: MessageImportOptions, fileName: string, sniff: SniffResult | undefined, identity: string, startedAt: Date, error: Error, batchId: number | undefined): Promise<void> {
	const detail = error instanceof IngestError ? `${error.message} ${error.hint}` : error.message;
	try {
		if (batchId !== undefined) await db.updateTable('import_batches').set({ status: 'failed', error: detail, finished_at: new Date() }).where('batch_id', '=', batchId).execute();
		else await insertBatch(db, options, { status: 'failed', file_name: fileName, sniff, sha256: identity || (sniff?.sha256 ?? ''), error: detail, started_at: startedAt, finished_at: new Date() });
	} catch {
		// The database itself may be the problem (locked, read-only); the caller still gets the original error.
	}
}
