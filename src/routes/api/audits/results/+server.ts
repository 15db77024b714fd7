import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { auditResults } from '$lib/audits/results.server';
import { idFrom } from '$lib/audits/route-helpers.server';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	return json(await auditResults(db, { by: url.searchParams.get('by') ?? undefined, grain: url.searchParams.get('grain') ?? undefined, sampleId: idFrom(url.searchParams.get('sample')) }));
};
