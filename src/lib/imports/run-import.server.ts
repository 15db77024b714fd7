import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { warmUp } from '../core/warm-up.server';
import type { ColumnMapping } from './column-mapping';
import type { ImportKind } from './canonical-columns';
import { appConfig } from '../core/config.server';
import { getDatabase } from '../core/db/database.server';
import { IngestError } from './ingest-error';
import { parseMappingJson } from './mapping-draft';
import { withLock } from '../core/keyed-lock';
import { keepDerivedTables } from './keep-derived.server';
import { takeLookupUploads } from './lookup-uploads.server';
import { ingestFile, type BatchSummary, type IngestProgress, type IngestStage } from './ingest-file.server';
import { displayFileName, receiveUpload } from './receive-upload.server';
import { findSavedMapping } from './saved-mappings.server';
import { importMessages, type MessageImportSummary } from '../conversations/import-messages.server';
import { parseMessageOptions } from '../conversations/import-options';

export interface ImportRequest {
	body: ReadableStream<Uint8Array> | null;
	fileName: string | null;
	kind: string | null;
	preset: string | null;
	mapping: string | null;
	/** A mapping saved on the upload page, by name. */
	mappingName: string | null;
	encoding: string | null;
	/** For a workbook: the sheet to read; empty or null = the one with the most rows. */
	sheet?: string | null;
	/** Second files sent before (lookup-uploads.server.ts): "name:token,...". For messages, "users:TOKEN" is Zendesk's users export. */
	lookups?: string | null;
	/** Messages only: auto (or absent), canonical, zendesk-comments or tweets (conversations/import-options.ts). */
	format?: string | null;
	importedBy: string;
	source: 'upload' | 'api';
}

/** What one import returns: a cases or feedback batch, or a messages batch (both are batch summaries, imports/batch-summary.ts). */
export type ImportSummary = BatchSummary | MessageImportSummary;

function parseKind(kind: string | null): ImportKind | 'messages' {
	if (kind === 'cases' || kind === 'feedback' || kind === 'messages') return kind;
	throw new IngestError('wrong_kind', `The import kind must be "cases", "feedback" or "messages", got "${kind ?? ''}".`, 'Choose what the file holds: cases, feedback or messages (conversations).');
}

/** The mapping sent with an upload, checked key by key (mapping-draft.ts checkMapping): a wrong type is a clear bad_mapping, never a 500. */
function parseMapping(text: string | null): ColumnMapping | undefined {
	return text ? parseMappingJson(text).mapping : undefined;
}

function parseEncoding(encoding: string | null): 'auto' | 'utf-8' | 'latin-1' {
	if (!encoding || encoding === 'auto') return 'auto';
	if (encoding === 'utf-8' || encoding === 'latin-1') return encoding;
	throw new IngestError('invalid_encoding', `Unknown encoding "${encoding}".`, 'Use auto, utf-8 or latin-1.');
}

/** Loads the received file (at `path`, with its second files by name) into the database. */
type Load = (db: Kysely<Database>, path: string, lookups: Record<string, string>, onProgress?: (p: IngestProgress) => void) => Promise<ImportSummary>;

/** What every import of a request shares: the name the user knows the file by, who sent it from where, the archive and the limits. */
function commonOptions(request: ImportRequest) {
	const config = appConfig();
	return {
		fileName: displayFileName(request.fileName),
		importedBy: request.importedBy,
		source: request.source,
		archiveDir: config.archiveDir,
		maxBytes: config.maxUploadBytes,
		maxLineBytes: config.maxLineBytes,
		// Readers of the server find the kept tables current the moment the import commits.
		beforeCommit: async (trx: Kysely<Database>) => keepDerivedTables(trx, (await getDatabase()).db)
	};
}

/** A cases or feedback import: the mapping (sent, saved by name, or a preset) and the file's encoding and sheet. */
async function tableLoad(db: Kysely<Database>, kind: ImportKind, request: ImportRequest): Promise<Load> {
	if (request.format) throw new IngestError('bad_request', `format= is for messages imports; a ${kind} import reads its columns through a preset or mapping.`, 'Leave format out, or import with kind=messages.');
	const encoding = parseEncoding(request.encoding);
	let mapping = parseMapping(request.mapping);
	if (!mapping && request.mappingName) {
		mapping = await findSavedMapping(db, request.mappingName);
		if (!mapping) throw new IngestError('bad_mapping', `There is no saved mapping called "${request.mappingName}".`, 'Save the mapping on the upload page first, or send the mapping itself.');
	}
	const common = commonOptions(request);
	return (db, path, lookups, onProgress) =>
		ingestFile(db, {
			...common,
			path,
			kind,
			preset: request.preset ?? undefined,
			mapping,
			encoding,
			sheet: request.sheet?.trim() ? request.sheet.trim().slice(0, 200) : undefined,
			lookups,
			onProgress
		});
}

/**
 * A messages import (conversations/import-messages.server.ts): a format instead of a mapping, and
 * Zendesk's users export as the one second file it takes. What belongs to the column mapping of
 * cases and feedback is refused rather than ignored, so nobody believes a mapping was applied.
 */
function messagesLoad(request: ImportRequest): Load {
	const mappingOptions = (
		[
			['preset', request.preset],
			['mapping', request.mapping],
			['mapping_name', request.mappingName],
			['sheet', request.sheet]
		] as const
	).filter(([, value]) => value?.trim());
	if (mappingOptions.length) {
		throw new IngestError(
			'bad_request',
			`A messages import takes no column mapping: ${mappingOptions.map(([name]) => name).join(', ')} ${mappingOptions.length === 1 ? 'is' : 'are'} for cases and feedback.`,
			'Leave them out and give format=auto, canonical, zendesk-comments or tweets.'
		);
	}
	if (parseEncoding(request.encoding) !== 'auto') throw new IngestError('bad_request', "A messages import detects the file's encoding itself.", 'Leave encoding out (or give auto).');
	const { format } = parseMessageOptions({ format: request.format?.trim() || undefined });
	const common = commonOptions(request);
	const relay = (onProgress?: (p: IngestProgress) => void) => (message: string, stage: IngestStage) => onProgress?.({ stage, message });
	return (db, path, lookups, onProgress) => importMessages(db, { ...common, path, format, usersPath: lookups.users, onProgress: relay(onProgress) });
}

/** The one second file a messages import takes is Zendesk's users export. */
function checkMessageLookups(names: string[]): void {
	const others = names.filter((name) => name !== 'users');
	if (others.length) throw new IngestError('bad_request', `A messages import takes one second file, "users" (Zendesk's users export), not "${others.join('", "')}".`, 'Send the users export as lookups=users:TOKEN, or leave lookups out.');
}

/** The upload page, the JSON API and the CLI hand-off all import through here. */
export async function runImport(request: ImportRequest, onProgress?: (p: IngestProgress) => void): Promise<ImportSummary> {
	const kind = parseKind(request.kind);
	const config = appConfig();
	const { db } = await getDatabase();
	// Every option is checked before the body is read: a wrong one costs no upload and records nothing.
	const load = kind === 'messages' ? messagesLoad(request) : await tableLoad(db, kind, request);
	const lookups = takeLookupUploads(request.lookups ?? null);
	const upload = await Promise.resolve()
		.then(() => kind === 'messages' && checkMessageLookups(Object.keys(lookups.paths)))
		.then(() => receiveUpload(request.body, config.maxUploadBytes))
		.catch(async (error: unknown) => {
			await lookups.release();
			throw error;
		});
	try {
		// Imports run one at a time: two at once whose ids overlap made DuckDB refuse the second
		// ("Conflict on tuple deletion"). The body is already received, so a queued upload only waits.
		if (importsWaiting > 0 || importRunning) onProgress?.({ stage: 'checking', message: 'Waiting for the import before this one to finish' });
		importsWaiting++;
		return await withLock('import', async () => {
			importsWaiting--;
			importRunning = true;
			try {
				const summary = await load(db, upload.path, lookups.paths, onProgress);
				// The new data invalidated the cached views: compute the first ones before a reader asks.
				if (summary.status === 'committed') warmUp();
				return summary;
			} finally {
				importRunning = false;
			}
		});
	} finally {
		await upload.discard();
		await lookups.release();
	}
}

let importsWaiting = 0;
let importRunning = false;
