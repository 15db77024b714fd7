import { userInfo } from 'node:os';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { findServer } from '../lib/core/server-registry.server';
import type { BatchSummary } from '../lib/imports/ingest-file.server';
import { IngestError, type IngestErrorCode } from '../lib/imports/ingest-error';

export interface HandoffRequest {
	path: string;
	kind: string;
	preset?: string;
	mapping?: unknown;
	mappingName?: string;
	encoding?: string;
}

/**
 * When the server holds the database, send the file to its import endpoint instead. Returns
 * undefined when no live server is registered for this database file.
 */
export async function importThroughServer(dbPath: string, request: HandoffRequest): Promise<BatchSummary | undefined> {
	const server = findServer(dbPath);
	if (!server) return undefined;
	const url = new URL('/api/imports', server.url);
	url.searchParams.set('kind', request.kind);
	if (request.preset) url.searchParams.set('preset', request.preset);
	if (request.mapping) url.searchParams.set('mapping', JSON.stringify(request.mapping));
	if (request.mappingName) url.searchParams.set('mapping_name', request.mappingName);
	if (request.encoding) url.searchParams.set('encoding', request.encoding);
	let response: Response;
	try {
		response = await fetch(url, {
			method: 'POST',
			body: Readable.toWeb(createReadStream(request.path)) as ReadableStream<Uint8Array>,
			// Node's fetch needs half-duplex to stream a request body.
			duplex: 'half',
			headers: {
				authorization: `Bearer ${server.token}`,
				'x-caselens-actor': userInfo().username,
				origin: url.origin,
				'content-type': 'application/octet-stream',
				'x-file-name': encodeURIComponent(basename(request.path))
			}
		} as RequestInit & { duplex: 'half' });
	} catch (error) {
		throw new IngestError(
			'database_locked',
			`The database is held by the Caselens server (PID ${server.pid}) but it did not answer at ${server.url}: ${error instanceof Error ? error.message : String(error)}.`,
			'Import through the upload page, or stop the server and run the command again.'
		);
	}
	const body = (await response.json()) as BatchSummary | { error: string; hint?: string; code?: string };
	if (!response.ok || 'error' in body) {
		const failure = body as { error: string; hint?: string; code?: string };
		throw new IngestError((failure.code as IngestErrorCode) ?? 'malformed_file', failure.error, failure.hint ?? '');
	}
	return body;
}
