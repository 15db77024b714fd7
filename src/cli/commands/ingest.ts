import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { ColumnMapping } from '../../lib/imports/column-mapping';
import { appConfig } from '../../lib/core/config.server';
import { openDatabase } from '../../lib/core/db/database.server';
import { IngestError } from '../../lib/imports/ingest-error';
import { AppError, hasCode } from '../../lib/core/errors';
import { ingestFile, type BatchSummary } from '../../lib/imports/ingest-file.server';
import { findSavedMapping } from '../../lib/imports/saved-mappings.server';
import { parseMappingJson } from '../../lib/imports/mapping-draft';
import { describeRecovery, recoverInterruptedImports } from '../../lib/imports/recovery.server';
import { parse, UsageError } from '../args';
import { formatSummary, stepProgress } from '../output';
import { importThroughServer, localActor, onDatabaseOrServer, type ServerCall } from '../server-handoff';
import { importMessages, type MessageImportSummary } from '../../lib/conversations/import-messages.server';
import { checkMessageOptions, messageFormatOption, type MessageImportChoice } from '../../lib/conversations/import-options';
import { roleLabel, rolesInOrder } from '../../lib/conversations/model';

export const ingestHelp = `caselens ingest FILE... --kind cases|feedback|messages [options]

Imports case or feedback exports (CSV, JSON array, NDJSON, Parquet, Excel workbooks), or
conversations (messages), into the database.
Every row is accepted or rejected with its line and reason; a file is one transaction;
a file imported before through the same mapping is recognised by its checksum and changes
nothing (through another preset or mapping it is a new import that replaces its rows by id).
Exit code 1 when a file is refused, or when it was read but none of its rows was accepted.

  --kind cases|feedback|messages   what the file holds (required)
  --preset NAME           canonical, zendesk, zendesk_json, zendesk_explore, freshdesk, servicenow,
                          salesforce (default: detected from the headers)
  --mapping FILE|NAME     a JSON column mapping file, or the name of one saved on the upload page
  --sheet NAME            for a workbook (.xlsx, Excel 2003 XML): the sheet to read (default: the one with the most rows)
  --lookup NAME=FILE      a second file the mapping looks values up in (e.g. accounts=Account.csv); repeatable
  --encoding ENC          auto (default), utf-8 or latin-1
  --format F              messages: auto (default: detected from the columns), canonical,
                          zendesk-comments (Zendesk ticket comments JSON) or tweets (reply-linked tweets CSV)
  --users FILE            messages, Zendesk comments: the users export (id, role, name) that gives each
                          author's role and name (without it the requester is the customer, others agents)
  --db PATH               database file (default $CASELENS_DB or data/caselens.duckdb)
  --json                  print one JSON summary per file on stdout`;

/** A mapping file, or undefined when `path` is not a file (then it may name a saved mapping). */
async function readMappingFile(path: string): Promise<ColumnMapping | undefined> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw new IngestError('bad_mapping', `The mapping file ${path} cannot be read: ${(error as Error).message}`, 'Check the path given to --mapping.');
	}
	try {
		const { mapping } = parseMappingJson(text);
		return { ...mapping, name: mapping.name === 'custom' ? path : mapping.name };
	} catch (error) {
		if (error instanceof IngestError) throw new IngestError('bad_mapping', `The mapping file ${path} is not a valid mapping: ${error.message}`, error.hint);
		throw error;
	}
}

export async function ingestCommand(args: string[]): Promise<number> {
	const { values, positionals } = parse(args, {
		kind: { type: 'string' },
		preset: { type: 'string' },
		mapping: { type: 'string' },
		lookup: { type: 'string', multiple: true },
		sheet: { type: 'string' },
		encoding: { type: 'string' },
		format: { type: 'string' },
		users: { type: 'string' },
		db: { type: 'string' },
		json: { type: 'boolean', default: false }
	});
	if (positionals.length === 0) throw new UsageError('give at least one FILE to import');
	if (values.kind === 'messages') return ingestMessages(positionals, values);
	if (values.kind !== 'cases' && values.kind !== 'feedback') throw new UsageError('--kind must be cases, feedback or messages');
	if (values.format !== undefined || values.users !== undefined) throw new UsageError('--format and --users are for --kind messages');
	const encoding = values.encoding ?? 'auto';
	if (!['auto', 'utf-8', 'latin-1'].includes(encoding)) throw new UsageError('--encoding must be auto, utf-8 or latin-1');
	const kind = values.kind;
	const lookups: Record<string, string> = {};
	for (const pair of values.lookup ?? []) {
		const at = pair.indexOf('=');
		if (at <= 0 || at === pair.length - 1) throw new UsageError(`--lookup must be NAME=FILE, got "${pair}"`);
		lookups[pair.slice(0, at)] = pair.slice(at + 1);
	}
	const mappingFile = values.mapping ? await readMappingFile(values.mapping) : undefined;
	const savedName = values.mapping && !mappingFile ? values.mapping : undefined;
	let mapping = mappingFile;
	const config = appConfig(values.db);

	const summaries: BatchSummary[] = [];
	const print = (s: BatchSummary) => console.log(values.json ? JSON.stringify(s) : formatSummary(s));

	let open: Awaited<ReturnType<typeof openDatabase>> | undefined;
	try {
		open = await openDatabase(config.dbPath);
	} catch (error) {
		if (!hasCode(error, 'database_locked')) throw error;
		// The server holds the file: hand every file to it instead.
		if (Object.keys(lookups).length || values.sheet) {
			throw new AppError('database_locked', 'The server holds the database, and an import with --lookup or --sheet cannot be handed to it.', 'Stop the server (Ctrl+C on npm start) and run the import again.', 503);
		}
		for (const path of positionals) {
			const summary = await importThroughServer(config.dbPath, { path, kind, preset: values.preset, mapping, mappingName: savedName, encoding });
			if (!summary) throw error;
			if (!values.json) console.error(`(the server holds ${config.dbPath}; imported through it)`);
			summaries.push(summary);
			print(summary);
		}
		return refusedEveryRow(summaries, values.json);
	}

	const recovered = describeRecovery(await recoverInterruptedImports(open.db, config.archiveDir));
	if (recovered && !values.json) console.error(`(${recovered})`);
	if (savedName) {
		mapping = await findSavedMapping(open.db, savedName);
		if (!mapping) {
			await open.close();
			throw new IngestError('bad_mapping', `--mapping ${savedName}: there is no such file and no saved mapping with that name.`, 'Give the path of a mapping JSON file, or the name of a mapping saved on the upload page.');
		}
	}
	const progress = stepProgress(positionals.length * 5, !values.json);
	try {
		for (const path of positionals) {
			const summary = await ingestFile(open.db, {
				path,
				kind,
				preset: values.preset,
				mapping,
				lookups,
				sheet: values.sheet,
				encoding: encoding as 'auto' | 'utf-8' | 'latin-1',
				importedBy: localActor(),
				source: 'cli',
				archiveDir: config.archiveDir,
				maxBytes: config.maxUploadBytes,
				maxLineBytes: config.maxLineBytes,
				onProgress: (p) => progress.step(`${path}: ${p.message}`)
			});
			summaries.push(summary);
			progress.stop();
			print(summary);
		}
	} finally {
		progress.stop();
		await open.close();
	}
	return refusedEveryRow(summaries, values.json);
}

/**
 * Exit code 1 when an import read rows and accepted none (a wrong date format, say): the batch is
 * on record with its reasons, but a script that runs the import must not take it for a load.
 */
function refusedEveryRow(summaries: BatchSummary[], json: boolean): number {
	const empty = summaries.filter((s) => s.status === 'committed' && s.rows_read > 0 && s.accepted === 0);
	if (!json) for (const s of empty) console.error(`caselens ingest: no row of ${s.file_name} was accepted; the reasons are above. Fix the mapping (a date format, a column) and import the file again.`);
	return empty.length ? 1 : 0;
}

interface MessagesArgs {
	preset?: string;
	mapping?: string;
	lookup?: string[];
	sheet?: string;
	encoding?: string;
	format?: string;
	users?: string;
	db?: string;
	json: boolean;
}

/**
 * `--kind messages`: conversations through importMessages (src/lib/conversations/import-messages.server.ts),
 * on the database file, or through the server's import endpoint while it holds the file, with the
 * same output either way.
 */
async function ingestMessages(paths: string[], values: MessagesArgs): Promise<number> {
	// A messages file is read by its layout: options of the column mapping would silently do nothing.
	const mappingOptions = (['preset', 'mapping', 'lookup', 'sheet'] as const).filter((name) => values[name] !== undefined);
	if (mappingOptions.length) throw new UsageError(`${mappingOptions.map((name) => `--${name}`).join(', ')}: a messages file takes no column mapping; give --format instead`);
	if (values.encoding !== undefined && values.encoding !== 'auto') throw new UsageError("--encoding: a messages import detects the file's encoding itself");
	const checked = checkMessageOptions({ format: values.format, users: values.users });
	if (!checked.ok) throw new UsageError(`--${checked.problem}`);
	const options = checked.value;
	const config = appConfig(values.db);
	const print = (s: MessageImportSummary) => console.log(values.json ? JSON.stringify(s) : formatMessagesSummary(s));

	await onDatabaseOrServer(
		config.dbPath,
		async (db) => {
			const recovered = describeRecovery(await recoverInterruptedImports(db, config.archiveDir));
			if (recovered && !values.json) console.error(`(${recovered})`);
			const progress = stepProgress(paths.length * 4, !values.json);
			try {
				for (const path of paths) {
					const summary = await importMessages(db, {
						path,
						format: options.format,
						usersPath: options.users,
						importedBy: localActor(),
						source: 'cli',
						archiveDir: config.archiveDir,
						maxBytes: config.maxUploadBytes,
						maxLineBytes: config.maxLineBytes,
						onProgress: (message) => progress.step(`${path}: ${message}`)
					});
					progress.stop();
					print(summary);
				}
			} finally {
				progress.stop();
			}
		},
		async (ask) => {
			for (const path of paths) {
				const summary = await messagesThroughServer(ask, path, options);
				if (!values.json) console.error(`(the server holds ${config.dbPath}; imported through it)`);
				print(summary);
			}
		}
	);
	return 0;
}

/** A file the server is sent must be readable here first: a stream that fails mid-request reads as a server that did not answer. */
async function readableHere(path: string, what: string): Promise<void> {
	try {
		await access(path);
	} catch (error) {
		throw new IngestError('unreadable_file', `${what} ${path} cannot be read: ${(error as Error).message}`, "Check the path and the file's permissions.");
	}
}

const fileBody = (path: string) => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;

/** The server's import endpoint, as the upload page uses it: the users export first (held under a token), then the file. */
async function messagesThroughServer(ask: (call: ServerCall) => Promise<Response>, path: string, options: MessageImportChoice): Promise<MessageImportSummary> {
	await readableHere(path, 'The messages file');
	const params = new URLSearchParams({ kind: 'messages' });
	if (options.format !== 'auto') params.set('format', messageFormatOption(options.format));
	if (options.users) {
		await readableHere(options.users, 'The users file');
		const held = await ask({ path: '/api/imports/lookup', method: 'POST', body: fileBody(options.users), headers: { 'content-type': 'application/octet-stream' }, instead: 'Import through the upload page' });
		params.set('lookups', `users:${((await held.json()) as { token: string }).token}`);
	}
	const response = await ask({
		path: '/api/imports',
		method: 'POST',
		params,
		body: fileBody(path),
		headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(basename(path)) },
		instead: 'Import through the upload page'
	});
	// A refusal has become a ServerRefusal in ask; an answer that went through is the summary.
	return (await response.json()) as MessageImportSummary;
}

/** The messages summary in the style of the cases one (src/cli/output.ts formatSummary): the counts, then what only messages have. */
export function formatMessagesSummary(s: MessageImportSummary): string {
	if (s.status === 'duplicate') return `${s.file_name}: already imported as messages batch ${s.duplicate_of}; nothing changed.`;
	const m = s.messages;
	const n = (value: number) => value.toLocaleString('en');
	const how = m.detected ? 'detected from its columns; --format to choose another' : 'as given with --format';
	const lines = [
		`${s.file_name}: batch ${s.batch_id} (messages, ${s.format}, ${s.encoding}${s.delimiter ? `, delimiter ${JSON.stringify(s.delimiter)}` : ''}; format ${messageFormatOption(m.format)}, ${how})`,
		`  rows read ${n(s.rows_read)} = accepted ${n(s.accepted)} + rejected ${n(s.rejected)}`,
		`  ${n(m.cases)} cases with messages` +
			(m.replaced_cases ? `; ${n(m.replaced_cases)} had a thread from an earlier import, replaced (${n(s.replaced)} messages)` : '') +
			(m.unknown_cases ? `; ${n(m.unknown_cases)} not yet in the cases table` : '')
	];
	const roles = rolesInOrder(m.roles);
	if (roles.length) lines.push(`  by author: ${roles.map(([role, count]) => `${roleLabel(role).toLowerCase()} ${n(count)}`).join(', ')}${m.internal_notes ? `; ${n(m.internal_notes)} internal notes` : ''}`);
	if (m.first_response.compared) {
		const differing = m.first_response.examples.map((e) => e.case_id).join(', ');
		lines.push(`  first response: ${n(m.first_response.same)} of ${n(m.first_response.compared)} cases agree with their first_response_at${m.first_response.differ ? `; ${n(m.first_response.differ)} differ (e.g. ${differing})` : ''}`);
	}
	for (const r of s.top_reasons.slice(0, 5)) lines.push(`  rejected ${r.count}x: ${r.reason}${r.examples.length ? ` (e.g. ${r.examples.map((e) => JSON.stringify(e)).join(', ')})` : ''}`);
	for (const w of s.warnings) lines.push(`  note: ${w}`);
	return lines.join('\n');
}
