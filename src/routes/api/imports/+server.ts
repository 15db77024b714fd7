import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { errorResponse, problemOf } from '$lib/core/http-errors.server';
import { IngestError } from '$lib/imports/ingest-error';
import { listBatches } from '$lib/imports/batches.server';
import { runImport } from '$lib/imports/run-import.server';
import { serverEntry } from '$lib/core/startup.server';

export const GET: RequestHandler = async () => {
	const { db } = await getDatabase();
	return json(await listBatches(db));
};

/**
 * The file is the raw request body (streamed to disk, never buffered whole); options travel in
 * the query string and the file name in X-File-Name. With `Accept: application/x-ndjson` the
 * response streams progress lines ({"progress": ...}) and ends with {"summary": ...} or
 * {"problem": {code, message, hint}} (src/lib/core/errors.ts).
 */
export const POST: RequestHandler = async ({ request, url, locals }) => {
	const token = serverEntry()?.token;
	const viaCli = token !== undefined && request.headers.get('authorization') === `Bearer ${token}`;
	let fileName: string | null;
	try {
		fileName = request.headers.get('x-file-name') ? decodeURIComponent(request.headers.get('x-file-name') ?? '') : null;
	} catch {
		return errorResponse(new IngestError('bad_request', 'The X-File-Name header is not a valid percent-encoded file name.', 'Send the name through encodeURIComponent, or leave the header out.'));
	}
	const importRequest = {
		body: request.body,
		fileName,
		kind: url.searchParams.get('kind'),
		preset: url.searchParams.get('preset'),
		mapping: url.searchParams.get('mapping'),
		mappingName: url.searchParams.get('mapping_name'),
		encoding: url.searchParams.get('encoding'),
		sheet: url.searchParams.get('sheet'),
		lookups: url.searchParams.get('lookups'),
		// kind=messages only: the layout of the messages file (conversations/import-options.ts).
		format: url.searchParams.get('format'),
		// The account behind the request: the signed-in user, or the system user who ran the CLI.
		importedBy: viaCli ? `${locals.user?.username} (through the server)` : (locals.user?.username ?? 'unknown'),
		source: viaCli ? ('api' as const) : ('upload' as const)
	};

	if (!(request.headers.get('accept') ?? '').includes('application/x-ndjson')) {
		try {
			return json(await runImport(importRequest));
		} catch (error) {
			return errorResponse(error);
		}
	}

	const encoder = new TextEncoder();
	const stream = new ReadableStream<Uint8Array>({
		async start(controller) {
			const send = (value: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
			try {
				const summary = await runImport(importRequest, (p) => send({ progress: p }));
				send({ summary });
			} catch (error) {
				send({ problem: problemOf(error).problem });
			}
			controller.close();
		}
	});
	return new Response(stream, { headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' } });
};
