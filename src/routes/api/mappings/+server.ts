import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import type { ColumnMapping } from '$lib/imports/column-mapping';
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
		const body = (await request.json().catch(() => null)) as { mapping?: ColumnMapping; kind?: string } | null;
		if (!body?.mapping || (body.kind !== 'cases' && body.kind !== 'feedback')) {
			throw new IngestError('bad_mapping', 'The request needs a mapping and a kind (cases or feedback).', 'Send {"kind": "cases", "mapping": {"name": ..., "columns": {...}}}.');
		}
		const { db } = await getDatabase();
		await saveMapping(db, body.mapping, body.kind, locals.user?.username ?? 'unknown');
		return json({ saved: body.mapping.name });
	} catch (error) {
		return errorResponse(error);
	}
};
