import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { checkMapping } from '$lib/imports/mapping-draft';
import { getDatabase } from '$lib/core/db/database.server';
import { errorResponse } from '$lib/core/http-errors.server';
import { readJsonBody, strictObject, v } from '$lib/core/validate';
import { listSavedMappings, saveMapping } from '$lib/imports/saved-mappings.server';

export const GET: RequestHandler = async () => {
	const { db } = await getDatabase();
	return json(await listSavedMappings(db));
};

const SAVE_MAPPING = strictObject({ kind: v.picklist(['cases', 'feedback'], 'must be cases or feedback'), mapping: v.unknown() });

export const POST: RequestHandler = async ({ request, locals }) => {
	try {
		const body = await readJsonBody(request, SAVE_MAPPING, 'Send {"kind": "cases", "mapping": {"name": ..., "columns": {...}}} with Content-Type: application/json.', 'bad_mapping');
		// Checked against the mapping schema before it is stored: a saved mapping is used by later imports.
		const { mapping } = checkMapping(body.mapping);
		const { db } = await getDatabase();
		await saveMapping(db, mapping, body.kind, locals.user?.username ?? 'unknown');
		return json({ saved: mapping.name });
	} catch (error) {
		return errorResponse(error);
	}
};
