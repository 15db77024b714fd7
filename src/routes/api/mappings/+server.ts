import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { checkMapping } from '$lib/imports/mapping-draft';
import { getDatabase } from '$lib/core/db/database.server';
import { errorResponse } from '$lib/core/http-errors.server';
import { IngestError } from '$lib/imports/ingest-error';
import { listSavedMappings, saveMapping } from '$lib/imports/saved-mappings.server';

export const GET: RequestHandler = async () => {
	const { db } = await getDatabase();
	return json(await listSavedMappings(db));
};

export const POST: RequestHandler = async ({ request, locals }) => {
	try {
		const body = (await request.json().catch(() => null)) as { mapping?: unknown; kind?: string } | null;
		if (!body?.mapping || (body.kind !== 'cases' && body.kind !== 'feedback')) {
			throw new IngestError('bad_mapping', 'The request needs a mapping and a kind (cases or feedback).', 'Send {"kind": "cases", "mapping": {"name": ..., "columns": {...}}}.');
		}
		// Checked key by key before it is stored: a saved mapping is used by later imports.
		const { mapping } = checkMapping(body.mapping);
		const { db } = await getDatabase();
		await saveMapping(db, mapping, body.kind, locals.user?.username ?? 'unknown');
		return json({ saved: mapping.name });
	} catch (error) {
		return errorResponse(error);
	}
};
