import { isWrite } from './auth/access-rules';

/** Forms and JSON bodies: far above any real form or mapping, far below what hurts the server. */
export const SMALL_BODY_BYTES = 1024 * 1024;
/**
 * Routes that take a file as the body; they stream it to disk under CASELENS_MAX_UPLOAD_MB. The
 * preview takes a workbook or Parquet file whole (their structure is not readable from a slice).
 */
const UPLOAD_ROUTES = new Set(['/api/imports', '/api/imports/preview', '/api/imports/lookup']);

/** How much of an oversized body is read and dropped (so the client gets the 413) before the connection is cut. */
const DRAIN_BYTES = 16 * 1024 * 1024;

export interface Refusal {
	status: 403 | 411 | 413;
	code: string;
	message: string;
	hint: string;
}

/**
 * One origin check for every state-changing request, whatever its content type. SvelteKit's own
 * check covers only form posts, so a JSON or octet-stream POST (a `no-cors` fetch from a page on
 * another port, say) went through with the victim's cookie. Browsers send Origin on every POST,
 * PUT, PATCH and DELETE; a write without it, or from another origin, is refused. The local CLI
 * proves itself with its token instead (src/lib/core/server-registry.server.ts).
 */
function originRefusal(request: Request, url: URL, viaCli: boolean): Refusal | undefined {
	if (viaCli) return undefined;
	const origin = request.headers.get('origin');
	if (origin === url.origin) return undefined;
	return {
		status: 403,
		code: 'cross_origin',
		message: origin ? `A change sent from ${origin} was refused: this server accepts changes only from its own pages (${url.origin}).` : 'A change without an Origin header was refused.',
		hint: 'Use the dashboard itself, or the caselens CLI. Behind a proxy, set ORIGIN to the address people open.'
	};
}

/**
 * The checks every write passes before anything is read or looked up: its origin, then the body
 * limit. SMALL_BODY_BYTES applies everywhere but the upload endpoint, which enforces the upload
 * limit while streaming; a declared length over it is refused before a byte is read. Returns the
 * request the route should see (a chunked body, read within the limit) or the refusal.
 */
export async function guardRequest(request: Request, url: URL, routeId: string | null, viaCli: boolean): Promise<Request | Refusal> {
	if (!isWrite(request.method)) return request;
	const refusal = originRefusal(request, url, viaCli);
	if (refusal) return refusal;
	if (routeId !== null && UPLOAD_ROUTES.has(routeId)) return request;
	const length = request.headers.get('content-length');
	if (length === null) return boundedRequest(request);
	if (Number(length) <= SMALL_BODY_BYTES) return request;
	// Refused before a byte is kept; a body a modest client can finish sending is read and dropped
	// first, as below: answered at once, the client still writing got a reset connection (EPIPE)
	// instead of the 413 and its message.
	if (request.body && Number(length) <= SMALL_BODY_BYTES + DRAIN_BYTES) await drain(request.body.getReader(), Number(length));
	return tooLarge();
}

/**
 * Reads and drops the rest of a body, up to `limit` bytes; past them the reader is cancelled, which
 * cuts the connection (the Node adapter destroys the request), so a body that ends is never cancelled.
 */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number): Promise<void> {
	for (let drained = 0; ; ) {
		const next = await reader.read();
		if (next.done) return;
		drained += next.value.byteLength;
		if (drained > limit) return reader.cancel();
	}
}

function tooLarge(): Refusal {
	return {
		status: 413,
		code: 'body_too_large',
		message: `The request body is larger than ${SMALL_BODY_BYTES / 1024 / 1024} MB, the limit for forms and JSON.`,
		hint: 'Files are imported through Imports → New import (or POST /api/imports), which takes files up to CASELENS_MAX_UPLOAD_MB.'
	};
}

/**
 * A body sent without a length (chunked) on a small route, read up to the limit: the request the
 * route sees holds the same bytes, and a longer body is refused instead of filling memory.
 */
async function boundedRequest(request: Request): Promise<Request | Refusal> {
	if (!request.body) return request;
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > SMALL_BODY_BYTES) {
			// Read on (and drop) what a modest client still sends, so it gets the 413 instead of
			// a reset connection; past DRAIN_BYTES the connection is cut.
			await drain(reader, DRAIN_BYTES);
			return tooLarge();
		}
		chunks.push(value);
	}
	const body = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		body.set(chunk, offset);
		offset += chunk.byteLength;
	}
	const headers = new Headers(request.headers);
	headers.set('content-length', String(size));
	return new Request(request.url, { method: request.method, headers, body });
}
