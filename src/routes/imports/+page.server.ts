import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { listBatches } from '$lib/imports/batches.server';

export const load: PageServerLoad = async () => {
	const { db } = await getDatabase();
	return { batches: await listBatches(db) };
};
