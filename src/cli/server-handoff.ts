import { userInfo } from 'node:os';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { openDatabase } from '../lib/core/db/database.server';
import type { Database } from '../lib/core/db/schema';
import { findServer, type ServerEntry } from '../lib/core/server-registry.server';
import type { BatchSummary } from '../lib/imports/ingest-file.server';
import { AppError, asProblem, hasCode, type Problem, type ProblemStatus } from '../lib/core/errors';

/** One request from the CLI to the server that holds its database. */
export interface ServerCall {
	path: string;
	method?: 'GET' | 'POST';
	params?: URLSearchParams;
	/** Sent as a JSON body. */
	json?: unknown;
	/** A raw body (a file, streamed); give its content type in `headers`. */
	body?: BodyInit;
	headers?: Record<string, string>;
	accept?: string;
	/** What the user can do instead while the server cannot answer, e.g. "Open the Friction page". */
	instead: string;
}

/**
 * The server understood the request and refused it (a bad filter, an existing account, a file it
 * cannot read): its own code, message and hint, shown as the local command would show them.
 */
export class ServerRefusal extends AppError {
	constructor(status: number, code: string, message: string, hint: string) {
		// Passed through as it is, so --json prints the code the API answered.
		super(code, message, hint, status as ProblemStatus);
		this.name = 'ServerRefusal';
	}
}

/** Who the audit trail names for a command run here, locally or through the server (src/hooks.server.ts). */
export function localActor(): string {
	return `cli:${userInfo().username}`;
}

/**
 * Sends a request to the server as the local CLI: its registry token (only users who can read the
 * database folder can see it), the OS user for the audit trail, and the server's own origin for
 * the write check. Answers the successful response; a refusal the server explains is thrown as a
 * ServerRefusal, and a server that cannot answer (gone, or a stale registry whose token it no
 * longer knows) as database_locked, since the file stays locked either way.
 */
export async function askServer(server: ServerEntry, call: ServerCall): Promise<Response> {
	const url = new URL(call.path, server.url);
	if (call.params) url.search = call.params.toString();
	const unavailable = (why: string) => new AppError('database_locked', `The database is held by the Caselens server (PID ${server.pid}) but ${why}.`, `${call.instead}, or stop the server and run the command again.`, 503);
	let response: Response;
	try {
		response = await fetch(url, {
			method: call.method ?? 'GET',
			// A refused page request is redirected to the sign-in page: that is no answer to print.
			redirect: 'manual',
			body: call.json === undefined ? call.body : JSON.stringify(call.json),
			// Node's fetch needs half-duplex to stream a request body.
			...(call.body === undefined ? {} : { duplex: 'half' }),
			headers: {
				authorization: `Bearer ${server.token}`,
				'x-caselens-actor': userInfo().username,
				origin: url.origin,
				accept: call.accept ?? 'application/json',
				...(call.json === undefined ? {} : { 'content-type': 'application/json' }),
				...call.headers
			}
		} as RequestInit & { duplex?: 'half' });
	} catch (error) {
		throw unavailable(`it did not answer at ${server.url}: ${error instanceof Error ? error.message : String(error)}`);
	}
	if (response.ok) return response;
	if (response.status === 401 || response.status === 403) throw unavailable(`it refused the command line's token (${response.status} for ${url.pathname})`);
	const text = await response.text();
	let failure: Problem | null = null;
	try {
		failure = asProblem(JSON.parse(text));
	} catch {
		failure = null;
	}
	if (!failure) throw unavailable(`it answered ${response.status} for ${url.pathname}`);
	throw new ServerRefusal(response.status, failure.code, failure.message, failure.hint);
}

/**
 * Runs `local` on the database file; when another process holds it and that process is the
 * Caselens server registered for this file, runs `remote` through the server instead. DuckDB lets
 * one process open the file, so this is how every command works beside a running server.
 */
export async function onDatabaseOrServer<T>(dbPath: string, local: (db: Kysely<Database>) => Promise<T>, remote: (ask: (call: ServerCall) => Promise<Response>) => Promise<T>): Promise<T> {
	let open: Awaited<ReturnType<typeof openDatabase>>;
	try {
		open = await openDatabase(dbPath);
	} catch (error) {
		if (!hasCode(error, 'database_locked')) throw error;
		const server = findServer(dbPath);
		if (!server) throw error;
		return remote((call) => askServer(server, call));
	}
	try {
		return await local(open.db);
	} finally {
		await open.close();
	}
}

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
	const params = new URLSearchParams({ kind: request.kind });
	if (request.preset) params.set('preset', request.preset);
	if (request.mapping) params.set('mapping', JSON.stringify(request.mapping));
	if (request.mappingName) params.set('mapping_name', request.mappingName);
	if (request.encoding) params.set('encoding', request.encoding);
	const response = await askServer(server, {
		path: '/api/imports',
		method: 'POST',
		params,
		body: Readable.toWeb(createReadStream(request.path)) as ReadableStream<Uint8Array>,
		headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(basename(request.path)) },
		instead: 'Import through the upload page'
	});
	// askServer has turned a refusal into ServerRefusal; an answer that went through is the summary.
	return (await response.json()) as BatchSummary;
}
