import { warmUp } from '../core/warm-up.server';
import type { ColumnMapping } from './column-mapping';
import type { ImportKind } from './canonical-columns';
import { appConfig } from '../core/config.server';
import { getDatabase } from '../core/db/database.server';
import { IngestError } from './ingest-error';
import { parseMappingJson } from './mapping-draft';
import { withLock } from '../core/keyed-lock';
import { takeLookupUploads } from './lookup-uploads.server';
import { ingestFile, type BatchSummary, type IngestProgress } from './ingest-file.server';
import { displayFileName, receiveUpload } from './receive-upload.server';
import { findSavedMapping } from './saved-mappings.server';

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
	/** Second files sent before (lookup-uploads.server.ts): "name:token,...". */
	lookups?: string | null;
	importedBy: string;
	source: 'upload' | 'api';
}

function parseKind(kind: string | null): ImportKind {
	if (kind === 'cases' || kind === 'feedback') return kind;
	throw new IngestError('wrong_kind', `The import kind must be "cases" or "feedback", got "${kind ?? ''}".`, 'Choose what the file holds: cases or feedback.');
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

/** The upload page, the JSON API and the CLI hand-off all import through here. */
export async function runImport(request: ImportRequest, onProgress?: (p: IngestProgress) => void): Promise<BatchSummary> {
	const kind = parseKind(request.kind);
	const encoding = parseEncoding(request.encoding);
	const config = appConfig();
	const { db } = await getDatabase();
	let mapping = parseMapping(request.mapping);
	if (!mapping && request.mappingName) {
		mapping = await findSavedMapping(db, request.mappingName);
		if (!mapping) throw new IngestError('bad_mapping', `There is no saved mapping called "${request.mappingName}".`, 'Save the mapping on the upload page first, or send the mapping itself.');
	}
	const lookups = takeLookupUploads(request.lookups ?? null);
	const upload = await receiveUpload(request.body, config.maxUploadBytes).catch(async (error: unknown) => {
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
				const summary = await runOne();
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

	function runOne() {
		return ingestFile(db, {
			path: upload.path,
			fileName: displayFileName(request.fileName),
			kind,
			preset: request.preset ?? undefined,
			mapping,
			encoding,
			sheet: request.sheet?.trim() ? request.sheet.trim().slice(0, 200) : undefined,
			lookups: lookups.paths,
			importedBy: request.importedBy,
			source: request.source,
			archiveDir: config.archiveDir,
			maxBytes: config.maxUploadBytes,
			maxLineBytes: config.maxLineBytes,
			onProgress
		});
	}
}

let importsWaiting = 0;
let importRunning = false;
