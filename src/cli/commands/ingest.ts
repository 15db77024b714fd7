import { readFile } from 'node:fs/promises';
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
import { importThroughServer, localActor } from '../server-handoff';

export const ingestHelp = `caselens ingest FILE... --kind cases|feedback [options]

Imports case or feedback exports (CSV, JSON array, NDJSON, Parquet, Excel workbooks) into the database.
Every row is accepted or rejected with its line and reason; a file is one transaction;
a file imported before is recognised by its checksum and changes nothing.

  --kind cases|feedback   what the file holds (required)
  --preset NAME           canonical, zendesk, freshdesk (default: detected from the headers)
  --mapping FILE|NAME     a JSON column mapping file, or the name of one saved on the upload page
  --sheet NAME            for a workbook (.xlsx, Excel 2003 XML): the sheet to read (default: the one with the most rows)
  --lookup NAME=FILE      a second file the mapping looks values up in (e.g. accounts=Account.csv); repeatable
  --encoding ENC          auto (default), utf-8 or latin-1
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
		db: { type: 'string' },
		json: { type: 'boolean', default: false }
	});
	if (positionals.length === 0) throw new UsageError('give at least one FILE to import');
	if (values.kind !== 'cases' && values.kind !== 'feedback') throw new UsageError('--kind must be cases or feedback');
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
		return 0;
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
	return 0;
}
