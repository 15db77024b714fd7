import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { appConfig } from '$lib/core/config.server';
import { errorResponse } from '$lib/core/http-errors.server';
import { holdLookupUpload } from '$lib/imports/lookup-uploads.server';

/** A second file for an import's mapping (its `lookups`): held, and named by the token returned. */
export const POST: RequestHandler = async ({ request }) => {
	try {
		return json({ token: await holdLookupUpload(request.body, appConfig().maxUploadBytes) });
	} catch (error) {
		return errorResponse(error);
	}
};
