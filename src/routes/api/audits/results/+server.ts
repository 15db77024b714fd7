import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { auditResults } from '$lib/server/audits/results';
import { idFrom } from '$lib/server/audits/route-helpers';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	return json(await auditResults(db, { by: url.searchParams.get('by') ?? undefined, grain: url.searchParams.get('grain') ?? undefined, sampleId: idFrom(url.searchParams.get('sample')) }));
};
