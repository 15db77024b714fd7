import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { appConfig } from '$lib/core/config.server';
import { getDatabase } from '$lib/core/db/database.server';
import { errorResponse } from '$lib/core/http-errors.server';
import { displayFileName, receiveUpload } from '$lib/imports/receive-upload.server';
import { previewMapping, previewParams, PreviewMappingError } from '$lib/imports/preview-mapping.server';

/**
 * The typed result of the first 20 records under a mapping, before anything is written. The body
 * is the file (from the upload page, only its first megabyte for CSV and JSON); options travel in
 * the query string as for POST /api/imports.
 */
export const POST: RequestHandler = async ({ request, url }) => {
	try {
		const { db } = await getDatabase();
		const { notes, ...params } = await previewParams(url.searchParams, db);
		const config = appConfig();
		const upload = await receiveUpload(request.body, config.maxUploadBytes);
		try {
			let fileName: string | null = null;
			try {
				fileName = displayFileName(decodeURIComponent(request.headers.get('x-file-name') ?? ''));
			} catch {
				// The name only hints at the format; a malformed one is left out.
			}
			return json(await previewMapping(db, { ...params, path: upload.path, fileName: fileName ?? undefined, maxBytes: config.maxUploadBytes, maxLineBytes: config.maxLineBytes, notes }));
		} finally {
			await upload.discard();
		}
	} catch (error) {
		const response = errorResponse(error);
		// The editor offers the file's headers even when the mapping cannot be used yet.
		return error instanceof PreviewMappingError ? json({ ...(await response.json()), headers: error.headers }, { status: response.status }) : response;
	}
};
