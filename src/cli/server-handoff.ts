import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { findServer } from '../lib/server/server-registry';
import type { BatchSummary } from '../lib/server/ingest/ingest-file';
import { IngestError } from '../lib/server/ingest/ingest-error';

export interface HandoffRequest {
	path: string;
	kind: string;
	preset?: string;
	mapping?: unknown;
	encoding?: string;
}

/**
 * When the server holds the database, send the file to its import endpoint instead. Returns
 * undefined when no live server is registered for this database file.
 */
export async function importThroughServer(dbPath: string, request: HandoffRequest): Promise<BatchSummary | undefined> {
	const server = findServer(dbPath);
	if (!server) return undefined;
	const form = new FormData();
	form.set('file', await openAsBlob(request.path), basename(request.path));
	form.set('kind', request.kind);
	if (request.preset) form.set('preset', request.preset);
	if (request.mapping) form.set('mapping', JSON.stringify(request.mapping));
	if (request.encoding) form.set('encoding', request.encoding);
	let response: Response;
	try {
		response = await fetch(new URL('/api/imports', server.url), {
			method: 'POST',
			body: form,
			headers: { authorization: `Bearer ${server.token}`, origin: new URL(server.url).origin }
		});
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
		throw new IngestError('malformed_file', failure.error, failure.hint ?? '');
	}
	return body;
}
