import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { listBatches } from '$lib/server/services/imports';

export const load: PageServerLoad = async () => {
	const { db } = await getDatabase();
	return { batches: await listBatches(db) };
};
